// The one interface every source implements. Nothing outside collectors/ knows Azure or Kubernetes.
import type {
  ChildCoverage,
  IacResourceRow,
  K8sObjectRow,
  K8sUsageRow,
  MetricRow,
  PolicyStateRow,
  ResourceChangeRow,
  ResourceRow,
} from '../model.js';
import type { SourceStatus } from '../store.js';

export type CollectorEvent =
  | { kind: 'rows'; table: 'resources'; rows: ResourceRow[] }
  | { kind: 'rows'; table: 'policy_states'; rows: PolicyStateRow[] }
  | { kind: 'rows'; table: 'iac_resources'; rows: IacResourceRow[] }
  | { kind: 'rows'; table: 'resource_changes'; rows: ResourceChangeRow[] }
  /** Tenants are stamped by the run once every cluster is in (see Store.stampK8sTenants). */
  | { kind: 'rows'; table: 'k8s_objects'; rows: K8sObjectRow[] }
  /** Tenants are stamped by the run from the resources (see Store.stampMetricTenants). */
  | { kind: 'rows'; table: 'metrics'; rows: MetricRow[] }
  /** Tenants are stamped by the run from the namespaces (see Store.stampK8sUsageTenants). */
  | { kind: 'rows'; table: 'k8s_usage'; rows: K8sUsageRow[] }
  /** Parents whose children of a type were all collected; without one, checks over those children say `error`. */
  | { kind: 'coverage'; rows: ChildCoverage[] }
  /** One per scope the collector covered; a scope that is partial or failed makes dependent checks `error`. */
  | {
      kind: 'status';
      status: Omit<SourceStatus, 'tenant_id'> & { /** A scope that is one tenant's alone (a state file). */ tenant_id?: string };
    };

export interface Collector {
  /** Source name recorded in source_status, e.g. `resource-graph`. */
  readonly source: string;
  /** Checks what can be checked before any collection (credentials); throws a UsageError when the source cannot work. */
  prepare?(signal?: AbortSignal): Promise<void>;
  collect(signal?: AbortSignal): AsyncIterable<CollectorEvent>;
}

/** Which sources fill which table: the engine fails a check closed when one of them is incomplete. */
export const TABLE_SOURCES: Record<string, readonly string[]> = {
  resources: ['resource-graph', 'terraform-plan'],
  // A plan needs no rows here: children_collected (src/checks/macros.sql) takes a plan's parents as complete.
  child_coverage: ['resource-graph'],
  policy_states: ['policy'],
  iac_resources: ['terraform-state'],
  resource_changes: ['resource-changes'],
  costs: ['cost'],
  metrics: ['monitor'],
  k8s_objects: ['kubernetes'],
  k8s_usage: ['monitor', 'kubernetes'],
};
