// What the price sheet holds: the SKUs FinOps rules and the gate price, the regions, and the Retail Prices API
// queries that fetch exactly those. The bundled sheet and `compline prices refresh` are made from this one list.
import type { PriceItem } from './sheet.js';

/** Regions the bundled sheet covers (the demo estate's, the tests', and the EU regions tenants ask for). */
export const DEFAULT_REGIONS = [
  'eastus',
  'eastus2',
  'westus',
  'westus2',
  'westeurope',
  'northeurope',
  'uksouth',
  'germanywestcentral',
  'swedencentral',
  'francecentral',
  'switzerlandnorth',
] as const;

/**
 * VM sizes (Linux and Windows consumption, Linux Spot, 1- and 3-year reservations): AKS node pools price as these.
 * D, E v3–v5 with their `ds` / `as` variants, F v2, B v1 and v2, and the DSv2 sizes older estates still run.
 */
export const VM_SIZES = [
  ...['D2s_v3', 'D4s_v3', 'D8s_v3', 'D16s_v3', 'D2s_v4', 'D4s_v4', 'D8s_v4', 'D16s_v4'],
  ...['D2s_v5', 'D4s_v5', 'D8s_v5', 'D16s_v5', 'D32s_v5', 'D2ds_v5', 'D4ds_v5', 'D8ds_v5'],
  ...['D2ds_v4', 'D4ds_v4', 'D8ds_v4', 'DS1_v2', 'DS2_v2', 'DS3_v2', 'DS4_v2'],
  ...['D2as_v5', 'D4as_v5', 'D8as_v5', 'D16as_v5'],
  ...['E2s_v3', 'E4s_v3', 'E8s_v3', 'E16s_v3', 'E2s_v4', 'E4s_v4', 'E8s_v4'],
  ...['E2s_v5', 'E4s_v5', 'E8s_v5', 'E16s_v5', 'E32s_v5', 'E2as_v5', 'E4as_v5', 'E8as_v5'],
  ...['E2ds_v5', 'E4ds_v5', 'E8ds_v5', 'E16ds_v5'],
  ...['F2s_v2', 'F4s_v2', 'F8s_v2', 'F16s_v2'],
  ...['B1s', 'B1ms', 'B2s', 'B2ms', 'B4ms', 'B8ms', 'B2s_v2', 'B4s_v2', 'B8s_v2'],
].map((size) => `Standard_${size}`);

export const DISK_PRODUCTS = {
  Premium_LRS: 'Premium SSD Managed Disks',
  StandardSSD_LRS: 'Standard SSD Managed Disks',
  Standard_LRS: 'Standard HDD Managed Disks',
} as const;
export type DiskStorageType = keyof typeof DISK_PRODUCTS;

/** Managed disk tiers by their largest size in GiB: a disk is billed at the smallest tier that holds it. */
export const DISK_TIERS: Record<DiskStorageType, readonly [tier: string, gib: number][]> = {
  Premium_LRS: [
    ['P4', 32],
    ['P6', 64],
    ['P10', 128],
    ['P15', 256],
    ['P20', 512],
    ['P30', 1024],
    ['P40', 2048],
    ['P50', 4096],
  ],
  StandardSSD_LRS: [
    ['E4', 32],
    ['E6', 64],
    ['E10', 128],
    ['E15', 256],
    ['E20', 512],
    ['E30', 1024],
    ['E40', 2048],
    ['E50', 4096],
  ],
  Standard_LRS: [
    ['S4', 32],
    ['S6', 64],
    ['S10', 128],
    ['S15', 256],
    ['S20', 512],
    ['S30', 1024],
    ['S40', 2048],
    ['S50', 4096],
  ],
};

export const BLOB_PRODUCT = 'General Block Blob v2';
export const BLOB_SKUS = ['Hot LRS', 'Hot GRS', 'Hot ZRS', 'Cool LRS', 'Cool GRS', 'Cool ZRS', 'Archive LRS'] as const;

export const SQL_PRODUCTS = {
  GP_Gen5: 'SQL Database Single/Elastic Pool General Purpose - Compute Gen5',
  BC_Gen5: 'SQL Database Single/Elastic Pool Business Critical - Compute Gen5',
  GP_storage: 'SQL Database Single/Elastic Pool General Purpose - Storage',
  BC_storage: 'SQL Database Single/Elastic Pool Business Critical - Storage',
  Basic: 'SQL Database Single Basic',
  Standard: 'SQL Database Single Standard',
} as const;

/** DTUs of the Standard tier's service objectives (S0 … S7); Basic is 5. */
export const SQL_STANDARD_OBJECTIVES = ['S0', 'S1', 'S2', 'S3', 'S4', 'S6', 'S7'] as const;

export const IP_PRODUCT = 'IP Addresses';
export const AKS_PRODUCT = 'Azure Kubernetes Service';

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const anyOf = (field: string, values: readonly string[]): string =>
  `(${values.map((v) => `${field} eq ${quote(v)}`).join(' or ')})`;

/** The OData filters one region's prices are fetched with, one per service (each stays well under URL limits). */
export function regionFilters(region: string): string[] {
  const inRegion = `armRegionName eq ${quote(region)}`;
  return [
    `serviceName eq 'Virtual Machines' and ${inRegion} and ${anyOf('armSkuName', VM_SIZES)}`,
    `serviceName eq 'Storage' and ${inRegion} and ${anyOf('productName', [...Object.values(DISK_PRODUCTS), BLOB_PRODUCT])}`,
    `serviceName eq 'SQL Database' and ${inRegion} and ${anyOf('productName', Object.values(SQL_PRODUCTS))}`,
    `${inRegion} and (productName eq ${quote(IP_PRODUCT)} or serviceName eq ${quote(AKS_PRODUCT)})`,
  ];
}

const DISK_TIER_SKUS = new Set(
  Object.values(DISK_TIERS)
    .flat()
    .map(([tier]) => `${tier} LRS`),
);
const SQL_DTU_SKUS = new Set<string>(['Basic', ...SQL_STANDARD_OBJECTIVES]);

/**
 * Whether an item the queries return belongs in the sheet: the queries select by product, which also brings
 * transaction, operation and low-priority meters the rules and the gate never price.
 */
export function inCatalogue(item: PriceItem): boolean {
  if (item.type !== 'Consumption' && item.type !== 'Reservation') return false;
  switch (item.serviceName) {
    case 'Virtual Machines':
      return VM_SIZES.includes(item.armSkuName) && !/Low Priority/i.test(item.meterName);
    case 'Storage':
      if (item.productName === BLOB_PRODUCT) {
        return (BLOB_SKUS as readonly string[]).includes(item.skuName) && item.meterName === `${item.skuName} Data Stored`;
      }
      return DISK_TIER_SKUS.has(item.skuName) && item.meterName === `${item.skuName} Disk`;
    case 'SQL Database':
      if (item.productName === SQL_PRODUCTS.Basic || item.productName === SQL_PRODUCTS.Standard)
        return SQL_DTU_SKUS.has(item.skuName);
      return Object.values(SQL_PRODUCTS).includes(item.productName as never);
    case 'Virtual Network':
      return item.productName === IP_PRODUCT && /IPv4 (Static|Dynamic) Public IP$/.test(item.meterName);
    case AKS_PRODUCT:
      return item.productName === AKS_PRODUCT && item.unitOfMeasure === '1 Hour';
    default:
      return false;
  }
}
