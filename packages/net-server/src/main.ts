#!/usr/bin/env node
/**
 * The hook receiver on raw node:net: HTTP/1.1 by hand.
 *
 * node:net gives us a byte stream per connection and nothing else. Everything
 * node:http did for packages/http-server/src/main.ts is done here, in the same
 * sections and order: parse the bytes (request-parser.ts), answer
 * `Expect: 100-continue`, keep pipelined answers in order (connection.ts),
 * write the response bytes (response-writer.ts), keep the connection alive or
 * close it, and time out or refuse what node:http would. From outside the two
 * are the same: test/conformance proves it byte for byte.
 */
import { createServer } from 'node:net';
import {
  EVENTS_PATH,
  EVENT_STREAM_HEADERS,
  LIVE_VIEW,
  HEALTH_BODY,
  HEALTH_PATH,
  HOOK_PATH,
  JSON_CONTENT_TYPE,
  MAX_CHUNK_EXTENSIONS_BYTES,
  MAX_HEADER_SIZE_BYTES,
  MAX_HEADERS_COUNT,
  METHOD_NOT_ALLOWED_BODY,
  NOT_FOUND_BODY,
  SILENT_CONNECTION_MS,
  answerHeaders,
  enrich,
  parseRequestTarget,
  runServer,
  streamFilterOf,
  usageSessionOf,
  type BodyRefusal,
  type Receiver,
  type UnusedConnection,
  type ReceiverContext,
} from '@hook-observatory/core';
import { Connection, type PendingResponse } from './connection.js';
import { GroupCommit } from './group-commit.js';
import { RequestParser, type ParseErrorKind, type RequestHead } from './request-parser.js';
import {
  CONTINUE_ANSWER,
  LAST_CHUNK,
  PARSE_ERROR_ANSWERS,
  frameChunk,
  serializeEmptyOk,
  serializeResponse,
} from './response-writer.js';

/** `Expect` asks for 100 Continue when it holds this token (lib/_http_server.js, continueExpression). */
const EXPECT_CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;
/** An HTTP/1.0 request's `TE` accepts chunked when it holds this token (lib/_http_server.js, chunkExpression). */
const TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;

// --- 1. Accept ------------------------------------------------------------
// node:net accepts; we make one parser per connection, so that every
// connection parses on its own and a slow client never holds up another, and
// one Connection (connection.ts) to keep its state, the answers it owes in
// request order and its keep-alive timer, as node:http keeps them on the socket.
// allowHalfOpen: a client that shuts down its side still gets its answers,
// as with node:http (which creates its net.Server the same way).

// #region accept
function createReceiver(context: ReceiverContext): Receiver {
  const connections = new OpenConnections();
  const turn = new GroupCommit(context.record);
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const parser = new RequestParser({
      maxHeaderBytes: MAX_HEADER_SIZE_BYTES,
      maxChunkExtensionBytes: MAX_CHUNK_EXTENSIONS_BYTES,
      maxHeadersCount: MAX_HEADERS_COUNT,
      maxBodyBytes: context.bodyLimits.maxBodyBytes,
      drainsBody: (head) => refuseHead(context, head, headerFields(head)) !== undefined,
    });
    const connection = new Connection(context, socket, context.askOrigin(socket), parser, turn);
    connections.add(connection);
    socket.on('data', (chunk: Buffer) => readBytes(connection, chunk));
    socket.on('end', () => endOfInput(connection));
    socket.on('drain', () => socket.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      connections.remove(connection);
      connection.setState('closed');
    });
  });

  const sweep = setInterval(
    () => expireSlowRequests(context, connections),
    context.timeouts.connectionsCheckingIntervalMs,
  );
  sweep.unref();
  // node:http stops looking for slow requests when it stops listening, not
  // when its last connection has gone (lib/_http_server.js, httpServerPreClose).
  const stopListening = server.close.bind(server);
  server.close = (callback) => {
    clearInterval(sweep);
    return stopListening(callback);
  };

  return {
    server,
    closeIdleConnections: () => {
      for (const connection of connections.snapshot()) {
        if (connection.isIdleForNode) connection.destroyNow();
      }
    },
    closeAllConnections: () => {
      for (const connection of connections.snapshot()) connection.destroyNow();
    },
    // The idle ones, as closeIdleConnections closes, their answers all handed to
    // the kernel, and those silent since accepted.
    unusedConnections: () => {
      const now = Date.now();
      const unused: UnusedConnection[] = [];
      for (const connection of connections.snapshot()) {
        const close = (): void => connection.destroyNow();
        if (connection.state === 'new' && connection.socket.bytesRead === 0) {
          if (now - connection.messageStartedAt >= SILENT_CONNECTION_MS) {
            unused.push({ since: connection.messageStartedAt, close });
          }
        } else if (connection.isIdleForNode && connection.socket.writableLength === 0) {
          unused.push({ since: connection.idleSince, close });
        }
      }
      return unused;
    },
  };
}
// #endregion accept

/**
 * The open connections, for the sweep and for shutdown. An array in which each
 * connection knows its place, so that one leaves by moving the last one into
 * its place. Not a Set: docs/net-server.md tells what a Set cost under load.
 */
// #region open-connections
class OpenConnections {
  private readonly list: Connection[] = [];

  add(connection: Connection): void {
    connection.listIndex = this.list.length;
    this.list.push(connection);
  }

  remove(connection: Connection): void {
    const last = this.list.pop() as Connection;
    if (last === connection) return;
    this.list[connection.listIndex] = last;
    last.listIndex = connection.listIndex;
  }

  /** A copy to walk: a connection closed meanwhile must not move another out of the walk. */
  snapshot(): readonly Connection[] {
    return this.list.slice();
  }
}
// #endregion open-connections

// --- 2. Read the bytes, parse, read the body --------------------------------
// Bytes arrive in reads of any size. The parser takes each read as it comes
// and reports, in order, what it found. node:http runs the handlers of
// complete requests only when its tick queue runs: at the end of the read,
// and in the middle of it where llhttp hands body bytes or a batch of headers
// to JavaScript (the parser's `tick`). Until then an error later in the same
// read is answered instead of them. The body limits are the http server's
// (core/src/body-limits.ts): the parser refuses a body past the limit
// (`body-too-long`), and holdBody a piece past the shared budget. A head
// refuseHead answers is node's own business: its body is drained, unlimited.

// #region read-bytes
function readBytes(connection: Connection, chunk: Buffer): void {
  const { socket, parser } = connection;
  connection.bytesArrived();
  const begunBefore = parser.messagesBegun;
  let failure: ParseErrorKind | undefined;
  let tunnelRefused = false;
  let bodyRefused = false;
  for (const output of parser.execute(chunk)) {
    if (output.kind === 'error') failure = output.error;
    else if (output.kind === 'tick') runQueuedWork(connection);
    // After a refused body node:http parses on, and its handler answers nothing more (http-server, readBody).
    else if (connection.bodyRefused) continue;
    else if (output.kind === 'head') readHead(connection, output.head, true);
    else if (output.kind === 'request') {
      bodyRefused = !holdBody(connection, output.body.length);
      if (bodyRefused) break;
      completeRequest(connection, output.body);
    } else if (output.kind === 'body-too-long') {
      refuseBody(
        connection,
        connection.reading ?? readHead(connection, output.head, false),
        'too-large',
        output.bodyBytes,
      );
      connection.bodyRefused = true;
    }
    // node:http offers a CONNECT to its 'connect' listeners and, as there are
    // none, destroys the socket (lib/_http_server.js, onParserExecuteCommon).
    // Other upgrades go on as plain requests; the parser dropped the rest of the read.
    else tunnelRefused = output.head.method === 'CONNECT';
  }
  if (!bodyRefused && !connection.bodyRefused && connection.reading !== undefined) {
    holdBody(connection, parser.bodyBytes);
  }
  if (parser.messagesBegun !== begunBefore && parser.midRequest) {
    connection.messageStartedAt = Date.now();
  }
  if (failure !== undefined) failConnection(connection, failure);
  if (tunnelRefused) dropConnection(connection);
  // The read is done and node's queue runs once more. After a failure the
  // handlers of complete requests still run and record their events; their
  // answers have nowhere to go.
  runQueuedWork(connection);
  // The client is not reading its answers: stop reading its requests until it does.
  if (socket.writableNeedDrain) socket.pause();
}
// #endregion read-bytes

/**
 * A head is complete: node:http makes its response at once, and answers it
 * itself when it must (refuseHead, or 100 Continue). A CONNECT never reaches a
 * handler: no response, no Host check, no 100 Continue. A head whose body is
 * refused (refuseBody) gets no 100 Continue either: its refusal instead.
 */
function readHead(
  connection: Connection,
  head: RequestHead,
  mayContinue: boolean,
): PendingResponse | undefined {
  connection.headComplete();
  if (head.method === 'CONNECT') return undefined;
  const response = connection.open(head, headerFields(head));
  const refusal = refuseHead(connection.context, head, response.fields);
  if (refusal !== undefined) {
    response.end(refusal.bytes, refusal.closes);
  } else if (
    mayContinue &&
    isHttp11(head) &&
    EXPECT_CONTINUE.test(response.fields.get('expect') ?? '')
  ) {
    response.write(CONTINUE_ANSWER);
  }
  return response;
}

/** A request is complete: its handler runs at the next tick. A refused head's request is read and dropped. */
function completeRequest(connection: Connection, body: Buffer): void {
  const response = connection.requestComplete();
  if (response !== undefined && !response.ended) response.body = body;
}

/**
 * The request's body has grown to `bodyBytes`: what arrived since is taken
 * from the budget all connections share, as the http server takes each
 * 'data' event's; here once a read, or as the request completes in it. False
 * when it does not fit: the request is refused (503), nothing more is parsed.
 */
function holdBody(connection: Connection, bodyBytes: number): boolean {
  if (connection.holdBody(bodyBytes)) return true;
  // The input is read no further, as at its end: the parser stops.
  connection.parser.finish();
  refuseBody(connection, connection.reading, 'busy', bodyBytes);
  return false;
}

/**
 * Answer a body refused unread, 413 or 503, in its turn like any answer, and
 * record the hook it carried (section 4); the answer closes the connection.
 * A Content-Length too long comes in place of its head (request-parser.ts).
 * A request node:http already answered itself (refuseHead) just closes, as
 * does one with no answer (a CONNECT's).
 */
function refuseBody(
  connection: Connection,
  response: PendingResponse | undefined,
  refusal: BodyRefusal,
  bodyBytes: number,
): void {
  if (response === undefined || response.left) return connection.closeAfterWrites(true);
  response.lingers = true;
  if (response.ended) {
    response.closes = true;
    return;
  }
  const { head } = response;
  const target = parseRequestTarget(head.target);
  const facts = {
    method: head.method,
    path: target.path,
    target: head.target,
    header: (name: string) => response.fields.get(name),
  };
  const refused = connection.context.refuseBody({
    facts,
    origin: connection.origin,
    eventFromQuery: target.event,
    bodyBytes,
    refusal,
  });
  if (refused.record !== undefined) connection.turn.record(refused.record);
  respond(response, refused.answer.status, refused.answer.body, refused.answer.headers);
}

/**
 * What node:http's tick queue does for us: complete requests reach the
 * handler (route, which records and answers them), in order; then each answer
 * that is out lets the next one go (Connection.retireFinished).
 */
function runQueuedWork(connection: Connection): void {
  for (const response of connection.pending) {
    if (response.body === undefined || response.ended) continue;
    const body = response.body;
    response.body = undefined;
    route(response, body);
  }
  connection.retireFinished();
}

/**
 * Heads node:http answers itself, before any handler sees them: HTTP/1.1
 * without Host (RFC 9112 section 3.2 makes it a 400), and an expectation
 * other than 100-continue (RFC 9110 section 10.1.1: 417).
 */
// #region refuse-head
function refuseHead(
  context: ReceiverContext,
  head: RequestHead,
  fields: ReadonlyMap<string, string>,
): { bytes: Buffer; closes: boolean } | undefined {
  const keepAliveTimeoutMs = context.timeouts.keepAliveTimeoutMs;
  const headOnly = head.method === 'HEAD';
  // Present but empty is present: node checks `req.headers.host === undefined`.
  if (isHttp11(head) && !fields.has('host')) {
    const answer = {
      status: 400,
      headers: [['Connection', 'close']] as const,
      keepAlive: false,
      keepAliveTimeoutMs,
      chunked: true,
    };
    return { bytes: serializeResponse(answer, LAST_CHUNK, headOnly), closes: true };
  }
  const expect = fields.get('expect');
  if (isHttp11(head) && expect !== undefined && !EXPECT_CONTINUE.test(expect)) {
    const answer = {
      status: 417,
      headers: [],
      keepAlive: head.keepAlive,
      keepAliveTimeoutMs,
      chunked: true,
    };
    return { bytes: serializeResponse(answer, LAST_CHUNK, headOnly), closes: !head.keepAlive };
  }
  return undefined;
}
// #endregion refuse-head

function isHttp11(head: RequestHead): boolean {
  return head.versionMajor === 1 && head.versionMinor === 1;
}

// #region header-fields
/**
 * Headers whose repeats node:http drops, keeping the first (lib/_http_incoming.js,
 * matchKnownFields): a second Host or Content-Type cannot be merged meaningfully.
 */
const FIRST_VALUE_WINS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/**
 * The head's fields as node:http's req.headers holds them, made once per
 * request: lower-case names; for the names above the first value, for the
 * others the repeats joined by ", ".
 */
function headerFields(head: RequestHead): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [name, value] of head.headers) {
    const lowerName = name.toLowerCase();
    const earlier = fields.get(lowerName);
    if (earlier === undefined) fields.set(lowerName, value);
    else if (!FIRST_VALUE_WINS.has(lowerName)) fields.set(lowerName, `${earlier}, ${value}`);
  }
  return fields;
}
// #endregion header-fields

// --- 3. Route -------------------------------------------------------------
// The same guard and the same routes as the http server, decided the same way.

// #region route
function route(response: PendingResponse, body: Buffer): void {
  const { connection, head, fields } = response;
  const target = parseRequestTarget(head.target);
  const rejection = connection.context.checkRequest({
    method: head.method,
    path: target.path,
    target: head.target,
    header: (name) => fields.get(name),
  });
  if (rejection !== undefined) {
    return respond(response, rejection.status, rejection.body, rejection.headers);
  }
  if (target.path === HOOK_PATH) {
    if (head.method !== 'POST') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'POST']]);
    }
    recordEvent(connection, target.event, body);
    return respond(response, 200, '');
  }
  if (target.path === HEALTH_PATH) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return respond(response, 200, HEALTH_BODY);
  }
  if (target.path === LIVE_VIEW.path) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return respond(response, 200, LIVE_VIEW.page, LIVE_VIEW.headers, LIVE_VIEW.contentType);
  }
  if (target.path === EVENTS_PATH) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return streamEvents(response);
  }
  const usageSession = usageSessionOf(target.path);
  if (usageSession !== undefined) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(response, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return answerUsage(response, usageSession);
  }
  return respond(response, 404, NOT_FOUND_BODY);
}
// #endregion route

// --- 4. Record ------------------------------------------------------------
// As in the http server: every sink has the event before its answer is written.
// Here the event waits with the answers for the end of the turn, and is
// written first (group-commit.ts). When the connection failed meanwhile, the
// event is still recorded, unanswered. A refused body's record (section 2)
// takes the same way.

// #region record
function recordEvent(
  connection: Connection,
  eventFromQuery: string | undefined,
  body: Buffer,
): void {
  connection.turn.record(
    enrich({
      timestamp: connection.context.timestamp(),
      eventFromQuery,
      origin: connection.origin,
      body,
    }),
  );
}
// #endregion record

// --- 5. Respond -----------------------------------------------------------
// The bytes node:http would write for the same writeHead and end: our headers
// (with a body, those that keep it from pages: core/src/protocol.ts), then
// Date, Connection and Keep-Alive; the head without the body for HEAD.
// response.end leaves them in request order (connection.ts, PendingResponse).

// #region respond
function respond(
  response: PendingResponse,
  status: number,
  body: string | Buffer,
  extraHeaders: ReadonlyArray<readonly [string, string]> = [],
  contentType = JSON_CONTENT_TYPE,
): void {
  const { head } = response;
  const keepAliveTimeoutMs = response.connection.context.timeouts.keepAliveTimeoutMs;
  if (status === 200 && body === '' && extraHeaders.length === 0) {
    return response.end(serializeEmptyOk(head.keepAlive, keepAliveTimeoutMs), !head.keepAlive);
  }
  const headers: Array<readonly [string, string]> = [
    ['Content-Type', contentType],
    ['Content-Length', String(Buffer.byteLength(body))],
    ...answerHeaders(body, extraHeaders),
  ];
  // Our own `Connection: close` (a refused body's) closes it, as node's `_last` does.
  const keepAlive =
    head.keepAlive &&
    !extraHeaders.some(([name, value]) => name === 'Connection' && value === 'close');
  response.end(
    serializeResponse(
      { status, headers, keepAlive, keepAliveTimeoutMs },
      body,
      head.method === 'HEAD',
    ),
    !keepAlive,
  );
}
// #endregion respond

// --- 5b. Stream -----------------------------------------------------------
// What node:http writes for writeHead(200, headers) and a write per message:
// with no Content-Length, our headers, Date, Connection, Keep-Alive and
// `Transfer-Encoding: chunked`, then each write as a chunk, `<hex length>
// CRLF <bytes> CRLF` (lib/_http_outgoing.js, write_), and the last chunk `0`
// when it ends. A write's callback tells core/src/stream.ts it may take the
// viewer's next write from the ring. To HTTP/1.0 node sends the bytes bare
// and closes after (`_last`), unless the request's TE names chunked: then it
// frames them chunked and keeps the connection if asked (RFC 9112 section 6.1
// would not send chunked to 1.0; we follow node, docs/net-server-appendix.md).
// A response under way is not idle: no keep-alive timer, and the request
// timeouts stop once the request is complete (node's connections list drops
// it at message complete). Pipelined requests wait behind it.

// #region stream
function streamEvents(response: PendingResponse): void {
  const { connection, head, fields } = response;
  const { context } = connection;
  // node frames chunked for HTTP/1.0 too when its TE names chunked (ServerResponse's
  // useChunkedEncodingByDefault), and keeps the connection only for a length or chunked.
  const chunked = isHttp11(head) || TE_CHUNKED.test(fields.get('te') ?? '');
  const keepAlive = head.keepAlive && chunked;
  const streamHead = {
    status: 200,
    headers: EVENT_STREAM_HEADERS,
    keepAlive,
    keepAliveTimeoutMs: context.timeouts.keepAliveTimeoutMs,
    chunked,
  };
  if (head.method === 'HEAD') {
    return response.end(serializeResponse(streamHead, '', true), !keepAlive);
  }
  response.streaming = true;
  // Hooks recorded earlier in this turn go to the ring first: the viewer gets them as its replay.
  connection.turn.commitEvents();
  response.write(serializeResponse(streamHead, '', false));
  const detach = context.eventStream.attach(
    {
      // One write, one chunk: the viewer's window as it is, framed (core refills it once written).
      write: (bytes, whenWritten) =>
        response.write(chunked ? frameChunk(bytes) : bytes, whenWritten),
      cutOff: () => connection.destroyNow(),
      end: () => {
        response.end(chunked ? LAST_CHUNK : Buffer.alloc(0), !keepAlive);
        // node lets the next answer go once this one has left ('finish', resOnFinish):
        // shutdown's closeIdleConnections comes first and drops the answers behind it.
        setImmediate(() => {
          if (!connection.socket.destroyed) runQueuedWork(connection);
        });
      },
    },
    streamFilterOf(head.target),
    fields.get('last-event-id'),
  );
  // A viewer that leaves is forgotten at once.
  connection.socket.once('close', detach);
}
// #endregion stream

// --- 5c. Usage ------------------------------------------------------------
// GET /sessions/<id>/usage: core reads the session's transcript off the event
// loop (core/src/session-usage.ts) and the answer is written when it comes.
// Answers to pipelined requests behind it wait in the connection's queue, as
// node:http holds them; once it is out, they leave (runQueuedWork).

// #region usage
function answerUsage(response: PendingResponse, session: string): void {
  const { connection } = response;
  void connection.context.sessionUsage(session).then(({ status, body, headers }) => {
    // A connection that closed meanwhile takes nothing (Connection.send drops it).
    respond(response, status, body, headers);
    if (!connection.socket.destroyed) runQueuedWork(connection);
  });
}
// #endregion usage

// --- 6. Keep alive or close, time out, fail --------------------------------
// Keeping alive is the connection's own: its one keep-alive timer starts when
// it turns idle and is let go when it closes (connection.ts). Here are the
// request timeouts, the end of the client's input, and failure.

/**
 * node:http checks its connections every connectionsCheckingIntervalMs: a
 * request whose head is not complete after headersTimeoutMs, or that is not
 * complete after requestTimeoutMs, is answered 408 (RFC 9110 section 15.5.9)
 * and closed. A connection that never sent a byte counts as such a request.
 */
// #region expire-slow-requests
function expireSlowRequests(context: ReceiverContext, connections: OpenConnections): void {
  const { headersTimeoutMs, requestTimeoutMs } = context.timeouts;
  const now = Date.now();
  for (const connection of connections.snapshot()) {
    if (!connection.hasRequestUnderWay || connection.isOnlyStreaming) continue;
    const elapsed = now - connection.messageStartedAt;
    const headersLate =
      headersTimeoutMs > 0 && !connection.parser.headComplete && elapsed > headersTimeoutMs;
    const requestLate = requestTimeoutMs > 0 && elapsed > requestTimeoutMs;
    if (headersLate || requestLate) failConnection(connection, 'timeout');
  }
}
// #endregion expire-slow-requests

/**
 * The client shut down its side. Mid-request, the request can never complete:
 * 400. Between requests, every answer is already written: end our side too.
 */
// #region end-of-input
function endOfInput(connection: Connection): void {
  const error = connection.parser.finish();
  if (error?.kind === 'error') return failConnection(connection, error.error);
  if (!connection.isEnding) {
    connection.setState('closing');
    connection.turn.flush(connection.socket);
    connection.socket.end();
  }
}
// #endregion end-of-input

/**
 * Refuse what cannot be parsed: a fixed answer, unless an answer has already
 * started on this connection, then close at once (lib/_http_server.js,
 * socketOnError). Nothing that follows on the connection is read.
 */
// #region fail-connection
function failConnection(connection: Connection, error: ParseErrorKind | 'timeout'): void {
  const { socket } = connection;
  if (!connection.answerStarted && !connection.isEnding && socket.writable) {
    socket.write(PARSE_ERROR_ANSWERS[error]);
  }
  dropConnection(connection);
}
// #endregion fail-connection

/** Close at once without a word: node:http's answer to a CONNECT it has no listener for. */
function dropConnection(connection: Connection): void {
  if (!connection.isEnding) connection.setState('closing');
  connection.destroyNow();
}

void runServer({
  program: 'hook-observatory-net',
  typed: { script: 'start:net' },
  title: 'hook-observatory (node:net)',
  liveView: true,
  createReceiver,
});
