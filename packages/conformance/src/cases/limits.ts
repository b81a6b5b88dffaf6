/**
 * node:http's limits, which the net server enforces with the same numbers
 * (packages/core/src/protocol.ts): the head's size (431 when the target,
 * header names and values reach MAX_HEADER_SIZE_BYTES), the number of headers
 * kept (MAX_HEADERS_COUNT, the rest dropped without a word), and no limit on
 * requests per connection.
 */
import { MAX_HEADER_SIZE_BYTES, MAX_HEADERS_COUNT } from '@hook-observatory/core/vocabulary';
import { byHeaderCountRule } from '../harness/node-under-test.js';
import {
  chunkedBody,
  DEFAULT_HEADERS,
  LOCAL_HOST,
  request,
  SMALL_BODY,
  type HeaderList,
} from '../harness/requests.js';
import { splitRandomly } from '../harness/splits.js';
import { oneClient, send, type TrafficCase } from '../harness/traffic-script.js';

const TARGET = '/hook?event=Stop';
const BODY = '{}';

/**
 * What node counts toward the limit: the target, and each header's name and
 * value (node_http_parser.cc, TrackHeader on llhttp's spans); leading blanks
 * of a value are not part of it, trailing ones are.
 */
function countedBytes(target: string, headers: HeaderList): number {
  return headers.reduce(
    (sum, [name, value]) => sum + name.length + value.trimStart().length,
    target.length,
  );
}

/** A hook request whose counted head bytes are exactly `size`, padded in an X-Pad header. */
function headOfSize(size: number, padTrailingBlanks = 0): Buffer {
  const fixed: HeaderList = [...DEFAULT_HEADERS, ['Content-Length', String(BODY.length)]];
  const padding = size - countedBytes(TARGET, [...fixed, ['X-Pad', '']]) - padTrailingBlanks;
  const headers: HeaderList = [
    ...DEFAULT_HEADERS,
    ['X-Pad', `${'p'.repeat(padding)}${' '.repeat(padTrailingBlanks)}`],
  ];
  return request({ target: TARGET, headers, body: BODY });
}

const accepted = (name: string, bytes: Buffer, events = 1): TrafficCase =>
  oneClient(name, [send(bytes)], { statuses: [200], end: 'open', events: events });
const tooLarge = (name: string, bytes: Buffer): TrafficCase =>
  oneClient(name, [send(bytes)], { statuses: [431], end: 'closed', events: 0 });

const fillers = (count: number): HeaderList =>
  Array.from({ length: count }, (_, index) => [`F${index}`, 'x'] as const);
const pastHeaderCount = request({
  target: TARGET,
  headers: [...DEFAULT_HEADERS, ...fillers(MAX_HEADERS_COUNT - 1)],
});

/** Where the first header past MAX_HEADERS_COUNT begins: a server that refuses excess headers refuses there. */
function firstExcessHeaderOffset(bytes: Buffer): number {
  let offset = bytes.indexOf('\r\n') + 2;
  for (let line = 0; line < MAX_HEADERS_COUNT; line++) offset = bytes.indexOf('\r\n', offset) + 2;
  return offset;
}

const underLimit = headOfSize(MAX_HEADER_SIZE_BYTES - 1);
const atLimit = headOfSize(MAX_HEADER_SIZE_BYTES);

export const LIMIT_CASES: readonly TrafficCase[] = [
  accepted('header-size-one-under-limit', underLimit),
  tooLarge('header-size-at-limit', atLimit),
  // Three times the limit still fits one read, so that no unread byte turns the close into a reset.
  tooLarge('header-size-far-over-limit', headOfSize(3 * MAX_HEADER_SIZE_BYTES)),
  accepted(
    'header-size-leading-blanks-not-counted',
    Buffer.from(underLimit.toString('latin1').replace('X-Pad: ', 'X-Pad:      '), 'latin1'),
  ),
  tooLarge('header-size-trailing-blanks-counted', headOfSize(MAX_HEADER_SIZE_BYTES, 3)),
  oneClient(
    'header-size-per-request-on-one-connection',
    [send(Buffer.concat([underLimit, underLimit]))],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  tooLarge(
    'header-size-target-alone',
    request({
      target: `/hook?event=${'e'.repeat(MAX_HEADER_SIZE_BYTES)}`,
      headers: DEFAULT_HEADERS,
      body: BODY,
    }),
  ),
  tooLarge(
    'header-size-many-small-headers',
    request({
      target: TARGET,
      headers: [
        ...DEFAULT_HEADERS,
        ...Array.from({ length: 1_000 }, (_, i) => [`X-Header-${i}`, 'value'] as const),
      ],
      body: BODY,
    }),
  ),
  oneClient(
    'header-size-counts-trailers',
    [
      send(
        request({
          target: TARGET,
          headers: [...DEFAULT_HEADERS, ['Transfer-Encoding', 'chunked']],
          body: chunkedBody({
            chunks: [BODY],
            trailers: [['X-Pad', 'p'.repeat(MAX_HEADER_SIZE_BYTES)]],
          }),
          contentLength: false,
        }),
      ),
    ],
    { statuses: [431], end: 'closed', events: 0 },
  ),
  splitRandomly('header-size-one-under-limit-split-randomly', underLimit, 4, 40, 6, {
    statuses: [200],
    end: 'kept',
    eventsPerScript: 1,
  }),
  splitRandomly('header-size-at-limit-split-randomly', atLimit, 4, 40, 7, {
    statuses: [431],
    end: 'closed',
    eventsPerScript: 0,
  }),

  // More fields than MAX_HEADERS_COUNT: older Nodes drop the extra ones (llhttp still frames the
  // body by them); Nodes with the CVE-2026-58044 fix answer 431 as the first extra name arrives.
  accepted(
    'headers-count-at-limit',
    request({ target: TARGET, headers: [...DEFAULT_HEADERS, ...fillers(MAX_HEADERS_COUNT - 2)] }),
  ),
  oneClient(
    'headers-count-host-past-limit',
    [
      send(
        request({
          target: TARGET,
          headers: [
            ['Content-Type', 'application/json'],
            ...fillers(MAX_HEADERS_COUNT - 1),
            ['Host', LOCAL_HOST],
          ],
        }),
      ),
    ],
    byHeaderCountRule({
      dropped: { statuses: [400], end: 'closed', events: 0 },
      refused: { statuses: [431], end: 'closed', events: 0 },
    }),
  ),
  oneClient(
    'headers-count-content-type-past-limit',
    [
      send(
        request({
          target: TARGET,
          headers: [
            ['Host', LOCAL_HOST],
            ...fillers(MAX_HEADERS_COUNT - 1),
            ['Content-Type', 'application/json'],
          ],
        }),
      ),
    ],
    byHeaderCountRule({
      dropped: { statuses: [415], end: 'open', events: 0 },
      refused: { statuses: [431], end: 'closed', events: 0 },
    }),
  ),
  oneClient(
    'headers-count-content-length-past-limit',
    [
      send(
        request({
          target: TARGET,
          headers: [...DEFAULT_HEADERS, ...fillers(MAX_HEADERS_COUNT - 2)],
          body: SMALL_BODY,
        }),
      ),
    ],
    byHeaderCountRule({
      dropped: { statuses: [200], end: 'open', events: 1 },
      refused: { statuses: [431], end: 'closed', events: 0 },
    }),
  ),
  oneClient(
    'headers-count-trailers-past-limit',
    [
      send(
        request({
          target: TARGET,
          headers: [...DEFAULT_HEADERS, ['Transfer-Encoding', 'chunked']],
          body: chunkedBody({ chunks: [BODY], trailers: fillers(MAX_HEADERS_COUNT + 1) }),
          contentLength: false,
        }),
      ),
    ],
    byHeaderCountRule({
      dropped: { statuses: [200], end: 'open', events: 1 },
      refused: { statuses: [431], end: 'closed', events: 0 },
    }),
  ),
  splitRandomly(
    'headers-count-past-limit-split-randomly',
    pastHeaderCount,
    4,
    40,
    8,
    byHeaderCountRule({
      dropped: { statuses: [200], end: 'kept' as const, eventsPerScript: 1 },
      refused: { statuses: [431], end: 'closed' as const, eventsPerScript: 0 },
    }),
    firstExcessHeaderOffset(pastHeaderCount),
  ),
  oneClient(
    'headers-count-per-request',
    [
      send(
        Buffer.concat(
          [1, 2].map(() =>
            request({
              target: TARGET,
              headers: [...DEFAULT_HEADERS, ...fillers(MAX_HEADERS_COUNT - 2)],
            }),
          ),
        ),
      ),
    ],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),

  // No limit on requests per connection (maxRequestsPerSocket is 0).
  oneClient(
    'requests-per-connection-unlimited',
    [
      send(
        Buffer.concat(
          Array.from({ length: 300 }, () =>
            request({ target: TARGET, headers: DEFAULT_HEADERS, body: BODY }),
          ),
        ),
      ),
    ],
    { statuses: Array(300).fill(200), end: 'open', events: 300 },
  ),
];
