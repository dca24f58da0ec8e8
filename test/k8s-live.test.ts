// The live Kubernetes source through the real @kubernetes/client-node against a local HTTPS API server serving the
// demo clusters' objects: complete rows across pages, a list restarted after 410 Gone, retries, partial and failed
// clusters, and Secret values that never reach the process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collectors/collector.js';
import { KubernetesFileSource } from '../src/collectors/kubernetes/file-source.js';
import { type KubernetesLiveConfig, KubernetesLiveSource } from '../src/collectors/kubernetes/live-source.js';
import type { K8sObjectRow } from '../src/model.js';
import { drainCollector } from './support/collector-events.js';
import { DEMO_CLUSTERS, DEMO_K8S, demoClusters, PLANTED } from './support/demo-kube.js';
import { type KubeFault, type KubeServer, startKubeServer } from './support/kube-server.js';

const DEMO = DEMO_K8S;
const CLUSTERS = DEMO_CLUSTERS;

let server: KubeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function liveConfig(over: Partial<KubernetesLiveConfig> = {}): KubernetesLiveConfig {
  return {
    mode: 'live',
    contexts: [],
    cluster_names: {},
    page_size: 2,
    request_timeout_seconds: 2,
    cluster_deadline_seconds: 30,
    concurrency: 2,
    ...over,
  };
}

async function collect(source: Collector) {
  const { k8sObjects, statuses } = await drainCollector(source);
  return { rows: k8sObjects, statuses };
}

const key = (r: K8sObjectRow) => `${r.cluster}/${r.namespace ?? ''}/${r.kind}/${r.name}`;
const sorted = (rows: K8sObjectRow[]) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));

/** A live source over the server, its kubeconfig written to a temporary folder. */
async function live(
  opts: {
    fault?: (c: import('./support/kube-server.js').KubeCall) => KubeFault | undefined;
    ignoreTableAccept?: boolean;
    shortPage?: (c: import('./support/kube-server.js').KubeCall) => boolean;
  } = {},
  over: Partial<KubernetesLiveConfig> = {},
  kubeconfig: { token?: string; extra?: { name: string; server: string }[] } = {},
) {
  server = await startKubeServer({ clusters: demoClusters(), ...opts });
  const dir = mkdtempSync(join(tmpdir(), 'compline-kube-'));
  writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig(kubeconfig));
  const source = new KubernetesLiveSource(liveConfig({ kubeconfig: 'kubeconfig', ...over }), dir, 10);
  await source.prepare();
  return source;
}

const fileRows = async () => (await collect(new KubernetesFileSource(['.'], DEMO))).rows;

describe('live Kubernetes source', () => {
  it('lists every kind of every cluster across pages into exactly the rows the file source reads', async () => {
    const { rows, statuses } = await collect(await live());
    expect(sorted(rows)).toEqual(sorted(await fileRows()));
    expect(statuses.map((s) => `${s.scope} ${s.status} ${s.rows}`).sort()).toEqual(
      CLUSTERS.map((c) => `cluster:${c} ok ${rows.filter((r) => r.cluster === c).length}`),
    );
    // Paged: continue tokens were followed, two objects a page.
    const pods = server!.calls.filter((c) => c.cluster === 'aks-shared-westus' && c.kind === 'Pod');
    expect(pods.length).toBeGreaterThan(2);
    expect(pods.every((c) => c.limit === 2)).toBe(true);
    expect(pods.filter((c) => c.continue === null)).toHaveLength(1);
    // Completeness is shown, not asserted: paged lists matched the server's own count.
    expect(statuses.find((s) => s.scope === 'cluster:aks-shared-westus')!.reconciliation).toMatch(
      /^lists matched the API server's remainingItemCount for .*Pod/,
    );
  });

  it('a list whose pages add up to less than the server counted leaves its cluster partial', async () => {
    const source = await live({ shortPage: (c) => c.cluster === 'aks-shared-westus' && c.kind === 'Pod' && c.n === 2 });
    const { statuses } = await collect(source);
    const shared = statuses.find((s) => s.scope === 'cluster:aks-shared-westus')!;
    expect(shared.status).toBe('partial');
    expect(shared.error).toMatch(/^Pod: listed \d+ objects, the API server counted \d+/);
    expect(statuses.filter((s) => s.scope !== 'cluster:aks-shared-westus').every((s) => s.status === 'ok')).toBe(true);
  });

  it('asks for Secrets and ConfigMaps as a metadata table, and only for them', async () => {
    const { rows } = await collect(await live());
    const tables = new Set(server!.calls.filter((c) => c.accept.includes('as=Table')).map((c) => c.kind));
    expect([...tables].sort()).toEqual(['ConfigMap', 'Secret']);
    const secret = rows.find(
      (r) => r.kind === 'Secret' && r.name === 'payments-db-credentials' && r.cluster === 'aks-bank-alpha-prod',
    );
    expect(secret).toMatchObject({ spec: { type: 'Opaque' }, status: null, labels: { 'encryption.enabled': 'true' } });
    expect(JSON.stringify(rows)).not.toContain(PLANTED);
  });

  it('refuses a server that answers the metadata request with the objects themselves', async () => {
    const { rows, statuses } = await collect(await live({ ignoreTableAccept: true }));
    expect(JSON.stringify(rows)).not.toContain(PLANTED);
    expect(rows.filter((r) => r.kind === 'Secret' || r.kind === 'ConfigMap')).toEqual([]);
    for (const s of statuses) {
      expect(s.status).toBe('partial');
      expect(s.error).toContain('Secret: the server ignored the metadata-only request (answered SecretList); nothing kept');
      expect(s.error).not.toContain(PLANTED);
    }
  });

  it('restarts a list whose continue token expired (410 Gone) and still delivers every object once', async () => {
    let expired = false;
    const source = await live({
      fault: (c) => {
        if (c.cluster === 'aks-shared-westus' && c.kind === 'Pod' && c.continue && !expired) {
          expired = true;
          return { status: 410, reason: 'Expired' };
        }
        return undefined;
      },
    });
    const { rows, statuses } = await collect(source);
    expect(sorted(rows)).toEqual(sorted(await fileRows()));
    expect(statuses.every((s) => s.status === 'ok')).toBe(true);
    const pods = server!.calls.filter((c) => c.cluster === 'aks-shared-westus' && c.kind === 'Pod');
    expect(pods.filter((c) => c.continue === null)).toHaveLength(2);
  });

  it('retries 500s and completes when the server recovers', async () => {
    const source = await live({
      fault: (c) => (c.kind === 'Deployment' && c.n <= 2 ? { status: 500, reason: 'InternalError' } : undefined),
    });
    const { rows, statuses } = await collect(source);
    expect(sorted(rows)).toEqual(sorted(await fileRows()));
    expect(statuses.every((s) => s.status === 'ok')).toBe(true);
  });

  it('a page that keeps failing leaves its cluster partial, naming the kind and what was not listed', async () => {
    const source = await live({
      fault: (c) =>
        c.cluster === 'aks-bank-alpha-prod' && c.kind === 'Pod' && c.continue
          ? { status: 503, reason: 'ServiceUnavailable' }
          : undefined,
    });
    const { statuses } = await collect(source);
    const prod = statuses.find((s) => s.scope === 'cluster:aks-bank-alpha-prod')!;
    expect(prod.status).toBe('partial');
    expect(prod.error).toBe(
      'Pod: HTTP 503 ServiceUnavailable after 4 attempts after 2 objects; not listed: Deployment, StatefulSet, DaemonSet, Job, CronJob, NetworkPolicy, ResourceQuota, LimitRange, ServiceAccount, Role, RoleBinding, ClusterRole, ClusterRoleBinding, Secret, ConfigMap',
    );
    expect(
      statuses
        .filter((s) => s.status === 'ok')
        .map((s) => s.scope)
        .sort(),
    ).toEqual(['cluster:aks-bank-alpha-dev', 'cluster:aks-shared-westus']);
  });

  it('a request that never answers times out and leaves its cluster partial', async () => {
    const source = await live(
      { fault: (c) => (c.cluster === 'aks-bank-alpha-dev' && c.kind === 'Deployment' ? 'hang' : undefined) },
      { request_timeout_seconds: 0.3 },
    );
    const started = Date.now();
    const { statuses } = await collect(source);
    expect(Date.now() - started).toBeLessThan(30_000);
    const dev = statuses.find((s) => s.scope === 'cluster:aks-bank-alpha-dev')!;
    expect(dev.status).toBe('partial');
    expect(dev.error).toMatch(/^Deployment: request timed out after 4 attempts; not listed: StatefulSet, /);
  });

  it('the cluster deadline stops a cluster that keeps hanging', async () => {
    const source = await live(
      { fault: (c) => (c.cluster === 'aks-bank-alpha-dev' && c.kind === 'Pod' ? 'hang' : undefined) },
      { request_timeout_seconds: 30, cluster_deadline_seconds: 0.5 },
    );
    const { statuses } = await collect(source);
    const dev = statuses.find((s) => s.scope === 'cluster:aks-bank-alpha-dev')!;
    expect(dev.status).toBe('partial');
    expect(dev.error).toMatch(/^Pod: cluster deadline reached \(0.5 s\); not listed: Deployment, /);
  });

  it('a 403 on one kind skips it and lists the rest', async () => {
    const source = await live({
      fault: (c) => (c.kind === 'Secret' && c.cluster === 'aks-shared-westus' ? { status: 403, reason: 'Forbidden' } : undefined),
    });
    const { rows, statuses } = await collect(source);
    const shared = statuses.find((s) => s.scope === 'cluster:aks-shared-westus')!;
    expect(shared).toMatchObject({ status: 'partial', error: 'Secret: HTTP 403 Forbidden' });
    expect(rows.some((r) => r.cluster === 'aks-shared-westus' && r.kind === 'ConfigMap')).toBe(true);
  });

  it('a token the server refuses (401) and an unreachable server fail their clusters', async () => {
    const source = await live(
      {},
      { contexts: ['aks-bank-alpha-dev', 'aks-gone'] },
      {
        extra: [{ name: 'aks-gone', server: 'https://127.0.0.1:1' }],
      },
    );
    const { rows, statuses } = await collect(source);
    expect(rows.every((r) => r.cluster === 'aks-bank-alpha-dev')).toBe(true);
    expect(statuses.find((s) => s.scope === 'cluster:aks-gone')).toMatchObject({
      status: 'failed',
      rows: 0,
      error: expect.stringMatching(/^Namespace: connection failed \(ECONNREFUSED\) after 4 attempts; not listed: Node, /),
    });

    const refused = await live({}, {}, { token: 'wrong-token' });
    const r = await collect(refused);
    expect(r.rows).toEqual([]);
    for (const s of r.statuses)
      expect(s).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/^Namespace: HTTP 401 Unauthorized; not listed: /),
      });
    expect(JSON.stringify(r.statuses)).not.toContain('wrong-token');
  });

  it('names its clusters as the config says, and refuses a context the kubeconfig lacks before any request', async () => {
    const named = await live({}, { contexts: ['aks-bank-alpha-dev'], cluster_names: { 'aks-bank-alpha-dev': 'aks-dev' } });
    const { rows } = await collect(named);
    expect(new Set(rows.map((r) => r.cluster))).toEqual(new Set(['aks-dev']));
    const calls = server!.calls.length;
    await expect(live({}, { contexts: ['aks-nowhere'] })).rejects.toThrow(
      /^sources.kubernetes: no context aks-nowhere in .*kubeconfig$/,
    );
    expect(server!.calls.length).toBe(0);
    expect(calls).toBeGreaterThan(0);
  });
});
