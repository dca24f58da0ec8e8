// Laying out a report.pdf is the costliest part of publishing and needs nothing but its input, so it runs on worker
// threads, one per core, while the main thread signs and packs. The signature is made on the main thread: the signer
// (a key file, or a Key Vault key reached over the network) never leaves it, and a worker only returns the file with
// an empty signature placeholder.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type PdfSignOptions, placeholderPdf } from '../../evidence/pdf-signature.js';
import type { CheckMeta } from '../../model.js';
import type { TrendPoint } from '../../store.js';
import type { TenantReport } from '../tenant-report.js';
import { reportDocument } from './report-pdf.js';

/** Everything one report.pdf is made from: plain data, so it crosses to a worker as it is. */
export interface PdfJob {
  report: TenantReport;
  /** The checks the report's findings name. */
  checks: CheckMeta[];
  trend: TrendPoint[];
  signer: { subject: string | null; demo: boolean };
  placeholder: PdfSignOptions & { length: number };
}

/** The report's PDF with an empty signature placeholder, ready to be signed. */
export function renderPdf(job: PdfJob): Promise<Buffer> {
  const doc = reportDocument({
    report: job.report,
    checks: new Map(job.checks.map((c) => [c.id, c])),
    trend: job.trend,
    signer: job.signer,
  });
  return placeholderPdf(doc, job.placeholder);
}

type Reply = { id: number; pdf: Uint8Array } | { id: number; error: string };

export class PdfRenderPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private next = 0;

  /** `size` workers; none (renders in this thread) when the compiled worker is not there, as when run from source. */
  constructor(size = availableParallelism()) {
    const url = new URL('./render-worker.js', import.meta.url);
    if (!existsSync(fileURLToPath(url))) return;
    for (let i = 0; i < size; i++) {
      const worker = new Worker(url);
      worker.on('message', (m: Reply) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if ('error' in m) p?.reject(new Error(m.error));
        else p?.resolve(Buffer.from(m.pdf.buffer, m.pdf.byteOffset, m.pdf.byteLength));
      });
      // A worker that dies takes its jobs with it: every pending render fails rather than wait for ever.
      worker.on('error', (e) => this.failAll(e));
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`PDF worker exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  /** How many reports are worth laying out ahead of the one being signed and packed. */
  get lookahead(): number {
    return Math.max(1, this.workers.length * 2);
  }

  render(job: PdfJob): Promise<Buffer> {
    if (!this.workers.length) return renderPdf(job);
    const id = this.next++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
