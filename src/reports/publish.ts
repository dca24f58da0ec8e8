// What a run publishes for each tenant: report.json, its detached signature, the signed report.pdf and the evidence
// pack that holds them both.
import { PlatformRows } from '../evidence/evidence-rows.js';
import { buildPack } from '../evidence/pack.js';
import { signPdf } from '../evidence/pdf-signature.js';
import type { Signer } from '../evidence/signer.js';
import type { CheckMeta } from '../model.js';
import type { Store } from '../store.js';
import type { OutputWriter } from './output-writer.js';
import { reportDocument } from './pdf/report-pdf.js';
import type { TenantReport } from './tenant-report.js';

export interface PublishInput {
  store: Store;
  writer: OutputWriter;
  signer: Signer;
  /** Tenant id (or `_platform`) → its report. */
  reports: ReadonlyMap<string, TenantReport>;
  checks: ReadonlyMap<string, CheckMeta>;
  params: Record<string, Record<string, number | string | boolean>>;
  macros: string;
}

/** The signed PDF of one report, its trend read from the store's history. */
export async function tenantPdf(store: Store, report: TenantReport, checks: ReadonlyMap<string, CheckMeta>, signer: Signer) {
  const scored = [...new Set(Object.values(report.frameworks).flatMap((s) => s.requirements.flatMap((r) => r.checks)))];
  const trend = await store.findingTrend(report.run.run_id, report.tenant?.id ?? null, scored);
  const doc = reportDocument({ report, checks, trend, signer: { subject: signer.subject, demo: signer.demo } });
  return signPdf(doc, signer, {
    name: signer.subject ?? signer.kid,
    reason: `Compline evidence report, run ${report.run.run_id}${signer.demo ? ' (DEMO signer)' : ''}`,
    signingTime: new Date(),
  });
}

export async function publishReports(input: PublishInput): Promise<void> {
  const { writer, signer } = input;
  const platformRows = new PlatformRows(input.store);
  for (const [tenant, report] of input.reports) {
    const json = `${JSON.stringify(report, null, 2)}\n`;
    await writer.write(tenant, 'report.json', json);
    await writer.write(tenant, 'report.json.jws', `${await signer.signDetached(Buffer.from(json, 'utf8'))}\n`);
    const pdf = await tenantPdf(input.store, report, input.checks, signer);
    await writer.write(tenant, 'report.pdf', pdf);
    const pack = await buildPack({
      store: input.store,
      report,
      pdf,
      tenant,
      checks: input.checks,
      params: input.params,
      macros: input.macros,
      signer,
      platformRows,
      now: new Date(),
    });
    await writer.write(tenant, `${tenant}-${report.run.run_id}.zip`, pack);
  }
}
