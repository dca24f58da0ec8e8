// The little DER a CMS signature needs: encode tag-length-value, and walk one without copying.

export const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  /** [n] constructed, context-specific. */
  context: (n: number) => 0xa0 + n,
} as const;

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

export const seq = (...content: Buffer[]) => tlv(TAG.sequence, ...content);

/** SET OF in DER: members sorted by their encodings (X.690 11.6). */
export const setOf = (...members: Buffer[]) => tlv(TAG.set, ...[...members].sort(Buffer.compare));

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

/** A non-negative INTEGER from its big-endian magnitude. */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return tlv(TAG.integer, m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}

export const integer = (n: number) => unsignedInteger(Buffer.from([n]));

export interface Node {
  tag: number;
  /** The whole encoding, header included. */
  raw: Buffer;
  content: Buffer;
}

export class DerError extends Error {}

/** The element starting at `offset`. */
export function read(data: Buffer, offset = 0): Node {
  if (offset + 2 > data.length) throw new DerError('truncated');
  const tag = data[offset]!;
  let len = data[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > data.length) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + data[start + i]!;
    start += n;
  }
  if (start + len > data.length) throw new DerError('truncated');
  return { tag, raw: data.subarray(offset, start + len), content: data.subarray(start, start + len) };
}

/** The members of a constructed element. */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < node.content.length; ) {
    const child = read(node.content, at);
    out.push(child);
    at += child.raw.length;
  }
  return out;
}

export function oidText(node: Node): string {
  if (node.tag !== TAG.oid) throw new DerError('expected an OBJECT IDENTIFIER');
  const c = node.content;
  const parts = [Math.floor(c[0]! / 40), c[0]! % 40];
  let v = 0;
  for (let i = 1; i < c.length; i++) {
    v = v * 128 + (c[i]! & 0x7f);
    if (!(c[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
