// A small live estate as Resource Graph returns it, table by table, for the local Azure server.
import { TEST_CLIENT, TEST_TENANT, vaultOrigin } from './azure-server.js';
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
  // Its data plane: an origin of the local server's own, made for the vault.
  properties: {
    vaultUri: `${vaultOrigin(name)}/`,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: purge,
  },
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

/** The `azure` section of a run against the local server as the test client, its secret in TEST_AZURE_SECRET. */
export function testAzureSettings(url: string, extra: Partial<{ concurrency: number; deadline_seconds: number }> = {}) {
  return {
    cloud: { arm_endpoint: url, authority_host: url, verify_key_vault_challenge: false },
    credential: {
      kind: 'client_secret' as const,
      tenant_id: TEST_TENANT,
      client_id: TEST_CLIENT,
      secret_env: 'TEST_AZURE_SECRET',
    },
    subscriptions: [SUB_A, SUB_B],
    concurrency: extra.concurrency ?? 4,
    deadline_seconds: extra.deadline_seconds ?? 5,
  };
}

/**
 * compline.yaml for the live estate collected from the local server at `url`: acme owns SUB_A, zeta SUB_B, the
 * secret is in COMPLINE_TEST_SECRET; `sources` is the block's YAML, one `name: { ... }` a line.
 */
export function liveConfig(url: string, deadline: number, sources: string[]): string {
  return `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_A}] }
  - { id: zeta, name: Zeta Credit, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_B}] }
azure:
  cloud: { arm_endpoint: "${url}", authority_host: "${url}", verify_key_vault_challenge: false }
  credential: { kind: client_secret, tenant_id: ${TEST_TENANT}, client_id: ${TEST_CLIENT}, secret_env: COMPLINE_TEST_SECRET }
  subscriptions: [${SUB_A}, ${SUB_B}]
  deadline_seconds: ${deadline}
sources:
${sources.map((s) => `  ${s}`).join('\n')}
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`;
}
