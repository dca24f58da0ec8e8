// Runs the FinOps rules' SQL over the run's tables into `recommendations`: parameters per tenant, fail closed.
import { TABLE_SOURCES } from '../../collectors/collector.js';
import { boundSql, scopeCovers } from '../../engine.js';
import type { Json } from '../../model.js';
import { sharedMacros } from '../../rules.js';
import type { SourceStatus, Store } from '../../store.js';
import type { FinopsContext } from '../context.js';
import { type FinopsRule, finopsMacros, loadFinopsRules, type ParamValue, RULE_STATUSES } from './catalogue.js';
import type { RulesConfig } from './config.js';

export type RecommendationStatus = (typeof RULE_STATUSES)[number] | 'error';

export interface Recommendation {
  rule_id: string;
  resource_id: string;
  tenant_id: string | null;
  status: RecommendationStatus;
  /** The rule's action for a recommendation; null otherwise. */
  action: string | null;
  current: Json;
  proposed: Json;
  /** Null when a price is missing (the reason says which), never 0 in its place. */
  monthly_savings: number | null;
  currency: string | null;
  price_sheet_date: string | null;
  confidence: string | null;
  reason: string;
  evidence: Json;
}

interface QueryRow {
  resource_id: string | null;
  tenant_id: string | null;
  status: string | null;
  current: Json;
  proposed: Json;
  monthly_savings: number | string | null;
  currency: string | null;
  price_sheet_date: string | null;
  confidence: string | null;
  reason: string | null;
  evidence: Json;
}

type Params = Record<string, ParamValue>;

/** One bound query of a rule and the tenants whose rows it decides (null: every tenant without own parameters). */
interface Pass {
  rule: FinopsRule;
  sql: string;
  tenant: string | null;
  exclude: ReadonlySet<string>;
}

const parseJson = (value: Json): Json => {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
};

/**
 * Each rule runs once with the parameters every tenant shares (rule.yaml defaults, then finops.rules.params) and once
 * more per tenant with its own (finops.rules.tenants.<id>), each pass keeping its own tenants' rows only.
 */
function rulePasses(rules: readonly FinopsRule[], config: RulesConfig, today: string): Pass[] {
  const passes: Pass[] = [];
  for (const rule of rules) {
    if (config.disabled.includes(rule.id)) continue;
    const shared: Params = { ...config.params[rule.id], today };
    const own = Object.entries(config.tenants).filter(([, byRule]) => byRule[rule.id]);
    const exclude = new Set(own.map(([t]) => t));
    passes.push({ rule, sql: boundSql(rule, shared), tenant: null, exclude });
    for (const [tenant, byRule] of own)
      passes.push({ rule, sql: boundSql(rule, { ...shared, ...byRule[rule.id] }), tenant, exclude: new Set() });
  }
  return passes;
}

const blank = { current: null, proposed: null, monthly_savings: null, currency: null, price_sheet_date: null, confidence: null };

export interface RuleRunOptions {
  runId: string;
  /** Every tenant an incomplete source might have held rows for. */
  tenantIds: readonly string[];
  config: RulesConfig;
  today: string;
  rules?: readonly FinopsRule[];
}

/** Evaluates the rules over one run's tables; returns every row for `recommendations`. */
export async function evaluateRules(store: Store, opts: RuleRunOptions): Promise<Recommendation[]> {
  const rules = opts.rules ?? loadFinopsRules();
  await store.scopeToRun(opts.runId);
  await store.defineOnReaders(`${sharedMacros()}\n${finopsMacros()}`);
  const owners = new Map<string, { tenant_id: string | null; subscription_id: string | null }>();
  for (const r of await store.read<{ id: string; tenant_id: string | null; subscription_id: string | null }>(
    'select id, tenant_id, subscription_id from resources',
  ))
    owners.set(r.id, r);
  for (const r of await store.read<{ id: string; tenant_id: string | null }>(
    'select distinct k8s_id(cluster, kind, namespace, name) as id, tenant_id from k8s_objects',
  ))
    owners.set(r.id, { tenant_id: r.tenant_id, subscription_id: null });
  const incomplete = (
    await store.read<SourceStatus>('select source, scope, status, error, rows::integer as rows, tenant_id from source_status')
  ).filter((s) => s.status !== 'ok');

  const passes = rulePasses(rules, opts.config, opts.today);
  const results = await store.readMany<QueryRow>(passes.map((p) => p.sql));
  const out: Recommendation[] = [];
  const reported = new Set<string>();
  for (const [i, pass] of passes.entries()) {
    const { rule } = pass;
    const rows = results[i]!;
    const tainting = incomplete.filter((s) => rule.tables.some((t) => TABLE_SOURCES[t]?.includes(s.source)));
    const errorRow = (resource_id: string, tenant_id: string | null, reason: string, evidence: Json = null) =>
      out.push({ rule_id: rule.id, resource_id, tenant_id, status: 'error', action: null, ...blank, reason, evidence });
    const tenantsOfPass = pass.tenant ? [pass.tenant] : [...opts.tenantIds.filter((t) => !pass.exclude.has(t)), null];
    if (rows instanceof Error) {
      const message = rows.message.split('\n')[0] ?? 'error';
      for (const t of tenantsOfPass) errorRow(`rule://${rule.id}`, t, `rule query failed: ${message}`);
      continue;
    }
    for (const row of rows) {
      if (pass.tenant ? row.tenant_id !== pass.tenant : row.tenant_id !== null && pass.exclude.has(row.tenant_id)) continue;
      const resourceId = row.resource_id ?? '(no resource id)';
      // A workload's container (`<workload id>#<container>`) belongs to the workload's tenant.
      const known = owners.get(resourceId) ?? owners.get(resourceId.split('#')[0]!);
      // A rule that files a resource under another tenant than its own is broken: the row is withheld, not shown.
      if (known && known.tenant_id !== row.tenant_id) {
        errorRow(
          resourceId,
          known.tenant_id,
          `rule reported tenant ${row.tenant_id ?? 'none'} for a resource of tenant ${known.tenant_id ?? 'none'}`,
        );
        continue;
      }
      const taint = tainting.find(
        // As for checks: a subscription's status taints every resource in it, whichever tenant owns the subscription;
        // only a state file's scope is one tenant's alone.
        (s) =>
          scopeCovers(s.scope, known, resourceId) &&
          (!s.scope.startsWith('state:') || s.tenant_id === null || s.tenant_id === row.tenant_id),
      );
      if (taint) {
        errorRow(
          resourceId,
          row.tenant_id,
          `source ${taint.source} ${taint.status} for ${taint.scope}: ${taint.error ?? 'incomplete'}; recommendation withheld`,
        );
        continue;
      }
      const status = (RULE_STATUSES as readonly string[]).includes(row.status ?? '')
        ? (row.status as RecommendationStatus)
        : null;
      if (!status) {
        errorRow(
          resourceId,
          row.tenant_id,
          `rule returned status ${JSON.stringify(row.status)}; expected recommend or not-enough-data`,
        );
        continue;
      }
      const recommend = status === 'recommend';
      out.push({
        rule_id: rule.id,
        resource_id: resourceId,
        tenant_id: row.tenant_id,
        status,
        action: recommend ? rule.action : null,
        current: parseJson(row.current),
        proposed: recommend ? parseJson(row.proposed) : null,
        monthly_savings: recommend && row.monthly_savings !== null ? Number(row.monthly_savings) : null,
        currency: recommend ? row.currency : null,
        price_sheet_date: recommend ? row.price_sheet_date : null,
        confidence: recommend ? row.confidence : null,
        reason: row.reason ?? '',
        evidence: parseJson(row.evidence),
      });
    }
    // A scope that failed outright may have left no rows at all: it says so once per rule and tenant it could hold.
    for (const s of tainting) {
      const tenants = s.tenant_id ? [s.tenant_id] : tenantsOfPass;
      for (const t of tenants) {
        const key = `${rule.id}\0${s.source}\0${s.scope}\0${t}`;
        if (reported.has(key) || !tenantsOfPass.includes(t)) continue;
        reported.add(key);
        errorRow(
          `source://${s.source}/${s.scope}`,
          t,
          `source ${s.source} ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'}; no recommendation for this scope`,
          {
            source: s.source,
            scope: s.scope,
            status: s.status,
            rows: s.rows,
          },
        );
      }
    }
  }
  return out;
}

/** Runs the FinOps rules (rightsizing, idle resources) into `recommendations`. */
export async function evaluateFinopsRules(ctx: FinopsContext): Promise<Recommendation[]> {
  const rows = await evaluateRules(ctx.store, {
    runId: ctx.runId,
    tenantIds: ctx.config.tenants.map((t) => t.id),
    config: ctx.config.finops.rules,
    today: ctx.today,
  });
  await ctx.store.appendRecommendations(ctx.runId, rows as unknown as Record<string, unknown>[]);
  const count = (s: RecommendationStatus) => rows.filter((r) => r.status === s).length;
  ctx.log(
    `finops rules: ${count('recommend')} recommendations, ${count('not-enough-data')} not enough data, ${count('error')} withheld`,
  );
  for (const r of rows.filter((r) => r.status === 'error' && r.resource_id.startsWith('source://')))
    if (r.tenant_id === null) ctx.log(`warn: finops rule ${r.rule_id}: ${r.reason}`);
  return rows;
}
