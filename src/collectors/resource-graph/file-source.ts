// Resource Graph replay from files: `az graph query` output, Resource Graph API pages, ARM lists, ARM collection
// documents (`{ id: <collection path>, value: [...] }`, which also say their parent's children were all collected) or
// single ARM resources.
import type { ResourceRow } from '../../model.js';
import type { Collector, CollectorEvent } from '../collector.js';
import { jsonDocuments } from '../json-files.js';
import { armToRow, collectionOf } from './arm-row.js';

interface PageShape {
  rows: unknown[];
  /** Why the file holds less than the whole result, when it says so itself. */
  incomplete: string | null;
  /** For a whole ARM collection: the parent and child type it lists completely. */
  collection: { parent_id: string; child_type: string } | null;
  /** Resource Graph's own count of the result (`totalRecords`), when the page carries it. */
  total?: number;
}

/** Resource Graph's older table format: `{ columns: [{name}], rows: [[...]] }`. */
function tableRows(data: { columns: { name: string }[]; rows: unknown[][] }): unknown[] {
  return data.rows.map((r) => Object.fromEntries(data.columns.map((c, i) => [c.name, r[i]])));
}

function pageOf(doc: unknown): PageShape | null {
  if (Array.isArray(doc)) return { rows: doc, incomplete: null, collection: null };
  if (!doc || typeof doc !== 'object') return null;
  const o = doc as Record<string, unknown>;
  if ('data' in o) {
    const data = o.data as unknown;
    const rows = Array.isArray(data)
      ? data
      : data && typeof data === 'object' && Array.isArray((data as { rows?: unknown }).rows)
        ? tableRows(data as { columns: { name: string }[]; rows: unknown[][] })
        : null;
    if (!rows) return null;
    const skip = o.$skipToken ?? o.skip_token ?? o.skipToken;
    const truncated = String(o.resultTruncated ?? o.result_truncated ?? 'false').toLowerCase() === 'true';
    const total = Number(o.totalRecords ?? o.total_records ?? Number.NaN);
    let incomplete: string | null = null;
    if (truncated) incomplete = 'result truncated by Resource Graph';
    else if (typeof skip === 'string' && skip.length > 0)
      incomplete = `page has a skip token: ${Number.isFinite(total) ? total - rows.length : 'more'} rows not in the file`;
    else if (Number.isSafeInteger(total) && total !== rows.length)
      incomplete = `${rows.length} rows in the file, Resource Graph counted ${total}`;
    return { rows, incomplete, collection: null, ...(Number.isSafeInteger(total) ? { total } : {}) };
  }
  if (Array.isArray(o.value)) {
    const incomplete = typeof o.nextLink === 'string' && o.nextLink ? 'list has a nextLink: later pages not in the file' : null;
    // A plain list cannot say which parents it is complete for; a collection document names its path.
    const collection = typeof o.id === 'string' && o.type === undefined && !incomplete ? collectionOf(o.id) : null;
    return { rows: o.value, incomplete, collection };
  }
  if (typeof o.id === 'string' && typeof o.type === 'string') return { rows: [o], incomplete: null, collection: null };
  return null;
}

export class ResourceGraphFileSource implements Collector {
  readonly source = 'resource-graph';
  constructor(
    private readonly paths: readonly string[],
    private readonly baseDir: string,
  ) {}

  async *collect(): AsyncIterable<CollectorEvent> {
    for await (const file of jsonDocuments(this.paths, this.baseDir)) {
      if (file.problem !== undefined) yield fileStatus(file.label, 'failed', file.problem, 0);
      else yield* this.replay(file.doc, file.label);
    }
  }

  private *replay(doc: unknown, label: string): Iterable<CollectorEvent> {
    const page = pageOf(doc);
    if (!page) {
      yield fileStatus(label, 'failed', 'not a Resource Graph result, ARM list or ARM resource', 0);
      return;
    }
    const rows: ResourceRow[] = [];
    let skipped = 0;
    for (const item of page.rows) {
      const row = item && typeof item === 'object' ? armToRow(item as Record<string, unknown>, 'file') : null;
      if (row) rows.push(row);
      else skipped++;
    }
    if (rows.length > 0) yield { kind: 'rows', table: 'resources', rows };
    if (page.collection && skipped === 0) {
      yield { kind: 'coverage', rows: [{ ...page.collection, source: this.source, scope: `file:${label}` }] };
    }
    const problems = [page.incomplete, skipped > 0 ? `${skipped} rows without id or type` : null].filter(Boolean);
    const counted =
      page.total !== undefined && !page.incomplete ? `${page.rows.length} rows matched Resource Graph's totalRecords` : null;
    yield fileStatus(
      label,
      problems.length ? 'partial' : 'ok',
      problems.length ? problems.join('; ') : null,
      rows.length,
      counted,
    );
  }
}

function fileStatus(
  label: string,
  status: 'ok' | 'partial' | 'failed',
  error: string | null,
  rows: number,
  reconciliation: string | null = null,
): CollectorEvent {
  return { kind: 'status', status: { source: 'resource-graph', scope: `file:${label}`, status, error, rows, reconciliation } };
}
