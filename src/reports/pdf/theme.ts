// The report's look in one place: A4, margins, type sizes and the colour each status carries.

export const PAGE = { size: 'A4' as const, width: 595.28, height: 841.89, margin: 50 };
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
/** Where content stops: the footer lives below. */
export const CONTENT_BOTTOM = PAGE.height - PAGE.margin - 14;

export const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique', mono: 'Courier' } as const;
export const SIZE = { title: 26, h1: 17, h2: 12.5, body: 9.5, small: 8, tiny: 7 } as const;

export const COLOUR = {
  ink: '#1d2433',
  muted: '#5f6b7a',
  rule: '#d5dae1',
  band: '#f3f5f8',
  accent: '#1f3a5f',
  demo: '#b3261e',
} as const;

/** Status colours: worst in red, missing evidence in amber, passes in green, the rest in quiet tones. */
export const STATUS_COLOUR: Record<string, string> = {
  fail: '#b3261e',
  error: '#b26a00',
  unknown: '#b26a00',
  pass: '#2e7d32',
  pass_partial: '#558b2f',
  waived: '#5e35b1',
  manual: '#5f6b7a',
  not_applicable: '#8a94a3',
};

export const SEVERITY_COLOUR: Record<string, string> = {
  critical: '#8e1b16',
  high: '#b3261e',
  medium: '#b26a00',
  low: '#5f6b7a',
};

/** What a status reads as on paper. */
export const STATUS_LABEL: Record<string, string> = {
  fail: 'Fail',
  error: 'Error',
  unknown: 'Unknown',
  pass: 'Pass',
  pass_partial: 'Pass (partial)',
  waived: 'Waived',
  manual: 'Manual',
  not_applicable: 'N/A',
};
