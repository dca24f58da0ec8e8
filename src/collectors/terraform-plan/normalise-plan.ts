// `terraform show -json` plan → ResourceRow[] on ARM shapes. One pass to index the plan's resources,
// one to map them, one to merge association-style resources into what they attach to.
import { UsageError } from '../../errors.js';
import type { Json, ResourceRow } from '../../model.js';
import { AZURERM_MAPPINGS } from './azurerm-mappings.js';
import { collectResources, describe } from './collect-resources.js';
import type { PlanResource, RowDraft, TypeMapping } from './map-context.js';
import { Attrs, type SecretFilter, secretAttributes, type Val } from './plan-values.js';
import { ReferenceResolver } from './references.js';
import { ResourceContext } from './resource-context.js';
import { moduleSources } from './source-locations.js';

export interface NormalisedPlan {
  rows: ResourceRow[];
  formatVersion: string;
  terraformVersion: string | null;
  /** One line each: unknown format_version, azurerm types not evaluated (but for plaintext secrets), an errored plan. */
  warnings: string[];
  counts: { resources: number; azurerm: number; mapped: number; unmapped: Record<string, number> };
  /** Module call sources from `configuration` by module path (`net.subnets`), to find resources' .tf blocks. */
  moduleSources: Map<string, string>;
}

/** format_version values written by Terraform 0.12 (0.1) through 1.9+ (1.2). */
export const KNOWN_FORMAT_VERSIONS: readonly string[] = ['0.1', '0.2', '1.0', '1.1', '1.2'];

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

const GUID = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;
const RG = /\/resourcegroups\/([^/]+)/i;
/** Types other resources point at by name (an NSG rule's NSG, a subnet's vnet, old network rules' account). */
const NAME_TARGET_TYPES = new Set(['azurerm_network_security_group', 'azurerm_virtual_network', 'azurerm_storage_account']);
const PARENT_ID_ATTRIBUTES = ['key_vault_id', 'server_id', 'database_id', 'storage_account_id', 'kubernetes_cluster_id'];

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
  const counts = { resources: resources.length, azurerm: 0, mapped: 0, unmapped: {} as Record<string, number> };
  const idIndex = new Map<string, string>();
  const nameIndex = new Map<string, string | null>();
  /** Mapping of each resource (undefined: not an azurerm type Compline maps), looked up once. */
  const mappings: (TypeMapping | undefined)[] = new Array(resources.length);
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i] as PlanResource;
    let mapping: TypeMapping | undefined;
    if (r.type.startsWith('azurerm_')) {
      counts.azurerm++;
      mapping = Object.hasOwn(AZURERM_MAPPINGS, r.type) ? AZURERM_MAPPINGS[r.type] : undefined;
      mappings[i] = mapping;
      if (mapping) counts.mapped++;
      else counts.unmapped[r.type] = (counts.unmapped[r.type] ?? 0) + 1;
    }
    const values = r.values;
    if (!values) continue;
    const id = values.id;
    if (typeof id === 'string' && id) {
      // Association resources (subnet–NSG, storage network rules) take their parent's id once applied:
      // the id still names the parent.
      const key = id.toLowerCase();
      if (!mapping?.merge || !idIndex.has(key)) idIndex.set(key, r.address);
    }
    const name = values.name;
    if (typeof name === 'string' && NAME_TARGET_TYPES.has(r.type)) {
      const rg = typeof values.resource_group_name === 'string' ? values.resource_group_name.toLowerCase() : '';
      nameIndex.set(`${r.type}|${rg}|${name.toLowerCase()}`, r.address);
      const anyRg = `${r.type}||${name.toLowerCase()}`;
      nameIndex.set(anyRg, nameIndex.has(anyRg) ? null : r.address);
    }
  }
  const unmappedTypes = Object.keys(counts.unmapped).sort();
  if (unmappedTypes.length) {
    const n = unmappedTypes.reduce((s, t) => s + (counts.unmapped[t] ?? 0), 0);
    const list = unmappedTypes.map((t) => `${t} (${counts.unmapped[t]})`).join(', ');
    warnings.push(
      `${label}: ${n} azurerm resource(s) of types Compline does not map are not evaluated except for plaintext secrets: ${list}`,
    );
  }

  const resolver = new ReferenceResolver(resources, plan.configuration);
  const drafts: RowDraft[] = [];
  const targets = new Set<string>();
  for (let i = 0; i < resources.length; i++) {
    const mapping = mappings[i];
    if (!mapping) {
      const r = resources[i] as PlanResource;
      if (!r.type.startsWith('azurerm_') || isDeleteOnly(r.actions)) continue;
      // Not mapped, but a plaintext secret needs no ARM shape: the resource gets a row when it carries one.
      const d = mapResource(r, unmappedMapping(r.type), resolver, idIndex, nameIndex);
      if (d.row.secrets?.length) drafts.push(d);
      continue;
    }
    const d = mapResource(resources[i] as PlanResource, mapping, resolver, idIndex, nameIndex);
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
      for (let i = 0; i < target.clearedByMerge.length; i++) target.unknown.delete(target.clearedByMerge[i] as string);
      dropped.add(d);
    } else if (d.mapping.orphan === 'drop' || (target && deleting)) {
      dropped.add(d);
    }
  }

  const rows: ResourceRow[] = [];
  for (const d of drafts) {
    if (dropped.has(d)) continue;
    d.row.properties = d.props;
    d.row.sku = hasKeys(d.sku) ? d.sku : null;
    d.row.unknown_paths = sortedPaths(d.unknown);
    rows.push(d.row);
  }
  return { rows, formatVersion, terraformVersion, warnings, counts, moduleSources: moduleSources(plan.configuration) };
}

const isDeleteOnly = (actions: readonly string[]): boolean => actions.length === 1 && actions[0] === 'delete';

/** The set's paths in code-unit order (what `[...set].sort()` gives), sorting only when there are several. */
function sortedPaths(set: Set<string>): string[] {
  if (set.size === 0) return [];
  const out = Array.from(set);
  return out.length > 1 ? out.sort() : out;
}

/** Object.keys(o).length > 0, without building the array. */
function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

// Locations repeat across a plan (a handful of regions): normalise each spelling once (bounded, across plans).
const locations = new Map<string, string>();
function normaliseLocation(s: string): string {
  let n = locations.get(s);
  if (n === undefined) {
    n = s.replace(/\s+/g, '').toLowerCase();
    if (locations.size < 10_000) locations.set(s, n);
  }
  return n;
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
    identity: null,
    origin: 'plan',
    parent_id: null,
    plan_address: res.address,
    plan_actions: res.actions,
    unknown_paths: null,
    secrets: null,
    tenant_id: null,
  };
  const draft: RowDraft = { res, mapping, row, props, sku, unknown, clearedByMerge: [], mergeTarget: null };

  const c = new ResourceContext(res, a, props, sku, unknown, draft, resolver, idIndex, nameIndex);
  mapping.map(c);

  if (!row.name) {
    const n = mapping.name ? mapping.name(c) : a.val('name');
    if (n.k === 'known') row.name = String(n.v);
    else {
      row.name = res.key === undefined ? res.name : `${res.name}[${res.key}]`;
      if (n.k === 'unknown') unknown.add('name');
    }
  }
  const loc = a.val('location');
  if (loc.k === 'known') row.location = normaliseLocation(String(loc.v));
  else if (loc.k === 'unknown') unknown.add('location');
  const tags = a.val('tags');
  if (tags.k === 'known' && isObj(tags.v)) {
    const t: Record<string, string> = {};
    const src = tags.v;
    const keys = Object.keys(src);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const v = src[k];
      t[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    row.tags = t;
  } else if (tags.k === 'unknown') unknown.add('tags');

  const id = a.val('id');
  const idStr = id.k === 'known' && typeof id.v === 'string' ? id.v : null;
  const rgName = a.val('resource_group_name');
  if (rgName.k === 'known' && typeof rgName.v === 'string') row.resource_group = rgName.v.toLowerCase();
  else {
    const fromId = idStr ? resourceGroupIn(idStr) : null;
    if (fromId !== null) row.resource_group = fromId;
    else if (rgName.k === 'unknown') unknown.add('resource_group');
  }
  row.subscription_id = subscriptionOf(idStr, res.values, a);
  if (!row.resource_group) {
    // A child's group is its parent's: a key's vault id, a database's server id.
    for (let i = 0; i < PARENT_ID_ATTRIBUTES.length; i++) {
      const v = a.val(PARENT_ID_ATTRIBUTES[i] as string);
      if (v.k === 'known' && typeof v.v === 'string') {
        const rg = resourceGroupIn(v.v);
        if (rg !== null) {
          row.resource_group = rg;
          break;
        }
      }
    }
  }

  const exported = mapping.exportedSecrets;
  // Which secrets an unmapped type computes is not known: a top-level attribute the configuration does not
  // write is taken as computed (instrumentation_key, primary_key). Inside a written block a secret counts: a
  // map's values and a dynamic block's elements need not have expressions of their own.
  const keep: SecretFilter | undefined = exported
    ? (steps) => !exported.includes(steps[0] as string)
    : mapping.unmapped
      ? (steps) => c.isConfigured(steps.slice(0, 1)) !== false
      : undefined;
  row.secrets = secretAttributes(res.values, res.unk, res.sens, res.type, keep);
  return draft;
}

/**
 * An azurerm type Compline does not map: no property is read, the row carries name, location, tags and the
 * plaintext secrets, and its type is the Terraform type (no check but the type-blind ones selects it).
 */
function unmappedMapping(type: string): TypeMapping {
  return { arm: type, map() {}, unmapped: true };
}

/** The lower-case resource group of an ARM id, or null when the id names none. */
function resourceGroupIn(id: string): string | null {
  const m = RG.exec(id);
  return m ? (m[1] ?? '').toLowerCase() : null;
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
      if (val.k === 'known') return hit[1].toLowerCase();
    }
  }
  return null;
}
