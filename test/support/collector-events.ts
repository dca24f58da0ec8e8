// What a collector emits, drained and sorted by kind, for tests of one source.
import type { Collector } from '../../src/collectors/collector.js';
import type { ChildCoverage, K8sObjectRow, PolicyStateRow, ResourceRow } from '../../src/model.js';
import type { SourceStatus } from '../../src/store.js';

export async function drainCollector(collector: Collector) {
  const resources: ResourceRow[] = [];
  const policyStates: PolicyStateRow[] = [];
  const coverage: ChildCoverage[] = [];
  const k8sObjects: K8sObjectRow[] = [];
  const statuses: Omit<SourceStatus, 'tenant_id'>[] = [];
  for await (const e of collector.collect()) {
    if (e.kind === 'rows' && e.table === 'resources') resources.push(...e.rows);
    else if (e.kind === 'rows' && e.table === 'k8s_objects') k8sObjects.push(...e.rows);
    else if (e.kind === 'rows' && e.table === 'policy_states') policyStates.push(...e.rows);
    else if (e.kind === 'coverage') coverage.push(...e.rows);
    else if (e.kind === 'status') statuses.push(e.status);
  }
  return { resources, policyStates, coverage, k8sObjects, statuses };
}

/** Statuses by scope, for one assertion over every scope. */
export const byScope = (statuses: Omit<SourceStatus, 'tenant_id'>[]) =>
  Object.fromEntries(statuses.map((s) => [s.scope, { status: s.status, error: s.error, rows: s.rows }]));
