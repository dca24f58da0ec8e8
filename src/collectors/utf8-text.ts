// JSON inputs are almost always pure ASCII, which Node decodes about ten times faster as ASCII than through its UTF-8
// decoder (2.6 MB: ~0.7 ms against ~9 ms); the two give the same string for ASCII bytes.
import { isAscii } from 'node:buffer';

/** UTF-8 bytes as text. */
export function utf8Text(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString(isAscii(buf) ? 'ascii' : 'utf8');
}
