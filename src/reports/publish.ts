// What a run publishes for each tenant: report.json, its detached signature, the signed report.pdf and the evidence
// pack that holds them both.
import { PlatformRows } from '../evidence/evidence-rows.js';
import { buildPack } from '../evidence/pack.js';
import { signatureLength, signPlaceholder } from '../evidence/pdf-signature.js';
import type { Signer } from '../evidence/signer.js';
import type { CheckMeta } from '../model.js';
import type { Store } from '../store.js';
import type { OutputWriter } from './output-writer.js';
import { type PdfJob, PdfRenderPool, renderPdf } from './pdf/render-pool.js';
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

/** What one report's PDF is made from, its trend read from the store's history. */
export async function pdfJob(
  store: Store,
  report: TenantReport,
  checks: ReadonlyMap<string, CheckMeta>,
  signer: Signer,
): Promise<PdfJob> {
  const scored = [...new Set(Object.values(report.frameworks).flatMap((s) => s.requirements.flatMap((r) => r.checks)))];
  const trend = await store.findingTrend(report.run.run_id, report.tenant?.id ?? null, scored);
  const named = new Set(report.findings.map((f) => f.check_id));
  return {
    report,
    checks: [...checks.values()].filter((c) => named.has(c.id)),
    trend,
    signer: { subject: signer.subject, demo: signer.demo },
    placeholder: {
      name: signer.subject ?? signer.kid,
      reason: `Compline evidence report, run ${report.run.run_id}${signer.demo ? ' (DEMO signer)' : ''}`,
      signingTime: new Date(),
      length: signatureLength(signer),
    },
  };
}

/** The signed PDF of one report, laid out in this thread. */
export async function tenantPdf(store: Store, report: TenantReport, checks: ReadonlyMap<string, CheckMeta>, signer: Signer) {
  return signPlaceholder(await renderPdf(await pdfJob(store, report, checks, signer)), signer);
}

export async function publishReports(input: PublishInput): Promise<void> {
  const { writer, signer } = input;
  const platformRows = new PlatformRows(input.store);
  const entries = [...input.reports];
  const pool = new PdfRenderPool();
  try {
    // PDFs are laid out a few reports ahead on the workers while this thread signs and packs the one before.
    const pdfs: Promise<Buffer>[] = [];
    const start = (i: number) => {
      if (i >= entries.length || pdfs[i]) return;
      pdfs[i] = pdfJob(input.store, entries[i]![1], input.checks, signer).then((job) => pool.render(job));
      // Awaited in its turn; until then a failure must not count as unhandled.
      pdfs[i]!.catch(() => {});
    };
    for (let i = 0; i < pool.lookahead; i++) start(i);
    for (const [i, [tenant, report]] of entries.entries()) {
      start(i + pool.lookahead);
      // Encoded once: the same bytes are written, signed and packed.
      const json = Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8');
      await writer.write(tenant, 'report.json', json);
      await writer.write(tenant, 'report.json.jws', `${await signer.signDetached(json)}\n`);
      const pdf = await signPlaceholder(await pdfs[i]!, signer);
      await writer.write(tenant, 'report.pdf', pdf);
      const pack = await buildPack({
        store: input.store,
        report,
        pdf,
        reportJson: json,
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
  } finally {
    await pool.close();
  }
}
