// Container usage, live: per configured cluster, one Container Insights query over its Log Analytics workspace (Perf's
// K8SContainer cpuUsageNanoCores and memoryWorkingSetBytes, joined to KubePodInventory for namespace and pod) →
// CPU p95 and mean, memory max and mean, samples and history per container over the look-back window. Every cluster
// gets a status: a partial answer (the service's PartialFailure: a row limit, a timeout) is partial, a failed or
// missing one failed, an empty one failed too (Container Insights sends nothing there), each with the reason.
import {
  type LogsQueryClient as Client,
  LogsQueryClient,
  LogsQueryResultStatus,
  type LogsTable,
} from '@azure/monitor-query-logs';
import pLimit from 'p-limit';
import { UsageError } from '../../errors.js';
import type { K8sUsageRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import type { RetryOptions } from '../arm-children/child-lists.js';
import { type AzureConnection, requestFailure, stopReason, verifyCredential } from '../azure/connection.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { eventStream } from '../event-stream.js';

export interface ContainerUsageOptions {
  connection: AzureConnection;
  workspaces: readonly { cluster: string; workspace_id: string }[];
  lookbackDays: number;
  concurrency: number;
  /** How long one query may take, throttling waits and retries included. */
  deadlineMs: number;
  retry?: RetryOptions;
  /** The day the window ends before (UTC); now when not given. */
  now?: () => Date;
}

/** A KQL string literal. */
const kqlString = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * The query for one cluster. Perf names a container `<cluster id>/<pod uid>/<container>`; KubePodInventory gives the pod
 * uid's namespace and name. Per counter first (percentile over one counter's samples), then one row per container.
 */
export function usageQuery(cluster: string): string {
  return `let cluster = ${kqlString(cluster)};
let pods = KubePodInventory
  | where ClusterName =~ cluster
  | summarize by PodUid, Namespace, Pod = Name;
Perf
| where ObjectName == 'K8SContainer' and CounterName in ('cpuUsageNanoCores', 'memoryWorkingSetBytes')
| where InstanceName contains strcat('/managedClusters/', cluster, '/')
| extend parts = split(InstanceName, '/')
| extend PodUid = tostring(parts[array_length(parts) - 2]), Container = tostring(parts[array_length(parts) - 1])
| join kind=inner pods on PodUid
| summarize p95 = percentile(CounterValue, 95), mean = avg(CounterValue), peak = max(CounterValue), n = count(),
    first_sample = min(TimeGenerated), last_sample = max(TimeGenerated) by Namespace, Pod, Container, CounterName
| summarize cpu_p95 = take_anyif(p95, CounterName == 'cpuUsageNanoCores'),
    cpu_mean = take_anyif(mean, CounterName == 'cpuUsageNanoCores'),
    mem_max_bytes = take_anyif(peak, CounterName == 'memoryWorkingSetBytes'),
    mem_avg_bytes = take_anyif(mean, CounterName == 'memoryWorkingSetBytes'),
    cpu_samples = sumif(n, CounterName == 'cpuUsageNanoCores'), mem_samples = sumif(n, CounterName == 'memoryWorkingSetBytes'),
    first_sample = min(first_sample), last_sample = max(last_sample) by Namespace, Pod, Container
| project Namespace, Pod, Container, cpu_p95_mcores = cpu_p95 / 1e6, cpu_avg_mcores = cpu_mean / 1e6, mem_max_bytes,
    mem_avg_bytes, samples = min_of(cpu_samples, mem_samples), history_hours = (last_sample - first_sample) / 1h`;
}

const COLUMNS = [
  'Namespace',
  'Pod',
  'Container',
  'cpu_p95_mcores',
  'cpu_avg_mcores',
  'mem_max_bytes',
  'mem_avg_bytes',
  'samples',
  'history_hours',
] as const;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The table's rows as usage rows, or why the table is not the query's answer. */
export function usageRows(
  cluster: string,
  table: LogsTable | undefined,
  windowDays: number,
): { rows: K8sUsageRow[]; problem: string | null } {
  if (!table) return { rows: [], problem: 'answer without a table' };
  const at = new Map(table.columnDescriptors.map((c, i) => [c.name ?? '', i]));
  const missing = COLUMNS.filter((c) => !at.has(c));
  if (missing.length) return { rows: [], problem: `answer without column ${missing.join(', ')}` };
  const rows: K8sUsageRow[] = [];
  let unnamed = 0;
  for (const r of table.rows) {
    const cell = (c: (typeof COLUMNS)[number]) => r[at.get(c)!];
    const namespace = text(cell('Namespace'));
    if (!namespace) {
      unnamed++;
      continue;
    }
    rows.push({
      cluster,
      namespace,
      pod: text(cell('Pod')),
      container: text(cell('Container')),
      cpu_p95_mcores: num(cell('cpu_p95_mcores')),
      cpu_avg_mcores: num(cell('cpu_avg_mcores')),
      mem_max_bytes: num(cell('mem_max_bytes')),
      mem_avg_bytes: num(cell('mem_avg_bytes')),
      samples: num(cell('samples')) ?? 0,
      history_hours: num(cell('history_hours')),
      window_days: windowDays,
      tenant_id: null,
    });
  }
  return { rows, problem: unnamed ? `${unnamed} rows without a namespace` : null };
}

export class ContainerUsageLiveSource implements Collector {
  readonly source = 'monitor';
  private readonly client: Client;

  constructor(private readonly opts: ContainerUsageOptions) {
    const logs = opts.connection.monitor.logs;
    if (!logs) throw new UsageError('azure.cloud.log_analytics_endpoint: required for sources.monitor.workspaces');
    this.client = new LogsQueryClient(opts.connection.credential, {
      endpoint: logs.endpoint,
      credentials: { scopes: [logs.scope] },
      retryOptions: opts.retry,
      userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
    });
  }

  prepare(signal?: AbortSignal): Promise<void> {
    return verifyCredential(this.opts.connection, signal);
  }

  collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    const limit = pLimit(this.opts.concurrency);
    return eventStream((emit) =>
      Promise.all(this.opts.workspaces.map((w) => limit(() => this.cluster(w.cluster, w.workspace_id, emit, signal)))),
    );
  }

  private async cluster(
    cluster: string,
    workspace: string,
    emit: (e: CollectorEvent) => void,
    outer: AbortSignal | undefined,
  ): Promise<void> {
    const { deadlineMs, connection, lookbackDays } = this.opts;
    const now = this.opts.now?.() ?? new Date();
    const endTime = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const startTime = new Date(endTime.getTime() - lookbackDays * 86_400_000);
    const scope = `cluster:${cluster}`;
    const done = (status: 'ok' | 'partial' | 'failed', error: string | null, rows: number) =>
      emit({ kind: 'status', status: { source: this.source, scope, status, error, rows } });
    // queryWorkspace (1.0.0) drops its abortSignal: each attempt is bounded by the request timeout, and the whole
    // query, retries included, by this deadline, after which its answer is not waited for.
    const timeout = AbortSignal.timeout(deadlineMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    let answer: Awaited<ReturnType<Client['queryWorkspace']>>;
    try {
      answer = await untilAborted(
        this.client.queryWorkspace(
          workspace,
          usageQuery(cluster),
          { startTime, endTime },
          { abortSignal: signal, requestOptions: { timeout: deadlineMs } },
        ),
        signal,
      );
    } catch (e) {
      const why = timeout.aborted
        ? `no answer within ${deadlineMs / 1000} s`
        : outer?.aborted
          ? stopReason(outer)
          : requestFailure(e, connection.redact);
      return done('failed', `container usage: ${why}`, 0);
    }
    const partial = answer.status === LogsQueryResultStatus.PartialFailure ? answer : null;
    const tables = partial ? partial.partialTables : answer.status === LogsQueryResultStatus.Success ? answer.tables : [];
    const { rows, problem } = usageRows(cluster, tables[0], lookbackDays);
    if (rows.length) emit({ kind: 'rows', table: 'k8s_usage', rows });
    const problems = [
      ...(partial ? [`partial answer: ${connection.redact(partial.partialError?.message ?? 'PartialFailure')}`] : []),
      ...(problem ? [problem] : []),
      ...(rows.length === 0 && !problem && !partial
        ? [`no Container Insights usage for ${cluster} in workspace ${workspace} over ${lookbackDays} days`]
        : []),
    ];
    if (!problems.length) return done('ok', null, rows.length);
    done(rows.length ? 'partial' : 'failed', `container usage: ${problems.join('; ')}`, rows.length);
  }
}

/** The promise's outcome, or the signal's reason once it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e);
      },
    );
  });
}
