// Resolving a resource's attribute to another resource of the plan through `configuration`
// expression references, across module boundaries (var.* up to the caller, module.x.out down into the
// child) and count / for_each instances. Everything is indexed once; each lookup is a few map reads.

/** One module step of an instance address: `module.<name>[<key>]`. Keys are kept as Terraform prints them. */
export interface ModuleStep {
  name: string;
  key?: string;
}

/** What the resolver needs to know about a resource instance in the plan. */
export interface Addressed {
  address: string;
  type: string;
  name: string;
  /** Instance key as printed in the address: `0` or `"blue"`; undefined without count / for_each. */
  key: string | undefined;
  modules: ModuleStep[];
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `0` for numbers, `"key"` for strings: the bracket text Terraform prints. */
export function formatKey(index: unknown): string | undefined {
  if (typeof index === 'number') return String(index);
  if (typeof index === 'string') return JSON.stringify(index);
  return undefined;
}

/** Split a Terraform address or reference into dot-separated steps with optional `[key]`, honouring quotes. */
export function splitSteps(s: string): { name: string; key?: string }[] | null {
  const steps: { name: string; key?: string }[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
    const step: { name: string; key?: string } = { name: s.slice(i, j) };
    if (s[j] === '[') {
      let k = j + 1;
      if (s[k] === '"') {
        k++;
        while (k < s.length && s[k] !== '"') k += s[k] === '\\' ? 2 : 1;
        k++;
      } else {
        while (k < s.length && s[k] !== ']') k++;
      }
      if (s[k] !== ']') return null;
      step.key = s.slice(j + 1, k);
      j = k + 1;
    }
    steps.push(step);
    if (j < s.length && s[j] !== '.') return null;
    i = j + 1;
  }
  return steps;
}

/** `module.a["x"].module.b` → [{name:a,key:"x"},{name:b}]. */
export function parseModuleAddress(moduleAddress: string | undefined | null): ModuleStep[] | null {
  if (!moduleAddress) return [];
  const steps = splitSteps(moduleAddress);
  if (!steps || steps.length % 2 !== 0) return null;
  const out: ModuleStep[] = [];
  for (let i = 0; i < steps.length; i += 2) {
    const kw = steps[i];
    const m = steps[i + 1];
    if (!kw || !m || kw.name !== 'module' || kw.key !== undefined) return null;
    out.push(m.key === undefined ? { name: m.name } : { name: m.name, key: m.key });
  }
  return out;
}

const prefixOf = (modules: readonly ModuleStep[]): string =>
  modules.map((m) => `module.${m.name}${m.key === undefined ? '' : `[${m.key}]`}.`).join('');

const normaliseKey = (raw: string): string => {
  if (raw.startsWith('"')) {
    try {
      return JSON.stringify(JSON.parse(raw));
    } catch {
      return raw;
    }
  }
  return raw.trim();
};

interface ConfigModule {
  resources: Map<string, Obj>;
  calls: Obj;
  outputs: Obj;
}

/** What an attribute refers to: the resource's id or its name (references to other attributes are ignored). */
export type RefWant = 'id' | 'name';

const MAX_DEPTH = 8;

export class ReferenceResolver<R extends Addressed> {
  private readonly byAddress = new Map<string, R>();
  private readonly byBase = new Map<string, R[]>();
  /** Module instance address without its last key → the keys seen (undefined for an unkeyed instance). */
  private readonly moduleInstances = new Map<string, (string | undefined)[]>();
  private readonly config = new Map<string, ConfigModule>();

  constructor(resources: Iterable<R>, configuration: unknown) {
    const prefixes = new Map<readonly ModuleStep[], string>();
    for (const r of resources) {
      this.byAddress.set(r.address, r);
      let prefix = prefixes.get(r.modules);
      const seen = prefix !== undefined;
      if (prefix === undefined) {
        prefix = prefixOf(r.modules);
        prefixes.set(r.modules, prefix);
      }
      const base = `${prefix}${r.type}.${r.name}`;
      const list = this.byBase.get(base);
      if (list) list.push(r);
      else this.byBase.set(base, [r]);
      if (seen) continue;
      let outer = '';
      for (const m of r.modules) {
        const at: string = `${outer}module.${m.name}`;
        const keys = this.moduleInstances.get(at);
        if (!keys) this.moduleInstances.set(at, [m.key]);
        else if (!keys.includes(m.key)) keys.push(m.key);
        outer = `${at}${m.key === undefined ? '' : `[${m.key}]`}.`;
      }
    }
    if (isObj(configuration) && isObj(configuration.root_module)) this.indexConfig(configuration.root_module, '');
  }

  private indexConfig(mod: Obj, path: string): void {
    const resources = new Map<string, Obj>();
    if (Array.isArray(mod.resources)) {
      for (const r of mod.resources) {
        if (isObj(r) && typeof r.address === 'string' && r.mode !== 'data') resources.set(r.address, r);
      }
    }
    const calls = isObj(mod.module_calls) ? mod.module_calls : {};
    this.config.set(path, { resources, calls, outputs: isObj(mod.outputs) ? mod.outputs : {} });
    for (const [name, call] of Object.entries(calls)) {
      if (isObj(call) && isObj(call.module)) this.indexConfig(call.module, path ? `${path}.${name}` : name);
    }
  }

  get(address: string): R | undefined {
    return this.byAddress.get(address);
  }

  private expression(from: R, path: readonly (string | number)[]): unknown {
    const mod = this.config.get(from.modules.map((m) => m.name).join('.'));
    let e: unknown = mod?.resources.get(`${from.type}.${from.name}`)?.expressions;
    for (const p of path) {
      if (Array.isArray(e)) e = typeof p === 'number' ? e[p] : undefined;
      else if (isObj(e)) e = e[String(p)];
      else return undefined;
    }
    return e;
  }

  /** Is the attribute (or block) at `path` written in the configuration? Undefined when the configuration is missing. */
  isConfigured(from: R, path: readonly (string | number)[]): boolean | undefined {
    const mod = this.config.get(from.modules.map((m) => m.name).join('.'));
    if (!mod?.resources.has(`${from.type}.${from.name}`)) return undefined;
    return this.expression(from, path) !== undefined;
  }

  /** References of the configuration expression at `path` (e.g. ['private_service_connection', 0, 'x']). */
  expressionReferences(from: R, path: readonly (string | number)[]): string[] {
    const e = this.expression(from, path);
    return isObj(e) && Array.isArray(e.references) ? e.references.filter((x): x is string => typeof x === 'string') : [];
  }

  /** The plan resource an attribute refers to, or null when it is not resolvable to exactly one. */
  resolve(from: R, path: readonly (string | number)[], want: RefWant): R | null {
    const refs = this.expressionReferences(from, path);
    return refs.length ? (this.resolveRefs(from.modules, from.key, refs, want, 0)[0] ?? null) : null;
  }

  /** Every plan resource an attribute refers to (a list attribute such as network_interface_ids). */
  resolveAll(from: R, path: readonly (string | number)[], want: RefWant): R[] {
    const refs = this.expressionReferences(from, path);
    return refs.length ? this.resolveRefs(from.modules, from.key, refs, want, 0, true) : [];
  }

  private resolveRefs(
    modules: readonly ModuleStep[],
    hint: string | undefined,
    refs: readonly string[],
    want: RefWant,
    depth: number,
    all = false,
  ): R[] {
    const found: R[] = [];
    const seenBases = new Set<string>();
    for (const ref of refs) {
      const steps = splitSteps(ref);
      const head = steps?.[0];
      if (!steps || !head) continue;
      let hits: R[] = [];
      if (head.name === 'var' && steps[1] && depth < MAX_DEPTH) {
        hits = this.followVariable(modules, steps[1].name, want, depth);
      } else if (head.name === 'module' && steps[1] && steps[2] && depth < MAX_DEPTH) {
        hits = this.followOutput(modules, hint, steps[1].name, steps[1].key, steps[2].name, want, depth);
      } else if (/^[a-z0-9]+_[a-z0-9_]+$/.test(head.name) && head.key === undefined && steps[1]) {
        const attr = steps[2]?.name;
        if (attr !== undefined && attr !== want) continue;
        const base = `${prefixOf(modules)}${head.name}.${steps[1].name}`;
        // `x.y[count.index]` / `x.y[each.key]`: the same instance as the referrer, like an unkeyed reference.
        const rawKey = steps[1].key;
        const key = rawKey !== undefined && (/^\d+$/.test(rawKey.trim()) || rawKey.startsWith('"')) ? rawKey : undefined;
        if (key === undefined && seenBases.has(base)) continue;
        if (key === undefined) seenBases.add(base);
        const r = this.pickInstance(base, key, hint);
        if (r) hits = [r];
      }
      for (const h of hits) if (!found.includes(h)) found.push(h);
      if (found.length && !all) return found;
    }
    return found;
  }

  private pickInstance(base: string, key: string | undefined, hint: string | undefined): R | null {
    const list = this.byBase.get(base);
    if (!list) return null;
    if (key !== undefined) {
      const k = normaliseKey(key);
      return list.find((r) => r.key === k) ?? null;
    }
    const unkeyed = list.find((r) => r.key === undefined);
    if (unkeyed) return unkeyed;
    if (hint !== undefined) {
      const same = list.find((r) => r.key === hint);
      if (same) return same;
    }
    return list.length === 1 ? (list[0] ?? null) : null;
  }

  /** `var.x` inside a module: the caller's argument expression for x, resolved in the caller's scope. */
  private followVariable(modules: readonly ModuleStep[], variable: string, want: RefWant, depth: number): R[] {
    const last = modules[modules.length - 1];
    if (!last) return [];
    const parent = modules.slice(0, -1);
    const call = this.config.get(parent.map((m) => m.name).join('.'))?.calls[last.name];
    const expr = isObj(call) && isObj(call.expressions) ? call.expressions[variable] : undefined;
    const refs = isObj(expr) && Array.isArray(expr.references) ? (expr.references as string[]) : [];
    return this.resolveRefs(parent, last.key, refs, want, depth + 1);
  }

  /** `module.m.out`: the child module's output expression, resolved inside the (single or same-keyed) instance. */
  private followOutput(
    modules: readonly ModuleStep[],
    hint: string | undefined,
    name: string,
    key: string | undefined,
    output: string,
    want: RefWant,
    depth: number,
  ): R[] {
    const configPath = [...modules.map((m) => m.name), name].join('.');
    const out = this.config.get(configPath)?.outputs[output];
    const expr = isObj(out) ? out.expression : undefined;
    const refs = isObj(expr) && Array.isArray(expr.references) ? (expr.references as string[]) : [];
    if (!refs.length) return [];
    const keys = this.moduleInstances.get(`${prefixOf(modules)}module.${name}`) ?? [];
    let chosen: string | undefined;
    if (key !== undefined) chosen = normaliseKey(key);
    else if (keys.includes(undefined)) chosen = undefined;
    else if (hint !== undefined && keys.includes(hint)) chosen = hint;
    else if (keys.length === 1) chosen = keys[0];
    else return [];
    const step: ModuleStep = chosen === undefined ? { name } : { name, key: chosen };
    return this.resolveRefs([...modules, step], hint, refs, want, depth + 1);
  }
}
