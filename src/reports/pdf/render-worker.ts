// A PDF layout worker (see render-pool.ts): a job in, the PDF with its empty signature placeholder out.
import { parentPort } from 'node:worker_threads';
import { type PdfJob, renderPdf } from './render-pool.js';

parentPort?.on('message', async ({ id, job }: { id: number; job: PdfJob }) => {
  try {
    // A copy the worker owns whole, so its memory moves to the main thread instead of being copied again.
    const pdf = new Uint8Array(await renderPdf(job));
    parentPort?.postMessage({ id, pdf }, [pdf.buffer]);
  } catch (e) {
    parentPort?.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
