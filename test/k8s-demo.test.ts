// The demo estate's Kubernetes objects (demo/estate/kubernetes), collected by `compline run` from demo/compline.yaml,
// give exactly the verdicts its DESIGN.md lists, each in its tenant's report, and each Kubernetes check at least one
// pass and one fail.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TenantReport } from '../src/reports/tenant-report.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { compline, ROOT } from './support/cli.js';

const DIR = join(ROOT, 'demo/estate/kubernetes');
const checks = (await loadCatalogue()).checks.filter((c) => c.tables.includes('k8s_objects')).map((c) => c.id);

/** The table rows of DESIGN.md: | check | subject | tenant | verdict | why |. */
function designed(): { check: string; subject: string; tenant: string; verdict: string }[] {
  const text = readFileSync(join(DIR, 'DESIGN.md'), 'utf8');
  return [...text.matchAll(/^\| (k8s-[a-z-]+) \| `([^`]+)` \| ([a-z_]+) \| (pass|fail|error) \|/gm)].map((m) => ({
    check: m[1]!,
    subject: m[2]!,
    tenant: m[3]!,
    verdict: m[4]!,
  }));
}

const line = (check: string, subject: string, tenant: string, verdict: string) => `${check} ${subject} ${tenant} ${verdict}`;

const reports: Record<string, TenantReport> = {};
let stdout = '';
/** The run's Kubernetes findings as the store holds them: every tenant's, whether or not its frameworks report them. */
let stored: string[] = [];

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'compline-k8s-demo-'));
  const r = compline(['run', '--config', 'demo/compline.yaml', '--out', join(work, 'out'), '--store', join(work, 's.duckdb')]);
  expect(r.code, r.stderr).toBe(0);
  stdout = r.stdout;
  const [runId] = readdirSync(join(work, 'out'));
  for (const tenant of readdirSync(join(work, 'out', runId!)))
    reports[tenant] = JSON.parse(readFileSync(join(work, 'out', runId!, tenant, 'report.json'), 'utf8'));
  const store = await Store.open(join(work, 's.duckdb'));
  try {
    const rows = await store.read<{ check_id: string; resource_id: string; tenant_id: string | null; status: string }>(
      `select check_id, resource_id, tenant_id, status from main.findings where check_id like 'k8s-%'`,
    );
    stored = rows.map((f) => line(f.check_id, f.resource_id, f.tenant_id ?? '_platform', f.status)).sort();
  } finally {
    store.close();
  }
}, 120_000);

describe('demo Kubernetes estate through compline run', () => {
  it('gives exactly the verdicts DESIGN.md lists', () => {
    const expected = designed()
      .map((d) => line(d.check, d.subject, d.tenant, d.verdict))
      .sort();
    expect(stored).toEqual(expected);
  });

  it('reports each verdict in its own tenant report', () => {
    const reported = Object.entries(reports)
      .flatMap(([tenant, report]) =>
        report.findings.filter((f) => checks.includes(f.check_id)).map((f) => line(f.check_id, f.resource_id, tenant, f.status)),
      )
      .sort();
    expect(reported).toEqual(stored);
  });

  it('reads every cluster completely', () => {
    expect(stdout).toMatch(/\(ok\)/);
    const scopes = reports._platform!.sources.filter((s) => s.source === 'kubernetes').map((s) => `${s.scope} ${s.status}`);
    expect(scopes.sort()).toEqual([
      'cluster:aks-bank-alpha-dev ok',
      'cluster:aks-bank-alpha-prod ok',
      'cluster:aks-shared-westus ok',
    ]);
  });

  it('names a dedicated cluster only in its tenant report', () => {
    const named = (t: string) =>
      reports[t]!.sources.filter((s) => s.source === 'kubernetes')
        .map((s) => s.scope)
        .sort();
    expect(named('bank_alpha')).toEqual([
      'cluster:aks-bank-alpha-dev',
      'cluster:aks-bank-alpha-prod',
      'cluster:aks-shared-westus',
    ]);
    expect(named('credit_union_beta')).toEqual(['cluster:aks-shared-westus']);
  });

  it.each(checks)('%s has a passing and a failing subject', (id) => {
    const statuses = new Set(stored.filter((l) => l.startsWith(`${id} `)).map((l) => l.split(' ').at(-1)));
    expect([...statuses].filter((s) => s === 'pass' || s === 'fail').sort()).toEqual(['fail', 'pass']);
  });
});
