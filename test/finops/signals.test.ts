// Anomaly and budget signals over allocations in a real DuckDB store.
import { afterEach, describe, expect, it } from 'vitest';
import { alertDigest, digestTitle } from '../../src/alerts/alert-digest.js';
import { allocate } from '../../src/finops/allocation/allocate.js';
import { computeSignals, robustZ } from '../../src/finops/signals/signals.js';
import { readFinopsSections } from '../../src/reports/finops-section.js';
import type { TenantReport } from '../../src/reports/tenant-report.js';
import type { Store } from '../../src/store.js';
import { type CostRow, config, type Estate, loadEstate, openStore } from '../support/finops-store.js';

const CFG = config(`tenants:
  - { id: bank_a, name: Bank A, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod] }
  - { id: fin_b, name: Fin B, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod] }
finops: { signals: { budgets: { bank_a: { monthly: 1000, currency: EUR } }, forecast_trailing_days: 7 } }
`);
const disk = (tenant: string) =>
  `/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-${tenant}-prod/providers/Microsoft.Compute/disks/d`;
const day = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 86_400_000).toISOString().slice(0, 10);

let store: Store;
afterEach(() => store?.close());

async function signals(costs: CostRow[], sources: Estate['sources'] = []) {
  store = await openStore();
  const ctx = await loadEstate(store, CFG, { costs, sources });
  await allocate(ctx);
  await computeSignals(ctx);
  return store.query<{ tenant_id: string; kind: string; day: string; status: string; amount: number; reason: string }>(
    `select tenant_id, kind, strftime(day, '%Y-%m-%d') as day, status, amount::double as amount, reason from finops_signals order by all`,
  );
}

describe('cost anomaly', () => {
  it('flags a day far from the median of the previous 30, and not an ordinary one', async () => {
    // bank_a: 40 days around 20 (19, 20, 21 repeating), then 95. fin_b: the same pattern with an ordinary last day.
    const costs: CostRow[] = [];
    for (let i = 0; i < 41; i++) {
      costs.push({ day: day(i), cost: i === 40 ? 95 : 19 + (i % 3), resource: disk('bank_a') });
      costs.push({ day: day(i), cost: 19 + (i % 3), resource: disk('fin_b') });
    }
    const rows = await signals(costs);
    const a = rows.find((r) => r.tenant_id === 'bank_a' && r.kind === 'anomaly')!;
    expect([a.day, a.status, a.amount]).toEqual(['2026-12-11', 'alert', 95]);
    expect(a.reason).toMatch(/above the median 20 of 30 days \(robust z 50\.6, threshold 3\.5\)/);
    expect(rows.find((r) => r.tenant_id === 'fin_b' && r.kind === 'anomaly')!.status).toBe('ok');
  });

  it('gives no anomaly signal on too little history, and says so', async () => {
    const costs = [0, 1, 2].map((i) => ({ day: day(i), cost: 10 + i * 50, resource: disk('bank_a') }));
    const a = (await signals(costs)).find((r) => r.tenant_id === 'bank_a' && r.kind === 'anomaly')!;
    expect([a.status, a.reason]).toEqual([
      'insufficient_data',
      '2 days of cost history in the 30 before 2026-11-03; 14 needed: no anomaly signal',
    ]);
  });

  it('falls back to the mean absolute deviation when over half the days are equal', () => {
    expect(robustZ(10, [10, 10, 10, 12]).z).toBe(0);
    expect(robustZ(20, [10, 10, 10, 10]).z).toBeNull();
    expect(robustZ(14, [10, 10, 10, 12]).z).toBeCloseTo(4 / (1.253314 * 0.5));
  });
});

describe('budget forecast', () => {
  it('forecasts month to date + trailing average × days left and flags a breach', async () => {
    // November 2026, days 1-20 at 40 a day: 800 so far + 40 × 10 days left = 1200 > 1000.
    const costs = Array.from({ length: 20 }, (_, i) => ({ day: day(i), cost: 40, resource: disk('bank_a') }));
    const b = (await signals(costs)).find((r) => r.kind === 'budget')!;
    expect([b.tenant_id, b.day, b.status, b.amount]).toEqual(['bank_a', '2026-11-20', 'alert', 1200]);
    expect(b.reason).toBe(
      '2026-11 forecast EUR 1200 (month to date 800 + 40 a day × 10 days left) against a budget of 1000: forecast over budget',
    );
  });

  it('never says a budget is safe when the cost data is incomplete', async () => {
    const costs = Array.from({ length: 5 }, (_, i) => ({ day: day(i), cost: 1, resource: disk('bank_a') }));
    const partial = [{ source: 'cost', scope: 'file:export.csv', status: 'partial' as const, error: 'row 9: NaN' }];
    const b = (await signals(costs, partial)).find((r) => r.kind === 'budget')!;
    expect(b.status).toBe('insufficient_data');
    expect(b.reason).toMatch(/but the allocation is incomplete: cost partial for file:export.csv: row 9: NaN$/);
  });
});

describe('signals for alerts', () => {
  it('marks an alert new once: the next run judging the same day does not raise it again, and the digest carries it', async () => {
    const costs: CostRow[] = [];
    for (let i = 0; i < 31; i++) costs.push({ day: day(i), cost: i === 30 ? 95 : 19 + (i % 3), resource: disk('bank_a') });
    store = await openStore();
    const news: boolean[] = [];
    for (const runId of ['night-1', 'night-2']) {
      const ctx = await loadEstate(store, CFG, { costs, runId });
      await allocate(ctx);
      await computeSignals(ctx);
      await store.finishRun(runId, 'ok');
      const [s] = await store.query<{ new: boolean }>(
        `select new from finops_signals where run_id = '${runId}' and tenant_id = 'bank_a' and kind = 'anomaly' and status = 'alert'`,
      );
      news.push(s!.new);
    }
    expect(news).toEqual([true, false]);
    const first = (await readFinopsSections(store, 'night-1', ['bank_a'])).get('bank_a')!;
    const report = {
      tenant: { id: 'bank_a', name: 'Bank A' },
      run: { run_id: 'night-1', status: 'ok', started_at: '' },
      findings: [],
      delta: { new: [], regressed: [] },
      waivers: { expired: [] },
      sources: [],
      finops: first,
    };
    const digest = alertDigest(report as unknown as TenantReport, null, new Set(), 'high')!;
    expect(digest.cost_signals.map((s) => [s.kind, s.day])).toEqual([
      ['anomaly', '2026-12-01'],
      ['budget', '2026-12-01'],
    ]);
    expect(digestTitle(digest)).toBe('[Compline] Bank A: 1 cost anomaly, budget forecast breach');
  });
});
