// The registers an auditor files: waivers (active and expired), requirements that need manual evidence, and the
// evidence sources with how completely each was collected.
import type { TenantReport } from '../tenant-report.js';
import type { Layout } from './layout.js';
import { COLOUR, CONTENT_WIDTH, SIZE, STATUS_COLOUR, STATUS_LABEL } from './theme.js';

export function waivers(layout: Layout, report: TenantReport): void {
  layout.section('Waiver register');
  const { active, expired } = report.waivers;
  layout.heading(`Active waivers (${active.length})`, { listed: true, keep: 40 });
  if (!active.length) layout.paragraph('None.');
  else
    layout.table(
      [
        { header: 'Waiver', width: 62 },
        { header: 'Check', width: 78 },
        { header: 'Resources', width: 120 },
        { header: 'Reason', width: CONTENT_WIDTH - 390 },
        { header: 'Approver / ticket', width: 80 },
        { header: 'Expires', width: 50 },
      ],
      active.map((w) => [{ text: w.id, bold: true }, w.check, w.resource, w.reason, `${w.approver}\n${w.ticket}`, w.expires]),
      { size: SIZE.tiny },
    );
  layout.heading(`Expired waivers (${expired.length})`, { listed: true, keep: 40 });
  layout.paragraph('An expired waiver no longer applies: the findings it covered count as failures again.', {
    colour: COLOUR.muted,
    size: SIZE.small,
  });
  if (!expired.length) layout.paragraph('None.');
  else
    layout.table(
      [
        { header: 'Waiver', width: 62 },
        { header: 'Check', width: 78 },
        { header: 'Resources', width: 140 },
        { header: 'Approver / ticket', width: 95 },
        { header: 'Expired', width: 55 },
        { header: 'Findings', width: CONTENT_WIDTH - 430, align: 'right' },
      ],
      expired.map((e) => [
        { text: e.waiver.id, bold: true },
        e.waiver.check,
        e.waiver.resource,
        `${e.waiver.approver}\n${e.waiver.ticket}`,
        { text: e.waiver.expires, colour: STATUS_COLOUR.fail },
        String(e.matched),
      ]),
      { size: SIZE.tiny },
    );
}

export function manualEvidence(layout: Layout, report: TenantReport): void {
  layout.section('Manual evidence required');
  layout.paragraph(
    'These requirements cannot be proven from the estate alone. Manual requirements have no automated check; partly ' +
      'automated ones are tested where possible and still need the evidence named by the requirement (policies, ' +
      'reviews, records).',
    { colour: COLOUR.muted, size: SIZE.small, gap: 8 },
  );
  let any = false;
  for (const section of Object.values(report.frameworks)) {
    const rows = section.requirements.filter((r) => r.automation !== 'automated');
    if (!rows.length) continue;
    any = true;
    layout.heading(`${section.title} (${rows.length})`, { keep: 50 });
    layout.table(
      [
        { header: 'Req.', width: 48 },
        { header: 'Requirement', width: CONTENT_WIDTH - 48 - 60 - 120 },
        { header: 'Automation', width: 60 },
        { header: 'Automated part', width: 120 },
      ],
      rows.map((r) => [
        { text: r.id, bold: true },
        r.title,
        { text: r.automation, colour: COLOUR.muted },
        r.automation === 'manual'
          ? { text: 'none', colour: COLOUR.muted }
          : { text: STATUS_LABEL[r.status] ?? r.status, colour: STATUS_COLOUR[r.status], bold: true },
      ]),
      { size: SIZE.tiny },
    );
  }
  if (!any) layout.paragraph("No requirement of this tenant's frameworks needs manual evidence.");
}

/** Scopes listed one by one at most; the rest are counted, and every one is in report.json. */
const LISTED_SCOPES = 60;

export function sources(layout: Layout, report: TenantReport): void {
  layout.section('Evidence sources');
  layout.paragraph(
    'The source scopes this report draws on and whether each was collected whole. A partial or failed scope makes ' +
      'the checks that depend on it report errors, never passes.',
    { colour: COLOUR.muted, size: SIZE.small, gap: 8 },
  );
  if (!report.sources.length) {
    layout.paragraph('No source scope was recorded.');
    return;
  }
  const bySource = new Map<string, { scopes: number; ok: number; rows: number }>();
  for (const s of report.sources) {
    const e = bySource.get(s.source) ?? { scopes: 0, ok: 0, rows: 0 };
    e.scopes++;
    if (s.status === 'ok') e.ok++;
    e.rows += s.rows;
    bySource.set(s.source, e);
  }
  layout.table(
    [
      { header: 'Source', width: 160 },
      { header: 'Scopes', width: 80, align: 'right' },
      { header: 'Collected whole', width: 100, align: 'right' },
      { header: 'Incomplete or failed', width: 100, align: 'right' },
      { header: 'Rows', width: CONTENT_WIDTH - 440, align: 'right' },
    ],
    [...bySource].map(([source, e]) => [
      { text: source, bold: true },
      String(e.scopes),
      String(e.ok),
      { text: String(e.scopes - e.ok), colour: e.scopes > e.ok ? STATUS_COLOUR.fail : COLOUR.muted },
      String(e.rows),
    ]),
    { size: SIZE.small },
  );
  // Incomplete scopes first: they are what an auditor must weigh.
  const listed = [...report.sources].sort((a, b) => Number(a.status === 'ok') - Number(b.status === 'ok'));
  layout.heading('Scopes', { keep: 40 });
  layout.table(
    [
      { header: 'Source', width: 80 },
      { header: 'Scope', width: 200 },
      { header: 'Status', width: 50 },
      { header: 'Rows', width: 45, align: 'right' },
      { header: 'Problem', width: CONTENT_WIDTH - 375 },
    ],
    listed
      .slice(0, LISTED_SCOPES)
      .map((s) => [
        s.source,
        s.scope,
        { text: s.status, colour: s.status === 'ok' ? STATUS_COLOUR.pass : STATUS_COLOUR.fail, bold: true },
        String(s.rows),
        s.error ?? '',
      ]),
    { size: SIZE.tiny },
  );
  if (listed.length > LISTED_SCOPES)
    layout.paragraph(`${listed.length - LISTED_SCOPES} more scopes, all listed in report.json (sources).`, {
      colour: COLOUR.muted,
      size: SIZE.small,
    });
}
