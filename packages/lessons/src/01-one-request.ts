/**
 * Lesson 1: one request per connection, the smallest hook receiver on raw node:net.
 *
 * A hook is one HTTP request: a request line, header lines, a blank line, then
 * Content-Length bytes of JSON (RFC 9112 sections 2 and 6). TCP hands them over
 * in pieces of any size, so we keep what has arrived until the blank line, then
 * until the body is complete. We record the event, answer `Connection: close`
 * and close. That is enough for curl's command hooks; docs/lessons.md shows
 * what it gets wrong, and the next lessons fix it one concept at a time.
 */
import { createServer, type Socket } from 'node:net';
import { HOOK_PATH, NOT_FOUND_BODY, enrich, parseRequestTarget, runServer, type Receiver, type ReceiverContext } from '@hook-observatory/core';

const HEAD_END = Buffer.from('\r\n\r\n');

interface Request {
  readonly method: string;
  readonly target: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

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
      const event = route(context, request);
      // --- 4. Record, before the answer: a client with its 200 knows its event is kept.
      if (event !== undefined) context.record(enrich({ timestamp: context.timestamp(), origin, ...event }));
      respond(socket, event === undefined ? 404 : 200, event === undefined ? NOT_FOUND_BODY : '');
    });
    socket.on('error', () => socket.destroy()).on('close', () => open.delete(socket));
  });
  const closeAll = (): void => open.forEach((socket) => socket.destroy());
  return { server, closeIdleConnections: () => undefined, closeAllConnections: closeAll };
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
function route(context: ReceiverContext, request: Request): { eventFromQuery: string | undefined; body: Buffer } | undefined {
  const { path, event } = parseRequestTarget(request.target);
  const facts = { method: request.method, path, header: (name: string) => request.headers.get(name) };
  if (request.method !== 'POST' || path !== HOOK_PATH || context.checkRequest(facts) !== undefined) return undefined;
  return { eventFromQuery: event, body: request.body };
}

// --- 5. Respond -----------------------------------------------------------
function respond(socket: Socket, status: 200 | 404, body: string): void {
  const reason = status === 200 ? 'OK' : 'Not Found';
  const head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  // --- 6. Close: the answer says so, and its end is where the bytes stop.
  socket.end(`${head}Date: ${new Date().toUTCString()}\r\nConnection: close\r\n\r\n${body}`);
}

void runServer({ program: 'hook-observatory-lesson-1', title: 'hook-observatory (lesson 1: one request)', createReceiver });
