// Conformance over public recorded cost data (../shared/real/d_cost): the FinOps toolkit's EA actual-cost export and
// the FOCUS specification's examples go through the same loader as any export.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CostFileSource } from '../src/collectors/cost/file-source.js';
import { Store } from '../src/store.js';
import { costRows, ingestCosts } from './support/cost-ingest.js';
import { itReal, REAL_DIR } from './support/real-data.js';

const EA = 'd_cost/finopstoolkit_EA_ActualCost_Small.csv';
const SPEC = [
  'd_cost/focusspec_commitment_discount_usage_scenario_3.csv',
  'd_cost/focusspec_one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv',
  'd_cost/focusspec_zero_percent_utilization_without_commitment_discount_flexibility.csv',
];

let store: Store;
beforeAll(async () => {
  store = await Store.open(':memory:');
});
afterAll(() => store.close());

describe('cost conformance', () => {
  itReal([EA], 'maps the EA actual-cost export onto FOCUS: every row, the bill to the cent, tags, the purchase', async () => {
    const statuses = await ingestCosts(new CostFileSource([EA], REAL_DIR), store, 'ea');
    expect(statuses).toEqual([
      {
        source: 'cost',
        scope: `file:${EA}`,
        status: 'ok',
        error: null,
        rows: 11,
        reconciliation: 'no export manifest lists this file: rows counted as read, not reconciled',
      },
    ]);
    const [total] = await store.read<{ billed: string; effective: string; n: string }>(
      `select sum(BilledCost)::varchar as billed, sum(EffectiveCost)::varchar as effective, count(*)::varchar as n from costs`,
    );
    // Sum of the file's Cost column (8.5450077867419368), each row to six decimals as the table keeps it.
    expect(total).toEqual({ billed: '8.545008', effective: '8.545008', n: '11' });
    const rows = await costRows(
      store,
      'ea',
      `x_SourceRow, ChargeCategory, x_ChargeType, PricingCategory, CommitmentDiscountType, CommitmentDiscountId, BilledCost,
       strftime(ChargePeriodStart, '%Y-%m-%d') as day, strftime(ChargePeriodEnd, '%Y-%m-%d') as day_end,
       strftime(BillingPeriodEnd, '%Y-%m-%d') as period_end, Tags->>'CostCenter' as cost_center, Tags->>'org' as org,
       x_ResourceGroupName, SubAccountId, RegionId, ResourceType, ServiceName, ChargeFrequency, x_SourceFormat`,
    );
    expect(rows[0]).toEqual({
      x_SourceRow: '1',
      ChargeCategory: 'Purchase',
      x_ChargeType: 'Purchase',
      PricingCategory: 'Committed',
      CommitmentDiscountType: 'Reservation',
      CommitmentDiscountId: '/providers/Microsoft.Capacity/reservationOrders/49ed0e4d-8e0c-4f1f-af2c-67c865056615/reservations/',
      BilledCost: '3.250000',
      day: '2023-09-21',
      day_end: '2023-09-22',
      period_end: '2023-10-01',
      cost_center: null,
      org: null,
      x_ResourceGroupName: null,
      SubAccountId: '/subscriptions/1caaa5a3-2b66-438e-8ab4-bce37d518c5d',
      RegionId: 'uksouth',
      ResourceType: 'microsoft.capacity/reservationorders/reservations',
      ServiceName: 'Virtual Machines',
      ChargeFrequency: 'Recurring',
      x_SourceFormat: 'ea-actual',
    });
    // Tags inside the CSV (a JSON object without its braces) become a JSON object; an empty value stays empty.
    expect(rows.map((r) => r.cost_center)).toEqual([
      null,
      '1234',
      '1234',
      null,
      'SubACM',
      null,
      '1234',
      'SubACM',
      'SubACM',
      '1234',
      '1234',
    ]);
    expect(rows[7]).toMatchObject({ org: '', x_ResourceGroupName: 'COSTMANAGEMENT-REST-RG' });
    // Hybrid-benefit SQL databases cost nothing here and are kept as such, not dropped.
    const zero = await store.read<{ n: string }>(
      `select count(*)::varchar as n from costs where BilledCost = 0 and ResourceType = 'microsoft.sql/servers/databases'`,
    );
    expect(zero).toEqual([{ n: '2' }]);
  });

  itReal(SPEC, 'reads the FOCUS specification examples (no BillingCurrency column: the configured currency)', async () => {
    const refused = await ingestCosts(new CostFileSource([SPEC[0]!], REAL_DIR), store, 'spec-no-currency');
    expect(refused[0]).toMatchObject({
      status: 'partial',
      error: `${SPEC[0]}: row 0 (header): required column BillingCurrency missing`,
      rows: 0,
    });
    const statuses = await ingestCosts(new CostFileSource(SPEC, REAL_DIR, 'USD'), store, 'spec');
    expect(statuses.map((s) => [s.status, s.rows])).toEqual([
      ['ok', 2],
      ['ok', 3],
      ['ok', 3],
    ]);
    const rows = await costRows(
      store,
      'spec',
      `ChargeCategory, CommitmentDiscountStatus, BilledCost, EffectiveCost, ConsumedQuantity, BillingCurrency`,
    );
    // Scenario 3: an hour 75% used; the unused quarter is its own row with no consumed quantity ("null" in the file).
    expect(rows.slice(0, 2)).toEqual([
      {
        ChargeCategory: 'Usage',
        CommitmentDiscountStatus: 'Used',
        BilledCost: '0.000000',
        EffectiveCost: '0.750000',
        ConsumedQuantity: '1.000000',
        BillingCurrency: 'USD',
      },
      {
        ChargeCategory: 'Usage',
        CommitmentDiscountStatus: 'Unused',
        BilledCost: '0.000000',
        EffectiveCost: '0.250000',
        ConsumedQuantity: null,
        BillingCurrency: 'USD',
      },
    ]);
    // Every example: what was billed equals what was effectively spent over the hour (the commitment amortized).
    const sums = await store.read<{ file: string; billed: string; effective: string }>(
      `select x_SourceFile as file, sum(BilledCost)::varchar as billed, sum(EffectiveCost)::varchar as effective
       from costs group by 1 order by 1`,
    );
    expect(sums.map((s) => s.billed === s.effective || s.file.includes('scenario_3'))).toEqual([true, true, true]);
  });
});
