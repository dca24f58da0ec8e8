// Resource Graph's `resourcechanges`, live: one query over batches of the configured subscriptions (or every one the
// credential reads), paged with $skipToken. Each subscription gets a status under source `resource-changes`; a page
// that fails or never arrives leaves its batch partial or failed with the reason.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { ResourceChangeRow } from '../../model.js';
import { TOOL_VERSION } from '../../version.js';
import { type AzureSettings, azureConnection, requestFailure, stopReason, verifyCredential } from '../azure/connection.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { eventStream } from '../event-stream.js';
import { changeRow, RESOURCE_CHANGES_QUERY, RESOURCE_CHANGES_SOURCE } from './resource-changes.js';

export function liveResourceChanges(settings: AzureSettings, env: NodeJS.ProcessEnv = process.env): Collector {
  const connection = azureConnection(settings, env);
  const client = new ResourceGraphClient(connection.credential, {
    endpoint: connection.armEndpoint,
    credentials: { scopes: [connection.armScope] },
    userAgentOptions: { userAgentPrefix: `compline/${TOOL_VERSION}` },
  });
  const deadlineMs = settings.deadline_seconds * 1000;
  const subscriptions = 'discover' in settings.subscriptions ? [] : settings.subscriptions.map((s) => s.toLowerCase());
  const batches: string[][] = [];
  for (let i = 0; i < subscriptions.length; i += 100) batches.push(subscriptions.slice(i, i + 100));
  if (!batches.length) batches.push([]);

  async function batch(subs: string[], emit: (e: CollectorEvent) => void, outer?: AbortSignal): Promise<void> {
    const counts = new Map(subs.map((s) => [s, 0]));
    let skipToken: string | undefined;
    let problem: string | null = null;
    let rows = 0;
    for (let page = 1; ; page++) {
      const timeout = AbortSignal.timeout(deadlineMs);
      const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
      const where = page === 1 ? 'first page' : `page ${page}`;
      let answer: Awaited<ReturnType<ResourceGraphClient['resources']>>;
      try {
        answer = await client.resources(
          {
            subscriptions: subs.length ? subs : undefined,
            query: RESOURCE_CHANGES_QUERY,
            options: { skipToken, top: 1000, resultFormat: 'objectArray' },
          },
          { abortSignal: signal },
        );
      } catch (e) {
        const why = timeout.aborted
          ? `no answer within ${deadlineMs / 1000} s`
          : outer?.aborted
            ? stopReason(outer)
            : requestFailure(e, connection.redact);
        problem = `${where}: ${why}`;
        break;
      }
      if (!Array.isArray(answer.data)) {
        problem = `${where}: answer without a data array`;
        break;
      }
      const found = (answer.data as unknown[]).map(changeRow).filter((r): r is ResourceChangeRow => r !== null);
      for (const r of found) {
        const sub = r.resource_id.split('/')[2] ?? '';
        if (counts.has(sub)) counts.set(sub, counts.get(sub)! + 1);
      }
      rows += found.length;
      if (found.length) emit({ kind: 'rows', table: 'resource_changes', rows: found });
      if (found.length < answer.data.length) {
        problem = `${where}: ${answer.data.length - found.length} rows without id or targetResourceId`;
        break;
      }
      if (String(answer.resultTruncated).toLowerCase() === 'true') {
        problem = `${where}: result truncated by Resource Graph`;
        break;
      }
      if (!answer.skipToken) break;
      skipToken = answer.skipToken;
    }
    const status = problem === null ? 'ok' : rows > 0 ? 'partial' : 'failed';
    const scopes = subs.length ? subs.map((s) => [`subscription:${s}`, counts.get(s)!] as const) : [['all', rows] as const];
    for (const [scope, n] of scopes)
      emit({ kind: 'status', status: { source: RESOURCE_CHANGES_SOURCE, scope, status, error: problem, rows: n } });
  }

  return {
    source: RESOURCE_CHANGES_SOURCE,
    prepare: (signal) => verifyCredential(connection, signal),
    collect: (signal) =>
      eventStream(async (emit) => {
        for (const b of batches) await batch(b, emit, signal);
      }),
  };
}
