// The Cost Management Query API through the real SDK client and credential against a local HTTPS server: daily actual
// and amortized cost per subscription, every nextLink followed, Cost Management's own throttling headers waited out
// within the deadline; a page that never comes leaves the subscription partial, never short and silent.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { azureConnection } from '../src/collectors/azure/connection.js';
import { type CostQueryOptions, CostQuerySource } from '../src/collectors/cost/query-source.js';
import { Store } from '../src/store.js';
import { SUB_A, SUB_B, testAzureSettings } from './support/azure-estate.js';
import { type ArmCall, type AzureServer, type Reply, startAzureServer } from './support/azure-server.js';
import { costRows, ingestCosts } from './support/cost-ingest.js';
import { exampleBody, itReal } from './support/real-data.js';

const SECRET = 'planted~Secret.c0st4f1e2d3c';
let server: AzureServer | null = null;
let store: Store;
let run = 0;
beforeAll(async () => {
  store = await Store.open(':memory:');
});
afterAll(() => store.close());
afterEach(async () => {
  await server?.close();
  server = null;
});

const vm = (sub: string, name: string) =>
  `/subscriptions/${sub}/resourcegroups/rg-${name}/providers/microsoft.compute/virtualmachines/${name}`;
const COLUMNS = ['Cost', 'UsageDate', 'ResourceId', 'TagKey', 'TagValue', 'Currency'].map((name) => ({
  name,
  type: name === 'Cost' || name === 'UsageDate' ? 'Number' : 'String',
}));

/** Each subscription's rows per metric: a tagged VM on two days, an untagged one; a reservation bought (actual only). */
function estate(sub: string, type: string): unknown[][] {
  const amortized = type === 'AmortizedCost';
  return [
    [amortized ? 8 : 10, 20261101, vm(sub, 'vm1'), 'CustomerID', 'bank_alpha', 'EUR'],
    [amortized ? 8 : 10, 20261102, vm(sub, 'vm1'), 'CustomerID', 'bank_alpha', 'EUR'],
    [amortized ? 3.5 : 0, 20261101, vm(sub, 'vm2'), 'CustomerID', '', 'EUR'],
    ...(amortized ? [] : [[120, 20261101, '', 'CustomerID', '', 'EUR']]),
  ];
}

/** Answers the Query API with two rows a page; `fault` replaces the answer to the nth request (1-based) when it gives one. */
function costApi(fault: (call: ArmCall, n: number) => Reply | undefined = () => undefined) {
  let n = 0;
  return (call: ArmCall): Reply | undefined => {
    const m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.costmanagement\/query$/.exec(call.path);
    if (!m || call.method !== 'POST') return undefined;
    const faulty = fault(call, ++n);
    if (faulty) return faulty;
    const sub = m[1]!;
    const { type } = JSON.parse(call.body) as { type: string };
    const rows = estate(sub, type);
    const page = Number(call.params.get('$skiptoken') ?? '0');
    const next =
      (page + 1) * 2 < rows.length
        ? `${server!.url}/subscriptions/${sub}/providers/Microsoft.CostManagement/query?api-version=2022-10-01&$skiptoken=${page + 1}`
        : null;
    return {
      body: {
        id: `subscriptions/${sub}/providers/Microsoft.CostManagement/Query/q-${page}`,
        name: `q-${page}`,
        type: 'microsoft.costmanagement/Query',
        properties: { nextLink: next, columns: COLUMNS, rows: rows.slice(page * 2, page * 2 + 2) },
      },
    };
  };
}

async function source(arm: (call: ArmCall) => Reply | undefined, opts: Partial<CostQueryOptions> = {}) {
  server = await startAzureServer({ secret: SECRET, graph: () => ({ status: 500, body: {} }), arm });
  const s = testAzureSettings(server.url);
  return new CostQuerySource({
    connection: azureConnection(s, { TEST_AZURE_SECRET: SECRET }),
    subscriptions: [SUB_A],
    lookbackDays: 30,
    metrics: ['actual', 'amortized'],
    tag: 'CustomerID',
    concurrency: 4,
    deadlineMs: 5000,
    retry: { maxRetries: 1, retryDelayInMs: 20 },
    now: new Date('2026-12-05T03:00:00Z'),
    ...opts,
  });
}

async function collect(src: CostQuerySource) {
  const runId = `live-${++run}`;
  const statuses = await ingestCosts(src, store, runId);
  const rows = await costRows(
    store,
    runId,
    `strftime(ChargePeriodStart, '%Y-%m-%d') as day, ResourceId, ResourceType, x_ResourceGroupName, Tags->>'CustomerID' as customer,
     BilledCost, EffectiveCost, BillingCurrency, SubAccountId, x_SourceFormat, tenant_id`,
  );
  return { statuses, rows };
}

describe('Cost Management Query API', () => {
  it('asks daily actual and amortized cost by resource and tag, follows every nextLink and merges both into one row', async () => {
    const src = await source(costApi());
    const { statuses, rows } = await collect(src);
    expect(statuses).toEqual([
      {
        source: 'cost',
        scope: `subscription:${SUB_A}`,
        status: 'ok',
        error: null,
        rows: 4,
        reconciliation: 'no source total (the Query API reports none): 4 page(s), every nextLink followed to the last',
      },
    ]);
    const vm1 = { ResourceType: 'microsoft.compute/virtualmachines', x_ResourceGroupName: 'rg-vm1', customer: 'bank_alpha' };
    const common = {
      BillingCurrency: 'EUR',
      SubAccountId: `/subscriptions/${SUB_A}`,
      x_SourceFormat: 'query-api',
      tenant_id: null,
    };
    expect(rows).toEqual([
      // The reservation purchase: billed, amortized into the usage it covers.
      {
        day: '2026-11-01',
        ResourceId: null,
        ResourceType: null,
        x_ResourceGroupName: null,
        customer: null,
        BilledCost: '120.000000',
        EffectiveCost: '0.000000',
        ...common,
      },
      { day: '2026-11-01', ResourceId: vm(SUB_A, 'vm1'), ...vm1, BilledCost: '10.000000', EffectiveCost: '8.000000', ...common },
      {
        day: '2026-11-01',
        ResourceId: vm(SUB_A, 'vm2'),
        ResourceType: 'microsoft.compute/virtualmachines',
        x_ResourceGroupName: 'rg-vm2',
        customer: null,
        BilledCost: '0.000000',
        EffectiveCost: '3.500000',
        ...common,
      },
      { day: '2026-11-02', ResourceId: vm(SUB_A, 'vm1'), ...vm1, BilledCost: '10.000000', EffectiveCost: '8.000000', ...common },
    ]);
    const calls = server!.armCalls.map((c) => ({ type: JSON.parse(c.body).type, page: c.params.get('$skiptoken') }));
    expect(calls).toEqual([
      { type: 'ActualCost', page: null },
      { type: 'ActualCost', page: '1' },
      { type: 'AmortizedCost', page: null },
      { type: 'AmortizedCost', page: '1' },
    ]);
    const body = JSON.parse(server!.armCalls[0]!.body);
    expect(body).toMatchObject({
      timeframe: 'Custom',
      timePeriod: { from: '2026-11-05T00:00:00.000Z', to: '2026-12-04T00:00:00.000Z' },
      dataset: {
        granularity: 'Daily',
        grouping: [
          { type: 'Dimension', name: 'ResourceId' },
          { type: 'TagKey', name: 'CustomerID' },
        ],
      },
    });
  });

  it("waits out Cost Management's own retry-after headers on a 429", async () => {
    const src = await source(
      costApi((_c, n) =>
        n === 2
          ? {
              status: 429,
              headers: {
                'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': '1',
                'x-ms-ratelimit-microsoft.costmanagement-entity-retry-after': '0',
              },
              body: { error: { code: '429', message: 'Too many requests' } },
            }
          : undefined,
      ),
    );
    const started = Date.now();
    const { statuses } = await collect(src);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(statuses[0]).toMatchObject({ status: 'ok', rows: 4 });
    expect(server!.armCalls.map((c) => c.params.get('$skiptoken'))).toEqual([null, '1', '1', null, '1']);
  });

  it('gives up at once when the wait asked for passes the deadline, and says so', async () => {
    const src = await source(
      costApi(() => ({
        status: 429,
        headers: { 'x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after': '60' },
        body: { error: { code: '429', message: 'Too many requests' } },
      })),
      { deadlineMs: 2000, metrics: ['actual'] },
    );
    const started = Date.now();
    const { statuses, rows } = await collect(src);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(statuses[0]).toMatchObject({ status: 'failed', rows: 0 });
    expect(statuses[0]!.error).toMatch(/^actual cost, first page: HTTP 429.* \(retry after 60 s, past the deadline\)$/);
    expect(rows).toEqual([]);
  });

  it('leaves a subscription partial when a later page never comes, keeps what came, and the other whole', async () => {
    const src = await source(
      costApi((c) => (c.path.includes(SUB_B) && c.params.get('$skiptoken') === '1' ? { fault: 'hang' } : undefined)),
      { subscriptions: [SUB_A, SUB_B], deadlineMs: 1000, metrics: ['actual'] },
    );
    const { statuses, rows } = await collect(src);
    const byScope = Object.fromEntries(statuses.map((s) => [s.scope, [s.status, s.error, s.rows]]));
    expect(byScope).toEqual({
      [`subscription:${SUB_A}`]: ['ok', null, 4],
      [`subscription:${SUB_B}`]: ['partial', 'actual cost, page 2: no answer within 1 s', 2],
    });
    // Only actual cost was asked: EffectiveCost is unknown, not zero.
    expect(rows.filter((r) => String(r.SubAccountId).includes(SUB_B)).map((r) => [r.BilledCost, r.EffectiveCost])).toEqual([
      ['10.000000', null],
      ['10.000000', null],
    ]);
    expect(JSON.stringify(statuses)).not.toContain(SECRET);
  });

  itReal(
    ['d_cost/specs_costmgmt_BillingAccountQuery_daily_nextLink.json'],
    'reads the recorded daily answer with its nextLink',
    async () => {
      const recorded = exampleBody('d_cost/specs_costmgmt_BillingAccountQuery_daily_nextLink.json') as {
        properties: { nextLink: string; rows: unknown[][] };
      };
      const src = await source(
        (call) => {
          if (!call.path.endsWith('/providers/microsoft.costmanagement/query')) return undefined;
          const first = !call.params.get('$skiptoken');
          const next = new URL(recorded.properties.nextLink);
          return {
            body: {
              ...recorded,
              properties: {
                ...recorded.properties,
                nextLink: first
                  ? `${server!.url}/subscriptions/${SUB_A}/providers/Microsoft.CostManagement/query${next.search}`
                  : null,
              },
            },
          };
        },
        { metrics: ['actual'] },
      );
      const { statuses, rows } = await collect(src);
      expect(statuses[0]).toMatchObject({ status: 'ok', rows: 4 });
      // Both pages are the recorded one: each resource group's cost of 2018-03-31, twice.
      expect(rows.map((r) => [r.day, r.x_ResourceGroupName, r.BilledCost, r.BillingCurrency])).toEqual([
        ['2018-03-31', 'JapanUnifia-Trial', '39.090727', 'USD'],
        ['2018-03-31', 'RVIIOT-TRIAL', '346.839585', 'USD'],
        ['2018-03-31', 'VSTSHOL-1595322048000', '40.718833', 'USD'],
        ['2018-03-31', 'gs-stms-dev', '0.333554', 'USD'],
      ]);
    },
  );
});
