/**
 * Request bytes, built the way clients put them on the wire. Everything is a
 * Buffer: a case that needs a NUL, a bare LF or a byte over 0x7f writes it.
 */

export type HeaderList = ReadonlyArray<readonly [string, string]>;

export interface RequestParts {
  readonly method?: string;
  readonly target?: string;
  /** The version as written after `HTTP/`, or a whole request-line ending for odd cases. */
  readonly version?: string;
  readonly headers?: HeaderList;
  readonly body?: Buffer | string;
  /** Add `Content-Length` for the body (default: when there is a body). */
  readonly contentLength?: boolean;
  /** The line ending; `\n` makes bare-LF requests. */
  readonly lineEnd?: string;
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** The Host a client on this machine sends: the same for both servers, so captures compare. */
export const LOCAL_HOST = '127.0.0.1:23518';

/** What a request carries unless a case says otherwise: a loopback Host and a JSON body type. */
export const DEFAULT_HEADERS: HeaderList = [
  ['Host', LOCAL_HOST],
  ['Content-Type', 'application/json'],
];

export function request(parts: RequestParts): Buffer {
  const eol = parts.lineEnd ?? '\r\n';
  const body =
    typeof parts.body === 'string'
      ? Buffer.from(parts.body, 'utf8')
      : (parts.body ?? Buffer.alloc(0));
  const headers: Array<readonly [string, string]> = [...(parts.headers ?? DEFAULT_HEADERS)];
  if (parts.contentLength ?? body.length > 0) headers.push(['Content-Length', String(body.length)]);
  let head = `${parts.method ?? 'POST'} ${parts.target ?? '/hook?event=Stop'} HTTP/${parts.version ?? '1.1'}${eol}`;
  for (const [name, value] of headers) head += `${name}: ${value}${eol}`;
  return Buffer.concat([latin1(head + eol), body]);
}

/** A hook POST the way curl sends it from a command hook (header order as curl 7.88 writes it). */
export function curlHook(event: string, body: Buffer | string, extra: HeaderList = []): Buffer {
  return request({
    target: `/hook?event=${event}`,
    headers: [
      ['Host', LOCAL_HOST],
      ['User-Agent', 'curl/7.88.1'],
      ['Accept', '*/*'],
      ['Content-Type', 'application/json'],
      ...extra,
    ],
    body,
  });
}

/** A GET with nothing but Host. */
export function get(target: string, extra: HeaderList = []): Buffer {
  return request({ method: 'GET', target, headers: [['Host', LOCAL_HOST], ...extra] });
}

export interface ChunkedBody {
  readonly chunks: ReadonlyArray<Buffer | string>;
  /** Written after each chunk size, e.g. `;name=value`. */
  readonly extension?: string;
  /** Trailer field lines after the last chunk (RFC 9112 section 7.1.2). */
  readonly trailers?: HeaderList;
}

/** A chunked body (RFC 9112 section 7.1), sizes in lower-case hex as most clients write them. */
export function chunkedBody({ chunks, extension = '', trailers = [] }: ChunkedBody): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) continue;
    parts.push(latin1(`${bytes.length.toString(16)}${extension}\r\n`), bytes, latin1('\r\n'));
  }
  let last = `0${extension}\r\n`;
  for (const [name, value] of trailers) last += `${name}: ${value}\r\n`;
  parts.push(latin1(`${last}\r\n`));
  return Buffer.concat(parts);
}

export function chunkedHook(event: string, body: ChunkedBody, extra: HeaderList = []): Buffer {
  return request({
    target: `/hook?event=${event}`,
    headers: [
      ['Host', LOCAL_HOST],
      ['Content-Type', 'application/json'],
      ['Transfer-Encoding', 'chunked'],
      ...extra,
    ],
    body: chunkedBody(body),
    contentLength: false,
  });
}

/** A small, valid hook body: what most cases send when the body is not the point. */
export const SMALL_BODY =
  '{"hook_event_name":"Stop","session_id":"conformance","stop_hook_active":false}';
