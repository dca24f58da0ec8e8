// One generic runner over every rule folder: exact pass / fail / error (/ unknown) sets from fixtures.yaml, and
// every branch of the check's query reached by a fixture row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundSql, type Evaluation, evaluate, validateQueries } from '../src/engine.js';
import { loadCatalogue, sharedMacros } from '../src/rules.js';
import { Store } from '../src/store.js';
import { evaluateStored } from './support/evaluate-stored.js';
import { FIXTURE_RUN, fixtureStore, readFixtures } from './support/fixture-store.js';
import { type Branch, caseBranches, macroSpans, macrosCalledBy, withCounters } from './support/sql-branches.js';

const catalogue = await loadCatalogue();
const MACROS = sharedMacros();
const MACRO_BRANCHES = caseBranches(MACROS);
const MACRO_SPANS = macroSpans(MACROS);
const describeBranch = (sql: string, b: Branch) => sql.slice(b.start, b.end).trim().split('\n')[0];

describe('check catalogue', () => {
  it('a check under pci/ carries PCI DSS ids, sox/ SOX ITGC ids, gdpr/ GDPR ids, k8s/ PCI or SOX ids; at least 50 carry PCI ids', () => {
    for (const c of catalogue.checks) {
      const group = /\/checks\/([^/]+)\//.exec(c.dir)?.[1];
      const frameworks = { pci: ['pci-dss-4.0.1'], sox: ['sox-itgc'], gdpr: ['gdpr'], k8s: ['pci-dss-4.0.1', 'sox-itgc'] }[
        group ?? ''
      ];
      expect(frameworks, `${c.id}: no framework folder ${group}`).toBeDefined();
      const ids = (frameworks ?? []).flatMap((f) => c.requirements[f] ?? []);
      expect(ids.length, `${c.id} lacks ${frameworks?.join(' or ')} ids`).toBeGreaterThan(0);
      expect(Object.values(c.remediation).filter(Boolean).length, `${c.id} remediation`).toBe(3);
    }
    expect(catalogue.checks.filter((c) => c.requirements['pci-dss-4.0.1']).length).toBeGreaterThanOrEqual(50);
  });

  it('branch coverage knows every macro by its whole name', () => {
    const names = MACRO_SPANS.map((m) => m.name);
    for (const name of names) expect(MACROS, name).toContain(`create or replace temp macro ${name}(`);
    expect(names).toContain('k8s_workloads');
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
  let javascript: Evaluation;
  let stored: Evaluation;

  beforeAll(async () => {
    store = await fixtureStore(fixtures.tables);
    const ctx = {
      runId: FIXTURE_RUN,
      tenantIds: ['t1'],
      waivers: [],
      params: fixtures.params ? { [check.id]: fixtures.params } : {},
      today: '2026-01-01',
    };
    const result = await evaluate(store, [check], ctx);
    verdicts = new Map(result.findings.map((f) => [f.resource_id, f.status]));
    expect(result.findings.length).toBe(verdicts.size);
    stored = await evaluateStored(store, [check], ctx);
    javascript = result;
  });
  afterAll(() => store?.close());

  it('gives the same findings stored by DuckDB as in JavaScript', () => {
    const order = (e: Evaluation) => [...e.findings].sort((a, b) => (a.resource_id < b.resource_id ? -1 : 1));
    expect(order(stored)).toEqual(order(javascript));
  });

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

  // Each THEN / ELSE result of every CASE in query.sql and in the macros it calls counts, in a temporary sequence,
  // the rows that take it; the fixtures run once through that copy. A branch no row takes is logic no test has run,
  // typically the "absent" or "unrecognised value" arm that keeps a check failing closed. A branch the check
  // cannot take is declared under `unreachable:` in fixtures.yaml, with the reason. Runs last: it redefines the macros.
  it('every CASE branch of its query and of the macros it calls is reached by a fixture row', async () => {
    const sql = boundSql(check, fixtures.params);
    const branches = caseBranches(sql);
    const counters = [...branches.map((_, i) => `q${i}`), ...MACRO_BRANCHES.map((_, i) => `m${i}`)];
    await store.defineOnReaders(counters.map((c) => `create temp sequence ${c}`).join(';\n'));
    await store.defineOnReaders(withCounters(MACROS, MACRO_BRANCHES, 'm'));
    await store.read(withCounters(sql, branches, 'q'));
    // A sequence starts at 1: its next value is 1 when no row took the branch.
    const [taken] = await store.read<Record<string, boolean>>(
      `select ${counters.map((c) => `nextval('${c}') > 1 as ${c}`).join(', ')}`,
    );
    const unreached = branches.filter((_, i) => !taken?.[`q${i}`]).map((b) => `query.sql:${b.line}: ${describeBranch(sql, b)}`);
    const called = macrosCalledBy(sql, MACROS, MACRO_SPANS);
    for (const [i, b] of MACRO_BRANCHES.entries()) {
      const macro = MACRO_SPANS.find((m) => b.start >= m.start && b.start < m.end)!;
      if (called.has(macro.name) && !taken?.[`m${i}`])
        unreached.push(`macros.sql:${b.line} (${macro.name}): ${describeBranch(MACROS, b)}`);
    }
    const declared = fixtures.unreachable ?? [];
    expect(
      unreached.filter((u) => !declared.some((d) => u.includes(d.branch))).join('\n'),
      'branches no fixture row reaches',
    ).toBe('');
    const stale = declared.filter((d) => !unreached.some((u) => u.includes(d.branch))).map((d) => d.branch);
    expect(stale, 'declared unreachable in fixtures.yaml, yet reached or gone').toEqual([]);
  });
});
