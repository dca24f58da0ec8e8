// A Kubernetes object as it is listed → one k8s_objects row: spec reduced per kind, labels and annotations {} when
// absent. Secrets keep only their type and ConfigMaps nothing of their contents: no value of either is ever stored.
import type { K8sObjectRow } from '../../model.js';

/** The kinds the collector lists, each true when it is namespaced. */
export const K8S_KINDS: Readonly<Record<string, boolean>> = {
  Pod: true,
  Deployment: true,
  StatefulSet: true,
  DaemonSet: true,
  Job: true,
  CronJob: true,
  Namespace: false,
  NetworkPolicy: true,
  Node: false,
  ResourceQuota: true,
  LimitRange: true,
  ServiceAccount: true,
  Role: true,
  RoleBinding: true,
  ClusterRole: false,
  ClusterRoleBinding: false,
  Secret: true,
  ConfigMap: true,
};

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What the row keeps of an object: its spec, or for kinds without one, the fields that say what it grants. */
function specOf(kind: string, o: Obj): unknown {
  const pick = (...keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  if (kind === 'Role' || kind === 'ClusterRole') return pick('rules', 'aggregationRule');
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') return pick('roleRef', 'subjects');
  if (kind === 'ServiceAccount') return pick('automountServiceAccountToken', 'secrets', 'imagePullSecrets');
  if (kind === 'Secret') return pick('type');
  if (kind === 'ConfigMap') return null;
  return o.spec ?? null;
}

/** Secrets and ConfigMaps keep no status either: only metadata and the Secret's type leave the listing. */
const statusOf = (kind: string, o: Obj): unknown => (kind === 'Secret' || kind === 'ConfigMap' ? null : (o.status ?? null));

const stringMap = (v: unknown): Record<string, string> =>
  isObj(v) ? (Object.fromEntries(Object.entries(v).filter(([, s]) => typeof s === 'string')) as Record<string, string>) : {};

/**
 * The row of one object of `kind` (a list's items carry no kind of their own), or null for a kind the collector
 * does not list or an object without a name. `namespace`: where a namespaced object without one goes, as
 * `kubectl apply` puts it in the current namespace.
 */
export function objectRow(cluster: string, kind: string, o: Obj, namespace = 'default'): Omit<K8sObjectRow, 'tenant_id'> | null {
  if (!(kind in K8S_KINDS)) return null;
  const meta = isObj(o.metadata) ? o.metadata : {};
  if (typeof meta.name !== 'string' || !meta.name) return null;
  return {
    cluster,
    kind,
    namespace: K8S_KINDS[kind] ? (typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : namespace) : null,
    name: meta.name,
    uid: typeof meta.uid === 'string' ? meta.uid : null,
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
    spec: specOf(kind, o),
    status: statusOf(kind, o),
  };
}

/** `PodList` → `Pod`; `List` (kubectl's mixed list) → null: its items say their kinds. */
export function itemKind(listKind: unknown): string | null {
  return typeof listKind === 'string' && listKind.endsWith('List') && listKind !== 'List' ? listKind.slice(0, -4) : null;
}

/** Rows of one document: a single object, a `List` or a `<Kind>List`; kinds the collector does not list are skipped. */
export function documentRows(cluster: string, doc: unknown, namespace?: string): Omit<K8sObjectRow, 'tenant_id'>[] {
  if (!isObj(doc)) return [];
  const listed = itemKind(doc.kind);
  const items = Array.isArray(doc.items) ? doc.items : [doc];
  return items.flatMap((o) => {
    if (!isObj(o)) return [];
    const row = objectRow(cluster, typeof o.kind === 'string' ? o.kind : (listed ?? ''), o, namespace);
    return row ? [row] : [];
  });
}
