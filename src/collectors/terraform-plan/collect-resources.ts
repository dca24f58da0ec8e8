// The plan's managed resource instances, each with the values its row is built from: resource_changes indexed
// by address once, then planned_values walked in order. Error locations (`resource_changes[3]`) are spelled
// out only when an error is thrown: building them for every resource cost more than the checks they label.
import { UsageError } from '../../errors.js';
import type { PlanResource } from './map-context.js';
import { formatKey, type ModuleStep, parseModuleAddress, splitSteps } from './references.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export const describe = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : `a ${typeof x}`;

/** Every managed resource instance of the plan, in planned_values order, then those only in resource_changes. */
export function collectResources(plan: Obj, label: string): PlanResource[] {
  const changes = indexChanges(plan, label);
  const out: PlanResource[] = [];
  const pv = plan.planned_values;
  if (pv !== undefined && pv !== null) {
    if (!isObj(pv)) throw new UsageError(`${label}: planned_values is ${describe(pv)}, expected an object`);
    walkModule(pv.root_module, `${label}: planned_values.root_module`, 0, changes, out);
  }
  // What planned_values did not list: resources the plan deletes. (Deleting the entry being visited is safe.)
  for (const [address, rc] of changes) {
    add(address, rc.type, rc.mode, `${label}: resource_changes (${address})`, -1, null, undefined, changes, out);
  }
  return out;
}

/** resource_changes by address, validated; deposed objects and data sources left out. */
function indexChanges(plan: Obj, label: string): Map<string, Obj> {
  const changes = new Map<string, Obj>();
  const list = plan.resource_changes;
  if (list === undefined || list === null) return changes;
  if (!Array.isArray(list)) throw new UsageError(`${label}: resource_changes is ${describe(list)}, expected an array`);
  for (let i = 0; i < list.length; i++) {
    const rc: unknown = list[i];
    if (!isObj(rc)) throw new UsageError(`${label}: resource_changes[${i}] is ${describe(rc)}, expected an object`);
    if (typeof rc.address !== 'string') throw new UsageError(`${label}: resource_changes[${i}].address is missing`);
    if (!isObj(rc.change) || !Array.isArray(rc.change.actions)) {
      throw new UsageError(`${label}: resource_changes[${i}].change.actions is missing`);
    }
    if (rc.deposed !== undefined || rc.mode === 'data') continue;
    changes.set(rc.address, rc);
  }
  return changes;
}

function walkModule(mod: unknown, where: string, depth: number, changes: Map<string, Obj>, out: PlanResource[]): void {
  if (mod === undefined || mod === null) return;
  if (!isObj(mod)) throw new UsageError(`${where} is ${describe(mod)}, expected an object`);
  if (depth > 64) throw new UsageError(`${where}: modules nested deeper than 64`);
  const resources = mod.resources;
  if (resources !== undefined) {
    if (!Array.isArray(resources)) throw new UsageError(`${where}.resources is not an array`);
    const at = `${where}.resources`;
    for (let i = 0; i < resources.length; i++) {
      const r: unknown = resources[i];
      if (!isObj(r) || typeof r.address !== 'string') throw new UsageError(`${at}[${i}] has no address`);
      add(r.address, r.type, r.mode, at, i, r, mod.address, changes, out);
    }
  }
  const children = mod.child_modules;
  if (children !== undefined) {
    if (!Array.isArray(children)) throw new UsageError(`${where}.child_modules is not an array`);
    for (let i = 0; i < children.length; i++) walkModule(children[i], `${where}.child_modules[${i}]`, depth + 1, changes, out);
  }
}

/**
 * One resource instance: its change when resource_changes has one (taken out of `changes`), else its planned
 * values. `where` + `[i]` (i ≥ 0) or `where` alone names it in errors.
 */
function add(
  address: string,
  type: unknown,
  mode: unknown,
  where: string,
  i: number,
  planned: Obj | null,
  moduleAddress: unknown,
  changes: Map<string, Obj>,
  out: PlanResource[],
): void {
  if (mode === 'data') return;
  if (typeof type !== 'string') throw new UsageError(`${whereOf(where, i)}.type is missing`);
  const rc = changes.get(address);
  const entry = rc ?? planned;
  // Module path, name and instance key: from module_address / name / index when the plan gives them (every
  // format since 0.1 does), else parsed from the address.
  const ma =
    typeof entry?.module_address === 'string' ? entry.module_address : typeof moduleAddress === 'string' ? moduleAddress : '';
  const entryName = entry?.name;
  let modules: ModuleStep[] | null;
  let name: string;
  let key: string | undefined;
  if (typeof entryName !== 'string' || (ma === '' && address.startsWith('module.'))) {
    const parsed = parseResourceAddress(address);
    if (!parsed) throw new UsageError(`${whereOf(where, i)}.address is not a resource address`);
    ({ modules, name, key } = parsed);
  } else {
    modules = modulesOf(ma);
    if (!modules) throw new UsageError(`${whereOf(where, i)}.address is not a resource address`);
    name = entryName;
    key = formatKey(entry?.index);
  }
  if (rc) changes.delete(address);
  else if (planned === null) return;

  const change = rc?.change as Obj | undefined;
  let values: unknown;
  let unk: unknown;
  let sens: unknown;
  if (change && (change.after === null || change.after === undefined) && isObj(change.before)) {
    values = change.before;
    sens = change.before_sensitive;
  } else if (change) {
    values = change.after;
    unk = change.after_unknown;
    sens = change.after_sensitive;
  } else {
    values = planned?.values;
    sens = planned?.sensitive_values;
  }
  if (values !== null && values !== undefined && !isObj(values)) {
    throw new UsageError(`${whereOf(where, i)} values are ${describe(values)}, expected an object`);
  }
  out.push({
    address,
    type,
    modules,
    name,
    local: `${type}.${name}`,
    key,
    actions: change ? actionsOf(change.actions as unknown[]) : ['no-op'],
    values: (values as Obj | undefined) ?? null,
    unk,
    sens,
  });
}

const whereOf = (where: string, i: number): string => (i >= 0 ? `${where}[${i}]` : where);

/** The actions as strings, in a new array (rows must not share arrays with the input plan). */
function actionsOf(actions: readonly unknown[]): string[] {
  for (const a of actions) if (typeof a !== 'string') return actions.map(String);
  return actions.slice() as string[];
}

// Module addresses repeat for every resource of a module instance: parse each once (bounded, across plans).
const moduleCache = new Map<string, ModuleStep[] | null>();

function modulesOf(moduleAddress: string): ModuleStep[] | null {
  let modules = moduleCache.get(moduleAddress);
  if (modules === undefined) {
    modules = parseModuleAddress(moduleAddress);
    if (moduleCache.size < 10_000) moduleCache.set(moduleAddress, modules);
  }
  return modules;
}

/** `module.a["x"].azurerm_subnet.s[0]` → modules, type, name, key. Null for anything else (data sources included). */
export function parseResourceAddress(address: string): Pick<PlanResource, 'modules' | 'type' | 'name' | 'key'> | null {
  const steps = splitSteps(address);
  if (!steps || steps.length < 2) return null;
  const modules: PlanResource['modules'] = [];
  let i = 0;
  while (i < steps.length - 2) {
    const kw = steps[i];
    const m = steps[i + 1];
    if (!kw || !m || kw.name !== 'module' || kw.key !== undefined) return null;
    modules.push(m.key === undefined ? { name: m.name } : { name: m.name, key: normaliseKey(m.key) });
    i += 2;
  }
  const t = steps[i];
  const n = steps[i + 1];
  if (!t || !n || t.key !== undefined || i + 2 !== steps.length) return null;
  return { modules, type: t.name, name: n.name, key: n.key === undefined ? undefined : normaliseKey(n.key) };
}

function normaliseKey(raw: string): string {
  if (!raw.startsWith('"')) return raw.trim();
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw;
  }
}
