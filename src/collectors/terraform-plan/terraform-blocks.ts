// Where each `resource "TYPE" "NAME" {` block starts in a .tf file: a small HCL scanner that knows only what it
// must to never mistake text for a block header — comments (#, //, /* */), quoted strings with `${ }` / `%{ }`
// templates (which may nest strings and braces), heredocs (<<EOF, <<-EOF) and brace depth.

export interface TerraformBlock {
  type: string;
  name: string;
  /** 1-based line of the `resource` keyword. */
  line: number;
}

const IDENT = /[A-Za-z0-9_-]/;
const IDENT_START = /[A-Za-z_]/;

/** Top-level `resource` blocks of one file, in order. Malformed input yields what was found before it went wrong. */
export function resourceBlocks(text: string): TerraformBlock[] {
  const blocks: TerraformBlock[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  // The tokens of the current top-level statement: identifiers and plain string labels, with the first one's line.
  let header: string[] = [];
  let headerLine = 0;

  const skipLine = () => {
    while (i < text.length && text[i] !== '\n') i++;
  };
  const skipBlockComment = () => {
    i += 2;
    while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
      if (text[i] === '\n') line++;
      i++;
    }
    i += 2;
  };
  /** After the opening quote; returns the literal text when the string holds no template, else null. */
  const skipString = (): string | null => {
    let literal = '';
    let plain = true;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') {
        literal += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        return plain ? literal : null;
      }
      if (c === '\n') {
        // An unterminated string: HCL strings do not span lines; stop here so the rest of the file still scans.
        return null;
      }
      if ((c === '$' || c === '%') && text[i + 1] === '{') {
        if (text[i - 1] === c) {
          // `$${` and `%%{` are escapes for a literal `${` / `%{`.
          literal += '{';
          i += 2;
          continue;
        }
        plain = false;
        i += 2;
        skipTemplate();
        continue;
      }
      literal += c;
      i++;
    }
    return null;
  };
  /** Inside `${ ... }` up to its closing brace: nested braces and strings count. */
  const skipTemplate = () => {
    let nested = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        skipString();
        continue;
      }
      if (c === '\n') line++;
      if (c === '{') nested++;
      if (c === '}') {
        if (nested === 0) {
          i++;
          return;
        }
        nested--;
      }
      i++;
    }
  };
  /** At `<<`: a heredoc when an identifier and a newline follow; skips to the line holding only the marker. */
  const skipHeredoc = (): boolean => {
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(i, i + 200));
    if (!m) return false;
    const marker = m[2] as string;
    i += m[0].length;
    line++;
    while (i < text.length) {
      let end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
      const content = text.slice(i, end).trim();
      i = end + 1;
      if (content === marker) {
        // The newline after the marker ends the statement, as in the normal flow.
        i = end;
        return true;
      }
      line++;
    }
    return true;
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
      if (depth === 0) header = [];
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      skipLine();
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      skipBlockComment();
      continue;
    }
    if (c === '"') {
      const start = line;
      i++;
      const s = skipString();
      if (depth === 0) {
        if (!header.length) headerLine = start;
        header.push(s === null ? '\u0000' : s);
      }
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && skipHeredoc()) continue;
    if (c === '{') {
      if (depth === 0 && header.length === 3 && header[0] === 'resource' && !header.includes('\u0000')) {
        blocks.push({ type: header[1] as string, name: header[2] as string, line: headerLine });
      }
      depth++;
      header = [];
      i++;
      continue;
    }
    if (c === '}') {
      depth = Math.max(0, depth - 1);
      header = [];
      i++;
      continue;
    }
    if (IDENT_START.test(c)) {
      const start = i;
      while (i < text.length && IDENT.test(text[i] as string)) i++;
      if (depth === 0) {
        if (!header.length) headerLine = line;
        header.push(text.slice(start, i));
      }
      continue;
    }
    // Anything else at the top level (`=`, a number) means the statement is not a block header.
    if (depth === 0 && c !== ' ' && c !== '\t' && c !== '\r') header.push('\u0000');
    i++;
  }
  return blocks;
}
