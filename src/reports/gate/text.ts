// Terminal output: non-pass findings grouped by severity, then one summary line and the warnings.
import { SEVERITIES, type Severity } from '../../model.js';
import { costSummary, findingPlace, type GateFinding, type GateResult, sideText, signedAmount } from './gate-result.js';

const ANSI = { reset: 0, bold: 1, dim: 2, red: 31, yellow: 33, blue: 34, magenta: 35, green: 32 } as const;
type Style = keyof typeof ANSI;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

/** No control character (ANSI escapes included) from a finding reaches the terminal; line breaks fold to spaces. */
export function terminalSafe(value: string): string {
  return value.replace(/\r\n|\r|\n|\t/g, ' ').replace(CONTROL, '\uFFFD');
}

const SEVERITY_STYLE: Record<Severity, Style[]> = {
  critical: ['bold', 'magenta'],
  high: ['bold', 'red'],
  medium: ['yellow'],
  low: ['blue'],
};

function mark(f: GateFinding): { symbol: string; style: Style[] } {
  if (f.blocking) return { symbol: '✗', style: ['red'] };
  if (f.status === 'waived') return { symbol: '~', style: ['dim'] };
  if (f.status === 'fail') return { symbol: '!', style: ['yellow'] };
  return { symbol: '?', style: ['yellow'] };
}

export function renderText(result: GateResult, options: { color: boolean }): string {
  const paint = (text: string, styles: Style[]): string =>
    options.color && styles.length ? `\u001b[${styles.map((s) => ANSI[s]).join(';')}m${text}\u001b[0m` : text;

  const lines: string[] = [];
  const header = [`compline gate ${terminalSafe(result.plan.label)}`];
  if (result.tenant) header.push(`tenant ${terminalSafe(result.tenant)}`);
  header.push(`${result.plan.resources.evaluated} of ${result.plan.resources.total} resources evaluated`);
  lines.push(paint(header.join(' · '), ['bold']));

  const shown = result.findings.filter((f) => f.status !== 'pass');
  for (const severity of [...SEVERITIES].reverse()) {
    const group = shown.filter((f) => f.severity === severity);
    if (!group.length) continue;
    lines.push('', paint(`${severity.toUpperCase()} (${group.length})`, SEVERITY_STYLE[severity]));
    for (const f of group) {
      const { symbol, style } = mark(f);
      const status = f.status === 'waived' && f.waiver_id ? `waived by ${f.waiver_id}` : f.status;
      const tag = f.blocking ? `${status}, blocking` : status;
      lines.push(
        `  ${paint(symbol, style)} ${paint(terminalSafe(f.check_id), ['bold'])} ${terminalSafe(findingPlace(f))} ${paint(`[${terminalSafe(tag)}]`, style)} ${terminalSafe(f.reason)}`,
      );
    }
  }

  if (result.waivers.expired.length) {
    lines.push('', paint('Expired waivers (no longer applied)', ['yellow']));
    for (const { waiver, matched } of result.waivers.expired) {
      lines.push(
        `  ${terminalSafe(waiver.id)}: ${terminalSafe(waiver.check)} on ${terminalSafe(waiver.resource)}, expired ${terminalSafe(waiver.expires)}, ${matched} finding${matched === 1 ? '' : 's'} no longer waived (ticket ${terminalSafe(waiver.ticket)})`,
      );
    }
  }

  const { cost } = result;
  const currency = cost.price_sheet.currency;
  if (cost.items.length || cost.not_priced.length || Object.keys(cost.unpriced_types).length) {
    lines.push(
      '',
      paint(`Monthly cost (list prices, ${cost.hours_per_month} h/month, price sheet of ${cost.price_sheet.date})`, ['bold']),
    );
    for (const item of cost.items) {
      const change = [sideText(item.before), sideText(item.after)].filter(Boolean).join(' → ');
      const notes = item.notes.length ? ` (${item.notes.join('; ')})` : '';
      lines.push(
        `  ${signedAmount(item.monthly_delta, currency).padStart(14)}  ${terminalSafe(item.address)} [${item.action}] ${terminalSafe(change)}${terminalSafe(notes)}`,
      );
    }
    for (const n of cost.not_priced) {
      lines.push(
        `  ${paint('not priced'.padStart(14), ['yellow'])}  ${terminalSafe(n.address)} [${n.action}] ${n.kind}: ${terminalSafe(n.reason)}`,
      );
    }
    const types = Object.entries(cost.unpriced_types).sort(([a], [b]) => (a < b ? -1 : 1));
    if (types.length)
      lines.push(
        `  ${'not priced'.padStart(14)}  types Compline does not price: ${types.map(([t, n]) => `${t} (${n})`).join(', ')}`,
      );
  }

  // Always said, even for a plan with nothing priced: which sheet, of which date, priced it.
  const over = cost.budget?.blocking ?? false;
  lines.push('', `${over ? paint('✗ cost:', ['bold', 'red']) : 'cost:'} ${terminalSafe(costSummary(cost))}`);

  const s = result.summary;
  const verdict = result.exit_code !== 0 ? paint('✗', ['bold', 'red']) : paint('✓', ['bold', 'green']);
  lines.push(
    '',
    `${verdict} ${paint(`${s.blocking} blocking`, s.blocking > 0 ? ['bold', 'red'] : ['bold'])} (fail-on ${result.fail_on}) · ${s.fail} fail · ${s.error} error · ${s.unknown} unknown · ${s.waived} waived · ${s.pass} pass`,
  );
  for (const warning of result.warnings) lines.push(`${paint('warning:', ['yellow'])} ${terminalSafe(warning)}`);
  return `${lines.join('\n')}\n`;
}
