/**
 * An HTTP/1.1 request parser, by hand, one byte at a time.
 *
 * It does what llhttp (the C parser inside node:http) does for a server, as
 * Node configures it, so that the net server accepts and rejects exactly what
 * node:http does, and at the same byte:
 *
 * - it is incremental: `execute` takes whatever bytes arrived, at any split,
 *   and remembers where it stopped (RFC 9112 never promises whole lines);
 * - it checks every byte as it comes, so an invalid request is refused as soon
 *   as the bad byte arrives, not when the head is complete;
 * - it frames the body by Content-Length or by chunks (RFC 9112 section 6),
 *   and refuses the ambiguous framings that make request smuggling possible;
 * - it keeps parsing after a request, so pipelined requests come out in order.
 *
 * It is a state machine with one state per place a byte can arrive, laid out
 * as llhttp's src/llhttp/http.ts lays out its own: one group of states per
 * part of the grammar, each group read by one stepping function that holds
 * all its states and their edges (parser/states.ts lists the groups;
 * docs/net-server.md has their map). Our states have names of their own;
 * beside each is llhttp's name for the same place, where llhttp has one.
 * Where llhttp is more lenient or stricter than RFC 9112, the parser follows
 * llhttp and the comment says so: node:http is the reference.
 *
 * Bytes stay bytes: a header value is decoded once, as latin1 (what node:http
 * does, node_http_parser.cc), and the body is handed over as a Buffer.
 *
 * The parser runs for every byte the server reads, so a few things are done
 * for speed, each where it is used: runs of plain bytes are stepped over in a
 * tight loop (`skipWhile`), the states are numbers, a group's bytes are read
 * in its own loop until the state leaves the group, and a read's text is
 * decoded once and sliced (`textOf`). None changes what is accepted, where.
 */
import { dialectOf, type ParserDialect } from './llhttp-rules.js';
import { stepBody, stepChunkExtensions } from './parser/body.js';
import { stepHeaderField } from './parser/header-field.js';
import { stepHeaderValue, stepSpecialValue } from './parser/header-value.js';
import { FAILED, Machine, type ParserLimits, type ParserOutput } from './parser/machine.js';
import { stepMessage } from './parser/message.js';
import { stepRequestLine } from './parser/request-line.js';
import { readsNoByte, State } from './parser/states.js';
import { stepTarget } from './parser/target.js';

export { dialectOf, KNOWN_METHODS, type ParserDialect } from './llhttp-rules.js';
export type { ParseErrorKind, ParserLimits, ParserOutput, RequestHead } from './parser/machine.js';

/** The running Node's dialect, worked out once: every connection's parser speaks it. */
const RUNNING_DIALECT = dialectOf();

/** Each state's name by its number, for `stateName`. */
const STATE_NAMES = new Map<number, string>(
  Object.entries(State).map(([name, number]) => [number, name]),
);

export class RequestParser {
  private readonly machine: Machine;

  constructor(limits: ParserLimits, dialect: ParserDialect = RUNNING_DIALECT) {
    this.machine = new Machine(limits, dialect);
  }

  /** Requests whose first byte has arrived. */
  get messagesBegun(): number {
    return this.machine.messagesBegun;
  }

  /** Requests that completed. */
  get messagesCompleted(): number {
    return this.machine.messagesCompleted;
  }

  /** True while part of a request has arrived and the request is not complete. */
  get midRequest(): boolean {
    return this.machine.inRequest;
  }

  /** Decoded body bytes of the request in progress (0 between requests): what it holds in memory. */
  get bodyBytes(): number {
    return this.machine.bodyLength;
  }

  /**
   * The state that will read the next byte, by its name in parser/states.ts:
   * for a trace only (the docs draw one from it, scripts/docs/parser-trace.ts),
   * never read while serving.
   */
  get stateName(): string {
    return STATE_NAMES.get(this.machine.state) ?? String(this.machine.state);
  }

  /** True once the current request's head is complete (the headers timeout no longer applies). */
  get headComplete(): boolean {
    return this.machine.head !== undefined;
  }

  /**
   * Parse `chunk` from where the previous call stopped. Returns, in order:
   * a `head` for each request whose head completed (or `body-too-long` in its
   * place), a `request` for each request that completed, a `tick` wherever
   * node:http would run its queued work, a `body-too-long` in place of a
   * refused body (the parser drops it and parses on), and at most one
   * `error`, after which the parser stops.
   *
   * After an upgrade request (`upgrade` output) llhttp pauses and node:http
   * stops parsing the read there: the rest of the read is meant for the new
   * protocol. With no one to take it over, node:http drops those bytes and
   * parses the next read as HTTP again (lib/_http_server.js,
   * onParserExecuteCommon). This parser returns at the same byte.
   */
  execute(chunk: Buffer): ParserOutput[] {
    const out: ParserOutput[] = [];
    const p = this.machine;
    if (p.state === State.Failed) return out;
    if (p.spanStart === -2) p.spanStart = 0;
    p.text = ''; // decoded from the last read: nothing of this one
    p.readOffset = p.bytesRead;
    p.bytesRead += chunk.length;
    let i = 0;
    while (i < chunk.length || readsNoByte(p.state)) {
      let next: number;
      // Each group owns a block of 16 state numbers (parser/states.ts). A call
      // site that always calls the same function is the cheapest kind in V8.
      switch (p.state >> 4) {
        case 0:
          next = stepMessage(p, chunk, i, out);
          break;
        case 1:
          next = stepRequestLine(p, chunk, i, out);
          break;
        case 2:
          next = stepTarget(p, chunk, i, out);
          break;
        case 3:
          next = stepHeaderField(p, chunk, i, out);
          break;
        case 4:
          next = stepHeaderValue(p, chunk, i, out);
          break;
        case 5:
          next = stepSpecialValue(p, chunk, i, out);
          break;
        case 6:
          next = stepBody(p, chunk, i, out);
          break;
        default:
          next = stepChunkExtensions(p, chunk, i, out);
      }
      if (next < 0) {
        if (next === FAILED) p.state = State.Failed;
        return out;
      }
      i = next;
    }
    // #region split-token
    // The read ended inside a span: keep its bytes, and count them now, as
    // llhttp reports a partial span to node at the end of every read.
    if (p.spanStart >= 0) {
      const partial = chunk.length - p.spanStart;
      if (partial > 0) p.spanParts.push(chunk.subarray(p.spanStart));
      const overflow = p.countSpan(partial);
      if (overflow !== undefined) {
        p.state = State.Failed;
        p.failWith(out, chunk.length, overflow);
        return out;
      }
      p.spanStart = -2;
    }
    // #endregion split-token
    return out;
  }

  /**
   * The client closed its side. In the middle of a request, the request can
   * never complete: llhttp reports "Invalid EOF state", which node answers 400.
   */
  finish(): ParserOutput | undefined {
    const p = this.machine;
    if (p.state === State.Failed || !p.unsafeToEnd) return undefined;
    p.state = State.Failed;
    if (p.errorsIgnored) return undefined;
    return { kind: 'error', error: 'bad-request', reason: 'Invalid EOF state', at: p.bytesRead };
  }
}
