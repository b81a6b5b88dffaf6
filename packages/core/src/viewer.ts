/**
 * The live view, `GET /`: one self-contained page (viewer/live.html: HTML,
 * CSS and a script, with core's session and tool-call modules put inline,
 * nothing fetched from elsewhere) that watches `GET /events`. Both servers
 * send the same bytes.
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

/**
 * Core modules the page's script runs, in the order they import each other:
 * the session list follows the same rules as `query --sessions` because it is
 * the same code (session-state.ts), compiled by tsc next to this file.
 */
export const PAGE_MODULES: readonly string[] = ['session-state.js', 'tool-spans.js'];
/**
 * The same files as URLs, each written out: the npm package's file trace
 * (scripts/pack/trace.ts, @vercel/nft) follows a literal `new URL(…,
 * import.meta.url)` and nothing computed (test/core/viewer-page.test.ts).
 */
const PAGE_MODULE_URLS: readonly URL[] = [
  new URL('session-state.js', import.meta.url),
  new URL('tool-spans.js', import.meta.url),
];
/** Where live.html wants them: a comment alone on its line inside the script. */
export const PAGE_MODULES_MARKER = '/* core modules (viewer.ts, PAGE_MODULES) */';

/**
 * A compiled ES module as a classic script's statement: its code in a
 * function's scope (its own top-level names stay its own), its exports bound
 * as constants of the page script. The modules it imports come before it, so
 * their names are bound already and its import lines go.
 */
export function inlineModule(compiled: string): string {
  const exported = [...compiled.matchAll(/^export (?:class|function|const) (\w+)/gm)].map(
    (match) => match[1] as string,
  );
  const body = compiled
    .replace(/^import [^;]*;\n/gm, '')
    .replace(/^export (?=class |function |const )/gm, '')
    .replace(/^export \{[^}]*\};\n/gm, '')
    .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
    .trim();
  const names = exported.join(', ');
  return `const { ${names} } = (() => {\n${body}\nreturn { ${names} };\n})();`;
}

/** live.html with the core modules in place of its marker. */
export function buildPage(html: string, modules: readonly string[]): string {
  if (!html.includes(PAGE_MODULES_MARKER)) throw new Error('live.html has lost its modules marker');
  return html.replace(PAGE_MODULES_MARKER, () => modules.map(inlineModule).join('\n'));
}

/** The page's bytes, built once at startup. */
export const VIEWER_PAGE: Buffer = Buffer.from(
  buildPage(
    readFileSync(new URL('../viewer/live.html', import.meta.url), 'utf8'),
    PAGE_MODULE_URLS.map((url) => readFileSync(url, 'utf8')),
  ),
);

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
