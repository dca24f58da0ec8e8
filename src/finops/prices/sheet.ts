// The dated price sheet: Azure Retail Prices API items under the API's own envelope, plus the date and the
// queries it was made with. The bundled one ships with Compline; `compline prices refresh` writes a newer one.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';

/** The sheet shipped with Compline (read from src/, which the package ships, by tests and the built CLI alike). */
export const BUNDLED_SHEET = fileURLToPath(new URL('../../../src/finops/prices/retail-prices.json', import.meta.url));

/** One Retail Prices API item, as the API returns it. */
export interface PriceItem {
  currencyCode: string;
  tierMinimumUnits: number;
  retailPrice: number;
  unitPrice: number;
  armRegionName: string;
  location: string;
  effectiveStartDate: string;
  meterId: string;
  meterName: string;
  productId: string;
  skuId: string;
  productName: string;
  skuName: string;
  serviceName: string;
  serviceId: string;
  serviceFamily: string;
  /** `1 Hour`, `1/Month`, `1 GB/Month`, `1/Day`. */
  unitOfMeasure: string;
  /** Consumption or Reservation (DevTestConsumption is not kept). */
  type: string;
  isPrimaryMeterRegion: boolean;
  armSkuName: string;
  /** `1 Year` / `3 Years` on reservations, whose retailPrice is the whole term's. */
  reservationTerm?: string;
}

/** The file's envelope: the API's, plus the date, origin and queries of the sheet. */
export interface PriceSheetFile {
  BillingCurrency: string;
  CustomerEntityId: string;
  CustomerEntityType?: string;
  /** The day the prices were fetched (or, for the bundled sheet, assembled). */
  SheetDate: string;
  Origin: 'bundled' | 'refreshed';
  SourceUrl: string;
  /** The OData filters the items were fetched with. */
  Filters: string[];
  Regions: string[];
  Note?: string;
  Items: PriceItem[];
  NextPageLink?: null;
  Count?: number;
}

export interface PriceSheet {
  /** YYYY-MM-DD. */
  date: string;
  currency: string;
  origin: 'bundled' | 'refreshed';
  source: string;
  /** The file read. */
  file: string;
  bundled: boolean;
  items: PriceItem[];
}

/** The sheet a validated file describes. */
export function sheetOf(s: PriceSheetFile, file: string): PriceSheet {
  const other = s.Items.find((i) => i.currencyCode !== s.BillingCurrency);
  if (other) throw new UsageError(`${file}: mixed currencies: ${other.currencyCode} items in a ${s.BillingCurrency} sheet`);
  return {
    date: s.SheetDate,
    currency: s.BillingCurrency,
    origin: s.Origin,
    source: s.SourceUrl,
    file,
    bundled: file === BUNDLED_SHEET,
    items: s.Items,
  };
}

/** Reads a sheet: the one at `path`, or the bundled one. Bad files are a UsageError naming them. */
export async function loadSheet(path?: string | null): Promise<PriceSheet> {
  const file = path ?? BUNDLED_SHEET;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(
      `${file}: cannot read the price sheet (${err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message)})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  // The bundled sheet is checked by its tests; a sheet from elsewhere is validated (and zod loaded) only then.
  if (file === BUNDLED_SHEET) return sheetOf(data as PriceSheetFile, file);
  const { validateSheet } = await import('./sheet-schema.js');
  return sheetOf(validateSheet(data, file), file);
}
