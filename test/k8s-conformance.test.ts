// Conformance of the Kubernetes checks over real kubectl output (../shared/real/f_kubernetes), loaded as the
// kubernetes collector writes k8s_objects rows.
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { evaluate } from '../src/engine.js';
import type { Finding } from '../src/model.js';
import { loadCatalogue } from '../src/rules.js';
import { Store } from '../src/store.js';
import { FIXTURE_RUN, loadTables } from './support/fixture-store.js';
import { type K8sRow, k8sRows } from './support/k8s-rows.js';
import { itReal, REAL_DIR } from './support/real-data.js';

const catalogue = await loadCatalogue();
const real = (file: string) => `f_kubernetes/${file}`;
const CLUSTER = 'real';

/** Rows of real files, every object the tenant t1's, objects without a namespace in `namespace`. */
const rowsOf = (files: string[], namespace?: string): K8sRow[] =>
  files.flatMap((f) =>
    k8sRows(readFileSync(REAL_DIR + real(f), 'utf8'), {
      cluster: CLUSTER,
      ...(namespace ? { namespace } : {}),
      tenant: () => 't1',
    }),
  );

/** A Namespace row the real files lack, labelled as the test needs. */
const namespaceRow = (name: string, labels: Record<string, string>): K8sRow => ({
  cluster: CLUSTER,
  kind: 'Namespace',
  namespace: null,
  name,
  uid: null,
  labels,
  annotations: {},
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
  tenant_id: 't1',
});

/** One check's findings over the rows, by subject. */
async function findings(checkId: string, rows: K8sRow[]): Promise<Map<string, Finding>> {
  const store = await Store.open(':memory:');
  try {
    await store.beginRun({ runId: FIXTURE_RUN, mode: 'nightly', toolVersion: 'test', configSha256: null });
    await loadTables(store, { k8s_objects: rows as unknown as Record<string, unknown>[] });
    const { findings } = await evaluate(store, [catalogue.byId.get(checkId)!], {
      runId: FIXTURE_RUN,
      tenantIds: ['t1'],
      waivers: [],
      params: {},
      today: '2026-11-25',
    });
    return new Map(findings.map((f) => [f.resource_id, f]));
  } finally {
    store.close();
  }
}

const verdicts = (found: Map<string, Finding>) => Object.fromEntries([...found].map(([id, f]) => [id, f.status]));

describe('Kubernetes checks over real kubectl output', () => {
  itReal(
    [real('k9s_po_limitless.json')],
    'the pod whose logger sidecar has requests but no limits fails the limits check',
    async () => {
      const found = await findings('k8s-container-resources', rowsOf(['k9s_po_limitless.json']));
      expect(verdicts(found)).toEqual({ 'k8s://real/default/Pod/nginx': 'fail' });
      expect(found.get('k8s://real/default/Pod/nginx')?.reason).toBe('container logger lacks limits.cpu, limits.memory');
    },
  );

  itReal(
    [real('popeye_apps_dp_1.yaml')],
    'deployments: limits and requests pass, resources {} fails, a template without containers is an error',
    async () => {
      const found = await findings('k8s-container-resources', rowsOf(['popeye_apps_dp_1.yaml']));
      expect(verdicts(found)).toEqual({
        'k8s://real/default/Deployment/dp1': 'pass',
        'k8s://real/default/Deployment/dp2': 'fail',
        'k8s://real/default/Deployment/dp3': 'error',
      });
    },
  );

  itReal(
    [real('popeye_core_pod_2.yaml')],
    'in a namespace labelled production, pods running latest or untagged images fail the image check',
    async () => {
      const rows = [...rowsOf(['popeye_core_pod_2.yaml']), namespaceRow('default', { environment: 'production' })];
      const found = await findings('k8s-image-pinned', rows);
      expect(verdicts(found)).toEqual({
        // p1 and p2 have no containers at all
        'k8s://real/default/Pod/p1': 'error',
        'k8s://real/default/Pod/p2': 'error',
        'k8s://real/default/Pod/p3': 'pass',
        'k8s://real/default/Pod/p4': 'fail',
        // owned by a ReplicaSet that was not collected: judged itself
        'k8s://real/default/Pod/p5': 'pass',
      });
      expect(found.get('k8s://real/default/Pod/p4')?.reason).toBe(
        'latest or untagged image in a production namespace: container c1: blee (untagged), container c2: zorg:latest (latest), init container ic1: zorg (untagged)',
      );
    },
  );

  itReal([real('popeye_core_pod_2.yaml')], 'the same pods in a namespace labelled dev are not judged', async () => {
    const rows = [...rowsOf(['popeye_core_pod_2.yaml']), namespaceRow('default', { environment: 'dev' })];
    expect(verdicts(await findings('k8s-image-pinned', rows))).toEqual({});
  });

  itReal(
    [real('popeye_net_np_deny-all.yaml'), real('popeye_net_np_1.yaml')],
    'the deny-all NetworkPolicy gives its namespace a default deny; policies with allow rules do not',
    async () => {
      const rows = [
        ...rowsOf(['popeye_net_np_deny-all.yaml'], 'gc-bank-alpha-prod'),
        namespaceRow('gc-bank-alpha-prod', {}),
        ...rowsOf(['popeye_net_np_1.yaml']).map((r) => ({ ...r, namespace: r.namespace && 'gc-bank-alpha-dev' })),
        namespaceRow('gc-bank-alpha-dev', {}),
      ];
      const found = await findings('k8s-namespace-default-deny', rows);
      expect(verdicts(found)).toEqual({
        'k8s://real/Namespace/gc-bank-alpha-prod': 'pass',
        'k8s://real/Namespace/gc-bank-alpha-dev': 'fail',
      });
      expect(found.get('k8s://real/Namespace/gc-bank-alpha-prod')?.reason).toBe(
        'default deny: ingress by deny-all; egress by deny-all',
      );
    },
  );

  itReal([real('popeye_core_ns_1.yaml')], 'namespaces without customer and tier labels fail; default is exempt', async () => {
    expect(verdicts(await findings('k8s-namespace-labels', rowsOf(['popeye_core_ns_1.yaml'])))).toEqual({
      'k8s://real/Namespace/ns1': 'fail',
      'k8s://real/Namespace/ns2': 'fail',
    });
  });
});
