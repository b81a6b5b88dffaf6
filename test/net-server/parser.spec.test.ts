/**
 * The request parser's specification, llhttp style (llhttp's test/*.md):
 * bytes in, the parser's outputs out, in process. One table per part of the
 * grammar, in the order of the parser's groups of states. Each case names
 * what it shows; each expectation names the output it expects, and an error
 * names its offset in the input as llhttp reports it (llhttp_get_error_pos):
 * at the byte refused (`at('post')`: the first byte of the first `post`), or
 * just after it (`after('a@@')`) where llhttp takes the byte in before it
 * fails. The reasons are llhttp's words. test/conformance proves the same
 * behaviour against node:http over real sockets; these say it rule by rule.
 */
import { describe, expect, it } from 'vitest';
import {
  dialectOf,
  RequestParser,
  type ParserLimits,
  type ParserOutput,
} from '@hook-observatory/net-server/request-parser';

// --- Expectations ------------------------------------------------------------

/** Where an error is expected: a byte of the input, found by the text it begins. */
type Offset = { readonly at: string; readonly nth?: number } | { readonly after: string } | 'end';
const at = (marker: string, nth = 1): Offset => ({ at: marker, nth });
const after = (marker: string): Offset => ({ after: marker });
const atEnd: Offset = 'end';

interface Expected {
  readonly kind: string;
  readonly [field: string]: unknown;
}

function head(
  method: string,
  target: string,
  more: { version?: string; keepAlive?: boolean; upgrade?: boolean; headers?: string[][] } = {},
): Expected {
  return { kind: 'head', method, target, ...more };
}
const request = (body = ''): Expected => ({ kind: 'request', body });
const TICK: Expected = { kind: 'tick' };
/** Trailer fields are handed over in a batch of their own, with a tick, before the request. */
const TRAILER_BATCH = TICK;
/** Once a batch of 32 fields has been handed over, every later head comes with a tick. */
const BATCHED_HEAD = TICK;
const UPGRADE: Expected = { kind: 'upgrade' };
const bodyTooLong = (bodyBytes: number): Expected => ({ kind: 'body-too-long', bodyBytes });
const badRequest = (reason: string, where: Offset): Expected => ({
  kind: 'error',
  error: 'bad-request',
  reason,
  where,
});
const headerOverflow = (where: Offset): Expected => ({
  kind: 'error',
  error: 'header-overflow',
  reason: 'Header overflow',
  where,
});
const extensionsOverflow = (where: Offset): Expected => ({
  kind: 'error',
  error: 'chunk-extensions-overflow',
  reason: 'Chunk extensions overflow',
  where,
});

/** A server that answers every head itself (a 417, say): no body is kept, none is too long. */
const DRAINS_EVERY_BODY = (): boolean => true;

interface SpecCase {
  readonly name: string;
  /** The reads, in order: a string is latin1 bytes. */
  readonly reads: readonly string[];
  readonly outputs: readonly Expected[];
  /** The client ends its side after the reads (`finish`). */
  readonly thenEnd?: boolean;
  readonly limits?: Partial<ParserLimits>;
  /** The dialect of llhttp 9.3 (Node 20) instead of 9.4 with the header count fix. */
  readonly llhttp93?: boolean;
  /** The outputs depend on where the reads are cut: no byte-by-byte check. */
  readonly readsMatter?: string;
}

// --- The tables ---------------------------------------------------------------

const GET = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
const post = (body: string, headers = ''): string =>
  `POST /hook HTTP/1.1\r\nHost: a\r\n${headers}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
const chunked = (chunks: string): string =>
  `POST /hook HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}`;

const requestLine: SpecCase[] = [
  {
    name: 'origin-form',
    reads: [GET],
    outputs: [head('GET', '/', { version: '1.1', keepAlive: true }), request()],
  },
  {
    name: 'line-ends-before-the-request-are-skipped',
    reads: [`\r\n\r\n${GET}`],
    outputs: [head('GET', '/'), request()],
  },
  {
    name: 'several-spaces-between-the-parts',
    reads: ['GET   /   HTTP/1.1\r\n\r\n'],
    outputs: [head('GET', '/'), request()],
  },
  {
    name: 'methods-are-case-sensitive',
    reads: ['post / HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Invalid method encountered', at('post'))],
  },
  {
    name: 'unknown-method-refused-at-its-first-wrong-byte',
    reads: ['GXT / HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Invalid method encountered', at('X'))],
  },
  {
    name: 'method-prefix-is-no-method',
    reads: ['GE / HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Invalid method encountered', at(' '))],
  },
  {
    name: 'longer-method-sharing-a-prefix',
    reads: ['MKCALENDAR / HTTP/1.1\r\n\r\n'],
    outputs: [head('MKCALENDAR', '/'), request()],
  },
  {
    name: 'http-1.0-closes-by-default',
    reads: ['GET / HTTP/1.0\r\n\r\n'],
    outputs: [head('GET', '/', { version: '1.0', keepAlive: false }), request()],
  },
  {
    name: 'http-2.0-as-text-is-old',
    reads: ['GET / HTTP/2.0\r\n\r\n'],
    outputs: [head('GET', '/', { version: '2.0', keepAlive: false }), request()],
  },
  {
    name: 'unknown-version',
    reads: ['GET / HTTP/1.2\r\n\r\n'],
    outputs: [badRequest('Invalid HTTP version', after('HTTP/1.2'))],
  },
  {
    name: 'version-without-dot',
    reads: ['GET / HTTP/11\r\n\r\n'],
    outputs: [badRequest('Expected dot', at('1\r'))],
  },
  {
    name: 'rtsp-method-over-rtsp',
    reads: ['OPTIONS / RTSP/1.0\r\n\r\n'],
    outputs: [head('OPTIONS', '/', { version: '1.0' }), request()],
  },
  {
    name: 'rtsp-method-over-http',
    reads: ['DESCRIBE / HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Invalid method for HTTP/x.x request', after('DESCRIBE / HTTP'))],
  },
  {
    name: 'ice-allows-source-alone',
    reads: ['GET / ICE/1.0\r\n\r\n'],
    outputs: [badRequest('Expected SOURCE method for ICE/x.x request', after('ICE'))],
  },
  {
    name: 'unknown-protocol',
    reads: ['GET / HTTQ/1.1\r\n\r\n'],
    outputs: [badRequest('Expected HTTP/, RTSP/ or ICE/', at('Q'))],
  },
  {
    name: 'bare-lf-after-version',
    reads: ['GET / HTTP/1.1\nHost: a\r\n\r\n'],
    outputs: [badRequest('Expected CRLF after version', after('HTTP/1.1\n'))],
  },
  {
    name: 'no-version-is-http-0.9',
    reads: ['GET /\r\n\r\n'],
    outputs: [head('GET', '/', { version: '0.9', keepAlive: false }), request()],
  },
  {
    name: 'pri-reads-the-http2-preface-then-fails',
    reads: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    outputs: [badRequest('Pause on PRI/Upgrade', atEnd)],
  },
];

const target: SpecCase[] = [
  {
    name: 'path-query-fragment',
    reads: ['GET /a/b?c=d#e HTTP/1.1\r\n\r\n'],
    outputs: [head('GET', '/a/b?c=d#e'), request()],
  },
  {
    name: 'asterisk',
    reads: ['OPTIONS * HTTP/1.1\r\n\r\n'],
    outputs: [head('OPTIONS', '*'), request()],
  },
  {
    name: 'absolute-form',
    reads: ['GET http://a.example:80/x HTTP/1.1\r\n\r\n'],
    outputs: [head('GET', 'http://a.example:80/x'), request()],
  },
  {
    name: 'connect-authority',
    reads: ['CONNECT a.example:443 HTTP/1.1\r\n\r\n'],
    outputs: [head('CONNECT', 'a.example:443', { upgrade: true }), request(), UPGRADE],
  },
  {
    name: 'start-must-be-slash-asterisk-or-letter',
    reads: ['GET %2f HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Unexpected start char in url', at('%'))],
  },
  {
    name: 'digits-in-a-scheme',
    reads: ['GET h2://a/ HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Unexpected char in url schema', at('2'))],
  },
  {
    name: 'one-slash-after-a-scheme',
    reads: ['GET http:/a HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Unexpected char in url schema', at('a H'))],
  },
  {
    name: 'at-after-at-in-authority',
    reads: ['GET http://a@@b/ HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Double @ in url', after('a@@'))],
  },
  {
    name: 'at-then-at-later-passes',
    reads: ['GET http://a@b@c/ HTTP/1.1\r\n\r\n'],
    outputs: [head('GET', 'http://a@b@c/'), request()],
  },
  {
    name: 'byte-outside-visible-ascii',
    reads: ['GET /\x7f HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Invalid char in url path', at('\x7f'))],
  },
  {
    name: 'tab-in-path',
    reads: ['GET /a\tb HTTP/1.1\r\n\r\n'],
    outputs: [badRequest('Invalid characters in url', after('/a\t'))],
  },
  {
    name: 'cr-lf-after-target-ends-http-0.9-line',
    reads: ['GET /\r\nHost: a\r\n\r\n'],
    outputs: [head('GET', '/', { version: '0.9', headers: [['Host', 'a']] }), request()],
  },
  {
    name: 'cr-without-lf-after-target',
    reads: ['GET /\rX'],
    outputs: [badRequest('Expected CRLF', at('X'))],
  },
];

const headerFields: SpecCase[] = [
  {
    name: 'names-as-sent-in-order',
    reads: ['GET / HTTP/1.1\r\nHost: a\r\nX-One: 1\r\nx-two: 2\r\n\r\n'],
    outputs: [
      head('GET', '/', {
        headers: [
          ['Host', 'a'],
          ['X-One', '1'],
          ['x-two', '2'],
        ],
      }),
      request(),
    ],
  },
  {
    name: 'space-before-colon',
    reads: ['GET / HTTP/1.1\r\nHost : a\r\n\r\n'],
    outputs: [badRequest('Invalid header token', at(' :'))],
  },
  {
    name: 'space-before-first-field',
    reads: ['GET / HTTP/1.1\r\n Host: a\r\n\r\n'],
    outputs: [badRequest('Unexpected space after start line', after('\r\n '))],
  },
  {
    name: 'separator-in-name',
    reads: ['GET / HTTP/1.1\r\nA(b: c\r\n\r\n'],
    outputs: [badRequest('Invalid header token', at('('))],
  },
  {
    name: 'bare-lf-ends-no-field',
    reads: ['GET / HTTP/1.1\r\n\n'],
    outputs: [badRequest('Invalid header field char', after('HTTP/1.1\r\n\n'))],
  },
  {
    name: 'cr-without-lf-at-head-end',
    reads: ['GET / HTTP/1.1\r\n\rX'],
    outputs: [badRequest('Expected LF after headers', at('X'))],
  },
  {
    name: 'content-length-then-transfer-encoding',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'],
    outputs: [
      badRequest(
        "Transfer-Encoding can't be present with Content-Length",
        after('Transfer-Encoding:'),
      ),
    ],
  },
  {
    name: 'transfer-encoding-then-content-length',
    reads: ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n'],
    outputs: [
      badRequest(
        "Content-Length can't be present with Transfer-Encoding",
        after('Content-Length:'),
      ),
    ],
  },
];

const headerValues: SpecCase[] = [
  {
    name: 'blanks-around-a-value-trimmed',
    reads: ['GET / HTTP/1.1\r\nA: \t x y \t\r\n\r\n'],
    outputs: [head('GET', '/', { headers: [['A', 'x y']] }), request()],
  },
  {
    name: 'empty-value',
    reads: ['GET / HTTP/1.1\r\nA:\r\n\r\n'],
    outputs: [head('GET', '/', { headers: [['A', '']] }), request()],
  },
  {
    name: 'latin1-value-decoded-once',
    reads: ['GET / HTTP/1.1\r\nA: caf\xe9\r\n\r\n'],
    outputs: [head('GET', '/', { headers: [['A', 'caf\xe9']] }), request()],
  },
  {
    name: 'control-byte-in-value',
    reads: ['GET / HTTP/1.1\r\nA: x\x01y\r\n\r\n'],
    outputs: [badRequest('Invalid header value char', at('\x01'))],
  },
  {
    name: 'bare-lf-after-value',
    reads: ['GET / HTTP/1.1\r\nA: x\nB: y\r\n\r\n'],
    outputs: [badRequest('Missing expected CR after header value', at('\nB'))],
  },
  {
    name: 'cr-without-lf-after-value',
    reads: ['GET / HTTP/1.1\r\nA: x\rB'],
    outputs: [badRequest('Missing expected LF after header value', at('B'))],
  },
  {
    name: 'obs-fold-refused',
    reads: ['GET / HTTP/1.1\r\nA: x\r\n y\r\n\r\n'],
    outputs: [badRequest('Unexpected whitespace after header value', at(' y'))],
  },
  {
    name: 'connection-close',
    reads: ['GET / HTTP/1.1\r\nConnection: close\r\n\r\n'],
    outputs: [head('GET', '/', { keepAlive: false }), request()],
  },
  {
    name: 'connection-options-in-a-list-any-case',
    reads: ['GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n'],
    outputs: [head('GET', '/', { keepAlive: true }), request()],
  },
  {
    name: 'connection-option-prefix-is-no-option',
    reads: ['GET / HTTP/1.1\r\nConnection: closed\r\n\r\n'],
    outputs: [head('GET', '/', { keepAlive: true }), request()],
  },
  {
    name: 'proxy-connection-acts-as-connection',
    reads: ['GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n'],
    outputs: [head('GET', '/', { keepAlive: false }), request()],
  },
  {
    name: 'upgrade-needs-connection-upgrade',
    reads: ['GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n'],
    outputs: [head('GET', '/', { upgrade: true }), request(), UPGRADE],
  },
  {
    name: 'upgrade-alone-is-a-plain-request',
    reads: ['GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n'],
    outputs: [head('GET', '/', { upgrade: false }), request()],
  },
];

const contentLength: SpecCase[] = [
  {
    name: 'body-of-its-length',
    reads: [post('{"a":1}')],
    outputs: [head('POST', '/hook'), TICK, request('{"a":1}')],
  },
  { name: 'zero-length-no-body', reads: [post('')], outputs: [head('POST', '/hook'), request()] },
  {
    name: 'body-over-several-reads-ticks-per-read',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab', 'cd'],
    outputs: [head('POST', '/'), TICK, TICK, request('abcd')],
    readsMatter: 'one tick per read of body bytes',
  },
  {
    name: 'duplicate-content-length',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx'],
    outputs: [
      badRequest('Duplicate Content-Length', after('Content-Length: 1\r\nContent-Length: ')),
    ],
  },
  {
    name: 'empty-content-length',
    reads: ['POST / HTTP/1.1\r\nContent-Length:\r\n\r\n'],
    outputs: [badRequest('Empty Content-Length', after('Content-Length:\r\n'))],
  },
  {
    name: 'sign-in-content-length',
    reads: ['POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n'],
    outputs: [badRequest('Invalid character in Content-Length', at('+'))],
  },
  {
    name: 'spaces-after-digits',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 1  \r\n\r\nx'],
    outputs: [head('POST', '/'), TICK, request('x')],
  },
  {
    name: 'largest-uint64-length-waits',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n'],
    limits: { maxBodyBytes: Number.MAX_VALUE },
    outputs: [head('POST', '/')],
  },
  {
    name: 'past-uint64-overflows',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n'],
    outputs: [badRequest('Content-Length overflow', after('18446744073709551616'))],
  },
  {
    name: 'length-over-the-body-limit-comes-in-place-of-the-head',
    reads: [post('12345')],
    limits: { maxBodyBytes: 4 },
    outputs: [bodyTooLong(5), TICK, request('')],
  },
  // As llhttp under node:http: the refused body is read past, and the next request parsed.
  {
    name: 'length-over-the-limit-then-the-next-request-parsed',
    reads: [post('12345') + GET],
    limits: { maxBodyBytes: 4 },
    outputs: [bodyTooLong(5), TICK, request(''), head('GET', '/'), request()],
  },
  {
    name: 'length-over-the-limit-drained-when-the-server-answers-the-head-itself',
    reads: [post('12345')],
    limits: { maxBodyBytes: 4, drainsBody: DRAINS_EVERY_BODY },
    outputs: [head('POST', '/hook'), TICK, request('')],
  },
];

const chunkedBody: SpecCase[] = [
  {
    name: 'chunks-joined',
    reads: [chunked('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n')],
    outputs: [head('POST', '/hook'), TICK, TICK, request('abcde')],
  },
  {
    name: 'hex-sizes-any-case',
    reads: [chunked('A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n')],
    outputs: [head('POST', '/hook'), TICK, TICK, request('01234567890123456789')],
  },
  {
    name: 'chunked-any-case',
    reads: ['POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n'],
    outputs: [head('POST', '/'), request()],
  },
  {
    name: 'coding-after-chunked',
    reads: ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'],
    outputs: [badRequest('Invalid `Transfer-Encoding` header value', after('chunked,'))],
  },
  {
    name: 'last-coding-not-chunked',
    reads: ['POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n'],
    outputs: [head('POST', '/'), badRequest('Request has invalid `Transfer-Encoding`', atEnd)],
  },
  {
    name: 'space-after-size',
    reads: [chunked('1 \r\nx\r\n0\r\n\r\n')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Invalid character in chunk size', after('\r\n1 ')),
    ],
  },
  {
    name: 'no-size',
    reads: [chunked('\r\n')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Invalid character in chunk size', after('chunked\r\n\r\n')),
    ],
  },
  {
    name: 'bare-lf-after-size',
    reads: [chunked('1\nx')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Missing expected CR after chunk size', after('\r\n1\n')),
    ],
  },
  {
    name: 'data-longer-than-its-size',
    reads: [chunked('1\r\nxy\r\n')],
    outputs: [head('POST', '/hook'), TICK, badRequest('Expected LF after chunk data', at('y'))],
  },
  {
    name: 'size-past-uint64',
    reads: [chunked('10000000000000000\r\n')],
    outputs: [head('POST', '/hook'), badRequest('Chunk size overflow', after('10000000000000000'))],
  },
  {
    name: 'extensions-read-and-dropped',
    reads: [chunked('1;a;b=c;d="e\\"f"\r\nx\r\n0\r\n\r\n')],
    outputs: [head('POST', '/hook'), TICK, request('x')],
  },
  {
    name: 'space-in-extensions',
    reads: [chunked('1; a\r\nx\r\n0\r\n\r\n')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Invalid character in chunk extensions', after('1; ')),
    ],
  },
  {
    name: 'empty-extension-names-and-values',
    reads: [chunked('1;=;;n=\r\nx\r\n0\r\n\r\n')],
    outputs: [head('POST', '/hook'), TICK, request('x')],
  },
  {
    name: 'equals-in-extension-value',
    reads: [chunked('1;a=b=c\r\nx\r\n')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Invalid character in chunk extensions value', after('a=b=')),
    ],
  },
  {
    name: 'bare-lf-after-extension-name',
    reads: [chunked('1;a\nx')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Missing expected CR after chunk extension name', at('\nx')),
    ],
  },
  {
    name: 'control-byte-in-quoted-value',
    reads: [chunked('1;a="\x01"\r\n')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Invalid character in chunk extensions quoted value', after('\x01')),
    ],
  },
  {
    name: 'text-after-a-quoted-value',
    reads: [chunked('1;a="b"c\r\n')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Invalid character in chunk extensions quote value', at('c\r')),
    ],
  },
  {
    name: 'separator-in-extension-name',
    reads: [chunked('1;a@\r\nx\r\n')],
    outputs: [
      head('POST', '/hook'),
      badRequest('Invalid character in chunk extensions name', after('a@')),
    ],
  },
  {
    name: 'chunked-body-passing-the-limit',
    reads: [chunked('3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n')],
    limits: { maxBodyBytes: 4 },
    outputs: [head('POST', '/hook'), TICK, TICK, bodyTooLong(6), request('')],
    readsMatter: 'the limit is checked after each read of chunk data',
  },
  {
    name: 'chunked-body-past-the-limit-then-garbage-refused',
    reads: [chunked('3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\nZZZ\r\n')],
    limits: { maxBodyBytes: 4 },
    outputs: [
      head('POST', '/hook'),
      TICK,
      TICK,
      bodyTooLong(6),
      request(''),
      badRequest('Invalid method encountered', at('ZZZ')),
    ],
    readsMatter: 'the limit is checked after each read of chunk data',
  },
  {
    name: 'chunked-body-drained-past-the-limit',
    reads: [chunked('3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n')],
    limits: { maxBodyBytes: 4, drainsBody: DRAINS_EVERY_BODY },
    outputs: [head('POST', '/hook'), TICK, TICK, request('')],
  },
];

const trailers: SpecCase[] = [
  {
    name: 'trailer-fields-read-not-kept',
    reads: [chunked('1\r\nx\r\n0\r\nA: b\r\n\r\n')],
    outputs: [
      head('POST', '/hook', {
        headers: [
          ['Host', 'a'],
          ['Transfer-Encoding', 'chunked'],
        ],
      }),
      TICK,
      TRAILER_BATCH,
      request('x'),
    ],
  },
  {
    name: 'trailer-checked-like-a-header',
    reads: [chunked('0\r\nA : b\r\n\r\n')],
    outputs: [head('POST', '/hook'), badRequest('Invalid header token', at(' : b'))],
  },
  {
    name: 'close-in-trailers-answers-then-refuses-the-next',
    reads: [chunked('0\r\nConnection: close\r\n\r\n') + GET],
    outputs: [
      head('POST', '/hook', { keepAlive: true }),
      TRAILER_BATCH,
      request(),
      badRequest('Data after `Connection: close`', after('close\r\n\r\nG')),
    ],
  },
];

const pipelining: SpecCase[] = [
  {
    name: 'requests-in-one-read-in-order',
    reads: [post('a') + GET + post('b')],
    outputs: [
      head('POST', '/hook'),
      TICK,
      request('a'),
      head('GET', '/'),
      request(),
      head('POST', '/hook'),
      TICK,
      request('b'),
    ],
  },
  {
    name: 'request-split-anywhere',
    reads: ['PO', 'ST /ho', 'ok HTTP/1.1\r\nHo', 'st: a\r\nContent-Length: 1\r', '\n\r\nx'],
    outputs: [
      head('POST', '/hook', {
        headers: [
          ['Host', 'a'],
          ['Content-Length', '1'],
        ],
      }),
      TICK,
      request('x'),
    ],
  },
  {
    name: 'after-close-only-line-ends',
    reads: ['GET / HTTP/1.1\r\nConnection: close\r\n\r\n\r\n\r\n'],
    outputs: [head('GET', '/'), request()],
  },
  {
    name: 'after-close-a-request-is-refused',
    reads: ['GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n'],
    outputs: [
      head('GET', '/'),
      request(),
      badRequest('Data after `Connection: close`', after('close\r\n\r\nG')),
    ],
  },
  {
    name: 'rest-of-the-read-after-an-upgrade-dropped',
    reads: ['GET / HTTP/1.1\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nnot http', GET],
    outputs: [head('GET', '/', { upgrade: true }), request(), UPGRADE, head('GET', '/'), request()],
    readsMatter: 'the upgrade drops the rest of its read',
  },
  {
    name: 'errors-ignored-after-an-upgrade-until-the-next-head',
    reads: ['GET / HTTP/1.1\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n', 'not http'],
    outputs: [head('GET', '/', { upgrade: true }), request(), UPGRADE],
  },
  {
    name: 'end-mid-request',
    reads: ['GET / HT'],
    thenEnd: true,
    outputs: [badRequest('Invalid EOF state', atEnd)],
  },
  {
    name: 'end-between-requests',
    reads: [GET],
    thenEnd: true,
    outputs: [head('GET', '/'), request()],
  },
];

const LONG_NAME = 'X'.repeat(100);
const limits: SpecCase[] = [
  {
    name: 'head-bytes-reach-the-limit-at-a-value-end',
    reads: [`GET / HTTP/1.1\r\n${LONG_NAME}: ${'v'.repeat(100)}\r\n\r\n`],
    limits: { maxHeaderBytes: 200 },
    outputs: [headerOverflow(at('\r\n', 2))],
    readsMatter: 'a span is counted at the end of each read',
  },
  {
    name: 'head-bytes-counted-where-a-read-ends',
    reads: [`GET / HTTP/1.1\r\n${LONG_NAME}`, ': v\r\n\r\n'],
    limits: { maxHeaderBytes: 100 },
    outputs: [headerOverflow(at(':'))],
    readsMatter: 'a span is counted at the end of each read',
  },
  {
    name: 'fields-past-max-headers-count-dropped-on-llhttp-9.3',
    reads: ['GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'],
    limits: { maxHeadersCount: 2 },
    llhttp93: true,
    outputs: [
      head('GET', '/', {
        headers: [
          ['A', '1'],
          ['B', '2'],
        ],
      }),
      request(),
    ],
  },
  {
    name: 'fields-past-max-headers-count-refused-after-the-fix',
    reads: ['GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'],
    limits: { maxHeadersCount: 2 },
    outputs: [headerOverflow(at(': 3'))],
  },
  {
    name: 'chunk-extensions-over-their-limit',
    reads: [chunked(`1;${'e'.repeat(20)}\r\nx\r\n`)],
    limits: { maxChunkExtensionBytes: 16 },
    outputs: [head('POST', '/hook'), extensionsOverflow(at('\r\nx'))],
    readsMatter: 'a span is counted at the end of each read',
  },
  {
    name: 'thirty-two-fields-hand-a-batch-over-with-a-tick',
    reads: [
      `GET / HTTP/1.1\r\n${Array.from({ length: 32 }, (_, n) => `H${n}: v\r\n`).join('')}\r\n`,
    ],
    outputs: [TICK, BATCHED_HEAD, head('GET', '/'), request()],
  },
  {
    name: 'empty-transfer-encoding-refused-on-llhttp-9.4',
    reads: ['POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n'],
    outputs: [badRequest('Empty Transfer-Encoding', at('\r\n', 3))],
  },
  {
    name: 'empty-transfer-encoding-ignored-on-llhttp-9.3',
    reads: ['POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n'],
    llhttp93: true,
    outputs: [head('POST', '/'), request()],
  },
  {
    name: 'tab-after-content-length-on-llhttp-9.4',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 1\t\r\n\r\nx'],
    outputs: [head('POST', '/'), TICK, request('x')],
  },
  {
    name: 'tab-after-content-length-on-llhttp-9.3',
    reads: ['POST / HTTP/1.1\r\nContent-Length: 1\t\r\n\r\nx'],
    llhttp93: true,
    outputs: [badRequest('Invalid character in Content-Length', at('\t'))],
  },
];

const TABLES: Readonly<Record<string, readonly SpecCase[]>> = {
  'request line': requestLine,
  target,
  'header fields': headerFields,
  'header values': headerValues,
  'content-length': contentLength,
  chunked: chunkedBody,
  trailers,
  pipelining,
  limits,
};

// --- Running a case ------------------------------------------------------------

const LIMITS: ParserLimits = {
  maxHeaderBytes: 16_384,
  maxChunkExtensionBytes: 16_384,
  maxHeadersCount: 2_000,
  maxBodyBytes: 1 << 20,
};
/** llhttp 9.4 with the header count fix (Node 22.23.2 and later), and llhttp 9.3 without it (Node 20). */
const LLHTTP_94 = dialectOf({ node: '24.18.1', llhttp: '9.4.0' });
const LLHTTP_93 = dialectOf({ node: '20.19.0', llhttp: '9.3.0' });

/** What a test compares of an output: the fields an expectation may name, bodies and offsets as text. */
function summary(output: ParserOutput): Expected {
  switch (output.kind) {
    case 'head': {
      const {
        method,
        target: path,
        versionMajor,
        versionMinor,
        keepAlive,
        upgrade,
        headers,
      } = output.head;
      return {
        kind: 'head',
        method,
        target: path,
        version: `${versionMajor}.${versionMinor}`,
        keepAlive,
        upgrade,
        headers,
      };
    }
    case 'request':
      return { kind: 'request', body: output.body.toString('latin1') };
    case 'body-too-long':
      return { kind: 'body-too-long', bodyBytes: output.bodyBytes };
    case 'error':
      return { kind: 'error', error: output.error, reason: output.reason, at: output.at };
    default:
      return { kind: output.kind };
  }
}

function run(spec: SpecCase, reads: readonly Buffer[]): Expected[] {
  const parser = new RequestParser(
    { ...LIMITS, ...spec.limits },
    spec.llhttp93 === true ? LLHTTP_93 : LLHTTP_94,
  );
  const outputs = reads.flatMap((read) => parser.execute(read));
  const ending = spec.thenEnd === true ? parser.finish() : undefined;
  return [...outputs, ...(ending === undefined ? [] : [ending])].map(summary);
}

/** An expectation with its offset worked out from the input it is about. */
function resolved(expected: Expected, input: string): Expected {
  const { where, ...rest } = expected;
  if (where === undefined) return expected;
  return { ...rest, at: offsetOf(where as Offset, input) };
}

function offsetOf(where: Offset, input: string): number {
  if (where === 'end') return input.length;
  const marker = 'after' in where ? where.after : where.at;
  let index = -1;
  for (let n = 0; n < ('at' in where ? (where.nth ?? 1) : 1); n++) {
    index = input.indexOf(marker, index + 1);
    if (index === -1) {
      throw new Error(`the input holds no ${JSON.stringify(marker)} for this offset`);
    }
  }
  return 'after' in where ? index + marker.length : index;
}

const withoutTicks = (outputs: readonly Expected[]): Expected[] =>
  outputs.filter((output) => output.kind !== 'tick');

describe.each(Object.entries(TABLES))('the parser: %s', (_, cases) => {
  it.each(cases.map((spec) => [spec.name, spec] as const))('%s', (_name, spec) => {
    const input = spec.reads.join('');
    const outputs = run(
      spec,
      spec.reads.map((read) => Buffer.from(read, 'latin1')),
    );
    expect(outputs).toMatchObject(spec.outputs.map((expected) => resolved(expected, input)));
  });

  const alike = cases.filter((spec) => spec.readsMatter === undefined);
  it.each(alike.map((spec) => [spec.name, spec] as const))(
    '%s: the same byte by byte, ticks aside',
    (_name, spec) => {
      const bytes = Buffer.from(spec.reads.join(''), 'latin1');
      const whole = run(spec, [bytes]);
      const byteByByte = run(
        spec,
        [...bytes].map((byte) => Buffer.of(byte)),
      );
      expect(withoutTicks(byteByByte)).toEqual(withoutTicks(whole));
    },
  );
});
