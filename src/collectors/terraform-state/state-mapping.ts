// A state's instances on ARM shapes, through the same azurerm type mappings as the plan normaliser, without what only
// a plan needs: a state has no unknown values, no configuration and no actions, and its rows carry no name, location,
// sku or secret list. Every instance is mapped on its own; association resources (NSG rules, storage network rules,
// ...) are folded into the resource they attach to, as the normaliser does.
import type { Json, ResourceRow } from '../../model.js';
import { AZURERM_MAPPINGS } from '../terraform-plan/azurerm-mappings.js';
import type { MapContext, PlanResource, RowDraft, TypeMapping } from '../terraform-plan/map-context.js';
import { Attrs, known, Out, type Val } from '../terraform-plan/plan-values.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One managed instance of a state (or the prior values of a refresh-only plan's drift entry). */
export interface StateInstance {
  address: string;
  /** Terraform type. */
  type: string;
  values: Obj;
  /** The sensitive-values mirror: a value marked sensitive is read as unknown, as the plan normaliser reads it. */
  sens: unknown;
}

export interface MappedInstance {
  /** Lower-case ARM type; null for a type Compline does not map, or an association folded into its target. */
  type: string | null;
  tags: Record<string, string> | null;
  properties: Json;
}

/** Types other resources point at by name (an NSG rule's NSG, a subnet's vnet, old network rules' account). */
const NAME_TARGET_TYPES = new Set(['azurerm_network_security_group', 'azurerm_virtual_network', 'azurerm_storage_account']);

/** What associations look their targets up in: built on the first lookup, as most states have no association. */
class StateIndex {
  private byId: Map<string, string> | null = null;
  private byName: Map<string, string | null> | null = null;
  constructor(private readonly instances: readonly StateInstance[]) {}

  id(lowerId: string): string | null {
    if (!this.byId) {
      this.byId = new Map();
      for (const r of this.instances) {
        const id = r.values.id;
        if (typeof id !== 'string' || !id) continue;
        const key = id.toLowerCase();
        // An association's id names its parent: the parent keeps the entry.
        const m = mappingOf(r.type);
        if (!m?.merge || !this.byId.has(key)) this.byId.set(key, r.address);
      }
    }
    return this.byId.get(lowerId) ?? null;
  }

  name(key: string): string | null {
    if (!this.byName) {
      this.byName = new Map();
      for (const r of this.instances) {
        const name = r.values.name;
        if (typeof name !== 'string' || !NAME_TARGET_TYPES.has(r.type)) continue;
        const rg = typeof r.values.resource_group_name === 'string' ? r.values.resource_group_name.toLowerCase() : '';
        this.byName.set(`${r.type}|${rg}|${name.toLowerCase()}`, r.address);
        const anyRg = `${r.type}||${name.toLowerCase()}`;
        this.byName.set(anyRg, this.byName.has(anyRg) ? null : r.address);
      }
    }
    return this.byName.get(key) ?? null;
  }
}

/** What a mapping sees for a state instance: ids are the lower-case ARM ids themselves, nothing is unknown. */
class StateContext implements MapContext {
  readonly p: Out;
  readonly sku: Out;
  constructor(
    readonly res: PlanResource,
    readonly a: Attrs,
    readonly draft: RowDraft,
    private readonly index: StateIndex,
  ) {
    this.p = new Out(draft.props, 'properties', draft.unknown);
    this.sku = new Out(draft.sku, 'sku', draft.unknown);
  }

  ref(at: Attrs, name: string): Val {
    const v = at.val(name);
    return v.k === 'known' && typeof v.v === 'string' ? known(v.v.toLowerCase()) : v;
  }

  refs(at: Attrs, name: string): Val {
    const v = at.val(name);
    if (v.k !== 'known' || !Array.isArray(v.v)) return v;
    return known(v.v.map((x) => (typeof x === 'string' ? x.toLowerCase() : x)));
  }

  target(at: Attrs, name: string): string | null {
    const v = at.val(name);
    return v.k === 'known' && typeof v.v === 'string' ? this.index.id(v.v.toLowerCase()) : null;
  }

  targetByName(type: string, nameAttr: string, rgAttr = 'resource_group_name'): string | null {
    const n = this.a.val(nameAttr);
    if (n.k !== 'known' || typeof n.v !== 'string') return null;
    const rg = this.a.val(rgAttr);
    return this.index.name(
      rg.k === 'known' && typeof rg.v === 'string'
        ? `${type}|${rg.v.toLowerCase()}|${n.v.toLowerCase()}`
        : `${type}||${n.v.toLowerCase()}`,
    );
  }

  parent(): void {}

  isConfigured(): boolean | undefined {
    return undefined;
  }
}

const mappingOf = (type: string): TypeMapping | undefined =>
  type.startsWith('azurerm_') && Object.hasOwn(AZURERM_MAPPINGS, type) ? AZURERM_MAPPINGS[type] : undefined;

function tagsOf(a: Attrs): Record<string, string> | null {
  const v = a.val('tags');
  if (v.k !== 'known' || !isObj(v.v)) return null;
  const out: Record<string, string> = {};
  for (const k of Object.keys(v.v)) {
    const x = v.v[k];
    out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  }
  return out;
}

/** The instances, in order, each as its ARM type, tags and mapped properties. */
export function mapStateInstances(instances: readonly StateInstance[]): MappedInstance[] {
  const index = new StateIndex(instances);
  const drafts: (RowDraft | null)[] = new Array(instances.length);
  const out: MappedInstance[] = new Array(instances.length);
  let merging = false;
  for (let i = 0; i < instances.length; i++) {
    const r = instances[i] as StateInstance;
    const a = new Attrs(r.values, undefined, r.sens, r.type);
    const tags = tagsOf(a);
    const mapping = mappingOf(r.type);
    if (!mapping) {
      drafts[i] = null;
      out[i] = { type: null, tags, properties: null };
      continue;
    }
    const res = { address: r.address, type: r.type, values: r.values, unk: undefined, sens: r.sens } as PlanResource;
    const draft: RowDraft = {
      res,
      mapping,
      row: { parent_id: null, name: '' } as ResourceRow,
      props: {},
      sku: {},
      unknown: new Set(),
      clearedByMerge: [],
      mergeTarget: null,
    };
    mapping.map(new StateContext(res, a, draft, index));
    if (mapping.merge) {
      merging = true;
      // An NSG rule is folded in under its name.
      const n = mapping.name ? mapping.name(new StateContext(res, a, draft, index)) : a.val('name');
      draft.row.name = n.k === 'known' ? String(n.v) : r.address;
    }
    drafts[i] = draft;
    out[i] = { type: mapping.arm, tags, properties: draft.props };
  }
  if (merging) {
    const byAddress = new Map<string, number>();
    for (let i = 0; i < instances.length; i++) if (drafts[i]) byAddress.set((instances[i] as StateInstance).address, i);
    for (let i = 0; i < instances.length; i++) {
      const d = drafts[i];
      if (!d?.mapping.merge) continue;
      const at = d.mergeTarget === null ? undefined : byAddress.get(d.mergeTarget);
      const target = at === undefined ? undefined : drafts[at];
      if (target && target !== d) {
        d.mapping.merge(target, d);
        out[i] = { type: null, tags: out[i]?.tags ?? null, properties: null };
      } else if (d.mapping.orphan === 'drop') out[i] = { type: null, tags: out[i]?.tags ?? null, properties: null };
    }
  }
  return out;
}
