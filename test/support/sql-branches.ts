// The branches of every CASE expression in a SQL text, found by a small tokenizer that skips strings, quoted
// identifiers and comments, and a copy of the SQL that counts the rows taking each branch in a sequence: the
// check's fixtures, run once, show which branches of its query they reach.

export interface Branch {
  /** Offset of the branch's result expression (after THEN or ELSE) and of its end (the next WHEN, ELSE or END). */
  start: number;
  end: number;
  /** 1-based line of the THEN or ELSE keyword, for messages. */
  line: number;
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

/** THEN and ELSE branches of every CASE, nested ones included, in text order. */
export function caseBranches(sql: string): Branch[] {
  const branches: Branch[] = [];
  // One frame per open parenthesis or CASE; a CASE frame holds the branch it is reading, if any.
  const stack: { kind: '(' | 'case'; open?: Omit<Branch, 'end'> }[] = [];
  const close = (at: number) => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'case' && top.open) {
      branches.push({ ...top.open, end: at });
      top.open = undefined;
    }
  };
  let line = 1;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\n') line++;
    if (c === "'" || c === '"') {
      const j = sql.indexOf(c, i + 1);
      // A doubled quote is an escaped one: the scan simply continues into the next quoted part.
      line += sql.slice(i, j < 0 ? sql.length : j).split('\n').length - 1;
      i = j < 0 ? sql.length : j + 1;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      i = j < 0 ? sql.length : j;
      continue;
    }
    if (c === '(') stack.push({ kind: '(' });
    else if (c === ')') stack.pop();
    WORD.lastIndex = i;
    const m = /[A-Za-z_]/.test(c) && (i === 0 || !/[A-Za-z0-9_.]/.test(sql[i - 1]!)) ? WORD.exec(sql) : null;
    if (!m) {
      i++;
      continue;
    }
    const word = m[0].toLowerCase();
    const top = stack[stack.length - 1];
    if (word === 'case') stack.push({ kind: 'case' });
    else if (top?.kind === 'case') {
      if (word === 'when' || word === 'else') close(i);
      if (word === 'then' || word === 'else') top.open = { start: i + word.length, line };
      if (word === 'end') {
        close(i);
        stack.pop();
      }
    }
    i += m[0].length;
  }
  return branches;
}

/**
 * The SQL with every branch counting the rows that take it: branch i calls nextval('<prefix>i') before its result.
 * DuckDB evaluates a THEN or ELSE result only for the rows that take it, and never folds a volatile call away.
 */
export function withCounters(sql: string, branches: readonly Branch[], prefix: string): string {
  const inserts = branches.flatMap((b, i) => [
    { at: b.start, text: ` (case when nextval('${prefix}${i}') > 0 then ` },
    { at: b.end, text: ' end) ' },
  ]);
  let out = sql;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}

export interface MacroSpan {
  name: string;
  start: number;
  end: number;
}

/** Each macro's name and the span of its definition in a macros file. */
export function macroSpans(macros: string): MacroSpan[] {
  return [...macros.matchAll(/create or replace temp macro ([a-z0-9_]+)/g)].map((m, i, all) => ({
    name: m[1]!,
    start: m.index,
    end: all[i + 1]?.index ?? macros.length,
  }));
}

/** The macros a query calls, and the macros those call. */
export function macrosCalledBy(sql: string, macros: string, spans: readonly MacroSpan[]): Set<string> {
  const called = new Set<string>();
  const visit = (text: string) => {
    for (const m of spans) {
      if (called.has(m.name) || !new RegExp(`\\b${m.name}\\s*\\(`).test(text)) continue;
      called.add(m.name);
      visit(macros.slice(m.start, m.end).replace(/^create or replace temp macro [a-z0-9_]+/, ''));
    }
  };
  visit(sql);
  return called;
}
