// Parity: each check gives a Terraform plan resource the same verdict as the equivalent ARM resource (pass, fail,
// error for a value absent from both), and `unknown` when the plan leaves the value the verdict turns on unknown.
import { describe, expect, it } from 'vitest';
import { normalisePlan } from '../src/collectors/terraform-plan/index.js';
import { evaluate } from '../src/engine.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { FIXTURE_RUN, loadTables, type PlanFixture, readFixtures } from './support/fixture-store.js';
import { buildPlan } from './support/plan-builder.js';

const catalogue = await loadCatalogue();
/**
 * A plan holds Azure resources only: checks over other tables (k8s_objects) have no plan counterpart, nor have the
 * checks comparing the live estate with Terraform state (iac_resources, resource_changes).
 */
const planChecks = catalogue.checks.filter(
  (c) => c.tables.includes('resources') && !c.tables.some((t) => t === 'iac_resources' || t === 'resource_changes'),
);
const VERDICTS = ['pass', 'fail', 'error', 'unknown'] as const;
const cases = catalogue.checks.flatMap((check) => {
  const fixtures = readFixtures(check.dir);
  return (fixtures.parity ?? []).map((p, i) => {
    const armVerdict = p.arm === undefined ? undefined : VERDICTS.find((s) => fixtures.expect[s]?.includes(p.arm!));
    return {
      name: `${check.id} #${i + 1} (${p.arm ?? 'plan only'}${p.verdict ? `, ${p.verdict}` : ''})`,
      check,
      plan: ([] as PlanFixture[]).concat(p.plan),
      arm: p.arm,
      armVerdict,
      expected: p.verdict ?? armVerdict,
      params: fixtures.params,
      // The tenant's configuration (its regions) is the same for the plan as for the ARM rows.
      tenants: fixtures.tables.tenants,
    };
  });
});

describe('ARM ↔ plan parity', () => {
  it('most checks carry parity pairs', () => {
    const withParity = new Set(cases.map((c) => c.check.id));
    expect(withParity.size).toBeGreaterThanOrEqual(Math.floor(planChecks.length * 0.8));
  });

  it('pairs cover error and unknown verdicts too; a check with an error pair has an unknown pair', () => {
    const verdicts = new Set(cases.map((c) => c.expected));
    expect([...verdicts].sort()).toEqual(['error', 'fail', 'pass', 'unknown']);
    const checksWith = (v: string) => new Set(cases.filter((c) => c.expected === v).map((c) => c.check.id));
    // Not the converse: where absence is an ARM default (a fail), a check has an unknown pair and no error pair. A check
    // that reads nothing of its subject (its verdict rests on related rows) cannot say unknown, so it is exempt.
    const unknownChecks = checksWith('unknown');
    const readsNothing = new Set(catalogue.checks.filter((c) => c.reads.length === 0).map((c) => c.id));
    expect([...checksWith('error')].filter((id) => !unknownChecks.has(id) && !readsNothing.has(id))).toEqual([]);
    expect(checksWith('error').size).toBeGreaterThanOrEqual(Math.floor(planChecks.length / 2));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // A pair names its ARM row, whose expect set is the verdict; only an unknown pair has none (ARM has no unknowns).
    if (c.expected === 'unknown') expect(c.arm, 'an unknown pair names no ARM row').toBeUndefined();
    else expect(c.armVerdict, 'parity arm id must be in an expect set, and agree with verdict').toBe(c.expected);
    const { plan, addresses } = buildPlan(c.plan);
    const normalised = normalisePlan(plan, 'parity.json');
    for (const row of normalised.rows) row.tenant_id = 't1';
    const store = await Store.open(':memory:');
    try {
      await store.beginRun({ runId: FIXTURE_RUN, mode: 'gate', toolVersion: 'test', configSha256: null });
      await store.appendResources(FIXTURE_RUN, normalised.rows);
      if (c.tenants) await loadTables(store, { tenants: c.tenants });
      const { findings } = await evaluate(store, [c.check], {
        runId: FIXTURE_RUN,
        tenantIds: ['t1'],
        waivers: [],
        params: c.params ? { [c.check.id]: c.params } : {},
        today: '2026-11-25',
      });
      const subject = findings.find((f) => f.resource_id === `plan://${addresses[0]}`);
      expect(
        subject,
        `no verdict for plan://${addresses[0]}; findings: ${JSON.stringify(findings.map((f) => f.resource_id))}`,
      ).toBeDefined();
      expect(`${subject?.status}: ${subject?.reason}`).toMatch(new RegExp(`^${c.expected}:`));
    } finally {
      store.close();
    }
  });
});
