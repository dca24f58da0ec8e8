// What a type mapping reads one resource through: its values, builders for `properties` and `sku`, and the
// resolution of what its id-valued attributes point at (plan:// addresses for resources of the plan).
import type { Json } from '../../model.js';
import type { MapContext, PlanResource, RowDraft } from './map-context.js';
import { ABSENT, type Attrs, known, Out, UNKNOWN, type Val } from './plan-values.js';
import type { ReferenceResolver } from './references.js';

/** One object per resource. */
export class ResourceContext implements MapContext {
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
    if (addr) return `plan://${addr}`;
    // A child the plan does not hold under a parent it does (a server's master database): plan://<parent>/<child>.
    const at = lower.lastIndexOf('/providers/');
    if (at < 0) return lower;
    const head = lower.slice(0, at + '/providers/'.length);
    const parts = lower.slice(head.length).split('/'); // namespace, then type/name pairs
    for (let n = parts.length - 2; n >= 3; n -= 2) {
      const parent = this.idIndex.get(head + parts.slice(0, n).join('/'));
      if (parent) return `plan://${parent}/${parts.slice(n).join('/')}`;
    }
    return lower;
  }

  ref(at: Attrs, name: string): Val {
    const v = at.val(name);
    if (v.k === 'known') return typeof v.v !== 'string' ? v : known(this.idOf(v.v));
    if (v.k === 'absent') return ABSENT;
    const t = this.resolver.resolve(this.res, [...at.path, name], 'id');
    return t ? known(`plan://${t.address}`) : UNKNOWN;
  }

  refs(at: Attrs, name: string): Val {
    const v = at.val(name);
    if (v.k === 'known') {
      if (!Array.isArray(v.v)) return v;
      return known(v.v.map((x) => (typeof x === 'string' ? this.idOf(x) : x)));
    }
    if (v.k === 'absent') return ABSENT;
    const ts = this.resolver.resolveAll(this.res, [...at.path, name], 'id');
    return ts.length ? known(ts.map((t) => `plan://${t.address}`)) : UNKNOWN;
  }

  target(at: Attrs, name: string): string | null {
    const v = at.val(name);
    if (v.k === 'known') return typeof v.v === 'string' ? (this.idIndex.get(v.v.toLowerCase()) ?? null) : null;
    if (v.k === 'absent') return null;
    return this.resolver.resolve(this.res, [...at.path, name], 'id')?.address ?? null;
  }

  targetByName(type: string, nameAttr: string, rgAttr = 'resource_group_name'): string | null {
    const n = this.a.val(nameAttr);
    if (n.k === 'known' && typeof n.v === 'string') {
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
    if (v.k === 'known' && typeof v.v === 'string') this.draft.row.parent_id = v.v;
    else if (v.k === 'unknown') this.unknown.add('parent_id');
  }

  isConfigured(path: (string | number)[]): boolean | undefined {
    return this.resolver.isConfigured(this.res, path);
  }
}
