// VM utilisation, live: the VMs and scale sets of the configured subscriptions, listed through Resource Graph by this
// collector itself (so it depends on no other source's success), then Percentage CPU, Available Memory Bytes and
// Network Out Total through the regional metrics batch API, up to 50 resources of one subscription, region and type a
// request, reduced to daily avg / max / p95 per resource. Every subscription gets a status; a list or a batch that
// fails, never answers, or answers for fewer resources than asked leaves it partial or failed with the reason.
import { type MetricsClient as Client, MetricsClient } from '@azure/monitor-query-metrics';
import pLimit from 'p-limit';
import { UsageError } from '../../errors.js';
import type { MetricRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import type { RetryOptions } from '../arm-children/child-lists.js';
import { type AzureConnection, requestFailure, stopReason, verifyCredential } from '../azure/connection.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { eventStream } from '../event-stream.js';
import { DISCOVERY_SCOPE, type ResourceGraphLiveSource } from '../resource-graph/live-source.js';
import { dailyStats, type IntervalValue } from './daily-stats.js';

export const VM_METRICS = ['Percentage CPU', 'Available Memory Bytes', 'Network Out Total'] as const;

const VM_TYPES = new Set(['microsoft.compute/virtualmachines', 'microsoft.compute/virtualmachinescalesets']);
const VM_QUERY = `Resources | where type in~ (${[...VM_TYPES].map((t) => `'${t}'`).join(', ')}) | project id, name, type, location, subscriptionId`;

/** Subscriptions per Resource Graph request (it takes up to 1000). */
const GRAPH_BATCH = 1000;

export interface VmMetricsOptions {
  connection: AzureConnection;
  /** Lists the VMs (and discovers the subscriptions when the config asks for that). */
  graph: ResourceGraphLiveSource;
  subscriptions: readonly string[] | { discover: true };
  lookbackDays: number;
  /** ISO 8601 granularity of the values a day's statistics are computed over. */
  interval: string;
  batchSize: number;
  concurrency: number;
  /** How long one request may take, throttling waits and retries included. */
  deadlineMs: number;
  retry?: RetryOptions;
  /** The day the window ends before (UTC); now when not given. */
  now?: () => Date;
}

interface Vm {
  id: string;
  type: string;
  location: string;
  subscription: string;
}

interface Tally {
  rows: number;
  problems: string[];
}

export class VmMetricsLiveSource implements Collector {
  readonly source = 'monitor';
  private readonly clients = new Map<string, Client>();
  private readonly metrics: NonNullable<AzureConnection['monitor']['metrics']>;

  constructor(private readonly opts: VmMetricsOptions) {
    const metrics = opts.connection.monitor.metrics;
    if (!metrics) throw new UsageError('azure.cloud.metrics_endpoint: required for sources.monitor.mode: live');
    this.metrics = metrics;
  }

  prepare(signal?: AbortSignal): Promise<void> {
    return verifyCredential(this.opts.connection, signal);
  }

  collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    return eventStream(async (emit) => {
      const subscriptions = (await this.subscriptions(emit, signal)).map((s) => s.toLowerCase());
      const tallies = new Map<string, Tally>(subscriptions.map((s) => [s, { rows: 0, problems: [] }]));
      const vms: Vm[] = [];
      for (let i = 0; i < subscriptions.length; i += GRAPH_BATCH) {
        const chunk = subscriptions.slice(i, i + GRAPH_BATCH);
        const { rows, problem } = await this.opts.graph.rows(VM_QUERY, chunk, signal);
        if (problem) for (const s of chunk) tallies.get(s)!.problems.push(`virtual machine list: ${problem}`);
        // The metric names are those of VMs and scale sets: whatever else an answer holds is not asked about.
        for (const r of rows)
          if (r.subscription_id && tallies.has(r.subscription_id) && VM_TYPES.has(r.type))
            vms.push({ id: r.id, type: r.type, location: r.location ?? '', subscription: r.subscription_id });
      }
      const { from, to } = this.window();
      const limit = pLimit(this.opts.concurrency);
      await Promise.all(
        groups(vms, this.opts.batchSize).map((batch) =>
          limit(async () => {
            const tally = tallies.get(batch[0]!.subscription)!;
            const { rows, problem } = await this.batch(batch, from, to, signal);
            if (rows.length) emit({ kind: 'rows', table: 'metrics', rows });
            tally.rows += rows.length;
            if (problem) tally.problems.push(problem);
          }),
        ),
      );
      for (const [sub, { rows, problems }] of tallies) {
        const status = problems.length === 0 ? 'ok' : rows > 0 ? 'partial' : 'failed';
        const error = problems.length ? problems.join('; ') : null;
        emit({ kind: 'status', status: { source: this.source, scope: `subscription:${sub}`, status, error, rows } });
      }
    });
  }

  /** Whole UTC days: the `lookbackDays` before today's (today's is not over, and a short day would read as idle). */
  private window(): { from: Date; to: Date } {
    const now = this.opts.now?.() ?? new Date();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    return { from: new Date(to.getTime() - this.opts.lookbackDays * 86_400_000), to };
  }

  private async subscriptions(emit: (e: CollectorEvent) => void, signal: AbortSignal | undefined): Promise<string[]> {
    const { subscriptions } = this.opts;
    if (!('discover' in subscriptions)) return [...subscriptions];
    const { found, problem } = await this.opts.graph.discover(signal);
    if (problem)
      emit({
        kind: 'status',
        status: { source: this.source, scope: DISCOVERY_SCOPE, status: 'failed', error: problem, rows: 0 },
      });
    return found;
  }

  private client(region: string): Client {
    const endpoint = this.metrics.endpoint(region);
    let client = this.clients.get(endpoint);
    if (!client) {
      client = new MetricsClient(endpoint, this.opts.connection.credential, {
        credentials: { scopes: [this.metrics.scope] },
        retryOptions: this.opts.retry,
        userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
      });
      this.clients.set(endpoint, client);
    }
    return client;
  }

  /** One batch request: the daily rows of every resource it answered for, and what it did not answer. */
  private async batch(
    vms: Vm[],
    from: Date,
    to: Date,
    outer: AbortSignal | undefined,
  ): Promise<{ rows: MetricRow[]; problem: string | null }> {
    const { deadlineMs, connection } = this.opts;
    const first = vms[0]!;
    const what = `metrics of ${vms.length} ${first.type.split('/')[1]} in ${first.location}`;
    const timeout = AbortSignal.timeout(deadlineMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    let answer: Awaited<ReturnType<Client['queryResources']>>;
    try {
      answer = await this.client(first.location).queryResources(
        vms.map((v) => v.id),
        [...VM_METRICS],
        first.type,
        // The options are passed on to the request as they are, the abort signal with them (not in the typings).
        {
          startTime: from,
          endTime: to,
          interval: this.opts.interval,
          aggregation: 'average,minimum,maximum,count',
          ...{ abortSignal: signal },
        },
      );
    } catch (e) {
      const why = timeout.aborted
        ? `no answer within ${deadlineMs / 1000} s`
        : outer?.aborted
          ? stopReason(outer)
          : requestFailure(e, connection.redact);
      return { rows: [], problem: `${what}: ${why}` };
    }
    const rows: MetricRow[] = [];
    const problems: string[] = [];
    const answered = new Set<string>();
    for (const result of answer) {
      const id = String(result.resourceId ?? '').toLowerCase();
      if (!vms.some((v) => v.id === id)) continue;
      answered.add(id);
      for (const metric of result.metrics ?? []) {
        const name = metricName(metric);
        if (metric.errorCode && metric.errorCode !== 'Success') {
          problems.push(`${id}: ${name}: ${metric.errorCode}${metric.errorMessage ? ` ${metric.errorMessage}` : ''}`);
          continue;
        }
        const points = (metric.timeseries ?? []).flatMap((t) => (t.data ?? []) as IntervalValue[]);
        for (const day of dailyStats(points, from, to)) rows.push({ resource_id: id, metric: name, ...day, tenant_id: null });
      }
      const missing = VM_METRICS.filter((m) => !(result.metrics ?? []).some((x) => metricName(x) === m));
      if (missing.length) problems.push(`${id}: no ${missing.join(', ')} in the answer`);
    }
    const unanswered = vms.filter((v) => !answered.has(v.id)).length;
    if (unanswered) problems.unshift(`${what}: no answer for ${unanswered} of them`);
    return { rows, problem: problems.length ? problems.join('; ') : null };
  }
}

/** The typings say a string; 1.0.0 hands the service's localizable string, `{ value, localizedValue }`. */
function metricName(metric: { name: unknown }): string {
  const { name } = metric;
  return typeof name === 'string' ? name : String((name as { value?: unknown } | null)?.value ?? '');
}

/** Resources grouped as the batch API requires (one subscription, region and type a request), `size` at most. */
function groups(vms: readonly Vm[], size: number): Vm[][] {
  const byKey = new Map<string, Vm[]>();
  for (const vm of vms) {
    const key = `${vm.subscription} ${vm.location.toLowerCase()} ${vm.type}`;
    const list = byKey.get(key);
    if (list) list.push(vm);
    else byKey.set(key, [vm]);
  }
  return [...byKey.values()].flatMap((list) => {
    const out: Vm[][] = [];
    for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
    return out;
  });
}
