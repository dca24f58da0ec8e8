// Typed price lookups over a sheet: what one unit of a SKU costs per month in a region, with the item it came from.
import { AKS_PRODUCT, BLOB_PRODUCT, DISK_PRODUCTS, type DiskStorageType, IP_PRODUCT, SQL_PRODUCTS } from './catalogue.js';
import type { PriceItem, PriceSheet } from './sheet.js';

/** Azure's own month for hourly meters (the pricing calculator's): 8760 h / 12. */
export const HOURS_PER_MONTH = 730;

/** A monthly price for one unit (an instance, a disk, a GB, a vCore), and the sheet item it derives from. */
export interface Price {
  /** Per month for one unit, in the sheet's currency. */
  monthly: number;
  /** The item's own price and unit: 0.096 per `1 Hour`. */
  unit_price: number;
  unit: string;
  meter: string;
  product: string;
}

/** Months' worth of one billing unit; null for a unit this lookup does not convert. */
function unitsPerMonth(unit: string): number | null {
  switch (unit.replace(/\s+/g, ' ').trim()) {
    case '1 Hour':
    case '1/Hour':
      return HOURS_PER_MONTH;
    case '1/Day':
    case '1 Day':
      return HOURS_PER_MONTH / 24;
    case '1/Month':
    case '1 Month':
    case '1 GB/Month':
      return 1;
    default:
      return null;
  }
}

export type Os = 'linux' | 'windows';

export class PriceLookup {
  private readonly byRegion = new Map<string, PriceItem[]>();

  constructor(readonly sheet: PriceSheet) {
    for (const item of sheet.items) {
      if (item.type !== 'Consumption' || item.tierMinimumUnits !== 0) continue;
      const region = item.armRegionName.toLowerCase();
      const list = this.byRegion.get(region);
      if (list) list.push(item);
      else this.byRegion.set(region, [item]);
    }
  }

  /** Whether the sheet holds any price for the region. */
  covers(region: string): boolean {
    return this.byRegion.has(region.toLowerCase());
  }

  private find(region: string, match: (i: PriceItem) => boolean): Price | null {
    const items = this.byRegion.get(region.toLowerCase()) ?? [];
    // A meter priced in several regions lists its primary region's item first; either has the same price here.
    const item = items.find((i) => match(i) && i.isPrimaryMeterRegion) ?? items.find(match);
    if (!item) return null;
    const per = unitsPerMonth(item.unitOfMeasure);
    if (per === null) return null;
    return {
      monthly: item.retailPrice * per,
      unit_price: item.retailPrice,
      unit: item.unitOfMeasure,
      meter: item.meterName,
      product: item.productName,
    };
  }

  /** A VM size's pay-as-you-go (or Spot) price: Linux, or Windows with its licence (the `… Windows` product). */
  vm(region: string, armSku: string, os: Os, spot = false): Price | null {
    const sku = armSku.toLowerCase();
    return this.find(
      region,
      (i) =>
        i.serviceName === 'Virtual Machines' &&
        i.armSkuName.toLowerCase() === sku &&
        i.skuName.endsWith(' Spot') === spot &&
        !i.skuName.endsWith(' Low Priority') &&
        i.productName.endsWith(' Windows') === (os === 'windows'),
    );
  }

  /** A managed disk tier (`P10`, `E4`, `S30`) of a storage type. */
  disk(region: string, storageType: DiskStorageType, tier: string): Price | null {
    const product = DISK_PRODUCTS[storageType];
    return this.find(
      region,
      (i) => i.productName === product && i.skuName === `${tier} LRS` && i.meterName === `${tier} LRS Disk`,
    );
  }

  /** Block blob capacity, per GB-month: `Hot LRS`, `Cool GRS`. */
  blobPerGb(region: string, sku: string): Price | null {
    return this.find(region, (i) => i.productName === BLOB_PRODUCT && i.skuName === sku && i.meterName === `${sku} Data Stored`);
  }

  /** Azure SQL Database vCore compute (Gen5), per vCore. */
  sqlVcore(region: string, tier: 'GP' | 'BC'): Price | null {
    const product = tier === 'GP' ? SQL_PRODUCTS.GP_Gen5 : SQL_PRODUCTS.BC_Gen5;
    return this.find(region, (i) => i.productName === product && i.meterName === 'vCore');
  }

  /** Azure SQL Database vCore data storage, per GB-month. */
  sqlStorage(region: string, tier: 'GP' | 'BC'): Price | null {
    const product = tier === 'GP' ? SQL_PRODUCTS.GP_storage : SQL_PRODUCTS.BC_storage;
    return this.find(region, (i) => i.productName === product);
  }

  /** An Azure SQL Database DTU service objective: `Basic`, `S0` … `S7`. */
  sqlDtu(region: string, objective: string): Price | null {
    const product = objective === 'Basic' ? SQL_PRODUCTS.Basic : SQL_PRODUCTS.Standard;
    return this.find(region, (i) => i.productName === product && i.skuName === objective);
  }

  /** A public IPv4 address: `Standard` or `Basic`, `Static` or `Dynamic`. */
  publicIp(region: string, sku: string, allocation: string): Price | null {
    return this.find(
      region,
      (i) => i.productName === IP_PRODUCT && i.skuName === sku && i.meterName === `${sku} IPv4 ${allocation} Public IP`,
    );
  }

  /** An AKS cluster's control plane in the Standard or Premium tier (Free has no charge). */
  aksTier(region: string, tier: 'Standard' | 'Premium'): Price | null {
    return this.find(region, (i) => i.serviceName === AKS_PRODUCT && i.skuName === tier);
  }
}
