// Compline's own manifests (schedules/) pass Compline's own Kubernetes checks: each kustomization is rendered, written
// out as a cluster folder, read back through the Kubernetes collector's file source and judged by every check of
// src/checks/k8s/ in DuckDB. The Dockerfile is read for the properties the image promises.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubernetesFileSource } from '../src/collectors/kubernetes/file-source.js';
import { K8S_KINDS } from '../src/collectors/kubernetes/object-row.js';
import { parseConfig } from '../src/config.js';
import { evaluate } from '../src/engine.js';
import type { K8sObjectRow } from '../src/model.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { ROOT } from './support/cli.js';
import { FIXTURE_RUN, loadTables } from './support/fixture-store.js';
import { renderKustomization } from './support/kustomize.js';

type Obj = Record<string, unknown>;
const catalogue = await loadCatalogue();
const k8sChecks = catalogue.checks.filter((c) => c.id.startsWith('k8s-'));
const work = mkdtempSync(join(tmpdir(), 'compline-schedules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CLUSTER = 'aks-platform';
const render = (overlay: string) => renderKustomization(join(ROOT, 'schedules', overlay));
const find = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind) as Obj;

/** The rendered objects as a cluster folder, read back as the collector reads `kubectl get -o yaml` output. */
async function collect(overlay: string, objects: Obj[]) {
  const dir = join(work, overlay.replace('/', '-'), CLUSTER);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'objects.yaml'), stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const rows: K8sObjectRow[] = [];
  const statuses: unknown[] = [];
  for await (const e of new KubernetesFileSource([join(dir, '..')], ROOT).collect()) {
    if (e.kind === 'rows') rows.push(...(e.rows as K8sObjectRow[]));
    if (e.kind === 'status') statuses.push(e.status);
  }
  return { rows, statuses };
}

/** Every Kubernetes check over the rows: check id → { resource id → verdict }. */
async function verdicts(rows: K8sObjectRow[]): Promise<Record<string, Record<string, string>>> {
  const store = await Store.open(':memory:');
  try {
    await store.beginRun({ runId: FIXTURE_RUN, mode: 'nightly', toolVersion: 'test', configSha256: null });
    await loadTables(store, { k8s_objects: rows as unknown as Record<string, unknown>[] });
    const { findings } = await evaluate(store, k8sChecks, {
      runId: FIXTURE_RUN,
      tenantIds: [],
      waivers: [],
      params: {},
      today: '2026-12-05',
    });
    const out: Record<string, Record<string, string>> = Object.fromEntries(k8sChecks.map((c) => [c.id, {}]));
    for (const f of findings) out[f.check_id]![f.resource_id] = f.status;
    return out;
  } finally {
    store.close();
  }
}

const id = (kind: string, name: string, namespace: string | null = 'compline') =>
  `k8s://${CLUSTER}/${namespace === null ? '' : `${namespace}/`}${kind}/${name}`;

describe.each(['base', 'overlays/spot'])('schedules/%s', (overlay) => {
  it('renders to the objects the nightly run needs', () => {
    const objects = render(overlay);
    expect(objects.map((o) => `${o.kind}/${(o.metadata as Obj).name}`).sort()).toEqual([
      'ClusterRole/compline-reader',
      'ClusterRoleBinding/compline-reader',
      'ConfigMap/compline-config',
      'CronJob/compline',
      'Namespace/compline',
      'NetworkPolicy/default-deny-ingress',
      'PersistentVolumeClaim/compline-history',
      'ServiceAccount/compline',
    ]);
  });

  it('passes every Kubernetes check of the catalogue, read through the collector', async () => {
    const { rows, statuses } = await collect(overlay, render(overlay));
    expect(statuses).toEqual([{ source: 'kubernetes', scope: `cluster:${CLUSTER}`, status: 'ok', error: null, rows: 7 }]);
    expect(k8sChecks.map((c) => c.id).sort()).toEqual([
      'k8s-banking-encryption-label',
      'k8s-container-resources',
      'k8s-image-pinned',
      'k8s-namespace-default-deny',
      'k8s-namespace-labels',
      'k8s-no-cluster-admin-binding',
      'k8s-pod-security-restricted',
      'k8s-serviceaccount-token-automount',
    ]);
    expect(await verdicts(rows)).toEqual({
      // tier platform is not banking; the namespace is the platform's, not a tenant's; no binding grants cluster-admin
      'k8s-banking-encryption-label': {},
      'k8s-namespace-default-deny': {},
      'k8s-no-cluster-admin-binding': {},
      'k8s-container-resources': { [id('CronJob', 'compline')]: 'pass' },
      'k8s-image-pinned': { [id('CronJob', 'compline')]: 'pass' },
      'k8s-pod-security-restricted': { [id('CronJob', 'compline')]: 'pass' },
      'k8s-namespace-labels': { [id('Namespace', 'compline', null)]: 'pass' },
      'k8s-serviceaccount-token-automount': { [id('ServiceAccount', 'compline')]: 'pass' },
    });
  });

  it('the ConfigMap holds a compline.yaml the config schema accepts, collecting this cluster in-cluster', () => {
    const data = find(render(overlay), 'ConfigMap').data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['compline.yaml', 'signer-certificate.pem']);
    const config = parseConfig(data['compline.yaml']!, 'compline.yaml');
    expect(config.sources.kubernetes).toMatchObject({ mode: 'live', in_cluster: { cluster: CLUSTER } });
    // A nightly run requires a signer: the key in Key Vault, its certificate beside the config in the ConfigMap.
    expect(config.signer).toMatchObject({ algorithm: 'PS256', certificate_file: 'signer-certificate.pem' });
    expect(data['signer-certificate.pem']).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });
});

describe('schedules/ least privilege', () => {
  const objects = render('base');

  it('the ClusterRole reads exactly the kinds the collector lists, Secrets and ConfigMaps by list alone', () => {
    const rules = find(objects, 'ClusterRole').rules as { resources: string[]; verbs: string[] }[];
    const plural = (kind: string) => kind.toLowerCase().replace(/y$/, 'ie').concat('s');
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(Object.keys(K8S_KINDS).map(plural).sort());
    const verbs = Object.fromEntries(rules.flatMap((r) => r.resources.map((res) => [res, r.verbs.join(',')])));
    for (const [res, v] of Object.entries(verbs))
      expect(v, res).toBe(['secrets', 'configmaps'].includes(res) ? 'list' : 'get,list');
  });

  it('the account mounts no token unless the pod asks; the pod uses workload identity', () => {
    const sa = find(objects, 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(Object.keys((sa.metadata as Obj).annotations as Obj)).toContain('azure.workload.identity/client-id');
    const template = (((find(objects, 'CronJob').spec as Obj).jobTemplate as Obj).spec as Obj).template as Obj;
    expect(((template.metadata as Obj).labels as Obj)['azure.workload.identity/use']).toBe('true');
    expect((template.spec as Obj).automountServiceAccountToken).toBe(true);
  });

  it('the CronJob runs nightly at 02:00 UTC, never twice at once, within deadlines', () => {
    const spec = find(objects, 'CronJob').spec as Obj;
    expect(spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    expect(spec.startingDeadlineSeconds).toBeGreaterThan(0);
    const job = (spec.jobTemplate as Obj).spec as Obj;
    expect(
      Object.keys(job)
        .filter((k) => k !== 'template')
        .sort(),
    ).toEqual(['activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']);
  });

  it('the spot overlay only adds the spot toleration and node affinity (and a retry for evictions)', () => {
    const pod = (o: Obj[]) => ((((find(o, 'CronJob').spec as Obj).jobTemplate as Obj).spec as Obj).template as Obj).spec as Obj;
    const base = pod(objects);
    const spot = pod(render('overlays/spot'));
    expect(spot.tolerations).toEqual([
      { key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
    ]);
    expect(JSON.stringify(spot.affinity)).toContain(
      '"key":"kubernetes.azure.com/scalesetpriority","operator":"In","values":["spot"]',
    );
    const { tolerations: _t, affinity: _a, ...rest } = spot;
    expect(rest).toEqual(base);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const from = lines.filter((l) => l.startsWith('FROM '));

  it('builds in two stages from a pinned Node 24 slim image, never latest', () => {
    expect(from).toHaveLength(2);
    for (const f of from) expect(f).toMatch(/^FROM node:24\.\d+\.\d+-bookworm-slim AS \w+$/);
  });

  it('the final stage installs production dependencies only, copies what the package ships, runs as non-root', () => {
    const final = lines.slice(lines.indexOf(from[1]!));
    expect(final).toContain('RUN npm ci --omit=dev && npm cache clean --force');
    const files = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).files as string[];
    const copied = final
      .filter((l) => l.startsWith('COPY'))
      .flatMap((l) => l.split(/\s+/).slice(1, -1))
      .filter((a) => !a.startsWith('--'));
    expect(copied.map((c) => c.replace(/^\/src\//, '')).sort()).toEqual(['package-lock.json', 'package.json', ...files].sort());
    expect(final.at(-2)).toBe('USER 1000:1000');
    expect(final.at(-1)).toBe('ENTRYPOINT ["compline"]');
  });
});

describe('schedules/overlays/sharded', () => {
  const objects = render('overlays/sharded');
  const cronJob = (name: string) => objects.find((o) => o.kind === 'CronJob' && (o.metadata as Obj).name === name) as Obj;
  const jobSpec = (name: string) => ((cronJob(name).spec as Obj).jobTemplate as Obj).spec as Obj;
  const container = (name: string) =>
    (((jobSpec(name).template as Obj).spec as Obj).containers as Obj[])[0] as { args: string[]; env: Obj[] };

  it('runs the nightly job as an Indexed Job of N shards, each `run --shard <index>/N` under one dated run id', () => {
    const job = jobSpec('compline');
    expect(job).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
    const { args, env } = container('compline');
    const n = String(job.completions);
    expect(args.slice(0, 3)).toEqual(['run', '--config', '/etc/compline/compline.yaml']);
    expect(args[args.indexOf('--shard') + 1]).toBe(`$(SHARD)/${n}`);
    expect(args[args.indexOf('--run-id') + 1]).toBe('nightly-{date}');
    // Each shard its own store file: DuckDB takes a lock, and shards share the volume.
    expect(args[args.indexOf('--store') + 1]).toBe('/var/lib/compline/shard-$(SHARD).duckdb');
    expect(env).toContainEqual({
      name: 'SHARD',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
  });

  it('merges the same run after the shards’ deadline, expecting the same N, on a volume every node can mount', () => {
    const merge = cronJob('compline-merge');
    const shards = cronJob('compline');
    expect(merge.spec).toMatchObject({ schedule: '30 4 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    // 02:00 plus the shards' activeDeadlineSeconds ends before 04:30.
    expect(2 * 3600 + (jobSpec('compline').activeDeadlineSeconds as number)).toBeLessThanOrEqual(4.5 * 3600);
    expect((shards.spec as Obj).schedule).toBe('0 2 * * *');
    const { args } = container('compline-merge');
    expect(args).toEqual(['merge', '--config', '/etc/compline/compline.yaml', '--run', 'nightly-{date}', '--shards', '3']);
    expect(String(jobSpec('compline').completions)).toBe(args[args.indexOf('--shards') + 1]);
    expect((find(objects, 'PersistentVolumeClaim').spec as Obj).accessModes).toEqual(['ReadWriteMany']);
  });

  it('passes every Kubernetes check of the catalogue, shards and merge alike', async () => {
    const { rows } = await collect('overlays/sharded', objects);
    const all = await verdicts(rows);
    const workloads = { [id('CronJob', 'compline')]: 'pass', [id('CronJob', 'compline-merge')]: 'pass' };
    expect(all).toEqual({
      'k8s-banking-encryption-label': {},
      'k8s-namespace-default-deny': {},
      'k8s-no-cluster-admin-binding': {},
      'k8s-container-resources': workloads,
      'k8s-image-pinned': workloads,
      'k8s-pod-security-restricted': workloads,
      'k8s-namespace-labels': { [id('Namespace', 'compline', null)]: 'pass' },
      'k8s-serviceaccount-token-automount': { [id('ServiceAccount', 'compline')]: 'pass' },
    });
  });

  it('the merge pod mounts no account token and only reads the shared volume', () => {
    const pod = (jobSpec('compline-merge').template as Obj).spec as Obj;
    expect(pod.automountServiceAccountToken).toBeUndefined();
    const mounts = (container('compline-merge') as unknown as { volumeMounts: Obj[] }).volumeMounts;
    expect(mounts.find((m) => m.name === 'history')).toMatchObject({ readOnly: true });
  });
});
