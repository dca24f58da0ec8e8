// DuckDB store: table DDL, batch appends stamped with run_id, per-run views for rules, Parquet export.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance as Instance } from '@duckdb/node-api';
import { UsageError } from './errors.js';
import type {
  ChildCoverage,
  IacDocument,
  K8sObjectRow,
  K8sUsageRow,
  MetricRow,
  PolicyStateRow,
  ResourceChangeRow,
  ResourceRow,
} from './model.js';

/** Columns every table carries; rules never see run_id (views filter on it). */
const STAMP = 'run_id varchar not null, tenant_id varchar';

/**
 * FOCUS columns of `costs` beyond the first set, and the `x_` extras of every cost row: where it came from
 * (`x_SourceFormat` focus-1.0 / focus-1.2 / focus-1.3 / ea-actual / ea-amortized / query-api, `x_SourceFile`,
 * `x_SourceRow` the data row in that file, 1 = first after the header), the resource group, and the raw EA/MCA
 * ChargeType. Added later than the first set, so a store file written before gains them on open.
 */
const COST_EXTRAS = [
  'BillingAccountId varchar',
  'BillingAccountName varchar',
  'BillingPeriodStart timestamptz',
  'BillingPeriodEnd timestamptz',
  'SubAccountName varchar',
  'ChargeClass varchar',
  'ChargeDescription varchar',
  'ChargeFrequency varchar',
  'ContractedCost decimal(18,6)',
  'ContractedUnitPrice decimal(18,6)',
  'ListUnitPrice decimal(18,6)',
  'ConsumedQuantity decimal(18,6)',
  'ConsumedUnit varchar',
  'PricingCategory varchar',
  'CommitmentDiscountName varchar',
  'CommitmentDiscountCategory varchar',
  'CommitmentDiscountStatus varchar',
  'CommitmentDiscountType varchar',
  'ResourceName varchar',
  'ServiceSubcategory varchar',
  'ProviderName varchar',
  'PublisherName varchar',
  'x_ResourceGroupName varchar',
  'x_ChargeType varchar',
  'x_SourceFormat varchar',
  'x_SourceFile varchar',
  'x_SourceRow bigint',
] as const;
const COST_EXTRA_COLUMNS = COST_EXTRAS.join(', ');

export const TABLE_DDL: Record<string, string> = {
  runs: `run_id varchar primary key, mode varchar not null, started_at timestamptz not null,
    finished_at timestamptz, tool_version varchar not null, config_sha256 varchar, status varchar not null`,
  /** The run's tenants as configured, so rules can read tiers, frameworks, environments and regions. */
  tenants: `${STAMP}, name varchar not null, tier varchar not null, frameworks varchar[] not null,
    environments varchar[] not null, regions varchar[]`,
  /** `reconciliation`: how the rows delivered were checked against the source's own count, where it gives one. */
  source_status: `${STAMP}, source varchar not null, scope varchar not null, status varchar not null,
    error varchar, rows bigint not null, reconciliation varchar`,
  resources: `${STAMP}, id varchar not null, type varchar not null, name varchar, location varchar,
    subscription_id varchar, resource_group varchar, tags json, sku json, properties json, origin varchar not null,
    parent_id varchar, plan_address varchar, plan_actions varchar[], unknown_paths varchar[], secrets json,
    identity json`,
  /**
   * One row: every child of child_type under parent_id was collected by source. No row: not collected, which
   * checks over children report as `error`. Tenant: the parent resource's, stamped after collection.
   */
  child_coverage: `${STAMP}, parent_id varchar not null, child_type varchar not null, source varchar not null,
    scope varchar not null`,
  policy_states: `${STAMP}, resource_id varchar not null, policy_assignment_id varchar, policy_definition_id varchar,
    policy_set_definition_id varchar, group_names varchar[], compliance_state varchar, evaluated_at timestamptz`,
  costs: `${STAMP}, BilledCost decimal(18,6), EffectiveCost decimal(18,6), ListCost decimal(18,6),
    ChargePeriodStart timestamptz, ChargePeriodEnd timestamptz, ResourceId varchar, ResourceType varchar,
    ServiceName varchar, ServiceCategory varchar, SubAccountId varchar, RegionId varchar, SkuId varchar,
    PricingQuantity decimal(18,6), PricingUnit varchar, ChargeCategory varchar, CommitmentDiscountId varchar,
    BillingCurrency varchar, Tags json, ${COST_EXTRA_COLUMNS}`,
  /** A VM metric per UTC day; `min` is what Available Memory Bytes is judged by (the least memory left free). */
  metrics: `${STAMP}, resource_id varchar not null, metric varchar not null, day date not null,
    avg double, max double, p95 double, samples bigint, min double`,
  k8s_objects: `${STAMP}, cluster varchar not null, kind varchar not null, namespace varchar, name varchar not null,
    uid varchar, labels json, annotations json, spec json, status json`,
  /** Container usage over the look-back window; `samples` and `history_hours` say whether there is enough to judge. */
  k8s_usage: `${STAMP}, cluster varchar not null, namespace varchar not null, pod varchar, container varchar,
    cpu_p95_mcores double, mem_max_bytes double, window_days integer, samples bigint, cpu_avg_mcores double,
    mem_avg_bytes double, history_hours double`,
  findings: `${STAMP}, check_id varchar not null, resource_id varchar not null, status varchar not null,
    severity varchar not null, reason varchar, evidence json, waiver_id varchar, first_seen_run varchar,
    plan_address varchar`,
  /**
   * FinOps rule results. status: `recommend` (action, proposals, savings), `not-enough-data` (too few samples or too
   * short a history to judge: no action, never a guess) or `error` (input source incomplete for the scope, or the
   * rule's query failed: withheld). monthly_savings is null when a price is missing, never 0 in its place.
   */
  recommendations: `${STAMP}, rule_id varchar not null, resource_id varchar not null, action varchar,
    current json, proposed json, monthly_savings decimal(18,2), currency varchar, confidence varchar, reason varchar,
    evidence json, price_sheet_date date, status varchar`,
  /** The dated price sheet (Azure Retail Prices API items) rules and the gate price with; one sheet per run. */
  prices: `${STAMP}, sheet_date date not null, currency_code varchar not null, service_name varchar,
    product_name varchar, sku_name varchar, arm_sku_name varchar, arm_region_name varchar, meter_name varchar,
    unit_of_measure varchar, retail_price double not null, price_type varchar`,
  /**
   * Each day's cost split between tenants (tenant null: the platform's buckets, unassigned and idle), to the cent per
   * day and currency. source: direct, shared-cluster, shared-namespace, shared-service, idle, unassigned; method: how.
   */
  allocations: `${STAMP}, day date not null, source varchar not null, amount decimal(18,6), currency varchar,
    method varchar, service varchar, cluster varchar, namespace varchar, detail varchar`,
  /** Why a tenant's (null: the platform's) allocation of the run is incomplete; no row: complete. */
  allocation_gaps: `${STAMP}, reason varchar not null`,
  /** Cost anomaly and budget forecast per tenant: status ok, alert or insufficient_data, each with its reason. */
  finops_signals: `${STAMP}, kind varchar not null, day date, status varchar not null, amount decimal(18,2),
    expected decimal(18,2), score double, threshold double, currency varchar, reason varchar not null, evidence json,
    new boolean`,
  /** Resources Terraform states track, per tenant and environment (src/collectors/terraform-state). */
  iac_resources: `${STAMP}, environment varchar not null, workspace_key varchar not null, document varchar not null,
    backend_account varchar, address varchar not null, tf_type varchar not null, type varchar, resource_id varchar,
    serial bigint, lineage varchar, last_modified timestamptz, tags json, properties json, drift_attributes varchar[]`,
  /** Resource Graph `resourcechanges`: who changed which resource when. Tenant: the resource's, after collection. */
  resource_changes: `${STAMP}, change_id varchar not null, resource_id varchar not null, change_type varchar,
    changed_properties varchar[], changed_at timestamptz, changed_by varchar, client_type varchar, operation varchar`,
  /** Each alert message a run sent or tried to send, after its reports were published. */
  alert_deliveries: `${STAMP}, route integer not null, kind varchar not null, status varchar not null,
    attempts integer not null, items integer not null, error varchar, finished_at timestamptz not null`,
};

/**
 * Columns added since a store file could first be written, each `table column type`: a store from an earlier version
 * gains them on open (earlier runs read null there). Nullable, as the rows already written have no value.
 */
const ADDED_COLUMNS = [
  'tenants regions varchar[]',
  'resources identity json',
  'source_status reconciliation varchar',
  'k8s_usage cpu_avg_mcores double',
  'k8s_usage mem_avg_bytes double',
  'k8s_usage history_hours double',
  'recommendations evidence json',
  'recommendations price_sheet_date date',
  'metrics min double',
  'recommendations status varchar',
  'allocations service varchar',
  'allocations cluster varchar',
  'allocations namespace varchar',
  'allocations detail varchar',
  ...COST_EXTRAS.map((c) => `costs ${c}`),
];

/** A table's columns and their DuckDB types, from its DDL. */
export function tableColumns(table: string): { name: string; type: string }[] {
  const ddl = TABLE_DDL[table];
  if (!ddl) throw new Error(`no table ${table}`);
  // Commas inside parentheses (decimal(18,6)) do not separate columns.
  return ddl
    .split(/,(?![^(]*\))/)
    .map((c) => c.trim().split(/\s+/))
    .map(([name, type]) => ({ name: name!, type: type! }));
}

/** Tables a rule may read (everything collectors fill, plus the engine's own run metadata). */
export const RULE_TABLES = Object.keys(TABLE_DDL).filter((t) => t !== 'runs' && t !== 'alert_deliveries');

/** A tenant's previous run, as the delta and alerts compare against it. */
export interface PreviousRun {
  run_id: string;
  status: 'ok' | 'partial' | 'failed';
  /** UTC day the run started (YYYY-MM-DD). */
  day: string;
}

/** What the history says of a tenant's findings before a run. */
export interface FindingHistory {
  previous: PreviousRun | null;
  /** `check \0 resource` → the last pass, fail or waived verdict in any earlier run (error and unknown say nothing). */
  lastDefinite: Map<string, 'pass' | 'fail' | 'waived'>;
  /** `check \0 resource` → the verdict and severity in the previous run. */
  inPrevious: Map<string, { status: string; severity: string }>;
  /** Source scopes the previous run did not collect whole (`source \0 scope`). */
  incompleteBefore: Set<string>;
}

export interface AlertDelivery {
  tenant_id: string;
  route: number;
  kind: string;
  status: 'delivered' | 'failed';
  attempts: number;
  items: number;
  error: string | null;
}

/** What one cost export added: rows inserted, rows refused, and the first refused row's reason. */
export interface CostLoad {
  rows: number;
  refused: number;
  /** `row N, column X: why`, N the data row (1 = the first after the header); null when nothing was refused. */
  problem: string | null;
}

export interface RunInfo {
  runId: string;
  mode: 'nightly' | 'gate';
  toolVersion: string;
  configSha256: string | null;
}

export interface SourceStatus {
  source: string;
  /** `subscription:<id>`, `discovery:subscriptions`, `cluster:<name>`, `file:<path>`, or `plan:<label>`. */
  scope: string;
  status: 'ok' | 'partial' | 'failed';
  error: string | null;
  rows: number;
  tenant_id: string | null;
  /**
   * How `rows` was checked against the source's own count (Resource Graph `totalRecords`, the Kubernetes list's
   * `remainingItemCount`); absent where the source gives none. A count that disagrees makes the scope partial.
   */
  reconciliation?: string | null;
}

/** One run of a tenant's trend: its open findings by status (error includes unknown). */
export interface TrendPoint {
  run_id: string;
  started_at: string;
  fail: number;
  error: number;
  waived: number;
}

export interface PolicyGroupCounts {
  tenant_id: string | null;
  /** Lower case. */
  group_name: string;
  compliant: number;
  non_compliant: number;
  not_evaluated: number;
}

// Loaded with require: importing the CommonJS package from ESM makes Node scan its 124 files for named
// exports first, a third of the gate's start-up.
const { DuckDBInstance, LIST, VARCHAR, timestampTZValue } = createRequire(import.meta.url)(
  '@duckdb/node-api',
) as typeof import('@duckdb/node-api');

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const VARCHAR_LIST = LIST(VARCHAR);
/** DuckDB's memory limit; a cost load streams a whole file and runs with less, so the process stays under 2 GB. */
const MEMORY_LIMIT = '2GB';
const LOAD_MEMORY_LIMIT = '1536MB';

function appendNullable(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

function appendList(a: DuckDBAppender, v: readonly string[] | null): void {
  if (v === null) a.appendNull();
  else a.appendList(v, VARCHAR_LIST);
}

type SqlParam = string | number | boolean | null;

export class Store {
  private constructor(
    private readonly instance: Instance,
    /** Collectors and the engine write through this one. */
    private readonly writer: DuckDBConnection,
    /** Rules read through these; their temp views scope every table to one run. Several, so queries overlap. */
    private readonly readers: DuckDBConnection[],
    private readonly catalog: string,
  ) {}

  private get reader(): DuckDBConnection {
    return this.readers[0]!;
  }

  /**
   * `threads`: DuckDB's own workers. Queries also run on the calling connections' threads, so the gate's
   * small queries keep overlapping with one worker, which leaves a 2-core runner's other core to JS.
   */
  static async open(path: string, opts: { threads?: number } = {}): Promise<Store> {
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path, { threads: String(opts.threads ?? 2), memory_limit: MEMORY_LIMIT });
    const writer = await instance.connect();
    for (const [table, ddl] of Object.entries(TABLE_DDL)) {
      await writer.run(`create table if not exists ${table} (${ddl})`);
    }
    for (const added of ADDED_COLUMNS) {
      const [table, column, type] = added.split(' ');
      await writer.run(`alter table ${table} add column if not exists ${column} ${type}`);
    }
    const readers = [await instance.connect(), await instance.connect(), await instance.connect()];
    const catalog = String((await writer.runAndReadAll('select current_database()')).getRows()[0]?.[0]);
    return new Store(instance, writer, readers, catalog);
  }

  async beginRun(run: RunInfo): Promise<void> {
    // A run id given twice (`--run-id`) names one run. One left `running` was cut short (the process died; the store's
    // lock means no other holds it now): its rows go and the run starts again. One that finished stays, untouched.
    const found = await this.writer.runAndReadAll('select status from runs where run_id = $1', [run.runId]);
    const previous = found.getRows()[0]?.[0];
    if (previous === 'running') await this.discardRun(run.runId);
    else if (previous !== undefined)
      throw new UsageError(`run ${run.runId} is already in the store (${String(previous)}); a run id names one run`);
    await this.writer.run(`insert into runs values ($1, $2, now(), null, $3, $4, 'running')`, [
      run.runId,
      run.mode,
      run.toolVersion,
      run.configSha256,
    ]);
  }

  async finishRun(runId: string, status: 'ok' | 'partial' | 'failed'): Promise<void> {
    await this.writer.run(`update runs set finished_at = now(), status = $2 where run_id = $1`, [runId, status]);
  }

  /** Removes every row of a run that could not be published: the history holds published runs only. */
  async discardRun(runId: string): Promise<void> {
    for (const table of Object.keys(TABLE_DDL)) await this.writer.run(`delete from ${table} where run_id = $1`, [runId]);
  }

  async recordSource(runId: string, s: SourceStatus): Promise<void> {
    await this.writer.run(`insert into source_status values ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      runId,
      s.tenant_id,
      s.source,
      s.scope,
      s.status,
      s.error,
      s.rows,
      s.reconciliation ?? null,
    ]);
  }

  async recordTenants(
    runId: string,
    tenants: readonly {
      id: string;
      name: string;
      tier: string;
      frameworks: readonly string[];
      environments: readonly string[];
      regions: readonly string[];
    }[],
  ): Promise<void> {
    const a = await this.writer.createAppender('tenants', 'main', this.catalog);
    for (const t of tenants) {
      a.appendVarchar(runId);
      a.appendVarchar(t.id);
      a.appendVarchar(t.name);
      a.appendVarchar(t.tier);
      appendList(a, t.frameworks);
      appendList(a, t.environments);
      appendList(a, t.regions);
      a.endRow();
    }
    a.closeSync();
  }

  async appendResources(runId: string, rows: readonly ResourceRow[]): Promise<void> {
    const a = await this.writer.createAppender('resources', 'main', this.catalog);
    for (const r of rows) {
      a.appendVarchar(runId);
      appendNullable(a, r.tenant_id);
      a.appendVarchar(r.id);
      a.appendVarchar(r.type);
      appendNullable(a, r.name);
      appendNullable(a, r.location);
      appendNullable(a, r.subscription_id);
      appendNullable(a, r.resource_group);
      appendNullable(a, json(r.tags));
      appendNullable(a, json(r.sku));
      appendNullable(a, json(r.properties));
      a.appendVarchar(r.origin);
      appendNullable(a, r.parent_id);
      appendNullable(a, r.plan_address);
      appendList(a, r.plan_actions);
      appendList(a, r.unknown_paths);
      appendNullable(a, json(r.secrets));
      appendNullable(a, json(r.identity));
      a.endRow();
    }
    a.closeSync();
  }

  async appendRecommendations(runId: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    await this.insertJsonRows(runId, 'recommendations', rows);
  }

  /**
   * Terraform documents' rows in one statement: DuckDB reads each document's JSON lines itself (in parallel) and
   * takes the file's facts from a list beside them, so a 5,000-instance state costs no JavaScript per row.
   */
  async appendIacDocuments(runId: string, documents: readonly IacDocument[]): Promise<void> {
    const docs = documents.filter((d) => d.instances.length > 0);
    if (!docs.length) return;
    const dir = await mkdtemp(join(tmpdir(), 'compline-iac-'));
    try {
      const files = docs.map((_, i) => join(dir, `${i}.jsonl`));
      await Promise.all(docs.map((d, i) => writeFile(files[i]!, d.instances)));
      const text = (v: string | null) => (v === null ? 'null' : `'${v.replaceAll("'", "''")}'`);
      const facts = docs
        .map(
          (d, i) =>
            `(${text(files[i]!)}, ${text(d.tenant_id)}, ${text(d.environment)}, ${text(d.workspace_key)}, ${text(d.document)}, ` +
            `${text(d.backend_account)}, ${Number.isSafeInteger(d.serial) ? d.serial : 'null'}::bigint, ${text(d.lineage)}, ` +
            `${text(d.last_modified)}::timestamptz)`,
        )
        .join(',\n');
      const longest = Math.max(...docs.map((d) => d.instances.byteLength));
      await this.writer.run(
        `insert into iac_resources by name
         select ${text(runId)} as run_id, f.* exclude (filename), i.* exclude (filename)
         from read_json([${files.map(text).join(', ')}], format = 'newline_delimited', filename = true,
                        maximum_object_size = ${Math.max(16 * 1024 ** 2, longest)},
                        columns = {'address': 'varchar', 'tf_type': 'varchar', 'type': 'varchar', 'resource_id': 'varchar',
                                   'tags': 'json', 'properties': 'json', 'drift_attributes': 'varchar[]'}) i
         join (values ${facts}) f(filename, tenant_id, environment, workspace_key, document, backend_account, serial,
                                  lineage, last_modified) using (filename)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async appendResourceChanges(runId: string, rows: readonly ResourceChangeRow[]): Promise<void> {
    await this.insertJsonRows(runId, 'resource_changes', rows as unknown as Record<string, unknown>[]);
  }

  /** Gives each change its resource's tenant, else the tenancy rules over its id (`owner`); run after collection. */
  async stampChangeTenants(runId: string, owner: (id: string) => string | null): Promise<void> {
    await this.writer.run(
      `update resource_changes c set tenant_id = r.tenant_id from resources r
       where c.run_id = $1 and r.run_id = $1 and r.id = c.resource_id`,
      [runId],
    );
    const orphans = await this.writer.runAndReadAll(
      'select distinct resource_id from resource_changes where run_id = $1 and tenant_id is null',
      [runId],
    );
    for (const [id] of orphans.getRows()) {
      const tenant = owner(String(id));
      if (tenant !== null)
        await this.writer.run('update resource_changes set tenant_id = $3 where run_id = $1 and resource_id = $2', [
          runId,
          String(id),
          tenant,
        ]);
    }
  }

  async appendCoverage(runId: string, rows: readonly ChildCoverage[]): Promise<void> {
    const a = await this.writer.createAppender('child_coverage', 'main', this.catalog);
    for (const c of rows) {
      a.appendVarchar(runId);
      a.appendNull();
      a.appendVarchar(c.parent_id);
      a.appendVarchar(c.child_type);
      a.appendVarchar(c.source);
      a.appendVarchar(c.scope);
      a.endRow();
    }
    a.closeSync();
  }

  /** Gives each coverage row its parent's tenant; run once every collector is done, as a parent may come later. */
  async stampCoverageTenants(runId: string): Promise<void> {
    await this.writer.run(
      `update child_coverage c set tenant_id = (select any_value(r.tenant_id) from resources r where r.run_id = $1 and r.id = c.parent_id)
       where c.run_id = $1`,
      [runId],
    );
  }

  /**
   * A flow log no tenant claims by its own id (they live in the platform's NetworkWatcherRG) belongs to the tenant
   * of the NSG or virtual network it logs: it is that resource's setting, and its evidence.
   */
  async stampFlowLogTenants(runId: string): Promise<void> {
    await this.writer.run(
      `update resources f set tenant_id = (select any_value(t.tenant_id) from resources t
         where t.run_id = $1 and lower(t.id) = lower(f.properties->>'$.targetResourceId'))
       where f.run_id = $1 and f.tenant_id is null and f.type = 'microsoft.network/networkwatchers/flowlogs'`,
      [runId],
    );
  }

  async appendK8sObjects(runId: string, rows: readonly K8sObjectRow[]): Promise<void> {
    const a = await this.writer.createAppender('k8s_objects', 'main', this.catalog);
    for (const o of rows) {
      a.appendVarchar(runId);
      appendNullable(a, o.tenant_id);
      a.appendVarchar(o.cluster);
      a.appendVarchar(o.kind);
      appendNullable(a, o.namespace);
      a.appendVarchar(o.name);
      appendNullable(a, o.uid);
      appendNullable(a, json(o.labels));
      appendNullable(a, json(o.annotations));
      appendNullable(a, json(o.spec));
      appendNullable(a, json(o.status));
      a.endRow();
    }
    a.closeSync();
  }

  /**
   * Gives each Kubernetes object its tenant once every cluster is collected (a namespace's labels may arrive after its
   * pods): every object of a cluster `cluster` dedicates to a tenant is that tenant's; elsewhere a namespaced object
   * (and its Namespace) belongs to `namespace`'s answer from the Namespace's `label`, and the rest to the platform.
   */
  async stampK8sTenants(
    runId: string,
    owner: {
      cluster: (cluster: string) => string | null;
      namespace: (name: string, label: string | null) => string | null;
    },
    label: string,
  ): Promise<void> {
    const found = await this.writer.runAndReadAll(
      `select o.cluster, o.ns, any_value(n.labels->>$2) as label
       from (select distinct cluster, coalesce(namespace, name) as ns from k8s_objects
             where run_id = $1 and (namespace is not null or kind = 'Namespace')) o
       left join k8s_objects n on n.run_id = $1 and n.kind = 'Namespace' and n.cluster = o.cluster and n.name = o.ns
       group by all`,
      [runId, `$."${label.replaceAll('"', '\\"')}"`],
    );
    const owned: string[] = [];
    const dedicated = new Map<string, string | null>();
    for (const [cluster, ns, value] of found.getRows() as [string, string, string | null][]) {
      if (!dedicated.has(cluster)) dedicated.set(cluster, owner.cluster(cluster));
      if (dedicated.get(cluster)) continue;
      const tenant = owner.namespace(ns, value);
      if (tenant !== null) owned.push(cluster, ns, tenant);
    }
    const clusters = await this.writer.runAndReadAll('select distinct cluster from k8s_objects where run_id = $1', [runId]);
    for (const [cluster] of clusters.getRows() as [string][]) {
      const tenant = dedicated.get(cluster) ?? owner.cluster(cluster);
      if (tenant !== null)
        await this.writer.run('update k8s_objects set tenant_id = $3 where run_id = $1 and cluster = $2', [
          runId,
          cluster,
          tenant,
        ]);
    }
    // One statement for every namespace: thousands of single updates would each scan the table.
    for (let i = 0; i < owned.length; i += 3 * 1000) {
      const chunk = owned.slice(i, i + 3 * 1000);
      const values = Array.from({ length: chunk.length / 3 }, (_, j) => `($${3 * j + 2}, $${3 * j + 3}, $${3 * j + 4})`);
      await this.writer.run(
        `update k8s_objects o set tenant_id = m.tenant from (values ${values.join(', ')}) m(cluster, ns, tenant)
         where o.run_id = $1 and o.tenant_id is null and o.cluster = m.cluster and coalesce(o.namespace, o.name) = m.ns
           and (o.namespace is not null or o.kind = 'Namespace')`,
        [runId, ...chunk],
      );
    }
  }

  async appendMetrics(runId: string, rows: readonly MetricRow[]): Promise<void> {
    await this.insertJsonRows(runId, 'metrics', rows as unknown as Record<string, unknown>[]);
  }

  /** Gives each metric row its resource's tenant, else the tenancy rules over its id (`owner`); run after collection. */
  async stampMetricTenants(runId: string, owner: (id: string) => string | null): Promise<void> {
    await this.writer.run(
      `update metrics m set tenant_id = r.tenant_id from resources r
       where m.run_id = $1 and r.run_id = $1 and r.id = m.resource_id`,
      [runId],
    );
    const orphans = await this.writer.runAndReadAll(
      `select distinct resource_id from metrics m where run_id = $1
       and not exists (select 1 from resources r where r.run_id = $1 and r.id = m.resource_id)`,
      [runId],
    );
    for (const [id] of orphans.getRows()) {
      const tenant = owner(String(id));
      if (tenant !== null)
        await this.writer.run('update metrics set tenant_id = $3 where run_id = $1 and resource_id = $2', [
          runId,
          String(id),
          tenant,
        ]);
    }
  }

  async appendK8sUsage(runId: string, rows: readonly K8sUsageRow[]): Promise<void> {
    await this.insertJsonRows(runId, 'k8s_usage', rows as unknown as Record<string, unknown>[]);
  }

  /**
   * Gives each container's usage its namespace's tenant, once stampK8sTenants has run: the tenant of the collected
   * Namespace object; for a namespace no Kubernetes source collected, the cluster's tenant, else the namespace
   * rules over its name alone (`owner`, as for a Namespace without the label).
   */
  async stampK8sUsageTenants(
    runId: string,
    owner: {
      cluster: (cluster: string) => string | null;
      namespace: (name: string, label: string | null) => string | null;
    },
  ): Promise<void> {
    await this.writer.run(
      `update k8s_usage u set tenant_id = n.tenant_id from k8s_objects n
       where u.run_id = $1 and n.run_id = $1 and n.kind = 'Namespace' and n.cluster = u.cluster and n.name = u.namespace`,
      [runId],
    );
    const unseen = await this.writer.runAndReadAll(
      `select distinct cluster, namespace from k8s_usage u where run_id = $1 and not exists
         (select 1 from k8s_objects n where n.run_id = $1 and n.kind = 'Namespace' and n.cluster = u.cluster and n.name = u.namespace)`,
      [runId],
    );
    for (const [cluster, ns] of unseen.getRows() as [string, string][]) {
      const tenant = owner.cluster(cluster) ?? owner.namespace(ns, null);
      if (tenant !== null)
        await this.writer.run('update k8s_usage set tenant_id = $4 where run_id = $1 and cluster = $2 and namespace = $3', [
          runId,
          cluster,
          ns,
          tenant,
        ]);
    }
  }

  async appendPolicyStates(runId: string, rows: readonly PolicyStateRow[]): Promise<void> {
    const a = await this.writer.createAppender('policy_states', 'main', this.catalog);
    for (const p of rows) {
      a.appendVarchar(runId);
      a.appendNull();
      a.appendVarchar(p.resource_id);
      appendNullable(a, p.policy_assignment_id);
      appendNullable(a, p.policy_definition_id);
      appendNullable(a, p.policy_set_definition_id);
      appendList(a, p.group_names);
      appendNullable(a, p.compliance_state);
      if (p.evaluated_at === null) a.appendNull();
      else a.appendTimestampTZ(timestampTZValue(BigInt(Date.parse(p.evaluated_at)) * 1000n));
      a.endRow();
    }
    a.closeSync();
  }

  /**
   * Gives each policy state its tenant, once every collector is done: the tenant of the resource it evaluates when
   * that was collected, else the tenancy rules over its id (`owner`), as for any subject that is not a resource row.
   */
  async stampPolicyTenants(runId: string, owner: (id: string) => string | null): Promise<void> {
    await this.writer.run(
      `update policy_states p set tenant_id = r.tenant_id from resources r
       where p.run_id = $1 and r.run_id = $1 and r.id = p.resource_id`,
      [runId],
    );
    const orphans = await this.writer.runAndReadAll(
      `select distinct resource_id from policy_states p where run_id = $1
       and not exists (select 1 from resources r where r.run_id = $1 and r.id = p.resource_id)`,
      [runId],
    );
    for (const [id] of orphans.getRows()) {
      const tenant = owner(String(id));
      if (tenant !== null)
        await this.writer.run('update policy_states set tenant_id = $3 where run_id = $1 and resource_id = $2', [
          runId,
          String(id),
          tenant,
        ]);
    }
  }

  /**
   * Per tenant (null: the platform) and policy definition group, how many of the run's states are compliant,
   * non-compliant, or neither (Unknown, Exempt, Conflict, NotStarted, absent, ...). Groups compare case-insensitively.
   */
  async policyGroupCounts(runId: string): Promise<PolicyGroupCounts[]> {
    const result = await this.writer.runAndReadAll(
      `select tenant_id, lower(g) as group_name,
         count(*) filter (where lower(compliance_state) = 'compliant')::integer as compliant,
         count(*) filter (where lower(compliance_state) = 'noncompliant')::integer as non_compliant,
         count(*) filter (where compliance_state is null or lower(compliance_state) not in ('compliant', 'noncompliant'))::integer as not_evaluated
       from (select tenant_id, compliance_state, unnest(group_names) as g from policy_states where run_id = $1)
       group by all order by all`,
      [runId],
    );
    return result.getRowObjectsJson() as unknown as PolicyGroupCounts[];
  }

  /**
   * A tenant's (null: the platform's) findings history before `runId`: nightly runs that finished, and for the
   * previous run only one the tenant was part of.
   */
  async findingHistory(runId: string, tenantId: string | null): Promise<FindingHistory> {
    const earlier = `r.run_id <> $1 and r.mode = 'nightly' and r.status <> 'running'
      and r.started_at <= (select started_at from runs where run_id = $1)`;
    const mine = 'f.tenant_id is not distinct from $2::varchar';
    const prev = await this.writer.runAndReadAll(
      `select r.run_id, r.status, strftime(r.started_at at time zone 'UTC', '%Y-%m-%d') from runs r
       where ${earlier} and ($2::varchar is null or exists (select 1 from tenants t where t.run_id = r.run_id and t.tenant_id = $2))
       order by r.started_at desc limit 1`,
      [runId, tenantId],
    );
    const row = prev.getRows()[0];
    const previous = row
      ? { run_id: String(row[0]), status: String(row[1]) as PreviousRun['status'], day: String(row[2]) }
      : null;
    const history: FindingHistory = { previous, lastDefinite: new Map(), inPrevious: new Map(), incompleteBefore: new Set() };
    if (!previous) return history;
    const definite = await this.writer.runAndReadAll(
      `select f.check_id, f.resource_id, arg_max(f.status, r.started_at) from findings f join runs r using (run_id)
       where ${earlier} and ${mine} and f.status in ('pass', 'fail', 'waived') group by all`,
      [runId, tenantId],
    );
    for (const [check, resource, status] of definite.getRows())
      history.lastDefinite.set(`${check}\u0000${resource}`, String(status) as 'pass' | 'fail' | 'waived');
    const last = await this.writer.runAndReadAll(
      `select f.check_id, f.resource_id, f.status, f.severity from findings f where f.run_id = $1 and ${mine}`,
      [previous.run_id, tenantId],
    );
    for (const [check, resource, status, severity] of last.getRows())
      history.inPrevious.set(`${check}\u0000${resource}`, { status: String(status), severity: String(severity) });
    const sources = await this.writer.runAndReadAll(
      `select source, scope from source_status where run_id = $1 and status <> 'ok' and (tenant_id is null or tenant_id = $2::varchar)`,
      [previous.run_id, tenantId],
    );
    for (const [source, scope] of sources.getRows()) history.incompleteBefore.add(`${source}\u0000${scope}`);
    return history;
  }

  async recordAlertDeliveries(runId: string, deliveries: readonly AlertDelivery[]): Promise<void> {
    for (const d of deliveries)
      await this.writer.run(`insert into alert_deliveries values ($1, $2, $3, $4, $5, $6, $7, $8, now())`, [
        runId,
        d.tenant_id,
        d.route,
        d.kind,
        d.status,
        d.attempts,
        d.items,
        d.error,
      ]);
  }

  /**
   * A tenant's open findings (fail, error or unknown, waived) of its last `limit` nightly runs up to and including
   * `runId`, oldest first, counted over `checks` only; `tenant` null is the platform.
   */
  async findingTrend(runId: string, tenant: string | null, checks: readonly string[], limit = 12): Promise<TrendPoint[]> {
    const result = await this.writer.runAndReadAll(
      `select r.run_id, strftime(r.started_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as started_at,
         count(f.check_id) filter (where f.status = 'fail')::integer as fail,
         count(f.check_id) filter (where f.status in ('error', 'unknown'))::integer as error,
         count(f.check_id) filter (where f.status = 'waived')::integer as waived
       from runs r left join findings f
         on f.run_id = r.run_id and coalesce(f.tenant_id, '') = $2
         and list_contains(from_json($3, '["VARCHAR"]'), f.check_id)
       where r.mode = 'nightly' and r.status <> 'running'
         and r.started_at <= (select started_at from runs where run_id = $1)
       group by r.run_id, r.started_at order by r.started_at desc limit ${Math.max(1, Math.floor(limit))}`,
      [runId, tenant ?? '', JSON.stringify(checks)],
    );
    return (result.getRowObjectsJson() as unknown as TrendPoint[]).reverse();
  }

  /** Scopes every rule-visible table to one run on every reader connection. */
  async scopeToRun(runId: string): Promise<void> {
    const run = runId.replaceAll("'", "''");
    // One batch per connection: a dozen separate statements cost more than the views themselves.
    const views = RULE_TABLES.map(
      (table) =>
        `create or replace temp view ${table} as select * exclude (run_id) from "${this.catalog}".main.${table} where run_id = '${run}'`,
    ).join(';\n');
    await Promise.all(this.readers.map((reader) => reader.run(views)));
  }

  /** Runs definitions (temporary macros) on every reader connection. */
  async defineOnReaders(sql: string): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.run(sql)));
  }

  /** Runs SQL on the run-scoped reader, with positional parameters ($1, …); rows as plain JS objects. */
  async read<T = Record<string, unknown>>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    return this.readOnReader<T>(0, sql, params);
  }

  /**
   * `read` a chunk of rows at a time (DuckDB's vector, 2,048 rows): a large result is never held whole beside the
   * objects made of it. Consume it to the end before the first reader runs another statement.
   */
  async *readChunks<T = Record<string, unknown>>(sql: string, params: SqlParam[] = []): AsyncGenerator<T[]> {
    const result = await this.readers[0]!.stream(sql, params.length ? params : undefined);
    for await (const rows of result.yieldRowObjectJson()) yield rows as T[];
  }

  /** How many run-scoped readers there are: statements on different ones run at once. */
  get readerCount(): number {
    return this.readers.length;
  }

  /** Runs a statement on a run-scoped reader (default the first): temp tables live on the connection that made them. */
  async execOnReader(sql: string, params: SqlParam[] = [], reader = 0): Promise<void> {
    await this.readers[reader]!.run(sql, params.length ? params : undefined);
  }

  /** `read` on a given run-scoped reader, where its temp tables are. */
  async readOnReader<T = Record<string, unknown>>(reader: number, sql: string, params: SqlParam[] = []): Promise<T[]> {
    const result = await this.readers[reader]!.runAndReadAll(sql, params.length ? params : undefined);
    return result.getRowObjectsJson() as T[];
  }

  /** A table of the store by its full name: on the readers, the run-scoped views of the same names come first. */
  table(name: string): string {
    return `"${this.catalog.replaceAll('"', '""')}".main.${name}`;
  }

  /**
   * Runs many queries at once across the readers, so DuckDB computes the next while JS converts the
   * last. Each result is a row list, or the error that query raised.
   */
  async readMany<T = Record<string, unknown>>(sqls: readonly string[]): Promise<(T[] | Error)[]> {
    const out: (T[] | Error)[] = [];
    for await (const rows of this.readEach<T>(sqls)) out.push(rows);
    return out;
  }

  /**
   * readMany, one result at a time: each query's rows become JS objects only when the caller takes them, so a caller
   * that lets them go holds one query's rows at a time, not every query's (millions of objects on a large estate).
   */
  async *readEach<T = Record<string, unknown>>(sqls: readonly string[]): AsyncIterable<T[] | Error> {
    // The rejection handler is attached at once: a query failing before its turn must not go unhandled.
    const pending = sqls.map((sql, i) =>
      this.readers[i % this.readers.length]!.runAndReadAll(sql).then(
        (result) => result,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      ),
    );
    // Each result is dropped from the list when taken, so DuckDB's copy goes once converted.
    for (let p = pending.shift(); p; p = pending.shift()) {
      const result = await p;
      yield result instanceof Error ? result : (result.getRowObjectsJson() as T[]);
    }
  }

  /**
   * Rows as JSON objects (JSON columns as values, lists as arrays) into a table, stamped with a run id. DuckDB
   * reads them itself, typed by the table's DDL: no per-row JavaScript conversion.
   */
  async insertJsonRows(runId: string, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (!rows.length) return;
    const cols = tableColumns(table);
    const dir = await mkdtemp(join(tmpdir(), 'compline-rows-'));
    try {
      const file = join(dir, 'rows.json');
      const text = JSON.stringify(rows.map((r) => ({ ...r, run_id: runId })));
      await writeFile(file, text);
      // No row is larger than the file; DuckDB sizes its buffer by this, so it stays near the data.
      const maxObject = Math.max(16 * 1024 ** 2, Buffer.byteLength(text));
      const types = cols.map((c) => `'${c.name}': '${c.type}'`).join(', ');
      await this.writer.run(
        `insert into ${table} by name select * from read_json('${file.replaceAll("'", "''")}', format = 'array', columns = {${types}}, maximum_object_size = ${maxObject})`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Loads one cost export. `select` (src/collectors/cost/cost-select.ts) yields every `costs` column
   * but run_id and tenant_id (left null: allocation attributes cost), `x_SourceRow`, and `_problem`, why a row is
   * refused; `file` is its x_SourceFile. Refused too: lines read_csv could not split or cast (recorded in `rejects.table`,
   * named by `rejects.reason`, SQL over that table), and
   * rows whose BillingCurrency differs from the file's first row's (one export is billed in one currency). The rest
   * stay; a select that fails (an unreadable file) inserts nothing.
   *
   * The file is read once, in parallel: every row goes into `costs`, a refused one under a run id no run can have (the
   * reason after a marker), so what was refused is summed from the table and those rows are deleted.
   * With `numberRows` (a CSV, whose reader cannot say a row's line), x_SourceRow comes from the order of insertion:
   * DuckDB keeps a scan's order when it inserts (preserve_insertion_order), so the rows of one insert hold
   * consecutive row ids in file order. Numbering rows in the scan (row_number() over ()) would read the file on one
   * thread.
   *
   * The insert commits on its own and the numbering, counting and refusals follow in one transaction: numbering rows
   * the same transaction inserted rewrote the table at commit (10 M rows: 23 s, against 0.5 s once they are committed).
   * If that transaction fails, the file's rows are deleted again; a process that dies between the two leaves its rows
   * under a run still `running`, which no report reads and `beginRun` discards.
   */
  async loadCosts(
    runId: string,
    file: string,
    select: string,
    opts: { rejects: { table: string; reason: string } | null; numberRows: boolean },
  ): Promise<CostLoad> {
    const w = this.writer;
    const rejectsTable = opts.rejects?.table;
    const rowsOf = async (sql: string, params: string[] = []) => (await w.runAndReadAll(sql, params)).getRows();
    const dropRejects = async () => {
      if (!rejectsTable) return;
      await w.run(`drop table if exists temp.${rejectsTable}`);
      await w.run(`drop table if exists temp.${rejectsTable}_scans`);
    };
    // Run ids are letters, digits, '.', '_' and '-': a space makes this no run's id.
    const refusedMark = `${runId} refused: `;
    const ours = '(run_id = $1 or starts_with(run_id, $2)) and x_SourceFile = $3';
    const params = [runId, refusedMark, file];
    // Times without an offset are UTC, whatever the machine's zone.
    await w.run("set TimeZone = 'UTC'");
    await w.run('set preserve_insertion_order = true');
    // DuckDB's buffers fill to its limit while a large file streams in; below the process's 2 GB, with room for Node.
    await w.run(`set memory_limit = '${LOAD_MEMORY_LIMIT}'`);
    let inserted = false;
    try {
      await dropRejects();
      await w.run(
        `insert into costs by name select coalesce($2 || _problem, $1) as run_id, * exclude (_problem) from (${select})`,
        [runId, refusedMark],
      );
      inserted = true;
      await w.run('begin transaction');
      if (opts.numberRows)
        await w.run(
          `update costs set x_SourceRow = rowid - (select min(rowid) from costs where ${ours}) + 1 where ${ours}`,
          params,
        );
      const rejected = rejectsTable
        ? await rowsOf(
            // One line may hold several errors (a value per column it could not cast): the line counts once, by its first.
            `select line - 1 as row, arg_min(${opts.rejects!.reason}, coalesce(column_idx, 0)) from temp.${rejectsTable} group by line order by line`,
          )
        : [];
      if (rejected.length)
        // Rows were numbered among the lines read_csv kept: each rejected line before a row moves it down by one.
        await w.run(
          `update costs c set x_SourceRow = c.x_SourceRow + (
             select count(*) from (select line - 1 - (row_number() over (order by line) - 1) as kept_before
                                   from (select distinct line from temp.${rejectsTable})) r where r.kept_before - 1 < c.x_SourceRow)
           where (c.run_id = $1 or starts_with(c.run_id, $2)) and c.x_SourceFile = $3`,
          params,
        );
      // Per currency: rows kept, the first of them; per reason: rows refused, the first of them.
      const summary = await rowsOf(
        `select starts_with(run_id, $2) as refused, BillingCurrency, count(*), min(x_SourceRow), arg_min(run_id, x_SourceRow)
         from costs where ${ours} group by all`,
        params,
      );
      const problems: [number, string][] = rejected.map(([row, reason]) => [Number(row), String(reason)]);
      let refused = rejected.length;
      let rows = 0;
      for (const [bad, , count, row, reason] of summary) {
        if (!bad) continue;
        refused += Number(count);
        problems.push([Number(row), String(reason).slice(refusedMark.length)]);
      }
      if (refused > rejected.length)
        await w.run('delete from costs where starts_with(run_id, $1) and x_SourceFile = $2', [refusedMark, file]);
      const kept = summary.filter(([bad, currency]) => !bad && currency !== null).sort((a, b) => Number(a[3]) - Number(b[3]));
      const first = kept[0]?.[1];
      for (const [bad, currency, good, firstRow] of summary) {
        if (bad) continue;
        if (first === undefined || currency === null || currency === first) {
          rows += Number(good);
          continue;
        }
        refused += Number(good);
        problems.push([Number(firstRow), `column BillingCurrency: ${currency} in a file billed in ${first}`]);
        await w.run('delete from costs where run_id = $1 and x_SourceFile = $2 and BillingCurrency = $3', [
          runId,
          file,
          String(currency),
        ]);
      }
      await w.run('commit');
      const worst = problems.sort((a, b) => a[0] - b[0])[0];
      return { rows, refused, problem: worst ? `row ${worst[0]}, ${worst[1]}` : null };
    } catch (e) {
      if (inserted) {
        await w.run('rollback').catch(() => undefined);
        await w.run(`delete from costs where ${ours}`, params);
      }
      throw e;
    } finally {
      await w.run(`set memory_limit = '${MEMORY_LIMIT}'`);
    }
  }

  /** Cost rows a live source read (the Query API's answers), typed by the table's DDL. */
  async appendCosts(runId: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    await this.insertJsonRows(runId, 'costs', rows);
  }

  /**
   * Runs SQL with positional parameters ($1, …) on the writer connection, over whole tables (no run scoping): the
   * engine's own steps that read and write in one place, such as allocation. Rows as plain JS objects.
   */
  async query<T = Record<string, unknown>>(sql: string, params: (string | number | boolean | null)[] = []): Promise<T[]> {
    const result = await this.writer.runAndReadAll(sql, params);
    return result.getRowObjectsJson() as T[];
  }

  /** A temporary table of the writer connection holding `rows`, typed by `columns` (name → DuckDB type). */
  async tempTable(name: string, columns: Record<string, string>, rows: readonly Record<string, unknown>[]): Promise<void> {
    const types = Object.entries(columns);
    await this.writer.run(`create or replace temp table ${name} (${types.map(([c, t]) => `${c} ${t}`).join(', ')})`);
    if (!rows.length) return;
    const dir = await mkdtemp(join(tmpdir(), 'compline-rows-'));
    try {
      const file = join(dir, 'rows.json');
      const text = JSON.stringify(rows);
      await writeFile(file, text);
      const spec = types.map(([c, t]) => `'${c}': '${t}'`).join(', ');
      const maxObject = Math.max(16 * 1024 ** 2, Buffer.byteLength(text));
      await this.writer.run(
        `insert into ${name} by name select * from read_json('${file.replaceAll("'", "''")}', format = 'array', columns = {${spec}}, maximum_object_size = ${maxObject})`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Writes through the writer connection (fixtures and tests insert rows this way). */
  async exec(sql: string): Promise<void> {
    await this.writer.run(sql);
  }

  async describe(sql: string): Promise<{ column_name: string; column_type: string }[]> {
    const result = await this.reader.runAndReadAll(`describe ${sql}`);
    return result.getRowObjectsJson() as { column_name: string; column_type: string }[];
  }

  /** One Parquet file per table holding this run's rows. */
  async exportRunParquet(runId: string, dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const written: string[] = [];
    for (const table of Object.keys(TABLE_DDL)) {
      const file = `${dir}/${table}.parquet`;
      await this.writer.run(
        `copy (select * from ${table} where run_id = '${runId.replaceAll("'", "''")}') to '${file.replaceAll("'", "''")}' (format parquet, compression zstd)`,
      );
      written.push(file);
    }
    return written;
  }

  close(): void {
    for (const reader of this.readers) reader.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }
}
