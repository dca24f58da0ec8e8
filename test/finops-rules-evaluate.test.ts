// The FinOps rules over a real DuckDB store: per-tenant parameters, tenant isolation, fail-closed sources, the rows
// written to `recommendations`, config problems, and `compline rules`.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type FinopsRule, loadFinopsRules } from '../src/finops/rules/catalogue.js';
import type { RulesConfig } from '../src/finops/rules/config.js';
import { evaluateFinopsRules, evaluateRules, type Recommendation } from '../src/finops/rules/evaluate.js';
import type { SourceStatus, Store } from '../src/store.js';
import { compline } from './support/cli.js';
import { FIXTURE_RUN, fixtureStore } from './support/fixture-store.js';

const TODAY = '2026-12-01';
const rules = loadFinopsRules();
const rule = (id: string) => rules.find((r) => r.id === id)!;
const NONE: RulesConfig = { disabled: [], params: {}, tenants: {} };

/** An unattached Premium 128 GB disk (P10) per tenant and subscription, 10 days old. */
const disk = (tenant: string, sub: string, name: string) => ({
  id: `/subscriptions/${sub}/resourcegroups/rg/providers/microsoft.compute/disks/${name}`,
  tenant_id: tenant,
  subscription_id: sub,
  type: 'microsoft.compute/disks',
  location: 'eastus',
  sku: { name: 'Premium_LRS' },
  properties: { diskSizeGB: 128, diskState: 'Unattached', timeCreated: '2026-11-21T00:00:00Z' },
});
const P10 = {
  tenant_id: null,
  sheet_date: '2026-11-28',
  currency_code: 'USD',
  sku_name: 'P10 LRS',
  arm_region_name: 'eastus',
  meter_name: 'P10 LRS Disk',
  unit_of_measure: '1/Month',
  retail_price: 19.71,
  price_type: 'Consumption',
};

async function estate(sources: Omit<SourceStatus, 'rows'>[] = []): Promise<Store> {
  const store = await fixtureStore({
    resources: [disk('t1', 's1', 'd-alpha'), disk('t2', 's2', 'd-beta'), disk('t2', 's3', 'd-beta-other')],
    prices: [P10],
  });
  for (const s of sources) await store.recordSource(FIXTURE_RUN, { ...s, rows: 0 });
  return store;
}

const run = (store: Store, config: RulesConfig = NONE, only: FinopsRule[] = [rule('unattached-disk')]) =>
  evaluateRules(store, { runId: FIXTURE_RUN, tenantIds: ['t1', 't2'], config, today: TODAY, rules: only });
const names = (rows: Recommendation[], status = 'recommend') =>
  rows
    .filter((r) => r.status === status)
    .map((r) => `${r.tenant_id}:${r.resource_id.split('/').pop()}`)
    .sort();

describe('parameters per tenant', () => {
  it('rule.yaml defaults apply to every tenant', async () => {
    const store = await estate();
    expect(names(await run(store))).toEqual(['t1:d-alpha', 't2:d-beta', 't2:d-beta-other']);
    store.close();
  });

  it("finops.rules.params changes every tenant's; finops.rules.tenants.<id> only that tenant's, over it", async () => {
    const store = await estate();
    const shared: RulesConfig = { ...NONE, params: { 'unattached-disk': { min_age_days: 14 } } };
    expect(names(await run(store, shared))).toEqual([]);
    const t2Own: RulesConfig = { ...shared, tenants: { t2: { 'unattached-disk': { min_age_days: 5 } } } };
    expect(names(await run(store, t2Own))).toEqual(['t2:d-beta', 't2:d-beta-other']);
    const t1Own: RulesConfig = { ...NONE, tenants: { t1: { 'unattached-disk': { min_age_days: 30 } } } };
    expect(names(await run(store, t1Own))).toEqual(['t2:d-beta', 't2:d-beta-other']);
    store.close();
  });

  it('a disabled rule gives no row', async () => {
    const store = await estate();
    expect(await run(store, { ...NONE, disabled: ['unattached-disk'] })).toEqual([]);
    store.close();
  });
});

describe('tenant isolation', () => {
  it("every row carries its resource's tenant; a rule that files a resource under another tenant is withheld", async () => {
    const store = await estate();
    const rows = await run(store);
    for (const r of rows) expect(r.resource_id.includes('d-alpha') ? 't1' : 't2').toBe(r.tenant_id);
    const leaky: FinopsRule = {
      ...rule('unattached-disk'),
      id: 'leaky',
      sql: rule('unattached-disk').sql.replace('  d.tenant_id,', "  'attacker' as tenant_id,"),
    };
    const leaked = await run(store, NONE, [leaky]);
    expect(leaked.every((r) => r.status === 'error' && r.tenant_id !== 'attacker')).toBe(true);
    expect(leaked.find((r) => r.resource_id.endsWith('d-alpha'))).toMatchObject({
      tenant_id: 't1',
      reason: 'rule reported tenant attacker for a resource of tenant t1',
      monthly_savings: null,
    });
    store.close();
  });
});

describe('fail closed on incomplete sources', () => {
  it("a partial subscription withholds that subscription's recommendations and says so, once per tenant", async () => {
    const store = await estate([
      { source: 'resource-graph', scope: 'subscription:s2', status: 'partial', error: 'page 3: 503', tenant_id: 't2' },
    ]);
    const rows = await run(store);
    expect(names(rows)).toEqual(['t1:d-alpha', 't2:d-beta-other']);
    expect(names(rows, 'error')).toEqual(['t2:d-beta', 't2:subscription:s2']);
    const scope = rows.find((r) => r.resource_id === 'source://resource-graph/subscription:s2')!;
    expect(scope.reason).toBe('source resource-graph partial for subscription:s2: page 3: 503; no recommendation for this scope');
    expect(rows.find((r) => r.resource_id.endsWith('d-beta'))!.reason).toMatch(/recommendation withheld$/);
    store.close();
  });

  it("a subscription one tenant owns withholds another tenant's resource in it too", async () => {
    const store = await estate();
    await store.exec(
      `insert into resources (run_id, tenant_id, id, type, subscription_id, location, sku, properties, origin)
       select run_id, 't1', replace(id, 'd-beta', 'd-alpha-in-s2'), type, subscription_id, location, sku, properties, origin
       from resources where id like '%/d-beta'`,
    );
    await store.recordSource(FIXTURE_RUN, {
      source: 'resource-graph',
      scope: 'subscription:s2',
      status: 'partial',
      error: 'page 2: 429',
      rows: 0,
      tenant_id: 't2',
    });
    const rows = await run(store);
    expect(names(rows)).toEqual(['t1:d-alpha', 't2:d-beta-other']);
    expect(names(rows, 'error')).toEqual(['t1:d-alpha-in-s2', 't2:d-beta', 't2:subscription:s2']);
    store.close();
  });

  it('a source failed outright withholds every row of every tenant, and a source the rule does not read changes nothing', async () => {
    const store = await estate([
      { source: 'resource-graph', scope: 'all', status: 'failed', error: 'token expired', tenant_id: null },
      { source: 'kubernetes', scope: 'cluster:aks1', status: 'failed', error: 'x', tenant_id: null },
    ]);
    const rows = await run(store);
    expect(names(rows)).toEqual([]);
    expect(names(rows, 'error')).toEqual(['null:all', 't1:all', 't1:d-alpha', 't2:all', 't2:d-beta', 't2:d-beta-other']);
    store.close();
  });

  it('monitor partial withholds the metric rules, not the rules that read no metrics', async () => {
    const store = await estate([{ source: 'monitor', scope: 'all', status: 'partial', error: 'throttled', tenant_id: null }]);
    const rows = await run(store, NONE, [rule('unattached-disk'), rule('vm-shutdown')]);
    expect(names(rows)).toEqual(['t1:d-alpha', 't2:d-beta', 't2:d-beta-other']);
    expect(
      rows
        .filter((r) => r.rule_id === 'vm-shutdown')
        .map((r) => `${r.status} ${r.tenant_id}`)
        .sort(),
    ).toEqual(['error null', 'error t1', 'error t2']);
    store.close();
  });

  it('a query that fails on the run’s data is an error row per tenant, not silence', async () => {
    const store = await estate();
    const broken: FinopsRule = { ...rule('unattached-disk'), id: 'broken', sql: 'select 1 / 0 as x from nowhere' };
    const rows = await run(store, NONE, [broken]);
    expect(rows.map((r) => `${r.status} ${r.tenant_id} ${r.resource_id}`).sort()).toEqual([
      'error null rule://broken',
      'error t1 rule://broken',
      'error t2 rule://broken',
    ]);
    store.close();
  });
});

describe('recommendations table', () => {
  it('holds every row with its JSON, savings, currency and sheet date, and the run log counts them', async () => {
    const store = await estate([
      { source: 'resource-graph', scope: 'subscription:s3', status: 'partial', error: 'timeout', tenant_id: 't2' },
    ]);
    const lines: string[] = [];
    const config = parseConfig(
      `version: 1\ntenants:\n  - { id: t1, name: T1, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }\n  - { id: t2, name: T2, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }\n`,
      'c.yaml',
    );
    await evaluateFinopsRules({ store, runId: FIXTURE_RUN, config, baseDir: '.', today: TODAY, log: (l) => lines.push(l) });
    const stored = await store.read<Record<string, unknown>>(
      `select tenant_id, rule_id, status, action, monthly_savings::double as savings, currency, price_sheet_date::varchar as sheet,
              proposed->>'$.state' as proposed, current->>'$.tier' as tier, evidence->>'$.diskState' as state
       from recommendations where rule_id = 'unattached-disk' order by tenant_id, resource_id`,
    );
    expect(stored).toEqual([
      {
        tenant_id: 't1',
        rule_id: 'unattached-disk',
        status: 'recommend',
        action: 'delete',
        savings: 19.71,
        currency: 'USD',
        sheet: '2026-11-28',
        proposed: 'deleted',
        tier: 'P10 LRS',
        state: 'Unattached',
      },
      {
        tenant_id: 't2',
        rule_id: 'unattached-disk',
        status: 'recommend',
        action: 'delete',
        savings: 19.71,
        currency: 'USD',
        sheet: '2026-11-28',
        proposed: 'deleted',
        tier: 'P10 LRS',
        state: 'Unattached',
      },
      {
        tenant_id: 't2',
        rule_id: 'unattached-disk',
        status: 'error',
        action: null,
        savings: null,
        currency: null,
        sheet: null,
        proposed: null,
        tier: null,
        state: null,
      },
      {
        tenant_id: 't2',
        rule_id: 'unattached-disk',
        status: 'error',
        action: null,
        savings: null,
        currency: null,
        sheet: null,
        proposed: null,
        tier: null,
        state: null,
      },
    ]);
    expect(lines.join('\n')).toMatch(/finops rules: \d+ recommendations, \d+ not enough data, \d+ withheld/);
    store.close();
  });
});

describe('finops.rules config', () => {
  const base = `version: 1
tenants:
  - { id: bank_alpha, name: Bank Alpha, tier: enterprise, frameworks: [pci-dss-4.0.1], environments: [prod] }
finops:
  rules:
`;
  it('accepts overrides for every tenant and per tenant', () => {
    const config = parseConfig(
      `${base}    disabled: [spot-candidate]\n    params: { vm-resize: { cpu_p95_max_pct: 70 } }\n    tenants: { bank_alpha: { vm-resize: { user_facing_tag: tier } } }\n`,
      'c.yaml',
    );
    expect(config.finops.rules.tenants.bank_alpha?.['vm-resize']).toEqual({ user_facing_tag: 'tier' });
  });

  it('names every unknown rule, parameter, type and tenant on its own line', () => {
    const text = `${base}    disabled: [spot-candidates]
    params: { vm-resise: { x: 1 }, vm-resize: { cpu_p95_max: 40, min_days: "7" } }
    tenants: { bank_alfa: { vm-shutdown: { cpu_max_p95_pct: 5 } } }
    colour: blue
`;
    let message = '';
    try {
      parseConfig(text, 'c.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n').sort()).toEqual(
      [
        'c.yaml: finops.rules.disabled[0]: no FinOps rule spot-candidates (did you mean spot-candidate?)',
        'c.yaml: finops.rules.params.vm-resise: no FinOps rule vm-resise (did you mean vm-resize?)',
        'c.yaml: finops.rules.params.vm-resize.cpu_p95_max: vm-resize has no parameter cpu_p95_max (did you mean cpu_p95_max_pct?)',
        'c.yaml: finops.rules.params.vm-resize.min_days: expected number',
        'c.yaml: finops.rules.tenants.bank_alfa: no tenant bank_alfa (did you mean bank_alpha?)',
        expect.stringMatching(/^c\.yaml: finops\.rules: unknown key colour/),
      ].sort((a, b) => String(a).localeCompare(String(b))),
    );
  });
});

describe('compline rules', () => {
  it('list prints every FinOps rule with its action; show prints one whole; an unknown id exits 2', () => {
    const list = compline(['rules', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^vm-resize\s+resize\s+resources,metrics,prices\s+Resize under-used/m);
    expect(list.stdout).toMatch(/\n15 FinOps rules\n?$/);
    const json = JSON.parse(compline(['rules', 'list', '--format', 'json']).stdout) as { id: string }[];
    expect(json.map((r) => r.id)).toEqual(rules.map((r) => r.id));
    const show = compline(['rules', 'show', 'container-requests']);
    expect(show.stdout).toMatch(/^container-requests: Set container requests/);
    expect(show.stdout).toMatch(/ {2}min_samples = 100\n {2}min_history_hours = 3/);
    const bad = compline(['rules', 'show', 'vm-resise']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no FinOps rule vm-resise \(did you mean vm-resize\?\)/);
  });
});
