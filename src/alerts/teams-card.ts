// A Microsoft Teams message holding an Adaptive Card, as Teams workflows ("Post to a channel when a webhook request
// is received") accept it.
import { type AlertDigest, digestTitle, MAX_LISTED } from './alert-digest.js';

type Element = Record<string, unknown>;

const text = (value: string, extra: Element = {}): Element => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

export function teamsMessage(d: AlertDigest): unknown {
  const body: Element[] = [
    text(digestTitle(d), { size: 'Medium', weight: 'Bolder' }),
    {
      type: 'FactSet',
      facts: [
        { title: 'Tenant', value: d.tenant.id },
        { title: 'Run', value: d.run.run_id },
        { title: 'Run status', value: d.run.status },
      ],
    },
  ];
  if (d.failures.length) {
    body.push(text('Failures', { weight: 'Bolder', spacing: 'Medium' }));
    for (const f of d.failures.slice(0, MAX_LISTED))
      body.push(
        text(`**${f.severity.toUpperCase()}** ${f.change} · ${f.title} (${f.check_id})`, { spacing: 'Small' }),
        text(`${f.resource_id} — ${f.reason}`, { isSubtle: true, size: 'Small', spacing: 'None' }),
      );
    if (d.failures.length > MAX_LISTED) body.push(text(`… and ${d.failures.length - MAX_LISTED} more in the report`));
  }
  if (d.expired_waivers.length) {
    body.push(text('Expired waivers', { weight: 'Bolder', spacing: 'Medium' }));
    for (const w of d.expired_waivers)
      body.push(text(`${w.id} (${w.check}) expired ${w.expires}: ${w.matched} findings count as failures again`));
  }
  if (d.incomplete_sources.length) {
    body.push(text('Sources not collected whole', { weight: 'Bolder', spacing: 'Medium' }));
    for (const s of d.incomplete_sources) body.push(text(`${s.source} ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'}`));
  }
  if (d.cost_signals.length) {
    body.push(text('Cost signals', { weight: 'Bolder', spacing: 'Medium' }));
    for (const s of d.cost_signals) body.push(text(`${s.kind}: ${s.reason}`));
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  };
}
