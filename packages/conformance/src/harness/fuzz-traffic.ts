/**
 * fast-check generators for differential fuzzing: hook payloads, requests
 * built from them (framing, headers and request line varied the ways the
 * named cases vary them), mutations of those bytes, and the reads they are cut
 * into. No expectation is attached: both servers must simply agree.
 */
import fc from 'fast-check';
import { chunkedBody, LOCAL_HOST } from './requests.js';
import {
  halfClose,
  pause,
  send,
  SPLIT_PAUSE_MS,
  type Step,
  type TrafficCase,
} from './traffic-script.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A hook payload: JSON with the shapes Claude Code sends, strings with any unicode. */
export const hookPayload: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        hook_event_name: fc.constantFrom('Stop', 'PreToolUse', 'UserPromptSubmit'),
        session_id: fc.uuid(),
        prompt: fc.string({ unit: 'grapheme', maxLength: 40 }),
      })
      .map((value) => Buffer.from(JSON.stringify(value), 'utf8')),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }).map((text) => Buffer.from(text, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
);

/** Bytes that make parsers change state, as single characters. */
const SIGNIFICANT = [
  '\r',
  '\n',
  '\r\n',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '=',
  '"',
  '\\',
  '?',
  '#',
  '@',
  '/',
  '\0',
  '\x7f',
  '\x80',
  '\xff',
  '0',
  'a',
  'A',
  '-',
];
const significant = fc.constantFrom(...SIGNIFICANT);
const tokenChars = fc.string({
  unit: fc.constantFrom(...'abcXYZ-_.!#0123456789'.split('')),
  minLength: 1,
  maxLength: 8,
});
const valueText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(significant, tokenChars), { maxLength: 4 }).map((parts) => parts.join('')),
);

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('POST') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'GET',
      'HEAD',
      'PUT',
      'OPTIONS',
      'DELETE',
      'CONNECT',
      'PRI',
      'SOURCE',
      'DESCRIBE',
      'post',
    ),
  },
);
const target = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '/hook?event=Stop',
      '/hook',
      '/hook?event=A&event=B',
      '/health',
      '/',
      '*',
      `http://${LOCAL_HOST}/hook?event=X`,
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('/hook?event=', '/', 'http://h/'), valueText)
      .map(([start, rest]) => start + rest),
  },
);
const protocol = fc.oneof(
  { weight: 8, arbitrary: fc.constant('HTTP/1.1') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'HTTP/1.0',
      'HTTP/0.9',
      'HTTP/2.0',
      'HTTP/1.2',
      'RTSP/1.0',
      'ICE/1.0',
      '',
    ),
  },
);

const extraHeader: fc.Arbitrary<readonly [string, string]> = fc.oneof(
  fc.tuple(
    fc.constantFrom('Connection', 'Proxy-Connection'),
    fc.constantFrom('close', 'keep-alive', 'upgrade', 'Keep-Alive, close', ' close\t', 'closed'),
  ),
  fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', '100-Continue', 'x', '')),
  fc.tuple(fc.constant('Upgrade'), fc.constant('websocket')),
  fc.tuple(
    fc.constantFrom('Transfer-Encoding', 'Content-Length'),
    fc.constantFrom('chunked', 'gzip', '', '3', '0', 'chunked, gzip'),
  ),
  fc.tuple(tokenChars, valueText),
);

type Framing = 'content-length' | 'chunked' | 'none';

export interface FuzzRequest {
  readonly method: string;
  readonly target: string;
  readonly protocol: string;
  readonly host: boolean;
  readonly extra: ReadonlyArray<readonly [string, string]>;
  readonly framing: Framing;
  readonly chunkSizes: readonly number[];
  readonly extension: string;
  readonly body: Buffer;
}

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method,
  target,
  protocol,
  host: fc.oneof(
    { weight: 9, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  extra: fc.array(extraHeader, { maxLength: 3 }),
  framing: fc.constantFrom<Framing>('content-length', 'content-length', 'chunked', 'none'),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 16 }), { maxLength: 4 }),
  extension: fc.constantFrom('', '', ';a=b', ';a="x;y"', ';', ';=', ' ;a'),
  body: hookPayload,
});

export function requestBytes(request: FuzzRequest): Buffer {
  const headers: Array<readonly [string, string]> = [];
  if (request.host) headers.push(['Host', LOCAL_HOST]);
  headers.push(['Content-Type', 'application/json'], ...request.extra);
  let body = request.body;
  if (request.framing === 'content-length') headers.push(['Content-Length', String(body.length)]);
  if (request.framing === 'chunked') {
    headers.push(['Transfer-Encoding', 'chunked']);
    const chunks: Buffer[] = [];
    let offset = 0;
    for (const size of request.chunkSizes) {
      chunks.push(body.subarray(offset, offset + size));
      offset += size;
    }
    chunks.push(body.subarray(offset));
    body = chunkedBody({ chunks, extension: request.extension });
  }
  const line =
    request.protocol === ''
      ? `${request.method} ${request.target}`
      : `${request.method} ${request.target} ${request.protocol}`;
  let head = `${line}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return Buffer.concat([latin1(`${head}\r\n`), body]);
}

/** One change to the bytes: a significant byte put in, a few bytes taken out, or one replaced. */
type Mutation =
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'replace'; readonly at: number; readonly text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: significant }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: significant }),
);

export function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let result = bytes;
  for (const change of mutations) {
    const at = result.length === 0 ? 0 : change.at % (result.length + 1);
    const before = result.subarray(0, at);
    if (change.kind === 'insert') {
      result = Buffer.concat([before, latin1(change.text), result.subarray(at)]);
    } else if (change.kind === 'delete') {
      result = Buffer.concat([before, result.subarray(at + change.count)]);
    } else result = Buffer.concat([before, latin1(change.text), result.subarray(at + 1)]);
  }
  return result;
}

export interface FuzzTraffic {
  readonly requests: readonly FuzzRequest[];
  readonly mutations: readonly Mutation[];
  /** Where the bytes are cut into reads, as fractions of their length. */
  readonly cuts: readonly number[];
}

export const fuzzTraffic: fc.Arbitrary<FuzzTraffic> = fc.record({
  requests: fc.array(fuzzRequest, { minLength: 1, maxLength: 3 }),
  mutations: fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
  ),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
});

export function trafficBytes(traffic: FuzzTraffic): Buffer {
  return mutate(Buffer.concat(traffic.requests.map(requestBytes)), traffic.mutations);
}

/**
 * The script: the bytes in reads, then a half-close, so that both servers
 * finish on their own (node:http answers what is complete, refuses what is
 * not, and closes) and the capture never depends on how long we watch.
 */
export function fuzzCase(traffic: FuzzTraffic, name = 'fuzz'): TrafficCase {
  const bytes = trafficBytes(traffic);
  const offsets = [...new Set(traffic.cuts.map((cut) => Math.floor(cut * bytes.length)))]
    .filter((at) => at > 0 && at < bytes.length)
    .sort((a, b) => a - b);
  const steps: Step[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.length]) {
    if (start > 0) steps.push(pause(SPLIT_PAUSE_MS));
    steps.push(send(bytes.subarray(start, offset)));
    start = offset;
  }
  steps.push(pause(SPLIT_PAUSE_MS), halfClose);
  return { name, clients: [{ steps, expect: { statuses: [], end: 'closed' } }], events: 0 };
}
