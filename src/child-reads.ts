// Which child collections the enabled checks read, so that a live run fetches only those: a run whose checks never
// read SQL auditing makes no SQL call. A check is enabled when it maps to a framework some tenant is audited against.
// A child a check reads but this misses is not collected, so that check says `error` (never a pass).
import type { CheckMeta } from './model.js';

/** What a child collection is read for: its child type, and terms naming its parents in a query. */
export interface ChildRead {
  childType: string;
  readMarks: readonly string[];
}

export function enabledChecks(checks: readonly CheckMeta[], tenants: readonly { frameworks: readonly string[] }[]): CheckMeta[] {
  const frameworks = new Set(tenants.flatMap((t) => t.frameworks));
  return checks.filter((c) => Object.keys(c.requirements).some((fw) => frameworks.has(fw)));
}

/**
 * Whether some check reads the child type under those parents: its query names the child type (`'<type>'`) and one
 * of the marks. Reading the query text is enough: a check's only inputs are the tables its query names.
 */
export function childReader(checks: readonly CheckMeta[]): (read: ChildRead) => boolean {
  const queries = checks.map((c) => c.sql.toLowerCase());
  return ({ childType, readMarks }) =>
    queries.some((q) => q.includes(`'${childType}'`) && readMarks.some((m) => q.includes(m.toLowerCase())));
}
