// The allocation's promise over random estates: every day's allocations in each currency add up to its cost to the
// cent, every amount names its method, and only configured tenants (or the platform) receive any.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocate } from '../../src/finops/allocation/allocate.js';
import type { Store } from '../../src/store.js';
import { allocations, type CostRow, config, loadEstate, node, openStore, pod } from '../support/finops-store.js';

const TENANTS = ['ta', 'tb', 'tc', 'td'];
const SUBS = [
  '11111111-1111-4111-8111-11111111111a',
  '11111111-1111-4111-8111-11111111111b',
  '99999999-9999-4999-8999-999999999999',
];

/** Where a random cost row points: a tenant's tag, resource group or subscription, the shared cluster or service, nowhere. */
const target = fc.oneof(
  fc.record({ kind: fc.constant('tag'), tenant: fc.constantFrom(...TENANTS) }),
  fc.record({ kind: fc.constant('rg'), tenant: fc.constantFrom(...TENANTS) }),
  fc.record({ kind: fc.constant('sub'), tenant: fc.constantFrom('ta', 'tb') }),
  fc.record({ kind: fc.constantFrom('cluster', 'service', 'none', 'no-resource') }),
);

const costRowArb = fc.record({
  day: fc.constantFrom('2026-12-01', '2026-12-02', '2026-12-03'),
  micro: fc.oneof(fc.integer({ min: 0, max: 50_000_000 }), fc.integer({ min: -2_000_000, max: 0 })),
  currency: fc.constantFrom('EUR', 'EUR', 'USD'),
  target,
  n: fc.nat(5),
});

const split = fc.oneof(
  fc.constantFrom('even', 'proportional'),
  fc.dictionary(fc.constantFrom(...TENANTS), fc.integer({ min: 1, max: 5 }), { minKeys: 1 }).map((weights) => ({ weights })),
);

const settings = fc.record({
  method: fc.constantFrom('requests', 'usage', 'max'),
  idle: fc.constantFrom('share', 'platform'),
  cpu_share: fc.double({ min: 0, max: 1, noNaN: true }),
  nsSplit: split,
  svcSplit: split,
  nodes: fc.boolean(),
  pods: fc.array(
    fc.record({
      ns: fc.constantFrom('gc-ta-a', 'gc-tb-a', 'gc-tc-x', 'kube-system', 'default'),
      cpu: fc.nat(4000),
      mem: fc.nat(8000),
    }),
    { maxLength: 6 },
  ),
  usage: fc.array(fc.record({ ns: fc.constantFrom('gc-ta-a', 'gc-tb-a', 'monitoring'), cpu: fc.nat(4000), mem: fc.nat(8000) }), {
    maxLength: 3,
  }),
});

function resourceOf(t: { kind: string; tenant?: string }, i: number): Partial<CostRow> {
  const p = SUBS[2];
  switch (t.kind) {
    case 'tag':
      return {
        resource: `/subscriptions/${p}/resourceGroups/rg-p/providers/Microsoft.Compute/disks/d${i}`,
        tags: { CustomerID: t.tenant! },
      };
    case 'rg':
      return { resource: `/subscriptions/${p}/resourceGroups/rg-${t.tenant}-prod/providers/Microsoft.Compute/disks/d${i}` };
    case 'sub':
      return {
        resource: `/subscriptions/${SUBS[t.tenant === 'ta' ? 0 : 1]}/resourceGroups/rg-x/providers/Microsoft.Compute/disks/d${i}`,
      };
    case 'cluster':
      return {
        resource: `/subscriptions/${p}/resourceGroups/MC_rg-p_aks-shared_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/vmss${i % 2}`,
      };
    case 'service':
      return {
        resource: `/subscriptions/${p}/resourceGroups/rg-p/providers/Microsoft.OperationalInsights/workspaces/law-shared`,
      };
    case 'none':
      return { resource: `/subscriptions/${p}/resourceGroups/rg-p/providers/Microsoft.Network/publicIPAddresses/pip${i}` };
    default:
      return { resource: null, subscription: null };
  }
}

const yamlOf = (s: unknown) => JSON.stringify(s);

// One store for every sample, a run each: allocation reads and writes one run's rows only.
let store: Store;
let runs = 0;
beforeAll(async () => {
  store = await openStore();
});
afterAll(() => store.close());

describe('allocation invariant', () => {
  it('sums to the cost of every day and currency, to the cent, whatever the estate and settings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(costRowArb, { minLength: 1, maxLength: 40 }), settings, async (rows, s) => {
        const cfg = config(`tenants:
${TENANTS.map((t, i) => `  - { id: ${t}, name: ${t}, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod]${i < 2 ? `, subscriptions: [${SUBS[i]}]` : ''} }`).join('\n')}
mapping: { shared_clusters: [aks-shared] }
finops:
  allocation:
    shared_clusters: { method: ${s.method}, idle: ${s.idle}, cpu_share: ${s.cpu_share}, shared_namespaces: { split: ${yamlOf(s.nsSplit)} } }
    shared_services: [{ name: log-analytics, resources: ['*/workspaces/law-shared'], split: ${yamlOf(s.svcSplit)} }]
`);
        const costs = rows.map((r, i) => ({
          day: r.day,
          cost: r.micro / 1e6,
          currency: r.currency,
          ...resourceOf(r.target, r.n + i),
        }));
        const tenantOf = (ns: string) => /^gc-(t[a-d])-/.exec(ns)?.[1] ?? null;
        const runId = `run-${++runs}`;
        {
          const ctx = await loadEstate(store, cfg, {
            runId,
            costs,
            k8s: [
              ...(s.nodes ? [node('aks-shared', 'n1', '4', '8Ki')] : []),
              ...s.pods.map((p, i) =>
                pod('aks-shared', p.ns, `p${i}`, tenantOf(p.ns), [{ cpu: `${p.cpu}m`, memory: `${p.mem}` }]),
              ),
            ],
            usage: s.usage.map((u, i) => ({
              cluster: 'aks-shared',
              namespace: u.ns,
              pod: `u${i}`,
              container: 'c',
              cpu_avg_mcores: u.cpu,
              mem_avg_bytes: u.mem,
            })),
          });
          await allocate(ctx);
          const got = await allocations(store, runId);
          const expected = new Map<string, bigint>();
          for (const r of rows) {
            const k = `${r.day} ${r.currency}`;
            expected.set(k, (expected.get(k) ?? 0n) + BigInt(r.micro));
          }
          const cents = new Map<string, bigint>();
          for (const a of got) {
            const k = `${a.day} ${a.currency}`;
            cents.set(k, (cents.get(k) ?? 0n) + BigInt(Math.round(a.amount * 100)));
            expect(a.method).toMatch(/\S/);
            expect(a.tenant_id === null || TENANTS.includes(a.tenant_id)).toBe(true);
            expect(a.tenant_id === null).toBe(['idle', 'unassigned'].includes(a.source));
          }
          // Half away from zero, as DuckDB rounds a decimal.
          const round = (micro: bigint) => (micro < 0n ? -((-micro + 5000n) / 10000n) : (micro + 5000n) / 10000n);
          expect(Object.fromEntries(cents)).toEqual(Object.fromEntries([...expected].map(([k, v]) => [k, round(v)])));
        }
      }),
      { numRuns: 15, seed: 20261205 },
    );
  }, 60_000);
});
