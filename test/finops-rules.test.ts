// One generic runner over every FinOps rule folder: the exact rows fixtures.yaml expects, and every case a rule must
// show (a recommendation with savings, a negative, not enough data, a missing price) present or declared impossible.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFinopsRules, RULE_COLUMNS } from '../src/finops/rules/catalogue.js';
import { evaluateRules, type Recommendation } from '../src/finops/rules/evaluate.js';
import { Store } from '../src/store.js';
import { readRuleFixtures, ruleFixtureStore } from './support/finops-fixtures.js';
import { FIXTURE_RUN } from './support/fixture-store.js';

const rules = loadFinopsRules();
const NO_OVERRIDES = { disabled: [], params: {}, tenants: {} };

describe('FinOps rule catalogue', () => {
  it('holds the rules the issue names, each with an action and its confidence levels', () => {
    expect(rules.map((r) => r.id)).toEqual([
      'container-requests',
      'cpu-waste',
      'empty-app-service-plan',
      'memory-waste',
      'orphaned-nic',
      'orphaned-public-ip',
      'reservation-candidate',
      'spot-candidate',
      'storage-lifecycle',
      'unattached-disk',
      'underutilized-node-pool',
      'vm-deallocated-30d',
      'vm-resize',
      'vm-shutdown',
      'vm-stopped-not-deallocated',
    ]);
    for (const r of rules) expect(Object.keys(r.confidence).length, r.id).toBeGreaterThan(0);
  });

  it('every query returns the contract columns over empty tables', async () => {
    const store = await Store.open(':memory:');
    await store.beginRun({ runId: 'empty', mode: 'nightly', toolVersion: 'test', configSha256: null });
    const rows = await evaluateRules(store, { runId: 'empty', tenantIds: ['t1'], config: NO_OVERRIDES, today: '2026-12-01' });
    expect(rows.filter((r) => r.status === 'error')).toEqual([]);
    for (const r of rules) {
      const cols = (await store.describe(r.sql.replaceAll(/getvariable\('[a-z_0-9]+'\)/g, 'null'))).map((d) => d.column_name);
      expect(cols, r.id).toEqual([...RULE_COLUMNS]);
    }
    store.close();
  });
});

describe.each(rules.map((r) => [r.id, r] as const))('%s', (_id, rule) => {
  const fixtures = readRuleFixtures(rule.dir);
  let store: Store;
  let rows: Recommendation[];

  beforeAll(async () => {
    store = await ruleFixtureStore(fixtures);
    rows = await evaluateRules(store, {
      runId: FIXTURE_RUN,
      tenantIds: ['t1'],
      config: { ...NO_OVERRIDES, params: fixtures.params ? { [rule.id]: fixtures.params } : {} },
      today: fixtures.today,
      rules: [rule],
    });
  });
  afterAll(() => store?.close());

  it('returns exactly the expected rows', () => {
    const byId = new Map(rows.map((r) => [r.resource_id, r]));
    expect(byId.size, 'one row per resource').toBe(rows.length);
    expect([...byId.keys()].sort()).toEqual(Object.keys(fixtures.expect).sort());
    for (const [id, want] of Object.entries(fixtures.expect)) {
      const got = byId.get(id)!;
      expect(got.status, `${id} status (${got.reason})`).toBe(want.status);
      if (want.monthly_savings !== undefined) expect(got.monthly_savings, `${id} savings`).toBe(want.monthly_savings);
      if (want.confidence) expect(got.confidence, `${id} confidence`).toBe(want.confidence);
      if (want.proposed) expect(got.proposed, `${id} proposed`).toMatchObject(want.proposed);
      if (want.current) expect(got.current, `${id} current`).toMatchObject(want.current);
      if (want.reason) expect(got.reason, `${id} reason`).toContain(want.reason);
    }
  });

  it('every recommendation carries action, confidence, reason and evidence; savings with currency and sheet date', () => {
    for (const r of rows.filter((r) => r.status === 'recommend')) {
      expect(r.action, r.resource_id).toBe(rule.action);
      expect(['high', 'medium', 'low'], r.resource_id).toContain(r.confidence);
      expect(Object.keys(rule.confidence), `${r.resource_id}: confidence level not described in rule.yaml`).toContain(
        r.confidence,
      );
      expect(r.reason.length, r.resource_id).toBeGreaterThan(0);
      expect(r.evidence, r.resource_id).not.toBeNull();
      if (r.monthly_savings !== null) {
        expect(r.monthly_savings, r.resource_id).toBeGreaterThan(0);
        expect(r.currency, r.resource_id).toMatch(/^[A-Z]{3}$/);
        expect(r.price_sheet_date, r.resource_id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      } else expect(r.reason, `${r.resource_id}: a null saving says why`).toMatch(/savings (unknown|not estimated)/);
    }
    for (const r of rows.filter((r) => r.status !== 'recommend')) {
      expect(r.action).toBeNull();
      expect(r.monthly_savings).toBeNull();
    }
  });

  it('has a priced recommendation, a negative, a not-enough-data and a missing-price case (or says why not)', () => {
    const want = Object.values(fixtures.expect);
    expect(
      want.some((w) => w.status === 'recommend' && typeof w.monthly_savings === 'number') ||
        fixtures.not_applicable?.missing_price,
      'priced',
    ).toBeTruthy();
    expect(fixtures.negative.length, 'negative cases').toBeGreaterThan(0);
    const ids = new Set(
      Object.values(fixtures.tables)
        .flat()
        .map((r) => String(r.id ?? r.resource_id ?? r.name)),
    );
    for (const n of fixtures.negative)
      expect(ids.has(n) || JSON.stringify(fixtures.tables).includes(n), `negative ${n} in tables`).toBe(true);
    if (!fixtures.not_applicable?.not_enough_data)
      expect(
        want.some((w) => w.status === 'not-enough-data'),
        'not-enough-data case',
      ).toBe(true);
    if (!fixtures.not_applicable?.missing_price)
      expect(
        want.some((w) => w.status === 'recommend' && w.monthly_savings === null),
        'missing-price case',
      ).toBe(true);
  });
});
