// Alerts after a run is published: per route and tenant, one message of what changed since the tenant's previous run.
// Nothing here can fail the audit: every problem is a recorded, logged delivery failure.
import pLimit from 'p-limit';
import type { Config } from '../config.js';
import type { TenantReport } from '../reports/tenant-report.js';
import type { AlertDelivery, FindingHistory } from '../store.js';
import { alertDigest, isEmpty } from './alert-digest.js';
import { type Outcome, postJson, type SmtpTransport, smtpTransport, webhookUrl } from './deliver.js';
import { emailMessage } from './email-message.js';
import { webhookRequest } from './signed-webhook.js';
import { slackMessage } from './slack-blocks.js';
import { teamsMessage } from './teams-card.js';

export interface AlertInput {
  alerts: Config['alerts'];
  baseDir: string;
  /** Tenant reports as published (the platform report is not alerted). */
  reports: ReadonlyMap<string, TenantReport>;
  histories: ReadonlyMap<string, FindingHistory>;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** After this many failed messages in a row a route is given up for the run: the rest are recorded as not sent. */
const ROUTE_FAILURE_LIMIT = 3;

type Route = Config['alerts']['routes'][number];

export async function sendAlerts(input: AlertInput): Promise<AlertDelivery[]> {
  const { alerts } = input;
  if (!alerts.routes.length) return [];
  const deliveries: AlertDelivery[] = [];
  let smtp: SmtpTransport | string | null = null;
  if (alerts.smtp && alerts.routes.some((r) => r.kind === 'email'))
    smtp = await smtpTransport(alerts.smtp, input.baseDir, input.env, alerts.retry);
  try {
    await Promise.all(alerts.routes.map((route, index) => sendRoute(route, index, smtp, input, deliveries)));
  } finally {
    if (smtp && typeof smtp !== 'string') smtp.close();
  }
  // A route that could not send at all says so once, not once per tenant.
  const unsent = new Map<string, number>();
  for (const d of deliveries) {
    if (d.status !== 'failed') continue;
    if (d.attempts > 0)
      input.log(
        `warn: alert to ${d.tenant_id} by alerts.routes[${d.route}] (${d.kind}) not delivered after ${d.attempts} tries: ${d.error}`,
      );
    else {
      const key = `alerts.routes[${d.route}] (${d.kind}) sent nothing: ${d.error}`;
      unsent.set(key, (unsent.get(key) ?? 0) + 1);
    }
  }
  for (const [line, n] of unsent) input.log(`warn: ${line} (${n} message${n === 1 ? '' : 's'} not sent)`);
  return deliveries.sort((a, b) => a.route - b.route || (a.tenant_id < b.tenant_id ? -1 : 1));
}

async function sendRoute(
  route: Route,
  index: number,
  smtp: SmtpTransport | string | null,
  input: AlertInput,
  out: AlertDelivery[],
): Promise<void> {
  const send = sender(route, smtp, input);
  let failedInRow = 0;
  // Messages of one route go a few at a time: a slow endpoint should not hold up the rest for long.
  const limit = pLimit(4);
  const tenants = [...input.reports.keys()].filter(
    (t) => input.reports.get(t)?.tenant && (route.tenant === '*' || route.tenant === t),
  );
  await Promise.all(
    tenants.map((tenant) =>
      limit(async () => {
        const history = input.histories.get(tenant);
        const digest = alertDigest(
          input.reports.get(tenant)!,
          history?.previous ?? null,
          history?.incompleteBefore ?? new Set(),
          route.min_severity,
        );
        if (!digest || isEmpty(digest)) return;
        const items =
          digest.failures.length + digest.expired_waivers.length + digest.incomplete_sources.length + digest.cost_signals.length;
        let outcome: Outcome;
        if (typeof send === 'string') outcome = { attempts: 0, error: send };
        else if (failedInRow >= ROUTE_FAILURE_LIMIT)
          outcome = { attempts: 0, error: `not sent: the route failed ${ROUTE_FAILURE_LIMIT} times in a row this run` };
        else outcome = await send(digest);
        failedInRow = outcome.error === null ? 0 : failedInRow + 1;
        out.push({
          tenant_id: tenant,
          route: index,
          kind: route.kind,
          status: outcome.error === null ? 'delivered' : 'failed',
          attempts: outcome.attempts,
          items,
          error: outcome.error,
        });
      }),
    ),
  );
}

/** The route's send function, or why it cannot send at all. */
function sender(
  route: Route,
  smtp: SmtpTransport | string | null,
  input: AlertInput,
): ((d: NonNullable<ReturnType<typeof alertDigest>>) => Promise<Outcome>) | string {
  const retry = input.alerts.retry;
  if (route.kind === 'email') {
    if (smtp === null) return 'alerts.smtp is not configured';
    if (typeof smtp === 'string') return smtp;
    return (d) => smtp.send({ to: route.to ?? [], ...emailMessage(d) });
  }
  const url = webhookUrl(route.url_env ?? '', input.env);
  if (typeof url === 'string') return url;
  if (route.kind === 'teams') return (d) => postJson(url, JSON.stringify(teamsMessage(d)), {}, retry, []);
  if (route.kind === 'slack') return (d) => postJson(url, JSON.stringify(slackMessage(d)), {}, retry, []);
  const secret = input.env[route.secret_env ?? ''];
  if (!secret) return `environment variable ${route.secret_env} is not set`;
  return (d) => {
    const { body, headers } = webhookRequest(d, secret, new Date());
    return postJson(url, body, headers, retry, [secret]);
  };
}
