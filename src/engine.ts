// Runs every check's SQL over one run's tables and turns rows into findings: fail closed, then waivers.
import { TABLE_SOURCES } from './collectors/collector.js';
import type { Waiver } from './config.js';
import { UsageError } from './errors.js';
import type { CheckMeta, Finding, FindingStatus, Json, ResourceRow } from './model.js';
import { CONTRACT_COLUMNS, sharedMacros } from './rules.js';
import type { SourceStatus, Store } from './store.js';

export interface EvaluationContext {
  runId: string;
  /** Every tenant a failed source might have held rows for. */
  tenantIds: readonly string[];
  waivers: readonly Waiver[];
  /** Per-check parameter overrides. */
  params: Record<string, Record<string, number | string | boolean>>;
  /** Today, as YYYY-MM-DD (UTC): waivers expire at the end of their `expires` day. */
  today: string;
  /**
   * The run's resource rows when the caller still holds them (the gate appends one plan and evaluates
   * it at once); saves reading them back, which costs more than the rows took to write.
   */
  resources?: readonly Pick<ResourceRow, 'id' | 'tenant_id' | 'subscription_id' | 'unknown_paths'>[];
  /**
   * False when no output shows a passing verdict's reason or evidence (the gate's text, SARIF, JUnit and
   * Markdown): passes then come back without them, which saves converting most of the result rows.
   */
  passDetail?: boolean;
  /** Owner of a subject that is not a resource row, by the tenancy rules over its id; null when none claims it. */
  subjectTenant?: (id: string) => string | null;
  /** The shared macros to define; default the catalogue's (a replay passes the ones its pack carries). */
  macros?: string;
}

export interface ExpiredWaiver {
  waiver: Waiver;
  /** Findings the waiver would still cover; they count as fail again. */
  matched: number;
}

export interface Evaluation {
  findings: Finding[];
  expiredWaivers: ExpiredWaiver[];
  incompleteSources: SourceStatus[];
}

interface QueryRow {
  resource_id: string | null;
  tenant_id: string | null;
  status: string | null;
  reason: string | null;
  evidence: Json;
}

/**
 * What a query may return. `unknown` is for a verdict that turns on a plan value known only after apply in a row
 * the engine does not relate to the finding (a separately planned node pool or firewall rule); the engine itself
 * turns `error` into `unknown` when the resource's own unknown values are what the check reads.
 */
const QUERY_STATUSES: readonly FindingStatus[] = ['pass', 'fail', 'error', 'unknown'];

/** Plan resources have ids `plan://<address>` (see the terraform-plan collector). */
const PLAN_PREFIX = 'plan://';

interface ResourceFacts {
  tenant_id: string | null;
  subscription_id: string | null;
  plan_address: string | null;
  unknown_paths: string[] | null;
  unknown_segments?: string[][];
}

type Params = Record<string, number | string | boolean>;

const literal = (v: number | string | boolean): string => (typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v));

/**
 * The query with its parameters bound: `getvariable('min_days')` becomes the value. The file keeps
 * getvariable so it runs in a DuckDB shell after `SET VARIABLE`; binding here keeps concurrent queries apart.
 */
export function boundSql(check: Pick<CheckMeta, 'sql' | 'params'>, overrides: Params = {}): string {
  const params: Params = { ...check.params, ...overrides };
  return check.sql.replace(/getvariable\(\s*'([a-z][a-z0-9_]*)'\s*\)/g, (whole, name: string) =>
    name in params ? literal(params[name]!) : whole,
  );
}

/** The query with reason and evidence left out of passing rows. The newline ends a trailing line comment. */
const withoutPassDetail = (sql: string): string =>
  `select resource_id, tenant_id, status, case when status = 'pass' then null else reason end as reason,
  case when status = 'pass' then null else evidence end as evidence from (${sql}\n)`;

/** Every query must return exactly the contract columns; checked against empty tables before any run. */
export async function validateQueries(store: Store, checks: readonly CheckMeta[]): Promise<void> {
  const problems: string[] = [];
  await store.defineOnReaders(sharedMacros());
  for (const c of checks) {
    try {
      const cols = (await store.describe(boundSql(c))).map((d) => d.column_name);
      const missing = CONTRACT_COLUMNS.filter((k) => !cols.includes(k));
      if (missing.length)
        problems.push(`${c.id}/query.sql: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    } catch (e) {
      problems.push(`${c.id}/query.sql: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
}

/** DuckDB hands JSON columns back as text; reports want the object. */
function parseEvidence(value: Json): Json {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

function globRegex(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

/** `properties.pools[*].x` → ['properties', 'pools', '[*]', 'x']. */
const segments = (path: string): string[] => path.replaceAll('[*]', '.[*]').split('.');

/** One path lies on the other: equal, or one is an ancestor of the other. */
function overlaps(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Unknown-until-apply paths of a resource that the check's verdict depends on. */
function unknownRead(reads: string[][], facts: ResourceFacts | undefined): string[] {
  const paths = facts?.unknown_paths;
  if (!facts || !paths?.length || !reads.length) return [];
  // Split once per resource, not once per check that reads it.
  facts.unknown_segments ??= paths.map(segments);
  const split = facts.unknown_segments;
  return paths.filter((_, i) => reads.some((r) => overlaps(r, split[i]!)));
}

/**
 * A scope taints the resources it covers: a subscription its own; a cluster its Kubernetes subjects (Azure resources
 * are not its to withhold); a file or plan everything (we cannot tell what is missing).
 */
export function scopeCovers(
  scope: string,
  facts: Pick<ResourceFacts, 'subscription_id'> | undefined,
  resourceId: string,
): boolean {
  if (scope.startsWith('subscription:')) return facts?.subscription_id === scope.slice('subscription:'.length).toLowerCase();
  // A Kubernetes subject is k8s://<cluster>/...: another cluster's failure does not withhold its verdict.
  if (scope.startsWith('cluster:')) return resourceId.startsWith(`k8s://${scope.slice('cluster:'.length)}/`);
  return true;
}

export async function evaluate(store: Store, checks: readonly CheckMeta[], ctx: EvaluationContext): Promise<Evaluation> {
  await store.scopeToRun(ctx.runId);
  await store.defineOnReaders(ctx.macros ?? sharedMacros());
  const sources = await store.read<SourceStatus>(
    'select source, scope, status, error, rows::integer as rows, tenant_id from source_status',
  );
  // Facts are read in two narrow queries: most rows have no unknown paths, and plan addresses follow from plan:// ids.
  // A subscription is read only when a subscription scope is incomplete (its one use): on a large estate every column
  // of every resource costs a string conversion.
  const facts = new Map<string, ResourceFacts>();
  const planAddress = (id: string) => (id.startsWith(PLAN_PREFIX) ? id.slice(PLAN_PREFIX.length) : null);
  if (ctx.resources) {
    for (const r of ctx.resources) {
      facts.set(r.id, {
        tenant_id: r.tenant_id,
        subscription_id: r.subscription_id,
        plan_address: planAddress(r.id),
        unknown_paths: r.unknown_paths,
      });
    }
  } else {
    const subscriptions = sources.some((s) => s.status !== 'ok' && s.scope.startsWith('subscription:'));
    for (const r of await store.read<{ id: string; tenant_id: string | null; subscription_id?: string | null }>(
      `select id, tenant_id${subscriptions ? ', subscription_id' : ''} from resources`,
    )) {
      facts.set(r.id, {
        tenant_id: r.tenant_id,
        subscription_id: r.subscription_id ?? null,
        plan_address: planAddress(r.id),
        unknown_paths: null,
      });
    }
    for (const r of await store.read<{ id: string; unknown_paths: string[] }>(
      'select id, unknown_paths from resources where len(unknown_paths) > 0',
    )) {
      const known = facts.get(r.id);
      if (known) known.unknown_paths = r.unknown_paths;
    }
  }
  const incompleteSources = sources.filter((s) => s.status !== 'ok');
  const waivers = ctx.waivers.map((w) => ({ w, re: globRegex(w.resource), expired: w.expires < ctx.today, matched: 0 }));

  const findings: Finding[] = [];
  // One check's rows at a time become objects, and are let go once they are findings: on a large estate they are
  // millions of objects, and holding every check's at once doubled the heap the collector has to walk.
  const results = store
    .readEach<QueryRow>(
      checks.map((c) => (ctx.passDetail === false ? withoutPassDetail : (sql: string) => sql)(boundSql(c, ctx.params[c.id]))),
    )
    [Symbol.asyncIterator]();
  for (const check of checks) {
    const tainting = incompleteSources.filter((s) => check.tables.some((t) => TABLE_SOURCES[t]?.includes(s.source)));
    const rows = (await results.next()).value as QueryRow[] | Error;
    const reads = check.reads.map(segments);
    if (rows instanceof Error) {
      // A query that breaks on this run's data withholds every verdict it would have given: one error per tenant.
      const message = rows.message.split('\n')[0] ?? 'error';
      for (const tenant of [...ctx.tenantIds, null]) {
        findings.push({
          check_id: check.id,
          resource_id: `check://${check.id}`,
          tenant_id: tenant,
          status: 'error',
          severity: check.severity,
          reason: `check query failed: ${message}`,
          evidence: null,
          waiver_id: null,
          plan_address: null,
        });
      }
      continue;
    }
    for (const row of rows) {
      const resourceId = row.resource_id ?? '(no resource id)';
      const known = facts.get(resourceId);
      let status = row.status as FindingStatus;
      let reason = row.reason ?? '';
      if (!QUERY_STATUSES.includes(status)) {
        status = 'error';
        reason = `check returned status ${JSON.stringify(row.status)}; expected pass, fail, error or unknown`;
      }
      // A check that reports a resource under another tenant than the resource's own is a broken check, not a finding.
      let tenant = row.tenant_id;
      if (known && known.tenant_id !== tenant) {
        status = 'error';
        reason = `check reported tenant ${tenant ?? 'none'} for a resource of tenant ${known.tenant_id ?? 'none'}`;
        tenant = known.tenant_id;
      } else if (!known) {
        const owner = ctx.subjectTenant?.(resourceId) ?? null;
        if (owner !== null && owner !== tenant) {
          status = 'error';
          reason = `check reported tenant ${tenant ?? 'none'} for a subject of tenant ${owner}`;
          tenant = owner;
        }
      }
      // A state file's scope is one tenant's alone: it withholds that tenant's verdicts, no other's.
      const taint = tainting.find(
        (s) =>
          scopeCovers(s.scope, known, resourceId) &&
          (!s.scope.startsWith('state:') || s.tenant_id === null || s.tenant_id === tenant),
      );
      if (taint) {
        status = 'error';
        reason = `source ${taint.source} ${taint.status} for ${taint.scope}: ${taint.error ?? 'incomplete'}; verdict withheld (${reason})`;
      }
      // Unknown values reach the query as absent properties, and no query decides pass or fail from an absent
      // value: a definite verdict was decided on known values and stands. Only missing evidence may be the unknown.
      const unknown = status === 'error' && !taint ? unknownRead(reads, known) : [];
      if (unknown.length) {
        status = 'unknown';
        reason = `not known at plan time (known only after apply or marked sensitive): ${unknown.join(', ')}`;
      }
      findings.push({
        check_id: check.id,
        resource_id: resourceId,
        tenant_id: tenant,
        status,
        severity: check.severity,
        reason,
        evidence: parseEvidence(row.evidence),
        waiver_id: null,
        plan_address: known?.plan_address ?? null,
      });
    }
    // A scope that failed outright may have no rows at all: its absence is itself an error per tenant.
    for (const s of tainting) {
      const tenants = s.tenant_id ? [s.tenant_id] : [...ctx.tenantIds, null];
      for (const tenant of tenants) {
        findings.push({
          check_id: check.id,
          resource_id: `source://${s.source}/${s.scope}`,
          tenant_id: tenant,
          status: 'error',
          severity: check.severity,
          reason: `source ${s.source} ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'}`,
          evidence: { source: s.source, scope: s.scope, status: s.status, rows: s.rows },
          waiver_id: null,
          plan_address: null,
        });
      }
    }
  }

  for (const f of findings) {
    if (f.status !== 'fail') continue;
    for (const v of waivers) {
      if (v.w.check !== f.check_id) continue;
      if (v.w.tenant && v.w.tenant !== f.tenant_id) continue;
      if (!v.re.test(f.resource_id) && !(f.plan_address && v.re.test(f.plan_address))) continue;
      v.matched++;
      if (v.expired) continue;
      f.status = 'waived';
      f.waiver_id = v.w.id;
      f.reason = `${f.reason} [waived by ${v.w.id}: ${v.w.reason}; approved by ${v.w.approver}, ${v.w.ticket}, until ${v.w.expires}]`;
      break;
    }
  }
  return {
    findings,
    expiredWaivers: waivers.filter((v) => v.expired).map((v) => ({ waiver: v.w, matched: v.matched })),
    incompleteSources,
  };
}
