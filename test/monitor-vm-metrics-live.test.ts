// VM metrics through the real MetricsClient (and the Resource Graph client that lists the VMs) against the local
// HTTPS server: batches of one subscription, region and type; daily avg / max / p95 from hourly values; throttling
// waited out; a 500, a hang, a short answer or a failed VM list leave the subscription partial or failed with the
// reason, never a silently short set of rows.
import { afterEach, describe, expect, it } from 'vitest';
import { azureConnection } from '../src/collectors/azure/connection.js';
import { VmMetricsLiveSource, type VmMetricsOptions } from '../src/collectors/monitor/vm-metrics-live.js';
import { ResourceGraphLiveSource } from '../src/collectors/resource-graph/live-source.js';
import type { MetricRow } from '../src/model.js';
import { SUB_A, SUB_B } from './support/azure-estate.js';
import {
  type AzureServer,
  type GraphCall,
  pagedEstate,
  type Reply,
  startAzureServer,
  TEST_CLIENT,
  TEST_TENANT,
} from './support/azure-server.js';
import { byScope } from './support/collector-events.js';
import { isMetricsCall, type MetricsCall, metricsAnswer, metricsCallOf, type Point } from './support/monitor-replies.js';

const SECRET = 'planted~Monitor.5e4d3c2b1a';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const vm = (sub: string, rg: string, name: string, location: string, type = 'Microsoft.Compute/virtualMachines') => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`,
  name,
  type: type.toLowerCase(),
  location,
  subscriptionId: sub,
});

const VM_A1 = vm(SUB_A, 'rg-acme-prod', 'vm-a1', 'eastus');
const VM_A2 = vm(SUB_A, 'rg-acme-prod', 'vm-a2', 'eastus');
const SS_A = vm(SUB_A, 'rg-acme-prod', 'ss-a', 'westus', 'Microsoft.Compute/virtualMachineScaleSets');
const VM_B = vm(SUB_B, 'rg-zeta-prod', 'vm-b', 'eastus');
const ESTATE = { Resources: [VM_A1, VM_A2, SS_A, VM_B] };
const lower = (r: { id: string }) => r.id.toLowerCase();

/** The run's clock: the window is the two whole days before 2026-12-05. */
const NOW = new Date('2026-12-05T10:30:00Z');
const hours = (day: string, n: number, value: (h: number) => Omit<Point, 'timeStamp'>): Point[] =>
  Array.from({ length: n }, (_, h) => ({ timeStamp: `${day}T${String(h).padStart(2, '0')}:00:00Z`, ...value(h) }));

/** vm-a1: CPU maxima 1..24 an hour; vm-a2: five hours on the 4th only; the others flat. */
function series(id: string, metric: string): Point[] {
  if (id === lower(VM_A2)) return hours('2026-12-04', 5, () => ({ average: 1, maximum: 2, count: 60 }));
  if (id === lower(VM_A1) && metric === 'Percentage CPU')
    return [
      ...hours('2026-12-03', 24, (h) => ({ average: h / 2, minimum: h / 4, maximum: h + 1, count: 60 })),
      ...hours('2026-12-04', 24, (h) => ({ average: 2, maximum: h % 2 ? 4 : 3, count: 60 })),
    ];
  const flat = metric === 'Percentage CPU' ? 10 : 2e9;
  return [
    ...hours('2026-12-03', 24, () => ({ average: flat, maximum: flat, count: 60 })),
    ...hours('2026-12-04', 24, () => ({ average: flat, maximum: flat, count: 60 })),
  ];
}

async function source(
  metrics: (call: MetricsCall) => Reply,
  opts: Partial<VmMetricsOptions> = {},
  graph?: (c: GraphCall) => Reply,
) {
  server = await startAzureServer({
    secret: SECRET,
    graph: graph ?? pagedEstate(ESTATE, 10),
    arm: (call) => (isMetricsCall(call) ? metrics(metricsCallOf(call)) : undefined),
  });
  const connection = azureConnection(
    {
      cloud: { arm_endpoint: server.url, authority_host: server.url, metrics_endpoint: server.url },
      credential: { kind: 'client_secret', tenant_id: TEST_TENANT, client_id: TEST_CLIENT, secret_env: 'SECRET' },
      subscriptions: [SUB_A, SUB_B],
      concurrency: 4,
      deadline_seconds: 5,
    },
    { SECRET },
  );
  const graphSource = new ResourceGraphLiveSource({
    connection,
    subscriptions: [SUB_A, SUB_B],
    concurrency: 2,
    deadlineMs: 5000,
    retry: { maxRetries: 1, retryDelayInMs: 20 },
    reads: () => false,
  });
  return new VmMetricsLiveSource({
    connection,
    graph: graphSource,
    subscriptions: [SUB_A, SUB_B],
    lookbackDays: 2,
    interval: 'PT1H',
    batchSize: 50,
    concurrency: 2,
    deadlineMs: 5000,
    retry: { maxRetries: 2, retryDelayInMs: 20 },
    now: () => NOW,
    ...opts,
  });
}

async function drain(src: VmMetricsLiveSource) {
  const rows: MetricRow[] = [];
  const statuses = [];
  for await (const e of src.collect()) {
    if (e.kind === 'rows' && e.table === 'metrics') rows.push(...e.rows);
    else if (e.kind === 'status') statuses.push(e.status);
  }
  return { rows, statuses: byScope(statuses) };
}

const metricsCalls = () => server!.armCalls.filter(isMetricsCall).map(metricsCallOf);
const answering = (call: MetricsCall) => metricsAnswer(call, series);

describe('live VM metrics', () => {
  it('asks one batch per subscription, region and type and reduces hourly values to daily statistics', async () => {
    const { rows, statuses } = await drain(await source(answering));
    const calls = metricsCalls();
    expect(calls.map((c) => `${c.subscription} ${c.namespace} ${c.resourceids.length}`).sort()).toEqual(
      [
        `${SUB_A} microsoft.compute/virtualmachines 2`,
        `${SUB_A} microsoft.compute/virtualmachinescalesets 1`,
        `${SUB_B} microsoft.compute/virtualmachines 1`,
      ].sort(),
    );
    expect(calls[0]).toMatchObject({
      metricnames: ['Percentage CPU', 'Available Memory Bytes', 'Network Out Total'],
      interval: 'PT1H',
      aggregation: 'average,minimum,maximum,count',
      starttime: '2026-12-03T00:00:00.000Z',
      endtime: '2026-12-05T00:00:00.000Z',
    });
    const cpu = (id: string, day: string) =>
      rows.find((r) => r.resource_id === id && r.metric === 'Percentage CPU' && r.day === day);
    // Maxima 1..24: the nearest-rank p95 of 24 values is the 23rd; the mean of averages 0, 0.5, ..., 11.5 is 5.75.
    expect(cpu(lower(VM_A1), '2026-12-03')).toEqual({
      resource_id: lower(VM_A1),
      metric: 'Percentage CPU',
      day: '2026-12-03',
      avg: 5.75,
      max: 24,
      p95: 23,
      min: 0,
      samples: 24,
      tenant_id: null,
    });
    expect(cpu(lower(VM_A1), '2026-12-04')).toMatchObject({ avg: 2, max: 4, p95: 4, samples: 24 });
    // Five hours are five samples, stored as they are: the rules judge whether that is enough.
    expect(rows.filter((r) => r.resource_id === lower(VM_A2)).map((r) => `${r.metric} ${r.day} ${r.samples}`)).toEqual([
      'Percentage CPU 2026-12-04 5',
      'Available Memory Bytes 2026-12-04 5',
      'Network Out Total 2026-12-04 5',
    ]);
    expect(rows).toHaveLength(3 * 2 + 3 + 3 * 2 + 3 * 2);
    expect(statuses).toEqual({
      [`subscription:${SUB_A}`]: { status: 'ok', error: null, rows: 15 },
      [`subscription:${SUB_B}`]: { status: 'ok', error: null, rows: 6 },
    });
  });

  it('splits a group larger than the batch size', async () => {
    await drain(await source(answering, { batchSize: 1 }));
    expect(
      metricsCalls().filter((c) => c.subscription === SUB_A && c.namespace === 'microsoft.compute/virtualmachines'),
    ).toHaveLength(2);
  });

  it('waits out a 429 for its Retry-After and then collects whole', async () => {
    let throttled = 0;
    const src = await source((call) =>
      throttled++ === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'throttled' } } }
        : answering(call),
    );
    const { statuses, rows } = await drain(await Promise.resolve(src));
    const calls = metricsCalls().sort((a, b) => a.at - b.at);
    expect(calls.length).toBe(4);
    const retried = calls.find((c, i) => i > 0 && c.resourceids.join() === calls[0]!.resourceids.join())!;
    expect(retried.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(rows).toHaveLength(21);
    expect(Object.values(statuses).map((s) => s.status)).toEqual(['ok', 'ok']);
  });

  it('leaves a subscription partial when one of its batches keeps failing, naming the batch and the status', async () => {
    const src = await source((call) =>
      call.namespace === 'microsoft.compute/virtualmachinescalesets'
        ? { status: 500, body: { error: { code: 'InternalServerError', message: 'backend unavailable' } } }
        : answering(call),
    );
    const { statuses, rows } = await drain(src);
    expect(statuses[`subscription:${SUB_A}`]).toEqual({
      status: 'partial',
      error: expect.stringMatching(/^metrics of 1 virtualmachinescalesets in westus: HTTP 500 .*backend unavailable/),
      rows: 9,
    });
    expect(statuses[`subscription:${SUB_B}`]?.status).toBe('ok');
    expect(rows.some((r) => r.resource_id === lower(SS_A))).toBe(false);
  });

  it('gives up on a batch that never answers at the deadline: the subscription failed, in bounded time', async () => {
    const src = await source((call) => (call.subscription === SUB_B ? { fault: 'hang' } : answering(call)), { deadlineMs: 600 });
    const started = Date.now();
    const { statuses } = await drain(src);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(statuses[`subscription:${SUB_B}`]).toEqual({
      status: 'failed',
      error: 'metrics of 1 virtualmachines in eastus: no answer within 0.6 s',
      rows: 0,
    });
    expect(statuses[`subscription:${SUB_A}`]?.status).toBe('ok');
  });

  it('says which resources an answer left out and which metric failed', async () => {
    const src = await source((call) => {
      const reply = answering(call) as { body: { values: { resourceid: string; value: { errorCode: string }[] }[] } };
      if (call.subscription !== SUB_A || call.resourceids.length !== 2) return reply;
      const values = reply.body.values.filter((v) => v.resourceid.toLowerCase() !== lower(VM_A2));
      values[0]!.value[1]!.errorCode = 'Throttled';
      return { body: { values } };
    });
    const { statuses } = await drain(src);
    expect(statuses[`subscription:${SUB_A}`]).toEqual({
      status: 'partial',
      error: `metrics of 2 virtualmachines in eastus: no answer for 1 of them; ${lower(VM_A1)}: Available Memory Bytes: Throttled`,
      // vm-a1 without its memory days, and the scale set's six.
      rows: 4 + 6,
    });
  });

  it('fails every subscription whose VM list did not come, without a metrics request or the secret', async () => {
    const src = await source(answering, {}, () => ({
      status: 500,
      body: { error: { code: 'ServerError', message: `no ${SECRET}` } },
    }));
    const { statuses, rows } = await drain(src);
    expect(rows).toEqual([]);
    expect(metricsCalls()).toEqual([]);
    for (const sub of [SUB_A, SUB_B]) {
      expect(statuses[`subscription:${sub}`]).toMatchObject({ status: 'failed', rows: 0 });
      expect(statuses[`subscription:${sub}`]!.error).toMatch(/^virtual machine list: first page: HTTP 500/);
      expect(statuses[`subscription:${sub}`]!.error).not.toContain(SECRET);
    }
  });
});

describe('monitor endpoints of a cloud', () => {
  const settings = (cloud: 'public' | 'usgov' | 'china') => ({
    cloud,
    credential: { kind: 'default' as const },
    subscriptions: [SUB_A],
    concurrency: 4,
    deadline_seconds: 5,
  });

  it("asks each region's metrics host and the cloud's Log Analytics, with their own token audiences", () => {
    const expected = {
      public: [
        'https://westeurope.metrics.monitor.azure.com',
        'https://metrics.monitor.azure.com/.default',
        'https://api.loganalytics.io',
      ],
      usgov: [
        'https://usgovvirginia.metrics.monitor.azure.us',
        'https://metrics.monitor.azure.us/.default',
        'https://api.loganalytics.us',
      ],
      china: [
        'https://chinanorth3.metrics.monitor.azure.cn',
        'https://metrics.monitor.azure.cn/.default',
        'https://api.loganalytics.azure.cn',
      ],
    };
    const regions = { public: 'West Europe', usgov: 'usgovvirginia', china: 'chinanorth3' };
    for (const cloud of ['public', 'usgov', 'china'] as const) {
      const { metrics, logs } = azureConnection(settings(cloud), {}).monitor;
      const [host, scope, analytics] = expected[cloud];
      expect([metrics?.endpoint(regions[cloud]), metrics?.scope]).toEqual([host, scope]);
      expect(logs).toEqual({ endpoint: `${analytics}/v1`, scope: `${analytics}/.default` });
    }
  });

  it('has none for a cloud spelt out without them, and the live collector says which key is missing', () => {
    const connection = azureConnection(
      { ...settings('public'), cloud: { arm_endpoint: 'https://arm.example', authority_host: 'https://login.example' } },
      {},
    );
    expect(connection.monitor).toEqual({ metrics: null, logs: null });
    expect(
      () =>
        new VmMetricsLiveSource({
          connection,
          graph: new ResourceGraphLiveSource({ connection, subscriptions: [SUB_A], concurrency: 1, deadlineMs: 1000 }),
          subscriptions: [SUB_A],
          lookbackDays: 14,
          interval: 'PT1H',
          batchSize: 50,
          concurrency: 1,
          deadlineMs: 1000,
        }),
    ).toThrow('azure.cloud.metrics_endpoint: required for sources.monitor.mode: live');
  });
});
