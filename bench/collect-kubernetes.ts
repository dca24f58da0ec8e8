// The Kubernetes half of bench:collect: N pods over M clusters (with their namespaces, deployments, service
// accounts, secrets and config maps) on the local HTTPS API server, collected by the real live source (real
// client-node, kubeconfig with the server's CA) in a child process that appends every row to a DuckDB store as
// `compline run` does; prints wall time and the child's peak RSS.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { KubernetesLiveSource } from '../src/collectors/kubernetes/live-source.js';
import { Store } from '../src/store.js';
import { makeTestTls, removeTestTls, TLS_DIR_ENV } from '../test/support/azure-tls.js';
import { objectsByKind, startKubeServer } from '../test/support/kube-server.js';
import type { BenchFlags } from './collect.js';

const GOAL_SECONDS = 60;
const GOAL_RSS_MB = 1024;
const NAMESPACES_PER_CLUSTER = 25;

type Obj = Record<string, unknown>;

/** A recorded-shape pod to copy: the demo's payments-api pod (ownerReferences, probes, securityContext, status). */
function templates(): Record<string, Obj> {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const dir = join(root, 'demo/estate/kubernetes/aks-bank-alpha-prod');
  const byKind = objectsByKind([
    parse(readFileSync(join(dir, 'workloads.yaml'), 'utf8')),
    parse(readFileSync(join(dir, 'namespaces.yaml'), 'utf8')),
    parse(readFileSync(join(dir, 'service-accounts.yaml'), 'utf8')),
    parse(readFileSync(join(dir, 'config.yaml'), 'utf8')),
  ]);
  return {
    Pod: byKind.Pod![0]!,
    Deployment: byKind.Deployment![0]!,
    Namespace: byKind.Namespace![0]!,
    ServiceAccount: byKind.ServiceAccount![0]!,
    Secret: byKind.Secret![0]!,
    ConfigMap: byKind.ConfigMap![0]!,
  };
}

function copy(template: Obj, name: string, namespace: string | null, i: number): Obj {
  const o = structuredClone(template);
  const meta = (o.metadata ?? {}) as Obj;
  o.metadata = {
    ...meta,
    name,
    ...(namespace ? { namespace } : {}),
    uid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    labels: { ...((meta.labels as Obj | undefined) ?? {}), customer: `tenant_${i % 40}` },
  };
  return o;
}

/** `pods` pods spread evenly over `clusters` clusters, each with its namespaces and their other objects. */
export function benchClusters(pods: number, clusters: number): Record<string, Record<string, Obj[]>> {
  const t = templates();
  const out: Record<string, Record<string, Obj[]>> = {};
  let uid = 0;
  for (let c = 0; c < clusters; c++) {
    const kinds: Record<string, Obj[]> = {
      Namespace: [],
      Pod: [],
      Deployment: [],
      ServiceAccount: [],
      Secret: [],
      ConfigMap: [],
    };
    const namespaces = Array.from({ length: NAMESPACES_PER_CLUSTER }, (_, n) => `gc-tenant-${n}-prod`);
    for (const [n, ns] of namespaces.entries()) {
      kinds.Namespace!.push(copy(t.Namespace!, ns, null, uid++));
      kinds.Deployment!.push(copy(t.Deployment!, `app-${n}`, ns, uid++));
      kinds.ServiceAccount!.push(copy(t.ServiceAccount!, `app-${n}`, ns, uid++));
      kinds.Secret!.push({ ...copy(t.Secret!, `app-${n}-db`, ns, uid++), data: { password: 'YmVuY2g=' } });
      kinds.ConfigMap!.push({ ...copy(t.ConfigMap!, `app-${n}-config`, ns, uid++), data: { key: 'value' } });
    }
    const share = Math.floor(pods / clusters) + (c < pods % clusters ? 1 : 0);
    for (let p = 0; p < share; p++)
      kinds.Pod!.push(copy(t.Pod!, `app-${p % NAMESPACES_PER_CLUSTER}-${p}`, namespaces[p % namespaces.length]!, uid++));
    out[`aks-bench-${c}`] = kinds;
  }
  return out;
}

interface ChildParams {
  kubeconfig: string;
  concurrency: number;
}

interface ChildResult {
  rows: number;
  ms: number;
  peakRssMb: number;
  incomplete: string[];
}

/** The collecting side: the live source as `compline run` builds it, every batch appended to a DuckDB store. */
export async function kubernetesChild(input: unknown): Promise<void> {
  const params = input as ChildParams;
  const dir = mkdtempSync(join(tmpdir(), 'compline-bench-k8s-store-'));
  const store = await Store.open(join(dir, 'bench.duckdb'));
  try {
    const source = new KubernetesLiveSource(
      {
        mode: 'live',
        kubeconfig: params.kubeconfig,
        contexts: [],
        cluster_names: {},
        page_size: 500,
        request_timeout_seconds: 30,
        cluster_deadline_seconds: 600,
        concurrency: params.concurrency,
      },
      '/',
    );
    await source.prepare();
    await store.beginRun({ runId: 'bench', mode: 'nightly', toolVersion: 'bench', configSha256: null });
    const started = performance.now();
    let rows = 0;
    const incomplete: string[] = [];
    for await (const event of source.collect()) {
      if (event.kind === 'rows' && event.table === 'k8s_objects') {
        await store.appendK8sObjects('bench', event.rows);
        rows += event.rows.length;
      } else if (event.kind === 'status' && event.status.status !== 'ok')
        incomplete.push(`${event.status.scope} ${event.status.status}: ${event.status.error}`);
    }
    const ms = performance.now() - started;
    const result: ChildResult = { rows, ms, peakRssMb: process.resourceUsage().maxRSS / 1024, incomplete };
    process.send!(result);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function kubernetesSection(flags: BenchFlags): Promise<boolean> {
  const clusters = benchClusters(flags.pods, flags.clusters);
  const tls = makeTestTls();
  process.env[TLS_DIR_ENV] = tls;
  const server = await startKubeServer({ clusters });
  const dir = mkdtempSync(join(tmpdir(), 'compline-bench-k8s-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
    const child = fork(fileURLToPath(new URL('./collect.js', import.meta.url)), [
      '--child',
      'kubernetes',
      JSON.stringify({ kubeconfig, concurrency: flags.concurrency } satisfies ChildParams),
    ]);
    const result = await new Promise<ChildResult>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ChildResult));
      child.once('exit', (code) => reject(new Error(`the collecting process exited ${code} without a result`)));
    });
    const objects = Object.values(clusters).reduce((n, kinds) => n + Object.values(kinds).reduce((m, l) => m + l.length, 0), 0);
    console.log(
      `\nkubernetes · ${flags.pods} pods over ${flags.clusters} clusters (${objects} objects, 18 kinds listed per cluster) · page size 500 · ${flags.concurrency} clusters at once`,
    );
    console.log(`rows ${result.rows} · requests ${server.calls.length} · incomplete clusters ${result.incomplete.length}`);
    console.log(
      `wall ${(result.ms / 1000).toFixed(1)} s · ${(result.rows / (result.ms / 1000)).toFixed(0)} rows/s · peak RSS of the collecting process ${result.peakRssMb.toFixed(0)} MB`,
    );
    for (const line of result.incomplete.slice(0, 5)) console.log(`incomplete: ${line}`);
    const met =
      result.ms / 1000 < GOAL_SECONDS &&
      result.peakRssMb < GOAL_RSS_MB &&
      result.incomplete.length === 0 &&
      result.rows === objects;
    console.log(`goal < ${GOAL_SECONDS} s, < ${GOAL_RSS_MB} MB, every object, every cluster ok: ${met ? 'met' : 'not met'}`);
    return met;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    removeTestTls(tls);
  }
}
