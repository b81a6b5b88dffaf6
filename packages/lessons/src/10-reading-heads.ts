/**
 * Lesson 10: the head read a byte at a time. New since lesson 9:
 * - the head goes through a small state machine (Parser) as it arrives, in
 *   place of a search of all the bytes for the blank line on every read: its
 *   state says what the next byte belongs to, so a head cut anywhere resumes
 *   where it stopped, and a slow sender costs one pass, not one per read;
 * - a line ends only at CRLF (RFC 9112 section 2.2): a bare LF or CR is 400;
 * - a field name is a token (RFC 9110 section 5.6.2): no blank before the
 *   colon (RFC 9112 section 5.1), which lesson 9 trimmed and let through.
 * Still missing: the body byte by byte (11), the event stream (12), llhttp's rules (13).
 */
import { createServer, type Socket } from 'node:net';
import {
  HEALTH_BODY,
  HEALTH_PATH,
  HOOK_PATH,
  JSON_CONTENT_TYPE,
  KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  MAX_HEADER_SIZE_BYTES,
  METHOD_NOT_ALLOWED_BODY,
  NOT_FOUND_BODY,
  answerHeaders,
  declaredTooLong,
  enrich,
  lingeringClose,
  parseRequestTarget,
  runServer,
  type Origin,
  type Receiver,
  type ReceiverContext,
} from '@hook-observatory/core';

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const CR = 0x0d;
const LF = 0x0a;
/** A field name: a token (RFC 9110 section 5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** `Expect` asks for 100 Continue with this token (lib/_http_server.js, continueExpression). */
const EXPECT_CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** A chunk's size line: hexadecimal digits, then extensions we skip (RFC 9112 section 7.1.1). */
const CHUNK_SIZE = /^([0-9A-Fa-f]+)(?:;.*)?$/;
/** node:http's fixed answers to a request it cannot read, or not in time (socketOnError). */
const FAILURES = {
  unreadable: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
  'head-too-large': 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  late: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
} as const;
const REQUEST_LINE = /^(\S+) (\S+) (HTTP\/1\.[01])$/;
const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
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
  /** The body's length as far as known: its Content-Length, or the chunk bytes so far. */
  readonly bodyBytes: number;
}

/** A body taken out of its framing, and where the next request begins. */
interface Framed {
  readonly body: Buffer;
  readonly end: number;
}

/** Why the bytes cannot be a request: node:http's answer for each is in FAILURES. */
type Failure = keyof typeof FAILURES;

interface Answer {
  readonly status: number;
  /** Undefined for node:http's own empty answers, which it frames as chunks. */
  readonly body: string | undefined;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

interface Connection {
  idle: boolean;
  /** When the request under way began (its first byte, or the accept); undefined between. */
  startedAt: number | undefined;
  /** The request in front has had its head answered (answerHead). */
  headAnswered: boolean;
}

// --- 1. Accept ------------------------------------------------------------
function createReceiver(context: ReceiverContext): Receiver {
  const open = new Map<Socket, Connection>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    // node:http counts a connection that has sent nothing yet as a request late to arrive.
    const connection: Connection = { idle: false, startedAt: Date.now(), headAnswered: false };
    open.set(socket, connection);
    const origin = context.askOrigin(socket);
    const parser = new Parser();
    let idleTimer: NodeJS.Timeout | undefined;
    /** node:http's own answer to the request in front: its body is dropped. */
    let refusal: Answer | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (socket.writableEnded) return; // our side is ended: what still comes is dropped
      clearTimeout(idleTimer);
      connection.idle = false;
      connection.startedAt ??= Date.now();
      let keepAlive = true;
      for (const request of parser.push(chunk)) {
        if (typeof request === 'string') return fail(socket, FAILURES[request]);
        if (!connection.headAnswered) {
          connection.headAnswered = true;
          refusal = answerHead(context, socket, request);
          if (refusal !== undefined) {
            respond(context, socket, request, refusal, wantsKeepAlive(request));
          }
          if (socket.writableEnded) return;
        }
        if (refusal === undefined && request.bodyBytes > context.bodyLimits.maxBodyBytes) {
          return refuseBody(context, socket, origin, request);
        }
        if (request.body === undefined) continue; // the body is still on its way
        connection.headAnswered = false;
        connection.startedAt = undefined;
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
        if (!keepAlive) break;
      }
      // A request begun in this read started now; one begun before keeps its start.
      connection.startedAt = parser.midRequest ? (connection.startedAt ?? Date.now()) : undefined;
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
    socket.on('end', () => (parser.midRequest ? socket.end(FAILURES.unreadable) : socket.end()));
    socket
      .on('error', () => socket.destroy())
      .on('close', () => {
        clearTimeout(idleTimer);
        open.delete(socket);
      });
  });
  // --- 6. Time out: node:http looks at every connection now and then
  // (connectionsCheckingInterval).
  const { headersTimeoutMs, requestTimeoutMs, connectionsCheckingIntervalMs } = context.timeouts;
  const sweep = setInterval(() => {
    for (const [socket, { startedAt, headAnswered }] of open) {
      if (startedAt === undefined) continue;
      const elapsed = Date.now() - startedAt;
      if (
        (!headAnswered && headersTimeoutMs > 0 && elapsed > headersTimeoutMs) ||
        (requestTimeoutMs > 0 && elapsed > requestTimeoutMs)
      ) {
        fail(socket, FAILURES.late);
      }
    }
  }, connectionsCheckingIntervalMs).unref();
  server.on('close', () => clearInterval(sweep));
  const closeIdle = (): void => open.forEach(({ idle }, socket) => idle && socket.destroy());
  const closeAll = (): void => open.forEach((_, socket) => socket.destroy());
  return { server, closeIdleConnections: closeIdle, closeAllConnections: closeAll };
}

// --- 2. Read the request --------------------------------------------------
/** What the next byte belongs to: the parts of a request in order (RFC 9112 sections 2 to 6). */
type State = 'request-line' | 'field-line' | 'body';

/**
 * A connection's requests, the head read a byte at a time and each byte once:
 * a line's bytes gather until its CRLF. Whatever a read cuts, the state says
 * where the next read resumes; a body is found as lesson 9 found it.
 */
class Parser {
  private state: State = 'request-line';
  private line: number[] = [];
  /** The line's CR has come: the next byte must be its LF. */
  private cr = false;
  private head: Pick<Request, 'method' | 'target' | 'version' | 'headers'> | undefined;
  /** Head bytes counted toward MAX_HEADER_SIZE_BYTES (countedBytes). */
  private counted = 0;
  private bodyBytes = 0;
  /** The body's bytes received so far, framing and all, and any bytes after it. */
  private received: Buffer = Buffer.alloc(0);

  /** Some bytes of a request have come, not all of it. */
  get midRequest(): boolean {
    return this.state !== 'request-line' || this.line.length > 0 || this.cr;
  }

  /** Each step the bytes make: a head in, chunk bytes in, a request complete; or a failure. */
  *push(bytes: Buffer): Generator<Request | Failure> {
    let at = 0;
    while (at < bytes.length) {
      if (this.state === 'body') {
        // The body is found as lesson 9 found it: its bytes so far, searched on every read.
        const before = this.received.length;
        this.received = Buffer.concat([this.received, bytes.subarray(at)]);
        const framed = this.head!.headers.has('transfer-encoding')
          ? readChunked(this.received, 0)
          : readLength(this.received, 0, this.bodyBytes);
        if (typeof framed === 'object') {
          at += framed.end - before; // the next request begins after the body
          yield this.complete(framed.body);
          continue;
        }
        // Not all here (the chunk bytes so far count toward the limit), or unreadable.
        if (typeof framed === 'number') this.bodyBytes = framed;
        if (framed !== undefined) yield framed === 'unreadable' ? framed : this.request(undefined);
        return;
      }
      const byte = bytes[at++]!;
      // A line ends at CRLF, and only there (RFC 9112 section 2.2).
      if (this.cr !== (byte === LF)) {
        yield 'unreadable';
        return;
      }
      if (byte === CR) this.cr = true;
      else if (byte !== LF) this.line.push(byte);
      else {
        this.cr = false;
        const step = this.endLine(Buffer.from(this.line).toString('latin1'));
        this.line = [];
        if (step === undefined) continue;
        yield step;
        if (typeof step === 'string') return;
      }
    }
    // A head too large is refused before it is complete: count the line under way too.
    const partial = Buffer.from(this.line).toString('latin1');
    const counted = this.counted + countedBytes(partial, this.state);
    if (this.state !== 'body' && counted >= MAX_HEADER_SIZE_BYTES) yield 'head-too-large';
  }

  /** A whole line of the head, by the state it ends: what it says, and the state after it. */
  private endLine(line: string): Request | Failure | undefined {
    this.counted += countedBytes(line, this.state);
    if (this.counted >= MAX_HEADER_SIZE_BYTES) return 'head-too-large';
    if (this.state === 'request-line') {
      // Empty lines before a request are skipped (RFC 9112 section 2.2).
      if (line === '') return undefined;
      const [, method = '', target = '', version = ''] = REQUEST_LINE.exec(line) ?? [];
      if (method === '') return 'unreadable';
      this.head = { method, target, version, headers: new Map() };
      this.state = 'field-line';
      return undefined;
    }
    if (line === '') return this.endHead();
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const headers = this.head!.headers as Map<string, string>;
    if (colon < 1 || !TOKEN.test(name)) return 'unreadable';
    headers.set(name, line.slice(colon + 1).trim());
    return undefined;
  }

  /** The head is in: how the body is framed (RFC 9112 section 6.3), and the head (answerHead). */
  private endHead(): Request | Failure {
    const { headers } = this.head!;
    const length = headers.get('content-length');
    const coding = headers.get('transfer-encoding');
    if (length !== undefined && !/^\d+$/.test(length)) return 'unreadable';
    // Chunked must be the last coding, and never with a length.
    if (
      coding !== undefined &&
      (length !== undefined || coding.split(',').at(-1)?.trim().toLowerCase() !== 'chunked')
    ) {
      return 'unreadable';
    }
    this.state = 'body';
    this.bodyBytes = Number(length ?? '0');
    if (coding === undefined && this.bodyBytes === 0) return this.complete(Buffer.alloc(0));
    return this.request(undefined);
  }

  private request(body: Buffer | undefined): Request {
    return { ...this.head!, body, bodyBytes: this.bodyBytes };
  }

  /** The request is complete: the next byte begins another. */
  private complete(body: Buffer): Request {
    this.state = 'request-line';
    this.received = Buffer.alloc(0);
    this.counted = 0;
    return { ...this.head!, body, bodyBytes: body.length };
  }
}

/**
 * What node:http counts toward MAX_HEADER_SIZE_BYTES, complete lines or not:
 * the target, or a header's name and its value without its leading blanks
 * (node_http_parser.cc, TrackHeader).
 */
function countedBytes(line: string, state: State): number {
  if (state === 'request-line') return line.split(' ')[1]?.length ?? 0;
  const colon = line.indexOf(':');
  return colon < 0 ? line.length : colon + line.slice(colon + 1).trimStart().length;
}

/** The body framed by its length (RFC 9112 section 6.2), and where the request ends. */
function readLength(bytes: Buffer, start: number, length: number): Framed | undefined {
  return bytes.length < start + length
    ? undefined
    : { body: bytes.subarray(start, start + length), end: start + length };
}

/**
 * The body framed as chunks, taken out of their frames, and where the request
 * ends; until it is complete, how many chunk bytes have arrived.
 */
function readChunked(bytes: Buffer, start: number): Framed | 'unreadable' | number {
  const chunks: Buffer[] = [];
  let arrived = 0;
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf(CRLF, at);
    if (lineEnd < 0) return arrived;
    const [, hex = ''] = CHUNK_SIZE.exec(bytes.toString('latin1', at, lineEnd)) ?? [];
    if (hex === '') return 'unreadable';
    const size = Number.parseInt(hex, 16);
    at = lineEnd + CRLF.length;
    if (size === 0) break; // the last chunk
    if (bytes.length < at + size + CRLF.length) return arrived + Math.min(size, bytes.length - at);
    if (!bytes.subarray(at + size, at + size + CRLF.length).equals(CRLF)) return 'unreadable';
    chunks.push(bytes.subarray(at, at + size));
    arrived += size;
    at += size + CRLF.length;
  }
  // Trailer fields, which we drop (section 7.1.2), end with a blank line: from the last
  // chunk's CRLF, a CRLF CRLF.
  const trailersEnd = bytes.indexOf(HEAD_END, at - CRLF.length);
  if (trailersEnd < 0) return arrived;
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
function answerHead(
  context: ReceiverContext,
  socket: Socket,
  request: Request,
): Answer | undefined {
  if (request.version !== 'HTTP/1.1') return undefined;
  if (!request.headers.has('host')) {
    return { status: 400, body: undefined, headers: [['Connection', 'close']] };
  }
  const expect = request.headers.get('expect');
  if (expect === undefined) return undefined;
  if (!EXPECT_CONTINUE.test(expect)) return { status: 417, body: undefined };
  // A body over the limit is refused instead (refuseBody): never ask for it.
  if (!declaredTooLong(request.headers.get('content-length'), context.bodyLimits)) {
    socket.write(CONTINUE);
  }
  return undefined;
}

/**
 * A body past the limit: core's refuseBody gives the 413 and the hook's
 * record (`_error`, `_body_bytes`), as the servers do; the answer closes, and
 * what the client still sends is read and dropped for a while (lingeringClose),
 * so that it reads the answer rather than a reset.
 */
function refuseBody(
  context: ReceiverContext,
  socket: Socket,
  origin: Origin,
  request: Request,
): void {
  const { path, event } = parseRequestTarget(request.target);
  const facts = {
    method: request.method,
    path,
    header: (name: string) => request.headers.get(name),
  };
  const refused = context.refuseBody({
    facts,
    origin,
    eventFromQuery: event,
    bodyBytes: request.bodyBytes,
    refusal: 'too-large',
  });
  if (refused.record !== undefined) context.record([refused.record]);
  respond(context, socket, request, refused.answer, false);
  lingeringClose(socket);
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
  program: 'hook-observatory-lesson-10',
  title: 'hook-observatory (lesson 10: the head read a byte at a time)',
  liveView: false,
  createReceiver,
});
