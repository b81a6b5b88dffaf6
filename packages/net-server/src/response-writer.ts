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
const closingAnswer = (status: number): Buffer =>
  Buffer.from(`${statusLine(status)}Connection: close${CRLF}${CRLF}`, 'latin1');

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
  /**
   * The body goes in chunks (RFC 9112 section 7.1), its length unknown: node
   * adds `Transfer-Encoding: chunked` when the handler gives no Content-Length,
   * unless the client cannot read chunks (HTTP/1.0 without TE: then the body
   * goes bare and the connection closes after it).
   */
  readonly chunked?: boolean;
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
  const keepAliveLine =
    keepAliveTimeoutMs > 0
      ? `Keep-Alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}${CRLF}`
      : '';
  return `Connection: keep-alive${CRLF}${keepAliveLine}`;
}
// #endregion connection-lines

/**
 * Every answer's head, the one way node writes it: the status line, our
 * headers, Date, Connection and Keep-Alive, Transfer-Encoding, the blank line.
 * An answer to HEAD has no body, so node frames none: no Transfer-Encoding
 * (lib/_http_outgoing.js, _storeHeader, `!this._hasBody`).
 */
// #region serialize-head
function serializeHead(head: ResponseHead, headOnly: boolean): string {
  let text = statusLine(head.status) + headerLines(head.headers);
  text += `Date: ${httpDate()}${CRLF}`;
  if (!hasConnectionHeader(head.headers)) {
    text += connectionLines(head.keepAlive, head.keepAliveTimeoutMs);
  }
  if (head.chunked === true && !headOnly) text += `Transfer-Encoding: chunked${CRLF}`;
  return text + CRLF;
}
// #endregion serialize-head

/**
 * An answer: its head and as much of its body as is known, in one buffer, so
 * that it leaves in one write. The body comes framed as the head announces
 * it: whole after a Content-Length, as chunks after `chunked`, or nothing yet
 * (a stream's head, its chunks to follow). For HEAD the body is left out and
 * the head kept (RFC 9110 section 9.3.2). The head is text node writes as
 * latin1; the body, bytes or UTF-8 text.
 */
// #region serialize-response
export function serializeResponse(
  head: ResponseHead,
  body: string | Buffer,
  headOnly: boolean,
): Buffer {
  const text = serializeHead(head, headOnly);
  const bodyBytes = headOnly ? 0 : Buffer.byteLength(body);
  const bytes = Buffer.allocUnsafe(text.length + bodyBytes);
  bytes.write(text, 0, 'latin1');
  if (bodyBytes === 0) return bytes;
  if (typeof body === 'string') bytes.write(body, text.length, 'utf8');
  else body.copy(bytes, text.length);
  return bytes;
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
const emptyOkAnswers = new Map<
  boolean,
  { readonly date: string; readonly keepAliveTimeoutMs: number; readonly bytes: Buffer }
>();

export function serializeEmptyOk(keepAlive: boolean, keepAliveTimeoutMs: number): Buffer {
  const date = httpDate();
  const cached = emptyOkAnswers.get(keepAlive);
  if (cached?.date === date && cached.keepAliveTimeoutMs === keepAliveTimeoutMs) {
    return cached.bytes;
  }
  const bytes = serializeResponse(
    { status: 200, headers: EMPTY_OK_HEADERS, keepAlive, keepAliveTimeoutMs },
    '',
    false,
  );
  emptyOkAnswers.set(keepAlive, { date, keepAliveTimeoutMs, bytes });
  return bytes;
}
// #endregion empty-ok

const CHUNK_END = Buffer.from(CRLF, 'latin1');

/**
 * One write as node frames it in chunked coding: its length in lower-case
 * hex, CRLF, the bytes, CRLF (RFC 9112 section 7.1). As three pieces, written
 * together (a corked socket's writev): the bytes, a viewer's window, are not
 * copied again.
 */
export function frameChunk(bytes: Buffer): readonly Buffer[] {
  return [Buffer.from(`${bytes.length.toString(16)}${CRLF}`, 'latin1'), bytes, CHUNK_END];
}

/** The last chunk, with no trailer: the end of a chunked body. */
export const LAST_CHUNK = Buffer.from(`0${CRLF}${CRLF}`, 'latin1');
