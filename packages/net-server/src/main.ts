#!/usr/bin/env node
/**
 * The hook receiver on raw node:net: HTTP/1.1 by hand.
 *
 * node:net gives us a byte stream per connection and nothing else. Everything
 * node:http did for packages/http-server/src/main.ts is done here, in the same
 * sections and order: parse the bytes (request-parser.ts), answer
 * `Expect: 100-continue`, keep pipelined answers in order, write the response
 * bytes (response-writer.ts), keep the connection alive or close it, and time
 * out or refuse what node:http would. From outside the two are the same:
 * test/conformance proves it byte for byte.
 */
import { createServer, type Socket } from 'node:net';
import {
  HEALTH_BODY,
  HEALTH_PATH,
  HOOK_PATH,
  JSON_CONTENT_TYPE,
  KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  MAX_CHUNK_EXTENSIONS_BYTES,
  MAX_HEADER_SIZE_BYTES,
  MAX_HEADERS_COUNT,
  METHOD_NOT_ALLOWED_BODY,
  NOT_FOUND_BODY,
  enrich,
  parseRequestTarget,
  runServer,
  type Origin,
  type Receiver,
  type ReceiverContext,
} from '@hook-observatory/core';
import { RequestParser, type ParseErrorKind, type RequestHead } from './request-parser.js';
import {
  CONTINUE_ANSWER,
  PARSE_ERROR_ANSWERS,
  serializeEmptyChunkedResponse,
  serializeEmptyOk,
  serializeResponse,
} from './response-writer.js';

/** `Expect` asks for 100 Continue when it holds this token (lib/_http_server.js, continueExpression). */
const EXPECT_CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/** What node:http keeps per connection, kept here by hand. */
interface Connection {
  readonly socket: Socket;
  /** Who connected, asked at accept: once the socket is closed the kernel no longer says. */
  readonly origin: Origin;
  readonly parser: RequestParser;
  /** When the current request began (or the connection opened): the start of its timeouts. */
  messageStartedAt: number;
  /** One per request whose head arrived, in order, until its answer is out (node's state.outgoing). */
  readonly responses: PendingResponse[];
  /** An answer that closes the connection is out, or the connection failed: nothing more is written. */
  closing: boolean;
  /** Waiting idle for the next request: the keep-alive timer counts. */
  keepAliveWaiting: boolean;
  /** One timer per connection, restarted for each wait (see startKeepAliveTimer). */
  keepAliveTimer: NodeJS.Timeout | undefined;
  /** Where it is in the list of open connections (see OpenConnections). */
  listIndex: number;
}

/** A request's answer, from its head until it has left: node:http's ServerResponse, by hand. */
interface PendingResponse {
  readonly head: RequestHead;
  /** The head's fields by lower-case name, as node's req.headers (see headerFields). */
  readonly fields: ReadonlyMap<string, string>;
  /** Bytes answered before it was this response's turn, held until the answers before it are out. */
  readonly held: Buffer[];
  /** The answer is complete (node's `_headerSent`, as we always answer in one piece). */
  ended: boolean;
  /** Once out, the answer closes the connection. */
  closes: boolean;
  /** The request is complete and waits for node's next tick to reach the handler. */
  body: Buffer | undefined;
}

// --- 1. Accept ------------------------------------------------------------
// node:net accepts; we make one parser per connection, so that every
// connection parses on its own and a slow client never holds up another.
// allowHalfOpen: a client that shuts down its side still gets its answers,
// as with node:http (which creates its net.Server the same way).

// #region accept
function createReceiver(context: ReceiverContext): Receiver {
  const connections = new OpenConnections();
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const connection: Connection = {
      socket,
      origin: context.askOrigin(socket),
      parser: new RequestParser({
        maxHeaderBytes: MAX_HEADER_SIZE_BYTES,
        maxChunkExtensionBytes: MAX_CHUNK_EXTENSIONS_BYTES,
        maxHeadersCount: MAX_HEADERS_COUNT,
      }),
      messageStartedAt: Date.now(),
      responses: [],
      closing: false,
      keepAliveWaiting: false,
      keepAliveTimer: undefined,
      listIndex: -1,
    };
    connections.add(connection);
    socket.on('data', (chunk: Buffer) => readBytes(context, connection, chunk));
    socket.on('end', () => endOfInput(context, connection));
    socket.on('drain', () => socket.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      connections.remove(connection);
      clearTimeout(connection.keepAliveTimer);
    });
  });

  const sweep = setInterval(
    () => expireSlowRequests(context, connections),
    context.config.timeouts.connectionsCheckingIntervalMs,
  );
  sweep.unref();
  server.on('close', () => clearInterval(sweep));

  return {
    server,
    closeIdleConnections: () => {
      for (const connection of connections.snapshot()) if (!isActive(connection)) destroyNow(context, connection);
    },
    closeAllConnections: () => {
      for (const connection of connections.snapshot()) destroyNow(context, connection);
    },
  };
}
// #endregion accept

/**
 * The open connections, for the sweep and for shutdown. An array in which each
 * connection knows its place, so that one leaves by moving the last one into
 * its place. Not a Set: with a connection per request, a Set whose members come
 * and go thousands of times a second made V8's young-generation collections
 * promote more than three times as many bytes to the old generation
 * (`node --trace-gc-nvp`, `promoted=`), which the per-request load paid for
 * in CPU (pnpm bench).
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
// read is answered instead of them.

// #region read-bytes
function readBytes(context: ReceiverContext, connection: Connection, chunk: Buffer): void {
  const { socket, parser } = connection;
  // Any traffic restarts the keep-alive wait, as it restarts a socket's own timeout.
  if (connection.keepAliveWaiting) connection.keepAliveTimer?.refresh();
  const begunBefore = parser.messagesBegun;
  let failure: ParseErrorKind | undefined;
  let tunnelRefused = false;
  for (const output of parser.execute(chunk)) {
    if (output.kind === 'error') failure = output.error;
    else if (output.kind === 'tick') runQueuedWork(context, connection);
    else if (output.kind === 'head') readHead(context, connection, output.head);
    else if (output.kind === 'request') completeRequest(connection, output.head, output.body);
    // node:http offers a CONNECT to its 'connect' listeners and, as there are
    // none, destroys the socket (lib/_http_server.js, onParserExecuteCommon).
    // Other upgrades go on as plain requests; the parser dropped the rest of the read.
    else tunnelRefused = output.head.method === 'CONNECT';
  }
  if (parser.messagesBegun !== begunBefore && parser.midRequest) connection.messageStartedAt = Date.now();
  if (failure !== undefined) failConnection(context, connection, failure, answerStarted(connection));
  if (tunnelRefused) dropConnection(context, connection);
  // The read is done and node's queue runs once more. After a failure the
  // handlers of complete requests still run and record their events; their
  // answers have nowhere to go.
  runQueuedWork(context, connection);
  // The client is not reading its answers: stop reading its requests until it does.
  if (socket.writableNeedDrain) socket.pause();
}
// #endregion read-bytes

/**
 * A head is complete: node:http makes its response at once, and answers it
 * itself when it must (refuseHead, or 100 Continue). A CONNECT never reaches a
 * handler: no response, no Host check, no 100 Continue.
 */
function readHead(context: ReceiverContext, connection: Connection, head: RequestHead): void {
  cancelKeepAliveTimer(connection);
  if (head.method === 'CONNECT') return;
  const fields = headerFields(head);
  connection.responses.push({ head, fields, held: [], ended: false, closes: false, body: undefined });
  const refusal = refuseHead(context, head, fields);
  if (refusal !== undefined) {
    answer(context, connection, head, refusal.bytes, { final: true, closes: refusal.closes });
  } else if (isHttp11(head) && EXPECT_CONTINUE.test(fields.get('expect') ?? '')) {
    answer(context, connection, head, CONTINUE_ANSWER, { final: false });
  }
}

/** A request is complete: its handler runs at the next tick. A refused head's request is read and dropped. */
function completeRequest(connection: Connection, head: RequestHead, body: Buffer): void {
  const response = connection.responses.find((pending) => pending.head === head);
  if (response !== undefined && !response.ended) response.body = body;
}

/**
 * What node:http's tick queue does for us: complete requests reach the
 * handler (route, which records and answers them), in order; then each answer
 * that is out lets the next one go, and the last one starts the keep-alive
 * wait (lib/_http_server.js, resOnFinish).
 */
function runQueuedWork(context: ReceiverContext, connection: Connection): void {
  for (const response of connection.responses) {
    if (response.body === undefined || response.ended) continue;
    const body = response.body;
    response.body = undefined;
    route(context, connection, response, body);
  }
  let finished = false;
  while (connection.responses[0]?.ended) {
    const done = connection.responses.shift() as PendingResponse;
    finished = true;
    if (done.closes) closeAfterWrites(context, connection);
    for (const bytes of connection.responses[0]?.held.splice(0) ?? []) sendBytes(context, connection, bytes);
  }
  if (finished && connection.responses.length === 0) startKeepAliveTimer(context, connection);
}

/** The answer at the front has begun to leave: an error now closes without a word (node's `_headerSent`). */
function answerStarted(connection: Connection): boolean {
  return connection.responses[0]?.ended === true;
}

/**
 * A connection is active from its request's first byte to the request's end,
 * and from the moment it opens until its first request ends: then the headers
 * and request timeouts apply to it, and shutdown waits for it.
 */
function isActive(connection: Connection): boolean {
  return connection.parser.midRequest || connection.parser.messagesCompleted === 0;
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
  const keepAliveTimeoutMs = context.config.timeouts.keepAliveTimeoutMs;
  const headOnly = head.method === 'HEAD';
  // Present but empty is present: node checks `req.headers.host === undefined`.
  if (isHttp11(head) && !fields.has('host')) {
    return {
      bytes: serializeEmptyChunkedResponse({ status: 400, keepAlive: false, keepAliveTimeoutMs }, [['Connection', 'close']], headOnly),
      closes: true,
    };
  }
  const expect = fields.get('expect');
  if (isHttp11(head) && expect !== undefined && !EXPECT_CONTINUE.test(expect)) {
    return {
      bytes: serializeEmptyChunkedResponse({ status: 417, keepAlive: head.keepAlive, keepAliveTimeoutMs }, [], headOnly),
      closes: !head.keepAlive,
    };
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
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
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
// The same guard and the same two routes as the http server, decided the same way.

// #region route
function route(context: ReceiverContext, connection: Connection, { head, fields }: PendingResponse, body: Buffer): void {
  const target = parseRequestTarget(head.target);
  const rejection = context.checkRequest({ method: head.method, path: target.path, header: (name) => fields.get(name) });
  if (rejection !== undefined) return respond(context, connection, head, rejection.status, rejection.body, rejection.headers);
  if (target.path === HOOK_PATH) {
    if (head.method !== 'POST') return respond(context, connection, head, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'POST']]);
    recordEvent(context, connection.origin, target.event, body);
    return respond(context, connection, head, 200, '');
  }
  if (target.path === HEALTH_PATH) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(context, connection, head, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return respond(context, connection, head, 200, HEALTH_BODY);
  }
  return respond(context, connection, head, 404, NOT_FOUND_BODY);
}
// #endregion route

// --- 4. Record ------------------------------------------------------------
// As in the http server: every sink has the event before its answer is written.
// Here the event waits with the answers for the end of the turn, and is
// written first (section 5, endTurn). When the connection failed meanwhile,
// the event is still recorded, unanswered.

// #region record
function recordEvent(context: ReceiverContext, origin: Origin, eventFromQuery: string | undefined, body: Buffer): void {
  context.holdEvents();
  endTurnLater(context);
  context.record(enrich({ timestamp: context.timestamp(), eventFromQuery, origin, body }));
}
// #endregion record

// --- 5. Respond -----------------------------------------------------------
// The bytes node:http would write for the same writeHead and end: our headers,
// then Date, Connection and Keep-Alive; the head without the body for HEAD.

// #region respond
function respond(
  context: ReceiverContext,
  connection: Connection,
  head: RequestHead,
  status: number,
  body: string,
  extraHeaders: ReadonlyArray<readonly [string, string]> = [],
): void {
  const keepAliveTimeoutMs = context.config.timeouts.keepAliveTimeoutMs;
  if (status === 200 && body === '' && extraHeaders.length === 0) {
    return answer(context, connection, head, serializeEmptyOk(head.keepAlive, keepAliveTimeoutMs), { final: true, closes: !head.keepAlive });
  }
  const headers: Array<readonly [string, string]> = [
    ['Content-Type', JSON_CONTENT_TYPE],
    ['Content-Length', String(Buffer.byteLength(body))],
    ...extraHeaders,
  ];
  const bytes = serializeResponse({ status, headers, keepAlive: head.keepAlive, keepAliveTimeoutMs }, body, head.method === 'HEAD');
  answer(context, connection, head, bytes, { final: true, closes: !head.keepAlive });
}
// #endregion respond

// #region write
/**
 * Answers leave in request order, as node:http's do: the answer to the request
 * at the front goes to the socket at once; a later one is held until every
 * answer before it is out (node keeps them in state.outgoing).
 */
function answer(
  context: ReceiverContext,
  connection: Connection,
  head: RequestHead,
  bytes: Buffer,
  how: { final: boolean; closes?: boolean },
): void {
  const response = connection.responses.find((pending) => pending.head === head);
  if (response === undefined) return;
  if (response === connection.responses[0]) sendBytes(context, connection, bytes);
  else response.held.push(bytes);
  if (how.final) {
    response.ended = true;
    response.closes = how.closes ?? false;
  }
}

/**
 * Bytes for the socket wait, corked, until this turn of the event loop has
 * read, parsed and recorded everything that arrived; then every waiting
 * answer leaves (endTurn, run by setImmediate once the loop has handled its
 * reads). Written one by one, each answer would wake its client in the
 * middle of the work on the others. Redis holds its replies the same way
 * until its loop is about to wait (beforeSleep); node:http corks each
 * response until the next tick (lib/_http_outgoing.js, connectionCorkNT).
 *
 * The turn's events wait too (recordEvent), and go first: each sink writes
 * all of them at once, then the answers leave, so an answer never leaves
 * before its event and a busy turn costs a write or a few per sink, not one
 * per event (group commit: Redis writes its append-only file in beforeSleep,
 * before the replies). node:http sends each answer at the next tick, before
 * the turn ends: the http server writes each event on its own.
 */
const socketsWithWaitingAnswers: Socket[] = [];
let turnEndBooked = false;

function sendBytes(context: ReceiverContext, connection: Connection, bytes: Buffer): void {
  if (connection.closing) return;
  const { socket } = connection;
  if (socket.writableCorked === 0) {
    socket.cork();
    socketsWithWaitingAnswers.push(socket);
    endTurnLater(context);
  }
  socket.write(bytes);
}

function endTurnLater(context: ReceiverContext): void {
  if (turnEndBooked) return;
  turnEndBooked = true;
  setImmediate(endTurn, context);
}

function endTurn(context: ReceiverContext): void {
  turnEndBooked = false;
  context.releaseEvents();
  for (const socket of socketsWithWaitingAnswers.splice(0)) flushAnswers(context, socket);
}

/** Let a socket's waiting answers go now, after their events: before it is destroyed, which would drop them. */
function flushAnswers(context: ReceiverContext, socket: Socket): void {
  context.releaseEvents();
  while (socket.writableCorked > 0) socket.uncork();
}

/**
 * End our side once the answers are out, then let go (net.Socket#destroySoon,
 * as node:http does). Ending would uncork the answers anyway: flushAnswers
 * lets them go itself, after their events.
 */
function closeAfterWrites(context: ReceiverContext, connection: Connection): void {
  if (connection.closing) return;
  connection.closing = true;
  const { socket } = connection;
  flushAnswers(context, socket);
  socket.end(() => socket.destroy());
}

/** Close at once, after the answers still waiting for the end of the turn: they were given. */
function destroyNow(context: ReceiverContext, connection: Connection): void {
  flushAnswers(context, connection.socket);
  connection.socket.destroy();
}
// #endregion write

// --- 6. Keep alive or close, time out, fail --------------------------------

/**
 * After its answers an idle connection waits KEEP_ALIVE_TIMEOUT_MS for the next
 * request, plus KEEP_ALIVE_TIMEOUT_BUFFER_MS of grace, then is destroyed
 * without a word; any traffic restarts the wait, and a complete head ends it.
 * node:http sets the socket's own timeout for each wait, which makes a new
 * timer every time; one timer per connection, restarted with refresh(), keeps
 * the same deadline without that.
 */
// #region keep-alive-timer
function startKeepAliveTimer(context: ReceiverContext, connection: Connection): void {
  const timeout = context.config.timeouts.keepAliveTimeoutMs;
  if (connection.closing || timeout === 0) return;
  connection.keepAliveWaiting = true;
  if (connection.keepAliveTimer === undefined) {
    connection.keepAliveTimer = setTimeout(() => keepAliveExpired(context, connection), timeout + KEEP_ALIVE_TIMEOUT_BUFFER_MS);
    // Like a socket's timeout, the wait alone does not keep the process alive.
    connection.keepAliveTimer.unref();
  } else {
    connection.keepAliveTimer.refresh();
  }
}

function cancelKeepAliveTimer(connection: Connection): void {
  connection.keepAliveWaiting = false;
}

/** The timer also runs out after a wait was cancelled: only a connection still waiting is closed. */
function keepAliveExpired(context: ReceiverContext, connection: Connection): void {
  if (connection.keepAliveWaiting) destroyNow(context, connection);
}
// #endregion keep-alive-timer

/**
 * node:http checks its connections every connectionsCheckingIntervalMs: a
 * request whose head is not complete after headersTimeoutMs, or that is not
 * complete after requestTimeoutMs, is answered 408 (RFC 9110 section 15.5.9)
 * and closed. A connection that never sent a byte counts as such a request.
 */
// #region expire-slow-requests
function expireSlowRequests(context: ReceiverContext, connections: OpenConnections): void {
  const { headersTimeoutMs, requestTimeoutMs } = context.config.timeouts;
  const now = Date.now();
  for (const connection of connections.snapshot()) {
    if (!isActive(connection) || connection.closing) continue;
    const elapsed = now - connection.messageStartedAt;
    const headersLate = headersTimeoutMs > 0 && !connection.parser.headComplete && elapsed > headersTimeoutMs;
    const requestLate = requestTimeoutMs > 0 && elapsed > requestTimeoutMs;
    if (headersLate || requestLate) failConnection(context, connection, 'timeout', answerStarted(connection));
  }
}
// #endregion expire-slow-requests

/**
 * The client shut down its side. Mid-request, the request can never complete:
 * 400. Between requests, every answer is already written: end our side too.
 */
// #region end-of-input
function endOfInput(context: ReceiverContext, connection: Connection): void {
  const error = connection.parser.finish();
  if (error?.kind === 'error') return failConnection(context, connection, error.error, answerStarted(connection));
  if (!connection.closing) {
    connection.closing = true;
    flushAnswers(context, connection.socket);
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
function failConnection(
  context: ReceiverContext,
  connection: Connection,
  error: ParseErrorKind | 'timeout',
  answerStarted: boolean,
): void {
  const { socket } = connection;
  if (!answerStarted && !connection.closing && socket.writable) socket.write(PARSE_ERROR_ANSWERS[error]);
  connection.closing = true;
  destroyNow(context, connection);
}
// #endregion fail-connection

/** Close at once without a word: node:http's answer to a CONNECT it has no listener for. */
function dropConnection(context: ReceiverContext, connection: Connection): void {
  connection.closing = true;
  destroyNow(context, connection);
}

void runServer({ program: 'hook-observatory-net', title: 'hook-observatory (node:net)', createReceiver });
