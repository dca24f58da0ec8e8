// The Resource Graph half of bench:collect: an estate of N resources over M subscriptions behind Resource Graph's
// quota per principal (15 queries per 5-second window, pages of up to 1000 rows), collected by the real live source
// (real SDK client, real credential against the local token endpoint) in a child process.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { azureConnection } from '../src/collectors/azure/connection.js';
import { ResourceGraphLiveSource } from '../src/collectors/resource-graph/live-source.js';
import { pagedEstate, startAzureServer, TEST_CLIENT, TEST_TENANT, withQuota } from '../test/support/azure-server.js';
import { makeTestTls, removeTestTls, TLS_DIR_ENV } from '../test/support/azure-tls.js';
import type { BenchFlags } from './collect.js';

const QUOTA = { requests: 15, windowMs: 5000 };
/** The most rows Resource Graph puts in one page. */
const PAGE_ROWS = 1000;
const SECRET = 'bench-client-secret';
const GOAL_PCT = 90;

const subscriptionId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

const TYPES = [
  ['Microsoft.Compute/disks', { diskSizeGB: 128, encryption: { type: 'EncryptionAtRestWithPlatformKey' } }],
  ['Microsoft.Network/networkInterfaces', { enableAcceleratedNetworking: true, ipConfigurations: [] }],
  ['Microsoft.Compute/virtualMachines', { hardwareProfile: { vmSize: 'Standard_D4s_v5' }, osProfile: { computerName: 'vm' } }],
  ['Microsoft.Network/publicIPAddresses', { publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' }],
  ['Microsoft.Network/networkSecurityGroups', { securityRules: [], provisioningState: 'Succeeded' }],
] as const;

/** Resources spread evenly over the subscriptions (two resource groups each), with their containers, pricings and role assignments. */
export function benchEstate(resources: number, subscriptions: number): Record<string, Record<string, unknown>[]> {
  const tables: Record<string, Record<string, unknown>[]> = {
    Resources: [],
    ResourceContainers: [],
    SecurityResources: [],
    AuthorizationResources: [],
  };
  for (let s = 0; s < subscriptions; s++) {
    const sub = subscriptionId(s);
    tables.ResourceContainers!.push({
      id: `/subscriptions/${sub}`,
      name: `sub-${s}`,
      type: 'microsoft.resources/subscriptions',
      subscriptionId: sub,
    });
    for (const rg of ['rg-app', 'rg-data'])
      tables.ResourceContainers!.push({
        id: `/subscriptions/${sub}/resourceGroups/${rg}`,
        name: rg,
        type: 'microsoft.resources/subscriptions/resourcegroups',
        resourceGroup: rg,
        subscriptionId: sub,
        location: 'westeurope',
      });
    for (const plan of ['VirtualMachines', 'KeyVaults'])
      tables.SecurityResources!.push({
        id: `/subscriptions/${sub}/providers/Microsoft.Security/pricings/${plan}`,
        name: plan,
        type: 'microsoft.security/pricings',
        subscriptionId: sub,
        properties: { pricingTier: 'Standard' },
      });
    for (let a = 0; a < 2; a++) {
      const name = `${a}0000000-aaaa-4bbb-8ccc-${s.toString(16).padStart(12, '0')}`;
      tables.AuthorizationResources!.push({
        id: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        type: 'microsoft.authorization/roleassignments',
        subscriptionId: sub,
        properties: { scope: `/subscriptions/${sub}`, principalType: 'ServicePrincipal' },
      });
    }
  }
  for (let i = 0; i < resources; i++) {
    const s = i % subscriptions;
    const sub = subscriptionId(s);
    const [type, properties] = TYPES[i % TYPES.length]!;
    const rg = i % 2 ? 'rg-app' : 'rg-data';
    const name = `${type.split('/')[1]!.toLowerCase()}-${i}`;
    tables.Resources!.push({
      id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`,
      name,
      type: type.toLowerCase(),
      tenantId: TEST_TENANT,
      kind: '',
      location: 'westeurope',
      resourceGroup: rg,
      subscriptionId: sub,
      managedBy: '',
      sku: null,
      plan: null,
      properties,
      tags: { CustomerID: `tenant-${s % 50}`, env: 'prod' },
      identity: null,
      zones: null,
      extendedLocation: null,
    });
  }
  return tables;
}

interface ChildParams {
  url: string;
  subscriptions: string[];
  concurrency: number;
}

export interface ChildResult {
  rows: number;
  ms: number;
  incomplete: string[];
}

/** The collecting side: the live source as `compline run` builds it, every event counted. */
export async function resourceGraphChild(input: unknown): Promise<void> {
  const params = input as ChildParams;
  const settings = {
    cloud: { arm_endpoint: params.url, authority_host: params.url },
    credential: { kind: 'client_secret' as const, tenant_id: TEST_TENANT, client_id: TEST_CLIENT, secret_env: 'BENCH_SECRET' },
    subscriptions: params.subscriptions,
    concurrency: params.concurrency,
    deadline_seconds: 120,
  };
  const source = new ResourceGraphLiveSource({
    connection: azureConnection(settings, { BENCH_SECRET: SECRET }),
    subscriptions: settings.subscriptions,
    concurrency: settings.concurrency,
    deadlineMs: settings.deadline_seconds * 1000,
  });
  await source.prepare();
  const started = performance.now();
  let rows = 0;
  const incomplete: string[] = [];
  for await (const event of source.collect()) {
    if (event.kind === 'rows') rows += event.rows.length;
    else if (event.kind === 'status' && event.status.status !== 'ok')
      incomplete.push(`${event.status.scope} ${event.status.status}: ${event.status.error}`);
  }
  const result: ChildResult = { rows, ms: performance.now() - started, incomplete };
  process.send!(result);
}

export async function resourceGraphSection(flags: BenchFlags): Promise<boolean> {
  const tables = benchEstate(flags.resources, flags.subscriptions);
  const estate = pagedEstate(tables, PAGE_ROWS);
  const pageRows: number[] = [];
  const graph = withQuota((call) => {
    const reply = estate(call) as { body: { count: number } };
    pageRows.push(reply.body.count);
    return { ...reply, delayMs: flags.latencyMs };
  }, QUOTA);
  const tls = makeTestTls();
  process.env[TLS_DIR_ENV] = tls;
  const server = await startAzureServer({ secret: SECRET, graph });
  try {
    const child = fork(
      fileURLToPath(new URL('./collect.js', import.meta.url)),
      [
        '--child',
        'resource-graph',
        JSON.stringify({
          url: server.url,
          subscriptions: tables.ResourceContainers!.filter((r) => !r.resourceGroup).map((r) => r.subscriptionId),
          concurrency: flags.concurrency,
        }),
      ],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(tls, 'ca.pem') } },
    );
    const result = await new Promise<ChildResult>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ChildResult));
      child.once('exit', (code) => reject(new Error(`the collecting process exited ${code} without a result`)));
    });
    const requests = server.calls.length;
    const full = pageRows.filter((n) => n === PAGE_ROWS).length;
    const ceiling = (QUOTA.requests / (QUOTA.windowMs / 1000)) * PAGE_ROWS;
    const rate = result.rows / (result.ms / 1000);
    const pct = (100 * rate) / ceiling;
    // The last query can go out no sooner than at the start of the window it falls in.
    const fewest = Math.floor((requests - 1) / QUOTA.requests) * (QUOTA.windowMs / 1000);
    const failed = server.graphFailures - graph.throttled;
    console.log(
      `\nresource-graph · ${flags.resources} resources over ${flags.subscriptions} subscriptions · quota ${QUOTA.requests} queries / ${QUOTA.windowMs / 1000} s · concurrency ${flags.concurrency} · page latency ${flags.latencyMs} ms`,
    );
    console.log(
      `rows ${result.rows} · requests ${requests} (${full} full pages, ${pageRows.length - full} smaller) · 429s ${graph.throttled} · failed requests ${failed} · diagnostic-settings lists ${server.settingsCalls.length}`,
    );
    console.log(
      `wall ${(result.ms / 1000).toFixed(1)} s (the quota allows ${requests} queries in no less than ${fewest} s) · ${rate.toFixed(0)} rows/s · ceiling ${ceiling} rows/s (${QUOTA.requests} queries / ${QUOTA.windowMs / 1000} s × ${PAGE_ROWS} rows) · ${pct.toFixed(1)} % of ceiling`,
    );
    console.log(
      `queries per quota window: ${graph.windows.join(' ')}${graph.windows.length === 1 ? ' (all in one window: the quota did not bind, so the share of its ceiling says little)' : ''}`,
    );
    for (const line of result.incomplete.slice(0, 5)) console.log(`incomplete: ${line}`);
    const met = pct >= GOAL_PCT && failed === 0 && graph.throttled === 0 && result.incomplete.length === 0;
    console.log(`goal ≥ ${GOAL_PCT} % of ceiling, 0 failed, 0 429s, every scope ok: ${met ? 'met' : 'not met'}`);
    return met;
  } finally {
    await server.close();
    removeTestTls(tls);
  }
}
