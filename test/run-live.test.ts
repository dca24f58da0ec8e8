// `compline run` over the live Resource Graph source, end to end: the built CLI, the real SDK and credential, and
// the local HTTPS Azure server. Per-tenant reports from a healthy estate; a page that never comes makes the run
// partial (exit 4) in bounded time with `error` verdicts, never passes; a credential that does not work stops the
// run before any collection; the secret appears nowhere.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveConfig, liveEstate, recordedDiagnosticSetting, SUB_A, SUB_B } from './support/azure-estate.js';
import {
  type AzureServer,
  type GraphCall,
  pagedEstate,
  type Reply,
  type SettingsCall,
  settingsEstate,
  startAzureServer,
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

async function workspace(graph: (c: GraphCall) => Reply, deadline = 30, settings?: (c: SettingsCall) => Reply): Promise<string> {
  await server?.close();
  server = await startAzureServer({ secret: SECRET, graph, settings, echoSecret: true });
  const dir = mkdtempSync(join(tmpdir(), 'compline-live-'));
  writeFileSync(join(dir, 'compline.yaml'), liveConfig(server.url, deadline, ['resource_graph: { mode: live }']));
  return dir;
}

const run = (dir: string, secret = SECRET) =>
  complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], {
    env: secret === '' ? {} : { COMPLINE_TEST_SECRET: secret },
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
    expect(Date.now() - started).toBeLessThan(15_000);
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
      /^compline: azure\.credential: no token for https:\/\/127\.0\.0\.1:\d+\/\.default \(.*AADSTS7000215.*\)\n$/,
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
      expect(Date.now() - started).toBeLessThan(20_000);
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
