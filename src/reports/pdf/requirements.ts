// One table per framework: every requirement, how far it is automated, its status and what decided it.
import type { RequirementResult, TenantReport } from '../tenant-report.js';
import type { Cell, Layout } from './layout.js';
import { COLOUR, CONTENT_WIDTH, SIZE, STATUS_COLOUR, STATUS_LABEL } from './theme.js';

const DECIDED: Record<string, string> = {
  checks: 'Checks',
  'azure-policy': 'Azure Policy',
  both: 'Checks and Azure Policy',
  waiver: 'Waiver',
  manual: 'Manual evidence',
};

function evidence(r: RequirementResult): string {
  const c = r.counts;
  const parts: string[] = [];
  if (r.checks.length) {
    const counted = (['pass', 'fail', 'error', 'waived', 'unknown'] as const).filter((k) => c[k]).map((k) => `${c[k]} ${k}`);
    parts.push(`${r.checks.length} check${r.checks.length === 1 ? '' : 's'}: ${counted.join(', ') || 'no resources in scope'}`);
  }
  const p = r.azure_policy;
  if (p.status !== 'not_mapped' && p.status !== 'not_collected') parts.push(`Azure Policy: ${p.status.replace('_', ' ')}`);
  return parts.join('; ') || '-';
}

export function requirements(layout: Layout, report: TenantReport): void {
  for (const [id, section] of Object.entries(report.frameworks)) {
    if (section.note) continue;
    layout.section(`${section.title} requirements`);
    const auto = { automated: 0, partial: 0, manual: 0 } as Record<string, number>;
    for (const r of section.requirements) auto[r.automation] = (auto[r.automation] ?? 0) + 1;
    layout.paragraph(
      `${section.requirements.length} requirements in the ${id} catalogue: ${auto.automated} automated, ${auto.partial} partly ` +
        `automated (the automated part is tested; manual evidence is still needed), ${auto.manual} manual. A requirement ` +
        'with no automated evidence is never reported as passed.',
      { colour: COLOUR.muted, size: SIZE.small, gap: 8 },
    );
    const rows = section.requirements.map((r): Cell[] => [
      { text: r.id, bold: true },
      { text: r.title },
      { text: r.automation, colour: COLOUR.muted },
      { text: STATUS_LABEL[r.status] ?? r.status, colour: STATUS_COLOUR[r.status], bold: true },
      { text: DECIDED[r.decided_by] ?? r.decided_by },
      { text: evidence(r), colour: COLOUR.muted },
    ]);
    layout.table(
      [
        { header: 'Req.', width: 48 },
        { header: 'Requirement', width: 170 },
        { header: 'Automation', width: 52 },
        { header: 'Status', width: 52 },
        { header: 'Decided by', width: 60 },
        { header: 'Evidence', width: CONTENT_WIDTH - 382 },
      ],
      rows,
      { size: SIZE.tiny },
    );
  }
}
