/**
 * Tokens and cost per session in the live view, in headless Chromium: a
 * session opened (clicked, or Tab and Enter) asks the server for its usage
 * (GET /sessions/ID/usage), which reads the transcript its hook named, and
 * the session shows it; a transcript outside Claude Code's projects directory
 * shows the server's refusal instead. With --token, the page passes the token
 * it was opened with. The page's bytes and the usage answers are the same from
 * both servers (test/conformance), so one server serves it here.
 *
 * @module-tag slow
 */
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from '@hook-observatory/launcher';
import { chromiumFlags, decideChromium } from '../helpers/chromium.js';
import { dispatcherFor, post } from '../helpers/clients.js';

const BROWSER_TIMEOUT_MS = 120_000;
const chromiumHere = decideChromium();
if (chromiumHere.kind === 'fail') throw new Error(chromiumHere.message);
const executable = chromiumHere.kind === 'run' ? chromiumHere.path : undefined;
if (chromiumHere.kind === 'skip') console.warn(`skipped: ${chromiumHere.message}`);

const CONFIG = join(ROOT, 'packages/conformance/traffic/claude-config');
const SESSION = '5b2c1a9e-0d4f-4c8b-9a11-3e7f2d6c8b40';
const TRANSCRIPT = join(CONFIG, 'projects/-home-dev-project', `${SESSION}.jsonl`);
const OUTSIDE = 'a1b2c3d4-0000-4000-8000-000000000000';
const TOKEN = 'usage-test-token';
/** The fixture's totals (test/core/transcript-usage.test.ts works them out). */
const SHOWN = 'tokens in 920, out 530, cache write 21,500, cache read 20,000 · ≈ $0.1433';

const sessionItem = (page: Page, id: string) =>
  page.locator(`#sessions > li[data-session="${id}"]`);

describe.skipIf(executable === undefined)('tokens and cost per session in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer('http', {
      fixedClock: false,
      args: ['--token', TOKEN],
      env: { CLAUDE_CONFIG_DIR: CONFIG },
    });
    const agent = dispatcherFor(server);
    const hook = (session: string, transcript: string) =>
      post(
        server,
        '/hook?event=UserPromptSubmit',
        JSON.stringify({
          hook_event_name: 'UserPromptSubmit',
          session_id: session,
          transcript_path: transcript,
          cwd: '/home/dev/project',
          prompt: 'Fix the failing test',
        }),
        agent,
        { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      );
    expect((await hook(SESSION, TRANSCRIPT)).status).toBe(200);
    expect(
      (await hook(OUTSIDE, join(ROOT, 'packages/conformance/traffic/full.jsonl'))).status,
    ).toBe(200);
    browser = await chromium.launch({ executablePath: executable, args: chromiumFlags() });
    page = await (await browser.newContext({ viewport: { width: 1400, height: 800 } })).newPage();
    await page.goto(`${server.origin}/#token=${TOKEN}`);
    await page.locator('#sessions > li').nth(1).waitFor();
  }, BROWSER_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('nothing is read until a session is opened', async () => {
    expect(await page.locator('#sessions > li').count()).toBe(2);
    expect(await page.locator('#sessions .usage').count()).toBe(0);
  });

  it('Tab to the session and Enter: its tokens and cost, from its transcript', async () => {
    const item = sessionItem(page, SESSION);
    await item.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => item.locator('.usage').textContent()).toBe(SHOWN);
    expect(await item.locator('.usage span').getAttribute('title')).toBe(TRANSCRIPT);
    // Escape closes it; the tokens stay shown with the session.
    await page.keyboard.press('Escape');
    expect(await sessionItem(page, SESSION).locator('.usage').textContent()).toBe(SHOWN);
  });

  it('a transcript outside the projects directory: the refusal, marked as failed', async () => {
    await sessionItem(page, OUTSIDE).click();
    const shown = sessionItem(page, OUTSIDE).locator('.usage span.failed');
    await expect.poll(() => shown.textContent()).toMatch(/^tokens: refused: /);
  });
});
