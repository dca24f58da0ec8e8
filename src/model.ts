// The shapes that cross stage boundaries: collectors produce rows, the engine produces findings.

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** pass | fail | error (evidence missing or source incomplete) | waived | unknown (plan value known only after apply). */
export type FindingStatus = 'pass' | 'fail' | 'error' | 'waived' | 'unknown';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One row of the `resources` table, before the store stamps run_id. */
export interface ResourceRow {
  /** Lower-case ARM id, or `plan://<address>` for a Terraform plan resource. */
  id: string;
  /** Lower-case ARM type, e.g. `microsoft.keyvault/vaults`. */
  type: string;
  name: string;
  location: string | null;
  subscription_id: string | null;
  resource_group: string | null;
  tags: Record<string, string> | null;
  sku: Json;
  /** ARM `properties`, exactly as the source returned them (plan values mapped onto ARM names). */
  properties: Json;
  /**
   * ARM's top-level managed `identity` (`type`, `principalId`, `userAssignedIdentities`). Null: the source did not
   * report it (a projected query, an ARM document without the field), which checks over it read as missing evidence.
   * A source that says there is none (Resource Graph's null, a plan without an identity block) gives `{type: "None"}`,
   * ARM's own word for it, so that "none" survives every copy of the row (evidence files hold JSON null and SQL NULL
   * alike).
   */
  identity: Json;
  origin: 'live' | 'file' | 'plan';
  /**
   * The resource this one attaches to, for extension, child and association resources (a diagnostic
   * setting's target, an auditing policy's server, a private endpoint's target, a node pool's cluster).
   * Lower-case ARM id, or `plan://<address>` when the target is itself in the plan.
   */
  parent_id: string | null;
  plan_address: string | null;
  /** Terraform actions, e.g. ["create"], ["delete","create"] for a replace; null outside plans. */
  plan_actions: string[] | null;
  /** ARM property paths (e.g. `properties.enablePurgeProtection`) whose value is known only after apply. */
  unknown_paths: string[] | null;
  /** Secret-bearing attributes found in a plan: attribute name and whether the plan marked it sensitive. Values are never kept. */
  secrets: { attribute: string; sensitive: boolean }[] | null;
  /** Owning tenant; null until tenancy assigns one (unassigned resources land in the platform section). */
  tenant_id: string | null;
}

/** One Azure Policy state (Policy Insights `latest`), before the store stamps run_id and, after collection, tenant_id. */
export interface PolicyStateRow {
  /** Lower-case ARM id of the evaluated resource (a subscription or resource group included). */
  resource_id: string;
  /** Lower-case ARM ids. */
  policy_assignment_id: string | null;
  policy_definition_id: string | null;
  policy_set_definition_id: string | null;
  /** The initiative's groups the definition belongs to, e.g. `PCI_DSS_v4.0.1_3.6.1`. */
  group_names: string[] | null;
  /** As Azure says it: `Compliant`, `NonCompliant`, `Unknown`, `Exempt`, `Conflict`, ...; null when absent. */
  compliance_state: string | null;
  /** ISO 8601 timestamp of the evaluation; null when absent or unreadable. */
  evaluated_at: string | null;
}

/**
 * A source's statement that it collected every child of one type under one parent: the difference between
 * "collected, none exist" and "not collected" for checks over child resources (`child_coverage`).
 */
/** One row of `k8s_objects`: a listed Kubernetes object (src/collectors/kubernetes/object-row.ts says what is kept). */
export interface K8sObjectRow {
  cluster: string;
  kind: string;
  /** Null for cluster-scoped kinds. */
  namespace: string | null;
  name: string;
  uid: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: unknown;
  status: unknown;
  /** Stamped by the run from the namespace or the cluster; null: the platform's. */
  tenant_id: string | null;
}

/** One VM metric's statistics over one UTC day (src/collectors/monitor). */
export interface MetricRow {
  /** Lower-case ARM id. */
  resource_id: string;
  /** Azure Monitor's metric name, e.g. `Percentage CPU`. */
  metric: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  avg: number | null;
  max: number | null;
  p95: number | null;
  /** The smallest interval minimum: for Available Memory Bytes, the least memory left free that day. */
  min: number | null;
  /** The interval values the day's statistics were computed over: few of them is not enough to judge. */
  samples: number;
  /** Stamped by the run from the resource; null: the platform's. */
  tenant_id: string | null;
}

/** One container's usage over the look-back window (src/collectors/monitor). */
export interface K8sUsageRow {
  cluster: string;
  namespace: string;
  pod: string | null;
  container: string | null;
  cpu_p95_mcores: number | null;
  cpu_avg_mcores: number | null;
  mem_max_bytes: number | null;
  mem_avg_bytes: number | null;
  /** Usage samples behind the figures (the fewer of CPU and memory). */
  samples: number;
  /** Hours between the first and the last sample. */
  history_hours: number | null;
  window_days: number;
  /** Stamped by the run from the namespace or the cluster; null: the platform's. */
  tenant_id: string | null;
}

export interface ChildCoverage {
  /** Lower-case ARM id of the parent: a resource, a resource group, or `/subscriptions/<id>`. */
  parent_id: string;
  /** Lower-case ARM type of the children, e.g. `microsoft.sql/servers/firewallrules`. */
  child_type: string;
  source: string;
  /** The source_status scope the statement came from, e.g. `file:estate/sql1-firewall-rules.json`. */
  scope: string;
}

export interface Finding {
  check_id: string;
  resource_id: string;
  tenant_id: string | null;
  status: FindingStatus;
  severity: Severity;
  reason: string;
  evidence: Json;
  waiver_id: string | null;
  /** Terraform address when the resource came from a plan. */
  plan_address: string | null;
}

export interface Remediation {
  portal?: string;
  cli?: string;
  terraform?: string;
}

export interface CheckMeta {
  id: string;
  title: string;
  severity: Severity;
  description?: string;
  tables: string[];
  /** ARM property paths the check reads; a plan value unknown at one of them makes the verdict `unknown`. */
  reads: string[];
  requirements: Record<string, string[]>;
  params: Record<string, number | string | boolean>;
  remediation: Remediation;
  /** Folder holding check.yaml, query.sql, fixtures.yaml. */
  dir: string;
  sql: string;
}

/**
 * One resource a Terraform state tracks (or, from a `-refresh-only` plan, one whose drift it records), before the
 * store stamps run_id. Only what the checks need: never an attribute value beyond ids, type, tags and the ARM
 * properties the catalogue reads (the azurerm mappings, which keep no secret value).
 */
export interface IacResourceRow {
  tenant_id: string;
  environment: string;
  /** The file's key in its container or folder, e.g. `customers/bank_alpha/prod/terraform.tfstate`. */
  workspace_key: string;
  /** `state` (what the state tracks) or `plan` (a resource whose drift a saved refresh-only plan records). */
  document: 'state' | 'plan';
  /** The storage account holding the file, when known. */
  backend_account: string | null;
  address: string;
  /** Terraform type, e.g. `azurerm_key_vault`. */
  tf_type: string;
  /** Lower-case ARM type when Compline maps the Terraform type; null otherwise. */
  type: string | null;
  /** Lower-case ARM id from the state's `id` attribute; null when it is not an ARM id. */
  resource_id: string | null;
  serial: number | null;
  lineage: string | null;
  /** ISO 8601 last-modified time of the file. */
  last_modified: string | null;
  tags: Record<string, string> | null;
  properties: Json;
  /** Attributes a refresh-only plan found changed outside Terraform (names only); null for a state row. */
  drift_attributes: string[] | null;
}

/** The per-instance columns of `iac_resources`, as one line of an `IacDocument`'s `instances`. */
export type IacInstance = Pick<
  IacResourceRow,
  'address' | 'tf_type' | 'type' | 'resource_id' | 'tags' | 'properties' | 'drift_attributes'
>;

/**
 * One Terraform document's rows for the store to read itself: the file's facts once, and its instances as JSON lines
 * (IacInstance each), so no row object per instance is built in JavaScript.
 */
export interface IacDocument
  extends Pick<
    IacResourceRow,
    'tenant_id' | 'environment' | 'workspace_key' | 'document' | 'backend_account' | 'serial' | 'lineage' | 'last_modified'
  > {
  /** Newline-separated JSON objects, one per instance, as UTF-8 bytes (a reader thread hands them over without a copy). */
  instances: Uint8Array;
  count: number;
}

/** One change Resource Graph's `resourcechanges` table records, before the store stamps run_id and tenant. */
export interface ResourceChangeRow {
  change_id: string;
  /** Lower-case ARM id of the changed resource. */
  resource_id: string;
  /** Create, Update or Delete. */
  change_type: string | null;
  /** Property paths that changed (names only; values are not kept). */
  changed_properties: string[];
  /** ISO 8601. */
  changed_at: string | null;
  /** Who made the change, where Azure records it (a UPN, an application or object id). */
  changed_by: string | null;
  client_type: string | null;
  operation: string | null;
}
