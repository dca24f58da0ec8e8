// Findings by severity: each failing or unjudgeable check once, with its remediation, then the resources it names.
import type { CheckMeta, Severity } from '../../model.js';
import type { TenantReport } from '../tenant-report.js';
import { type Layout, safe } from './layout.js';
import { COLOUR, CONTENT_WIDTH, FONT, PAGE, SEVERITY_COLOUR, SIZE, STATUS_COLOUR, STATUS_LABEL } from './theme.js';

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];
const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);

type Finding = TenantReport['findings'][number];

function remediation(meta: CheckMeta | undefined): [string, string][] {
  const r = meta?.remediation ?? {};
  return (
    [
      ['Portal', r.portal],
      ['Azure CLI', r.cli],
      ['Terraform', r.terraform],
    ] as [string, string | undefined][]
  ).flatMap(([k, v]) => (v ? [[k, v.trim()] as [string, string]] : []));
}

function checkBlock(layout: Layout, checkId: string, findings: Finding[], meta: CheckMeta | undefined): void {
  const { doc } = layout;
  const first = findings[0]!;
  const steps = remediation(meta);
  // Title, remediation and the first rows stay together.
  doc.font(FONT.mono).fontSize(SIZE.tiny);
  const stepsHeight = steps.reduce((h, [, v]) => h + doc.heightOfString(safe(v), { width: CONTENT_WIDTH - 62 }) + 4, 0);
  layout.ensure(60 + stepsHeight + 40);
  doc.y += 4;
  const y = doc.y;
  doc.rect(PAGE.margin, y, 3, 14).fill(SEVERITY_COLOUR[first.severity]!);
  doc
    .font(FONT.bold)
    .fontSize(10)
    .fillColor(COLOUR.ink)
    .text(safe(first.title), PAGE.margin + 9, y + 1, { width: CONTENT_WIDTH - 9 });
  const requirements = Object.entries(first.requirements)
    .map(([fw, ids]) => `${fw} ${ids.join(', ')}`)
    .join('; ');
  doc
    .font(FONT.regular)
    .fontSize(SIZE.small)
    .fillColor(COLOUR.muted)
    .text(safe(`${checkId} - ${first.severity} - ${requirements}`), PAGE.margin + 9, doc.y + 1, { width: CONTENT_WIDTH - 9 });
  doc.y += 4;
  const portal = steps.filter(([k]) => k === 'Portal');
  if (portal.length) layout.facts(portal, { labelWidth: 62, size: SIZE.small });
  const code = steps.filter(([k]) => k !== 'Portal');
  if (code.length) layout.facts(code, { labelWidth: 62, size: SIZE.tiny, valueFont: FONT.mono });
  layout.table(
    [
      { header: 'Resource', width: 230 },
      { header: 'Status', width: 48 },
      { header: 'Reason', width: CONTENT_WIDTH - 278 },
    ],
    findings.map((f) => [
      { text: f.plan_address ?? f.resource_id },
      { text: STATUS_LABEL[f.status] ?? f.status, colour: STATUS_COLOUR[f.status], bold: true },
      { text: f.waiver_id ? `${f.reason} (waiver ${f.waiver_id})` : f.reason },
    ]),
    { size: SIZE.tiny },
  );
}

export function findings(layout: Layout, report: TenantReport, checks: ReadonlyMap<string, CheckMeta>): void {
  layout.section('Findings by severity');
  const open = report.findings.filter((f) => f.status !== 'pass');
  const passed = report.findings.length - open.length;
  layout.paragraph(
    `${open.length} findings need attention (failing, lacking evidence or waived); ${passed} passed and are listed in ` +
      'findings.csv in the evidence pack. Each check is shown once with its remediation, then every resource it names.',
    { colour: COLOUR.muted, size: SIZE.small, gap: 4 },
  );
  if (!open.length) {
    layout.paragraph('No finding needs attention.');
    return;
  }
  for (const severity of SEVERITIES) {
    const mine = open.filter((f) => f.severity === severity);
    if (!mine.length) continue;
    // The heading stays with its first check's title, remediation and first rows.
    layout.heading(`${capital(severity)} (${mine.length})`, { listed: true, keep: 240 });
    const byCheck = new Map<string, Finding[]>();
    for (const f of mine) byCheck.set(f.check_id, [...(byCheck.get(f.check_id) ?? []), f]);
    for (const [id, list] of byCheck) checkBlock(layout, id, list, checks.get(id));
  }
}
