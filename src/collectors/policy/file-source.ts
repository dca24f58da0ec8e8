// Azure Policy states replayed from files: Policy Insights query results (`{ "@odata.nextLink"?, value: [...] }`, as
// the REST API answers) or the plain record arrays `az policy state list` prints.
import type { Collector, CollectorEvent } from '../collector.js';
import { jsonDocuments } from '../json-files.js';
import { policyStateRows } from './policy-state.js';

/** The records of a query-results document, and why it holds less than the whole result when it says so. */
function recordsOf(doc: unknown): { records: unknown[]; incomplete: string | null } | null {
  if (Array.isArray(doc)) return { records: doc, incomplete: null };
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { value?: unknown }).value)) return null;
  const o = doc as Record<string, unknown>;
  const next = o['@odata.nextLink'] ?? o.nextLink;
  return {
    records: o.value as unknown[],
    incomplete: typeof next === 'string' && next ? 'results have an @odata.nextLink: later pages not in the file' : null,
  };
}

export class PolicyFileSource implements Collector {
  readonly source = 'policy';
  constructor(
    private readonly paths: readonly string[],
    private readonly baseDir: string,
  ) {}

  async *collect(): AsyncIterable<CollectorEvent> {
    for await (const file of jsonDocuments(this.paths, this.baseDir)) {
      if (file.problem !== undefined) {
        yield this.status(file.label, file.problem, 0, true);
        continue;
      }
      const page = recordsOf(file.doc);
      if (!page) {
        yield this.status(file.label, 'not Policy Insights query results (no value array)', 0, true);
        continue;
      }
      const { rows, skipped } = policyStateRows(page.records);
      if (rows.length) yield { kind: 'rows', table: 'policy_states', rows };
      const problems = [page.incomplete, skipped ? `${skipped} records without resourceId` : null].filter((p) => p !== null);
      yield this.status(file.label, problems.length ? problems.join('; ') : null, rows.length, false);
    }
  }

  private status(label: string, error: string | null, rows: number, failed: boolean): CollectorEvent {
    const status = failed ? 'failed' : error ? 'partial' : 'ok';
    return { kind: 'status', status: { source: this.source, scope: `file:${label}`, status, error, rows } };
  }
}
