#!/usr/bin/env node
/**
 * The hook receiver on node:http: the abstracted way.
 *
 * node:http accepts connections, runs the llhttp parser over their bytes,
 * hands us each request as an IncomingMessage and writes our ServerResponse
 * as HTTP/1.1, keep-alive, 100 Continue, timeouts and error answers included.
 * What is left for us is the hook itself: read the body, route, record the
 * event, answer. packages/net-server/src/main.ts does the same by hand, in the
 * same sections and order; docs/side-by-side.md reads the two together.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  HEALTH_BODY,
  HEALTH_PATH,
  EVENTS_PATH,
  EVENT_STREAM_HEADERS,
  LIVE_VIEW,
  HOOK_PATH,
  JSON_CONTENT_TYPE,
  MAX_HEADER_SIZE_BYTES,
  MAX_HEADERS_COUNT,
  METHOD_NOT_ALLOWED_BODY,
  NOT_FOUND_BODY,
  SILENT_CONNECTION_MS,
  answerHeaders,
  declaredTooLong,
  enrich,
  lingeringClose,
  parseRequestTarget,
  runServer,
  streamFilterOf,
  usageSessionOf,
  type Origin,
  type Receiver,
  type BodyRefusal,
  type ReceiverContext,
  type UnusedConnection,
} from '@hook-observatory/core';

/**
 * Who connected, and whether a body on it was refused, kept on the socket
 * itself, as node:http keeps its own per-connection state there
 * (socket.parser, socket._httpMessage).
 */
const ORIGIN = Symbol('origin');
const BODY_REFUSED = Symbol('body refused');
type ObservedSocket = Socket & { [ORIGIN]?: Origin; [BODY_REFUSED]?: true };

// --- 1. Accept ------------------------------------------------------------
// node:http owns the accept loop and one llhttp parser per connection. The
// limits are passed explicitly so that a Node with other defaults answers alike
// (the timeouts are protocol.ts's, unless a test shortened them: test-overrides.ts).

// #region accept
function createReceiver(context: ReceiverContext): Receiver {
  const { timeouts } = context;
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_SIZE_BYTES,
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    },
    (request, response) => {
      owe(context, open, request, response);
      readBody(context, request, response, false);
    },
  );
  // With a listener, node:http leaves `Expect: 100-continue` to us (lib/_http_server.js,
  // parserOnIncoming): a body too long is refused instead of the 100.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    owe(context, open, request, response);
    readBody(context, request, response, true);
  });
  // Who connected is asked now: once the socket is closed the kernel no longer says.
  // The open connections and how each stands, for unusedConnections.
  const open = new Map<Socket, Standing>();
  server.on('connection', (socket: ObservedSocket) => {
    socket[ORIGIN] = context.askOrigin(socket);
    open.set(socket, { acceptedAt: Date.now(), owed: 0, idleSince: undefined, readAtIdle: 0 });
    socket.once('close', () => open.delete(socket));
  });
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  return {
    server,
    closeIdleConnections: () => server.closeIdleConnections(),
    closeAllConnections: () => server.closeAllConnections(),
    unusedConnections: () => unusedConnections(open),
  };
}

/**
 * A connection's standing, for unusedConnections: node:http keeps whether it
 * is idle in its ConnectionsList, which it does not show, so it is kept here.
 */
interface Standing {
  readonly acceptedAt: number;
  /** Answers not yet finished. */
  owed: number;
  /** When its last answer finished with none owed: undefined before its first. */
  idleSince: number | undefined;
  /** Its bytes read then: more since, and a request is arriving. */
  readAtIdle: number;
}

/** A request arrived: one more answer owed until it finishes. */
function owe(
  context: ReceiverContext,
  open: Map<Socket, Standing>,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const standing = open.get(request.socket);
  if (standing === undefined) return;
  standing.owed++;
  response.once('finish', () => {
    if (--standing.owed > 0) return;
    standing.idleSince = Date.now();
    standing.readAtIdle = request.socket.bytesRead;
    context.connectionIdle?.();
  });
}

/**
 * The connections idle between requests, their last answer all handed to the
 * kernel, and those silent for
 * SILENT_CONNECTION_MS since they were accepted: node:http counts one that has
 * sent nothing as a request under way (src/node_http_parser.cc, Initialize),
 * so its closeIdleConnections would spare it.
 */
function unusedConnections(open: Map<Socket, Standing>): UnusedConnection[] {
  const now = Date.now();
  const unused: UnusedConnection[] = [];
  for (const [socket, { acceptedAt, owed, idleSince, readAtIdle }] of open) {
    const close = (): void => void socket.destroy();
    if (socket.bytesRead === 0) {
      if (now - acceptedAt >= SILENT_CONNECTION_MS) unused.push({ since: acceptedAt, close });
    } else if (
      owed === 0 &&
      idleSince !== undefined &&
      socket.bytesRead === readAtIdle &&
      socket.writableLength === 0
    ) {
      unused.push({ since: idleSince, close });
    }
  }
  return unused;
}
// #endregion accept

// --- 2. Read the body -----------------------------------------------------
// llhttp has already parsed the request line and headers, and it decodes
// Content-Length and chunked bodies; we only collect the bytes. They stay
// bytes until enrich() decodes them once: a UTF-8 character may span chunks.
// node:http sets no body limit: ours (core/src/body-limits.ts) refuses a
// Content-Length too long before a byte is read, a chunked body as it passes
// the limit, and any piece past the budget all connections share.

// #region read-body
function readBody(
  context: ReceiverContext,
  request: IncomingMessage,
  response: ServerResponse,
  expectsContinue: boolean,
): void {
  // Pipelined after a refused body: node:http parsed it from bytes we never meant to read.
  if ((request.socket as ObservedSocket)[BODY_REFUSED]) return;
  const { bodyLimits } = context;
  const declared = request.headers['content-length'];
  if (declaredTooLong(declared, bodyLimits)) {
    return refuseBody(context, request, response, 'too-large', Number(declared));
  }
  if (expectsContinue) response.writeContinue();
  const chunks: Buffer[] = [];
  let received = 0;
  /** Bytes taken from the budget all connections share, given back once the body is handed on or lost. */
  let held = 0;
  const giveBack = (): void => {
    context.bodyBudget.giveBack(held);
    held = 0;
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    let refusal: BodyRefusal;
    if (received > bodyLimits.maxBodyBytes) refusal = 'too-large';
    else if (!context.bodyBudget.take(chunk.length)) refusal = 'busy';
    else {
      held += chunk.length;
      chunks.push(chunk);
      return;
    }
    giveBack();
    request.off('data', onData).off('end', onEnd);
    refuseBody(context, request, response, refusal, received);
  };
  const onEnd = (): void => {
    giveBack();
    route(context, request, response, Buffer.concat(chunks));
  };
  request.on('data', onData).on('end', onEnd).on('close', giveBack);
}

/**
 * Answer a body refused unread, 413 or 503, and record the hook it carried
 * (section 4). Nothing more is read from the connection: the answer closes it,
 * with a lingering close (core/src/body-limits.ts).
 */
function refuseBody(
  context: ReceiverContext,
  request: IncomingMessage,
  response: ServerResponse,
  refusal: BodyRefusal,
  bodyBytes: number,
): void {
  const socket = request.socket as ObservedSocket;
  socket[BODY_REFUSED] = true;
  // node:http ends a connection after an answer that closes it with destroySoon
  // (lib/_http_server.js, resOnFinish), which resets one still sending: linger instead.
  socket.destroySoon = () => lingeringClose(socket);
  const target = parseRequestTarget(request.url ?? '/');
  const facts = {
    method: request.method ?? '',
    path: target.path,
    target: request.url ?? '/',
    header: (name: string) => headerValue(request, name),
  };
  const { answer, record } = context.refuseBody({
    facts,
    origin: originOf(request),
    eventFromQuery: target.event,
    bodyBytes,
    refusal,
  });
  if (record !== undefined) context.record([record]);
  respond(response, answer.status, answer.body, answer.headers);
}
// #endregion read-body

// --- 3. Route -------------------------------------------------------------
// First the guard (core/src/guard.ts): requests a web page could forge are
// refused before anything else looks at them. Then the routes. A known path
// with the wrong method is 405 with Allow (RFC 9110 section 15.5.6); HEAD is
// answered wherever GET is (section 9.3.2).

// #region route
function route(
  context: ReceiverContext,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
): void {
  const target = parseRequestTarget(request.url ?? '/');
  const method = request.method ?? '';
  const rejection = context.checkRequest({
    method,
    path: target.path,
    target: request.url ?? '/',
    header: (name) => headerValue(request, name),
  });
  if (rejection !== undefined) {
    return respond(response, rejection.status, rejection.body, rejection.headers);
  }
  if (target.path === HOOK_PATH) {
    if (method !== 'POST') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'POST']]);
    }
    recordEvent(context, originOf(request), target.event, body);
    return respond(response, 200, '');
  }
  if (target.path === HEALTH_PATH) {
    if (method !== 'GET' && method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return respond(response, 200, HEALTH_BODY);
  }
  if (target.path === LIVE_VIEW.path) {
    if (method !== 'GET' && method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return respond(response, 200, LIVE_VIEW.page, LIVE_VIEW.headers, LIVE_VIEW.contentType);
  }
  if (target.path === EVENTS_PATH) {
    if (method !== 'GET' && method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return streamEvents(context, request, response);
  }
  const usageSession = usageSessionOf(target.path);
  if (usageSession !== undefined) {
    if (method !== 'GET' && method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return answerUsage(context, usageSession, response);
  }
  return respond(response, 404, NOT_FOUND_BODY);
}
// #endregion route

/** node:http has already folded repeated headers (IncomingMessage#headers): only Set-Cookie stays a list. */
function headerValue(request: IncomingMessage, lowerCaseName: string): string | undefined {
  const value = request.headers[lowerCaseName];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Who sent a request: asked when its connection was accepted (section 1). */
function originOf(request: IncomingMessage): Origin {
  return (request.socket as ObservedSocket)[ORIGIN] as Origin;
}

// --- 4. Record ------------------------------------------------------------
// The event is handed to every sink before the answer is written, so a
// client that has its 200 knows its event is in the stream.

// #region record
function recordEvent(
  context: ReceiverContext,
  origin: Origin,
  eventFromQuery: string | undefined,
  body: Buffer,
): void {
  context.record([enrich({ timestamp: context.timestamp(), eventFromQuery, origin, body })]);
}
// #endregion record

// --- 5. Respond -----------------------------------------------------------
// We give the status and our headers; node:http writes the status line and
// adds Date, Connection and Keep-Alive after them, and for HEAD drops the body.
// An empty 200 is a hook's "proceed": any body would reach Claude as context.
// Every other answer has a body, and the headers that keep it from pages
// (core/src/protocol.ts, answerHeaders).

// #region respond
function respond(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  extraHeaders: ReadonlyArray<readonly [string, string]> = [],
  contentType = JSON_CONTENT_TYPE,
): void {
  const headers: Record<string, string | number> = {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
  };
  for (const [name, value] of answerHeaders(body, extraHeaders)) headers[name] = value;
  response.writeHead(status, headers);
  response.end(body);
}
// #endregion respond

// --- 5b. Stream -----------------------------------------------------------
// GET /events never ends: core/src/stream.ts says what to send, takes the
// next write from the ring when the one before has left (res.write's
// callback), and says when to cut a viewer off. Without a Content-Length
// node:http frames each write as a chunk (Transfer-Encoding: chunked, RFC 9112
// section 7.1); a response in progress keeps its connection out of the idle
// timers (lib/_http_server.js), and HEAD gets the same head without a body.

// #region stream
function streamEvents(
  context: ReceiverContext,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  response.writeHead(200, Object.fromEntries(EVENT_STREAM_HEADERS));
  if (request.method === 'HEAD') return void response.end();
  const detach = context.eventStream.attach(
    {
      // One write, one chunk: the viewer's window, written as it is (core fills it again after).
      write: (bytes, whenWritten) => response.write(bytes, () => whenWritten()),
      cutOff: () => response.destroy(),
      end: () => response.end(),
    },
    streamFilterOf(request.url ?? '/'),
    headerValue(request, 'last-event-id'),
  );
  // A viewer that leaves is forgotten at once.
  response.on('close', detach);
}
// #endregion stream

// --- 5c. Usage ------------------------------------------------------------
// GET /sessions/<id>/usage: core reads the session's transcript off the event
// loop (core/src/session-usage.ts) and the answer is written when it comes.
// node:http holds a pipelined request's answer behind it meanwhile, and keeps
// the connection out of its idle timers while a response is under way.

// #region usage
function answerUsage(context: ReceiverContext, session: string, response: ServerResponse): void {
  void context.sessionUsage(session).then(({ status, body, headers }) => {
    // The client may have gone meanwhile: nothing to answer.
    if (!response.destroyed) respond(response, status, body, headers);
  });
}
// #endregion usage

// --- 6. Keep alive or close, time out, fail --------------------------------
// #region keep-alive-and-fail
// All node:http's: it keeps the connection for the next request unless the
// client asked to close or our answer says `Connection: close` (a refused
// body's), destroys it after KEEP_ALIVE_TIMEOUT_MS idle plus
// KEEP_ALIVE_TIMEOUT_BUFFER_MS of grace, answers 408 when a head or request
// takes too long and 400/413/431 to bytes llhttp rejects (its default
// 'clientError' handling, which we leave in place).
// #endregion keep-alive-and-fail

void runServer({
  program: 'hook-observatory-http',
  typed: { script: 'start', packaged: 'start' },
  title: 'hook-observatory (node:http)',
  liveView: true,
  createReceiver,
});
