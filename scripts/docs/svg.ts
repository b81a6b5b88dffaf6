/**
 * Plain static SVG for the notes' diagrams (docs/images/*.svg): no script, no
 * stylesheet, no font or image from elsewhere, so that GitHub shows them in a
 * Markdown file (it serves an SVG as an image, and an image runs nothing) and
 * the side-by-side page shows them offline. Every picture has an opaque light
 * background, so that its dark text reads the same on GitHub's light and dark
 * themes, and explicit width, height and viewBox, so that it keeps its size
 * and scales down in a narrow column.
 */

/** Colours (GitHub's light palette): dark text on white passes WCAG AA several times over. */
export const COLOURS = {
  background: '#ffffff',
  frame: '#d0d7de',
  text: '#1f2328',
  muted: '#57606a',
  client: '#0969da',
  clientFill: '#ddf4ff',
  server: '#1a7f37',
  serverFill: '#dafbe1',
  back: '#8250df',
  late: '#9a6700',
  lateFill: '#fff8c5',
  fail: '#cf222e',
  boxFill: '#f6f8fa',
} as const;

/** Generic families only: the reader's own sans-serif and monospace fonts. */
export const SANS = 'Helvetica, Arial, sans-serif';
export const MONO = 'Menlo, Consolas, "DejaVu Sans Mono", monospace';

/** The parser's diagrams share one style. Text sizes, in px: a box's name, an arrow's label. */
export const NAME_SIZE_PX = 15;
export const LABEL_SIZE_PX = 11;
/** Space between a box's edge and its text, in px. */
export const BOX_PADDING_PX = 10;
/** Space between two lines of text, in px, baseline to baseline, per px of font size. */
export const LINE_HEIGHT = 1.35;
/** Background around an arrow's label, left and right, in px. */
export const LABEL_PADDING_PX = 3;

/**
 * Advance of an average character, in ems. Monospace fonts agree on 0.6; a
 * sans-serif's average is lower, 0.55 errs on the wide side so that text
 * never leaves its box.
 */
const EM_PER_CHARACTER = { sans: 0.55, mono: 0.6 } as const;
export type Family = keyof typeof EM_PER_CHARACTER;

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Width in px that `text` takes at `sizePx` in `family`, as far as it can be known without the font. */
export function textWidth(text: string, sizePx: number, family: Family): number {
  return [...text].length * sizePx * EM_PER_CHARACTER[family];
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate as written: one decimal at most, so that the files do not change with float noise. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function attributes(values: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${typeof value === 'number' ? px(value) : escapeXml(value as string)}"`)
    .join('');
}

export interface TextStyle {
  readonly sizePx: number;
  readonly family: Family;
  readonly fill?: string;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly bold?: boolean;
}

/** One line of text whose baseline is at `y`. */
export function text(at: Point, content: string, style: TextStyle): string {
  return `<text${attributes({
    x: at.x,
    y: at.y,
    'font-family': style.family === 'mono' ? MONO : SANS,
    'font-size': style.sizePx,
    'font-weight': style.bold === true ? 'bold' : undefined,
    'text-anchor': style.anchor ?? 'start',
    fill: style.fill ?? COLOURS.text,
  })}>${escapeXml(content)}</text>`;
}

export interface BoxStyle {
  readonly fill: string;
  readonly stroke: string;
  readonly radiusPx?: number;
  readonly dashed?: boolean;
}

export function rect(x: number, y: number, width: number, height: number, style: BoxStyle): string {
  return `<rect${attributes({
    x,
    y,
    width,
    height,
    rx: style.radiusPx,
    fill: style.fill,
    stroke: style.stroke,
    'stroke-dasharray': style.dashed === true ? '4 3' : undefined,
  })}/>`;
}

export interface LineStyle {
  readonly stroke: string;
  readonly widthPx?: number;
  readonly dashed?: boolean;
}

/** A path through `points`, its corners rounded by quadratic curves through their midpoints. */
export function path(points: readonly Point[], style: LineStyle): string {
  const [first, ...rest] = points;
  if (first === undefined) return '';
  const parts = [`M${px(first.x)} ${px(first.y)}`];
  rest.forEach((point, index) => {
    const next = rest[index + 1];
    if (next === undefined) parts.push(`L${px(point.x)} ${px(point.y)}`);
    else parts.push(`Q${px(point.x)} ${px(point.y)} ${px((point.x + next.x) / 2)} ${px((point.y + next.y) / 2)}`);
  });
  return `<path${attributes({
    d: parts.join(' '),
    fill: 'none',
    stroke: style.stroke,
    'stroke-width': style.widthPx ?? 1.5,
    'stroke-dasharray': style.dashed === true ? '6 4' : undefined,
  })}/>`;
}

/** Length of an arrowhead along its line, and half its width, in px. */
const ARROW_LENGTH_PX = 9;
const ARROW_HALF_WIDTH_PX = 4;

/** A filled arrowhead at `to`, pointing away from `from` (drawn, not a marker, so every viewer shows it alike). */
export function arrowHead(from: Point, to: Point, fill: string): string {
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  const ux = (to.x - from.x) / length;
  const uy = (to.y - from.y) / length;
  const base = { x: to.x - ux * ARROW_LENGTH_PX, y: to.y - uy * ARROW_LENGTH_PX };
  const corners = [to, { x: base.x - uy * ARROW_HALF_WIDTH_PX, y: base.y + ux * ARROW_HALF_WIDTH_PX }, { x: base.x + uy * ARROW_HALF_WIDTH_PX, y: base.y - ux * ARROW_HALF_WIDTH_PX }];
  return `<polygon${attributes({ points: corners.map((corner) => `${px(corner.x)},${px(corner.y)}`).join(' '), fill })}/>`;
}

export interface SvgDocument {
  readonly width: number;
  readonly height: number;
  /** A short name (the SVG's <title>); screen readers say it. */
  readonly title: string;
  /** What the picture shows, in words (its <desc>; the notes use it as alt text too). */
  readonly description: string;
}

/** A whole file: the frame, the background and `parts` drawn on it, in order. */
export function svgDocument(document: SvgDocument, parts: readonly string[]): string {
  const width = Math.ceil(document.width);
  const height = Math.ceil(document.height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="title desc">`,
    `<title id="title">${escapeXml(document.title)}</title>`,
    `<desc id="desc">${escapeXml(document.description)}</desc>`,
    rect(0.5, 0.5, width - 1, height - 1, { fill: COLOURS.background, stroke: COLOURS.frame, radiusPx: 6 }),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
