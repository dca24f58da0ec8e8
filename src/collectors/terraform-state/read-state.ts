// One Terraform document → the few facts the checks need. A raw state (format 4) and `terraform show -json` of a
// state give what the state tracks; a saved plan gives what its `resource_drift` says changed outside Terraform.
// Attribute values go no further than this module: ids, types, addresses, tags, and the ARM properties the azurerm
// mappings give (which never read a secret-bearing attribute). Instances are mapped one by one (state-mapping.ts):
// the plan normaliser's indexes, reference resolution and secret listing serve plans, not states.
import type { Json } from '../../model.js';
import { formatKey } from '../terraform-plan/references.js';
import { mapStateInstances, type StateInstance } from './state-mapping.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `terraform show -json` of a state carries these format versions (0.12 through 1.x). */
const SHOW_FORMATS = ['0.1', '0.2', '1.0'];
/** Saved plan format versions (0.12 through 1.x). */
const PLAN_FORMATS = ['0.1', '0.2', '1.0', '1.1', '1.2'];

export interface TrackedResource {
  address: string;
  tf_type: string;
  /** Lower-case ARM type when Compline maps the Terraform type. */
  type: string | null;
  /** Lower-case ARM id; null when the `id` attribute is not an ARM id. */
  resource_id: string | null;
  tags: Record<string, string> | null;
  properties: Json;
  /** For drift: attribute names changed outside Terraform; null for what a state tracks. */
  drift_attributes: string[] | null;
}

export type TerraformDocument =
  | { document: 'state' | 'plan'; serial: number | null; lineage: string | null; resources: TrackedResource[] }
  | { problem: string };

const ARM_ID = /^\/subscriptions\/[^/]+(\/|$)/i;

export function readTerraformDocument(doc: unknown): TerraformDocument {
  if (!isObj(doc)) return { problem: 'not a Terraform state or plan (top level is not an object)' };
  if ('resource_drift' in doc || 'planned_values' in doc || 'resource_changes' in doc) return readPlan(doc);
  if ('version' in doc && 'lineage' in doc) return readRawState(doc);
  if ('format_version' in doc) return readShowState(doc);
  return { problem: 'not a Terraform state or plan (no version, lineage or format_version)' };
}

function readRawState(doc: Obj): TerraformDocument {
  if (doc.version !== 4) return { problem: `unknown state format version ${JSON.stringify(doc.version)} (known: 4)` };
  const list = doc.resources ?? [];
  if (!Array.isArray(list)) return { problem: 'resources is not an array' };
  const show: StateInstance[] = [];
  for (const [i, r] of list.entries()) {
    if (!isObj(r) || typeof r.type !== 'string' || typeof r.name !== 'string' || !Array.isArray(r.instances))
      return { problem: `resources[${i}] is not a state resource (type, name, instances)` };
    if (r.mode === 'data') continue;
    const prefix = `${typeof r.module === 'string' && r.module ? `${r.module}.` : ''}${r.type}.${r.name}`;
    for (const inst of r.instances) {
      if (!isObj(inst) || !isObj(inst.attributes)) return { problem: `resources[${i}] has an instance without attributes` };
      if (inst.deposed !== undefined) continue;
      const key = formatKey(inst.index_key);
      show.push({
        address: `${prefix}${key === undefined ? '' : `[${key}]`}`,
        type: r.type,
        values: inst.attributes,
        sens: sensitiveTree(inst.sensitive_attributes),
      });
    }
  }
  const serial = typeof doc.serial === 'number' ? doc.serial : null;
  const lineage = typeof doc.lineage === 'string' ? doc.lineage : null;
  return tracked('state', serial, lineage, show);
}

function readShowState(doc: Obj): TerraformDocument {
  const fv = doc.format_version;
  if (typeof fv !== 'string' || !SHOW_FORMATS.includes(fv))
    return { problem: `unknown state format_version ${JSON.stringify(fv)} (known: ${SHOW_FORMATS.join(', ')})` };
  const values = doc.values ?? { root_module: {} };
  if (!isObj(values)) return { problem: 'values is not an object' };
  const show: StateInstance[] = [];
  const problem = walk(values.root_module ?? {}, show, 0);
  if (problem) return { problem };
  return tracked('state', null, null, show);
}

function walk(mod: unknown, out: StateInstance[], depth: number): string | null {
  if (!isObj(mod) || depth > 64) return 'a module of values is not an object';
  for (const r of (mod.resources as unknown[]) ?? []) {
    if (!isObj(r) || typeof r.address !== 'string' || typeof r.type !== 'string' || !isObj(r.values))
      return 'a resource of values has no address, type or values';
    if (r.mode === 'data') continue;
    out.push({ address: r.address, type: r.type, values: r.values, sens: r.sensitive_values });
  }
  for (const child of (mod.child_modules as unknown[]) ?? []) {
    const problem = walk(child, out, depth + 1);
    if (problem) return problem;
  }
  return null;
}

function readPlan(doc: Obj): TerraformDocument {
  const fv = doc.format_version;
  if (typeof fv !== 'string' || !PLAN_FORMATS.includes(fv))
    return { problem: `unknown plan format_version ${JSON.stringify(fv)} (known: ${PLAN_FORMATS.join(', ')})` };
  const drift = doc.resource_drift ?? [];
  if (!Array.isArray(drift)) return { problem: 'resource_drift is not an array' };
  const resources: TrackedResource[] = [];
  const show: StateInstance[] = [];
  const changed = new Map<string, string[]>();
  for (const [i, d] of drift.entries()) {
    if (!isObj(d) || typeof d.address !== 'string' || typeof d.type !== 'string' || !isObj(d.change))
      return { problem: `resource_drift[${i}] has no address, type or change` };
    if (d.mode === 'data') continue;
    const before = isObj(d.change.before) ? d.change.before : {};
    const after = isObj(d.change.after) ? d.change.after : null;
    // Names only: a drifted value may be a secret.
    changed.set(d.address, after ? changedAttributes(before, after) : ['(deleted outside Terraform)']);
    show.push({ address: d.address, type: d.type, values: before, sens: d.change.before_sensitive });
  }
  const result = tracked('plan', null, null, show);
  if ('problem' in result) return result;
  for (const r of result.resources) resources.push({ ...r, drift_attributes: changed.get(r.address) ?? [] });
  return { ...result, resources };
}

/** Top-level attributes whose values differ (`tags` and blocks compared whole), sorted. */
function changedAttributes(before: Obj, after: Obj): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}

/** The instances as rows: ARM type, tags and properties through the azurerm mappings, the ARM id from each own `id`. */
function tracked(
  document: 'state' | 'plan',
  serial: number | null,
  lineage: string | null,
  show: StateInstance[],
): TerraformDocument {
  let mapped: ReturnType<typeof mapStateInstances>;
  try {
    mapped = mapStateInstances(show);
  } catch {
    // A mapping that cannot read a value withholds the file, never a guess; the reason quotes nothing of the state.
    return { problem: 'an instance could not be mapped' };
  }
  const resources: TrackedResource[] = new Array(show.length);
  for (let i = 0; i < show.length; i++) {
    const r = show[i] as StateInstance;
    const m = mapped[i] as (typeof mapped)[number];
    const id = r.values.id;
    resources[i] = {
      address: r.address,
      tf_type: r.type,
      type: m.type,
      resource_id: typeof id === 'string' && ARM_ID.test(id) ? id.toLowerCase() : null,
      tags: m.tags,
      properties: m.properties,
      drift_attributes: null,
    };
  }
  return { document, serial, lineage, resources };
}

/** A raw state's `sensitive_attributes` (paths of get_attr / index steps) as the sensitive_values mirror. */
function sensitiveTree(paths: unknown): Obj | undefined {
  if (!Array.isArray(paths) || !paths.length) return undefined;
  const root: Obj = {};
  for (const path of paths) {
    if (!Array.isArray(path) || !path.length) continue;
    let node: Obj = root;
    for (const [i, step] of path.entries()) {
      const key = isObj(step) ? (step.value as unknown) : undefined;
      if (typeof key !== 'string' && typeof key !== 'number') break;
      if (i === path.length - 1) node[String(key)] = true;
      else {
        const next = node[String(key)];
        if (next === true) break;
        if (!isObj(next)) node[String(key)] = {};
        node = node[String(key)] as Obj;
      }
    }
  }
  return root;
}
