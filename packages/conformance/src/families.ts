/**
 * Every family of conformance cases, as the suite runs them (the same tables,
 * the same environment), and the one table that puts each case in a group for
 * the grader's scoreboard (grader/main.ts), with the note that explains it.
 */
import { BODY_CASES } from './cases/bodies.js';
import { BROWSER_CASES } from './cases/browsers.js';
import {
  BODY_BUDGET_CASES,
  BODY_BUDGET_ENVIRONMENT,
  BODY_LIMIT_CASES,
  BODY_LIMIT_ENVIRONMENT,
} from './cases/body-limits.js';
import { KEEP_ALIVE_CASES } from './cases/keep-alive.js';
import { LIMIT_CASES } from './cases/limits.js';
import { FRAMING_CASES, HEADER_CASES, REQUEST_LINE_CASES } from './cases/malformed.js';
import { REAL_TRAFFIC_CASES } from './cases/real-traffic.js';
import { ROUTING_CASES } from './cases/routing.js';
import { SPLIT_CASES } from './cases/splits.js';
import { STREAM_CASES, STREAM_ENVIRONMENT } from './cases/stream.js';
import {
  STREAM_NEIGHBOUR_CASES,
  STREAM_NEIGHBOUR_TIMED_CASES,
  STREAM_NEIGHBOURS_ENVIRONMENT,
  STREAM_NEIGHBOURS_TIMED_ENVIRONMENT,
} from './cases/stream-neighbours.js';
import {
  KEEP_ALIVE_ENV,
  KEEP_ALIVE_TIMEOUT_CASES,
  REQUEST_TIMEOUT_CASES,
  REQUEST_TIMEOUT_ENV,
} from './cases/timeouts.js';
import { USAGE_CASES, USAGE_ENVIRONMENT } from './cases/usage.js';
import type { TrafficCase } from './harness/traffic-script.js';

export interface Family {
  readonly family: string;
  readonly cases: readonly TrafficCase[];
  readonly env?: Readonly<Record<string, string>>;
  /** Its cases wait for the server's timers: the grader can skip them. */
  readonly timed?: boolean;
}

export const FAMILIES: readonly Family[] = [
  { family: 'real-traffic', cases: REAL_TRAFFIC_CASES },
  { family: 'routing', cases: ROUTING_CASES },
  { family: 'keep-alive', cases: KEEP_ALIVE_CASES },
  { family: 'bodies', cases: BODY_CASES },
  { family: 'splits', cases: SPLIT_CASES },
  { family: 'limits', cases: LIMIT_CASES },
  { family: 'body-limits', cases: BODY_LIMIT_CASES, env: BODY_LIMIT_ENVIRONMENT },
  { family: 'body-budget', cases: BODY_BUDGET_CASES, env: BODY_BUDGET_ENVIRONMENT },
  { family: 'request-line', cases: REQUEST_LINE_CASES },
  { family: 'headers', cases: HEADER_CASES },
  { family: 'framing', cases: FRAMING_CASES },
  { family: 'stream', cases: STREAM_CASES, env: STREAM_ENVIRONMENT },
  {
    family: 'stream-neighbours',
    cases: STREAM_NEIGHBOUR_CASES,
    env: STREAM_NEIGHBOURS_ENVIRONMENT,
  },
  {
    family: 'stream-neighbours-timed',
    cases: STREAM_NEIGHBOUR_TIMED_CASES,
    env: STREAM_NEIGHBOURS_TIMED_ENVIRONMENT,
    timed: true,
  },
  { family: 'browsers', cases: BROWSER_CASES, env: STREAM_ENVIRONMENT },
  { family: 'usage', cases: USAGE_CASES, env: USAGE_ENVIRONMENT },
  {
    family: 'keep-alive-timeout',
    cases: KEEP_ALIVE_TIMEOUT_CASES,
    env: KEEP_ALIVE_ENV,
    timed: true,
  },
  {
    family: 'request-timeouts',
    cases: REQUEST_TIMEOUT_CASES,
    env: REQUEST_TIMEOUT_ENV,
    timed: true,
  },
];

export interface Group {
  readonly name: string;
  /** The docs/ note section that explains the rule this group checks. */
  readonly note: string;
  /** A family of the group whose rules another section explains: family -> section. */
  readonly familyNotes?: Readonly<Record<string, string>>;
  /** Which cases belong to it: the first group that claims a case (family and name) has it. */
  readonly claims: (family: string, caseName: string) => boolean;
}

/** Groups in the order a student meets them in the lessons. */
export const GROUPS: readonly Group[] = [
  {
    name: 'events',
    note: 'docs/protocol.md#a-request-byte-for-byte',
    claims: (f, n) => f === 'real-traffic' && n.startsWith('curl-hook') && !n.includes('expect'),
  },
  { name: 'routing', note: 'docs/net-server.md#3-route', claims: (f) => f === 'routing' },
  {
    name: 'keep-alive',
    note: 'docs/net-server.md#keep-alive',
    claims: (f, n) => f === 'real-traffic' || (f === 'keep-alive' && !/pipelin|half-close/.test(n)),
  },
  {
    name: 'pipelining',
    note: 'docs/net-server.md#many-requests-in-one-read-pipelining',
    claims: (f, n) => f === 'keep-alive' || (f === 'splits' && n.includes('pipelined')),
  },
  {
    name: 'chunked',
    note: 'docs/net-server.md#the-body-how-long-is-it',
    claims: (f, n) => (f === 'bodies' || f === 'splits') && n.includes('chunked'),
  },
  {
    name: 'expect',
    note: 'docs/net-server.md#5-respond',
    claims: (f, n) => (f === 'bodies' || f === 'splits') && n.includes('expect'),
  },
  {
    name: 'bodies',
    note: 'docs/net-server.md#bytes-arrive-in-pieces',
    claims: (f) => f === 'bodies' || f === 'splits',
  },
  {
    name: 'limits',
    note: 'docs/net-server.md#the-body-how-much-of-it-to-hold',
    claims: (f) => f === 'limits' || f === 'body-limits' || f === 'body-budget',
  },
  {
    name: 'timeouts',
    note: 'docs/net-server.md#time-out',
    claims: (f) => f === 'keep-alive-timeout' || f === 'request-timeouts',
  },
  {
    name: 'framing',
    note: 'docs/net-server.md#the-body-how-long-is-it',
    claims: (f) => f === 'framing',
  },
  {
    name: 'malformed',
    note: 'docs/net-server.md#the-request-line',
    familyNotes: { headers: 'docs/net-server.md#headers' },
    claims: (f) => f === 'request-line' || f === 'headers',
  },
  { name: 'stream', note: 'docs/net-server.md#5b-stream', claims: (f) => f.startsWith('stream') },
  {
    name: 'browsers',
    note: 'docs/security.md#fetch-metadata-frames-and-sniffing',
    claims: (f) => f === 'browsers',
  },
  {
    name: 'usage',
    note: 'docs/live-view.md#tokens-and-cost',
    claims: (f) => f === 'usage',
  },
];

/** Where to read about a failure of `family` in `group`. */
export function noteFor(group: Group, family: string): string {
  return group.familyNotes?.[family] ?? group.note;
}

/** The group of a case. */
export function groupOf(family: string, caseName: string): Group {
  const group = GROUPS.find((candidate) => candidate.claims(family, caseName));
  if (group === undefined) {
    throw new Error(`${family}/${caseName} is in no group: add it to GROUPS`);
  }
  return group;
}
