// `compline run` with sources.monitor live, end to end: the built CLI, the real SDK clients and credential, the local
// HTTPS server playing Resource Graph, the metrics batch API and Log Analytics. Rows land with their tenants; a
// subscription whose metrics are refused makes the run partial (exit 4), recorded as that tenant's scope; no secret leaks.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveEstate, SUB_A, SUB_B } from './support/azure-estate.js';
import { type AzureServer, pagedEstate, type Reply, startAzureServer, TEST_CLIENT, TEST_TENANT } from './support/azure-server.js';
import { complineAsync } from './support/cli.js';
import {
  isMetricsCall,
  logsAnswer,
  logsCallOf,
  type MetricsCall,
  metricsAnswer,
  metricsCallOf,
  type Point,
} from './support/monitor-replies.js';
import { queryStore } from './support/store-query.js';

const SECRET = 'planted~RunMonitor.6f5e4d3c';
const WORKSPACE = '3f2e1d0c-9b8a-4765-8432-10fedcba9876';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const vm = (sub: string, rg: string, name: string) => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
  name,
  type: 'microsoft.compute/virtualmachines',
  location: 'westeurope',
  resourceGroup: rg,
  subscriptionId: sub,
  tags: {},
  properties: { hardwareProfile: { vmSize: 'Standard_D2s_v5' } },
});

/** Every hour of the last two whole days before today, CPU flat at 2 %. */
function lastDays(): Point[] {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Array.from({ length: 48 }, (_, h) => ({
    timeStamp: new Date(today - (48 - h) * 3_600_000).toISOString(),
    average: 2,
    minimum: 1,
    maximum: 2.5,
    count: 60,
  }));
}

async function workspace(metrics: (call: MetricsCall) => Reply): Promise<string> {
  const estate = liveEstate();
  estate.Resources = [...(estate.Resources ?? []), vm(SUB_A, 'rg-acme-prod', 'vm-acme'), vm(SUB_B, 'rg-zeta-prod', 'vm-zeta')];
  server = await startAzureServer({
    secret: SECRET,
    graph: pagedEstate(estate, 50),
    echoSecret: true,
    arm: (call) => {
      if (isMetricsCall(call)) return metrics(metricsCallOf(call));
      const logs = logsCallOf(call);
      if (logs)
        return logsAnswer([
          ['gc-acme-prod', 'api-1', 'api', 40, 20, 104_857_600, 94_371_840, 2880, 47.98],
          ['kube-system', 'coredns-1', 'coredns', 5, 3, 31_457_280, 30_000_000, 2880, 47.98],
        ]);
      return undefined;
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'compline-monitor-live-'));
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_A}] }
  - { id: zeta, name: Zeta Credit, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_B}] }
azure:
  cloud: { arm_endpoint: "${server.url}", authority_host: "${server.url}", metrics_endpoint: "${server.url}", log_analytics_endpoint: "${server.url}", verify_key_vault_challenge: false }
  credential: { kind: client_secret, tenant_id: ${TEST_TENANT}, client_id: ${TEST_CLIENT}, secret_env: COMPLINE_TEST_SECRET }
  subscriptions: [${SUB_A}, ${SUB_B}]
  deadline_seconds: 5
sources:
  resource_graph: { mode: live }
  monitor: { mode: live, lookback_days: 2, workspaces: [{ cluster: aks-shared, workspace_id: ${WORKSPACE} }] }
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`,
  );
  return dir;
}

const run = (dir: string) =>
  complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], { env: { COMPLINE_TEST_SECRET: SECRET } });

const monitorStatuses = (dir: string) =>
  queryStore(
    join(dir, 'store/compline.duckdb'),
    `select scope, status, tenant_id, rows::integer as rows from source_status where source = 'monitor' order by scope`,
  );

describe('compline run with live utilisation', () => {
  it("stores every VM's days and every container's usage under its tenant", async () => {
    const dir = await workspace((call) => metricsAnswer(call, () => lastDays()));
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(0);
    const store = join(dir, 'store/compline.duckdb');
    expect(
      await queryStore(
        store,
        `select split_part(resource_id, '/', -1) as vm, tenant_id, count(*)::integer as n, min(samples)::integer as samples
         from metrics group by all order by vm`,
      ),
    ).toEqual([
      { vm: 'vm-acme', tenant_id: 'acme', n: 6, samples: 24 },
      { vm: 'vm-zeta', tenant_id: 'zeta', n: 6, samples: 24 },
    ]);
    expect(await queryStore(store, 'select namespace, tenant_id from k8s_usage order by namespace')).toEqual([
      { namespace: 'gc-acme-prod', tenant_id: 'acme' },
      { namespace: 'kube-system', tenant_id: null },
    ]);
    expect(await monitorStatuses(dir)).toEqual([
      { scope: 'cluster:aks-shared', status: 'ok', tenant_id: null, rows: 2 },
      { scope: `subscription:${SUB_A}`, status: 'ok', tenant_id: 'acme', rows: 6 },
      { scope: `subscription:${SUB_B}`, status: 'ok', tenant_id: 'zeta', rows: 6 },
    ]);
  });

  it("is partial, exit 4, when one subscription's metrics are refused, and the scope is that tenant's", async () => {
    const dir = await workspace((call) =>
      call.subscription === SUB_B
        ? {
            status: 403,
            body: { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to read metrics' } },
          }
        : metricsAnswer(call, () => lastDays()),
    );
    const result = await run(dir);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /warn: monitor failed for subscription:9a0b1c2d-[^:]+: metrics of 1 virtualmachines in westeurope: HTTP 403 AuthorizationFailed/,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    const statuses = await monitorStatuses(dir);
    expect(statuses.find((s) => s.scope === `subscription:${SUB_B}`)).toEqual({
      scope: `subscription:${SUB_B}`,
      status: 'failed',
      tenant_id: 'zeta',
      rows: 0,
    });
    expect(statuses.find((s) => s.scope === `subscription:${SUB_A}`)?.status).toBe('ok');
  });
});
