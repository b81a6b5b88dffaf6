/**
 * The numbers both servers must agree on, so that they answer alike.
 *
 * The http server hands these to node:http; the net server enforces them by
 * hand. The timeouts and header limits are node:http's own defaults on Node 20
 * (lib/_http_server.js, src/node_http_parser.cc), written down here so that a
 * newer Node with other defaults changes neither server's behaviour; the
 * listen backlog and the body limits are our own, each with its reason.
 */

/** Where a server listens when no flag or environment variable says otherwise. */
export const DEFAULT_PORT = 23518;
export const DEFAULT_BIND = '127.0.0.1';
export const DEFAULT_SOCKET_PATH = '/tmp/claude-observatory.sock';
/** Owner and group may connect, nobody else: a hook runs as the user. */
export const DEFAULT_SOCKET_MODE = 0o660;

/**
 * Connections the kernel queues before the server accepts them (listen(2)'s
 * backlog). Node's default is 511. A burst of hooks (parallel tool calls fire
 * them together) can pass that, and a full Unix socket backlog refuses at once
 * with EAGAIN, where TCP would retry the SYN; Linux caps the value at
 * net.core.somaxconn (4096 by default since 5.4).
 */
export const LISTEN_BACKLOG = 4_096;

/**
 * How long an idle keep-alive connection stays open after an answer, and what
 * the `Keep-Alive: timeout=5` header promises the client. node:http's default
 * is 5 s up to Node 25 and 65 s from Node 26, so it is set explicitly.
 */
// #region timeouts
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/**
 * node:http destroys an idle keep-alive socket this much later than it
 * announced, so a client that reuses the connection right at the deadline does
 * not race the close (lib/_http_server.js, HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER).
 */
export const KEEP_ALIVE_TIMEOUT_BUFFER_MS = 1_000;
/** Time allowed for a request's head to arrive completely (server.headersTimeout). */
export const HEADERS_TIMEOUT_MS = 60_000;
/** Time allowed for a whole request, head and body (server.requestTimeout). */
export const REQUEST_TIMEOUT_MS = 300_000;
/**
 * How often node:http sweeps its connections for the two timeouts above
 * (connectionsCheckingInterval): a timeout fires up to this much late.
 */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 30_000;
/**
 * How long shutdown waits for requests in flight before closing their
 * connections anyway. A hook's own curl gives up after 1 s, so 5 s is ample.
 */
export const SHUTDOWN_GRACE_MS = 5_000;
// #endregion timeouts
/**
 * Bytes of request target plus header names and values before the answer is
 * 431 (--max-http-header-size, llhttp's limit as set by node_http_parser.cc).
 */
export const MAX_HEADER_SIZE_BYTES = 16_384;
/**
 * Header fields kept per head (server.maxHeadersCount). Past it Node 20 drops
 * the rest silently; Node 22.23.2+ and 24.18.1+ answer 431 instead
 * (CVE-2026-58044), and the net server follows the Node it runs on.
 */
export const MAX_HEADERS_COUNT = 2_000;
/** Bytes of extensions on one chunk before the answer is 413 (Node 20.19+, counted afresh for each chunk). */
export const MAX_CHUNK_EXTENSIONS_BYTES = 16_384;

/**
 * Bytes of one request body before the answer is 413 (RFC 9110 section
 * 15.5.14). node:http sets no limit, and a body is buffered whole: a 600 MB
 * one could not even be decoded (V8 strings end near 512 MiB,
 * ERR_STRING_TOO_LONG), which ended the process. Real hook bodies reach a few
 * MiB: a PostToolUse for a 1.1 MB Write carries the content twice, 2.2 MB, and
 * other receivers raised their limit to 25 MB for such events. 32 MiB leaves
 * room above both and stays far below what decoding and writing can hold.
 */
// #region body-limits
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/**
 * Body bytes held at once across all connections, while they arrive. A body
 * costs several times its size on its way to the sinks (the bytes, the text,
 * the parsed object, the line): four bodies at the limit is as much as a
 * receiver running beside Claude Code should take. Past it a request is
 * answered 503, not 413: the request is fine, the server is busy for now
 * (RFC 9110 section 15.6.4), and Retry-After says when to try again.
 */
export const MAX_BUFFERED_BODY_BYTES = 4 * MAX_BODY_BYTES;
/** Seconds in the 503's Retry-After: the bodies being held are read within about that. */
export const BODY_BUDGET_RETRY_AFTER_SECONDS = 1;
/**
 * How long a connection whose body was refused unread stays open after its
 * answer, reading and dropping what the client still sends, before it is
 * destroyed (RFC 9112 section 9.6, "lingering close"). Destroyed at once, its
 * unread bytes make the kernel reset it, and a client still sending meets
 * the reset before it reads the answer. Apache httpd lingers 2 s; Go, 500 ms.
 */
export const REFUSED_BODY_LINGER_MS = 2_000;
// #endregion body-limits

/** The two routes. Anything else is answered 404 (or 405 on a known path). */
export const HOOK_PATH = '/hook';
export const HEALTH_PATH = '/health';
export const HEALTH_BODY = '{"status":"ok"}';
export const NOT_FOUND_BODY = '{"error":"not found"}';
export const METHOD_NOT_ALLOWED_BODY = '{"error":"method not allowed"}';
export const JSON_CONTENT_TYPE = 'application/json';

/**
 * A request target split the way both servers route it: the path, and the
 * event named by the first non-empty `event` query parameter (percent-decoded).
 * An absolute-form target (`http://host/hook?event=A`, RFC 9112 section 3.2.2)
 * routes by its path like any other.
 */
export interface RequestTarget {
  readonly path: string;
  readonly event: string | undefined;
}

/**
 * Targets of only these characters come out of URL parsing unchanged: no dot
 * segments, percent-encoding, `+`, backslash, fragment or `//` authority to
 * interpret (WHATWG URL Standard, path and query states). Every target a hook
 * sends is one, and splitting it by hand spares a URL object per request.
 */
const PLAIN_TARGET = /^\/(?!\/)[\w/-]*(?:\?[\w=&-]*)?$/;

export function parseRequestTarget(target: string): RequestTarget {
  if (PLAIN_TARGET.test(target)) return splitPlainTarget(target);
  let url: URL;
  try {
    url = new URL(target, 'http://localhost');
  } catch {
    return { path: target, event: undefined };
  }
  const event = url.searchParams.getAll('event').find((value) => value !== '');
  return { path: url.pathname, event };
}

/** A plain target's path, and its first non-empty `event` as URLSearchParams would find it. */
function splitPlainTarget(target: string): RequestTarget {
  const question = target.indexOf('?');
  if (question === -1) return { path: target, event: undefined };
  for (const pair of target.slice(question + 1).split('&')) {
    const equals = pair.indexOf('=');
    if (equals !== -1 && pair.slice(0, equals) === 'event' && equals + 1 < pair.length) {
      return { path: target.slice(0, question), event: pair.slice(equals + 1) };
    }
  }
  return { path: target.slice(0, question), event: undefined };
}

/** The live event stream (stream.ts): Server-Sent Events, the WHATWG HTML standard's event-stream format. */
export const EVENTS_PATH = '/events';
export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream';

/**
 * Headers on every answer with a body, so that no web page can use one: the
 * browser takes a body for exactly its Content-Type, never sniffing a JSON
 * error or the stream into a script or a style (Fetch standard, "X-Content-
 * Type-Options"), and renders nothing of ours inside another page's frame:
 * CSP Level 3's `frame-ancestors 'none'`, and `X-Frame-Options: DENY` for
 * browsers older than it (RFC 7034). The hook's empty 200 goes without:
 * it has nothing to sniff or frame, only Claude Code ever gets it (the guard
 * refuses a browser's POST first), and it is the bytes every hook waits for.
 */
// #region browser-headers
export const BROWSER_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Content-Security-Policy', "frame-ancestors 'none'"],
];

/** An answer's own headers, then the browser headers it does not set itself (the page has a CSP of its own). */
export function withBrowserHeaders(
  headers: ReadonlyArray<readonly [string, string]>,
): ReadonlyArray<readonly [string, string]> {
  const own = new Set(headers.map(([name]) => name.toLowerCase()));
  return [...headers, ...BROWSER_HEADERS.filter(([name]) => !own.has(name.toLowerCase()))];
}

/** The headers after Content-Type and Content-Length of an answer with this body: both servers call it. */
export function answerHeaders(
  body: string | Buffer,
  headers: ReadonlyArray<readonly [string, string]> = [],
): ReadonlyArray<readonly [string, string]> {
  return Buffer.byteLength(body) === 0 ? headers : withBrowserHeaders(headers);
}

/** The head of GET /events on both servers: never cached, sniffed or framed. */
export const EVENT_STREAM_HEADERS: ReadonlyArray<readonly [string, string]> = withBrowserHeaders([
  ['Content-Type', EVENT_STREAM_CONTENT_TYPE],
  ['Cache-Control', 'no-store'],
]);
// #endregion browser-headers

/**
 * A session's tokens and their cost, read from its transcript when asked
 * (transcript-usage.ts): `GET /sessions/<session_id>/usage`. A session id is
 * what Claude Code names it (a UUID); anything else in its place is no route.
 */
export const USAGE_PATH_PATTERN = /^\/sessions\/([\w-]{1,128})\/usage$/;

/** The session whose usage `path` asks for, or undefined when it is not a usage path. */
export function usageSessionOf(path: string): string | undefined {
  return USAGE_PATH_PATTERN.exec(path)?.[1];
}
