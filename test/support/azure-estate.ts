// A small live estate as Resource Graph returns it, table by table, for the local Azure server.
export const SUB_A = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
export const SUB_B = '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';

const vault = (sub: string, rg: string, name: string, purge: boolean) => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}`,
  name,
  type: 'microsoft.keyvault/vaults',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  kind: '',
  location: 'westeurope',
  resourceGroup: rg,
  subscriptionId: sub,
  managedBy: '',
  sku: null,
  plan: null,
  properties: { enableSoftDelete: true, softDeleteRetentionInDays: 90, enablePurgeProtection: purge },
  tags: {},
  identity: null,
  zones: null,
  extendedLocation: null,
});

const disk = (sub: string, rg: string, name: string) => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`,
  name,
  type: 'microsoft.compute/disks',
  location: 'westeurope',
  resourceGroup: rg,
  subscriptionId: sub,
  sku: { name: 'Premium_LRS', tier: 'Premium' },
  properties: { diskSizeGB: 128, encryption: { type: 'EncryptionAtRestWithPlatformKey' } },
  tags: {},
});

const subscription = (sub: string, name: string) => ({
  id: `/subscriptions/${sub}`,
  name,
  type: 'microsoft.resources/subscriptions',
  subscriptionId: sub,
  properties: { state: 'Enabled', subscriptionPolicies: { quotaId: 'EnterpriseAgreement_2014-09-01' } },
  tags: {},
});

const group = (sub: string, rg: string) => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}`,
  name: rg,
  type: 'microsoft.resources/subscriptions/resourcegroups',
  location: 'westeurope',
  resourceGroup: rg,
  subscriptionId: sub,
  properties: { provisioningState: 'Succeeded' },
  tags: {},
});

const pricing = (sub: string, plan: string, tier: 'Standard' | 'Free') => ({
  id: `/subscriptions/${sub}/providers/Microsoft.Security/pricings/${plan}`,
  name: plan,
  type: 'microsoft.security/pricings',
  subscriptionId: sub,
  properties: { pricingTier: tier },
});

const ownerAssignment = (sub: string, n: number) => ({
  id: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments/0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`,
  name: `0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`,
  type: 'microsoft.authorization/roleassignments',
  subscriptionId: sub,
  properties: {
    scope: `/subscriptions/${sub}`,
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
    principalId: `1111111${n}-2222-4333-8444-555555555555`,
    principalType: 'ServicePrincipal',
  },
});

/** Tenant acme owns SUB_A's rg-acme-prod, zeta SUB_B's rg-zeta-prod: five resources and containers each. */
export function liveEstate(): Record<string, Record<string, unknown>[]> {
  return {
    Resources: [
      vault(SUB_A, 'rg-acme-prod', 'kv-acme-1', true),
      vault(SUB_A, 'rg-acme-prod', 'kv-acme-2', false),
      disk(SUB_A, 'rg-acme-prod', 'disk-acme-1'),
      vault(SUB_B, 'rg-zeta-prod', 'kv-zeta-1', true),
      disk(SUB_B, 'rg-zeta-prod', 'disk-zeta-1'),
      disk(SUB_B, 'rg-zeta-prod', 'disk-zeta-2'),
    ],
    ResourceContainers: [
      subscription(SUB_A, 'acme-prod'),
      group(SUB_A, 'rg-acme-prod'),
      subscription(SUB_B, 'zeta-prod'),
      group(SUB_B, 'rg-zeta-prod'),
    ],
    SecurityResources: [pricing(SUB_A, 'VirtualMachines', 'Standard'), pricing(SUB_B, 'VirtualMachines', 'Free')],
    AuthorizationResources: [ownerAssignment(SUB_A, 1), ownerAssignment(SUB_B, 2)],
  };
}

/**
 * A diagnostic setting shaped as ARM answers one (the recorded example `example`), moved onto `target`, sending
 * `logs` (default: Key Vault's AuditEvent) to a Log Analytics workspace.
 */
export function recordedDiagnosticSetting(
  example: Record<string, unknown>,
  target: string,
  name: string,
  logs: unknown[] = [
    { category: 'AuditEvent', categoryGroup: null, enabled: true, retentionPolicy: { enabled: false, days: 0 } },
  ],
): { id: string; properties: Record<string, unknown> } & Record<string, unknown> {
  const properties = example.properties as Record<string, unknown>;
  return {
    ...example,
    id: `${target}/providers/microsoft.insights/diagnosticSettings/${name}`,
    name,
    properties: {
      ...properties,
      storageAccountId: null,
      eventHubAuthorizationRuleId: null,
      marketplacePartnerId: null,
      workspaceId: `/subscriptions/${SUB_A}/resourceGroups/rg-log/providers/Microsoft.OperationalInsights/workspaces/law-audit`,
      logs,
    },
  };
}
