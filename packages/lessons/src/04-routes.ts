/**
 * Lesson 4: the servers' routes. New since lesson 3:
 * - /health answers GET and HEAD with `{"status":"ok"}`, for a monitor that
 *   asks whether the receiver is up;
 * - a path asked with a method it does not take gets 405 and an `Allow`
 *   header naming the methods it takes (RFC 9110 section 15.5.6), not 404;
 * - HEAD gets the head GET would get and no body (RFC 9110 section 9.3.2).
 * Still missing: pipelining (lesson 5), then what lessons 6 to 13 add (docs/lessons.md).
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
const REQUEST_LINE = /^(\S+) (\S+) (HTTP\/1\.[01])$/;
const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
};

interface Request {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** Where the next request begins in the bytes received. */
  readonly end: number;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

// --- 1. Accept ------------------------------------------------------------
function createReceiver(context: ReceiverContext): Receiver {
  const open = new Map<Socket, { idle: boolean }>();
  const server = createServer((socket) => {
    const connection = { idle: false };
    open.set(socket, connection);
    const origin = context.askOrigin(socket);
    let received = Buffer.alloc(0);
    let idleTimer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => {
      clearTimeout(idleTimer);
      connection.idle = false;
      received = Buffer.concat([received, chunk]);
      const request = parse(received);
      if (request === undefined) return; // not all here yet
      if (request === 'unreadable') return void socket.destroy();
      received = received.subarray(request.end);
      const keepAlive = wantsKeepAlive(request);
      respond(context, socket, request, handle(context, origin, request), keepAlive);
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
  const length = headers.get('content-length') ?? '0';
  if (method === '' || !/^\d+$/.test(length) || headers.has('transfer-encoding')) {
    return 'unreadable';
  }
  const bodyStart = headEnd + HEAD_END.length;
  const bodyEnd = bodyStart + Number(length);
  if (bytes.length < bodyEnd) return undefined;
  return {
    method,
    target,
    version,
    headers,
    body: bytes.subarray(bodyStart, bodyEnd),
    end: bodyEnd,
  };
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

// --- 3. Route -------------------------------------------------------------
function handle(context: ReceiverContext, origin: Origin, request: Request): Answer {
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
      enrich({ timestamp: context.timestamp(), origin, eventFromQuery: event, body: request.body }),
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
  head += `Content-Type: ${JSON_CONTENT_TYPE}\r\n`;
  head += `Content-Length: ${Buffer.byteLength(answer.body)}\r\n`;
  // With a body, the headers that keep it from web pages (core/src/protocol.ts).
  for (const [name, value] of answerHeaders(answer.body, answer.headers)) {
    head += `${name}: ${value}\r\n`;
  }
  head += `Date: ${new Date().toUTCString()}\r\n`;
  const { keepAliveTimeoutMs } = context.timeouts;
  const timeout =
    keepAliveTimeoutMs > 0
      ? `Keep-Alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}\r\n`
      : '';
  head += keepAlive ? `Connection: keep-alive\r\n${timeout}` : 'Connection: close\r\n';
  const bytes = `${head}\r\n${request.method === 'HEAD' ? '' : answer.body}`;
  // --- 6. ...or close: the answer said so, and its end is where the bytes stop.
  if (keepAlive) socket.write(bytes);
  else socket.end(bytes);
}

void runServer({
  program: 'hook-observatory-lesson-4',
  title: 'hook-observatory (lesson 4: routes)',
  liveView: false,
  createReceiver,
});
