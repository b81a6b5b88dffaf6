/**
 * The guard against pages of other sites (core/src/guard.ts), on what Chromium
 * 156 sends (measured by test/browser/cross-site.test.ts, tabled in
 * docs/security.md), and the headers every answer with a body carries
 * (core/src/protocol.ts). Both servers ask the same guard and the same
 * helpers: test/conformance/browsers.test.ts plays the same rows on them.
 */
import { describe, expect, it } from 'vitest';
import { BROWSER_HEADERS, withBrowserHeaders } from '@hook-observatory/core/internal/protocol';
import { EVENT_STREAM_HEADERS, LIVE_VIEW, answerHeaders } from '@hook-observatory/core';
import { createRequestGuard } from '@hook-observatory/core/internal/guard';
import { type Listen } from '@hook-observatory/core/internal/config';

const TCP: Listen = { transport: 'tcp', host: '127.0.0.1', port: 23518 };
const UNIX: Listen = { transport: 'unix', path: '/tmp/guard-test.sock', mode: 0o660 };

interface Row {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** undefined: let through to the routes. */
  readonly status: number | undefined;
  /** What the log line gives as the reason, when refused. */
  readonly reason?: RegExp;
}

const site = (value: string, mode: string, dest: string): Record<string, string> => ({
  'sec-fetch-site': value,
  'sec-fetch-mode': mode,
  'sec-fetch-dest': dest,
});
const JSON_TYPE = { 'content-type': 'application/json' };

const ROWS: readonly Row[] = [
  // The live view's own requests, and the user's own navigation.
  {
    name: 'typed-address-to-page',
    path: '/',
    headers: { ...site('none', 'navigate', 'document'), 'sec-fetch-user': '?1' },
    status: undefined,
  },
  {
    name: 'own-link-to-page',
    path: '/',
    headers: site('same-origin', 'navigate', 'document'),
    status: undefined,
  },
  {
    name: 'own-eventsource',
    path: '/events',
    headers: site('same-origin', 'cors', 'empty'),
    status: undefined,
  },
  {
    name: 'own-favicon',
    path: '/favicon.ico',
    headers: site('same-origin', 'no-cors', 'image'),
    status: undefined,
  },
  // Not browsers: curl sends no Sec-Fetch-*, Node's fetch only Sec-Fetch-Mode.
  { name: 'curl-stream', path: '/events', headers: {}, status: undefined },
  {
    name: 'node-fetch-hook',
    method: 'POST',
    path: '/hook',
    headers: { ...JSON_TYPE, 'sec-fetch-mode': 'cors' },
    status: undefined,
  },
  // A page of another site: no Origin on these, only Sec-Fetch-Site.
  {
    name: 'cross-site-img',
    path: '/events',
    headers: site('cross-site', 'no-cors', 'image'),
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  {
    name: 'cross-site-script',
    path: '/events',
    headers: site('cross-site', 'no-cors', 'script'),
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  {
    name: 'cross-site-iframe',
    path: '/',
    headers: site('cross-site', 'navigate', 'iframe'),
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  {
    name: 'cross-site-fetch-no-cors',
    path: '/events',
    headers: site('cross-site', 'no-cors', 'empty'),
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  {
    name: 'cross-site-link',
    path: '/',
    headers: { ...site('cross-site', 'navigate', 'document'), 'sec-fetch-user': '?1' },
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  {
    name: 'same-site-img',
    path: '/events',
    headers: site('same-site', 'no-cors', 'image'),
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  {
    name: 'same-site-iframe',
    path: '/',
    headers: site('same-site', 'navigate', 'iframe'),
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  // With an Origin as well (fetch, EventSource in cors mode): the Origin check answers first.
  {
    name: 'cross-site-eventsource',
    path: '/events',
    headers: { ...site('cross-site', 'cors', 'empty'), origin: 'http://localhost:8080' },
    status: 403,
    reason: /Origin/,
  },
  {
    name: 'cross-site-hook',
    method: 'POST',
    path: '/hook',
    headers: { ...JSON_TYPE, 'sec-fetch-site': 'cross-site' },
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
  {
    name: 'unknown-site-value',
    path: '/events',
    headers: { 'sec-fetch-site': 'cross-origin' },
    status: 403,
    reason: /Sec-Fetch-Site/,
  },
];

describe.each([
  ['tcp', TCP],
  ['unix', UNIX],
] as const)('the guard over %s', (_transport, listen) => {
  const guard = createRequestGuard(listen, undefined);
  it.each(ROWS)('$name', ({ method = 'GET', path, headers, status, reason }) => {
    const rejection = guard({
      method,
      path,
      target: path,
      header: (name) => ({ host: '127.0.0.1:23518', ...headers })[name],
    });
    expect(rejection?.status).toBe(status);
    if (reason !== undefined) expect(rejection?.reason).toMatch(reason);
    if (rejection !== undefined) expect(JSON.parse(rejection.body)).toHaveProperty('error');
  });
});

describe('headers that keep answers from pages', () => {
  const BROWSER = [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Content-Security-Policy', "frame-ancestors 'none'"],
  ];

  it.each([
    {
      name: 'a-json-error-gets-all-three',
      body: '{"error":"not found"}',
      own: [],
      expected: BROWSER,
    },
    {
      name: 'a-405-keeps-its-allow-first',
      body: '{"error":"method not allowed"}',
      own: [['Allow', 'GET, HEAD']],
      expected: [['Allow', 'GET, HEAD'], ...BROWSER],
    },
    { name: 'the-hooks-empty-200-gets-none', body: '', own: [], expected: [] },
  ] as const)('$name', ({ body, own, expected }) => {
    expect(answerHeaders(body, own)).toEqual(expected);
  });

  it('the-page-keeps-its-own-policy-which-forbids-framing-too', () => {
    const headers = withBrowserHeaders(LIVE_VIEW.headers);
    const policies = headers
      .filter(([name]) => name === 'Content-Security-Policy')
      .map(([, value]) => value);
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatch(/^default-src 'none'; .*; frame-ancestors 'none'$/);
    expect(headers).toContainEqual(['X-Frame-Options', 'DENY']);
    expect(headers).toContainEqual(['X-Content-Type-Options', 'nosniff']);
  });

  it('the-stream-is-never-stored-sniffed-or-framed', () => {
    expect(EVENT_STREAM_HEADERS).toEqual([
      ['Content-Type', 'text/event-stream'],
      ['Cache-Control', 'no-store'],
      ...BROWSER_HEADERS,
    ]);
    expect(BROWSER_HEADERS).toEqual(BROWSER);
  });
});

describe("a session's usage is guarded as the stream is", () => {
  const USAGE = '/sessions/5b2c1a9e-0d4f-4c8b-9a11-3e7f2d6c8b40/usage';
  const ask = (
    guard: ReturnType<typeof createRequestGuard>,
    target: string,
    headers: Record<string, string> = {},
  ) =>
    guard({
      method: 'GET',
      path: target.split('?')[0] as string,
      target,
      header: (name) => ({ host: '127.0.0.1:23518', ...headers })[name],
    });
  const rows: ReadonlyArray<
    readonly [name: string, target: string, headers: Record<string, string>, status?: number]
  > = [
    ['without-the-token', USAGE, {}, 401],
    ['wrong-token', `${USAGE}?token=nope`, {}, 401],
    ['token-in-query', `${USAGE}?token=secret`, {}],
    ['token-as-bearer', USAGE, { authorization: 'Bearer secret' }],
    ['own-page-fetch', `${USAGE}?token=secret`, site('same-origin', 'cors', 'empty')],
    ['own-origin', `${USAGE}?token=secret`, { origin: 'http://127.0.0.1:23518' }],
    ['cross-site', `${USAGE}?token=secret`, site('cross-site', 'no-cors', 'image'), 403],
    ['other-origin', `${USAGE}?token=secret`, { origin: 'http://localhost:8080' }, 403],
  ];
  it.for(rows)('%s', ([, target, headers, status]) => {
    const rejection = ask(createRequestGuard(TCP, 'secret'), target, headers);
    expect(rejection?.status).toBe(status);
    if (status === 401) expect(rejection?.body).toMatch('GET /sessions/<id>/usage');
  });

  it('the viewer port serves it, as it serves the page and the stream', () => {
    expect(ask(createRequestGuard(TCP, undefined, true), USAGE)).toBeUndefined();
    expect(ask(createRequestGuard(TCP, undefined, true), '/health')?.status).toBe(404);
  });
});
