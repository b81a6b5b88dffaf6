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
  TOKEN,
} from './byte-classes.js';
import {
  ACCEPTED_VERSIONS,
  ALL_METHODS,
  CHUNKED,
  CONNECTION_OPTIONS,
  dialectOf,
  HTTP2_PREFACE_REST,
  METHOD_PREFIXES,
  METHODS_BY_PROTOCOL,
  PROTOCOL_PREFIXES,
  SPECIAL_HEADERS,
  type ConnectionOption,
  type HeaderKind,
  type ParserDialect,
} from './llhttp-rules.js';

export { dialectOf, KNOWN_METHODS, type ParserDialect } from './llhttp-rules.js';


/** node_http_parser.cc keeps this many header fields before it hands a batch to JavaScript (kMaxHeaderFieldsCount). */
const HEADER_FIELDS_PER_BATCH = 32;

/** Largest Content-Length and chunk size llhttp stores: a uint64_t. */
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
  | { readonly kind: 'error'; readonly error: ParseErrorKind; readonly reason: string };

export interface ParserLimits {
  /** Bytes of target, header names and values before a 431 (MAX_HEADER_SIZE_BYTES). */
  readonly maxHeaderBytes: number;
  /** Bytes of one chunk's extensions before a 413 (MAX_CHUNK_EXTENSIONS_BYTES). */
  readonly maxChunkExtensionBytes: number;
  /** Header fields per head (and per trailer block), as server.maxHeadersCount: see ParserDialect. */
  readonly maxHeadersCount: number;
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

/** Where the parser is: one state per place a byte can arrive. */
type State =
  | 'before-request' // line ends before a request line are skipped (RFC 9112 section 2.2)
  | 'method'
  | 'spaces-before-target' // llhttp allows several spaces here, and after the target
  | 'target-start'
  | 'target-scheme'
  | 'target-scheme-slashes'
  | 'target-authority'
  | 'target-authority-after-at'
  | 'target-path'
  | 'target-query'
  | 'target-fragment'
  | 'target-cr' // a CR right after the target: an HTTP/0.9 request line
  | 'spaces-before-protocol'
  | 'protocol'
  | 'version'
  | 'http2-preface'
  | 'request-line-cr'
  | 'request-line-lf'
  | 'headers-start'
  | 'header-line-start'
  | 'header-name'
  | 'header-value-start'
  | 'empty-value-lf'
  | 'empty-value-end'
  | 'header-value'
  | 'connection-option'
  | 'connection-after-option'
  | 'connection-other'
  | 'content-length-digits'
  | 'content-length-after'
  | 'coding-start'
  | 'coding-after-chunked'
  | 'coding-other'
  | 'coding-blanks'
  | 'header-value-end'
  | 'header-value-lf'
  | 'header-line-end'
  | 'head-end-lf'
  | 'body-length'
  | 'chunk-size-first'
  | 'chunk-size'
  | 'chunk-extensions'
  | 'chunk-extension-name'
  | 'chunk-extension-value'
  | 'chunk-extension-quoted'
  | 'chunk-extension-quoted-pair'
  | 'chunk-extension-after-quote'
  | 'chunk-size-lf'
  | 'chunk-data'
  | 'chunk-data-cr'
  | 'chunk-data-lf'
  | 'after-upgrade' // an upgrade request ended; the next read resumes here
  | 'after-close' // the request asked to close: only line ends may follow
  | 'failed';

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
  private state: State = 'before-request';
  private readonly limits: ParserLimits;
  private readonly dialect: ParserDialect;

  // The span being read (a method, target, header name or value, chunk
  // extension), which may continue over several `execute` calls.
  private spanParts: Buffer[] = [];
  /** Where the span began in the current chunk; -1: no span; -2: it began in an earlier chunk. */
  private spanStart = -1;
  private spanBudget: SpanBudget = 'none';

  // The request being read.
  private method = '';
  private target = '';
  private protocol = '';
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
  private contentLength = 0n;
  private headerBytes = 0;
  private chunkExtensionBytes = 0;
  private bodyParts: Buffer[] = [];
  private head: RequestHead | undefined;
  private remaining = 0n;
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

  constructor(limits: ParserLimits, dialect: ParserDialect = dialectOf()) {
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
    if (this.state === 'failed') return out;
    if (this.spanStart === -2) this.spanStart = 0;
    let i = 0;
    const fail = (reason: string, error: ParseErrorKind = 'bad-request'): ParserOutput[] => {
      this.state = 'failed';
      if (!this.errorsIgnored) out.push({ kind: 'error', error, reason });
      return out;
    };
    /**
     * llhttp closes the span before some errors, and node counts it then:
     * the span's bytes may tip the head over its limit, and 431 or 413 wins.
     */
    const failAfterSpan = (reason: string): ParserOutput[] => {
      const overflow = this.countSpan(this.spanInChunk(i));
      this.spanStart = -1;
      return fail(overflow === undefined ? reason : overflow.reason, overflow?.error ?? 'bad-request');
    };
    /** The span ends before index `end`: count it, and fail if that breaks a limit. */
    const endSpan = (end: number): ParserOutput[] | undefined => {
      const overflow = this.countSpan(this.spanInChunk(end));
      this.spanStart = -1;
      return overflow === undefined ? undefined : fail(overflow.reason, overflow.error);
    };

    while (i < chunk.length) {
      const byte = chunk[i] as number;
      switch (this.state) {
        case 'before-request':
          if (byte === CR || byte === LF) break;
          this.startRequest();
          this.state = 'method';
          this.beginSpan(i, 'none');
          continue; // read this byte again as the method's first

        // --- The request line (RFC 9112 section 3) ----------------------------
        case 'method': {
          if (byte === SP) {
            this.method = this.takeSpan(chunk, i);
            if (!ALL_METHODS.has(this.method)) return fail('Invalid method encountered');
            this.state = 'spaces-before-target';
            break;
          }
          // Methods are case-sensitive (RFC 9110 section 9.1): `post` is no method.
          if (!METHOD_PREFIXES.has(this.peekSpan(chunk, i + 1))) return fail('Invalid method encountered');
          break;
        }

        case 'spaces-before-target':
          if (byte === SP) break;
          this.beginSpan(i, 'head');
          // A CONNECT names an authority, `host:port` (RFC 9112 section 3.2.3).
          this.state = this.method === 'CONNECT' ? 'target-authority' : 'target-start';
          continue;

        // The target (RFC 9112 section 3.2): origin-form `/path?query`, the
        // asterisk, or absolute-form `scheme://authority/path`, checked as llhttp does.
        case 'target-start':
          if (byte === SLASH || byte === ASTERISK) this.state = 'target-path';
          else if (ALPHA[byte]) this.state = 'target-scheme';
          else return fail('Unexpected start char in url');
          break;

        case 'target-scheme':
          if (byte === COLON) {
            this.state = 'target-scheme-slashes';
            this.matched = 0;
          } else if (!ALPHA[byte]) {
            return fail('Unexpected char in url schema');
          }
          break;

        case 'target-scheme-slashes':
          if (byte !== SLASH) return fail('Unexpected char in url schema');
          if (++this.matched === 2) this.state = 'target-authority';
          break;

        case 'target-authority':
        case 'target-authority-after-at':
          if (byte === SLASH) {
            this.state = 'target-path';
          } else if (byte === QUESTION) {
            this.state = 'target-query';
          } else if (byte === AT) {
            // llhttp refuses only two @ in a row: `a@b@c` passes.
            if (this.state === 'target-authority-after-at') return fail('Double @ in url');
            this.state = 'target-authority-after-at';
          } else if (AUTHORITY_CHAR[byte]) {
            this.state = 'target-authority';
          } else {
            const ended = this.endTarget(chunk, i);
            if (ended === 'error') return fail('Unexpected char in url server');
            if (ended.overflow) return fail('Header overflow', 'header-overflow');
          }
          break;

        case 'target-path':
        case 'target-query':
        case 'target-fragment':
          if (byte === QUESTION && this.state === 'target-path') {
            this.state = 'target-query';
          } else if (byte === HASH && this.state !== 'target-fragment') {
            this.state = 'target-fragment';
          } else if (!TARGET_CHAR[byte]) {
            const ended = this.endTarget(chunk, i);
            if (ended === 'error') return fail('Invalid characters in url');
            if (ended.overflow) return fail('Header overflow', 'header-overflow');
          }
          break;

        case 'target-cr':
          if (byte !== LF) return fail('Expected CRLF');
          this.state = 'headers-start';
          break;

        case 'spaces-before-protocol':
          if (byte === SP) break;
          this.state = 'protocol';
          this.protocol = '';
          continue;

        // #region version
        case 'protocol': {
          if (METHODS_BY_PROTOCOL.has(this.protocol)) {
            if (byte !== SLASH) return fail('Expected HTTP/, RTSP/ or ICE/');
            this.state = 'version';
            this.versionBytesSeen = 0;
            break;
          }
          const name = this.protocol + String.fromCharCode(byte);
          if (!PROTOCOL_PREFIXES.has(name)) return fail('Expected HTTP/, RTSP/ or ICE/');
          this.protocol = name;
          // The pairing is checked as soon as the protocol's name is complete.
          const allowed = METHODS_BY_PROTOCOL.get(name);
          if (allowed !== undefined && !allowed.has(this.method)) return fail(`Invalid method for ${name}/x.x request`);
          break;
        }

        case 'version': {
          // DIGIT "." DIGIT (RFC 9112 section 2.3). llhttp accepts 1.1, 1.0,
          // and also 0.9 and 2.0 as written here; any other version is a 400.
          const seen = this.versionBytesSeen++;
          if (seen === 0) {
            if (!isDigit(byte)) return fail('Invalid major version');
            this.versionMajor = byte - 0x30;
          } else if (seen === 1) {
            if (byte !== DOT) return fail('Expected dot');
          } else {
            if (!isDigit(byte)) return fail('Invalid minor version');
            this.versionMinor = byte - 0x30;
            if (!ACCEPTED_VERSIONS.has(this.versionMajor * 10 + this.versionMinor)) return fail('Invalid HTTP version');
            this.state = this.method === 'PRI' ? 'http2-preface' : 'request-line-cr';
            this.matched = 0;
          }
          break;
        }
        // #endregion version

        case 'http2-preface':
          if (byte !== HTTP2_PREFACE_REST[this.matched]) return fail('Expected HTTP/2 Connection Preface');
          if (++this.matched === HTTP2_PREFACE_REST.length) return fail('Pause on PRI/Upgrade');
          break;

        case 'request-line-cr':
          // First the CR, then the LF: a bare LF ends no line here (RFC 9112 section 2.2).
          if (byte !== CR) return fail('Expected CRLF after version');
          this.state = 'request-line-lf';
          break;

        case 'request-line-lf':
          if (byte !== LF) return fail('Expected CRLF after version');
          this.state = 'headers-start';
          break;

        // --- Header fields (RFC 9112 section 5) ------------------------------
        case 'headers-start':
          // Whitespace between the start line and the first field (RFC 9112 section 2.2).
          if (byte === SP) return fail('Unexpected space after start line');
          this.state = 'header-line-start';
          continue;

        // #region header-line
        case 'header-line-start':
          if (byte === CR) {
            this.state = 'head-end-lf';
            break;
          }
          if (byte === LF) return fail('Invalid header field char');
          if (!TOKEN[byte]) return fail('Invalid header token');
          this.state = 'header-name';
          this.beginSpan(i, 'header-name');
          this.excessField = this.dialect.refusesExcessHeaders && ++this.fieldsInBlock > this.limits.maxHeadersCount;
          if (++this.fieldsInBatch === HEADER_FIELDS_PER_BATCH) {
            this.fieldsInBatch = 1;
            this.batchedBefore = true;
            out.push({ kind: 'tick' });
          }
          continue;

        case 'header-name': {
          if (TOKEN[byte]) break;
          // No blank between a name and its colon (RFC 9112 section 5.1).
          if (byte !== COLON) return fail('Invalid header token');
          const overflow = this.countSpan(this.spanInChunk(i));
          if (overflow !== undefined) return fail(overflow.reason, overflow.error);
          this.headerName = this.takeSpan(chunk, i);
          this.headerKind = SPECIAL_HEADERS.get(this.headerName.toLowerCase()) ?? 'general';
          // Both framings at once is how requests are smuggled past a proxy
          // (RFC 9112 section 6.1): llhttp refuses the second one at its colon.
          if (this.headerKind === 'transfer-encoding' && this.flags.contentLength) {
            return fail("Transfer-Encoding can't be present with Content-Length");
          }
          if (this.headerKind === 'content-length' && this.flags.transferEncoding) {
            return fail("Content-Length can't be present with Transfer-Encoding");
          }
          this.state = 'header-value-start';
          break;
        }
        // #endregion header-line

        case 'header-value-start':
          if (byte === SP || byte === HTAB) break; // leading blanks are not part of the value
          if (byte === CR) {
            this.state = 'empty-value-lf';
            break;
          }
          if (byte === LF) return fail('Invalid header value char');
          this.beginSpan(i, 'head');
          const next = this.startValue();
          if (typeof next !== 'string') return fail(next.refused);
          this.state = next;
          continue;

        case 'empty-value-lf':
          if (byte !== LF) return fail('Expected LF after CR');
          this.state = 'empty-value-end';
          break;

        case 'empty-value-end':
          if (byte === SP || byte === HTAB) return fail('Invalid header value char');
          if (this.headerKind === 'content-length') return fail('Empty Content-Length');
          if (this.headerKind === 'transfer-encoding' && this.dialect.refusesEmptyTransferEncoding) {
            return fail('Empty Transfer-Encoding');
          }
          this.addHeader(this.headerName, '');
          this.state = 'header-line-start';
          continue;

        // Connection: a list of options; llhttp looks for close, keep-alive and
        // upgrade, case-insensitively, each followed by a comma, blanks or the end.
        case 'connection-option': {
          if (byte === SP || byte === HTAB) {
            if (this.matched === 0) break;
          } else if (this.matchConnectionOption(byte)) {
            break;
          }
          this.state = 'connection-other';
          continue;
        }

        case 'connection-after-option':
          if (byte === COMMA) {
            this.applyConnectionOption();
            this.state = 'connection-option';
            this.matched = 0;
          } else if (byte === SP || (byte === HTAB && this.dialect.tabEndsListToken)) {
            // blanks after an option
          } else if (byte === CR || byte === LF) {
            this.state = 'header-value-end';
            continue;
          } else {
            this.connectionOption = undefined;
            this.state = 'connection-other';
            continue;
          }
          break;

        case 'connection-other':
          if (byte === COMMA) {
            this.state = 'connection-option';
            this.matched = 0;
          } else if (!LIST_TOKEN_CHAR[byte]) {
            this.state = 'header-value-end';
            continue;
          }
          break;

        case 'content-length-digits':
          if (isDigit(byte)) {
            this.contentLength = this.contentLength * 10n + BigInt(byte - 0x30);
            if (this.contentLength > MAX_UINT64) return failAfterSpan('Content-Length overflow');
            break;
          }
          this.state = 'content-length-after';
          continue;

        case 'content-length-after':
          if (byte === SP || (byte === HTAB && this.dialect.tabEndsListToken)) break;
          if (byte !== CR && byte !== LF) return failAfterSpan('Invalid character in Content-Length');
          this.flags.contentLength = true;
          this.state = 'header-value-end';
          continue;

        // Transfer-Encoding: a list of codings; the body is chunked when the
        // last one is "chunked" (RFC 9112 section 6.1), matched case-insensitively.
        case 'coding-start':
          if (lower(byte) === CHUNKED.charCodeAt(this.matched)) {
            if (++this.matched === CHUNKED.length) this.state = 'coding-after-chunked';
            break;
          }
          this.state = 'coding-other';
          continue;

        case 'coding-after-chunked':
          // Only spaces, not tabs, may follow "chunked" in llhttp.
          if (byte === SP) break;
          if (byte === CR || byte === LF) {
            this.valueIsChunked = true;
            this.state = 'header-value-end';
            continue;
          }
          // Nothing may follow chunked in a request (RFC 9112 section 6.1).
          if (byte === COMMA) return failAfterSpan('Invalid `Transfer-Encoding` header value');
          this.state = 'coding-other';
          continue;

        case 'coding-other':
          if (byte === COMMA) {
            this.state = 'coding-blanks';
          } else if (!LIST_TOKEN_CHAR[byte]) {
            this.state = 'header-value';
            continue;
          }
          break;

        case 'coding-blanks':
          if (byte === SP || byte === HTAB) break;
          this.state = 'coding-start';
          this.matched = 0;
          continue;

        case 'header-value':
          // The bulk of a head: step over the run of plain value bytes at once.
          i = skipWhile(chunk, i, FIELD_VALUE_CHAR);
          if (i < chunk.length) this.state = 'header-value-end';
          continue;

        case 'header-value-end': {
          if (byte !== CR) {
            return failAfterSpan(byte === LF ? 'Missing expected CR after header value' : 'Invalid header value char');
          }
          const length = this.spanInChunk(i);
          const value = this.takeSpan(chunk, i);
          if (this.countHead(length)) return fail('Header overflow', 'header-overflow');
          this.headerValueText = value;
          this.state = 'header-value-lf';
          break;
        }

        case 'header-value-lf':
          if (byte !== LF) return fail('Missing expected LF after header value');
          this.state = 'header-line-end';
          break;

        case 'header-line-end':
          // A line that starts with a blank continues the previous one: obs-fold,
          // which a server must refuse or unfold (RFC 9112 section 5.2); llhttp refuses.
          if (byte === SP || byte === HTAB) return fail('Unexpected whitespace after header value');
          this.endValue();
          this.addHeader(this.headerName, trimBlanks(this.headerValueText));
          this.state = 'header-line-start';
          continue;

        case 'head-end-lf': {
          if (byte !== LF) return fail('Expected LF after headers');
          if (this.inTrailers) {
            // The end of the trailers ends the last chunk: node counts afresh (on_chunk_complete).
            this.headerBytes = 0;
            i++;
            if (this.completeRequest(out)) return out;
            continue;
          }
          const framing = this.completeHead(out);
          if (framing === 'refused') return fail('Request has invalid `Transfer-Encoding`');
          i++;
          if (framing === 'complete' && this.completeRequest(out)) return out;
          continue;
        }

        // --- The body (RFC 9112 section 6) ------------------------------------
        case 'body-length': {
          i += this.takeBody(chunk, i, out);
          if (this.remaining === 0n && this.completeRequest(out)) return out;
          continue;
        }

        // #region chunk-size
        // Chunked body, RFC 9112 section 7.1: size in hex, optional extensions, CRLF, data, CRLF.
        case 'chunk-size-first':
        case 'chunk-size': {
          const digit = HEX_VALUE[byte] as number;
          if (digit >= 0) {
            this.remaining = this.remaining * 16n + BigInt(digit);
            if (this.remaining > MAX_UINT64) return fail('Chunk size overflow');
            this.state = 'chunk-size';
            break;
          }
          // No blanks after the size: llhttp's strict default (RFC 9112 has none there either).
          if (this.state === 'chunk-size-first' || byte === SP || byte === HTAB) return fail('Invalid character in chunk size');
          if (byte === CR) this.state = 'chunk-size-lf';
          else if (byte === SEMICOLON) this.state = 'chunk-extensions';
          else if (byte === LF) return fail('Missing expected CR after chunk size');
          else return fail('Invalid character in chunk size');
          break;
        }
        // #endregion chunk-size

        // Chunk extensions (RFC 9112 section 7.1.1): `;name` or `;name=value`,
        // the value a token or a quoted string. llhttp allows an empty name
        // (`;=v`, `;;`) and an empty value (`;n=`), and nothing else odd.
        case 'chunk-extensions':
          if (byte === SP || byte === CR) return fail('Invalid character in chunk extensions');
          this.state = 'chunk-extension-name';
          this.beginSpan(i, 'chunk-extensions');
          continue;

        case 'chunk-extension-name':
        case 'chunk-extension-value': {
          if (TOKEN[byte]) break;
          if (byte === DQUOTE && this.state === 'chunk-extension-value') {
            this.state = 'chunk-extension-quoted';
            break;
          }
          const next: State | undefined =
            byte === EQUALS && this.state === 'chunk-extension-name'
              ? 'chunk-extension-value'
              : byte === SEMICOLON
                ? 'chunk-extensions'
                : byte === CR
                  ? 'chunk-size-lf'
                  : undefined;
          const part = this.state === 'chunk-extension-name' ? 'name' : 'value';
          if (next === undefined) {
            const reason = byte === LF ? `Missing expected CR after chunk extension ${part}` : `Invalid character in chunk extensions ${part}`;
            return failAfterSpan(reason);
          }
          const overflow = endSpan(i);
          if (overflow) return overflow;
          this.state = next;
          if (next === 'chunk-extension-value') this.beginSpan(i + 1, 'chunk-extensions');
          break;
        }

        case 'chunk-extension-quoted':
          if (byte === DQUOTE) {
            // The value's span ends with its closing quote.
            const overflow = endSpan(i + 1);
            if (overflow) return overflow;
            this.state = 'chunk-extension-after-quote';
          } else if (byte === BACKSLASH) {
            this.state = 'chunk-extension-quoted-pair';
          } else if (!QUOTED_TEXT_CHAR[byte]) {
            return failAfterSpan('Invalid character in chunk extensions quoted value');
          }
          break;

        case 'chunk-extension-quoted-pair':
          if (!QUOTED_PAIR_CHAR[byte]) return failAfterSpan('Invalid quoted-pair in chunk extensions quoted value');
          this.state = 'chunk-extension-quoted';
          break;

        case 'chunk-extension-after-quote':
          if (byte === SEMICOLON) this.state = 'chunk-extensions';
          else if (byte === CR) this.state = 'chunk-size-lf';
          else if (byte === LF) return fail('Missing expected CR after chunk extension value');
          else return fail('Invalid character in chunk extensions quote value');
          break;

        case 'chunk-size-lf':
          if (byte !== LF) return fail('Expected LF after chunk size');
          // A new chunk: node counts the head's bytes and the extensions afresh.
          this.headerBytes = 0;
          this.chunkExtensionBytes = 0;
          if (this.remaining === 0n) {
            // The last chunk: trailer fields follow (RFC 9112 section 7.1.2), read like headers.
            this.inTrailers = true;
            this.state = 'header-line-start';
          } else {
            this.state = 'chunk-data';
          }
          break;

        case 'chunk-data':
          i += this.takeBody(chunk, i, out);
          if (this.remaining === 0n) this.state = 'chunk-data-cr';
          continue;

        case 'chunk-data-cr':
          if (byte === LF) return fail('Missing expected CR after chunk data');
          if (byte !== CR) return fail('Expected LF after chunk data');
          this.state = 'chunk-data-lf';
          break;

        case 'chunk-data-lf':
          if (byte !== LF) return fail('Expected LF after chunk data');
          this.headerBytes = 0;
          this.state = 'chunk-size-first';
          this.remaining = 0n;
          break;

        // --- Between requests --------------------------------------------------
        case 'after-upgrade':
          this.afterRequest();
          continue;

        // After a request that closes the connection nothing more may come
        // (RFC 9112 section 9.6); llhttp allows only stray line ends.
        case 'after-close':
          if (byte === CR || byte === LF) break;
          return fail('Data after `Connection: close`');
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
      if (overflow !== undefined) return fail(overflow.reason, overflow.error);
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
    if (this.state === 'failed' || !this.unsafeToEnd) return undefined;
    this.state = 'failed';
    if (this.errorsIgnored) return undefined;
    return { kind: 'error', error: 'bad-request', reason: 'Invalid EOF state' };
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
      this.state = 'spaces-before-protocol';
    } else {
      this.versionMajor = 0;
      this.versionMinor = 9;
      this.state = byte === CR ? 'target-cr' : 'headers-start';
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
        return 'header-value';
      case 'transfer-encoding':
        // A second Transfer-Encoding after one that ended in chunked adds a coding after chunked.
        if (this.flags.chunked) return { refused: 'Invalid `Transfer-Encoding` header value' };
        this.flags.transferEncoding = true;
        return 'coding-start';
      case 'content-length':
        // Two Content-Lengths, equal or not, leave the length in doubt (RFC 9112 section 6.3).
        if (this.flags.contentLength) return { refused: 'Duplicate Content-Length' };
        this.contentLength = 0n;
        return 'content-length-digits';
      case 'connection':
        return 'connection-option';
      case 'general':
        return 'header-value';
    }
  }

  /** One more byte of a Connection option; false when it matches none. */
  private matchConnectionOption(byte: number): boolean {
    const sofar = this.matched;
    const option = CONNECTION_OPTIONS.find(
      (name) => name.charCodeAt(sofar) === lower(byte) && (sofar === 0 || name === this.connectionOption),
    );
    if (option === undefined) return false;
    this.connectionOption = option;
    this.matched++;
    if (this.matched === option.length) this.state = 'connection-after-option';
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
    this.contentLength = 0n;
    this.chunkExtensionBytes = 0;
    this.bodyParts = [];
    this.head = undefined;
    this.remaining = 0n;
    this.inTrailers = false;
  }

  /**
   * The head is complete: hand it over, then decide how the body is framed
   * (RFC 9112 section 6.3, in llhttp's order). The head goes out first even
   * when its framing is then refused: node:http has already begun to answer
   * it (a 100 Continue, a 400 for a missing Host) when llhttp refuses.
   */
  // #region framing
  private completeHead(out: ParserOutput[]): 'complete' | 'body' | 'refused' {
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
    if (this.batchedBefore) out.push({ kind: 'tick' });
    out.push({ kind: 'head', head: this.head });

    // node:http takes a CONNECT as a tunnel: no body, whatever the headers say.
    if (this.method === 'CONNECT') return 'complete';
    const hasBody = flags.chunked || this.contentLength > 0n;
    if (upgrade && !hasBody) return 'complete';
    if (flags.chunked) {
      this.state = 'chunk-size-first';
      this.remaining = 0n;
      return 'body';
    }
    // A request whose last coding is not chunked has no knowable length (section 6.3, item 4).
    if (flags.transferEncoding) return 'refused';
    if (this.contentLength > 0n) {
      this.remaining = this.contentLength;
      this.state = 'body-length';
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
      out.push({ kind: 'tick' });
    }
    const body = this.bodyParts.length === 1 ? (this.bodyParts[0] as Buffer) : Buffer.concat(this.bodyParts);
    out.push({ kind: 'request', head, body });
    this.messagesCompleted++;
    this.bodyParts = [];
    this.inRequest = false;
    this.inTrailers = false;
    if (head.upgrade) {
      out.push({ kind: 'upgrade', head });
      this.state = 'after-upgrade';
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
    this.state = this.shouldKeepAlive() ? 'before-request' : 'after-close';
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
    const available = BigInt(chunk.length - i);
    const take = Number(available < this.remaining ? available : this.remaining);
    this.bodyParts.push(chunk.subarray(i, i + take));
    this.remaining -= BigInt(take);
    if (take > 0) out.push({ kind: 'tick' });
    return take;
  }

  // --- Spans: the bytes of a token, counted as node counts them ---------------

  private beginSpan(at: number, budget: SpanBudget): void {
    this.spanParts = [];
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

  private peekSpan(chunk: Buffer, end: number): string {
    const here = chunk.toString('latin1', Math.max(this.spanStart, 0), end);
    if (this.spanParts.length === 0) return here;
    return Buffer.concat(this.spanParts).toString('latin1') + here;
  }

  private takeSpan(chunk: Buffer, end: number): string {
    const text = this.peekSpan(chunk, end);
    this.spanParts = [];
    this.spanStart = -1;
    return text;
  }
}

/** The index of the first byte from `from` on that is not in `allowed` (or the chunk's length). */
function skipWhile(chunk: Buffer, from: number, allowed: Uint8Array): number {
  let index = from;
  while (index < chunk.length && allowed[chunk[index] as number]) index++;
  return index;
}

/** node's ToTrimmedString: a value's trailing blanks are not part of it. */
function trimBlanks(value: string): string {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === SP || value.charCodeAt(end - 1) === HTAB)) end--;
  return value.slice(0, end);
}
