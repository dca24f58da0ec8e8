// Azure Policy states, live: the latest states of the configured initiatives and assignments in each subscription,
// through Policy Insights. Every subscription gets a status; a page that fails or never arrives leaves it partial
// (failed when nothing came), with the reason, never short.
import { PolicyInsightsClient } from '@azure/arm-policyinsights';
import pLimit from 'p-limit';
import type { PolicyStateRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import {
  type AzureConnection,
  type AzureSettings,
  azureConnection,
  requestFailure,
  verifyCredential,
} from '../azure/connection.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { eventStream } from '../event-stream.js';
import { jsonReason } from '../json-reason.js';
import { DISCOVERY_SCOPE, ResourceGraphLiveSource } from '../resource-graph/live-source.js';
import { PCI_DSS_INITIATIVE, policyStateRows } from './policy-state.js';

/** The columns a state needs here; Policy Insights answers with every column otherwise (some 40). */
const SELECT =
  'ResourceId, PolicyAssignmentId, PolicyDefinitionId, PolicySetDefinitionId, PolicyDefinitionGroupNames, ComplianceState, IsCompliant, Timestamp';

/**
 * How far back `latest` looks. The service's default is one day, while the standard evaluation cycle runs every 24
 * hours: a cycle that ran late would drop its states from a one-day window.
 */
const WINDOW_DAYS = 7;

export interface PolicyLiveOptions {
  connection: AzureConnection;
  subscriptions: readonly string[];
  /** Finds the subscriptions when the config asks for discovery; a discovery that falls short says why. */
  discover?: (signal?: AbortSignal) => Promise<{ found: string[]; problem: string | null }>;
  /** Policy set definition ids whose states are collected (any case). */
  initiatives: readonly string[];
  /** Policy assignment ids whose states are collected (any case). */
  assignments: readonly string[];
  /** Requests in flight at once. */
  concurrency: number;
  /** How long one page may take, throttling waits and retries included. */
  deadlineMs: number;
  /** The SDK's retries of throttled (429), failed (5xx) and broken requests. */
  retry?: { maxRetries?: number; retryDelayInMs?: number };
}

/** The OData filter that keeps the configured initiatives' and assignments' states; ids are quote-free (config). */
export function statesFilter(initiatives: readonly string[], assignments: readonly string[]): string {
  return [
    ...initiatives.map((id) => `PolicySetDefinitionId eq '${id.toLowerCase()}'`),
    ...assignments.map((id) => `PolicyAssignmentId eq '${id.toLowerCase()}'`),
  ].join(' or ');
}

/** `$skiptoken` of an `@odata.nextLink`: the next page is asked for with it, by POST as the first one was. */
function skipTokenOf(nextLink: string): string | null {
  try {
    const params = new URL(nextLink).searchParams;
    return params.get('$skiptoken') ?? params.get('$skipToken');
  } catch {
    return null;
  }
}

export class PolicyLiveSource implements Collector {
  readonly source = 'policy';
  private readonly client: PolicyInsightsClient;
  private readonly filter: string;

  constructor(private readonly opts: PolicyLiveOptions) {
    const { connection } = opts;
    this.client = new PolicyInsightsClient(connection.credential, {
      endpoint: connection.armEndpoint,
      // The operations build their URLs from $host, not from endpoint.
      $host: connection.armEndpoint,
      credentialScopes: [connection.armScope],
      retryOptions: opts.retry,
      userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
    });
    this.filter = statesFilter(opts.initiatives, opts.assignments);
  }

  prepare(signal?: AbortSignal): Promise<void> {
    return verifyCredential(this.opts.connection, signal);
  }

  collect(signal?: AbortSignal): AsyncIterable<CollectorEvent> {
    const limit = pLimit(this.opts.concurrency);
    return eventStream(async (emit) => {
      const subscriptions = await this.subscriptions(emit, signal);
      await Promise.all(subscriptions.map((s) => limit(() => this.subscription(s.toLowerCase(), emit, signal))));
    });
  }

  private async subscriptions(emit: (e: CollectorEvent) => void, signal: AbortSignal | undefined): Promise<string[]> {
    if (!this.opts.discover) return [...this.opts.subscriptions];
    const { found, problem } = await this.opts.discover(signal);
    if (problem)
      emit({
        kind: 'status',
        status: { source: this.source, scope: DISCOVERY_SCOPE, status: 'failed', error: problem, rows: 0 },
      });
    return found;
  }

  /** Every page of one subscription's states, rows out page by page, then the subscription's status. */
  private async subscription(sub: string, emit: (e: CollectorEvent) => void, outer: AbortSignal | undefined): Promise<void> {
    const from = new Date(Date.now() - WINDOW_DAYS * 86_400_000);
    let rows = 0;
    let problem: string | null = null;
    let skipToken: string | undefined;
    let page = 1;
    for (; ; page++) {
      const answer = await this.page(sub, from, skipToken, outer);
      if (answer.rows.length) emit({ kind: 'rows', table: 'policy_states', rows: answer.rows });
      rows += answer.rows.length;
      if (answer.problem !== null) problem = `${page === 1 ? 'first page' : `page ${page}`}: ${answer.problem}`;
      if (answer.problem !== null || answer.next === null) break;
      skipToken = answer.next;
    }
    // Failed: not one page came. Partial: some did, and what came stays (a non-compliant state found still counts).
    const status = problem === null ? 'ok' : rows > 0 || page > 1 ? 'partial' : 'failed';
    emit({ kind: 'status', status: { source: this.source, scope: `subscription:${sub}`, status, error: problem, rows } });
  }

  /** One page within the deadline: its rows, the skip token of the next (null: the last), or why it is not whole. */
  private async page(
    sub: string,
    from: Date,
    skipToken: string | undefined,
    outer: AbortSignal | undefined,
  ): Promise<{ rows: PolicyStateRow[]; next: string | null; problem: string | null }> {
    const { deadlineMs, connection } = this.opts;
    const timeout = AbortSignal.timeout(deadlineMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    const failed = (problem: string) => ({ rows: [], next: null, problem });
    // The answer's own text: the SDK hands on its model (renamed envelope, timestamps as dates, fields it does not
    // know dropped), and rows are made from what the service said, as from a file.
    let text = '';
    try {
      // No $top: it caps the whole result, not the page. Only the pager's first request is sent: it would ask for
      // the next page by GET, which Policy Insights refuses (HttpMethodNotSupported).
      await this.client.policyStates
        .listQueryResultsForSubscription('latest', sub, {
          queryOptions: { filter: this.filter, select: SELECT, from, skipToken },
          abortSignal: signal,
          onResponse: (r) => (text = r.bodyAsText ?? ''),
        })
        .byPage()
        .next();
    } catch (e) {
      if (timeout.aborted) return failed(`no answer within ${deadlineMs / 1000} s`);
      if (outer?.aborted) return failed('collection cancelled');
      return failed(requestFailure(e, connection.redact));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return failed(jsonReason(e, text));
    }
    const { value, '@odata.nextLink': nextLink } = (body ?? {}) as { value?: unknown; '@odata.nextLink'?: unknown };
    if (!Array.isArray(value)) return failed('answer without a value array');
    const { rows, skipped } = policyStateRows(value);
    if (skipped) return { rows, next: null, problem: `${skipped} records without resourceId` };
    if (typeof nextLink !== 'string' || !nextLink) return { rows, next: null, problem: null };
    const next = skipTokenOf(nextLink);
    return next ? { rows, next, problem: null } : { rows, next: null, problem: '@odata.nextLink without a $skiptoken' };
  }
}

/** The live source a config's `sources.policy` (live) and `azure` sections describe. */
export function livePolicy(
  settings: AzureSettings,
  policy: { initiatives: readonly string[]; assignments: readonly string[] },
  env: NodeJS.ProcessEnv = process.env,
): PolicyLiveSource {
  const connection = azureConnection(settings, env);
  const { subscriptions } = settings;
  const deadlineMs = settings.deadline_seconds * 1000;
  const graph =
    'discover' in subscriptions
      ? new ResourceGraphLiveSource({ connection, subscriptions, concurrency: settings.concurrency, deadlineMs })
      : null;
  return new PolicyLiveSource({
    connection,
    subscriptions: 'discover' in subscriptions ? [] : subscriptions,
    discover: graph ? (signal) => graph.discover(signal) : undefined,
    initiatives: [PCI_DSS_INITIATIVE, ...policy.initiatives.filter((i) => i.toLowerCase() !== PCI_DSS_INITIATIVE)],
    assignments: policy.assignments,
    concurrency: settings.concurrency,
    deadlineMs,
  });
}
