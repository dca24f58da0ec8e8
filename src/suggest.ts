// "Did you mean …?" for a mistyped name: the nearest known name by edit distance, when one is close.

/** Edits (insert, delete, substitute, swap two neighbours) between a and b. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name nearest to `word`, if it is within one edit per three characters (at least one), or
 * starts with `word` (a name cut short: `valid` → `validate`).
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const typed = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of known) {
    const lower = name.toLowerCase();
    const distance = typed.length >= 3 && lower.startsWith(typed) ? 1 : editDistance(typed, lower);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean X?)`, or nothing when no known name is close. `prefix` is shown before the name (`--`). */
export function didYouMean(word: string, known: Iterable<string>, prefix = ''): string {
  const name = closest(word, known);
  return name === undefined ? '' : ` (did you mean ${prefix}${name}?)`;
}
