// Utilisation from files: rows stored as written (few samples included), a malformed file refused whole with its
// row and field named; in a run, metrics take their resource's tenant and container usage its namespace's, and a
// utilisation file that cannot be read makes the run partial.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MonitorFileSource } from '../src/collectors/monitor/file-source.js';
import { runCommand } from '../src/commands/run.js';
import type { K8sUsageRow, MetricRow } from '../src/model.js';
import { byScope } from './support/collector-events.js';
import { queryStore } from './support/store-query.js';

const SUB = '6e8d9f20-2c4b-4e1f-8a66-1b2c3d4e5f60';
const vmId = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const metric = (resource_id: string, day: string, samples: number, p95: number | null = 2.5) => ({
  resource_id,
  metric: 'Percentage CPU',
  day,
  avg: 1.2,
  max: 3.1,
  p95,
  samples,
});
const usage = (cluster: string, namespace: string, samples = 20_160) => ({
  cluster,
  namespace,
  pod: `${namespace}-pod`,
  container: 'app',
  cpu_p95_mcores: 40,
  cpu_avg_mcores: 20,
  mem_max_bytes: 104_857_600,
  mem_avg_bytes: 94_371_840,
  samples,
  history_hours: 335.98,
  window_days: 14,
});

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-monitor-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

async function drain(paths: string[], dir: string) {
  const metrics: MetricRow[] = [];
  const usageRows: K8sUsageRow[] = [];
  const statuses = [];
  for await (const e of new MonitorFileSource(paths, dir).collect()) {
    if (e.kind === 'rows' && e.table === 'metrics') metrics.push(...e.rows);
    else if (e.kind === 'rows' && e.table === 'k8s_usage') usageRows.push(...e.rows);
    else if (e.kind === 'status') statuses.push(e.status);
  }
  return { metrics, usage: usageRows, statuses: byScope(statuses) };
}

describe('utilisation files', () => {
  it('stores every row as written, a day of three samples and a missing p95 included', async () => {
    const dir = folder({
      'monitor/vms.json': {
        metrics: [
          metric(vmId('rg-acme-prod', 'vm-a'), '2026-12-04', 24),
          metric(vmId('rg-acme-prod', 'vm-b'), '2026-12-04', 3, null),
        ],
      },
      'monitor/pods.json': { k8s_usage: [usage('aks-shared', 'gc-acme-prod', 42)] },
    });
    const { metrics, usage: rows, statuses } = await drain(['monitor'], dir);
    expect(metrics.map((m) => [m.resource_id.split('/').pop(), m.samples, m.p95, m.min])).toEqual([
      ['vm-a', 24, 2.5, null],
      ['vm-b', 3, null, null],
    ]);
    expect(metrics[0]!.resource_id).toBe(vmId('rg-acme-prod', 'vm-a').toLowerCase());
    expect(rows).toEqual([{ ...usage('aks-shared', 'gc-acme-prod', 42), tenant_id: null }]);
    expect(statuses).toEqual({
      'file:monitor/pods.json': { status: 'ok', error: null, rows: 1 },
      'file:monitor/vms.json': { status: 'ok', error: null, rows: 2 },
    });
  });

  it('refuses a file with one bad row whole, naming the file, the row and the field', async () => {
    const dir = folder({
      'bad-metric.json': {
        metrics: [metric(vmId('rg', 'ok'), '2026-12-04', 24), { ...metric(vmId('rg', 'x'), '2026-12-04', 24), avg: 'high' }],
      },
      'bad-usage.json': { k8s_usage: [{ ...usage('c', 'ns'), samples: -1 }] },
      'unknown-key.json': { metrics: [], cpu: [] },
      'bad-day.json': { metrics: [metric(vmId('rg', 'x'), '04/12/2026', 24)] },
      'broken.json': '{"metrics": [',
    });
    const { metrics, usage: rows, statuses } = await drain(['.'], dir);
    expect(metrics).toEqual([]);
    expect(rows).toEqual([]);
    const failed = Object.fromEntries(Object.entries(statuses).map(([scope, s]) => [scope, [s.status, s.error, s.rows]]));
    expect(failed).toEqual({
      'file:bad-day.json': ['failed', expect.stringMatching(/^metrics\[0\]\.day: /), 0],
      'file:bad-metric.json': ['failed', expect.stringMatching(/^metrics\[1\]\.avg: .*number/), 0],
      'file:bad-usage.json': ['failed', expect.stringMatching(/^k8s_usage\[0\]\.samples: /), 0],
      'file:broken.json': ['failed', 'not JSON: truncated JSON (the input ends before the document does)', 0],
      'file:unknown-key.json': ['failed', expect.stringMatching(/^document: .*"cpu"/), 0],
    });
  });
});

const CONFIG = `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], clusters: [aks-acme] }
  - { id: zeta, name: Zeta Credit, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod, dev] }
sources:
  resource_graph: { mode: file, paths: [estate] }
  kubernetes: { mode: file, paths: [kubernetes] }
  monitor: { mode: file, paths: [monitor] }
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`;

const namespace = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `uid-${name}`, labels },
});

function runWorkspace(monitorFiles: Record<string, unknown>): string {
  const vm = (rg: string, name: string) => ({
    id: vmId(rg, name),
    name,
    type: 'microsoft.compute/virtualmachines',
    location: 'eastus',
    resourceGroup: rg,
    subscriptionId: SUB,
    tags: {},
    properties: { hardwareProfile: { vmSize: 'Standard_D2s_v5' } },
  });
  return folder({
    'compline.yaml': CONFIG,
    'estate/page.json': { data: [vm('rg-acme-prod', 'vm-acme'), vm('rg-zeta-prod', 'vm-zeta')] },
    'kubernetes/aks-shared/namespaces.json': {
      apiVersion: 'v1',
      kind: 'List',
      items: [namespace('gc-acme-prod'), namespace('team-x', { customer: 'zeta' }), namespace('kube-system')],
    },
    ...Object.fromEntries(Object.entries(monitorFiles).map(([name, doc]) => [`monitor/${name}`, doc])),
  });
}

describe('utilisation in a run', () => {
  it("gives metrics their resource's tenant and container usage its namespace's", async () => {
    const dir = runWorkspace({
      'vms.json': {
        metrics: [
          metric(vmId('rg-acme-prod', 'vm-acme'), '2026-12-04', 24),
          metric(vmId('rg-zeta-prod', 'vm-zeta'), '2026-12-04', 24),
          // not collected by Resource Graph: the tenancy rules over its id decide
          metric(vmId('rg-zeta-dev', 'vm-gone'), '2026-12-04', 24),
          metric(vmId('rg-platform', 'vm-ops'), '2026-12-04', 24),
        ],
      },
      'pods.json': {
        k8s_usage: [
          usage('aks-shared', 'gc-acme-prod'),
          usage('aks-shared', 'team-x'),
          usage('aks-shared', 'kube-system'),
          // no Namespace object collected: the namespace rules over the name, or the cluster's tenant
          usage('aks-shared', 'gc-zeta-dev'),
          usage('aks-acme', 'payments'),
          // a dedicated cluster's namespace is its tenant's, whatever its name says
          usage('aks-acme', 'gc-zeta-prod'),
        ],
      },
    });
    const result = await runCommand({ config: join(dir, 'compline.yaml'), log: () => {} });
    expect(result.exitCode).toBe(0);
    const store = join(dir, 'store/compline.duckdb');
    expect(await queryStore(store, `select split_part(resource_id, '/', -1) as vm, tenant_id from metrics order by vm`)).toEqual([
      { vm: 'vm-acme', tenant_id: 'acme' },
      { vm: 'vm-gone', tenant_id: 'zeta' },
      { vm: 'vm-ops', tenant_id: null },
      { vm: 'vm-zeta', tenant_id: 'zeta' },
    ]);
    expect(await queryStore(store, `select cluster, namespace, tenant_id from k8s_usage order by all`)).toEqual([
      { cluster: 'aks-acme', namespace: 'gc-zeta-prod', tenant_id: 'acme' },
      { cluster: 'aks-acme', namespace: 'payments', tenant_id: 'acme' },
      { cluster: 'aks-shared', namespace: 'gc-acme-prod', tenant_id: 'acme' },
      { cluster: 'aks-shared', namespace: 'gc-zeta-dev', tenant_id: 'zeta' },
      { cluster: 'aks-shared', namespace: 'kube-system', tenant_id: null },
      { cluster: 'aks-shared', namespace: 'team-x', tenant_id: 'zeta' },
    ]);
  });

  it('is partial, exit 4, when a utilisation file cannot be used, and says which', async () => {
    const dir = runWorkspace({
      'vms.json': { metrics: [{ ...metric(vmId('rg-acme-prod', 'vm-acme'), '2026-12-04', 24), samples: 2.5 }] },
    });
    const lines: string[] = [];
    const result = await runCommand({ config: join(dir, 'compline.yaml'), log: (l) => lines.push(l) });
    expect(result.status).toBe('partial');
    expect(result.exitCode).toBe(4);
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn: monitor failed for file:monitor\/vms\.json: metrics\[0\]\.samples: /),
    );
    expect(await queryStore(join(dir, 'store/compline.duckdb'), 'select count(*)::integer as n from metrics')).toEqual([
      { n: 0 },
    ]);
  });
});
