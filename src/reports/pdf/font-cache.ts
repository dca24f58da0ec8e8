// pdfkit's standard fonts find each glyph pair's kerning by building a string (`left + '\0' + right`) and looking it
// up in a table of thousands, for every pair of every string measured or drawn: that was most of the time a report
// took to lay out. The AFM font class is given a two-level map per font, built once from the same table, so a pair
// is two lookups and no string. Widths a document measures again (every word of a wrapped cell) are kept per font.
import type { Doc } from './layout.js';

interface AfmFont {
  kernPairs: Record<string, number>;
  getKernPair(left: string, right: string | undefined): number;
}

interface StandardFont {
  font: AfmFont;
  widthOfString(text: string, size: number, features?: unknown[]): number;
}

const kerning = new WeakMap<AfmFont, Map<string, Map<string, number>>>();
const widths = new WeakMap<object, Map<string, number>>();
const patched = new WeakSet<object>();

function pairs(font: AfmFont): Map<string, Map<string, number>> {
  let map = kerning.get(font);
  if (!map) {
    map = new Map();
    for (const [key, amount] of Object.entries(font.kernPairs)) {
      const [left, right] = key.split('\0') as [string, string];
      const row = map.get(left) ?? new Map<string, number>();
      map.set(left, row);
      row.set(right, amount);
    }
    kerning.set(font, map);
  }
  return map;
}

/** Faster metrics for the document's standard fonts (once per font class, for every document after). */
export function cacheFontMetrics(doc: Doc): void {
  // A new document's font is its default, Helvetica: a standard font over an AFM font.
  const standard = (doc as unknown as { _font: StandardFont })._font;
  const standardProto = Object.getPrototypeOf(standard) as StandardFont;
  const afmProto = Object.getPrototypeOf(standard.font) as AfmFont;
  if (patched.has(afmProto)) return;
  patched.add(afmProto);
  afmProto.getKernPair = function (this: AfmFont, left, right) {
    return (right !== undefined && pairs(this).get(left)?.get(right)) || 0;
  };
  const { widthOfString } = standardProto;
  standardProto.widthOfString = function (this: StandardFont, text, size, features) {
    if (features?.length) return widthOfString.call(this, text, size, features);
    const map = widths.get(this) ?? new Map<string, number>();
    widths.set(this, map);
    let width = map.get(text);
    if (width === undefined) {
      width = widthOfString.call(this, text, 1000, features);
      map.set(text, width);
    }
    // The width scales with the size: the same product pdfkit forms, so every measure is what it was.
    return width * (size / 1000);
  };
}
