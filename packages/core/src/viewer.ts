/**
 * The live view, `GET /`: one self-contained page (viewer/live.html: HTML,
 * CSS and a short script, nothing fetched from elsewhere) that watches
 * `GET /events`. Both servers send the same bytes.
 */
import { readFileSync } from 'node:fs';

export const VIEWER_PATH = '/';
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';
/**
 * The page may run its own inline script and style and open connections to
 * this server only; nothing else loads (CSP Level 3, `default-src 'none'`),
 * and no other page may frame it (`frame-ancestors`, which `default-src`
 * does not cover: protocol.ts's BROWSER_HEADERS).
 */
export const VIEWER_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";

/** The page's bytes, read once at startup. */
export const VIEWER_PAGE: Buffer = readFileSync(new URL('../viewer/live.html', import.meta.url));

/** The headers both servers send with the page, after Content-Type and Content-Length. */
export const VIEWER_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', VIEWER_CSP],
  ['Cache-Control', 'no-store'],
];

/** What a server needs to answer GET /: the path, the bytes, and their headers. */
export const LIVE_VIEW = {
  path: VIEWER_PATH,
  page: VIEWER_PAGE,
  contentType: HTML_CONTENT_TYPE,
  headers: VIEWER_HEADERS,
} as const;
