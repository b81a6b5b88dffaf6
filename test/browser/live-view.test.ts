/**
 * The live view in a real browser: headless Chromium opens GET / on each
 * server, a recorded Claude Code session is replayed into the server, and every
 * event must arrive as a row; a filter narrows the rows; the server restarts
 * on the same port and the page resumes without losing an event. A screenshot
 * is kept in test/artifacts/ (gitignored); with LIVE_VIEW_README_SHOT=1
 * (`pnpm docs:screenshot`) the http server's also replaces the README's.
 * Chromium follows the one rule of test/helpers/chromium.ts.
 *
 * @module-tag slow
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Agent, Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  SERVER_NAMES,
  startServer,
  type RunningServer,
  type StartOptions,
} from '@hook-observatory/launcher';
import { chromiumFlags, decideChromium } from '../helpers/chromium.js';
import { loadTrafficFile, type RecordedRequest } from '@hook-observatory/conformance/traffic';

const decision = decideChromium();
if (decision.kind === 'fail') throw new Error(decision.message);
if (decision.kind === 'skip') {
  console.warn(`skipped the live view in Chromium: ${decision.message}`);
}
const executable = decision.kind === 'run' ? decision.path : undefined;

/** Chromium's start and a whole session's replay on a busy 2-core machine. */
const BROWSER_TIMEOUT_MS = 120_000;
const ARTIFACTS = join(ROOT, 'test/artifacts');
/** The README's picture (docs/live-view.md shows how to make it again). */
const README_SHOT = join(ROOT, 'docs/images/live-view.png');
/** A real session, each hook once (the capture holds each three times: curl over TCP and a socket, and native). */
const SESSION = loadTrafficFile(join(ROOT, 'test/fixtures/sessions/full.jsonl'), 'full');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The page's bounds (MAX_EVENTS, MAX_ROWS in live.html). */
const MAX_EVENTS = 10_000;
const MAX_ROWS = 500;
/** A name that stands for an attacker's, mapped to 127.0.0.1 inside Chromium only. */
const REBOUND_NAME = 'rebound.test';
/** Real times in the table: the test clock would show every event at midnight. */
const SERVER_OPTIONS: StartOptions = { fixedClock: false };

/** Send the recorded hooks to the server, in order, as Claude Code's curl did. */
async function replay(
  server: RunningServer,
  requests: readonly RecordedRequest[] = SESSION,
  token?: string,
): Promise<void> {
  const client = new Client(server.origin);
  const auth = token === undefined ? {} : { authorization: `Bearer ${token}` };
  for (const recorded of requests) {
    const response = await client.request({
      method: 'POST',
      path: recorded.url,
      headers: { 'content-type': 'application/json', ...auth },
      body: recorded.body,
    });
    await response.body.text();
  }
  await client.close();
}

const rowCount = (page: Page): Promise<number> => page.locator('#rows tr').count();
/** Every event the page holds (its status line says so), filters aside. */
const eventsHeld = async (page: Page): Promise<number> =>
  Number.parseInt((await page.locator('#shown').textContent()) ?? '0', 10);
const connection = (page: Page): Promise<string | null> => page.locator('#state').textContent();

async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: executable, args: chromiumFlags() });
}

describe.skipIf(executable === undefined).each(SERVER_NAMES)(
  'the live view of the %s server in Chromium',
  (name) => {
    let server: RunningServer;
    let browser: Browser;
    let page: Page;
    /** The Origin header of every request the page made to the server (measured, see guard.ts). */
    const origins: Array<string | undefined> = [];

    beforeAll(async () => {
      server = await startServer(name, SERVER_OPTIONS);
      browser = await launch();
      const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
      page = await context.newPage();
      page.on(
        'request',
        (request) => void request.allHeaders().then((headers) => origins.push(headers['origin'])),
      );
    }, BROWSER_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it(
      'shows every event of a replayed session as a row',
      async () => {
        // The address pnpm start prints is the page's.
        expect(server.stderr()).toContain(`live view: ${server.origin}/\n`);
        await page.goto(`${server.origin}/`);
        await expect.poll(() => connection(page), { timeout: BROWSER_TIMEOUT_MS }).toBe('open');
        await replay(server);
        await expect
          .poll(() => eventsHeld(page), { timeout: BROWSER_TIMEOUT_MS })
          .toBe(SESSION.length);
        expect(await rowCount(page)).toBe(SESSION.length);
        // Chromium sends no Origin on the page's own GETs (the page, the stream):
        // the guard's own-origin exception is not what lets it in.
        expect(origins.length).toBeGreaterThan(1);
        expect(origins.filter((origin) => origin !== undefined)).toEqual([]);
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'narrows the rows with the event filter and the free text',
      async () => {
        const preToolUse = SESSION.filter((recorded) => recorded.event === 'PreToolUse').length;
        await page.selectOption('#f-event', 'PreToolUse');
        await expect.poll(() => rowCount(page)).toBe(preToolUse);
        expect(await page.locator('#rows tr td:nth-child(2)').allTextContents()).toEqual(
          Array(preToolUse).fill('PreToolUse'),
        );
        await page.selectOption('#f-event', '');
        await page.fill('#f-text', 'no event holds this text');
        await expect.poll(() => rowCount(page)).toBe(0);
        await page.fill('#f-text', '');
        await expect.poll(() => rowCount(page)).toBe(SESSION.length);
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'resumes after the server restarts, without losing an event',
      async () => {
        const port = server.port;
        await server.stop();
        await expect.poll(() => connection(page), { timeout: BROWSER_TIMEOUT_MS }).not.toBe('open');
        server = await startServer(name, { ...SERVER_OPTIONS, args: ['--port', String(port)] });
        // Sent before the page is back: the new server's ring holds them for it.
        const again = SESSION.slice(0, 10);
        await replay(server, again);
        await expect
          .poll(() => eventsHeld(page), { timeout: BROWSER_TIMEOUT_MS })
          .toBe(SESSION.length + again.length);
        await expect.poll(() => connection(page)).toBe('open (server restarted)');
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'opens an event as JSON and leaves a screenshot',
      async () => {
        await page.locator('#rows tr').nth(3).click();
        await expect.poll(() => page.locator('#detail').textContent()).toContain('"session_id"');
        mkdirSync(ARTIFACTS, { recursive: true });
        const shot = join(ARTIFACTS, `live-view-${name}.png`);
        await page.screenshot({ path: shot });
        if (process.env['LIVE_VIEW_README_SHOT'] === '1' && name === 'http') {
          copyFileSync(shot, README_SHOT);
        }
      },
      BROWSER_TIMEOUT_MS,
    );

    it(
      'stays bounded with more events than it keeps',
      async () => {
        const more = MAX_EVENTS + 2 * MAX_ROWS;
        // The page's own receive(), fed as the stream would: the DOM must not grow with it.
        await page.evaluate((count) => {
          const feed = (globalThis as unknown as { receive: (message: { data: string }) => void })
            .receive;
          for (let index = 0; index < count; index++) {
            feed({ data: JSON.stringify({ _ts: '', _event: 'Probe', session_id: 'bulk', index }) });
          }
        }, more);
        await expect.poll(() => eventsHeld(page)).toBe(MAX_EVENTS);
        expect(await rowCount(page)).toBe(MAX_ROWS);
        await page.fill('#f-session', '4fd21fc0');
        // The recorded session's events were pushed out of the page's memory by the bulk ones.
        await expect.poll(() => rowCount(page)).toBe(0);
        await page.fill('#f-session', '');
        await expect.poll(() => rowCount(page)).toBe(MAX_ROWS);
      },
      BROWSER_TIMEOUT_MS,
    );
  },
);

describe.skipIf(executable === undefined)('the live view behind the guard, in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  }, BROWSER_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(SERVER_NAMES)(
    '%s: with --token, the page opened as /#token=TOKEN reads the stream; without it, it does not',
    async (name) => {
      const token = 'live-view-token';
      const server = await startServer(name, { ...SERVER_OPTIONS, args: ['--token', token] });
      try {
        const without = await browser.newPage();
        await without.goto(`${server.origin}/`);
        await expect
          .poll(() => connection(without), { timeout: BROWSER_TIMEOUT_MS })
          .toBe('closed');
        // A new page: a change of fragment alone would not run the script again.
        const page = await browser.newPage();
        await page.goto(`${server.origin}/#token=${token}`);
        await expect.poll(() => connection(page), { timeout: BROWSER_TIMEOUT_MS }).toBe('open');
        // The token leaves the address bar at once.
        expect(page.url()).toBe(`${server.origin}/`);
        await replay(server, SESSION.slice(0, 5), token);
        await expect.poll(() => eventsHeld(page), { timeout: BROWSER_TIMEOUT_MS }).toBe(5);
        expect(server.stderr()).not.toContain(token);
      } finally {
        await server.stop();
      }
    },
    BROWSER_TIMEOUT_MS,
  );

  it.each(SERVER_NAMES)(
    '%s: a page on another origin cannot read the stream',
    async (name) => {
      const server = await startServer(name, SERVER_OPTIONS);
      // Another site on this machine: an empty page of its own (the live view's CSP would stop its script before the server could refuse).
      const foreign = createServer((_request, response) =>
        response.end('<!doctype html><title>another site</title>'),
      );
      await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
        // Cross-origin: Chromium sends its Origin, and the guard refuses it (no CORS header would help: it is 403).
        const opened = await page.evaluate(
          (url) =>
            new Promise<string>((resolve) => {
              const source = new EventSource(url);
              source.onopen = () => resolve('open');
              source.onerror = () =>
                resolve(source.readyState === EventSource.CLOSED ? 'refused' : 'retrying');
            }),
          `${server.origin}/events`,
        );
        expect(opened).toBe('refused');
        await server.waitForStderr(/refused GET \/events with 403: an Origin header/);
      } finally {
        foreign.close();
        await server.stop();
      }
    },
    BROWSER_TIMEOUT_MS,
  );

  it.each(SERVER_NAMES)(
    '%s: a rebound DNS name gets 421, not the page',
    async (name) => {
      const server = await startServer(name, SERVER_OPTIONS);
      // The attacker's name resolves to 127.0.0.1 (what DNS rebinding achieves); Chromium then sends Host: rebound.test.
      const rebinding = await chromium.launch({
        executablePath: executable,
        args: [...chromiumFlags(), `--host-resolver-rules=MAP ${REBOUND_NAME} 127.0.0.1`],
      });
      try {
        const page = await rebinding.newPage();
        const response = await page.goto(`http://${REBOUND_NAME}:${server.port}/`);
        expect(response?.status()).toBe(421);
        const stream = await page.evaluate(() => fetch('/events').then((answer) => answer.status));
        expect(stream).toBe(421);
      } finally {
        await rebinding.close();
        await server.stop();
      }
    },
    BROWSER_TIMEOUT_MS,
  );

  it.each(SERVER_NAMES)(
    '%s: hooks on a Unix socket, the page on --viewer-port',
    async (name) => {
      const server = await startServer(name, {
        ...SERVER_OPTIONS,
        transport: 'unix',
        args: ['--viewer-port', '0'],
      });
      try {
        await server.waitForStderr(
          /live view \(the page and the stream only\): http:\/\/127\.0\.0\.1:\d+\//,
        );
        const address = /live view \(the page and the stream only\): (\S+)/.exec(
          server.stderr(),
        )?.[1] as string;
        const page = await browser.newPage();
        await page.goto(address);
        await expect.poll(() => connection(page), { timeout: BROWSER_TIMEOUT_MS }).toBe('open');
        const client = new Client('http://localhost', { socketPath: server.socketPath });
        for (const recorded of SESSION.slice(0, 5)) {
          const response = await client.request({
            method: 'POST',
            path: recorded.url,
            headers: { 'content-type': 'application/json' },
            body: recorded.body,
          });
          await response.body.text();
        }
        await client.close();
        await expect.poll(() => eventsHeld(page), { timeout: BROWSER_TIMEOUT_MS }).toBe(5);
        // The viewer port takes no hooks.
        const agent = new Agent();
        const hook = await agent.request({
          origin: new URL(address).origin,
          method: 'POST',
          path: '/hook?event=Stop',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(hook.statusCode).toBe(404);
        await hook.body.text();
        await agent.close();
      } finally {
        await server.stop();
      }
    },
    BROWSER_TIMEOUT_MS,
  );
});

it('the README shows a screenshot of the page (pnpm docs:screenshot makes it again)', () => {
  const png = readFileSync(README_SHOT);
  expect(png.subarray(0, PNG_SIGNATURE.length)).toEqual(PNG_SIGNATURE);
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](docs/images/live-view.png)');
});
