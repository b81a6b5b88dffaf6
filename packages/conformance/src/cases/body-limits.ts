/**
 * The body limits, which node:http does not have and both servers add alike
 * (packages/core/src/body-limits.ts): a body past the limit is answered 413
 * and the connection closed, before it is read when its Content-Length says
 * so, as soon as it passes the limit when it is chunked; a body that does not
 * fit in the budget all connections share is answered 503. The refused hook
 * still leaves a record with `_error` and `_body_bytes`.
 *
 * The limits are shortened through the environment (BODY_LIMIT_ENV), so that
 * each case sends a few kilobytes.
 */
import { BODY_LIMIT_ENV } from '@hook-observatory/core/vocabulary';
import {
  chunkedHook,
  DEFAULT_HEADERS,
  get,
  request,
  type HeaderList,
} from '../harness/requests.js';
import {
  awaitAnswers,
  awaitClose,
  halfClose,
  oneClient,
  send,
  splitAt,
  type TrafficCase,
} from '../harness/traffic-script.js';

/** The body limit both servers run with in these cases. */
export const TEST_MAX_BODY_BYTES = 1_024;
/** The shared budget: far above one body, so that only the limit answers. */
const TEST_BUDGET_ABOVE_LIMIT = 1_000_000;
/** A budget smaller than one body at the limit: one connection alone passes it. */
export const TEST_BUDGET_BELOW_LIMIT = 600;

export const BODY_LIMIT_ENVIRONMENT = {
  [BODY_LIMIT_ENV.maxBodyBytes]: String(TEST_MAX_BODY_BYTES),
  [BODY_LIMIT_ENV.maxBufferedBodyBytes]: String(TEST_BUDGET_ABOVE_LIMIT),
} as const;

export const BODY_BUDGET_ENVIRONMENT = {
  [BODY_LIMIT_ENV.maxBodyBytes]: String(TEST_MAX_BODY_BYTES),
  [BODY_LIMIT_ENV.maxBufferedBodyBytes]: String(TEST_BUDGET_BELOW_LIMIT),
} as const;

/** A JSON object body of exactly `size` bytes. */
export function jsonOfSize(size: number): string {
  const frame = '{"pad":""}';
  return `{"pad":"${'p'.repeat(size - frame.length)}"}`;
}

const TARGET = '/hook?event=PostToolUse';

/** Only the head, announcing `length` body bytes: the body is never sent, as a client that waits or is refused. */
function announcing(length: number, extra: HeaderList = [], target = TARGET): Buffer {
  return request({
    target,
    headers: [...DEFAULT_HEADERS, ['Content-Length', String(length)], ...extra],
  });
}

/** Only the head of a chunked hook: its chunks follow as the case sends them. */
function announcingChunked(extra: HeaderList = []): Buffer {
  return request({
    target: TARGET,
    headers: [...DEFAULT_HEADERS, ['Transfer-Encoding', 'chunked'], ...extra],
  });
}

/** One chunk of `size` bytes of padding, framed. */
const chunkOf = (size: number): Buffer =>
  Buffer.from(`${size.toString(16)}\r\n${'p'.repeat(size)}\r\n`, 'latin1');

const withLength = (body: string, extra: HeaderList = []): Buffer =>
  request({ target: TARGET, headers: [...DEFAULT_HEADERS, ...extra], body });

/** A chunked hook whose chunks are `sizes` bytes long, one JSON string in all. */
function chunkedOfSizes(sizes: readonly number[]): Buffer {
  const body = jsonOfSize(sizes.reduce((sum, size) => sum + size, 0));
  const chunks: string[] = [];
  let start = 0;
  for (const size of sizes) {
    chunks.push(body.slice(start, start + size));
    start += size;
  }
  return chunkedHook('PostToolUse', { chunks });
}

/** Where the chunk that passes the limit ends, in `bytes`: a split there makes it the last piece read. */
function endOfChunkData(bytes: Buffer, chunkIndex: number): number {
  let offset = bytes.indexOf('\r\n\r\n') + 4;
  for (let index = 0; index <= chunkIndex; index++) {
    const sizeEnd = bytes.indexOf('\r\n', offset);
    const size = Number.parseInt(bytes.subarray(offset, sizeEnd).toString('latin1'), 16);
    offset = sizeEnd + 2 + size + 2;
  }
  return offset;
}

const refusedHook = (name: string, bytes: Buffer, status = 413): TrafficCase =>
  oneClient(name, [send(bytes)], { statuses: [status], end: 'closed', events: 1 });
const refusedOther = (name: string, bytes: Buffer): TrafficCase =>
  oneClient(name, [send(bytes)], { statuses: [413], end: 'closed', events: 0 });
const accepted = (name: string, bytes: Buffer): TrafficCase =>
  oneClient(name, [send(bytes)], { statuses: [200], end: 'open', events: 1 });

const chunkedPastLimit = chunkedOfSizes([1_000, 100]);
/** Head, first chunk, and the chunk that passes the limit, each written on its own; the last chunk is never sent. */
const pastLimitSplit = splitAt(chunkedPastLimit, [
  chunkedPastLimit.indexOf('\r\n\r\n') + 4,
  endOfChunkData(chunkedPastLimit, 0),
  endOfChunkData(chunkedPastLimit, 1),
]).slice(0, -1);

export const BODY_LIMIT_CASES: readonly TrafficCase[] = [
  accepted('content-length-at-limit', withLength(jsonOfSize(TEST_MAX_BODY_BYTES))),
  refusedHook('content-length-over-limit', announcing(TEST_MAX_BODY_BYTES + 1)),
  refusedHook('content-length-far-over-limit', announcing(600_000_000)),
  oneClient(
    'content-length-at-limit-expect-continue',
    [
      send(announcing(TEST_MAX_BODY_BYTES, [['Expect', '100-continue']])),
      awaitAnswers(1),
      send(jsonOfSize(TEST_MAX_BODY_BYTES)),
    ],
    { statuses: [100, 200], end: 'open', events: 1 },
  ),
  // The refusal comes instead of the 100: the client never sends the body.
  refusedHook(
    'content-length-over-limit-expect-continue',
    announcing(TEST_MAX_BODY_BYTES + 1, [['Expect', '100-continue']]),
  ),
  accepted('chunked-at-limit', chunkedOfSizes([1_000, 24])),
  refusedHook('chunked-over-limit-one-write', chunkedPastLimit),
  refusedHook('chunked-over-limit-in-one-chunk', chunkedOfSizes([TEST_MAX_BODY_BYTES + 1])),
  oneClient('chunked-over-limit-split', [...pastLimitSplit, awaitClose], {
    statuses: [413],
    end: 'closed',
    events: 1,
  }),
  // An ordinary hook first on the same connection: answered and recorded before the refused one.
  oneClient(
    'hook-then-over-limit-one-write',
    [send(Buffer.concat([withLength('{}'), announcing(TEST_MAX_BODY_BYTES + 1)]))],
    { statuses: [200, 413], end: 'closed', events: 2 },
  ),
  // Not hooks: refused alike, and nothing recorded (a web page's request, refused by the guard, writes nothing).
  refusedOther('health-over-limit', announcing(TEST_MAX_BODY_BYTES + 1, [], '/health')),
  // HEAD: the refusal's head without its body (RFC 9110 section 9.3.2).
  oneClient(
    'head-over-limit',
    [
      send(
        request({
          method: 'HEAD',
          target: '/health',
          headers: [...DEFAULT_HEADERS, ['Content-Length', String(TEST_MAX_BODY_BYTES + 1)]],
        }),
      ),
    ],
    { statuses: [413], end: 'closed', events: 0 },
  ),
  refusedOther(
    'hook-from-a-web-page-over-limit',
    announcing(TEST_MAX_BODY_BYTES + 1, [['Origin', 'https://example.com']]),
  ),
  // The heads node:http refuses itself (417, and 400 without Host) come before
  // any handler, so before the limit: the body is drained unread, and an end of input in the
  // middle of it is a 400. Nothing is recorded, as for any 417.
  oneClient(
    'content-length-over-limit-unknown-expectation',
    [
      send(announcing(TEST_MAX_BODY_BYTES + 1, [['Expect', 'something-else']])),
      awaitAnswers(1),
      halfClose,
    ],
    { statuses: [417, 400], end: 'closed', events: 0 },
  ),
  oneClient(
    'chunked-over-limit-unknown-expectation',
    [
      send(
        Buffer.concat([
          announcingChunked([['Expect', 'something-else']]),
          chunkOf(TEST_MAX_BODY_BYTES + 1),
        ]),
      ),
      awaitAnswers(1),
      send('0\r\n\r\n'),
    ],
    { statuses: [417], end: 'open', events: 0 },
  ),
  oneClient(
    'content-length-over-limit-without-host',
    [
      send(
        request({ target: TARGET, headers: [['Content-Length', String(TEST_MAX_BODY_BYTES + 1)]] }),
      ),
    ],
    { statuses: [400], end: 'closed', events: 0 },
  ),
  oneClient('health-after-over-limit', [send(get('/health'))], {
    statuses: [200],
    end: 'open',
    events: 0,
  }),
];

export const BODY_BUDGET_CASES: readonly TrafficCase[] = [
  accepted('under-budget', withLength(jsonOfSize(TEST_BUDGET_BELOW_LIMIT))),
  // Under the limit, over what all connections may hold: 503 with Retry-After, and the record.
  refusedHook(
    'content-length-over-budget',
    withLength(jsonOfSize(TEST_BUDGET_BELOW_LIMIT + 1)),
    503,
  ),
  refusedHook('chunked-over-budget', chunkedOfSizes([500, 101]), 503),
  accepted('under-budget-after-a-refusal', withLength(jsonOfSize(TEST_BUDGET_BELOW_LIMIT))),
  // Each body gives its bytes back once it is handed on: two in turn fit where two at once would not.
  oneClient(
    'two-under-budget-in-turn-on-one-connection',
    [
      send(withLength(jsonOfSize(TEST_BUDGET_BELOW_LIMIT))),
      awaitAnswers(1),
      send(withLength(jsonOfSize(TEST_BUDGET_BELOW_LIMIT))),
    ],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  // The Content-Length is within the limit, so the 100 goes out; the body then does not fit.
  oneClient(
    'content-length-over-budget-expect-continue',
    [
      send(announcing(TEST_BUDGET_BELOW_LIMIT + 1, [['Expect', '100-continue']])),
      awaitAnswers(1),
      send(jsonOfSize(TEST_BUDGET_BELOW_LIMIT + 1)),
    ],
    { statuses: [100, 503], end: 'closed', events: 1 },
  ),
];
