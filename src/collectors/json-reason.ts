// Why text is not JSON, in one line that never quotes the input: Node's parser messages can carry a
// slice of the document, and inputs (plans, exports) may hold secrets.
/** The parser's reason without the quoted snippet of input V8 adds (it could hold a secret). */
export function jsonReason(e: unknown, text: string): string {
  const raw = e instanceof Error ? e.message : String(e);
  const end = text.trimEnd().length;
  const pos = /at position (\d+)/.exec(raw);
  if (/Unexpected end of JSON input/.test(raw) || (pos && Number(pos[1]) >= end)) {
    return 'truncated JSON (the input ends before the document does)';
  }
  let msg = raw
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (pos) {
    const at = Number(pos[1]);
    const before = text.slice(0, at);
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const col = at - before.lastIndexOf('\n');
    msg = msg.replace(/ in JSON at position \d+.*$/, '').trim();
    msg = `${msg} at line ${line} column ${col}`;
  }
  return `not JSON (${msg.slice(0, 200)})`;
}
