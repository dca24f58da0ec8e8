// Child and extension resources Resource Graph does not hold (diagnostic settings, SQL auditing, TDE, blob-service
// properties, lifecycle policies, flexible server parameters, Front Door security policies, Key Vault certificates),
// listed through ARM (or a vault's data plane) one parent at a time: `limit` requests at once, each page within the
// deadline. The rows keep each answer's own JSON, as Resource Graph rows do: the SDKs reshape what they model
// (properties flattened, unmodelled fields dropped), so the raw body is read through `onResponse`.
import type { FullOperationResponse, OperationOptions } from '@azure/core-client';
import type pLimit from 'p-limit';
import type { ResourceRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import { type AzureConnection, requestFailure, stopReason } from '../azure/connection.js';
import { armToRow } from '../resource-graph/arm-row.js';

/** What one list call takes: the abort signal of its deadline and the hook that sees every raw answer. */
export type ListOptions = Required<Pick<OperationOptions, 'abortSignal' | 'onResponse'>>;

/** One kind of child: which parents it is listed under, and how one parent's list is asked for. */
export interface ChildKind {
  /** The child type child_coverage records, lower case (`microsoft.sql/servers/auditingsettings`). */
  childType: string;
  /**
   * The resource type whose rows are parents (or lead to them, through `parentOf`), lower case;
   * `microsoft.resources/subscriptions` stands for every subscription collected.
   */
  parentType: string;
  /**
   * The parent a row of parentType leads to when it is not the row's own id (a server's master database); null: the
   * row has none of these children to list (a CDN profile that is not Front Door).
   */
  parentOf?: (row: ResourceRow) => string | null;
  /**
   * Terms of a check's SQL that, beside the child type, show it reads these children under these parents
   * (`'microsoft.keyvault/vaults'`): children no enabled check reads are not fetched.
   */
  readMarks: readonly string[];
  /** What the list is of, in reasons (`auditing settings`). */
  noun: string;
  /**
   * Starts one parent's list: an SDK pager's pages (each page one request) or a single GET. The parent is a lower-case
   * ARM id (ARM ids and names are case-insensitive); `row` the Resource Graph row it came from.
   */
  list(parent: string, options: ListOptions, row: ResourceRow): AsyncIterable<unknown> | Promise<unknown>;
  /** The ARM error code of a 404 that means the parent has none of these (a GET of a child that may not exist). */
  noneCode?: string;
  /** The rows of answers that are not ARM resources (a vault's data plane); ARM lists and objects when not given. */
  rowsOf?: (bodies: readonly unknown[], parent: string) => { rows: ResourceRow[]; problem: string | null };
}

/** One parent's list: its children as rows, or why it is not whole. */
export interface ChildOutcome {
  kind: ChildKind;
  parent: string;
  rows: ResourceRow[];
  problem: string | null;
}

/** One parent's list to make: the kind, the parent's id and the row it came from. */
export interface ChildWork {
  kind: ChildKind;
  parent: string;
  row: ResourceRow;
}

/** The resource group and the names along an ARM id: `/subscriptions/s/resourceGroups/rg/providers/ns/t/a/u/b` → rg, [a, b]. */
export function idNames(id: string): { resourceGroup: string; names: string[] } {
  const m = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)\/providers\/[^/]+\/(.+)$/i.exec(id);
  if (!m) throw new Error(`not a resource id: ${id}`);
  return { resourceGroup: m[1]!, names: m[2]!.split('/').filter((_, i) => i % 2 === 1) };
}

export class ChildLister {
  constructor(
    private readonly connection: AzureConnection,
    private readonly deadlineMs: number,
  ) {}

  /** Every parent's list, `limit` requests at a time. */
  listAll(work: readonly ChildWork[], limit: ReturnType<typeof pLimit>, outer?: AbortSignal): Promise<ChildOutcome[]> {
    return Promise.all(work.map((w) => limit(() => this.list(w, outer))));
  }

  private async list({ kind, parent, row }: ChildWork, outer: AbortSignal | undefined): Promise<ChildOutcome> {
    // The deadline is per request: each answer that arrives restarts it for the next page.
    const deadline = new AbortController();
    let timedOut = false;
    const arm = () =>
      setTimeout(() => {
        timedOut = true;
        deadline.abort();
      }, this.deadlineMs);
    let timer = arm();
    const signal = outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal;
    const bodies: unknown[] = [];
    let last: unknown;
    const onResponse = (r: FullOperationResponse) => {
      last = rawBody(r);
      if (r.status >= 200 && r.status < 300) bodies.push(last);
      clearTimeout(timer);
      timer = arm();
    };
    try {
      const pending = kind.list(parent, { abortSignal: signal, onResponse }, row);
      if (Symbol.asyncIterator in pending) for await (const _ of pending);
      else await pending;
    } catch (e) {
      const { statusCode } = e as { statusCode?: number };
      if (kind.noneCode && statusCode === 404 && armError(last)?.code === kind.noneCode)
        return { kind, parent, rows: [], problem: null };
      let why: string;
      if (timedOut) why = `no answer within ${this.deadlineMs / 1000} s`;
      else if (outer?.aborted) why = stopReason(outer);
      else why = requestFailure(withArmMessage(e, last), this.connection.redact);
      return { kind, parent, rows: [], problem: why };
    } finally {
      clearTimeout(timer);
    }
    return { kind, parent, ...(kind.rowsOf ? kind.rowsOf(bodies, parent) : rowsOf(bodies)) };
  }
}

/** The rows of a list's pages (`{ value: [...] }` each) or of a single GET's object. */
function rowsOf(bodies: unknown[]): { rows: ResourceRow[]; problem: string | null } {
  const rows: ResourceRow[] = [];
  let items = 0;
  for (const body of bodies) {
    if (!body || typeof body !== 'object') return { rows, problem: 'answer without a JSON object' };
    const { value } = body as { value?: unknown };
    const list = 'value' in body ? value : [body];
    if (!Array.isArray(list)) return { rows, problem: 'answer without a value array' };
    for (const item of list) {
      items++;
      const row = item && typeof item === 'object' ? armToRow(item as Record<string, unknown>, 'live') : null;
      if (row) rows.push(row);
    }
  }
  if (bodies.length === 0) return { rows, problem: 'no answer' };
  if (rows.length < items) return { rows, problem: `${items - rows.length} items without id or type` };
  return { rows, problem: null };
}

/**
 * The answer's JSON as ARM sent it. Clients on @azure/core-client (arm-sql) put their deserialized model in
 * parsedBody (properties flattened); the text is the answer itself.
 */
function rawBody(r: FullOperationResponse): unknown {
  if (typeof r.bodyAsText === 'string' && r.bodyAsText) {
    try {
      return JSON.parse(r.bodyAsText);
    } catch {
      return undefined;
    }
  }
  return r.parsedBody;
}

const armError = (body: unknown) => (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;

/** The SDK's pager words every refusal alike ("Pagination failed ..."): ARM's own message says why. */
function withArmMessage(e: unknown, body: unknown): unknown {
  const message = armError(body)?.message;
  if (typeof message !== 'string' || !message) return e;
  const { statusCode, code } = e as { statusCode?: number; code?: string };
  return Object.assign(new Error(message), { statusCode, code });
}

/** The SDK's retries of throttled (429), failed (5xx) and broken requests. */
export interface RetryOptions {
  maxRetries?: number;
  retryDelayInMs?: number;
}

/** What every ARM client is built with: the connection's endpoint and token scope, the retries, our user agent. */
export function armClientOptions(connection: AzureConnection, retry?: RetryOptions) {
  return {
    endpoint: connection.armEndpoint,
    credentials: { scopes: [connection.armScope] },
    retryOptions: retry,
    userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
  };
}

/** The subscription id an ARM id is under. */
export function subscriptionOf(id: string): string {
  const m = /^\/subscriptions\/([^/]+)/i.exec(id);
  if (!m) throw new Error(`not an ARM id: ${id}`);
  return m[1]!;
}
