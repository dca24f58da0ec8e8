// What a run tells its operators: Prometheus metrics (a textfile and a Pushgateway) with the phases, each tenant's
// findings by status and severity, the sources' scopes and rows and the HTTP requests, throttles and errors the real
// SDK clients made; JSON logs carrying run_id, source and tenant; and nothing of it carries the secret.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveEstate, SUB_A, SUB_B } from './support/azure-estate.js';
import { type AzureServer, pagedEstate, startAzureServer, TEST_CLIENT, TEST_TENANT, withFaults } from './support/azure-server.js';
import { complineAsync } from './support/cli.js';

const SECRET = 'metrics~Secret.1f2e3d';
let server: AzureServer | null = null;
let gateway: Server | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  await new Promise((r) => (gateway ? gateway.close(r) : r(null)));
  gateway = null;
});

/** The live Resource Graph estate, with one throttled page and one server error that the SDK retries. */
async function workspace(): Promise<string> {
  const faults = {
    'Resources#2': [
      { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'RateLimiting', message: 'slow down' } } },
    ],
    'ResourceContainers#1': [{ status: 500, body: { error: { code: 'InternalServerError', message: 'oops' } } }],
  };
  server = await startAzureServer({ secret: SECRET, graph: withFaults(pagedEstate(liveEstate(), 2), faults) });
  const dir = mkdtempSync(join(tmpdir(), 'compline-metrics-'));
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_A}] }
  - { id: zeta, name: Zeta Credit, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_B}] }
azure:
  cloud: { arm_endpoint: "${server.url}", authority_host: "${server.url}", verify_key_vault_challenge: false }
  credential: { kind: client_secret, tenant_id: ${TEST_TENANT}, client_id: ${TEST_CLIENT}, secret_env: METRICS_SECRET }
  subscriptions: [${SUB_A}, ${SUB_B}]
sources:
  resource_graph: { mode: live }
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`,
  );
  return dir;
}

/** Series name{labels} → value, from the Prometheus text format. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('run metrics', () => {
  it('the textfile holds the phases, findings per tenant, source scopes and the throttled and failed requests', async () => {
    const dir = await workspace();
    const file = join(dir, 'compline.prom');
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--metrics-file', file], {
      env: { METRICS_SECRET: SECRET },
    });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    const s = series(text);
    for (const phase of ['prepare', 'collect', 'evaluate', 'report', 'publish', 'alerts'])
      expect(s.get(`compline_phase_duration_seconds{phase="${phase}"}`), phase).toBeGreaterThanOrEqual(0);
    // Findings per tenant add up to what the run found: acme's and zeta's failing high-severity checks included.
    const findings = [...s].filter(([k]) => k.startsWith('compline_findings{'));
    expect(new Set(findings.map(([k]) => /tenant="([^"]+)"/.exec(k)![1]))).toEqual(new Set(['acme', 'zeta']));
    expect(s.get('compline_findings{tenant="acme",status="fail",severity="high"}')).toBeGreaterThan(0);
    expect(s.get(`compline_source_scopes{source="resource-graph",status="ok"}`)).toBe(2);
    expect(s.get('compline_source_rows_total{source="resource-graph"}')).toBe(14);
    const host = new URL(server!.url).host;
    expect(s.get(`compline_http_throttled_total{host="${host}"}`)).toBe(1);
    expect(s.get(`compline_http_errors_total{host="${host}"}`)).toBe(1);
    expect(s.get(`compline_http_requests_total{host="${host}",code="429"}`)).toBe(1);
    expect(s.get(`compline_http_requests_total{host="${host}",code="200"}`)).toBeGreaterThan(3);
    expect(s.get('compline_run_status{status="ok",exit_code="0"}')).toBe(1);
    expect(text).not.toContain(SECRET);
  }, 60_000);

  it('pushes the same series to a Pushgateway, grouped by shard', async () => {
    const pushes: { method: string; url: string; body: string }[] = [];
    gateway = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => gateway!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    const dir = await workspace();
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--shard', '0/1', '--run-id', 'n1'], {
      env: { METRICS_SECRET: SECRET, COMPLINE_PUSHGATEWAY_URL: url },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(pushes.map((p) => `${p.method} ${p.url}`)).toEqual(['PUT /metrics/job/compline/shard/0-of-1']);
    expect(pushes[0]!.body).toMatch(/^compline_findings\{tenant="zeta",status="fail",severity="high"\} \d+$/m);
    expect(pushes[0]!.body).toMatch(/^compline_phase_duration_seconds\{phase="collect"\} /m);
  }, 60_000);
});

describe('run logs', () => {
  it('--log-format json writes one pino record a line with run_id, source and tenant; the summary stays on stdout', async () => {
    const dir = await workspace();
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--log-format', 'json'], {
      env: { METRICS_SECRET: SECRET },
    });
    expect(r.code, r.stderr).toBe(0);
    const records = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const runId = /^run (\S+) /.exec(r.stdout)![1];
    for (const rec of records) expect(Object.keys(rec).slice(0, 3)).toEqual(['level', 'time', 'run_id']);
    expect(records.filter((x) => x.source === 'resource-graph').map((x) => [x.scope, x.msg, x.run_id])).toEqual(
      [
        [`subscription:${SUB_A}`, 'ok (7 rows)', runId],
        [`subscription:${SUB_B}`, 'ok (7 rows)', runId],
      ].sort(),
    );
    expect(records.filter((x) => x.tenant).map((x) => x.tenant)).toEqual(['acme', 'zeta', '_platform']);
    expect(r.stderr).not.toContain(SECRET);
  }, 60_000);

  it('text logs stay line-oriented off a terminal: no progress, only warnings', async () => {
    const dir = await workspace();
    const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml')], { env: { METRICS_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^run \S+ \(ok\)/);
    expect(r.stderr.split('\n').filter((l) => l && !/^(warn|error|compline): /.test(l))).toEqual([]);
  }, 60_000);
});
