// `compline prices refresh`: a new dated price sheet from the Azure Retail Prices API, for finops.prices and gate --prices.
import { DEFAULT_REGIONS } from '../finops/prices/catalogue.js';
import { RETAIL_PRICES_ENDPOINT, type RefreshResult, refreshSheet } from '../finops/prices/refresh.js';
import { checkOutputFile } from '../output-paths.js';

export interface PricesRefreshOptions {
  out: string;
  /** Comma-separated ARM region names; default the bundled sheet's regions. */
  regions?: string;
  endpoint?: string;
}

export async function pricesRefresh(opts: PricesRefreshOptions): Promise<{ result: RefreshResult; text: string }> {
  // A path that cannot be written is found before a minute of requests, not after.
  await checkOutputFile(`--out ${opts.out}`, opts.out);
  const regions = opts.regions ? opts.regions.split(',') : [...DEFAULT_REGIONS];
  const result = await refreshSheet({ out: opts.out, regions, endpoint: opts.endpoint ?? RETAIL_PRICES_ENDPOINT });
  const text = `price sheet of ${result.date}: ${result.items} items for ${regions.length} region(s) → ${result.file} (${result.requests} requests, ${result.throttled} throttled)`;
  return { result, text };
}
