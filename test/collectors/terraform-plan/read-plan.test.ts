import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readPlan, readPlanStream } from '../../../src/collectors/terraform-plan/index.js';
import { UsageError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'compline-plan-'));
const file = (name: string, content: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

async function usageError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UsageError);
  const msg = (e as UsageError).message;
  expect(msg).not.toContain('\n');
  return msg;
}

describe('readPlan', () => {
  it('parses a JSON plan file', async () => {
    const p = file('ok.json', '{"format_version":"1.2"}');
    expect(await readPlan(p)).toEqual({ format_version: '1.2' });
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const p = file('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    expect(await readPlan(p)).toEqual({ a: 1 });
  });

  it('names the file and the parser reason for text that is not JSON, without quoting the input', async () => {
    const p = file('bad.json', '{"format_version": "1.2",\n  oops-Leak-UNIQUE-11 }');
    const msg = await usageError(readPlan(p));
    expect(msg).toBe(`${p}: not JSON (Expected double-quoted property name at line 2 column 3)`);
    expect(msg).not.toContain('Leak-UNIQUE');
  });

  it('says truncated for a plan cut short', async () => {
    const p = file('cut.json', '{"format_version": "1.2", "resource_changes": [{"address": "a');
    expect(await usageError(readPlan(p))).toBe(`${p}: truncated JSON (the input ends before the document does)`);
  });

  it('says empty for an empty file', async () => {
    const p = file('empty.json', '  \n');
    expect(await usageError(readPlan(p))).toBe(`${p}: empty input, not a JSON plan (truncated?)`);
  });

  it('refuses binary data: NUL bytes or invalid UTF-8 in the first KiB', async () => {
    const nul = file('nul.bin', Buffer.from([0x7b, 0x00, 0x01, 0x02]));
    expect(await usageError(readPlan(nul))).toBe(`${nul}: binary data, not a JSON plan`);
    const latin = file('latin.bin', Buffer.from([0x7b, 0xff, 0xfe, 0x80, 0x7d, 0x20]));
    expect(await usageError(readPlan(latin))).toBe(`${latin}: binary data, not a JSON plan`);
    const zip = file('plan.tfplan', Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000', 'latin1'));
    expect(await usageError(readPlan(zip))).toBe(`${zip}: binary data, not a JSON plan`);
  });

  it('names UTF-16 (PowerShell redirection) instead of calling it binary', async () => {
    const p = file('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]));
    expect(await usageError(readPlan(p))).toBe(`${p}: UTF-16 text, not a UTF-8 JSON plan (re-save it as UTF-8)`);
  });

  it('refuses a file over the size limit from its size, before reading it', async () => {
    const p = file('big.json', `{"pad":"${'x'.repeat(3000)}"}`);
    expect(await usageError(readPlan(p, { maxBytes: 2048 }))).toBe(`${p}: 2.9 KiB exceeds the 2 KiB plan size limit`);
  });

  it('formats the default limit in MiB', async () => {
    // A sparse 1 GiB file: stat says 1 GiB, nothing is read.
    const p = join(dir, 'huge.json');
    const { truncateSync } = await import('node:fs');
    writeFileSync(p, '');
    truncateSync(p, 1024 ** 3);
    expect(await usageError(readPlan(p))).toBe(`${p}: 1.0 GiB exceeds the 512 MiB plan size limit`);
  });

  it('reads a large file whole', async () => {
    const pad = 'y'.repeat(3 * 1024 ** 2);
    const p = file('large.json', `{"format_version":"1.2","pad":"${pad}"}`);
    expect(await readPlan(p)).toEqual({ format_version: '1.2', pad });
  });

  // `compline gate <(terraform show -json tfplan)`: a path whose size is 0 and which cannot seek.
  it('reads a named pipe to its end, and stops a pipe at the size limit', async () => {
    const fifo = join(dir, 'plan.fifo');
    execFileSync('mkfifo', [fifo]);
    const body = JSON.stringify({ format_version: '1.2', pad: 'z'.repeat(200_000) });
    const writing = writeFile(fifo, body);
    expect(await readPlan(fifo)).toEqual(JSON.parse(body));
    await writing;
    const tooMuch = writeFile(fifo, body).catch(() => {});
    expect(await usageError(readPlan(fifo, { maxBytes: 100_000 }))).toBe(`${fifo}: input exceeds the 97.7 KiB plan size limit`);
    await tooMuch;
  });

  it('reports a missing file and a directory in one line', async () => {
    expect(await usageError(readPlan(join(dir, 'nope.json')))).toBe(`${join(dir, 'nope.json')}: no such file`);
    expect(await usageError(readPlan(dir))).toBe(`${dir}: is a directory, not a plan file`);
  });
});

describe('readPlanStream (stdin)', () => {
  it('stops counting at the limit while reading', async () => {
    let pulled = 0;
    const stream = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(1024, 0x20));
      },
    });
    expect(await usageError(readPlanStream(stream, 'stdin', { maxBytes: 4096 }))).toBe(
      'stdin: input exceeds the 4 KiB plan size limit',
    );
    expect(pulled).toBeLessThan(10);
  });

  it('parses a plan arriving in chunks', async () => {
    const stream = Readable.from([Buffer.from('{"format_'), Buffer.from('version":"1.1"}')]);
    expect(await readPlanStream(stream, 'stdin')).toEqual({ format_version: '1.1' });
  });

  it("reads '-' from the process's stdin and enforces the limit there", async () => {
    const real = Object.getOwnPropertyDescriptor(process, 'stdin') as PropertyDescriptor;
    const stdin = (content: string) =>
      Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(content)]), configurable: true });
    try {
      stdin(JSON.stringify({ format_version: '1.2', pad: 'y'.repeat(200) }));
      expect(await usageError(readPlan('-', { maxBytes: 64 }))).toBe('stdin: input exceeds the 64 B plan size limit');
      stdin('{"format_version":"1.0"}');
      expect(await readPlan('-')).toEqual({ format_version: '1.0' });
    } finally {
      Object.defineProperty(process, 'stdin', real);
    }
  });
});
