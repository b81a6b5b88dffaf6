/**
 * A sequence diagram of one captured conversation (conversation.ts): the
 * client's line on the left, the server's on the right, time going down, an
 * arrow per message with its first line and the header lines that matter,
 * and a note where the connection waits open between two requests.
 */
import type { ConversationStep, Side } from './conversation.js';
import type { Picture } from './parser-diagram.js';
import { arrowHead, COLOURS, path, px, rect, svgDocument, text, textWidth, type Point } from './svg.js';

/** Text sizes, in px: an arrow's label, a lifeline's name, the line under it. */
const LABEL_SIZE_PX = 12;
const NAME_SIZE_PX = 14;
const SUBTITLE_SIZE_PX = 11;
/** Baseline to baseline, per px of font size. */
const LINE_HEIGHT = 1.4;
/** Around the picture, in px; the left one leaves room for a bracket's words. */
const MARGIN_PX = 16;
const LEFT_GUTTER_PX = 78;
/** A lifeline's name box, in px. */
const HEADER_WIDTH_PX = 230;
const HEADER_HEIGHT_PX = 44;
/** Space between a label and the lifelines on either side of it, in px. */
const LABEL_SIDE_GAP_PX = 24;
/** How far an arrow falls from one side to the other, in px: a message takes time to cross. */
const ARROW_DROP_PX = 10;
/** Space above a row's label and below its arrow, in px. */
const ROW_GAP_PX = 12;
/** An idle note's box: padding inside it, in px. */
const NOTE_PADDING_PX = 6;
/** Room under the last row before the lifelines end, in px. */
const TAIL_PX = 18;

const SIDE_COLOUR: Readonly<Record<Side, string>> = { client: COLOURS.client, server: COLOURS.server };

/** What a step says, line by line. */
function labelLines(step: ConversationStep): string[] {
  if (step.kind === 'idle') return [`idle, kept open (Keep-Alive: ${step.keepAlive})`];
  if (step.kind === 'end') return step.from === 'client' ? ['FIN: the client sends no more'] : ['FIN: the server closes after its answers'];
  if (step.kind === 'body') return [`the body, ${step.bodyBytes} bytes`];
  const body = step.bodyBytes === undefined ? '(the body waits)' : step.bodyBytes === 0 ? '' : `+ ${step.bodyBytes}-byte body`;
  return body === '' ? [...step.lines] : [...step.lines, body];
}

function rowHeight(step: ConversationStep): number {
  const lines = labelLines(step).length * LABEL_SIZE_PX * LINE_HEIGHT;
  return step.kind === 'idle' ? lines + 2 * NOTE_PADDING_PX + 2 * ROW_GAP_PX : lines + ARROW_DROP_PX + 2 * ROW_GAP_PX;
}

interface Lanes {
  readonly client: number;
  readonly server: number;
}

/** A message's arrow with its label above it; `top` is the row's top. */
function drawMessage(step: ConversationStep & { from: Side }, lanes: Lanes, top: number): string[] {
  const lines = labelLines(step);
  const colour = SIDE_COLOUR[step.from];
  const centre = (lanes.client + lanes.server) / 2;
  const drawn = lines.map((line, index) =>
    text({ x: centre, y: top + ROW_GAP_PX + (index + 1) * LABEL_SIZE_PX * LINE_HEIGHT - 4 }, line, { sizePx: LABEL_SIZE_PX, family: 'mono', anchor: 'middle' }),
  );
  const arrowTop = top + ROW_GAP_PX + lines.length * LABEL_SIZE_PX * LINE_HEIGHT;
  const start = { x: step.from === 'client' ? lanes.client : lanes.server, y: arrowTop };
  const end = { x: step.from === 'client' ? lanes.server : lanes.client, y: arrowTop + ARROW_DROP_PX };
  drawn.push(path([start, end], { stroke: colour, dashed: step.kind === 'end', widthPx: 2 }), arrowHead(start, end, colour));
  return drawn;
}

function drawIdle(step: ConversationStep, lanes: Lanes, top: number): string[] {
  const [line = ''] = labelLines(step);
  const width = textWidth(line, LABEL_SIZE_PX, 'sans') + 2 * NOTE_PADDING_PX;
  const height = LABEL_SIZE_PX * LINE_HEIGHT + 2 * NOTE_PADDING_PX;
  const centre = (lanes.client + lanes.server) / 2;
  return [
    rect(centre - width / 2, top + ROW_GAP_PX, width, height, { fill: COLOURS.lateFill, stroke: COLOURS.late, radiusPx: 4, dashed: true }),
    text({ x: centre, y: top + ROW_GAP_PX + NOTE_PADDING_PX + LABEL_SIZE_PX }, line, { sizePx: LABEL_SIZE_PX, family: 'sans', anchor: 'middle' }),
  ];
}

/** A bracket left of the client's line over the rows that one write carried. */
function drawWriteBracket(lanes: Lanes, top: number, bottom: number): string[] {
  const x = lanes.client - 10;
  const corners: Point[] = [{ x: x + 6, y: top }, { x, y: top }, { x, y: bottom }, { x: x + 6, y: bottom }];
  return [
    `<polyline points="${corners.map((corner) => `${px(corner.x)},${px(corner.y)}`).join(' ')}" fill="none" stroke="${COLOURS.client}" stroke-width="1.5"/>`,
    text({ x: x - 6, y: (top + bottom) / 2 - 2 }, 'one', { sizePx: SUBTITLE_SIZE_PX, family: 'sans', anchor: 'end', fill: COLOURS.client }),
    text({ x: x - 6, y: (top + bottom) / 2 + SUBTITLE_SIZE_PX }, 'write', { sizePx: SUBTITLE_SIZE_PX, family: 'sans', anchor: 'end', fill: COLOURS.client }),
  ];
}

function drawHeader(x: number, name: string, subtitle: string, side: Side): string[] {
  const fill = side === 'client' ? COLOURS.clientFill : COLOURS.serverFill;
  return [
    rect(x - HEADER_WIDTH_PX / 2, MARGIN_PX, HEADER_WIDTH_PX, HEADER_HEIGHT_PX, { fill, stroke: SIDE_COLOUR[side], radiusPx: 6 }),
    text({ x, y: MARGIN_PX + NAME_SIZE_PX + 6 }, name, { sizePx: NAME_SIZE_PX, family: 'sans', anchor: 'middle', bold: true }),
    text({ x, y: MARGIN_PX + NAME_SIZE_PX + 8 + SUBTITLE_SIZE_PX * LINE_HEIGHT }, subtitle, { sizePx: SUBTITLE_SIZE_PX, family: 'sans', anchor: 'middle', fill: COLOURS.muted }),
  ];
}

/** The steps in words, for the alt text and the SVG's description. */
function describe(steps: readonly ConversationStep[]): string {
  const said = steps.map((step) => {
    if (step.kind === 'idle') return `The connection waits, open (Keep-Alive: ${step.keepAlive}).`;
    return `${step.from === 'client' ? 'Client' : 'Server'}: ${labelLines(step).join(', ')}.`;
  });
  return `Sequence diagram of a conversation captured from both servers, which wrote the same bytes. The client opens a connection. ${said.join(' ')}`;
}

/** Whether one write of the client's carried more than one step: it gets a bracket. */
function hasSharedWrite(steps: readonly ConversationStep[]): boolean {
  const writes = steps.flatMap((step) => ((step.kind === 'message' || step.kind === 'body') && step.from === 'client' ? [step.write] : []));
  return new Set(writes).size < writes.length;
}

/** The widest label sets the gap between the two lines; a bracket needs room on the left. */
function lanesFor(steps: readonly ConversationStep[]): Lanes {
  const widest = Math.max(HEADER_WIDTH_PX, ...steps.flatMap((step) => labelLines(step).map((line) => textWidth(line, LABEL_SIZE_PX, step.kind === 'idle' ? 'sans' : 'mono'))));
  const client = MARGIN_PX + (hasSharedWrite(steps) ? LEFT_GUTTER_PX : 0) + HEADER_WIDTH_PX / 2;
  return { client, server: client + widest + 2 * LABEL_SIDE_GAP_PX };
}

export function sequencePicture(title: string, steps: readonly ConversationStep[]): Picture {
  const lanes = lanesFor(steps);
  const parts: string[] = [];
  let y = MARGIN_PX + HEADER_HEIGHT_PX;
  const writeRows = new Map<number, { top: number; bottom: number; count: number }>();
  for (const step of steps) {
    const height = rowHeight(step);
    if (step.kind === 'idle') parts.push(...drawIdle(step, lanes, y));
    else parts.push(...drawMessage(step, lanes, y));
    if ((step.kind === 'message' || step.kind === 'body') && step.from === 'client') {
      const rows = writeRows.get(step.write);
      const arrowY = y + height - ROW_GAP_PX;
      writeRows.set(step.write, { top: rows?.top ?? y + ROW_GAP_PX, bottom: arrowY, count: (rows?.count ?? 0) + 1 });
    }
    y += height;
  }
  for (const rows of writeRows.values()) if (rows.count > 1) parts.push(...drawWriteBracket(lanes, rows.top, rows.bottom));
  const bottom = y + TAIL_PX;
  const lifelines = (['client', 'server'] as const).map((side) =>
    path([{ x: lanes[side], y: MARGIN_PX + HEADER_HEIGHT_PX }, { x: lanes[side], y: bottom }], { stroke: COLOURS.frame, widthPx: 2 }),
  );
  const headers = [
    ...drawHeader(lanes.client, 'client', 'curl, Claude Code, a test', 'client'),
    ...drawHeader(lanes.server, 'server', 'node:http or node:net: same bytes', 'server'),
  ];
  const description = describe(steps);
  const width = lanes.server + HEADER_WIDTH_PX / 2 + MARGIN_PX;
  return { title, description, svg: svgDocument({ width, height: bottom + MARGIN_PX, title, description }, [...lifelines, ...headers, ...parts]) };
}
