// Alerts: Teams, Slack, signed webhooks and e-mail, sent by real runs to real local receivers, only on change.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailReceiver, mailReceiver, type WebhookReceiver, webhookReceiver } from './support/alert-receivers.js';
import { testTlsDir } from './support/azure-tls.js';
import { complineAsync } from './support/cli.js';
import { queryStore, TWO_TENANTS, vaultRow } from './support/store-query.js';

const vault = (name: string, rg: string, purge: boolean) =>
  vaultRow(name, rg, { enablePurgeProtection: purge, enableSoftDelete: true, softDeleteRetentionInDays: 90 });

// Tokens in webhook URLs and keys are secrets: none may reach a log, report or message.
const TOKENS = { teams: 'teams-tok-5c1e8a', hook: 'hook-tok-77ab02', slack: 'slack-tok-e41d9c' };
const HMAC_KEY = 'hmac-key-0d9f3b6a';
const SMTP_PASSWORD = 'smtp-pass-93c1aa';

let web: WebhookReceiver;
let mail: MailReceiver;

beforeAll(async () => {
  web = await webhookReceiver();
  mail = await mailReceiver('compline', SMTP_PASSWORD);
});
afterAll(async () => {
  await web.close();
  await mail.close();
});

function workspace(routes: string, retry = '{ attempts: 3, backoff_ms: 10, timeout_seconds: 5 }'): string {
  const dir = mkdtempSync(join(tmpdir(), 'compline-alerts-'));
  mkdirSync(join(dir, 'estate'));
  writeFileSync(
    join(dir, 'compline.yaml'),
    `${TWO_TENANTS}signer: { demo: true }
output: { dir: out, store: store/compline.duckdb }
alerts:
  smtp:
    host: 127.0.0.1
    port: ${mail.port}
    from: compline@platform.example
    username_env: SMTP_USER
    password_env: SMTP_PASSWORD
    ca_file: ${join(testTlsDir(), 'ca.pem')}
  retry: ${retry}
  routes:
${routes}`,
  );
  return dir;
}

const estate = (dir: string, acmePurge: boolean, zetaPurge: boolean) =>
  writeFileSync(
    join(dir, 'estate', 'page.json'),
    JSON.stringify({ data: [vault('kv-acme', 'rg-acme-prod', acmePurge), vault('kv-zeta', 'rg-zeta-prod', zetaPurge)] }),
  );

const ENV = {
  TEAMS_URL: '',
  HOOK_URL: '',
  SLACK_URL: '',
  HOOK_KEY: HMAC_KEY,
  SMTP_USER: 'compline',
  SMTP_PASSWORD,
};

async function run(dir: string, env: Record<string, string> = {}) {
  const urls = {
    TEAMS_URL: web.url(`/teams/${basename(dir)}/${TOKENS.teams}`),
    HOOK_URL: web.url(`/hook/${basename(dir)}/${TOKENS.hook}`),
    SLACK_URL: web.url(`/slack/${basename(dir)}/${TOKENS.slack}`),
  };
  const r = await complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], {
    env: { ...ENV, ...urls, ...env },
  });
  if (r.code !== 0) throw new Error(`run exited ${r.code}: ${r.stderr}`);
  const runId = JSON.parse(r.stdout).run_id as string;
  const report = (tenant: string) => JSON.parse(readFileSync(join(dir, 'out', runId, tenant, 'report.json'), 'utf8'));
  return { ...r, runId, report };
}

const ALL_ROUTES = `    - { tenant: "*", kind: teams, url_env: TEAMS_URL, min_severity: high }
    - { tenant: acme, kind: webhook, url_env: HOOK_URL, secret_env: HOOK_KEY, min_severity: high }
    - { tenant: zeta, kind: slack, url_env: SLACK_URL, min_severity: high }
    - { tenant: "*", kind: email, to: [soc@acme.example], min_severity: high }`;

const failing = (report: { findings: { check_id: string; resource_id: string; status: string; severity: string }[] }) =>
  report.findings
    .filter((f) => f.status === 'fail' && ['high', 'critical'].includes(f.severity))
    .map((f) => `${f.check_id} ${f.resource_id}`)
    .sort();

describe('alerts', () => {
  it('go to every route on the first run, not again while nothing changes, and name only the regression after', async () => {
    const dir = workspace(ALL_ROUTES);
    const seen = () => web.received.filter((r) => r.path.includes(`/${basename(dir)}/`));
    const before = { web: seen().length, mail: mail.mails.length };

    // Run 1: no history, so every failure at or above high is new.
    estate(dir, false, true);
    const one = await run(dir);
    expect(one.report('acme').delta).toMatchObject({ previous_run: null, regressed: [], resolved: [] });
    const acmeFailing = failing(one.report('acme'));
    expect(acmeFailing).toContain(`kv-purge-protection ${vault('kv-acme', 'rg-acme-prod', false).id.toLowerCase()}`);
    const firstWeb = seen().slice(before.web);
    const firstMail = mail.mails.slice(before.mail);
    // Teams: both tenants; the acme webhook; Slack for zeta only when zeta has something at or above high.
    const zetaFailing = failing(one.report('zeta'));
    expect(firstWeb.filter((r) => r.path.includes('/teams/')).length).toBe(zetaFailing.length ? 2 : 1);
    expect(firstWeb.filter((r) => r.path.includes('/hook/')).length).toBe(1);
    expect(firstWeb.filter((r) => r.path.includes('/slack/')).length).toBe(zetaFailing.length ? 1 : 0);
    expect(firstMail.length).toBe(zetaFailing.length ? 2 : 1);

    // The signed webhook: HMAC-SHA256 over "<timestamp>.<body>" with the route's key, and exactly acme's new failures.
    const hook = firstWeb.find((r) => r.path.includes('/hook/'))!;
    const ts = String(hook.headers['x-compline-timestamp']);
    expect(hook.headers['x-compline-signature']).toBe(
      `sha256=${createHmac('sha256', HMAC_KEY).update(`${ts}.${hook.body}`).digest('hex')}`,
    );
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(120);
    const payload = JSON.parse(hook.body);
    expect(payload).toMatchObject({ schema: 'compline.alert/v1', tenant: { id: 'acme' }, run: { run_id: one.runId } });
    expect(
      payload.failures.map((f: { check_id: string; resource_id: string }) => `${f.check_id} ${f.resource_id}`).sort(),
    ).toEqual(acmeFailing);
    expect(new Set(payload.failures.map((f: { change: string }) => f.change))).toEqual(new Set(['new']));

    // The Teams message is an Adaptive Card; e-mail went through STARTTLS with a login to the configured recipient.
    const teams = JSON.parse(firstWeb.find((r) => r.path.includes('/teams/'))!.body);
    expect(teams.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0].content.type).toBe('AdaptiveCard');
    const acmeMail = firstMail.find((m) => m.subject.includes('Acme Bank'))!;
    expect(acmeMail.to).toEqual(['soc@acme.example']);
    expect(acmeMail.subject).toMatch(/^\[Compline\] Acme Bank: \d+ new failures?/);
    expect(acmeMail.text).toContain('kv-purge-protection');

    // No message of one tenant names the other's resources; no token, key or password reaches a message.
    for (const r of firstWeb) {
      const other = r.body.includes('"acme"') || r.body.includes('Acme Bank') ? 'rg-zeta-prod' : 'rg-acme-prod';
      expect(r.body).not.toContain(other);
      for (const secret of [...Object.values(TOKENS), HMAC_KEY, SMTP_PASSWORD]) expect(r.body).not.toContain(secret);
    }
    for (const m of firstMail) {
      expect(m.text).not.toContain(m.subject.includes('Acme') ? 'rg-zeta-prod' : 'rg-acme-prod');
      expect(m.raw).not.toContain(SMTP_PASSWORD);
    }

    // Run 2: the same estate; nothing is new, nothing is sent.
    const mark = { web: seen().length, mail: mail.mails.length };
    const two = await run(dir);
    expect(two.report('acme').delta).toEqual({ previous_run: one.runId, new: [], regressed: [], resolved: [] });
    expect(seen().length).toBe(mark.web);
    expect(mail.mails.length).toBe(mark.mail);

    // Run 3: acme fixed its vault (resolved, not alerted); zeta's vault lost purge protection (regressed, alerted).
    estate(dir, true, false);
    const mark3 = { web: seen().length, mail: mail.mails.length };
    const three = await run(dir);
    const kvAcme = vault('kv-acme', 'rg-acme-prod', true).id.toLowerCase();
    const kvZeta = vault('kv-zeta', 'rg-zeta-prod', true).id.toLowerCase();
    expect(three.report('acme').delta).toEqual({
      previous_run: two.runId,
      new: [],
      regressed: [],
      resolved: [{ check_id: 'kv-purge-protection', resource_id: kvAcme, severity: 'high', before: 'fail', now: 'pass' }],
    });
    expect(three.report('zeta').delta).toEqual({
      previous_run: two.runId,
      new: [],
      regressed: [{ check_id: 'kv-purge-protection', resource_id: kvZeta, severity: 'high', before: 'pass', now: 'fail' }],
      resolved: [],
    });
    const thirdWeb = seen().slice(mark3.web);
    expect(thirdWeb.map((r) => r.path.split('/')[1]).sort()).toEqual(['slack', 'teams']);
    for (const r of thirdWeb) expect(r.body).toContain(kvZeta);
    const slack = JSON.parse(thirdWeb.find((r) => r.path.includes('/slack/'))!.body);
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '[Compline] Zeta Credit: 1 regressed' },
    });
    expect(mail.mails.slice(mark3.mail).map((m) => m.subject)).toEqual(['[Compline] Zeta Credit: 1 regressed']);

    // Every message is on record; the output and the log hold no token.
    const deliveries = await queryStore(
      join(dir, 'store/compline.duckdb'),
      `select tenant_id, route, kind, status, attempts from alert_deliveries where run_id = '${three.runId}' order by route, tenant_id`,
    );
    expect(deliveries).toEqual([
      { tenant_id: 'zeta', route: 0, kind: 'teams', status: 'delivered', attempts: 1 },
      { tenant_id: 'zeta', route: 2, kind: 'slack', status: 'delivered', attempts: 1 },
      { tenant_id: 'zeta', route: 3, kind: 'email', status: 'delivered', attempts: 1 },
    ]);
    for (const text of [one.stderr, two.stderr, three.stderr, one.stdout])
      for (const secret of [...Object.values(TOKENS), HMAC_KEY, SMTP_PASSWORD]) expect(text).not.toContain(secret);
  }, 240_000);

  it('retries throttled and failing endpoints with backoff, records what failed, and never fails the audit', async () => {
    const dir = workspace(
      `    - { tenant: acme, kind: teams, url_env: TEAMS_URL }
    - { tenant: acme, kind: slack, url_env: SLACK_URL }
    - { tenant: acme, kind: webhook, url_env: HOOK_URL, secret_env: HOOK_KEY }
    - { tenant: zeta, kind: teams, url_env: UNSET_URL }`,
    );
    estate(dir, false, false);
    web.script(`/teams/${basename(dir)}/${TOKENS.teams}`, [503, 429]);
    web.script(`/slack/${basename(dir)}/${TOKENS.slack}`, [500, 500, 500]);
    web.script(`/hook/${basename(dir)}/${TOKENS.hook}`, [400]);
    const r = await run(dir);
    expect(r.code).toBe(0);
    const deliveries = await queryStore(
      join(dir, 'store/compline.duckdb'),
      `select tenant_id, route, kind, status, attempts, error from alert_deliveries where run_id = '${r.runId}' order by route`,
    );
    expect(deliveries).toEqual([
      { tenant_id: 'acme', route: 0, kind: 'teams', status: 'delivered', attempts: 3, error: null },
      { tenant_id: 'acme', route: 1, kind: 'slack', status: 'failed', attempts: 3, error: 'HTTP 500' },
      // A 400 is the receiver refusing the message: trying again would not help.
      { tenant_id: 'acme', route: 2, kind: 'webhook', status: 'failed', attempts: 1, error: 'HTTP 400' },
      {
        tenant_id: 'zeta',
        route: 3,
        kind: 'teams',
        status: 'failed',
        attempts: 0,
        error: 'environment variable UNSET_URL is not set',
      },
    ]);
    expect(r.stderr).toContain('warn: alert to acme by alerts.routes[1] (slack) not delivered after 3 tries: HTTP 500');
    expect(r.stderr).toContain(
      'warn: alerts.routes[3] (teams) sent nothing: environment variable UNSET_URL is not set (1 message not sent)',
    );
    for (const secret of Object.values(TOKENS)) expect(r.stderr).not.toContain(secret);
  }, 120_000);

  it('refuses a webhook URL that is not https and records a refused SMTP login, without the password', async () => {
    const dir = workspace(
      `    - { tenant: acme, kind: teams, url_env: PLAIN_URL }
    - { tenant: acme, kind: email, to: [soc@acme.example] }`,
      '{ attempts: 2, backoff_ms: 10, timeout_seconds: 5 }',
    );
    estate(dir, false, true);
    const r = await run(dir, { PLAIN_URL: `http://hooks.example.net/x/${TOKENS.teams}`, SMTP_PASSWORD: 'wrong-password' });
    const deliveries = await queryStore(
      join(dir, 'store/compline.duckdb'),
      `select route, status, attempts, error from alert_deliveries where run_id = '${r.runId}' order by route`,
    );
    expect(deliveries[0]).toEqual({
      route: 0,
      status: 'failed',
      attempts: 0,
      error: 'environment variable PLAIN_URL holds a http: URL; webhooks go over https',
    });
    // A refused login is a permanent 5xx: one try, and the password never appears.
    expect(deliveries[1]).toMatchObject({ route: 1, status: 'failed', attempts: 1 });
    expect(String(deliveries[1]!.error)).toMatch(/535|auth/i);
    expect(r.stderr).not.toContain('wrong-password');
    expect(r.stderr).not.toContain(TOKENS.teams);
  }, 120_000);

  it('a night with a partial source makes no failure new the night after; a resource gone from a whole run is resolved', async () => {
    const dir = workspace('    []');
    const kvAcme = vault('kv-acme', 'rg-acme-prod', false).id.toLowerCase();
    const purge = (d: { new: { check_id: string }[]; resolved: { check_id: string }[] }) => ({
      new: d.new.filter((e) => e.check_id === 'kv-purge-protection'),
      resolved: d.resolved.filter((e) => e.check_id === 'kv-purge-protection'),
    });
    estate(dir, false, true);
    const one = await run(dir);
    expect(purge(one.report('acme').delta).new).toEqual([
      { check_id: 'kv-purge-protection', resource_id: kvAcme, severity: 'high', before: null, now: 'fail' },
    ]);
    // A malformed page makes the night partial: its verdicts are error, which neither resolves nor renews anything.
    writeFileSync(join(dir, 'estate', 'broken.json'), '{"data": [');
    const two = await complineAsync(['run', '--config', join(dir, 'compline.yaml'), '--format', 'json'], { env: ENV });
    expect(two.code).toBe(4);
    const twoId = JSON.parse(two.stdout).run_id as string;
    const twoDelta = JSON.parse(readFileSync(join(dir, 'out', twoId, 'acme', 'report.json'), 'utf8')).delta;
    expect(purge(twoDelta)).toEqual({ new: [], resolved: [] });
    // Whole again and still failing: not new, because the last definite verdict was a failure.
    writeFileSync(join(dir, 'estate', 'broken.json'), '{"data": []}');
    const three = await run(dir);
    expect(three.report('acme').delta.previous_run).toBe(twoId);
    expect(purge(three.report('acme').delta)).toEqual({ new: [], resolved: [] });
    // The vault is deleted and the run saw everything: resolved, with no verdict now.
    writeFileSync(join(dir, 'estate', 'page.json'), JSON.stringify({ data: [vault('kv-zeta', 'rg-zeta-prod', true)] }));
    const four = await run(dir);
    expect(purge(four.report('acme').delta).resolved).toEqual([
      { check_id: 'kv-purge-protection', resource_id: kvAcme, severity: 'high', before: 'fail', now: null },
    ]);
    // Zeta's report never carries acme's pairs.
    expect(JSON.stringify(four.report('zeta').delta)).not.toContain('rg-acme-prod');
  }, 240_000);
});
