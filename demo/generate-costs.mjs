#!/usr/bin/env node
// Writes the demo estate's costs: a FOCUS 1.2 export (as Cost Management's FocusCost export writes it, gzip CSV) of 30
// daily charge periods, November 2026, for the billable resources of demo/estate/resource-graph-*.json, plus what
// only the bill shows: the node pools of the AKS clusters (virtual machine scale sets in their MC_ resource groups,
// tagged by AKS, not by the tenant) and the platform's shared Log Analytics ingestion. Tags are the resources' own,
// except that some tenant resources lost their CustomerID tag in billing (cost allocation must place them by resource
// group or subscription) and the platform's shared cluster and workspace carry none. Deterministic: run it again and
// the file does not change.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const ESTATE = new URL('./estate/', import.meta.url);
const OUT = new URL('./estate/costs/', import.meta.url);
const SUBSCRIPTION_NAMES = {
  '1f4c2a10-7b3e-4d0a-9c55-0a1b2c3d4e5f': 'bank-alpha-prod',
  '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60': 'shared-tenants',
  '9a7b6c50-3d2e-4f10-b877-2c3d4e5f6071': 'platform',
};
const DAYS = 30;
const FIRST = Date.UTC(2026, 10, 1);

/** Daily list cost (USD) by resource type, the service FOCUS names it under, its category and unit. */
const PRICES = {
  'microsoft.compute/virtualmachines': [96, 'Virtual Machines', 'Compute', 'Hours'],
  'microsoft.compute/disks': [4.2, 'Storage', 'Storage', 'GB/Month'],
  'microsoft.storage/storageaccounts': [2.6, 'Storage', 'Storage', 'GB/Month'],
  'microsoft.keyvault/vaults': [0.35, 'Key Vault', 'Security', '10K Operations'],
  'microsoft.sql/servers/databases': [44, 'SQL Database', 'Databases', 'vCore Hours'],
  'microsoft.dbforpostgresql/flexibleservers': [31, 'Azure Database for PostgreSQL', 'Databases', 'vCore Hours'],
  'microsoft.cache/redis': [13.5, 'Redis Cache', 'Databases', 'Cache Hours'],
  'microsoft.documentdb/databaseaccounts': [28, 'Azure Cosmos DB', 'Databases', '100 RU/s Hours'],
  'microsoft.containerregistry/registries': [5, 'Container Registry', 'Compute', 'Registry Units'],
  'microsoft.operationalinsights/workspaces': [18, 'Log Analytics', 'Management and Governance', 'GB'],
  'microsoft.network/publicipaddresses': [0.12, 'Virtual Network', 'Networking', 'Hours'],
  'microsoft.containerservice/managedclusters': [2.4, 'Azure Kubernetes Service', 'Compute', 'Hours'],
};

/** A number in [0, 1) from the text, the same on every run. */
const unit = (text) => createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
const money = (n) => n.toFixed(4);
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const csvCell = (v) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

const resources = ['1f4c2a10', '6e8d9f20', '9a7b6c50'].flatMap(
  (s) => JSON.parse(readFileSync(new URL(`resource-graph-${s}.json`, ESTATE), 'utf8')).data,
);

/** What is billed: the resource's own line, and for an AKS cluster also its node pool scale set. */
const billed = [];
for (const r of resources) {
  const price = PRICES[r.type];
  if (!price) continue;
  const tags = { ...(r.tags ?? {}) };
  // One tenant resource in five lost its CustomerID tag in billing (tags are not inherited by every meter).
  if (tags.CustomerID && unit(`untagged:${r.id}`) < 0.2) delete tags.CustomerID;
  billed.push({ id: r.id, name: r.name, type: r.type, location: r.location, sub: r.subscriptionId, rg: r.resourceGroup, tags, price });
  if (r.type === 'microsoft.containerservice/managedclusters') {
    const nodes = r.name === 'aks-shared-westus' ? 6 : r.name.endsWith('-prod') ? 3 : 1;
    const mc = `MC_${r.resourceGroup}_${r.name}_${r.location}`;
    billed.push({
      id: `/subscriptions/${r.subscriptionId}/resourceGroups/${mc}/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-vmss`,
      name: 'aks-nodepool1-vmss',
      type: 'microsoft.compute/virtualmachinescalesets',
      location: r.location,
      sub: r.subscriptionId,
      rg: mc,
      // AKS tags its node resources with the cluster, not the tenant: the shared cluster is split by namespace.
      tags: { 'aks-managed-cluster-name': r.name, 'aks-managed-cluster-rg': r.resourceGroup, 'aks-managed-poolName': 'nodepool1' },
      price: [nodes * 4.6 * 24 * 0.19, 'Virtual Machines', 'Compute', 'Hours'],
    });
  }
}

const header = [
  'BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'BillingCurrency', 'BillingAccountId', 'BillingAccountName',
  'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory', 'ChargeClass',
  'ChargeFrequency', 'ChargeDescription', 'PricingCategory', 'PricingQuantity', 'PricingUnit', 'ConsumedQuantity',
  'ConsumedUnit', 'ResourceId', 'ResourceName', 'ResourceType', 'RegionId', 'ServiceName', 'ServiceCategory',
  'ServiceSubcategory', 'SubAccountId', 'SubAccountName', 'SkuId', 'InvoiceId', 'InvoiceIssuerName', 'ProviderName',
  'PublisherName', 'Tags', 'x_ResourceGroupName',
];
const lines = [header.join(',')];
for (let d = 0; d < DAYS; d++) {
  const start = FIRST + d * 86_400_000;
  for (const b of billed.sort((x, y) => x.id.localeCompare(y.id))) {
    const [daily, service, category, pricingUnit] = b.price;
    // Weekday load, a little noise; the platform workspace takes more as tenants log more.
    const weekend = [0, 6].includes(new Date(start).getUTCDay()) ? 0.85 : 1;
    const list = daily * weekend * (0.9 + 0.2 * unit(`${b.id}:${d}`));
    const effective = list * 0.92; // the enterprise agreement's discount
    const quantity = list / (daily / 24);
    lines.push(
      [
        money(effective), money(effective), money(list), money(effective), 'USD', '8611537', 'Contoso Financial Platform',
        iso(FIRST), iso(Date.UTC(2026, 11, 1)), iso(start), iso(start + 86_400_000), 'Usage', '', 'Usage-Based',
        `${service} ${pricingUnit}`, 'Standard', quantity.toFixed(4), pricingUnit, quantity.toFixed(4), pricingUnit,
        b.id, b.name, b.type, b.location, service, category, category, `/subscriptions/${b.sub}`, SUBSCRIPTION_NAMES[b.sub],
        `${b.type.split('/')[1]}-standard`, 'G0112233445', 'Microsoft', 'Microsoft', 'Microsoft', JSON.stringify(b.tags), b.rg,
      ]
        .map(csvCell)
        .join(','),
    );
  }
}
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
// gzip as the export writes it; Node's gzip header carries no time, so the bytes are the same on every run.
writeFileSync(new URL('focus-1.2-2026-11.csv.gz', OUT), gzipSync(`${lines.join('\n')}\n`, { level: 9 }));
console.log(`demo/estate/costs/focus-1.2-2026-11.csv.gz: ${lines.length - 1} rows, ${billed.length} billed resources × ${DAYS} days`);
