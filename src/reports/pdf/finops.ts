// Cost and savings: what the tenant's share of the bill was, each day and by service, how shared cost was split and
// by which method, where money is wasted, and the anomaly and budget signals. Drawn only when the run had cost data.
import type { FinopsSection } from '../finops-section.js';
import type { TenantReport } from '../tenant-report.js';
import { type Layout, safe, valueAxis } from './layout.js';
import { COLOUR, CONTENT_WIDTH, FONT, PAGE, SIZE, STATUS_COLOUR } from './theme.js';

type Totals = FinopsSection['totals'][number];
type Recommendation = FinopsSection['recommendations'][number];

const AMOUNT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const money = (amount: number, currency: string | null) => `${currency ?? ''} ${AMOUNT.format(amount)}`.trim();

/** Whether the report has cost to show: a FinOps section from a run that collected cost. */
export function hasCost(report: TenantReport): report is TenantReport & { finops: FinopsSection } {
  return !!report.finops && report.finops.status !== 'not_collected';
}

/** `<resource group>/<name>` for an ARM id, the id itself otherwise (Kubernetes workloads read well whole). */
export function shortResource(id: string): string {
  const m = /\/resourcegroups\/([^/]+)\/.*\/([^/]+)$/i.exec(id);
  return m ? `${m[1]}/${m[2]}` : id;
}

/** Recommendations with a savings figure, largest first: what the summary calls the top savings. */
export function pricedSavings(finops: FinopsSection): Recommendation[] {
  return finops.recommendations.filter((r) => (r.monthly_savings ?? 0) > 0);
}

/** One bar per day, an anomaly alert's day in red, with the axis in the currency. */
function dailyChart(layout: Layout, totals: Totals, alertDays: ReadonlySet<string>): void {
  const { doc } = layout;
  const days = totals.by_day;
  if (!days.length) return;
  const height = 120;
  layout.ensure(height + 36);
  const top = doc.y;
  const left = PAGE.margin + 48;
  const width = CONTENT_WIDTH - 48;
  const ceiling = valueAxis(
    doc,
    { top, height, left, width },
    Math.max(...days.map((d) => d.amount)),
    (v) => AMOUNT.format(v),
    44,
  );
  const slot = width / days.length;
  const bar = Math.max(1, Math.min(14, slot * 0.7));
  // A label every few days keeps them apart; the first and last day always.
  const every = Math.ceil(days.length / 10);
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - bar) / 2;
    const h = (Math.max(0, d.amount) / ceiling) * height;
    if (h > 0) doc.rect(x, top + height - h, bar, h).fill(alertDays.has(d.day) ? STATUS_COLOUR.fail! : COLOUR.accent);
    if (i % every === 0 || i === days.length - 1)
      doc
        .font(FONT.regular)
        .fontSize(SIZE.tiny)
        .fillColor(COLOUR.muted)
        .text(d.day.slice(5), x - 12, top + height + 4, { width: bar + 24, align: 'center', lineBreak: false });
  });
  doc.y = top + height + 20;
  doc.x = PAGE.margin;
}

/** Horizontal bars, largest service first; the tail folded into one bar so the chart stays readable. */
function serviceChart(layout: Layout, totals: Totals): void {
  const { doc } = layout;
  // A lone ninth service is shown as itself, not folded.
  const shown = totals.by_service.length > 9 ? 8 : 9;
  const services = totals.by_service.slice(0, shown);
  const rest = totals.by_service.slice(shown);
  if (rest.length) services.push({ service: `${rest.length} other services`, amount: rest.reduce((s, r) => s + r.amount, 0) });
  if (!services.length) return;
  const row = 15;
  layout.ensure(services.length * row + 10);
  const labelWidth = 170;
  const amountWidth = 90;
  const barWidth = CONTENT_WIDTH - labelWidth - amountWidth - 8;
  const max = Math.max(1e-9, ...services.map((s) => Math.abs(s.amount)));
  for (const s of services) {
    const y = doc.y;
    doc
      .font(FONT.regular)
      .fontSize(SIZE.small)
      .fillColor(COLOUR.ink)
      .text(safe(s.service), PAGE.margin, y + 2, { width: labelWidth - 6, lineBreak: false, ellipsis: true });
    const w = (Math.max(0, s.amount) / max) * barWidth;
    doc.rect(PAGE.margin + labelWidth, y + 1, Math.max(w, 0.5), row - 5).fill(COLOUR.accent);
    doc
      .font(FONT.regular)
      .fontSize(SIZE.small)
      .fillColor(COLOUR.ink)
      .text(money(s.amount, totals.currency), PAGE.margin + CONTENT_WIDTH - amountWidth, y + 2, {
        width: amountWidth,
        align: 'right',
        lineBreak: false,
      });
    doc.y = y + row;
  }
  doc.y += 8;
  doc.x = PAGE.margin;
}

const SOURCE_LABEL: Record<Totals['by_source'][number]['source'], string> = {
  direct: 'Direct',
  'shared-cluster': 'Shared cluster',
  'shared-namespace': 'Shared namespace',
  'shared-service': 'Shared service',
  idle: 'Idle capacity',
  unassigned: 'Unassigned',
};

function allocationTable(layout: Layout, totals: Totals): void {
  const share = (amount: number) => (totals.total ? `${((amount / totals.total) * 100).toFixed(1)}%` : '-');
  layout.table(
    [
      { header: 'Source', width: 85 },
      { header: 'Method', width: 150 },
      { header: 'Cluster / namespace / service', width: CONTENT_WIDTH - 85 - 150 - 85 - 45 },
      { header: 'Amount', width: 85, align: 'right' },
      { header: 'Share', width: 45, align: 'right' },
    ],
    totals.by_source.map((r) => [
      { text: SOURCE_LABEL[r.source], bold: true },
      r.method,
      [r.cluster, r.namespace, r.detail].filter(Boolean).join(' / ') || '-',
      money(r.amount, totals.currency),
      share(r.amount),
    ]),
  );
}

/** The recommendations table both the summary and the section draw. */
export function savingsTable(layout: Layout, rows: readonly Recommendation[]): void {
  layout.table(
    [
      { header: 'Rule', width: 95 },
      { header: 'Resource', width: 140 },
      { header: 'Action', width: 80 },
      { header: 'Savings / month', width: 80, align: 'right' },
      { header: 'Confidence', width: CONTENT_WIDTH - 395 },
    ],
    rows.map((r) => [
      { text: r.rule_id, bold: true },
      shortResource(r.resource_id),
      r.action ?? '-',
      r.monthly_savings === null
        ? { text: 'not estimated', colour: COLOUR.muted }
        : { text: money(r.monthly_savings, r.currency), bold: true },
      r.confidence ?? '-',
    ]),
  );
}

function sheetDates(finops: FinopsSection): string {
  const dates = [...new Set(finops.recommendations.map((r) => r.price_sheet_date).filter((d): d is string => !!d))].sort();
  return dates.length ? `priced with the price sheet of ${dates.join(', ')}` : 'no savings figure priced';
}

export function finopsSection(layout: Layout, report: TenantReport): void {
  if (!hasCost(report)) return;
  const { finops } = report;
  layout.section('Cost and savings');
  if (finops.status === 'incomplete')
    layout.banner(
      STATUS_COLOUR.error!,
      'Incomplete cost data: the amounts are a lower bound',
      `${finops.reasons.join('; ')}. Do not read these figures as the whole bill.`,
    );
  layout.facts([
    ['Period', finops.period ? `${finops.period.from} to ${finops.period.to}` : 'no cost allocated'],
    ...finops.totals.map((t): [string, string] => [`Total (${t.currency})`, money(t.total, t.currency)]),
    ['Basis', 'effective cost (amortized), allocated per day; every amount below carries its method'],
  ]);
  const alertDays = new Set(
    finops.signals.filter((s) => s.kind === 'anomaly' && s.status === 'alert' && s.day).map((s) => s.day!),
  );
  for (const totals of finops.totals) {
    const suffix = finops.totals.length > 1 ? ` (${totals.currency})` : '';
    layout.heading(`Daily cost${suffix}`, { listed: true, keep: 160 });
    if (alertDays.size)
      layout.paragraph('Red bars: days the anomaly signal raised an alert.', { colour: COLOUR.muted, size: SIZE.small });
    dailyChart(layout, totals, alertDays);
    layout.heading(`Cost by service${suffix}`, { keep: 60 });
    serviceChart(layout, totals);
    layout.heading(`How the cost was allocated${suffix}`, { listed: true, keep: 60 });
    allocationTable(layout, totals);
  }
  layout.heading('Savings', { listed: true, keep: 60 });
  layout.paragraph(
    `The largest recommendations of this run, ${sheetDates(finops)}. ` +
      'A recommendation without a savings figure frees capacity that is not billed on its own.',
    { colour: COLOUR.muted, size: SIZE.small },
  );
  if (!finops.recommendations.length) layout.paragraph('No recommendation for this tenant.');
  else {
    savingsTable(layout, finops.recommendations);
    layout.heading('Why', { keep: 40 });
    layout.table(
      [
        { header: 'Rule', width: 95 },
        { header: 'Reason', width: CONTENT_WIDTH - 95 },
      ],
      finops.recommendations.map((r) => [{ text: r.rule_id, bold: true }, r.reason ?? '-']),
      { size: SIZE.tiny },
    );
  }
  layout.heading('Signals', { listed: true, keep: 50 });
  if (!finops.signals.length) layout.paragraph('No anomaly or budget signal was computed for this tenant.');
  else
    layout.table(
      [
        { header: 'Signal', width: 55 },
        { header: 'Status', width: 70 },
        { header: 'Day', width: 60 },
        { header: 'Amount', width: 80, align: 'right' },
        { header: 'Expected', width: 80, align: 'right' },
        { header: 'Reason', width: CONTENT_WIDTH - 345 },
      ],
      finops.signals.map((s) => [
        { text: s.kind, bold: true },
        {
          text: s.status === 'insufficient_data' ? 'not enough data' : s.status,
          colour: s.status === 'alert' ? STATUS_COLOUR.fail : s.status === 'ok' ? STATUS_COLOUR.pass : COLOUR.muted,
          bold: s.status === 'alert',
        },
        s.day ?? '-',
        s.amount === null ? '-' : money(s.amount, s.currency),
        s.expected === null ? '-' : money(s.expected, s.currency),
        s.reason,
      ]),
      { size: SIZE.tiny },
    );
}
