// Parses a plan's JSON without the parts the gate never reads. A plan of an existing estate writes every
// resource four times (prior_state, planned_values, before, after); building objects for all of them was
// most of the gate's time and memory. One pass over the bytes finds those parts, checking their structure
// (strings closed, brackets balanced, only JSON tokens between), and JSON.parse reads the rest.
//
// Left out: prior_state and resource_drift; planned_values when resource_changes has every resource it
// lists (Terraform lists them all, no-op included); the `before` side of each change except for deletes,
// whose verdicts are read from it, and for the types the caller names (the gate prices their updates).
// Only plans with a prior state take this way. Anything unexpected gives null, and the caller parses the
// whole text.

import { utf8Text } from '../utf8-text.js';
import { splitSteps } from './references.js';

/** Placeholder written where a part was left out; patched back from its bytes when it turns out to be needed. */
const OMITTED = 0;
const PLACEHOLDER = Buffer.from(String(OMITTED));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

// Outside strings: separators and whitespace (1), the characters a number starts with (2) or goes on with (3).
const BYTE = new Uint8Array(256);
for (const ch of ' \t\n\r,:') BYTE[ch.charCodeAt(0)] = 1;
for (const ch of '-0123456789') BYTE[ch.charCodeAt(0)] = 2;
for (const ch of '+.eE') BYTE[ch.charCodeAt(0)] = 3;

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the separator, number, true, false or null at `i`, or -1 when none is there. */
function tokenEnd(b: Buffer, i: number): number {
  const c = b[i] as number;
  const kind = BYTE[c];
  if (kind === 1) return i + 1;
  if (kind === 2) {
    let j = i + 1;
    while ((BYTE[b[j] as number] as number) >= 2) j++;
    return j;
  }
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1; // null
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1; // true
  if (c === 0x66) {
    // false
    return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
  }
  return -1;
}

const key = (s: string): Buffer => Buffer.from(s, 'latin1');
const TOP_DROPPED = [key('prior_state'), key('resource_drift')];
const PLANNED_VALUES = key('planned_values');
const RESOURCE_CHANGES = key('resource_changes');
const CHANGE = key('change');
const CHANGE_BEFORE = [key('before'), key('before_sensitive')];

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Index of the quote closing the string that opens at `i`, or -1. */
function stringEnd(b: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    j = b.indexOf(QUOTE, j);
    if (j < 0) return -1;
    let k = j - 1;
    while (b[k] === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j;
    j++;
  }
}

/**
 * Index just past the array or object that opens at `i`, or -1 when it is not well formed. `onString` sees
 * each string in it (the indexes of its quotes).
 */
function valueEnd(b: Buffer, i: number, onString?: (open: number, close: number) => void): number {
  // Closing bracket expected at each depth: } (0x7d) or ] (0x5d); an opener's code + 2 is its closer.
  const closers: number[] = [];
  const n = b.length;
  while (i < n) {
    const c = b[i] as number;
    if (c === QUOTE) {
      const open = i;
      i = stringEnd(b, i);
      if (i < 0) return -1;
      if (onString) onString(open, i);
    } else if (c === 0x7b || c === 0x5b) closers.push(c + 2);
    else if (c === 0x7d || c === 0x5d) {
      if (closers.pop() !== c) return -1;
      if (closers.length === 0) return i + 1;
    } else {
      i = tokenEnd(b, i);
      if (i < 0) return -1;
      continue;
    }
    i++;
  }
  return -1;
}

const same = (b: Buffer, start: number, end: number, k: Buffer): boolean =>
  end - start === k.length && b.compare(k, 0, k.length, start, end) === 0;

const oneOf = (b: Buffer, start: number, end: number, ks: readonly Buffer[]): boolean => {
  for (const k of ks) if (same(b, start, end, k)) return true;
  return false;
};

interface Cut {
  start: number;
  end: number;
}

interface Skim {
  /** Byte ranges replaced by the placeholder, in order. */
  cuts: Cut[];
  plannedValues: Cut | null;
  /** The `address` values in planned_values (modules', resources', data sources'), and its managed resources. */
  plannedAddresses: string[];
  plannedManaged: number;
  /** Per resource_changes index, the `before` / `before_sensitive` ranges left out. */
  befores: Map<number, Map<string, Cut>>;
}

/**
 * One pass over the document. Container kinds and the current key are tracked to depth 4 — enough to
 * recognise resource_changes[i].change.before — and everything deeper is skipped in one step.
 */
function skim(b: Buffer, from: number): Skim | null {
  const n = b.length;
  let i = from;
  while (i < n && isSpace(b[i])) i++;
  if (b[i] !== 0x7b) return null;
  const cuts: Cut[] = [];
  const befores = new Map<number, Map<string, Cut>>();
  let plannedValues: Cut | null = null;
  const census = plannedCensus(b);
  // Per depth (1 = the plan object): is it an object, and where its current key starts and ends.
  const isObject: boolean[] = [false, true];
  const keyStart: number[] = [0, -1];
  const keyEnd: number[] = [0, -1];
  const index: number[] = [0, 0];
  let depth = 1;
  let expectKey = true;
  i++;
  const keyIs = (d: number, k: Buffer) => same(b, keyStart[d] as number, keyEnd[d] as number, k);
  while (i < n) {
    const c = b[i] as number;
    if (c === QUOTE) {
      const end = stringEnd(b, i);
      if (end < 0) return null;
      if (isObject[depth] && expectKey) {
        keyStart[depth] = i + 1;
        keyEnd[depth] = end;
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      // Which value opens here: a part left out, a container followed, or one skipped whole.
      let drop: 'top' | 'planned' | 'before' | null = null;
      if (depth === 1 && isObject[1]) {
        const s = keyStart[1] as number;
        const e = keyEnd[1] as number;
        if (oneOf(b, s, e, TOP_DROPPED)) drop = 'top';
        else if (same(b, s, e, PLANNED_VALUES)) drop = 'planned';
      } else if (
        depth === 4 &&
        isObject[4] &&
        oneOf(b, keyStart[4] as number, keyEnd[4] as number, CHANGE_BEFORE) &&
        keyIs(3, CHANGE) &&
        !isObject[2] &&
        keyIs(1, RESOURCE_CHANGES)
      ) {
        drop = 'before';
      }
      // Followed: the resource_changes array, each change in it, and its `change` object. Others go whole.
      const follow =
        drop === null &&
        ((depth === 1 && c === 0x5b && keyIs(1, RESOURCE_CHANGES)) ||
          (depth === 2 && !isObject[2]) ||
          (depth === 3 && c === 0x7b && keyIs(3, CHANGE)));
      if (!follow) {
        const end = valueEnd(b, i, drop === 'planned' ? census.onString : undefined);
        if (end < 0) return null;
        if (drop !== null) {
          const cut = { start: i, end };
          cuts.push(cut);
          if (drop === 'planned') plannedValues = cut;
          else if (drop === 'before') {
            const at = index[2] as number;
            let m = befores.get(at);
            if (!m) {
              m = new Map();
              befores.set(at, m);
            }
            m.set(b.toString('latin1', keyStart[4] as number, keyEnd[4] as number), cut);
          }
        }
        i = end;
        continue;
      }
      depth++;
      isObject[depth] = c === 0x7b;
      keyStart[depth] = -1;
      keyEnd[depth] = -1;
      index[depth] = 0;
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      if ((c === 0x7d) !== isObject[depth]) return null;
      depth--;
      if (depth === 0) {
        // Only whitespace may follow the document.
        for (let k = i + 1; k < n; k++) if (!isSpace(b[k])) return null;
        return { cuts, plannedValues, befores, plannedAddresses: census.addresses, plannedManaged: census.managed };
      }
      expectKey = false;
    } else if (c === 0x2c) {
      if (isObject[depth]) expectKey = true;
      else index[depth] = (index[depth] as number) + 1;
    } else {
      i = tokenEnd(b, i);
      if (i < 0) return null;
      continue;
    }
    i++;
  }
  return null;
}

const ADDRESS = key('address');
const MODE = key('mode');
const MANAGED = key('managed');

/**
 * Collects, while planned_values is skipped, every `"address": "…"` value and how many `"mode": "managed"`
 * pairs it holds: enough to tell whether resource_changes covers it without parsing it.
 */
function plannedCensus(b: Buffer) {
  const census = { addresses: [] as string[], managed: 0, onString };
  // What the next string is the value of: 1 an address, 2 a mode.
  let pending = 0;
  /** The string after a key's colon, when the value is one: its opening quote, else -1. */
  const stringValueAfter = (close: number): number => {
    let k = close + 1;
    while (isSpace(b[k])) k++;
    if (b[k] !== 0x3a) return -1;
    k++;
    while (isSpace(b[k])) k++;
    return b[k] === QUOTE ? k : -1;
  };
  function onString(open: number, close: number): void {
    if (pending === 1) {
      let escaped = false;
      for (let k = open + 1; k < close && !escaped; k++) escaped = b[k] === BACKSLASH;
      // Addresses with string keys hold escaped quotes; the others decode as they are.
      census.addresses.push(
        escaped ? (JSON.parse(b.toString('utf8', open, close + 1)) as string) : b.toString('utf8', open + 1, close),
      );
      pending = 0;
    } else if (pending === 2) {
      if (same(b, open + 1, close, MANAGED)) census.managed++;
      pending = 0;
    } else if (same(b, open + 1, close, ADDRESS) && stringValueAfter(close) >= 0) pending = 1;
    else if (same(b, open + 1, close, MODE) && stringValueAfter(close) >= 0) pending = 2;
  }
  return census;
}

/**
 * Does resource_changes hold every managed resource planned_values lists? Each resource address there must
 * have a change (module and data source addresses aside), and there must be as many of them as resources
 * marked managed: a resource only in planned_values keeps planned_values in.
 */
function changesCoverPlanned(found: Skim, changes: unknown): boolean {
  if (!Array.isArray(changes)) return false;
  const changed = new Set<string>();
  for (const rc of changes) {
    if (isObj(rc) && typeof rc.address === 'string' && rc.mode !== 'data' && rc.deposed === undefined) changed.add(rc.address);
  }
  let resources = 0;
  for (const address of found.plannedAddresses) {
    if (changed.has(address)) {
      resources++;
      continue;
    }
    // Not a changed resource: fine only for a module's own address or a data source.
    const steps = splitSteps(address);
    if (!steps) return false;
    let i = 0;
    while (i + 1 < steps.length && steps[i]?.name === 'module' && steps[i]?.key === undefined) i += 2;
    if (i !== steps.length && steps[i]?.name !== 'data') return false;
  }
  return resources > 0 && resources === found.plannedManaged;
}

const parseSlice = (b: Buffer, cut: Cut): unknown => JSON.parse(b.toString('utf8', cut.start, cut.end));

/**
 * The plan with the parts the gate does not read left out, or null when the text is not a JSON object
 * this pass can vouch for (the caller then parses all of it, and reports any error precisely).
 */
export function parseLeanPlan(b: Buffer, from = 0, keepBefore?: (type: string) => boolean): Obj | null {
  // Without prior state nothing exists yet: few `before` sides to leave out, and the pass would cost more
  // than it saves. Terraform writes prior_state after resource_changes: look for it from the end.
  if (b.lastIndexOf('"prior_state"', b.length, 'latin1') < from) return null;
  let found: Skim | null;
  try {
    found = skim(b, from);
  } catch {
    // An address in planned_values that is not a JSON string: the full parse reports it, in its own words.
    return null;
  }
  if (!found || found.cuts.length === 0) return null;
  const pieces: Buffer[] = [];
  let at = from;
  for (const cut of found.cuts) {
    pieces.push(b.subarray(at, cut.start), PLACEHOLDER);
    at = cut.end;
  }
  pieces.push(b.subarray(at));
  let plan: unknown;
  try {
    plan = JSON.parse(utf8Text(Buffer.concat(pieces)));
  } catch {
    return null;
  }
  if (!isObj(plan)) return null;
  delete plan.prior_state;
  delete plan.resource_drift;
  const changes = plan.resource_changes;
  try {
    for (const [i, parts] of found.befores) {
      const rc = Array.isArray(changes) && isObj(changes[i]) ? changes[i] : undefined;
      const change = rc?.change;
      if (!isObj(change)) return null;
      // A delete is read from its before side; every other change from its after side, but for the types whose
      // before side the caller compares (an update's cost is after − before).
      const deleting = change.after === null || change.after === undefined;
      const kept = deleting || (keepBefore !== undefined && typeof rc?.type === 'string' && keepBefore(rc.type));
      for (const [name, cut] of parts) {
        if (change[name] !== OMITTED) return null;
        if (kept) change[name] = parseSlice(b, cut);
        else delete change[name];
      }
    }
    if (found.plannedValues) {
      if (plan.planned_values !== OMITTED) return null;
      if (changesCoverPlanned(found, changes)) delete plan.planned_values;
      else plan.planned_values = parseSlice(b, found.plannedValues);
    }
  } catch {
    return null;
  }
  return plan;
}
