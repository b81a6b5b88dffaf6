/**
 * Lesson 1: one request per connection, the smallest hook receiver on raw node:net.
 *
 * A hook is one HTTP request: a request line, header lines, a blank line, then
 * Content-Length bytes of JSON (RFC 9112 sections 2 and 6). We keep the pieces
 * TCP hands over (lesson 0) until the blank line, then until the body is in,
 * record the event, answer `Connection: close` (a refusal says why) and close;
 * core's runServer listens. docs/lessons.md says what it gets wrong, in order.
 */
import { createServer, type Socket } from 'node:net';
import {
  HOOK_PATH,
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
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** What we answer: a status and its body; the guard's refusals are answers too. */
type Answer = Pick<Rejection, 'status' | 'body'>;

// --- 1. Accept ------------------------------------------------------------
function createReceiver(context: ReceiverContext): Receiver {
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    const origin = context.askOrigin(socket);
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const request = parse(received);
      if (request === undefined) return; // not all here yet
      socket.removeAllListeners('data');
      respond(socket, handle(context, origin, request));
    });
    socket.on('error', () => socket.destroy()).on('close', () => open.delete(socket));
  });
  return {
    server,
    closeIdleConnections: () => undefined,
    closeAllConnections: () => open.forEach((socket) => socket.destroy()),
  };
}

// --- 2. Read the request --------------------------------------------------
function parse(bytes: Buffer): Request | undefined {
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const [requestLine = '', ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const [method = '', target = '/'] = requestLine.split(' ');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const bodyStart = headEnd + HEAD_END.length;
  const bodyEnd = bodyStart + Number(headers.get('content-length') ?? 0);
  if (bytes.length < bodyEnd) return undefined;
  return { method, target, headers, body: bytes.subarray(bodyStart, bodyEnd) };
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
function respond(socket: Socket, { status, body }: Answer): void {
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
  head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  // --- 6. Close: the answer says so, and its end is where the bytes stop.
  socket.end(`${head}Date: ${new Date().toUTCString()}\r\nConnection: close\r\n\r\n${body}`);
}

void runServer({
  program: 'hook-observatory-lesson-1',
  title: 'hook-observatory (lesson 1: one request)',
  liveView: false,
  createReceiver,
});
