// Parsing and mapping state files is CPU work (JSON.parse and the azurerm mappings, ~3 MB and 5,000 instances a
// state): reader threads do it, so several files are read at once while the store loads the last. Where the
// compiled thread script is absent (tests run the TypeScript sources), files are read in this thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type DocumentRead, readDocumentBytes } from './read-document.js';

const SCRIPT = new URL('./document-worker.js', import.meta.url);

interface Reader {
  worker: Worker;
  busy: number | null;
}

export class DocumentReaders {
  private readonly readers: Reader[] = [];
  private readonly queue: { id: number; bytes: Uint8Array }[] = [];
  private readonly pending = new Map<number, (read: DocumentRead) => void>();
  private next = 0;

  /** `threads`: reader threads to start (0: read in this thread). */
  constructor(threads: number) {
    if (threads <= 0 || !existsSync(fileURLToPath(SCRIPT))) return;
    for (let i = 0; i < threads; i++) {
      // A larger young generation: a state's parsed document is short-lived garbage, scavenged less often.
      const worker = new Worker(SCRIPT, { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
      const reader: Reader = { worker, busy: null };
      worker.on('message', (m: { id: number; read: DocumentRead }) => {
        reader.busy = null;
        this.settle(m.id, m.read);
        this.dispatch();
      });
      worker.on('error', () => this.fail(reader));
      worker.on('exit', () => this.fail(reader));
      this.readers.push(reader);
    }
  }

  get threads(): number {
    return this.readers.length;
  }

  read(bytes: Buffer): Promise<DocumentRead> {
    if (!this.readers.length) return Promise.resolve(readDocumentBytes(bytes));
    const id = this.next++;
    // A pooled Buffer shares its memory with others: hand over a copy of its own.
    const own =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Uint8Array.prototype.slice.call(bytes);
    const done = new Promise<DocumentRead>((resolve) => this.pending.set(id, resolve));
    this.queue.push({ id, bytes: own });
    this.dispatch();
    return done;
  }

  async close(): Promise<void> {
    const readers = this.readers.splice(0);
    await Promise.all(readers.map((r) => r.worker.terminate()));
  }

  private dispatch(): void {
    for (const r of this.readers) {
      if (r.busy !== null) continue;
      const task = this.queue.shift();
      if (!task) return;
      r.busy = task.id;
      r.worker.postMessage(task, [task.bytes.buffer as ArrayBuffer]);
    }
  }

  private settle(id: number, read: DocumentRead): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(read);
  }

  /** A thread that died fails its file (never a silent pass), and its place is left empty. */
  private fail(reader: Reader): void {
    const at = this.readers.indexOf(reader);
    if (at < 0) return;
    this.readers.splice(at, 1);
    if (reader.busy !== null) this.settle(reader.busy, { problem: 'the reader thread stopped' });
    reader.busy = null;
    // With no thread left, what is queued is read here.
    if (!this.readers.length) for (const t of this.queue.splice(0)) this.settle(t.id, readDocumentBytes(t.bytes));
    else this.dispatch();
  }
}
