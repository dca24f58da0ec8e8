// Kubernetes collection without a server: the file source's cluster folders and what makes a cluster partial, and
// who owns each object once the run stamps tenants (dedicated cluster, namespace label, name pattern, platform).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubernetesFileSource } from '../src/collectors/kubernetes/file-source.js';
import { parseConfig } from '../src/config.js';
import type { K8sObjectRow } from '../src/model.js';
import { Store } from '../src/store.js';
import { tenantResolver } from '../src/tenancy.js';
import { byScope, drainCollector } from './support/collector-events.js';

const ns = (name: string, labels: Record<string, string> = {}) => ({ kind: 'Namespace', metadata: { name, labels } });
const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-k8s-files-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('Kubernetes file source', () => {
  it('reads a folder of cluster folders, one status per cluster; a bad file or a continued list is partial', async () => {
    const dir = folder({
      'clusters/aks-a/namespaces.json': list([ns('payments')]),
      'clusters/aks-a/broken.yaml': 'items: [\n',
      'clusters/aks-b/sa.yaml': `apiVersion: v1\nkind: ServiceAccountList\nmetadata: { continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ" }\nitems:\n  - metadata: { name: default, namespace: team }\n`,
      'clusters/aks-c/README.md': 'no objects here',
      'clusters/DESIGN.md': 'notes',
    });
    const { k8sObjects, statuses } = await drainCollector(new KubernetesFileSource(['clusters'], dir));
    expect(k8sObjects.map((r) => `${r.cluster} ${r.kind} ${r.namespace} ${r.name}`).sort()).toEqual([
      'aks-a Namespace null payments',
      'aks-b ServiceAccount team default',
    ]);
    expect(byScope(statuses)).toEqual({
      'cluster:aks-a': {
        status: 'partial',
        error: 'clusters/aks-a/broken.yaml: not YAML (BAD_INDENT at line 2 column 1)',
        rows: 1,
      },
      'cluster:aks-b': {
        status: 'partial',
        error: 'clusters/aks-b/sa.yaml: a list with a continue token (later pages not in the file)',
        rows: 1,
      },
      'cluster:aks-c': { status: 'failed', error: 'no .yaml or .json files in clusters/aks-c', rows: 0 },
    });
  });

  it('a folder of object files is one cluster named as the folder; a missing path fails', async () => {
    const dir = folder({ 'aks-solo/ns.yaml': 'kind: Namespace\nmetadata: { name: solo }\n' });
    const { k8sObjects, statuses } = await drainCollector(new KubernetesFileSource(['aks-solo', 'nowhere'], dir));
    expect(k8sObjects.map((r) => `${r.cluster} ${r.name}`)).toEqual(['aks-solo solo']);
    expect(byScope(statuses)).toEqual({
      'cluster:aks-solo': { status: 'ok', error: null, rows: 1 },
      'file:nowhere': { status: 'failed', error: 'cannot read nowhere (ENOENT)', rows: 0 },
    });
  });

  it('keeps no Secret data and no ConfigMap data from a file', async () => {
    const dir = folder({
      'aks-a/config.yaml': list([
        { kind: 'Secret', type: 'Opaque', data: { password: 'c2VjcmV0LXZhbHVl' }, metadata: { name: 's', namespace: 'x' } },
        { kind: 'ConfigMap', data: { key: 'config-value' }, metadata: { name: 'c', namespace: 'x' } },
      ]),
    });
    const { k8sObjects } = await drainCollector(new KubernetesFileSource(['aks-a'], dir));
    expect(k8sObjects.map((r) => [r.kind, r.spec, r.status])).toEqual([
      ['Secret', { type: 'Opaque' }, null],
      ['ConfigMap', null, null],
    ]);
    expect(JSON.stringify(k8sObjects)).not.toMatch(/c2VjcmV0LXZhbHVl|config-value/);
  });
});

const CONFIG = `version: 1
tenants:
  - { id: bank_alpha, name: A, tier: enterprise, frameworks: [pci-dss-4.0.1], environments: [prod], clusters: [aks-alpha] }
  - { id: bank, name: B, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
  - { id: credit_union, name: C, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
mapping: { shared_clusters: [aks-shared], namespaces: ["gc-{tenant}-*"], namespace_label: customer }
`;

describe('Kubernetes tenancy, stamped after collection', () => {
  it('dedicated cluster, then the namespace label, then the name pattern; the rest is the platform', async () => {
    const config = parseConfig(CONFIG, 'compline.yaml');
    const tenancy = tenantResolver(config);
    const row = (cluster: string, kind: string, namespace: string | null, name: string, labels = {}): K8sObjectRow => ({
      cluster,
      kind,
      namespace,
      name,
      uid: null,
      labels,
      annotations: {},
      spec: null,
      status: null,
      tenant_id: null,
    });
    const rows = [
      row('aks-alpha', 'ClusterRoleBinding', null, 'oncall-admin'),
      row('aks-alpha', 'Namespace', null, 'gc-credit-union-x', { customer: 'credit_union' }),
      row('aks-alpha', 'ServiceAccount', 'gc-credit-union-x', 'default'),
      // The label wins over the name; a label naming no tenant leaves the name to decide.
      row('aks-shared', 'Namespace', null, 'gc-bank-reports', { customer: 'credit_union' }),
      row('aks-shared', 'ServiceAccount', 'gc-bank-reports', 'default'),
      row('aks-shared', 'Namespace', null, 'gc-bank-alpha-batch', { customer: 'someone-else' }),
      row('aks-shared', 'ServiceAccount', 'gc-bank-alpha-batch', 'default'),
      // No Namespace object listed: the pattern still decides, longest tenant id first.
      row('aks-shared', 'ServiceAccount', 'gc-bank-prod', 'default'),
      row('aks-shared', 'ServiceAccount', 'kube-system', 'coredns'),
      row('aks-shared', 'ClusterRoleBinding', null, 'platform-breakglass'),
      row('aks-shared', 'Namespace', null, 'gc-credit_union-prod'),
    ];
    const store = await Store.open(':memory:');
    try {
      await store.beginRun({ runId: 'r1', mode: 'nightly', toolVersion: 't', configSha256: null });
      await store.appendK8sObjects('r1', rows);
      await store.stampK8sTenants(
        'r1',
        { cluster: (c) => tenancy.clusterTenant(c), namespace: (n, l) => tenancy.namespaceTenant(n, l) },
        config.mapping.namespace_label,
      );
      const owned = await store.read<{ o: string }>(
        `select cluster || ' ' || kind || ' ' || coalesce(namespace, '-') || ' ' || name || ' → ' || coalesce(tenant_id, '_platform') as o
         from main.k8s_objects order by all`,
      );
      expect(owned.map((r) => r.o)).toEqual([
        'aks-alpha ClusterRoleBinding - oncall-admin → bank_alpha',
        'aks-alpha Namespace - gc-credit-union-x → bank_alpha',
        'aks-alpha ServiceAccount gc-credit-union-x default → bank_alpha',
        'aks-shared ClusterRoleBinding - platform-breakglass → _platform',
        'aks-shared Namespace - gc-bank-alpha-batch → bank_alpha',
        'aks-shared Namespace - gc-bank-reports → credit_union',
        'aks-shared Namespace - gc-credit_union-prod → credit_union',
        'aks-shared ServiceAccount gc-bank-alpha-batch default → bank_alpha',
        'aks-shared ServiceAccount gc-bank-prod default → bank',
        'aks-shared ServiceAccount gc-bank-reports default → credit_union',
        'aks-shared ServiceAccount kube-system coredns → _platform',
      ]);
    } finally {
      store.close();
    }
  });

  it('in_cluster and a kubeconfig together are refused', () => {
    expect(() =>
      parseConfig(
        `${CONFIG}sources:\n  resource_graph: { mode: file, paths: [x] }\n  kubernetes: { mode: live, kubeconfig: k, in_cluster: { cluster: c } }\n`,
        'compline.yaml',
      ),
    ).toThrow('compline.yaml: sources.kubernetes.in_cluster: use either in_cluster or kubeconfig / contexts, not both');
  });
});
