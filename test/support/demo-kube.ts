// The demo clusters' objects (demo/estate/kubernetes) as their API servers hold them, for the local Kubernetes API
// server: every Secret and ConfigMap carries a planted value, which must never reach a row, a status or a log.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './cli.js';
import { objectsByKind } from './kube-server.js';

export const DEMO_K8S = join(ROOT, 'demo/estate/kubernetes');
export const DEMO_CLUSTERS = ['aks-bank-alpha-dev', 'aks-bank-alpha-prod', 'aks-shared-westus'];
export const PLANTED = 'cGxhbnRlZC1zZWNyZXQtdmFsdWUtOTcxMw';

export function demoClusters(): Record<string, Record<string, Record<string, unknown>[]>> {
  return Object.fromEntries(
    DEMO_CLUSTERS.map((cluster) => {
      const files = readdirSync(join(DEMO_K8S, cluster)).filter((f) => f.endsWith('.yaml'));
      const docs = files.flatMap((f) => parseAllDocuments(readFileSync(join(DEMO_K8S, cluster, f), 'utf8')).map((d) => d.toJS()));
      const byKind = objectsByKind(docs);
      for (const o of [...(byKind.Secret ?? []), ...(byKind.ConfigMap ?? [])]) o.data = { value: PLANTED };
      return [cluster, byKind];
    }),
  );
}
