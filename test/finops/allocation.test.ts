// Allocation examples: one per rule and method, each over a real DuckDB store.
import { afterEach, describe, expect, it } from 'vitest';
import { allocate } from '../../src/finops/allocation/allocate.js';
import type { Store } from '../../src/store.js';
import { allocations, config, loadEstate, node, openStore, pod, sumBy } from '../support/finops-store.js';

const SUB_A = '11111111-1111-4111-8111-111111111111';
const SUB_P = '99999999-9999-4999-8999-999999999999';
const TENANTS = `tenants:
  - { id: bank_a, name: Bank A, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_A}] }
  - { id: fin_b, name: Fin B, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
mapping: { shared_clusters: [aks-shared] }
`;
const rid = (sub: string, rg: string, type: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;

let store: Store;
afterEach(() => store?.close());

describe('direct allocation', () => {
  it('follows the ownership rules in order: tag, inventory, resource group, subscription; the rest is unassigned', async () => {
    store = await openStore();
    const cfg = config(TENANTS);
    const ctx = await loadEstate(store, cfg, {
      costs: [
        // Tag wins over the subscription bank_a owns.
        {
          day: '2026-12-01',
          cost: 10,
          resource: rid(SUB_A, 'rg-x', 'Microsoft.Compute/disks', 'd1'),
          subscription: SUB_A,
          tags: { customerid: 'FIN_B' },
        },
        {
          day: '2026-12-01',
          cost: 5,
          resource: rid(SUB_P, 'rg-fin_b-prod', 'Microsoft.Compute/disks', 'd2'),
          subscription: SUB_P,
        },
        { day: '2026-12-01', cost: 2.5, resource: rid(SUB_A, 'rg-any', 'Microsoft.Compute/disks', 'd3'), subscription: SUB_A },
        {
          day: '2026-12-01',
          cost: 1.25,
          resource: rid(SUB_P, 'rg-platform', 'Microsoft.Network/publicIPAddresses', 'pip'),
          subscription: SUB_P,
        },
        {
          day: '2026-12-01',
          cost: 4,
          resource: rid(SUB_P, 'rg-other', 'Microsoft.Storage/storageAccounts', 'sa'),
          subscription: SUB_P,
        },
      ],
      // The inventory says who owns sa (its tenant as the audit stamped it).
      resources: [
        {
          id: rid(SUB_P, 'rg-other', 'Microsoft.Storage/storageAccounts', 'sa').toLowerCase(),
          type: 'microsoft.storage/storageaccounts',
          tenant_id: 'bank_a',
        },
      ],
    });
    await allocate(ctx);
    const rows = await allocations(store);
    expect(rows.map((r) => [r.tenant_id, r.source, r.method, r.amount])).toEqual([
      ['bank_a', 'direct', 'subscription', 2.5],
      ['bank_a', 'direct', 'inventory', 4],
      ['fin_b', 'direct', 'resource-group', 5],
      ['fin_b', 'direct', 'tag', 10],
      [null, 'unassigned', 'no ownership rule matched', 1.25],
    ]);
  });
});

describe('shared cluster', () => {
  const cluster = (sub: string) =>
    rid(sub, 'mc_rg-platform_aks-shared_westeurope', 'Microsoft.Compute/virtualMachineScaleSets', 'aks-pool-vmss');
  const k8s = [
    node('aks-shared', 'n1', '4', '16Gi'),
    pod('aks-shared', 'gc-bank-a-web', 'p1', 'bank_a', [{ cpu: '1', memory: '4Gi' }]),
    pod('aks-shared', 'gc-fin-b-api', 'p2', 'fin_b', [
      { cpu: '500m', memory: '2Gi' },
      { cpu: '500m', memory: '2Gi' },
    ]),
    pod('aks-shared', 'kube-system', 'coredns', null, [{ cpu: '1', memory: '4Gi' }]),
    pod('aks-shared', 'default', 'stray', null, [{ cpu: '0', memory: '0' }]),
  ];

  it('splits by requests, cpu and memory by the ratio, idle kept for the platform, kube-system spread in proportion', async () => {
    store = await openStore();
    const cfg = config(`${TENANTS}finops: { allocation: { shared_clusters: { idle: platform, cpu_share: 0.5 } } }\n`);
    const ctx = await loadEstate(store, cfg, {
      costs: [{ day: '2026-12-01', cost: 100, resource: cluster(SUB_P), subscription: SUB_P }],
      k8s,
    });
    await allocate(ctx);
    const rows = await allocations(store);
    // Each namespace requests a quarter of the node's CPU and memory: 25 each; the idle quarter stays with the platform.
    expect(rows.map((r) => [r.tenant_id, r.source, r.namespace, r.amount])).toEqual([
      ['bank_a', 'shared-cluster', 'gc-bank-a-web', 25],
      ['bank_a', 'shared-namespace', 'kube-system', 12.5],
      ['fin_b', 'shared-cluster', 'gc-fin-b-api', 25],
      ['fin_b', 'shared-namespace', 'kube-system', 12.5],
      [null, 'idle', null, 25],
    ]);
    expect(rows[0]!.method).toBe('requests; cpu 50% / memory 50%; idle kept as platform idle');
    expect(rows[0]!.cluster).toBe('aks-shared');
  });

  it('shares idle in proportion by default', async () => {
    store = await openStore();
    const cfg = config(TENANTS);
    const ctx = await loadEstate(store, cfg, { costs: [{ day: '2026-12-01', cost: 90, resource: cluster(SUB_P) }], k8s });
    await allocate(ctx);
    expect(
      sumBy(
        await allocations(store),
        (r) => `${r.tenant_id}`,
        (r) => r.amount,
      ),
    ).toEqual({ bank_a: 45, fin_b: 45 });
  });

  it('usage and max methods read container usage; max charges a bursting namespace both its request and its burst', async () => {
    const usage = [
      {
        cluster: 'aks-shared',
        namespace: 'gc-bank-a-web',
        pod: 'p1',
        container: 'c0',
        cpu_avg_mcores: 3000,
        mem_avg_bytes: 4 * 2 ** 30,
      },
      {
        cluster: 'aks-shared',
        namespace: 'gc-fin-b-api',
        pod: 'p2',
        container: 'c0',
        cpu_avg_mcores: 100,
        mem_avg_bytes: 2 ** 30,
      },
      {
        cluster: 'aks-shared',
        namespace: 'gc-fin-b-api',
        pod: 'p2',
        container: 'c1',
        cpu_avg_mcores: 100,
        mem_avg_bytes: 2 ** 30,
      },
    ];
    const byMethod: Record<string, Record<string, number>> = {};
    for (const method of ['usage', 'max']) {
      store = await openStore();
      const cfg = config(
        `${TENANTS}finops: { allocation: { shared_clusters: { method: ${method}, idle: platform, cpu_share: 1, shared_namespaces: { names: [] } } } }\n`,
      );
      const ctx = await loadEstate(store, cfg, {
        costs: [{ day: '2026-12-01', cost: 100, resource: cluster(SUB_P) }],
        k8s: [node('aks-shared', 'n1', '8', '16Gi'), ...k8s.slice(1, 3)],
        usage,
      });
      await allocate(ctx);
      byMethod[method] = sumBy(
        await allocations(store),
        (r) => `${r.tenant_id}/${r.source}`,
        (r) => r.amount,
      );
      store.close();
    }
    // usage: 3 and 0.2 of 8 cores. max: bank_a max(1, 3) = 3, fin_b max(0.5, 0.1) × 2 = 1.
    expect(byMethod.usage).toEqual({ 'bank_a/shared-cluster': 37.5, 'fin_b/shared-cluster': 2.5, 'null/idle': 60 });
    expect(byMethod.max).toEqual({ 'bank_a/shared-cluster': 37.5, 'fin_b/shared-cluster': 12.5, 'null/idle': 50 });
  });
});

describe('shared services and completeness', () => {
  const law = rid(SUB_P, 'rg-platform', 'Microsoft.OperationalInsights/workspaces', 'law-shared');

  it('splits a shared service by weights, evenly, or in proportion to each tenant direct cost that day', async () => {
    const out: Record<string, Record<string, number>> = {};
    for (const split of ['{ weights: { bank_a: 3, fin_b: 1 } }', 'even', 'proportional']) {
      store = await openStore();
      const cfg = config(
        `${TENANTS}finops: { allocation: { shared_services: [{ name: law, resources: ['/subscriptions/*/workspaces/law-shared'], split: ${split} }] } }\n`,
      );
      const ctx = await loadEstate(store, cfg, {
        costs: [
          { day: '2026-12-01', cost: 10, resource: law, service: 'Log Analytics' },
          { day: '2026-12-01', cost: 90, resource: rid(SUB_A, 'rg-a', 'Microsoft.Compute/disks', 'd'), subscription: SUB_A },
          { day: '2026-12-01', cost: 10, resource: rid(SUB_P, 'rg-fin_b-prod', 'Microsoft.Compute/disks', 'd') },
        ],
      });
      await allocate(ctx);
      const rows = (await allocations(store)).filter((r) => r.source === 'shared-service');
      expect(rows.every((r) => r.detail === 'law' && r.service === 'Log Analytics')).toBe(true);
      out[split] = sumBy(
        rows,
        (r) => `${r.tenant_id}`,
        (r) => r.amount,
      );
      store.close();
    }
    expect(Object.values(out)).toEqual([
      { bank_a: 7.5, fin_b: 2.5 },
      { bank_a: 5, fin_b: 5 },
      { bank_a: 9, fin_b: 1 },
    ]);
  });

  it('marks the allocation incomplete when a cost scope is partial or a shared cluster has no Kubernetes data', async () => {
    store = await openStore();
    const ctx = await loadEstate(store, config(TENANTS), {
      costs: [
        {
          day: '2026-12-01',
          cost: 30,
          resource: rid(SUB_P, 'mc_rg_aks-shared_westeurope', 'Microsoft.Compute/virtualMachineScaleSets', 'v'),
        },
      ],
      sources: [
        { source: 'cost', scope: `subscription:${SUB_A}`, status: 'partial', error: 'page 3 failed', tenant_id: 'bank_a' },
        { source: 'cost', scope: `subscription:${SUB_P}`, status: 'ok' },
      ],
    });
    await allocate(ctx);
    // Unsplit, the cluster's cost stays whole in the platform's unassigned bucket.
    expect((await allocations(store)).map((r) => [r.tenant_id, r.source, r.method, r.amount])).toEqual([
      [null, 'unassigned', 'unsplit: no Kubernetes objects', 30],
    ]);
    const gaps = await store.query<{ tenant_id: string | null; reason: string }>(
      'select tenant_id, reason from allocation_gaps order by tenant_id nulls first, reason',
    );
    const partial = `cost partial for subscription:${SUB_A}: page 3 failed`;
    const unsplit = 'shared cluster aks-shared has cost but no Kubernetes objects were collected; its cost is unassigned';
    expect(gaps).toEqual([
      { tenant_id: null, reason: partial },
      { tenant_id: null, reason: unsplit },
      { tenant_id: 'bank_a', reason: partial },
      { tenant_id: 'bank_a', reason: unsplit },
      { tenant_id: 'fin_b', reason: unsplit },
    ]);
  });
});

describe('finops config', () => {
  it('refuses weights and budgets naming tenants the config does not declare, one line each', () => {
    expect(() =>
      config(`${TENANTS}finops:
  allocation: { shared_services: [{ name: fw, resources: ['*/azurefirewalls/*'], split: { weights: { bank_a: 1, bank_z: 2 } } }] }
  signals: { budgets: { fin_c: { monthly: 10, currency: EUR } } }
`),
    ).toThrow(
      'compline.yaml: finops.allocation.shared_services[0].split.weights.bank_z: no tenant bank_z\ncompline.yaml: finops.signals.budgets.fin_c: no tenant fin_c',
    );
  });
});
