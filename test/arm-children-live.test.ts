// ARM child settings through the real @azure/arm-sql and @azure/arm-storage clients against the local HTTPS server:
// SQL auditing and TDE, blob services and lifecycle policies are stored as rows with ARM's own JSON, each parent
// covered when its list came whole; a 403, a 500 past the retries or a list that never answers leaves that parent
// uncovered and its subscription partial, so checks over it say `error`, never pass. Only the children some enabled
// check reads are fetched.
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
  childrenEstate,
  managementPolicyOf,
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

/** The live estate plus two SQL servers (one with two user databases and master) and two audit-log accounts. */
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
 * and keeps its logs seven years, staudit2 has versioning off and no lifecycle policy. */
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
].sort();

describe('SQL and Storage child settings, listed live through @azure/arm-sql and @azure/arm-storage', () => {
  it('follows every page, keeps ARM’s JSON with the ARM ids, and covers every parent whose list came whole', async () => {
    const src = await source(children({}, { emptyPages: 1 }));
    const { resources, coverage, statuses } = await drainCollector(src);
    const kids = resources.filter((r) => CHILD_TYPES.has(r.type));
    expect(kids.map((r) => `${r.type} ${r.id}`).sort()).toEqual(
      [
        `microsoft.sql/servers/auditingsettings ${lower(sqlAcme)}/auditingsettings/default`,
        `microsoft.sql/servers/auditingsettings ${lower(sqlAcme2)}/auditingsettings/default`,
        `microsoft.sql/servers/databases/transparentdataencryption ${lower(appdb)}/transparentdataencryption/current`,
        `microsoft.sql/servers/databases/transparentdataencryption ${lower(ledger)}/transparentdataencryption/current`,
        `microsoft.storage/storageaccounts/blobservices ${lower(stAudit)}/blobservices/default`,
        `microsoft.storage/storageaccounts/blobservices ${lower(stAudit2)}/blobservices/default`,
        `microsoft.storage/storageaccounts/managementpolicies ${lower(stAudit)}/managementpolicies/default`,
      ].sort(),
    );
    // every child row hangs under the parent it was listed for
    for (const r of kids) expect(r.id.startsWith(`${r.parent_id}/`)).toBe(true);
    // ARM's own JSON, not the SDK's model (which flattens properties and renames nothing ARM did not send)
    const audit = kids.find((r) => r.id === `${lower(sqlAcme)}/auditingsettings/default`)!;
    expect(audit.properties).toStrictEqual(enabledAuditing().properties);
    const policy = kids.find((r) => r.type === 'microsoft.storage/storageaccounts/managementpolicies')!;
    expect(policy.properties).toStrictEqual(managementPolicyOf(lower(stAudit), [auditRetentionRule(2555)]).properties);
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
    // the versions the pinned SDKs ask for
    expect(Object.fromEntries(calls.map((c) => [c.api, c.apiVersion]))).toEqual({
      auditing: '2021-11-01-preview',
      tde: '2022-08-01-preview',
      'blob-services': expect.stringMatching(/^20\d\d-\d\d-\d\d$/),
      'management-policy': expect.stringMatching(/^20\d\d-\d\d-\d\d$/),
    });
  });

  it('a 403, a 500 past the retries and a list that never answers leave those parents uncovered and the subscription partial', async () => {
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
      ].sort(),
    );
    expect(byScope(statuses)[`subscription:${SUB_B}`]).toMatchObject({ status: 'ok', error: null });
    const lost = [
      `microsoft.sql/servers/auditingsettings ${lower(sqlAcme)}`,
      `microsoft.storage/storageaccounts/blobservices ${lower(stAudit)}`,
      `microsoft.sql/servers/databases/transparentdataencryption ${lower(ledger)}`,
    ];
    expect(childCoverage(coverage)).toEqual(allCovered.filter((c) => !lost.includes(c)));
    // a 403 is not retried; a 500 is, twice
    expect(server!.childCalls.filter((c) => c.api === 'auditing' && c.parent === lower(sqlAcme))).toHaveLength(1);
    expect(server!.childCalls.filter((c) => c.api === 'blob-services' && c.parent === lower(stAudit))).toHaveLength(3);
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
      'microsoft.insights/diagnosticsettings microsoft.keyvault/vaults',
      'microsoft.insights/diagnosticsettings microsoft.resources/subscriptions',
      'microsoft.insights/diagnosticsettings microsoft.sql/servers',
      'microsoft.insights/diagnosticsettings microsoft.sql/servers (master)',
      'microsoft.insights/diagnosticsettings microsoft.storage/storageaccounts',
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
    expect(new Set(server!.childCalls.map((c) => c.api))).toEqual(new Set(['blob-services', 'management-policy']));
    expect(childCoverage(coverage).filter((c) => c.startsWith('microsoft.sql/'))).toEqual([]);
    expect(byScope(statuses)[`subscription:${SUB_A}`]).toMatchObject({ status: 'ok' });
  });
});

describe('compline run over live SQL and Storage child settings', () => {
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

  it('judges SQL auditing, TDE, blob protection and lifecycle on what ARM returned', async () => {
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
  });

  it('a 403 on one server’s auditing and a list that never answers: partial (exit 4), those verdicts error, never pass', async () => {
    const denied = { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no read on auditingSettings' } } };
    const dir = await workspace(
      children({ [`auditing ${lower(sqlAcme)}`]: [denied], [`blob-services ${lower(stAudit)}`]: [{ fault: 'hang' }] }),
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
  });

  it('a run whose enabled checks read no TDE asks for none', async () => {
    const dir = await workspace(children(), 30, '[sox-itgc]');
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(server!.childCalls.filter((c) => c.api === 'tde')).toEqual([]);
    expect(server!.childCalls.filter((c) => c.api === 'auditing').length).toBeGreaterThan(0);
  });
});
