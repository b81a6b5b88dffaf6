/**
 * What a request parser hands out, what it remembers between bytes, and the
 * few things every group of states does alike: begin a request, keep and
 * count spans, take body bytes, fail.
 *
 * The helpers here change fields and return answers; none changes `state`.
 * Every state change is in a group's stepping function (parser/*.ts), beside
 * the state it leaves.
 */
import {
  METHOD_TRIE,
  type ConnectionOption,
  type HeaderKind,
  type ParserDialect,
  type WordTrie,
} from '../llhttp-rules.js';
import { State } from './states.js';

/** How node:http answers a parse error: HPE_HEADER_OVERFLOW 431, HPE_CHUNK_EXTENSIONS_OVERFLOW 413, else 400. */
export type ParseErrorKind = 'bad-request' | 'header-overflow' | 'chunk-extensions-overflow';

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  /** llhttp accepts the versions 1.1, 1.0, 0.9 and 2.0; only 1.1 has HTTP/1.1's defaults. */
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** Name and value pairs in arrival order, names as sent, values without surrounding blanks. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /**
   * RFC 9112 section 9.3: HTTP/1.1 persists unless "close"; older versions only
   * with "keep-alive". llhttp treats every version but 1.1 (2.0 too) as old.
   */
  readonly keepAlive: boolean;
  /**
   * A CONNECT, or a request with `Upgrade` and `Connection: upgrade` (RFC 9110
   * section 7.8): after it, the bytes are meant for another protocol.
   */
  readonly upgrade: boolean;
}

export type ParserOutput =
  | { readonly kind: 'head'; readonly head: RequestHead }
  | { readonly kind: 'request'; readonly head: RequestHead; readonly body: Buffer }
  /** An upgrade request ended: llhttp parses nothing more of this read (see `execute`). */
  | { readonly kind: 'upgrade'; readonly head: RequestHead }
  /**
   * node:http runs its queued callbacks here, in the middle of the read: it
   * hands body bytes, and batches of headers, to JavaScript with MakeCallback,
   * which drains process.nextTick's queue (node_http_parser.cc, on_body and
   * Flush). Requests completed earlier in the read are answered at this point.
   */
  | { readonly kind: 'tick' }
  /** The body passes `maxBodyBytes` (see ParserLimits): the parser stops, as after an error. */
  | { readonly kind: 'body-too-long'; readonly head: RequestHead; readonly bodyBytes: number }
  /**
   * `at` is where llhttp reports the error (llhttp_get_error_pos), counted
   * from the connection's first byte: the byte refused, or the one after it
   * where llhttp takes the byte in before it fails. A limit found where a
   * read ends, or an end of input, is at the offset just past the read.
   */
  | {
      readonly kind: 'error';
      readonly error: ParseErrorKind;
      readonly reason: string;
      readonly at: number;
    };

export interface ParserLimits {
  /** Bytes of target, header names and values before a 431 (MAX_HEADER_SIZE_BYTES). */
  readonly maxHeaderBytes: number;
  /** Bytes of one chunk's extensions before a 413 (MAX_CHUNK_EXTENSIONS_BYTES). */
  readonly maxChunkExtensionBytes: number;
  /** Header fields per head (and per trailer block), as server.maxHeadersCount: see ParserDialect. */
  readonly maxHeadersCount: number;
  /**
   * Bytes of one decoded body (MAX_BODY_BYTES). llhttp has no such limit: it
   * is the servers' own (core/src/body-limits.ts), enforced here so that the
   * bytes past it are never buffered. How it shows in the outputs:
   * - a Content-Length over it: `body-too-long` (bodyBytes = the length) comes
   *   in place of `head`, once the head is complete, so the server can refuse
   *   before it would answer 100 Continue;
   * - a chunked body: `body-too-long` (bodyBytes = decoded bytes so far) comes
   *   after the `tick` of the chunk data that passed the limit; `head` came earlier.
   * Either way the rest of the body is read and dropped, and what follows is
   * parsed on, as node:http's llhttp does: the server leaves it unanswered.
   * `bodyBytes` (the getter) counts the decoded body of the request in progress.
   */
  readonly maxBodyBytes: number;
  /**
   * True for a head node:http answers itself (a 417, a 400 without Host): no
   * handler reads its body, node drains it (IncomingMessage._dump), and no
   * body limit applies. Asked only when the limit would refuse the body; from
   * then on the parser reads the body through without keeping it.
   */
  readonly drainsBody?: (head: RequestHead) => boolean;
}

/**
 * What a step returns when this read is parsed no further; otherwise it
 * returns the index of the next byte to read, in the state it set.
 * FAILED: the parser stops for good (an error, or a body refused);
 * PAUSED: an upgrade request ended, and llhttp pauses (see `execute`).
 */
export const FAILED = -1;
export const PAUSED = -2;

/** Every tick is the same: one object serves them all. */
export const TICK: ParserOutput = Object.freeze({ kind: 'tick' });

/** A limit broken, and how node:http answers it. */
export interface Overflow {
  readonly error: ParseErrorKind;
  readonly reason: string;
}
const HEADER_OVERFLOW: Overflow = { error: 'header-overflow', reason: 'Header overflow' };
const CHUNK_EXTENSIONS_OVERFLOW: Overflow = {
  error: 'chunk-extensions-overflow',
  reason: 'Chunk extensions overflow',
};

/**
 * How many bytes of a read the parser decodes at once (see `textOf`): a head
 * of the usual size, ending inside the window whatever its target's length.
 */
const TEXT_WINDOW_BYTES = 512;

/**
 * A length as llhttp stores it, a uint64_t: a Content-Length, a chunk size,
 * the body bytes still due. A number is exact only up to 2^53 - 1, far above
 * any real length, so a length is a number while it fits one and a BigInt
 * beyond, where it overflows at the same digit as llhttp's. A length that fits
 * a number is never a BigInt: `=== 0` is enough to test for zero.
 */
export type Length = number | bigint;

/** Largest Content-Length and chunk size llhttp stores. */
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * What a span of bytes is counted toward, as node_http_parser.cc counts
 * llhttp's spans: a header name counts toward the head's bytes and, the first
 * time it is reported, toward the number of fields.
 */
export type SpanBudget = 'head' | 'header-name' | 'chunk-extensions' | 'none';

/** Framing and connection facts gathered from the headers (llhttp's `flags`). */
export interface Flags {
  contentLength: boolean;
  transferEncoding: boolean;
  chunked: boolean;
  connectionClose: boolean;
  connectionKeepAlive: boolean;
  connectionUpgrade: boolean;
  upgradeHeader: boolean;
}
const noFlags = (): Flags => ({
  contentLength: false,
  transferEncoding: false,
  chunked: false,
  connectionClose: false,
  connectionKeepAlive: false,
  connectionUpgrade: false,
  upgradeHeader: false,
});

/** One connection's parser: its state and everything the states read and write. */
export class Machine {
  state: State = State.Start;

  // The span being read (a target, header name or value, chunk extension),
  // which may continue over several reads.
  spanParts: Buffer[] = [];
  /** Where the span began in the current read; -1: no span; -2: it began in an earlier read. */
  spanStart = -1;
  spanBudget: SpanBudget = 'none';
  /** Some bytes of the current read, decoded once, from `textStart` on (see `textOf`). */
  text = '';
  textStart = 0;
  /** Where the current read begins in the connection's bytes, and where it ends: what an error's offset counts from. */
  readOffset = 0;
  bytesRead = 0;

  // The request being read.
  method = '';
  target = '';
  /** The method or the protocol name read so far: a node of its trie. */
  wordSoFar: WordTrie = METHOD_TRIE;
  versionMajor = 1;
  versionMinor = 1;
  headers: Array<[string, string]> = [];
  headerName = '';
  headerKind: HeaderKind = 'general';
  /** The value read, kept until its line is known not to continue (obs-fold). */
  headerValueText = '';
  /** How much of "chunked", of a Connection option, or of the HTTP/2 preface has matched so far. */
  matched = 0;
  connectionOption: ConnectionOption | undefined;
  /** The value so far is exactly "chunked" (then blanks): this header makes the body chunked. */
  valueIsChunked = false;
  flags: Flags = noFlags();
  contentLength: Length = 0;
  headerBytes = 0;
  chunkExtensionBytes = 0;
  bodyParts: Buffer[] = [];
  /** Bytes in bodyParts: checked against maxBodyBytes as a chunked body grows. */
  bodyLength = 0;
  /** The body is read and dropped (ParserLimits.drainsBody). */
  draining = false;
  head: RequestHead | undefined;
  remaining: Length = 0;
  /** Reading the trailer fields after the last chunk, with the header states (llhttp's F_TRAILING). */
  inTrailers = false;
  /** From a request's first byte until it is complete: what the request timeouts watch. */
  inRequest = false;
  /** From a request's first byte until llhttp is ready for the next: an end of input here is an error. */
  unsafeToEnd = false;
  /**
   * node:http ignores llhttp's errors while llhttp's `upgrade` flag is set,
   * which stays set after an upgrade request until the next head completes
   * (node_http_parser.cc, Parser::Execute: `!parser_.upgrade && err != HPE_OK`).
   * A bad request right after an upgrade is then neither answered nor refused:
   * the connection just stops listening.
   */
  errorsIgnored = false;
  /** Header fields since node last handed a batch to JavaScript (its num_fields_). */
  fieldsInBatch = 0;
  /**
   * node has handed a batch of headers over once on this connection: from then
   * on it hands over every head the slow way, with a tick (its have_flushed_,
   * which nothing resets).
   */
  batchedBefore = false;
  /** Fields in the current head or trailer block, and whether this one is past maxHeadersCount. */
  fieldsInBlock = 0;
  excessField = false;

  /** Requests whose first byte has arrived, and requests that completed. */
  messagesBegun = 0;
  messagesCompleted = 0;

  constructor(
    readonly limits: ParserLimits,
    readonly dialect: ParserDialect,
  ) {}

  // --- Errors -----------------------------------------------------------------

  /** Report an error at index `at` of the read (unless node ignores it, see errorsIgnored): see ParserOutput. */
  fail(
    out: ParserOutput[],
    at: number,
    reason: string,
    error: ParseErrorKind = 'bad-request',
  ): number {
    if (!this.errorsIgnored) out.push({ kind: 'error', error, reason, at: this.readOffset + at });
    return FAILED;
  }

  failWith(out: ParserOutput[], at: number, overflow: Overflow): number {
    return this.fail(out, at, overflow.reason, overflow.error);
  }

  /**
   * llhttp closes the span before some errors, and node counts it then: the
   * span's bytes, up to index `end`, may tip the head over its limit, and 431
   * or 413 wins. The error is reported at `at`.
   */
  failAfterSpan(out: ParserOutput[], end: number, reason: string, at = end): number {
    const overflow = this.closeSpan(end);
    return overflow === undefined ? this.fail(out, at, reason) : this.failWith(out, at, overflow);
  }

  // --- A request begins; its parts are kept --------------------------------------

  beginRequest(): void {
    this.messagesBegun++;
    this.inRequest = true;
    this.unsafeToEnd = true;
    this.method = '';
    this.target = '';
    this.versionMajor = 1;
    this.versionMinor = 1;
    this.headers = [];
    this.fieldsInBatch = 0;
    this.fieldsInBlock = 0;
    this.flags = noFlags();
    this.contentLength = 0;
    this.chunkExtensionBytes = 0;
    this.bodyParts = [];
    this.bodyLength = 0;
    this.draining = false;
    this.head = undefined;
    this.remaining = 0;
    this.inTrailers = false;
  }

  addHeader(name: string, value: string): void {
    if (this.inTrailers) return; // trailers are read, checked and not kept
    if (this.headers.length < this.limits.maxHeadersCount) this.headers.push([name, value]);
  }

  /** The body is past maxBodyBytes: true when it is drained instead of refused (ParserLimits.drainsBody). */
  drainsPastLimit(): boolean {
    this.draining = this.limits.drainsBody?.(this.head as RequestHead) === true;
    if (this.draining) {
      this.bodyParts = [];
      this.bodyLength = 0;
    }
    return this.draining;
  }

  /**
   * The body was refused (`body-too-long`): its bytes are read and dropped, and
   * parsing goes on after it, as llhttp goes on under node:http whatever the
   * handler does with the body.
   */
  dropRefusedBody(): void {
    this.draining = true;
    this.bodyParts = [];
    this.bodyLength = 0;
  }

  /** llhttp_should_keep_alive: only 1.1 persists by default (2.0 counts as old). */
  shouldKeepAlive(): boolean {
    const http11 = this.versionMajor > 0 && this.versionMinor > 0;
    return http11 ? !this.flags.connectionClose : this.flags.connectionKeepAlive;
  }

  /** Take what this read holds of the body, up to what is still due; node's on_body then ticks. */
  takeBody(chunk: Buffer, i: number, out: ParserOutput[]): number {
    const available = chunk.length - i;
    const take = this.remaining < available ? Number(this.remaining) : available;
    if (!this.draining) {
      this.bodyParts.push(chunk.subarray(i, i + take));
      this.bodyLength += take;
    }
    this.remaining = lessBy(this.remaining, take);
    if (take > 0) out.push(TICK);
    return take;
  }

  // --- Spans: the bytes of a token, counted as node counts them ---------------

  beginSpan(at: number, budget: SpanBudget): void {
    if (this.spanParts.length > 0) this.spanParts = [];
    this.spanStart = at;
    this.spanBudget = budget;
  }

  /** Bytes of the current span in this read, up to index `end`. Earlier reads' bytes were counted when those reads ended. */
  spanInChunk(end: number): number {
    return end - Math.max(this.spanStart, 0);
  }

  /** The span ends before index `end`: count it, without keeping its text; says which limit it breaks, if any. */
  closeSpan(end: number): Overflow | undefined {
    const overflow = this.countSpan(this.spanInChunk(end));
    this.spanStart = -1;
    return overflow;
  }

  /** Count a span's bytes toward its budget; says which limit they break, if any. */
  countSpan(length: number): Overflow | undefined {
    if (this.spanBudget === 'head' || this.spanBudget === 'header-name') {
      const tooMany = this.spanBudget === 'header-name' && this.excessField;
      return this.countHead(length) || tooMany ? HEADER_OVERFLOW : undefined;
    }
    if (this.spanBudget === 'chunk-extensions') {
      this.chunkExtensionBytes += length;
      if (this.chunkExtensionBytes > this.limits.maxChunkExtensionBytes) {
        return CHUNK_EXTENSIONS_OVERFLOW;
      }
    }
    return undefined;
  }

  /** Add to the head's byte count; true once it reaches the limit (node's TrackHeader). */
  countHead(length: number): boolean {
    this.headerBytes += length;
    return this.headerBytes >= this.limits.maxHeaderBytes;
  }

  /** The span ends before index `end`: its text, with the bytes earlier reads held of it. */
  takeSpan(chunk: Buffer, end: number): string {
    let text = this.textOf(chunk, Math.max(this.spanStart, 0), end);
    if (this.spanParts.length > 0) {
      text = Buffer.concat(this.spanParts).toString('latin1') + text;
      this.spanParts = [];
    }
    this.spanStart = -1;
    return text;
  }

  /**
   * The bytes from `start` to `end` of the current read, as latin1 text.
   * Each Buffer.toString is a call into C++, which costs about five times
   * what slicing a JavaScript string does, and a head holds a dozen names and
   * values: so a window of the read is decoded once, and each name and value
   * is sliced out of it.
   */
  textOf(chunk: Buffer, start: number, end: number): string {
    if (start < this.textStart || end > this.textStart + this.text.length) {
      this.textStart = start;
      this.text = chunk.toString(
        'latin1',
        start,
        Math.min(chunk.length, Math.max(end, start + TEXT_WINDOW_BYTES)),
      );
    }
    return this.text.slice(start - this.textStart, end - this.textStart);
  }
}

/** `length * base + digit`, exactly; undefined past uint64, where llhttp reports an overflow. */
export function appendDigit(length: Length, base: number, digit: number): Length | undefined {
  if (typeof length === 'number') {
    const next = length * base + digit;
    // Up to 2^53 - 1 a number is exact; past it, the product may be rounded: count again as a BigInt.
    if (next <= Number.MAX_SAFE_INTEGER) return next;
  }
  const next = BigInt(length) * BigInt(base) + BigInt(digit);
  return next > MAX_UINT64 ? undefined : next;
}

/** `length - taken`, a number again once it fits one. */
function lessBy(length: Length, taken: number): Length {
  if (typeof length === 'number') return length - taken;
  const left = length - BigInt(taken);
  return left > Number.MAX_SAFE_INTEGER ? left : Number(left);
}

/**
 * The index of the first byte from `from` on that is not in `allowed` (or the
 * read's length). A span's bytes are counted where it ends, not one by one,
 * so a run stepped over counts as it would byte by byte.
 */
export function skipWhile(chunk: Buffer, from: number, allowed: Uint8Array): number {
  let index = from;
  while (index < chunk.length && allowed[chunk[index] as number]) index++;
  return index;
}
