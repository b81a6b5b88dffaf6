/**
 * An HTTP/1.1 request parser, by hand, one byte at a time.
 *
 * It does what llhttp (the C parser inside node:http) does for a server, as
 * Node 20 configures it, so that the net server rejects exactly what node:http
 * rejects and at the same byte:
 *
 * - it is incremental: `execute` takes whatever bytes arrived, at any split,
 *   and remembers where it stopped (RFC 9112 never promises whole lines);
 * - it checks every byte as it comes, so an invalid request is refused as soon
 *   as the bad byte arrives, not when the head is complete;
 * - it frames the body by Content-Length or by chunks (RFC 9112 section 6),
 *   and refuses the ambiguous framings that make request smuggling possible;
 * - it keeps parsing after a request, so pipelined requests come out in order.
 *
 * Bytes stay bytes: a header value is decoded once, as latin1 (what node:http
 * does, node_http_parser.cc), and the body is handed over as a Buffer.
 */

/**
 * The methods llhttp accepts for HTTP (llhttp's METHODS_HTTP; node:http lists
 * the same as http.METHODS, and test/net-server checks that they agree). Any
 * other method, or one in lower case, is a 400.
 */
export const KNOWN_METHODS: readonly string[] = [
  'ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK',
  'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS',
  'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT',
  'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE',
];
const METHOD_PREFIXES = new Set(KNOWN_METHODS.flatMap((m) => [...m].map((_, i) => m.slice(0, i + 1))));
const KNOWN_METHOD_SET = new Set(KNOWN_METHODS);

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
   * with "keep-alive". llhttp treats every version below 1.1 (and 2.0) as old.
   */
  readonly keepAlive: boolean;
}

export type ParserOutput =
  | { readonly kind: 'head'; readonly head: RequestHead }
  | { readonly kind: 'request'; readonly head: RequestHead; readonly body: Buffer }
  | { readonly kind: 'error'; readonly error: ParseErrorKind; readonly reason: string };

export interface ParserLimits {
  /** Bytes of target, header names and values before a 431 (MAX_HEADER_SIZE_BYTES). */
  readonly maxHeaderBytes: number;
  /** Bytes of chunk extensions in one request before a 413 (MAX_CHUNK_EXTENSIONS_BYTES). */
  readonly maxChunkExtensionBytes: number;
  /** Headers kept per request; later ones are dropped, as server.maxHeadersCount does. */
  readonly maxHeadersCount: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** tchar, RFC 9110 section 5.6.2: the bytes of a header name or a method. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/**
 * Bytes llhttp allows in a request target: visible ASCII only (RFC 3986
 * characters and a few more); a space ends it, anything else is a 400.
 */
const TARGET = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) TARGET[c] = 1;

/** field-vchar and blanks, RFC 9110 section 5.5: NUL and other controls are refused. */
const FIELD_VALUE = new Uint8Array(256);
FIELD_VALUE[HTAB] = 1;
for (let c = 0x20; c <= 0x7e; c++) FIELD_VALUE[c] = 1;
for (let c = 0x80; c <= 0xff; c++) FIELD_VALUE[c] = 1;

const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c <= 9; c++) HEX_VALUE[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[0x41 + c] = 10 + c;
  HEX_VALUE[0x61 + c] = 10 + c;
}

/** Where the parser is: one state per place a byte can arrive. */
type State =
  | 'before-request' // blank lines before a request line are skipped (RFC 9112 section 2.2)
  | 'method'
  | 'target'
  | 'version' // the literal "HTTP/1.x"
  | 'request-line-lf'
  | 'header-line-start'
  | 'header-name'
  | 'header-value-start'
  | 'header-value'
  | 'header-line-lf'
  | 'head-end-lf'
  | 'body-length'
  | 'chunk-size'
  | 'chunk-extension-name'
  | 'chunk-extension-value'
  | 'chunk-extension-quoted'
  | 'chunk-extension-quoted-escape'
  | 'chunk-size-lf'
  | 'chunk-data'
  | 'chunk-data-cr'
  | 'chunk-data-lf'
  | 'after-close' // the request asked to close: only blank lines may follow
  | 'failed';

/** Versions as major * 10 + minor: 1.1, 1.0, 0.9, 2.0 (llhttp's llparse source, req_http_complete). */
const ACCEPTED_VERSIONS = new Set([11, 10, 9, 20]);

/** Two's complement ceiling of llhttp's uint64_t content_length. */
const MAX_UINT64 = (1n << 64n) - 1n;

export class RequestParser {
  private state: State = 'before-request';
  private readonly limits: ParserLimits;

  // The token being read, which may span several `execute` calls.
  private tokenParts: Buffer[] = [];
  private tokenStart = -1;

  // The request being read.
  private method = '';
  private target = '';
  private versionMajor = 1;
  private versionMinor = 1;
  private versionBytesSeen = 0;
  private headers: Array<[string, string]> = [];
  private headerName = '';
  private headerBytes = 0;
  private chunkExtensionBytes = 0;
  private bodyParts: Buffer[] = [];
  private head: RequestHead | undefined;
  private remaining = 0n;
  private chunkSizeDigits = 0;
  /** True from the first byte of a request line until the request is complete. */
  private inRequest = false;
  private inTrailers = false;

  constructor(limits: ParserLimits) {
    this.limits = limits;
  }

  /** Requests whose first byte has arrived, and requests that completed. */
  messagesBegun = 0;
  messagesCompleted = 0;

  /** True while part of a request has arrived: an end of input now would cut it short. */
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
   */
  execute(chunk: Buffer): ParserOutput[] {
    const out: ParserOutput[] = [];
    if (this.state === 'failed') return out;
    if (this.tokenStart === -2) this.tokenStart = 0; // a token continues from the previous chunk
    let i = 0;
    const fail = (reason: string, error: ParseErrorKind = 'bad-request'): ParserOutput[] => {
      this.state = 'failed';
      out.push({ kind: 'error', error, reason });
      return out;
    };

    while (i < chunk.length) {
      const byte = chunk[i] as number;
      switch (this.state) {
        case 'before-request':
          if (byte === CR || byte === LF) break;
          this.startRequest();
          this.state = 'method';
          this.tokenStart = i;
          continue; // read this byte again as the method's first

        case 'method':
          if (byte === SP) {
            this.method = this.takeToken(chunk, i);
            if (!KNOWN_METHOD_SET.has(this.method)) return fail('Invalid method encountered');
            this.state = 'target';
            this.tokenStart = i + 1;
            break;
          }
          if (!METHOD_PREFIXES.has(this.peekToken(chunk, i + 1))) return fail('Invalid method encountered');
          break;

        case 'target':
          if (byte === SP) {
            if (i === this.tokenStart && this.tokenParts.length === 0) return fail('Invalid request target');
            const length = this.spanInChunk(i);
            this.target = this.takeToken(chunk, i);
            if (this.countHeaderBytes(length)) return fail('Header overflow', 'header-overflow');
            this.state = 'version';
            this.versionBytesSeen = 0;
            break;
          }
          if (!TARGET[byte]) return fail('Invalid characters in url');
          break;

        case 'version': {
          // "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3). llhttp accepts 1.1, 1.0,
          // and also 0.9 and 2.0 as written here; any other version is a 400.
          const seen = this.versionBytesSeen++;
          if (seen < 5) {
            if (byte !== 'HTTP/'.charCodeAt(seen)) return fail('Expected HTTP/');
          } else if (seen === 5) {
            if (byte < 0x30 || byte > 0x39) return fail('Invalid major version');
            this.versionMajor = byte - 0x30;
          } else if (seen === 6) {
            if (byte !== 0x2e) return fail('Expected dot');
          } else {
            if (byte < 0x30 || byte > 0x39) return fail('Invalid minor version');
            this.versionMinor = byte - 0x30;
            if (!ACCEPTED_VERSIONS.has(this.versionMajor * 10 + this.versionMinor)) return fail('Invalid HTTP version');
            this.state = 'request-line-lf';
            this.versionBytesSeen = 0;
          }
          break;
        }

        case 'request-line-lf':
          // First the CR, then the LF: a bare LF ends no line here (RFC 9112 section 2.2).
          if (this.versionBytesSeen === 0) {
            if (byte !== CR) return fail('Expected CRLF after version');
            this.versionBytesSeen = 1;
            break;
          }
          if (byte !== LF) return fail('Expected LF after CR');
          this.state = 'header-line-start';
          break;

        case 'header-line-start':
          if (byte === CR) {
            this.state = 'head-end-lf';
            break;
          }
          // A line that starts with a blank continues the previous one: obs-fold,
          // which a server must refuse or unfold (RFC 9112 section 5.2); llhttp refuses.
          if (byte === SP || byte === HTAB) return fail('Unexpected whitespace after header value');
          if (!TOKEN[byte]) return fail('Invalid header token');
          this.state = 'header-name';
          this.tokenStart = i;
          continue;

        case 'header-name':
          if (byte === COLON) {
            const length = this.spanInChunk(i);
            this.headerName = this.takeToken(chunk, i);
            if (this.countHeaderBytes(length)) return fail('Header overflow', 'header-overflow');
            this.state = 'header-value-start';
            break;
          }
          // No blank between a name and its colon (RFC 9112 section 5.1).
          if (!TOKEN[byte]) return fail('Invalid header token');
          break;

        case 'header-value-start':
          if (byte === SP || byte === HTAB) break; // leading blanks are not part of the value
          this.state = 'header-value';
          this.tokenStart = i;
          continue;

        case 'header-value':
          if (byte === CR) {
            const length = this.spanInChunk(i);
            const value = this.takeToken(chunk, i);
            if (this.countHeaderBytes(length)) return fail('Header overflow', 'header-overflow');
            this.addHeader(this.headerName, value);
            this.state = 'header-line-lf';
            break;
          }
          if (!FIELD_VALUE[byte]) return fail('Invalid header value char');
          break;

        case 'header-line-lf':
          if (byte !== LF) return fail('Missing expected LF after header value');
          this.state = 'header-line-start';
          break;

        case 'head-end-lf': {
          if (byte !== LF) return fail('Missing expected LF after headers');
          if (this.inTrailers) {
            this.finishRequest(out);
            break;
          }
          const framing = this.completeHead();
          if (framing.refused !== undefined) return fail(framing.refused);
          out.push({ kind: 'head', head: this.head as RequestHead });
          if (framing.chunked) {
            this.state = 'chunk-size';
            this.chunkSizeDigits = 0;
            this.remaining = 0n;
          } else if (this.remaining > 0n) {
            this.state = 'body-length';
          } else {
            this.finishRequest(out);
          }
          break;
        }

        case 'body-length': {
          const available = BigInt(chunk.length - i);
          const take = Number(available < this.remaining ? available : this.remaining);
          this.bodyParts.push(chunk.subarray(i, i + take));
          this.remaining -= BigInt(take);
          i += take;
          if (this.remaining === 0n) this.finishRequest(out);
          continue;
        }

        // Chunked body, RFC 9112 section 7.1: size in hex, optional extensions, CRLF, data, CRLF.
        case 'chunk-size': {
          const digit = HEX_VALUE[byte] as number;
          if (digit >= 0) {
            this.remaining = this.remaining * 16n + BigInt(digit);
            this.chunkSizeDigits++;
            if (this.remaining > MAX_UINT64) return fail('Chunk size overflow');
            break;
          }
          if (this.chunkSizeDigits === 0) return fail('Invalid character in chunk size');
          if (byte === CR) {
            this.state = 'chunk-size-lf';
            break;
          }
          if (byte === SEMICOLON) {
            this.state = 'chunk-extension-name';
            this.tokenStart = i + 1;
            break;
          }
          return fail('Invalid character in chunk size');
        }

        case 'chunk-extension-name':
        case 'chunk-extension-value':
          if (TOKEN[byte]) break;
          if (this.countExtensionBytes(this.spanInChunk(i))) {
            return fail('Chunk extensions overflow', 'chunk-extensions-overflow');
          }
          this.tokenStart = -1;
          if (byte === EQUALS && this.state === 'chunk-extension-name') {
            this.state = 'chunk-extension-value';
            this.tokenStart = i + 1;
          } else if (byte === DQUOTE && this.state === 'chunk-extension-value') {
            this.state = 'chunk-extension-quoted';
            this.tokenStart = i + 1;
          } else if (byte === SEMICOLON) {
            this.state = 'chunk-extension-name';
            this.tokenStart = i + 1;
          } else if (byte === CR) {
            this.state = 'chunk-size-lf';
          } else {
            return fail('Invalid character in chunk extensions');
          }
          break;

        case 'chunk-extension-quoted':
          if (byte === DQUOTE) {
            if (this.countExtensionBytes(this.spanInChunk(i))) {
              return fail('Chunk extensions overflow', 'chunk-extensions-overflow');
            }
            this.state = 'chunk-extension-value';
            this.tokenStart = i + 1;
          } else if (byte === BACKSLASH) {
            this.state = 'chunk-extension-quoted-escape';
          } else if (!FIELD_VALUE[byte]) {
            return fail('Invalid character in chunk extensions quoted value');
          }
          break;

        case 'chunk-extension-quoted-escape':
          if (!FIELD_VALUE[byte]) return fail('Invalid quoted-pair in chunk extensions quoted value');
          this.state = 'chunk-extension-quoted';
          break;

        case 'chunk-size-lf':
          if (byte !== LF) return fail('Expected LF after chunk size');
          if (this.remaining === 0n) {
            // The last chunk: trailer fields follow (RFC 9112 section 7.1.2), read like headers.
            this.inTrailers = true;
            this.state = 'header-line-start';
          } else {
            this.state = 'chunk-data';
          }
          break;

        case 'chunk-data': {
          const available = BigInt(chunk.length - i);
          const take = Number(available < this.remaining ? available : this.remaining);
          this.bodyParts.push(chunk.subarray(i, i + take));
          this.remaining -= BigInt(take);
          i += take;
          if (this.remaining === 0n) this.state = 'chunk-data-cr';
          continue;
        }

        case 'chunk-data-cr':
          if (byte !== CR) return fail('Expected CR after chunk data');
          this.state = 'chunk-data-lf';
          break;

        case 'chunk-data-lf':
          if (byte !== LF) return fail('Expected LF after chunk data');
          this.state = 'chunk-size';
          this.chunkSizeDigits = 0;
          this.remaining = 0n;
          break;

        // After a request that closes the connection nothing more may come
        // (RFC 9112 section 9.6); llhttp allows only stray line ends.
        case 'after-close':
          if (byte === CR || byte === LF) break;
          return fail('Data after `Connection: close`');
      }
      i++;
    }

    // The chunk ended inside a token: keep its bytes, and count them now, as
    // llhttp reports a partial span to node at the end of every chunk.
    if (this.tokenStart >= 0) {
      const partial = chunk.length - this.tokenStart;
      if (this.state.startsWith('chunk-extension')) {
        if (this.countExtensionBytes(partial)) return fail('Chunk extensions overflow', 'chunk-extensions-overflow');
      } else {
        if (partial > 0) this.tokenParts.push(chunk.subarray(this.tokenStart));
        if (this.state !== 'method' && this.countHeaderBytes(partial)) {
          return fail('Header overflow', 'header-overflow');
        }
      }
      this.tokenStart = -2;
    }
    return out;
  }

  /** The client closed its side: what is the end of input in the middle of? */
  finish(): ParserOutput | undefined {
    if (this.state === 'failed' || !this.inRequest) return undefined;
    this.state = 'failed';
    return { kind: 'error', error: 'bad-request', reason: 'Invalid EOF state' };
  }

  private startRequest(): void {
    this.messagesBegun++;
    this.inRequest = true;
    this.method = '';
    this.target = '';
    this.versionMajor = 1;
    this.versionMinor = 1;
    this.headers = [];
    this.headerBytes = 0;
    this.chunkExtensionBytes = 0;
    this.bodyParts = [];
    this.head = undefined;
    this.remaining = 0n;
    this.inTrailers = false;
  }

  private finishRequest(out: ParserOutput[]): void {
    const head = this.head as RequestHead;
    const body = this.bodyParts.length === 1 ? (this.bodyParts[0] as Buffer) : Buffer.concat(this.bodyParts);
    out.push({ kind: 'request', head, body });
    this.messagesCompleted++;
    this.bodyParts = [];
    this.head = undefined;
    this.inRequest = false;
    this.inTrailers = false;
    this.state = head.keepAlive ? 'before-request' : 'after-close';
  }

  private addHeader(name: string, value: string): void {
    if (this.inTrailers) return; // trailers are read, checked and not kept
    if (this.headers.length < this.limits.maxHeadersCount) this.headers.push([name, trimBlanks(value)]);
  }

  /**
   * The head is complete: decide how the body is framed (RFC 9112 section 6.3).
   * Sets `remaining` for a Content-Length body; says whether the body is
   * chunked, or why the framing is refused.
   */
  private completeHead(): { chunked: boolean; refused?: string } {
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let connection = '';
    for (const [name, value] of this.headers) {
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        // Two Content-Lengths, equal or not, leave the length in doubt (section 6.3, item 5).
        if (contentLength !== undefined) return { chunked: false, refused: 'Duplicate Content-Length' };
        if (!/^\d+$/.test(value)) return { chunked: false, refused: 'Invalid character in Content-Length' };
        contentLength = value;
      } else if (lower === 'transfer-encoding') {
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      } else if (lower === 'connection') {
        connection += `,${value}`;
      }
    }
    const tokens = connection.toLowerCase().split(',').map((token) => token.trim());
    const http11 = this.versionMajor > 0 && this.versionMinor > 0; // llhttp_should_keep_alive
    const keepAlive = http11 ? !tokens.includes('close') : tokens.includes('keep-alive');
    this.head = {
      method: this.method,
      target: this.target,
      versionMajor: this.versionMajor,
      versionMinor: this.versionMinor,
      headers: this.headers,
      keepAlive,
    };

    if (transferEncoding !== undefined) {
      // Both framings at once is how requests are smuggled past a proxy (section 6.1): refuse.
      if (contentLength !== undefined) return { chunked: false, refused: "Content-Length can't be present with Transfer-Encoding" };
      const codings = transferEncoding.toLowerCase().split(',').map((coding) => coding.trim());
      // A request whose last coding is not chunked has no knowable length (section 6.3, item 4).
      if (codings[codings.length - 1] !== 'chunked') return { chunked: false, refused: 'Request has invalid `Transfer-Encoding`' };
      return { chunked: true };
    }
    if (contentLength === undefined) {
      this.remaining = 0n;
      return { chunked: false };
    }
    const length = BigInt(contentLength);
    if (length > MAX_UINT64) return { chunked: false, refused: 'Content-Length overflow' };
    this.remaining = length;
    return { chunked: false };
  }

  /** Add to the head's byte count; true once it reaches the limit (node's TrackHeader). */
  private countHeaderBytes(length: number): boolean {
    this.headerBytes += length;
    return this.headerBytes >= this.limits.maxHeaderBytes;
  }

  private countExtensionBytes(length: number): boolean {
    this.chunkExtensionBytes += length;
    return this.chunkExtensionBytes > this.limits.maxChunkExtensionBytes;
  }

  /**
   * Bytes of the current token in this chunk, up to index `end`. Earlier
   * chunks' bytes were counted when those chunks ended.
   */
  private spanInChunk(end: number): number {
    return end - Math.max(this.tokenStart, 0);
  }

  private peekToken(chunk: Buffer, end: number): string {
    return this.readToken(chunk, end);
  }

  private takeToken(chunk: Buffer, end: number): string {
    const token = this.readToken(chunk, end);
    this.dropToken();
    return token;
  }

  private readToken(chunk: Buffer, end: number): string {
    const here = chunk.toString('latin1', Math.max(this.tokenStart, 0), end);
    if (this.tokenParts.length === 0) return here;
    return Buffer.concat(this.tokenParts).toString('latin1') + here;
  }

  private dropToken(): void {
    this.tokenParts = [];
    this.tokenStart = -1;
  }
}

function trimBlanks(value: string): string {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === SP || value.charCodeAt(end - 1) === HTAB)) end--;
  return value.slice(0, end);
}
