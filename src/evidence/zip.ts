// Packs are plain zip files: written in a fixed order with a fixed time, read back with limits an untrusted file needs.
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';
import yauzl from 'yauzl';

/** MS-DOS time and date, as zip headers keep them (local time, two-second steps). */
function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/**
 * A zip of the files in the given order, every entry stamped `mtime` and mode 0644, UTF-8 names. Written here rather
 * than by a zip library so the checksum is zlib's native CRC-32: a JavaScript one was a tenth of a pack's time.
 * Entries already compressed (a PDF's streams are) are stored; the rest deflated.
 */
const deflate = promisify(deflateRaw);

export async function zipFiles(files: readonly { path: string; data: Buffer }[], mtime: Date): Promise<Buffer> {
  const { time, date } = dosTime(mtime);
  // Compressed on libuv's thread pool, all at once, so the thread that signs and packs does not wait on zlib.
  const bodies = await Promise.all(
    files.map((f) => (/\.(pdf|zip|gz|png)$/i.test(f.path) ? Promise.resolve(null) : deflate(f.data))),
  );
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [i, f] of files.entries()) {
    const name = Buffer.from(f.path, 'utf8');
    const deflated = bodies[i];
    const stored = !deflated;
    const body = deflated ?? f.data;
    const crc = crc32(f.data);
    if (f.data.length > 0xfffffffe || offset > 0xfffffffe) throw new Error(`${f.path}: a pack beyond 4 GiB needs zip64`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode in the external attributes holds
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(stored ? 0 : 8, 10);
    entry.writeUInt16LE(time, 12);
    entry.writeUInt16LE(date, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(f.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(entry, name);
    offset += local.length + name.length + body.length;
  }
  if (files.length > 0xffff) throw new Error('a pack of more than 65,535 files needs zip64');
  const size = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
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
