// Resource Graph's `resourcechanges` table: who changed which resource, when, and which properties (names only: a
// changed value may be a secret). From Resource Graph result pages in files; the live query is RESOURCE_CHANGES_QUERY.
import type { ResourceChangeRow } from '../../model.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { jsonDocuments } from '../json-files.js';

export const RESOURCE_CHANGES_SOURCE = 'resource-changes';

/** The live query: the last 14 days Resource Graph keeps, projected to what a row needs. */
export const RESOURCE_CHANGES_QUERY =
  'resourcechanges | extend a = properties.changeAttributes | project id, properties, changedAt = todatetime(a.timestamp) | order by changedAt asc';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** One `resourcechanges` row as Resource Graph returns it; null when it names no changed resource. */
export function changeRow(item: unknown): ResourceChangeRow | null {
  if (!isObj(item) || !isObj(item.properties)) return null;
  const p = item.properties;
  const target = str(p.targetResourceId);
  const id = str(item.id);
  if (!target || !id) return null;
  const a = isObj(p.changeAttributes) ? p.changeAttributes : {};
  const when = str(a.timestamp);
  return {
    change_id: id.toLowerCase(),
    resource_id: target.toLowerCase(),
    change_type: str(p.changeType),
    changed_properties: isObj(p.changes) ? Object.keys(p.changes).sort() : [],
    changed_at: when && !Number.isNaN(Date.parse(when)) ? new Date(when).toISOString() : null,
    changed_by: str(a.changedBy),
    client_type: str(a.clientType),
    operation: str(a.operation),
  };
}

export class ResourceChangesFileSource implements Collector {
  readonly source = RESOURCE_CHANGES_SOURCE;
  constructor(
    private readonly paths: readonly string[],
    private readonly baseDir: string,
  ) {}

  async *collect(): AsyncIterable<CollectorEvent> {
    for await (const file of jsonDocuments(this.paths, this.baseDir)) {
      const scope = `file:${file.label}`;
      if (file.problem !== undefined) {
        yield { kind: 'status', status: { source: this.source, scope, status: 'failed', error: file.problem, rows: 0 } };
        continue;
      }
      const doc = file.doc;
      const items = Array.isArray(doc) ? doc : isObj(doc) && Array.isArray(doc.data) ? doc.data : null;
      if (!items) {
        const error = 'not a Resource Graph result of resourcechanges';
        yield { kind: 'status', status: { source: this.source, scope, status: 'failed', error, rows: 0 } };
        continue;
      }
      const rows = items.map(changeRow).filter((r): r is ResourceChangeRow => r !== null);
      const problems: string[] = [];
      const o = isObj(doc) ? doc : {};
      const skip = o.$skipToken ?? o.skipToken;
      if (typeof skip === 'string' && skip) problems.push('page has a skip token: later rows not in the file');
      if (String(o.resultTruncated ?? 'false').toLowerCase() === 'true') problems.push('result truncated by Resource Graph');
      if (rows.length < items.length) problems.push(`${items.length - rows.length} rows without id or targetResourceId`);
      if (rows.length) yield { kind: 'rows', table: 'resource_changes', rows };
      yield {
        kind: 'status',
        status: {
          source: this.source,
          scope,
          status: problems.length ? 'partial' : 'ok',
          error: problems.length ? problems.join('; ') : null,
          rows: rows.length,
        },
      };
    }
  }
}
