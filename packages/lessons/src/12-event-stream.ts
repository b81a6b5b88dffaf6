/**
 * Lesson 12: a response that never ends, written by hand. New since lesson 11:
 * - GET /events answers with the live view's event stream (text/event-stream):
 *   a head with no length, then a write for each message core's eventStream
 *   hands over (the replay, each hook as it is recorded, heartbeats), until
 *   the server shuts down;
 * - with no length, HTTP/1.1 frames each write as a chunk, as node:http does
 *   (RFC 9112 section 7.1): its length in hexadecimal, CRLF, the bytes, CRLF;
 *   the last chunk, `0`, only at the end. HTTP/1.0 knows no chunks: the bytes
 *   go bare and the close ends them;
 * - a streaming connection is not idle: no keep-alive timer, and a viewer that
 *   reads too slowly is cut off by core (cutOff), never waited for.
 * Still missing: llhttp's exact rules for each byte, requests pipelined behind
 * a stream (lesson 13, the net server itself).
 */
import { createServer, type Socket } from 'node:net';
import {
  EVENTS_PATH,
  EVENT_STREAM_HEADERS,
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
  streamFilterOf,
  type Origin,
  type Receiver,
  type ReceiverContext,
} from '@hook-observatory/core';

const CR = 0x0d;
const LF = 0x0a;
/** A field name: a token (RFC 9110 section 5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CRLF = Buffer.from('\r\n');
/** The last chunk, with no trailers: the end of a chunked body (RFC 9112 section 7.1). */
const LAST_CHUNK = '0\r\n\r\n';
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
  /** An event stream is under way: it is the connection's last answer. */
  streaming: boolean;
}

/** handle's answer for GET /events: not an answer to write at once, a stream to start. */
const STREAM = 'stream';
/** HEAD /events: the stream's head, with no length and no body (RFC 9110 section 9.3.2). */
const STREAM_HEAD: Answer = { status: 200, body: undefined, headers: EVENT_STREAM_HEADERS };

// --- 1. Accept ------------------------------------------------------------
function createReceiver(context: ReceiverContext): Receiver {
  const open = new Map<Socket, Connection>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    // node:http counts a connection that has sent nothing yet as a request late to arrive.
    const connection: Connection = {
      idle: false,
      startedAt: Date.now(),
      headAnswered: false,
      streaming: false,
    };
    open.set(socket, connection);
    const origin = context.askOrigin(socket);
    const parser = new Parser();
    let idleTimer: NodeJS.Timeout | undefined;
    /** node:http's own answer to the request in front: its body is dropped. */
    let refusal: Answer | undefined;
    socket.on('data', (chunk: Buffer) => {
      // Our side is ended, or a stream has it: what still comes is dropped (the net server
      // queues it).
      if (socket.writableEnded || connection.streaming) return;
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
        const answer = refusal ?? handle(context, origin, request, request.body);
        if (answer === STREAM) {
          if (request.method !== 'HEAD') {
            return streamEvents(context, socket, connection, request, keepAlive);
          }
          // HEAD gets the stream's head alone; what follows it is read as after any answer.
          keepAlive &&= request.version === 'HTTP/1.1';
          respond(context, socket, request, STREAM_HEAD, keepAlive);
        } else if (refusal === undefined) respond(context, socket, request, answer, keepAlive);
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
/** What the next byte belongs to: the parts of a request in order (RFC 9112 sections 2 to 7). */
type State =
  'request-line' | 'field-line' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer';

/**
 * A connection's requests, read a byte at a time and each byte once: a line's
 * bytes gather until its CRLF, a body's are counted off. Whatever a read cuts,
 * the state says where the next read resumes.
 */
class Parser {
  private state: State = 'request-line';
  private line: number[] = [];
  /** The line's CR has come: the next byte must be its LF. */
  private cr = false;
  private head: Pick<Request, 'method' | 'target' | 'version' | 'headers'> | undefined;
  /** Head bytes counted toward MAX_HEADER_SIZE_BYTES (countedBytes). */
  private counted = 0;
  /** Bytes still to come of the body, or of the chunk under way. */
  private remaining = 0;
  private bodyBytes = 0;
  private pieces: Buffer[] = [];

  /** Some bytes of a request have come, not all of it. */
  get midRequest(): boolean {
    return this.state !== 'request-line' || this.line.length > 0 || this.cr;
  }

  /** Each step the bytes make: a head in, chunk bytes in, a request complete; or a failure. */
  *push(bytes: Buffer): Generator<Request | Failure> {
    let at = 0;
    while (at < bytes.length) {
      if (this.state === 'body' || this.state === 'chunk-data') {
        // Body bytes are not looked at: take as many as are due, at once.
        const taken = Math.min(this.remaining, bytes.length - at);
        this.pieces.push(bytes.subarray(at, at + taken));
        at += taken;
        this.remaining -= taken;
        if (this.state === 'body') {
          if (this.remaining === 0) yield this.complete();
          continue;
        }
        this.bodyBytes += taken;
        if (this.remaining === 0) this.state = 'chunk-end';
        yield this.request(undefined);
        continue;
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
    if (
      this.inFields() &&
      this.counted + countedBytes(partial, this.state) >= MAX_HEADER_SIZE_BYTES
    ) {
      yield 'head-too-large';
    }
  }

  /** In a head or in the trailers: the lines node:http counts (countedBytes). */
  private inFields(): boolean {
    return (
      this.state === 'field-line' ||
      this.state === 'trailer' ||
      (this.state === 'request-line' && this.line.length > 0)
    );
  }

  /** A whole line, by the state it ends: what it says, and the state after it. */
  private endLine(line: string): Request | Failure | undefined {
    if (this.state === 'request-line' || this.inFields()) {
      this.counted += countedBytes(line, this.state);
      if (this.counted >= MAX_HEADER_SIZE_BYTES) return 'head-too-large';
    }
    switch (this.state) {
      case 'request-line': {
        // Empty lines before a request are skipped (RFC 9112 section 2.2).
        if (line === '') return undefined;
        const [, method = '', target = '', version = ''] = REQUEST_LINE.exec(line) ?? [];
        if (method === '') return 'unreadable';
        this.head = { method, target, version, headers: new Map() };
        this.state = 'field-line';
        return undefined;
      }
      case 'field-line': {
        if (line === '') return this.endHead();
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).toLowerCase();
        const headers = this.head!.headers as Map<string, string>;
        // A second Content-Length is refused even when equal, as llhttp does (RFC 9112
        // section 6.3 allows either).
        if (colon < 1 || !TOKEN.test(name) || (name === 'content-length' && headers.has(name))) {
          return 'unreadable';
        }
        headers.set(name, line.slice(colon + 1).trim());
        return undefined;
      }
      case 'chunk-size': {
        const [, hex = ''] = CHUNK_SIZE.exec(line) ?? [];
        if (hex === '') return 'unreadable';
        this.remaining = Number.parseInt(hex, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'chunk-data'; // size 0: the last chunk
        return undefined;
      }
      case 'chunk-end':
        this.state = 'chunk-size';
        return line === '' ? undefined : 'unreadable'; // a chunk's data ends with CRLF
      case 'trailer':
        // Trailer fields are dropped (section 7.1.2).
        return line === '' ? this.complete() : undefined;
      default:
        return undefined;
    }
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
    this.state = coding === undefined ? 'body' : 'chunk-size';
    this.counted = 0; // the trailers are counted afresh, as node:http counts them
    this.remaining = this.bodyBytes = Number(length ?? '0');
    if (coding === undefined && this.remaining === 0) return this.complete();
    return this.request(undefined);
  }

  private request(body: Buffer | undefined): Request {
    return { ...this.head!, body, bodyBytes: this.bodyBytes };
  }

  /** The request is complete: the next byte begins another. */
  private complete(): Request {
    const request = this.request(Buffer.concat(this.pieces));
    this.state = 'request-line';
    this.pieces = [];
    this.counted = 0;
    return request;
  }
}

/**
 * What node:http counts of a head line toward MAX_HEADER_SIZE_BYTES, complete
 * or not: the request line's target; a field's name, and its value without
 * leading blanks, in the head and again in the trailers (node_http_parser.cc, TrackHeader).
 */
function countedBytes(line: string, state: State): number {
  if (state === 'request-line') return line.split(' ')[1]?.length ?? 0;
  const colon = line.indexOf(':');
  return colon < 0 ? line.length : colon + line.slice(colon + 1).trimStart().length;
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
function handle(
  context: ReceiverContext,
  origin: Origin,
  request: Request,
  body: Buffer,
): Answer | typeof STREAM {
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
  if (path === EVENTS_PATH) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, body: METHOD_NOT_ALLOWED_BODY, headers: [['Allow', 'GET, HEAD']] };
    }
    return STREAM;
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
  // An answer with its own `Connection: close` closes, and node adds no Connection line to it.
  const ownClose = answer.headers?.some(([name]) => name === 'Connection') ?? false;
  keepAlive &&= !ownClose;
  if (!ownClose) head += connectionLines(context, keepAlive);
  // No length: node frames the body as chunks, here the last chunk alone (RFC 9112 section 7.1).
  if (answer.body === undefined && request.method !== 'HEAD') {
    head += 'Transfer-Encoding: chunked\r\n';
  }
  const bytes = `${head}\r\n${request.method === 'HEAD' ? '' : (answer.body ?? '0\r\n\r\n')}`;
  // --- 6. ...or close: the answer said so, and its end is where the bytes stop.
  if (keepAlive) socket.write(bytes);
  else socket.end(bytes);
}

/** node:http's Connection line, and with keep-alive the Keep-Alive line that says for how long. */
function connectionLines(context: ReceiverContext, keepAlive: boolean): string {
  const { keepAliveTimeoutMs } = context.timeouts;
  if (!keepAlive) return 'Connection: close\r\n';
  const timeout =
    keepAliveTimeoutMs > 0
      ? `Keep-Alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}\r\n`
      : '';
  return `Connection: keep-alive\r\n${timeout}`;
}

// --- 5b. Stream -----------------------------------------------------------
/**
 * What node:http writes for writeHead(200, EVENT_STREAM_HEADERS) and then a
 * write per message: the head with no length and, to HTTP/1.1, `Transfer-Encoding:
 * chunked`, then each write as one chunk (lib/_http_outgoing.js). To HTTP/1.0
 * the bytes go bare and the connection closes after them.
 */
function streamEvents(
  context: ReceiverContext,
  socket: Socket,
  connection: Connection,
  request: Request,
  keepAlive: boolean,
): void {
  const chunked = request.version === 'HTTP/1.1';
  keepAlive &&= chunked;
  connection.streaming = true;
  let head = 'HTTP/1.1 200 OK\r\n';
  for (const [name, value] of EVENT_STREAM_HEADERS) head += `${name}: ${value}\r\n`;
  head += `Date: ${new Date().toUTCString()}\r\n${connectionLines(context, keepAlive)}`;
  socket.write(`${head}${chunked ? 'Transfer-Encoding: chunked\r\n' : ''}\r\n`);
  const detach = context.eventStream.attach(
    {
      // One write, one chunk: `window` is the viewer's own buffer in core, which core fills
      // again only once this write's callback has come, so it is written as it is.
      write: (window, whenWritten) => {
        if (!chunked) return void socket.write(window, () => whenWritten());
        // Chunked: its length in hex, CRLF, the bytes, CRLF (RFC 9112 section 7.1), one write.
        socket.cork();
        socket.write(`${window.length.toString(16)}\r\n`);
        socket.write(window);
        socket.write(CRLF, () => whenWritten());
        socket.uncork();
      },
      cutOff: () => socket.destroy(),
      end: () => (keepAlive ? socket.write(LAST_CHUNK) : socket.end(chunked ? LAST_CHUNK : '')),
    },
    streamFilterOf(request.target),
    request.headers.get('last-event-id'),
  );
  // A viewer that leaves is forgotten at once.
  socket.once('close', detach);
}

// --- 6. ...or fail: node:http's fixed answer, then close at once; nothing more is read.
function fail(socket: Socket, answer: string): void {
  if (!socket.writableEnded) socket.write(answer);
  socket.destroy();
}

void runServer({
  program: 'hook-observatory-lesson-12',
  title: 'hook-observatory (lesson 12: the event stream by hand)',
  liveView: false,
  createReceiver,
});
