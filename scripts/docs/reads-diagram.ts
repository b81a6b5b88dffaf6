/**
 * TCP cutting a request into reads, as a picture: the pieces one client of
 * the conformance case split-curl-request-eight-ways writes, 15 ms apart
 * (SPLIT_PAUSE_MS), each of which a server's 'data' handler gets as one read.
 * Drawn from the case itself, so that it shows what the grader really sends.
 */
import { SPLIT_CASES } from '@hook-observatory/conformance/cases/splits';
import type { Picture } from './parser-diagram.js';
import { COLOURS, rect, svgDocument, text, textWidth } from './svg.js';

const CASE_NAME = 'split-curl-request-eight-ways';
/** Text sizes, in px. */
const BYTES_SIZE_PX = 12;
const LABEL_SIZE_PX = 13;
/** One read's row, in px. */
const ROW_PX = 26;
const MARGIN_PX = 20;
/** Columns, in px: the read's name, its length, its bytes. */
const NAME_COLUMN_PX = 60;
const LENGTH_COLUMN_PX = 84;
/** A read's bytes are shown up to this many characters, then elided. */
const SHOWN_CHARACTERS = 72;

/** The bytes as text, CR and LF spelled out. */
const shown = (bytes: Buffer): string => bytes.toString('latin1').replaceAll('\r', '\\r').replaceAll('\n', '\\n');

export function requestReadsPicture(): Picture {
  const client = SPLIT_CASES.find((testCase) => testCase.name === CASE_NAME)?.clients[0];
  if (client === undefined) throw new Error(`reads picture: no case ${CASE_NAME}`);
  const pieces = client.steps.flatMap((step) => ('send' in step ? [step.send] : []));
  const rows = pieces.map((piece) => {
    const all = shown(piece);
    return { length: piece.length, bytes: all.length > SHOWN_CHARACTERS ? `${all.slice(0, SHOWN_CHARACTERS - 1)}…` : all };
  });
  const bytesX = MARGIN_PX + NAME_COLUMN_PX + LENGTH_COLUMN_PX;
  const width = bytesX + Math.max(...rows.map((row) => textWidth(row.bytes, BYTES_SIZE_PX, 'mono'))) + 8 + MARGIN_PX;
  const drawn = rows.flatMap((row, index) => {
    const top = MARGIN_PX + index * ROW_PX;
    const baseline = top + ROW_PX / 2 + BYTES_SIZE_PX / 3;
    return [
      rect(bytesX - 4, top + 2, textWidth(row.bytes, BYTES_SIZE_PX, 'mono') + 8, ROW_PX - 4, {
        fill: index % 2 === 0 ? COLOURS.clientFill : COLOURS.boxFill,
        stroke: COLOURS.client,
        radiusPx: 3,
      }),
      text({ x: MARGIN_PX, y: baseline }, `read ${index + 1}`, { sizePx: LABEL_SIZE_PX, family: 'sans', bold: true }),
      text({ x: MARGIN_PX + NAME_COLUMN_PX, y: baseline }, `${row.length} bytes`, { sizePx: LABEL_SIZE_PX, family: 'sans', fill: COLOURS.muted }),
      text({ x: bytesX, y: baseline }, row.bytes, { sizePx: BYTES_SIZE_PX, family: 'mono' }),
    ];
  });
  const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const height = MARGIN_PX * 2 + rows.length * ROW_PX;
  const title = 'One request, many reads';
  const description =
    `A hook of ${total} bytes as the grader's case ${CASE_NAME} writes it, in ${pieces.length} pieces 15 ms apart: ` +
    `a server reads each piece on its own, and the cuts fall anywhere, inside a line or a word. ` +
    rows.map((row, index) => `Read ${index + 1}: ${row.length} bytes.`).join(' ');
  return { title, description, svg: svgDocument({ width, height, title, description }, drawn) };
}
