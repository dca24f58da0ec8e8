// The FinOps section of report.json: a tenant's own cost, allocation, savings and signals, nothing of another tenant's;
// the platform's unassigned and idle buckets; the published schema accepts it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFinops } from '../../src/finops/index.js';
import { type FinopsSection, readFinopsSections } from '../../src/reports/finops-section.js';
import { reportSchema } from '../../src/reports/report-schema.js';
import type { Store } from '../../src/store.js';
import { config, loadEstate, node, openStore, pod, RUN } from '../support/finops-store.js';

const P = '99999999-9999-4999-8999-999999999999';
const res = (rg: string, name: string) =>
  `/subscriptions/${P}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const CFG = config(`tenants:
  - { id: bank_a, name: Bank A, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod] }
  - { id: fin_b, name: Fin B, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
mapping: { shared_clusters: [aks-shared] }
finops: { allocation: { shared_clusters: { idle: platform } } }
`);

let store: Store;
let sections: Map<string | null, FinopsSection>;
beforeAll(async () => {
  store = await openStore();
  const ctx = await loadEstate(store, CFG, {
    costs: [
      { day: '2026-12-01', cost: 123.45, resource: res('rg-bank_a-prod', 'vm-alpha'), service: 'Virtual Machines' },
      { day: '2026-12-01', cost: 777.77, resource: res('rg-fin_b-prod', 'vm-secret-b'), service: 'Virtual Machines' },
      { day: '2026-12-02', cost: 100, resource: res('mc_rg_aks-shared_westeurope', 'vmss'), service: 'Virtual Machines' },
      { day: '2026-12-02', cost: 9.99, resource: res('rg-nobody', 'orphan-vm'), service: 'Storage' },
    ],
    k8s: [
      node('aks-shared', 'n1', '4', '16Gi'),
      pod('aks-shared', 'gc-bank-a-web', 'p1', 'bank_a', [{ cpu: '1', memory: '4Gi' }]),
      pod('aks-shared', 'gc-fin-b-payments', 'p2', 'fin_b', [{ cpu: '2', memory: '8Gi' }]),
    ],
    sources: [{ source: 'cost', scope: 'file:focus.csv', status: 'ok' }],
  });
  for (const [tenant, vm, savings] of [
    ['bank_a', 'vm-alpha', 40],
    ['fin_b', 'vm-secret-b', 333.33],
  ] as const)
    await store.exec(
      `insert into recommendations (run_id, tenant_id, rule_id, resource_id, action, monthly_savings, currency, confidence, reason)
       values ('${RUN}', '${tenant}', 'vm-resize', '${res(`rg-${tenant}-prod`, vm).toLowerCase()}', 'resize', ${savings}, 'EUR', 'high', 'p95 cpu 4%')`,
    );
  await runFinops(ctx);
  sections = await readFinopsSections(store, RUN, ['bank_a', 'fin_b']);
});
afterAll(() => store.close());

describe('report.json FinOps section', () => {
  it('gives a tenant its total, services, allocation with methods, its own savings and signals, complete', () => {
    const a = sections.get('bank_a')!;
    expect(a.status).toBe('complete');
    expect(a.period).toEqual({ from: '2026-12-01', to: '2026-12-02' });
    expect(a.totals).toEqual([
      {
        currency: 'EUR',
        total: 148.45,
        by_service: [{ service: 'Virtual Machines', amount: 148.45 }],
        by_day: [
          { day: '2026-12-01', amount: 123.45 },
          { day: '2026-12-02', amount: 25 },
        ],
        by_source: [
          { source: 'direct', method: 'resource-group', cluster: null, namespace: null, detail: null, amount: 123.45 },
          {
            source: 'shared-cluster',
            method: 'requests; cpu 65% / memory 35%; idle kept as platform idle',
            cluster: 'aks-shared',
            namespace: 'gc-bank-a-web',
            detail: null,
            amount: 25,
          },
        ],
      },
    ]);
    expect(a.recommendations.map((r) => [r.rule_id, r.monthly_savings])).toEqual([['vm-resize', 40]]);
    expect(a.signals.map((s) => [s.kind, s.status])).toEqual([['anomaly', 'insufficient_data']]);
    expect(reportSchema.shape.finops.safeParse(a).success).toBe(true);
  });

  it("never shows a tenant another tenant's resource ids, namespaces or amounts", () => {
    const text = JSON.stringify(sections.get('bank_a'));
    for (const leak of ['fin_b', 'vm-secret-b', 'gc-fin-b-payments', '777.77', '333.33', '50'])
      expect(text, leak).not.toContain(leak);
    expect(JSON.stringify(sections.get('fin_b'))).not.toMatch(/bank_a|vm-alpha|gc-bank-a|123\.45/);
  });

  it('shows the platform the unassigned and idle buckets', () => {
    const p = sections.get(null)!;
    expect(p.totals[0]!.by_source.map((s) => [s.source, s.method, s.amount])).toEqual([
      ['idle', 'requests; cpu 65% / memory 35%; idle kept as platform idle', 25],
      ['unassigned', 'no ownership rule matched', 9.99],
    ]);
  });

  it('says not_collected, never zero, when the run had no cost source', async () => {
    const empty = await openStore();
    await loadEstate(empty, CFG, {});
    const s = (await readFinopsSections(empty, RUN, ['bank_a'])).get('bank_a')!;
    empty.close();
    expect([s.status, s.reasons, s.totals]).toEqual(['not_collected', ['no cost source was collected'], []]);
  });
});
