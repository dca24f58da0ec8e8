// The live Resource Graph source through the real SDK client and credential against a local HTTPS server: every
// page is followed, throttling and failures are waited out when they pass, and when they do not the subscriptions
// they hit are partial or failed with the reason, in bounded time and without the secret.
import { afterEach, describe, expect, it } from 'vitest';
import { azureConnection } from '../../src/collectors/azure/connection.js';
import {
  type LiveSourceOptions,
  liveResourceGraph,
  ResourceGraphLiveSource,
} from '../../src/collectors/resource-graph/live-source.js';
import { evaluate } from '../../src/engine.js';
import type { ResourceRow } from '../../src/model.js';
import { loadCatalogue } from '../../src/rules.js';
import { Store } from '../../src/store.js';
import { liveEstate, recordedDiagnosticSetting, SUB_A, SUB_B, testAzureSettings } from '../support/azure-estate.js';
import {
  type AzureServer,
  type GraphCall,
  pagedEstate,
  type Reply,
  type SettingsCall,
  settingsEstate,
  startAzureServer,
  TEST_TENANT,
  withFaults,
  withQuota,
} from '../support/azure-server.js';
import { byScope, drainCollector } from '../support/collector-events.js';
import { exampleBody, itReal } from '../support/real-data.js';

const SECRET = 'planted~Secret.9f8e7d6c5b4a';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const settings = testAzureSettings;

async function source(
  graph: (c: GraphCall) => Reply,
  opts: Partial<LiveSourceOptions> = {},
  diagnostics?: (c: SettingsCall) => Reply,
  expireTokensAfter?: number,
) {
  server = await startAzureServer({ secret: SECRET, graph, settings: diagnostics, echoSecret: true, expireTokensAfter });
  const s = settings(server.url);
  return new ResourceGraphLiveSource({
    connection: azureConnection(s, { TEST_AZURE_SECRET: SECRET }),
    subscriptions: s.subscriptions,
    concurrency: 4,
    deadlineMs: 5000,
    retry: { maxRetries: 2, retryDelayInMs: 20 },
    ...opts,
  });
}

async function drain(src: ResourceGraphLiveSource) {
  const { resources: rows, statuses, coverage } = await drainCollector(src);
  return { rows, statuses, coverage, ids: rows.map((r) => r.id).sort() };
}

const allIds = Object.values(liveEstate())
  .flat()
  .map((r) => String(r.id).toLowerCase())
  .sort();

describe('live Resource Graph source', () => {
  it('follows every page of every table and says each subscription was collected whole', async () => {
    const src = await source(pagedEstate(liveEstate(), 2));
    const { rows, statuses, coverage, ids } = await drain(src);
    expect(ids).toEqual(allIds);
    expect(byScope(statuses)).toEqual({
      [`subscription:${SUB_A}`]: { status: 'ok', error: null, rows: 7 },
      [`subscription:${SUB_B}`]: { status: 'ok', error: null, rows: 7 },
    });
    const resourcePages = server!.calls.filter((c) => c.table === 'Resources').map((c) => c.page);
    expect(resourcePages).toEqual([1, 2, 3]);
    // Completeness is shown, not asserted: every query's rows added up to Resource Graph's own count.
    expect(statuses[0]!.reconciliation).toBe(
      "rows delivered matched Resource Graph's totalRecords for Resources, ResourceContainers, SecurityResources, AuthorizationResources",
    );
    const vaultA = `/subscriptions/${SUB_A}/resourcegroups/rg-acme-prod/providers/microsoft.keyvault/vaults`;
    expect(coverage.map((c) => `${c.parent_id} ${c.child_type}`).sort()).toEqual(
      [
        `${vaultA}/kv-acme-1 microsoft.insights/diagnosticsettings`,
        `${vaultA}/kv-acme-2 microsoft.insights/diagnosticsettings`,
        // the vaults hold no certificates: each list came whole
        `${vaultA}/kv-acme-1 microsoft.keyvault/vaults/certificates`,
        `${vaultA}/kv-acme-2 microsoft.keyvault/vaults/certificates`,
        `/subscriptions/${SUB_A} microsoft.authorization/roleassignments`,
        `/subscriptions/${SUB_A} microsoft.insights/diagnosticsettings`,
        `/subscriptions/${SUB_A} microsoft.security/pricings`,
        `/subscriptions/${SUB_B}/resourcegroups/rg-zeta-prod/providers/microsoft.keyvault/vaults/kv-zeta-1 microsoft.insights/diagnosticsettings`,
        `/subscriptions/${SUB_B}/resourcegroups/rg-zeta-prod/providers/microsoft.keyvault/vaults/kv-zeta-1 microsoft.keyvault/vaults/certificates`,
        `/subscriptions/${SUB_B} microsoft.authorization/roleassignments`,
        `/subscriptions/${SUB_B} microsoft.insights/diagnosticsettings`,
        `/subscriptions/${SUB_B} microsoft.security/pricings`,
      ].sort(),
    );
    const vault = rows.find((r) => r.name === 'kv-acme-2') as ResourceRow;
    expect(vault).toMatchObject({
      type: 'microsoft.keyvault/vaults',
      subscription_id: SUB_A,
      resource_group: 'rg-acme-prod',
      origin: 'live',
      properties: { enablePurgeProtection: false },
    });
  });

  itReal(
    ['b_arm_resources/specs_resourcegraph_ResourcesFirstPageQuery.json'],
    'reads the recorded first page, follows its skip token and holds the pages to its totalRecords',
    async () => {
      const recorded = exampleBody('b_arm_resources/specs_resourcegraph_ResourcesFirstPageQuery.json');
      const sub = String((recorded.data as { id: string }[])[0]!.id.split('/')[2]);
      const rest = pagedEstate({
        ResourceContainers: [
          { id: `/subscriptions/${sub}`, name: 'recorded', type: 'microsoft.resources/subscriptions', subscriptionId: sub },
        ],
      });
      const src = await source((call) => (call.table === 'Resources' && call.page === 1 ? { body: recorded } : rest(call)), {
        subscriptions: [sub],
      });
      const { ids, statuses } = await drain(src);
      expect(ids).toEqual(
        [...(recorded.data as { id: string }[]).map((r) => r.id.toLowerCase()), `/subscriptions/${sub}`].sort(),
      );
      expect(server!.calls.filter((c) => c.table === 'Resources').map((c) => c.skipToken)).toEqual([
        undefined,
        recorded.$skipToken,
      ]);
      // The recorded page counts 386 rows; a follow-up page that ends the result after 3 is caught, not believed.
      expect(byScope(statuses)[`subscription:${sub}`]).toMatchObject({
        status: 'partial',
        error: 'Resources: 3 rows delivered over 2 pages, Resource Graph counted 386',
      });
    },
  );

  it("keeps each row's top-level identity: Resource Graph's null is type None, a row without the field reported nothing", async () => {
    const app = (name: string, identity?: unknown) => ({
      id: `/subscriptions/${SUB_A}/resourceGroups/rg-acme-prod/providers/Microsoft.Web/sites/${name}`,
      name,
      type: 'microsoft.web/sites',
      kind: 'app,linux',
      location: 'westeurope',
      resourceGroup: 'rg-acme-prod',
      subscriptionId: SUB_A,
      properties: { httpsOnly: true },
      tags: {},
      ...(identity === undefined ? {} : { identity }),
    });
    const system = {
      type: 'SystemAssigned',
      principalId: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    };
    const estate = liveEstate();
    estate.Resources!.push(app('app-system', system), app('app-none', null), app('app-projected'));
    const { rows } = await drain(await source(pagedEstate(estate, 3)));
    const identities = Object.fromEntries(rows.filter((r) => r.type === 'microsoft.web/sites').map((r) => [r.name, r.identity]));
    expect(identities).toEqual({ 'app-system': system, 'app-none': { type: 'None' }, 'app-projected': null });
    const check = (await loadCatalogue()).checks.find((c) => c.id === 'webapp-managed-identity')!;
    const store = await Store.open(':memory:');
    try {
      await store.beginRun({ runId: 'live', mode: 'nightly', toolVersion: 'test', configSha256: null });
      await store.appendResources(
        'live',
        rows.map((r) => ({ ...r, tenant_id: 'acme' })),
      );
      const { findings } = await evaluate(store, [check], {
        runId: 'live',
        tenantIds: ['acme'],
        waivers: [],
        params: {},
        today: '2026-12-05',
      });
      expect(Object.fromEntries(findings.map((f) => [f.resource_id.split('/').pop(), f.status]))).toEqual({
        'app-system': 'pass',
        'app-none': 'fail',
        'app-projected': 'error',
      });
    } finally {
      store.close();
    }
  });

  it('waits out a 429 (Retry-After), a 500 and a connection reset, and then has every row', async () => {
    const src = await source(
      withFaults(pagedEstate(liveEstate(), 2), {
        'Resources#2': [{ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'RateLimiting' } } }],
        'ResourceContainers#1': [{ status: 500, body: { error: { code: 'InternalServerError' } } }],
        'SecurityResources#1': [{ fault: 'reset' }],
      }),
    );
    const started = Date.now();
    const { statuses, ids } = await drain(src);
    expect(ids).toEqual(allIds);
    expect(statuses.map((s) => s.status)).toEqual(['ok', 'ok']);
    const resources = server!.calls.filter((c) => c.table === 'Resources' && c.page === 2);
    expect(resources).toHaveLength(2);
    expect(resources[1]!.at - resources[0]!.at).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('sends nothing while the quota headers say none is left, so the 429 never comes', async () => {
    let resumeAt = 0;
    const estate = pagedEstate(liveEstate(), 2);
    const src = await source(
      (call) => {
        if (call.at < resumeAt)
          return { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'RateLimiting' } } };
        const reply = estate(call) as { headers: Record<string, string>; body: unknown };
        if (call.table !== 'Resources' || call.page !== 1) return reply;
        resumeAt = call.at + 1000;
        return { ...reply, headers: { 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': '00:00:01' } };
      },
      { concurrency: 1 },
    );
    const { statuses, ids } = await drain(src);
    expect(ids).toEqual(allIds);
    expect(statuses.map((s) => s.status)).toEqual(['ok', 'ok']);
    const early = server!.calls.filter((c) => c.at < resumeAt);
    expect(early.map((c) => `${c.table}#${c.page}`)).toEqual(['Resources#1']);
  });

  it('keeps concurrent pages within the quota: no 429, and each window holds as many queries as it allows', async () => {
    // 14 queries of one row each, 4 in flight at most, 4 allowed per 1-second window.
    const graph = withQuota(pagedEstate(liveEstate(), 1), { requests: 4, windowMs: 1000 });
    const src = await source(graph, { concurrency: 4 });
    const started = Date.now();
    const { statuses, ids } = await drain(src);
    const elapsed = Date.now() - started;
    expect(ids).toEqual(allIds);
    expect(statuses.map((s) => s.status)).toEqual(['ok', 'ok']);
    expect(graph.throttled).toBe(0);
    expect(graph.windows).toEqual([4, 4, 4, 2]);
    // The fourth window opens once the third has closed (3 s in), and not much later.
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(4500);
  });

  it('a page that is not JSON, or JSON without a data array, leaves its subscriptions partial with one line', async () => {
    const estate = pagedEstate(liveEstate(), 2);
    const src = await source(
      withFaults(estate, {
        'Resources#2': [{ fault: 'text', text: '<html><body>Service Unavailable</body></html>' }],
        'SecurityResources#1': [{ body: { value: [{ id: 'x' }], nextLink: null } }],
      }),
      { retry: { maxRetries: 0 } },
    );
    const { statuses } = await drain(src);
    expect(statuses.map((s) => s.status)).toEqual(['partial', 'partial']);
    const error = statuses[0]!.error!;
    expect(error).not.toContain('\n');
    expect(error).toMatch(
      /^Resources: page 2: HTTP 200 PARSE_ERROR: .* is not valid JSON.*; SecurityResources: first page: answer without a data array$/,
    );
  });

  it('a token that expires mid-collection (401 ExpiredAuthenticationToken) leaves the pages after it unread, with the reason', async () => {
    // Resources pages 1 and 2 go through with the token; then ARM says it has expired.
    const src = await source(pagedEstate(liveEstate(), 2), { concurrency: 1 }, undefined, 2);
    const { statuses, ids } = await drain(src);
    expect(ids).toHaveLength(4);
    const reason =
      /^Resources: page 3: HTTP 401 ExpiredAuthenticationToken: The access token expiry UTC time is earlier than current UTC time\.; ResourceContainers: first page: HTTP 401 /;
    expect(byScope(statuses)[`subscription:${SUB_A}`]).toMatchObject({ status: 'partial', error: expect.stringMatching(reason) });
    expect(byScope(statuses)[`subscription:${SUB_B}`]).toMatchObject({ status: 'partial', error: expect.stringMatching(reason) });
    // A plain expiry challenge (no claims) is not one the SDK answers with a new token: no second token was asked for.
    expect(server!.tokenRequests).toBe(1);
  });

  it('a page that never comes leaves its subscriptions partial at the deadline, with the rows before it', async () => {
    const src = await source(withFaults(pagedEstate(liveEstate(), 2), { 'Resources#2': [{ fault: 'hang' }] }), {
      deadlineMs: 1500,
    });
    const started = Date.now();
    const { statuses, ids } = await drain(src);
    expect(Date.now() - started).toBeLessThan(6000);
    const reason = 'Resources: page 2: no answer within 1.5 s';
    expect(byScope(statuses)).toEqual({
      [`subscription:${SUB_A}`]: { status: 'partial', error: reason, rows: 6 },
      [`subscription:${SUB_B}`]: { status: 'partial', error: reason, rows: 4 },
    });
    expect(ids).toHaveLength(allIds.length - 4);
  });

  it('a Retry-After beyond the deadline is not waited for', async () => {
    const tooLong = { status: 429, headers: { 'retry-after': '3600' }, body: { error: { code: 'RateLimiting' } } };
    const src = await source(withFaults(pagedEstate(liveEstate(), 2), { 'AuthorizationResources#1': [tooLong] }), {
      deadlineMs: 1500,
    });
    const started = Date.now();
    const { statuses, coverage } = await drain(src);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(statuses.map((s) => [s.status, s.error])).toEqual([
      ['partial', 'AuthorizationResources: first page: no answer within 1.5 s'],
      ['partial', 'AuthorizationResources: first page: no answer within 1.5 s'],
    ]);
    // The role assignments were not listed whole, so no subscription claims them; the pricings were.
    const subscriptionLevel = coverage.filter((c) => /^\/subscriptions\/[^/]+$/.test(c.parent_id));
    expect(subscriptionLevel.map((c) => c.child_type).sort()).toEqual([
      'microsoft.insights/diagnosticsettings',
      'microsoft.insights/diagnosticsettings',
      'microsoft.security/pricings',
      'microsoft.security/pricings',
    ]);
  });

  it('a failure that persists past the retries fails the subscriptions of that batch only, with the status', async () => {
    const fail = (call: GraphCall): Reply =>
      call.subscriptions.includes(SUB_B)
        ? { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } }
        : pagedEstate(liveEstate())(call);
    const src = await source(fail, { batchSize: 1 });
    const { statuses, ids } = await drain(src);
    const scopes = byScope(statuses);
    expect(scopes[`subscription:${SUB_A}`]).toEqual({ status: 'ok', error: null, rows: 7 });
    expect(scopes[`subscription:${SUB_B}`]?.status).toBe('failed');
    expect(scopes[`subscription:${SUB_B}`]?.rows).toBe(0);
    expect(scopes[`subscription:${SUB_B}`]?.error).toMatch(
      /^Resources: first page: HTTP 500 InternalServerError: .*boom.*; ResourceContainers: first page: HTTP 500/,
    );
    expect(ids.every((id) => id.includes(SUB_A))).toBe(true);
    expect(server!.calls.every((c) => c.subscriptions.length === 1)).toBe(true);
  });

  it('a subscription the credential cannot read fails, though Resource Graph says nothing of it', async () => {
    const unseen = '0d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a';
    const src = await source(pagedEstate(liveEstate(), 2), { subscriptions: [SUB_A, unseen] });
    const { statuses } = await drain(src);
    expect(byScope(statuses)).toEqual({
      [`subscription:${SUB_A}`]: { status: 'ok', error: null, rows: 7 },
      [`subscription:${unseen}`]: {
        status: 'failed',
        error: 'subscription not visible to the credential (no Reader role there, or no such subscription)',
        rows: 0,
      },
    });
  });

  it('a body cut short and a result Resource Graph truncated are incomplete, never short', async () => {
    const estate = pagedEstate(liveEstate(), 10);
    const src = await source((call) => {
      const reply = estate(call) as { headers: Record<string, string>; body: Record<string, unknown> };
      if (call.table === 'Resources') return { fault: 'truncated', body: reply.body };
      if (call.table === 'ResourceContainers') return { ...reply, body: { ...reply.body, resultTruncated: 'true' } };
      return reply;
    });
    const { statuses } = await drain(src);
    const error = statuses[0]?.error ?? '';
    expect(statuses.map((s) => s.status)).toEqual(['partial', 'partial']);
    expect(error).toMatch(/^Resources: first page: .+; ResourceContainers: first page: result truncated by Resource Graph$/);
  });

  it('pages that add up to less than Resource Graph counted leave their subscriptions partial', async () => {
    const estate = pagedEstate(liveEstate(), 2);
    const src = await source((call) => {
      const reply = estate(call) as { headers: Record<string, string>; body: { data: unknown[] } };
      // Page 2 of Resources comes one row short; totalRecords still counts it.
      if (call.table === 'Resources' && call.page === 2)
        return { ...reply, body: { ...reply.body, data: reply.body.data.slice(1) } };
      return reply;
    });
    const { statuses } = await drain(src);
    expect(statuses.map((s) => s.status)).toEqual(['partial', 'partial']);
    expect(statuses[0]!.error).toMatch(/^Resources: \d+ rows delivered over 3 pages, Resource Graph counted \d+$/);
  });

  it('never lets the secret out: not from a refusal that echoes it, not from a failing answer', async () => {
    const echo = (): Reply => ({ status: 400, body: { error: { code: 'BadRequest', message: `client_secret=${SECRET}` } } });
    const src = await source(echo);
    const { statuses } = await drain(src);
    expect(statuses[0]?.error).toContain('client_secret=[redacted]');
    expect(JSON.stringify(statuses)).not.toContain(SECRET);

    const refused = liveResourceGraph(
      { ...settings(server!.url), credential: { ...settings(server!.url).credential, client_id: TEST_TENANT } },
      { TEST_AZURE_SECRET: SECRET },
    );
    const error = await refused.prepare().then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.name).toBe('UsageError');
    expect(error?.message).toMatch(
      /^azure\.credential: no token for https:\/\/127\.0\.0\.1:\d+\/\.default from https:\/\/127\.0\.0\.1:\d+ \(.*AADSTS7000215/,
    );
    expect(error?.message).not.toContain(SECRET);
  });

  it('refuses a missing secret variable before any request', () => {
    expect(() => liveResourceGraph(settings('https://127.0.0.1:1'), {})).toThrow(
      'azure.credential.secret_env: environment variable TEST_AZURE_SECRET is not set',
    );
  });

  it('discovers every subscription the credential can read, then collects each', async () => {
    const src = await source(pagedEstate(liveEstate(), 2), { subscriptions: { discover: true } });
    const { statuses, ids } = await drain(src);
    expect(ids).toEqual(allIds);
    expect(byScope(statuses)).toEqual({
      [`subscription:${SUB_A}`]: { status: 'ok', error: null, rows: 7 },
      [`subscription:${SUB_B}`]: { status: 'ok', error: null, rows: 7 },
    });
    expect(server!.calls[0]).toMatchObject({ table: 'ResourceContainers', subscriptions: [] });
  });

  it('a discovery that falls short fails its own scope, which taints the whole run', async () => {
    const src = await source(withFaults(pagedEstate(liveEstate(), 1), { 'ResourceContainers#2': [{ fault: 'hang' }] }), {
      subscriptions: { discover: true },
      deadlineMs: 1000,
    });
    const { statuses } = await drain(src);
    expect(byScope(statuses)).toEqual({
      'discovery:subscriptions': { status: 'failed', error: 'subscription discovery: page 2: no answer within 1 s', rows: 0 },
      [`subscription:${SUB_A}`]: { status: 'ok', error: null, rows: 7 },
    });
  });
});

describe('diagnostic settings, listed live through ARM', () => {
  const SPEC = 'b_arm_resources/specs_monitor_getDiagnosticSetting.json';
  const rg = `/subscriptions/${SUB_A}/resourceGroups/rg-acme-prod/providers`;
  const vault = `${rg}/Microsoft.KeyVault/vaults/kv-acme-1`;
  const others = [
    { id: `${rg}/Microsoft.Sql/servers/sql-acme`, type: 'microsoft.sql/servers' },
    { id: `${rg}/Microsoft.Storage/storageAccounts/stacme`, type: 'microsoft.storage/storageaccounts' },
    { id: `${rg}/Microsoft.ContainerService/managedClusters/aks-acme`, type: 'microsoft.containerservice/managedclusters' },
  ].map((r) => ({ ...r, name: r.id.split('/').pop(), subscriptionId: SUB_A, properties: {} }));
  const estate = () => {
    const tables = liveEstate();
    return { ...tables, Resources: [...tables.Resources!, ...others] };
  };

  itReal([SPEC], "lists each vault, SQL server, storage account, cluster and subscription, keeping ARM's answer", async () => {
    const setting = recordedDiagnosticSetting(exampleBody(SPEC), vault, 'to-law');
    const src = await source(pagedEstate(estate(), 5), {}, settingsEstate({ [vault]: [setting] }));
    const { rows, coverage, statuses } = await drain(src);
    const lower = (id: string) => id.toLowerCase();
    const expected = [
      `/subscriptions/${SUB_A}`,
      ...['kv-acme-1', 'kv-acme-2'].map((n) => lower(`${rg}/Microsoft.KeyVault/vaults/${n}`)),
      ...others.map((o) => lower(o.id)),
      // audit events sent to Azure Monitor are routed by the master database's settings
      lower(`${others[0]!.id}/databases/master`),
      `/subscriptions/${SUB_B}`,
      `/subscriptions/${SUB_B}/resourcegroups/rg-zeta-prod/providers/microsoft.keyvault/vaults/kv-zeta-1`,
    ].sort();
    expect(server!.settingsCalls.map((c) => c.target).sort()).toEqual(expected);
    expect(new Set(server!.settingsCalls.map((c) => c.apiVersion))).toEqual(new Set(['2021-05-01-preview']));
    const diag = rows.filter((r) => r.type === 'microsoft.insights/diagnosticsettings');
    expect(diag).toHaveLength(1);
    expect(diag[0]).toMatchObject({
      id: lower(`${vault}/providers/Microsoft.Insights/diagnosticSettings/to-law`),
      parent_id: lower(vault),
      subscription_id: SUB_A,
      origin: 'live',
    });
    // ARM's own JSON, not the SDK's reshaped model (which flattens properties and adds keys ARM did not send)
    expect(diag[0]!.properties).toStrictEqual(setting.properties);
    const settingsCoverage = coverage.filter((c) => c.child_type === 'microsoft.insights/diagnosticsettings');
    expect(settingsCoverage.map((c) => c.parent_id).sort()).toEqual(expected);
    // 7 + 4 resources + the setting, the server's auditing policy and the account's blob service
    expect(statuses.map((s) => [s.status, s.rows])).toEqual([
      ['ok', 13],
      ['ok', 7],
    ]);
  });

  it('a list that fails past its retries, or never answers, leaves its subscription partial and its target uncovered', async () => {
    const kv2 = `${rg}/Microsoft.KeyVault/vaults/kv-acme-2`;
    const boom = { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } };
    const src = await source(
      pagedEstate(liveEstate(), 5),
      { deadlineMs: 1500 },
      settingsEstate({}, { [vault]: [boom, boom, boom], [kv2]: [{ fault: 'hang' }] }),
    );
    const started = Date.now();
    const { statuses, coverage } = await drain(src);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(byScope(statuses)).toEqual({
      [`subscription:${SUB_A}`]: {
        status: 'partial',
        error: expect.stringMatching(
          new RegExp(
            `^diagnostic settings of ${vault.toLowerCase()}: HTTP 500 InternalServerError: boom; ` +
              `diagnostic settings of ${kv2.toLowerCase()}: no answer within 1.5 s$`,
          ),
        ),
        rows: 7,
      },
      [`subscription:${SUB_B}`]: { status: 'ok', error: null, rows: 7 },
    });
    const covered = coverage.filter((c) => c.child_type === 'microsoft.insights/diagnosticsettings').map((c) => c.parent_id);
    expect(covered).not.toContain(vault.toLowerCase());
    expect(covered).not.toContain(kv2.toLowerCase());
    expect(covered).toContain(`/subscriptions/${SUB_A}`);
    expect(server!.settingsCalls.filter((c) => c.target === vault.toLowerCase())).toHaveLength(3);
  });
});
