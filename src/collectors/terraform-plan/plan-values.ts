// Reading one resource's plan values through its after_unknown / after_sensitive mirrors, and writing
// ARM-shaped objects that remember which paths were unknown. Mappers see values only through here, so a
// value the plan marks sensitive reaches them as unknown (never as a value a verdict could turn on) and a
// secret-bearing attribute never comes out.
import type { Json } from '../../model.js';
import { isSecretAttribute } from './secret-names.js';

/** A plan value as a mapper sees it: `unknown` is known only after apply, or marked sensitive. */
export type Val = { k: 'known'; v: Json } | { k: 'unknown' } | { k: 'absent' };

export const ABSENT: Val = { k: 'absent' };
export const UNKNOWN: Val = { k: 'unknown' };
export const known = (v: Json): Val => ({ k: 'known', v });
// Shared (not frozen, so every known Val keeps one shape): booleans are much of what mappers read; no Val is modified.
const KNOWN_TRUE: Val = { k: 'known', v: true };
const KNOWN_FALSE: Val = { k: 'known', v: false };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Step into a mirror tree (after_unknown / after_sensitive): `true` covers everything below it. */
export function sub(tree: unknown, key: string | number): unknown {
  if (tree === true) return true;
  if (Array.isArray(tree)) return typeof key === 'number' ? tree[key] : undefined;
  if (isObj(tree)) return tree[key as string];
  return undefined;
}

/** `sub` for an attribute name, the common step (a name never steps into an array). */
function subName(tree: unknown, name: string): unknown {
  if (tree === true) return true;
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return undefined;
  return (tree as Obj)[name];
}

/** True when a mirror tree has a `true` leaf anywhere. */
export function anyTrue(tree: unknown): boolean {
  if (tree === true) return true;
  if (typeof tree !== 'object' || tree === null) return false;
  if (Array.isArray(tree)) {
    for (let i = 0; i < tree.length; i++) if (anyTrue(tree[i])) return true;
    return false;
  }
  for (const k in tree) if (anyTrue((tree as Obj)[k])) return true;
  return false;
}

/** Deep copy of a known value (no leaf unknown or sensitive) with secret-named keys dropped. */
function cleanCopy(v: unknown, type: string): Json {
  if (v === null || typeof v !== 'object') return v as Json;
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (let i = 0; i < v.length; i++) out.push(cleanCopy(v[i], type));
    return out;
  }
  const out: Record<string, Json> = {};
  for (const k in v as Obj) if (!isSecretAttribute(k, type)) out[k] = cleanCopy((v as Obj)[k], type);
  return out;
}

/** One resource's values (or one block of them) with the matching unknown and sensitive mirrors. */
export class Attrs {
  constructor(
    readonly values: Obj | null,
    readonly unk: unknown,
    readonly sens: unknown,
    /** Terraform type, for type-specific secret attributes. */
    readonly type: string,
    /** The whole block is unknown until apply. */
    readonly wholeUnknown = false,
    private readonly parent: Attrs | null = null,
    private readonly steps: readonly (string | number)[] = [],
  ) {}

  /** Path from the resource's values to this block, e.g. ['network_rules', 0] (built only when asked). */
  get path(): (string | number)[] {
    return this.parent ? [...this.parent.path, ...this.steps] : [...this.steps];
  }

  /** True when the attribute is unknown (or the whole block is). */
  isUnknown(name: string): boolean {
    return this.wholeUnknown || subName(this.unk, name) === true;
  }

  /** True when the attribute is present with a non-null value. */
  has(name: string): boolean {
    const v = this.values?.[name];
    return v !== null && v !== undefined;
  }

  /**
   * The first of `names` with a known, non-empty value; else unknown when any of them is unknown; else absent.
   * "" and null count as absent. A value marked sensitive counts as unknown, and so does a structured value
   * with an unknown or sensitive leaf.
   */
  val(name: string, alt?: string): Val {
    if (this.wholeUnknown || !this.values) return this.wholeUnknown ? UNKNOWN : ABSENT;
    // Two names at most (the azurerm 4.x name, then the older one): no rest-parameter array per read.
    const v = this.read(name);
    if (v !== UNKNOWN && v !== ABSENT) return v;
    if (alt === undefined) return v;
    const w = this.read(alt);
    return w === ABSENT && v === UNKNOWN ? UNKNOWN : w;
  }

  /** One attribute: known, unknown, or ABSENT (missing, null, "" or secret-bearing). */
  private read(name: string): Val {
    const v = (this.values as Obj)[name];
    const unknown = anyTrue(subName(this.unk, name));
    // Mappers read many attributes a plan does not set (older names, optional blocks): those are absent
    // whether or not the name is secret-bearing, so the secret check waits until there is something to hide.
    // An empty value marked sensitive hides nothing.
    if (!unknown && (v === null || v === undefined || v === '')) return ABSENT;
    if (isSecretAttribute(name, this.type)) return ABSENT;
    // Hidden from the gate as much as from the plan's reader: a verdict must never turn on it.
    if (unknown || anyTrue(subName(this.sens, name))) return UNKNOWN;
    if (typeof v === 'object') return { k: 'known', v: cleanCopy(v, this.type) };
    return v === true ? KNOWN_TRUE : v === false ? KNOWN_FALSE : { k: 'known', v: v as Json };
  }

  /** The first element of a nested block (blocks are arrays in plan JSON; nested objects are accepted too). */
  block(name: string): Attrs {
    if (this.hidden(name)) return this.child(null, true, name, 0);
    const v = this.values?.[name];
    if (Array.isArray(v)) {
      const first = v[0];
      return isObj(first) ? this.child(first, false, name, 0) : this.child(null, false, name, 0);
    }
    if (isObj(v)) return new Attrs(v, sub(this.unk, name), sub(this.sens, name), this.type, false, this, [name]);
    return this.child(null, false, name, 0);
  }

  /** State of a block list: unknown, absent (null or missing), or its elements (possibly none). */
  blocks(name: string): { k: 'unknown' } | { k: 'absent' } | { k: 'known'; items: Attrs[] } {
    if (this.hidden(name)) return { k: 'unknown' };
    const v = this.values?.[name];
    if (v === null || v === undefined) return { k: 'absent' };
    if (!Array.isArray(v)) return isObj(v) ? { k: 'known', items: [this.block(name)] } : { k: 'absent' };
    const items: Attrs[] = [];
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      if (isObj(e)) items.push(this.child(e, false, name, i));
    }
    return { k: 'known', items };
  }

  /** A block's presence as a boolean (for "enabled when the block is there" attributes like oms_agent). */
  present(name: string): Val {
    const b = this.blocks(name);
    if (b.k === 'unknown') return UNKNOWN;
    if (b.k === 'absent') return this.values && name in this.values ? known(false) : ABSENT;
    return known(b.items.length > 0);
  }

  /** Does this block exist in the values at all (an unknown block counts)? */
  get exists(): boolean {
    return this.values !== null || this.wholeUnknown;
  }

  /** A whole block (list) unknown until apply or marked sensitive: even how many elements it has is not to be read. */
  private hidden(name: string): boolean {
    return this.wholeUnknown || subName(this.unk, name) === true || subName(this.sens, name) === true;
  }

  private child(values: Obj | null, unknown: boolean, name: string, i: number): Attrs {
    const u = sub(sub(this.unk, name), i);
    return new Attrs(values, u, sub(sub(this.sens, name), i), this.type, unknown, this, [name, i]);
  }
}

/** The first known value among several reads; else unknown if any is unknown; else absent. */
export function first(...vals: Val[]): Val {
  let unknown = false;
  for (const v of vals) {
    if (v.k === 'known') return v;
    if (v.k === 'unknown') unknown = true;
  }
  return unknown ? UNKNOWN : ABSENT;
}

/** A default for an absent value; an unknown one stays unknown (`first` would put the default in its place). */
export function orDefault(v: Val, d: Json): Val {
  return v.k === 'absent' ? known(d) : v;
}

/** Map a known value; unknown and absent pass through. */
export function mapVal(v: Val, fn: (x: Json) => Json | undefined): Val {
  if (v.k !== 'known') return v;
  const r = fn(v.v);
  return r === undefined ? ABSENT : known(r);
}

const splitCache = new Map<string, string[]>();
const splitPath = (path: string): string[] => {
  let parts = splitCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (splitCache.size < 10_000) splitCache.set(path, parts);
  }
  return parts;
};

/** Builds an ARM-shaped object; unknown reads are recorded as `<base>.<path>` in the shared set. */
export class Out {
  constructor(
    readonly obj: Record<string, Json>,
    readonly base: string,
    readonly unknown: Set<string>,
  ) {}

  /** Set `path` (dotted) from a read; unknown records the path, absent leaves it out. */
  set(path: string, v: Val, fn?: (x: Json) => Json | undefined): void {
    if (v.k === 'unknown') {
      this.unknown.add(`${this.base}.${path}`);
      return;
    }
    if (v.k === 'absent') return;
    const value = fn ? fn(v.v) : v.v;
    if (value !== undefined) this.put(path, value);
  }

  /** Set a computed value at `path`, creating intermediate objects. */
  put(path: string, value: Json): void {
    const parts = splitPath(path);
    const last = parts.length - 1;
    this.walk(parts, last)[parts[last] as string] = value;
  }

  /** The object at the first `n` steps of `parts`, creating what is missing. */
  private walk(parts: readonly string[], n: number): Record<string, Json> {
    let o = this.obj;
    for (let i = 0; i < n; i++) {
      const p = parts[i] as string;
      let next = o[p];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        next = {};
        o[p] = next;
      }
      o = next as Record<string, Json>;
    }
    return o;
  }

  markUnknown(path: string): void {
    this.unknown.add(`${this.base}.${path}`);
  }

  /** A builder for a nested object at `path` (created now). */
  at(path: string): Out {
    const parts = splitPath(path);
    return new Out(this.walk(parts, parts.length), `${this.base}.${path}`, this.unknown);
  }

  /** Append a new object to the array at `path`; its unknown paths read `<base>.<path>[*].<field>`. */
  item(path: string): Out {
    const parts = splitPath(path);
    const last = parts.length - 1;
    const parent = this.walk(parts, last);
    const name = parts[last] as string;
    let arr = parent[name];
    if (!Array.isArray(arr)) {
      arr = [];
      parent[name] = arr;
    }
    const o: Record<string, Json> = {};
    arr.push(o);
    return new Out(o, `${this.base}.${path}[*]`, this.unknown);
  }

  /** Make sure an (empty) array exists at `path`. */
  list(path: string): void {
    const parts = splitPath(path);
    const last = parts.length - 1;
    const parent = this.walk(parts, last);
    if (!Array.isArray(parent[parts[last] as string])) parent[parts[last] as string] = [];
  }
}

/**
 * Secret-bearing attributes with a value known at plan time, as paths like `os_profile[0].admin_password`.
 * Values are never returned; `sensitive` says whether the plan marked the attribute sensitive.
 */
export function secretAttributes(
  values: unknown,
  unk: unknown,
  sens: unknown,
  type: string,
  /** Which hits count (given the attribute's steps, e.g. ['os_profile', 0, 'admin_password']); all when absent. */
  keep?: SecretFilter,
): { attribute: string; sensitive: boolean }[] {
  const out: { attribute: string; sensitive: boolean }[] = [];
  findSecrets(values, unk, sens, type, [], out, keep);
  return out;
}

export type SecretFilter = (steps: readonly (string | number)[]) => boolean;

/**
 * Walks every value of every resource, so the path is kept as a stack of steps and turned into a string only
 * for a hit: most resources have no secret, and building `a[0].b` for every nested block was most of the cost.
 */
function findSecrets(
  values: unknown,
  unk: unknown,
  sens: unknown,
  type: string,
  steps: (string | number)[],
  out: { attribute: string; sensitive: boolean }[],
  keep: SecretFilter | undefined,
): void {
  if (unk === true || values === null || typeof values !== 'object') return;
  if (Array.isArray(values)) {
    for (let i = 0; i < values.length; i++) {
      steps.push(i);
      findSecrets(values[i], sub(unk, i), sub(sens, i), type, steps, out, keep);
      steps.pop();
    }
    return;
  }
  for (const k in values as Obj) {
    const v = (values as Obj)[k];
    // Nothing to report or descend into (secret-bearing or not): skip the name check. A flag holds no secret.
    if (v === null || v === undefined || v === '' || typeof v === 'boolean') continue;
    if (isSecretAttribute(k, type)) {
      const u = subName(unk, k);
      const empty = v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
      if (u !== true && !empty && (!keep || keep([...steps, k]))) {
        out.push({ attribute: pathString(steps, k), sensitive: anyTrue(subName(sens, k)) });
      }
    } else if (v !== null && typeof v === 'object' && (!Array.isArray(v) || v.length > 0)) {
      steps.push(k);
      findSecrets(v, subName(unk, k), subName(sens, k), type, steps, out, keep);
      steps.pop();
    }
  }
}

/** ['os_profile', 0] + 'admin_password' → `os_profile[0].admin_password`. */
function pathString(steps: readonly (string | number)[], last: string): string {
  let s = '';
  for (const step of steps) s = typeof step === 'number' ? `${s}[${step}]` : s ? `${s}.${step}` : step;
  return s ? `${s}.${last}` : last;
}
