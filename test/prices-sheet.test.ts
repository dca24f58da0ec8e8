// The bundled, dated price sheet: its shape, what it covers, the lookups over it, and loading it into the store.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import {
  DEFAULT_REGIONS,
  DISK_TIERS,
  inCatalogue,
  regionFilters,
  SQL_STANDARD_OBJECTIVES,
  VM_SIZES,
} from '../src/finops/prices/catalogue.js';
import { loadPrices } from '../src/finops/prices/load-prices.js';
import { HOURS_PER_MONTH, PriceLookup } from '../src/finops/prices/lookup.js';
import { BUNDLED_SHEET, loadSheet, type PriceSheet } from '../src/finops/prices/sheet.js';
import { validateSheet } from '../src/finops/prices/sheet-schema.js';
import { Store } from '../src/store.js';

let sheet: PriceSheet;
let lookup: PriceLookup;
beforeAll(async () => {
  sheet = await loadSheet();
  lookup = new PriceLookup(sheet);
});

const dir = mkdtempSync(join(tmpdir(), 'compline-sheet-'));

describe('the bundled price sheet', () => {
  it('is a dated Retail Prices API document that says it is a snapshot and how to refresh it', () => {
    const file = JSON.parse(readFileSync(BUNDLED_SHEET, 'utf8'));
    expect(validateSheet(file, BUNDLED_SHEET)).toBeTruthy();
    expect(file).toMatchObject({ BillingCurrency: 'USD', SheetDate: '2026-12-05', Origin: 'bundled', NextPageLink: null });
    expect(file.SourceUrl).toBe('https://prices.azure.com/api/retail/prices?api-version=2023-01-01-preview');
    expect(file.Note).toMatch(/snapshot.*compline prices refresh/s);
    expect(file.Count).toBe(file.Items.length);
    // The filters are the ones refresh would use for the same regions.
    expect(file.Filters).toEqual(DEFAULT_REGIONS.flatMap((r) => regionFilters(r)));
    expect(sheet).toMatchObject({ date: '2026-12-05', currency: 'USD', bundled: true });
  });

  it('holds only what refresh would keep', () => {
    expect(sheet.items.filter((i) => !inCatalogue(i))).toEqual([]);
  });

  it('prices every catalogue SKU in every region it covers', () => {
    const missing: string[] = [];
    const want = (what: string, found: unknown) => found || missing.push(what);
    for (const region of DEFAULT_REGIONS) {
      for (const size of VM_SIZES) {
        want(`${region} ${size} linux`, lookup.vm(region, size, 'linux'));
        want(`${region} ${size} windows`, lookup.vm(region, size, 'windows'));
      }
      for (const [type, tiers] of Object.entries(DISK_TIERS)) {
        for (const [tier] of tiers) want(`${region} ${tier}`, lookup.disk(region, type as keyof typeof DISK_TIERS, tier));
      }
      for (const sku of ['Hot LRS', 'Hot GRS', 'Cool LRS', 'Cool GRS']) want(`${region} ${sku}`, lookup.blobPerGb(region, sku));
      for (const tier of ['GP', 'BC'] as const)
        want(`${region} ${tier}`, lookup.sqlVcore(region, tier) && lookup.sqlStorage(region, tier));
      for (const objective of ['Basic', ...SQL_STANDARD_OBJECTIVES])
        want(`${region} ${objective}`, lookup.sqlDtu(region, objective));
      want(`${region} ip`, lookup.publicIp(region, 'Standard', 'Static'));
      want(`${region} aks`, lookup.aksTier(region, 'Standard'));
    }
    expect(missing).toEqual([]);
  });

  it('converts each unit to a month: hourly × 730, daily × 730/24, monthly as it is', () => {
    expect(HOURS_PER_MONTH).toBe(730);
    expect(lookup.vm('eastus', 'Standard_D2s_v5', 'linux')).toEqual({
      monthly: 0.096 * 730,
      unit_price: 0.096,
      unit: '1 Hour',
      meter: 'D2s v5',
      product: 'Virtual Machines Dsv5 Series',
    });
    expect(lookup.sqlDtu('eastus', 'S0')?.monthly).toBeCloseTo((0.4839 * 730) / 24, 6);
    expect(lookup.disk('eastus', 'Premium_LRS', 'P10')).toMatchObject({ monthly: 19.71, unit: '1/Month' });
    // Windows carries its licence; Spot is its own meter; a size the sheet lacks is null, never 0.
    expect(lookup.vm('eastus', 'Standard_D2s_v5', 'windows')!.monthly).toBeGreaterThan(
      lookup.vm('eastus', 'Standard_D2s_v5', 'linux')!.monthly,
    );
    expect(lookup.vm('eastus', 'standard_d2s_v5', 'linux', true)!.monthly).toBeLessThan(
      lookup.vm('eastus', 'Standard_D2s_v5', 'linux')!.monthly,
    );
    expect(lookup.vm('eastus', 'Standard_M128s', 'linux')).toBeNull();
    expect(lookup.vm('australiaeast', 'Standard_D2s_v5', 'linux')).toBeNull();
  });
});

describe('a sheet from elsewhere', () => {
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const valid = () => JSON.parse(readFileSync(BUNDLED_SHEET, 'utf8'));

  it('is refused with one line naming the file and what is wrong', async () => {
    const noDate = write('no-date.json', JSON.stringify({ ...valid(), SheetDate: '05/12/2026' }));
    await expect(loadSheet(noDate)).rejects.toThrow(`${noDate}: not a price sheet: SheetDate: Invalid ISO date`);
    const badItem = valid();
    badItem.Items[7].retailPrice = 'cheap';
    const bad = write('bad-item.json', JSON.stringify(badItem));
    await expect(loadSheet(bad)).rejects.toThrow(
      `${bad}: not a price sheet: Items[7].retailPrice: Invalid input: expected number, received string`,
    );
    const mixed = valid();
    mixed.Items[3].currencyCode = 'EUR';
    const mixedPath = write('mixed.json', JSON.stringify(mixed));
    await expect(loadSheet(mixedPath)).rejects.toThrow(`${mixedPath}: mixed currencies: EUR items in a USD sheet`);
    const cut = write('cut.json', readFileSync(BUNDLED_SHEET, 'utf8').slice(0, 5000));
    await expect(loadSheet(cut)).rejects.toThrow(new RegExp(`^${cut}: not JSON`));
    await expect(loadSheet(join(dir, 'absent.json'))).rejects.toThrow(
      `${join(dir, 'absent.json')}: cannot read the price sheet (no such file)`,
    );
  });
});

const BASE = {
  version: 1,
  tenants: [{ id: 't1', name: 'T1', tier: 'standard', frameworks: ['pci-dss-4.0.1'], environments: ['prod'] }],
};

describe('finops.prices and the prices table', () => {
  const context = async (prices?: string) => {
    const store = await Store.open(':memory:', { threads: 1 });
    const config = configSchema.parse({ ...BASE, ...(prices ? { finops: { prices } } : {}) });
    const lines: string[] = [];
    return {
      store,
      ctx: { store, runId: 'r1', config, baseDir: dir, today: '2026-12-05', log: (l: string) => lines.push(l) },
      lines,
    };
  };

  it('loads the bundled sheet into prices in one insert, dated, with reservation terms in price_type', async () => {
    const { store, ctx, lines } = await context();
    try {
      await loadPrices(ctx);
      await store.scopeToRun('r1');
      const [counts] = await store.read<{ n: number; dates: string[]; tenants: number }>(
        'select count(*)::integer as n, list(distinct sheet_date::varchar) as dates, count(tenant_id)::integer as tenants from prices',
      );
      expect(counts).toEqual({ n: sheet.items.length, dates: ['2026-12-05'], tenants: 0 });
      const types = await store.read<{ price_type: string }>('select distinct price_type from prices order by 1');
      expect(types.map((t) => t.price_type)).toEqual(['Consumption', 'Reservation 1 Year', 'Reservation 3 Years']);
      const [d2] = await store.read(
        `select retail_price, unit_of_measure, product_name from prices
         where arm_region_name = 'westeurope' and arm_sku_name = 'Standard_D2s_v5' and price_type = 'Consumption'
           and sku_name = 'D2s v5' and product_name not like '% Windows'`,
      );
      expect(d2).toEqual({ retail_price: 0.1152, unit_of_measure: '1 Hour', product_name: 'Virtual Machines Dsv5 Series' });
      // A sheet of the run's day is nothing to mention.
      expect(lines).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('reads finops.prices relative to the config, and a bad file stops the run with exit 2 naming it', async () => {
    const refreshed = { ...JSON.parse(readFileSync(BUNDLED_SHEET, 'utf8')), SheetDate: '2027-02-01', Origin: 'refreshed' };
    refreshed.Items = refreshed.Items.slice(0, 10);
    writeFileSync(join(dir, 'refreshed.json'), JSON.stringify(refreshed));
    const ok = await context('refreshed.json');
    try {
      await loadPrices(ok.ctx);
      await ok.store.scopeToRun('r1');
      expect(await ok.store.read('select count(*)::integer as n, any_value(sheet_date)::varchar as d from prices')).toEqual([
        { n: 10, d: '2027-02-01' },
      ]);
    } finally {
      ok.store.close();
    }
    const later = await context('refreshed.json');
    try {
      await loadPrices({ ...later.ctx, today: '2027-06-01' });
      expect(later.lines).toEqual([
        `warn: the price sheet is 120 days old (2027-02-01, ${join(dir, 'refreshed.json')}); compline prices refresh fetches current prices`,
      ]);
    } finally {
      later.store.close();
    }
    const bad = await context('missing.json');
    try {
      await expect(loadPrices(bad.ctx)).rejects.toMatchObject({
        exitCode: 2,
        message: `${join(dir, 'missing.json')}: cannot read the price sheet (no such file)`,
      });
      expect(await bad.store.read('select count(*)::integer as n from prices')).toEqual([{ n: 0 }]);
    } finally {
      bad.store.close();
    }
  });

  it('refuses finops.prices that is not a path', () => {
    expect(configSchema.safeParse({ ...BASE, finops: { prices: 'sheet.json' } }).success).toBe(true);
    expect(configSchema.safeParse({ ...BASE, finops: { prices: '' } }).success).toBe(false);
    expect(configSchema.safeParse({ ...BASE, finops: { prices: 3 } }).success).toBe(false);
  });
});
