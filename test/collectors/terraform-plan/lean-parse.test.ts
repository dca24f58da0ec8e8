import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalisePlan, readPlan } from '../../../src/collectors/terraform-plan/index.js';
import { parseLeanPlan } from '../../../src/collectors/terraform-plan/lean-parse.js';
import type { ResourceRow } from '../../../src/model.js';

type Obj = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: tests reshape plan JSON freely
type AnyJson = any;

const fixture = (name: string): AnyJson =>
  JSON.parse(readFileSync(new URL(`../../fixtures/plans/${name}`, import.meta.url), 'utf8'));

/**
 * The platform fixture as Terraform writes it against an existing estate: a prior_state, drift, and a
 * `before` (with its sensitive mirror) on every change that is not a create.
 */
function estatePlan(): AnyJson {
  const plan = fixture('platform-azurerm4.plan.json');
  for (const rc of plan.resource_changes) {
    const c = rc.change;
    if (c.actions[0] === 'create') continue;
    c.before ??= { ...(c.after ?? {}), planted_before: 'Before-Only-UNIQUE-5151' };
    c.before_sensitive = c.before_sensitive === false ? {} : (c.before_sensitive ?? {});
  }
  plan.prior_state = { format_version: '1.0', values: { root_module: structuredClone(plan.planned_values.root_module) } };
  plan.resource_drift = [{ address: 'azurerm_resource_group.main', change: { actions: ['update'], before: {}, after: {} } }];
  return plan;
}

/** What the gate reads of a plan: the whole document without the parts the lean parse leaves out. */
function withoutUnread(plan: AnyJson): AnyJson {
  const out = structuredClone(plan);
  delete out.prior_state;
  delete out.resource_drift;
  delete out.planned_values;
  for (const rc of out.resource_changes) {
    const c = rc.change;
    if (c.after !== null && c.after !== undefined) {
      if (typeof c.before === 'object' && c.before !== null) delete c.before;
      if (typeof c.before_sensitive === 'object' && c.before_sensitive !== null) delete c.before_sensitive;
    }
  }
  return out;
}

const byId = (rows: ResourceRow[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const lean = (plan: unknown, space?: number) => parseLeanPlan(Buffer.from(JSON.stringify(plan, null, space)));

describe('lean plan parse', () => {
  it('leaves out prior state, drift, planned values and the before side of every change but deletes', () => {
    const plan = estatePlan();
    const got = lean(plan);
    expect(got).toEqual(withoutUnread(plan));
    const deleted = (got as AnyJson).resource_changes.find((rc: AnyJson) => rc.change.actions[0] === 'delete');
    expect(deleted.change.before).toEqual(
      plan.resource_changes.find((rc: AnyJson) => rc.address === deleted.address).change.before,
    );
  });

  it('gives the same rows as parsing everything, compact or pretty-printed', () => {
    const plan = estatePlan();
    const full = normalisePlan(plan, 'p');
    for (const space of [undefined, 2]) {
      const got = normalisePlan(lean(plan, space) as Obj, 'p');
      expect(byId(got.rows)).toEqual(byId(full.rows));
      expect({ ...got, rows: null }).toEqual({ ...full, rows: null });
    }
  });

  it('keeps planned_values when resource_changes does not list every resource in it', () => {
    const plan = estatePlan();
    plan.resource_changes = plan.resource_changes.filter((rc: AnyJson) => rc.address !== 'azurerm_mssql_server.main');
    const got = lean(plan) as AnyJson;
    expect(got.planned_values).toEqual(plan.planned_values);
    expect(byId(normalisePlan(got, 'p').rows)).toEqual(byId(normalisePlan(plan, 'p').rows));
  });

  it('keeps planned_values when a resource there has no change, even if another change evens the count', () => {
    const plan = estatePlan();
    const hidden = 'azurerm_mssql_server.main';
    const decoy = structuredClone(plan.resource_changes.find((rc: AnyJson) => rc.address === hidden));
    decoy.address = 'azurerm_mssql_server.decoy';
    decoy.name = 'decoy';
    plan.resource_changes = [...plan.resource_changes.filter((rc: AnyJson) => rc.address !== hidden), decoy];
    const got = lean(plan) as AnyJson;
    expect(got.planned_values).toEqual(plan.planned_values);
    const rows = normalisePlan(got, 'p').rows.map((r) => r.plan_address);
    expect(rows).toContain(hidden);
    expect(rows).toContain('azurerm_mssql_server.decoy');
  });

  it('keeps planned_values when a managed resource there has no address', () => {
    const plan = estatePlan();
    plan.planned_values.root_module.resources.push({ mode: 'managed', type: 'azurerm_key_vault', name: 'x', values: {} });
    expect((lean(plan) as AnyJson).planned_values).toEqual(plan.planned_values);
  });

  it('keeps members of those names anywhere but where Terraform puts them', () => {
    const plan = estatePlan();
    plan.variables = { prior_state: { value: { planned_values: { before: 1 } } } };
    plan.resource_changes[1].change.after.tags = { prior_state: 'x', planned_values: 'y' };
    plan.configuration.root_module.variables = { planned_values: { default: { before: [1] } } };
    const got = lean(plan) as AnyJson;
    expect(got.variables).toEqual(plan.variables);
    expect(got.resource_changes[1].change.after.tags).toEqual({ prior_state: 'x', planned_values: 'y' });
    expect(got.configuration).toEqual(plan.configuration);
  });

  it('declines what it cannot vouch for, so the whole text is parsed', () => {
    const text = JSON.stringify(estatePlan());
    const at = text.indexOf('"prior_state":{') + '"prior_state":{'.length;
    const broken = [
      `${text.slice(0, at)}"a":tru e,${text.slice(at)}`, // not a JSON literal inside a part left out
      `${text.slice(0, at)}"a":[1,2},${text.slice(at)}`, // brackets that do not match
      `${text.slice(0, at)}"a":@,${text.slice(at)}`,
      text.slice(0, text.length - 1), // truncated
      `${text} x`, // something after the document
      `[${text}]`,
    ];
    for (const t of broken) expect(parseLeanPlan(Buffer.from(t))).toBeNull();
    // A plan without prior state (nothing exists yet) is parsed whole: there is little to leave out.
    expect(lean(fixture('platform-azurerm4.plan.json'))).toBeNull();
  });

  it('readPlan reports a broken part left out like any other JSON error, and never quotes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compline-lean-'));
    const text = JSON.stringify(estatePlan());
    const at = text.indexOf('"prior_state":{') + '"prior_state":{'.length;
    const file = join(dir, 'plan.json');
    writeFileSync(file, `${text.slice(0, at)}"secret":"Broken-Part-UNIQUE-7171" x,${text.slice(at)}`);
    const error = await readPlan(file).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(error).toMatch(/^.*plan\.json: not JSON \(.* at line 1 column \d+\)$/);
    expect(error).not.toContain('Broken-Part-UNIQUE');
    // A broken escape in an address the pass decodes is reported the same way.
    const address = text.indexOf('"address":"', text.indexOf('"planned_values":'));
    writeFileSync(file, `${text.slice(0, address)}"address":"Broken-Escape-UNIQUE-\\q${text.slice(address + 11)}`);
    const escapeError = await readPlan(file).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(escapeError).toMatch(/^.*plan\.json: not JSON \(.* at line 1 column \d+\)$/);
    expect(escapeError).not.toContain('Broken-Escape-UNIQUE');
    writeFileSync(file, text);
    expect(byId(normalisePlan(await readPlan(file), 'p').rows)).toEqual(byId(normalisePlan(JSON.parse(text), 'p').rows));
  });
});

describe('lean plan parse over random documents', () => {
  // Deterministic PRNG (mulberry32) so a failure names a seed that reproduces it.
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const KEYS = [
    'before',
    'before_sensitive',
    'after',
    'change',
    'prior_state',
    'planned_values',
    'resource_changes',
    'resource_drift',
    'x',
    'a"b',
    'c\\d',
    'ünï',
    '',
    'actions',
  ];
  const STRINGS = [
    '',
    'plain',
    'quote " inside',
    'back\\slash\\',
    '\\"',
    'ünïcödé ✓',
    'line\nbreak\ttab',
    '{"prior_state":{}}',
    ',"before":{',
  ];

  function value(r: () => number, depth: number): unknown {
    const k = r();
    if (depth > 4 || k < 0.35) {
      const s = r();
      if (s < 0.2) return null;
      if (s < 0.35) return r() < 0.5;
      if (s < 0.55) return Math.round((r() - 0.5) * 1e6) / (r() < 0.5 ? 1 : 1000);
      if (s < 0.6) return -1.5e-7;
      return STRINGS[Math.floor(r() * STRINGS.length)];
    }
    if (k < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    const o: Obj = {};
    for (let i = Math.floor(r() * 5); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)] as string] = value(r, depth + 1);
    return o;
  }

  function change(r: () => number): Obj {
    const after = r() < 0.3 ? null : value(r, 2);
    return { actions: [after === null ? 'delete' : 'update'], before: value(r, 2), after, before_sensitive: value(r, 3) };
  }

  function plan(r: () => number): Obj {
    return {
      format_version: '1.2',
      variables: value(r, 1),
      planned_values: value(r, 1),
      resource_drift: [value(r, 2)],
      resource_changes: Array.from({ length: Math.floor(r() * 6) }, () => ({
        address: 'a',
        extra: value(r, 2),
        change: change(r),
      })),
      prior_state: value(r, 1),
      configuration: value(r, 1),
    };
  }

  /** What the lean parse must give, from the fully parsed document. */
  function expected(full: AnyJson): AnyJson {
    const out = structuredClone(full);
    delete out.prior_state;
    delete out.resource_drift;
    for (const rc of Array.isArray(out.resource_changes) ? out.resource_changes : []) {
      const c = rc?.change;
      if (typeof c !== 'object' || c === null || Array.isArray(c) || c.after === null || c.after === undefined) continue;
      for (const name of ['before', 'before_sensitive']) if (typeof c[name] === 'object' && c[name] !== null) delete c[name];
    }
    return out;
  }

  it('gives the fully parsed document minus the parts left out, or declines', () => {
    let lean = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const doc = plan(r);
      const text = JSON.stringify(doc, null, r() < 0.3 ? 2 : undefined);
      const got = parseLeanPlan(Buffer.from(text));
      if (got === null) continue;
      lean++;
      expect(got, `seed ${seed}`).toEqual(expected(JSON.parse(text)));
    }
    // Most documents take the lean way (the rest have no object to leave out).
    expect(lean).toBeGreaterThan(300);
  });
});
