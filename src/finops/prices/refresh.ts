// `compline prices refresh`: the catalogue's SKUs fetched again from the Azure Retail Prices API into a dated sheet.
// The API is public and unauthenticated, and no Azure SDK covers it: plain fetch, its paging and its throttling.
import pLimit from 'p-limit';
import { UsageError } from '../../errors.js';
import { writeTogether } from '../../output-paths.js';
import { inCatalogue, regionFilters } from './catalogue.js';
import type { PriceItem, PriceSheetFile } from './sheet.js';

export const RETAIL_PRICES_ENDPOINT = 'https://prices.azure.com/api/retail/prices';
export const RETAIL_PRICES_API_VERSION = '2023-01-01-preview';

export interface RefreshOptions {
  out: string;
  regions: readonly string[];
  endpoint?: string;
  /** YYYY-MM-DD written as the sheet's date; default today (UTC). */
  today?: string;
  /** Longest Retry-After honoured, in seconds; a longer one ends the refresh. Default 60. */
  maxRetryAfterSeconds?: number;
  /** One request's time limit. Default 60 s. */
  requestTimeoutMs?: number;
}

export interface RefreshResult {
  file: string;
  date: string;
  items: number;
  requests: number;
  throttled: number;
}

const FIELDS: readonly (keyof PriceItem)[] = [
  'currencyCode',
  'tierMinimumUnits',
  'retailPrice',
  'unitPrice',
  'armRegionName',
  'location',
  'effectiveStartDate',
  'meterId',
  'meterName',
  'productId',
  'skuId',
  'productName',
  'skuName',
  'serviceName',
  'serviceId',
  'serviceFamily',
  'unitOfMeasure',
  'type',
  'isPrimaryMeterRegion',
  'armSkuName',
  'reservationTerm',
];

/** An item as the sheet keeps it: the fields Compline reads, in the API's order; anything else is dropped. */
function keep(raw: Record<string, unknown>, where: string): PriceItem {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (raw[f] !== undefined) out[f] = raw[f];
  if (typeof out.retailPrice !== 'number' || typeof out.armRegionName !== 'string' || typeof out.currencyCode !== 'string') {
    throw new UsageError(`${where}: an item without retailPrice, armRegionName or currencyCode (meter ${String(raw.meterId)})`);
  }
  return out as unknown as PriceItem;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds a 429 asks to wait: Retry-After as seconds or an HTTP date; 5 when it does not say. */
function retryAfterSeconds(header: string | null): number {
  if (!header) return 5;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 5 : Math.max(0, (at - Date.now()) / 1000);
}

/** The URL without its query, for messages (filters are long and say nothing the reader needs). */
const shown = (url: string): string => url.split('?')[0] ?? url;

export async function refreshSheet(opts: RefreshOptions): Promise<RefreshResult> {
  const endpoint = opts.endpoint ?? RETAIL_PRICES_ENDPOINT;
  let origin: string;
  try {
    const u = new URL(endpoint);
    if (u.protocol !== 'https:') throw new Error('not https');
    origin = u.origin;
  } catch {
    throw new UsageError(`--endpoint ${endpoint}: expected an https URL`);
  }
  const regions = [...new Set(opts.regions.map((r) => r.trim().toLowerCase()).filter(Boolean))];
  if (!regions.length) throw new UsageError('--regions: expected at least one region, e.g. westeurope,northeurope');
  const maxWait = opts.maxRetryAfterSeconds ?? 60;
  const timeout = opts.requestTimeoutMs ?? 60_000;
  const stats = { requests: 0, throttled: 0 };

  async function get(url: string): Promise<{ Items: Record<string, unknown>[]; NextPageLink: string | null }> {
    for (let attempt = 1; ; attempt++) {
      stats.requests++;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(timeout), headers: { accept: 'application/json' } });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (e as Error).message;
        if (attempt < 3) {
          await sleep(500 * attempt);
          continue;
        }
        throw new UsageError(`${shown(url)}: cannot reach the Retail Prices API (${why})`);
      }
      if (res.status === 429) {
        stats.throttled++;
        const wait = retryAfterSeconds(res.headers.get('retry-after'));
        await res.body?.cancel();
        if (wait > maxWait || stats.throttled > 20) {
          throw new UsageError(`${shown(url)}: throttled (429, Retry-After ${Math.ceil(wait)} s); try again later`);
        }
        await sleep(wait * 1000);
        attempt = 0;
        continue;
      }
      if (res.status >= 500 && attempt < 3) {
        await res.body?.cancel();
        await sleep(500 * attempt);
        continue;
      }
      if (res.status !== 200) {
        const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 160);
        throw new UsageError(`${shown(url)}: HTTP ${res.status}${text ? `: ${text}` : ''}`);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        throw new UsageError(`${shown(url)}: the answer is not JSON (cut short?)`);
      }
      const page = body as { Items?: unknown; NextPageLink?: unknown };
      if (
        !Array.isArray(page.Items) ||
        (page.NextPageLink !== null && page.NextPageLink !== undefined && typeof page.NextPageLink !== 'string')
      ) {
        throw new UsageError(`${shown(url)}: not a Retail Prices API page (no Items array)`);
      }
      return { Items: page.Items as Record<string, unknown>[], NextPageLink: (page.NextPageLink as string | null) ?? null };
    }
  }

  async function query(filter: string): Promise<PriceItem[]> {
    const items: PriceItem[] = [];
    let url: string | null = `${endpoint}?api-version=${RETAIL_PRICES_API_VERSION}&$filter=${encodeURIComponent(filter)}`;
    for (let pages = 0; url; pages++) {
      if (pages >= 1000) throw new UsageError(`${shown(url)}: more than 1000 pages for one query`);
      const page = await get(url);
      for (const raw of page.Items) {
        const item = keep(raw, shown(url));
        if (inCatalogue(item)) items.push(item);
      }
      const next: string | null = page.NextPageLink;
      // A next page elsewhere than the API asked is not followed: the sheet comes from one source.
      if (next && new URL(next, url).origin !== origin)
        throw new UsageError(`${shown(url)}: NextPageLink leads to another host (${new URL(next, url).origin})`);
      url = next ? new URL(next, url).href : null;
    }
    return items;
  }

  const limit = pLimit(4);
  const filters = regions.flatMap((r) => regionFilters(r).map((f) => ({ region: r, filter: f })));
  const results = await Promise.all(filters.map(({ filter }) => limit(() => query(filter))));
  const items = results.flat();
  for (const region of regions) {
    if (!items.some((i) => i.armRegionName.toLowerCase() === region)) {
      throw new UsageError(
        `--regions ${region}: the Retail Prices API has no prices for it (is it an ARM region name such as westeurope?)`,
      );
    }
  }
  const currencies = [...new Set(items.map((i) => i.currencyCode))];
  if (currencies.length !== 1)
    throw new UsageError(`${shown(endpoint)}: items in ${currencies.length ? currencies.join(', ') : 'no currency'}`);
  const key = (i: PriceItem) =>
    [
      i.armRegionName,
      i.serviceName,
      i.productName,
      i.skuName,
      i.meterName,
      i.type,
      i.reservationTerm ?? '',
      String(i.tierMinimumUnits),
    ].join('\u0000');
  items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

  const date = opts.today ?? new Date().toISOString().slice(0, 10);
  const sheet: PriceSheetFile = {
    BillingCurrency: currencies[0]!,
    CustomerEntityId: 'Default',
    CustomerEntityType: 'Retail',
    SheetDate: date,
    Origin: 'refreshed',
    SourceUrl: `${endpoint}?api-version=${RETAIL_PRICES_API_VERSION}`,
    Filters: filters.map((f) => f.filter),
    Regions: regions,
    Note: `Fetched from the Azure Retail Prices API on ${date} by compline prices refresh: list prices, pay-as-you-go, Spot and reservations.`,
    Items: items,
    NextPageLink: null,
    Count: items.length,
  };
  // The old sheet stays whole until the new one is: written under a temporary name, then renamed.
  await writeTogether([{ label: `--out ${opts.out}`, path: opts.out, render: () => sheetText(sheet) }]);
  return { file: opts.out, date, items: items.length, ...stats };
}

/** The sheet as the bundled one is written: header fields indented, one item per line (diffs show prices). */
export function sheetText(sheet: PriceSheetFile): string {
  const { Items, NextPageLink, Count, ...head } = sheet;
  const header = JSON.stringify(head, null, 2).slice(0, -2);
  const items = Items.map((i) => `    ${JSON.stringify(i)}`).join(',\n');
  return `${header},\n  "Items": [\n${items}\n  ],\n  "NextPageLink": ${JSON.stringify(NextPageLink ?? null)},\n  "Count": ${Count ?? Items.length}\n}\n`;
}
