// Diagnostic settings, listed through ARM (Azure Monitor) for every resource whose checks read them and for each
// subscription (its activity-log export). Resource Graph does not hold them: each target takes one GET.
import { MonitorClient } from '@azure/arm-monitor';
import type pLimit from 'p-limit';
import type { ResourceRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import { type AzureConnection, requestFailure, stopReason } from '../azure/connection.js';
import { armToRow } from '../resource-graph/arm-row.js';

export const DIAGNOSTIC_SETTINGS = 'microsoft.insights/diagnosticsettings';

/** The resource types whose diagnostic settings a check reads. */
const TARGET_TYPES: ReadonlySet<string> = new Set([
  'microsoft.keyvault/vaults',
  'microsoft.sql/servers',
  'microsoft.storage/storageaccounts',
  'microsoft.containerservice/managedclusters',
]);

/** Whether a collected row is a resource whose diagnostic settings are listed. */
export const hasDiagnosticTarget = (row: ResourceRow): boolean => TARGET_TYPES.has(row.type);

/** One target's list: its settings as rows, or why it is not whole. */
export interface SettingsOutcome {
  target: string;
  rows: ResourceRow[];
  problem: string | null;
}

export class DiagnosticSettingsLister {
  private readonly client: MonitorClient;

  constructor(
    private readonly connection: AzureConnection,
    private readonly deadlineMs: number,
    retry?: { maxRetries?: number; retryDelayInMs?: number },
  ) {
    this.client = new MonitorClient(connection.credential, {
      endpoint: connection.armEndpoint,
      credentials: { scopes: [connection.armScope] },
      retryOptions: retry,
      userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
    });
  }

  /** Every target's settings, `limit` requests at a time, each within the deadline. */
  listAll(targets: readonly string[], limit: ReturnType<typeof pLimit>, outer?: AbortSignal): Promise<SettingsOutcome[]> {
    return Promise.all(targets.map((t) => limit(() => this.list(t, outer))));
  }

  /** One target (a resource id or `/subscriptions/<id>`, lower case). */
  private async list(target: string, outer: AbortSignal | undefined): Promise<SettingsOutcome> {
    const timeout = AbortSignal.timeout(this.deadlineMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    // The SDK reshapes each setting (properties flattened, fields it does not model dropped): the rows keep the
    // answer's own JSON, as Resource Graph rows do.
    let raw: unknown;
    try {
      const pages = this.client.diagnosticSettings
        .list(target.replace(/^\//, ''), { abortSignal: signal, onResponse: (r) => (raw = r.parsedBody) })
        .byPage();
      // The collection is one page (a resource holds at most five settings); a further page would be fetched
      // without the deadline, so a nextLink makes the list incomplete instead.
      await pages.next();
    } catch (e) {
      let why: string;
      if (timeout.aborted) why = `no answer within ${this.deadlineMs / 1000} s`;
      else if (outer?.aborted) why = stopReason(outer);
      else why = requestFailure(withArmMessage(e, raw), this.connection.redact);
      return { target, rows: [], problem: why };
    }
    const { value, nextLink } = (raw ?? {}) as { value?: unknown; nextLink?: unknown };
    if (!Array.isArray(value)) return { target, rows: [], problem: 'answer without a value array' };
    const rows = value.flatMap((item) => {
      const row = item && typeof item === 'object' ? armToRow(item as Record<string, unknown>, 'live') : null;
      return row ? [row] : [];
    });
    if (rows.length < value.length) return { target, rows, problem: `${value.length - rows.length} settings without id or type` };
    if (nextLink) return { target, rows, problem: 'answer has a further page' };
    return { target, rows, problem: null };
  }
}

/** The SDK's pager words every refusal alike ("Pagination failed ..."): ARM's own message says why. */
function withArmMessage(e: unknown, body: unknown): unknown {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  if (typeof message !== 'string' || !message) return e;
  const { statusCode, code } = e as { statusCode?: number; code?: string };
  return Object.assign(new Error(message), { statusCode, code });
}
