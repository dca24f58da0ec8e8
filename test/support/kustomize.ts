// The subset of kustomize that schedules/ uses, so tests render it with no binary and no network: `resources` (files,
// or folders holding a kustomization.yaml), `namespace` (set on every namespaced object, and on ServiceAccount
// subjects of bindings, as kustomize does) and `patches` by path (strategic merge: objects merge key by key, lists of
// named objects by name, other lists are replaced). Anything else in a kustomization is refused, not ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { K8S_KINDS } from '../../src/collectors/kubernetes/object-row.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const KNOWN = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches']);
/** Namespaced kinds kustomize would place that the collector does not list. */
const NAMESPACED_EXTRA = new Set(['PersistentVolumeClaim']);

interface Kustomization {
  namespace?: string;
  resources?: string[];
  patches?: { path?: string }[];
}

function merge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? merge(base[k], v) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && [...base, ...patch].every((e) => isObj(e) && typeof e.name === 'string')) {
    const out = base.map((b) => {
      const p = patch.find((e) => (e as Obj).name === (b as Obj).name);
      return p ? merge(b, p) : b;
    });
    return [...out, ...patch.filter((p) => !base.some((b) => (b as Obj).name === (p as Obj).name))];
  }
  return patch;
}

const key = (o: Obj) => `${String(o.kind)}/${String((o.metadata as Obj | undefined)?.name)}`;

/** The objects `kubectl kustomize <dir>` would print for the subset above. */
export function renderKustomization(dir: string): Obj[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization & Obj;
  const unknown = Object.keys(k).filter((f) => !KNOWN.has(f));
  if (unknown.length) throw new Error(`${dir}: kustomization fields not rendered: ${unknown.join(', ')}`);
  let objects: Obj[] = (k.resources ?? []).flatMap((r) => {
    const path = join(dir, r);
    if (!/\.ya?ml$/.test(r)) return renderKustomization(path);
    return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Obj);
  });
  for (const p of k.patches ?? []) {
    if (!p.path) throw new Error(`${dir}: only patches by path are rendered`);
    const patch = parse(readFileSync(join(dir, p.path), 'utf8')) as Obj;
    const i = objects.findIndex((o) => key(o) === key(patch));
    if (i < 0) throw new Error(`${dir}: patch ${p.path} targets ${key(patch)}, which no resource is`);
    objects[i] = merge(objects[i], patch) as Obj;
  }
  if (k.namespace) {
    const ns = k.namespace;
    objects = objects.map((o) => {
      const kind = String(o.kind);
      const namespaced = K8S_KINDS[kind] === true || NAMESPACED_EXTRA.has(kind);
      const out: Obj = namespaced ? { ...o, metadata: { ...(o.metadata as Obj), namespace: ns } } : o;
      if ((kind === 'RoleBinding' || kind === 'ClusterRoleBinding') && Array.isArray(o.subjects))
        out.subjects = o.subjects.map((s: Obj) => (s.kind === 'ServiceAccount' ? { ...s, namespace: ns } : s));
      return out;
    });
  }
  return objects;
}
