/**
 * The parser's groups of states as a picture, from the map read out of its
 * source (parser-map.ts): a box per group with its stepping function, file
 * and number of states, and an arrow per pair of groups one leads to, labelled
 * with the states it enters. dagre lays the graph out; this file draws it.
 */
import { basename } from 'node:path';
import dagre, { type EdgeLabel, type NodeLabel } from '@dagrejs/dagre';
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
  type Point,
} from './svg.js';

/** The line under a group's name, in px. */
const DETAIL_SIZE_PX = 11;
/** dagre's spacing, in px: between boxes on one rank, between ranks, between arrows, around it all. */
const SPACING_PX = { nodesep: 36, ranksep: 44, edgesep: 16, marginx: 20, marginy: 20 } as const;
/** An arrow's label wraps after this many characters (a state name is never cut). */
const LABEL_WRAP_CHARACTERS = 26;
/** Room for the legend under the graph, in px. */
const LEGEND_HEIGHT_PX = 34;

export interface Picture {
  readonly title: string;
  readonly description: string;
  readonly svg: string;
}

/** An arrow between two groups: the states of `to` that `from` enters. */
interface GroupEdge {
  readonly from: StateGroup;
  readonly to: StateGroup;
  readonly states: readonly string[];
  /** It leads back to a group of lower numbers: the machine loops. */
  readonly back: boolean;
}

function groupEdges(groups: readonly StateGroup[]): GroupEdge[] {
  const owner = new Map(groups.flatMap((group) => group.states.map((state) => [state.name, group] as const)));
  const firstNumber = (group: StateGroup): number => group.states[0]?.number ?? 0;
  return groups.flatMap((from) => {
    const byTarget = new Map<StateGroup, string[]>();
    for (const exit of from.exits) {
      const to = owner.get(exit);
      if (to !== undefined) byTarget.set(to, [...(byTarget.get(to) ?? []), exit]);
    }
    return [...byTarget].map(([to, states]) => ({ from, to, states, back: firstNumber(to) < firstNumber(from) }));
  });
}

/** `states` in lines of at most LABEL_WRAP_CHARACTERS, comma-separated. */
function wrapStates(states: readonly string[]): string[] {
  const lines: string[] = [];
  for (const state of states) {
    const last = lines.at(-1);
    if (last !== undefined && `${last}, ${state}`.length <= LABEL_WRAP_CHARACTERS) lines[lines.length - 1] = `${last}, ${state}`;
    else lines.push(state);
  }
  return lines;
}

const stateCount = (group: StateGroup): string => `${group.states.length} ${group.states.length === 1 ? 'state' : 'states'}`;
const detailLine = (group: StateGroup): string => `${group.step} · ${basename(group.file)} · ${stateCount(group)}`;

function boxSize(group: StateGroup): { width: number; height: number } {
  const width = Math.max(textWidth(groupName(group.step), NAME_SIZE_PX, 'sans'), textWidth(detailLine(group), DETAIL_SIZE_PX, 'mono'));
  const height = NAME_SIZE_PX * LINE_HEIGHT + DETAIL_SIZE_PX * LINE_HEIGHT;
  return { width: width + 2 * BOX_PADDING_PX, height: height + 2 * BOX_PADDING_PX };
}

function labelSize(lines: readonly string[]): { width: number; height: number } {
  return {
    width: Math.max(...lines.map((line) => textWidth(line, LABEL_SIZE_PX, 'mono'))),
    height: lines.length * LABEL_SIZE_PX * LINE_HEIGHT,
  };
}

function drawBox(group: StateGroup, centre: NodeLabel): string[] {
  const x = (centre.x ?? 0) - centre.width / 2;
  const y = (centre.y ?? 0) - centre.height / 2;
  const nameBaseline = y + BOX_PADDING_PX + NAME_SIZE_PX;
  return [
    rect(x, y, centre.width, centre.height, { fill: COLOURS.serverFill, stroke: COLOURS.server, radiusPx: 6 }),
    text({ x: centre.x ?? 0, y: nameBaseline }, groupName(group.step), { sizePx: NAME_SIZE_PX, family: 'sans', anchor: 'middle', bold: true }),
    text({ x: centre.x ?? 0, y: nameBaseline + DETAIL_SIZE_PX * LINE_HEIGHT + 2 }, detailLine(group), {
      sizePx: DETAIL_SIZE_PX,
      family: 'mono',
      anchor: 'middle',
      fill: COLOURS.muted,
    }),
  ];
}

function drawEdge(edge: GroupEdge, label: EdgeLabel): string[] {
  const points = label.points ?? [];
  const colour = edge.back ? COLOURS.back : COLOURS.text;
  const last = points.at(-1);
  const beforeLast = points.at(-2);
  const lines = wrapStates(edge.states);
  const top = (label.y ?? 0) - ((label.height ?? 0) / 2);
  const drawn = [path(points, { stroke: colour, dashed: edge.back })];
  if (last !== undefined && beforeLast !== undefined) drawn.push(arrowHead(beforeLast, last, colour));
  // The line runs through its label's place: a patch of background keeps the label readable.
  const width = label.width ?? 0;
  drawn.push(rect((label.x ?? 0) - width / 2 - LABEL_PADDING_PX, top, width + 2 * LABEL_PADDING_PX, label.height ?? 0, { fill: COLOURS.background, stroke: 'none', radiusPx: 3 }));
  lines.forEach((line, index) => {
    drawn.push(text({ x: label.x ?? 0, y: top + (index + 1) * LABEL_SIZE_PX * LINE_HEIGHT - 3 }, line, { sizePx: LABEL_SIZE_PX, family: 'mono', anchor: 'middle', fill: colour }));
  });
  return drawn;
}

function drawLegend(at: Point): string[] {
  const forward = 'to a later group';
  const back = 'back to an earlier group: a loop';
  const gap = 40;
  const backX = at.x + 30 + textWidth(forward, LABEL_SIZE_PX, 'sans') + gap;
  return [
    path([at, { x: at.x + 24, y: at.y }], { stroke: COLOURS.text }),
    arrowHead(at, { x: at.x + 24, y: at.y }, COLOURS.text),
    text({ x: at.x + 30, y: at.y + 4 }, forward, { sizePx: LABEL_SIZE_PX, family: 'sans' }),
    path([{ x: backX, y: at.y }, { x: backX + 24, y: at.y }], { stroke: COLOURS.back, dashed: true }),
    arrowHead({ x: backX, y: at.y }, { x: backX + 24, y: at.y }, COLOURS.back),
    text({ x: backX + 30, y: at.y + 4 }, back, { sizePx: LABEL_SIZE_PX, family: 'sans', fill: COLOURS.back }),
  ];
}

/** What the picture shows, in words: each group and where it leads. */
function describe(groups: readonly StateGroup[], edges: readonly GroupEdge[]): string {
  const sentences = groups.map((group) => {
    const out = edges.filter((edge) => edge.from === group).map((edge) => `${groupName(edge.to.step)} (${edge.states.join(', ')})`);
    return `The ${groupName(group.step)} group (${stateCount(group)}) leads to ${out.join('; ')}.`;
  });
  return `The request parser's ${groups.length} groups of states, and by which states one leads to another. ${sentences.join(' ')}`;
}

export function parserGroupsPicture(groups: readonly StateGroup[]): Picture {
  const edges = groupEdges(groups);
  const graph = new dagre.graphlib.Graph<object, NodeLabel, EdgeLabel>();
  graph.setGraph({ rankdir: 'TB', ...SPACING_PX });
  for (const group of groups) graph.setNode(group.step, boxSize(group));
  for (const edge of edges) graph.setEdge(edge.from.step, edge.to.step, { ...labelSize(wrapStates(edge.states)), labelpos: 'c' });
  dagre.layout(graph);
  const layout = graph.graph() as { width: number; height: number };
  const parts = [
    ...edges.flatMap((edge) => drawEdge(edge, graph.edge(edge.from.step, edge.to.step))),
    ...groups.flatMap((group) => drawBox(group, graph.node(group.step))),
    ...drawLegend({ x: SPACING_PX.marginx, y: layout.height + LEGEND_HEIGHT_PX / 2 - 4 }),
  ];
  const title = 'The request parser: its groups of states';
  const description = describe(groups, edges);
  return { title, description, svg: svgDocument({ width: layout.width, height: layout.height + LEGEND_HEIGHT_PX, title, description }, parts) };
}
