// A local HTTPS server that speaks enough of the Kubernetes API for the real @kubernetes/client-node: the list
// endpoints of the collected kinds for several clusters (each under its own path, /c/<cluster>), bearer tokens,
// `limit` / `continue` paging, kubectl's metadata Table for Secrets and ConfigMaps, and faults on demand (410 Gone,
// 5xx, 401, a request that never answers). Its certificate is the tests' CA, which the kubeconfig carries.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { testTlsDir } from './azure-tls.js';

type Obj = Record<string, unknown>;

/** List path (after /c/<cluster>) → kind and the apiVersion its objects carry. */
const LIST_PATHS: Record<string, { kind: string; apiVersion: string }> = {
  '/api/v1/namespaces': { kind: 'Namespace', apiVersion: 'v1' },
  '/api/v1/nodes': { kind: 'Node', apiVersion: 'v1' },
  '/api/v1/pods': { kind: 'Pod', apiVersion: 'v1' },
  '/api/v1/resourcequotas': { kind: 'ResourceQuota', apiVersion: 'v1' },
  '/api/v1/limitranges': { kind: 'LimitRange', apiVersion: 'v1' },
  '/api/v1/serviceaccounts': { kind: 'ServiceAccount', apiVersion: 'v1' },
  '/api/v1/secrets': { kind: 'Secret', apiVersion: 'v1' },
  '/api/v1/configmaps': { kind: 'ConfigMap', apiVersion: 'v1' },
  '/apis/apps/v1/deployments': { kind: 'Deployment', apiVersion: 'apps/v1' },
  '/apis/apps/v1/statefulsets': { kind: 'StatefulSet', apiVersion: 'apps/v1' },
  '/apis/apps/v1/daemonsets': { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  '/apis/batch/v1/jobs': { kind: 'Job', apiVersion: 'batch/v1' },
  '/apis/batch/v1/cronjobs': { kind: 'CronJob', apiVersion: 'batch/v1' },
  '/apis/networking.k8s.io/v1/networkpolicies': { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  '/apis/rbac.authorization.k8s.io/v1/roles': { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1' },
  '/apis/rbac.authorization.k8s.io/v1/rolebindings': { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' },
  '/apis/rbac.authorization.k8s.io/v1/clusterroles': { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1' },
  '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings': {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
  },
};

export interface KubeCall {
  cluster: string;
  kind: string;
  limit: number | null;
  continue: string | null;
  /** The Accept header: kubectl's Table for metadata-only lists. */
  accept: string;
  /** 1 for the first request of this cluster and kind, 2 for the next, ... */
  n: number;
}

/** A fault instead of the page: an HTTP status with a Status body, or no answer at all. */
export type KubeFault = { status: number; reason: string; retryAfter?: number } | 'hang';

export interface KubeServerOptions {
  /** Objects per cluster, by kind, as the API server holds them (Secrets with their data). */
  clusters: Record<string, Record<string, Obj[]>>;
  /** Token every request must carry; default `test-token`. */
  token?: string;
  /** A fault for this request, or undefined to answer it. */
  fault?: (call: KubeCall) => KubeFault | undefined;
  /** Answer metadata-only (Table) requests with the full objects, as a broken proxy might. */
  ignoreTableAccept?: boolean;
  /** Leave this request's page one object short without a word, as a faulty proxy might; the counts still say all. */
  shortPage?: (call: KubeCall) => boolean;
}

export interface KubeServer {
  url: string;
  calls: KubeCall[];
  /** A kubeconfig with one context per cluster (named as the cluster), the tests' CA and the token. */
  kubeconfig(opts?: { token?: string; clusters?: string[]; extra?: { name: string; server: string }[] }): string;
  close(): Promise<void>;
}

const CONTINUE_GENERATION = 'g1';

function status(res: ServerResponse, code: number, reason: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: reason, reason, code }));
}

/** kubectl's table of a list: columns and, per row, the object's metadata only (includeObject=Metadata). */
function table(kind: string, items: Obj[], meta: Obj): Obj {
  const columns = [{ name: 'Name', type: 'string', format: 'name' }];
  if (kind === 'Secret') columns.push({ name: 'Type', type: 'string', format: '' });
  columns.push({ name: 'Data', type: 'string', format: '' }, { name: 'Age', type: 'string', format: '' });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: columns,
    rows: items.map((o) => {
      const m = (o.metadata ?? {}) as Obj;
      const data = Object.keys((o.data ?? {}) as Obj).length + Object.keys((o.binaryData ?? {}) as Obj).length;
      return {
        cells: [m.name, ...(kind === 'Secret' ? [o.type ?? 'Opaque'] : []), data, '30d'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: m },
      };
    }),
  };
}

export async function startKubeServer(opts: KubeServerOptions): Promise<KubeServer> {
  const dir = testTlsDir();
  const token = opts.token ?? 'test-token';
  const calls: KubeCall[] = [];
  const counts = new Map<string, number>();
  const hung: ServerResponse[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const m = /^\/c\/([^/]+)(\/.*)$/.exec(url.pathname);
    const cluster = m ? decodeURIComponent(m[1]!) : '';
    const objects = opts.clusters[cluster];
    const list = m ? LIST_PATHS[m[2]!] : undefined;
    if (!objects || !list) return status(res, 404, 'NotFound');
    if (req.headers.authorization !== `Bearer ${token}`) return status(res, 401, 'Unauthorized');
    const key = `${cluster}/${list.kind}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    const limitParam = url.searchParams.get('limit');
    const call: KubeCall = {
      cluster,
      kind: list.kind,
      limit: limitParam ? Number(limitParam) : null,
      continue: url.searchParams.get('continue'),
      accept: String(req.headers.accept ?? ''),
      n,
    };
    calls.push(call);
    const fault = opts.fault?.(call);
    if (fault === 'hang') {
      hung.push(res);
      return;
    }
    if (fault)
      return status(res, fault.status, fault.reason, fault.retryAfter ? { 'retry-after': String(fault.retryAfter) } : {});
    const items = objects[list.kind] ?? [];
    let offset = 0;
    if (call.continue) {
      const [generation, at] = Buffer.from(call.continue, 'base64url').toString().split(':');
      if (generation !== CONTINUE_GENERATION) return status(res, 410, 'Expired');
      offset = Number(at);
    }
    const end = call.limit ? Math.min(items.length, offset + call.limit) : items.length;
    // As the API server lists them: items carry no kind or apiVersion of their own.
    const page = items.slice(offset, opts.shortPage?.(call) ? end - 1 : end);
    const meta: Obj = { resourceVersion: '48300000' };
    if (end < items.length) {
      meta.continue = Buffer.from(`${CONTINUE_GENERATION}:${end}`).toString('base64url');
      meta.remainingItemCount = items.length - end;
    }
    const body =
      call.accept.includes('as=Table') && !opts.ignoreTableAccept
        ? table(list.kind, page, meta)
        : { kind: `${list.kind}List`, apiVersion: list.apiVersion, metadata: meta, items: page };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer(
    { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
    handle,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ca = readFileSync(join(dir, 'ca.pem')).toString('base64');

  return {
    url,
    calls,
    kubeconfig(k = {}) {
      const names = k.clusters ?? Object.keys(opts.clusters);
      const servers = [...names.map((name) => ({ name, server: `${url}/c/${encodeURIComponent(name)}` })), ...(k.extra ?? [])];
      return stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: servers.map((s) => ({ name: s.name, cluster: { server: s.server, 'certificate-authority-data': ca } })),
        users: [{ name: 'auditor', user: { token: k.token ?? token } }],
        contexts: servers.map((s) => ({ name: s.name, context: { cluster: s.name, user: 'auditor' } })),
        'current-context': servers[0]?.name ?? '',
      });
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Objects of `kubectl get -A -o yaml` List files, by kind, as a server holds them. */
export function objectsByKind(docs: unknown[]): Record<string, Obj[]> {
  const out: Record<string, Obj[]> = {};
  for (const doc of docs) {
    const items = Array.isArray((doc as Obj)?.items) ? ((doc as Obj).items as Obj[]) : [doc as Obj];
    for (const o of items) {
      const { kind, apiVersion: _, ...rest } = o;
      const list = out[String(kind)] ?? [];
      list.push(rest);
      out[String(kind)] = list;
    }
  }
  return out;
}
