#!/usr/bin/env node
// Writes the bundled demo estate: three tenants and a platform team, about 200 resources in the
// shape Resource Graph returns them, with a deliberate mix of compliant, non-compliant and
// missing-property resources. Deterministic: run it again and the files do not change.
import { mkdirSync, writeFileSync } from 'node:fs';

const SUB_ALPHA = '1f4c2a10-7b3e-4d0a-9c55-0a1b2c3d4e5f';
const SUB_SHARED = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
const SUB_PLATFORM = '9a7b6c50-3d2e-4f10-b877-2c3d4e5f6071';
const TENANT_AAD = '72f988bf-86f1-41af-91ab-2d7cd011db47';

const pages = new Map();
function add(sub, resource) {
  if (!pages.has(sub)) pages.set(sub, []);
  pages.get(sub).push(resource);
  return resource;
}

function arm(sub, rg, provider, type, name, location, properties, extra = {}) {
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${provider}/${type}/${name}`;
  return add(sub, {
    id,
    name,
    type: `${provider}/${type}`.toLowerCase(),
    tenantId: TENANT_AAD,
    kind: extra.kind ?? '',
    location,
    resourceGroup: rg,
    subscriptionId: sub,
    managedBy: '',
    sku: extra.sku ?? null,
    plan: null,
    properties,
    tags: extra.tags ?? {},
    identity: null,
    zones: null,
    extendedLocation: null,
  });
}

/** Child or extension resource of `parent` (diagnostic settings, auditing settings, flow logs). */
function child(sub, parentId, suffix, type, name, properties) {
  return add(sub, {
    id: `${parentId}/${suffix}/${name}`,
    name,
    type,
    tenantId: TENANT_AAD,
    location: '',
    resourceGroup: parentId.split('/')[4],
    subscriptionId: sub,
    properties,
    tags: null,
  });
}

const tags = (tenant, env, extra = {}) => ({
  CustomerID: tenant,
  Environment: env,
  ManagedBy: 'terraform',
  ...extra,
});

// profile: 'good' | 'bad' | 'missing' decides each resource's posture.
function keyVault(sub, rg, name, location, profile, t) {
  const props = {
    tenantId: TENANT_AAD,
    sku: { family: 'A', name: 'standard' },
    vaultUri: `https://${name}.vault.azure.net/`,
    provisioningState: 'Succeeded',
    enabledForDeployment: false,
    enableSoftDelete: true,
  };
  if (profile === 'good') {
    Object.assign(props, {
      enablePurgeProtection: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: true,
      publicNetworkAccess: 'Disabled',
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny', ipRules: [], virtualNetworkRules: [] },
    });
  } else if (profile === 'bad') {
    Object.assign(props, {
      enablePurgeProtection: false,
      softDeleteRetentionInDays: 7,
      enableRbacAuthorization: false,
      publicNetworkAccess: 'Enabled',
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] },
    });
  } else {
    // As older API versions return it: no purge protection, retention or network keys at all.
    props.accessPolicies = [];
  }
  const kv = arm(sub, rg, 'Microsoft.KeyVault', 'vaults', name, location, props, { tags: t });
  if (profile === 'good') diagnostics(sub, kv.id, 'AuditEvent');
  return kv;
}

function diagnostics(sub, targetId, category) {
  child(sub, targetId, 'providers/microsoft.insights/diagnosticSettings', 'microsoft.insights/diagnosticsettings', 'to-law', {
    workspaceId: `/subscriptions/${SUB_PLATFORM}/resourceGroups/rg-platform-logging/providers/Microsoft.OperationalInsights/workspaces/law-platform`,
    logs: [{ category, categoryGroup: null, enabled: true, retentionPolicy: { enabled: false, days: 0 } }],
    metrics: [{ category: 'AllMetrics', enabled: true, retentionPolicy: { enabled: false, days: 0 } }],
  });
}

function storage(sub, rg, name, location, profile, t) {
  const props = {
    provisioningState: 'Succeeded',
    creationTime: '2025-03-18T04:42:22.4322836Z',
    primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` },
    encryption: { keySource: 'Microsoft.Storage', services: { blob: { enabled: true, keyType: 'Account' } } },
  };
  if (profile === 'good') {
    Object.assign(props, {
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      publicNetworkAccess: 'Disabled',
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny', ipRules: [], virtualNetworkRules: [] },
    });
    props.encryption.requireInfrastructureEncryption = true;
  } else if (profile === 'bad') {
    Object.assign(props, {
      supportsHttpsTrafficOnly: false,
      minimumTlsVersion: 'TLS1_0',
      allowBlobPublicAccess: true,
      allowSharedKeyAccess: true,
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] },
    });
    props.encryption.requireInfrastructureEncryption = false;
  } else {
    // The shape of the 2023-05-01 GET example: HTTPS flag only, no TLS or public-access keys.
    props.supportsHttpsTrafficOnly = true;
  }
  return arm(sub, rg, 'Microsoft.Storage', 'storageAccounts', name, location, props, {
    kind: 'StorageV2',
    sku: { name: 'Standard_GRS', tier: 'Standard' },
    tags: t,
  });
}

function aks(sub, rg, name, location, profile, t) {
  const props = {
    provisioningState: 'Succeeded',
    kubernetesVersion: '1.30.6',
    dnsPrefix: name,
    agentPoolProfiles: [
      {
        name: 'system',
        count: 3,
        vmSize: 'Standard_D4s_v5',
        osType: 'Linux',
        mode: 'System',
        enableNodePublicIP: false,
        enableEncryptionAtHost: profile === 'good',
      },
    ],
    nodeResourceGroup: `MC_${rg}_${name}_${location}`,
  };
  if (profile === 'good') {
    Object.assign(props, {
      enableRBAC: true,
      disableLocalAccounts: true,
      aadProfile: { managed: true, enableAzureRBAC: true, tenantID: TENANT_AAD },
      networkProfile: { networkPlugin: 'azure', networkPolicy: 'calico', loadBalancerSku: 'standard' },
      apiServerAccessProfile: { enablePrivateCluster: true },
      addonProfiles: {
        azurepolicy: { enabled: true },
        omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: '/subscriptions/x/law' } },
      },
      securityProfile: { defender: { securityMonitoring: { enabled: true } } },
    });
  } else if (profile === 'bad') {
    Object.assign(props, {
      enableRBAC: false,
      disableLocalAccounts: false,
      networkProfile: { networkPlugin: 'kubenet', loadBalancerSku: 'standard' },
      apiServerAccessProfile: { enablePrivateCluster: false, authorizedIPRanges: ['0.0.0.0/0'] },
      addonProfiles: { azurePolicy: { enabled: false } },
    });
  } else {
    Object.assign(props, { enableRBAC: true });
  }
  return arm(sub, rg, 'Microsoft.ContainerService', 'managedClusters', name, location, props, {
    sku: { name: 'Base', tier: 'Standard' },
    tags: t,
  });
}

function nsg(sub, rg, name, location, profile, t) {
  const rule = (n, priority, port, source, access = 'Allow') => ({
    name: n,
    id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${name}/securityRules/${n}`,
    properties: {
      provisioningState: 'Succeeded',
      protocol: 'Tcp',
      sourcePortRange: '*',
      destinationPortRange: port,
      sourceAddressPrefix: source,
      destinationAddressPrefix: '*',
      access,
      priority,
      direction: 'Inbound',
    },
  });
  const props = { provisioningState: 'Succeeded', defaultSecurityRules: [] };
  if (profile === 'good') props.securityRules = [rule('allow-https-vnet', 100, '443', 'VirtualNetwork'), rule('deny-all', 4096, '*', '*', 'Deny')];
  else if (profile === 'bad') props.securityRules = [rule('allow-ssh-any', 100, '22', '*'), rule('allow-rdp', 110, '3389', 'Internet')];
  return arm(sub, rg, 'Microsoft.Network', 'networkSecurityGroups', name, location, props, { tags: t });
}

function sqlServer(sub, rg, name, location, profile, t) {
  const props = { administratorLogin: 'sqladmin', version: '12.0', state: 'Ready', fullyQualifiedDomainName: `${name}.database.windows.net` };
  if (profile === 'good') Object.assign(props, { publicNetworkAccess: 'Disabled', minimalTlsVersion: '1.2' });
  else if (profile === 'bad') Object.assign(props, { publicNetworkAccess: 'Enabled', minimalTlsVersion: '1.0' });
  else props.publicNetworkAccess = 'Enabled';
  const server = arm(sub, rg, 'Microsoft.Sql', 'servers', name, location, props, { kind: 'v12.0', tags: t });
  if (profile === 'good') {
    child(sub, server.id, 'auditingSettings', 'microsoft.sql/servers/auditingsettings', 'default', {
      state: 'Enabled',
      retentionDays: 400,
      isAzureMonitorTargetEnabled: true,
    });
  }
  return server;
}

// ---- the estate ----------------------------------------------------------------------------
const mix = (i, good, bad) => (i < good ? 'good' : i < good + bad ? 'bad' : 'missing');

// bank_alpha: enterprise, dedicated subscription, dev/staging/prod in eastus, dedicated cluster.
for (const env of ['dev', 'staging', 'prod']) {
  const rg = `rg-bank_alpha-${env}`;
  const t = tags('bank_alpha', env, { 'Compliance-PCI': 'true', 'Compliance-SOX': 'true' });
  const counts = env === 'prod' ? [5, 1, 1] : [2, 2, 1];
  for (let i = 0; i < counts.reduce((a, b) => a + b); i++) {
    keyVault(SUB_ALPHA, rg, `kv-alpha-${env}-${i}`, 'eastus', mix(i, counts[0], counts[1]), t);
    storage(SUB_ALPHA, rg, `stalpha${env}${i}`, 'eastus', mix(i, counts[0], counts[1]), t);
  }
  for (let i = 0; i < 3; i++) nsg(SUB_ALPHA, rg, `nsg-alpha-${env}-${i}`, 'eastus', env === 'prod' ? 'good' : mix(i, 1, 1), t);
  sqlServer(SUB_ALPHA, rg, `sql-alpha-${env}`, 'eastus', env === 'prod' ? 'good' : 'bad', t);
}
aks(SUB_ALPHA, 'rg-bank_alpha-prod', 'aks-bank-alpha-prod', 'eastus', 'good', tags('bank_alpha', 'prod'));
aks(SUB_ALPHA, 'rg-bank_alpha-dev', 'aks-bank-alpha-dev', 'eastus', 'bad', tags('bank_alpha', 'dev'));

// credit_union_beta: standard, shared subscription and shared cluster, dev/prod in westus.
for (const env of ['dev', 'prod']) {
  const rg = `rg-credit_union_beta-${env}`;
  const t = tags('credit_union_beta', env, { 'Compliance-PCI': 'true' });
  for (let i = 0; i < 6; i++) {
    keyVault(SUB_SHARED, rg, `kv-cub-${env}-${i}`, 'westus', mix(i, 3, 2), t);
    storage(SUB_SHARED, rg, `stcub${env}${i}`, 'westus', mix(i, 3, 2), t);
  }
  for (let i = 0; i < 4; i++) nsg(SUB_SHARED, rg, `nsg-cub-${env}-${i}`, 'westus', mix(i, 2, 1), t);
  sqlServer(SUB_SHARED, rg, `sql-cub-${env}`, 'westus', env === 'prod' ? 'good' : 'missing', t);
}

// fintech_gamma: premium, GDPR only (no PCI / SOX verdicts), westeurope, same shared subscription.
for (const env of ['dev', 'prod']) {
  const rg = `rg-fintech_gamma-${env}`;
  const t = tags('fintech_gamma', env);
  for (let i = 0; i < 5; i++) {
    keyVault(SUB_SHARED, rg, `kv-gamma-${env}-${i}`, 'westeurope', mix(i, 3, 1), t);
    storage(SUB_SHARED, rg, `stgamma${env}${i}`, 'westeurope', mix(i, 2, 2), t);
  }
  for (let i = 0; i < 3; i++) nsg(SUB_SHARED, rg, `nsg-gamma-${env}-${i}`, 'westeurope', mix(i, 2, 1), t);
}
// A resource in someone else's resource group that the CustomerID tag assigns to fintech_gamma.
storage(SUB_SHARED, 'rg-data-exchange', 'stgammaexport', 'westeurope', 'bad', { CustomerID: 'fintech_gamma', Environment: 'prod' });

// Platform team: shared cluster, hub network, logging; plus leftovers nobody claims.
const pt = { Environment: 'prod', ManagedBy: 'terraform', Owner: 'platform' };
aks(SUB_PLATFORM, 'rg-platform-aks', 'aks-shared-westus', 'westus', 'good', pt);
keyVault(SUB_PLATFORM, 'rg-platform-security', 'kv-platform-cmk', 'eastus', 'good', pt);
keyVault(SUB_PLATFORM, 'rg-platform-security', 'kv-platform-legacy', 'eastus', 'bad', pt);
storage(SUB_PLATFORM, 'rg-platform-logging', 'stplatformaudit', 'eastus', 'good', { ...pt, DataClass: 'audit-logs' });
for (let i = 0; i < 4; i++) nsg(SUB_PLATFORM, 'rg-platform-hub', `nsg-hub-${i}`, 'eastus', mix(i, 3, 1), pt);
arm(SUB_PLATFORM, 'rg-platform-logging', 'Microsoft.OperationalInsights', 'workspaces', 'law-platform', 'eastus', {
  retentionInDays: 730,
  sku: { name: 'PerGB2018' },
  provisioningState: 'Succeeded',
}, { tags: pt });
storage(SUB_PLATFORM, 'rg-legacy-migration', 'stlegacyftp', 'eastus', 'bad', {});
keyVault(SUB_PLATFORM, 'rg-legacy-migration', 'kv-legacy-import', 'eastus', 'missing', {});

// ---- write one Resource Graph page per subscription -----------------------------------------
mkdirSync(new URL('./estate/', import.meta.url), { recursive: true });
let total = 0;
for (const [sub, data] of pages) {
  total += data.length;
  const page = { totalRecords: data.length, count: data.length, resultTruncated: 'false', facets: [], data };
  writeFileSync(new URL(`./estate/resource-graph-${sub.slice(0, 8)}.json`, import.meta.url), `${JSON.stringify(page, null, 2)}\n`);
}
process.stdout.write(`wrote ${total} resources in ${pages.size} files\n`);
