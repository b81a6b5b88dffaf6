/**
 * Request bodies: `Expect: 100-continue` (RFC 9110 section 10.1.1), chunked
 * transfer coding with extensions and trailers (RFC 9112 section 7), unicode,
 * bytes that are not UTF-8, and large bodies.
 */
import {
  chunkedBody,
  chunkedHook,
  curlHook,
  DEFAULT_HEADERS,
  request,
  SMALL_BODY,
  type HeaderList,
} from '../harness/requests.js';
import { MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_MEMBERS } from '@hook-observatory/core/vocabulary';
import {
  awaitAnswers,
  halfClose,
  oneClient,
  send,
  splitAt,
  type TrafficCase,
} from '../harness/traffic-script.js';

/** Above this many bytes curl 7.88 sends `Expect: 100-continue` (the notes, measured). */
export const CURL_EXPECT_THRESHOLD_BYTES = 1_048_576;

const hookWith = (extra: HeaderList, body: Buffer | string = SMALL_BODY): Buffer =>
  curlHook('Stop', body, extra);
const headOf = (bytes: Buffer): Buffer => bytes.subarray(0, bytes.indexOf('\r\n\r\n') + 4);
const bodyOf = (bytes: Buffer): Buffer => bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);

/** A JSON payload of about `size` bytes, the bulk in one string field as a tool's output would be. */
export function largePayload(size: number, fill = 'x'): Buffer {
  const frame = Buffer.from('{"hook_event_name":"PostToolUse","tool_response":{"stdout":""}}');
  const bulk = fill.repeat(Math.ceil((size - frame.length) / Buffer.byteLength(fill)));
  return Buffer.from(
    `{"hook_event_name":"PostToolUse","tool_response":{"stdout":"${bulk}"}}`,
    'utf8',
  );
}

const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const manyKeys = (count: number): string =>
  `{${Array.from({ length: count }, (_, key) => `"k${key}":${key % 10}`).join(',')}}`;
/** A hostile body, then an ordinary hook on the same connection: a serialiser's stack overflow used to end both servers. */
const deepThenHook = (body: string) => [
  send(hookWith([], body)),
  awaitAnswers(1),
  send(hookWith([])),
];

const unicodeBody = JSON.stringify({
  hook_event_name: 'UserPromptSubmit',
  prompt: 'Grüße, 世界! 👋🏽 line\nbreak \u2028 separator, tab\t, quote " and NUL-free',
});
const expectContinue = hookWith([['Expect', '100-continue']]);
const bigExpect = curlHook('PostToolUse', largePayload(CURL_EXPECT_THRESHOLD_BYTES + 1), [
  ['Expect', '100-continue'],
]);

export const BODY_CASES: readonly TrafficCase[] = [
  // Expect: 100-continue, as curl sends it for large bodies: head, wait, body.
  oneClient(
    'expect-100-continue-head-then-body',
    [send(headOf(expectContinue)), awaitAnswers(1), send(bodyOf(expectContinue))],
    { statuses: [100, 200], end: 'open', events: 1 },
  ),
  oneClient('expect-100-continue-body-in-same-write', [send(expectContinue)], {
    statuses: [100, 200],
    end: 'open',
    events: 1,
  }),
  oneClient(
    'expect-100-continue-split',
    splitAt(expectContinue, [
      30,
      headOf(expectContinue).length - 1,
      headOf(expectContinue).length + 3,
    ]),
    { statuses: [100, 200], end: 'open', events: 1 },
  ),
  oneClient('expect-100-continue-mixed-case', [send(hookWith([['expect', '100-Continue']]))], {
    statuses: [100, 200],
    end: 'open',
    events: 1,
  }),
  oneClient('expect-100-continue-in-a-list', [send(hookWith([['Expect', 'foo, 100-continue']]))], {
    statuses: [100, 200],
    end: 'open',
    events: 1,
  }),
  oneClient(
    'expect-100-continue-twice',
    [
      send(
        hookWith([
          ['Expect', '100-continue'],
          ['Expect', '100-continue'],
        ]),
      ),
    ],
    { statuses: [100, 200], end: 'open', events: 1 },
  ),
  oneClient('expect-100-continue-empty-body', [send(hookWith([['Expect', '100-continue']], ''))], {
    statuses: [100, 200],
    end: 'open',
    events: 1,
  }),
  oneClient(
    'expect-100-continue-health',
    [
      send(
        request({
          method: 'GET',
          target: '/health',
          headers: [...DEFAULT_HEADERS, ['Expect', '100-continue']],
        }),
      ),
    ],
    { statuses: [100, 200], end: 'open', events: 0 },
  ),
  oneClient(
    'expect-100-continue-http10-ignored',
    [
      send(
        request({
          version: '1.0',
          headers: [...DEFAULT_HEADERS, ['Expect', '100-continue']],
          body: SMALL_BODY,
        }),
      ),
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'expect-100-continue-connection-close',
    [
      send(
        hookWith([
          ['Expect', '100-continue'],
          ['Connection', 'close'],
        ]),
      ),
    ],
    { statuses: [100, 200], end: 'closed', events: 1 },
  ),
  oneClient(
    'expect-100-continue-then-keep-alive',
    [send(expectContinue), awaitAnswers(2), send(hookWith([]))],
    { statuses: [100, 200, 200], end: 'open', events: 2 },
  ),
  oneClient(
    'expect-100-continue-pipelined-pair',
    [send(Buffer.concat([expectContinue, expectContinue]))],
    { statuses: [100, 200, 100, 200], end: 'open', events: 2 },
  ),
  oneClient(
    'expect-100-continue-large-body-like-curl',
    [send(headOf(bigExpect)), awaitAnswers(1), send(bodyOf(bigExpect))],
    { statuses: [100, 200], end: 'open', events: 1 },
  ),
  oneClient('expect-other-417', [send(hookWith([['Expect', 'something-else']]))], {
    statuses: [417],
    end: 'open',
    events: 0,
  }),
  oneClient('expect-empty-417', [send(hookWith([['Expect', '']]))], {
    statuses: [417],
    end: 'open',
    events: 0,
  }),
  oneClient('expect-100-continue-misspelt-417', [send(hookWith([['Expect', '100-continues']]))], {
    statuses: [417],
    end: 'open',
    events: 0,
  }),
  // An answer to HEAD has no body, so node:http frames its 417 with nothing at all.
  oneClient(
    'expect-417-head-request',
    [
      send(
        request({
          method: 'HEAD',
          target: '/health',
          headers: [...DEFAULT_HEADERS, ['Expect', 'x']],
        }),
      ),
    ],
    { statuses: [417], end: 'open', events: 0 },
  ),
  oneClient(
    'expect-417-then-next-request',
    [send(hookWith([['Expect', 'x']])), awaitAnswers(1), send(hookWith([]))],
    { statuses: [417, 200], end: 'open', events: 1 },
  ),
  oneClient(
    'expect-417-with-connection-close',
    [
      send(
        hookWith([
          ['Expect', 'x'],
          ['Connection', 'close'],
        ]),
      ),
    ],
    { statuses: [417], end: 'closed', events: 0 },
  ),
  oneClient(
    'expect-417-http10-ignored',
    [
      send(
        request({
          version: '1.0',
          headers: [...DEFAULT_HEADERS, ['Expect', 'x']],
          body: SMALL_BODY,
        }),
      ),
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),

  // Chunked request bodies.
  oneClient(
    'chunked-two-chunks',
    [send(chunkedHook('Stop', { chunks: ['{"hook_event_name":', '"Stop"}'] }))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-single-byte-chunks',
    [send(chunkedHook('Stop', { chunks: [...SMALL_BODY] }))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient('chunked-empty-body', [send(chunkedHook('Stop', { chunks: [] }))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient(
    'chunked-with-extension',
    [send(chunkedHook('Stop', { chunks: [SMALL_BODY], extension: ';name=value' }))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-with-quoted-extension',
    [send(chunkedHook('Stop', { chunks: [SMALL_BODY], extension: ';a="b; \\"c\\""' }))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-with-bare-extension',
    [send(chunkedHook('Stop', { chunks: [SMALL_BODY], extension: ';flag' }))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-with-trailers',
    [
      send(
        chunkedHook('Stop', {
          chunks: [SMALL_BODY],
          trailers: [
            ['X-Checksum', 'abc'],
            ['X-More', '1'],
          ],
        }),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-upper-case-hex-and-leading-zeros',
    [
      send(
        request({
          headers: [...DEFAULT_HEADERS, ['Transfer-Encoding', 'chunked']],
          body: `00A\r\n{"a":"12"}\r\n0000\r\n\r\n`,
          contentLength: false,
        }),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-coding-upper-case',
    [
      send(
        chunkedHook('Stop', { chunks: [SMALL_BODY] })
          .toString('latin1')
          .replace('chunked', 'CHUNKED'),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-after-gzip',
    [
      send(
        request({
          headers: [...DEFAULT_HEADERS, ['Transfer-Encoding', 'gzip, chunked']],
          body: chunkedBody({ chunks: [SMALL_BODY] }),
          contentLength: false,
        }),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-in-second-header',
    [
      send(
        request({
          headers: [
            ...DEFAULT_HEADERS,
            ['Transfer-Encoding', 'gzip'],
            ['Transfer-Encoding', 'chunked'],
          ],
          body: chunkedBody({ chunks: [SMALL_BODY] }),
          contentLength: false,
        }),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-http10',
    [
      send(
        request({
          version: '1.0',
          headers: [...DEFAULT_HEADERS, ['Transfer-Encoding', 'chunked']],
          body: chunkedBody({ chunks: [SMALL_BODY] }),
          contentLength: false,
        }),
      ),
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'chunked-pipelined-pair',
    [
      send(
        Buffer.concat([
          chunkedHook('Stop', { chunks: [SMALL_BODY] }),
          chunkedHook('Stop', { chunks: ['{}'] }),
        ]),
      ),
    ],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  oneClient(
    'chunked-split-everywhere-interesting',
    splitAt(
      chunkedHook('Stop', { chunks: ['{"a":', '1}'], extension: ';x=y', trailers: [['T', 'v']] }),
      [60, 100, 104, 106, 110, 115, 118, 121],
    ),
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'chunked-half-close-after-last-chunk',
    [send(chunkedHook('Stop', { chunks: [SMALL_BODY] })), halfClose],
    { statuses: [200], end: 'closed', events: 1 },
  ),

  // What the body holds.
  oneClient('unicode-body', [send(hookWith([], unicodeBody))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient(
    'unicode-body-split-inside-a-character',
    splitAt(hookWith([], unicodeBody), [hookWith([], unicodeBody).indexOf(Buffer.from('👋')) + 2]),
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'body-not-utf8',
    [send(hookWith([], Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x80, 0x7d])))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient('body-not-json', [send(hookWith([], 'plain words, not JSON'))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient('body-json-array', [send(hookWith([], '[1,2,3]'))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient('body-empty-with-length-zero', [send(hookWith([['Content-Length', '0']], ''))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient('body-none-without-length', [send(request({ headers: DEFAULT_HEADERS }))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient(
    'body-forging-metadata-keys',
    [send(hookWith([], '{"_ts":"forged","_event":"forged","_client":"forged"}'))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'body-one-mebibyte',
    [send(curlHook('PostToolUse', largePayload(CURL_EXPECT_THRESHOLD_BYTES)))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'body-two-mebibytes-chunked',
    [
      send(
        chunkedHook('PostToolUse', {
          chunks: [
            largePayload(1 << 21).subarray(0, 1 << 20),
            largePayload(1 << 21).subarray(1 << 20),
          ],
        }),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
  // Deeper than MAX_PAYLOAD_DEPTH or with more than MAX_PAYLOAD_MEMBERS: kept unparsed in _raw with _error (core's json-shape.ts), the same in both.
  oneClient('body-arrays-5000-deep', deepThenHook(nestedArrays(5_000)), {
    statuses: [200, 200],
    end: 'open',
    events: 2,
  }),
  oneClient('body-object-5000-deep-with-a-newline', deepThenHook(`${nestedObjects(5_000)}\n`), {
    statuses: [200, 200],
    end: 'open',
    events: 2,
  }),
  oneClient(
    'body-object-5000-deep-with-a-ts-key',
    deepThenHook(`{"_ts":1,"a":${nestedObjects(4_999)}}`),
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  oneClient('body-arrays-at-the-depth-limit', deepThenHook(nestedArrays(MAX_PAYLOAD_DEPTH)), {
    statuses: [200, 200],
    end: 'open',
    events: 2,
  }),
  oneClient(
    'body-arrays-one-past-the-depth-limit',
    deepThenHook(nestedArrays(MAX_PAYLOAD_DEPTH + 1)),
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  oneClient(
    'body-keys-one-past-the-member-limit',
    deepThenHook(manyKeys(MAX_PAYLOAD_MEMBERS + 1)),
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  oneClient('body-large-unicode', [send(curlHook('PostToolUse', largePayload(1 << 20, 'ü世👋')))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
];
