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
 * One state per place a byte can arrive, named after llhttp's own
 * (llhttp's src/llhttp/http.ts and url.ts describe the same machine). Where
 * llhttp is more lenient or stricter than RFC 9112, this parser follows llhttp
 * and the comment says so: node:http is the reference.
 *
 * Bytes stay bytes: a header value is decoded once, as latin1 (what node:http
 * does, node_http_parser.cc), and the body is handed over as a Buffer.
 *
 * The parser runs for every byte the server reads, so a few things are done
 * for speed, each where it is used: runs of plain bytes are stepped over in a
 * tight loop (`skipWhile`), the states are numbers, and a read's text is
 * decoded once and sliced (`textOf`). None changes what is accepted, where.
 */
import {
  ALPHA,
  AUTHORITY_CHAR,
  FIELD_VALUE_CHAR,
  HEX_VALUE,
  LIST_TOKEN_CHAR,
  QUOTED_PAIR_CHAR,
  QUOTED_TEXT_CHAR,
  TARGET_CHAR,
  TARGET_PLAIN_CHAR,
  TOKEN,
} from './byte-classes.js';
import {
  ACCEPTED_VERSIONS,
  CHUNKED,
  CONNECTION_OPTIONS,
  dialectOf,
  HTTP2_PREFACE_REST,
  METHOD_TRIE,
  METHODS_BY_PROTOCOL,
  PROTOCOL_TRIE,
  SPECIAL_HEADERS,
  type ConnectionOption,
  type HeaderKind,
  type ParserDialect,
  type WordTrie,
} from './llhttp-rules.js';

export { dialectOf, KNOWN_METHODS, type ParserDialect } from './llhttp-rules.js';


/** The running Node's dialect, worked out once: every connection's parser speaks it. */
const RUNNING_DIALECT = dialectOf();

/** node_http_parser.cc keeps this many header fields before it hands a batch to JavaScript (kMaxHeaderFieldsCount). */
const HEADER_FIELDS_PER_BATCH = 32;

/**
 * A length as llhttp stores it, a uint64_t: a Content-Length, a chunk size,
 * the body bytes still due. A number is exact only up to 2^53 - 1, far above
 * any real length, so a length is a number while it fits one and a BigInt
 * beyond, where it overflows at the same digit as llhttp's. A length that fits
 * a number is never a BigInt: `=== 0` is enough to test for zero.
 */
type Length = number | bigint;

/** Largest Content-Length and chunk size llhttp stores. */
const MAX_UINT64 = (1n << 64n) - 1n;

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
  | { readonly kind: 'error'; readonly error: ParseErrorKind; readonly reason: string };

/**
 * How many bytes of a read the parser decodes at once (see `textOf`): a head
 * of the usual size, ending inside the window whatever its target's length.
 */
const TEXT_WINDOW_BYTES = 512;

/** Every tick is the same: one object serves them all. */
const TICK: ParserOutput = Object.freeze({ kind: 'tick' });

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
   * Either way nothing more is parsed on the connection (the `Failed` state).
   * `bodyBytes` (the getter) counts the decoded body of the request in progress.
   */
  readonly maxBodyBytes: number;
}


const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const ASTERISK = 0x2a;
const QUESTION = 0x3f;
const HASH = 0x23;
const AT = 0x40;
const DOT = 0x2e;

const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
const lower = (byte: number): number => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);

/**
 * Where the parser is: one state per place a byte can arrive. The states are
 * numbered, as llhttp's are: a `switch` on small numbers jumps straight to
 * its case, where on strings it compares case after case (numbers made
 * `execute` about 15% faster).
 */
const State = {
  BeforeRequest: 0, // line ends before a request line are skipped (RFC 9112 section 2.2)
  Method: 1,
  SpacesBeforeTarget: 2, // llhttp allows several spaces here, and after the target
  TargetStart: 3,
  TargetScheme: 4,
  TargetSchemeSlashes: 5,
  TargetAuthority: 6,
  TargetAuthorityAfterAt: 7,
  TargetPath: 8,
  TargetQuery: 9,
  TargetFragment: 10,
  TargetCr: 11, // a CR right after the target: an HTTP/0.9 request line
  SpacesBeforeProtocol: 12,
  Protocol: 13,
  Version: 14,
  Http2Preface: 15,
  RequestLineCr: 16,
  RequestLineLf: 17,
  HeadersStart: 18,
  HeaderLineStart: 19,
  HeaderName: 20,
  HeaderValueStart: 21,
  EmptyValueLf: 22,
  EmptyValueEnd: 23,
  HeaderValue: 24,
  ConnectionOption: 25,
  ConnectionAfterOption: 26,
  ConnectionOther: 27,
  ContentLengthDigits: 28,
  ContentLengthAfter: 29,
  CodingStart: 30,
  CodingAfterChunked: 31,
  CodingOther: 32,
  CodingBlanks: 33,
  HeaderValueEnd: 34,
  HeaderValueLf: 35,
  HeaderLineEnd: 36,
  HeadEndLf: 37,
  BodyLength: 38,
  ChunkSizeFirst: 39,
  ChunkSize: 40,
  ChunkExtensions: 41,
  ChunkExtensionName: 42,
  ChunkExtensionValue: 43,
  ChunkExtensionQuoted: 44,
  ChunkExtensionQuotedPair: 45,
  ChunkExtensionAfterQuote: 46,
  ChunkSizeLf: 47,
  ChunkData: 48,
  ChunkDataCr: 49,
  ChunkDataLf: 50,
  AfterUpgrade: 51, // an upgrade request ended; the next read resumes here
  AfterClose: 52, // the request asked to close: only line ends may follow
  Failed: 53,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * What a span of bytes is counted toward, as node_http_parser.cc counts
 * llhttp's spans: a header name counts toward the head's bytes and, the first
 * time it is reported, toward the number of fields.
 */
type SpanBudget = 'head' | 'header-name' | 'chunk-extensions' | 'none';

/** Framing and connection facts gathered from the headers (llhttp's `flags`). */
interface Flags {
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

export class RequestParser {
  private state: State = State.BeforeRequest;
  private readonly limits: ParserLimits;
  private readonly dialect: ParserDialect;

  // The span being read (a method, target, header name or value, chunk
  // extension), which may continue over several `execute` calls.
  private spanParts: Buffer[] = [];
  /** Where the span began in the current chunk; -1: no span; -2: it began in an earlier chunk. */
  private spanStart = -1;
  private spanBudget: SpanBudget = 'none';
  /** Some bytes of the current chunk, decoded once, from `textStart` on (see `textOf`). */
  private text = '';
  private textStart = 0;

  // The request being read.
  private method = '';
  private target = '';
  /** The method or the protocol name read so far: a node of its trie. */
  private wordSoFar: WordTrie = METHOD_TRIE;
  private versionMajor = 1;
  private versionMinor = 1;
  private versionBytesSeen = 0;
  private headers: Array<[string, string]> = [];
  private headerName = '';
  private headerKind: HeaderKind = 'general';
  /** The value read, kept until its line is known not to continue (obs-fold). */
  private headerValueText = '';
  /** How much of "chunked", or of a Connection option, the value has matched so far. */
  private matched = 0;
  private connectionOption: ConnectionOption | undefined;
  /** The value so far is exactly "chunked" (then blanks): this header makes the body chunked. */
  private valueIsChunked = false;
  private flags: Flags = noFlags();
  private contentLength: Length = 0;
  private headerBytes = 0;
  private chunkExtensionBytes = 0;
  private bodyParts: Buffer[] = [];
  /** Bytes in bodyParts: checked against maxBodyBytes as a chunked body grows. */
  private bodyLength = 0;
  private head: RequestHead | undefined;
  private remaining: Length = 0;
  private inTrailers = false;
  /** From a request's first byte until it is complete: what the request timeouts watch. */
  private inRequest = false;
  /** From a request's first byte until llhttp is ready for the next: an end of input here is an error. */
  private unsafeToEnd = false;
  /**
   * node:http ignores llhttp's errors while llhttp's `upgrade` flag is set,
   * which stays set after an upgrade request until the next head completes
   * (node_http_parser.cc, Parser::Execute: `!parser_.upgrade && err != HPE_OK`).
   * A bad request right after an upgrade is then neither answered nor refused:
   * the connection just stops listening.
   */
  private errorsIgnored = false;
  /** Header fields since node last handed a batch to JavaScript (its num_fields_). */
  private fieldsInBatch = 0;
  /**
   * node has handed a batch of headers over once on this connection: from then
   * on it hands over every head the slow way, with a tick (its have_flushed_,
   * which nothing resets).
   */
  private batchedBefore = false;
  /** Fields in the current head or trailer block, and whether this one is past maxHeadersCount. */
  private fieldsInBlock = 0;
  private excessField = false;

  constructor(limits: ParserLimits, dialect: ParserDialect = RUNNING_DIALECT) {
    this.limits = limits;
    this.dialect = dialect;
  }

  /** Requests whose first byte has arrived, and requests that completed. */
  messagesBegun = 0;
  messagesCompleted = 0;

  /** True while part of a request has arrived and the request is not complete. */
  get midRequest(): boolean {
    return this.inRequest;
  }

  /** Decoded body bytes of the request in progress (0 between requests): what it holds in memory. */
  get bodyBytes(): number {
    return this.bodyLength;
  }

  /** True once the current request's head is complete (the headers timeout no longer applies). */
  get headComplete(): boolean {
    return this.head !== undefined;
  }

  /**
   * Parse `chunk` from where the previous call stopped. Returns, in order, a
   * `head` for each request whose head completed, a `request` for each request
   * that completed, and at most one `error`, after which the parser stops.
   *
   * After an upgrade request (`upgrade` output) llhttp pauses and node:http
   * stops parsing the read there: the rest of the read is meant for the new
   * protocol. With no one to take it over, node:http drops those bytes and
   * parses the next read as HTTP again (lib/_http_server.js,
   * onParserExecuteCommon). This parser returns at the same byte.
   */
  execute(chunk: Buffer): ParserOutput[] {
    const out: ParserOutput[] = [];
    if (this.state === State.Failed) return out;
    if (this.spanStart === -2) this.spanStart = 0;
    this.text = ''; // decoded from the last chunk: nothing of this one
    let i = 0;

    while (i < chunk.length) {
      const byte = chunk[i] as number;
      switch (this.state) {
        case State.BeforeRequest:
          if (byte === CR || byte === LF) break;
          this.startRequest();
          this.state = State.Method;
          this.wordSoFar = METHOD_TRIE;
          continue; // read this byte again as the method's first

        // --- The request line (RFC 9112 section 3) ----------------------------
        case State.Method: {
          if (byte === SP) {
            const method = this.wordSoFar.word;
            if (method === undefined) return this.fail(out, 'Invalid method encountered');
            this.method = method;
            this.state = State.SpacesBeforeTarget;
            break;
          }
          // Methods are case-sensitive (RFC 9110 section 9.1): `post` is no
          // method, and llhttp refuses it at the `p`, which begins none.
          const next = this.wordSoFar.next.get(byte);
          if (next === undefined) return this.fail(out, 'Invalid method encountered');
          this.wordSoFar = next;
          break;
        }

        case State.SpacesBeforeTarget:
          if (byte === SP) break;
          this.beginSpan(i, 'head');
          // A CONNECT names an authority, `host:port` (RFC 9112 section 3.2.3).
          this.state = this.method === 'CONNECT' ? State.TargetAuthority : State.TargetStart;
          continue;

        // The target (RFC 9112 section 3.2): origin-form `/path?query`, the
        // asterisk, or absolute-form `scheme://authority/path`, checked as llhttp does.
        case State.TargetStart:
          if (byte === SLASH || byte === ASTERISK) this.state = State.TargetPath;
          else if (ALPHA[byte]) this.state = State.TargetScheme;
          else return this.fail(out, 'Unexpected start char in url');
          break;

        case State.TargetScheme:
          if (byte === COLON) {
            this.state = State.TargetSchemeSlashes;
            this.matched = 0;
          } else if (!ALPHA[byte]) {
            return this.fail(out, 'Unexpected char in url schema');
          }
          break;

        case State.TargetSchemeSlashes:
          if (byte !== SLASH) return this.fail(out, 'Unexpected char in url schema');
          if (++this.matched === 2) this.state = State.TargetAuthority;
          break;

        case State.TargetAuthority:
        case State.TargetAuthorityAfterAt:
          if (byte === SLASH) {
            this.state = State.TargetPath;
          } else if (byte === QUESTION) {
            this.state = State.TargetQuery;
          } else if (byte === AT) {
            // llhttp refuses only two @ in a row: `a@b@c` passes.
            if (this.state === State.TargetAuthorityAfterAt) return this.fail(out, 'Double @ in url');
            this.state = State.TargetAuthorityAfterAt;
          } else if (AUTHORITY_CHAR[byte]) {
            this.state = State.TargetAuthority;
          } else {
            const ended = this.endTarget(chunk, i);
            if (ended === 'error') return this.fail(out, 'Unexpected char in url server');
            if (ended.overflow) return this.fail(out, 'Header overflow', 'header-overflow');
          }
          break;

        case State.TargetPath:
        case State.TargetQuery:
        case State.TargetFragment:
          // Most of a target is plain bytes: step over the run of them at once.
          if (TARGET_PLAIN_CHAR[byte]) {
            i = skipWhile(chunk, i + 1, TARGET_PLAIN_CHAR);
            continue;
          }
          if (byte === QUESTION && this.state === State.TargetPath) {
            this.state = State.TargetQuery;
          } else if (byte === HASH && this.state !== State.TargetFragment) {
            this.state = State.TargetFragment;
          } else if (!TARGET_CHAR[byte]) {
            const ended = this.endTarget(chunk, i);
            if (ended === 'error') return this.fail(out, 'Invalid characters in url');
            if (ended.overflow) return this.fail(out, 'Header overflow', 'header-overflow');
          }
          break;

        case State.TargetCr:
          if (byte !== LF) return this.fail(out, 'Expected CRLF');
          this.state = State.HeadersStart;
          break;

        case State.SpacesBeforeProtocol:
          if (byte === SP) break;
          this.state = State.Protocol;
          this.wordSoFar = PROTOCOL_TRIE;
          continue;

        // #region version
        case State.Protocol: {
          if (this.wordSoFar.word !== undefined) {
            // The name is complete (HTTP, RTSP or ICE): a slash follows.
            if (byte !== SLASH) return this.fail(out, 'Expected HTTP/, RTSP/ or ICE/');
            this.state = State.Version;
            this.versionBytesSeen = 0;
            break;
          }
          const next = this.wordSoFar.next.get(byte);
          if (next === undefined) return this.fail(out, 'Expected HTTP/, RTSP/ or ICE/');
          this.wordSoFar = next;
          // The pairing is checked as soon as the protocol's name is complete.
          const name = next.word;
          const allowed = name === undefined ? undefined : METHODS_BY_PROTOCOL.get(name);
          if (allowed !== undefined && !allowed.has(this.method)) return this.fail(out, `Invalid method for ${name}/x.x request`);
          break;
        }

        case State.Version: {
          // DIGIT "." DIGIT (RFC 9112 section 2.3). llhttp accepts 1.1, 1.0,
          // and also 0.9 and 2.0 as written here; any other version is a 400.
          const seen = this.versionBytesSeen++;
          if (seen === 0) {
            if (!isDigit(byte)) return this.fail(out, 'Invalid major version');
            this.versionMajor = byte - 0x30;
          } else if (seen === 1) {
            if (byte !== DOT) return this.fail(out, 'Expected dot');
          } else {
            if (!isDigit(byte)) return this.fail(out, 'Invalid minor version');
            this.versionMinor = byte - 0x30;
            if (!ACCEPTED_VERSIONS.has(this.versionMajor * 10 + this.versionMinor)) return this.fail(out, 'Invalid HTTP version');
            this.state = this.method === 'PRI' ? State.Http2Preface : State.RequestLineCr;
            this.matched = 0;
          }
          break;
        }
        // #endregion version

        case State.Http2Preface:
          if (byte !== HTTP2_PREFACE_REST[this.matched]) return this.fail(out, 'Expected HTTP/2 Connection Preface');
          if (++this.matched === HTTP2_PREFACE_REST.length) return this.fail(out, 'Pause on PRI/Upgrade');
          break;

        case State.RequestLineCr:
          // First the CR, then the LF: a bare LF ends no line here (RFC 9112 section 2.2).
          if (byte !== CR) return this.fail(out, 'Expected CRLF after version');
          this.state = State.RequestLineLf;
          break;

        case State.RequestLineLf:
          if (byte !== LF) return this.fail(out, 'Expected CRLF after version');
          this.state = State.HeadersStart;
          break;

        // --- Header fields (RFC 9112 section 5) ------------------------------
        case State.HeadersStart:
          // Whitespace between the start line and the first field (RFC 9112 section 2.2).
          if (byte === SP) return this.fail(out, 'Unexpected space after start line');
          this.state = State.HeaderLineStart;
          continue;

        // #region header-line
        case State.HeaderLineStart:
          if (byte === CR) {
            this.state = State.HeadEndLf;
            break;
          }
          if (byte === LF) return this.fail(out, 'Invalid header field char');
          if (!TOKEN[byte]) return this.fail(out, 'Invalid header token');
          this.state = State.HeaderName;
          this.beginSpan(i, 'header-name');
          this.excessField = this.dialect.refusesExcessHeaders && ++this.fieldsInBlock > this.limits.maxHeadersCount;
          if (++this.fieldsInBatch === HEADER_FIELDS_PER_BATCH) {
            this.fieldsInBatch = 1;
            this.batchedBefore = true;
            out.push(TICK);
          }
          continue;

        case State.HeaderName: {
          // A name is token bytes (RFC 9110 section 5.6.2): step over the run of them at once.
          if (TOKEN[byte]) {
            i = skipWhile(chunk, i + 1, TOKEN);
            continue;
          }
          // No blank between a name and its colon (RFC 9112 section 5.1).
          if (byte !== COLON) return this.fail(out, 'Invalid header token');
          const overflow = this.countSpan(this.spanInChunk(i));
          if (overflow !== undefined) return this.fail(out, overflow.reason, overflow.error);
          this.headerName = this.takeSpan(chunk, i);
          this.headerKind = headerKindOf(this.headerName);
          // Both framings at once is how requests are smuggled past a proxy
          // (RFC 9112 section 6.1): llhttp refuses the second one at its colon.
          if (this.headerKind === 'transfer-encoding' && this.flags.contentLength) {
            return this.fail(out, "Transfer-Encoding can't be present with Content-Length");
          }
          if (this.headerKind === 'content-length' && this.flags.transferEncoding) {
            return this.fail(out, "Content-Length can't be present with Transfer-Encoding");
          }
          this.state = State.HeaderValueStart;
          break;
        }
        // #endregion header-line

        case State.HeaderValueStart:
          if (byte === SP || byte === HTAB) break; // leading blanks are not part of the value
          if (byte === CR) {
            this.state = State.EmptyValueLf;
            break;
          }
          if (byte === LF) return this.fail(out, 'Invalid header value char');
          this.beginSpan(i, 'head');
          const next = this.startValue();
          if (typeof next !== 'number') return this.fail(out, next.refused);
          this.state = next;
          continue;

        case State.EmptyValueLf:
          if (byte !== LF) return this.fail(out, 'Expected LF after CR');
          this.state = State.EmptyValueEnd;
          break;

        case State.EmptyValueEnd:
          if (byte === SP || byte === HTAB) return this.fail(out, 'Invalid header value char');
          if (this.headerKind === 'content-length') return this.fail(out, 'Empty Content-Length');
          if (this.headerKind === 'transfer-encoding' && this.dialect.refusesEmptyTransferEncoding) {
            return this.fail(out, 'Empty Transfer-Encoding');
          }
          this.addHeader(this.headerName, '');
          this.state = State.HeaderLineStart;
          continue;

        // Connection: a list of options; llhttp looks for close, keep-alive and
        // upgrade, case-insensitively, each followed by a comma, blanks or the end.
        case State.ConnectionOption: {
          if (byte === SP || byte === HTAB) {
            if (this.matched === 0) break;
          } else if (this.matchConnectionOption(byte)) {
            break;
          }
          this.state = State.ConnectionOther;
          continue;
        }

        case State.ConnectionAfterOption:
          if (byte === COMMA) {
            this.applyConnectionOption();
            this.state = State.ConnectionOption;
            this.matched = 0;
          } else if (byte === SP || (byte === HTAB && this.dialect.tabEndsListToken)) {
            // blanks after an option
          } else if (byte === CR || byte === LF) {
            this.state = State.HeaderValueEnd;
            continue;
          } else {
            this.connectionOption = undefined;
            this.state = State.ConnectionOther;
            continue;
          }
          break;

        case State.ConnectionOther:
          if (byte === COMMA) {
            this.state = State.ConnectionOption;
            this.matched = 0;
          } else if (!LIST_TOKEN_CHAR[byte]) {
            this.state = State.HeaderValueEnd;
            continue;
          }
          break;

        case State.ContentLengthDigits:
          if (isDigit(byte)) {
            const length = appendDigit(this.contentLength, 10, byte - 0x30);
            if (length === undefined) return this.failAfterSpan(out, i, 'Content-Length overflow');
            this.contentLength = length;
            break;
          }
          this.state = State.ContentLengthAfter;
          continue;

        case State.ContentLengthAfter:
          if (byte === SP || (byte === HTAB && this.dialect.tabEndsListToken)) break;
          if (byte !== CR && byte !== LF) return this.failAfterSpan(out, i, 'Invalid character in Content-Length');
          this.flags.contentLength = true;
          this.state = State.HeaderValueEnd;
          continue;

        // Transfer-Encoding: a list of codings; the body is chunked when the
        // last one is "chunked" (RFC 9112 section 6.1), matched case-insensitively.
        case State.CodingStart:
          if (lower(byte) === CHUNKED.charCodeAt(this.matched)) {
            if (++this.matched === CHUNKED.length) this.state = State.CodingAfterChunked;
            break;
          }
          this.state = State.CodingOther;
          continue;

        case State.CodingAfterChunked:
          // Only spaces, not tabs, may follow "chunked" in llhttp.
          if (byte === SP) break;
          if (byte === CR || byte === LF) {
            this.valueIsChunked = true;
            this.state = State.HeaderValueEnd;
            continue;
          }
          // Nothing may follow chunked in a request (RFC 9112 section 6.1).
          if (byte === COMMA) return this.failAfterSpan(out, i, 'Invalid `Transfer-Encoding` header value');
          this.state = State.CodingOther;
          continue;

        case State.CodingOther:
          if (byte === COMMA) {
            this.state = State.CodingBlanks;
          } else if (!LIST_TOKEN_CHAR[byte]) {
            this.state = State.HeaderValue;
            continue;
          }
          break;

        case State.CodingBlanks:
          if (byte === SP || byte === HTAB) break;
          this.state = State.CodingStart;
          this.matched = 0;
          continue;

        case State.HeaderValue:
          // The bulk of a head: step over the run of plain value bytes at once.
          i = skipWhile(chunk, i, FIELD_VALUE_CHAR);
          if (i < chunk.length) this.state = State.HeaderValueEnd;
          continue;

        case State.HeaderValueEnd: {
          if (byte !== CR) {
            return this.failAfterSpan(out, i, byte === LF ? 'Missing expected CR after header value' : 'Invalid header value char');
          }
          const length = this.spanInChunk(i);
          const value = this.takeSpan(chunk, i);
          if (this.countHead(length)) return this.fail(out, 'Header overflow', 'header-overflow');
          this.headerValueText = value;
          this.state = State.HeaderValueLf;
          break;
        }

        case State.HeaderValueLf:
          if (byte !== LF) return this.fail(out, 'Missing expected LF after header value');
          this.state = State.HeaderLineEnd;
          break;

        case State.HeaderLineEnd:
          // A line that starts with a blank continues the previous one: obs-fold,
          // which a server must refuse or unfold (RFC 9112 section 5.2); llhttp refuses.
          if (byte === SP || byte === HTAB) return this.fail(out, 'Unexpected whitespace after header value');
          this.endValue();
          this.addHeader(this.headerName, trimBlanks(this.headerValueText));
          this.state = State.HeaderLineStart;
          continue;

        case State.HeadEndLf: {
          if (byte !== LF) return this.fail(out, 'Expected LF after headers');
          if (this.inTrailers) {
            // The end of the trailers ends the last chunk: node counts afresh (on_chunk_complete).
            this.headerBytes = 0;
            i++;
            if (this.completeRequest(out)) return out;
            continue;
          }
          const framing = this.completeHead(out);
          if (framing === 'refused') return this.fail(out, 'Request has invalid `Transfer-Encoding`');
          if (framing === 'too-long') return this.stop(out);
          i++;
          if (framing === 'complete' && this.completeRequest(out)) return out;
          continue;
        }

        // --- The body (RFC 9112 section 6) ------------------------------------
        case State.BodyLength: {
          i += this.takeBody(chunk, i, out);
          if (this.remaining === 0 && this.completeRequest(out)) return out;
          continue;
        }

        // #region chunk-size
        // Chunked body, RFC 9112 section 7.1: size in hex, optional extensions, CRLF, data, CRLF.
        case State.ChunkSizeFirst:
        case State.ChunkSize: {
          const digit = HEX_VALUE[byte] as number;
          if (digit >= 0) {
            const size = appendDigit(this.remaining, 16, digit);
            if (size === undefined) return this.fail(out, 'Chunk size overflow');
            this.remaining = size;
            this.state = State.ChunkSize;
            break;
          }
          // No blanks after the size: llhttp's strict default (RFC 9112 has none there either).
          if (this.state === State.ChunkSizeFirst || byte === SP || byte === HTAB) return this.fail(out, 'Invalid character in chunk size');
          if (byte === CR) this.state = State.ChunkSizeLf;
          else if (byte === SEMICOLON) this.state = State.ChunkExtensions;
          else if (byte === LF) return this.fail(out, 'Missing expected CR after chunk size');
          else return this.fail(out, 'Invalid character in chunk size');
          break;
        }
        // #endregion chunk-size

        // Chunk extensions (RFC 9112 section 7.1.1): `;name` or `;name=value`,
        // the value a token or a quoted string. llhttp allows an empty name
        // (`;=v`, `;;`) and an empty value (`;n=`), and nothing else odd.
        case State.ChunkExtensions:
          if (byte === SP || byte === CR) return this.fail(out, 'Invalid character in chunk extensions');
          this.state = State.ChunkExtensionName;
          this.beginSpan(i, 'chunk-extensions');
          continue;

        case State.ChunkExtensionName:
        case State.ChunkExtensionValue: {
          if (TOKEN[byte]) break;
          if (byte === DQUOTE && this.state === State.ChunkExtensionValue) {
            this.state = State.ChunkExtensionQuoted;
            break;
          }
          const next: State | undefined =
            byte === EQUALS && this.state === State.ChunkExtensionName
              ? State.ChunkExtensionValue
              : byte === SEMICOLON
                ? State.ChunkExtensions
                : byte === CR
                  ? State.ChunkSizeLf
                  : undefined;
          const part = this.state === State.ChunkExtensionName ? 'name' : 'value';
          if (next === undefined) {
            const reason = byte === LF ? `Missing expected CR after chunk extension ${part}` : `Invalid character in chunk extensions ${part}`;
            return this.failAfterSpan(out, i, reason);
          }
          const overflow = this.endSpan(out, i);
          if (overflow) return overflow;
          this.state = next;
          if (next === State.ChunkExtensionValue) this.beginSpan(i + 1, 'chunk-extensions');
          break;
        }

        case State.ChunkExtensionQuoted:
          if (byte === DQUOTE) {
            // The value's span ends with its closing quote.
            const overflow = this.endSpan(out, i + 1);
            if (overflow) return overflow;
            this.state = State.ChunkExtensionAfterQuote;
          } else if (byte === BACKSLASH) {
            this.state = State.ChunkExtensionQuotedPair;
          } else if (!QUOTED_TEXT_CHAR[byte]) {
            return this.failAfterSpan(out, i, 'Invalid character in chunk extensions quoted value');
          }
          break;

        case State.ChunkExtensionQuotedPair:
          if (!QUOTED_PAIR_CHAR[byte]) return this.failAfterSpan(out, i, 'Invalid quoted-pair in chunk extensions quoted value');
          this.state = State.ChunkExtensionQuoted;
          break;

        case State.ChunkExtensionAfterQuote:
          if (byte === SEMICOLON) this.state = State.ChunkExtensions;
          else if (byte === CR) this.state = State.ChunkSizeLf;
          else if (byte === LF) return this.fail(out, 'Missing expected CR after chunk extension value');
          else return this.fail(out, 'Invalid character in chunk extensions quote value');
          break;

        case State.ChunkSizeLf:
          if (byte !== LF) return this.fail(out, 'Expected LF after chunk size');
          // A new chunk: node counts the head's bytes and the extensions afresh.
          this.headerBytes = 0;
          this.chunkExtensionBytes = 0;
          if (this.remaining === 0) {
            // The last chunk: trailer fields follow (RFC 9112 section 7.1.2), read like headers.
            this.inTrailers = true;
            this.state = State.HeaderLineStart;
          } else {
            this.state = State.ChunkData;
          }
          break;

        case State.ChunkData:
          i += this.takeBody(chunk, i, out);
          if (this.bodyLength > this.limits.maxBodyBytes) {
            out.push({ kind: 'body-too-long', head: this.head as RequestHead, bodyBytes: this.bodyLength });
            return this.stop(out);
          }
          if (this.remaining === 0) this.state = State.ChunkDataCr;
          continue;

        case State.ChunkDataCr:
          if (byte === LF) return this.fail(out, 'Missing expected CR after chunk data');
          if (byte !== CR) return this.fail(out, 'Expected LF after chunk data');
          this.state = State.ChunkDataLf;
          break;

        case State.ChunkDataLf:
          if (byte !== LF) return this.fail(out, 'Expected LF after chunk data');
          this.headerBytes = 0;
          this.state = State.ChunkSizeFirst;
          this.remaining = 0;
          break;

        // --- Between requests --------------------------------------------------
        case State.AfterUpgrade:
          this.afterRequest();
          continue;

        // After a request that closes the connection nothing more may come
        // (RFC 9112 section 9.6); llhttp allows only stray line ends.
        case State.AfterClose:
          if (byte === CR || byte === LF) break;
          return this.fail(out, 'Data after `Connection: close`');
      }
      i++;
    }

    // #region split-token
    // The chunk ended inside a span: keep its bytes, and count them now, as
    // llhttp reports a partial span to node at the end of every chunk.
    if (this.spanStart >= 0) {
      const partial = chunk.length - this.spanStart;
      if (partial > 0) this.spanParts.push(chunk.subarray(this.spanStart));
      const overflow = this.countSpan(partial);
      if (overflow !== undefined) return this.fail(out, overflow.reason, overflow.error);
      this.spanStart = -2;
    }
    // #endregion split-token
    return out;
  }

  /**
   * The client closed its side. In the middle of a request, the request can
   * never complete: llhttp reports "Invalid EOF state", which node answers 400.
   */
  finish(): ParserOutput | undefined {
    if (this.state === State.Failed || !this.unsafeToEnd) return undefined;
    this.state = State.Failed;
    if (this.errorsIgnored) return undefined;
    return { kind: 'error', error: 'bad-request', reason: 'Invalid EOF state' };
  }

  // --- Errors -----------------------------------------------------------------

  /** Stop parsing for good, and report the error (unless node ignores it, see errorsIgnored). */
  private fail(out: ParserOutput[], reason: string, error: ParseErrorKind = 'bad-request'): ParserOutput[] {
    this.state = State.Failed;
    if (!this.errorsIgnored) out.push({ kind: 'error', error, reason });
    return out;
  }

  /** Stop parsing for good without an error: the server refuses the request itself (body-too-long). */
  private stop(out: ParserOutput[]): ParserOutput[] {
    this.state = State.Failed;
    return out;
  }

  /**
   * llhttp closes the span before some errors, and node counts it then:
   * the span's bytes, up to index `end`, may tip the head over its limit,
   * and 431 or 413 wins.
   */
  private failAfterSpan(out: ParserOutput[], end: number, reason: string): ParserOutput[] {
    const overflow = this.countSpan(this.spanInChunk(end));
    this.spanStart = -1;
    return overflow === undefined ? this.fail(out, reason) : this.fail(out, overflow.reason, overflow.error);
  }

  /** The span ends before index `end`: count it, and fail if that breaks a limit. */
  private endSpan(out: ParserOutput[], end: number): ParserOutput[] | undefined {
    const overflow = this.countSpan(this.spanInChunk(end));
    this.spanStart = -1;
    return overflow === undefined ? undefined : this.fail(out, overflow.reason, overflow.error);
  }

  // --- The request line's end, and a header value's meaning -----------------

  /**
   * A target ends with a space (then the protocol), or with a line end: no
   * version at all is HTTP/0.9 (RFC 1945 section 4.1), whose head llhttp
   * still reads. Returns 'error' for any other byte.
   */
  private endTarget(chunk: Buffer, i: number): 'error' | { overflow: boolean } {
    const byte = chunk[i] as number;
    if (byte !== SP && byte !== CR && byte !== LF) return 'error';
    const length = this.spanInChunk(i);
    this.target = this.takeSpan(chunk, i);
    const overflow = this.countHead(length);
    if (byte === SP) {
      this.state = State.SpacesBeforeProtocol;
    } else {
      this.versionMajor = 0;
      this.versionMinor = 9;
      this.state = byte === CR ? State.TargetCr : State.HeadersStart;
    }
    return { overflow };
  }

  /** The first byte of a header value: llhttp reads the special headers' values itself. */
  private startValue(): State | { readonly refused: string } {
    this.matched = 0;
    this.connectionOption = undefined;
    this.valueIsChunked = false;
    switch (this.headerKind) {
      case 'upgrade':
        this.flags.upgradeHeader = true;
        return State.HeaderValue;
      case 'transfer-encoding':
        // A second Transfer-Encoding after one that ended in chunked adds a coding after chunked.
        if (this.flags.chunked) return { refused: 'Invalid `Transfer-Encoding` header value' };
        this.flags.transferEncoding = true;
        return State.CodingStart;
      case 'content-length':
        // Two Content-Lengths, equal or not, leave the length in doubt (RFC 9112 section 6.3).
        if (this.flags.contentLength) return { refused: 'Duplicate Content-Length' };
        this.contentLength = 0;
        return State.ContentLengthDigits;
      case 'connection':
        return State.ConnectionOption;
      case 'general':
        return State.HeaderValue;
    }
  }

  /** One more byte of a Connection option; false when it matches none. */
  private matchConnectionOption(byte: number): boolean {
    let option = this.connectionOption;
    // The options begin with different letters: the first byte picks the one to match.
    if (this.matched === 0) option = CONNECTION_OPTIONS.find((name) => name.charCodeAt(0) === lower(byte));
    if (option === undefined || option.charCodeAt(this.matched) !== lower(byte)) return false;
    this.connectionOption = option;
    if (++this.matched === option.length) this.state = State.ConnectionAfterOption;
    return true;
  }

  private applyConnectionOption(): void {
    if (this.connectionOption === 'close') this.flags.connectionClose = true;
    else if (this.connectionOption === 'keep-alive') this.flags.connectionKeepAlive = true;
    else if (this.connectionOption === 'upgrade') this.flags.connectionUpgrade = true;
    this.connectionOption = undefined;
  }

  /** A header line is complete: what its value means takes effect now, as in llhttp. */
  private endValue(): void {
    const option = this.connectionOption;
    if (this.headerKind === 'connection' && option !== undefined && this.matched === option.length) {
      this.applyConnectionOption();
    }
    if (this.headerKind === 'transfer-encoding' && this.valueIsChunked) this.flags.chunked = true;
  }

  // --- Requests begin, complete and end ----------------------------------------

  private startRequest(): void {
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
    this.head = undefined;
    this.remaining = 0;
    this.inTrailers = false;
  }

  /**
   * The head is complete: hand it over, then decide how the body is framed
   * (RFC 9112 section 6.3, in llhttp's order). The head goes out first even
   * when its framing is then refused: node:http has already begun to answer
   * it (a 100 Continue, a 400 for a missing Host) when llhttp refuses.
   */
  // #region framing
  private completeHead(out: ParserOutput[]): 'complete' | 'body' | 'refused' | 'too-long' {
    const { flags } = this;
    const upgrade = (flags.upgradeHeader && flags.connectionUpgrade) || this.method === 'CONNECT';
    this.errorsIgnored = upgrade;
    this.head = {
      method: this.method,
      target: this.target,
      versionMajor: this.versionMajor,
      versionMinor: this.versionMinor,
      headers: this.headers,
      keepAlive: this.shouldKeepAlive(),
      upgrade,
    };
    this.headerBytes = 0;
    this.fieldsInBatch = 0;
    this.fieldsInBlock = 0;
    if (this.batchedBefore) out.push(TICK);
    const tooLong = this.method !== 'CONNECT' && !flags.transferEncoding && this.contentLength > this.limits.maxBodyBytes;
    if (tooLong) {
      out.push({ kind: 'body-too-long', head: this.head, bodyBytes: Number(this.contentLength) });
      return 'too-long';
    }
    out.push({ kind: 'head', head: this.head });

    // node:http takes a CONNECT as a tunnel: no body, whatever the headers say.
    if (this.method === 'CONNECT') return 'complete';
    const hasBody = flags.chunked || this.contentLength > 0;
    if (upgrade && !hasBody) return 'complete';
    if (flags.chunked) {
      this.state = State.ChunkSizeFirst;
      this.remaining = 0;
      return 'body';
    }
    // A request whose last coding is not chunked has no knowable length (section 6.3, item 4).
    if (flags.transferEncoding) return 'refused';
    if (this.contentLength > 0) {
      this.remaining = this.contentLength;
      this.state = State.BodyLength;
      return 'body';
    }
    return 'complete';
  }
  // #endregion framing

  /** True when parsing must stop for this read: an upgrade request ended. */
  private completeRequest(out: ParserOutput[]): boolean {
    const head = this.head as RequestHead;
    // Trailer fields are handed over in one last batch, with a tick, before the request ends.
    if (this.inTrailers && this.fieldsInBatch > 0) {
      this.batchedBefore = true;
      out.push(TICK);
    }
    const body = this.bodyParts.length === 1 ? (this.bodyParts[0] as Buffer) : Buffer.concat(this.bodyParts);
    out.push({ kind: 'request', head, body });
    this.messagesCompleted++;
    this.bodyParts = [];
    this.bodyLength = 0;
    this.inRequest = false;
    this.inTrailers = false;
    if (head.upgrade) {
      out.push({ kind: 'upgrade', head });
      this.state = State.AfterUpgrade;
      return true;
    }
    this.afterRequest();
    return false;
  }

  /**
   * Ready for the next request, or not: llhttp decides again with what the
   * whole request said, trailers included, while node:http answered by what
   * the head said. A `Connection: close` in the trailers therefore gets an
   * answer that keeps the connection, and then a 400 for the next request.
   */
  private afterRequest(): void {
    this.state = this.shouldKeepAlive() ? State.BeforeRequest : State.AfterClose;
    this.unsafeToEnd = false;
    this.head = undefined;
  }

  /** llhttp_should_keep_alive: only 1.1 persists by default (2.0 counts as old). */
  private shouldKeepAlive(): boolean {
    const http11 = this.versionMajor > 0 && this.versionMinor > 0;
    return http11 ? !this.flags.connectionClose : this.flags.connectionKeepAlive;
  }

  private addHeader(name: string, value: string): void {
    if (this.inTrailers) return; // trailers are read, checked and not kept
    if (this.headers.length < this.limits.maxHeadersCount) this.headers.push([name, value]);
  }

  /** Take what this chunk holds of the body, up to what is still due; node's on_body then ticks. */
  private takeBody(chunk: Buffer, i: number, out: ParserOutput[]): number {
    const available = chunk.length - i;
    const take = this.remaining < available ? Number(this.remaining) : available;
    this.bodyParts.push(chunk.subarray(i, i + take));
    this.bodyLength += take;
    this.remaining = lessBy(this.remaining, take);
    if (take > 0) out.push(TICK);
    return take;
  }

  // --- Spans: the bytes of a token, counted as node counts them ---------------

  private beginSpan(at: number, budget: SpanBudget): void {
    if (this.spanParts.length > 0) this.spanParts = [];
    this.spanStart = at;
    this.spanBudget = budget;
  }

  /** Bytes of the current span in this chunk, up to index `end`. Earlier chunks' bytes were counted when those chunks ended. */
  private spanInChunk(end: number): number {
    return end - Math.max(this.spanStart, 0);
  }

  /** Count a span's bytes toward its budget; says which limit they break, if any. */
  private countSpan(length: number): { error: ParseErrorKind; reason: string } | undefined {
    if (this.spanBudget === 'head' || this.spanBudget === 'header-name') {
      const tooMany = this.spanBudget === 'header-name' && this.excessField;
      return this.countHead(length) || tooMany ? { error: 'header-overflow', reason: 'Header overflow' } : undefined;
    }
    if (this.spanBudget === 'chunk-extensions') {
      this.chunkExtensionBytes += length;
      if (this.chunkExtensionBytes > this.limits.maxChunkExtensionBytes) {
        return { error: 'chunk-extensions-overflow', reason: 'Chunk extensions overflow' };
      }
    }
    return undefined;
  }

  /** Add to the head's byte count; true once it reaches the limit (node's TrackHeader). */
  private countHead(length: number): boolean {
    this.headerBytes += length;
    return this.headerBytes >= this.limits.maxHeaderBytes;
  }

  /** The span ends before index `end`: its text, with the bytes earlier chunks held of it. */
  private takeSpan(chunk: Buffer, end: number): string {
    let text = this.textOf(chunk, Math.max(this.spanStart, 0), end);
    if (this.spanParts.length > 0) {
      text = Buffer.concat(this.spanParts).toString('latin1') + text;
      this.spanParts = [];
    }
    this.spanStart = -1;
    return text;
  }

  /**
   * The bytes from `start` to `end` of the current chunk, as latin1 text.
   * Each Buffer.toString is a call into C++, which costs about five times
   * what slicing a JavaScript string does, and a head holds a dozen names and
   * values: so a window of the chunk is decoded once, and each name and value
   * is sliced out of it.
   */
  private textOf(chunk: Buffer, start: number, end: number): string {
    if (start < this.textStart || end > this.textStart + this.text.length) {
      this.textStart = start;
      this.text = chunk.toString('latin1', start, Math.min(chunk.length, Math.max(end, start + TEXT_WINDOW_BYTES)));
    }
    return this.text.slice(start - this.textStart, end - this.textStart);
  }
}

/** `length * base + digit`, exactly; undefined past uint64, where llhttp reports an overflow. */
function appendDigit(length: Length, base: number, digit: number): Length | undefined {
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
 * chunk's length). A span's bytes are counted where it ends, not one by one,
 * so a run stepped over counts as it would byte by byte.
 */
function skipWhile(chunk: Buffer, from: number, allowed: Uint8Array): number {
  let index = from;
  while (index < chunk.length && allowed[chunk[index] as number]) index++;
  return index;
}

/** The lengths of the special header names: a name of any other length is none of them. */
const SPECIAL_HEADER_LENGTHS = new Set([...SPECIAL_HEADERS.keys()].map((name) => name.length));

/** What llhttp makes of a header name, whatever its case (RFC 9110 section 5.1). */
function headerKindOf(name: string): HeaderKind {
  // Most names are of no special one's length: no lower-cased copy is made to look them up.
  if (!SPECIAL_HEADER_LENGTHS.has(name.length)) return 'general';
  return SPECIAL_HEADERS.get(name.toLowerCase()) ?? 'general';
}

/** node's ToTrimmedString: a value's trailing blanks are not part of it. */
function trimBlanks(value: string): string {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === SP || value.charCodeAt(end - 1) === HTAB)) end--;
  return value.slice(0, end);
}
