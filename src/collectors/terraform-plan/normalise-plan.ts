// `terraform show -json` plan → ResourceRow[] on ARM shapes. One pass to index the plan's resources,
// one to map them, one to merge association-style resources into what they attach to.
import { UsageError } from '../../errors.js';
import type { Json, ResourceRow } from '../../model.js';
import { AZURERM_MAPPINGS } from './azurerm-mappings.js';
import type { MapContext, PlanResource, RowDraft, TypeMapping } from './map-context.js';
import { ABSENT, Attrs, known, Out, REDACTED, secretAttributes, UNKNOWN, type Val } from './plan-values.js';
import { formatKey, type ModuleStep, parseModuleAddress, ReferenceResolver, splitSteps } from './references.js';

export interface NormalisedPlan {
  rows: ResourceRow[];
  formatVersion: string;
  terraformVersion: string | null;
  /** One line each: unknown format_version, azurerm types not evaluated, an errored plan. */
  warnings: string[];
  counts: { resources: number; azurerm: number; mapped: number; unmapped: Record<string, number> };
}

/** format_version values written by Terraform 0.12 (0.1) through 1.9+ (1.2). */
export const KNOWN_FORMAT_VERSIONS: readonly string[] = ['0.1', '0.2', '1.0', '1.1', '1.2'];

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const describe = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : `a ${typeof x}`;

const GUID = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;
const RG = /\/resourcegroups\/([^/]+)/i;
/** Types other resources point at by name (an NSG rule's NSG, a subnet's vnet, old network rules' account). */
const NAME_TARGET_TYPES = new Set(['azurerm_network_security_group', 'azurerm_virtual_network', 'azurerm_storage_account']);
const PARENT_ID_ATTRIBUTES = ['key_vault_id', 'server_id', 'database_id', 'storage_account_id', 'kubernetes_cluster_id'];

/** Azure location as ARM returns it: `West Europe` → `westeurope`. */
const normaliseLocation = (s: string): string => s.replace(/\s+/g, '').toLowerCase();

export function normalisePlan(plan: unknown, label: string): NormalisedPlan {
  if (!isObj(plan)) throw new UsageError(`${label}: not a terraform plan (top level is ${describe(plan)}, not an object)`);
  const hasPlanParts = 'planned_values' in plan || 'resource_changes' in plan;
  if (!hasPlanParts && ('values' in plan || ('lineage' in plan && 'resources' in plan))) {
    throw new UsageError(`${label}: a Terraform state, not a plan (run terraform show -json on a saved plan)`);
  }
  if (!('format_version' in plan)) throw new UsageError(`${label}: not a terraform plan (no format_version)`);
  const formatVersion = plan.format_version;
  if (typeof formatVersion !== 'string') {
    throw new UsageError(`${label}: format_version is ${describe(formatVersion)}, expected a string`);
  }
  const warnings: string[] = [];
  if (!KNOWN_FORMAT_VERSIONS.includes(formatVersion)) {
    const shown = JSON.stringify(formatVersion.slice(0, 20));
    warnings.push(
      `${label}: unknown plan format_version ${shown} (known: ${KNOWN_FORMAT_VERSIONS.join(', ')}); reading it as 1.2`,
    );
  }
  const terraformVersion = typeof plan.terraform_version === 'string' ? plan.terraform_version.slice(0, 40) : null;
  if (plan.errored === true) warnings.push(`${label}: the plan is marked errored; it may be incomplete`);

  const resources = collectResources(plan, label);
  const counts = { resources: 0, azurerm: 0, mapped: 0, unmapped: {} as Record<string, number> };
  const idIndex = new Map<string, string>();
  const nameIndex = new Map<string, string | null>();
  for (const r of resources) {
    counts.resources++;
    if (r.type.startsWith('azurerm_')) {
      counts.azurerm++;
      if (AZURERM_MAPPINGS[r.type]) counts.mapped++;
      else counts.unmapped[r.type] = (counts.unmapped[r.type] ?? 0) + 1;
    }
    const id = r.values?.id;
    if (typeof id === 'string' && id) idIndex.set(id.toLowerCase(), r.address);
    const name = r.values?.name;
    if (typeof name === 'string' && NAME_TARGET_TYPES.has(r.type)) {
      const rg = typeof r.values?.resource_group_name === 'string' ? r.values.resource_group_name.toLowerCase() : '';
      nameIndex.set(`${r.type}|${rg}|${name.toLowerCase()}`, r.address);
      const anyRg = `${r.type}||${name.toLowerCase()}`;
      nameIndex.set(anyRg, nameIndex.has(anyRg) ? null : r.address);
    }
  }
  const unmappedTypes = Object.keys(counts.unmapped).sort();
  if (unmappedTypes.length) {
    const n = unmappedTypes.reduce((s, t) => s + (counts.unmapped[t] ?? 0), 0);
    const list = unmappedTypes.map((t) => `${t} (${counts.unmapped[t]})`).join(', ');
    warnings.push(`${label}: ${n} azurerm resource(s) of types Compline does not map are not evaluated: ${list}`);
  }

  const resolver = new ReferenceResolver(resources, plan.configuration);
  const drafts: RowDraft[] = [];
  const targets = new Set<string>();
  for (const res of resources) {
    const mapping = AZURERM_MAPPINGS[res.type];
    if (!mapping) continue;
    const d = mapResource(res, mapping, resolver, idIndex, nameIndex);
    drafts.push(d);
    if (d.mergeTarget) targets.add(d.mergeTarget);
  }
  const byAddress = new Map<string, RowDraft>();
  if (targets.size) for (const d of drafts) if (targets.has(d.res.address)) byAddress.set(d.res.address, d);

  const dropped = new Set<RowDraft>();
  for (const d of drafts) {
    if (!d.mapping.merge) continue;
    const target = d.mergeTarget ? byAddress.get(d.mergeTarget) : undefined;
    const deleting = isDeleteOnly(d.res.actions);
    if (target && !deleting && !isDeleteOnly(target.res.actions) && target !== d) {
      d.mapping.merge(target, d);
      for (const p of target.clearedByMerge) target.unknown.delete(p);
      dropped.add(d);
    } else if (d.mapping.orphan === 'drop' || (target && deleting)) {
      dropped.add(d);
    }
  }

  const rows: ResourceRow[] = [];
  for (const d of drafts) {
    if (dropped.has(d)) continue;
    d.row.properties = d.props;
    d.row.sku = Object.keys(d.sku).length ? d.sku : null;
    d.row.unknown_paths = [...d.unknown].sort();
    rows.push(d.row);
  }
  return { rows, formatVersion, terraformVersion, warnings, counts };
}

const isDeleteOnly = (actions: readonly string[]): boolean => actions.length === 1 && actions[0] === 'delete';

/** Every managed resource instance of the plan, in planned_values order, then those only in resource_changes. */
function collectResources(plan: Obj, label: string): PlanResource[] {
  const changes = new Map<string, Obj>();
  if (plan.resource_changes !== undefined && plan.resource_changes !== null) {
    if (!Array.isArray(plan.resource_changes)) {
      throw new UsageError(`${label}: resource_changes is ${describe(plan.resource_changes)}, expected an array`);
    }
    plan.resource_changes.forEach((rc, i) => {
      const where = `${label}: resource_changes[${i}]`;
      if (!isObj(rc)) throw new UsageError(`${where} is ${describe(rc)}, expected an object`);
      if (typeof rc.address !== 'string') throw new UsageError(`${where}.address is missing`);
      if (!isObj(rc.change) || !Array.isArray(rc.change.actions)) {
        throw new UsageError(`${where}.change.actions is missing`);
      }
      if (rc.deposed !== undefined || rc.mode === 'data') return;
      changes.set(rc.address, rc);
    });
  }

  const out: PlanResource[] = [];
  const add = (address: string, type: unknown, mode: unknown, where: string, planned: Obj | null, moduleAddress?: unknown) => {
    if (mode === 'data') return;
    if (typeof type !== 'string') throw new UsageError(`${where}.type is missing`);
    const rc = changes.get(address);
    const parsed = locate(address, rc ?? planned, moduleAddress);
    if (!parsed) throw new UsageError(`${where}.address is not a resource address`);
    if (rc) changes.delete(address);
    else if (planned === null) return;
    const change = rc?.change as Obj | undefined;
    const actions = change ? (change.actions as unknown[]).map(String) : ['no-op'];
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
      throw new UsageError(`${where} values are ${describe(values)}, expected an object`);
    }
    out.push({ address, type, ...parsed, actions, values: (values as Obj | undefined) ?? null, unk, sens });
  };

  const walk = (mod: unknown, where: string, depth: number) => {
    if (mod === undefined || mod === null) return;
    if (!isObj(mod)) throw new UsageError(`${where} is ${describe(mod)}, expected an object`);
    if (depth > 64) throw new UsageError(`${where}: modules nested deeper than 64`);
    if (mod.resources !== undefined) {
      if (!Array.isArray(mod.resources)) throw new UsageError(`${where}.resources is not an array`);
      mod.resources.forEach((r, i) => {
        const w = `${where}.resources[${i}]`;
        if (!isObj(r) || typeof r.address !== 'string') throw new UsageError(`${w} has no address`);
        add(r.address, r.type, r.mode, w, r, mod.address);
      });
    }
    if (mod.child_modules !== undefined) {
      if (!Array.isArray(mod.child_modules)) throw new UsageError(`${where}.child_modules is not an array`);
      mod.child_modules.forEach((c, i) => {
        walk(c, `${where}.child_modules[${i}]`, depth + 1);
      });
    }
  };
  const pv = plan.planned_values;
  if (pv !== undefined && pv !== null) {
    if (!isObj(pv)) throw new UsageError(`${label}: planned_values is ${describe(pv)}, expected an object`);
    walk(pv.root_module, `${label}: planned_values.root_module`, 0);
  }
  // What planned_values did not list: resources the plan deletes.
  for (const [address, rc] of [...changes]) add(address, rc.type, rc.mode, `${label}: resource_changes (${address})`, null);
  return out;
}

const moduleCache = new Map<string, ModuleStep[] | null>();

/**
 * Module path, name and instance key of a resource: from module_address / name / index when the plan gives
 * them (every format since 0.1 does), else parsed from the address.
 */
function locate(
  address: string,
  entry: Obj | null | undefined,
  moduleAddress: unknown,
): Pick<PlanResource, 'modules' | 'name' | 'key'> | null {
  const ma =
    typeof entry?.module_address === 'string' ? entry.module_address : typeof moduleAddress === 'string' ? moduleAddress : '';
  const name = entry?.name;
  if (typeof name !== 'string' || (ma === '' && address.startsWith('module.'))) return parseResourceAddress(address);
  let modules = moduleCache.get(ma);
  if (modules === undefined) {
    modules = parseModuleAddress(ma);
    if (moduleCache.size < 10_000) moduleCache.set(ma, modules);
  }
  if (!modules) return null;
  return { modules, name, key: formatKey(entry?.index) };
}

/** `module.a["x"].azurerm_subnet.s[0]` → modules, type, name, key. Null for anything else (data sources included). */
function parseResourceAddress(address: string): Pick<PlanResource, 'modules' | 'name' | 'key'> | null {
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
  return { modules, name: n.name, key: n.key === undefined ? undefined : normaliseKey(n.key) };
}

function normaliseKey(raw: string): string {
  if (!raw.startsWith('"')) return raw.trim();
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw;
  }
}

function mapResource(
  res: PlanResource,
  mapping: TypeMapping,
  resolver: ReferenceResolver<PlanResource>,
  idIndex: Map<string, string>,
  nameIndex: Map<string, string | null>,
): RowDraft {
  const unknown = new Set<string>();
  const props: Record<string, Json> = {};
  const sku: Record<string, Json> = {};
  const a = new Attrs(res.values, res.unk, res.sens, res.type);
  const row: ResourceRow = {
    id: `plan://${res.address}`,
    type: mapping.arm,
    name: '',
    location: null,
    subscription_id: null,
    resource_group: null,
    tags: null,
    sku: null,
    properties: null,
    origin: 'plan',
    parent_id: null,
    plan_address: res.address,
    plan_actions: res.actions,
    unknown_paths: null,
    secrets: null,
    tenant_id: null,
  };
  const draft: RowDraft = { res, mapping, row, props, sku, unknown, clearedByMerge: new Set(), mergeTarget: null };

  const c = new ResourceContext(res, a, props, sku, unknown, draft, resolver, idIndex, nameIndex);
  mapping.map(c);

  if (!row.name) {
    const n = mapping.name ? mapping.name(c) : a.val('name');
    if (n.k === 'known') row.name = n.sensitive ? REDACTED : String(n.v);
    else {
      row.name = `${res.name}${res.key === undefined ? '' : `[${res.key}]`}`;
      if (n.k === 'unknown') unknown.add('name');
    }
  }
  const loc = a.val('location');
  if (loc.k === 'known') row.location = loc.sensitive ? REDACTED : normaliseLocation(String(loc.v));
  else if (loc.k === 'unknown') unknown.add('location');
  const tags = a.val('tags');
  if (tags.k === 'known' && isObj(tags.v)) {
    const t: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags.v)) t[k] = typeof v === 'string' ? v : JSON.stringify(v);
    row.tags = t;
  } else if (tags.k === 'known' && tags.sensitive) {
    row.tags = { [REDACTED]: REDACTED };
  } else if (tags.k === 'unknown') unknown.add('tags');

  const id = a.val('id');
  const idStr = id.k === 'known' && typeof id.v === 'string' && !id.sensitive ? id.v : null;
  const rgName = a.val('resource_group_name');
  if (rgName.k === 'known' && typeof rgName.v === 'string' && !rgName.sensitive) row.resource_group = rgName.v.toLowerCase();
  else if (idStr && RG.test(idStr)) row.resource_group = (RG.exec(idStr)?.[1] ?? '').toLowerCase();
  else if (rgName.k === 'unknown') unknown.add('resource_group');
  row.subscription_id = subscriptionOf(idStr, res.values, a);
  if (!row.resource_group) {
    // A child's group is its parent's: a key's vault id, a database's server id.
    for (const k of PARENT_ID_ATTRIBUTES) {
      const v = a.val(k);
      if (v.k === 'known' && !v.sensitive && typeof v.v === 'string' && RG.test(v.v)) {
        row.resource_group = (RG.exec(v.v)?.[1] ?? '').toLowerCase();
        break;
      }
    }
  }

  const secrets = secretAttributes(res.values, res.unk, res.sens, res.type);
  row.secrets = secrets;
  return draft;
}

function subscriptionOf(id: string | null, values: Obj | null, a: Attrs): string | null {
  const m = id ? GUID.exec(id) : null;
  if (m?.[1]) return m[1].toLowerCase();
  if (!values) return null;
  for (const k in values) {
    const v = values[k];
    if (typeof v !== 'string' || !v.startsWith('/')) continue;
    const hit = GUID.exec(v);
    if (hit?.[1]) {
      const val: Val = a.val(k);
      if (val.k === 'known' && !val.sensitive) return hit[1].toLowerCase();
    }
  }
  return null;
}

/** What a mapping uses to read one resource and resolve what it points at (one object per resource). */
class ResourceContext implements MapContext {
  readonly p: Out;
  readonly sku: Out;
  constructor(
    readonly res: PlanResource,
    readonly a: Attrs,
    props: Record<string, Json>,
    sku: Record<string, Json>,
    private readonly unknown: Set<string>,
    readonly draft: RowDraft,
    private readonly resolver: ReferenceResolver<PlanResource>,
    private readonly idIndex: Map<string, string>,
    private readonly nameIndex: Map<string, string | null>,
  ) {
    this.p = new Out(props, 'properties', unknown);
    this.sku = new Out(sku, 'sku', unknown);
  }

  private idOf(s: string): string {
    const lower = s.toLowerCase();
    const addr = this.idIndex.get(lower);
    return addr ? `plan://${addr}` : lower;
  }

  ref(at: Attrs, name: string): Val {
    const v = at.val(name);
    if (v.k === 'known') return v.sensitive || typeof v.v !== 'string' ? v : known(this.idOf(v.v));
    if (v.k === 'absent') return ABSENT;
    const t = this.resolver.resolve(this.res, [...at.path, name], 'id');
    return t ? known(`plan://${t.address}`) : UNKNOWN;
  }

  refs(at: Attrs, name: string): Val {
    const v = at.val(name);
    if (v.k === 'known') {
      if (v.sensitive || !Array.isArray(v.v)) return v;
      return known(v.v.map((x) => (typeof x === 'string' ? this.idOf(x) : x)));
    }
    if (v.k === 'absent') return ABSENT;
    const ts = this.resolver.resolveAll(this.res, [...at.path, name], 'id');
    return ts.length ? known(ts.map((t) => `plan://${t.address}`)) : UNKNOWN;
  }

  target(at: Attrs, name: string): string | null {
    const v = at.val(name);
    if (v.k === 'known') return typeof v.v === 'string' && !v.sensitive ? (this.idIndex.get(v.v.toLowerCase()) ?? null) : null;
    if (v.k === 'absent') return null;
    return this.resolver.resolve(this.res, [...at.path, name], 'id')?.address ?? null;
  }

  targetByName(type: string, nameAttr: string, rgAttr = 'resource_group_name'): string | null {
    const n = this.a.val(nameAttr);
    if (n.k === 'known' && typeof n.v === 'string' && !n.sensitive) {
      const rg = this.a.val(rgAttr);
      const key =
        rg.k === 'known' && typeof rg.v === 'string'
          ? `${type}|${rg.v.toLowerCase()}|${n.v.toLowerCase()}`
          : `${type}||${n.v.toLowerCase()}`;
      const hit = this.nameIndex.get(key);
      if (hit) return hit;
    }
    const t = n.k === 'known' ? null : this.resolver.resolve(this.res, [nameAttr], 'name');
    return t && t.type === type ? t.address : null;
  }

  parent(v: Val): void {
    if (v.k === 'known' && typeof v.v === 'string' && !v.sensitive) this.draft.row.parent_id = v.v;
    else if (v.k === 'unknown') this.unknown.add('parent_id');
  }

  isConfigured(path: (string | number)[]): boolean | undefined {
    return this.resolver.isConfigured(this.res, path);
  }
}
