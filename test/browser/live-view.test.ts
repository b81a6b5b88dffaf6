/**
 * The live view in a real browser: headless Chromium opens GET / on each
 * server, a recorded Claude Code session is replayed into the server, and every
 * event must arrive as a row; a filter narrows the rows; the server restarts
 * on the same port and the page resumes without losing an event. A screenshot
 * is kept in test/artifacts/ (gitignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { CHROMIUM_INSTALL, CHROMIUM_REQUIRED, chromiumFlags, chromiumPath } from '../helpers/chromium.js';
import { loadTraffic } from '../helpers/traffic.js';

const executable = chromiumPath();
if (executable === undefined && CHROMIUM_REQUIRED) throw new Error(`chromium is required here (CI_REQUIRE_CHROMIUM=1): ${CHROMIUM_INSTALL}`);
if (executable === undefined) console.warn(`skipping the live view in Chromium: chromium is not installed (${CHROMIUM_INSTALL})`);

/** Chromium's start and a whole session's replay on a busy 2-core machine. */
const BROWSER_TIMEOUT_MS = 120_000;
const ARTIFACTS = join(ROOT, 'test/artifacts');
const SESSION = loadTraffic('full');

/** Send the recorded hooks to the server, in order, as Claude Code's curl did. */
async function replay(server: RunningServer, requests = SESSION): Promise<void> {
  const client = new Client(server.origin);
  for (const recorded of requests) {
    const response = await client.request({ method: 'POST', path: recorded.url, headers: { 'content-type': 'application/json' }, body: recorded.body });
    await response.body.text();
  }
  await client.close();
}

const rowCount = (page: Page): Promise<number> => page.locator('#rows tr').count();
/** Every event the page holds (its status line says so), filters aside. */
const eventsHeld = async (page: Page): Promise<number> => Number.parseInt((await page.locator('#shown').textContent()) ?? '0', 10);

describe.skipIf(executable === undefined).each(SERVER_NAMES)('the live view of the %s server in Chromium', (name) => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const origins: Array<string | undefined> = [];
  const profile = mkdtempSync(join(tmpdir(), 'live-view-chromium-'));

  beforeAll(async () => {
    server = await startServer(name, { env: { HOOK_OBSERVATORY_TEST_HEARTBEAT_MS: '0' } });
    browser = await chromium.launch({ executablePath: executable, args: chromiumFlags() });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    // What the page's own requests carry as Origin: the guard lets only these through.
    page.on('request', (request: Request) => origins.push(request.headers()['origin']));
  }, BROWSER_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(profile, { recursive: true, force: true });
  });

  it('shows every event of a replayed session as a row', async () => {
    await page.goto(`${server.origin}/`);
    await expect.poll(() => page.locator('#state').textContent()).toBe('open');
    await replay(server);
    await expect.poll(() => rowCount(page), { timeout: BROWSER_TIMEOUT_MS }).toBe(SESSION.length);
    // Its own requests carried no Origin: the page and the stream are same-origin GETs.
    expect(origins.filter((origin) => origin !== undefined)).toEqual([]);
  }, BROWSER_TIMEOUT_MS);

  it('narrows the rows with the event filter', async () => {
    const preToolUse = SESSION.filter((recorded) => recorded.event === 'PreToolUse').length;
    await page.selectOption('#f-event', 'PreToolUse');
    await expect.poll(() => rowCount(page)).toBe(preToolUse);
    expect(await page.locator('#rows tr td:nth-child(2)').allTextContents()).toEqual(Array(preToolUse).fill('PreToolUse'));
    await page.selectOption('#f-event', '');
    await expect.poll(() => rowCount(page)).toBe(SESSION.length);
  }, BROWSER_TIMEOUT_MS);

  it('resumes after the server restarts, without losing an event', async () => {
    const port = server.port;
    await server.stop();
    await expect.poll(() => page.locator('#state').textContent(), { timeout: BROWSER_TIMEOUT_MS }).not.toBe('open');
    server = await startServer(name, { args: ['--port', String(port)], env: { HOOK_OBSERVATORY_TEST_HEARTBEAT_MS: '0' } });
    // Sent before the page is back: the new server's ring holds them for it.
    const again = SESSION.slice(0, 10);
    await replay(server, again);
    await expect.poll(() => eventsHeld(page), { timeout: BROWSER_TIMEOUT_MS }).toBe(SESSION.length + again.length);
    await expect.poll(() => page.locator('#state').textContent()).toBe('open (server restarted)');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `live-view-${name}.png`) });
  }, BROWSER_TIMEOUT_MS);
});
