#!/usr/bin/env node
// Writes the demo's Terraform states (format 4) from the demo estate: credit_union_beta's states track every
// top-level resource it has; bank_alpha's leave out one NSG made in the portal, record TLS 1.2 for a storage
// account whose live setting was lowered by hand, and still track a storage account deleted outside the pipeline.
// Also writes the Resource Graph `resourcechanges` page the demo reads. Deterministic: run it again and the files
// do not change. Run demo/generate.mjs first when the estate changes.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const ESTATE = new URL('./estate/', import.meta.url);
const TYPES = {
  'microsoft.keyvault/vaults': 'azurerm_key_vault',
  'microsoft.storage/storageaccounts': 'azurerm_storage_account',
  'microsoft.network/networksecuritygroups': 'azurerm_network_security_group',
  'microsoft.sql/servers': 'azurerm_mssql_server',
  'microsoft.containerservice/managedclusters': 'azurerm_kubernetes_cluster',
  'microsoft.network/virtualnetworks': 'azurerm_virtual_network',
  'microsoft.operationalinsights/workspaces': 'azurerm_log_analytics_workspace',
  'microsoft.compute/virtualmachines': 'azurerm_linux_virtual_machine',
  'microsoft.network/networkinterfaces': 'azurerm_network_interface',
  'microsoft.network/publicipaddresses': 'azurerm_public_ip',
  'microsoft.dbforpostgresql/flexibleservers': 'azurerm_postgresql_flexible_server',
  'microsoft.cache/redis': 'azurerm_redis_cache',
  'microsoft.compute/disks': 'azurerm_managed_disk',
  'microsoft.authorization/roleassignments': 'azurerm_role_assignment',
  'microsoft.containerregistry/registries': 'azurerm_container_registry',
};
const TOP_LEVEL = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+$/i;
/** Made in the portal: no state tracks it. */
const UNMANAGED = 'nsg-alpha-prod-2';
/** Its live minimum TLS version was lowered by hand; the state still says what the pipeline set. */
const DRIFTED = 'stalphaprod5';
const SUB_ALPHA = '1f4c2a10-7b3e-4d0a-9c55-0a1b2c3d4e5f';
/** The platform pipeline's service principal (object id): it applies every tenant's configuration. */
const PIPELINE = '3c9d2f4e-8a1b-4c6d-9e0f-1a2b3c4d5e6f';

const read = (url) => JSON.parse(readFileSync(url, 'utf8'));
const rows = ['1f4c2a10', '6e8d9f20', '9a7b6c50'].flatMap((s) => [
  ...read(new URL(`resource-graph-${s}.json`, ESTATE)).data,
  // role assignments and other children listed as ARM collections
  ...readdirSync(new URL(`children-${s}/`, ESTATE))
    .sort()
    .flatMap((f) => read(new URL(`children-${s}/${f}`, ESTATE)).value ?? []),
]);
const tenantOf = (r) => /\/resourcegroups\/rg-(bank_alpha|credit_union_beta)-(dev|staging|prod)\//i.exec(r.id);

const states = new Map();
for (const r of rows) {
  const m = tenantOf(r);
  const tfType = TYPES[r.type];
  if (!m || !tfType || !TOP_LEVEL.test(r.id) || /_osdisk_/i.test(r.name) || r.name === UNMANAGED) continue;
  const key = `customers/${m[1]}/${m[2]}/terraform.tfstate`;
  if (!states.has(key)) states.set(key, []);
  const attributes =
    tfType === 'azurerm_role_assignment'
      ? { id: r.id, name: r.name, scope: r.properties?.scope, principal_id: r.properties?.principalId }
      : { id: r.id, name: r.name, resource_group_name: r.id.split('/')[4], location: r.location, tags: r.tags ?? {} };
  if (r.name === DRIFTED) Object.assign(attributes, { min_tls_version: 'TLS1_2' });
  if (tfType === 'azurerm_storage_account') attributes.primary_access_key = 'demo-not-a-real-key';
  states.get(key).push({ tfType, name: r.name.replace(/[^A-Za-z0-9_]/g, '_'), attributes });
}
// Deleted outside the pipeline; the state still tracks it.
states.get('customers/bank_alpha/prod/terraform.tfstate').push({
  tfType: 'azurerm_storage_account',
  name: 'stalphaprod7',
  attributes: {
    id: `/subscriptions/${SUB_ALPHA}/resourceGroups/rg-bank_alpha-prod/providers/Microsoft.Storage/storageAccounts/stalphaprod7`,
    name: 'stalphaprod7',
    resource_group_name: 'rg-bank_alpha-prod',
    location: 'eastus',
    tags: { CustomerID: 'bank_alpha' },
  },
});

const out = new URL('terraform/', ESTATE);
rmSync(out, { recursive: true, force: true });
for (const [key, resources] of [...states].sort()) {
  const state = {
    version: 4,
    terraform_version: '1.9.8',
    serial: resources.length,
    lineage: `demo-${key.split('/').slice(1, 3).join('-')}`,
    outputs: {},
    resources: resources.map((r) => ({
      mode: 'managed',
      type: r.tfType,
      name: r.name,
      provider: 'provider["registry.terraform.io/hashicorp/azurerm"]',
      instances: [
        {
          schema_version: 0,
          attributes: r.attributes,
          sensitive_attributes: r.attributes.primary_access_key ? [[{ type: 'get_attr', value: 'primary_access_key' }]] : [],
        },
      ],
    })),
    check_results: null,
  };
  const file = new URL(key, out);
  mkdirSync(new URL('.', file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 1)}\n`);
}

// What Resource Graph recorded in the last days: the pipeline's applies, and one change by hand in the portal.
const find = (name) => rows.find((r) => r.name === name);
const change = (n, r, by, client, at, props) => ({
  id: `${r.id}/providers/Microsoft.Resources/changes/08584${String(n).padStart(14, '0')}`,
  type: 'microsoft.resources/changes',
  properties: {
    targetResourceId: r.id,
    targetResourceType: r.type,
    changeType: 'Update',
    changeAttributes: { timestamp: at, changedBy: by, clientType: client, operation: `${r.type}/write`, changesCount: props.length },
    changes: Object.fromEntries(props.map((p) => [p, { propertyChangeType: 'Update', changeCategory: 'User' }])),
  },
});
const changes = [
  change(1, find('kv-alpha-prod-0'), PIPELINE, 'Terraform', '2026-12-01T02:10:00Z', ['properties.enablePurgeProtection']),
  change(2, find(DRIFTED), 'ops.admin@bank-alpha.example', 'Azure Portal', '2026-12-02T14:32:00Z', ['properties.minimumTlsVersion']),
  change(3, find('kv-cub-prod-0'), PIPELINE, 'Terraform', '2026-12-01T03:00:00Z', ['tags.Owner']),
];
writeFileSync(
  new URL('resource-changes.json', ESTATE),
  `${JSON.stringify({ totalRecords: changes.length, count: changes.length, resultTruncated: 'false', data: changes }, null, 1)}\n`,
);
