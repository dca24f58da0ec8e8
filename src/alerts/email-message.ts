// The e-mail form of a digest: plain text, one block per item.
import { type AlertDigest, digestTitle, MAX_LISTED } from './alert-digest.js';

export function emailMessage(d: AlertDigest): { subject: string; text: string } {
  const lines = [
    `Tenant: ${d.tenant.name} (${d.tenant.id})`,
    `Run: ${d.run.run_id} (${d.run.status}, started ${d.run.started_at})`,
    '',
  ];
  if (d.failures.length) {
    lines.push('Failures:');
    for (const f of d.failures.slice(0, MAX_LISTED))
      lines.push(
        `- [${f.severity.toUpperCase()}] ${f.change}: ${f.title} (${f.check_id})`,
        `  ${f.resource_id}`,
        `  ${f.reason}`,
      );
    if (d.failures.length > MAX_LISTED) lines.push(`- … and ${d.failures.length - MAX_LISTED} more in the report`);
    lines.push('');
  }
  if (d.expired_waivers.length) {
    lines.push('Expired waivers:');
    for (const w of d.expired_waivers)
      lines.push(`- ${w.id} (${w.check}) expired ${w.expires}: ${w.matched} findings count as failures again`);
    lines.push('');
  }
  if (d.incomplete_sources.length) {
    lines.push('Sources not collected whole:');
    for (const s of d.incomplete_sources) lines.push(`- ${s.source} ${s.status} for ${s.scope}: ${s.error ?? 'incomplete'}`);
    lines.push('');
  }
  if (d.cost_signals.length) {
    lines.push('Cost signals:');
    for (const s of d.cost_signals) lines.push(`- ${s.kind}: ${s.reason}`);
    lines.push('');
  }
  lines.push('The signed report and evidence pack of this run hold the details.');
  return { subject: digestTitle(d), text: `${lines.join('\n')}\n` };
}
