// The cover: whose report, which run, who signed it, and, for the demo signer, a mark no reader can miss.

import { type Layout, safe } from './layout.js';
import type { PdfReportInput } from './report-pdf.js';
import { COLOUR, CONTENT_WIDTH, FONT, PAGE, SIZE } from './theme.js';

const day = (iso: string) => iso.slice(0, 10);

export function tenantLabel(input: PdfReportInput): string {
  const t = input.report.tenant;
  return t ? t.name : 'Platform (resources no tenant owns)';
}

export function cover(layout: Layout, input: PdfReportInput): void {
  const { doc } = layout;
  const { report, signer, trend } = input;
  doc.rect(0, 0, PAGE.width, 190).fill(COLOUR.accent);
  doc.font(FONT.bold).fontSize(11).fillColor('#c9d6e8').text('COMPLINE', PAGE.margin, 60, { characterSpacing: 2 });
  doc.font(FONT.bold).fontSize(SIZE.title).fillColor('#ffffff').text('Compliance evidence report', PAGE.margin, 84);
  doc
    .font(FONT.regular)
    .fontSize(13)
    .fillColor('#dfe7f2')
    .text(safe(tenantLabel(input)), PAGE.margin, 122, { width: CONTENT_WIDTH });
  doc.y = 220;

  const first = trend[0];
  const period =
    first && first.started_at.slice(0, 10) !== report.run.started_at.slice(0, 10)
      ? `state at ${day(report.run.finished_at)}; trend since ${day(first.started_at)} (${trend.length} runs)`
      : `state at ${day(report.run.finished_at)}`;
  const frameworks = Object.entries(report.frameworks).map(([id, s]) => (s.note ? `${id} (no catalogue)` : s.title));
  layout.facts(
    [
      ['Tenant', report.tenant ? `${report.tenant.name} (${report.tenant.id}), ${report.tenant.tier} tier` : 'Platform'],
      ['Frameworks', frameworks.join('; ') || 'none'],
      ['Period', period],
      ['Run', report.run.run_id],
      ['Run started', report.run.started_at.replace('T', ' ').replace('Z', ' UTC')],
      ['Run finished', report.run.finished_at.replace('T', ' ').replace('Z', ' UTC')],
      [
        'Run status',
        report.run.status === 'ok' ? 'complete: every source scope collected' : `${report.run.status}: see Evidence sources`,
      ],
      ['Tool', `Compline ${report.run.tool_version}`],
      ['Config SHA-256', report.run.config_sha256 ?? 'none'],
      ['Signed by', signer.subject ?? 'unknown'],
    ],
    { size: 10.5, labelWidth: 105 },
  );

  if (signer.demo) {
    const y = doc.y + 24;
    doc.save();
    doc.rect(PAGE.margin, y, CONTENT_WIDTH, 92).lineWidth(2.5).strokeColor(COLOUR.demo).stroke();
    doc
      .font(FONT.bold)
      .fontSize(34)
      .fillColor(COLOUR.demo)
      .text('DEMO', PAGE.margin + 18, y + 14, { lineBreak: false });
    doc
      .font(FONT.bold)
      .fontSize(11)
      .text('Signed with a throwaway demo certificate', PAGE.margin + 140, y + 16, { width: CONTENT_WIDTH - 160 });
    doc
      .font(FONT.regular)
      .fontSize(9.5)
      .fillColor(COLOUR.ink)
      .text(
        'The signature proves this file is unchanged since it was made; it does not prove who made it. ' +
          'Not for audit use: configure a signer with a certificate your organisation issues.',
        PAGE.margin + 140,
        doc.y + 3,
        { width: CONTENT_WIDTH - 160, lineGap: 1.5 },
      );
    doc.restore();
    doc.y = y + 92;
  }

  doc.y = Math.max(doc.y + 28, 600);
  layout.paragraph(
    'This document carries an embedded PDF signature (PAdES, ETSI.CAdES.detached). Any change to it breaks the ' +
      "signature. Check it with `compline verify report.pdf --cert <CA.pem>`, poppler's pdfsig, or a PDF reader " +
      "that trusts the signer's certificate authority. The evidence pack beside it holds the rows and the exact " +
      'queries behind every finding; `compline replay` re-performs them.',
    { colour: COLOUR.muted, size: SIZE.small },
  );
}
