// Puts the run's price sheet into the store's `prices` table: DuckDB reads the file's items itself, in one insert.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { FinopsContext } from '../context.js';
import { loadSheet, type PriceSheet } from './sheet.js';

/** The item fields the table keeps, as DuckDB reads them from the file. */
const ITEM = `struct(currencyCode varchar, serviceName varchar, productName varchar, skuName varchar, armSkuName varchar,
  armRegionName varchar, meterName varchar, unitOfMeasure varchar, retailPrice double, tierMinimumUnits double,
  type varchar, reservationTerm varchar)`;

/** List prices move a few times a year; past this a run says its sheet is old (and still uses it). */
export const STALE_DAYS = 90;

const sql = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * Loads the sheet `finops.prices` names (else the bundled one) for this run. Reservation items keep their term in
 * price_type (`Reservation 1 Year`), their retail_price being the whole term's; tiered meters keep their first tier.
 */
export async function loadPrices(ctx: FinopsContext): Promise<PriceSheet> {
  const configured = ctx.config.finops.prices;
  const path = configured === undefined ? null : isAbsolute(configured) ? configured : resolve(ctx.baseDir, configured);
  const sheet = await loadSheet(path);
  // The sheet is one JSON object; DuckDB sizes its read buffer by this limit, so it follows the file.
  const maxObject = Math.max(16 * 1024 ** 2, (await stat(sheet.file)).size + 1);
  await ctx.store.exec(
    `insert into prices (run_id, tenant_id, sheet_date, currency_code, service_name, product_name, sku_name, arm_sku_name,
       arm_region_name, meter_name, unit_of_measure, retail_price, price_type)
     select ${sql(ctx.runId)}, null, ${sql(sheet.date)}::date, i.currencyCode, i.serviceName, i.productName, i.skuName,
       i.armSkuName, i.armRegionName, i.meterName, i.unitOfMeasure, i.retailPrice,
       i.type || coalesce(' ' || i.reservationTerm, '')
     from (select unnest(Items) as i from read_json(${sql(sheet.file)}, format = 'auto',
       maximum_object_size = ${maxObject}, columns = {Items: '${ITEM.replace(/\s+/g, ' ')}[]'}))
     where i.tierMinimumUnits = 0`,
  );
  const age = Math.floor((Date.parse(ctx.today) - Date.parse(sheet.date)) / 86_400_000);
  if (age > STALE_DAYS) {
    ctx.log(
      `warn: the price sheet is ${age} days old (${sheet.date}, ${sheet.bundled ? 'bundled' : sheet.file}); compline prices refresh fetches current prices`,
    );
  }
  return sheet;
}
