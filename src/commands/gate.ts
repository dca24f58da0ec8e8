// `compline gate <plan.json|->`: the CI gate. Same catalogue as the nightly run, over a Terraform plan, and the
// plan's monthly cost delta at the price sheet's list prices.
import { resolve } from 'node:path';
import { normalisePlan, readPlan } from '../collectors/terraform-plan/index.js';
import type { Config, Tenant } from '../config.js';
import { evaluate } from '../engine.js';
import { UsageError } from '../errors.js';
import { PriceLookup } from '../finops/prices/lookup.js';
import { COSTED_TYPES, planCost } from '../finops/prices/plan-cost.js';
import { loadSheet } from '../finops/prices/sheet.js';
import { requirementsIn } from '../frameworks.js';
import { type CheckMeta, type Finding, SEVERITIES, type Severity } from '../model.js';
import { byCodePoint } from '../ordering.js';
import { canonicalPath, checkOutputFile, writeTogether } from '../output-paths.js';
import { GATE_SCHEMA_VERSION, type GateFinding, type GateResult, renderJson } from '../reports/gate/gate-result.js';
import { renderJunit } from '../reports/gate/junit.js';
import { renderMarkdown } from '../reports/gate/markdown.js';
import { renderSarif } from '../reports/gate/sarif.js';
import { renderText } from '../reports/gate/text.js';
import { type Catalogue, loadCatalogue } from '../rules.js';
import type { Store } from '../store.js';
import { didYouMean } from '../suggest.js';
import { TOOL_VERSION } from '../version.js';
import { collectGarbage } from './collect-garbage.js';
import { gateSource, locateFindings } from './gate-source.js';

export const GATE_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const;
export type GateFormat = (typeof GATE_FORMATS)[number];

export interface GateOptions {
  plan: string;
  config?: string;
  tenant?: string;
  failOn: Severity;
  unknown: 'fail' | 'warn';
  format: GateFormat;
  /** Extra outputs written to files, e.g. sarif → results.sarif. */
  outputs: { format: GateFormat; path: string }[];
  color: boolean;
  maxPlanBytes?: number;
  /** The root module's folder; default: from the plan's folder up to the repository root. */
  sourceDir?: string;
  /** Today (YYYY-MM-DD) for waiver expiry; defaults to the current UTC date. */
  today?: string;
  /** Exit 7 when the plan's monthly cost delta exceeds this (the price sheet's currency). */
  budgetDelta?: number;
  /** A price sheet file; default finops.prices in the config, else the bundled sheet. */
  prices?: string;
}

export interface GateOutcome {
  result: GateResult;
  /** The primary format, for stdout. */
  rendered: string;
}

/** `sarif=results.sarif` → { format, path }. */
export function parseOutputSpec(spec: string): { format: GateFormat; path: string } {
  const eq = spec.indexOf('=');
  const format = spec.slice(0, eq) as GateFormat;
  const path = spec.slice(eq + 1);
  if (eq < 1 || !path || !GATE_FORMATS.includes(format)) {
    const hint = eq > 0 ? didYouMean(format, GATE_FORMATS) : '';
    throw new UsageError(`--output ${spec}: expected FORMAT=PATH with FORMAT one of ${GATE_FORMATS.join(', ')}${hint}`);
  }
  return { format, path };
}

function chooseTenant(config: Config | null, id: string | undefined, label: string): Tenant | null {
  if (!id) return null;
  if (!config) throw new UsageError('--tenant needs --config: the tenant’s frameworks and waivers come from compline.yaml');
  const tenant = config.tenants.find((t) => t.id === id);
  if (!tenant) throw new UsageError(`--tenant ${id}: no such tenant in ${label} (${config.tenants.map((t) => t.id).join(', ')})`);
  return tenant;
}

/**
 * A tenant's frameworks pick its checks and the only requirement ids every output shows of them; with no tenant every
 * catalogue applies.
 */
function checksFor(catalogue: Catalogue, tenant: Tenant | null): CheckMeta[] {
  if (!tenant) return catalogue.checks;
  return catalogue.checks.flatMap((c) => {
    const requirements = requirementsIn(c.requirements, tenant.frameworks);
    return Object.keys(requirements).length ? [{ ...c, requirements }] : [];
  });
}

function isBlocking(f: Finding, failOn: Severity, unknown: 'fail' | 'warn'): boolean {
  if (SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(failOn)) return false;
  // Missing evidence blocks like a failure: the gate fails closed. Unknown values block only when asked to.
  return f.status === 'fail' || f.status === 'error' || (f.status === 'unknown' && unknown === 'fail');
}

export function render(result: GateResult, format: GateFormat, checks: readonly CheckMeta[], color: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, checks);
    case 'junit':
      return renderJunit(result, checks);
    case 'markdown':
      return renderMarkdown(result);
    default:
      return renderText(result, { color });
  }
}

const outputLabel = (o: { format: GateFormat; path: string }) => `--output ${o.format}=${o.path}`;

/** Every output path is usable and names a file of its own (not another output's, not the plan or config read). */
async function checkOutputs(opts: GateOptions): Promise<void> {
  const taken = new Map<string, string>();
  if (opts.plan !== '-') taken.set(await canonicalPath(opts.plan), `the plan ${opts.plan}`);
  if (opts.config) taken.set(await canonicalPath(opts.config), `the config ${opts.config}`);
  if (opts.prices) taken.set(await canonicalPath(opts.prices), `the price sheet ${opts.prices}`);
  for (const o of opts.outputs) {
    const label = outputLabel(o);
    await checkOutputFile(label, o.path);
    const path = await canonicalPath(o.path);
    const earlier = taken.get(path);
    if (earlier === label) throw new UsageError(`${label}: given twice`);
    if (earlier) throw new UsageError(`${label}: the same file as ${earlier}`);
    taken.set(path, label);
  }
}

export async function gateCommand(opts: GateOptions): Promise<GateOutcome> {
  await checkOutputs(opts);
  const { moduleDir, source } = gateSource(opts.plan, opts.sourceDir);
  const catalogue = await loadCatalogue();
  // Config (and its schema library) loads only when asked for: the common CI call has none.
  let loaded: Awaited<ReturnType<typeof import('../config.js').loadConfig>> | null = null;
  if (opts.config) {
    const { loadConfig } = await import('../config.js');
    loaded = await loadConfig(opts.config, catalogue);
  }
  const config = loaded?.config ?? null;
  const tenant = chooseTenant(config, opts.tenant, opts.config ?? '');
  const checks = checksFor(catalogue, tenant);
  const label = opts.plan === '-' ? 'stdin' : opts.plan;
  // The plan is read while DuckDB loads (the module alone takes as long as reading a large plan). Both
  // promises get a handler at once: a rejection is dealt with below, not reported as unhandled meanwhile.
  const keepBefore = (type: string) => COSTED_TYPES.has(type);
  let reading: Promise<unknown> | null = readPlan(opts.plan, {
    keepBefore,
    ...(opts.maxPlanBytes ? { maxBytes: opts.maxPlanBytes } : {}),
  });
  reading.catch(() => {});
  const configuredPrices = config?.finops.prices;
  const pricesPath = opts.prices ?? (configuredPrices && loaded ? resolve(loaded.baseDir, configuredPrices) : null);
  const sheet = loadSheet(pricesPath);
  sheet.catch(() => {});
  const opening = import('../store.js').then(({ Store }) => Store.open(':memory:', { threads: 1 }));
  opening.catch(() => {});
  let plan: ReturnType<typeof normalisePlan>;
  let cost: GateResult['cost'];
  try {
    const parsed = await reading;
    plan = normalisePlan(parsed, label);
    // The parsed plan is garbage once normalised and priced; the promise would keep it alive to the end.
    reading = null;
    cost = planCost(parsed, new PriceLookup(await sheet), {
      ...(opts.budgetDelta !== undefined ? { budget: opts.budgetDelta } : {}),
      unknownFails: opts.unknown === 'fail',
    });
  } catch (e) {
    (await opening.catch(() => null))?.close();
    throw e;
  }
  // The plan's bytes, its text and parsed tree are garbage now, as much again as the rows kept (65 MB each at 50k
  // resources). Whether V8 had collected them before DuckDB fills its tables varied from run to run, and peak RSS
  // with it by 130 MiB; collected here, the tables and check results reuse that memory instead of adding to it.
  collectGarbage();
  const warnings = [...plan.warnings];
  if (plan.counts.azurerm === 0) warnings.push('no Azure resources in the plan: nothing to evaluate');

  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const store: Store = await opening;
  let findings: Finding[];
  let expired: GateResult['waivers']['expired'];
  try {
    const runId = 'gate';
    await store.beginRun({ runId, mode: 'gate', toolVersion: TOOL_VERSION, configSha256: loaded?.sha256 ?? null });
    if (tenant) await store.recordTenants(runId, [tenant]);
    for (const row of plan.rows) row.tenant_id = tenant?.id ?? null;
    await store.appendResources(runId, plan.rows);
    await store.recordSource(runId, {
      source: 'terraform-plan',
      scope: `plan:${label}`,
      status: 'ok',
      error: null,
      rows: plan.rows.length,
      tenant_id: null,
    });
    const waivers = (config?.waivers ?? []).filter((w) => !w.tenant || w.tenant === tenant?.id);
    const evaluation = await evaluate(store, checks, {
      runId,
      tenantIds: tenant ? [tenant.id] : [],
      waivers,
      params: config?.check_params ?? {},
      today,
      resources: plan.rows,
      passDetail: [opts.format, ...opts.outputs.map((o) => o.format)].includes('json'),
    });
    findings = evaluation.findings;
    expired = evaluation.expiredWaivers;
  } finally {
    store.close();
  }
  for (const e of expired)
    warnings.push(`waiver ${e.waiver.id} expired on ${e.waiver.expires}; it no longer applies (${e.matched} findings)`);

  // Findings become gate findings in place: plans of 50k resources give ~150k of them.
  const rank = new Map(SEVERITIES.map((s, i) => [s, i]));
  const summary = { pass: 0, fail: 0, error: 0, waived: 0, unknown: 0, blocking: 0 };
  const gateFindings = findings as GateFinding[];
  const byId = new Map(checks.map((c) => [c.id, c]));
  for (const f of gateFindings) {
    const meta = byId.get(f.check_id);
    f.title = meta?.title ?? f.check_id;
    f.requirements = meta?.requirements ?? {};
    f.address = f.plan_address;
    f.blocking = isBlocking(f, opts.failOn, opts.unknown);
    summary[f.status]++;
    if (f.blocking) summary.blocking++;
  }
  locateFindings(gateFindings, moduleDir, source.root, plan.moduleSources);
  gateFindings.sort(
    (a, b) =>
      Number(b.blocking) - Number(a.blocking) ||
      rank.get(b.severity)! - rank.get(a.severity)! ||
      byCodePoint(a.check_id, b.check_id) ||
      byCodePoint(a.address ?? a.resource_id, b.address ?? b.resource_id),
  );
  const result: GateResult = {
    schema_version: GATE_SCHEMA_VERSION,
    tool: { name: 'compline', version: TOOL_VERSION },
    plan: {
      label,
      format_version: plan.formatVersion,
      terraform_version: plan.terraformVersion,
      resources: {
        total: plan.counts.resources,
        azurerm: plan.counts.azurerm,
        evaluated: plan.counts.mapped,
        unmapped: plan.counts.unmapped,
      },
    },
    source,
    tenant: tenant?.id ?? null,
    frameworks: tenant ? [...tenant.frameworks] : [...catalogue.frameworks.keys()],
    fail_on: opts.failOn,
    unknown_policy: opts.unknown,
    summary,
    findings: gateFindings,
    waivers: {
      active: (config?.waivers ?? []).filter((w) => w.expires >= today && (!w.tenant || w.tenant === tenant?.id)),
      expired,
    },
    cost,
    warnings,
    // An exceeded budget wins over findings, as run's exit 4 does: both fail the pipeline, and 7 says why more narrowly.
    exit_code: cost.budget?.blocking ? 7 : summary.blocking > 0 ? 1 : 0,
  };
  const rendered = render(result, opts.format, checks, opts.color);
  // Published last: once the files are in place nothing else can fail.
  await writeTogether(
    opts.outputs.map((o) => ({ label: outputLabel(o), path: o.path, render: () => render(result, o.format, checks, false) })),
  );
  return { result, rendered };
}
