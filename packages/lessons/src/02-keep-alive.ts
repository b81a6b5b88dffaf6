/**
 * Lesson 2: keep-alive. New since lesson 1:
 * - a connection carries one request after another (RFC 9112 section 9.3):
 *   HTTP/1.1 stays open unless the request says `Connection: close`; HTTP/1.0
 *   stays open only when it asks with `Connection: keep-alive`;
 * - the answer says which (`Connection: keep-alive` and `Keep-Alive: timeout=N`,
 *   as node:http writes them), and an idle connection is closed after the
 *   keep-alive timeout (Claude Code's native http hooks reuse connections);
 * - bytes it cannot read end the connection: the next request begins where
 *   this one ends, so a request line that is not `METHOD TARGET HTTP/1.x`, a
 *   field line without a name and a colon, a Content-Length that is not
 *   digits or a Transfer-Encoding (lesson 6) leave it no place to begin, and
 *   the client would wait for an answer that never comes.
 * Still missing: the headers an answer carries (lesson 3), the routes (lesson 4).
 */
import { createServer, type Socket } from 'node:net';
import {
  HOOK_PATH,
  KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  NOT_FOUND_BODY,
  enrich,
  parseRequestTarget,
  runServer,
  type Origin,
  type Receiver,
  type ReceiverContext,
  type Rejection,
} from '@hook-observatory/core';

const HEAD_END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^(\S+) (\S+) (HTTP\/1\.[01])$/;
const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
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

/** What we answer: a status and its body; the guard's refusals are answers too. */
type Answer = Pick<Rejection, 'status' | 'body'>;

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
      respond(context, socket, handle(context, origin, request), keepAlive);
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
  // A refusal's body says why: a 415 names the Content-Type /hook takes.
  if (rejection !== undefined) return rejection;
  if (request.method !== 'POST' || path !== HOOK_PATH) return { status: 404, body: NOT_FOUND_BODY };
  // --- 4. Record, before the answer: a client with its 200 knows its event is kept.
  context.record([
    enrich({ timestamp: context.timestamp(), origin, eventFromQuery: event, body: request.body }),
  ]);
  return { status: 200, body: '' };
}

// --- 5. Respond -----------------------------------------------------------
function respond(
  context: ReceiverContext,
  socket: Socket,
  { status, body }: Answer,
  keepAlive: boolean,
): void {
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
  head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  head += `Date: ${new Date().toUTCString()}\r\n`;
  const { keepAliveTimeoutMs } = context.timeouts;
  const timeout =
    keepAliveTimeoutMs > 0
      ? `Keep-Alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}\r\n`
      : '';
  head += keepAlive ? `Connection: keep-alive\r\n${timeout}` : 'Connection: close\r\n';
  const bytes = `${head}\r\n${body}`;
  // --- 6. ...or close: the answer said so, and its end is where the bytes stop.
  if (keepAlive) socket.write(bytes);
  else socket.end(bytes);
}

void runServer({
  program: 'hook-observatory-lesson-2',
  title: 'hook-observatory (lesson 2: keep-alive)',
  liveView: false,
  createReceiver,
});
