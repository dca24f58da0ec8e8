// GitHub-flavoured Markdown for a step summary or PR comment: verdict first, blocking findings, the rest folded.
import {
  costSummary,
  findingPlace,
  type GateFinding,
  type GateResult,
  requirementIds,
  sideText,
  signedAmount,
} from './gate-result.js';

/** Rows per table; past this a table ends with "… and N more" (PR comments are capped at 65,536 characters). */
export const MAX_TABLE_ROWS = 200;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the point
const CONTROL = /[\u0000-\u001F\u007F]/g;

/**
 * Plain text safe inside a table cell: no raw HTML, no Markdown syntax, no column breaks.
 * Line breaks fold to spaces; control characters become U+FFFD.
 */
export function mdCell(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(CONTROL, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

function table(headers: string[], rows: string[][]): string {
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const lines = [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...shown.map((cells) => `| ${cells.map(mdCell).join(' | ')} |`),
  ];
  if (rows.length > shown.length) lines.push('', `… and ${rows.length - shown.length} more`);
  return lines.join('\n');
}

function folded(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

const FINDING_HEADERS = ['Severity', 'Check', 'Address', 'Requirements', 'Reason'];
function findingRow(f: GateFinding): string[] {
  return [f.severity, f.check_id, findingPlace(f), requirementIds(f.requirements).join(', '), f.reason];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The monthly cost delta, always shown with the price sheet's date; the resources behind it folded. */
function costSection(result: GateResult): string {
  const { cost } = result;
  const currency = cost.price_sheet.currency;
  const parts = [`### Monthly cost delta: ${signedAmount(cost.monthly_delta, currency)}`, mdCell(costSummary(cost))];
  if (cost.items.length) {
    parts.push(
      folded(
        `Priced resources (${cost.items.length})`,
        table(
          ['Delta', 'Address', 'Action', 'Before', 'After', 'Notes'],
          cost.items.map((i) => [
            signedAmount(i.monthly_delta, currency),
            i.address,
            i.action,
            sideText(i.before),
            sideText(i.after),
            i.notes.join('; '),
          ]),
        ),
      ),
    );
  }
  const types = Object.entries(cost.unpriced_types);
  if (cost.not_priced.length || types.length) {
    parts.push(
      folded(
        `Not priced (${cost.not_priced.length + types.reduce((s, [, n]) => s + n, 0)})`,
        table(
          ['Address or type', 'Action', 'Why'],
          [
            ...cost.not_priced.map((n) => [n.address, n.action, `${n.kind}: ${n.reason}`]),
            ...types.map(([t, n]) => [t, `${n} changed`, 'a type Compline does not price']),
          ],
        ),
      ),
    );
  }
  return parts.join('\n\n');
}

export function renderMarkdown(result: GateResult): string {
  const { summary } = result;
  const passed = result.exit_code === 0;
  const budget = result.cost.budget;
  const verdict = passed
    ? `✅ Compline gate passed: no blocking findings (fail-on ${result.fail_on})`
    : result.exit_code === 7 && budget
      ? `❌ Compline gate failed: monthly cost budget ${budget.status}${summary.blocking ? `, and ${plural(summary.blocking, 'blocking finding')}` : ''}`
      : `❌ Compline gate failed: ${plural(summary.blocking, 'blocking finding')} (fail-on ${result.fail_on})`;
  const context = [
    `Plan ${mdCell(result.plan.label)}`,
    ...(result.tenant ? [`tenant ${mdCell(result.tenant)}`] : []),
    ...(result.frameworks.length ? [result.frameworks.map(mdCell).join(', ')] : []),
    `${summary.fail} fail`,
    `${summary.error} error`,
    `${summary.unknown} unknown`,
    `${summary.waived} waived`,
    `${summary.pass} pass`,
  ].join(' · ');
  const sections = [`## ${verdict}`, context, costSection(result)];

  const blocking = result.findings.filter((f) => f.blocking);
  if (blocking.length) sections.push(`### Blocking findings\n\n${table(FINDING_HEADERS, blocking.map(findingRow))}`);

  const rest = result.findings.filter((f) => !f.blocking);
  const failures = rest.filter((f) => f.status === 'fail');
  if (failures.length) {
    sections.push(folded(`Non-blocking failures (${failures.length})`, table(FINDING_HEADERS, failures.map(findingRow))));
  }
  const missing = rest.filter((f) => f.status === 'error' || f.status === 'unknown');
  if (missing.length) {
    sections.push(
      folded(
        `Errors and unknowns: evidence missing (${missing.length})`,
        table(
          ['Status', ...FINDING_HEADERS],
          missing.map((f) => [f.status, ...findingRow(f)]),
        ),
      ),
    );
  }
  const waived = rest.filter((f) => f.status === 'waived');
  if (waived.length) {
    const waivers = new Map(result.waivers.active.map((w) => [w.id, w]));
    sections.push(
      folded(
        `Waived (${waived.length})`,
        table(
          ['Severity', 'Check', 'Address', 'Waiver', 'Approver', 'Ticket', 'Expires', 'Reason'],
          waived.map((f) => {
            const w = f.waiver_id ? waivers.get(f.waiver_id) : undefined;
            return [
              f.severity,
              f.check_id,
              findingPlace(f),
              f.waiver_id ?? '',
              w?.approver ?? '',
              w?.ticket ?? '',
              w?.expires ?? '',
              w?.reason ?? f.reason,
            ];
          }),
        ),
      ),
    );
  }
  const expired = result.waivers.expired;
  if (expired.length) {
    sections.push(
      folded(
        `Expired waivers: no longer applied (${expired.length})`,
        table(
          ['Waiver', 'Check', 'Resource', 'Expired', 'Findings matched', 'Approver', 'Ticket'],
          expired.map(({ waiver, matched }) => [
            waiver.id,
            waiver.check,
            waiver.resource,
            waiver.expires,
            String(matched),
            waiver.approver,
            waiver.ticket,
          ]),
        ),
      ),
    );
  }
  if (result.warnings.length) {
    const shown = result.warnings.slice(0, MAX_TABLE_ROWS).map((w) => `- ${mdCell(w)}`);
    if (result.warnings.length > shown.length) shown.push(`- … and ${result.warnings.length - shown.length} more`);
    sections.push(folded(`Warnings (${result.warnings.length})`, shown.join('\n')));
  }
  return `${sections.join('\n\n')}\n`;
}
