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
  /** `<type>.<name>`: the address inside its module, without the instance key. */
  local: string;
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

/**
 * One module instance (`module.a["x"].module.b.`), shared by every resource in it. Lookups go through it
 * rather than through address strings, so resolving a reference concatenates and hashes nothing.
 */
interface Scope {
  modules: readonly ModuleStep[];
  /** `module.a["x"].`: how addresses in this instance start ('' at the root). */
  prefix: string;
  /** The configuration module, found by module names without keys. */
  config: ConfigModule | undefined;
  /** Plan resources of this instance by `type.name` (several instances with count / for_each). */
  bases: Map<string, unknown[]>;
  /** Child module name → instance keys seen (undefined for an unkeyed instance). */
  childKeys: Map<string, (string | undefined)[]>;
  /** The calling module's scope, built when first asked for. */
  parent: Scope | null | undefined;
  /** Child scopes by `name[key]`, built when first asked for. */
  children: Map<string, Scope>;
  /** Configuration of child module calls by name (undefined: no such module), looked up when first asked for. */
  childConfigs: Map<string, ConfigModule | undefined>;
}

/** A configuration reference (`azurerm_subnet.s[0].id`, `var.x`, `module.m.out`), parsed once per distinct string. */
type ParsedRef =
  | { kind: 'var'; variable: string }
  | { kind: 'module'; name: string; key: string | undefined; output: string }
  | { kind: 'resource'; local: string; attr: string | undefined; key: string | undefined }
  | { kind: 'none' };

const NONE: ParsedRef = { kind: 'none' };
const RESOURCE_TYPE = /^[a-z0-9]+_[a-z0-9_]+$/;
const INDEX_KEY = /^\d+$/;

function parseRef(ref: string): ParsedRef {
  const steps = splitSteps(ref);
  const head = steps?.[0];
  const second = steps?.[1];
  if (!steps || !head || !second) return NONE;
  if (head.name === 'var') return { kind: 'var', variable: second.name };
  if (head.name === 'module') {
    const third = steps[2];
    return third ? { kind: 'module', name: second.name, key: second.key, output: third.name } : NONE;
  }
  if (!RESOURCE_TYPE.test(head.name) || head.key !== undefined) return NONE;
  // `x.y[count.index]` / `x.y[each.key]`: the same instance as the referrer, like an unkeyed reference.
  const rawKey = second.key;
  const literal = rawKey !== undefined && (INDEX_KEY.test(rawKey.trim()) || rawKey.startsWith('"'));
  return {
    kind: 'resource',
    local: `${head.name}.${second.name}`,
    attr: steps[2]?.name,
    key: literal ? normaliseKey(rawKey) : undefined,
  };
}

export class ReferenceResolver<R extends Addressed> {
  private readonly byAddress = new Map<string, R>();
  private readonly config = new Map<string, ConfigModule>();
  private readonly scopeByModules = new Map<readonly ModuleStep[], Scope>();
  private readonly scopeByPrefix = new Map<string, Scope>();
  private readonly parsedRefs = new Map<string, ParsedRef>();

  constructor(resources: readonly R[], configuration: unknown) {
    if (isObj(configuration) && isObj(configuration.root_module)) this.indexConfig(configuration.root_module, '');
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i] as R;
      this.byAddress.set(r.address, r);
      let scope = this.scopeByModules.get(r.modules);
      if (scope === undefined) {
        scope = this.scopeFor(r.modules);
        this.noteInstances(r.modules);
      }
      const list = scope.bases.get(r.local);
      if (list) list.push(r);
      else scope.bases.set(r.local, [r]);
    }
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

  /** The scope of a module path: one per distinct instance address, however many arrays spell it. */
  private scopeFor(modules: readonly ModuleStep[]): Scope {
    let scope = this.scopeByModules.get(modules);
    if (scope) return scope;
    const prefix = prefixOf(modules);
    scope = this.scopeByPrefix.get(prefix);
    if (!scope) {
      scope = {
        modules,
        prefix,
        config: this.config.get(modules.map((m) => m.name).join('.')),
        bases: new Map(),
        childKeys: new Map(),
        parent: undefined,
        children: new Map(),
        childConfigs: new Map(),
      };
      this.scopeByPrefix.set(prefix, scope);
    }
    this.scopeByModules.set(modules, scope);
    return scope;
  }

  /** Record each module step's instance key under its calling scope (for `module.x.out` without a key). */
  private noteInstances(modules: readonly ModuleStep[]): void {
    for (let i = 0; i < modules.length; i++) {
      const m = modules[i] as ModuleStep;
      const outer = this.scopeFor(modules.slice(0, i));
      const keys = outer.childKeys.get(m.name);
      if (!keys) outer.childKeys.set(m.name, [m.key]);
      else if (!keys.includes(m.key)) keys.push(m.key);
    }
  }

  private parentOf(scope: Scope): Scope | null {
    if (scope.parent === undefined) {
      scope.parent = scope.modules.length ? this.scopeFor(scope.modules.slice(0, -1)) : null;
    }
    return scope.parent;
  }

  private childOf(scope: Scope, name: string, key: string | undefined): Scope {
    const id = key === undefined ? name : `${name}[${key}]`;
    let child = scope.children.get(id);
    if (!child) {
      child = this.scopeFor([...scope.modules, key === undefined ? { name } : { name, key }]);
      scope.children.set(id, child);
    }
    return child;
  }

  private parsed(ref: string): ParsedRef {
    let p = this.parsedRefs.get(ref);
    if (p === undefined) {
      p = parseRef(ref);
      this.parsedRefs.set(ref, p);
    }
    return p;
  }

  get(address: string): R | undefined {
    return this.byAddress.get(address);
  }

  private configResource(from: R): Obj | null {
    return this.scopeFor(from.modules).config?.resources.get(from.local) ?? null;
  }

  private expression(from: R, path: readonly (string | number)[]): unknown {
    let e: unknown = this.configResource(from)?.expressions;
    for (let i = 0; i < path.length; i++) {
      const p = path[i] as string | number;
      if (Array.isArray(e)) e = typeof p === 'number' ? e[p] : undefined;
      else if (isObj(e)) e = e[String(p)];
      else return undefined;
    }
    return e;
  }

  /** Is the attribute (or block) at `path` written in the configuration? Undefined when the configuration is missing. */
  isConfigured(from: R, path: readonly (string | number)[]): boolean | undefined {
    if (this.configResource(from) === null) return undefined;
    return this.expression(from, path) !== undefined;
  }

  /** References of the configuration expression at `path` (e.g. ['private_service_connection', 0, 'x']). */
  expressionReferences(from: R, path: readonly (string | number)[]): readonly string[] {
    return referencesOf(this.expression(from, path));
  }

  /** The plan resource an attribute refers to, or null when it is not resolvable to exactly one. */
  resolve(from: R, path: readonly (string | number)[], want: RefWant): R | null {
    const refs = this.expressionReferences(from, path);
    return refs.length ? (this.resolveRefs(this.scopeFor(from.modules), from.key, refs, want, 0, false)[0] ?? null) : null;
  }

  /** Every plan resource an attribute refers to (a list attribute such as network_interface_ids). */
  resolveAll(from: R, path: readonly (string | number)[], want: RefWant): R[] {
    const refs = this.expressionReferences(from, path);
    return refs.length ? this.resolveRefs(this.scopeFor(from.modules), from.key, refs, want, 0, true) : [];
  }

  private resolveRefs(
    scope: Scope,
    hint: string | undefined,
    refs: readonly string[],
    want: RefWant,
    depth: number,
    all: boolean,
  ): R[] {
    const found: R[] = [];
    // Unkeyed references already tried (several refs can name one resource).
    let seen: string[] | null = null;
    for (let i = 0; i < refs.length; i++) {
      const p = this.parsed(refs[i] as string);
      let hits: R[] | null = null;
      if (p.kind === 'var') {
        if (depth < MAX_DEPTH) hits = this.followVariable(scope, p.variable, want, depth);
      } else if (p.kind === 'module') {
        if (depth < MAX_DEPTH) hits = this.followOutput(scope, hint, p.name, p.key, p.output, want, depth);
      } else if (p.kind === 'resource') {
        if (p.attr !== undefined && p.attr !== want) continue;
        if (p.key === undefined) {
          seen ??= [];
          if (seen.includes(p.local)) continue;
          seen.push(p.local);
        }
        const list = scope.bases.get(p.local) as R[] | undefined;
        const r = list ? pickInstance(list, p.key, hint) : null;
        if (r) hits = [r];
      }
      if (hits) for (let j = 0; j < hits.length; j++) if (!found.includes(hits[j] as R)) found.push(hits[j] as R);
      if (found.length && !all) return found;
    }
    return found;
  }

  /** `var.x` inside a module: the caller's argument expression for x, resolved in the caller's scope. */
  private followVariable(scope: Scope, variable: string, want: RefWant, depth: number): R[] {
    const last = scope.modules[scope.modules.length - 1];
    const parent = this.parentOf(scope);
    if (!last || !parent) return [];
    const call = parent.config?.calls[last.name];
    const expr = isObj(call) && isObj(call.expressions) ? call.expressions[variable] : undefined;
    const refs = isObj(expr) && Array.isArray(expr.references) ? (expr.references as string[]) : [];
    return this.resolveRefs(parent, last.key, refs, want, depth + 1, false);
  }

  /** `module.m.out`: the child module's output expression, resolved inside the (single or same-keyed) instance. */
  private followOutput(
    scope: Scope,
    hint: string | undefined,
    name: string,
    key: string | undefined,
    output: string,
    want: RefWant,
    depth: number,
  ): R[] {
    let child = scope.childConfigs.get(name);
    if (child === undefined && !scope.childConfigs.has(name)) {
      child = this.config.get([...scope.modules.map((m) => m.name), name].join('.'));
      scope.childConfigs.set(name, child);
    }
    const out = child?.outputs[output];
    const expr = isObj(out) ? out.expression : undefined;
    const refs = isObj(expr) && Array.isArray(expr.references) ? (expr.references as string[]) : [];
    if (!refs.length) return [];
    const keys = scope.childKeys.get(name) ?? [];
    let chosen: string | undefined;
    if (key !== undefined) chosen = normaliseKey(key);
    else if (keys.includes(undefined)) chosen = undefined;
    else if (hint !== undefined && keys.includes(hint)) chosen = hint;
    else if (keys.length === 1) chosen = keys[0];
    else return [];
    return this.resolveRefs(this.childOf(scope, name, chosen), hint, refs, want, depth + 1, false);
  }
}

/** The string references of a configuration expression (the array itself when, as usual, all are strings). */
function referencesOf(e: unknown): readonly string[] {
  if (!isObj(e) || !Array.isArray(e.references)) return [];
  const refs = e.references as unknown[];
  for (let i = 0; i < refs.length; i++) {
    if (typeof refs[i] !== 'string') return refs.filter((x): x is string => typeof x === 'string');
  }
  return refs as string[];
}

function pickInstance<R extends Addressed>(list: readonly R[], key: string | undefined, hint: string | undefined): R | null {
  if (key !== undefined) return findKey(list, key);
  const unkeyed = findKey(list, undefined);
  if (unkeyed) return unkeyed;
  if (hint !== undefined) {
    const same = findKey(list, hint);
    if (same) return same;
  }
  return list.length === 1 ? (list[0] ?? null) : null;
}

function findKey<R extends Addressed>(list: readonly R[], key: string | undefined): R | null {
  for (let i = 0; i < list.length; i++) if ((list[i] as R).key === key) return list[i] as R;
  return null;
}
