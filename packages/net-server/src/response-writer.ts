/**
 * The bytes of a response, written by hand: a status line, header lines, a
 * blank line, the body (RFC 9112 sections 4 and 5). Laid out exactly as
 * node:http lays out what the http server asks of it, so that the two servers'
 * answers are the same bytes: our headers in our order, then `Date`, then
 * `Connection`, then `Keep-Alive` (lib/_http_outgoing.js, _storeHeader).
 */
import { JSON_CONTENT_TYPE } from '@hook-observatory/core';

/** Reason phrases for the statuses we send (RFC 9110 section 15), as node's STATUS_CODES has them. */
const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue', // section 15.2.1
  200: 'OK', // section 15.3.1
  400: 'Bad Request', // section 15.5.1
  401: 'Unauthorized', // section 15.5.2
  403: 'Forbidden', // section 15.5.4
  404: 'Not Found', // section 15.5.5
  405: 'Method Not Allowed', // section 15.5.6
  408: 'Request Timeout', // section 15.5.9
  413: 'Payload Too Large', // section 15.5.14 (now "Content Too Large"; node keeps the old phrase)
  415: 'Unsupported Media Type', // section 15.5.16
  417: 'Expectation Failed', // section 15.5.18
  421: 'Misdirected Request', // section 15.5.20
  431: 'Request Header Fields Too Large', // RFC 6585 section 5
  503: 'Service Unavailable', // section 15.6.4
};

const CRLF = '\r\n';

/**
 * The answers to requests that cannot be parsed, written as fixed bytes and
 * followed by closing the connection: no Date, no body, nothing that could
 * fail (lib/_http_server.js, socketOnError and its prebuilt responses).
 */
// #region parse-error-answers
const closingAnswer = (status: number): Buffer => Buffer.from(`${statusLine(status)}Connection: close${CRLF}${CRLF}`, 'latin1');

export const PARSE_ERROR_ANSWERS = {
  'bad-request': closingAnswer(400),
  'header-overflow': closingAnswer(431),
  'chunk-extensions-overflow': closingAnswer(413),
  timeout: closingAnswer(408),
} as const;
// #endregion parse-error-answers

/** Interim answer to `Expect: 100-continue` (RFC 9110 section 10.1.1): "send the body". */
export const CONTINUE_ANSWER = Buffer.from(`${statusLine(100)}${CRLF}`, 'latin1');

/**
 * The Date header's value, an IMF-fixdate (RFC 9110 section 5.6.7). Like node,
 * it is formatted once per second at most and reused in between.
 */
let cachedDate = '';
let cachedDateSecond = -1;
export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedDateSecond) {
    cachedDateSecond = second;
    cachedDate = new Date(now).toUTCString();
  }
  return cachedDate;
}

export interface ResponseHead {
  readonly status: number;
  /** Our headers, written first, in this order and case. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Keep the connection open after this answer? Decides `Connection` (RFC 9112 section 9.3). */
  readonly keepAlive: boolean;
  /** What `Keep-Alive: timeout=N` announces: node writes floor(keepAliveTimeout / 1000). */
  readonly keepAliveTimeoutMs: number;
}

function statusLine(status: number): string {
  // node:http answers HTTP/1.1 even to an HTTP/1.0 request (RFC 9110 section 6.2 lets it).
  return `HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? 'Unknown'}${CRLF}`;
}

function headerLines(headers: ReadonlyArray<readonly [string, string]>): string {
  let text = '';
  for (const [name, value] of headers) text += `${name}: ${value}${CRLF}`;
  return text;
}

/**
 * A handler that sets Connection itself gets no Connection or Keep-Alive line
 * from node (lib/_http_outgoing.js, _storeHeader, `state.connection`).
 */
function hasConnectionHeader(headers: ReadonlyArray<readonly [string, string]>): boolean {
  return headers.some(([name]) => name.toLowerCase() === 'connection');
}

// #region connection-lines
function connectionLines(keepAlive: boolean, keepAliveTimeoutMs: number): string {
  if (!keepAlive) return `Connection: close${CRLF}`;
  const keepAliveLine = keepAliveTimeoutMs > 0 ? `Keep-Alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}${CRLF}` : '';
  return `Connection: keep-alive${CRLF}${keepAliveLine}`;
}
// #endregion connection-lines

/**
 * A whole response whose length we know: head and body in one buffer, so that
 * it leaves in one write. For HEAD the body is left out and the head kept
 * (RFC 9110 section 9.3.2).
 */
// #region serialize-response
export function serializeResponse(head: ResponseHead, body: string | Buffer, headOnly: boolean): Buffer {
  let text = statusLine(head.status) + headerLines(head.headers);
  text += `Date: ${httpDate()}${CRLF}`;
  if (!hasConnectionHeader(head.headers)) text += connectionLines(head.keepAlive, head.keepAliveTimeoutMs);
  text += CRLF;
  if (headOnly) return Buffer.from(text, 'utf8');
  // The page comes as bytes: they are sent as they are, after the head.
  if (typeof body !== 'string') return Buffer.concat([Buffer.from(text, 'utf8'), body]);
  return Buffer.from(text + body, 'utf8');
}
// #endregion serialize-response

/**
 * The answer nearly every request gets: a hook's empty 200. Its bytes change
 * only when Date does, so they are made at most once a second for each way of
 * ending (keep the connection or close it) and then reused.
 */
// #region empty-ok
const EMPTY_OK_HEADERS = [
  ['Content-Type', JSON_CONTENT_TYPE],
  ['Content-Length', '0'],
] as const;
/** The last empty 200 made for each way of ending, reused while its Date and timeout hold. */
const emptyOkAnswers = new Map<boolean, { readonly date: string; readonly keepAliveTimeoutMs: number; readonly bytes: Buffer }>();

export function serializeEmptyOk(keepAlive: boolean, keepAliveTimeoutMs: number): Buffer {
  const date = httpDate();
  const cached = emptyOkAnswers.get(keepAlive);
  if (cached?.date === date && cached.keepAliveTimeoutMs === keepAliveTimeoutMs) return cached.bytes;
  const bytes = serializeResponse({ status: 200, headers: EMPTY_OK_HEADERS, keepAlive, keepAliveTimeoutMs }, '', false);
  emptyOkAnswers.set(keepAlive, { date, keepAliveTimeoutMs, bytes });
  return bytes;
}
// #endregion empty-ok

/**
 * An empty answer that node:http frames with chunked encoding, because the
 * handler gave no Content-Length (writeHead(status); end()): the head, then the
 * last chunk `0` (RFC 9112 section 7.1). node uses it for 417 and for a
 * missing Host; `extraHeaders` come before Date, as the handler's own do.
 * An answer to HEAD has no body, so node frames nothing: no Transfer-Encoding,
 * no last chunk (lib/_http_outgoing.js, _storeHeader, `!this._hasBody`).
 */
export function serializeEmptyChunkedResponse(
  head: Omit<ResponseHead, 'headers'>,
  extraHeaders: ReadonlyArray<readonly [string, string]> = [],
  headOnly = false,
): Buffer {
  let text = statusLine(head.status) + headerLines(extraHeaders);
  text += `Date: ${httpDate()}${CRLF}`;
  if (!hasConnectionHeader(extraHeaders)) text += connectionLines(head.keepAlive, head.keepAliveTimeoutMs);
  text += headOnly ? CRLF : `Transfer-Encoding: chunked${CRLF}${CRLF}0${CRLF}${CRLF}`;
  return Buffer.from(text, 'latin1');
}

/**
 * The head of a response that is written as it goes (an event stream): as
 * serializeEmptyChunkedResponse's, announcing chunked transfer coding unless
 * the client speaks HTTP/1.0 (then the body is sent bare and the connection closes).
 */
export function serializeStreamHead(head: ResponseHead, chunked: boolean): Buffer {
  let text = statusLine(head.status) + headerLines(head.headers);
  text += `Date: ${httpDate()}${CRLF}`;
  if (!hasConnectionHeader(head.headers)) text += connectionLines(head.keepAlive, head.keepAliveTimeoutMs);
  if (chunked) text += `Transfer-Encoding: chunked${CRLF}`;
  return Buffer.from(text + CRLF, 'latin1');
}

const CHUNK_END = Buffer.from(CRLF, 'latin1');

/**
 * One write as node frames it in chunked coding: its length in lower-case
 * hex, CRLF, the bytes, CRLF (RFC 9112 section 7.1). One copy of the pieces
 * with their framing: they are views into the stream's ring, valid only now.
 */
export function frameChunk(pieces: readonly Buffer[]): Buffer {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return Buffer.concat([Buffer.from(`${length.toString(16)}${CRLF}`, 'latin1'), ...pieces, CHUNK_END]);
}

/** The last chunk, with no trailer: the end of a chunked body. */
export const LAST_CHUNK = Buffer.from(`0${CRLF}${CRLF}`, 'latin1');
