// Terminal output: non-pass findings grouped by severity, then one summary line and the warnings.
import { SEVERITIES, type Severity } from '../../model.js';
import { findingPlace, type GateFinding, type GateResult } from './gate-result.js';

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

  const s = result.summary;
  const verdict = s.blocking > 0 ? paint('✗', ['bold', 'red']) : paint('✓', ['bold', 'green']);
  lines.push(
    '',
    `${verdict} ${paint(`${s.blocking} blocking`, s.blocking > 0 ? ['bold', 'red'] : ['bold'])} (fail-on ${result.fail_on}) · ${s.fail} fail · ${s.error} error · ${s.unknown} unknown · ${s.waived} waived · ${s.pass} pass`,
  );
  for (const warning of result.warnings) lines.push(`${paint('warning:', ['yellow'])} ${terminalSafe(warning)}`);
  return `${lines.join('\n')}\n`;
}
