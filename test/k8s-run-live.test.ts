// `compline run` with the live Kubernetes source, end to end: the built CLI and the real client-node against the
// local API server serving the demo clusters. A healthy estate gives DESIGN.md's verdicts; a cluster that fails
// midway or cannot be reached withholds every verdict on it (error, never pass) while the other clusters' stand; the
// run exits 4; a Secret value the server holds appears in no table, report or log line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../src/model.js';
import { RULE_TABLES, Store } from '../src/store.js';
import { complineAsync, ROOT } from './support/cli.js';
import { demoClusters, PLANTED } from './support/demo-kube.js';
import { type KubeFault, type KubeServer, startKubeServer } from './support/kube-server.js';
import { allOutput, runReports } from './support/run-output.js';

let server: KubeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function workspace(fault?: (c: import('./support/kube-server.js').KubeCall) => KubeFault | undefined): Promise<string> {
  server = await startKubeServer({ clusters: demoClusters(), ...(fault ? { fault } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'compline-k8s-run-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    server.kubeconfig({ extra: [{ name: 'aks-unreachable', server: 'https://127.0.0.1:1' }] }),
  );
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: bank_alpha, name: Bank Alpha, tier: enterprise, frameworks: [pci-dss-4.0.1], environments: [dev, prod], clusters: [aks-bank-alpha-prod, aks-bank-alpha-dev] }
  - { id: credit_union_beta, name: Credit Union Beta, tier: standard, frameworks: [pci-dss-4.0.1], environments: [dev, prod] }
  - { id: fintech_gamma, name: Fintech Gamma, tier: premium, frameworks: [pci-dss-4.0.1], environments: [dev, prod] }
mapping: { shared_clusters: [aks-shared-westus, aks-unreachable], namespaces: ["gc-{tenant}-*"], namespace_label: customer }
sources:
  resource_graph: { mode: file, paths: ["${join(ROOT, 'demo/estate/resource-graph-1f4c2a10.json')}"] }
  kubernetes:
    mode: live
    kubeconfig: kubeconfig
    contexts: [aks-bank-alpha-prod, aks-bank-alpha-dev, aks-shared-westus${fault ? ', aks-unreachable' : ''}]
    page_size: 3
    request_timeout_seconds: 2
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`,
  );
  return dir;
}

const run = (dir: string) => complineAsync(['run', '--config', join(dir, 'compline.yaml')]);

/** Every row of every table of the run, as text. */
async function storeText(dir: string): Promise<string> {
  const store = await Store.open(join(dir, 'store/compline.duckdb'));
  try {
    const out: string[] = [];
    for (const table of [...RULE_TABLES, 'runs']) out.push(JSON.stringify(await store.read(`select * from main.${table}`)));
    return out.join('\n');
  } finally {
    store.close();
  }
}

const k8sFindings = (reports: Record<string, { findings: Finding[] }>) =>
  Object.entries(reports).flatMap(([tenant, r]) =>
    r.findings.filter((f) => f.check_id.startsWith('k8s-')).map((f) => ({ ...f, tenant })),
  );

describe('compline run with the live Kubernetes source', () => {
  it('collects every cluster: the run is ok and the Kubernetes checks give their designed verdicts', async () => {
    const dir = await workspace();
    const r = await run(dir);
    expect(r.code, r.stderr).toBe(0);
    const findings = k8sFindings(runReports(dir));
    const line = (f: Finding & { tenant: string }) => `${f.check_id} ${f.resource_id} ${f.tenant} ${f.status}`;
    expect(
      findings
        .filter((f) => f.resource_id === 'k8s://aks-shared-westus/Namespace/gc-credit-union-beta-prod')
        .map(line)
        .sort(),
    ).toEqual([
      'k8s-namespace-default-deny k8s://aks-shared-westus/Namespace/gc-credit-union-beta-prod credit_union_beta fail',
      'k8s-namespace-labels k8s://aks-shared-westus/Namespace/gc-credit-union-beta-prod credit_union_beta pass',
    ]);
    expect(findings.filter((f) => f.status === 'error')).toEqual([]);
    expect(findings.filter((f) => f.status === 'pass').length).toBeGreaterThan(40);
  });

  it('a cluster failing midway and one unreachable: their verdicts are errors, never passes; the others stand; exit 4', async () => {
    const dir = await workspace((c) =>
      c.cluster === 'aks-bank-alpha-dev' && c.kind === 'ServiceAccount' ? { status: 500, reason: 'InternalError' } : undefined,
    );
    const r = await run(dir);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'warn: kubernetes partial for cluster:aks-bank-alpha-dev: ServiceAccount: HTTP 500 InternalError after 4 attempts',
    );
    expect(r.stderr).toMatch(
      /warn: kubernetes failed for cluster:aks-unreachable: Namespace: connection failed \(ECONNREFUSED\)/,
    );
    const reports = runReports<{ findings: Finding[]; sources: { scope: string; status: string }[] }>(dir);
    const findings = k8sFindings(reports);
    const on = (cluster: string) => findings.filter((f) => f.resource_id.startsWith(`k8s://${cluster}/`));
    // The dev cluster's objects were listed up to the failure: every verdict on them is withheld.
    expect(on('aks-bank-alpha-dev').length).toBeGreaterThan(0);
    for (const f of on('aks-bank-alpha-dev')) {
      expect(f.status).toBe('error');
      expect(f.reason).toMatch(/^source kubernetes partial for cluster:aks-bank-alpha-dev: .*; verdict withheld/);
    }
    // Each check reports both incomplete clusters as errors: the dedicated one to its tenant, the shared one to all.
    const sourceErrors = findings.filter((f) => f.resource_id.startsWith('source://kubernetes/'));
    expect(new Set(sourceErrors.map((f) => `${f.tenant} ${f.resource_id} ${f.status}`))).toEqual(
      new Set([
        'bank_alpha source://kubernetes/cluster:aks-bank-alpha-dev error',
        ...['bank_alpha', 'credit_union_beta', 'fintech_gamma', '_platform'].map(
          (t) => `${t} source://kubernetes/cluster:aks-unreachable error`,
        ),
      ]),
    );
    // The complete clusters keep their verdicts.
    expect(on('aks-bank-alpha-prod').filter((f) => f.status === 'pass').length).toBeGreaterThan(5);
    expect(on('aks-bank-alpha-prod').filter((f) => f.status === 'error')).toEqual([]);
    // Only bank_alpha's report names its dedicated cluster.
    expect(reports.credit_union_beta!.sources.map((s) => s.scope)).not.toContain('cluster:aks-bank-alpha-dev');
    expect(reports.bank_alpha!.sources.find((s) => s.scope === 'cluster:aks-bank-alpha-dev')?.status).toBe('partial');
  });

  it('keeps no Secret or ConfigMap value: not in the store, the reports or the log', async () => {
    const dir = await workspace();
    const r = await run(dir);
    expect(r.code, r.stderr).toBe(0);
    const stored = await storeText(dir);
    expect(stored).toContain('payments-db-credentials');
    expect(stored).not.toContain(PLANTED);
    expect(allOutput(join(dir, 'out'))).not.toContain(PLANTED);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(PLANTED);
  });
});
