// Page mechanics every section shares: sections that open on a new page and are listed in the contents, headings,
// paragraphs, tables that break across pages with their header repeated, and the footer on every page.
import { cacheFontMetrics } from './font-cache.js';
import { COLOUR, CONTENT_BOTTOM, CONTENT_WIDTH, FONT, PAGE, SIZE } from './theme.js';

export type Doc = PDFKit.PDFDocument;

/**
 * Text the standard fonts can show: they encode WinAnsi (Latin-1 and a few more), so other characters become
 * their nearest ASCII or '?', never a wrong glyph.
 */
export function safe(text: string): string {
  return text
    .replace(/[→⇒]/g, '->')
    .replace(/≥/g, '>=')
    .replace(/≤/g, '<=')
    .replace(/[\u2000-\u200b\u202f]/g, ' ')
    .replace(/[^\t\n\x20-\x7e\xa0-\xff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?');
}

/** A round step for a chart's axis: about four steps from 0 to `max`. */
function niceStep(max: number): number {
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? pow * 10;
}

/**
 * A chart's value axis: gridlines from 0 to a round ceiling above `max`, labelled at the left margin. Returns the
 * ceiling, the value the chart's full height stands for.
 */
export function valueAxis(
  doc: Doc,
  area: { top: number; height: number; left: number; width: number },
  max: number,
  label: (v: number) => string,
  labelWidth: number,
): number {
  const step = niceStep(Math.max(1, max));
  const ceiling = Math.ceil(Math.max(1, max) / step) * step;
  doc.font(FONT.regular).fontSize(SIZE.tiny);
  for (let v = 0; v <= ceiling + step / 2; v += step) {
    const y = area.top + area.height - (v / ceiling) * area.height;
    doc
      .moveTo(area.left, y)
      .lineTo(area.left + area.width, y)
      .lineWidth(0.4)
      .strokeColor(COLOUR.rule)
      .stroke();
    doc.fillColor(COLOUR.muted).text(label(v), PAGE.margin, y - 3, { width: labelWidth, align: 'right', lineBreak: false });
  }
  return ceiling;
}

export interface Column {
  header: string;
  /** Points. */
  width: number;
  align?: 'left' | 'right' | 'center';
}

export interface Cell {
  text: string;
  colour?: string;
  bold?: boolean;
}

export interface Section {
  title: string;
  level: 1 | 2;
  /** 0-based page index. */
  page: number;
}

const PAD = 3.5;

export class Layout {
  readonly sections: Section[] = [];

  constructor(readonly doc: Doc) {
    cacheFontMetrics(doc);
  }

  get page(): number {
    const range = this.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.x = PAGE.margin;
  }

  /** Starts a new page unless `height` still fits on this one. */
  ensure(height: number): void {
    if (this.doc.y + height > CONTENT_BOTTOM) this.newPage();
  }

  /** A top-level section: a new page, a heading, an entry in the contents and the outline. */
  section(title: string): void {
    this.newPage();
    this.sections.push({ title, level: 1, page: this.page });
    this.doc.outline.addItem(safe(title));
    this.doc.font(FONT.bold).fontSize(SIZE.h1).fillColor(COLOUR.accent).text(safe(title), PAGE.margin, PAGE.margin);
    const y = this.doc.y + 3;
    this.doc
      .moveTo(PAGE.margin, y)
      .lineTo(PAGE.margin + CONTENT_WIDTH, y)
      .lineWidth(1)
      .strokeColor(COLOUR.accent)
      .stroke();
    this.doc.y = y + 12;
  }

  /** A sub-heading, kept with at least `keep` points of what follows; listed in the contents when `listed`. */
  heading(title: string, opts: { listed?: boolean; keep?: number } = {}): void {
    this.ensure(SIZE.h2 + 8 + (opts.keep ?? 60));
    if (this.doc.y > PAGE.margin + 1) this.doc.y += 8;
    if (opts.listed) this.sections.push({ title, level: 2, page: this.page });
    this.doc.font(FONT.bold).fontSize(SIZE.h2).fillColor(COLOUR.ink).text(safe(title), PAGE.margin, this.doc.y);
    this.doc.y += 4;
  }

  paragraph(text: string, opts: { colour?: string; size?: number; font?: string; gap?: number } = {}): void {
    const size = opts.size ?? SIZE.body;
    this.doc.font(opts.font ?? FONT.regular).fontSize(size);
    this.ensure(this.doc.heightOfString(safe(text), { width: CONTENT_WIDTH }) + 2);
    this.doc
      .fillColor(opts.colour ?? COLOUR.ink)
      .text(safe(text), PAGE.margin, this.doc.y, { width: CONTENT_WIDTH, lineGap: 1.5 });
    this.doc.y += opts.gap ?? 6;
  }

  /** A coloured band with a bold title and a paragraph: a status the reader must see first. */
  banner(colour: string, title: string, text: string): void {
    const { doc } = this;
    doc.font(FONT.regular).fontSize(SIZE.body);
    const h = doc.heightOfString(safe(text), { width: CONTENT_WIDTH - 24 }) + 30;
    this.ensure(h);
    const y = doc.y;
    doc.rect(PAGE.margin, y, 4, h).fill(colour);
    doc.rect(PAGE.margin + 4, y, CONTENT_WIDTH - 4, h).fill(COLOUR.band);
    doc
      .font(FONT.bold)
      .fontSize(10.5)
      .fillColor(colour)
      .text(safe(title), PAGE.margin + 14, y + 8, { width: CONTENT_WIDTH - 24 });
    doc
      .font(FONT.regular)
      .fontSize(SIZE.body)
      .fillColor(COLOUR.ink)
      .text(safe(text), PAGE.margin + 14, doc.y + 2, { width: CONTENT_WIDTH - 24 });
    doc.y = y + h + 12;
  }

  /** Label and value pairs, the label in grey. */
  facts(pairs: readonly [string, string][], opts: { labelWidth?: number; size?: number; valueFont?: string } = {}): void {
    const lw = opts.labelWidth ?? 110;
    const size = opts.size ?? SIZE.body;
    for (const [label, value] of pairs) {
      this.doc.font(opts.valueFont ?? FONT.regular).fontSize(size);
      const h = this.doc.heightOfString(safe(value), { width: CONTENT_WIDTH - lw });
      this.ensure(h + 4);
      const y = this.doc.y;
      this.doc
        .font(FONT.regular)
        .fillColor(COLOUR.muted)
        .text(safe(label), PAGE.margin, y, { width: lw - 8 });
      this.doc
        .font(opts.valueFont ?? FONT.regular)
        .fillColor(COLOUR.ink)
        .text(safe(value), PAGE.margin + lw, y, { width: CONTENT_WIDTH - lw });
      this.doc.y = Math.max(this.doc.y, y + h) + 3;
    }
  }

  /** A table whose rows never split; the header repeats on every page it spans. */
  table(columns: readonly Column[], rows: readonly (string | Cell)[][], opts: { size?: number } = {}): void {
    const doc = this.doc;
    const size = opts.size ?? SIZE.small;
    const lineHeight = (font: string) => doc.font(font).fontSize(size).currentLineHeight(true) + 0.5;
    const cellHeight = (cell: Cell, col: Column, font: string) => {
      const text = safe(cell.text);
      doc.font(font).fontSize(size);
      // Most cells hold one short line: measuring its width is far cheaper than laying it out.
      if (!text.includes('\n') && doc.widthOfString(text) <= col.width - 2 * PAD) return lineHeight(font) + 2 * PAD;
      return doc.heightOfString(text, { width: col.width - 2 * PAD, lineGap: 0.5 }) + 2 * PAD;
    };
    const headerCells = columns.map((c) => ({ text: c.header, bold: true }));
    const headerHeight = Math.max(...columns.map((c, i) => cellHeight(headerCells[i]!, c, FONT.bold)));
    const drawRow = (cells: Cell[], height: number, fill: string | null, header: boolean) => {
      const y = doc.y;
      if (fill) doc.rect(PAGE.margin, y, CONTENT_WIDTH, height).fill(fill);
      let x = PAGE.margin;
      columns.forEach((col, i) => {
        const cell = cells[i] ?? { text: '' };
        doc
          .font(cell.bold || header ? FONT.bold : FONT.regular)
          .fontSize(size)
          .fillColor(header ? '#ffffff' : (cell.colour ?? COLOUR.ink))
          .text(safe(cell.text), x + PAD, y + PAD, { width: col.width - 2 * PAD, align: col.align ?? 'left', lineGap: 0.5 });
        x += col.width;
      });
      doc.y = y + height;
      if (!header)
        doc
          .moveTo(PAGE.margin, doc.y)
          .lineTo(PAGE.margin + CONTENT_WIDTH, doc.y)
          .lineWidth(0.4)
          .strokeColor(COLOUR.rule)
          .stroke();
    };
    const header = () => drawRow(headerCells, headerHeight, COLOUR.accent, true);
    const normalised = rows.map((r) => r.map((c) => (typeof c === 'string' ? { text: c } : c)));
    const first = normalised[0];
    const firstHeight = first ? Math.max(...columns.map((c, i) => cellHeight(first[i] ?? { text: '' }, c, FONT.regular))) : 0;
    this.ensure(headerHeight + firstHeight);
    header();
    normalised.forEach((cells, index) => {
      const height = Math.max(
        ...columns.map((c, i) => cellHeight(cells[i] ?? { text: '' }, c, cells[i]?.bold ? FONT.bold : FONT.regular)),
      );
      if (doc.y + height > CONTENT_BOTTOM) {
        this.newPage();
        header();
      }
      drawRow(cells, height, index % 2 ? COLOUR.band : null, false);
    });
    doc.y += 8;
  }

  /** "Page x of y" and the report's identity on every page; drawn once all pages exist. */
  footer(left: string, demo: boolean): void {
    const doc = this.doc;
    const { start, count } = doc.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      doc.switchToPage(i);
      // Text below the bottom margin would open a new page: the footer writes with no bottom margin.
      const margin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      const y = PAGE.height - PAGE.margin + 8;
      doc
        .moveTo(PAGE.margin, y - 6)
        .lineTo(PAGE.margin + CONTENT_WIDTH, y - 6)
        .lineWidth(0.4)
        .strokeColor(COLOUR.rule)
        .stroke();
      doc.font(FONT.regular).fontSize(SIZE.tiny).fillColor(COLOUR.muted);
      doc.text(safe(left), PAGE.margin, y, { width: CONTENT_WIDTH - 200, lineBreak: false });
      if (demo)
        doc
          .font(FONT.bold)
          .fillColor(COLOUR.demo)
          .text('DEMO SIGNER - NOT FOR AUDIT USE', PAGE.margin + CONTENT_WIDTH - 190, y, {
            width: 130,
            align: 'right',
            lineBreak: false,
          });
      doc
        .font(FONT.regular)
        .fillColor(COLOUR.muted)
        .text(`Page ${i + 1} of ${count}`, PAGE.margin, y, { width: CONTENT_WIDTH, align: 'right', lineBreak: false });
      doc.page.margins.bottom = margin;
    }
  }
}
