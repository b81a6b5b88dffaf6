/**
 * The servers' timers on two time lines, drawn from the named constants in
 * packages/core, so that changing a constant changes the picture (and the
 * picture's test fails until docs:sync draws it again). The long timers of a
 * request under way and the sweep that checks them share one scale; the
 * short ones (an idle connection, the live stream, a refused body, a
 * shutdown) another, as on one scale the short ones would be a few pixels.
 */
import {
  CONNECTIONS_CHECKING_INTERVAL_MS,
  HEADERS_TIMEOUT_MS,
  HEARTBEAT_MS,
  KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  REFUSED_BODY_LINGER_MS,
  REQUEST_TIMEOUT_MS,
  RETRY_MS,
  SHUTDOWN_GRACE_MS,
} from '@hook-observatory/core';
import type { Picture } from './parser-diagram.js';
import { COLOURS, path, rect, svgDocument, text, textWidth } from './svg.js';

/** A span of one timer: the wait itself, the time it may fire late, or an extra margin. */
interface Bar {
  readonly fromMs: number;
  readonly toMs: number;
  readonly caption: string;
  readonly kind: 'wait' | 'late';
}

/** One timer: where its zero is, the constants it is drawn from, its spans and its repeated marks. */
interface Lane {
  readonly name: string;
  readonly zero: string;
  readonly constants: readonly string[];
  readonly bars: readonly Bar[];
  /** A mark every `everyMs`, captioned, for a timer that repeats. */
  readonly every?: { readonly everyMs: number; readonly caption: string };
  /** What happens when it runs out. */
  readonly outcome?: string;
}

interface Panel {
  readonly title: string;
  readonly lanes: readonly Lane[];
  /** The end of the scale, in ms: the longest lane, rounded up to a tick. */
  readonly spanMs: number;
}

/** The durations drawn, in ms. */
export interface TimerSettings {
  readonly keepAliveTimeoutMs: number;
  readonly keepAliveBufferMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly checkingIntervalMs: number;
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly refusedBodyLingerMs: number;
  readonly shutdownGraceMs: number;
}

/** What the servers run with: the named constants of packages/core. */
export const DEFAULT_TIMER_SETTINGS: TimerSettings = {
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
  keepAliveBufferMs: KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  checkingIntervalMs: CONNECTIONS_CHECKING_INTERVAL_MS,
  heartbeatMs: HEARTBEAT_MS,
  retryMs: RETRY_MS,
  refusedBodyLingerMs: REFUSED_BODY_LINGER_MS,
  shutdownGraceMs: SHUTDOWN_GRACE_MS,
};

const MS_PER_SECOND = 1_000;
/** Beats of the live stream drawn, so the repeat shows. */
const HEARTBEATS_SHOWN = 3;
/** Ticks are a whole number of one of these, in seconds, and at most MAX_TICKS of them fit a scale. */
const TICK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300] as const;
const MAX_TICKS = 12;

/** Text sizes, in px. */
const TITLE_SIZE_PX = 14;
const NAME_SIZE_PX = 13;
const SMALL_SIZE_PX = 11;
/** Layout, in px: margins, the column of names, the scale's width, a lane's height and its bar's. */
const MARGIN_PX = 18;
const NAME_COLUMN_PX = 250;
const SCALE_WIDTH_PX = 600;
const LANE_MIN_HEIGHT_PX = 58;
/** Baseline to baseline in the column of names, per px of font size. */
const LINE_HEIGHT = 1.4;
const BAR_HEIGHT_PX = 12;
const PANEL_TITLE_PX = 30;
const AXIS_HEIGHT_PX = 26;
const PANEL_GAP_PX = 22;
/** Height of a repeated mark above the lane's line, in px. */
const MARK_HEIGHT_PX = 12;

const seconds = (ms: number): string => `${ms / MS_PER_SECOND} s`;

/** The timers of a request under way, each checked by the sweep. */
function requestLanes(timers: TimerSettings): Lane[] {
  const interval = timers.checkingIntervalMs;
  return [
    {
      name: 'sweep',
      zero: 'runs from the server’s start',
      constants: [`CONNECTIONS_CHECKING_INTERVAL_MS = ${seconds(interval)}`],
      bars: [],
      every: { everyMs: interval, caption: 'check every connection' },
    },
    {
      name: 'headers timeout',
      zero: 'from the request’s first byte',
      constants: [`HEADERS_TIMEOUT_MS = ${seconds(timers.headersTimeoutMs)}`],
      bars: [
        { fromMs: 0, toMs: timers.headersTimeoutMs, caption: `the head must be complete: ${seconds(timers.headersTimeoutMs)}`, kind: 'wait' },
        { fromMs: timers.headersTimeoutMs, toMs: timers.headersTimeoutMs + interval, caption: `408 at the next sweep, up to ${seconds(interval)} late`, kind: 'late' },
      ],
    },
    {
      name: 'request timeout',
      zero: 'from the request’s first byte',
      constants: [`REQUEST_TIMEOUT_MS = ${seconds(timers.requestTimeoutMs)}`],
      bars: [
        { fromMs: 0, toMs: timers.requestTimeoutMs, caption: `the whole request must be in: ${seconds(timers.requestTimeoutMs)}`, kind: 'wait' },
        { fromMs: timers.requestTimeoutMs, toMs: timers.requestTimeoutMs + interval, caption: '408 at the next sweep', kind: 'late' },
      ],
    },
  ];
}

/** The short timers, each from its own zero. */
function shortLanes(timers: TimerSettings): Lane[] {
  const keepAlive = timers.keepAliveTimeoutMs;
  return [
    {
      name: 'keep-alive',
      zero: 'from the last answer',
      constants: [`KEEP_ALIVE_TIMEOUT_MS = ${seconds(keepAlive)}`, `KEEP_ALIVE_TIMEOUT_BUFFER_MS = ${seconds(timers.keepAliveBufferMs)}`],
      bars: [
        { fromMs: 0, toMs: keepAlive, caption: `announced: Keep-Alive: timeout=${keepAlive / MS_PER_SECOND}`, kind: 'wait' },
        { fromMs: keepAlive, toMs: keepAlive + timers.keepAliveBufferMs, caption: `+${seconds(timers.keepAliveBufferMs)} margin, then closed without a word`, kind: 'late' },
      ],
    },
    {
      name: 'heartbeat',
      zero: 'from a viewer’s connecting',
      constants: [`HEARTBEAT_MS = ${seconds(timers.heartbeatMs)}`],
      bars: [],
      every: { everyMs: timers.heartbeatMs, caption: 'a “:” comment line' },
    },
    {
      name: 'reconnect',
      zero: 'from the stream’s end',
      constants: [`RETRY_MS = ${seconds(timers.retryMs)}`],
      bars: [{ fromMs: 0, toMs: timers.retryMs, caption: 'the browser waits, then reconnects', kind: 'wait' }],
    },
    {
      name: 'lingering close',
      zero: 'from a refused body’s answer',
      constants: [`REFUSED_BODY_LINGER_MS = ${seconds(timers.refusedBodyLingerMs)}`],
      bars: [{ fromMs: 0, toMs: timers.refusedBodyLingerMs, caption: 'read and drop the rest, then close', kind: 'wait' }],
    },
    {
      name: 'shutdown grace',
      zero: 'from SIGINT or SIGTERM',
      constants: [`SHUTDOWN_GRACE_MS = ${seconds(timers.shutdownGraceMs)}`],
      bars: [{ fromMs: 0, toMs: timers.shutdownGraceMs, caption: 'requests in flight finish, then all close', kind: 'wait' }],
    },
  ];
}

/** The two scales' timers, from the constants unless a test gives others. */
export function timerPanels(timers: TimerSettings = DEFAULT_TIMER_SETTINGS): Panel[] {
  return [
    panel('A request under way, and the sweep that checks it', requestLanes(timers), 0),
    panel('An idle connection, the live stream, a refused body, a shutdown', shortLanes(timers), timers.heartbeatMs * HEARTBEATS_SHOWN),
  ];
}

function panel(title: string, lanes: readonly Lane[], atLeastMs: number): Panel {
  const longest = Math.max(atLeastMs, ...lanes.flatMap((lane) => lane.bars.map((bar) => bar.toMs)), ...lanes.flatMap((lane) => (lane.every === undefined ? [] : [lane.every.everyMs])));
  const step = tickStepMs(longest);
  return { title, lanes, spanMs: Math.ceil(longest / step) * step };
}

function tickStepMs(spanMs: number): number {
  const fitting = TICK_STEPS_S.find((candidate) => spanMs / (candidate * MS_PER_SECOND) <= MAX_TICKS);
  return (fitting ?? Math.ceil(spanMs / MS_PER_SECOND / MAX_TICKS)) * MS_PER_SECOND;
}

/** A lane is as tall as its column of names: the name, where its zero is, a line per constant. */
function laneHeight(lane: Lane): number {
  const names = NAME_SIZE_PX + 4 + SMALL_SIZE_PX * LINE_HEIGHT * (lane.constants.length + 1);
  return Math.max(LANE_MIN_HEIGHT_PX, names + SMALL_SIZE_PX);
}

function lanesHeight(panel: Panel): number {
  return panel.lanes.reduce((sum, lane) => sum + laneHeight(lane), 0);
}

function panelHeight(panel: Panel): number {
  return PANEL_TITLE_PX + lanesHeight(panel) + AXIS_HEIGHT_PX;
}

/** x of a time on a panel's scale. */
function scaleX(panel: Panel, ms: number): number {
  return MARGIN_PX + NAME_COLUMN_PX + (ms / panel.spanMs) * SCALE_WIDTH_PX;
}

function drawLane(panel: Panel, lane: Lane, top: number): string[] {
  const barTop = top + LANE_MIN_HEIGHT_PX / 2 - BAR_HEIGHT_PX / 2;
  const drawn = [
    text({ x: MARGIN_PX, y: top + NAME_SIZE_PX + 4 }, lane.name, { sizePx: NAME_SIZE_PX, family: 'sans', bold: true }),
    text({ x: MARGIN_PX, y: top + NAME_SIZE_PX + 4 + SMALL_SIZE_PX * LINE_HEIGHT }, lane.zero, { sizePx: SMALL_SIZE_PX, family: 'sans', fill: COLOURS.muted }),
    ...lane.constants.map((constant, index) =>
      text({ x: MARGIN_PX, y: top + NAME_SIZE_PX + 4 + SMALL_SIZE_PX * LINE_HEIGHT * (index + 2) }, constant, { sizePx: SMALL_SIZE_PX - 1, family: 'mono', fill: COLOURS.muted }),
    ),
    path([{ x: scaleX(panel, 0), y: barTop + BAR_HEIGHT_PX / 2 }, { x: scaleX(panel, panel.spanMs), y: barTop + BAR_HEIGHT_PX / 2 }], { stroke: COLOURS.frame, widthPx: 1 }),
  ];
  lane.bars.forEach((bar) => {
    const x = scaleX(panel, bar.fromMs);
    const width = scaleX(panel, bar.toMs) - x;
    const late = bar.kind === 'late';
    drawn.push(rect(x, barTop, width, BAR_HEIGHT_PX, { fill: late ? COLOURS.lateFill : COLOURS.clientFill, stroke: late ? COLOURS.late : COLOURS.client, dashed: late }));
    // The wait's caption above its bar, a late span's below, so that neighbours never collide.
    const captionY = late ? barTop + BAR_HEIGHT_PX + SMALL_SIZE_PX + 3 : barTop - 4;
    drawn.push(text({ x, y: captionY }, bar.caption, { sizePx: SMALL_SIZE_PX, family: 'sans', fill: late ? COLOURS.late : COLOURS.text }));
  });
  if (lane.every !== undefined) {
    const lineY = barTop + BAR_HEIGHT_PX / 2;
    for (let at = lane.every.everyMs; at <= panel.spanMs; at += lane.every.everyMs) {
      const x = scaleX(panel, at);
      drawn.push(path([{ x, y: lineY - MARK_HEIGHT_PX / 2 }, { x, y: lineY + MARK_HEIGHT_PX / 2 }], { stroke: COLOURS.server, widthPx: 3 }));
    }
    const first = scaleX(panel, lane.every.everyMs);
    drawn.push(text({ x: first + 6, y: barTop - 4 }, `${lane.every.caption}, every ${seconds(lane.every.everyMs)}`, { sizePx: SMALL_SIZE_PX, family: 'sans', fill: COLOURS.server }));
  }
  return drawn;
}

function drawAxis(panel: Panel, y: number): string[] {
  const step = tickStepMs(panel.spanMs);
  const drawn = [path([{ x: scaleX(panel, 0), y }, { x: scaleX(panel, panel.spanMs), y }], { stroke: COLOURS.muted, widthPx: 1 })];
  for (let at = 0; at <= panel.spanMs; at += step) {
    const x = scaleX(panel, at);
    drawn.push(path([{ x, y }, { x, y: y + 4 }], { stroke: COLOURS.muted, widthPx: 1 }));
    drawn.push(text({ x, y: y + 4 + SMALL_SIZE_PX }, seconds(at), { sizePx: SMALL_SIZE_PX, family: 'sans', anchor: 'middle', fill: COLOURS.muted }));
  }
  return drawn;
}

function drawPanel(panel: Panel, top: number): string[] {
  const drawn = [text({ x: MARGIN_PX, y: top + TITLE_SIZE_PX + 4 }, panel.title, { sizePx: TITLE_SIZE_PX, family: 'sans', bold: true })];
  let laneTop = top + PANEL_TITLE_PX;
  for (const lane of panel.lanes) {
    drawn.push(...drawLane(panel, lane, laneTop));
    laneTop += laneHeight(lane);
  }
  drawn.push(...drawAxis(panel, laneTop + 4));
  return drawn;
}

function describe(panels: readonly Panel[]): string {
  const lanes = panels.flatMap((each) => each.lanes).map((lane) => {
    const spans = lane.bars.map((bar) => `${bar.caption} (${seconds(bar.fromMs)} to ${seconds(bar.toMs)})`);
    const repeat = lane.every === undefined ? [] : [`${lane.every.caption}, every ${seconds(lane.every.everyMs)}`];
    return `${lane.name}, ${lane.zero}: ${[...spans, ...repeat].join('; ')}.`;
  });
  return `The servers' timers on two time lines, drawn from the constants in packages/core. ${lanes.join(' ')}`;
}

export function timersPicture(timers: TimerSettings = DEFAULT_TIMER_SETTINGS): Picture {
  const panels = timerPanels(timers);
  const parts: string[] = [];
  let y = MARGIN_PX;
  for (const each of panels) {
    parts.push(...drawPanel(each, y));
    y += panelHeight(each) + PANEL_GAP_PX;
  }
  // A caption may run past the scale's end: the picture is as wide as its widest text.
  const captionEnds = panels.flatMap((each) => each.lanes.flatMap((lane) => lane.bars.map((bar) => scaleX(each, bar.fromMs) + textWidth(bar.caption, SMALL_SIZE_PX, 'sans'))));
  const width = Math.max(MARGIN_PX + NAME_COLUMN_PX + SCALE_WIDTH_PX, ...captionEnds) + 2 * MARGIN_PX;
  const title = 'The servers’ timers';
  const description = describe(panels);
  return { title, description, svg: svgDocument({ width, height: y - PANEL_GAP_PX + MARGIN_PX, title, description }, parts) };
}
