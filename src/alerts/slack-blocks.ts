// A Slack incoming-webhook message in Block Kit, within Slack's limits (header 150 characters, section text 3,000).
import { type AlertDigest, digestTitle, MAX_LISTED } from './alert-digest.js';

/** Slack's mrkdwn treats these three as control characters. */
const mrkdwn = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const section = (lines: string[]) => ({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 3000) } });

export function slackMessage(d: AlertDigest): unknown {
  const title = digestTitle(d);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: mrkdwn(`tenant ${d.tenant.id} · run ${d.run.run_id} · ${d.run.status}`) }],
    },
  ];
  if (d.failures.length) {
    const lines = d.failures
      .slice(0, MAX_LISTED)
      .map(
        (f) =>
          `*${f.severity.toUpperCase()}* ${f.change} · ${mrkdwn(f.title)} (\`${f.check_id}\`)\n${mrkdwn(f.resource_id)} — ${mrkdwn(f.reason)}`,
      );
    if (d.failures.length > MAX_LISTED) lines.push(`… and ${d.failures.length - MAX_LISTED} more in the report`);
    blocks.push(section(lines));
  }
  if (d.expired_waivers.length)
    blocks.push(
      section(
        d.expired_waivers.map(
          (w) => `Waiver *${mrkdwn(w.id)}* (\`${w.check}\`) expired ${w.expires}: ${w.matched} findings count as failures again`,
        ),
      ),
    );
  if (d.incomplete_sources.length)
    blocks.push(
      section(d.incomplete_sources.map((s) => mrkdwn(`${s.source} ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'}`))),
    );
  if (d.cost_signals.length) blocks.push(section(d.cost_signals.map((s) => mrkdwn(`${s.kind}: ${s.reason}`))));
  return { text: title, blocks };
}
