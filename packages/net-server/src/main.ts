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
  EVENTS_PATH,
  EVENT_STREAM_HEADERS,
  LIVE_VIEW,
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
  SILENT_CONNECTION_MS,
  answerHeaders,
  enrich,
  lingeringClose,
  parseRequestTarget,
  runServer,
  streamFilterOf,
  type Origin,
  type BodyRefusal,
  type Receiver,
  type ReceiverContext,
} from '@hook-observatory/core';
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

/** What node:http keeps per connection, kept here by hand. */
interface Connection {
  readonly socket: Socket;
  /** Who connected, asked at accept: once the socket is closed the kernel no longer says. */
  readonly origin: Origin;
  readonly parser: RequestParser;
  /** Where its events and answers wait for the end of the turn (group-commit.ts). */
  readonly turn: GroupCommit;
  /** Where it is in its life: changed by setState alone. */
  state: ConnState;
  /** When the current request began (or the connection opened): the start of its timeouts. */
  messageStartedAt: number;
  /** The head of the request being read, from its head to its end. */
  currentHead: RequestHead | undefined;
  /** One per request whose head arrived, in order, until its answer is out (node's state.outgoing). */
  readonly responses: PendingResponse[];
  /** A body past the limit was refused: what is parsed after it gets no answer. */
  bodyRefused: boolean;
  /** Body bytes it holds of the budget all connections share (section 2, holdBody). */
  bodyBytesHeld: number;
  /** One timer per connection, restarted for each wait (see startKeepAliveTimer). */
  keepAliveTimer: NodeJS.Timeout | undefined;
  /** Where it is in the list of open connections (see OpenConnections). */
  listIndex: number;
}

/**
 * A connection's state, named as Go names them (net/http, ConnState), with
 * 'closing' for a connection whose last answer is on its way. Each state
 * lists where it may go; any other change asked of setState is no change
 * (an answer that leaves a closing connection does not make it idle).
 */
// #region conn-state
type ConnState = 'new' | 'active' | 'idle' | 'closing' | 'closed';

const NEXT_STATES: Readonly<Record<ConnState, readonly ConnState[]>> = {
  // Accepted, its first head not complete. The request timeouts count from the
  // accept: node:http treats a connection that sends nothing as a late request.
  new: ['active', 'closing', 'closed'],
  // A head is complete; its request or its answers are not done.
  active: ['idle', 'closing', 'closed'],
  // Every answer is out. The keep-alive timer counts until the next head is
  // complete, through its first bytes: lib/_http_server.js clears the socket's
  // timeout only in parserOnIncoming.
  idle: ['active', 'closing', 'closed'],
  // An answer that closes the connection is out, or it failed: nothing more is written.
  closing: ['closed'],
  closed: [],
};

function setState(context: ReceiverContext, connection: Connection, next: ConnState): void {
  if (!NEXT_STATES[connection.state].includes(next)) return;
  connection.state = next;
  if (next === 'idle') startKeepAliveTimer(context, connection);
  else if (next === 'closed') {
    clearTimeout(connection.keepAliveTimer);
    context.bodyBudget.giveBack(connection.bodyBytesHeld);
    connection.bodyBytesHeld = 0;
  }
}

/** Closing or closed: nothing more is written to it. */
function isEnding(connection: Connection): boolean {
  return connection.state === 'closing' || connection.state === 'closed';
}

/**
 * Counted by the request timeouts: a request is under way (an idle
 * connection's next head has begun to arrive).
 */
function hasRequestUnderWay(connection: Connection): boolean {
  const { state } = connection;
  return state === 'new' || state === 'active' || (state === 'idle' && connection.parser.midRequest);
}

/**
 * What node:http's closeIdleConnections closes (lib/_http_server.js): the
 * parser is between requests and the answer at the front, if any, has ended.
 * Answers waiting behind that one never leave. A connection that has not
 * completed a request yet counts as mid-request (src/node_http_parser.cc).
 */
function isIdleForNode(connection: Connection): boolean {
  if (isEnding(connection)) return true;
  if (connection.state === 'new' || connection.parser.midRequest) return false;
  return connection.responses[0]?.ended ?? true;
}
// #endregion conn-state

/** Bytes held for a response, and what to call once the socket has taken them (a viewer's write: section 5b). */
interface HeldBytes {
  readonly bytes: Buffer;
  readonly whenWritten: (() => void) | undefined;
}

/** A request's answer, from its head until it has left: node:http's ServerResponse, by hand. */
interface PendingResponse {
  readonly head: RequestHead;
  /** The head's fields by lower-case name, as node's req.headers (see headerFields). */
  readonly fields: ReadonlyMap<string, string>;
  /** Bytes answered before it was this response's turn, held until the answers before it are out. */
  readonly held: HeldBytes[];
  /** The answer is complete (node's `_headerSent`, as we always answer in one piece). */
  ended: boolean;
  /** Once out, the answer closes the connection. */
  closes: boolean;
  /** ...after lingering: the answer refuses a body still arriving (lingeringClose). */
  lingers: boolean;
  /** The request is complete and waits for node's next tick to reach the handler. */
  body: Buffer | undefined;
  /** The answer is an event stream under way (section 5b): it never ends by itself. */
  streaming: boolean;
}

// --- 1. Accept ------------------------------------------------------------
// node:net accepts; we make one parser per connection, so that every
// connection parses on its own and a slow client never holds up another.
// allowHalfOpen: a client that shuts down its side still gets its answers,
// as with node:http (which creates its net.Server the same way).

// #region accept
function createReceiver(context: ReceiverContext): Receiver {
  const connections = new OpenConnections();
  const turn = new GroupCommit(context.record);
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const connection: Connection = {
      socket,
      origin: context.askOrigin(socket),
      parser: new RequestParser({
        maxHeaderBytes: MAX_HEADER_SIZE_BYTES,
        maxChunkExtensionBytes: MAX_CHUNK_EXTENSIONS_BYTES,
        maxHeadersCount: MAX_HEADERS_COUNT,
        maxBodyBytes: context.bodyLimits.maxBodyBytes,
        drainsBody: (head) => refuseHead(context, head, headerFields(head)) !== undefined,
      }),
      turn,
      state: 'new',
      messageStartedAt: Date.now(),
      currentHead: undefined,
      responses: [],
      bodyRefused: false,
      bodyBytesHeld: 0,
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
      setState(context, connection, 'closed');
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
      for (const connection of connections.snapshot()) if (isIdleForNode(connection)) destroyNow(connection);
    },
    closeAllConnections: () => {
      for (const connection of connections.snapshot()) destroyNow(connection);
    },
    closeUnusedConnections: () => {
      const now = Date.now();
      for (const connection of connections.snapshot()) {
        const silent = connection.state === 'new' && connection.socket.bytesRead === 0 && now - connection.messageStartedAt >= SILENT_CONNECTION_MS;
        if (silent || isIdleForNode(connection)) destroyNow(connection);
      }
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
function readBytes(context: ReceiverContext, connection: Connection, chunk: Buffer): void {
  const { socket, parser } = connection;
  // Any traffic restarts the keep-alive wait, as it restarts a socket's own timeout.
  if (connection.state === 'idle') connection.keepAliveTimer?.refresh();
  const begunBefore = parser.messagesBegun;
  let failure: ParseErrorKind | undefined;
  let tunnelRefused = false;
  let bodyRefused = false;
  for (const output of parser.execute(chunk)) {
    if (output.kind === 'error') failure = output.error;
    else if (output.kind === 'tick') runQueuedWork(context, connection);
    // After a refused body node:http parses on, and its handler answers nothing more (http-server, readBody).
    else if (connection.bodyRefused) continue;
    else if (output.kind === 'head') readHead(context, connection, output.head, true);
    else if (output.kind === 'request') {
      bodyRefused = !holdBody(context, connection, output.head, output.body.length);
      if (bodyRefused) break;
      completeRequest(context, connection, output.head, output.body);
    } else if (output.kind === 'body-too-long') {
      refuseBody(context, connection, output.head, 'too-large', output.bodyBytes);
      connection.bodyRefused = true;
    }
    // node:http offers a CONNECT to its 'connect' listeners and, as there are
    // none, destroys the socket (lib/_http_server.js, onParserExecuteCommon).
    // Other upgrades go on as plain requests; the parser dropped the rest of the read.
    else tunnelRefused = output.head.method === 'CONNECT';
  }
  const { currentHead } = connection;
  if (!bodyRefused && !connection.bodyRefused && currentHead !== undefined) holdBody(context, connection, currentHead, parser.bodyBytes);
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
 * handler: no response, no Host check, no 100 Continue. A head whose body is
 * refused (refuseBody) gets no 100 Continue either: its refusal instead.
 */
function readHead(context: ReceiverContext, connection: Connection, head: RequestHead, mayContinue: boolean): void {
  setState(context, connection, 'active');
  connection.currentHead = head;
  if (head.method === 'CONNECT') return;
  const fields = headerFields(head);
  connection.responses.push({ head, fields, held: [], ended: false, closes: false, lingers: false, body: undefined, streaming: false });
  const refusal = refuseHead(context, head, fields);
  if (refusal !== undefined) {
    answer(connection, head, refusal.bytes, { final: true, closes: refusal.closes });
  } else if (mayContinue && isHttp11(head) && EXPECT_CONTINUE.test(fields.get('expect') ?? '')) {
    answer(connection, head, CONTINUE_ANSWER, { final: false });
  }
}

/** A request is complete: its handler runs at the next tick. A refused head's request is read and dropped. */
function completeRequest(context: ReceiverContext, connection: Connection, head: RequestHead, body: Buffer): void {
  context.bodyBudget.giveBack(connection.bodyBytesHeld);
  connection.bodyBytesHeld = 0;
  connection.currentHead = undefined;
  const response = connection.responses.find((pending) => pending.head === head);
  if (response !== undefined && !response.ended) response.body = body;
}

/**
 * The request's body has grown to `bodyBytes`: what arrived since is taken
 * from the budget all connections share, as the http server takes each
 * 'data' event's; here once a read, or as the request completes in it. False
 * when it does not fit: the request is refused (503), nothing more is parsed.
 */
function holdBody(context: ReceiverContext, connection: Connection, head: RequestHead, bodyBytes: number): boolean {
  const arrived = bodyBytes - connection.bodyBytesHeld;
  if (arrived <= 0) return true;
  if (context.bodyBudget.take(arrived)) {
    connection.bodyBytesHeld += arrived;
    return true;
  }
  // The input is read no further, as at its end: the parser stops.
  connection.parser.finish();
  refuseBody(context, connection, head, 'busy', bodyBytes);
  return false;
}

/**
 * Answer a body refused unread, 413 or 503, in its turn like any answer, and
 * record the hook it carried (section 4); the answer closes the connection.
 * A Content-Length too long comes in place of its head (request-parser.ts).
 * A request node:http already answered itself (refuseHead) just closes.
 */
function refuseBody(context: ReceiverContext, connection: Connection, head: RequestHead, refusal: BodyRefusal, bodyBytes: number): void {
  if (connection.currentHead !== head) readHead(context, connection, head, false);
  const response = connection.responses.find((pending) => pending.head === head);
  if (response === undefined) return closeAfterWrites(context, connection, true);
  response.lingers = true;
  if (response.ended) {
    response.closes = true;
    return;
  }
  const target = parseRequestTarget(head.target);
  const facts = { method: head.method, path: target.path, target: head.target, header: (name: string) => response.fields.get(name) };
  const refused = context.refuseBody({ facts, origin: connection.origin, eventFromQuery: target.event, bodyBytes, refusal });
  if (refused.record !== undefined) connection.turn.record(refused.record);
  respond(context, connection, head, refused.answer.status, refused.answer.body, refused.answer.headers);
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
    if (done.closes) closeAfterWrites(context, connection, done.lingers);
    for (const { bytes, whenWritten } of connection.responses[0]?.held.splice(0) ?? []) sendBytes(connection, bytes, whenWritten);
  }
  if (finished && connection.responses.length === 0) setState(context, connection, 'idle');
}

/**
 * The answer at the front has begun to leave: an error now closes without a
 * word (node's `_headerSent`). A stream's head is out as soon as it began: a
 * 400 after it would land inside its chunked body.
 */
function answerStarted(connection: Connection): boolean {
  const front = connection.responses[0];
  return front !== undefined && (front.ended || front.streaming);
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
    const answer = { status: 400, headers: [['Connection', 'close']] as const, keepAlive: false, keepAliveTimeoutMs, chunked: true };
    return { bytes: serializeResponse(answer, LAST_CHUNK, headOnly), closes: true };
  }
  const expect = fields.get('expect');
  if (isHttp11(head) && expect !== undefined && !EXPECT_CONTINUE.test(expect)) {
    const answer = { status: 417, headers: [], keepAlive: head.keepAlive, keepAliveTimeoutMs, chunked: true };
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
  const rejection = context.checkRequest({ method: head.method, path: target.path, target: head.target, header: (name) => fields.get(name) });
  if (rejection !== undefined) return respond(context, connection, head, rejection.status, rejection.body, rejection.headers);
  if (target.path === HOOK_PATH) {
    if (head.method !== 'POST') return respond(context, connection, head, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'POST']]);
    recordEvent(context, connection, target.event, body);
    return respond(context, connection, head, 200, '');
  }
  if (target.path === HEALTH_PATH) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(context, connection, head, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return respond(context, connection, head, 200, HEALTH_BODY);
  }
  if (target.path === LIVE_VIEW.path) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(context, connection, head, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return respond(context, connection, head, 200, LIVE_VIEW.page, LIVE_VIEW.headers, LIVE_VIEW.contentType);
  }
  if (target.path === EVENTS_PATH) {
    if (head.method !== 'GET' && head.method !== 'HEAD') {
      return respond(context, connection, head, 405, METHOD_NOT_ALLOWED_BODY, [['Allow', 'GET, HEAD']]);
    }
    return streamEvents(context, connection, head, fields);
  }
  return respond(context, connection, head, 404, NOT_FOUND_BODY);
}
// #endregion route

// --- 4. Record ------------------------------------------------------------
// As in the http server: every sink has the event before its answer is written.
// Here the event waits with the answers for the end of the turn, and is
// written first (group-commit.ts). When the connection failed meanwhile, the
// event is still recorded, unanswered. A refused body's record (section 2)
// takes the same way.

// #region record
function recordEvent(context: ReceiverContext, connection: Connection, eventFromQuery: string | undefined, body: Buffer): void {
  connection.turn.record(enrich({ timestamp: context.timestamp(), eventFromQuery, origin: connection.origin, body }));
}
// #endregion record

// --- 5. Respond -----------------------------------------------------------
// The bytes node:http would write for the same writeHead and end: our headers
// (with a body, those that keep it from pages: core/src/protocol.ts), then
// Date, Connection and Keep-Alive; the head without the body for HEAD.

// #region respond
function respond(
  context: ReceiverContext,
  connection: Connection,
  head: RequestHead,
  status: number,
  body: string | Buffer,
  extraHeaders: ReadonlyArray<readonly [string, string]> = [],
  contentType = JSON_CONTENT_TYPE,
): void {
  const keepAliveTimeoutMs = context.timeouts.keepAliveTimeoutMs;
  if (status === 200 && body === '' && extraHeaders.length === 0) {
    return answer(connection, head, serializeEmptyOk(head.keepAlive, keepAliveTimeoutMs), { final: true, closes: !head.keepAlive });
  }
  const headers: Array<readonly [string, string]> = [
    ['Content-Type', contentType],
    ['Content-Length', String(Buffer.byteLength(body))],
    ...answerHeaders(body, extraHeaders),
  ];
  // Our own `Connection: close` (a refused body's) closes it, as node's `_last` does.
  const keepAlive = head.keepAlive && !extraHeaders.some(([name, value]) => name === 'Connection' && value === 'close');
  const bytes = serializeResponse({ status, headers, keepAlive, keepAliveTimeoutMs }, body, head.method === 'HEAD');
  answer(connection, head, bytes, { final: true, closes: !keepAlive });
}
// #endregion respond

// #region write
/**
 * Answers leave in request order, as node:http's do: the answer to the request
 * at the front goes to the socket at once; a later one is held until every
 * answer before it is out (node keeps them in state.outgoing).
 */
function answer(
  connection: Connection,
  head: RequestHead,
  bytes: Buffer,
  how: { final: boolean; closes?: boolean },
  whenWritten?: () => void,
): void {
  const response = connection.responses.find((pending) => pending.head === head);
  if (response === undefined) return;
  if (response === connection.responses[0]) sendBytes(connection, bytes, whenWritten);
  else response.held.push({ bytes, whenWritten });
  if (how.final) {
    response.ended = true;
    response.closes = how.closes ?? false;
  }
}

/**
 * Bytes for the socket wait, with the turn's events, for the end of the turn
 * (group-commit.ts). On a connection that is ending they are dropped, and
 * `whenWritten` never comes: its viewer is forgotten when it closes.
 */
function sendBytes(connection: Connection, bytes: Buffer, whenWritten?: () => void): void {
  if (!isEnding(connection)) connection.turn.write(connection.socket, bytes, whenWritten);
}

/**
 * End our side once the answers are out, then let go (net.Socket#destroySoon,
 * as node:http does), or linger first after a refused body, as the http
 * server does (core/src/body-limits.ts). Ending would uncork the answers
 * anyway: the turn lets them go itself, after their events.
 */
function closeAfterWrites(context: ReceiverContext, connection: Connection, lingers = false): void {
  if (isEnding(connection)) return;
  setState(context, connection, 'closing');
  const { socket } = connection;
  connection.turn.flush(socket);
  if (lingers) lingeringClose(socket);
  else socket.end(() => socket.destroy());
}

/** Close at once, after the answers still waiting for the end of the turn: they were given. */
function destroyNow(connection: Connection): void {
  connection.turn.flush(connection.socket);
  connection.socket.destroy();
}
// #endregion write

// --- 5b. Stream -----------------------------------------------------------
// What node:http writes for writeHead(200, headers) and a write per message:
// with no Content-Length, our headers, Date, Connection, Keep-Alive and
// `Transfer-Encoding: chunked`, then each write as a chunk, `<hex length>
// CRLF <bytes> CRLF` (lib/_http_outgoing.js, write_), and the last chunk `0`
// when it ends. A write's callback tells core/src/stream.ts it may take the
// viewer's next write from the ring. To HTTP/1.0 node sends the bytes bare
// and closes after (`_last`), unless the request's TE names chunked: then it
// frames them chunked and keeps the connection if asked (RFC 9112 section 7.4
// would not send chunked to 1.0; we follow node, docs/net-server-appendix.md).
// A response under way is not idle: no keep-alive timer, and the request
// timeouts stop once the request is complete (node's connections list drops
// it at message complete). Pipelined requests wait behind it.

// #region stream
function streamEvents(context: ReceiverContext, connection: Connection, head: RequestHead, fields: ReadonlyMap<string, string>): void {
  // node frames chunked for HTTP/1.0 too when its TE names chunked (ServerResponse's
  // useChunkedEncodingByDefault), and keeps the connection only for a length or chunked.
  const chunked = isHttp11(head) || TE_CHUNKED.test(fields.get('te') ?? '');
  const keepAlive = head.keepAlive && chunked;
  const streamHead = { status: 200, headers: EVENT_STREAM_HEADERS, keepAlive, keepAliveTimeoutMs: context.timeouts.keepAliveTimeoutMs, chunked };
  if (head.method === 'HEAD') return answer(connection, head, serializeResponse(streamHead, '', true), { final: true, closes: !keepAlive });
  const response = connection.responses.find((pending) => pending.head === head);
  if (response === undefined) return;
  response.streaming = true;
  // Hooks recorded earlier in this turn go to the ring first: the viewer gets them as its replay.
  connection.turn.commitEvents();
  answer(connection, head, serializeResponse(streamHead, '', false), { final: false });
  const detach = context.eventStream.attach(
    {
      // One write, one chunk: the pieces are views into the ring, copied here once with the framing.
      write: (pieces, whenWritten) => answer(connection, head, chunked ? frameChunk(pieces) : Buffer.concat(pieces), { final: false }, whenWritten),
      cutOff: () => destroyNow(connection),
      end: () => {
        answer(connection, head, chunked ? LAST_CHUNK : Buffer.alloc(0), { final: true, closes: !keepAlive });
        // node lets the next answer go once this one has left ('finish', resOnFinish):
        // shutdown's closeIdleConnections comes first and drops the answers behind it.
        setImmediate(() => {
          if (!connection.socket.destroyed) runQueuedWork(context, connection);
        });
      },
    },
    streamFilterOf(head.target),
    fields.get('last-event-id'),
  );
  // A viewer that leaves is forgotten at once.
  connection.socket.once('close', detach);
}

/** The stream under way is all the connection has: no request of its own for the timeouts to count. */
function isOnlyStreaming(connection: Connection): boolean {
  return connection.responses[0]?.streaming === true && connection.currentHead === undefined && !connection.parser.midRequest;
}
// #endregion stream

// --- 6. Keep alive or close, time out, fail --------------------------------

/**
 * After its answers an idle connection waits KEEP_ALIVE_TIMEOUT_MS for the next
 * request, plus KEEP_ALIVE_TIMEOUT_BUFFER_MS of grace, then is destroyed
 * without a word; any traffic restarts the wait, and a complete head ends it
 * (the state is 'active' again: setState).
 * node:http sets the socket's own timeout for each wait, which makes a new
 * timer every time; one timer per connection, restarted with refresh(), keeps
 * the same deadline without that.
 */
// #region keep-alive-timer
function startKeepAliveTimer(context: ReceiverContext, connection: Connection): void {
  const timeout = context.timeouts.keepAliveTimeoutMs;
  if (timeout === 0) return;
  if (connection.keepAliveTimer === undefined) {
    connection.keepAliveTimer = setTimeout(() => keepAliveExpired(connection), timeout + KEEP_ALIVE_TIMEOUT_BUFFER_MS);
    // Like a socket's timeout, the wait alone does not keep the process alive.
    connection.keepAliveTimer.unref();
  } else {
    connection.keepAliveTimer.refresh();
  }
}

/** The timer also runs out after its wait ended: only a connection still idle is closed. */
function keepAliveExpired(connection: Connection): void {
  if (connection.state === 'idle') destroyNow(connection);
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
  const { headersTimeoutMs, requestTimeoutMs } = context.timeouts;
  const now = Date.now();
  for (const connection of connections.snapshot()) {
    if (!hasRequestUnderWay(connection) || isOnlyStreaming(connection)) continue;
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
  if (!isEnding(connection)) {
    setState(context, connection, 'closing');
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
function failConnection(
  context: ReceiverContext,
  connection: Connection,
  error: ParseErrorKind | 'timeout',
  answerStarted: boolean,
): void {
  const { socket } = connection;
  if (!answerStarted && !isEnding(connection) && socket.writable) socket.write(PARSE_ERROR_ANSWERS[error]);
  setState(context, connection, 'closing');
  destroyNow(connection);
}
// #endregion fail-connection

/** Close at once without a word: node:http's answer to a CONNECT it has no listener for. */
function dropConnection(context: ReceiverContext, connection: Connection): void {
  setState(context, connection, 'closing');
  destroyNow(connection);
}

void runServer({ program: 'hook-observatory-net', title: 'hook-observatory (node:net)', liveView: true, createReceiver });
