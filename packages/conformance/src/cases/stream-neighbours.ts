/**
 * What shares a connection, or a read, with GET /events: the stream for
 * HTTP/1.0 clients (node:http frames it chunked when the request's `TE`
 * names chunked, lib/_http_server.js, ServerResponse), a hook and a viewer in
 * one read, and bytes a viewer's connection sends after its stream began.
 * Each case names node:http's behaviour, which the net server must match
 * (docs/net-server.md, section 5b).
 *
 * The family runs with the stream's test settings and the shortened body
 * limit (body-limits.ts); the case that waits for a timeout is a family of
 * its own, with the shortened request timeouts (timeouts.ts).
 */
import { DEFAULT_HEADERS, get, LOCAL_HOST, request, type HeaderList } from '../harness/requests.js';
import {
  awaitClose,
  awaitText,
  close,
  oneClient,
  pause,
  send,
  sideRequest,
  type TrafficCase,
} from '../harness/traffic-script.js';
import { BODY_LIMIT_ENVIRONMENT, TEST_MAX_BODY_BYTES } from './body-limits.js';
import { HELLO, hook as streamHook, STREAM_ENVIRONMENT } from './stream.js';
import { REQUEST_TIMEOUT_ENV, SHORT_HEADERS_TIMEOUT_MS } from './timeouts.js';

export const STREAM_NEIGHBOURS_ENVIRONMENT: Readonly<Record<string, string>> = {
  ...STREAM_ENVIRONMENT,
  ...BODY_LIMIT_ENVIRONMENT,
};

/** A Stop hook of session `session` carrying `marker`; `connection` says whether its connection stays open. */
const hook = (
  session: string,
  marker: string,
  connection: 'close' | 'keep-alive' = 'close',
): Buffer => streamHook('Stop', session, `,"marker":"${marker}"`, connection);

const watch = (session: string, extra: HeaderList = []): Buffer =>
  get(`/events?session=${session}`, extra);

/** GET or HEAD /events as an HTTP/1.0 client writes it, with `extra` headers. */
const watch10 = (session: string, extra: HeaderList, method = 'GET'): Buffer =>
  request({
    method,
    target: `/events?session=${session}`,
    version: '1.0',
    headers: [['Host', LOCAL_HOST], ...extra],
  });

const marker = (name: string): string => `"marker":"${name}"`;

/**
 * HTTP/1.0 clients. node:http frames a body of unknown length chunked for
 * HTTP/1.0 when the request's TE holds the token `chunked` (RFC 9112 section
 * 7.4 would have it refuse chunked to a 1.0 recipient; node does not), and
 * then keeps the connection if the client asked with `Connection: keep-alive`.
 */
const http10: TrafficCase[] = [
  oneClient(
    'stream-http10-te-chunked-framed-and-closing',
    [
      send(watch10('ten-close', [['TE', 'chunked']])),
      awaitText(HELLO),
      sideRequest(hook('ten-close', 'chunked-ten')),
      awaitText(marker('chunked-ten')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 1 },
  ),
  oneClient(
    'stream-http10-te-chunked-keep-alive',
    [
      send(
        watch10('ten-kept', [
          ['Connection', 'keep-alive'],
          ['TE', 'chunked'],
        ]),
      ),
      awaitText(HELLO),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 0 },
  ),
  // `chunked` is found as a token, in any case, among other codings.
  oneClient(
    'stream-http10-te-chunked-among-others',
    [send(watch10('ten-list', [['TE', 'trailers, Chunked;q=0.5']])), awaitText(HELLO), close],
    { statuses: [200], end: 'closed-by-client', events: 0 },
  ),
  // HEAD gets the same head and no body; with TE: chunked the connection is kept as asked.
  oneClient(
    'stream-head-http10-te-chunked-keep-alive',
    [
      send(
        watch10(
          'ten-head',
          [
            ['Connection', 'keep-alive'],
            ['TE', 'chunked'],
          ],
          'HEAD',
        ),
      ),
    ],
    { statuses: [200], end: 'open', events: 0 },
  ),
  // Kept open, the connection serves the next request once the head is out.
  oneClient(
    'stream-head-http10-te-chunked-then-health',
    [
      send(
        Buffer.concat([
          watch10(
            'ten-next',
            [
              ['Connection', 'keep-alive'],
              ['TE', 'chunked'],
            ],
            'HEAD',
          ),
          get('/health'),
        ]),
      ),
    ],
    { statuses: [200, 200], end: 'open', events: 0 },
  ),
];

/**
 * A hook and a viewer in one read. node:http records the hook before the
 * viewer's handler runs, so the viewer gets it from the ring (its `hello`
 * names the next id past it), not as a live event.
 */
const oneRead: TrafficCase[] = [
  oneClient(
    'stream-hook-then-viewer-in-one-read',
    [
      send(Buffer.concat([hook('one-read', 'before-viewer', 'keep-alive'), watch('one-read')])),
      awaitText(marker('before-viewer')),
      close,
    ],
    { statuses: [200, 200], end: 'closed-by-client', events: 1 },
  ),
  oneClient(
    'stream-two-hooks-then-viewer-in-one-read',
    [
      send(
        Buffer.concat([
          hook('two-read', 'first', 'keep-alive'),
          hook('two-read', 'second', 'keep-alive'),
          watch('two-read'),
        ]),
      ),
      awaitText(marker('second')),
      close,
    ],
    { statuses: [200, 200, 200], end: 'closed-by-client', events: 2 },
  ),
];

/** Bytes no parser takes for a request line. */
const GARBAGE = Buffer.from('NOT HTTP AT ALL\r\n\r\n', 'latin1');

/** A hook announcing a body one byte past the limit (body-limits.ts): refused before it is read. */
const refusedHook = (): Buffer =>
  request({
    target: '/hook?event=Stop',
    headers: [...DEFAULT_HEADERS, ['Content-Length', String(TEST_MAX_BODY_BYTES + 1)]],
  });

/** A chunked hook whose one chunk passes the limit, complete with its last chunk. */
const refusedChunkedHook = (): Buffer =>
  Buffer.concat([
    request({
      target: '/hook?event=Stop',
      headers: [...DEFAULT_HEADERS, ['Transfer-Encoding', 'chunked']],
    }),
    Buffer.from(
      `${(TEST_MAX_BODY_BYTES + 1).toString(16)}\r\n${'x'.repeat(TEST_MAX_BODY_BYTES + 1)}\r\n0\r\n\r\n`,
      'latin1',
    ),
  ]);

/** A head past the header limit (16,384 bytes, protocol.ts): 431 on a fresh connection. */
const HUGE_HEAD = get('/health', [['X-Padding', 'p'.repeat(17_000)]]);

/**
 * Bytes after the stream began. node:http writes its error answers only when
 * no answer has started on the connection (lib/_http_server.js,
 * socketOnError: `_headerSent`): behind a stream it closes without a word,
 * never a 400 inside the chunked body.
 */
const behind: TrafficCase[] = [
  oneClient(
    'stream-then-garbage',
    [send(watch('garbage')), awaitText(HELLO), send(GARBAGE), awaitClose],
    {
      statuses: [200],
      end: 'closed',
      events: 0,
    },
  ),
  oneClient(
    'stream-then-head-too-large',
    [send(watch('too-large')), awaitText(HELLO), send(HUGE_HEAD), awaitClose],
    {
      statuses: [200],
      end: 'closed',
      events: 0,
    },
  ),
  // A body past the limit behind the stream, and garbage in the same read:
  // its 413 waits behind the stream, node's parser reads past the refused
  // body, and the garbage closes the connection.
  oneClient(
    'stream-then-body-too-large-and-garbage-in-one-read',
    [
      send(watch('refused')),
      awaitText(HELLO),
      send(Buffer.concat([refusedHook(), Buffer.alloc(TEST_MAX_BODY_BYTES + 1, 'x'), GARBAGE])),
      awaitClose,
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'stream-then-chunked-too-large-and-garbage-in-one-read',
    [
      send(watch('refused-chunked')),
      awaitText(HELLO),
      send(Buffer.concat([refusedChunkedHook(), GARBAGE])),
      awaitClose,
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
];

export const STREAM_NEIGHBOUR_CASES: readonly TrafficCase[] = [...http10, ...oneRead, ...behind];

/** The same with the shortened request timeouts (timeouts.ts): a family of its own, as it waits for them. */
export const STREAM_NEIGHBOURS_TIMED_ENVIRONMENT: Readonly<Record<string, string>> = {
  ...STREAM_ENVIRONMENT,
  ...REQUEST_TIMEOUT_ENV,
};

export const STREAM_NEIGHBOUR_TIMED_CASES: readonly TrafficCase[] = [
  // A head begun and never finished: the headers timeout closes the connection, silently.
  oneClient(
    'stream-then-head-times-out',
    [
      send(watch('late')),
      awaitText(HELLO),
      send('GET /health HTTP/1.1\r\nHost: '),
      pause(SHORT_HEADERS_TIMEOUT_MS),
      awaitClose,
    ],
    { statuses: [200], end: 'closed', events: 0 },
  ),
];
