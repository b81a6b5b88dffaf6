/**
 * Pages of other sites in a real browser: a page served from another loopback
 * port loops `<img>`, `<script>`, `<iframe>`, `fetch()` and EventSource at the
 * live view (`/`) and the stream (`/events`) of each server, and every one of
 * them is refused; the live view's own page and its EventSource still work.
 * What Chromium sent (Sec-Fetch-Site, -Mode, -Dest, Origin) is compared with
 * the table in docs/security.md, which core/src/guard.ts's rule rests on.
 * Chromium follows the one rule of test/helpers/chromium.ts.
 *
 * @module-tag slow
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { chromiumFlags, decideChromium } from '../helpers/chromium.js';

const decision = decideChromium();
if (decision.kind === 'fail') throw new Error(decision.message);
if (decision.kind === 'skip') {
  console.warn(`skipped pages of other sites in Chromium: ${decision.message}`);
}
const executable = decision.kind === 'run' ? decision.path : undefined;

/** Chromium's start and a few rounds of requests on a busy 2-core machine. */
const BROWSER_TIMEOUT_MS = 120_000;
/** How long a wait inside a test may take: half of it, so that a wait that fails shows what it saw. */
const POLL_TIMEOUT_MS = BROWSER_TIMEOUT_MS / 2;
/** How many times the page of another site asks, each way, at each target: a page that loops. */
const ROUNDS = 3;
/** The ways a page asks, as the attack page below makes them (the `via` of each request). */
const SUBRESOURCES = ['img', 'script', 'iframe', 'fetch-no-cors', 'fetch', 'eventsource'] as const;
const TARGETS = ['/', '/events'] as const;
/** Where docs/security.md keeps the measured table. */
const TABLE_START = '<!-- chromium-fetch-metadata -->';
const TABLE_END = '<!-- /chromium-fetch-metadata -->';

/** The page of another site: ROUNDS times, every way of asking, at the page and at the stream. */
function attackPage(target: string): string {
  return `<!doctype html><title>another site</title><a id="link" href="${target}/?via=link">the live view</a><script>
const target = ${JSON.stringify(target)};
for (let round = 0; round < ${ROUNDS}; round++) {
  for (const path of ${JSON.stringify(TARGETS)}) {
    const url = (via) => target + path + '?via=' + via + '&round=' + round;
    document.body.append(Object.assign(document.createElement('img'), { src: url('img') }));
    document.body.append(Object.assign(document.createElement('script'), { src: url('script') }));
    document.body.append(Object.assign(document.createElement('iframe'), { src: url('iframe') }));
    fetch(url('fetch-no-cors'), { mode: 'no-cors' }).catch(() => {});
    fetch(url('fetch')).catch(() => {});
    const source = new EventSource(url('eventsource'));
    source.onerror = () => source.close();
  }
}
</script>`;
}

/** One request Chromium sent to the server under test, and the status that came back. */
interface Seen {
  readonly via: string;
  readonly path: string;
  readonly site: string | undefined;
  readonly mode: string | undefined;
  readonly dest: string | undefined;
  /** Whether it carried an Origin; undefined until its headers are known. */
  readonly origin: boolean | undefined;
  readonly status: number | undefined;
}

/**
 * Every request the page sends to `origin`, labelled by its `via`, with the
 * headers as they left and the status as it came back, from Chromium's own
 * network events (DevTools protocol): Chromium blocks what an `<img>` or a
 * `<script>` got (ORB) and what a fetch may not read (CORS) before a page, or
 * Playwright's response event, would see it.
 */
async function watchRequests(
  context: BrowserContext,
  page: Page,
  origin: string,
): Promise<() => Seen[]> {
  // The three events of a request may come in any order (the ExtraInfo ones come from the network service).
  const urls = new Map<string, URL>();
  const sent = new Map<string, Record<string, string>>();
  const statuses = new Map<string, number>();
  const session = await context.newCDPSession(page);
  await session.send('Network.enable');
  session.on(
    'Network.requestWillBeSent',
    ({ requestId, request }) => void urls.set(requestId, new URL(request.url)),
  );
  session.on(
    'Network.requestWillBeSentExtraInfo',
    ({ requestId, headers }) => void sent.set(requestId, headers),
  );
  session.on(
    'Network.responseReceivedExtraInfo',
    ({ requestId, statusCode }) => void statuses.set(requestId, statusCode),
  );
  return () =>
    [...urls]
      .filter(([, url]) => url.origin === origin)
      .map(([requestId, url]) => {
        const headers = Object.entries(sent.get(requestId) ?? {});
        const header = (name: string): string | undefined =>
          headers.find(([key]) => key.toLowerCase() === name)?.[1];
        return {
          via: url.searchParams.get('via') ?? 'own',
          path: url.pathname,
          site: header('sec-fetch-site'),
          mode: header('sec-fetch-mode'),
          dest: header('sec-fetch-dest'),
          origin: sent.has(requestId) ? header('origin') !== undefined : undefined,
          status: statuses.get(requestId),
        };
      });
}

/** One row of the docs table: who asked and how, what Chromium sent, what the servers answer. */
interface Row {
  readonly page: string;
  readonly request: string;
  readonly site: string;
  readonly mode: string;
  readonly dest: string;
  readonly origin: string;
  readonly answer: string;
}

function documentedTable(): Row[] {
  const text = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
  const table = text.slice(text.indexOf(TABLE_START) + TABLE_START.length, text.indexOf(TABLE_END));
  return table
    .split('\n')
    .filter(
      (line) => line.startsWith('| ') && !line.startsWith('| page') && !line.startsWith('| ---'),
    )
    .map((line) => {
      const [page, request, site, mode, dest, origin, answer] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('`', ''));
      return {
        page: page!,
        request: request!,
        site: site!,
        mode: mode!,
        dest: dest!,
        origin: origin!,
        answer: answer!,
      };
    });
}

/** How the docs table names each way of asking (the attack page's `via`). */
const REQUEST_NAMES: Readonly<Record<string, string>> = {
  img: '<img>',
  script: '<script>',
  iframe: '<iframe>',
  'fetch-no-cors': "fetch(url, { mode: 'no-cors' })",
  fetch: 'fetch(url)',
  eventsource: 'new EventSource(url)',
  link: 'a link followed',
};

function rowOf(page: string, request: string, seen: Seen): Row {
  return {
    page,
    request: REQUEST_NAMES[request] ?? request,
    site: seen.site ?? '',
    mode: seen.mode ?? '',
    dest: seen.dest ?? '',
    origin: seen.origin ? 'yes' : 'no',
    answer: String(seen.status),
  };
}

const foreignPort = (server: Server): number => (server.address() as AddressInfo).port;

describe.skipIf(executable === undefined).each(SERVER_NAMES)(
  'pages of other sites and the %s server, in Chromium',
  (name) => {
    let server: RunningServer;
    let foreign: Server;
    let browser: Browser;
    const measured = new Map<string, Row>();

    beforeAll(async () => {
      server = await startServer(name, { fixedClock: false });
      foreign = createServer((_request, response) =>
        response.writeHead(200, { 'Content-Type': 'text/html' }).end(attackPage(server.origin)),
      );
      await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
      browser = await chromium.launch({ executablePath: executable, args: chromiumFlags() });
    }, BROWSER_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      foreign?.close();
      await server?.stop();
    });

    it(
      'the live view itself: the address typed, its EventSource and a fetch of its own are let through',
      async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const requests = await watchRequests(context, page, server.origin);
        const typed = await page.goto(`${server.origin}/`);
        expect(typed?.status()).toBe(200);
        await expect
          .poll(() => page.locator('#state').textContent(), { timeout: POLL_TIMEOUT_MS })
          .toBe('open');
        const fetched = await page.evaluate(() =>
          fetch('/events?via=own-fetch').then(
            (answer) => (void answer.body?.cancel(), answer.status),
          ),
        );
        expect(fetched).toBe(200);
        // A hook sent now reaches the page: the stream the page opened is the real one.
        const client = new Client(server.origin);
        const answer = await client.request({
          method: 'POST',
          path: '/hook?event=Stop',
          headers: { 'content-type': 'application/json' },
          body: '{"session_id":"own"}',
        });
        await answer.body.text();
        await client.close();
        await expect
          .poll(() => page.locator('#rows tr').count(), { timeout: POLL_TIMEOUT_MS })
          .toBe(1);
        const eventSource = requests().find(
          (entry) => entry.path === '/events' && entry.via === 'own',
        );
        const ownFetch = requests().find((entry) => entry.via === 'own-fetch');
        measured.set(
          'own typed',
          rowOf(
            'the live view',
            'its address typed',
            requests().find((entry) => entry.path === '/')!,
          ),
        );
        measured.set(
          'own eventsource',
          rowOf('the live view', 'its new EventSource(url)', eventSource!),
        );
        measured.set('own fetch', rowOf('the live view', 'its fetch(url)', ownFetch!));
        await context.close();
      },
      BROWSER_TIMEOUT_MS,
    );

    it.each([
      // Another host is another site; another port of the same host is the same site, but not the same origin.
      ['cross-site', 'localhost'],
      ['same-site', '127.0.0.1'],
    ] as const)(
      'a %s page that loops at the page and the stream is refused every time, and cannot frame the page',
      async (kind, host) => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const requests = await watchRequests(context, page, server.origin);
        await page.goto(`http://${host}:${foreignPort(foreign)}/`);
        const expected = ROUNDS * TARGETS.length * SUBRESOURCES.length;
        await expect
          .poll(() => requests().filter((entry) => entry.status !== undefined).length, {
            timeout: POLL_TIMEOUT_MS,
          })
          .toBe(expected);
        expect(requests()).toHaveLength(expected);
        for (const entry of requests()) {
          expect({ via: entry.via, path: entry.path, status: entry.status }).toEqual({
            via: entry.via,
            path: entry.path,
            status: 403,
          });
        }
        // No frame holds the live view: the 403 is all there is, and even that may not be framed.
        for (const frame of page.frames().slice(1)) {
          expect(
            await frame
              .locator('#rows')
              .count()
              .catch(() => 0),
          ).toBe(0);
        }
        for (const via of SUBRESOURCES) {
          const first = requests().find(
            (entry) => entry.via === via && entry.path === (via === 'iframe' ? '/' : '/events'),
          )!;
          measured.set(`${kind} ${via}`, rowOf(kind, via, first));
        }
        // Followed from the other site, a link to the live view is refused too: the address has to be typed.
        await page.click('#link');
        await expect
          .poll(() => requests().find((entry) => entry.via === 'link')?.status, {
            timeout: POLL_TIMEOUT_MS,
          })
          .toBe(403);
        measured.set(
          `${kind} link`,
          rowOf(
            kind,
            'link',
            requests().find((entry) => entry.via === 'link')!,
          ),
        );
        await server.waitForStderr(
          /refused GET \/(events)? with 403: Sec-Fetch-Site is not same-origin/,
        );
        await context.close();
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'the live view may not be framed even by a page of its own origin',
      async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const requests = await watchRequests(context, page, server.origin);
        // /health is a document of the same origin without the live view's CSP: it may make a frame.
        await page.goto(`${server.origin}/health`);
        await page.evaluate(() =>
          document.body.append(
            Object.assign(document.createElement('iframe'), { src: '/?via=own-iframe' }),
          ),
        );
        await expect
          .poll(() => requests().find((entry) => entry.via === 'own-iframe')?.status, {
            timeout: POLL_TIMEOUT_MS,
          })
          .toBe(200);
        // The guard let it through (same-origin); X-Frame-Options and frame-ancestors kept it out of the frame.
        const frame = page.frames()[1]!;
        await expect
          .poll(() => frame.url(), { timeout: POLL_TIMEOUT_MS })
          .not.toContain('via=own-iframe');
        expect(await frame.locator('#rows').count()).toBe(0);
        await context.close();
      },
      BROWSER_TIMEOUT_MS,
    );

    it('docs/security.md tables what Chromium sent and what the server answered', () => {
      expect([...measured.values()]).toEqual(expect.arrayContaining(documentedTable()));
      expect(documentedTable()).toEqual(expect.arrayContaining([...measured.values()]));
    });
  },
);
