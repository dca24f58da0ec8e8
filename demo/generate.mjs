#!/usr/bin/env node
// Writes the bundled demo estate: three tenants and a platform team, about 240 resources in the
// shape Resource Graph returns them, with a deliberate mix of compliant, non-compliant and
// missing-property resources. Deterministic: run it again and the files do not change.
// Children (firewall rules, diagnostic settings, role assignments, ...) of a parent whose collection is declared
// (collected()) are written as ARM collection documents, one file each, which tell the audit that the parent's
// children of that type were collected whole, none at all included; other children stay in the page, and their
// parents' checks report the children as not collected.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

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

/** Collection path (`<parent id>/<collection>`) → its subscription, for the collections listed whole. */
const collections = new Map();
/** Each child's collection path. */
const collectionPathOf = new Map();
function collected(sub, path) {
  collections.set(path, sub);
}
function inCollection(path, resource) {
  collectionPathOf.set(resource, path);
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
function child(sub, parentId, suffix, type, name, properties, extra = {}) {
  return inCollection(`${parentId}/${suffix}`, add(sub, {
    id: `${parentId}/${suffix}/${name}`,
    name,
    type,
    tenantId: TENANT_AAD,
    location: extra.location ?? '',
    resourceGroup: parentId.split('/')[4],
    subscriptionId: sub,
    ...(extra.kind !== undefined ? { kind: extra.kind } : {}),
    ...(extra.sku !== undefined ? { sku: extra.sku } : {}),
    properties,
    tags: extra.tags ?? null,
  }));
}

/** Subscription-level resource (no resource group): Defender pricings, role assignments, activity log settings. */
function subLevel(sub, provider, type, name, properties) {
  return inCollection(`/subscriptions/${sub}/providers/${provider}/${type}`, add(sub, {
    id: `/subscriptions/${sub}/providers/${provider}/${type}/${name}`,
    name,
    type: `${provider}/${type}`.toLowerCase(),
    tenantId: TENANT_AAD,
    location: '',
    resourceGroup: '',
    subscriptionId: sub,
    properties,
    tags: null,
  }));
}

/** A stable GUID from a label, so role assignment names and principal ids never change between runs. */
function guid(label) {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const tags = (tenant, env, extra = {}) => ({
  CustomerID: tenant,
  Environment: env,
  ManagedBy: 'terraform',
  ...extra,
});

// profile: 'good' | 'bad' | 'missing' decides each resource's posture.
function keyVault(sub, rg, name, location, profile, t, logsTo = PLATFORM_WORKSPACE) {
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
  // diagnostic settings, keys and secrets are listed for every vault but those of the older API shape, whose
  // checks over them say "not collected" (error)
  if (profile !== 'missing') {
    for (const list of ['providers/microsoft.insights/diagnosticSettings', 'keys', 'secrets']) collected(sub, `${kv.id}/${list}`);
  }
  if (profile === 'good') diagnostics(sub, kv.id, 'AuditEvent', logsTo);
  return kv;
}

/** The platform's Log Analytics workspace (East US), where resources send their logs unless told otherwise. */
const PLATFORM_WORKSPACE = `/subscriptions/${SUB_PLATFORM}/resourceGroups/rg-platform-logging/providers/Microsoft.OperationalInsights/workspaces/law-platform`;

function diagnostics(sub, targetId, category, workspaceId = PLATFORM_WORKSPACE) {
  child(sub, targetId, 'providers/microsoft.insights/diagnosticSettings', 'microsoft.insights/diagnosticsettings', 'to-law', {
    workspaceId,
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
  const account = arm(sub, rg, 'Microsoft.Storage', 'storageAccounts', name, location, props, {
    kind: 'StorageV2',
    sku: { name: 'Standard_GRS', tier: 'Standard' },
    tags: t,
  });
  if (t.DataClass === 'audit-logs') {
    collected(sub, `${account.id}/managementPolicies`);
    collected(sub, `${account.id}/blobServices`);
  }
  return account;
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
  else if (profile === 'bad')
    props.securityRules = [
      rule('allow-ssh-any', 100, '22', '*'),
      rule('allow-rdp', 110, '3389', 'Internet'),
      // A port range that reaches SQL Server (1433) from anywhere: nsg-no-internet-database-ports fails it.
      rule('allow-sql-range', 120, '1430-1440', '*'),
    ];
  return arm(sub, rg, 'Microsoft.Network', 'networkSecurityGroups', name, location, props, { tags: t });
}

// Auditing settings, firewall rules and databases are added per server in the estate below.
function sqlServer(sub, rg, name, location, profile, t) {
  const props = { administratorLogin: 'sqladmin', version: '12.0', state: 'Ready', fullyQualifiedDomainName: `${name}.database.windows.net` };
  if (profile === 'good') {
    Object.assign(props, { publicNetworkAccess: 'Disabled', minimalTlsVersion: '1.2' });
    // Entra administrator inline, as the 2021-11-01 server GET returns it.
    props.administrators = {
      administratorType: 'ActiveDirectory',
      principalType: 'Group',
      login: 'sql-dba-group',
      sid: guid(`${name}/entra-admin`),
      tenantId: TENANT_AAD,
      azureADOnlyAuthentication: true,
    };
  } else if (profile === 'bad') Object.assign(props, { publicNetworkAccess: 'Enabled', minimalTlsVersion: '1.0' });
  else props.publicNetworkAccess = 'Enabled';
  const server = arm(sub, rg, 'Microsoft.Sql', 'servers', name, location, props, { kind: 'v12.0', tags: t });
  for (const children of ['firewallRules', 'auditingSettings']) collected(sub, `${server.id}/${children}`);
  return server;
}

/** Server auditing: `storage` true sends to a storage account (whose retention the check can judge). */
function sqlAuditing(sub, server, state, retentionDays, storage) {
  const props = { state, retentionDays, auditActionsAndGroups: ['SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP', 'FAILED_DATABASE_AUTHENTICATION_GROUP', 'BATCH_COMPLETED_GROUP'], isAzureMonitorTargetEnabled: !storage, isStorageSecondaryKeyInUse: false };
  if (storage) Object.assign(props, { storageEndpoint: 'https://stplatformaudit.blob.core.windows.net/', storageAccountSubscriptionId: SUB_PLATFORM });
  return child(sub, server.id, 'auditingSettings', 'microsoft.sql/servers/auditingsettings', 'default', props);
}

function sqlFirewall(sub, server, name, startIpAddress, endIpAddress) {
  return child(sub, server.id, 'firewallRules', 'microsoft.sql/servers/firewallrules', name, { startIpAddress, endIpAddress });
}

/** A user database; `tde` is the state of its transparentDataEncryption/current child, or null when not collected. */
function sqlDatabase(sub, server, name, tde, t) {
  const db = child(sub, server.id, 'databases', 'microsoft.sql/servers/databases', name, {
    collation: 'SQL_Latin1_General_CP1_CI_AS',
    maxSizeBytes: 34359738368,
    status: 'Online',
    databaseId: guid(`${server.id}/${name}`),
    creationDate: '2025-02-11T09:14:37.043Z',
    currentServiceObjectiveName: 'GP_Gen5_2',
    requestedBackupStorageRedundancy: 'Geo',
    zoneRedundant: false,
  }, { location: server.location, kind: 'v12.0,user,vcore', sku: { name: 'GP_Gen5', tier: 'GeneralPurpose', family: 'Gen5', capacity: 2 }, tags: server.tags });
  if (tde) child(sub, db.id, 'transparentDataEncryption', 'microsoft.sql/servers/databases/transparentdataencryption', 'current', { state: tde });
  return db;
}

const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const lawId = (sub, rg, name) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/${name}`;
const LAW_PLATFORM = lawId(SUB_PLATFORM, 'rg-platform-logging', 'law-platform');

/** Key vault key or secret as the management plane lists them; `exp` null leaves the expiry unset, `attributes` false drops the block. */
function vaultItem(sub, vault, kind, name, { exp = null, attributes = true } = {}) {
  const props =
    kind === 'keys'
      ? { kty: 'RSA', keySize: 3072, keyOps: ['wrapKey', 'unwrapKey'], keyUri: `${vault.properties.vaultUri}keys/${name}` }
      : { contentType: 'text/plain', secretUri: `${vault.properties.vaultUri}secrets/${name}` };
  if (attributes) {
    props.attributes = { enabled: true, created: 1740787200, updated: 1740787200, recoveryLevel: 'Recoverable+Purgeable' };
    if (exp !== null) props.attributes.exp = exp;
  }
  return child(sub, vault.id, kind, `microsoft.keyvault/vaults/${kind}`, name, props, { location: vault.location, tags: {} });
}

/** Lifecycle policy with one base-blob delete rule after `deleteDays` days since modification. */
function managementPolicy(sub, account, deleteDays) {
  return child(sub, account.id, 'managementPolicies', 'microsoft.storage/storageaccounts/managementpolicies', 'default', {
    lastModifiedTime: '2025-04-02T08:15:00.0000000Z',
    policy: {
      rules: [
        {
          enabled: true,
          name: 'audit-log-retention',
          type: 'Lifecycle',
          definition: {
            actions: {
              baseBlob: {
                tierToCool: { daysAfterModificationGreaterThan: 30 },
                tierToArchive: { daysAfterModificationGreaterThan: 180 },
                delete: { daysAfterModificationGreaterThan: deleteDays },
              },
            },
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['insights-logs-', 'am-'] },
          },
        },
      ],
    },
  });
}

/** The account's blob service (BlobServicesList's shape): soft delete kept `days`, versioning on or off. */
function blobService(sub, account, days, versioning) {
  return child(sub, account.id, 'blobServices', 'microsoft.storage/storageaccounts/blobservices', 'default', {
    cors: { corsRules: [] },
    deleteRetentionPolicy: { allowPermanentDelete: false, enabled: true, days },
    containerDeleteRetentionPolicy: { enabled: true, days },
    isVersioningEnabled: versioning,
    changeFeed: { enabled: versioning },
  });
}

/** Virtual network with its subnets, also listed as child rows; `nsg` is an NSG resource or null. */
function vnet(sub, rg, name, location, prefix, subnets, t) {
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;
  const subnetProps = subnets.map(([, nsgRes], i) => {
    const p = { provisioningState: 'Succeeded', addressPrefix: `${prefix}.${i * 64}/26`, privateEndpointNetworkPolicies: 'Disabled' };
    if (nsgRes) p.networkSecurityGroup = { id: nsgRes.id };
    return p;
  });
  arm(sub, rg, 'Microsoft.Network', 'virtualNetworks', name, location, {
    provisioningState: 'Succeeded',
    resourceGuid: guid(id),
    addressSpace: { addressPrefixes: [`${prefix}.0/24`] },
    subnets: subnets.map(([n], i) => ({ name: n, id: `${id}/subnets/${n}`, properties: subnetProps[i] })),
    enableDdosProtection: false,
  }, { tags: t });
  return subnets.map(([n], i) =>
    child(sub, id, 'subnets', 'microsoft.network/virtualnetworks/subnets', n, subnetProps[i]),
  );
}

function networkWatcher(sub, location) {
  // Created by Azure in NetworkWatcherRG, untagged.
  const watcher = arm(sub, 'NetworkWatcherRG', 'Microsoft.Network', 'networkWatchers', `NetworkWatcher_${location}`, location, { provisioningState: 'Succeeded' });
  collected(sub, `${watcher.id}/flowLogs`);
  return watcher;
}

/** `retention` is {enabled, days} or null for a flow log created without a retention policy. */
function flowLog(sub, watcher, name, target, { enabled = true, retention }, t) {
  const props = {
    provisioningState: 'Succeeded',
    targetResourceId: target.id,
    targetResourceGuid: guid(target.id),
    storageId: `/subscriptions/${SUB_PLATFORM}/resourceGroups/rg-platform-logging/providers/Microsoft.Storage/storageAccounts/stplatformaudit`,
    enabled,
    format: { type: 'JSON', version: 2 },
    flowAnalyticsConfiguration: {
      networkWatcherFlowAnalyticsConfiguration: { enabled: true, workspaceResourceId: LAW_PLATFORM, trafficAnalyticsInterval: 60 },
    },
  };
  if (retention) props.retentionPolicy = retention;
  return child(sub, watcher.id, 'flowLogs', 'microsoft.network/networkwatchers/flowlogs', name, props, { location: watcher.location, tags: t });
}

function workspace(sub, rg, name, location, retentionInDays, t) {
  return arm(sub, rg, 'Microsoft.OperationalInsights', 'workspaces', name, location, {
    customerId: guid(`${sub}/${name}`),
    provisioningState: 'Succeeded',
    sku: { name: 'PerGB2018' },
    retentionInDays,
    workspaceCapping: { dailyQuotaGb: -1 },
    publicNetworkAccessForIngestion: 'Enabled',
    publicNetworkAccessForQuery: 'Enabled',
  }, { tags: t });
}

/** Subscription diagnostic setting exporting the activity log; `categories` are the enabled ones. */
function activityLog(sub, name, workspaceId, categories) {
  const all = ['Administrative', 'Security', 'ServiceHealth', 'Alert', 'Recommendation', 'Policy', 'Autoscale', 'ResourceHealth'];
  const logs = categories === 'allLogs'
    ? [{ categoryGroup: 'allLogs', enabled: true }]
    : all.map((category) => ({ category, enabled: categories.includes(category) }));
  return subLevel(sub, 'microsoft.insights', 'diagnosticSettings', name, { workspaceId, logs });
}

/** A VM with its NIC (public IP optional) and OS disk. */
function vm(sub, rg, name, location, { encryptionAtHost, publicIp, disk }, t) {
  const base = `/subscriptions/${sub}/resourceGroups/${rg}/providers`;
  const vmId = `${base}/Microsoft.Compute/virtualMachines/${name}`;
  const nicName = `nic-${name}`;
  const diskName = `${name}_OsDisk_1`;
  const securityProfile = { securityType: 'TrustedLaunch', uefiSettings: { secureBootEnabled: true, vTpmEnabled: true } };
  if (encryptionAtHost !== undefined) securityProfile.encryptionAtHost = encryptionAtHost;
  arm(sub, rg, 'Microsoft.Compute', 'virtualMachines', name, location, {
    vmId: guid(vmId),
    provisioningState: 'Succeeded',
    hardwareProfile: { vmSize: 'Standard_D2s_v5' },
    storageProfile: {
      imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
      osDisk: { osType: 'Linux', name: diskName, createOption: 'FromImage', caching: 'ReadWrite', managedDisk: { storageAccountType: 'Premium_LRS', id: `${base}/Microsoft.Compute/disks/${diskName}` }, diskSizeGB: 64 },
      dataDisks: [],
    },
    osProfile: { computerName: name, adminUsername: 'azureops', linuxConfiguration: { disablePasswordAuthentication: true } },
    networkProfile: { networkInterfaces: [{ id: `${base}/Microsoft.Network/networkInterfaces/${nicName}` }] },
    securityProfile,
  }, { tags: t });
  const ipConfig = { privateIPAddress: '10.20.1.4', privateIPAllocationMethod: 'Dynamic', primary: true, subnet: { id: `${base}/Microsoft.Network/virtualNetworks/vnet/subnets/default` } };
  if (publicIp) {
    const pip = arm(sub, rg, 'Microsoft.Network', 'publicIPAddresses', `pip-${name}`, location, {
      provisioningState: 'Succeeded',
      ipAddress: '20.84.17.201',
      publicIPAddressVersion: 'IPv4',
      publicIPAllocationMethod: 'Static',
      idleTimeoutInMinutes: 4,
      ipConfiguration: { id: `${base}/Microsoft.Network/networkInterfaces/${nicName}/ipConfigurations/ipconfig1` },
    }, { sku: { name: 'Standard', tier: 'Regional' }, tags: t });
    ipConfig.publicIPAddress = { id: pip.id };
  }
  arm(sub, rg, 'Microsoft.Network', 'networkInterfaces', nicName, location, {
    provisioningState: 'Succeeded',
    ipConfigurations: [{ name: 'ipconfig1', id: `${base}/Microsoft.Network/networkInterfaces/${nicName}/ipConfigurations/ipconfig1`, properties: ipConfig }],
    virtualMachine: { id: vmId },
    enableAcceleratedNetworking: true,
    macAddress: '00-0D-3A-1B-2C-3D',
  }, { tags: t });
  managedDisk(sub, rg, diskName, location, disk, t, vmId);
}

/** `encryption` is an encryption object or null (older API: absent); `policy` likewise for networkAccessPolicy. */
function managedDisk(sub, rg, name, location, { encryption, policy }, t, managedBy = '') {
  const props = {
    osType: 'Linux',
    hyperVGeneration: 'V2',
    creationData: { createOption: managedBy ? 'FromImage' : 'Empty' },
    diskSizeGB: managedBy ? 64 : 256,
    diskState: managedBy ? 'Attached' : 'Unattached',
    provisioningState: 'Succeeded',
    timeCreated: '2025-01-20T10:02:11.5144537+00:00',
  };
  if (encryption) props.encryption = encryption;
  if (policy) Object.assign(props, { networkAccessPolicy: policy, publicNetworkAccess: policy === 'AllowAll' ? 'Enabled' : 'Disabled' });
  const d = arm(sub, rg, 'Microsoft.Compute', 'disks', name, location, props, { sku: { name: 'Premium_LRS', tier: 'Premium' }, tags: t });
  d.managedBy = managedBy;
  return d;
}
const desId = (sub, rg) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/diskEncryptionSets/des-cmk`;

function postgres(sub, rg, name, location, { retention, geo, publicAccess, subnet }, t) {
  const network = { publicNetworkAccess: publicAccess };
  if (subnet) Object.assign(network, { delegatedSubnetResourceId: subnet.id, privateDnsZoneArmResourceId: `/subscriptions/${SUB_PLATFORM}/resourceGroups/rg-platform-hub/providers/Microsoft.Network/privateDnsZones/privatelink.postgres.database.azure.com` });
  return arm(sub, rg, 'Microsoft.DBforPostgreSQL', 'flexibleServers', name, location, {
    version: '16',
    state: 'Ready',
    fullyQualifiedDomainName: `${name}.postgres.database.azure.com`,
    administratorLogin: 'pgadmin',
    storage: { storageSizeGB: 128, autoGrow: 'Enabled', tier: 'P10' },
    backup: { backupRetentionDays: retention, geoRedundantBackup: geo, earliestRestoreDate: '2026-11-18T04:00:00Z' },
    network,
    highAvailability: { mode: 'Disabled', state: 'NotEnabled' },
    authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Disabled', tenantId: TENANT_AAD },
  }, { sku: { name: 'Standard_D2ds_v5', tier: 'GeneralPurpose' }, tags: t });
}

/** `tls` null leaves minimumTlsVersion out (caches created before the property existed). */
function redis(sub, rg, name, location, { tls, nonSsl, publicAccess, subnet }, t) {
  const props = {
    provisioningState: 'Succeeded',
    redisVersion: '6.0',
    sku: { name: subnet ? 'Premium' : 'Standard', family: subnet ? 'P' : 'C', capacity: 1 },
    enableNonSslPort: nonSsl,
    publicNetworkAccess: publicAccess,
    hostName: `${name}.redis.cache.windows.net`,
    port: 6379,
    sslPort: 6380,
    redisConfiguration: { maxmemory_policy: 'volatile-lru' },
  };
  if (tls) props.minimumTlsVersion = tls;
  if (subnet) props.subnetId = subnet.id;
  return arm(sub, rg, 'Microsoft.Cache', 'Redis', name, location, props, { tags: t });
}

function registry(sub, rg, name, location, sku, props, t) {
  return arm(sub, rg, 'Microsoft.ContainerRegistry', 'registries', name, location, {
    loginServer: `${name}.azurecr.io`,
    provisioningState: 'Succeeded',
    creationDate: '2025-01-09T12:30:00.0000000Z',
    ...props,
  }, { sku: { name: sku, tier: sku }, tags: t });
}

function pricing(sub, plan, tier, subPlan) {
  const props = { pricingTier: tier, freeTrialRemainingTime: 'PT0S' };
  if (tier === 'Standard') props.enablementTime = '2025-02-01T00:00:00Z';
  if (subPlan) props.subPlan = subPlan;
  return subLevel(sub, 'Microsoft.Security', 'pricings', plan, props);
}

/** Role assignment at `scope`; `principalUserType` stands for the directory lookup the collector adds to User principals. */
function roleAssignment(sub, scope, label, role, principalType, principalUserType) {
  const name = guid(`${scope}/${label}`);
  const props = {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    principalId: guid(`principal/${label}`),
    scope,
    createdOn: '2025-03-01T09:00:00.0000000Z',
  };
  if (principalType) props.principalType = principalType;
  if (principalUserType) props.principalUserType = principalUserType;
  // the subscription-scope list returns the assignments at every scope inside the subscription
  return inCollection(`/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments`, add(sub, {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: 'microsoft.authorization/roleassignments',
    tenantId: TENANT_AAD,
    location: '',
    resourceGroup: scope.split('/')[4] ?? '',
    subscriptionId: sub,
    properties: props,
    tags: null,
  }));
}

function customRole(sub, roleName, actions, assignableScopes) {
  return subLevel(sub, 'Microsoft.Authorization', 'roleDefinitions', guid(`role/${roleName}`), {
    roleName,
    type: 'CustomRole',
    description: `${roleName} (managed in terraform)`,
    assignableScopes,
    permissions: [{ actions, notActions: [], dataActions: [], notDataActions: [] }],
  });
}

// ---- the estate ----------------------------------------------------------------------------
const mix = (i, good, bad) => (i < good ? 'good' : i < good + bad ? 'bad' : 'missing');

const sqlAlpha = {};
const sqlCub = {};
// bank_alpha: enterprise, dedicated subscription, dev/staging/prod in eastus, dedicated cluster.
for (const env of ['dev', 'staging', 'prod']) {
  const rg = `rg-bank_alpha-${env}`;
  const t = tags('bank_alpha', env, { 'Compliance-PCI': 'true', 'Compliance-SOX': 'true' });
  const counts = env === 'prod' ? [5, 1, 1] : [2, 2, 1];
  for (let i = 0; i < counts.reduce((a, b) => a + b); i++) {
    keyVault(SUB_ALPHA, rg, `kv-alpha-${env}-${i}`, 'eastus', mix(i, counts[0], counts[1]), t);
    // stalphaprod0 holds the tenant's audit logs (its lifecycle policy is below).
    const st = env === 'prod' && i === 0 ? { ...t, DataClass: 'audit-logs' } : t;
    storage(SUB_ALPHA, rg, `stalpha${env}${i}`, 'eastus', mix(i, counts[0], counts[1]), st);
  }
  for (let i = 0; i < 3; i++) nsg(SUB_ALPHA, rg, `nsg-alpha-${env}-${i}`, 'eastus', env === 'prod' ? 'good' : mix(i, 1, 1), t);
  sqlAlpha[env] = sqlServer(SUB_ALPHA, rg, `sql-alpha-${env}`, 'eastus', env === 'prod' ? 'good' : 'bad', t);
}
aks(SUB_ALPHA, 'rg-bank_alpha-prod', 'aks-bank-alpha-prod', 'eastus', 'good', tags('bank_alpha', 'prod'));
aks(SUB_ALPHA, 'rg-bank_alpha-dev', 'aks-bank-alpha-dev', 'eastus', 'bad', tags('bank_alpha', 'dev'));

// credit_union_beta: standard, shared subscription and shared cluster, dev/prod in westus.
for (const env of ['dev', 'prod']) {
  const rg = `rg-credit_union_beta-${env}`;
  const t = tags('credit_union_beta', env, { 'Compliance-PCI': 'true' });
  for (let i = 0; i < 6; i++) {
    keyVault(SUB_SHARED, rg, `kv-cub-${env}-${i}`, 'westus', mix(i, 3, 2), t);
    // stcubprod0 holds the tenant's audit logs (its lifecycle policy is below).
    const st = env === 'prod' && i === 0 ? { ...t, DataClass: 'audit-logs' } : t;
    storage(SUB_SHARED, rg, `stcub${env}${i}`, 'westus', mix(i, 3, 2), st);
  }
  for (let i = 0; i < 4; i++) nsg(SUB_SHARED, rg, `nsg-cub-${env}-${i}`, 'westus', mix(i, 2, 1), t);
  sqlCub[env] = sqlServer(SUB_SHARED, rg, `sql-cub-${env}`, 'westus', env === 'prod' ? 'good' : 'missing', t);
}

// fintech_gamma: premium, GDPR and SOC 2 (no PCI / SOX verdicts), westeurope, same shared subscription.
// Residency, as designed: its own workspace in West Europe receives the prod vaults' logs (pass); the dev vaults still
// log to the platform's East US workspace (fail); an analytics workspace and a DR storage account sit in East US
// (fail: region; the GRS account also replicates to West US); every other account is GRS in West Europe, replicating
// to North Europe (pass); the Cosmos DB account keeps its replicas in Europe (pass).
const gammaWorkspace = workspace(SUB_SHARED, 'rg-fintech_gamma-prod', 'law-gamma-prod', 'westeurope', 400, tags('fintech_gamma', 'prod'));
for (const env of ['dev', 'prod']) {
  const rg = `rg-fintech_gamma-${env}`;
  const t = tags('fintech_gamma', env);
  const logsTo = env === 'prod' ? gammaWorkspace.id : PLATFORM_WORKSPACE;
  for (let i = 0; i < 5; i++) {
    keyVault(SUB_SHARED, rg, `kv-gamma-${env}-${i}`, 'westeurope', mix(i, 3, 1), t, logsTo);
    storage(SUB_SHARED, rg, `stgamma${env}${i}`, 'westeurope', mix(i, 2, 2), t);
  }
  for (let i = 0; i < 3; i++) nsg(SUB_SHARED, rg, `nsg-gamma-${env}-${i}`, 'westeurope', mix(i, 2, 1), t);
}
workspace(SUB_SHARED, 'rg-fintech_gamma-prod', 'law-gamma-analytics', 'eastus', 90, tags('fintech_gamma', 'prod'));
storage(SUB_SHARED, 'rg-fintech_gamma-prod', 'stgammadr', 'eastus', 'good', tags('fintech_gamma', 'prod')).properties.secondaryLocation = 'westus';
arm(SUB_SHARED, 'rg-fintech_gamma-prod', 'Microsoft.DocumentDB', 'databaseAccounts', 'cosmos-gamma-prod', 'westeurope', {
  provisioningState: 'Succeeded',
  databaseAccountOfferType: 'Standard',
  publicNetworkAccess: 'Disabled',
  locations: [
    { id: 'cosmos-gamma-prod-westeurope', locationName: 'West Europe', failoverPriority: 0, isZoneRedundant: true },
    { id: 'cosmos-gamma-prod-northeurope', locationName: 'North Europe', failoverPriority: 1, isZoneRedundant: false },
  ],
}, { kind: 'GlobalDocumentDB', tags: tags('fintech_gamma', 'prod') });
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

// ---- beyond vaults, storage and NSGs: the services and controls the other checks read ----------
// Each block states the verdict each resource is designed to get, per check, as [pass, fail, error].
const find = (type, name) => {
  for (const data of pages.values()) for (const r of data) if (r.type === type && r.name === name) return r;
  throw new Error(`demo: no ${type} ${name}`);
};
const nsgOf = (name) => find('microsoft.network/networksecuritygroups', name);
const vaultOf = (name) => find('microsoft.keyvault/vaults', name);
const EXP_2027 = 1798761600; // 2027-01-01T00:00:00Z

// -- bank_alpha ---------------------------------------------------------------------------------
{
  const tp = tags('bank_alpha', 'prod', { 'Compliance-PCI': 'true', 'Compliance-SOX': 'true' });
  const ts = tags('bank_alpha', 'staging', { 'Compliance-PCI': 'true', 'Compliance-SOX': 'true' });
  const td = tags('bank_alpha', 'dev', { 'Compliance-PCI': 'true', 'Compliance-SOX': 'true' });

  // SQL. sql-auditing-enabled: prod pass, staging pass, dev fail (Disabled)            → [2, 1, 0]
  //      sql-audit-retention:  prod pass (400 d to storage), staging fail (90 d), dev fail (not enabled) → [1, 2, 0]
  //      sql-no-allow-all-firewall: dev fail (allow-all-temp 0.0.0.0–255.255.255.255), staging and prod pass → [2, 1, 0]
  //      sql-no-azure-services-firewall-rule: dev and staging fail (AllowAllWindowsAzureIps), prod pass (no rules) → [1, 2, 0]
  //      sql-entra-admin: prod pass (inline ActiveDirectory admin), staging and dev fail → [1, 2, 0]
  //      sql-tde-enabled: prod sqldb-payments pass, dev sqldb-payments fail (Disabled) → [1, 1, 0]
  sqlAuditing(SUB_ALPHA, sqlAlpha.prod, 'Enabled', 400, true);
  sqlAuditing(SUB_ALPHA, sqlAlpha.staging, 'Enabled', 90, true);
  sqlAuditing(SUB_ALPHA, sqlAlpha.dev, 'Disabled', 0, false);
  sqlFirewall(SUB_ALPHA, sqlAlpha.staging, 'AllowAllWindowsAzureIps', '0.0.0.0', '0.0.0.0');
  sqlFirewall(SUB_ALPHA, sqlAlpha.dev, 'AllowAllWindowsAzureIps', '0.0.0.0', '0.0.0.0');
  sqlFirewall(SUB_ALPHA, sqlAlpha.dev, 'allow-all-temp', '0.0.0.0', '255.255.255.255');
  sqlDatabase(SUB_ALPHA, sqlAlpha.prod, 'sqldb-payments', 'Enabled', tp);
  sqlDatabase(SUB_ALPHA, sqlAlpha.dev, 'sqldb-payments', 'Disabled', td);

  // Key vault objects. kv-key-expiry: cmk-storage pass (exp), tde-protector fail (no exp) → [1, 1, 0]
  //                    kv-secret-expiry: sql-admin-password pass, ci-deploy-token error (attributes absent) → [1, 0, 1]
  //   each plus three errors: the vaults of the older API shape had their keys and secrets not listed
  vaultItem(SUB_ALPHA, vaultOf('kv-alpha-prod-0'), 'keys', 'cmk-storage', { exp: EXP_2027 });
  vaultItem(SUB_ALPHA, vaultOf('kv-alpha-prod-0'), 'keys', 'tde-protector');
  vaultItem(SUB_ALPHA, vaultOf('kv-alpha-prod-0'), 'secrets', 'sql-admin-password', { exp: EXP_2027 });
  vaultItem(SUB_ALPHA, vaultOf('kv-alpha-dev-0'), 'secrets', 'ci-deploy-token', { attributes: false });

  // storage-audit-log-lifecycle: stalphaprod0 (DataClass audit-logs) deletes after 365 days → fail [0, 1, 0]
  managementPolicy(SUB_ALPHA, find('microsoft.storage/storageaccounts', 'stalphaprod0'), 365);
  // storage-audit-log-delete-protection: stalphaprod0 keeps soft delete but not versioning → fail [0, 1, 0]
  blobService(SUB_ALPHA, find('microsoft.storage/storageaccounts', 'stalphaprod0'), 7, false);

  // subnet-has-nsg: prod snet-aks, snet-data and dev snet-aks pass; dev snet-build fail → [3, 1, 0]
  vnet(SUB_ALPHA, 'rg-bank_alpha-prod', 'vnet-alpha-prod', 'eastus', '10.20.1', [['snet-aks', nsgOf('nsg-alpha-prod-0')], ['snet-data', nsgOf('nsg-alpha-prod-1')]], tp);
  vnet(SUB_ALPHA, 'rg-bank_alpha-dev', 'vnet-alpha-dev', 'eastus', '10.20.9', [['snet-aks', nsgOf('nsg-alpha-dev-0')], ['snet-build', null]], td);

  // Flow logs live in the subscription's NetworkWatcherRG, which the subscription assigns to bank_alpha.
  // flow-log-retention: fl-nsg-alpha-prod-0 pass (365), fl-nsg-alpha-prod-1 fail (30), fl-vnet-alpha-dev fail (retention off) → [1, 2, 0]
  // nsg-flow-logs-enabled: prod-0, prod-1 (own flow logs) and dev-0 (through vnet-alpha-dev/snet-aks) pass; the other six fail → [3, 6, 0]
  const nw = networkWatcher(SUB_ALPHA, 'eastus');
  flowLog(SUB_ALPHA, nw, 'fl-nsg-alpha-prod-0', nsgOf('nsg-alpha-prod-0'), { retention: { enabled: true, days: 365 } }, tp);
  flowLog(SUB_ALPHA, nw, 'fl-nsg-alpha-prod-1', nsgOf('nsg-alpha-prod-1'), { retention: { enabled: true, days: 30 } }, tp);
  flowLog(SUB_ALPHA, nw, 'fl-vnet-alpha-dev', find('microsoft.network/virtualnetworks', 'vnet-alpha-dev'), { retention: { enabled: false, days: 0 } }, td);

  // log-analytics-retention: law-alpha-prod pass (730) → [1, 0, 0]
  const law = workspace(SUB_ALPHA, 'rg-bank_alpha-prod', 'law-alpha-prod', 'eastus', 730, tp);
  // activity-log-retention: the subscription sends Administrative, Security and Policy to law-alpha-prod → pass [1, 0, 0]
  activityLog(SUB_ALPHA, 'activity-to-law', law.id, ['Administrative', 'Security', 'Policy', 'Alert']);

  // vm-encryption-at-host: vm-alpha-prod-jump pass, vm-alpha-dev-build fail (flag absent) → [1, 1, 0]
  // vm-no-public-ip: nic-vm-alpha-prod-jump pass, nic-vm-alpha-dev-build fail (pip-vm-alpha-dev-build) → [1, 1, 0]
  // disk-encryption-cmk: prod OS disk pass (CustomerKey), dev OS disk fail (PlatformKey) → [1, 1, 0]
  // disk-no-public-network-access: prod DenyAll pass, dev AllowAll fail → [1, 1, 0]
  vm(SUB_ALPHA, 'rg-bank_alpha-prod', 'vm-alpha-prod-jump', 'eastus', {
    encryptionAtHost: true,
    publicIp: false,
    disk: { encryption: { type: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: desId(SUB_ALPHA, 'rg-bank_alpha-prod') }, policy: 'DenyAll' },
  }, tp);
  vm(SUB_ALPHA, 'rg-bank_alpha-dev', 'vm-alpha-dev-build', 'eastus', {
    publicIp: true,
    disk: { encryption: { type: 'EncryptionAtRestWithPlatformKey' }, policy: 'AllowAll' },
  }, td);

  // PostgreSQL: psql-alpha-prod passes all three; psql-alpha-dev fails all three (7 days, no geo backup, public)
  //   postgres-backup-retention, postgres-geo-redundant-backup, postgres-public-network-access: each [1, 1, 0]
  postgres(SUB_ALPHA, 'rg-bank_alpha-prod', 'psql-alpha-prod', 'eastus', { retention: 35, geo: 'Enabled', publicAccess: 'Disabled', subnet: find('microsoft.network/virtualnetworks/subnets', 'snet-data') }, tp);
  postgres(SUB_ALPHA, 'rg-bank_alpha-dev', 'psql-alpha-dev', 'eastus', { retention: 7, geo: 'Disabled', publicAccess: 'Enabled' }, td);

  // Redis: redis-alpha-prod passes all three; redis-alpha-staging has no minimumTlsVersion, the non-TLS port open and public access
  //   redis-min-tls [1, 0, 1], redis-no-non-ssl-port [1, 1, 0], redis-public-network-access [1, 1, 0]
  redis(SUB_ALPHA, 'rg-bank_alpha-prod', 'redis-alpha-prod', 'eastus', { tls: '1.2', nonSsl: false, publicAccess: 'Disabled' }, tp);
  redis(SUB_ALPHA, 'rg-bank_alpha-staging', 'redis-alpha-staging', 'eastus', { tls: null, nonSsl: true, publicAccess: 'Enabled' }, ts);

  // defender-plans-standard: five required plans Standard, Arm Free → [5, 1, 0]
  pricing(SUB_ALPHA, 'VirtualMachines', 'Standard', 'P2');
  pricing(SUB_ALPHA, 'Containers', 'Standard');
  pricing(SUB_ALPHA, 'KeyVaults', 'Standard', 'PerKeyVault');
  pricing(SUB_ALPHA, 'SqlServers', 'Standard');
  pricing(SUB_ALPHA, 'Arm', 'Free');
  pricing(SUB_ALPHA, 'StorageAccounts', 'Standard', 'DefenderForStorageV2');

  // subscription-owner-count: two Owners at subscription scope (a member user, the deployment principal) → pass [1, 0, 0]
  // no-guest-owners: member user pass, service principal pass, guest contractor Owner of rg-bank_alpha-dev fail → [2, 1, 0]
  const scope = `/subscriptions/${SUB_ALPHA}`;
  roleAssignment(SUB_ALPHA, scope, 'alpha-owner-cloudops-lead', OWNER, 'User', 'Member');
  roleAssignment(SUB_ALPHA, scope, 'alpha-owner-terraform', OWNER, 'ServicePrincipal');
  roleAssignment(SUB_ALPHA, scope, 'alpha-contributor-devs', CONTRIBUTOR, 'Group');
  roleAssignment(SUB_ALPHA, `${scope}/resourceGroups/rg-bank_alpha-dev`, 'alpha-owner-contractor', OWNER, 'User', 'Guest');
  // no-custom-role-wildcard: a narrow deployment role → pass [1, 0, 0]
  customRole(SUB_ALPHA, 'Bank Alpha Deployment Operator', ['Microsoft.Resources/deployments/*', 'Microsoft.ContainerService/managedClusters/read'], [scope]);
}

// -- credit_union_beta (shared subscription) ------------------------------------------------------
{
  const tp = tags('credit_union_beta', 'prod', { 'Compliance-PCI': 'true' });
  const td = tags('credit_union_beta', 'dev', { 'Compliance-PCI': 'true' });

  // sql-cub-dev's firewall rules and auditing settings were not listed whole (as when the collector may read the
  // server but not its children): its rows found in the page cannot show that nothing else exists.
  // sql-auditing-enabled: prod pass, dev error (the Disabled setting found may not be the only one) → [1, 0, 1]
  // sql-audit-retention: prod error (sent to a workspace only: retention is the workspace's), dev error → [0, 0, 2]
  // sql-no-allow-all-firewall: dev fail (allow-all-dev, found all the same), prod pass → [1, 1, 0]
  // sql-no-azure-services-firewall-rule: prod fail (AllowAllWindowsAzureIps), dev error (rules not collected) → [0, 1, 1]
  // sql-entra-admin: prod pass, dev fail → [1, 1, 0]
  // sql-tde-enabled: prod sqldb-members pass; dev sqldb-members-dev has no TDE child collected → error by design
  sqlAuditing(SUB_SHARED, sqlCub.prod, 'Enabled', 0, false);
  sqlAuditing(SUB_SHARED, sqlCub.dev, 'Disabled', 0, false);
  for (const children of ['firewallRules', 'auditingSettings']) collections.delete(`${sqlCub.dev.id}/${children}`);
  sqlFirewall(SUB_SHARED, sqlCub.prod, 'AllowAllWindowsAzureIps', '0.0.0.0', '0.0.0.0');
  sqlFirewall(SUB_SHARED, sqlCub.dev, 'allow-all-dev', '0.0.0.0', '255.255.255.255');
  sqlDatabase(SUB_SHARED, sqlCub.prod, 'sqldb-members', 'Enabled', tp);
  sqlDatabase(SUB_SHARED, sqlCub.dev, 'sqldb-members-dev', null, td);

  // kv-secret-expiry: hsm-pin fail (no exp) → [0, 1, 0]; kv-key-expiry: card-data-kek pass → [1, 0, 0]
  //   each plus two errors: the vaults of the older API shape had their keys and secrets not listed
  vaultItem(SUB_SHARED, vaultOf('kv-cub-prod-0'), 'keys', 'card-data-kek', { exp: EXP_2027 });
  vaultItem(SUB_SHARED, vaultOf('kv-cub-prod-0'), 'secrets', 'hsm-pin');

  // storage-audit-log-lifecycle: stcubprod0 deletes after exactly 2555 days (seven years) → pass [1, 0, 0]
  managementPolicy(SUB_SHARED, find('microsoft.storage/storageaccounts', 'stcubprod0'), 2555);
  // storage-audit-log-delete-protection: stcubprod0 soft delete 30 days and versioning → pass [1, 0, 0]
  blobService(SUB_SHARED, find('microsoft.storage/storageaccounts', 'stcubprod0'), 30, true);

  // subnet-has-nsg: prod snet-app and snet-data pass, dev snet-app fail → [2, 1, 0]
  vnet(SUB_SHARED, 'rg-credit_union_beta-prod', 'vnet-cub-prod', 'westus', '10.30.1', [['snet-app', nsgOf('nsg-cub-prod-0')], ['snet-data', nsgOf('nsg-cub-prod-1')]], tp);
  vnet(SUB_SHARED, 'rg-credit_union_beta-dev', 'vnet-cub-dev', 'westus', '10.30.9', [['snet-app', null]], td);

  // The shared subscription's network watcher is the platform's; the tenant's flow log carries its CustomerID tag.
  // flow-log-retention: fl-vnet-cub-prod fail (90 days) → [0, 1, 0]
  // nsg-flow-logs-enabled: nsg-cub-prod-0 and -1 pass through vnet-cub-prod's subnets; the other six fail → [2, 6, 0]
  const nw = networkWatcher(SUB_SHARED, 'westus');
  flowLog(SUB_SHARED, nw, 'fl-vnet-cub-prod', find('microsoft.network/virtualnetworks', 'vnet-cub-prod'), { retention: { enabled: true, days: 90 } }, tp);

  // vm-encryption-at-host: explicitly false → fail [0, 1, 0]; vm-no-public-ip → pass [1, 0, 0]
  // disk-encryption-cmk: disk encryption set only (no encryption.type) → pass; disk-no-public-network-access: AllowPrivate → pass
  vm(SUB_SHARED, 'rg-credit_union_beta-prod', 'vm-cub-prod-batch', 'westus', {
    encryptionAtHost: false,
    publicIp: false,
    disk: { encryption: { diskEncryptionSetId: desId(SUB_SHARED, 'rg-credit_union_beta-prod') }, policy: 'AllowPrivate' },
  }, tp);

  // postgres-backup-retention pass (exactly 14 days), postgres-geo-redundant-backup fail, postgres-public-network-access pass
  postgres(SUB_SHARED, 'rg-credit_union_beta-prod', 'psql-cub-prod', 'westus', { retention: 14, geo: 'Disabled', publicAccess: 'Disabled', subnet: find('microsoft.network/virtualnetworks/subnets', 'snet-app') }, tp);
  // redis-min-tls fail (1.0), redis-no-non-ssl-port pass, redis-public-network-access pass (injected into a subnet although Enabled)
  redis(SUB_SHARED, 'rg-credit_union_beta-prod', 'redis-cub-prod', 'westus', { tls: '1.0', nonSsl: false, publicAccess: 'Enabled', subnet: find('microsoft.network/virtualnetworks/subnets', 'snet-app') }, tp);
  // acr-admin-user-disabled fail, acr-anonymous-pull-disabled error (absent on this older registry), acr-public-network-access fail
  registry(SUB_SHARED, 'rg-credit_union_beta-prod', 'acrcubprod', 'westus', 'Standard', { adminUserEnabled: true, publicNetworkAccess: 'Enabled' }, tp);
}

// -- platform --------------------------------------------------------------------------------------
{
  // defender-plans-standard: every required plan Standard in the platform and shared subscriptions (neither has
  // one tenant, so both report here) → [12, 0, 0]; a live subscription without its pricings would be six errors
  for (const sub of [SUB_PLATFORM, SUB_SHARED]) {
    for (const plan of ['VirtualMachines', 'Containers', 'KeyVaults', 'SqlServers', 'Arm', 'StorageAccounts']) pricing(sub, plan, 'Standard');
  }

  // storage-audit-log-lifecycle: stplatformaudit deletes after 2920 days → pass [1, 0, 0]
  managementPolicy(SUB_PLATFORM, find('microsoft.storage/storageaccounts', 'stplatformaudit'), 2920);
  // storage-audit-log-delete-protection: stplatformaudit soft delete 90 days and versioning → pass [1, 0, 0]
  blobService(SUB_PLATFORM, find('microsoft.storage/storageaccounts', 'stplatformaudit'), 90, true);

  // subnet-has-nsg: snet-shared-services and snet-mgmt pass, GatewaySubnet exempt, snet-aks-shared fail → [2, 1, 0]
  vnet(SUB_PLATFORM, 'rg-platform-hub', 'vnet-hub', 'eastus', '10.0.0', [['GatewaySubnet', null], ['snet-shared-services', nsgOf('nsg-hub-0')], ['snet-mgmt', nsgOf('nsg-hub-3')], ['snet-aks-shared', null]], pt);

  // flow-log-retention: fl-vnet-hub pass (days 0: kept forever), fl-nsg-hub-1 error (no retentionPolicy) → [1, 0, 1]
  // nsg-flow-logs-enabled: hub-0 and hub-3 through vnet-hub, hub-1 by its own log pass; hub-2 fail → [3, 1, 0]
  const nwEast = networkWatcher(SUB_PLATFORM, 'eastus');
  flowLog(SUB_PLATFORM, nwEast, 'fl-vnet-hub', find('microsoft.network/virtualnetworks', 'vnet-hub'), { retention: { enabled: true, days: 0 } }, pt);
  flowLog(SUB_PLATFORM, nwEast, 'fl-nsg-hub-1', nsgOf('nsg-hub-1'), { retention: null }, pt);

  // log-analytics-retention: law-platform pass (730, above), law-platform-sandbox fail (30) → [1, 1, 0]
  workspace(SUB_PLATFORM, 'rg-platform-sandbox', 'law-platform-sandbox', 'eastus', 30, { ...pt, Environment: 'sandbox' });

  // activity-log-retention: the shared subscription omits Policy → fail; the platform subscription sends allLogs → pass [1, 1, 0]
  activityLog(SUB_SHARED, 'activity-to-law', LAW_PLATFORM, ['Administrative', 'Security']);
  activityLog(SUB_PLATFORM, 'activity-to-law', LAW_PLATFORM, 'allLogs');

  // subscription-owner-count: the shared subscription has four Owners → fail; the platform one two → pass [1, 1, 0]
  // no-guest-owners: two member users and the platform group pass; the guest and the foreign group fail;
  //   the Owner listed without principalType (raw ARM shape, no directory lookup) is an error → [3, 2, 1]
  const shared = `/subscriptions/${SUB_SHARED}`;
  const platform = `/subscriptions/${SUB_PLATFORM}`;
  roleAssignment(SUB_SHARED, shared, 'shared-owner-platform-lead', OWNER, 'User', 'Member');
  roleAssignment(SUB_SHARED, shared, 'shared-owner-sre-oncall', OWNER, 'User', 'Member');
  roleAssignment(SUB_SHARED, shared, 'shared-owner-vendor', OWNER, 'User', 'Guest');
  roleAssignment(SUB_SHARED, shared, 'shared-owner-msp', OWNER, 'ForeignGroup');
  roleAssignment(SUB_PLATFORM, platform, 'platform-owner-group', OWNER, 'Group');
  roleAssignment(SUB_PLATFORM, platform, 'platform-owner-breakglass', OWNER, null);

  // no-custom-role-wildcard: "*" assignable at the shared subscription fail; "*" only at a resource group pass → [1, 1, 0]
  customRole(SUB_SHARED, 'Platform Break Glass', ['*'], [shared]);
  customRole(SUB_PLATFORM, 'AKS Node Pool Operator', ['*'], [`${platform}/resourceGroups/rg-platform-aks`]);

  // acr-admin-user-disabled, acr-anonymous-pull-disabled, acr-public-network-access: all pass
  registry(SUB_PLATFORM, 'rg-platform-aks', 'acrplatformshared', 'westus', 'Premium', {
    adminUserEnabled: false,
    anonymousPullEnabled: false,
    publicNetworkAccess: 'Disabled',
    networkRuleSet: { defaultAction: 'Deny', ipRules: [] },
    networkRuleBypassOptions: 'AzureServices',
  }, pt);

  // disk-encryption-cmk and disk-no-public-network-access: an unattached disk from an old migration,
  // listed without encryption or networkAccessPolicy → error in both
  managedDisk(SUB_PLATFORM, 'rg-legacy-migration', 'disk-legacy-ftp-data', 'eastus', { encryption: null, policy: null }, {});
}

// ---- Azure Policy: latest states of the built-in PCI DSS v4.0.1 initiative, assigned to each subscription --------
// Each entry is one of the initiative's definitions, the groups the initiative puts it in, and the state it gives a
// resource of the estate, as Azure Policy would evaluate it. The designed requirement verdicts (report.json):
//   bank_alpha 7.2.5: the Owner checks pass, storage public access is NonCompliant → fail, decided by azure-policy
//   bank_alpha 4.2.1: storage-https-only fails and secure transfer is NonCompliant → fail, decided by both
//   bank_alpha 2.2.1: the Azure Policy add-on check fails; the dev cluster is Exempt → fail, decided by checks
//   bank_alpha 9.4.1.2: a manual control of the initiative, Unknown until attested → error, decided by azure-policy
//   credit_union_beta 1.2.5: no check applies; its VM's management ports are closed → pass_partial, by azure-policy
//   _platform 2.2.1: the add-on check passes; the shared cluster allows a privileged container → fail, by azure-policy
//   _platform 5.2.1: Defender checks pass and Defender for Containers is Compliant → pass_partial, decided by both
const PCI_INITIATIVE = '/providers/Microsoft.Authorization/policySetDefinitions/a06d5deb-24aa-4991-9d58-fa7563154e31';
const pciGroups = (...ids) => ids.map((id) => `PCI_DSS_v4.0.1_${id}`);
const childOf = (parent, type) => [...pages.values()].flat().find((r) => r.type === type && r.id.startsWith(`${parent.id}/`));
const hasPublicIp = (vmRow) => [...pages.values()].flat().some((r) => r.name === `pip-${vmRow.name}`);
const privileged = { 'aks-bank-alpha-prod': 'Compliant', 'aks-bank-alpha-dev': 'Exempt', 'aks-shared-westus': 'NonCompliant' };
const POLICIES = [
  {
    // Secure transfer to storage accounts should be enabled
    definition: '404c3081-a854-4457-ae30-26a93ef643f9',
    groups: pciGroups('1.4.4', '3.5.1.1', '3.6.1', '3.6.1.1', '3.7.1', '3.7.2', '3.7.3', '3.7.5', '3.7.6', '3.7.7', '3.7.8', '4.2.1'),
    type: 'microsoft.storage/storageaccounts',
    state: (r) => (r.properties.supportsHttpsTrafficOnly === true ? 'Compliant' : 'NonCompliant'),
  },
  {
    // Storage account public access should be disallowed (absent: allowed, as older accounts were created)
    definition: '4fa4b6c0-31ca-4c0d-b10d-24b96f62a751',
    groups: pciGroups('1.4.4', '7.2.1', '7.2.2', '7.2.3', '7.2.4', '7.2.5', '7.2.5.1', '7.2.6', '7.3.1'),
    type: 'microsoft.storage/storageaccounts',
    state: (r) => (r.properties.allowBlobPublicAccess === false ? 'Compliant' : 'NonCompliant'),
  },
  {
    // Management ports should be closed on your virtual machines
    definition: '22730e10-96f6-4aac-ad84-9383d35b5917',
    groups: pciGroups('1.2.5', '2.2.4', '7.2.3', '7.2.4', '7.2.5.1'),
    type: 'microsoft.compute/virtualmachines',
    state: (r) => (hasPublicIp(r) ? 'NonCompliant' : 'Compliant'),
  },
  {
    // Auditing on SQL server should be enabled
    definition: 'a6fb4358-5bf4-4ad7-ba82-2cd2f41ce5e9',
    groups: pciGroups('10.2.2', '10.4.2.1'),
    type: 'microsoft.sql/servers',
    state: (r) => (childOf(r, 'microsoft.sql/servers/auditingsettings')?.properties.state === 'Enabled' ? 'Compliant' : 'NonCompliant'),
  },
  {
    // Kubernetes cluster should not allow privileged containers (the dev cluster is exempt while its CNI is replaced)
    definition: '95edb821-ddaf-4404-9732-666045e056b4',
    groups: pciGroups('2.2.1'),
    type: 'microsoft.containerservice/managedclusters',
    state: (r) => privileged[r.name],
  },
  {
    // Microsoft Defender for Containers should be enabled
    definition: '1c988dd6-ade4-430f-a608-2a3e5b0a6d38',
    groups: pciGroups('1.4.4', '11.3.1', '11.3.1.1', '11.4.4', '12.4.1', '2.2.1', '5.2.1', '5.2.2', '5.2.3', '5.3.1', '5.3.2', '5.3.3', '6.4.1'),
    type: 'subscription',
    state: (sub) =>
      pages.get(sub).some((r) => r.type === 'microsoft.security/pricings' && r.name === 'Containers' && r.properties.pricingTier === 'Standard')
        ? 'Compliant'
        : 'NonCompliant',
  },
  {
    // A manual control of the initiative (effect Manual): its state stays Unknown until someone attests it
    definition: 'fc26e2fd-3149-74b4-5988-d64bb90f8ef7',
    groups: pciGroups('9.4.1.2'),
    type: 'subscription',
    state: () => 'Unknown',
  },
];

/** A latest policy state as Policy Insights answers one (every field of its query results). */
function policyState(sub, resourceId, policy, state) {
  const assignment = `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/pci-dss-v4-0-1`;
  const type = /\/providers\/([^/]+\/[^/]+)\/[^/]+$/.exec(resourceId)?.[1] ?? 'Microsoft.Resources/subscriptions';
  return {
    '@odata.id': null,
    '@odata.context': `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.PolicyInsights/policyStates/$metadata#latest/$entity`,
    timestamp: '2026-11-24T03:12:45.0452031Z',
    resourceId,
    policyAssignmentId: assignment,
    policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${policy.definition}`,
    effectiveParameters: '',
    isCompliant: state === 'Compliant',
    subscriptionId: sub,
    resourceType: `/${type}`,
    resourceLocation: /\/resourceGroups\//.test(resourceId) ? [...pages.get(sub)].find((r) => r.id === resourceId)?.location ?? 'eastus' : '',
    resourceGroup: /\/resourceGroups\/([^/]+)/.exec(resourceId)?.[1] ?? '',
    resourceTags: 'tbd',
    policyAssignmentName: 'pci-dss-v4-0-1',
    policyAssignmentOwner: 'tbd',
    policyAssignmentParameters: '{}',
    policyAssignmentScope: `/subscriptions/${sub}`,
    policyDefinitionName: policy.definition,
    policyDefinitionAction: state === 'Unknown' ? 'manual' : 'auditifnotexists',
    policyDefinitionCategory: 'tbd',
    policySetDefinitionId: PCI_INITIATIVE,
    policySetDefinitionName: PCI_INITIATIVE.split('/').pop(),
    policySetDefinitionOwner: null,
    policySetDefinitionCategory: 'Regulatory Compliance',
    policySetDefinitionParameters: null,
    managementGroupIds: '',
    policyDefinitionReferenceId: policy.definition,
    complianceState: state,
    policyDefinitionGroupNames: policy.groups,
    policyDefinitionVersion: '1.0.0',
    policySetDefinitionVersion: '1.6.0',
    policyAssignmentVersion: '1.6.0',
  };
}

const policyStates = new Map();
for (const [sub, rows] of pages) {
  const states = [];
  for (const policy of POLICIES) {
    if (policy.type === 'subscription') states.push(policyState(sub, `/subscriptions/${sub}`, policy, policy.state(sub)));
    else for (const r of rows.filter((x) => x.type === policy.type)) states.push(policyState(sub, r.id, policy, policy.state(r)));
  }
  policyStates.set(sub, states);
}
// A storage account created after the Resource Graph export: Azure Policy has evaluated it, Resource Graph has not
// listed it; its states are credit_union_beta's by its resource group.
const archive = `/subscriptions/${SUB_SHARED}/resourceGroups/rg-credit_union_beta-prod/providers/Microsoft.Storage/storageAccounts/stcubarchive`;
for (const policy of POLICIES.slice(0, 2)) policyStates.get(SUB_SHARED).push(policyState(SUB_SHARED, archive, policy, 'Compliant'));

// ---- write one Resource Graph page per subscription, and its collection documents ------------
// Role assignments, activity-log settings and Defender pricings are listed whole for every subscription.
for (const sub of pages.keys()) {
  for (const list of ['Microsoft.Authorization/roleAssignments', 'microsoft.insights/diagnosticSettings', 'Microsoft.Security/pricings'])
    collected(sub, `/subscriptions/${sub}/providers/${list}`);
}

/**
 * `…/servers/sql1/firewallRules` → `firewallRules-<hash of the path>.json`. Every tenant's report lists the files
 * read (source status), so a file name must not carry one tenant's resource names.
 */
const fileFor = (path) => `${path.slice(path.lastIndexOf('/') + 1)}-${createHash('sha256').update(path).digest('hex').slice(0, 8)}.json`;

const estate = new URL('./estate/', import.meta.url);
mkdirSync(estate, { recursive: true });
// Only what this script writes: estate/kubernetes/ holds hand-designed cluster objects (see its DESIGN.md).
for (const entry of readdirSync(estate)) {
  if (entry.startsWith('resource-graph-') || entry.startsWith('children-') || entry === 'policy') rmSync(new URL(entry, estate), { recursive: true });
}
let total = 0;
let files = 0;
for (const [sub, rows] of pages) {
  total += rows.length;
  const docs = new Map([...collections].filter(([, s]) => s === sub).map(([path]) => [path, []]));
  const data = [];
  for (const r of rows) (docs.get(collectionPathOf.get(r)) ?? data).push(r);
  const page = { totalRecords: data.length, count: data.length, resultTruncated: 'false', facets: [], data };
  writeFileSync(new URL(`resource-graph-${sub.slice(0, 8)}.json`, estate), `${JSON.stringify(page, null, 2)}\n`);
  const dir = new URL(`children-${sub.slice(0, 8)}/`, estate);
  mkdirSync(dir);
  for (const [path, value] of docs) writeFileSync(new URL(fileFor(path), dir), `${JSON.stringify({ id: path, value }, null, 2)}\n`);
  files += 1 + docs.size;
}
const policyDir = new URL('policy/', estate);
mkdirSync(policyDir);
let stateCount = 0;
for (const [sub, value] of policyStates) {
  stateCount += value.length;
  const context = `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.PolicyInsights/policyStates/$metadata#latest`;
  const doc = { '@odata.nextLink': null, '@odata.context': context, '@odata.count': value.length, value };
  writeFileSync(new URL(`policy-states-${sub.slice(0, 8)}.json`, policyDir), `${JSON.stringify(doc, null, 2)}\n`);
}
process.stdout.write(`wrote ${total} resources in ${files} files, ${stateCount} policy states in ${policyStates.size}\n`);
