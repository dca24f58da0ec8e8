// `kubectl get -o yaml|json` output → k8s_objects rows, as the kubernetes collector writes them (one row per object;
// spec reduced per kind; labels and annotations {} when absent). Tests load real and demo objects through it.
import { parse } from 'yaml';

export interface K8sRow {
  cluster: string;
  kind: string;
  namespace: string | null;
  name: string;
  uid: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: unknown;
  status: unknown;
  tenant_id: string | null;
}

/** The kinds the collector lists, each true when it is namespaced. */
const KINDS: Record<string, boolean> = {
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

export interface RowOptions {
  cluster: string;
  /** Where an object without metadata.namespace goes, as `kubectl apply` puts it in the current namespace. */
  namespace?: string;
  /** The owning tenant of an object, as the collector stamps it. */
  tenant: (row: Omit<K8sRow, 'tenant_id'>) => string | null;
}

/** Rows of one document: a single object, or a List / <Kind>List of items. Kinds the collector skips are skipped. */
export function k8sRows(text: string, opts: RowOptions): K8sRow[] {
  const doc = parse(text) as Obj;
  const items = Array.isArray(doc.items) ? (doc.items as Obj[]) : [doc];
  return items.flatMap((o) => {
    const kind = String(o.kind);
    if (!(kind in KINDS)) return [];
    const meta = (o.metadata ?? {}) as Obj;
    const row = {
      cluster: opts.cluster,
      kind,
      namespace: KINDS[kind] ? ((meta.namespace as string | undefined) ?? opts.namespace ?? 'default') : null,
      name: String(meta.name),
      uid: (meta.uid as string | undefined) ?? null,
      labels: (meta.labels as Record<string, string> | undefined) ?? {},
      annotations: (meta.annotations as Record<string, string> | undefined) ?? {},
      spec: specOf(kind, o),
      status: o.status ?? null,
    };
    return [{ ...row, tenant_id: opts.tenant(row) }];
  });
}
