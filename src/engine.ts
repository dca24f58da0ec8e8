// Runs every check's SQL over one run's tables: findings stored by DuckDB (a run) or handed back as objects (the gate).
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

/** `*` is any run of characters; case does not matter (a JavaScript RegExp, or RE2 as DuckDB's regexp functions take it). */
function globPattern(glob: string): string {
  return glob
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
}

function globRegex(glob: string): RegExp {
  return new RegExp(`^${globPattern(glob)}$`, 'i');
}

/** `properties.pools[*].x` as the engine compares paths: `[*]` a segment of its own. */
const normalPath = (path: string): string => path.replaceAll('[*]', '.[*]');

/** `properties.pools[*].x` → ['properties', 'pools', '[*]', 'x']. */
const segments = (path: string): string[] => normalPath(path).split('.');

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

/** Options of a stored evaluation (`compline run`): where findings go and which are kept. */
export interface StoreOptions {
  /** Run id the findings are stored under; default the evaluated run's. */
  findingsRun?: string;
  /** first_seen_run from the previous finished run (a nightly history); without it each finding is first seen now. */
  firstSeen?: boolean;
  /** Tenants (null: the platform) whose findings of a check are not kept, e.g. a framework the tenant is not audited against. */
  dropped?: (check: CheckMeta) => { platform: boolean; tenants: readonly string[] };
}

export interface StoredEvaluation {
  expiredWaivers: ExpiredWaiver[];
  incompleteSources: SourceStatus[];
}

/** Evaluations made by this process: each names the database of what its checks share. */
let evaluations = 0;

const litOrNull = (s: string | null | undefined): string => (s === null || s === undefined ? 'null' : literal(s));

/** SQL: the scope withholds the verdict on this row (see scopeCovers; a state file's scope only its own tenant's). */
function taintCondition(s: SourceStatus): string {
  let covers = 'true';
  if (s.scope.startsWith('subscription:'))
    covers = `(known and fsub = ${literal(s.scope.slice('subscription:'.length).toLowerCase())})`;
  else if (s.scope.startsWith('cluster:')) covers = `starts_with(rid, ${literal(`k8s://${s.scope.slice('cluster:'.length)}/`)})`;
  if (s.scope.startsWith('state:') && s.tenant_id !== null) covers += ` and tenant = ${literal(s.tenant_id)}`;
  return covers;
}

const sourceReason = (s: SourceStatus): string => `source ${s.source} ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'}`;

interface Waivers {
  live: Waiver[];
  expired: Waiver[];
}

/** SQL: the waiver covers a failing row of its check (its tenant, its resource or plan address pattern). */
function waiverMatch(w: Waiver): string {
  const re = literal(globPattern(w.resource));
  return `(${w.tenant ? `tenant = ${literal(w.tenant)} and ` : ''}(regexp_full_match(rid, ${re}, 'i')
    or (plan_address is not null and regexp_full_match(plan_address, ${re}, 'i'))))`;
}

/** A query's evidence as JSON: JSON, text that may hold JSON (else a JSON string), or a DuckDB value of its own type. */
const EVIDENCE = `case when typeof(q.evidence) = 'VARCHAR'
    then case when json_valid(q.evidence::varchar) then q.evidence::varchar::json else to_json(q.evidence::varchar) end
    else to_json(q.evidence) end`;

/**
 * The check's rows (`rows`: a table of its result) as findings, every rule of the engine in SQL: a status outside the contract is an
 * error; a tenant other than the resource's (or the subject's owner's) is a broken check; an incomplete source
 * withholds what it covers; an error the resource's unknown-until-apply values explain is `unknown`; then waivers.
 */
function findingsSql(
  check: CheckMeta,
  rows: string,
  tainting: readonly SourceStatus[],
  waivers: Waivers,
  owners: boolean,
  facts: string,
): string {
  const contract = QUERY_STATUSES.map(literal).join(', ');
  const taint = tainting.length
    ? `case ${tainting.map((s, i) => `when ${taintCondition(s)} then ${i}`).join(' ')} end`
    : 'null::integer';
  const taintReason = tainting.length
    ? `case taint ${tainting.map((s, i) => `when ${i} then ${literal(`${sourceReason(s)}; verdict withheld (`)}`).join(' ')} end || r2 || ')'`
    : 'r2';
  // Unknown values reach the query as absent properties, and no query decides pass or fail from an absent value: a
  // definite verdict was decided on known values and stands. Only missing evidence may be the unknown.
  const reads = check.reads.map(normalPath);
  const unknown = reads.length
    ? `list_filter(coalesce(fup, []), p -> ${reads
        .map(
          (r) =>
            `(replace(p, '[*]', '.[*]') = ${literal(r)} or starts_with(replace(p, '[*]', '.[*]'), ${literal(`${r}.`)}) or starts_with(${literal(r)}, replace(p, '[*]', '.[*]') || '.'))`,
        )
        .join(' or ')})`
    : '[]::varchar[]';
  const waiver = waivers.live.length
    ? `case when s4 = 'fail' then case ${waivers.live.map((w) => `when ${waiverMatch(w)} then ${literal(w.id)}`).join(' ')} end end`
    : 'null::varchar';
  const waived = waivers.live
    .map(
      (w) =>
        `when ${literal(w.id)} then ${literal(` [waived by ${w.id}: ${w.reason}; approved by ${w.approver}, ${w.ticket}, until ${w.expires}]`)}`,
    )
    .join(' ');
  return `with base as (
    select coalesce(q.resource_id::varchar, '(no resource id)') as rid, q.tenant_id::varchar as qt, q.status::varchar as qs,
           q.reason::varchar as qr, ${EVIDENCE} as ev, f.id is not null as known, f.tenant_id as ft, f.subscription_id as fsub,
           f.unknown_paths as fup, ${owners ? 'o.tenant' : 'null::varchar'} as owner
    from ${rows} q
    left join ${facts} f on f.id = coalesce(q.resource_id::varchar, '(no resource id)')
    ${owners ? "left join _owners o on o.id = coalesce(q.resource_id::varchar, '(no resource id)')" : ''}
  ), checked as (
    select *,
      case when known then ft when owner is not null then owner else qt end as tenant,
      case when known and ft is distinct from qt then 'error'
           when not known and owner is not null and owner is distinct from qt then 'error'
           when qs in (${contract}) then qs else 'error' end as s2,
      case when known and ft is distinct from qt
             then 'check reported tenant ' || coalesce(qt, 'none') || ' for a resource of tenant ' || coalesce(ft, 'none')
           when not known and owner is not null and owner is distinct from qt
             then 'check reported tenant ' || coalesce(qt, 'none') || ' for a subject of tenant ' || owner
           when qs in (${contract}) then coalesce(qr, '')
           else 'check returned status ' || coalesce(to_json(qs)::varchar, 'null') || '; expected pass, fail, error or unknown' end as r2,
      case when known and starts_with(rid, ${literal(PLAN_PREFIX)}) then substr(rid, ${PLAN_PREFIX.length + 1}) end as plan_address
    from base
  ), tainted as (
    select *, ${taint} as taint from checked
  ), judged as (
    select *,
      case when taint is not null then 'error' else s2 end as s3,
      case when taint is not null then ${taintReason} else r2 end as r3,
      case when taint is null and s2 = 'error' and known then ${unknown} else [] end as unknown
    from tainted
  ), settled as (
    select *,
      case when len(unknown) > 0 then 'unknown' else s3 end as s4,
      case when len(unknown) > 0 then 'not known at plan time (known only after apply or marked sensitive): ' || array_to_string(unknown, ', ')
           else r3 end as r4
    from judged
  ), waived as (
    select *, ${waiver} as waiver_id from settled
  )
  select tenant, rid, case when waiver_id is not null then 'waived' else s4 end as status,
    ${waivers.live.length ? `case when waiver_id is not null then r4 || case waiver_id ${waived} end else r4 end` : 'r4'} as reason,
    ev, waiver_id, plan_address
  from waived`;
}

/** A finding the engine makes itself (a failed query, an incomplete source), before first_seen and the kept tenants. */
interface OwnRow {
  tenant: string | null;
  rid: string;
  reason: string;
  evidence: Json;
}

/**
 * Runs the checks over one run's tables and stores their findings in `findings` without turning the result rows into
 * JavaScript: a large estate gives millions of them. Fail closed as the engine always did: a query that breaks gives an
 * error per tenant, an incomplete source withholds what it covers and is an error of its own per tenant.
 */
export async function evaluateInto(
  store: Store,
  checks: readonly CheckMeta[],
  ctx: EvaluationContext,
  opts: StoreOptions = {},
): Promise<StoredEvaluation> {
  await store.scopeToRun(ctx.runId);
  await store.defineOnReaders(ctx.macros ?? sharedMacros());
  const target = opts.findingsRun ?? ctx.runId;
  const findings = store.table('findings');
  const sources = await store.read<SourceStatus>(
    'select source, scope, status, error, rows::integer as rows, tenant_id from source_status',
  );
  const incompleteSources = sources.filter((s) => s.status !== 'ok');
  // Checks run on every reader at once. What they all need is made once in a database of this evaluation, which every
  // connection of the store sees: the subjects that are resource rows (one row per id) and the previous run's
  // first-seen runs. Owners of other subjects are kept per reader, in a temp table, as each looks up its own checks'.
  const readers = Array.from({ length: store.readerCount }, (_, i) => i);
  const shared = `compline_evaluation_${++evaluations}`;
  const facts = `${shared}.facts`;
  const prev = `${shared}.prev`;
  await store.execOnReader(`attach ':memory:' as ${shared}`, [], 0);
  try {
    await store.execOnReader(
      `create table ${facts} as
       select id, any_value(tenant_id) as tenant_id, any_value(subscription_id) as subscription_id,
              any_value(unknown_paths) as unknown_paths
       from resources group by id`,
      [],
      0,
    );
    if (opts.firstSeen)
      await store.execOnReader(
        `create table ${prev} as
         select check_id, resource_id, any_value(first_seen_run) as first_seen_run from ${findings}
         where run_id = (select run_id from ${store.table('runs')} where run_id <> $1 and status <> 'running'
                         order by started_at desc limit 1) and status in ('fail', 'error', 'waived')
         group by all`,
        [ctx.runId],
        0,
      );
    if (ctx.subjectTenant)
      await Promise.all(
        readers.map((reader) =>
          store.execOnReader('create or replace temp table _owners (id varchar primary key, tenant varchar)', [], reader),
        ),
      );
    return await evaluateChecks();
  } finally {
    await store.execOnReader(`detach ${shared}`, [], 0);
  }

  async function evaluateChecks(): Promise<StoredEvaluation> {
    const expiredWaivers: ExpiredWaiver[] = [];
    const evaluateCheck = async (check: CheckMeta, reader: number, owned: Set<string>): Promise<void> => {
      const tainting = incompleteSources.filter((s) => check.tables.some((t) => TABLE_SOURCES[t]?.includes(s.source)));
      const dropped = opts.dropped?.(check);
      const drops = [
        ...(dropped?.platform ? ['tenant is null'] : []),
        ...(dropped?.tenants.length ? [`tenant in (${dropped.tenants.map(literal).join(', ')})`] : []),
      ];
      // A platform finding's tenant is null: `in` alone would drop it.
      const keep = drops.length ? `where not coalesce(${drops.join(' or ')}, false)` : '';
      const insert = (select: string) =>
        store.execOnReader(
          `insert into ${findings} (run_id, tenant_id, check_id, resource_id, status, severity, reason, evidence, waiver_id,
           first_seen_run, plan_address)
         select $1, tenant, ${literal(check.id)}, rid, status, ${literal(check.severity)}, reason, ev, waiver_id,
           ${opts.firstSeen ? 'coalesce(p.first_seen_run, $1)' : '$1'}, plan_address
         from (${select}) f
         ${opts.firstSeen ? `left join ${prev} p on p.check_id = ${literal(check.id)} and p.resource_id = f.rid` : ''}
         ${keep}`,
          [target],
          reader,
        );
      const insertOwn = (rows: readonly OwnRow[]) =>
        rows.length
          ? insert(
              `select tenant, rid, 'error' as status, reason, ev::json as ev, null::varchar as waiver_id, null::varchar as plan_address
             from (values ${rows
               .map(
                 (r) =>
                   `(${litOrNull(r.tenant)}, ${literal(r.rid)}, ${literal(r.reason)}, ${litOrNull(r.evidence === null ? null : JSON.stringify(r.evidence))})`,
               )
               .join(', ')}) v(tenant, rid, reason, ev)`,
            )
          : Promise.resolve();
      const sql = boundSql(check, ctx.params[check.id]);
      const waivers = ctx.waivers.filter((w) => w.check === check.id);
      const split: Waivers = {
        live: waivers.filter((w) => w.expires >= ctx.today),
        expired: waivers.filter((w) => w.expires < ctx.today),
      };
      try {
        // The query's rows are kept before they become findings: DuckDB then joins them knowing how many there are
        // (a check's estimate can be a thousandth of its millions of rows), and subjects the tenancy rules may own are
        // looked up in between.
        await store.execOnReader(`create or replace temp table _q as select * from (${sql}\n)`, [], reader);
        if (ctx.subjectTenant) {
          const subjects = await store.readOnReader<{ rid: string }>(
            reader,
            `select distinct resource_id::varchar as rid from _q
           where starts_with(lower(resource_id::varchar), '/subscriptions/') and resource_id::varchar not in (select id from ${facts})`,
          );
          const claims = subjects.filter(({ rid }) => !owned.has(rid)).map(({ rid }) => [rid, ctx.subjectTenant!(rid)] as const);
          for (const [rid] of claims) owned.add(rid);
          const claimed = claims.filter(([, tenant]) => tenant !== null);
          for (let i = 0; i < claimed.length; i += 1000)
            await store.execOnReader(
              `insert into _owners values ${claimed
                .slice(i, i + 1000)
                .map(([rid, tenant]) => `(${literal(rid)}, ${literal(tenant!)})`)
                .join(', ')}`,
              [],
              reader,
            );
        }
        await insert(findingsSql(check, '_q', tainting, split, ctx.subjectTenant !== undefined, facts));
      } catch (e) {
        // A query that breaks on this run's data withholds every verdict it would have given: one error per tenant.
        const message = (e as Error).message.split('\n')[0] ?? 'error';
        await insertOwn(
          [...ctx.tenantIds, null].map((tenant) => ({
            tenant,
            rid: `check://${check.id}`,
            reason: `check query failed: ${message}`,
            evidence: null,
          })),
        );
        return;
      }
      for (const w of split.expired) {
        // Counted as the waivers are tried, in order: a failing finding stops at the first waiver that still applies.
        const before = waivers.slice(0, waivers.indexOf(w)).filter((v) => split.live.includes(v));
        const [row] = await store.readOnReader<{ n: number }>(
          reader,
          `select count(*)::integer as n from (
           select tenant_id as tenant, resource_id as rid, plan_address, status, waiver_id from ${findings}
           where run_id = $1 and check_id = $2)
         where ${waiverMatch(w)} and (status = 'fail' or (status = 'waived' and ${before.length ? `waiver_id not in (${before.map((v) => literal(v.id)).join(', ')})` : 'true'}))`,
          [target, check.id],
        );
        expiredWaivers.push({ waiver: w, matched: row?.n ?? 0 });
      }
      // A scope that failed outright may have no rows at all: its absence is itself an error per tenant.
      await insertOwn(
        tainting.flatMap((s) =>
          (s.tenant_id ? [s.tenant_id] : [...ctx.tenantIds, null]).map((tenant) => ({
            tenant,
            rid: `source://${s.source}/${s.scope}`,
            reason: sourceReason(s),
            evidence: { source: s.source, scope: s.scope, status: s.status, rows: s.rows },
          })),
        ),
      );
    };
    await Promise.all(
      readers.map(async (reader) => {
        const owned = new Set<string>();
        for (let i = reader; i < checks.length; i += readers.length) await evaluateCheck(checks[i]!, reader, owned);
        await store.execOnReader('drop table if exists _q; drop table if exists _owners', [], reader);
      }),
    );
    // Expired waivers in the config's order, as they were listed before.
    expiredWaivers.sort((a, b) => ctx.waivers.indexOf(a.waiver) - ctx.waivers.indexOf(b.waiver));
    return { expiredWaivers, incompleteSources };
  }
}

/** The findings stored under `runId` as objects, in the checks' order; without `passDetail`, passes carry no reason or evidence. */
export async function storedFindings(
  store: Store,
  runId: string,
  checks: readonly Pick<CheckMeta, 'id'>[],
  passDetail = true,
): Promise<Finding[]> {
  const order = checks.length ? `list_position([${checks.map((c) => literal(c.id)).join(', ')}], check_id), ` : '';
  const found: Finding[] = [];
  const strings = new Map<string, string>();
  const shared = <S extends string>(v: S): S => {
    const known = strings.get(v);
    if (known !== undefined) return known as S;
    strings.set(v, v);
    return v;
  };
  // A run's findings can be millions: read a chunk at a time, not all of DuckDB's result at once beside them.
  for await (const rows of store.readChunks<Finding & { evidence: string | null }>(
    `select check_id, resource_id, tenant_id, status, severity,
       ${passDetail ? 'reason' : "case when status = 'pass' then '' else reason end as reason"},
       ${passDetail ? 'evidence' : "case when status = 'pass' then null else evidence end as evidence"}, waiver_id, plan_address
     from ${store.table('findings')} where run_id = $1 order by ${order}rowid`,
    [runId],
  ))
    for (const r of rows) {
      (r as Finding).evidence = r.evidence === null ? null : (JSON.parse(r.evidence) as Json);
      // The same few values on every row: one string each instead of millions of copies.
      r.check_id = shared(r.check_id);
      r.status = shared(r.status);
      r.severity = shared(r.severity);
      if (r.tenant_id !== null) r.tenant_id = shared(r.tenant_id);
      found.push(r);
    }
  return found;
}

/**
 * Evaluates the checks and hands the findings back as objects (the gate, a replay): the same rules as evaluateInto,
 * applied in JavaScript. A plan's findings are few and wanted at once; storing them first cost the gate ~0.6 s at 10k
 * resources. The engine tests hold the two to the same verdicts.
 */
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
        reason = `${sourceReason(taint)}; verdict withheld (${reason})`;
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
          reason: sourceReason(s),
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
