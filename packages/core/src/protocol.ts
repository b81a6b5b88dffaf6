/**
 * The numbers both servers must agree on, so that they answer alike.
 *
 * The http server hands these to node:http; the net server enforces them by
 * hand. Each value is node:http's own default on Node 20 (lib/_http_server.js,
 * src/node_http_parser.cc), written down here so that a newer Node with other
 * defaults changes neither server's behaviour.
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
/** Bytes of chunk extensions in one request before the answer is 413 (Node 20.19+). */
export const MAX_CHUNK_EXTENSIONS_BYTES = 16_384;

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
