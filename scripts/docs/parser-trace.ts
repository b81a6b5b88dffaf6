/**
 * The request parser drawn for a reader: the grammar's parts (the request
 * line, the header fields, a body counted by Content-Length, a chunked body)
 * as boxes, and the bytes that move the parser from one to the next. Drawn
 * from a real trace: the net server's parser is fed, one byte at a time, the
 * recorded curl hook and then the chunked hook of the wire scenario
 * chunked-body, on one connection, and after each byte says which state will
 * read the next (RequestParser.stateName). Each state is put in its part by
 * the parser map read from the source (parser-map.ts), so a state renamed or
 * moved changes the picture or stops the drawing, never leaves it stale.
 */
import { MAX_CHUNK_EXTENSIONS_BYTES, MAX_HEADER_SIZE_BYTES, MAX_HEADERS_COUNT } from '@hook-observatory/core';
import { RequestParser } from '@hook-observatory/net-server/request-parser';
import dagre, { type EdgeLabel, type NodeLabel } from '@dagrejs/dagre';
import type { Picture } from './parser-diagram.js';
import { groupName, type StateGroup } from './parser-map.js';
import {
  arrowHead,
  BOX_PADDING_PX,
  COLOURS,
  LABEL_PADDING_PX,
  LABEL_SIZE_PX,
  LINE_HEIGHT,
  NAME_SIZE_PX,
  path,
  rect,
  svgDocument,
  text,
  textWidth,
} from './svg.js';

/** The parts a reader meets, each made of some of the parser's groups (by name) or states. */
const PARTS = [
  { name: 'request line', groups: ['request line', 'target'], states: [] },
  { name: 'header fields', groups: ['header field', 'header value', 'special value'], states: [] },
  { name: 'body by Content-Length', groups: [], states: ['BodyLength'] },
  { name: 'chunked body', groups: ['chunk extensions'], states: ['ChunkSizeFirst', 'ChunkSize', 'ChunkSizeLf', 'ChunkData', 'ChunkDataCr', 'ChunkDataLf'] },
] as const;
type PartName = (typeof PARTS)[number]['name'];
/** Where a complete request takes the parser: the message group, which reads no byte of its own. */
const DONE = 'request complete';
type Place = PartName | typeof DONE;

/** A run of bytes read in one part, in the order read. */
export interface Run {
  readonly part: PartName;
  readonly bytes: Buffer;
  /** The request was complete after the run's last byte. */
  readonly completes: boolean;
}

/** Each state's part, from the parser map; a state of a group no part names has none. */
function partsByState(groups: readonly StateGroup[]): Map<string, PartName> {
  const byState = new Map<string, PartName>();
  for (const part of PARTS) {
    for (const group of groups) {
      if ((part.groups as readonly string[]).includes(groupName(group.step))) for (const state of group.states) byState.set(state.name, part.name);
    }
    for (const state of part.states) {
      if (!groups.some((group) => group.states.some((known) => known.name === state))) throw new Error(`parser trace: no state ${state} in the parser's map`);
      byState.set(state, part.name);
    }
  }
  return byState;
}

/** `requests`, fed to one parser a byte at a time, cut into runs by the part that read each byte. */
export function traceRequests(requests: readonly Buffer[], groups: readonly StateGroup[]): Run[] {
  const partOf = partsByState(groups);
  const all = Buffer.concat(requests);
  const parser = new RequestParser({
    maxHeaderBytes: MAX_HEADER_SIZE_BYTES,
    maxChunkExtensionBytes: MAX_CHUNK_EXTENSIONS_BYTES,
    maxHeadersCount: MAX_HEADERS_COUNT,
    // No body here is refused: the whole trace is the largest it could be.
    maxBodyBytes: all.length,
  });
  const runs: Array<{ part: PartName; bytes: number[]; completes: boolean }> = [];
  for (const byte of all) {
    const part = partOf.get(parser.stateName);
    if (part === undefined) throw new Error(`parser trace: state ${parser.stateName} reads a byte and is in no part`);
    const last = runs.at(-1);
    if (last === undefined || last.part !== part || last.completes) runs.push({ part, bytes: [byte], completes: false });
    else last.bytes.push(byte);
    const outputs = parser.execute(Buffer.of(byte));
    const failed = outputs.find((output) => output.kind === 'error');
    if (failed !== undefined) throw new Error(`parser trace: the parser refused the recorded bytes: ${JSON.stringify(failed)}`);
    if (outputs.some((output) => output.kind === 'request')) runs.at(-1)!.completes = true;
  }
  if (parser.messagesCompleted !== requests.length) throw new Error(`parser trace: ${parser.messagesCompleted} of ${requests.length} requests completed`);
  return runs.map((run) => ({ part: run.part, bytes: Buffer.from(run.bytes), completes: run.completes }));
}

/** A run's bytes, in px. */
const BYTES_SIZE_PX = 11;
/** dagre's spacing, in px: between boxes on one rank, between ranks, between arrows, around it all. */
const SPACING_PX = { nodesep: 40, ranksep: 50, edgesep: 20, marginx: 20, marginy: 20 } as const;
/** A run's bytes are shown up to this many characters, then elided in the middle. */
const SHOWN_CHARACTERS = 44;
/** An arrow is labelled with the last bytes read before the move, this many at most. */
const MOVE_BYTES = 4;

/** Bytes as text, CR and LF spelled out. */
const spelled = (bytes: Buffer): string => bytes.toString('latin1').replaceAll('\r', '\\r').replaceAll('\n', '\\n');
const elided = (shown: string): string =>
  shown.length <= SHOWN_CHARACTERS ? shown : `${shown.slice(0, SHOWN_CHARACTERS / 2 - 1)}…${shown.slice(-(SHOWN_CHARACTERS / 2))}`;

interface Move {
  readonly from: Place;
  readonly to: Place;
  /** What ended the run before the move, quoted bytes or a count (the first byte after it, from DONE), each once. */
  readonly after: string[];
}

/** Each move from one place to another, with the bytes read just before it, in trace order. */
function movesOf(runs: readonly Run[]): Move[] {
  const moves = new Map<string, Move>();
  const add = (from: Place, to: Place, after: string): void => {
    const key = `${from}\n${to}`;
    const move = moves.get(key) ?? { from, to, after: [] };
    if (!move.after.includes(after)) move.after.push(after);
    moves.set(key, move);
  };
  runs.forEach((run, index) => {
    // A body counted by Content-Length ends on no byte of its own, when the count is reached.
    const ending = run.part === 'body by Content-Length' ? `${run.bytes.length} bytes` : `"${spelled(run.bytes.subarray(-MOVE_BYTES))}"`;
    const next = runs[index + 1];
    if (run.completes) {
      add(run.part, DONE, ending);
      if (next !== undefined) add(DONE, next.part, `"${spelled(next.bytes.subarray(0, 1))}"`);
    } else if (next !== undefined) add(run.part, next.part, ending);
  });
  return [...moves.values()];
}

/** The lines of a place's box: its name, then each run read there. */
function boxLines(place: Place, runs: readonly Run[]): string[] {
  if (place === DONE) return ['reads no byte: the next one starts a request'];
  return runs.filter((run) => run.part === place).map((run) => `${elided(spelled(run.bytes))} (${run.bytes.length})`);
}

function boxSize(place: Place, lines: readonly string[]): { width: number; height: number } {
  const width = Math.max(textWidth(place, NAME_SIZE_PX, 'sans'), ...lines.map((line) => textWidth(line, BYTES_SIZE_PX, 'mono')));
  return { width: width + 2 * BOX_PADDING_PX, height: NAME_SIZE_PX * LINE_HEIGHT + lines.length * BYTES_SIZE_PX * LINE_HEIGHT + 2 * BOX_PADDING_PX };
}

function drawBox(place: Place, lines: readonly string[], centre: NodeLabel): string[] {
  const x = (centre.x ?? 0) - centre.width / 2;
  const y = (centre.y ?? 0) - centre.height / 2;
  const nameBaseline = y + BOX_PADDING_PX + NAME_SIZE_PX;
  const done = place === DONE;
  return [
    rect(x, y, centre.width, centre.height, { fill: done ? COLOURS.boxFill : COLOURS.serverFill, stroke: done ? COLOURS.muted : COLOURS.server, radiusPx: 6 }),
    text({ x: centre.x ?? 0, y: nameBaseline }, place, { sizePx: NAME_SIZE_PX, family: 'sans', anchor: 'middle', bold: true }),
    ...lines.map((line, index) =>
      text({ x: x + BOX_PADDING_PX, y: nameBaseline + (index + 1) * BYTES_SIZE_PX * LINE_HEIGHT + 2 }, line, { sizePx: BYTES_SIZE_PX, family: 'mono', fill: COLOURS.muted }),
    ),
  ];
}

const moveLabel = (move: Move): string => `${move.from === DONE ? 'next byte' : 'after'} ${move.after.join(' or ')}`;

function drawMove(move: Move, label: EdgeLabel): string[] {
  const points = label.points ?? [];
  const [last, beforeLast] = [points.at(-1), points.at(-2)];
  const drawn = [path(points, { stroke: COLOURS.text })];
  if (last !== undefined && beforeLast !== undefined) drawn.push(arrowHead(beforeLast, last, COLOURS.text));
  const width = label.width ?? 0;
  const top = (label.y ?? 0) - (label.height ?? 0) / 2;
  drawn.push(rect((label.x ?? 0) - width / 2 - LABEL_PADDING_PX, top, width + 2 * LABEL_PADDING_PX, label.height ?? 0, { fill: COLOURS.background, stroke: 'none', radiusPx: 3 }));
  drawn.push(text({ x: label.x ?? 0, y: top + LABEL_SIZE_PX * LINE_HEIGHT - 3 }, moveLabel(move), { sizePx: LABEL_SIZE_PX, family: 'mono', anchor: 'middle', fill: COLOURS.client }));
  return drawn;
}

/** What the picture shows, in words. */
function describe(runs: readonly Run[], moves: readonly Move[]): string {
  const parts = PARTS.map((part) => {
    const read = runs.filter((run) => run.part === part.name).reduce((sum, run) => sum + run.bytes.length, 0);
    return `${part.name}: ${read} bytes`;
  });
  const steps = moves.map((move) => `from ${move.from} to ${move.to} ${moveLabel(move)}`);
  return (
    `Two recorded hooks, one with Content-Length and one chunked, fed on one connection to the net server's parser a byte at a time. ` +
    `Each box is a part of the grammar and lists the bytes read in it, with their count; each arrow is a move, labelled with the bytes read just before it. ` +
    `A chunked body ends in the header fields: after the last chunk, 0, comes a trailer section, here only its empty line. ` +
    `Bytes read in each part: ${parts.join('; ')}. The parser moves ${steps.join('; ')}.`
  );
}

export function parserTracePicture(requests: readonly Buffer[], groups: readonly StateGroup[]): Picture {
  const runs = traceRequests(requests, groups);
  const moves = movesOf(runs);
  const places = ([...PARTS.map((part) => part.name), DONE] as Place[]).filter((place) => moves.some((move) => move.from === place || move.to === place));
  const graph = new dagre.graphlib.Graph<object, NodeLabel, EdgeLabel>();
  graph.setGraph({ rankdir: 'TB', ...SPACING_PX });
  for (const place of places) graph.setNode(place, boxSize(place, boxLines(place, runs)));
  for (const move of moves) {
    graph.setEdge(move.from, move.to, { width: textWidth(moveLabel(move), LABEL_SIZE_PX, 'mono'), height: LABEL_SIZE_PX * LINE_HEIGHT, labelpos: 'c' });
  }
  dagre.layout(graph);
  const layout = graph.graph() as { width: number; height: number };
  const parts = [
    ...moves.flatMap((move) => drawMove(move, graph.edge(move.from, move.to))),
    ...places.flatMap((place) => drawBox(place, boxLines(place, runs), graph.node(place))),
  ];
  const title = 'The parser reading two requests: which part of the grammar reads each byte';
  const description = describe(runs, moves);
  return { title, description, svg: svgDocument({ width: layout.width, height: layout.height, title, description }, parts) };
}
