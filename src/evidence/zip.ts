// Packs are plain zip files: written in a fixed order with a fixed time, read back with limits an untrusted file needs.
import yauzl from 'yauzl';
import yazl from 'yazl';

export async function zipFiles(files: readonly { path: string; data: Buffer }[], mtime: Date): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(f.data, f.path, { mtime, mode: 0o100644 });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** What a pack may hold before reading it is refused: far above any real pack, far below a zip bomb. */
const LIMITS = { entries: 100_000, bytes: 2 * 1024 ** 3 };

export class ZipError extends Error {}

/** Every file of a zip by path; throws ZipError for a file that is not a zip, or one that breaks the limits. */
export function unzipFiles(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new ZipError(`not a zip file (${err?.message ?? 'unreadable'})`));
      const files = new Map<string, Buffer>();
      let total = 0;
      const fail = (message: string) => {
        zip.close();
        reject(new ZipError(message));
      };
      zip.on('error', (e: Error) => fail(`damaged zip (${e.message})`));
      zip.on('end', () => resolvePromise(files));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (files.size >= LIMITS.entries) return fail(`more than ${LIMITS.entries} files`);
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        if (files.has(entry.fileName)) return fail(`${entry.fileName} appears twice`);
        total += entry.uncompressedSize;
        if (total > LIMITS.bytes) return fail('uncompressed size beyond 2 GiB');
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return fail(`${entry.fileName}: ${e?.message ?? 'unreadable'}`);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (se: Error) => fail(`${entry.fileName}: ${se.message}`));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
