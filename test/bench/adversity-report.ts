/**
 * The adversity run's figures and its table (issue 25, "Measured, not asserted
 * in tests"): the probe's percentiles against the calm run, events lost and
 * torn, resident memory, and which of the issue's goals each cell misses.
 * Pure functions of the measurements: adversity-report.test.ts checks them on
 * made-up ones.
 */

/** Goal: under any attack the probe's p99 is at most this many times the calm p99... */
export const P99_CALM_RATIO_MAX = 3;
/** ...and under this many ms: a curl hook gives up after 1 s, and a hook normally takes under 25 ms. */
export const P99_MAX_MS = 50;
/** Goal: 500 viewers that never read add at most this much resident memory; fewer viewers, no more. */
export const VIEWERS_ADDED_MB_MAX = 100;
/**
 * Memory is "returned" when, 10 s after the viewers left, RSS is within this
 * much of before: V8 keeps some of a heap it grew, and the kernel some pages.
 */
export const RETURNED_SLACK_MB = 20;

export interface ProbeSummary {
  readonly sent: number;
  /** Refused, reset, timed out or not 2xx. */
  readonly failed: number;
  /** In ms; null when the percentile falls on a failed probe. */
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface Rss {
  /** MB after the warm-up, just before the attack. */
  readonly before: number;
  /** The most sampled from the attack's start to "after" (a server may grow while it works off an attack). */
  readonly during: number;
  /** After the attack stopped (for viewers, 10 s after they left). */
  readonly after: number;
}

export interface Cell {
  readonly attack: string;
  readonly server: string;
  /** Still running when the attack ended. */
  readonly alive: boolean;
  /** How it exited, when it did (e.g. "code 1"). */
  readonly exit: string | undefined;
  /** 2xx answers with no event in the output; undefined where the output cannot be read back (/dev/full). */
  readonly lost: number | undefined;
  /** Output lines that are not whole events; undefined where not counted (YAML, /dev/full). */
  readonly torn: number | undefined;
  readonly probe: ProbeSummary;
  readonly rss: Rss;
  /** Whether the attack's memory goals apply (the viewers attacks). */
  readonly judgeMemory: boolean;
  /** What the attack itself saw: readers cut, events without `_client`, connections held. */
  readonly note: string;
}

/**
 * The `fraction` percentile (nearest rank) of the latencies, a failed probe
 * (null) counting as slower than any answer; null when it falls on one.
 */
export function percentile(latencies: readonly (number | null)[], fraction: number): number | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? null;
}

export function summarizeProbe(latencies: readonly (number | null)[]): ProbeSummary {
  return {
    sent: latencies.length,
    failed: latencies.filter((latency) => latency === null).length,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/** Whole JSON lines in JSONL output, and the lines that are not (a last line without its newline is torn). */
export function countJsonLines(text: string): {
  events: number;
  torn: number;
  lines: readonly unknown[];
} {
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  const lines: unknown[] = [];
  let torn = last === '' ? 0 : 1;
  for (const part of parts) {
    try {
      lines.push(JSON.parse(part));
    } catch {
      torn++;
    }
  }
  return { events: lines.length, torn, lines };
}

/** Events in --pretty-yaml output: one `---` line opens each document. */
export function countYamlDocuments(text: string): number {
  return text.split('\n').filter((line) => line === '---').length;
}

/** Answers the server gave (2xx) for which no event was written; more events than answers is no loss. */
export function lostEvents(answered: number, recorded: number): number {
  return Math.max(0, answered - recorded);
}

/** The probe's p99 over the calm run's on the same server, or null when either failed. */
export function calmRatio(probe: ProbeSummary, calm: ProbeSummary | undefined): number | null {
  if (probe.p99 === null || calm?.p99 === null || calm === undefined || calm.p99 <= 0) return null;
  return probe.p99 / calm.p99;
}

/** The issue's goals this cell misses, each said in a few words; none: all met. */
export function goalsMissed(cell: Cell, calm: ProbeSummary | undefined): string[] {
  const missed: string[] = [];
  if (!cell.alive) missed.push(`exited (${cell.exit ?? 'unknown'})`);
  if (cell.lost !== undefined && cell.lost > 0) missed.push(`${cell.lost} lost`);
  if (cell.torn !== undefined && cell.torn > 0) missed.push(`${cell.torn} torn`);
  if (cell.probe.failed > 0) missed.push(`${cell.probe.failed} probes failed`);
  if (cell.probe.p99 !== null) {
    const ratio = calmRatio(cell.probe, calm);
    if (ratio !== null && ratio > P99_CALM_RATIO_MAX) missed.push(`p99 ${ratio.toFixed(1)}× calm`);
    if (cell.probe.p99 >= P99_MAX_MS) missed.push(`p99 ≥ ${P99_MAX_MS} ms`);
  }
  if (cell.judgeMemory) {
    const added = cell.rss.during - cell.rss.before;
    if (added > VIEWERS_ADDED_MB_MAX) missed.push(`+${Math.round(added)} MB`);
    if (cell.rss.after - cell.rss.before > RETURNED_SLACK_MB) missed.push('memory not returned');
  }
  return missed;
}

/** The longest piece of what a server said that a table cell keeps. */
export const SAID_CHARS = 80;

function shortened(line: string): string {
  return `"${line.trim().slice(0, SAID_CHARS)}"`;
}

/** What a server that exited said last: its uncaught error's line (`RangeError: …`) rather than what node prints after it. */
export function lastWords(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((text) => /\S/.test(text) && !/^\s+at /.test(text) && !/^Node\.js v/.test(text));
  const line = lines.findLast((text) => /^\w*Error\b/.test(text)) ?? lines.at(-1);
  return line === undefined ? '' : shortened(line);
}

/** What a running server said on standard error after `ready` (a reader cut, the log failing): its first line and how many more. */
export function saidAfterReady(stderr: string): string {
  const lines = stderr.split('\n');
  const said = lines
    .slice(lines.findIndex((line) => /^ready\b/.test(line)) + 1)
    .filter((line) => /\S/.test(line));
  if (said.length === 0) return '';
  return `said ${shortened(said[0] as string)}${said.length > 1 ? ` and ${said.length - 1} more lines` : ''}`;
}

function ms(value: number | null): string {
  if (value === null) return 'failed';
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

function mb(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value)) : '-';
}

function count(value: number | undefined): string {
  return value === undefined ? '-' : String(value);
}

/** One row: attack, server, alive, lost, torn, probe p50/p99, ratio, failed, RSS, goals, note. */
export function tableRow(cell: Cell, calm: ProbeSummary | undefined): string {
  const ratio = calmRatio(cell.probe, calm);
  const missed = goalsMissed(cell, calm);
  return (
    `| ${cell.attack} | ${cell.server} | ${cell.alive ? 'yes' : `no: ${cell.exit ?? 'exited'}`} | ${count(cell.lost)} | ${count(cell.torn)} ` +
    `| ${ms(cell.probe.p50)} | ${ms(cell.probe.p99)} | ${ratio === null ? '-' : ratio.toFixed(1)} | ${cell.probe.failed}/${cell.probe.sent} ` +
    `| ${mb(cell.rss.before)} / ${mb(cell.rss.during)} / ${mb(cell.rss.after)} | ${missed.length === 0 ? 'met' : missed.join(', ')} | ${cell.note.replaceAll('|', '\\|')} |`
  );
}

export const CALM = 'calm';

export interface AdversityMeta {
  readonly date: string;
  readonly node: string;
  readonly commit: string;
  readonly before: string | undefined;
  readonly quick: boolean;
  readonly windowSeconds: number;
  readonly elapsedSeconds: number;
}

/** The Markdown report: how it was run, then one row per attack and server, the calm run first. */
export function adversityMarkdown(meta: AdversityMeta, cells: readonly Cell[]): string {
  const calmOf = (server: string): ProbeSummary | undefined =>
    cells.find((cell) => cell.attack === CALM && cell.server === server)?.probe;
  return [
    `## Adversity (${meta.quick ? 'quick: proves it runs, judges nothing' : 'full'})`,
    '',
    `${meta.date}, Node ${meta.node}, commit ${meta.commit}${meta.before === undefined ? '' : `, before: ${meta.before}`}; ` +
      `each attack ${meta.windowSeconds} s on a fresh server, a probe hook every 10 ms on a new connection; ${Math.round(meta.elapsedSeconds)} s in all.`,
    `Goals: p99 ≤ ${P99_CALM_RATIO_MAX}× calm and < ${P99_MAX_MS} ms, 0 lost, 0 torn, 0 exits, 0 probes failed; viewers add ≤ ${VIEWERS_ADDED_MB_MAX} MB ` +
      `and their memory returns (within ${RETURNED_SLACK_MB} MB) 10 s after they leave.`,
    '',
    '| attack | server | alive | lost | torn | probe p50 ms | p99 ms | p99 × calm | probes failed | RSS MB before / during / after | goals missed | seen |',
    '| --- | --- | --- | --: | --: | --: | --: | --: | --: | --- | --- | --- |',
    ...cells.map((cell) => tableRow(cell, calmOf(cell.server))),
    '',
  ].join('\n');
}
