// `compline prices refresh` against a local HTTPS server playing the Azure Retail Prices API: its paging, its
// throttling, its errors, and a sheet that is either written whole or not at all.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSheet } from '../src/finops/prices/sheet.js';
import { testTlsDir } from './support/azure-tls.js';
import { complineAsync } from './support/cli.js';
import { buildPlan } from './support/plan-builder.js';

interface Call {
  filter: string;
  skip: number;
  at: number;
}

const base = {
  currencyCode: 'USD',
  tierMinimumUnits: 0,
  location: 'EU West',
  effectiveStartDate: '2025-10-01T00:00:00Z',
  productId: 'DZH318Z0BQ4L',
  serviceId: 'DZH313Z7MMC8',
  isPrimaryMeterRegion: true,
};
const vm = (region: string, extra: Record<string, unknown>) => ({
  ...base,
  armRegionName: region,
  serviceName: 'Virtual Machines',
  serviceFamily: 'Compute',
  armSkuName: 'Standard_D2s_v5',
  skuName: 'D2s v5',
  meterName: 'D2s v5',
  productName: 'Virtual Machines Dsv5 Series',
  unitOfMeasure: '1 Hour',
  type: 'Consumption',
  meterId: 'm-1',
  skuId: 'DZH318Z0BQ4L/00T7',
  ...extra,
});

/** What the API holds per region and service: VMs over three pages, with meters the sheet must leave out. */
function itemsFor(filter: string): Record<string, unknown>[] {
  const region = /armRegionName eq '([a-z0-9]+)'/.exec(filter)?.[1] ?? '';
  if (region === 'atlantis') return [];
  if (filter.startsWith("serviceName eq 'Virtual Machines'")) {
    return [
      vm(region, { retailPrice: 0.115, unitPrice: 0.115, savingsPlan: [{ unitPrice: 0.08, term: '1 Year' }] }),
      vm(region, { productName: 'Virtual Machines Dsv5 Series Windows', retailPrice: 0.207, unitPrice: 0.207, meterId: 'm-2' }),
      vm(region, { skuName: 'D2s v5 Low Priority', meterName: 'D2s v5 Low Priority', retailPrice: 0.023, unitPrice: 0.023 }),
      vm(region, { type: 'DevTestConsumption', retailPrice: 0.1, unitPrice: 0.1 }),
      vm(region, { skuName: 'D2s v5 Spot', meterName: 'D2s v5 Spot', retailPrice: 0.021, unitPrice: 0.021 }),
    ];
  }
  if (filter.startsWith("serviceName eq 'Storage'")) {
    const disk = { ...base, armRegionName: region, serviceName: 'Storage', serviceFamily: 'Storage', armSkuName: '' };
    return [
      {
        ...disk,
        productName: 'Premium SSD Managed Disks',
        skuName: 'P10 LRS',
        meterName: 'P10 LRS Disk',
        unitOfMeasure: '1/Month',
        retailPrice: 21.68,
        unitPrice: 21.68,
        type: 'Consumption',
        meterId: 'd-1',
        skuId: 'x/1',
      },
      {
        ...disk,
        productName: 'Premium SSD Managed Disks',
        skuName: 'P10 LRS',
        meterName: 'P10 LRS Disk Mount',
        unitOfMeasure: '1/Month',
        retailPrice: 1,
        unitPrice: 1,
        type: 'Consumption',
        meterId: 'd-2',
        skuId: 'x/2',
      },
    ];
  }
  return [];
}

const PAGE = 2;
let server: Server;
let endpoint: string;
const calls: Call[] = [];
/** How the server misbehaves for the test under way. */
let mode: 'ok' | 'throttle-once' | 'fail' | 'foreign-next' = 'ok';
let throttled = false;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', endpoint);
  const filter = url.searchParams.get('$filter') ?? '';
  const skip = Number(url.searchParams.get('$skip') ?? 0);
  calls.push({ filter, skip, at: Date.now() });
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (url.searchParams.get('api-version') !== '2023-01-01-preview') {
    json(400, { error: 'api-version' });
    return;
  }
  if (mode === 'fail') {
    json(503, { Error: { Code: 'ServiceUnavailable', Message: 'try later' } });
    return;
  }
  if (mode === 'throttle-once' && !throttled) {
    throttled = true;
    json(429, { Error: { Code: 'TooManyRequests' } }, { 'retry-after': '1' });
    return;
  }
  const all = itemsFor(filter);
  const Items = all.slice(skip, skip + PAGE);
  const more = skip + PAGE < all.length;
  const next = new URL(url);
  next.searchParams.set('$skip', String(skip + PAGE));
  const NextPageLink = more ? (mode === 'foreign-next' ? next.href.replace('127.0.0.1', 'localhost') : next.href) : null;
  json(200, {
    BillingCurrency: 'USD',
    CustomerEntityId: 'Default',
    CustomerEntityType: 'Retail',
    Items,
    NextPageLink,
    Count: Items.length,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'compline-prices-'));
const env = () => ({ NODE_EXTRA_CA_CERTS: join(testTlsDir(), 'ca.pem') });
const refresh = (out: string, regions: string) =>
  complineAsync(['prices', 'refresh', '--out', out, '--regions', regions, '--endpoint', `${endpoint}/api/retail/prices`], {
    env: env(),
  });

beforeAll(async () => {
  const tls = testTlsDir();
  server = createServer({ key: readFileSync(join(tls, 'server.key')), cert: readFileSync(join(tls, 'server.pem')) }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('compline prices refresh', () => {
  it('follows NextPageLink, waits out a 429 for its Retry-After, and keeps only the catalogue’s meters', async () => {
    mode = 'throttle-once';
    calls.length = 0;
    const out = join(dir, 'sheet.json');
    const r = await refresh(out, 'westeurope');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect(r.stdout).toMatch(
      new RegExp(`^price sheet of ${today}: 4 items for 1 region\\(s\\) → .*sheet\\.json \\(\\d+ requests, 1 throttled\\)\\n$`),
    );
    // The throttled request was asked again no sooner than Retry-After said.
    const first = calls[0]!;
    const again = calls.find((c, i) => i > 0 && c.filter === first.filter && c.skip === first.skip)!;
    expect(again.at - first.at).toBeGreaterThanOrEqual(950);
    // Five VM meters over three pages: each page asked for once (the throttled one twice).
    const vmPages = calls.filter((c) => c.filter.startsWith("serviceName eq 'Virtual Machines'")).map((c) => c.skip);
    expect([...new Set(vmPages)]).toEqual([0, 2, 4]);

    const sheet = await loadSheet(out);
    expect(sheet).toMatchObject({ date: today, origin: 'refreshed', currency: 'USD', bundled: false });
    // Sorted by region, service, product, SKU, meter: a later refresh diffs line by line.
    expect(sheet.items.map((i) => [i.productName, i.skuName, i.meterName, i.type])).toEqual([
      ['Premium SSD Managed Disks', 'P10 LRS', 'P10 LRS Disk', 'Consumption'],
      ['Virtual Machines Dsv5 Series', 'D2s v5', 'D2s v5', 'Consumption'],
      ['Virtual Machines Dsv5 Series', 'D2s v5 Spot', 'D2s v5 Spot', 'Consumption'],
      ['Virtual Machines Dsv5 Series Windows', 'D2s v5', 'D2s v5', 'Consumption'],
    ]);
    // Fields newer API versions add are not kept.
    expect(JSON.stringify(sheet.items)).not.toContain('savingsPlan');
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.Filters).toHaveLength(4);
    expect(file.Regions).toEqual(['westeurope']);

    // The refreshed sheet prices the gate.
    const plan = join(dir, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify(
        buildPlan([
          { type: 'azurerm_linux_virtual_machine', name: 'vm', values: { location: 'westeurope', size: 'Standard_D2s_v5' } },
        ]).plan,
      ),
    );
    const gate = await complineAsync(['gate', plan, '--prices', out, '--format', 'json']);
    expect(JSON.parse(gate.stdout).cost).toMatchObject({
      monthly_delta: 83.95,
      price_sheet: { date: today, origin: 'refreshed', file: out },
    });
  }, 20_000);

  it('an API that keeps failing is one line and exit 2, and the sheet already there is untouched', async () => {
    mode = 'fail';
    const out = join(dir, 'kept.json');
    writeFileSync(out, 'the previous sheet');
    const r = await refresh(out, 'westeurope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `compline: ${endpoint}/api/retail/prices: HTTP 503: {"Error":{"Code":"ServiceUnavailable","Message":"try later"}}\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe('the previous sheet');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 20_000);

  it('refuses a next page on another host, and a region the API has no prices for', async () => {
    mode = 'foreign-next';
    const out = join(dir, 'never.json');
    const foreign = await refresh(out, 'westeurope');
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/NextPageLink leads to another host \(https:\/\/localhost:\d+\)\n$/);
    mode = 'ok';
    const nowhere = await refresh(out, 'westeurope,atlantis');
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toBe(
      'compline: --regions atlantis: the Retail Prices API has no prices for it (is it an ARM region name such as westeurope?)\n',
    );
    expect(existsSync(out)).toBe(false);
  }, 20_000);

  it('refuses an endpoint that is not https before any request', async () => {
    calls.length = 0;
    const r = await complineAsync(['prices', 'refresh', '--out', join(dir, 'x.json'), '--endpoint', 'http://prices.example']);
    expect(r).toMatchObject({ code: 2, stderr: 'compline: --endpoint http://prices.example: expected an https URL\n' });
    expect(calls).toEqual([]);
  });
});
