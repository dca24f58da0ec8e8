// Executive summary: whether the run saw everything, each framework's status, the trend over recent runs and
// the risks that matter most.
import type { Severity } from '../../model.js';
import type { TrendPoint } from '../../store.js';
import type { RequirementStatus } from '../requirement-status.js';
import type { TenantReport } from '../tenant-report.js';
import { hasCost, money, pricedSavings, savingsTable } from './finops.js';
import { type Layout, valueAxis } from './layout.js';
import type { PdfReportInput } from './report-pdf.js';
import { COLOUR, CONTENT_WIDTH, FONT, PAGE, SEVERITY_COLOUR, SIZE, STATUS_COLOUR } from './theme.js';

const STATUSES: RequirementStatus[] = ['pass', 'pass_partial', 'fail', 'error', 'waived', 'manual', 'not_applicable'];
const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];

function requirementCounts(section: TenantReport['frameworks'][string]): Record<RequirementStatus, number> {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<RequirementStatus, number>;
  for (const r of section.requirements) counts[r.status]++;
  return counts;
}

function runBanner(layout: Layout, report: TenantReport): void {
  if (report.run.status === 'ok') {
    layout.banner(
      STATUS_COLOUR.pass!,
      'Complete run',
      'Every configured source scope was collected in full. Missing properties still count as errors, never as passes.',
    );
    return;
  }
  const bad = report.sources.filter((s) => s.status !== 'ok');
  layout.banner(
    STATUS_COLOUR.fail!,
    `Run ${report.run.status}: this report does not cover the whole estate`,
    `${bad.length} source scope${bad.length === 1 ? '' : 's'} incomplete or failed (see Evidence sources). ` +
      'Requirements whose evidence is missing are reported as errors, not passes.',
  );
}

function frameworkTable(layout: Layout, report: TenantReport): void {
  const rows = Object.entries(report.frameworks).map(([id, section]) => {
    if (section.note)
      return [
        { text: id, bold: true },
        { text: section.note, colour: COLOUR.muted },
      ];
    const c = requirementCounts(section);
    const cell = (s: RequirementStatus) => ({ text: String(c[s]), colour: c[s] ? STATUS_COLOUR[s] : COLOUR.muted });
    return [{ text: section.title, bold: true }, String(section.requirements.length), ...STATUSES.map(cell)];
  });
  const w = (CONTENT_WIDTH - 150 - 45) / STATUSES.length;
  layout.table(
    [
      { header: 'Framework', width: 150 },
      { header: 'Total', width: 45, align: 'right' },
      ...['Pass', 'Pass (partial)', 'Fail', 'Error', 'Waived', 'Manual', 'N/A'].map((h) => ({
        header: h,
        width: w,
        align: 'right' as const,
      })),
    ],
    rows,
    { size: SIZE.small },
  );
}

function headlines(report: TenantReport): string[] {
  const parts: string[] = [];
  for (const section of Object.values(report.frameworks)) {
    if (section.note) continue;
    const c = requirementCounts(section);
    const judged = section.requirements.length - c.manual - c.not_applicable;
    const partial = c.pass_partial ? ` (${c.pass_partial} of them also need manual evidence)` : '';
    parts.push(
      `${section.title}: ${c.pass + c.pass_partial} of ${judged} requirements with automated evidence pass${partial}, ` +
        `${c.fail} fail, ${c.error} lack evidence; ${c.manual} are manual only.`,
    );
  }
  return parts.length ? parts : ['No framework with an automated check catalogue applies to this tenant.'];
}

function changeLine(report: TenantReport): string {
  const d = report.delta;
  if (!d.previous_run) return 'First recorded run of this tenant: every failure is new.';
  const n = (k: 'new' | 'regressed' | 'resolved') => d[k].length;
  return `Since the previous run (${d.previous_run}): ${n('new')} new failures, ${n('regressed')} regressed (passed before), ${n('resolved')} resolved.`;
}

/** Stacked bars, one per run: failing findings, missing evidence and waived, with the counts above. */
function trendChart(layout: Layout, trend: readonly TrendPoint[]): void {
  const { doc } = layout;
  const height = 150;
  layout.ensure(height + 50);
  const top = doc.y;
  const left = PAGE.margin + 34;
  const width = CONTENT_WIDTH - 34;
  const series = [
    { key: 'fail' as const, label: 'Failing', colour: STATUS_COLOUR.fail! },
    { key: 'error' as const, label: 'Missing evidence (error)', colour: STATUS_COLOUR.error! },
    { key: 'waived' as const, label: 'Waived', colour: STATUS_COLOUR.waived! },
  ];
  const total = (p: TrendPoint) => p.fail + p.error + p.waived;
  const ceiling = valueAxis(doc, { top, height, left, width }, Math.max(...trend.map(total)), String, 28);
  // Month-day, with the time when two runs share a day.
  const days = trend.map((p) => p.started_at.slice(5, 10));
  const label = (p: TrendPoint) =>
    days.filter((d) => d === p.started_at.slice(5, 10)).length > 1
      ? p.started_at.slice(5, 16).replace('T', ' ')
      : p.started_at.slice(5, 10);
  const slot = width / Math.max(trend.length, 6);
  const bar = Math.min(34, slot * 0.6);
  trend.forEach((p, i) => {
    const x = left + i * slot + (slot - bar) / 2;
    let y = top + height;
    for (const s of series) {
      const h = (p[s.key] / ceiling) * height;
      if (h > 0) doc.rect(x, y - h, bar, h).fill(s.colour);
      y -= h;
    }
    doc
      .font(FONT.bold)
      .fontSize(SIZE.tiny)
      .fillColor(COLOUR.ink)
      .text(String(total(p)), x - 10, y - 10, { width: bar + 20, align: 'center', lineBreak: false });
    doc
      .font(FONT.regular)
      .fillColor(COLOUR.muted)
      .text(label(p), x - 10, top + height + 4, { width: bar + 20, align: 'center', lineBreak: false });
  });
  let lx = left;
  const ly = top + height + 18;
  for (const s of series) {
    doc.rect(lx, ly, 8, 8).fill(s.colour);
    doc
      .font(FONT.regular)
      .fontSize(SIZE.small)
      .fillColor(COLOUR.ink)
      .text(s.label, lx + 12, ly, { lineBreak: false });
    lx += 24 + doc.widthOfString(s.label);
  }
  doc.y = ly + 18;
  doc.x = PAGE.margin;
}

/** The failing checks that matter most: severity first, then how many resources fail. */
export function topRisks(report: TenantReport, limit = 6) {
  const byCheck = new Map<string, { title: string; severity: Severity; fail: number; requirements: string[] }>();
  for (const f of report.findings) {
    if (f.status !== 'fail') continue;
    const entry = byCheck.get(f.check_id) ?? {
      title: f.title,
      severity: f.severity,
      fail: 0,
      requirements: Object.entries(f.requirements).flatMap(([fw, ids]) => ids.map((id) => `${fw} ${id}`)),
    };
    entry.fail++;
    byCheck.set(f.check_id, entry);
  }
  return [...byCheck.entries()]
    .sort(
      ([a, x], [b, y]) =>
        SEVERITY_ORDER.indexOf(x.severity) - SEVERITY_ORDER.indexOf(y.severity) || y.fail - x.fail || (a < b ? -1 : 1),
    )
    .slice(0, limit);
}

export function summary(layout: Layout, input: PdfReportInput): void {
  const { report, trend } = input;
  layout.section('Executive summary');
  runBanner(layout, report);
  for (const line of headlines(report)) layout.paragraph(line, { gap: 4 });
  layout.paragraph(changeLine(report), { gap: 4 });
  layout.doc.y += 6;
  layout.heading('Status per framework', { keep: 50 });
  frameworkTable(layout, report);

  layout.heading('Trend over recent runs', { keep: 210 });
  layout.paragraph(
    trend.length > 1
      ? `Findings needing attention in the last ${trend.length} runs of this tenant (by the run's start, UTC).`
      : 'The first recorded run of this tenant; later runs extend the trend.',
    { colour: COLOUR.muted, size: SIZE.small },
  );
  trendChart(layout, trend);

  layout.heading('Top risks', { keep: 60 });
  const risks = topRisks(report);
  if (!risks.length) layout.paragraph('No check fails for this tenant.');
  else riskTable(layout, risks);
  topSavings(layout, report);
}

function topSavings(layout: Layout, report: TenantReport): void {
  if (!hasCost(report)) return;
  layout.heading('Top savings', { keep: 60 });
  const cost = report.finops.totals.map((t) => money(t.total, t.currency)).join(' and ');
  const priced = pricedSavings(report.finops).slice(0, 3);
  const incomplete = report.finops.status === 'incomplete' ? ' (incomplete cost data: a lower bound)' : '';
  layout.paragraph(
    `Cost allocated to this tenant from ${report.finops.period?.from ?? '?'} to ${report.finops.period?.to ?? '?'}: ${cost || 'none'}${incomplete}. ` +
      (priced.length
        ? 'The largest savings found, per month (see Cost and savings):'
        : 'No recommendation with a savings figure (see Cost and savings).'),
    { gap: 4 },
  );
  if (priced.length) savingsTable(layout, priced);
}

function riskTable(layout: Layout, risks: ReturnType<typeof topRisks>): void {
  layout.table(
    [
      { header: 'Severity', width: 55 },
      { header: 'Check', width: 245 },
      { header: 'Failing resources', width: 55, align: 'right' },
      { header: 'Requirements', width: CONTENT_WIDTH - 355 },
    ],
    risks.map(([id, r]) => [
      { text: r.severity, colour: SEVERITY_COLOUR[r.severity], bold: true },
      `${r.title} (${id})`,
      String(r.fail),
      r.requirements.join(', '),
    ]),
  );
}
