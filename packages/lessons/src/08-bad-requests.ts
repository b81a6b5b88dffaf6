/**
 * Lesson 8: bad requests answered, not hung up on. New since lesson 7:
 * - bytes we cannot read get node:http's fixed 400 before the close, instead
 *   of a silent hang-up, so the client learns why: a bad request line or
 *   field line, a bad Content-Length, a bad chunk, and Content-Length together
 *   with Transfer-Encoding (RFC 9112 section 6.3: the smuggler's favourite);
 * - empty lines before a request line are skipped (RFC 9112 section 2.2): a
 *   client may send one after a body, and it is no error.
 * Still missing: limits and timeouts (lesson 9), a byte-at-a-time parser (10,
 * 11), the event stream (12), llhttp's exact byte rules (13, the net server).
 */
import { createServer, type Socket } from 'node:net';
import {
  HEALTH_BODY,
  HEALTH_PATH,
  HOOK_PATH,
  JSON_CONTENT_TYPE,
  KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  METHOD_NOT_ALLOWED_BODY,
  NOT_FOUND_BODY,
  answerHeaders,
  enrich,
  parseRequestTarget,
  runServer,
  type Origin,
  type Receiver,
  type ReceiverContext,
} from '@hook-observatory/core';

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** `Expect` asks for 100 Continue with this token (lib/_http_server.js, continueExpression). */
const EXPECT_CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** A chunk's size line: hexadecimal digits, then extensions we skip (RFC 9112 section 7.1.1). */
const CHUNK_SIZE = /^([0-9A-Fa-f]+)(?:;.*)?$/;
/** node:http's fixed answer to a request it cannot read (socketOnError). */
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
const REQUEST_LINE = /^(\S+) (\S+) (HTTP\/1\.[01])$/;
const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  415: 'Unsupported Media Type',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
};

interface Request {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: ReadonlyMap<string, string>;
  /** Undefined while the body is on its way: the head alone is here. */
  readonly body: Buffer | undefined;
  /** Where the next request begins in the bytes received. */
  readonly end: number;
}

/** A body taken out of its framing, and where the next request begins. */
interface Framed {
  readonly body: Buffer;
  readonly end: number;
}

interface Answer {
  readonly status: number;
  /** Undefined for node:http's own empty answers, which it frames as chunks. */
  readonly body: string | undefined;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

// --- 1. Accept ------------------------------------------------------------
function createReceiver(context: ReceiverContext): Receiver {
  const open = new Map<Socket, { idle: boolean }>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const connection = { idle: false };
    open.set(socket, connection);
    const origin = context.askOrigin(socket);
    let received: Buffer = Buffer.alloc(0);
    let idleTimer: NodeJS.Timeout | undefined;
    /** The request in front has had its head answered; refused, its body is dropped. */
    let headAnswered = false;
    let refusal: Answer | undefined;
    socket.on('data', (chunk: Buffer) => {
      clearTimeout(idleTimer);
      connection.idle = false;
      received = skipEmptyLines(Buffer.concat([received, chunk]));
      let keepAlive = true;
      for (
        let request = parse(received);
        keepAlive && request !== undefined;
        request = parse(received)
      ) {
        if (request === 'unreadable') return fail(socket, BAD_REQUEST);
        if (!headAnswered) {
          headAnswered = true;
          refusal = answerHead(socket, request);
          if (refusal !== undefined) {
            respond(context, socket, request, refusal, wantsKeepAlive(request));
          }
          if (socket.writableEnded) return;
        }
        if (request.body === undefined) break; // the body is still on its way
        received = skipEmptyLines(received.subarray(request.end));
        headAnswered = false;
        keepAlive = wantsKeepAlive(request);
        if (refusal === undefined) {
          respond(
            context,
            socket,
            request,
            handle(context, origin, request, request.body),
            keepAlive,
          );
        }
      }
      if (!keepAlive) return;
      // --- 6. Keep alive: wait for the next request, but not forever.
      connection.idle = true;
      const { keepAliveTimeoutMs } = context.timeouts;
      if (keepAliveTimeoutMs > 0) {
        idleTimer = setTimeout(
          () => socket.destroy(),
          keepAliveTimeoutMs + KEEP_ALIVE_TIMEOUT_BUFFER_MS,
        ).unref();
      }
    });
    // The client is done sending: every complete request is answered already.
    socket.on('end', () => (received.length === 0 ? socket.end() : socket.end(BAD_REQUEST)));
    socket
      .on('error', () => socket.destroy())
      .on('close', () => {
        clearTimeout(idleTimer);
        open.delete(socket);
      });
  });
  const closeIdle = (): void => open.forEach(({ idle }, socket) => idle && socket.destroy());
  const closeAll = (): void => open.forEach((_, socket) => socket.destroy());
  return { server, closeIdleConnections: closeIdle, closeAllConnections: closeAll };
}

// --- 2. Read the request --------------------------------------------------
function parse(bytes: Buffer): Request | 'unreadable' | undefined {
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const [requestLine = '', ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const [, method = '', target = '', version = ''] = REQUEST_LINE.exec(requestLine) ?? [];
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 1) return 'unreadable';
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const length = headers.get('content-length');
  const coding = headers.get('transfer-encoding');
  if (method === '' || (length !== undefined && !/^\d+$/.test(length))) return 'unreadable';
  // Chunked must be the last coding, and never with a length (RFC 9112 section 6.3).
  if (
    coding !== undefined &&
    (length !== undefined || coding.split(',').at(-1)?.trim().toLowerCase() !== 'chunked')
  ) {
    return 'unreadable';
  }
  const bodyStart = headEnd + HEAD_END.length;
  const framed =
    coding === undefined
      ? readLength(bytes, bodyStart, Number(length ?? '0'))
      : readChunked(bytes, bodyStart);
  if (framed === 'unreadable') return framed;
  return { method, target, version, headers, body: framed?.body, end: framed?.end ?? bytes.length };
}

/** Empty lines before a request line are skipped (RFC 9112 section 2.2): they are no error. */
function skipEmptyLines(bytes: Buffer): Buffer {
  let start = 0;
  while (bytes.subarray(start, start + CRLF.length).equals(CRLF)) start += CRLF.length;
  return bytes.subarray(start);
}

/** The body framed by its length (RFC 9112 section 6.2), and where the request ends. */
function readLength(bytes: Buffer, start: number, length: number): Framed | undefined {
  return bytes.length < start + length
    ? undefined
    : { body: bytes.subarray(start, start + length), end: start + length };
}

/** The body framed as chunks, taken out of their frames, and where the request ends. */
function readChunked(bytes: Buffer, start: number): Framed | 'unreadable' | undefined {
  const chunks: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const [, hex = ''] = CHUNK_SIZE.exec(bytes.toString('latin1', at, lineEnd)) ?? [];
    if (hex === '') return 'unreadable';
    const size = Number.parseInt(hex, 16);
    at = lineEnd + CRLF.length;
    if (size === 0) break; // the last chunk
    if (bytes.length < at + size + CRLF.length) return undefined;
    if (!bytes.subarray(at + size, at + size + CRLF.length).equals(CRLF)) return 'unreadable';
    chunks.push(bytes.subarray(at, at + size));
    at += size + CRLF.length;
  }
  // Trailer fields, which we drop (section 7.1.2), end with a blank line: from the last
  // chunk's CRLF, a CRLF CRLF.
  const trailersEnd = bytes.indexOf(HEAD_END, at - CRLF.length);
  if (trailersEnd < 0) return undefined;
  return { body: Buffer.concat(chunks), end: trailersEnd + HEAD_END.length };
}

/** RFC 9112 section 9.3: 1.1 persists unless told to close; 1.0 only when asked to persist. */
function wantsKeepAlive(request: Request): boolean {
  const tokens = (request.headers.get('connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((token) => token.trim());
  if (request.version === 'HTTP/1.1') return !tokens.includes('close');
  return tokens.includes('keep-alive');
}

/**
 * What node:http answers to a head itself, as soon as it is in: HTTP/1.1
 * without Host, 400; `Expect: 100-continue`, the 100 that lets the body come;
 * any other expectation, 417 (lib/_http_server.js, parserOnIncoming).
 */
function answerHead(socket: Socket, request: Request): Answer | undefined {
  if (request.version !== 'HTTP/1.1') return undefined;
  if (!request.headers.has('host')) {
    return { status: 400, body: undefined, headers: [['Connection', 'close']] };
  }
  const expect = request.headers.get('expect');
  if (expect === undefined) return undefined;
  if (!EXPECT_CONTINUE.test(expect)) return { status: 417, body: undefined };
  socket.write(CONTINUE);
  return undefined;
}

// --- 3. Route -------------------------------------------------------------
function handle(context: ReceiverContext, origin: Origin, request: Request, body: Buffer): Answer {
  const { path, event } = parseRequestTarget(request.target);
  const rejection = context.checkRequest({
    method: request.method,
    path,
    header: (name) => request.headers.get(name),
  });
  if (rejection !== undefined) return rejection;
  if (path === HOOK_PATH) {
    if (request.method !== 'POST') {
      return { status: 405, body: METHOD_NOT_ALLOWED_BODY, headers: [['Allow', 'POST']] };
    }
    // --- 4. Record, before the answer: a client with its 200 knows its event is kept.
    context.record([
      enrich({ timestamp: context.timestamp(), origin, eventFromQuery: event, body }),
    ]);
    return { status: 200, body: '' };
  }
  if (path !== HEALTH_PATH) return { status: 404, body: NOT_FOUND_BODY };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { status: 405, body: METHOD_NOT_ALLOWED_BODY, headers: [['Allow', 'GET, HEAD']] };
  }
  return { status: 200, body: HEALTH_BODY };
}

// --- 5. Respond -----------------------------------------------------------
function respond(
  context: ReceiverContext,
  socket: Socket,
  request: Request,
  answer: Answer,
  keepAlive: boolean,
): void {
  let head = `HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? 'Unknown'}\r\n`;
  if (answer.body !== undefined) {
    head += `Content-Type: ${JSON_CONTENT_TYPE}\r\n`;
    head += `Content-Length: ${Buffer.byteLength(answer.body)}\r\n`;
  }
  // With a body, the headers that keep it from web pages (core/src/protocol.ts).
  for (const [name, value] of answerHeaders(answer.body ?? '', answer.headers)) {
    head += `${name}: ${value}\r\n`;
  }
  head += `Date: ${new Date().toUTCString()}\r\n`;
  const { keepAliveTimeoutMs } = context.timeouts;
  const timeout =
    keepAliveTimeoutMs > 0
      ? `Keep-Alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}\r\n`
      : '';
  // An answer with its own `Connection: close` closes, and node adds no Connection line to it.
  const ownClose = answer.headers?.some(([name]) => name === 'Connection') ?? false;
  keepAlive &&= !ownClose;
  if (!ownClose) {
    head += keepAlive ? `Connection: keep-alive\r\n${timeout}` : 'Connection: close\r\n';
  }
  // No length: node frames the body as chunks, here the last chunk alone (RFC 9112 section 7.1).
  if (answer.body === undefined && request.method !== 'HEAD') {
    head += 'Transfer-Encoding: chunked\r\n';
  }
  const bytes = `${head}\r\n${request.method === 'HEAD' ? '' : (answer.body ?? '0\r\n\r\n')}`;
  // --- 6. ...or close: the answer said so, and its end is where the bytes stop.
  if (keepAlive) socket.write(bytes);
  else socket.end(bytes);
}

// --- 6. ...or fail: node:http's fixed answer, then close at once; nothing more is read.
function fail(socket: Socket, answer: string): void {
  if (!socket.writableEnded) socket.write(answer);
  socket.destroy();
}

void runServer({
  program: 'hook-observatory-lesson-8',
  title: 'hook-observatory (lesson 8: bad requests)',
  liveView: false,
  createReceiver,
});
