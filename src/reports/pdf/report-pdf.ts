// One tenant's report.pdf, laid out: cover, contents, executive summary, requirement tables, findings, registers.
// Pure: the report, the checks and the tenant's trend in, an unsigned, unfinished pdfkit document out.
import PDFDocument from 'pdfkit';
import { INFO_RUN, INFO_TENANT } from '../../evidence/pdf-signature.js';
import type { CheckMeta } from '../../model.js';
import type { TrendPoint } from '../../store.js';
import type { TenantReport } from '../tenant-report.js';
import { contents } from './contents.js';
import { cover, tenantLabel } from './cover.js';
import { findings } from './findings.js';
import { finopsSection } from './finops.js';
import { type Doc, Layout } from './layout.js';
import { manualEvidence, sources, waivers } from './registers.js';
import { requirements } from './requirements.js';
import { summary } from './summary.js';
import { PAGE } from './theme.js';

export interface PdfReportInput {
  report: TenantReport;
  checks: ReadonlyMap<string, CheckMeta>;
  /** The tenant's recent runs, oldest first, this one last. */
  trend: readonly TrendPoint[];
  signer: { subject: string | null; demo: boolean };
}

export function reportDocument(input: PdfReportInput): Doc {
  const { report } = input;
  const tenant = report.tenant?.id ?? '_platform';
  const doc = new PDFDocument({
    size: PAGE.size,
    margin: PAGE.margin,
    bufferPages: true,
    displayTitle: true,
    info: {
      Title: `Compliance evidence report: ${tenantLabel(input)}`,
      Author: input.signer.subject ?? 'Compline',
      Subject: `Run ${report.run.run_id}`,
      Creator: `Compline ${report.run.tool_version}`,
      Producer: `Compline ${report.run.tool_version}`,
      CreationDate: new Date(report.run.finished_at),
      [INFO_TENANT]: tenant,
      [INFO_RUN]: report.run.run_id,
    } as PDFKit.DocumentInfo,
  });
  const layout = new Layout(doc);
  cover(layout, input);
  layout.newPage();
  const contentsPage = layout.page;
  summary(layout, input);
  requirements(layout, report);
  findings(layout, report, input.checks);
  finopsSection(layout, report);
  waivers(layout, report);
  manualEvidence(layout, report);
  sources(layout, report);
  contents(layout, contentsPage);
  layout.footer(`Compline evidence report - ${tenant} - run ${report.run.run_id}`, input.signer.demo);
  // The signature's widget goes on the last page; leave the document there.
  doc.switchToPage(layout.page);
  return doc;
}
