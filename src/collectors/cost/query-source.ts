// sources.cost mode live: the Cost Management Query API, per subscription, daily actual and amortized cost grouped by
// resource and the tenant tag, every nextLink followed. Cost Management throttles on its own headers
// (x-ms-ratelimit-microsoft.costmanagement-*-retry-after), which the SDK's retry policy does not read: a policy here
// waits them out within the page's deadline. A subscription whose page fails or never comes is partial (failed when
// nothing came).
import { CostManagementClient, type QueryDefinition } from '@azure/arm-costmanagement';
import { createHttpHeaders, createPipelineRequest, type PipelinePolicy } from '@azure/core-rest-pipeline';
import pLimit from 'p-limit';
import { TOOL_VERSION } from '../../version.js';
import {
  type AzureConnection,
  type AzureSettings,
  azureConnection,
  requestFailure,
  verifyCredential,
} from '../azure/connection.js';
import type { Collector, CollectorEvent, CostRow } from '../collector.js';
import { eventStream } from '../event-stream.js';
import { jsonReason } from '../json-reason.js';
import { DISCOVERY_SCOPE, ResourceGraphLiveSource } from '../resource-graph/live-source.js';

export type CostMetric = 'actual' | 'amortized';

export interface CostQueryOptions {
  connection: AzureConnection;
  subscriptions: readonly string[];
  /** Finds the subscriptions when the config asks for discovery; a discovery that falls short says why. */
  discover?: (signal?: AbortSignal) => Promise<{ found: string[]; problem: string | null }>;
  /** Days asked for, ending yesterday (UTC). */
  lookbackDays: number;
  metrics: readonly CostMetric[];
  /** The tag cost is grouped by besides the resource (mapping.tenant_tag). */
  tag: string;
  concurrency: number;
  /** How long one page may take, throttling waits and retries included. */
  deadlineMs: number;
  retry?: { maxRetries?: number; retryDelayInMs?: number };
  /** The run's clock; the window ends the day before. */
  now?: Date;
}

const THROTTLE_HEADER = /^x-ms-ratelimit-microsoft\.costmanagement-[a-z-]+-retry-after$/i;

/** The longest wait any Cost Management retry-after header asks for, in seconds; null when none does. */
export function costManagementRetryAfter(headers: Record<string, string>): number | null {
  const waits = Object.entries(headers)
    .filter(([name]) => THROTTLE_HEADER.test(name))
    .map(([, v]) => Number(v))
    .filter((n) => Number.isFinite(n) && n >= 0);
  return waits.length ? Math.max(...waits) : null;
}

/**
 * Waits out a 429 that carries Cost Management's retry-after headers and asks again, while the wait still fits the
 * page's deadline; a wait that does not is handed back as the 429 it is. It sits outside the SDK's retry policy, which
 * has already tried (and found no Retry-After it knows).
 */
function throttlingPolicy(deadlineMs: number): PipelinePolicy {
  return {
    name: 'costManagementThrottling',
    async sendRequest(request, next) {
      const started = Date.now();
      for (;;) {
        const response = await next(request);
        if (response.status !== 429) return response;
        const wait = costManagementRetryAfter(response.headers.toJSON());
        if (wait === null || Date.now() - started + wait * 1000 > deadlineMs) return response;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, wait * 1000);
          request.abortSignal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        });
      }
    },
  };
}

interface Page {
  rows: unknown[][];
  columns: string[];
  next: string | null;
  problem: string | null;
}

/** A Query API UsageDate (20240131, or an ISO date-time) as YYYY-MM-DD; null when it is neither. */
function usageDay(v: unknown): string | null {
  const s = String(v);
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** The lower-case ARM type of a resource id: its provider namespace and every type segment after the last /providers/. */
function armType(id: string): string | null {
  const parts = (/.*\/providers\/(.*)$/i.exec(id)?.[1] ?? '').split('/');
  if (parts.length < 3 || parts.length % 2 === 0) return null;
  return [parts[0], ...parts.slice(1).filter((_, i) => i % 2 === 0)].join('/').toLowerCase();
}

export class CostQuerySource implements Collector {
  readonly source = 'cost';
  private readonly client: CostManagementClient;

  constructor(private readonly opts: CostQueryOptions) {
    const { connection } = opts;
    this.client = new CostManagementClient(connection.credential, {
      endpoint: connection.armEndpoint,
      $host: connection.armEndpoint,
      credentialScopes: [connection.armScope],
      retryOptions: opts.retry,
      userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
      additionalPolicies: [{ policy: throttlingPolicy(opts.deadlineMs), position: 'perCall' }],
    });
  }

  prepare(signal?: AbortSignal): Promise<void> {
    return verifyCredential(this.opts.connection, signal);
  }

  collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    const limit = pLimit(this.opts.concurrency);
    return eventStream(async (emit) => {
      let subscriptions = [...this.opts.subscriptions];
      if (this.opts.discover) {
        const { found, problem } = await this.opts.discover(signal);
        if (problem)
          emit({
            kind: 'status',
            status: { source: this.source, scope: DISCOVERY_SCOPE, status: 'failed', error: problem, rows: 0 },
          });
        subscriptions = found;
      }
      await Promise.all(subscriptions.map((s) => limit(() => this.subscription(s.toLowerCase(), emit, signal))));
    });
  }

  private definition(metric: CostMetric): QueryDefinition {
    const now = this.opts.now ?? new Date();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 86_400_000);
    const from = new Date(to.getTime() - (this.opts.lookbackDays - 1) * 86_400_000);
    return {
      type: metric === 'actual' ? 'ActualCost' : 'AmortizedCost',
      timeframe: 'Custom',
      timePeriod: { from, to },
      dataset: {
        granularity: 'Daily',
        aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
        grouping: [
          { type: 'Dimension', name: 'ResourceId' },
          { type: 'TagKey', name: this.opts.tag },
        ],
      },
    };
  }

  /** Both metrics of one subscription, merged into one row per day, resource, tag value and currency. */
  private async subscription(sub: string, emit: (e: CollectorEvent) => void, outer: AbortSignal | undefined): Promise<void> {
    const merged = new Map<string, CostRow>();
    const complete = new Set<CostMetric>();
    const problems: string[] = [];
    let pages = 0;
    for (const metric of this.opts.metrics) {
      const column = metric === 'actual' ? 'BilledCost' : 'EffectiveCost';
      let next: string | null = null;
      for (let n = 1; ; n++) {
        const page = await this.page(sub, metric, next, outer);
        if (page.problem === null || page.rows.length) pages++;
        this.merge(sub, page, column, merged);
        if (page.problem !== null) {
          problems.push(`${metric} cost, ${n === 1 ? 'first page' : `page ${n}`}: ${page.problem}`);
          break;
        }
        if (page.next === null) {
          complete.add(metric);
          break;
        }
        next = page.next;
      }
    }
    // Both metrics asked: a row one of them lacks costs nothing there (a reservation purchase amortizes to no effective
    // cost) — unless that metric did not come whole, when it is unknown.
    const other: Record<CostMetric, 'BilledCost' | 'EffectiveCost'> = { actual: 'BilledCost', amortized: 'EffectiveCost' };
    const rows = [...merged.values()];
    for (const metric of ['actual', 'amortized'] as const) {
      const col = other[metric];
      const fill = this.opts.metrics.includes(metric) && complete.has(metric) ? 0 : null;
      for (const r of rows) if (!(col in r)) r[col] = fill;
    }
    if (rows.length) emit({ kind: 'rows', table: 'costs', rows });
    const status = problems.length === 0 ? 'ok' : pages > 0 ? 'partial' : 'failed';
    emit({
      kind: 'status',
      status: {
        source: this.source,
        scope: `subscription:${sub}`,
        status,
        error: problems.join('; ') || null,
        rows: rows.length,
        // The Query API states no total to hold the rows to: what shows completeness is every nextLink followed.
        reconciliation:
          status === 'ok'
            ? `no source total (the Query API reports none): ${pages} page(s), every nextLink followed to the last`
            : null,
      },
    });
  }

  private merge(sub: string, page: Page, column: 'BilledCost' | 'EffectiveCost', into: Map<string, CostRow>): void {
    const at = (...names: string[]) => names.map((n) => page.columns.indexOf(n.toLowerCase())).find((i) => i >= 0) ?? -1;
    const cost = at('Cost', 'PreTaxCost', 'totalCost', 'CostUSD');
    const date = at('UsageDate');
    const resource = at('ResourceId');
    const group = at('ResourceGroup', 'ResourceGroupName');
    const currency = at('Currency', 'BillingCurrency');
    const tagKey = at('TagKey');
    const tagValue = at('TagValue');
    const tagColumn = at(this.opts.tag);
    for (const r of page.rows) {
      const d = usageDay(r[date]);
      if (!d) continue;
      const id = resource >= 0 && r[resource] ? String(r[resource]) : null;
      const value = tagColumn >= 0 ? r[tagColumn] : tagValue >= 0 ? r[tagValue] : null;
      const key = tagColumn >= 0 ? this.opts.tag : tagKey >= 0 ? r[tagKey] : null;
      const tags = key && value ? { [String(key)]: String(value) } : null;
      const cur = currency >= 0 ? String(r[currency]) : null;
      const rg = group >= 0 && r[group] ? String(r[group]) : id ? (/\/resourcegroups\/([^/]+)/i.exec(id)?.[1] ?? null) : null;
      const k = JSON.stringify([d, id, rg, tags, cur]);
      let row = into.get(k);
      if (!row) {
        const end = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
        row = {
          ChargePeriodStart: `${d}T00:00:00Z`,
          ChargePeriodEnd: end,
          ResourceId: id,
          ResourceType: id ? armType(id) : null,
          x_ResourceGroupName: rg,
          SubAccountId: `/subscriptions/${sub}`,
          BillingCurrency: cur,
          Tags: tags,
          ProviderName: 'Microsoft',
          x_SourceFormat: 'query-api',
        };
        into.set(k, row);
      }
      row[column] = Number((row[column] as number | undefined) ?? 0) + Number(r[cost]);
    }
  }

  /** One page within the deadline: the first by the SDK's `query.usage`, a nextLink by POST through its pipeline. */
  private async page(sub: string, metric: CostMetric, nextLink: string | null, outer: AbortSignal | undefined): Promise<Page> {
    const { deadlineMs, connection } = this.opts;
    const timeout = AbortSignal.timeout(deadlineMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    const failed = (problem: string): Page => ({ rows: [], columns: [], next: null, problem });
    const definition = this.definition(metric);
    let text = '';
    let status = 0;
    try {
      if (nextLink === null) {
        await this.client.query.usage(`subscriptions/${sub}`, definition, {
          abortSignal: signal,
          onResponse: (r) => {
            text = r.bodyAsText ?? '';
            status = r.status;
          },
        });
      } else {
        // The Query API pages by POSTing the same query to the nextLink; the SDK has no call for it.
        if (new URL(nextLink).origin !== new URL(connection.armEndpoint).origin)
          return failed(`nextLink leaves ${connection.armEndpoint}`);
        const response = await this.client.sendRequest(
          createPipelineRequest({
            url: nextLink,
            method: 'POST',
            body: JSON.stringify({
              ...definition,
              timePeriod: { from: definition.timePeriod!.from.toISOString(), to: definition.timePeriod!.to.toISOString() },
            }),
            headers: createHttpHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
            abortSignal: signal,
          }),
        );
        text = response.bodyAsText ?? '';
        status = response.status;
        if (status >= 400) {
          const code = /"code"\s*:\s*"([^"]+)"/.exec(text)?.[1];
          const wait = costManagementRetryAfter(response.headers.toJSON());
          return failed(
            `HTTP ${status}${code ? ` ${code}` : ''}${wait !== null ? ` (retry after ${wait} s, past the deadline)` : ''}`,
          );
        }
      }
    } catch (e) {
      if (timeout.aborted) return failed(`no answer within ${deadlineMs / 1000} s`);
      if (outer?.aborted) return failed('collection cancelled');
      const headers = (e as { response?: { headers?: { toJSON(): Record<string, string> } } }).response?.headers?.toJSON();
      const wait = headers ? costManagementRetryAfter(headers) : null;
      return failed(
        `${requestFailure(e, connection.redact)}${wait !== null ? ` (retry after ${wait} s, past the deadline)` : ''}`,
      );
    }
    if (status === 204 || !text) return { rows: [], columns: [], next: null, problem: null };
    let body: { properties?: { columns?: { name?: string }[]; rows?: unknown[][]; nextLink?: string | null } };
    try {
      body = JSON.parse(text);
    } catch (e) {
      return failed(jsonReason(e, text));
    }
    const props = body.properties;
    if (!props || !Array.isArray(props.columns) || !Array.isArray(props.rows)) return failed('answer without columns and rows');
    const columns = props.columns.map((c) => String(c.name ?? '').toLowerCase());
    if (!columns.includes('usagedate') || !['cost', 'pretaxcost', 'totalcost', 'costusd'].some((c) => columns.includes(c)))
      return failed(`answer without UsageDate and a cost column (${columns.join(', ')})`);
    return { rows: props.rows, columns, next: props.nextLink || null, problem: null };
  }
}

/** The live source a config's `sources.cost` (live) and `azure` sections describe. */
export function liveCost(
  settings: AzureSettings,
  cost: { lookback_days: number; metrics: readonly CostMetric[] },
  tag: string,
  env: NodeJS.ProcessEnv = process.env,
): CostQuerySource {
  const { subscriptions } = settings;
  const connection = azureConnection(settings, env);
  const deadlineMs = settings.deadline_seconds * 1000;
  const graph =
    'discover' in subscriptions
      ? new ResourceGraphLiveSource({ connection, subscriptions, concurrency: settings.concurrency, deadlineMs })
      : null;
  return new CostQuerySource({
    connection,
    subscriptions: 'discover' in subscriptions ? [] : subscriptions,
    discover: graph ? (signal) => graph.discover(signal) : undefined,
    lookbackDays: cost.lookback_days,
    metrics: cost.metrics,
    tag,
    concurrency: settings.concurrency,
    deadlineMs,
  });
}
