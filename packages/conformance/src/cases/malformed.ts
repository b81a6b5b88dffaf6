/**
 * Malformed and hostile requests: bad request lines, bad header names and
 * values, broken or ambiguous body framing (the request smuggling vectors of
 * RFC 9112 section 11.2), bad chunks, bare LF line endings and NUL bytes. For
 * each, node:http's exact answer and connection handling is the reference.
 */
import {
  DEFAULT_HEADERS,
  LOCAL_HOST,
  request,
  SMALL_BODY,
  type HeaderList,
} from '../harness/requests.js';
import { byLlhttp } from '../harness/node-under-test.js';
import {
  awaitAnswers,
  close,
  halfClose,
  oneClient,
  pause,
  send,
  SPLIT_PAUSE_MS,
  type TrafficCase,
} from '../harness/traffic-script.js';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
/** A request with this request line and the usual headers and body. */
const withLine = (line: string, body = SMALL_BODY): Buffer =>
  latin1(
    `${line}\r\nHost: ${LOCAL_HOST}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
/** A hook POST with these extra header lines written as they are (so they may be malformed). */
const withHeaderLines = (lines: string, body = SMALL_BODY): Buffer =>
  latin1(
    `POST /hook?event=Stop HTTP/1.1\r\nHost: ${LOCAL_HOST}\r\nContent-Type: application/json\r\n${lines}\r\n${body}`,
  );
const withHeaders = (
  headers: HeaderList,
  body: Buffer | string = SMALL_BODY,
  contentLength = true,
): Buffer => request({ headers: [...DEFAULT_HEADERS, ...headers], body, contentLength });
const chunked = (
  rawBody: string,
  headers: HeaderList = [['Transfer-Encoding', 'chunked']],
): Buffer =>
  request({
    headers: [...DEFAULT_HEADERS, ...headers],
    body: latin1(rawBody),
    contentLength: false,
  });

const upgradeHealth = request({
  method: 'GET',
  target: '/health',
  headers: [...DEFAULT_HEADERS, ['Connection', 'Upgrade'], ['Upgrade', 'websocket']],
});
const emptyHost = request({
  headers: [
    ['Host', ''],
    ['Content-Type', 'application/json'],
  ],
  body: SMALL_BODY,
});
const refused = (name: string, bytes: Buffer | string): TrafficCase =>
  oneClient(name, [send(bytes)], { statuses: [400], end: 'closed', events: 0 });
const recorded = (name: string, bytes: Buffer | string, status = 200): TrafficCase =>
  oneClient(name, [send(bytes)], {
    statuses: [status],
    end: 'open',
    events: status === 200 ? 1 : 0,
  });
const answered = (
  name: string,
  bytes: Buffer | string,
  status: number,
  end: 'open' | 'closed',
  events: number,
): TrafficCase => oneClient(name, [send(bytes)], { statuses: [status], end, events: events });
/** The request is incomplete until the client gives up: node:http answers 400 to the end of input. */
const cutShort = (name: string, bytes: Buffer | string): TrafficCase =>
  oneClient(name, [send(bytes), pause(SPLIT_PAUSE_MS), halfClose], {
    statuses: [400],
    end: 'closed',
    events: 0,
  });

/** A Content-Length past the body limit: 413 before the body is read, and the hook's record (body-limits.ts). */
const bodyTooLarge = (name: string, bytes: Buffer | string): TrafficCase =>
  oneClient(name, [send(bytes)], { statuses: [413], end: 'closed', events: 1 });

export const REQUEST_LINE_CASES: readonly TrafficCase[] = [
  refused('request-line-garbage', 'GARBAGE\r\n\r\n'),
  refused('request-line-lower-case-method', withLine('post /hook?event=Stop HTTP/1.1')),
  refused('request-line-unknown-method', withLine('FOO /hook?event=Stop HTTP/1.1')),
  refused('request-line-method-prefix-only', withLine('POS /hook?event=Stop HTTP/1.1')),
  refused('request-line-rtsp-method-over-http', withLine('DESCRIBE /health HTTP/1.1')),
  answered('request-line-rtsp-protocol', withLine('OPTIONS /health RTSP/1.0'), 405, 'closed', 0),
  answered(
    'request-line-rtsp-protocol-hook',
    withLine('POST /hook?event=Stop RTSP/1.0'),
    200,
    'closed',
    1,
  ),
  answered('request-line-rtsp-only-method', withLine('PLAY /health RTSP/1.0'), 405, 'closed', 0),
  refused('request-line-rtsp-protocol-http-only-method', withLine('PATCH /health RTSP/1.0')),
  answered('request-line-ice-protocol', withLine('SOURCE /health ICE/1.0'), 405, 'closed', 0),
  refused('request-line-ice-protocol-other-method', withLine('GET /health ICE/1.0')),
  recorded('request-line-two-spaces-before-target', withLine('POST  /hook?event=Stop HTTP/1.1')),
  recorded('request-line-two-spaces-before-version', withLine('POST /hook?event=Stop  HTTP/1.1')),
  refused('request-line-tab-after-method', withLine('POST\t/hook?event=Stop HTTP/1.1')),
  refused('request-line-leading-space', withLine(' POST /hook?event=Stop HTTP/1.1')),
  refused('request-line-trailing-space', withLine('POST /hook?event=Stop HTTP/1.1 ')),
  refused('request-line-method-only', 'POST\r\n\r\n'),
  refused('request-line-no-target', withLine('POST HTTP/1.1')),
  refused('request-line-empty-target', withLine('POST  HTTP/1.1')),
  answered(
    'request-line-http09-no-version',
    `GET /health\r\nHost: ${LOCAL_HOST}\r\n\r\n`,
    200,
    'closed',
    0,
  ),
  answered(
    'request-line-http09-hook',
    `POST /hook?event=Stop\r\nHost: ${LOCAL_HOST}\r\nContent-Type: application/json\r\n\r\n`,
    200,
    'closed',
    1,
  ),
  // llhttp takes a bare LF right after the target as the end of an HTTP/0.9 request line.
  answered(
    'request-line-http09-bare-lf',
    `GET /health\nHost: ${LOCAL_HOST}\r\n\r\n`,
    200,
    'closed',
    0,
  ),
  answered(
    'request-line-version-0.9',
    withLine('POST /hook?event=Stop HTTP/0.9'),
    200,
    'closed',
    1,
  ),
  answered(
    'request-line-version-2.0',
    withLine('POST /hook?event=Stop HTTP/2.0'),
    200,
    'closed',
    1,
  ),
  refused('request-line-version-1.2', withLine('POST /hook?event=Stop HTTP/1.2')),
  refused('request-line-version-3.0', withLine('POST /hook?event=Stop HTTP/3.0')),
  refused('request-line-version-two-digit-minor', withLine('POST /hook?event=Stop HTTP/1.10')),
  refused('request-line-version-lower-case', withLine('POST /hook?event=Stop http/1.1')),
  refused('request-line-version-missing-minor', withLine('POST /hook?event=Stop HTTP/1')),
  refused(
    'request-line-bare-lf',
    latin1(`POST /hook?event=Stop HTTP/1.1\nHost: ${LOCAL_HOST}\r\nContent-Length: 2\r\n\r\n{}`),
  ),
  refused(
    'request-line-cr-without-lf',
    latin1(`POST /hook?event=Stop HTTP/1.1\rHost: ${LOCAL_HOST}\r\n\r\n`),
  ),
  refused('request-line-nul-in-method', withLine('PO\x00ST /hook?event=Stop HTTP/1.1')),
  refused('request-line-nul-in-target', withLine('POST /hook?event=St\x00op HTTP/1.1')),
  refused('target-without-leading-slash', withLine('POST hook?event=Stop HTTP/1.1')),
  refused('target-raw-utf8', withLine('POST /hook?event=\xc3\xa9t\xc3\xa9 HTTP/1.1')),
  refused('target-raw-latin1-byte', withLine('POST /hook?event=St\xffop HTTP/1.1')),
  refused('target-tab-inside', withLine('POST /hook?event=St\top HTTP/1.1')),
  refused('target-form-feed-inside', withLine('POST /hook?event=St\x0cop HTTP/1.1')),
  refused('target-del', withLine('POST /hook?event=St\x7fop HTTP/1.1')),
  refused('target-control-byte', withLine('POST /hook?event=St\x01op HTTP/1.1')),
  recorded(
    'target-odd-but-allowed-characters',
    withLine('POST /hook?event=Stop&x="<{|}>"^`[\\] HTTP/1.1'),
  ),
  recorded('target-extra-question-marks', withLine('POST /hook??event=Stop?x HTTP/1.1')),
  recorded('target-hash-in-fragment', withLine('POST /hook?event=Stop#a#b?c HTTP/1.1')),
  recorded(
    'target-absolute-with-userinfo',
    withLine(`POST http://user:pw@${LOCAL_HOST}/hook?event=Stop HTTP/1.1`),
  ),
  // llhttp refuses two @ only when they touch.
  recorded(
    'target-absolute-two-at-signs-apart',
    withLine('POST http://a@b@127.0.0.1/hook?event=Stop HTTP/1.1'),
  ),
  refused(
    'target-absolute-two-at-signs-together',
    withLine('POST http://a@@127.0.0.1/hook?event=Stop HTTP/1.1'),
  ),
  refused('target-authority-quote', withLine('POST http://127.0.0.1"/hook HTTP/1.1')),
  recorded(
    'target-authority-brackets',
    withLine('POST http://[::1]:23518/hook?event=Stop HTTP/1.1'),
  ),
  // With no path the path is `/`, the live view's, which takes GET and HEAD only.
  recorded('target-authority-only', withLine(`POST http://${LOCAL_HOST} HTTP/1.1`), 405),
  recorded(
    'target-absolute-query-without-path',
    withLine(`POST http://${LOCAL_HOST}?event=Stop HTTP/1.1`),
    405,
  ),
  refused('target-absolute-no-slashes', withLine('POST http:hook HTTP/1.1')),
  refused('target-absolute-bad-host-char', withLine('POST http://127.0.0.1"/hook HTTP/1.1')),
  refused('target-authority-form-on-post', withLine(`POST ${LOCAL_HOST} HTTP/1.1`)),
  refused('target-schema-with-digit', withLine('POST h2c://127.0.0.1/hook HTTP/1.1')),
  recorded('target-asterisk-on-post', withLine('POST * HTTP/1.1'), 404),
  refused('method-pri-http11', withLine('PRI /hook?event=Stop HTTP/1.1')),
  oneClient('method-pri-http2-preface-only', [send('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')], {
    statuses: [400],
    end: 'closed',
    events: 0,
  }),
  oneClient(
    'method-connect-pipelined-after-hook',
    [
      send(
        Buffer.concat([
          withHeaders([]),
          latin1(`CONNECT ${LOCAL_HOST} HTTP/1.1\r\nHost: ${LOCAL_HOST}\r\n\r\n`),
        ]),
      ),
    ],
    { statuses: [], end: 'closed', events: 1 },
  ),
];

export const HEADER_CASES: readonly TrafficCase[] = [
  refused(
    'header-space-before-colon',
    withHeaderLines('X-Test : 1\r\nContent-Length: 2\r\n', '{}'),
  ),
  refused(
    'header-space-before-colon-content-length',
    withHeaderLines('Content-Length : 2\r\n', '{}'),
  ),
  refused('header-space-inside-name', withHeaderLines('X Test: 1\r\nContent-Length: 2\r\n', '{}')),
  refused('header-tab-before-colon', withHeaderLines('X-Test\t: 1\r\nContent-Length: 2\r\n', '{}')),
  refused('header-empty-name', withHeaderLines(': 1\r\nContent-Length: 2\r\n', '{}')),
  refused('header-without-colon', withHeaderLines('X-Test\r\nContent-Length: 2\r\n', '{}')),
  refused('header-separator-in-name', withHeaderLines('X(Test): 1\r\nContent-Length: 2\r\n', '{}')),
  refused('header-non-ascii-name', withHeaderLines('X-T\xe9st: 1\r\nContent-Length: 2\r\n', '{}')),
  refused('header-nul-in-name', withHeaderLines('X-T\x00: 1\r\nContent-Length: 2\r\n', '{}')),
  refused(
    'header-obs-fold',
    withHeaderLines('X-Test: a\r\n  folded\r\nContent-Length: 2\r\n', '{}'),
  ),
  refused(
    'header-obs-fold-with-tab',
    withHeaderLines('X-Test: a\r\n\tfolded\r\nContent-Length: 2\r\n', '{}'),
  ),
  refused(
    'header-obs-fold-after-empty-value',
    withHeaderLines('X-Test:\r\n folded\r\nContent-Length: 2\r\n', '{}'),
  ),
  refused(
    'header-space-before-first-header',
    latin1(`POST /hook?event=Stop HTTP/1.1\r\n Host: ${LOCAL_HOST}\r\nContent-Length: 2\r\n\r\n{}`),
  ),
  refused('header-nul-in-value', withHeaderLines('X-Test: a\x00b\r\nContent-Length: 2\r\n', '{}')),
  refused('header-del-in-value', withHeaderLines('X-Test: a\x7fb\r\nContent-Length: 2\r\n', '{}')),
  refused(
    'header-control-in-value',
    withHeaderLines('X-Test: a\x01b\r\nContent-Length: 2\r\n', '{}'),
  ),
  refused(
    'header-bare-cr-in-value',
    withHeaderLines('X-Test: a\rb\r\nContent-Length: 2\r\n', '{}'),
  ),
  refused('header-bare-lf-ends-value', withHeaderLines('X-Test: a\nContent-Length: 2\r\n', '{}')),
  refused(
    'header-bare-lf-ends-head',
    latin1(`POST /hook?event=Stop HTTP/1.1\r\nHost: ${LOCAL_HOST}\r\nContent-Length: 2\r\n\n{}`),
  ),
  refused(
    'header-bare-lf-everywhere',
    latin1(`POST /hook?event=Stop HTTP/1.1\nHost: ${LOCAL_HOST}\nContent-Length: 2\n\n{}`),
  ),
  refused('header-cr-cr-lf', withHeaderLines('X-Test: a\r\r\nContent-Length: 2\r\n', '{}')),
  recorded(
    'header-obs-text-in-value',
    withHeaderLines('X-Test: caf\xe9 \xff\r\nContent-Length: 2\r\n', '{}'),
  ),
  recorded('header-tab-in-value', withHeaderLines('X-Test: a\tb\t\r\nContent-Length: 2\r\n', '{}')),
  recorded(
    'header-empty-value',
    withHeaderLines('X-Empty:\r\nX-Blank:   \r\nContent-Length: 2\r\n', '{}'),
  ),
  recorded(
    'header-names-any-case',
    latin1(
      `POST /hook?event=Stop HTTP/1.1\r\nhOsT: ${LOCAL_HOST}\r\ncontent-TYPE: application/json\r\nCONTENT-LENGTH: 2\r\n\r\n{}`,
    ),
  ),
  recorded(
    'header-no-space-after-colon',
    latin1(
      `POST /hook?event=Stop HTTP/1.1\r\nHost:${LOCAL_HOST}\r\nContent-Type:application/json\r\nContent-Length:2\r\n\r\n{}`,
    ),
  ),
  recorded(
    'header-tabs-around-value',
    latin1(
      `POST /hook?event=Stop HTTP/1.1\r\nHost:\t${LOCAL_HOST}\t\r\nContent-Type: \t application/json \t \r\nContent-Length:\t2\r\n\r\n{}`,
    ),
  ),
  recorded(
    'header-duplicates',
    withHeaders([
      ['User-Agent', 'a'],
      ['User-Agent', 'b'],
      ['X-Many', '1'],
      ['X-Many', '2'],
    ]),
  ),
  recorded('header-host-duplicate', withHeaders([['Host', 'localhost']])),
  // Present but empty is present for node:http; the guard then refuses the name.
  { ...answered('header-host-empty-over-tcp', emptyHost, 421, 'open', 0), only: 'tcp' },
  { ...recorded('header-host-empty-over-unix', emptyHost), only: 'unix' },
  answered(
    'header-host-missing-http11',
    request({ headers: [['Content-Type', 'application/json']], body: SMALL_BODY }),
    400,
    'closed',
    0,
  ),
  answered(
    'header-host-missing-head-request',
    request({ method: 'HEAD', target: '/health', headers: [] }),
    400,
    'closed',
    0,
  ),
  answered(
    'header-host-missing-with-keep-alive',
    request({
      headers: [
        ['Content-Type', 'application/json'],
        ['Connection', 'keep-alive'],
      ],
      body: SMALL_BODY,
    }),
    400,
    'closed',
    0,
  ),
  // llhttp parses on behind the 400; the second request reaches the handler, its answer never leaves.
  oneClient(
    'header-host-missing-then-pipelined',
    [
      send(
        Buffer.concat([
          request({ headers: [['Content-Type', 'application/json']], body: SMALL_BODY }),
          withHeaders([]),
        ]),
      ),
    ],
    { statuses: [400], end: 'closed', events: 1 },
  ),
  answered(
    'header-proxy-connection-close',
    withHeaders([['Proxy-Connection', 'close']]),
    200,
    'closed',
    1,
  ),
  answered(
    'header-proxy-connection-keep-alive-http10',
    request({
      version: '1.0',
      headers: [...DEFAULT_HEADERS, ['Proxy-Connection', 'keep-alive']],
      body: SMALL_BODY,
    }),
    200,
    'open',
    1,
  ),
  recorded('header-connection-prefix-is-not-connection', withHeaders([['Connection-X', 'close']])),
  // llhttp 9.3 takes a tab after "close" for part of another option; 9.4 for a blank.
  answered(
    'header-connection-close-with-tab',
    withHeaders([['Connection', '\tclose\t']]),
    200,
    byLlhttp({ llhttp93: 'open', llhttp94: 'closed' }),
    1,
  ),
  answered(
    'header-connection-close-then-space',
    withHeaders([['Connection', 'close ']]),
    200,
    'closed',
    1,
  ),
  answered(
    'header-connection-close-after-empty-tokens',
    withHeaders([['Connection', ', , close']]),
    200,
    'closed',
    1,
  ),
  recorded('header-connection-close-quoted', withHeaders([['Connection', '"close"']])),
  oneClient(
    'upgrade-without-listener-then-pipelined',
    [
      send(
        Buffer.concat([
          request({
            method: 'GET',
            target: '/health',
            headers: [...DEFAULT_HEADERS, ['Connection', 'Upgrade'], ['Upgrade', 'websocket']],
          }),
          withHeaders([]),
        ]),
      ),
    ],
    { statuses: [200], end: 'open', events: 0 },
  ),
  oneClient(
    'upgrade-hook-with-body-then-pipelined',
    [
      send(
        Buffer.concat([
          withHeaders([
            ['Connection', 'upgrade'],
            ['Upgrade', 'h2c'],
          ]),
          withHeaders([]),
        ]),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'upgrade-then-next-request-later',
    [send(upgradeHealth), awaitAnswers(1), send(withHeaders([]))],
    { statuses: [200, 200], end: 'open', events: 1 },
  ),
  // While llhttp's upgrade flag is up, node:http ignores its errors: the next bad request is neither answered nor refused.
  oneClient(
    'upgrade-then-bad-request-ignored',
    [send(upgradeHealth), awaitAnswers(1), send('GARBAGE\r\n\r\n')],
    { statuses: [200], end: 'open', events: 0 },
  ),
  oneClient(
    'upgrade-then-bad-request-then-half-close',
    [
      send(upgradeHealth),
      awaitAnswers(1),
      send('GARBAGE\r\n\r\n'),
      pause(SPLIT_PAUSE_MS),
      halfClose,
    ],
    { statuses: [200], end: 'closed', events: 0 },
  ),
  oneClient(
    'upgrade-then-half-close-right-away',
    [send(upgradeHealth), awaitAnswers(1), halfClose],
    { statuses: [200], end: 'closed', events: 0 },
  ),
  oneClient(
    'upgrade-then-bad-header-ignored',
    [
      send(upgradeHealth),
      awaitAnswers(1),
      send(withHeaderLines('X Bad: 1\r\nContent-Length: 2\r\n', '{}')),
    ],
    { statuses: [200], end: 'open', events: 0 },
  ),
  oneClient(
    'upgrade-then-good-request-answered',
    [
      send(upgradeHealth),
      awaitAnswers(1),
      send(withHeaders([])),
      awaitAnswers(2),
      send('GARBAGE\r\n\r\n'),
    ],
    { statuses: [200, 200, 400], end: 'closed', events: 1 },
  ),
  oneClient(
    'upgrade-http10-then-pipelined',
    [
      send(
        Buffer.concat([
          request({
            method: 'GET',
            target: '/health',
            version: '1.0',
            headers: [...DEFAULT_HEADERS, ['Connection', 'upgrade'], ['Upgrade', 'x']],
          }),
          withHeaders([]),
        ]),
      ),
    ],
    { statuses: [200], end: 'closed', events: 0 },
  ),
  oneClient(
    'upgrade-header-without-connection-token',
    [send(Buffer.concat([withHeaders([['Upgrade', 'websocket']]), withHeaders([])]))],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  oneClient(
    'connection-upgrade-without-upgrade-header',
    [send(Buffer.concat([withHeaders([['Connection', 'upgrade']]), withHeaders([])]))],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
];

export const FRAMING_CASES: readonly TrafficCase[] = [
  refused('content-length-not-a-number', withHeaderLines('Content-Length: abc\r\n', '{}')),
  refused('content-length-negative', withHeaderLines('Content-Length: -2\r\n', '{}')),
  refused('content-length-plus-sign', withHeaderLines('Content-Length: +2\r\n', '{}')),
  refused('content-length-empty', withHeaderLines('Content-Length:\r\n', '{}')),
  refused('content-length-blank', withHeaderLines('Content-Length:   \r\n', '{}')),
  refused('content-length-hex', withHeaderLines('Content-Length: 0x2\r\n', '{}')),
  refused('content-length-space-inside', withHeaderLines('Content-Length: 1 0\r\n', '{}')),
  refused('content-length-list', withHeaderLines('Content-Length: 2, 2\r\n', '{}')),
  refused(
    'content-length-twice-equal',
    withHeaderLines('Content-Length: 2\r\nContent-Length: 2\r\n', '{}'),
  ),
  refused(
    'content-length-twice-different',
    withHeaderLines('Content-Length: 2\r\nContent-Length: 3\r\n', '{}x'),
  ),
  refused(
    'content-length-twice-one-blank',
    withHeaderLines('Content-Length: 2\r\nContent-Length:\r\n', '{}'),
  ),
  recorded('content-length-leading-zeros', withHeaderLines('Content-Length: 0002\r\n', '{}')),
  recorded(
    'content-length-padded-with-spaces',
    withHeaderLines('Content-Length:   2   \r\n', '{}'),
  ),
  // A tab after the digits: llhttp 9.3 refuses it, 9.4 takes it for a blank.
  answered(
    'content-length-tab-after',
    withHeaderLines('Content-Length: 2\t\r\n', '{}'),
    byLlhttp({ llhttp93: 400, llhttp94: 200 }),
    byLlhttp({ llhttp93: 'closed', llhttp94: 'open' }),
    byLlhttp({ llhttp93: 0, llhttp94: 1 }),
  ),
  refused('content-length-trailing-garbage', withHeaderLines('Content-Length: 2x\r\n', '{}')),
  refused(
    'content-length-over-uint64',
    withHeaderLines('Content-Length: 18446744073709551616\r\n', '{}'),
  ),
  // Lengths llhttp takes, far past MAX_BODY_BYTES: refused at the head, the hook recorded with `_error`.
  bodyTooLarge(
    'content-length-over-int64',
    withHeaderLines('Content-Length: 9223372036854775808\r\n', '{}'),
  ),
  bodyTooLarge(
    'content-length-largest-uint64',
    withHeaderLines('Content-Length: 18446744073709551615\r\n', '{}'),
  ),
  bodyTooLarge(
    'content-length-largest-int64',
    withHeaderLines('Content-Length: 9223372036854775807\r\n', '{}'),
  ),
  cutShort('content-length-body-cut-short', withHeaderLines('Content-Length: 10\r\n', '{}')),
  oneClient(
    'content-length-body-short-client-closes',
    [send(withHeaderLines('Content-Length: 10\r\n', '{}')), pause(SPLIT_PAUSE_MS), close],
    { statuses: [], end: 'closed-by-client', events: 0 },
  ),
  // The rest is a bad next request, in the same read: its 400 goes out instead of the first answer.
  oneClient(
    'content-length-body-longer-than-announced',
    [send(withHeaderLines('Content-Length: 2\r\n', '{}{}'))],
    { statuses: [400], end: 'closed', events: 1 },
  ),
  oneClient(
    'content-length-body-longer-later-read',
    [send(withHeaderLines('Content-Length: 2\r\n', '{}')), awaitAnswers(1), send('{}')],
    { statuses: [200, 400], end: 'closed', events: 1 },
  ),
  refused(
    'content-length-and-transfer-encoding',
    withHeaderLines('Content-Length: 7\r\nTransfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  refused(
    'transfer-encoding-and-content-length',
    withHeaderLines('Transfer-Encoding: chunked\r\nContent-Length: 7\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  refused(
    'transfer-encoding-and-content-length-zero',
    withHeaderLines('Transfer-Encoding: chunked\r\nContent-Length: 0\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  refused(
    'transfer-encoding-and-content-length-http10',
    latin1(
      `POST /hook?event=Stop HTTP/1.0\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ),
  ),
  refused('transfer-encoding-gzip-only', withHeaderLines('Transfer-Encoding: gzip\r\n', '{}')),
  // llhttp refuses the framing only after node:http has begun to answer the head.
  oneClient(
    'transfer-encoding-gzip-after-expect-continue',
    [send(withHeaderLines('Expect: 100-continue\r\nTransfer-Encoding: gzip\r\n', '{}'))],
    { statuses: [100, 400], end: 'closed', events: 0 },
  ),
  answered(
    'transfer-encoding-gzip-without-host',
    request({
      headers: [
        ['Content-Type', 'application/json'],
        ['Transfer-Encoding', 'gzip'],
      ],
      body: '{}',
      contentLength: false,
    }),
    400,
    'closed',
    0,
  ),
  answered(
    'transfer-encoding-gzip-other-expectation',
    withHeaderLines('Expect: later\r\nTransfer-Encoding: gzip\r\n', '{}'),
    417,
    'closed',
    0,
  ),
  refused('transfer-encoding-identity', withHeaderLines('Transfer-Encoding: identity\r\n', '{}')),
  refused(
    'transfer-encoding-chunked-then-gzip',
    withHeaderLines('Transfer-Encoding: chunked, gzip\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  refused(
    'transfer-encoding-chunked-twice',
    withHeaderLines('Transfer-Encoding: chunked, chunked\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  refused(
    'transfer-encoding-chunked-then-header-gzip',
    withHeaderLines(
      'Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n',
      '2\r\n{}\r\n0\r\n\r\n',
    ),
  ),
  refused(
    'transfer-encoding-chunked-trailing-comma',
    withHeaderLines('Transfer-Encoding: chunked,\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  // llhttp 9.3 ignores an empty Transfer-Encoding (the body is then a bad next request); 9.4 refuses it.
  oneClient('transfer-encoding-empty', [send(withHeaderLines('Transfer-Encoding:\r\n', '{}'))], {
    statuses: [400],
    end: 'closed',
    events: byLlhttp({ llhttp93: 1, llhttp94: 0 }),
  }),
  refused(
    'transfer-encoding-xchunked',
    withHeaderLines('Transfer-Encoding: xchunked\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  refused(
    'transfer-encoding-chunked-x',
    withHeaderLines('Transfer-Encoding: chunkedx\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  recorded(
    'transfer-encoding-chunked-padded',
    withHeaderLines('Transfer-Encoding:   chunked   \r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  refused(
    'transfer-encoding-chunked-tab-after',
    withHeaderLines('Transfer-Encoding: chunked\t\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  recorded(
    'transfer-encoding-list-with-tabs',
    withHeaderLines('Transfer-Encoding: gzip,\t chunked\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),
  recorded(
    'transfer-encoding-quoted-comma-token',
    withHeaderLines('Transfer-Encoding: "x,y", chunked\r\n', '2\r\n{}\r\n0\r\n\r\n'),
  ),

  refused('chunk-size-not-hex', chunked('zz\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-missing', chunked('\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-negative', chunked('-2\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-hex-prefix', chunked('0x2\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-space-after', chunked('2 \r\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-tab-after', chunked('2\t\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-space-before', chunked(' 2\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-overflow', chunked('10000000000000000\r\n{}\r\n0\r\n\r\n')),
  cutShort('chunk-size-largest', chunked('ffffffffffffffff\r\n{}')),
  refused('chunk-size-bare-lf', chunked('2\n{}\r\n0\r\n\r\n')),
  refused('chunk-size-cr-without-lf', chunked('2\r{}\r\n0\r\n\r\n')),
  refused('chunk-data-longer-than-size', chunked('1\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-data-without-crlf', chunked('2\r\n{}0\r\n\r\n')),
  refused('chunk-data-bare-lf', chunked('2\r\n{}\n0\r\n\r\n')),
  refused('chunk-last-bare-lf', chunked('2\r\n{}\r\n0\n\r\n')),
  refused('chunk-extension-space-before-semicolon', chunked('2 ;a=b\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-extension-space-after-semicolon', chunked('2; a=b\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-extension-space-in-name', chunked('2;a b=c\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-extension-space-around-equals', chunked('2;a = b\r\n{}\r\n0\r\n\r\n')),
  recorded('chunk-extension-empty-name', chunked('2;=b\r\n{}\r\n0\r\n\r\n')),
  recorded('chunk-extension-empty-value', chunked('2;a=\r\n{}\r\n0\r\n\r\n')),
  recorded('chunk-extension-two-semicolons', chunked('2;;a\r\n{}\r\n0\r\n\r\n')),
  recorded('chunk-extension-quote-inside-value', chunked('2;a=b"c;d"\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-extension-bad-character', chunked('2;a=b\x01\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-extension-quoted-bad-character', chunked('2;a="b\x01"\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-extension-after-quote', chunked('2;a="b"c\r\n{}\r\n0\r\n\r\n')),
  recorded('chunk-extensions-several', chunked('2;a=b;c;d="e;f"\r\n{}\r\n0;last\r\n\r\n')),
  recorded('chunk-extension-quoted-pair', chunked('2;a="\\"\\\\"\r\n{}\r\n0\r\n\r\n')),
  refused('chunk-extension-trailing-semicolon', chunked('2;\r\n{}\r\n0\r\n\r\n')),
  cutShort('chunk-extension-quoted-unterminated', chunked('2;a="b\r\n{}\r\n0\r\n\r\n')),
  answered(
    'chunk-extensions-over-limit',
    chunked(`2;a=${'x'.repeat(16_400)}\r\n{}\r\n0\r\n\r\n`),
    413,
    'closed',
    0,
  ),
  recorded(
    'chunk-extensions-just-under-limit',
    chunked(`2;a=${'x'.repeat(16_000)}\r\n{}\r\n0\r\n\r\n`),
  ),
  // node counts extensions per chunk (on_chunk_header resets the count).
  recorded(
    'chunk-extensions-limit-is-per-chunk',
    chunked(`1;a=${'x'.repeat(9_000)}\r\n{\r\n1;a=${'x'.repeat(9_000)}\r\n}\r\n0\r\n\r\n`),
  ),
  answered(
    'chunk-extensions-over-limit-then-bad-byte',
    chunked(`2;a=${'x'.repeat(16_390)}\x01\r\n{}\r\n0\r\n\r\n`),
    413,
    'closed',
    0,
  ),
  answered(
    'chunk-extensions-exactly-at-limit',
    chunked(`2;a=${'x'.repeat(16_383)}\r\n{}\r\n0\r\n\r\n`),
    200,
    'open',
    1,
  ),
  answered(
    'chunk-extensions-one-over-limit',
    chunked(`2;a=${'x'.repeat(16_384)}\r\n{}\r\n0\r\n\r\n`),
    413,
    'closed',
    0,
  ),
  recorded('chunk-trailer-fields', chunked('2\r\n{}\r\n0\r\nX-Trailer: 1\r\nX-Other: two\r\n\r\n')),
  refused('chunk-trailer-obs-fold', chunked('2\r\n{}\r\n0\r\nX-Trailer: 1\r\n more\r\n\r\n')),
  refused('chunk-trailer-space-before-colon', chunked('2\r\n{}\r\n0\r\nX-Trailer : 1\r\n\r\n')),
  refused('chunk-trailer-bare-lf', chunked('2\r\n{}\r\n0\r\nX-Trailer: 1\n\r\n')),
  // A Connection: close in the trailers: the answer (decided by the head) keeps the connection, llhttp does not.
  oneClient(
    'chunk-trailer-connection-close',
    [
      send(chunked('2\r\n{}\r\n0\r\nConnection: close\r\n\r\n')),
      awaitAnswers(1),
      send(withHeaders([])),
    ],
    { statuses: [200, 400], end: 'closed', events: 1 },
  ),
  refused('chunk-trailer-content-length', chunked('2\r\n{}\r\n0\r\nContent-Length: 5\r\n\r\n')),
  refused(
    'chunk-trailer-transfer-encoding',
    chunked('2\r\n{}\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n'),
  ),
  cutShort('chunked-cut-short-in-data', chunked('5\r\n{}')),
  cutShort('chunked-cut-short-before-last-chunk', chunked('2\r\n{}\r\n')),
  cutShort('chunked-cut-short-in-trailers', chunked('2\r\n{}\r\n0\r\nX-T: 1\r\n')),
  recorded('body-with-nul-bytes', withHeaders([], Buffer.from('{"a":"\u0000"}\u0000', 'utf8'))),
];
