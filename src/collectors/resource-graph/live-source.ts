// Resource Graph, live: the estate's resources, subscriptions and resource groups, Defender pricings and role
// assignments, queried over batches of subscriptions and paged with $skipToken. Every subscription gets a status;
// a page that fails or never arrives leaves its subscriptions partial or failed with the reason, never short.
// The child settings of what a batch found (diagnostic settings, SQL auditing and TDE, blob services, lifecycle
// policies, flexible server parameters, Front Door security policies, Key Vault certificates) are listed through ARM
// (certificates through each vault's data plane) before its subscriptions get their status.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import pLimit from 'p-limit';
import type { ResourceRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import { type ChildKind, ChildLister, type ChildWork, type RetryOptions } from '../arm-children/child-lists.js';
import { diagnosticSettingsKinds } from '../arm-children/diagnostic-settings.js';
import { flexibleServerParameterKinds } from '../arm-children/flexible-server-parameters.js';
import { frontDoorSettingsKinds } from '../arm-children/front-door-settings.js';
import { keyVaultCertificateKinds } from '../arm-children/key-vault-certificates.js';
import { sqlSettingsKinds } from '../arm-children/sql-settings.js';
import { storageSettingsKinds } from '../arm-children/storage-settings.js';
import {
  type AzureConnection,
  type AzureSettings,
  azureConnection,
  requestFailure,
  stopReason,
  verifyCredential,
} from '../azure/connection.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { eventStream } from '../event-stream.js';
import { armToRow } from './arm-row.js';
import { QuotaBeyondDeadline, QuotaGate } from './quota-gate.js';

interface GraphQuery {
  table: string;
  query: string;
  /** The child type whose every row under a subscription the query returns, when it completes. */
  covers?: string;
}

const QUERIES: readonly GraphQuery[] = [
  { table: 'Resources', query: 'Resources' },
  {
    table: 'ResourceContainers',
    query:
      "ResourceContainers | where type in~ ('microsoft.resources/subscriptions', 'microsoft.resources/subscriptions/resourcegroups')",
  },
  {
    table: 'SecurityResources',
    query: "SecurityResources | where type =~ 'microsoft.security/pricings'",
    covers: 'microsoft.security/pricings',
  },
  {
    table: 'AuthorizationResources',
    // Built-in role definitions are the same everywhere and come back with every batch: custom ones only.
    query:
      "AuthorizationResources | where type =~ 'microsoft.authorization/roleassignments' or (type =~ 'microsoft.authorization/roledefinitions' and tostring(properties.type) =~ 'CustomRole')",
    covers: 'microsoft.authorization/roleassignments',
  },
];

/** Every subscription the credential can read: a query at tenant scope, no subscriptions named. */
const DISCOVERY: GraphQuery = {
  table: 'ResourceContainers',
  query: "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project id, type, subscriptionId",
};

/** The status scope of subscription discovery: when it is incomplete, so is everything (what is missing is unknown). */
export const DISCOVERY_SCOPE = 'discovery:subscriptions';

export interface LiveSourceOptions {
  connection: AzureConnection;
  subscriptions: readonly string[] | { discover: true };
  /** Requests in flight at once. */
  concurrency: number;
  /** How long one page may take, throttling waits and retries included. */
  deadlineMs: number;
  /** Subscriptions per request (Resource Graph takes up to 1000). */
  batchSize?: number;
  /** The SDK's retries of throttled (429), failed (5xx) and broken requests. */
  retry?: RetryOptions;
  /** Which child collections to list (those some enabled check reads, src/child-reads.ts); all when not given. */
  reads?: (kind: ChildKind) => boolean;
}

const SUBSCRIPTIONS = 'microsoft.resources/subscriptions';
/** Flow logs are resources of Resource Graph's Resources table: a complete answer holds every watcher's. */
const NETWORK_WATCHERS = 'microsoft.network/networkwatchers';
const FLOW_LOGS = 'microsoft.network/networkwatchers/flowlogs';

interface QueryOutcome {
  complete: boolean;
  problem: string | null;
  /** Whether Resource Graph's `totalRecords` was there to check the rows delivered against (it matched, if complete). */
  counted?: boolean;
}

export class ResourceGraphLiveSource implements Collector {
  readonly source = 'resource-graph';
  private readonly client: ResourceGraphClient;
  private readonly quota = new QuotaGate();
  private readonly children: ChildLister;
  private readonly kinds: ChildKind[];
  /** The row types whose rows are parents of some listed kind. */
  private readonly parentTypes: Set<string>;

  constructor(private readonly opts: LiveSourceOptions) {
    const { connection } = opts;
    this.client = new ResourceGraphClient(connection.credential, {
      endpoint: connection.armEndpoint,
      credentials: { scopes: [connection.armScope] },
      retryOptions: opts.retry,
      userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
    });
    // After the retry policy: the quota is read from every attempt's answer, a throttled one's included.
    this.client.pipeline.addPolicy(
      {
        name: 'resourceGraphQuota',
        sendRequest: async (request, next) => {
          const response = await next(request);
          this.quota.observe(response.status, response.headers);
          return response;
        },
      },
      { afterPhase: 'Retry' },
    );
    this.children = new ChildLister(connection, opts.deadlineMs);
    this.kinds = [
      ...diagnosticSettingsKinds(connection, opts.retry),
      ...sqlSettingsKinds(connection, opts.retry),
      ...storageSettingsKinds(connection, opts.retry),
      ...flexibleServerParameterKinds(connection, opts.retry),
      ...frontDoorSettingsKinds(connection, opts.retry),
      ...keyVaultCertificateKinds(connection, opts.retry),
    ].filter(opts.reads ?? (() => true));
    this.parentTypes = new Set([...this.kinds.map((k) => k.parentType), NETWORK_WATCHERS]);
  }

  prepare(signal?: AbortSignal): Promise<void> {
    return verifyCredential(this.opts.connection, signal);
  }

  collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    const limit = pLimit(this.opts.concurrency);
    const seen = new Set<string>();
    return eventStream((emit) =>
      this.subscriptionsToCollect(emit, signal).then((subscriptions) =>
        Promise.all(
          batches(subscriptions, this.opts.batchSize ?? 100).map((batch) => this.batch(batch, limit, seen, emit, signal)),
        ),
      ),
    );
  }

  /** The configured subscriptions, or those discovery finds; a discovery that falls short says so. */
  private async subscriptionsToCollect(emit: (e: CollectorEvent) => void, signal: AbortSignal | undefined): Promise<string[]> {
    const { subscriptions } = this.opts;
    if (!('discover' in subscriptions)) return [...subscriptions];
    const { found, problem } = await this.discover(signal);
    if (problem)
      emit({
        kind: 'status',
        status: { source: this.source, scope: DISCOVERY_SCOPE, status: 'failed', error: problem, rows: 0 },
      });
    return found;
  }

  /**
   * Every subscription the credential can read, found by a tenant-wide query, and why that list may not be whole
   * (null when it is). Other live sources discover their subscriptions through this too.
   */
  async discover(signal?: AbortSignal): Promise<{ found: string[]; problem: string | null }> {
    const found = new Set<string>();
    const outcome = await this.query(DISCOVERY, [], signal, (rows) => {
      for (const r of rows) if (r.subscription_id) found.add(r.subscription_id);
    });
    const problem = outcome.problem
      ? `subscription discovery: ${outcome.problem}`
      : found.size === 0
        ? 'subscription discovery: the credential can read no subscription'
        : null;
    return { found: [...found], problem };
  }

  /**
   * Every row of one query over `subscriptions`, and why that may not be all of them (null when it is). Other live
   * sources list what they work on (the monitor's VMs) through this, throttling and deadlines included.
   */
  async rows(
    query: string,
    subscriptions: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ rows: ResourceRow[]; problem: string | null }> {
    const rows: ResourceRow[] = [];
    const table = query.split(/\s/)[0] ?? 'Resources';
    const outcome = await this.query({ table, query }, [...subscriptions], signal, (page) => rows.push(...page));
    return { rows, problem: outcome.problem };
  }

  private async batch(
    subscriptions: string[],
    limit: ReturnType<typeof pLimit>,
    seen: Set<string>,
    emit: (e: CollectorEvent) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const rows = new Map(subscriptions.map((s) => [s, 0]));
    const visible = new Set<string>();
    // Per subscription, the rows that are parents of child collections.
    const parents = new Map<string, ResourceRow[]>(subscriptions.map((s) => [s, []]));
    const outcomes = await Promise.all(
      QUERIES.map((q) =>
        limit(() =>
          this.query(q, subscriptions, signal, (page) => {
            const fresh = page.filter((r) => !seen.has(r.id));
            for (const r of fresh) {
              seen.add(r.id);
              if (r.type === 'microsoft.resources/subscriptions' && r.subscription_id) visible.add(r.subscription_id);
              if (r.subscription_id && rows.has(r.subscription_id)) rows.set(r.subscription_id, rows.get(r.subscription_id)! + 1);
              if (this.parentTypes.has(r.type) && r.subscription_id) parents.get(r.subscription_id)?.push(r);
            }
            if (fresh.length) emit({ kind: 'rows', table: 'resources', rows: fresh });
          }),
        ),
      ),
    );
    const covered = QUERIES.flatMap((q, i) => (q.covers && outcomes[i]!.complete ? [q.covers] : []));
    const problems = outcomes.flatMap((o, i) => (o.problem ? [`${QUERIES[i]!.table}: ${o.problem}`] : []));
    const anyComplete = outcomes.some((o) => o.complete);
    const containersComplete = outcomes[QUERIES.findIndex((q) => q.table === 'ResourceContainers')]!.complete;
    // Resource Graph leaves out, without a word, a subscription the credential cannot read: its absence from a
    // complete list of containers is the only sign, and an unread subscription is not an empty one.
    const unread = (sub: string) => containersComplete && !visible.has(sub);
    // Once collection is stopped nothing more is listed, and one reason says so for the batch.
    if (signal?.aborted) problems.push(`child settings: ${stopReason(signal)}`);
    // The child settings of the subscriptions read and of the resources found in them, listed once those are known.
    const work = subscriptions
      .filter((s) => !unread(s))
      .flatMap((sub): ChildWork[] =>
        this.kinds.flatMap((kind) =>
          kind.parentType === SUBSCRIPTIONS
            ? [{ kind, parent: `/subscriptions/${sub}`, row: subscriptionRow(sub) }]
            : parents
                .get(sub)!
                .filter((r) => r.type === kind.parentType)
                .flatMap((row) => {
                  const parent = kind.parentOf ? kind.parentOf(row) : row.id;
                  return parent ? [{ kind, parent, row }] : [];
                }),
        ),
      );
    const listed = signal?.aborted ? [] : await this.children.listAll(work, limit, signal);
    const childCoverage = new Map<string, { parent_id: string; child_type: string }[]>();
    const childProblems = new Map<string, string[]>();
    for (const { kind, parent, rows: found, problem } of listed) {
      const sub = parent.split('/')[2]!;
      if (found.length) emit({ kind: 'rows', table: 'resources', rows: found });
      rows.set(sub, rows.get(sub)! + found.length);
      if (problem === null)
        childCoverage.set(sub, [...(childCoverage.get(sub) ?? []), { parent_id: parent, child_type: kind.childType }]);
      else childProblems.set(sub, [...(childProblems.get(sub) ?? []), `${kind.noun} of ${parent}: ${problem}`]);
    }
    const resourcesComplete = outcomes[QUERIES.findIndex((q) => q.table === 'Resources')]!.complete;
    for (const sub of subscriptions) {
      const scope = `subscription:${sub}`;
      if (unread(sub)) {
        const error = 'subscription not visible to the credential (no Reader role there, or no such subscription)';
        emit({ kind: 'status', status: { source: this.source, scope, status: 'failed', error, rows: rows.get(sub)! } });
        continue;
      }
      const coverage = [
        ...covered.map((child_type) => ({ parent_id: `/subscriptions/${sub}`, child_type })),
        ...(resourcesComplete
          ? parents
              .get(sub)!
              .filter((r) => r.type === NETWORK_WATCHERS)
              .map((r) => ({ parent_id: r.id, child_type: FLOW_LOGS }))
          : []),
        ...(childCoverage.get(sub) ?? []),
      ];
      if (coverage.length) emit({ kind: 'coverage', rows: coverage.map((c) => ({ ...c, source: this.source, scope })) });
      const n = rows.get(sub)!;
      const subProblems = [...problems, ...(childProblems.get(sub) ?? [])];
      const status = subProblems.length === 0 ? 'ok' : anyComplete || n > 0 ? 'partial' : 'failed';
      emit({
        kind: 'status',
        status: {
          source: this.source,
          scope,
          status,
          error: subProblems.length ? subProblems.join('; ') : null,
          rows: n,
          reconciliation: reconciliation(outcomes),
        },
      });
    }
  }

  /** Every page of one query over one batch; rows go out page by page, the outcome says whether they are all. */
  private async query(
    q: GraphQuery,
    subscriptions: string[],
    outer: AbortSignal | undefined,
    onRows: (rows: ResourceRow[]) => void,
  ): Promise<QueryOutcome> {
    const { deadlineMs, connection } = this.opts;
    let skipToken: string | undefined;
    // Every page repeats the query's total; the rows of all pages must add up to it.
    let total: number | undefined;
    let delivered = 0;
    for (let page = 1; ; page++) {
      const deadlineAt = Date.now() + deadlineMs;
      const timeout = AbortSignal.timeout(deadlineMs);
      const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
      const where = page === 1 ? 'first page' : `page ${page}`;
      let answer: Awaited<ReturnType<ResourceGraphClient['resources']>>;
      let release: (() => void) | undefined;
      try {
        release = await this.quota.acquire(deadlineAt, signal);
        answer = await this.client.resources(
          // No subscriptions named: the query runs over every subscription the credential can read.
          {
            subscriptions: subscriptions.length ? subscriptions : undefined,
            query: q.query,
            options: { skipToken, top: 1000, resultFormat: 'objectArray' },
          },
          { abortSignal: signal },
        );
      } catch (e) {
        let why: string;
        if (e instanceof QuotaBeyondDeadline) why = e.message;
        else if (timeout.aborted) why = `no answer within ${deadlineMs / 1000} s`;
        else if (outer?.aborted) why = stopReason(outer);
        else why = requestFailure(e, connection.redact);
        return { complete: false, problem: `${where}: ${why}` };
      } finally {
        release?.();
      }
      if (!Array.isArray(answer.data)) return { complete: false, problem: `${where}: answer without a data array` };
      const rows: ResourceRow[] = [];
      let skipped = 0;
      for (const item of answer.data as unknown[]) {
        const row = item && typeof item === 'object' ? armToRow(item as Record<string, unknown>, 'live') : null;
        if (row) rows.push(row);
        else skipped++;
      }
      onRows(rows);
      delivered += answer.data.length;
      if (page === 1 && Number.isSafeInteger(answer.totalRecords)) total = answer.totalRecords;
      if (skipped > 0) return { complete: false, problem: `${where}: ${skipped} rows without id or type` };
      if (String(answer.resultTruncated).toLowerCase() === 'true')
        return { complete: false, problem: `${where}: result truncated by Resource Graph` };
      if (!answer.skipToken) {
        if (total !== undefined && delivered !== total)
          return {
            complete: false,
            problem: `${delivered} rows delivered over ${page} page${page === 1 ? '' : 's'}, Resource Graph counted ${total}`,
          };
        return { complete: true, problem: null, counted: total !== undefined };
      }
      skipToken = answer.skipToken;
    }
  }
}

/**
 * What the IPE says of a scope's completeness: the queries whose rows matched Resource Graph's own `totalRecords`.
 * The counts are the batch's, which may hold other tenants' subscriptions, so only the queries are named.
 */
function reconciliation(outcomes: readonly QueryOutcome[]): string {
  const counted = QUERIES.filter((_, i) => outcomes[i]!.complete && outcomes[i]!.counted).map((q) => q.table);
  const uncounted = QUERIES.filter((_, i) => outcomes[i]!.complete && !outcomes[i]!.counted).map((q) => q.table);
  const parts = [];
  if (counted.length) parts.push(`rows delivered matched Resource Graph's totalRecords for ${counted.join(', ')}`);
  if (uncounted.length) parts.push(`no totalRecords given for ${uncounted.join(', ')}`);
  return parts.length ? parts.join('; ') : 'no query completed';
}

/** The live source a config's `azure` section describes. */
export function liveResourceGraph(
  settings: AzureSettings,
  env: NodeJS.ProcessEnv = process.env,
  reads?: (kind: ChildKind) => boolean,
): ResourceGraphLiveSource {
  return new ResourceGraphLiveSource({
    reads,
    connection: azureConnection(settings, env),
    subscriptions: settings.subscriptions,
    concurrency: settings.concurrency,
    deadlineMs: settings.deadline_seconds * 1000,
  });
}

/** A subscription as the parent of its own settings (its activity-log export): only its id is read. */
const subscriptionRow = (sub: string): ResourceRow => armToRow({ id: `/subscriptions/${sub}`, type: SUBSCRIPTIONS }, 'live')!;

function batches(items: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size).map((s) => s.toLowerCase()));
  return out;
}
