// The price sheet file's schema: a sheet written elsewhere (a refresh, a hand edit) is checked before any price is read.
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import type { PriceItem, PriceSheetFile } from './sheet.js';

// Items may carry fields newer API versions add (savingsPlan, ...): they are dropped, not refused.
const item: z.ZodType<PriceItem> = z.object({
  currencyCode: z.string().min(1),
  tierMinimumUnits: z.number(),
  retailPrice: z.number().nonnegative(),
  unitPrice: z.number().nonnegative(),
  armRegionName: z.string(),
  location: z.string(),
  effectiveStartDate: z.string(),
  meterId: z.string(),
  meterName: z.string(),
  productId: z.string(),
  skuId: z.string(),
  productName: z.string(),
  skuName: z.string(),
  serviceName: z.string(),
  serviceId: z.string(),
  serviceFamily: z.string(),
  unitOfMeasure: z.string(),
  type: z.string(),
  isPrimaryMeterRegion: z.boolean(),
  armSkuName: z.string(),
  reservationTerm: z.string().optional(),
});

const sheetSchema: z.ZodType<PriceSheetFile> = z.strictObject({
  BillingCurrency: z.string().min(1),
  CustomerEntityId: z.string(),
  CustomerEntityType: z.string().optional(),
  /** The day the prices were fetched (or, for the bundled sheet, assembled). */
  SheetDate: z.iso.date(),
  Origin: z.enum(['bundled', 'refreshed']),
  SourceUrl: z.string(),
  /** The OData filters the items were fetched with. */
  Filters: z.array(z.string()),
  Regions: z.array(z.string()),
  Note: z.string().optional(),
  Items: z.array(item),
  NextPageLink: z.null().optional(),
  Count: z.number().int().optional(),
});

/** The file as a sheet, or a UsageError naming the file and the first problem's path. */
export function validateSheet(data: unknown, file: string): PriceSheetFile {
  const parsed = sheetSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  throw new UsageError(`${file}: not a price sheet: ${where || '(root)'}: ${issue.message}`);
}
