// What a cost export is, from its first bytes and header line: CSV, gzip CSV or Parquet; FOCUS or EA/MCA.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export type Container = 'csv' | 'gzip' | 'parquet';

const GZIP = [0x1f, 0x8b];
const PARQUET = 'PAR1';

/** Up to `bytes` bytes from the start of a file. */
async function head(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function containerOf(path: string): Promise<Container> {
  const start = await head(path, 4);
  if (start[0] === GZIP[0] && start[1] === GZIP[1]) return 'gzip';
  if (start.toString('latin1') === PARQUET) return 'parquet';
  return 'csv';
}

/**
 * Why a gzip file is not whole (null when it is). DuckDB reads a gzip cut short up to where it stops and takes a cut at
 * a line's end for the end of the file, so the stream is checked to its trailer first (zlib, no row parsed).
 */
export async function gzipProblem(path: string): Promise<string | null> {
  try {
    await pipeline(createReadStream(path), createGunzip(), new Writable({ write: (_chunk, _enc, done) => done() }));
    return null;
  } catch (e) {
    return `truncated or corrupt gzip (${(e as Error).message})`;
  }
}

/** The first line of a CSV file, decompressed when gzip; a BOM removed. */
export async function firstLine(path: string, container: 'csv' | 'gzip'): Promise<string> {
  const raw = await head(path, 256 * 1024);
  let text: string;
  if (container === 'gzip') {
    // The header is in the first block; the rest (perhaps truncated) is DuckDB's to read.
    text = await new Promise<string>((resolve, reject) => {
      const gunzip = createGunzip();
      const out: Buffer[] = [];
      gunzip.on('data', (c: Buffer) => {
        out.push(c);
        if (Buffer.concat(out).includes(0x0a)) gunzip.destroy();
      });
      gunzip.on('close', () => resolve(Buffer.concat(out).toString('utf8')));
      gunzip.on('error', (e) => (out.length ? resolve(Buffer.concat(out).toString('utf8')) : reject(e)));
      gunzip.end(raw);
    });
  } else text = raw.toString('utf8');
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.replace(/^\uFEFF/, '');
}

/** A CSV header's column names (quotes removed), or why it is not a comma-separated header. */
export function headerColumns(line: string): { columns: string[] } | { problem: string } {
  const columns: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      columns.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  columns.push(cell.trim());
  if (columns.length === 1) {
    const delimiter = [';', '\t', '|'].find((d) => line.includes(d));
    if (delimiter)
      return {
        problem: `row 0 (header): delimiter is ${delimiter === '\t' ? 'a tab' : `'${delimiter}'`}, not ',' (cost exports are comma-separated)`,
      };
  }
  const seen = new Set<string>();
  for (const c of columns) {
    if (!c) return { problem: `row 0 (header), column ${columns.indexOf(c) + 1}: empty column name` };
    if (seen.has(c.toLowerCase())) return { problem: `row 0 (header), column ${c}: named twice` };
    seen.add(c.toLowerCase());
  }
  return { columns };
}

export type ExportFormat = { kind: 'focus'; version: '1.0' | '1.2' | '1.3' } | { kind: 'ea'; dataset: 'actual' | 'amortized' };

/**
 * FOCUS (BilledCost and ChargePeriodStart) or an EA / MCA cost details export (Date and a cost column), from the
 * column names, compared without case. FOCUS 1.3 adds ServiceProviderName / HostProviderName / ContractApplied, 1.2
 * InvoiceId / PricingCurrency / ServiceSubcategory. An EA/MCA file is amortized when its name says so.
 */
export function formatOf(columns: readonly string[], fileName: string): ExportFormat | { problem: string } {
  const has = new Set(columns.map((c) => c.toLowerCase()));
  const any = (...names: string[]) => names.some((n) => has.has(n.toLowerCase()));
  if (any('BilledCost') || any('ChargePeriodStart')) {
    if (any('ServiceProviderName', 'HostProviderName', 'ContractApplied')) return { kind: 'focus', version: '1.3' };
    if (any('InvoiceId', 'PricingCurrency', 'ServiceSubcategory')) return { kind: 'focus', version: '1.2' };
    return { kind: 'focus', version: '1.0' };
  }
  if (any('Date', 'UsageDateTime') && any('CostInBillingCurrency', 'Cost', 'PreTaxCost'))
    return { kind: 'ea', dataset: /amorti[sz]ed/i.test(fileName) ? 'amortized' : 'actual' };
  return {
    problem:
      'row 0 (header): neither a FOCUS export (BilledCost, ChargePeriodStart) nor an EA/MCA cost export (Date, CostInBillingCurrency)',
  };
}
