// The bundled Azure region table (src/checks/regions.sql) the residency checks read: well formed, every pair a known
// region, and the tenant residency it derives from tenants.regions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedMacros } from '../src/rules.js';
import { Store } from '../src/store.js';

let store: Store;
beforeAll(async () => {
  store = await Store.open(':memory:');
  await store.beginRun({ runId: 'r', mode: 'nightly', toolVersion: 'test', configSha256: null });
  await store.scopeToRun('r');
  await store.defineOnReaders(sharedMacros());
});
afterAll(() => store.close());

describe('region table', () => {
  it('names each region once, in ARM spelling, with a geography', async () => {
    const rows = await store.read<{ region: string; geography: string | null }>('select region, geography from azure_regions()');
    expect(rows.length).toBeGreaterThanOrEqual(50);
    const names = rows.map((r) => r.region);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const r of rows) {
      expect(r.region).toMatch(/^[a-z0-9]+$/);
      expect(r.geography, r.region).toEqual(expect.any(String));
    }
  });

  it('pairs every paired region with a region of the table, never itself', async () => {
    const orphans = await store.read<{ region: string }>(
      `select r.region from azure_regions() r left join azure_regions() p on p.region = r.pair
       where r.pair is not null and (p.region is null or r.pair = r.region)`,
    );
    expect(orphans).toEqual([]);
  });

  it('holds the documented pairs the residency checks turn on', async () => {
    const rows = await store.read<{ region: string; geography: string; pair: string | null }>(
      `select region, geography, pair from azure_regions()
       where region in ('westeurope', 'northeurope', 'eastus', 'westus3', 'brazilsouth', 'germanywestcentral', 'polandcentral')
       order by region`,
    );
    expect(rows).toEqual([
      { region: 'brazilsouth', geography: 'Brazil', pair: 'southcentralus' },
      { region: 'eastus', geography: 'United States', pair: 'westus' },
      { region: 'germanywestcentral', geography: 'Germany', pair: 'germanynorth' },
      { region: 'northeurope', geography: 'Europe', pair: 'westeurope' },
      { region: 'polandcentral', geography: 'Poland', pair: null },
      { region: 'westeurope', geography: 'Europe', pair: 'northeurope' },
      { region: 'westus3', geography: 'United States', pair: 'eastus' },
    ]);
  });
});

describe('tenant residency', () => {
  it('normalises configured regions and derives their geographies; unknown regions are listed, no regions stay empty', async () => {
    await store.exec(`insert into tenants values
      ('r', 'a', 'A', 'premium', ['gdpr'], ['prod'], ['West Europe', 'northeurope', 'Atlantis']),
      ('r', 'b', 'B', 'standard', ['gdpr'], ['prod'], []),
      ('r', 'c', 'C', 'standard', ['gdpr'], ['prod'], null)`);
    const rows = await store.read(
      `select tenant_id, list_sort(regions) as regions, geographies, unknown_regions from tenant_residency() order by tenant_id`,
    );
    expect(rows).toEqual([
      {
        tenant_id: 'a',
        regions: ['atlantis', 'northeurope', 'westeurope'],
        geographies: ['Europe'],
        unknown_regions: ['atlantis'],
      },
      { tenant_id: 'b', regions: [], geographies: [], unknown_regions: [] },
      { tenant_id: 'c', regions: [], geographies: [], unknown_regions: [] },
    ]);
  });
});
