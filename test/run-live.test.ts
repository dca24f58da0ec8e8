// `compline run` over the live Resource Graph source, end to end: the built CLI, the real SDK and credential, and
// the local HTTPS Azure server. Per-tenant reports from a healthy estate; a page that never comes makes the run
// partial (exit 4) in bounded time with `error` verdicts, never passes; a credential that does not work stops the
// run before any collection; the secret appears nowhere.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveEstate, recordedDiagnosticSetting, SUB_A, SUB_B } from './support/azure-estate.js';
import {
  type AzureServer,
  type AzureServerOptions,
  type GraphCall,
  pagedEstate,
  type Reply,
  type SettingsCall,
  settingsEstate,
  startAzureServer,
  TEST_CLIENT,
  TEST_TENANT,
  withFaults,
} from './support/azure-server.js';
import { complineAsync } from './support/cli.js';
import { exampleBody, itReal } from './support/real-data.js';
import { allOutput, runReports } from './support/run-output.js';

const SECRET = 'planted~Secret.0a1b2c3d4e5f';
let server: AzureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface WorkspaceOptions {
  /** Keys of the config's `azure` section, as YAML flow values, over the defaults (given the server's URL). */
  azure?: Record<string, string> | ((url: string) => Record<string, string>);
  server?: Partial<AzureServerOptions>;
}

async function workspace(
  graph: (c: GraphCall) => Reply,
  deadline = 30,
  settings?: (c: SettingsCall) => Reply,
  more: WorkspaceOptions = {},
): Promise<string> {
  await server?.close();
  server = await startAzureServer({ secret: SECRET, graph, settings, echoSecret: true, ...more.server });
  const azure = {
    cloud: `{ arm_endpoint: "${server.url}", authority_host: "${server.url}", verify_key_vault_challenge: false }`,
    credential: `{ kind: client_secret, tenant_id: ${TEST_TENANT}, client_id: ${TEST_CLIENT}, secret_env: COMPLINE_TEST_SECRET }`,
    subscriptions: `[${SUB_A}, ${SUB_B}]`,
    deadline_seconds: String(deadline),
    ...(typeof more.azure === 'function' ? more.azure(server.url) : more.azure),
  };
  const dir = mkdtempSync(join(tmpdir(), 'compline-live-'));
  writeFileSync(
    join(dir, 'compline.yaml'),
    `version: 1
tenants:
  - { id: acme, name: Acme Bank, tier: standard, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_A}] }
  - { id: zeta, name: Zeta Credit, tier: premium, frameworks: [pci-dss-4.0.1], environments: [prod], subscriptions: [${SUB_B}] }
azure:
${Object.entries(azure)
  .map(([k, v]) => `  ${k}: ${v}`)
  .join('\n')}
sources:
  resource_graph: { mode: live }
signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
`,
  );
  return dir;
}

const run = (dir: string, secret = SECRET, env: Record<string, string> = {}) =>
  complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], {
    env: { ...(secret === '' ? {} : { COMPLINE_TEST_SECRET: secret }), ...env },
  });

interface Report {
  findings: { check_id: string; resource_id: string; status: string; reason: string }[];
  sources: { scope: string; status: string; error: string | null }[];
}
const reports = (dir: string) => runReports<Report>(dir);
const finding = (r: Report, check: string, name: string) =>
  r.findings.find((f) => f.check_id === check && f.resource_id.endsWith(`/${name}`));
const verdict = (r: Report, check: string, name: string) => finding(r, check, name)?.status;

describe('compline run over live Resource Graph', () => {
  it('collects the estate and writes each tenant its own report', async () => {
    const dir = await workspace(pagedEstate(liveEstate(), 2));
    const r = await run(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', sources: { ok: 2, partial: 0, failed: 0 } });
    const { acme, zeta } = reports(dir) as { acme: Report; zeta: Report };
    expect([verdict(acme, 'kv-purge-protection', 'kv-acme-1'), verdict(acme, 'kv-purge-protection', 'kv-acme-2')]).toEqual([
      'pass',
      'fail',
    ]);
    expect(verdict(zeta, 'kv-purge-protection', 'kv-zeta-1')).toBe('pass');
    expect(JSON.stringify(zeta)).not.toContain('kv-acme');
    expect(JSON.stringify(acme)).not.toContain('kv-zeta');
    // Pricings come from SecurityResources, the subscription rows from ResourceContainers.
    expect(verdict(zeta, 'defender-plans-standard', 'virtualmachines')).toBe('fail');
    expect(verdict(acme, 'defender-plans-standard', 'virtualmachines')).toBe('pass');
    expect(acme.sources).toContainEqual(expect.objectContaining({ scope: `subscription:${SUB_A}`, status: 'ok' }));
    // A subscription a tenant owns outright is its own scope: the other tenant's report does not name it.
    expect(JSON.stringify(zeta)).not.toContain(SUB_A);
    expect(JSON.stringify(acme)).not.toContain(SUB_B);
  });

  it('a page that never comes makes the run partial by the deadline: exit 4, error verdicts, never a pass', async () => {
    const dir = await workspace(withFaults(pagedEstate(liveEstate(), 2), { 'Resources#2': [{ fault: 'hang' }] }), 2);
    const started = Date.now();
    const r = await run(dir);
    // Bounded: the hang would last until the test timed out; the CLI on a loaded 2-core machine takes seconds.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^compline: run partial: 2 of 2 source scopes incomplete \\(resource-graph partial for subscription:${SUB_A}: Resources: page 2: no answer within 2 s; …\\)$`,
        'm',
      ),
    );
    const { acme } = reports(dir) as { acme: Report };
    // kv-acme-1 came on page 1 and would pass; its subscription is incomplete, so its verdict is withheld.
    expect(verdict(acme, 'kv-purge-protection', 'kv-acme-1')).toBe('error');
    expect(acme.findings.find((f) => f.resource_id === `source://resource-graph/subscription:${SUB_A}`)?.status).toBe('error');
  });

  it('a credential the token endpoint refuses stops the run before any collection: one line, exit 2, no secret', async () => {
    const dir = await workspace(pagedEstate(liveEstate()));
    const r = await run(dir, 'the-wrong-secret');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^compline: azure\.credential: no token for https:\/\/127\.0\.0\.1:\d+\/\.default from https:\/\/127\.0\.0\.1:\d+ \(.*AADSTS7000215.*\)\n$/,
    );
    expect(server!.calls).toEqual([]);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a secret variable that is not set is one line, exit 2', async () => {
    const dir = await workspace(pagedEstate(liveEstate()));
    const r = await run(dir, '');
    expect(r.stderr).toBe('compline: azure.credential.secret_env: environment variable COMPLINE_TEST_SECRET is not set\n');
    expect(r.code).toBe(2);
    expect(server!.tokenRequests).toBe(0);
  });

  it('the secret reaches no output, store or stream, even when the servers echo it', async () => {
    const echo = (): Reply => ({ status: 400, body: { error: { code: 'BadRequest', message: `bad client_secret=${SECRET}` } } });
    const dir = await workspace(echo);
    const r = await run(dir);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('client_secret=[redacted]');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(allOutput(dir)).not.toContain(SECRET);
    const refused = await workspace(pagedEstate(liveEstate()));
    const wrong = await run(refused, `x${SECRET}`);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('client_secret=[redacted]');
    expect(wrong.stderr).not.toContain(SECRET);
  });
});

describe('compline run over live diagnostic settings', () => {
  const SPEC = 'b_arm_resources/specs_monitor_getDiagnosticSetting.json';
  const vaultId = (name: string) =>
    `/subscriptions/${SUB_A}/resourceGroups/rg-acme-prod/providers/Microsoft.KeyVault/vaults/${name}`;
  const kv1 = vaultId('kv-acme-1');
  const routed = () => ({ [kv1]: [recordedDiagnosticSetting(exampleBody(SPEC), kv1, 'audit-to-law')] });

  itReal([SPEC], "a vault whose audit log is routed passes; a vault without settings fails, both from ARM's lists", async () => {
    const dir = await workspace(pagedEstate(liveEstate(), 5), 30, settingsEstate(routed()));
    const r = await run(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { acme } = reports(dir) as { acme: Report };
    expect(finding(acme, 'kv-diagnostic-logs', 'kv-acme-1')).toMatchObject({
      status: 'pass',
      reason: expect.stringContaining('sends AuditEvent to a workspace or storage account'),
    });
    expect(finding(acme, 'kv-diagnostic-logs', 'kv-acme-2')).toMatchObject({
      status: 'fail',
      reason: 'no diagnostic setting on the vault',
    });
  });

  itReal(
    [SPEC],
    'lists that keep failing (500) or hang are cut at the deadline: not collected, error, run partial (exit 4)',
    async () => {
      const boom = { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } };
      const settings = settingsEstate(routed(), { [vaultId('kv-acme-2')]: [boom, boom, boom, boom], [kv1]: [{ fault: 'hang' }] });
      const dir = await workspace(pagedEstate(liveEstate(), 5), 2, settings);
      const started = Date.now();
      const r = await run(dir);
      expect(Date.now() - started).toBeLessThan(45_000);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        new RegExp(
          `^compline: run partial: 1 of 2 source scopes incomplete \\(resource-graph partial for subscription:${SUB_A}: diagnostic settings of .*/kv-acme-1: no answer within 2 s`,
          'm',
        ),
      );
      const { acme, zeta } = reports(dir) as { acme: Report; zeta: Report };
      for (const name of ['kv-acme-1', 'kv-acme-2'])
        expect(finding(acme, 'kv-diagnostic-logs', name)).toMatchObject({
          status: 'error',
          reason: expect.stringMatching(/; verdict withheld \(diagnostic settings of this vault were not collected\)$/),
        });
      // The other subscription's lists came whole: its vault has none and fails.
      expect(finding(zeta, 'kv-diagnostic-logs', 'kv-zeta-1')?.status).toBe('fail');
    },
  );
});

describe('compline run over live Azure, when the connection or the estate fails it', () => {
  const refusedAll =
    (sub: string) =>
    (call: GraphCall): Reply =>
      call.subscriptions.includes(sub)
        ? {
            status: 403,
            body: {
              error: {
                code: 'AuthorizationFailed',
                message: `The client does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '/subscriptions/${sub}'.`,
              },
            },
          }
        : pagedEstate(liveEstate(), 2)(call);

  it('credential kind default finds the secret in the environment and the authority in the config: the run collects', async () => {
    const dir = await workspace(pagedEstate(liveEstate(), 2), 30, undefined, { azure: { credential: '{ kind: default }' } });
    const r = await run(dir, '', { AZURE_TENANT_ID: TEST_TENANT, AZURE_CLIENT_ID: TEST_CLIENT, AZURE_CLIENT_SECRET: SECRET });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', sources: { ok: 2, partial: 0, failed: 0 } });
    expect(server!.calls.length).toBeGreaterThan(0);
  });

  it('credential kind default with a refused secret: one line, exit 2, the secret redacted, nothing written', async () => {
    const dir = await workspace(pagedEstate(liveEstate(), 2), 30, undefined, { azure: { credential: '{ kind: default }' } });
    const r = await run(dir, '', {
      AZURE_TENANT_ID: TEST_TENANT,
      AZURE_CLIENT_ID: TEST_CLIENT,
      AZURE_CLIENT_SECRET: `x${SECRET}`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^compline: azure\.credential: no token for https:\/\/127\.0\.0\.1:\d+\/\.default from https:\/\/127\.0\.0\.1:\d+ \(.*AADSTS7000215.*\)\n$/,
    );
    expect(r.stderr).toContain('client_secret=[redacted]');
    expect(r.stderr).not.toContain(SECRET);
    // Only the demo signer's key, made when the signer is checked (before any collection): no store, no output.
    expect(readdirSync(dir)).toEqual(['compline.yaml', 'store']);
    expect(readdirSync(join(dir, 'store'))).toEqual(['demo-signer']);
  });

  it('a token endpoint that cannot be reached: one line naming it, exit 2, before any output or store exists', async () => {
    const closed = await closedPort();
    const dir = await workspace(pagedEstate(liveEstate(), 2), 30, undefined, {
      azure: (url) => ({ cloud: `{ arm_endpoint: "${url}", authority_host: "https://127.0.0.1:${closed}" }` }),
    });
    const r = await run(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^compline: azure\\.credential: no token for https://127\\.0\\.0\\.1:\\d+/\\.default from https://127\\.0\\.0\\.1:${closed} \\(endpoints_resolution_error: .*\\)\\n$`,
      ),
    );
    expect(server!.calls).toEqual([]);
    // Only the demo signer's key, made when the signer is checked (before any collection): no store, no output.
    expect(readdirSync(dir)).toEqual(['compline.yaml', 'store']);
    expect(readdirSync(join(dir, 'store'))).toEqual(['demo-signer']);
  });

  it('a token that expires mid-run (401 ExpiredAuthenticationToken): the scopes it cut short are partial, exit 4, no pass on them', async () => {
    const dir = await workspace(pagedEstate(liveEstate(), 2), 30, undefined, {
      azure: { concurrency: '1' },
      server: { expireTokensAfter: 2 },
    });
    const r = await run(dir);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^warn: resource-graph partial for subscription:${SUB_A}: Resources: page 3: HTTP 401 ExpiredAuthenticationToken: `,
        'm',
      ),
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'partial', sources: { ok: 0, partial: 2, failed: 0 } });
    const { acme } = reports(dir) as { acme: Report };
    // kv-acme-1 came on page 1, before the token expired, and would pass; its subscription is incomplete.
    expect(verdict(acme, 'kv-purge-protection', 'kv-acme-1')).toBe('error');
  });

  it('a subscription Resource Graph refuses (403) is failed by name, in the store and on stderr; nothing on it passes', async () => {
    const dir = await workspace(refusedAll(SUB_B), 30, undefined, { azure: { concurrency: '1' } });
    const r = await run(dir);
    expect(r.code).toBe(4);
    const reason = 'Resources: first page: HTTP 403 AuthorizationFailed: ';
    expect(r.stderr).toContain(`warn: resource-graph failed for subscription:${SUB_B}: ${reason}`);
    const { zeta } = reports(dir) as { zeta: Report };
    expect(zeta.sources).toContainEqual(
      expect.objectContaining({ scope: `subscription:${SUB_B}`, status: 'failed', error: expect.stringContaining(reason) }),
    );
    expect(zeta.findings.find((f) => f.resource_id === `source://resource-graph/subscription:${SUB_B}`)?.status).toBe('error');
    expect(zeta.findings.filter((f) => f.status === 'pass')).toEqual([]);
  });

  it('a listed subscription Resource Graph leaves out is failed by name; the other is collected whole', async () => {
    const estate = liveEstate();
    const hidden = Object.fromEntries(
      Object.entries(estate).map(([t, rows]) => [t, rows.filter((r) => !String(r.id).includes(SUB_B))]),
    );
    const dir = await workspace(pagedEstate(hidden, 2));
    const r = await run(dir);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(`^warn: resource-graph failed for subscription:${SUB_B}: subscription not visible to the credential`, 'm'),
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'partial', sources: { ok: 1, partial: 0, failed: 1 } });
    const { acme, zeta } = reports(dir) as { acme: Report; zeta: Report };
    expect(verdict(acme, 'kv-purge-protection', 'kv-acme-1')).toBe('pass');
    expect(zeta.findings.find((f) => f.resource_id === `source://resource-graph/subscription:${SUB_B}`)?.status).toBe('error');
    expect(zeta.findings.filter((f) => f.status === 'pass')).toEqual([]);
  });

  it('never has more Resource Graph requests in flight than azure.concurrency', async () => {
    const estate = pagedEstate(liveEstate(), 1);
    const slow = (call: GraphCall): Reply => ({ ...(estate(call) as { body: unknown }), delayMs: 150 });
    const dir = await workspace(slow, 30, undefined, { azure: { concurrency: '2' } });
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(server!.calls.length).toBeGreaterThan(8);
    // Two at a time: the bound was reached, never passed.
    expect(server!.maxGraphInFlight).toBe(2);
  });

  it('the run deadline stops a collection that hangs: reports are written, the scopes say why, exit 4', async () => {
    const hang = withFaults(pagedEstate(liveEstate(), 2), { 'Resources#2': [{ fault: 'hang' }] });
    const dir = await workspace(hang, 120, undefined, { azure: { run_deadline_seconds: '2' } });
    const started = Date.now();
    const r = await run(dir);
    // Well before the 120 s page deadline: the 2 s run deadline stopped it (a loaded machine adds seconds of CLI start).
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^compline: run partial: 2 of 2 source scopes incomplete \\(resource-graph partial for subscription:${SUB_A}: Resources: page 2: run deadline reached \\(2 s\\); `,
        'm',
      ),
    );
    const { acme, zeta } = reports(dir) as { acme: Report; zeta: Report };
    expect(acme.sources).toContainEqual(
      expect.objectContaining({
        scope: `subscription:${SUB_A}`,
        status: 'partial',
        error: expect.stringContaining('run deadline reached (2 s)'),
      }),
    );
    expect(verdict(acme, 'kv-purge-protection', 'kv-acme-1')).toBe('error');
    expect(zeta.findings.filter((f) => f.status === 'pass')).toEqual([]);
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
