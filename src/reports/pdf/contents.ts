// The table of contents, drawn on the page kept for it once every section knows its page.
import { type Layout, safe } from './layout.js';
import { COLOUR, CONTENT_WIDTH, FONT, PAGE, SIZE } from './theme.js';

export function contents(layout: Layout, page: number): void {
  const { doc } = layout;
  doc.switchToPage(page);
  doc.font(FONT.bold).fontSize(SIZE.h1).fillColor(COLOUR.accent).text('Contents', PAGE.margin, PAGE.margin);
  let y = doc.y + 12;
  for (const s of layout.sections) {
    const indent = s.level === 1 ? 0 : 16;
    const size = s.level === 1 ? 10.5 : 9.5;
    const gap = s.level === 1 ? 7 : 3;
    y += gap;
    doc
      .font(s.level === 1 ? FONT.bold : FONT.regular)
      .fontSize(size)
      .fillColor(COLOUR.ink);
    const title = safe(s.title);
    const number = String(s.page + 1);
    const titleWidth = doc.widthOfString(title);
    const numberWidth = doc.widthOfString(number);
    doc.text(title, PAGE.margin + indent, y, { lineBreak: false });
    // Dot leaders from the title to the page number.
    const from = PAGE.margin + indent + titleWidth + 6;
    const to = PAGE.margin + CONTENT_WIDTH - numberWidth - 6;
    doc.font(FONT.regular).fillColor(COLOUR.rule);
    const dot = doc.widthOfString('. ');
    if (to > from) doc.text('. '.repeat(Math.floor((to - from) / dot)), from, y, { lineBreak: false });
    doc
      .font(s.level === 1 ? FONT.bold : FONT.regular)
      .fillColor(COLOUR.ink)
      .text(number, PAGE.margin + CONTENT_WIDTH - numberWidth, y, { lineBreak: false });
    y += size + 2;
  }
}
