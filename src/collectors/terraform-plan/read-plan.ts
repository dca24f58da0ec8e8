// Reading `terraform show -json` output from a file or stdin: size-limited before reading, and every
// failure one line that names the input (never a stack trace, never a partial result).
import { type FileHandle, open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from '../../errors.js';
import { jsonReason } from '../json-reason.js';
import { utf8Text } from '../utf8-text.js';
import { parseLeanPlan } from './lean-parse.js';

export interface PlanReadOptions {
  /** Refuse larger inputs. Default 512 MiB. */
  maxBytes?: number;
  /** Resource types whose changes keep their `before` side even when they are not deletes. */
  keepBefore?: (type: string) => boolean;
}

export const DEFAULT_MAX_PLAN_BYTES = 512 * 1024 ** 2;

/** Reads a plan from a path or '-' (stdin). Throws UsageError with one line naming the input and the problem. */
export async function readPlan(path: string, opts: PlanReadOptions = {}): Promise<unknown> {
  if (path === '-') return readPlanStream(process.stdin, 'stdin', opts);
  const max = opts.maxBytes ?? DEFAULT_MAX_PLAN_BYTES;
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new UsageError(`${path}: is a directory, not a plan file`);
    size = st.size;
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError(`${path}: ${fsReason(e)}`);
  }
  if (size > max) throw new UsageError(`${path}: ${formatSize(size)} exceeds the ${formatLimit(max)} plan size limit`);
  let buf: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      buf = await readWhole(fh, size, max);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new UsageError(`${path}: ${fsReason(e)}`);
  }
  // A file that has grown since stat, or a pipe: reading stopped one byte past the limit.
  if (buf.length > max) throw new UsageError(`${path}: input exceeds the ${formatLimit(max)} plan size limit`);
  return parsePlanBytes(buf, path, opts.keepBefore);
}

/**
 * The whole file in as few reads as the OS allows, and at most max + 1 bytes (enough to tell it is too big).
 * One read runs on the thread pool on its own; FileHandle.readFile reads 512 KiB at a time and needs the
 * main thread between pieces, which is busy loading DuckDB meanwhile.
 */
async function readWhole(fh: FileHandle, size: number, max: number): Promise<Buffer> {
  // One byte more than stat said, to notice a file that has grown since. A pipe (`<(terraform show -json …)`)
  // says 0 and is read from its current position.
  let buf = Buffer.allocUnsafe(Math.min(Math.max(size, 64 * 1024), max) + 1);
  let n = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
    if (bytesRead === 0) break;
    n += bytesRead;
    if (n === buf.length) {
      if (n > max) break;
      const grown = Buffer.allocUnsafe(Math.min(buf.length * 2, max + 1));
      buf.copy(grown, 0, 0, n);
      buf = grown;
    }
  }
  return buf.subarray(0, n);
}

/** Reads a plan from a stream, counting bytes as they arrive and stopping at the limit. */
export async function readPlanStream(stream: Readable, label: string, opts: PlanReadOptions = {}): Promise<unknown> {
  const max = opts.maxBytes ?? DEFAULT_MAX_PLAN_BYTES;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += b.length;
      if (total > max) {
        stream.destroy();
        throw new UsageError(`${label}: input exceeds the ${formatLimit(max)} plan size limit`);
      }
      chunks.push(b);
    }
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError(`${label}: ${fsReason(e)}`);
  }
  return parsePlanBytes(Buffer.concat(chunks, total), label, opts.keepBefore);
}

/** Bytes → parsed JSON, with a precise one-line reason when they are not a JSON document. */
export function parsePlanBytes(buf: Buffer, label: string, keepBefore?: (type: string) => boolean): unknown {
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    throw new UsageError(`${label}: UTF-16 text, not a UTF-8 JSON plan (re-save it as UTF-8)`);
  }
  const head = buf.subarray(0, 1024);
  if (head.includes(0) || !isUtf8Prefix(head)) throw new UsageError(`${label}: binary data, not a JSON plan`);
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const lean = parseLeanPlan(buf, bom, keepBefore);
  if (lean) return lean;
  let text = utf8Text(buf);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new UsageError(`${label}: empty input, not a JSON plan (truncated?)`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${label}: ${jsonReason(e, text)}`);
  }
}

function isUtf8Prefix(b: Buffer): boolean {
  try {
    // stream: a multi-byte character cut at the 1 KiB boundary is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a plan file';
  return `cannot read (${code ?? (e instanceof Error ? e.message.split('\n')[0] : String(e))})`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

function scaled(n: number): [number, string] {
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  return [n, UNITS[u] as string];
}

/** 1073741824 → "1.0 GiB". */
export function formatSize(bytes: number): string {
  const [n, unit] = scaled(bytes);
  return unit === 'B' ? `${n} B` : `${n.toFixed(1)} ${unit}`;
}

/** 536870912 → "512 MiB" (no decimals when whole). */
export function formatLimit(bytes: number): string {
  const [n, unit] = scaled(bytes);
  return Number.isInteger(n) ? `${n} ${unit}` : `${n.toFixed(1)} ${unit}`;
}
