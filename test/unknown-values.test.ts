// A value known only after apply reaches a check as an absent property listed in unknown_paths. The engine lets a
// query's pass or fail stand and turns only its `error` into `unknown`; that is sound only while no query decides a
// verdict from the absence of a value. This test holds every check to it: for every fixture row and every value the
// check reads, the row with that value unknown must get the verdict of the row with it known, or error, or unknown —
// never a different definite verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundSql } from '../src/engine.js';
import type { CheckMeta, Json } from '../src/model.js';
import { loadCatalogue, sharedMacros } from '../src/rules.js';
import type { Store } from '../src/store.js';
import { FIXTURE_RUN, fixtureStore, readFixtures, resourceRow } from './support/fixture-store.js';

const catalogue = await loadCatalogue();
type Obj = Record<string, Json>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Concrete locations of a read path in a row: [holder object, key, concrete path]. `[*]` spans list items. */
function locate(row: Obj, path: string): { holder: Obj; key: string }[] {
  const segs = path.replaceAll('[*]', '.[*]').split('.');
  let at: Json[] = [row];
  for (const [i, seg] of segs.entries()) {
    if (seg === '[*]') {
      if (i === segs.length - 1) return []; // a whole list item is not one value: left to the block paths
      at = at.flatMap((x) => (Array.isArray(x) ? x : []));
      continue;
    }
    if (i === segs.length - 1)
      return at.filter((x): x is Obj => isObj(x) && x[seg] !== undefined).map((holder) => ({ holder, key: seg }));
    at = at.filter(isObj).flatMap((x) => (x[seg] === undefined ? [] : [x[seg]!]));
  }
  return [];
}

interface Mutation {
  row: string;
  path: string;
  which: number;
  mutated: Record<string, unknown>;
}

/** A read path and the blocks that hold it (`properties.a.b` → itself and `properties.a`): Terraform can leave a whole block unknown. */
function withBlocks(path: string): string[] {
  const out = [path];
  for (let p = path; ; ) {
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
    if (p === 'properties' || p.endsWith('[*]')) continue;
    out.push(p);
  }
  return out;
}

/** One mutation per value a read path (or a block holding it) reaches in a row: that value removed and named in unknown_paths. */
function mutations(check: CheckMeta, rows: Record<string, unknown>[]): Mutation[] {
  const out: Mutation[] = [];
  const paths = [...new Set(check.reads.flatMap(withBlocks))];
  for (const original of rows) {
    // A read that names a block (`properties.administrators`) reaches the values inside it too.
    const inner = check.reads.flatMap((path) =>
      locate(original as Obj, path).flatMap(({ holder, key }) => {
        const value = holder[key];
        return isObj(value) ? Object.keys(value).map((k) => `${path}.${k}`) : [];
      }),
    );
    for (const path of new Set([...paths, ...inner])) {
      const count = locate(structuredClone(original) as Obj, path).length;
      for (let which = 0; which < count; which++) {
        const mutated = structuredClone(original) as Obj;
        const hit = locate(mutated, path)[which]!;
        delete hit.holder[hit.key];
        mutated.unknown_paths = [path];
        out.push({ row: String(original.id), path, which, mutated });
      }
    }
  }
  return out;
}

const checks = catalogue.checks.filter((c) => c.reads.length > 0);

describe.each(checks.map((c) => [c.id, c] as const))('%s with a read value unknown', (_id, check) => {
  const fixtures = readFixtures(check.dir);
  const rows = (fixtures.tables.resources ?? []) as Record<string, unknown>[];
  let store: Store;
  // Pass and fail come from the query alone (the engine only withholds verdicts), so the bound query is run directly.
  const sql = boundSql(check, fixtures.params ?? {});
  const run = async () =>
    new Map((await store.read<{ resource_id: string; status: string }>(sql)).map((f) => [f.resource_id, f.status]));
  beforeAll(async () => {
    store = await fixtureStore(fixtures.tables);
    await store.scopeToRun(FIXTURE_RUN);
    await store.defineOnReaders(sharedMacros());
  });
  afterAll(() => store?.close());

  it('never turns into a different pass or fail', async () => {
    const known = await run();
    const wrong: string[] = [];
    const list = mutations(check, rows);
    for (const m of list) {
      const quoted = m.row.replaceAll("'", "''");
      await store.exec(`delete from resources where id = '${quoted}'`);
      await store.appendResources(FIXTURE_RUN, [resourceRow(m.mutated)]);
      for (const [id, status] of await run()) {
        const before = known.get(id);
        if ((status === 'pass' || status === 'fail') && status !== before)
          wrong.push(`${m.row} with ${m.path} #${m.which} unknown: ${id} ${before} → ${status}`);
      }
      await store.exec(`delete from resources where id = '${quoted}'`);
      await store.appendResources(FIXTURE_RUN, [resourceRow(rows.find((r) => String(r.id) === m.row)!)]);
    }
    expect(wrong).toEqual([]);
  });
});
