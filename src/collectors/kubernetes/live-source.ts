// Kubernetes objects, live, through @kubernetes/client-node: each cluster's kinds listed in pages (`limit` /
// `continue`), a `410 Gone` on an expired continue token restarting that list. Secrets and ConfigMaps are asked for
// as a Table of metadata, so no value of theirs ever leaves the API server. Every cluster gets a status: a kind that
// could not be listed leaves it partial (failed when nothing came), with the reason.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  Observable,
  RbacAuthorizationV1Api,
  type RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import pLimit from 'p-limit';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import type { K8sObjectRow } from '../../model.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { eventStream } from '../event-stream.js';
import { objectRow } from './object-row.js';

export type KubernetesLiveConfig = Extract<NonNullable<Config['sources']['kubernetes']>, { mode: 'live' }>;

const SOURCE = 'kubernetes';

/** kubectl's own request for metadata only: the server answers with names, labels and printed columns, never values. */
const METADATA_TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  net: NetworkingV1Api;
  rbac: RbacAuthorizationV1Api;
}
type PageRequest = { limit: number; _continue?: string };
type Options = Parameters<CoreV1Api['listNamespace']>[1];

interface KindList {
  kind: string;
  list: (apis: Apis, page: PageRequest, options: Options) => Promise<unknown>;
  /** Listed as a metadata Table: the object's values never reach this process. */
  metadataOnly?: boolean;
}

/** Namespaces first: a namespace's labels decide who owns everything in it. */
const KIND_LISTS: readonly KindList[] = [
  { kind: 'Namespace', list: (a, p, o) => a.core.listNamespace(p, o) },
  { kind: 'Node', list: (a, p, o) => a.core.listNode(p, o) },
  { kind: 'Pod', list: (a, p, o) => a.core.listPodForAllNamespaces(p, o) },
  { kind: 'Deployment', list: (a, p, o) => a.apps.listDeploymentForAllNamespaces(p, o) },
  { kind: 'StatefulSet', list: (a, p, o) => a.apps.listStatefulSetForAllNamespaces(p, o) },
  { kind: 'DaemonSet', list: (a, p, o) => a.apps.listDaemonSetForAllNamespaces(p, o) },
  { kind: 'Job', list: (a, p, o) => a.batch.listJobForAllNamespaces(p, o) },
  { kind: 'CronJob', list: (a, p, o) => a.batch.listCronJobForAllNamespaces(p, o) },
  { kind: 'NetworkPolicy', list: (a, p, o) => a.net.listNetworkPolicyForAllNamespaces(p, o) },
  { kind: 'ResourceQuota', list: (a, p, o) => a.core.listResourceQuotaForAllNamespaces(p, o) },
  { kind: 'LimitRange', list: (a, p, o) => a.core.listLimitRangeForAllNamespaces(p, o) },
  { kind: 'ServiceAccount', list: (a, p, o) => a.core.listServiceAccountForAllNamespaces(p, o) },
  { kind: 'Role', list: (a, p, o) => a.rbac.listRoleForAllNamespaces(p, o) },
  { kind: 'RoleBinding', list: (a, p, o) => a.rbac.listRoleBindingForAllNamespaces(p, o) },
  { kind: 'ClusterRole', list: (a, p, o) => a.rbac.listClusterRole(p, o) },
  { kind: 'ClusterRoleBinding', list: (a, p, o) => a.rbac.listClusterRoleBinding(p, o) },
  { kind: 'Secret', list: (a, p, o) => a.core.listSecretForAllNamespaces(p, o), metadataOnly: true },
  { kind: 'ConfigMap', list: (a, p, o) => a.core.listConfigMapForAllNamespaces(p, o), metadataOnly: true },
];

/** Restarts of one list after `410 Gone` before the cluster is reported partial. */
const MAX_RESTARTS = 3;
/** Attempts of one page that fails with 429, 5xx, a timeout or a broken connection. */
const MAX_ATTEMPTS = 4;

export interface KubernetesCluster {
  /** The name recorded in k8s_objects and source_status. */
  name: string;
  config: KubeConfig;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why a request failed, in words that quote nothing the server or the kubeconfig holds beyond a status reason. */
class RequestFailure extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

function failureOf(e: unknown, body: string | null, timedOut: boolean): RequestFailure {
  if (e instanceof RequestFailure) return e;
  if (e instanceof ApiException) {
    let reason = '';
    try {
      const status = body ? (JSON.parse(body) as Obj) : null;
      if (isObj(status) && typeof status.reason === 'string' && /^[A-Za-z]+$/.test(status.reason)) reason = ` ${status.reason}`;
    } catch {
      // A body that is not a Status says nothing more than the code.
    }
    const after = Number(e.headers?.['retry-after']);
    return new RequestFailure(`HTTP ${e.code}${reason}`, e.code, Number.isFinite(after) ? after : null);
  }
  if (timedOut) return new RequestFailure('request timed out', null);
  const code = (e as { code?: unknown }).code;
  const errno = (e as { errno?: unknown }).errno;
  const name = typeof code === 'string' ? code : typeof errno === 'string' ? errno : (e as Error).name;
  return new RequestFailure(`connection failed (${name || 'error'})`, null);
}

const transient = (f: RequestFailure) => f.status === null || f.status === 429 || f.status >= 500;

/** Rows of one list page: the items of an object list, or the rows of a metadata Table (Secret keeps its type). */
function pageRows(cluster: string, kind: string, page: Obj, metadataOnly: boolean): Omit<K8sObjectRow, 'tenant_id'>[] {
  if (metadataOnly) {
    const columns = Array.isArray(page.columnDefinitions) ? page.columnDefinitions : [];
    const typeAt = columns.findIndex((c) => isObj(c) && c.name === 'Type');
    return (Array.isArray(page.rows) ? page.rows : []).flatMap((r) => {
      if (!isObj(r) || !isObj(r.object)) return [];
      const type = kind === 'Secret' && typeAt >= 0 && Array.isArray(r.cells) ? r.cells[typeAt] : undefined;
      const row = objectRow(cluster, kind, { metadata: r.object.metadata, ...(typeof type === 'string' ? { type } : {}) });
      return row ? [row] : [];
    });
  }
  return (Array.isArray(page.items) ? page.items : []).flatMap((o) => {
    const row = isObj(o) ? objectRow(cluster, kind, o) : null;
    return row ? [row] : [];
  });
}

export interface ListSettings {
  pageSize: number;
  requestTimeoutMs: number;
  /** Waits between attempts of a failing page, before any Retry-After. */
  backoffMs: number;
}

/**
 * One page, with its retries. The client-node request carries our timeout and, for metadata-only kinds, kubectl's
 * Table Accept header; the page is taken as the server sent it (the generated models drop fields they do not know
 * and rename a few), and the client is handed an empty list to deserialise instead.
 */
async function fetchPage(
  apis: Apis,
  spec: KindList,
  request: PageRequest,
  settings: ListSettings,
  signal: AbortSignal,
): Promise<{ page: Obj } | { gone: true }> {
  for (let attempt = 1; ; attempt++) {
    let body: string | null = null;
    const timeout = AbortSignal.timeout(settings.requestTimeoutMs);
    const options: Options = {
      middlewareMergeStrategy: 'append',
      middleware: [
        {
          pre: (ctx: RequestContext) => {
            ctx.setSignal(AbortSignal.any([signal, timeout]));
            if (spec.metadataOnly) ctx.setHeaderParam('Accept', METADATA_TABLE);
            return new Observable(Promise.resolve(ctx));
          },
          post: (rc: ResponseContext) =>
            new Observable(
              rc.body.text().then((text) => {
                body = text;
                const ok = rc.httpStatusCode >= 200 && rc.httpStatusCode < 300;
                const handed = ok ? '{"items":[]}' : text;
                return new ResponseContext(rc.httpStatusCode, rc.headers, {
                  text: async () => handed,
                  binary: async () => Buffer.from(handed),
                });
              }),
            ),
        },
      ],
    };
    let failure: RequestFailure;
    try {
      await spec.list(apis, request, options);
      const page = body === null ? null : (JSON.parse(body) as unknown);
      if (!isObj(page)) throw new RequestFailure('the answer is not a JSON object', null);
      if (spec.metadataOnly && page.kind !== 'Table')
        throw new RequestFailure(`the server ignored the metadata-only request (answered ${String(page.kind)}); nothing kept`, 0);
      return { page };
    } catch (e) {
      if (signal.aborted) throw new RequestFailure(String((signal.reason as Error)?.message ?? 'stopped'), null);
      failure = failureOf(e, body, timeout.aborted);
    }
    if (failure.status === 410) return { gone: true };
    if (!transient(failure) || attempt >= MAX_ATTEMPTS) {
      throw new RequestFailure(attempt > 1 ? `${failure.message} after ${attempt} attempts` : failure.message, failure.status);
    }
    const wait = Math.max(settings.backoffMs * 2 ** (attempt - 1), (failure.retryAfterSeconds ?? 0) * 1000);
    await new Promise<void>((done) => {
      const timer = setTimeout(done, wait);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          done();
        },
        { once: true },
      );
    });
  }
}

/** Every object of one kind, or the rows listed before the list failed and why. */
async function listKind(
  cluster: string,
  apis: Apis,
  spec: KindList,
  settings: ListSettings,
  signal: AbortSignal,
): Promise<{ rows: Omit<K8sObjectRow, 'tenant_id'>[]; failure: RequestFailure | null; counted?: boolean }> {
  let rows: Omit<K8sObjectRow, 'tenant_id'>[] = [];
  for (let restarts = 0; ; restarts++) {
    rows = [];
    let token: string | undefined;
    // A paged list's first page says how many items follow (`remainingItemCount`); all pages must add up to it.
    let expected: number | undefined;
    let listed = 0;
    try {
      let gone = false;
      do {
        const answer = await fetchPage(
          apis,
          spec,
          { limit: settings.pageSize, ...(token ? { _continue: token } : {}) },
          settings,
          signal,
        );
        if ('gone' in answer) {
          gone = true;
          break;
        }
        const pageRowsFound = pageRows(cluster, spec.kind, answer.page, spec.metadataOnly === true);
        rows.push(...pageRowsFound);
        const meta = isObj(answer.page.metadata) ? answer.page.metadata : {};
        if (!token && Number.isSafeInteger(meta.remainingItemCount))
          expected = pageRowsFound.length + (meta.remainingItemCount as number);
        listed += pageRowsFound.length;
        token = typeof meta.continue === 'string' && meta.continue ? meta.continue : undefined;
      } while (token);
      if (!gone && expected !== undefined && listed !== expected)
        return { rows, failure: new RequestFailure(`listed ${listed} objects, the API server counted ${expected}`, null) };
      if (!gone) return { rows, failure: null, counted: expected !== undefined };
      // The continue token expired: the rest would come from another snapshot. The list starts over, whole.
      if (restarts + 1 > MAX_RESTARTS)
        return { rows: [], failure: new RequestFailure(`continue token expired (410 Gone) ${MAX_RESTARTS + 1} times`, 410) };
    } catch (e) {
      return { rows, failure: e as RequestFailure };
    }
  }
}

export interface ClusterSettings extends ListSettings {
  clusterDeadlineMs: number;
}

const apisOf = (cluster: KubernetesCluster): Apis => ({
  core: cluster.config.makeApiClient(CoreV1Api),
  apps: cluster.config.makeApiClient(AppsV1Api),
  batch: cluster.config.makeApiClient(BatchV1Api),
  net: cluster.config.makeApiClient(NetworkingV1Api),
  rbac: cluster.config.makeApiClient(RbacAuthorizationV1Api),
});

/** Lists every kind of one cluster in turn and reports its status. */
export async function collectCluster(
  cluster: KubernetesCluster,
  settings: ClusterSettings,
  emit: (event: CollectorEvent) => void,
  runSignal?: AbortSignal,
): Promise<void> {
  const deadline = AbortSignal.timeout(settings.clusterDeadlineMs);
  const signal = runSignal ? AbortSignal.any([runSignal, deadline]) : deadline;
  const apis = apisOf(cluster);
  const problems: string[] = [];
  const counted: string[] = [];
  let count = 0;
  for (const [i, spec] of KIND_LISTS.entries()) {
    if (signal.aborted) {
      const why = deadline.aborted
        ? `cluster deadline reached (${settings.clusterDeadlineMs / 1000} s)`
        : String((runSignal?.reason as Error)?.message ?? 'stopped');
      problems.push(
        `${why}; not listed: ${KIND_LISTS.slice(i)
          .map((k) => k.kind)
          .join(', ')}`,
      );
      break;
    }
    const { rows, failure, counted: wasCounted } = await listKind(cluster.name, apis, spec, settings, signal);
    if (rows.length) {
      emit({ kind: 'rows', table: 'k8s_objects', rows: rows.map((r) => ({ ...r, tenant_id: null })) });
      count += rows.length;
    }
    if (wasCounted) counted.push(spec.kind);
    if (!failure) continue;
    const why = deadline.aborted ? `cluster deadline reached (${settings.clusterDeadlineMs / 1000} s)` : failure.message;
    problems.push(`${spec.kind}: ${why}${rows.length ? ` after ${rows.length} objects` : ''}`);
    // A kind the identity may not list (403) says nothing of the others; any other failure is the cluster's.
    if (failure.status === 403 && !signal.aborted) continue;
    const rest = KIND_LISTS.slice(i + 1).map((k) => k.kind);
    if (rest.length) problems.push(`not listed: ${rest.join(', ')}`);
    break;
  }
  const status = problems.length === 0 ? 'ok' : count > 0 ? 'partial' : 'failed';
  emit({
    kind: 'status',
    status: {
      source: SOURCE,
      scope: `cluster:${cluster.name}`,
      status,
      error: problems.length ? problems.join('; ') : null,
      rows: count,
      reconciliation: `lists matched the API server's remainingItemCount for ${counted.length ? counted.join(', ') : 'no kind'}; the other kinds came whole in one page`,
    },
  });
}

/** The kubeconfig the config names, else $KUBECONFIG's first file, else ~/.kube/config. */
function kubeconfigPath(cfg: KubernetesLiveConfig, baseDir: string): string {
  if (cfg.kubeconfig) return resolve(baseDir, cfg.kubeconfig);
  const env = process.env.KUBECONFIG?.split(':').find((p) => p);
  return env ?? resolve(homedir(), '.kube/config');
}

/** The clusters to collect; a kubeconfig or context that is not there is a usage error, before any collection. */
export function resolveClusters(cfg: KubernetesLiveConfig, baseDir: string): KubernetesCluster[] {
  if (cfg.in_cluster) {
    const config = new KubeConfig();
    // Without these the loader would quietly aim at https://undefined.
    if (!process.env.KUBERNETES_SERVICE_HOST || !existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token'))
      throw new UsageError(
        'sources.kubernetes.in_cluster: not running in a pod (no KUBERNETES_SERVICE_HOST or service account token)',
      );
    try {
      config.loadFromCluster();
    } catch (e) {
      throw new UsageError(`sources.kubernetes.in_cluster: no in-cluster configuration (${(e as Error).message.split('\n')[0]})`);
    }
    return [{ name: cfg.in_cluster.cluster, config }];
  }
  const path = kubeconfigPath(cfg, baseDir);
  if (!existsSync(path)) throw new UsageError(`sources.kubernetes: no kubeconfig at ${path}`);
  const probe = new KubeConfig();
  try {
    probe.loadFromFile(path);
  } catch (e) {
    // The loader's message can quote the file, which holds credentials: only its kind is said.
    throw new UsageError(`sources.kubernetes: ${path} is not a readable kubeconfig (${(e as Error).name})`);
  }
  const known = probe.getContexts().map((c) => c.name);
  const contexts = cfg.contexts.length ? cfg.contexts : known;
  for (const name of [...contexts, ...Object.keys(cfg.cluster_names)])
    if (!known.includes(name)) throw new UsageError(`sources.kubernetes: no context ${name} in ${path}`);
  if (!contexts.length) throw new UsageError(`sources.kubernetes: ${path} has no contexts`);
  return contexts.map((context) => {
    const config = new KubeConfig();
    config.loadFromFile(path);
    config.setCurrentContext(context);
    return { name: cfg.cluster_names[context] ?? context, config };
  });
}

export class KubernetesLiveSource implements Collector {
  readonly source = SOURCE;
  private clusters: KubernetesCluster[] | null = null;

  constructor(
    private readonly cfg: KubernetesLiveConfig,
    private readonly baseDir: string,
    /** Waits between attempts of a failing page; tests shorten it. */
    private readonly backoffMs = 500,
    /** The clusters to collect by name (a shard's); default every configured one. */
    private readonly include: (cluster: string) => boolean = () => true,
  ) {}

  async prepare(): Promise<void> {
    this.clusters = resolveClusters(this.cfg, this.baseDir).filter((c) => this.include(c.name));
  }

  collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    const clusters = this.clusters ?? resolveClusters(this.cfg, this.baseDir).filter((c) => this.include(c.name));
    const settings: ClusterSettings = {
      pageSize: this.cfg.page_size,
      requestTimeoutMs: this.cfg.request_timeout_seconds * 1000,
      clusterDeadlineMs: this.cfg.cluster_deadline_seconds * 1000,
      backoffMs: this.backoffMs,
    };
    const limit = pLimit(this.cfg.concurrency);
    return eventStream((emit) => Promise.all(clusters.map((c) => limit(() => collectCluster(c, settings, emit, signal)))));
  }
}

export const liveKubernetes = (cfg: KubernetesLiveConfig, baseDir: string, include?: (cluster: string) => boolean): Collector =>
  new KubernetesLiveSource(cfg, baseDir, undefined, include);

/**
 * `compline doctor`: one page of one object of every kind the collector lists (Secrets and ConfigMaps as metadata, as
 * the collector lists them), each kind's failure with its HTTP status. Nothing listed is kept.
 */
export async function probeCluster(
  cluster: KubernetesCluster,
  signal: AbortSignal,
): Promise<{ kind: string; status: number | null; message: string }[]> {
  const apis = apisOf(cluster);
  const settings: ListSettings = { pageSize: 1, requestTimeoutMs: 15_000, backoffMs: 200 };
  const failures: { kind: string; status: number | null; message: string }[] = [];
  for (const spec of KIND_LISTS) {
    try {
      await fetchPage(apis, spec, { limit: 1 }, settings, signal);
    } catch (e) {
      const f = e as RequestFailure;
      failures.push({ kind: spec.kind, status: f.status ?? null, message: f.message });
      // A cluster that cannot be reached or refuses the credential answers every kind the same way.
      if (f.status === null || f.status === 401) break;
    }
  }
  return failures;
}
