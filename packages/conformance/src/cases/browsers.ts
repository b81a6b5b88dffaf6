/**
 * What a browser sends, and what both servers answer it (core/src/guard.ts):
 * the live view's own requests pass; whatever a page of another site makes a
 * browser send for the page or the stream is 403, and every answer with a
 * body says nosniff and may not be framed (core/src/protocol.ts). The
 * Sec-Fetch-* values are Chromium 156's, as test/browser/cross-site.test.ts
 * measures them and docs/security.md tables them; `same-site` is another port
 * of the same host, `cross-site` another host.
 */
import { get, LOCAL_HOST, request, SMALL_BODY, type HeaderList } from '../harness/requests.js';
import { awaitText, close, oneClient, send, type TrafficCase } from '../harness/traffic-script.js';
import { HELLO } from './stream.js';

/** Sec-Fetch-Site, -Mode and -Dest, and -User where Chromium sends it (a navigation the user made). */
const fetchMetadata = (site: string, mode: string, dest: string, user = false): HeaderList => [
  ['Sec-Fetch-Site', site],
  ['Sec-Fetch-Mode', mode],
  ['Sec-Fetch-Dest', dest],
  ...(user ? ([['Sec-Fetch-User', '?1']] as const) : []),
];

/** Another page's origin, per site kind: Chromium adds it to cors-mode requests (fetch, EventSource). */
const FOREIGN_ORIGIN = {
  'cross-site': 'http://localhost:8080',
  'same-site': 'http://127.0.0.1:8080',
} as const;

/** What a page of another site makes Chromium send, by how it asks. */
const FOREIGN_REQUESTS: ReadonlyArray<
  readonly [kind: string, headers: (site: keyof typeof FOREIGN_ORIGIN) => HeaderList]
> = [
  ['img', (site) => fetchMetadata(site, 'no-cors', 'image')],
  ['script', (site) => fetchMetadata(site, 'no-cors', 'script')],
  ['iframe', (site) => fetchMetadata(site, 'navigate', 'iframe')],
  ['fetch-no-cors', (site) => fetchMetadata(site, 'no-cors', 'empty')],
  ['fetch', (site) => [['Origin', FOREIGN_ORIGIN[site]], ...fetchMetadata(site, 'cors', 'empty')]],
  [
    'eventsource',
    (site) => [
      ['Origin', FOREIGN_ORIGIN[site]],
      ['Accept', 'text/event-stream'],
      ...fetchMetadata(site, 'cors', 'empty'),
    ],
  ],
  ['link', (site) => fetchMetadata(site, 'navigate', 'document', true)],
];

/** The stream, watched until its hello and closed by the client: it never ends by itself. */
const watched = (name: string, headers: HeaderList): TrafficCase =>
  oneClient(name, [send(get('/events?session=browsers', headers)), awaitText(HELLO), close], {
    statuses: [200],
    end: 'closed-by-client',
    events: 0,
  });
const answered = (name: string, target: string, headers: HeaderList, status: number): TrafficCase =>
  oneClient(name, [send(get(target, headers))], { statuses: [status], end: 'open', events: 0 });

/** Every way another site's page asks, at the page and at the stream: refused, and kept alive. */
const refused: TrafficCase[] = (['cross-site', 'same-site'] as const).flatMap((site) =>
  FOREIGN_REQUESTS.flatMap(([kind, headers]) =>
    (['/', '/events'] as const).map((target) =>
      answered(
        `${site}-${kind}-at-${target === '/' ? 'page' : 'stream'}-refused`,
        target,
        headers(site),
        403,
      ),
    ),
  ),
);

const allowed: TrafficCase[] = [
  // The address typed (or a bookmark), then the page's own link, EventSource, fetch and favicon.
  answered(
    'own-typed-navigation-to-page',
    '/',
    fetchMetadata('none', 'navigate', 'document', true),
    200,
  ),
  answered(
    'own-link-to-page',
    '/',
    fetchMetadata('same-origin', 'navigate', 'document', true),
    200,
  ),
  watched('own-eventsource-at-stream', [
    ['Accept', 'text/event-stream'],
    ...fetchMetadata('same-origin', 'cors', 'empty'),
  ]),
  watched('own-fetch-at-stream', [
    ['Accept', '*/*'],
    ...fetchMetadata('same-origin', 'cors', 'empty'),
  ]),
  answered(
    'own-favicon-is-not-found',
    '/favicon.ico',
    fetchMetadata('same-origin', 'no-cors', 'image'),
    404,
  ),
  // curl sends no Sec-Fetch-*; Node's fetch (undici) sends Sec-Fetch-Mode alone.
  answered('curl-at-page', '/', [['User-Agent', 'curl/7.88.1']], 200),
  watched('curl-at-stream', [['User-Agent', 'curl/7.88.1']]),
  oneClient(
    'node-fetch-hook',
    [
      send(
        request({
          target: '/hook?event=Stop',
          headers: [
            ['Host', LOCAL_HOST],
            ['Content-Type', 'application/json'],
            ['Sec-Fetch-Mode', 'cors'],
          ],
          body: SMALL_BODY,
        }),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
];

/** Values no browser sends for our own page: refused all the same. */
const odd: TrafficCase[] = [
  answered('site-unknown-value-refused', '/events', [['Sec-Fetch-Site', 'cross-origin']], 403),
  answered('site-upper-case-refused', '/', [['Sec-Fetch-Site', 'Same-Origin']], 403),
  answered('site-empty-refused', '/', [['Sec-Fetch-Site', '']], 403),
  answered(
    'site-repeated-refused',
    '/',
    [
      ['Sec-Fetch-Site', 'same-origin'],
      ['Sec-Fetch-Site', 'same-origin'],
    ],
    403,
  ),
  answered('site-cross-site-at-health-refused', '/health', [['Sec-Fetch-Site', 'cross-site']], 403),
  oneClient(
    'site-cross-site-hook-refused-unrecorded',
    [
      send(
        request({
          target: '/hook?event=Stop',
          headers: [
            ['Host', LOCAL_HOST],
            ['Content-Type', 'application/json'],
            ['Sec-Fetch-Site', 'cross-site'],
          ],
          body: SMALL_BODY,
        }),
      ),
    ],
    { statuses: [403], end: 'open', events: 0 },
  ),
];

export const BROWSER_CASES: readonly TrafficCase[] = [...allowed, ...refused, ...odd];
