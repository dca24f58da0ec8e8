// The one interface every source implements. Nothing outside collectors/ knows Azure or Kubernetes.
import type {
  ChildCoverage,
  IacDocument,
  K8sObjectRow,
  K8sUsageRow,
  MetricRow,
  PolicyStateRow,
  ResourceChangeRow,
  ResourceRow,
} from '../model.js';
import type { SourceStatus } from '../store.js';
import type { CostExport } from './cost/load-export.js';

export type CollectorEvent =
  | { kind: 'rows'; table: 'resources'; rows: ResourceRow[] }
  | { kind: 'rows'; table: 'policy_states'; rows: PolicyStateRow[] }
  /** Terraform documents' rows (src/collectors/terraform-state), for the store to load in one statement. */
  | { kind: 'iac-documents'; documents: IacDocument[] }
  | { kind: 'rows'; table: 'resource_changes'; rows: ResourceChangeRow[] }
  /** Tenants are stamped by the run once every cluster is in (see Store.stampK8sTenants). */
  | { kind: 'rows'; table: 'k8s_objects'; rows: K8sObjectRow[] }
  /** Tenants are stamped by the run from the resources (see Store.stampMetricTenants). */
  | { kind: 'rows'; table: 'metrics'; rows: MetricRow[] }
  /** Tenants are stamped by the run from the namespaces (see Store.stampK8sUsageTenants). */
  | { kind: 'rows'; table: 'k8s_usage'; rows: K8sUsageRow[] }
  /**
   * A cost export on disk for the store to read itself (DuckDB's read_csv / read_parquet, no row in JavaScript); the
   * run records its status under source `cost`, scope `file:<label>`. The file stays until the event is handled.
   */
  | { kind: 'cost-export'; file: CostExport }
  /** Cost rows a live source read (FOCUS column names, `x_` extras); tenant_id stays null, allocation attributes them. */
  | { kind: 'rows'; table: 'costs'; rows: CostRow[] }
  /** Parents whose children of a type were all collected; without one, checks over those children say `error`. */
  | { kind: 'coverage'; rows: ChildCoverage[] }
  /** One per scope the collector covered; a scope that is partial or failed makes dependent checks `error`. */
  | {
      kind: 'status';
      status: Omit<SourceStatus, 'tenant_id'> & {
        /** A scope that is one tenant's alone (a state file; a file of one tenant's resources, stamped by the run). */ tenant_id?: string;
      };
    };

/** One `costs` row as a live source builds it: column name → value (numbers, ISO times, Tags as an object). */
export type CostRow = Record<string, string | number | Record<string, string> | null>;

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
