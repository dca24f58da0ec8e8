// One generic runner over every rule folder: exact pass / fail / error (/ unknown) sets from fixtures.yaml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, validateQueries } from '../src/engine.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { FIXTURE_RUN, fixtureStore, readFixtures } from './support/fixture-store.js';

const catalogue = await loadCatalogue();

describe('check catalogue', () => {
  it('a check under pci/ carries PCI DSS ids, one under sox/ SOX ITGC ids; at least 50 carry PCI ids', () => {
    for (const c of catalogue.checks) {
      const framework = c.dir.includes('/checks/pci/') ? 'pci-dss-4.0.1' : 'sox-itgc';
      expect(c.requirements[framework]?.length ?? 0, `${c.id} lacks ${framework} ids`).toBeGreaterThan(0);
      expect(Object.values(c.remediation).filter(Boolean).length, `${c.id} remediation`).toBe(3);
    }
    expect(catalogue.checks.filter((c) => c.requirements['pci-dss-4.0.1']).length).toBeGreaterThanOrEqual(50);
  });

  it('every query returns the contract columns', async () => {
    const store = await Store.open(':memory:');
    await store.beginRun({ runId: 'empty', mode: 'nightly', toolVersion: 'test', configSha256: null });
    await store.scopeToRun('empty');
    await expect(validateQueries(store, catalogue.checks)).resolves.toBeUndefined();
    store.close();
  });
});

describe.each(catalogue.checks.map((c) => [c.id, c] as const))('%s', (_id, check) => {
  const fixtures = readFixtures(check.dir);
  let verdicts: Map<string, string>;
  let store: Store;

  beforeAll(async () => {
    store = await fixtureStore(fixtures.tables);
    const result = await evaluate(store, [check], {
      runId: FIXTURE_RUN,
      tenantIds: ['t1'],
      waivers: [],
      params: fixtures.params ? { [check.id]: fixtures.params } : {},
      today: '2026-01-01',
    });
    verdicts = new Map(result.findings.map((f) => [f.resource_id, f.status]));
    expect(result.findings.length).toBe(verdicts.size);
  });
  afterAll(() => store?.close());

  it('has at least one pass, one fail and one error case', () => {
    expect(fixtures.expect.pass?.length ?? 0).toBeGreaterThan(0);
    expect(fixtures.expect.fail?.length ?? 0).toBeGreaterThan(0);
    expect(fixtures.expect.error?.length ?? 0).toBeGreaterThan(0);
  });

  for (const status of ['pass', 'fail', 'error', 'unknown'] as const) {
    it(`${status} set is exact`, () => {
      const actual = [...verdicts]
        .filter(([, s]) => s === status)
        .map(([id]) => id)
        .sort();
      expect(actual).toEqual([...(fixtures.expect[status] ?? [])].sort());
    });
  }
});
