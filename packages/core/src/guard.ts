/**
 * Who may send events. A hook receiver on 127.0.0.1 is reachable by more than
 * Claude Code: any web page the user opens can POST to it, and a page whose DNS
 * name is rebound to 127.0.0.1 can even read the answers. Both servers ask this
 * guard before routing, so that they refuse the same requests with the same bytes.
 *
 * - Host: a browser always names the site it thinks it talks to. Over TCP on a
 *   loopback address, only loopback names are accepted (a rebinding page sends
 *   its own name): 421 Misdirected Request, RFC 9110 section 15.5.20.
 * - Origin: browsers add it to cross-origin requests and to every POST; Claude
 *   Code and curl never send it: 403 Forbidden, RFC 9110 section 15.5.4. The
 *   one exception is a GET of the live view (/, /events or a session's usage) whose Origin is this
 *   server's own, `http://` and the Host the check above accepted. (Chromium 156
 *   sends none on the page's own EventSource and fetch GETs, measured by
 *   test/browser/live-view.test.ts; a browser may, and that much is safe.)
 * - Sec-Fetch-Site (W3C Fetch Metadata): a browser says whose page asked.
 *   Only `same-origin` (the live view's own requests) and `none` (an address
 *   typed or bookmarked) pass: 403. An `<img>`, `<script>` or `<iframe>` of
 *   another site sends no Origin, only this (docs/security.md has Chromium's
 *   table). curl and Claude Code send none; Node's fetch sends only
 *   Sec-Fetch-Mode, which is why Site is the one read.
 * - Authorization (with a token): 401 and a Bearer challenge, RFC 6750 section 3.
 *   The stream takes the token as `?token=` too: EventSource cannot set a header.
 *   A session's usage (`GET /sessions/<id>/usage`) is guarded as the stream is.
 * - Content-Type: a page can POST text/plain or a typeless body without a CORS
 *   preflight (the Fetch standard's "CORS-safelisted" types), never
 *   application/json: 415 Unsupported Media Type, RFC 9110 section 15.5.16.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Listen } from './config.js';
import {
  EVENTS_PATH,
  HOOK_PATH,
  JSON_CONTENT_TYPE,
  NOT_FOUND_BODY,
  usageSessionOf,
} from './protocol.js';
import { VIEWER_PATH } from './viewer.js';

export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  /** The request target as sent (path and query): the stream's `?token=` is read from it. */
  readonly target?: string;
  /** A header's value as node:http's `req.headers` holds it, by lower-case name. */
  readonly header: (lowerCaseName: string) => string | undefined;
}

export interface Rejection {
  readonly status: number;
  readonly body: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** What the log line says; never holds a secret. */
  readonly reason: string;
}

export type RequestGuard = (facts: RequestFacts) => Rejection | undefined;

const MISDIRECTED: Rejection = {
  status: 421,
  body: '{"error":"misdirected request: the Host header must name this machine (127.0.0.1, localhost or ::1)"}',
  headers: [],
  reason: 'Host is not a loopback name (a DNS-rebinding page?)',
};
const FORBIDDEN_ORIGIN: Rejection = {
  status: 403,
  body: '{"error":"forbidden: requests from web pages (with an Origin header) are refused"}',
  headers: [],
  reason: 'an Origin header (a web page?)',
};
const FORBIDDEN_SITE: Rejection = {
  status: 403,
  body: '{"error":"forbidden: a browser sent this for a page of another site (Sec-Fetch-Site); open the live view by typing its address"}',
  headers: [],
  reason: 'Sec-Fetch-Site is not same-origin (a page of another site?)',
};
/** The Sec-Fetch-Site values let through: the live view's own requests, and the user's own navigation. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);
const UNAUTHORIZED: Rejection = {
  status: 401,
  body: '{"error":"unauthorized: POST /hook needs Authorization: Bearer <token>"}',
  headers: [['WWW-Authenticate', 'Bearer realm="hook-observatory"']],
  reason: 'a missing or wrong bearer token',
};
const UNAUTHORIZED_STREAM: Rejection = {
  status: 401,
  body: '{"error":"unauthorized: GET /events needs Authorization: Bearer <token> or ?token=<token>"}',
  headers: [['WWW-Authenticate', 'Bearer realm="hook-observatory"']],
  reason: 'a missing or wrong bearer token for the event stream',
};
const UNAUTHORIZED_USAGE: Rejection = {
  status: 401,
  body: '{"error":"unauthorized: GET /sessions/<id>/usage needs Authorization: Bearer <token> or ?token=<token>"}',
  headers: [['WWW-Authenticate', 'Bearer realm="hook-observatory"']],
  reason: "a missing or wrong bearer token for a session's usage",
};
const UNSUPPORTED_MEDIA_TYPE: Rejection = {
  status: 415,
  body: '{"error":"unsupported media type: POST /hook takes Content-Type: application/json"}',
  headers: [],
  reason: 'a Content-Type other than application/json',
};

/** On the viewer's own port (--viewer-port) nothing but the live view is served. */
const VIEWER_ONLY: Rejection = {
  status: 404,
  body: NOT_FOUND_BODY,
  headers: [],
  reason:
    'a view-only listener (--viewer-port, --view-store) serves only GET /, GET /events and GET /sessions/<id>/usage',
};

/** Names under which a client on this machine reaches a loopback listener. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `viewerOnly`: the guard of --viewer-port and --view-store, which refuses everything but the live view. */
export function createRequestGuard(
  listen: Listen,
  token: string | undefined,
  viewerOnly = false,
): RequestGuard {
  const checkHost = listen.transport === 'tcp' && !isWildcard(listen.host);
  const allowedHosts = new Set(LOOPBACK_NAMES);
  if (listen.transport === 'tcp') allowedHosts.add(bracketed(listen.host.toLowerCase()));
  const tokenDigest = token === undefined ? undefined : sha256(token);

  // #region guard
  return ({ method, path, target, header }) => {
    const host = header('host');
    if (checkHost && host !== undefined && !allowedHosts.has(hostName(host))) return MISDIRECTED;
    const isUsage = usageSessionOf(path) !== undefined;
    const isView =
      (path === VIEWER_PATH || path === EVENTS_PATH || isUsage) &&
      (method === 'GET' || method === 'HEAD');
    if (viewerOnly && !isView) return VIEWER_ONLY;
    const origin = header('origin');
    if (
      origin !== undefined &&
      !(
        isView &&
        checkHost &&
        host !== undefined &&
        origin.toLowerCase() === `http://${host.toLowerCase()}`
      )
    ) {
      return FORBIDDEN_ORIGIN;
    }
    const fetchSite = header('sec-fetch-site');
    if (fetchSite !== undefined && !OWN_FETCH_SITES.has(fetchSite)) return FORBIDDEN_SITE;
    // The stream carries every event: with a token, reading it takes the token too.
    if (
      path === EVENTS_PATH &&
      tokenDigest !== undefined &&
      !streamTokenMatches(header('authorization'), target, tokenDigest)
    ) {
      return UNAUTHORIZED_STREAM;
    }
    // A session's usage tells what its transcript holds: the stream's token guards it too.
    if (
      isUsage &&
      tokenDigest !== undefined &&
      !streamTokenMatches(header('authorization'), target, tokenDigest)
    ) {
      return UNAUTHORIZED_USAGE;
    }
    if (path !== HOOK_PATH || method !== 'POST') return undefined;
    if (tokenDigest !== undefined && !bearerMatches(header('authorization'), tokenDigest)) {
      return UNAUTHORIZED;
    }
    if (!isJson(header('content-type'))) return UNSUPPORTED_MEDIA_TYPE;
    return undefined;
  };
  // #endregion guard
}

/** The stream's token: the Bearer header (curl), or `?token=` (the page's EventSource). */
function streamTokenMatches(
  authorization: string | undefined,
  target: string | undefined,
  expected: Buffer,
): boolean {
  if (bearerMatches(authorization, expected)) return true;
  if (target === undefined) return false;
  let fromQuery: string | null;
  try {
    fromQuery = new URL(target, 'http://localhost').searchParams.get('token');
  } catch {
    return false;
  }
  return fromQuery !== null && timingSafeEqual(sha256(fromQuery), expected);
}

/** The host part of a Host header (RFC 9110 section 7.2: uri-host [":" port]), lower-cased. */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Bound to every interface: the warning at startup names the risk; no name can be checked. */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** application/json, whatever its parameters and case (RFC 9110 section 8.3.1). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  return mediaType === JSON_CONTENT_TYPE;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Compare digests of equal length in constant time, so that the time an
 * answer takes says nothing about how much of a guessed token was right.
 */
function bearerMatches(authorization: string | undefined, expected: Buffer): boolean {
  if (authorization === undefined) return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (match === null) return false;
  return timingSafeEqual(sha256(match[1] as string), expected);
}
