/**
 * One connection of the net server, kept by hand in one place: what node:http
 * keeps on the socket and its parser (lib/_http_server.js: `socket.parser`,
 * `state.outgoing`, the socket's timeout) and Go on its `conn`
 * (net/http/server.go). Its state, the answers it owes in request order, its
 * keep-alive timer and the body bytes it holds of the shared budget live
 * here; main.ts reads its requests and decides their answers.
 */
import type { Socket } from 'node:net';
import {
  KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  lingeringClose,
  type Origin,
  type ReceiverContext,
} from '@hook-observatory/core';
import type { GroupCommit } from './group-commit.js';
import type { RequestHead, RequestParser } from './request-parser.js';

/**
 * A connection's state, named as Go names them (net/http, ConnState), with
 * 'closing' for a connection whose last answer is on its way. Each state
 * lists where it may go; setState refuses any other move.
 */
// #region conn-state
export type ConnState = 'new' | 'active' | 'idle' | 'closing' | 'closed';

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

/**
 * A move NEXT_STATES does not list. Thrown always, in tests and in use alike:
 * it means the bookkeeping that decides whose answer leaves next is wrong, and
 * going on could send an answer for another request or keep a dead
 * connection. Thrown from a socket's event, it stops the process with its
 * stack, as node stops on a broken internal assertion (ERR_INTERNAL_ASSERTION).
 */
export class IllegalStateChange extends Error {
  constructor(
    readonly from: ConnState,
    readonly to: ConnState,
  ) {
    super(`a connection cannot go from '${from}' to '${to}'`);
    this.name = 'IllegalStateChange';
  }
}
// #endregion conn-state

/** Bytes held for a response, and what to call once the socket has taken them (a viewer's write: main.ts, section 5b). */
interface HeldBytes {
  readonly bytes: Buffer;
  readonly whenWritten: (() => void) | undefined;
}

/**
 * A request's answer, from its head until it has left: node:http's
 * ServerResponse, by hand. It knows its connection, as node's knows its
 * socket, and is handed along from the head to the answer, never looked for.
 */
// #region pending-response
export class PendingResponse {
  /** Bytes answered before it was this response's turn, held until the answers before it are out. */
  readonly held: HeldBytes[] = [];
  /** The answer is complete (node's `finished`): its last bytes are written or held. */
  ended = false;
  /** Once out, the answer closes the connection. */
  closes = false;
  /** ...after lingering: the answer refuses a body still arriving (lingeringClose). */
  lingers = false;
  /** The request is complete and waits for node's next tick to reach the handler. */
  body: Buffer | undefined = undefined;
  /** The answer is an event stream under way (main.ts, section 5b): it never ends by itself. */
  streaming = false;
  /** The answer is out: it has left the connection's queue. */
  left = false;

  constructor(
    readonly connection: Connection,
    readonly head: RequestHead,
    /** The head's fields by lower-case name, as node's req.headers (main.ts, headerFields). */
    readonly fields: ReadonlyMap<string, string>,
  ) {}

  /**
   * Part of the answer, more to follow (res.write). Answers leave in request
   * order, as node:http's do: the front one's go to the socket at once, a
   * later one's are held until every answer before it is out.
   */
  write(bytes: Buffer | readonly Buffer[], whenWritten?: () => void): void {
    if (!Buffer.isBuffer(bytes)) {
      // Pieces of one write (a framed chunk): the last one's write says when all have left.
      bytes.forEach((piece, index) =>
        this.write(piece, index === bytes.length - 1 ? whenWritten : undefined),
      );
      return;
    }
    if (this.connection.front === this) this.connection.send(bytes, whenWritten);
    else this.held.push({ bytes, whenWritten });
  }

  /** The answer's last bytes (res.end); `closes`: once out, it closes the connection. */
  end(bytes: Buffer, closes: boolean): void {
    this.write(bytes);
    this.ended = true;
    this.closes = closes;
  }
}
// #endregion pending-response

export class Connection {
  /** When the current request began (or the connection opened): the start of its timeouts. */
  messageStartedAt = Date.now();
  /** The answer to the request being read, from its head to its end (none for a CONNECT). */
  reading: PendingResponse | undefined = undefined;
  /** A body past the limit was refused: what is parsed after it gets no answer. */
  bodyRefused = false;
  /** Where it is in the list of open connections (main.ts, OpenConnections). */
  listIndex = -1;
  /** When it last fell idle: the longest idle are closed first when descriptors run short. */
  idleSince = 0;
  private current: ConnState = 'new';
  /** One per request whose head arrived, in order, until its answer is out (node's state.outgoing). */
  private readonly responses: PendingResponse[] = [];
  /** Body bytes it holds of the budget all connections share (main.ts, holdBody). */
  private bodyBytesHeld = 0;
  /** One timer, restarted for each wait (see startKeepAliveTimer). */
  private keepAliveTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The server's, as Go's conn keeps its Server: the timeouts, the sinks, the shared budgets. */
    readonly context: ReceiverContext,
    readonly socket: Socket,
    /** Who connected, asked at accept: once the socket is closed the kernel no longer says. */
    readonly origin: Origin,
    readonly parser: RequestParser,
    /** Where its events and answers wait for the end of the turn (group-commit.ts). */
    readonly turn: GroupCommit,
  ) {}

  // --- Its state ------------------------------------------------------------

  get state(): ConnState {
    return this.current;
  }

  /** The one place the state changes: the keep-alive timer starts on idle, and all is let go on closed. */
  setState(next: ConnState): void {
    if (!NEXT_STATES[this.current].includes(next)) throw new IllegalStateChange(this.current, next);
    this.current = next;
    if (next === 'idle') {
      this.idleSince = Date.now();
      this.startKeepAliveTimer();
      this.context.connectionIdle?.();
    } else if (next === 'closed') {
      clearTimeout(this.keepAliveTimer);
      this.releaseBody();
    }
  }

  /**
   * A head is complete: the connection is active, from new or idle (a
   * pipelined head finds it active already). One that is ending stays so:
   * the request is still handled and recorded; its answer has nowhere to go.
   */
  headComplete(): void {
    if (this.current === 'new' || this.current === 'idle') this.setState('active');
  }

  /** Closing or closed: nothing more is written to it. */
  get isEnding(): boolean {
    return this.current === 'closing' || this.current === 'closed';
  }

  /**
   * Counted by the request timeouts: a request is under way (an idle
   * connection's next head has begun to arrive).
   */
  get hasRequestUnderWay(): boolean {
    const state = this.current;
    return state === 'new' || state === 'active' || (state === 'idle' && this.parser.midRequest);
  }

  /**
   * What node:http's closeIdleConnections closes (lib/_http_server.js): the
   * parser is between requests and the answer at the front, if any, has ended.
   * Answers waiting behind that one never leave. A connection that has not
   * completed a request yet counts as mid-request (src/node_http_parser.cc).
   */
  get isIdleForNode(): boolean {
    if (this.isEnding) return true;
    if (this.current === 'new' || this.parser.midRequest) return false;
    return this.front?.ended ?? true;
  }

  /** The stream under way is all the connection has: no request of its own for the timeouts to count. */
  get isOnlyStreaming(): boolean {
    return this.front?.streaming === true && this.reading === undefined && !this.parser.midRequest;
  }

  // --- Its answers, in request order ------------------------------------------

  /** A head is complete: its answer takes its place in the queue and is the one being read. */
  open(head: RequestHead, fields: ReadonlyMap<string, string>): PendingResponse {
    const response = new PendingResponse(this, head, fields);
    this.responses.push(response);
    this.reading = response;
    return response;
  }

  /** The request being read is complete: its body bytes go back to the budget, its answer is handed back. */
  requestComplete(): PendingResponse | undefined {
    const response = this.reading;
    this.reading = undefined;
    this.releaseBody();
    return response;
  }

  /** The answer whose bytes go to the socket now. */
  get front(): PendingResponse | undefined {
    return this.responses[0];
  }

  /** The answers owed, in request order. */
  get pending(): readonly PendingResponse[] {
    return this.responses;
  }

  /**
   * The answer at the front has begun to leave: an error now closes without a
   * word (node's `_headerSent`). A stream's head is out as soon as it began: a
   * 400 after it would land inside its chunked body.
   */
  get answerStarted(): boolean {
    const front = this.front;
    return front !== undefined && (front.ended || front.streaming);
  }

  /**
   * Each finished answer at the front leaves the queue and lets the next one's
   * held bytes go, or closes the connection if it says so; the last one starts
   * the keep-alive wait, unless the connection is ending (lib/_http_server.js,
   * resOnFinish).
   */
  retireFinished(): void {
    let finished = false;
    for (let done = this.front; done?.ended === true; done = this.front) {
      this.responses.shift();
      done.left = true;
      finished = true;
      if (done.closes) this.closeAfterWrites(done.lingers);
      for (const { bytes, whenWritten } of this.front?.held.splice(0) ?? []) {
        this.send(bytes, whenWritten);
      }
    }
    if (finished && this.responses.length === 0 && this.current === 'active') this.setState('idle');
  }

  // --- Its share of the body budget ---------------------------------------------

  /**
   * The request's body has grown to `bodyBytes`: take what arrived since from
   * the budget all connections share. False when it does not fit.
   */
  holdBody(bodyBytes: number): boolean {
    const arrived = bodyBytes - this.bodyBytesHeld;
    if (arrived <= 0) return true;
    if (!this.context.bodyBudget.take(arrived)) return false;
    this.bodyBytesHeld += arrived;
    return true;
  }

  private releaseBody(): void {
    this.context.bodyBudget.giveBack(this.bodyBytesHeld);
    this.bodyBytesHeld = 0;
  }

  // --- Writing and closing ----------------------------------------------------------

  // #region write
  /**
   * Bytes for the socket wait, with the turn's events, for the end of the turn
   * (group-commit.ts). On a connection that is ending they are dropped, and
   * `whenWritten` never comes: its viewer is forgotten when it closes.
   */
  send(bytes: Buffer, whenWritten?: () => void): void {
    if (!this.isEnding) this.turn.write(this.socket, bytes, whenWritten);
  }

  /**
   * End our side once the answers are out, then let go (net.Socket#destroySoon,
   * as node:http does), or linger first after a refused body, as the http
   * server does (core/src/body-limits.ts). Ending would uncork the answers
   * anyway: the turn lets them go itself, after their events.
   */
  closeAfterWrites(lingers = false): void {
    if (this.isEnding) return;
    this.setState('closing');
    const { socket } = this;
    this.turn.flush(socket);
    if (lingers) lingeringClose(socket);
    else socket.end(() => socket.destroy());
  }

  /** Close at once, after the answers still waiting for the end of the turn: they were given. */
  destroyNow(): void {
    this.turn.flush(this.socket);
    this.socket.destroy();
  }
  // #endregion write

  // --- Its keep-alive timer ------------------------------------------------------

  /**
   * After its answers an idle connection waits KEEP_ALIVE_TIMEOUT_MS for the next
   * request, plus KEEP_ALIVE_TIMEOUT_BUFFER_MS of grace, then is destroyed
   * without a word; any traffic restarts the wait (bytesArrived), and a
   * complete head ends it (the state is 'active' again). node:http sets the
   * socket's own timeout for each wait, which makes a new timer every time;
   * one timer per connection, restarted with refresh(), keeps the same
   * deadline without that.
   */
  // #region keep-alive-timer
  private startKeepAliveTimer(): void {
    const timeout = this.context.timeouts.keepAliveTimeoutMs;
    if (timeout === 0) return;
    if (this.keepAliveTimer === undefined) {
      this.keepAliveTimer = setTimeout(
        () => this.keepAliveExpired(),
        timeout + KEEP_ALIVE_TIMEOUT_BUFFER_MS,
      );
      // Like a socket's timeout, the wait alone does not keep the process alive.
      this.keepAliveTimer.unref();
    } else {
      this.keepAliveTimer.refresh();
    }
  }

  /** Any traffic restarts the keep-alive wait, as it restarts a socket's own timeout. */
  bytesArrived(): void {
    if (this.current === 'idle') this.keepAliveTimer?.refresh();
  }

  /** The timer also runs out after its wait ended: only a connection still idle is closed. */
  private keepAliveExpired(): void {
    if (this.current === 'idle') this.destroyNow();
  }
  // #endregion keep-alive-timer
}
