// What changed in a tenant's findings since its previous run. Pure: the run's findings and the history in, the delta out.
import type { Finding, FindingStatus, Severity } from '../model.js';
import { byCodePoint } from '../ordering.js';
import type { FindingHistory } from '../store.js';

export interface DeltaEntry {
  check_id: string;
  resource_id: string;
  severity: Severity;
  /** The verdict in the previous run; null when the previous run did not evaluate the pair. */
  before: FindingStatus | null;
  /** The verdict now; null when this run no longer evaluates the pair (the resource is gone). */
  now: FindingStatus | null;
}

export interface FindingDelta {
  /** The run compared against; null on the tenant's first run, when every failure is new. */
  previous_run: string | null;
  /** Failing now, and not failing when last known: never evaluated, or waived, before. */
  new: DeltaEntry[];
  /** Failing now after passing when last known. */
  regressed: DeltaEntry[];
  /** Failing when last known and passing now, or failing in the previous run and gone from a whole run. */
  resolved: DeltaEntry[];
}

const key = (check: string, resource: string) => `${check}\u0000${resource}`;

/**
 * Compares against each pair's last definite verdict (pass, fail or waived), not only the previous run's: a night whose
 * source was partial turns verdicts into `error`, and the night after must not call the same failures new again.
 * A pair that disappeared counts as resolved only when this run saw everything (`complete`): a resource missing
 * from a partial collection is not fixed.
 */
export function findingDelta(
  findings: readonly Pick<Finding, 'check_id' | 'resource_id' | 'status' | 'severity'>[],
  history: FindingHistory,
  complete: boolean,
): FindingDelta {
  const delta: FindingDelta = { previous_run: history.previous?.run_id ?? null, new: [], regressed: [], resolved: [] };
  const seen = new Set<string>();
  for (const f of findings) {
    const k = key(f.check_id, f.resource_id);
    seen.add(k);
    const last = history.lastDefinite.get(k);
    const before = (history.inPrevious.get(k)?.status as FindingStatus | undefined) ?? null;
    const entry = { check_id: f.check_id, resource_id: f.resource_id, severity: f.severity, before, now: f.status };
    if (f.status === 'fail' && last === 'pass') delta.regressed.push(entry);
    else if (f.status === 'fail' && last !== 'fail') delta.new.push(entry);
    else if (f.status === 'pass' && last === 'fail') delta.resolved.push(entry);
  }
  if (complete)
    for (const [k, before] of history.inPrevious) {
      if (before.status !== 'fail' || seen.has(k)) continue;
      const [check_id = '', resource_id = ''] = k.split('\u0000');
      delta.resolved.push({ check_id, resource_id, severity: before.severity as Severity, before: 'fail', now: null });
    }
  const order = (a: DeltaEntry, b: DeltaEntry) =>
    byCodePoint(a.check_id, b.check_id) || byCodePoint(a.resource_id, b.resource_id);
  for (const list of [delta.new, delta.regressed, delta.resolved]) list.sort(order);
  return delta;
}
