// ARM child settings through the real @azure/arm-sql, @azure/arm-storage, @azure/arm-mysql-flexible,
// @azure/arm-postgresql-flexible and @azure/arm-cdn clients, and Key Vault certificates through
// @azure/keyvault-certificates, against the local HTTPS server: SQL auditing and TDE, blob services, lifecycle
// policies, flexible server parameters, Front Door security policies and certificates with their policies are stored
// as rows, each parent covered when its list came whole; a 403, a 500 past the retries or a list that never answers
// leaves that parent uncovered and its subscription partial, so checks over it say `error`, never pass. Only the
// children some enabled check reads are fetched.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { childReader, enabledChecks } from '../src/child-reads.js';
import { azureConnection } from '../src/collectors/azure/connection.js';
import { type LiveSourceOptions, ResourceGraphLiveSource } from '../src/collectors/resource-graph/live-source.js';
import { loadCatalogue } from '../src/rules.js';
import {
  auditingPolicy,
  auditRetentionRule,
  blobServiceOf,
  type ChildCall,
  certificateItem,
  certificatePolicy,
  childrenEstate,
  defaultParameters,
  managementPolicyOf,
  securityPolicyOf,
  serverParameter,
  tdeOf,
} from './support/azure-children.js';
import { liveConfig, liveEstate, SUB_A, SUB_B, testAzureSettings } from './support/azure-estate.js';
import {
  type AzureServer,
  type GraphCall,
  pagedEstate,
  type Reply,
  startAzureServer,
  withFaults,
} from './support/azure-server.js';
import { complineAsync } from './support/cli.js';
import { byScope, drainCollector } from './support/collector-events.js';
import { runReports } from './support/run-output.js';

const SECRET = 'planted~Secret.5e6f7a8b9c0d';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const rg = `/subscriptions/${SUB_A}/resourceGroups/rg-acme-prod/providers`;
const sqlAcme = `${rg}/Microsoft.Sql/servers/sql-acme`;
const sqlAcme2 = `${rg}/Microsoft.Sql/servers/sql-acme-2`;
const appdb = `${sqlAcme}/databases/appdb`;
const ledger = `${sqlAcme}/databases/ledger`;
const master = `${sqlAcme}/databases/master`;
const stAudit = `${rg}/Microsoft.Storage/storageAccounts/stauditacme`;
const stAudit2 = `${rg}/Microsoft.Storage/storageAccounts/staudit2`;
const mysqlAcme = `${rg}/Microsoft.DBforMySQL/flexibleServers/mysql-acme`;
const mysqlAcme2 = `${rg}/Microsoft.DBforMySQL/flexibleServers/mysql-acme-2`;
const pgAcme = `${rg}/Microsoft.DBforPostgreSQL/flexibleServers/pg-acme`;
const afdAcme = `${rg}/Microsoft.Cdn/profiles/afd-acme`;
const afdAcme2 = `${rg}/Microsoft.Cdn/profiles/afd-acme-2`;
const cdnClassic = `${rg}/Microsoft.Cdn/profiles/cdn-classic`;
const wafPolicy = `${rg}/Microsoft.Network/frontdoorWebApplicationFirewallPolicies/wafacme`;
const kv1 = `${rg}/Microsoft.KeyVault/vaults/kv-acme-1`;
const kv2 = `${rg}/Microsoft.KeyVault/vaults/kv-acme-2`;
const lower = (id: string) => id.toLowerCase();

const resource = (id: string, type: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id.split('/').pop(),
  type,
  location: 'westeurope',
  resourceGroup: 'rg-acme-prod',
  subscriptionId: SUB_A,
  properties: {},
  tags: {},
  ...extra,
});

/**
 * The live estate (two vaults of acme's) plus two SQL servers (one with two user databases and master), two audit-log
 * accounts, two MySQL and one PostgreSQL flexible server, two Front Door profiles and a classic CDN profile.
 */
function estate() {
  const tables = liveEstate();
  const audit = { tags: { DataClass: 'audit-logs' }, kind: 'StorageV2', sku: { name: 'Standard_GRS', tier: 'Standard' } };
  return {
    ...tables,
    Resources: [
      ...tables.Resources!,
      resource(sqlAcme, 'microsoft.sql/servers', { properties: { version: '12.0', publicNetworkAccess: 'Disabled' } }),
      resource(sqlAcme2, 'microsoft.sql/servers', { properties: { version: '12.0', publicNetworkAccess: 'Disabled' } }),
      ...[appdb, ledger, master].map((id) =>
        resource(id, 'microsoft.sql/servers/databases', {
          properties: { status: 'Online', collation: 'SQL_Latin1_General_CP1_CI_AS' },
        }),
      ),
      resource(stAudit, 'microsoft.storage/storageaccounts', audit),
      resource(stAudit2, 'microsoft.storage/storageaccounts', audit),
      ...[mysqlAcme, mysqlAcme2].map((id) =>
        resource(id, 'microsoft.dbformysql/flexibleservers', {
          sku: { name: 'Standard_D2ds_v4', tier: 'GeneralPurpose' },
          properties: { version: '8.0.21', state: 'Ready' },
        }),
      ),
      resource(pgAcme, 'microsoft.dbforpostgresql/flexibleservers', {
        sku: { name: 'Standard_D2ds_v5', tier: 'GeneralPurpose' },
        properties: { version: '16', state: 'Ready' },
      }),
      ...[afdAcme, afdAcme2].map((id) =>
        resource(id, 'microsoft.cdn/profiles', { location: 'Global', sku: { name: 'Standard_AzureFrontDoor' } }),
      ),
      resource(cdnClassic, 'microsoft.cdn/profiles', { location: 'Global', sku: { name: 'Standard_Microsoft' } }),
    ],
  };
}

const enabledAuditing = () =>
  auditingPolicy(lower(sqlAcme), {
    state: 'Enabled',
    storageEndpoint: 'https://stauditacme.blob.core.windows.net/',
    retentionDays: 400,
    auditActionsAndGroups: [
      'SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP',
      'FAILED_DATABASE_AUTHENTICATION_GROUP',
      'BATCH_COMPLETED_GROUP',
    ],
  });

/** sql-acme audits to storage, sql-acme-2 has the default (Disabled); ledger's TDE is off; stauditacme is protected
 * and keeps its logs seven years, staudit2 has versioning off and no lifecycle policy; mysql-acme-2 accepts plain
 * connections (require_secure_transport OFF), the others keep the default (ON); afd-acme has a WAF security policy,
 * afd-acme-2 none; kv-acme-1 holds a certificate that renews and one that only e-mails, kv-acme-2 none. */
const children = (faults: Record<string, Reply[]> = {}, paging: { emptyPages?: number } = {}) =>
  childrenEstate(
    {
      auditing: { [sqlAcme]: [enabledAuditing()] },
      tde: { [ledger]: [tdeOf(lower(ledger), 'Disabled')] },
      blobServices: {
        [stAudit]: [
          blobServiceOf(lower(stAudit), {
            deleteRetentionPolicy: { allowPermanentDelete: false, enabled: true, days: 30 },
            isVersioningEnabled: true,
          }),
        ],
      },
      managementPolicies: { [stAudit]: managementPolicyOf(lower(stAudit), [auditRetentionRule(2555)]) },
      parameters: {
        [mysqlAcme2]: defaultParameters(lower(mysqlAcme2)).map((p) =>
          p.name === 'require_secure_transport'
            ? serverParameter(lower(mysqlAcme2), 'require_secure_transport', 'OFF', { source: 'user-override' })
            : p,
        ),
      },
      securityPolicies: { [afdAcme]: [securityPolicyOf(lower(afdAcme), 'waf-default', lower(wafPolicy))] },
      certificates: {
        '/vaults/kv-acme-1': [
          { name: 'api-tls', lifetimeActions: [{ action_type: 'AutoRenew', lifetime_percentage: 80 }] },
          { name: 'legacy-tls', lifetimeActions: [{ action_type: 'EmailContacts', days_before_expiry: 30 }], validityMonths: 24 },
        ],
      },
    },
    faults,
    paging,
  );

async function source(
  childAnswers: (c: ChildCall) => Reply,
  opts: Partial<LiveSourceOptions> = {},
  graph: (c: GraphCall) => Reply = pagedEstate(estate(), 5),
) {
  server = await startAzureServer({ secret: SECRET, graph, children: childAnswers });
  const s = testAzureSettings(server.url);
  return new ResourceGraphLiveSource({
    connection: azureConnection(s, { TEST_AZURE_SECRET: SECRET }),
    subscriptions: s.subscriptions,
    concurrency: 4,
    deadlineMs: 5000,
    retry: { maxRetries: 2, retryDelayInMs: 20 },
    ...opts,
  });
}

const CHILD_TYPES = new Set([
  'microsoft.sql/servers/auditingsettings',
  'microsoft.sql/servers/databases/transparentdataencryption',
  'microsoft.storage/storageaccounts/blobservices',
  'microsoft.storage/storageaccounts/managementpolicies',
  'microsoft.dbformysql/flexibleservers/configurations',
  'microsoft.dbforpostgresql/flexibleservers/configurations',
  'microsoft.cdn/profiles/securitypolicies',
  'microsoft.keyvault/vaults/certificates',
]);
const childCoverage = (coverage: { parent_id: string; child_type: string }[]) =>
  coverage
    .filter((c) => CHILD_TYPES.has(c.child_type))
    .map((c) => `${c.child_type} ${c.parent_id}`)
    .sort();
const allCovered = [
  `microsoft.sql/servers/auditingsettings ${lower(sqlAcme)}`,
  `microsoft.sql/servers/auditingsettings ${lower(sqlAcme2)}`,
  `microsoft.sql/servers/databases/transparentdataencryption ${lower(appdb)}`,
  `microsoft.sql/servers/databases/transparentdataencryption ${lower(ledger)}`,
  `microsoft.storage/storageaccounts/blobservices ${lower(stAudit)}`,
  `microsoft.storage/storageaccounts/blobservices ${lower(stAudit2)}`,
  `microsoft.storage/storageaccounts/managementpolicies ${lower(stAudit)}`,
  `microsoft.storage/storageaccounts/managementpolicies ${lower(stAudit2)}`,
  `microsoft.dbformysql/flexibleservers/configurations ${lower(mysqlAcme)}`,
  `microsoft.dbformysql/flexibleservers/configurations ${lower(mysqlAcme2)}`,
  `microsoft.dbforpostgresql/flexibleservers/configurations ${lower(pgAcme)}`,
  // the classic CDN profile is not a Front Door one: nothing is listed for it
  `microsoft.cdn/profiles/securitypolicies ${lower(afdAcme)}`,
  `microsoft.cdn/profiles/securitypolicies ${lower(afdAcme2)}`,
  `microsoft.keyvault/vaults/certificates ${lower(kv1)}`,
  `microsoft.keyvault/vaults/certificates ${lower(kv2)}`,
  `microsoft.keyvault/vaults/certificates /subscriptions/${SUB_B}/resourcegroups/rg-zeta-prod/providers/microsoft.keyvault/vaults/kv-zeta-1`,
].sort();

describe('child settings listed live through the ARM SDKs and Key Vault certificates through the vault data plane', () => {
  it('follows every page, keeps ARM’s JSON with the ARM ids, and covers every parent whose list came whole', async () => {
    // A throttled first page of mysql-acme's parameters is waited out (Retry-After) and the list still comes whole.
    const throttled = {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'TooManyRequests', message: 'The request is being throttled.' } },
    };
    const src = await source(children({ [`mysql-parameters ${lower(mysqlAcme)}`]: [throttled] }, { emptyPages: 1 }));
    const { resources, coverage, statuses } = await drainCollector(src);
    const kids = resources.filter((r) => CHILD_TYPES.has(r.type));
    const parameters = (server: string) =>
      ['audit_log_enabled', 'require_secure_transport', 'tls_version'].map(
        (p) => `microsoft.dbformysql/flexibleservers/configurations ${lower(server)}/configurations/${p}`,
      );
    expect(kids.map((r) => `${r.type} ${r.id}`).sort()).toEqual(
      [
        `microsoft.sql/servers/auditingsettings ${lower(sqlAcme)}/auditingsettings/default`,
        `microsoft.sql/servers/auditingsettings ${lower(sqlAcme2)}/auditingsettings/default`,
        `microsoft.sql/servers/databases/transparentdataencryption ${lower(appdb)}/transparentdataencryption/current`,
        `microsoft.sql/servers/databases/transparentdataencryption ${lower(ledger)}/transparentdataencryption/current`,
        `microsoft.storage/storageaccounts/blobservices ${lower(stAudit)}/blobservices/default`,
        `microsoft.storage/storageaccounts/blobservices ${lower(stAudit2)}/blobservices/default`,
        `microsoft.storage/storageaccounts/managementpolicies ${lower(stAudit)}/managementpolicies/default`,
        ...parameters(mysqlAcme),
        ...parameters(mysqlAcme2),
        ...['log_connections', 'require_secure_transport', 'ssl_min_protocol_version'].map(
          (p) => `microsoft.dbforpostgresql/flexibleservers/configurations ${lower(pgAcme)}/configurations/${p}`,
        ),
        `microsoft.cdn/profiles/securitypolicies ${lower(afdAcme)}/securitypolicies/waf-default`,
        `microsoft.keyvault/vaults/certificates ${lower(kv1)}/certificates/api-tls`,
        `microsoft.keyvault/vaults/certificates ${lower(kv1)}/certificates/legacy-tls`,
      ].sort(),
    );
    // every child row hangs under the parent it was listed for
    for (const r of kids) expect(r.id.startsWith(`${r.parent_id}/`)).toBe(true);
    // ARM's own JSON, not the SDK's model (which flattens properties and renames nothing ARM did not send)
    const audit = kids.find((r) => r.id === `${lower(sqlAcme)}/auditingsettings/default`)!;
    expect(audit.properties).toStrictEqual(enabledAuditing().properties);
    const policy = kids.find((r) => r.type === 'microsoft.storage/storageaccounts/managementpolicies')!;
    expect(policy.properties).toStrictEqual(managementPolicyOf(lower(stAudit), [auditRetentionRule(2555)]).properties);
    const waf = kids.find((r) => r.type === 'microsoft.cdn/profiles/securitypolicies')!;
    expect(waf.properties).toStrictEqual(securityPolicyOf(lower(afdAcme), 'waf-default', lower(wafPolicy)).properties);
    const plain = kids.find((r) => r.id === `${lower(mysqlAcme2)}/configurations/require_secure_transport`)!;
    expect(plain.properties).toMatchObject({ value: 'OFF', source: 'user-override' });
    // A certificate: its policy in the names of Key Vault's policy model, beside the certificate's own attributes.
    const legacy = kids.find((r) => r.name === 'legacy-tls')!;
    // the vault's data plane, where Resource Graph's vaultUri says it is
    const vaultUrl = (resources.find((r) => r.id === lower(kv1))!.properties as { vaultUri: string }).vaultUri.replace(/\/$/, '');
    const certificate = {
      name: 'legacy-tls',
      lifetimeActions: [{ action_type: 'EmailContacts', days_before_expiry: 30 }],
      validityMonths: 24,
    };
    const item = certificateItem(vaultUrl, certificate);
    expect(legacy).toMatchObject({ parent_id: lower(kv1), tags: { owner: 'payments' }, location: null });
    expect(legacy.properties).toStrictEqual({
      id: certificatePolicy(vaultUrl, certificate).id,
      keyProperties: { exportable: true, keyType: 'RSA', keySize: 2048, reuseKey: false },
      secretProperties: { contentType: 'application/x-pkcs12' },
      x509CertificateProperties: {
        subject: 'CN=legacy-tls.contoso.com',
        subjectAlternativeNames: { dnsNames: ['legacy-tls.contoso.com'] },
        ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        validityInMonths: 24,
        basicConstraints: { ca: false },
      },
      lifetimeActions: [{ trigger: { daysBeforeExpiry: 30 }, action: { actionType: 'EmailContacts' } }],
      issuerParameters: { name: 'Self' },
      attributes: item.attributes,
      x5t: item.x5t,
    });
    // a 404 ManagementPolicyNotFound is an account without a policy: covered, no row
    expect(childCoverage(coverage)).toEqual(allCovered);
    expect(byScope(statuses)[`subscription:${SUB_A}`]).toMatchObject({ status: 'ok', error: null });
    // each list's empty first page was followed to the page holding the item; master's TDE is never asked for
    const calls = server!.childCalls;
    expect(
      calls
        .filter((c) => c.api === 'auditing')
        .map((c) => `${c.parent} ${c.page}`)
        .sort(),
    ).toEqual([`${lower(sqlAcme)} 1`, `${lower(sqlAcme)} 2`, `${lower(sqlAcme2)} 1`, `${lower(sqlAcme2)} 2`]);
    expect(calls.filter((c) => c.api === 'tde').map((c) => c.parent)).not.toContain(lower(master));
    // mysql-acme's first page twice (the 429, then the answer), then an empty page and a page per parameter
    expect(calls.filter((c) => c.parent === lower(mysqlAcme)).map((c) => c.page)).toEqual([1, 1, 2, 3, 4]);
    // the certificates list paged by nextLink (one per page, after an empty one); each certificate's policy read once
    expect(calls.filter((c) => c.api === 'certificates' && c.parent === '/vaults/kv-acme-1').map((c) => c.page)).toEqual([
      1, 2, 3,
    ]);
    expect(calls.filter((c) => c.api === 'certificate-policy').map((c) => `${c.parent} ${c.child}`)).toEqual([
      '/vaults/kv-acme-1 api-tls',
      '/vaults/kv-acme-1 legacy-tls',
    ]);
    expect(calls.filter((c) => c.parent === lower(cdnClassic))).toEqual([]);
    // the versions the pinned SDKs ask for
    expect(Object.fromEntries(calls.map((c) => [c.api, c.apiVersion]))).toEqual({
      auditing: '2021-11-01-preview',
      tde: '2022-08-01-preview',
      'blob-services': expect.stringMatching(/^20\d\d-\d\d-\d\d$/),
      'management-policy': expect.stringMatching(/^20\d\d-\d\d-\d\d$/),
      'mysql-parameters': '2021-05-01',
      'postgres-parameters': '2025-08-01',
      'security-policies': '2024-02-01',
      certificates: '2025-07-01',
      'certificate-policy': '2025-07-01',
    });
  });

  it('a 403, a 500 past the retries and a list that never answers leave those parents uncovered and the subscription partial', async () => {
    // Key Vault's data plane refusing a caller without a certificate-reading role (RBAC); another vault never answers.
    const vaultDenied = {
      status: 403,
      body: {
        error: {
          code: 'Forbidden',
          message: `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nAction: 'Microsoft.KeyVault/vaults/certificates/read'\r\nResource: '${lower(kv1)}'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: kv-acme-1;location=westeurope\r\n`,
          innererror: { code: 'ForbiddenByRbac' },
        },
      },
    };
    const denied = {
      status: 403,
      body: {
        error: {
          code: 'AuthorizationFailed',
          message: `The client does not have authorization to perform action 'Microsoft.Sql/servers/auditingSettings/read' over scope '${lower(sqlAcme)}'.`,
        },
      },
    };
    const boom = { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } };
    const src = await source(
      children({
        [`auditing ${lower(sqlAcme)}`]: [denied],
        [`blob-services ${lower(stAudit)}`]: [boom, boom, boom],
        [`tde ${lower(ledger)}`]: [{ fault: 'hang' }],
        'certificates /vaults/kv-acme-1': [vaultDenied],
        'certificates /vaults/kv-acme-2': [{ fault: 'hang' }],
      }),
      { deadlineMs: 1500 },
    );
    const started = Date.now();
    const { coverage, statuses } = await drainCollector(src);
    expect(Date.now() - started).toBeLessThan(8000);
    const a = byScope(statuses)[`subscription:${SUB_A}`]!;
    expect(a.status).toBe('partial');
    expect(a.error!.split('; ').sort()).toEqual(
      [
        `auditing settings of ${lower(sqlAcme)}: HTTP 403 AuthorizationFailed: The client does not have authorization to perform action 'Microsoft.Sql/servers/auditingSettings/read' over scope '${lower(sqlAcme)}'.`,
        `blob service properties of ${lower(stAudit)}: HTTP 500 InternalServerError: boom`,
        `transparent data encryption of ${lower(ledger)}: no answer within 1.5 s`,
        `certificates of ${lower(kv1)}: HTTP 403 Forbidden: Caller is not authorized to perform action on resource.`,
        `certificates of ${lower(kv2)}: no answer within 1.5 s`,
      ].sort(),
    );
    expect(byScope(statuses)[`subscription:${SUB_B}`]).toMatchObject({ status: 'ok', error: null });
    const lost = [
      `microsoft.sql/servers/auditingsettings ${lower(sqlAcme)}`,
      `microsoft.storage/storageaccounts/blobservices ${lower(stAudit)}`,
      `microsoft.sql/servers/databases/transparentdataencryption ${lower(ledger)}`,
      `microsoft.keyvault/vaults/certificates ${lower(kv1)}`,
      `microsoft.keyvault/vaults/certificates ${lower(kv2)}`,
    ];
    expect(childCoverage(coverage)).toEqual(allCovered.filter((c) => !lost.includes(c)));
    // a 403 is not retried; a 500 is, twice
    expect(server!.childCalls.filter((c) => c.api === 'auditing' && c.parent === lower(sqlAcme))).toHaveLength(1);
    expect(server!.childCalls.filter((c) => c.api === 'blob-services' && c.parent === lower(stAudit))).toHaveLength(3);
    // the refused vault's list is asked once, and none of its certificates is
    expect(server!.childCalls.filter((c) => c.parent === '/vaults/kv-acme-1').map((c) => c.api)).toEqual(['certificates']);
  });
});

describe('flow logs, which Resource Graph holds', () => {
  const watcher = `/subscriptions/${SUB_A}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope`;
  const withWatcher = () => {
    const tables = estate();
    const flowLog = resource(`${watcher}/flowLogs/fl-vnet-acme`, 'microsoft.network/networkwatchers/flowlogs', {
      resourceGroup: 'NetworkWatcherRG',
      properties: {
        enabled: true,
        retentionPolicy: { enabled: true, days: 365 },
        targetResourceId: `${rg}/Microsoft.Network/virtualNetworks/vnet-acme`,
      },
    });
    const nw = resource(watcher, 'microsoft.network/networkwatchers', { resourceGroup: 'NetworkWatcherRG' });
    // first, so that a later page's failure comes after the watcher was seen
    return { ...tables, Resources: [nw, flowLog, ...tables.Resources!] };
  };
  const flowCoverage = (coverage: { parent_id: string; child_type: string }[]) =>
    coverage.filter((c) => c.child_type === 'microsoft.network/networkwatchers/flowlogs').map((c) => c.parent_id);

  it('come with the Resources query; a complete answer covers every watcher found, with no ARM call for them', async () => {
    const src = await source(children(), {}, pagedEstate(withWatcher(), 5));
    const { resources, coverage } = await drainCollector(src);
    expect(resources.filter((r) => r.type === 'microsoft.network/networkwatchers/flowlogs').map((r) => r.parent_id)).toEqual([
      lower(watcher),
    ]);
    expect(flowCoverage(coverage)).toEqual([lower(watcher)]);
    expect(server!.childCalls.filter((c) => c.parent.includes('networkwatchers'))).toEqual([]);
  });

  it('an incomplete Resources answer covers no watcher, even one it returned', async () => {
    const boom = { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } };
    const graph = withFaults(pagedEstate(withWatcher(), 5), { 'Resources#3': [boom, boom, boom] });
    const src = await source(children(), {}, graph);
    const { resources, coverage, statuses } = await drainCollector(src);
    expect(resources.map((r) => r.id)).toContain(lower(watcher));
    expect(flowCoverage(coverage)).toEqual([]);
    expect(byScope(statuses)[`subscription:${SUB_A}`]!.status).toBe('partial');
  });
});

describe('only the children some enabled check reads are fetched', () => {
  const kinds = (frameworks: string[][]) =>
    loadCatalogue().then((c) =>
      childReader(
        enabledChecks(
          c.checks,
          frameworks.map((f) => ({ frameworks: f })),
        ),
      ),
    );

  it('the catalogue reads every kind under PCI; SOX alone reads no TDE; no enabled check reads none', async () => {
    const src = await source(children());
    const all = (src as unknown as { kinds: { childType: string; parentType: string; readMarks: string[] }[] }).kinds;
    const named = (read: (k: (typeof all)[number]) => boolean) =>
      all
        .filter(read)
        .map((k) => `${k.childType} ${k.parentType}${k.readMarks.some((m) => m.includes('master')) ? ' (master)' : ''}`)
        .sort();
    expect(named(await kinds([['pci-dss-4.0.1']]))).toEqual([
      'microsoft.cdn/profiles/securitypolicies microsoft.cdn/profiles',
      'microsoft.dbformysql/flexibleservers/configurations microsoft.dbformysql/flexibleservers',
      'microsoft.dbforpostgresql/flexibleservers/configurations microsoft.dbforpostgresql/flexibleservers',
      'microsoft.insights/diagnosticsettings microsoft.keyvault/vaults',
      'microsoft.insights/diagnosticsettings microsoft.resources/subscriptions',
      'microsoft.insights/diagnosticsettings microsoft.sql/servers',
      'microsoft.insights/diagnosticsettings microsoft.sql/servers (master)',
      'microsoft.insights/diagnosticsettings microsoft.storage/storageaccounts',
      'microsoft.keyvault/vaults/certificates microsoft.keyvault/vaults',
      'microsoft.sql/servers/auditingsettings microsoft.sql/servers',
      'microsoft.sql/servers/databases/transparentdataencryption microsoft.sql/servers/databases',
      'microsoft.storage/storageaccounts/blobservices microsoft.storage/storageaccounts',
      'microsoft.storage/storageaccounts/managementpolicies microsoft.storage/storageaccounts',
    ]);
    const sox = named(await kinds([['sox-itgc']]));
    expect(sox).toContain('microsoft.sql/servers/auditingsettings microsoft.sql/servers');
    expect(sox).not.toContain('microsoft.sql/servers/databases/transparentdataencryption microsoft.sql/servers/databases');
    // GDPR's residency checks follow every diagnostic setting to its destination.
    expect(named(await kinds([['gdpr']]))).toContain('microsoft.insights/diagnosticsettings microsoft.keyvault/vaults');
    expect(named(await kinds([]))).toEqual([]);
  });

  it('a source told SQL is not read makes no SQL call, and its servers are not covered', async () => {
    const reads = await kinds([['sox-itgc']]);
    const noSql = (k: Parameters<typeof reads>[0]) => reads(k) && !k.childType.startsWith('microsoft.sql/');
    const src = await source(children(), { reads: noSql });
    const { coverage, statuses } = await drainCollector(src);
    expect(new Set(server!.childCalls.map((c) => c.api))).toEqual(
      new Set([
        'blob-services',
        'management-policy',
        'mysql-parameters',
        'postgres-parameters',
        'certificates',
        'certificate-policy',
      ]),
    );
    expect(childCoverage(coverage).filter((c) => c.startsWith('microsoft.sql/'))).toEqual([]);
    expect(byScope(statuses)[`subscription:${SUB_A}`]).toMatchObject({ status: 'ok' });
  });
});

describe('compline run over live child settings', () => {
  async function workspace(childAnswers: (c: ChildCall) => Reply, deadline: number, frameworks = '[pci-dss-4.0.1]') {
    server = await startAzureServer({ secret: SECRET, graph: pagedEstate(estate(), 5), children: childAnswers });
    const dir = mkdtempSync(join(tmpdir(), 'compline-children-'));
    const config = liveConfig(server.url, deadline, ['resource_graph: { mode: live }']).replaceAll(
      'frameworks: [pci-dss-4.0.1]',
      `frameworks: ${frameworks}`,
    );
    writeFileSync(join(dir, 'compline.yaml'), config);
    return dir;
  }
  const run = (dir: string) =>
    complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], {
      env: { COMPLINE_TEST_SECRET: SECRET },
    });
  interface Report {
    findings: { check_id: string; resource_id: string; status: string; reason: string }[];
  }
  const verdicts = (r: Report, check: string) =>
    Object.fromEntries(
      r.findings
        .filter((f) => f.check_id === check && f.resource_id.startsWith('/'))
        .map((f) => [f.resource_id.split('/').pop(), f.status]),
    );

  it('judges SQL auditing, TDE, blob protection, lifecycle, secure transport, Front Door WAF and certificate renewal on what was listed', async () => {
    const dir = await workspace(children(), 30);
    const r = await run(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { acme } = runReports<Report>(dir) as { acme: Report };
    expect(verdicts(acme, 'sql-auditing-enabled')).toEqual({ 'sql-acme': 'pass', 'sql-acme-2': 'fail' });
    expect(verdicts(acme, 'sql-audit-retention')).toEqual({ 'sql-acme': 'pass', 'sql-acme-2': 'fail' });
    expect(verdicts(acme, 'sql-tde-enabled')).toEqual({ appdb: 'pass', ledger: 'fail' });
    expect(verdicts(acme, 'storage-audit-log-delete-protection')).toEqual({ stauditacme: 'pass', staudit2: 'fail' });
    expect(verdicts(acme, 'storage-audit-log-lifecycle')).toEqual({ stauditacme: 'pass', staudit2: 'fail' });
    expect(verdicts(acme, 'mysql-secure-transport')).toEqual({ 'mysql-acme': 'pass', 'mysql-acme-2': 'fail' });
    expect(verdicts(acme, 'postgres-secure-transport')).toEqual({ 'pg-acme': 'pass' });
    // the classic CDN profile is not Front Door's: no verdict
    expect(verdicts(acme, 'frontdoor-waf-attached')).toEqual({ 'afd-acme': 'pass', 'afd-acme-2': 'fail' });
    expect(verdicts(acme, 'kv-certificate-auto-renew')).toEqual({ 'api-tls': 'pass', 'legacy-tls': 'fail' });
  });

  it('a 403 on one server’s auditing, a vault and a profile, and a list that never answers: partial (exit 4), those verdicts error, never pass', async () => {
    const denied = { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no read on auditingSettings' } } };
    const vaultDenied = {
      status: 403,
      body: {
        error: {
          code: 'Forbidden',
          message: 'Client address is not authorized and caller is not a trusted service.',
          innererror: { code: 'ForbiddenByFirewall' },
        },
      },
    };
    const dir = await workspace(
      children({
        [`auditing ${lower(sqlAcme)}`]: [denied],
        [`blob-services ${lower(stAudit)}`]: [{ fault: 'hang' }],
        'certificates /vaults/kv-acme-1': [vaultDenied],
        [`security-policies ${lower(afdAcme2)}`]: [denied],
      }),
      2,
    );
    const r = await run(dir);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^compline: run partial: 1 of 2 source scopes incomplete \\(resource-graph partial for subscription:${SUB_A}: `,
        'm',
      ),
    );
    expect(r.stderr).toContain(
      `auditing settings of ${lower(sqlAcme)}: HTTP 403 AuthorizationFailed: no read on auditingSettings`,
    );
    expect(r.stderr).toContain(`blob service properties of ${lower(stAudit)}: no answer within 2 s`);
    const { acme } = runReports<Report>(dir) as { acme: Report };
    expect(verdicts(acme, 'sql-auditing-enabled')).toEqual({ 'sql-acme': 'error', 'sql-acme-2': 'error' });
    expect(verdicts(acme, 'storage-audit-log-delete-protection')).toEqual({ stauditacme: 'error', staudit2: 'error' });
    expect(verdicts(acme, 'sql-tde-enabled')).toEqual({ appdb: 'error', ledger: 'error' });
    // the vault behind its firewall: its certificates unread, the vault errs; the other vault holds none
    expect(r.stderr).toContain(
      `certificates of ${lower(kv1)}: HTTP 403 Forbidden: Client address is not authorized and caller is not a trusted service.`,
    );
    expect(verdicts(acme, 'kv-certificate-auto-renew')).toEqual({ 'kv-acme-1': 'error' });
    expect(verdicts(acme, 'frontdoor-waf-attached')).toEqual({ 'afd-acme': 'error', 'afd-acme-2': 'error' });
  });

  it('a run whose enabled checks read no TDE asks for none', async () => {
    const dir = await workspace(children(), 30, '[sox-itgc]');
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(server!.childCalls.filter((c) => c.api === 'tde')).toEqual([]);
    expect(server!.childCalls.filter((c) => c.api === 'auditing').length).toBeGreaterThan(0);
  });
});
