// Container usage through the real LogsQueryClient against the local HTTPS server: one Container Insights query per
// configured cluster, over the whole days of the window; the service's partial answer is a partial cluster; throttling
// is waited out; a 500, a hang or an empty answer fail the cluster with the reason, in bounded time.
import { afterEach, describe, expect, it } from 'vitest';
import { azureConnection } from '../src/collectors/azure/connection.js';
import {
  ContainerUsageLiveSource,
  type ContainerUsageOptions,
  usageQuery,
} from '../src/collectors/monitor/container-usage-live.js';
import type { K8sUsageRow } from '../src/model.js';
import { SUB_A } from './support/azure-estate.js';
import { type AzureServer, pagedEstate, type Reply, startAzureServer, TEST_CLIENT, TEST_TENANT } from './support/azure-server.js';
import { byScope } from './support/collector-events.js';
import { type LogsCall, logsAnswer, logsCallOf } from './support/monitor-replies.js';

const SECRET = 'planted~Logs.0a9b8c7d6e';
const WS_SHARED = '3f2e1d0c-9b8a-4765-8432-10fedcba9876';
const WS_ALPHA = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const NOW = new Date('2026-12-05T10:30:00Z');
const SHARED_ROWS = [
  ['gc-credit-union-beta-prod', 'member-portal-mfb56bbf9-8f52k', 'portal', 31.5, 22.1, 201_326_592, 180_000_000, 20_160, 335.9],
  ['kube-system', 'coredns-8bx2f546d-br476', 'coredns', 4.2, 3.1, 31_457_280, 30_000_000, 20_160, 335.9],
];

async function source(logs: (call: LogsCall) => Reply, opts: Partial<ContainerUsageOptions> = {}) {
  server = await startAzureServer({
    secret: SECRET,
    graph: pagedEstate({}),
    arm: (call) => {
      const logsCall = logsCallOf(call);
      return logsCall ? logs(logsCall) : undefined;
    },
  });
  const connection = azureConnection(
    {
      cloud: { arm_endpoint: server.url, authority_host: server.url, log_analytics_endpoint: server.url },
      credential: { kind: 'client_secret', tenant_id: TEST_TENANT, client_id: TEST_CLIENT, secret_env: 'SECRET' },
      subscriptions: [SUB_A],
      concurrency: 4,
      deadline_seconds: 5,
    },
    { SECRET },
  );
  return new ContainerUsageLiveSource({
    connection,
    workspaces: [
      { cluster: 'aks-shared-westus', workspace_id: WS_SHARED },
      { cluster: 'aks-bank-alpha-prod', workspace_id: WS_ALPHA },
    ],
    lookbackDays: 14,
    concurrency: 2,
    deadlineMs: 5000,
    retry: { maxRetries: 2, retryDelayInMs: 20 },
    now: () => NOW,
    ...opts,
  });
}

async function drain(src: ContainerUsageLiveSource) {
  const rows: K8sUsageRow[] = [];
  const statuses = [];
  for await (const e of src.collect()) {
    if (e.kind === 'rows' && e.table === 'k8s_usage') rows.push(...e.rows);
    else if (e.kind === 'status') statuses.push(e.status);
  }
  return { rows, statuses: byScope(statuses) };
}

const logsCalls = () => server!.armCalls.map(logsCallOf).filter((c) => c !== null);
const ALPHA_ROWS = [['payments', 'payments-api-682b4c47b-fgxb6', 'api', 40, 25, 300_000_000, 250_000_000, 120, 2.5]];
const healthy = (call: LogsCall) => logsAnswer(call.workspace === WS_SHARED ? SHARED_ROWS : ALPHA_ROWS);

describe('live container usage', () => {
  it("queries each cluster's workspace over the window's whole days and keeps every container's figures", async () => {
    const { rows, statuses } = await drain(await source(healthy));
    const calls = logsCalls();
    expect(calls.map((c) => c.workspace).sort()).toEqual([WS_SHARED, WS_ALPHA].sort());
    const shared = calls.find((c) => c.workspace === WS_SHARED)!;
    expect(shared.timespan).toBe('2026-11-21T00:00:00.000Z/2026-12-05T00:00:00.000Z');
    expect(shared.query).toBe(usageQuery('aks-shared-westus'));
    expect(shared.query).toContain("let cluster = 'aks-shared-westus';");
    expect(rows.find((r) => r.namespace === 'gc-credit-union-beta-prod')).toEqual({
      cluster: 'aks-shared-westus',
      namespace: 'gc-credit-union-beta-prod',
      pod: 'member-portal-mfb56bbf9-8f52k',
      container: 'portal',
      cpu_p95_mcores: 31.5,
      cpu_avg_mcores: 22.1,
      mem_max_bytes: 201_326_592,
      mem_avg_bytes: 180_000_000,
      samples: 20_160,
      history_hours: 335.9,
      window_days: 14,
      tenant_id: null,
    });
    // 120 samples over 2.5 hours are kept as they are: the rules say "not enough data".
    expect(rows.find((r) => r.cluster === 'aks-bank-alpha-prod')).toMatchObject({ samples: 120, history_hours: 2.5 });
    expect(statuses).toEqual({
      'cluster:aks-shared-westus': { status: 'ok', error: null, rows: 2 },
      'cluster:aks-bank-alpha-prod': { status: 'ok', error: null, rows: 1 },
    });
  });

  it("keeps a partial answer's rows and marks the cluster partial with the service's reason", async () => {
    const src = await source((call) =>
      call.workspace === WS_SHARED
        ? logsAnswer(SHARED_ROWS.slice(0, 1), {
            code: 'PartialError',
            message: 'There were some errors when processing your query: query result set has exceeded the internal limit',
          })
        : healthy(call),
    );
    const { rows, statuses } = await drain(src);
    expect(rows.filter((r) => r.cluster === 'aks-shared-westus')).toHaveLength(1);
    expect(statuses['cluster:aks-shared-westus']).toEqual({
      status: 'partial',
      error:
        'container usage: partial answer: There were some errors when processing your query: query result set has exceeded the internal limit',
      rows: 1,
    });
    expect(statuses['cluster:aks-bank-alpha-prod']?.status).toBe('ok');
  });

  it('waits out a 429 for its Retry-After', async () => {
    let first = true;
    const src = await source((call) => {
      if (call.workspace === WS_ALPHA && first) {
        first = false;
        return {
          status: 429,
          headers: { 'retry-after': '1' },
          body: { error: { code: 'TooManyRequests', message: 'slow down' } },
        };
      }
      return healthy(call);
    });
    const { statuses } = await drain(src);
    const alpha = logsCalls().filter((c) => c.workspace === WS_ALPHA);
    expect(alpha).toHaveLength(2);
    expect(alpha[1]!.at - alpha[0]!.at).toBeGreaterThanOrEqual(950);
    expect(statuses['cluster:aks-bank-alpha-prod']).toEqual({ status: 'ok', error: null, rows: 1 });
  });

  it('fails a cluster whose query keeps failing, or never answers, with the reason and in bounded time', async () => {
    const src = await source(
      (call) =>
        call.workspace === WS_SHARED
          ? { status: 500, body: { error: { code: 'InternalServerError', message: 'workspace unavailable' } } }
          : { fault: 'hang' },
      { deadlineMs: 700 },
    );
    const started = Date.now();
    const { rows, statuses } = await drain(src);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(rows).toEqual([]);
    expect(statuses['cluster:aks-shared-westus']).toMatchObject({ status: 'failed', rows: 0 });
    expect(statuses['cluster:aks-shared-westus']!.error).toMatch(/^container usage: HTTP 500 .*workspace unavailable/);
    expect(statuses['cluster:aks-bank-alpha-prod']).toEqual({
      status: 'failed',
      error: 'container usage: no answer within 0.7 s',
      rows: 0,
    });
  });

  it('fails a cluster Container Insights sent nothing for, and one whose answer lacks a column', async () => {
    const src = await source((call) =>
      call.workspace === WS_SHARED
        ? logsAnswer([])
        : {
            body: { tables: [{ name: 'PrimaryResult', columns: [{ name: 'Namespace', type: 'string' }], rows: [['payments']] }] },
          },
    );
    const { statuses } = await drain(src);
    expect(statuses).toEqual({
      'cluster:aks-shared-westus': {
        status: 'failed',
        error: `container usage: no Container Insights usage for aks-shared-westus in workspace ${WS_SHARED} over 14 days`,
        rows: 0,
      },
      'cluster:aks-bank-alpha-prod': {
        status: 'failed',
        error:
          'container usage: answer without column Pod, Container, cpu_p95_mcores, cpu_avg_mcores, mem_max_bytes, mem_avg_bytes, samples, history_hours',
        rows: 0,
      },
    });
  });

  it('quotes a cluster name into the query as a KQL string', () => {
    expect(usageQuery("it's\\x")).toContain("let cluster = 'it\\'s\\\\x';");
  });
});
