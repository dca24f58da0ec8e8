import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalisePlan, SUPPORTED_AZURERM_TYPES } from '../../../src/collectors/terraform-plan/index.js';
import { UsageError } from '../../../src/errors.js';
import type { ResourceRow } from '../../../src/model.js';
import { buildPlan, UNKNOWN, unchanged } from '../../support/plan-builder.js';
import { itReal, realJson } from '../../support/real-data.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/plans/${name}`, import.meta.url), 'utf8'));
const platform = normalisePlan(fixture('platform-azurerm4.plan.json'), 'platform.plan.json');
const legacy = normalisePlan(fixture('bank-azurerm3-legacy.plan.json'), 'legacy.plan.json');
const row = (rows: ResourceRow[], address: string): ResourceRow => {
  const r = rows.find((x) => x.plan_address === address);
  if (!r) throw new Error(`no row for ${address}`);
  return r;
};
// biome-ignore lint/suspicious/noExplicitAny: tests read deep into ARM JSON
type AnyJson = any;
const props = (rows: ResourceRow[], address: string) => row(rows, address).properties as Record<string, AnyJson>;

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('plan shape', () => {
  it('refuses a Terraform state (show -json of state, and a raw .tfstate)', () => {
    const state = { format_version: '1.0', terraform_version: '1.9.5', values: { root_module: {} } };
    expect(usageError(() => normalisePlan(state, 'plan.json'))).toBe(
      'plan.json: a Terraform state, not a plan (run terraform show -json on a saved plan)',
    );
    const raw = { version: 4, terraform_version: '1.9.5', serial: 3, lineage: 'x', resources: [] };
    expect(usageError(() => normalisePlan(raw, 'plan.json'))).toBe(
      'plan.json: a Terraform state, not a plan (run terraform show -json on a saved plan)',
    );
  });

  it('refuses JSON without format_version, or with the wrong types', () => {
    expect(usageError(() => normalisePlan({ resource_changes: [] }, 'plan.json'))).toBe(
      'plan.json: not a terraform plan (no format_version)',
    );
    expect(usageError(() => normalisePlan([1, 2], 'plan.json'))).toBe(
      'plan.json: not a terraform plan (top level is an array, not an object)',
    );
    expect(usageError(() => normalisePlan({ format_version: 1.2 }, 'plan.json'))).toBe(
      'plan.json: format_version is a number, expected a string',
    );
    expect(usageError(() => normalisePlan({ format_version: '1.2', resource_changes: {} }, 'plan.json'))).toBe(
      'plan.json: resource_changes is an object, expected an array',
    );
    expect(usageError(() => normalisePlan({ format_version: '1.2', resource_changes: [{ address: 'azurerm_x.y' }] }, 'p'))).toBe(
      'p: resource_changes[0].change.actions is missing',
    );
    expect(
      usageError(() => normalisePlan({ format_version: '1.2', planned_values: { root_module: { child_modules: {} } } }, 'p')),
    ).toBe('p: planned_values.root_module.child_modules is not an array');
  });

  it('returns no rows for a plan with no resources', () => {
    const r = normalisePlan({ format_version: '1.2', terraform_version: '1.9.5', planned_values: { root_module: {} } }, 'p');
    expect(r).toEqual({
      rows: [],
      formatVersion: '1.2',
      terraformVersion: '1.9.5',
      warnings: [],
      counts: { resources: 0, azurerm: 0, mapped: 0, unmapped: {} },
      moduleSources: new Map(),
    });
  });

  it('warns on an unknown format_version and still reads the plan', () => {
    const plan = {
      format_version: '2.0',
      resource_changes: [
        {
          address: 'azurerm_resource_group.rg',
          mode: 'managed',
          type: 'azurerm_resource_group',
          name: 'rg',
          change: {
            actions: ['create'],
            before: null,
            after: { name: 'rg-x', location: 'West Europe' },
            after_unknown: { id: true },
          },
        },
      ],
    };
    const r = normalisePlan(plan, 'plan.json');
    expect(r.warnings).toEqual([
      'plan.json: unknown plan format_version "2.0" (known: 0.1, 0.2, 1.0, 1.1, 1.2); reading it as 1.2',
    ]);
    expect(r.rows.map((x) => [x.id, x.type, x.name, x.location])).toEqual([
      ['plan://azurerm_resource_group.rg', 'microsoft.resources/resourcegroups', 'rg-x', 'westeurope'],
    ]);
  });
});

describe('counts, warnings and actions (platform fixture, azurerm 4.x, format 1.2)', () => {
  it('counts every managed resource, emits azurerm ones it maps, names the ones it does not', () => {
    expect(platform.formatVersion).toBe('1.2');
    expect(platform.terraformVersion).toBe('1.9.5');
    expect(platform.counts).toEqual({
      resources: 30,
      azurerm: 29,
      mapped: 28,
      unmapped: { azurerm_application_insights: 1 },
    });
    expect(platform.warnings).toEqual([
      'platform.plan.json: 1 azurerm resource(s) of types Compline does not map are not evaluated except for plaintext secrets: azurerm_application_insights (1)',
    ]);
    const addresses = platform.rows.map((r) => r.plan_address);
    expect(addresses).not.toContain('module.platform.random_password.sql');
    expect(addresses).not.toContain('data.azurerm_subscription.current');
    expect(addresses).not.toContain('azurerm_application_insights.web');
    // merged into what they attach to: no rows of their own
    expect(addresses).not.toContain('azurerm_network_security_rule.db["ssh"]');
    expect(addresses).not.toContain('azurerm_storage_account_network_rules.data');
    expect(addresses).not.toContain('azurerm_subnet_network_security_group_association.app[0]');
    expect(platform.rows).toHaveLength(24);
    for (const r of platform.rows) {
      expect(r.origin).toBe('plan');
      expect(r.id).toBe(`plan://${r.plan_address}`);
      expect(r.tenant_id).toBeNull();
    }
  });

  it('emits a deleted resource from before with ["delete"], and a replace with its after values', () => {
    const pip = row(platform.rows, 'azurerm_public_ip.old');
    expect(pip.plan_actions).toEqual(['delete']);
    expect(pip.name).toBe('pip-acme-old');
    expect(pip.subscription_id).toBe('0b1f6471-1bf0-4dda-aec3-cb9272f09590');
    expect(pip.sku).toEqual({ name: 'Standard' });
    expect(pip.properties).toEqual({
      publicIPAllocationMethod: 'Static',
      publicIPAddressVersion: 'IPv4',
      idleTimeoutInMinutes: 4,
    });
    const disk = row(platform.rows, 'azurerm_managed_disk.data');
    expect(disk.plan_actions).toEqual(['delete', 'create']);
    expect(disk.properties).toEqual({
      diskSizeGB: 256,
      creationData: { createOption: 'Empty' },
      encryption: { type: 'EncryptionAtRestWithCustomerKey' },
      networkAccessPolicy: 'DenyAll',
      publicNetworkAccess: 'Disabled',
    });
    expect(disk.unknown_paths).toEqual(['properties.encryption.diskEncryptionSetId']);
    expect(row(platform.rows, 'azurerm_mssql_server.main').plan_actions).toEqual(['no-op']);
  });

  it('fills the common columns', () => {
    const kv = row(platform.rows, 'module.platform.azurerm_key_vault.kv');
    expect([kv.type, kv.name, kv.location, kv.resource_group, kv.subscription_id, kv.tags]).toEqual([
      'microsoft.keyvault/vaults',
      'kv-acme-prod',
      'westeurope',
      'rg-acme-prod',
      null,
      { CustomerID: 'acme' },
    ]);
    expect(kv.sku).toEqual({ name: 'premium', family: 'A' });
    const rg = row(platform.rows, 'azurerm_resource_group.main');
    expect([rg.subscription_id, rg.resource_group]).toEqual(['0b1f6471-1bf0-4dda-aec3-cb9272f09590', 'rg-acme-prod']);
  });
});

describe('ARM properties from azurerm 4.x names', () => {
  it('key vault', () => {
    expect(props(platform.rows, 'module.platform.azurerm_key_vault.kv')).toEqual({
      sku: { family: 'A', name: 'premium' },
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      enablePurgeProtection: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: true,
      publicNetworkAccess: 'Disabled',
      enabledForDeployment: false,
      enabledForDiskEncryption: true,
      enabledForTemplateDeployment: false,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'AzureServices',
        ipRules: [{ value: '203.0.113.0/24' }],
        virtualNetworkRules: [],
      },
    });
    // enableSoftDelete is not in the plan: it stays absent rather than assumed.
    expect(row(platform.rows, 'module.platform.azurerm_key_vault.kv').unknown_paths).toEqual(['properties.accessPolicies']);
  });

  it('key vault keys and secrets: expiry as epoch seconds, parent resolved inside the module', () => {
    const key = row(platform.rows, 'module.platform.azurerm_key_vault_key.cmk');
    expect(key.parent_id).toBe('plan://module.platform.azurerm_key_vault.kv');
    expect(key.properties).toEqual({
      kty: 'RSA-HSM',
      keySize: 3072,
      keyOps: ['unwrapKey', 'wrapKey'],
      attributes: { exp: 1782777600 },
    });
    const app = row(platform.rows, 'module.platform.azurerm_key_vault_secret.db["app"]');
    expect(app.properties).toEqual({ attributes: { exp: 1767225599 } });
    expect(app.parent_id).toBe('plan://module.platform.azurerm_key_vault.kv');
    expect(app.secrets).toEqual([]);
  });

  it('storage accounts for_each, with separate network rules merged into the right instance', () => {
    const data = row(platform.rows, 'azurerm_storage_account.sa["data"]');
    expect(data.sku).toEqual({ name: 'Standard_GRS', tier: 'Standard' });
    expect(data.properties).toEqual({
      supportsHttpsTrafficOnly: false,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: true,
      allowSharedKeyAccess: false,
      publicNetworkAccess: 'Enabled',
      isHnsEnabled: false,
      accessTier: 'Hot',
      encryption: { requireInfrastructureEncryption: true, keySource: 'Microsoft.Storage' },
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'AzureServices, Logging',
        ipRules: [{ value: '198.51.100.7', action: 'Allow' }],
        virtualNetworkRules: [],
      },
    });
    expect(data.unknown_paths).toEqual([]);
    // No separate rules for "logs": its computed network_rules stay unknown.
    expect(row(platform.rows, 'azurerm_storage_account.sa["logs"]').unknown_paths).toEqual(['properties.networkAcls']);
  });

  it('storage management policy in ARM rule shape, -1 days dropped', () => {
    const mp = row(platform.rows, 'azurerm_storage_management_policy.logs');
    expect([mp.type, mp.name, mp.parent_id]).toEqual([
      'microsoft.storage/storageaccounts/managementpolicies',
      'default',
      'plan://azurerm_storage_account.sa["logs"]',
    ]);
    expect(mp.properties).toEqual({
      policy: {
        rules: [
          {
            name: 'audit-retention',
            enabled: true,
            type: 'Lifecycle',
            definition: {
              filters: { prefixMatch: ['insights-logs/'], blobTypes: ['blockBlob'] },
              actions: {
                baseBlob: {
                  tierToCool: { daysAfterModificationGreaterThan: 30 },
                  tierToArchive: { daysAfterModificationGreaterThan: 180 },
                  delete: { daysAfterModificationGreaterThan: 2555 },
                },
              },
            },
          },
        ],
      },
    });
  });

  it('NSG: inline rules in ARM shape', () => {
    expect(props(platform.rows, 'azurerm_network_security_group.app').securityRules).toEqual([
      {
        name: 'rdp-from-internet',
        properties: {
          priority: 200,
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          sourcePortRange: '*',
          sourcePortRanges: [],
          destinationPortRanges: ['443', '3389'],
          sourceAddressPrefix: 'Internet',
          sourceAddressPrefixes: [],
          destinationAddressPrefix: '*',
          destinationAddressPrefixes: [],
          sourceApplicationSecurityGroups: [],
          destinationApplicationSecurityGroups: [],
        },
      },
    ]);
  });

  it('NSG: separate rules merged once, their unknowns under securityRules[*], the computed inline list no longer unknown', () => {
    const nsg = row(platform.rows, 'azurerm_network_security_group.db');
    expect((nsg.properties as AnyJson).securityRules).toEqual([
      {
        name: 'allow-ssh',
        properties: {
          priority: 100,
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          sourcePortRange: '*',
          destinationPortRange: '22',
          sourceAddressPrefix: '0.0.0.0/0',
          destinationAddressPrefix: 'VirtualNetwork',
        },
      },
      {
        name: 'allow-sql',
        properties: {
          priority: 110,
          direction: 'Inbound',
          access: 'Allow',
          protocol: 'Tcp',
          sourcePortRange: '*',
          destinationPortRange: '1433',
          destinationAddressPrefix: 'VirtualNetwork',
        },
      },
    ]);
    expect(nsg.unknown_paths).toEqual(['properties.securityRules[*].properties.sourceAddressPrefix']);
  });

  it('NSG rule for an NSG outside the plan stays a securityrules row of its own', () => {
    const rule = row(platform.rows, 'azurerm_network_security_rule.legacy');
    expect([rule.type, rule.name, rule.resource_group, rule.parent_id]).toEqual([
      'microsoft.network/networksecuritygroups/securityrules',
      'allow-https',
      'rg-shared',
      null,
    ]);
    expect(rule.properties).toEqual({
      priority: 300,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourcePortRange: '*',
      destinationPortRange: '443',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: '*',
    });
  });

  it('subnet gets its NSG from the association (count.index reference)', () => {
    expect(props(platform.rows, 'azurerm_subnet.app[0]')).toEqual({
      addressPrefixes: ['10.20.0.0/24'],
      serviceEndpoints: [{ service: 'Microsoft.Storage' }],
      privateEndpointNetworkPolicies: 'Disabled',
      delegations: [],
      networkSecurityGroup: { id: 'plan://azurerm_network_security_group.app' },
    });
  });

  it('existing associations carry their parent id: the subnet and the account still get them, in either order', () => {
    const subnetId =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app';
    const nsgId =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg';
    const stId =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1';
    const changes = [
      unchanged('azurerm_subnet_network_security_group_association', 'app', {
        id: subnetId,
        subnet_id: subnetId,
        network_security_group_id: nsgId,
      }),
      unchanged('azurerm_storage_account_network_rules', 'st', { id: stId, storage_account_id: stId, default_action: 'Deny' }),
      unchanged('azurerm_subnet', 'app', {
        id: subnetId,
        name: 'app',
        resource_group_name: 'rg',
        address_prefixes: ['10.0.0.0/24'],
      }),
      unchanged('azurerm_network_security_group', 'nsg', {
        id: nsgId,
        name: 'nsg',
        resource_group_name: 'rg',
        location: 'westeurope',
      }),
      unchanged('azurerm_storage_account', 'st', { id: stId, name: 'st1', resource_group_name: 'rg', network_rules: [] }),
    ];
    for (const order of [changes, [...changes].reverse()]) {
      const r = normalisePlan({ format_version: '1.2', resource_changes: order }, 'p');
      expect(r.rows.map((x) => x.plan_address).sort()).toEqual([
        'azurerm_network_security_group.nsg',
        'azurerm_storage_account.st',
        'azurerm_subnet.app',
      ]);
      expect(props(r.rows, 'azurerm_subnet.app').networkSecurityGroup).toEqual({
        id: 'plan://azurerm_network_security_group.nsg',
      });
      expect(props(r.rows, 'azurerm_storage_account.st').networkAcls).toMatchObject({ defaultAction: 'Deny' });
    }
  });

  it('a known id of a child the plan does not hold, under a parent it does, keeps the parent as plan://', () => {
    const server = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1';
    const r = normalisePlan(
      {
        format_version: '1.2',
        resource_changes: [
          unchanged('azurerm_resource_group', 'rg', {
            id: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg',
            name: 'rg',
          }),
          unchanged('azurerm_mssql_server', 'sql', { id: server, name: 'sql1', resource_group_name: 'rg' }),
          unchanged('azurerm_monitor_diagnostic_setting', 'audit', {
            id: `${server}/databases/master|audit`,
            name: 'audit',
            target_resource_id: `${server}/databases/master`,
            log_analytics_workspace_id:
              '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/elsewhere',
          }),
        ],
      },
      'p',
    );
    expect(row(r.rows, 'azurerm_monitor_diagnostic_setting.audit').parent_id).toBe(
      'plan://azurerm_mssql_server.sql/databases/master',
    );
    // A resource outside the plan under a resource group inside it is not a child of the group's row.
    expect(props(r.rows, 'azurerm_monitor_diagnostic_setting.audit').workspaceId).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/elsewhere',
    );
  });

  it('SQL: known ARM ids of no-op resources resolve to plan://, auditing state from enabled', () => {
    const audit = row(platform.rows, 'azurerm_mssql_server_extended_auditing_policy.main');
    expect([audit.type, audit.name, audit.parent_id, audit.plan_actions]).toEqual([
      'microsoft.sql/servers/auditingsettings',
      'default',
      'plan://azurerm_mssql_server.main',
      ['update'],
    ]);
    expect(audit.properties).toEqual({
      state: 'Enabled',
      retentionDays: 90,
      isAzureMonitorTargetEnabled: true,
      isStorageSecondaryKeyInUse: false,
    });
    const fw = row(platform.rows, 'azurerm_mssql_firewall_rule.anywhere');
    expect([fw.parent_id, fw.properties]).toEqual([
      'plan://azurerm_mssql_server.main',
      { startIpAddress: '0.0.0.0', endIpAddress: '255.255.255.255' },
    ]);
    expect(props(platform.rows, 'azurerm_mssql_server.main')).toEqual({
      version: '12.0',
      administratorLogin: 'sqladmin',
      minimalTlsVersion: '1.0',
      publicNetworkAccess: 'Enabled',
      restrictOutboundNetworkAccess: 'Disabled',
      administrators: {
        administratorType: 'ActiveDirectory',
        login: 'sql-admins',
        sid: '4a3f3c1e-0d3e-4d5b-9c55-6a8f0c8f3b11',
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        azureADOnlyAuthentication: false,
      },
    });
  });

  it('AKS (4.x): security settings, add-ons, node pools and unknown paths', () => {
    const aks = row(platform.rows, 'azurerm_kubernetes_cluster.main');
    const p = aks.properties as AnyJson;
    expect(p.enableRBAC).toBe(true);
    expect(p.disableLocalAccounts).toBe(true);
    expect(p.aadProfile).toEqual({
      managed: true,
      enableAzureRBAC: true,
      adminGroupObjectIDs: ['0e4c5b6a-71cd-4b0e-9b0a-2c1c5cd0a111'],
      tenantID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    expect(p.networkProfile.networkPolicy).toBe('cilium');
    expect(p.apiServerAccessProfile).toEqual({ enablePrivateCluster: false });
    expect(p.addonProfiles).toEqual({
      azurepolicy: { enabled: true },
      omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: 'plan://azurerm_log_analytics_workspace.main' } },
      azureKeyvaultSecretsProvider: { enabled: false },
    });
    expect(p.securityProfile).toEqual({
      defender: { securityMonitoring: { enabled: false } },
      workloadIdentity: { enabled: true },
    });
    expect(p.agentPoolProfiles).toEqual([
      {
        name: 'system',
        count: 3,
        vmSize: 'Standard_D4ds_v5',
        mode: 'System',
        osType: 'Linux',
        enableEncryptionAtHost: true,
        enableNodePublicIP: false,
        enableAutoScaling: false,
        osDiskType: 'Ephemeral',
        availabilityZones: ['1', '2', '3'],
        upgradeSettings: { maxSurge: '33%' },
      },
    ]);
    expect(aks.sku).toEqual({ name: 'Base', tier: 'Standard' });
    expect(aks.unknown_paths).toEqual([
      'properties.agentPoolProfiles[*].orchestratorVersion',
      'properties.agentPoolProfiles[*].vnetSubnetID',
      'properties.apiServerAccessProfile.authorizedIPRanges',
      'properties.networkProfile.dnsServiceIP',
      'properties.networkProfile.podCidr',
      'properties.networkProfile.serviceCidr',
      'properties.nodeResourceGroup',
    ]);
    const pool = row(platform.rows, 'azurerm_kubernetes_cluster_node_pool.user[0]');
    expect([pool.type, pool.parent_id]).toEqual([
      'microsoft.containerservice/managedclusters/agentpools',
      'plan://azurerm_kubernetes_cluster.main',
    ]);
    expect((pool.properties as AnyJson).enableNodePublicIP).toBe(true);
    expect((pool.properties as AnyJson).mode).toBe('User');
  });

  it('diagnostic setting: target through a module output, enabled_log and metric blocks', () => {
    const diag = row(platform.rows, 'azurerm_monitor_diagnostic_setting.kv');
    expect(diag.parent_id).toBe('plan://module.platform.azurerm_key_vault.kv');
    expect(diag.properties).toEqual({
      workspaceId: 'plan://azurerm_log_analytics_workspace.main',
      logAnalyticsDestinationType: 'Dedicated',
      logs: [{ categoryGroup: 'audit', enabled: true }],
      metrics: [{ category: 'AllMetrics', enabled: true }],
    });
    expect(diag.unknown_paths).toEqual([]);
  });

  it('role assignment keeps roleDefinitionName (its id, computed from it, is not unknown); scope outside the plan is the lower-case ARM id', () => {
    const ra = row(platform.rows, 'azurerm_role_assignment.ops');
    expect(ra.parent_id).toBe('/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590');
    expect(ra.properties).toEqual({
      scope: '/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590',
      roleDefinitionName: 'Owner',
      principalId: '9d2f7c1a-5e0b-4d3c-8a7e-1f2b3c4d5e6f',
      principalType: 'Group',
    });
    expect(ra.unknown_paths).toEqual(['name']);
  });

  it('linux VM: password auth, NIC reference, no secret values', () => {
    const vm = row(platform.rows, 'azurerm_linux_virtual_machine.jump');
    const p = vm.properties as AnyJson;
    expect(p.osProfile.linuxConfiguration.disablePasswordAuthentication).toBe(false);
    expect(p.securityProfile).toEqual({ encryptionAtHost: false });
    expect(p.networkProfile).toEqual({ networkInterfaces: [{ id: 'plan://azurerm_network_interface.jump' }] });
    expect(vm.secrets).toEqual([
      { attribute: 'admin_password', sensitive: true },
      { attribute: 'custom_data', sensitive: true },
    ]);
  });
});

describe('managed identity of web and function apps', () => {
  const identities = (values: Record<string, unknown>[], type = 'azurerm_linux_web_app') => {
    const { plan } = buildPlan([...values.map((v, i) => ({ type, name: `app${i}`, values: { name: `app-${i}`, ...v } }))]);
    const rows = normalisePlan(plan, 'identity.plan.json').rows.filter((r) => r.type.startsWith('microsoft.web/sites'));
    return rows.map((r) => ({ identity: r.identity, unknown: r.unknown_paths }));
  };

  it("maps the identity block to ARM's top-level identity; no block is type None; other types keep null (not reported)", () => {
    const external = '/subscriptions/S1/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ext';
    expect(
      identities([
        { identity: [{ type: 'SystemAssigned' }] },
        { identity: [{ type: 'SystemAssigned, UserAssigned', identity_ids: [external] }] },
        { identity: [] },
        {},
      ]),
    ).toEqual([
      { identity: { type: 'SystemAssigned' }, unknown: [] },
      {
        identity: {
          type: 'SystemAssigned, UserAssigned',
          userAssignedIdentities: { [external.toLowerCase()]: {} },
        },
        unknown: [],
      },
      { identity: { type: 'None' }, unknown: [] },
      { identity: { type: 'None' }, unknown: [] },
    ]);
    const { plan } = buildPlan([{ type: 'azurerm_key_vault', values: { name: 'kv' } }]);
    expect(normalisePlan(plan, 'kv.plan.json').rows[0]!.identity).toBeNull();
  });

  it('an identity block, type or id list known only after apply marks its path unknown', () => {
    expect(
      identities(
        [
          { identity: UNKNOWN },
          { identity: [{ type: UNKNOWN }] },
          { identity: [{ type: 'UserAssigned', identity_ids: UNKNOWN }] },
        ],
        'azurerm_windows_function_app_slot',
      ),
    ).toEqual([
      { identity: null, unknown: ['identity'] },
      { identity: {}, unknown: ['identity.type'] },
      { identity: { type: 'UserAssigned' }, unknown: ['identity.userAssignedIdentities'] },
    ]);
  });
});

describe('ARM properties from azurerm 2.x / 3.x names (legacy fixture)', () => {
  it('storage: 3.x names and inline network_rules; 2.x-style network rules merged by account name', () => {
    expect(props(legacy.rows, 'azurerm_storage_account.legacy')).toEqual({
      supportsHttpsTrafficOnly: false,
      minimumTlsVersion: 'TLS1_1',
      allowBlobPublicAccess: true,
      allowSharedKeyAccess: true,
      publicNetworkAccess: 'Enabled',
      networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
      encryption: { requireInfrastructureEncryption: false, keySource: 'Microsoft.Storage' },
    });
    const named = row(legacy.rows, 'azurerm_storage_account.named');
    expect(named.properties).toEqual({
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
    });
    expect(named.unknown_paths).toEqual([]);
    expect(named.sku).toEqual({ name: 'Premium_ZRS', tier: 'Premium' });
  });

  it('key vault: enable_rbac_authorization, access policies, location normalised', () => {
    const kv = row(legacy.rows, 'azurerm_key_vault.kv');
    expect(kv.location).toBe('westeurope');
    expect((kv.properties as AnyJson).enableRbacAuthorization).toBe(false);
    expect((kv.properties as AnyJson).enablePurgeProtection).toBe(false);
    expect((kv.properties as AnyJson).accessPolicies).toEqual([
      {
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        objectId: '11111111-2222-3333-4444-555555555555',
        permissions: { keys: ['Get', 'List'], secrets: ['Get'], certificates: [], storage: [] },
      },
    ]);
  });

  it('AKS with 2.x blocks: role_based_access_control, addon_profile, api_server_authorized_ip_ranges, enable_* pool names', () => {
    const p = props(legacy.rows, 'azurerm_kubernetes_cluster.old');
    expect(p.enableRBAC).toBe(true);
    expect(p.aadProfile).toEqual({
      managed: true,
      enableAzureRBAC: false,
      adminGroupObjectIDs: ['aaaaaaaa-0000-0000-0000-000000000001'],
      tenantID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    expect(p.apiServerAccessProfile).toEqual({ enablePrivateCluster: false, authorizedIPRanges: ['203.0.113.10/32'] });
    expect(p.addonProfiles).toEqual({
      azurepolicy: { enabled: false },
      omsagent: {
        enabled: true,
        config: {
          logAnalyticsWorkspaceResourceID:
            '/subscriptions/5d3a2c1b-7e6f-4a8b-9c0d-1e2f3a4b5c6d/resourcegroups/rg-bank-dev/providers/microsoft.operationalinsights/workspaces/log-bank-dev',
        },
      },
    });
    expect(p.networkProfile).toEqual({ networkPlugin: 'kubenet', loadBalancerSku: 'standard' });
    expect(p.agentPoolProfiles[0].enableEncryptionAtHost).toBe(false);
    expect(p.agentPoolProfiles[0].enableNodePublicIP).toBe(true);
    expect(row(legacy.rows, 'azurerm_kubernetes_cluster.old').secrets).toEqual([
      { attribute: 'service_principal[0].client_secret', sensitive: true },
      { attribute: 'windows_profile[0].admin_password', sensitive: true },
    ]);
  });

  it('diagnostic setting with 3.x log blocks on a subscription outside the plan', () => {
    const d = row(legacy.rows, 'azurerm_monitor_diagnostic_setting.sub');
    expect(d.parent_id).toBe('/subscriptions/5d3a2c1b-7e6f-4a8b-9c0d-1e2f3a4b5c6d');
    expect((d.properties as AnyJson).logs).toEqual([
      { category: 'Administrative', enabled: true, retentionPolicy: { enabled: true, days: 365 } },
      { category: 'Security', enabled: false },
    ]);
  });

  it('flow log (3.x network_security_group_id) resolves to the NSG of the same for_each module instance', () => {
    const fl = row(legacy.rows, 'module.net["spoke"].azurerm_network_watcher_flow_log.this');
    expect(fl.parent_id).toBe('plan://module.net["spoke"].azurerm_network_security_group.this');
    expect(fl.properties).toEqual({
      targetResourceId: 'plan://module.net["spoke"].azurerm_network_security_group.this',
      enabled: true,
      retentionPolicy: { enabled: true, days: 90 },
      format: { type: 'JSON', version: 2 },
      flowAnalyticsConfiguration: {
        networkWatcherFlowAnalyticsConfiguration: {
          enabled: true,
          workspaceId: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
          workspaceRegion: 'westeurope',
          trafficAnalyticsInterval: 10,
        },
      },
    });
    expect(fl.unknown_paths).toEqual([
      'properties.flowAnalyticsConfiguration.networkWatcherFlowAnalyticsConfiguration.workspaceResourceId',
      'properties.storageId',
    ]);
  });

  it('SQL database TDE, encryption protector, Defender pricing, custom role, private endpoint', () => {
    const db = row(legacy.rows, 'azurerm_mssql_database.app');
    expect(db.parent_id).toBe(
      '/subscriptions/5d3a2c1b-7e6f-4a8b-9c0d-1e2f3a4b5c6d/resourcegroups/rg-bank-dev/providers/microsoft.sql/servers/sql-bank-dev',
    );
    expect(db.resource_group).toBe('rg-bank-dev');
    expect((db.properties as AnyJson).transparentDataEncryption).toEqual({ state: 'Enabled' });
    expect(props(legacy.rows, 'azurerm_mssql_server_transparent_data_encryption.main')).toEqual({
      serverKeyType: 'ServiceManaged',
      autoRotationEnabled: false,
    });
    const pricing = row(legacy.rows, 'azurerm_security_center_subscription_pricing.vm');
    expect([pricing.type, pricing.name, pricing.properties]).toEqual([
      'microsoft.security/pricings',
      'VirtualMachines',
      { pricingTier: 'Free', extensions: [] },
    ]);
    expect(props(legacy.rows, 'azurerm_role_definition.ops')).toEqual({
      roleName: 'bank-ops-everything',
      description: 'too broad',
      type: 'CustomRole',
      permissions: [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }],
      assignableScopes: ['/subscriptions/5d3a2c1b-7e6f-4a8b-9c0d-1e2f3a4b5c6d'],
    });
    const pe = row(legacy.rows, 'azurerm_private_endpoint.kv');
    expect(pe.parent_id).toBe('plan://azurerm_key_vault.kv');
    expect((pe.properties as AnyJson).privateLinkServiceConnections).toEqual([
      { name: 'kv', properties: { privateLinkServiceId: 'plan://azurerm_key_vault.kv', groupIds: ['vault'] } },
    ]);
  });

  it('postgres flexible server, redis, container registry', () => {
    const pg = row(legacy.rows, 'azurerm_postgresql_flexible_server.pg');
    expect(pg.sku).toEqual({ name: 'Standard_D2s_v3', tier: 'GeneralPurpose' });
    expect(pg.properties).toEqual({
      version: '16',
      administratorLogin: 'pgadmin',
      network: { publicNetworkAccess: 'Enabled' },
      backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' },
      highAvailability: { mode: 'Disabled' },
      storage: { storageSizeGB: 64 },
      authConfig: { activeDirectoryAuth: 'Disabled', passwordAuth: 'Enabled' },
      dataEncryption: { type: 'SystemManaged' },
    });
    expect(pg.unknown_paths).toEqual(['properties.authConfig.tenantId']);
    expect(props(legacy.rows, 'azurerm_redis_cache.cache')).toEqual({
      enableNonSslPort: true,
      minimumTlsVersion: '1.0',
      publicNetworkAccess: 'Enabled',
      redisVersion: '6',
      sku: { name: 'Standard', family: 'C', capacity: 1 },
    });
    expect(props(legacy.rows, 'azurerm_container_registry.acr')).toEqual({
      adminUserEnabled: true,
      publicNetworkAccess: 'Enabled',
      anonymousPullEnabled: false,
      zoneRedundancy: 'Disabled',
      networkRuleSet: { defaultAction: 'Allow', ipRules: [{ action: 'Allow', value: '198.51.100.0/24' }] },
      policies: {
        retentionPolicy: { days: 7, status: 'Disabled' },
        trustPolicy: { status: 'Disabled' },
        exportPolicy: { status: 'Enabled' },
        quarantinePolicy: { status: 'Disabled' },
      },
    });
  });
});

describe('secrets never leave', () => {
  const planted = [
    'Kv-S3cret-UNIQUE-4e1d',
    'Sql-P4ss-UNIQUE-91ab',
    'Vm-Adm1n-UNIQUE-55cd',
    'I2Nsb3VkLWNvbmZpZwo=',
    'Sp-S3cret-UNIQUE-a1b2',
    'Win-P4ss-UNIQUE-c3d4',
    'Pg-P4ss-UNIQUE-e5f6',
    'Win-Vm-UNIQUE-7a8b',
    'Sensitive-Tag-UNIQUE-0c0c',
  ];

  it('appear nowhere in the result, though the plans carry them in clear', () => {
    const raw = JSON.stringify([fixture('platform-azurerm4.plan.json'), fixture('bank-azurerm3-legacy.plan.json')]);
    const out = JSON.stringify([platform, legacy]);
    for (const s of planted) {
      expect(raw).toContain(s);
      expect(out).not.toContain(s);
    }
  });

  it('records known secret attributes by path, with whether the plan marked them sensitive', () => {
    expect(row(platform.rows, 'module.platform.azurerm_key_vault_secret.db["sql-admin"]').secrets).toEqual([
      { attribute: 'value', sensitive: true },
    ]);
    expect(row(platform.rows, 'azurerm_mssql_server.main').secrets).toEqual([
      { attribute: 'administrator_login_password', sensitive: true },
    ]);
    expect(row(legacy.rows, 'azurerm_windows_virtual_machine.app').secrets).toEqual([
      { attribute: 'admin_password', sensitive: true },
    ]);
  });

  it('does not count secrets the provider computes (an existing account, cluster, workspace), but still keeps them out', () => {
    const plan = {
      format_version: '1.2',
      resource_changes: [
        unchanged(
          'azurerm_storage_account',
          'st',
          {
            name: 'st1',
            resource_group_name: 'rg',
            primary_access_key: 'Exported-Key-UNIQUE-1111',
            primary_connection_string: 'DefaultEndpointsProtocol=https;AccountKey=Exported-Key-UNIQUE-1111',
          },
          true,
        ),
        unchanged(
          'azurerm_kubernetes_cluster',
          'aks',
          {
            name: 'aks1',
            resource_group_name: 'rg',
            kube_config: [{ client_key: 'Exported-Kube-UNIQUE-2222', password: 'Exported-Kube-UNIQUE-2222' }],
            kube_admin_config_raw: 'apiVersion: v1 # Exported-Kube-UNIQUE-2222',
            // An argument the configuration supplies is still a finding, next to exported ones.
            service_principal: [{ client_id: 'x', client_secret: 'Configured-Sp-UNIQUE-3333' }],
          },
          true,
        ),
        unchanged(
          'azurerm_log_analytics_workspace',
          'law',
          {
            name: 'law1',
            resource_group_name: 'rg',
            primary_shared_key: 'Exported-Key-UNIQUE-4444',
          },
          true,
        ),
      ],
    };
    const r = normalisePlan(plan, 'p');
    expect(row(r.rows, 'azurerm_storage_account.st').secrets).toEqual([]);
    expect(row(r.rows, 'azurerm_log_analytics_workspace.law').secrets).toEqual([]);
    expect(row(r.rows, 'azurerm_kubernetes_cluster.aks').secrets).toEqual([
      { attribute: 'service_principal[0].client_secret', sensitive: true },
    ]);
    const out = JSON.stringify(r);
    for (const s of ['Exported-Key-UNIQUE', 'Exported-Kube-UNIQUE', 'Configured-Sp-UNIQUE']) expect(out).not.toContain(s);
  });

  it('leaves a sensitive value of a mapped attribute out, as unknown', () => {
    // One tag value marked sensitive: the map is not known whole, so no tag is kept and `tags` is unknown.
    const kv = row(legacy.rows, 'azurerm_key_vault.kv');
    expect(kv.tags).toBeNull();
    expect(kv.unknown_paths).toEqual(['tags']);
    const plan = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'azurerm_storage_account.s',
          mode: 'managed',
          type: 'azurerm_storage_account',
          name: 's',
          change: {
            actions: ['create'],
            before: null,
            after: { name: 'st1', min_tls_version: 'Tls-Value-UNIQUE-9f9f', resource_group_name: 'rg' },
            after_unknown: {},
            after_sensitive: { min_tls_version: true },
          },
        },
      ],
    };
    const r = normalisePlan(plan, 'p');
    const st = r.rows[0] as ResourceRow;
    expect(st.properties).toEqual({});
    expect(st.unknown_paths).toEqual(['properties.minimumTlsVersion']);
    expect(JSON.stringify(r)).not.toContain('Tls-Value-UNIQUE-9f9f');
  });
});

describe('real Terraform 0.12 / 0.13 plans (format 0.1)', () => {
  const nsgPlan = 'a_terraform_plan/tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json';
  const storagePlan = 'a_terraform_plan/tfcompliance_issue-394_storage_tls_public_v0.13.plan.json';

  itReal([nsgPlan], 'NSG rules open to * on 22 and 3389, admin_password kept out', () => {
    const plan = realJson(nsgPlan);
    const r = normalisePlan(plan, 'nsg.plan.json');
    expect(r.formatVersion).toBe('0.1');
    expect(r.terraformVersion).toBe('0.12.25');
    expect(r.counts).toEqual({ resources: 18, azurerm: 16, mapped: 14, unmapped: { azurerm_availability_set: 2 } });
    const linux = row(r.rows, 'module.linuxservers-fail.azurerm_network_security_group.vm');
    expect(linux.unknown_paths).toEqual(['location']);
    expect((linux.properties as AnyJson).securityRules).toContainEqual({
      name: 'allow_remote_22_in_all',
      properties: {
        priority: 100,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        sourcePortRange: '*',
        destinationPortRange: '22',
        sourceAddressPrefix: '*',
        destinationAddressPrefix: '*',
        description: 'Allow remote protocol in from all locations',
      },
    });
    const win = row(r.rows, 'module.windowsservers-pass.azurerm_network_security_group.vm');
    expect(
      (win.properties as AnyJson).securityRules.map((x: AnyJson) => [
        x.properties.sourceAddressPrefix,
        x.properties.destinationPortRange,
      ]),
    ).toEqual([['*', '3389']]);
    const nic = row(r.rows, 'module.windowsservers-pass.azurerm_network_interface.vm[0]');
    expect((nic.properties as AnyJson).networkSecurityGroup).toEqual({
      id: 'plan://module.windowsservers-pass.azurerm_network_security_group.vm',
    });
    expect((nic.properties as AnyJson).ipConfigurations[0].properties.publicIPAddress).toEqual({
      id: 'plan://module.windowsservers-pass.azurerm_public_ip.vm[0]',
    });
    const vm = row(r.rows, 'module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]');
    expect(vm.secrets).toEqual([{ attribute: 'os_profile[0].admin_password', sensitive: false }]);
    expect(JSON.stringify(plan)).toContain('ComplxP@ssw0rd!');
    expect(JSON.stringify(r)).not.toContain('ComplxP@ssw0rd!');
  });

  itReal([storagePlan], 'storage accounts with TLS1_0 and public blob access (2.x names)', () => {
    const r = normalisePlan(realJson(storagePlan), 'storage.plan.json');
    expect(r.rows.map((x) => [x.plan_address, x.name, x.location, x.resource_group, x.properties])).toEqual([
      [
        'azurerm_storage_account.example',
        'mystorageacct',
        'eastus',
        'example',
        { supportsHttpsTrafficOnly: true, minimumTlsVersion: 'TLS1_0', allowBlobPublicAccess: true, isHnsEnabled: false },
      ],
      [
        'azurerm_storage_account.private',
        'myprivatestorageacct',
        'eastus',
        'example',
        { supportsHttpsTrafficOnly: true, minimumTlsVersion: 'TLS1_0', allowBlobPublicAccess: false, isHnsEnabled: false },
      ],
    ]);
    expect(r.rows[0]?.unknown_paths).toEqual(['properties.accessTier', 'properties.networkAcls']);
  });
});

describe('SUPPORTED_AZURERM_TYPES', () => {
  it('lists the mapped types, sorted, at least 25', () => {
    expect(SUPPORTED_AZURERM_TYPES.length).toBeGreaterThanOrEqual(25);
    expect([...SUPPORTED_AZURERM_TYPES].sort()).toEqual(SUPPORTED_AZURERM_TYPES);
    expect(SUPPORTED_AZURERM_TYPES).toContain('azurerm_key_vault');
    expect(SUPPORTED_AZURERM_TYPES).toContain('azurerm_network_security_rule');
    expect(SUPPORTED_AZURERM_TYPES).not.toContain('azurerm_application_insights');
  });
});
