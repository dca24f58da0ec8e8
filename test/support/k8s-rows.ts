// `kubectl get -o yaml|json` output → k8s_objects rows, through the collector's own row mapping
// (src/collectors/kubernetes/object-row.ts). Tests load real and demo objects through it.
import { parse } from 'yaml';
import { documentRows } from '../../src/collectors/kubernetes/object-row.js';
import type { K8sObjectRow } from '../../src/model.js';

export type K8sRow = K8sObjectRow;

export interface RowOptions {
  cluster: string;
  /** Where an object without metadata.namespace goes, as `kubectl apply` puts it in the current namespace. */
  namespace?: string;
  /** The owning tenant of an object, as the collector stamps it. */
  tenant: (row: Omit<K8sRow, 'tenant_id'>) => string | null;
}

/** Rows of one document: a single object, or a List / <Kind>List of items. Kinds the collector skips are skipped. */
export function k8sRows(text: string, opts: RowOptions): K8sRow[] {
  return documentRows(opts.cluster, parse(text), opts.namespace).map((row) => ({ ...row, tenant_id: opts.tenant(row) }));
}
