/**
 * The live view's sessions, sub-agents and tool calls in a real browser:
 * headless Chromium opens GET /, the recorded Claude Code sessions are fed to
 * it with their recorded times (the page's own receive(), as the stream would
 * call it), and what a user reads is checked against core's own trackers:
 * the states `query --sessions` gives, the sub-agent under its session, each
 * tool call with its duration or its error, times in the browser's zone.
 * One session also goes through a real server. The page's bytes are the same
 * from both servers (test/conformance), so one server serves it here.
 * Chromium follows the one rule of test/helpers/chromium.ts.
 *
 * @module-tag slow
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@hook-observatory/launcher';
import { SessionTracker, type LogEvent } from '@hook-observatory/core/vocabulary';
import { SpanTracker } from '@hook-observatory/core/internal/tool-spans';
import { loadTraffic } from '@hook-observatory/conformance/traffic';
import { chromiumFlags, decideChromium } from '../helpers/chromium.js';
import { dispatcherFor, post } from '../helpers/clients.js';
import { trafficLog } from '../helpers/traffic-log.js';

/** Chromium's start and a replay on a busy 2-core machine. */
const BROWSER_TIMEOUT_MS = 120_000;
const chromiumHere = decideChromium();
if (chromiumHere.kind === 'fail') throw new Error(chromiumHere.message);
const executable = chromiumHere.kind === 'run' ? chromiumHere.path : undefined;
if (chromiumHere.kind === 'skip') console.warn(`skipped: ${chromiumHere.message}`);
/** A zone far from UTC, with a half hour: a page still showing UTC cannot pass. */
const ZONE = 'Asia/Kolkata';
const ZONE_OFFSET_MS = 5.5 * 60 * 60 * 1000;
/** The page's bounds (live.html). */
const MAX_EVENTS = 10_000;
const MAX_ROWS = 500;
/** Narrower than any phone held upright. */
const NARROW = { width: 360, height: 740 };

const recorded = (session: 'full' | 'permission' | 'teammate'): LogEvent[] =>
  trafficLog(session)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogEvent);
const ALL = [...recorded('full'), ...recorded('permission'), ...recorded('teammate')];
const FULL_ID = String(ALL[0]!['session_id']);

async function feed(page: Page, events: readonly LogEvent[]): Promise<void> {
  await page.evaluate(
    (lines) => {
      const receive = (globalThis as unknown as { receive: (message: { data: string }) => void })
        .receive;
      for (const data of lines) receive({ data });
    },
    events.map((event) => JSON.stringify(event)),
  );
  // One frame: the page draws once a frame.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
}

const sessionItem = (page: Page, id: string) =>
  page.locator(`#sessions > li[data-session="${id}"]`);

describe.skipIf(executable === undefined)('sessions, sub-agents and tool calls in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer('http', { fixedClock: false });
    browser = await chromium.launch({ executablePath: executable, args: chromiumFlags() });
  }, BROWSER_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(viewport = { width: 1400, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport, timezoneId: ZONE });
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    return page;
  }

  describe('the recorded sessions', () => {
    let page: Page;
    const sessions = new SessionTracker();
    const calls = new SpanTracker();
    for (const event of ALL) {
      sessions.add(event);
      calls.add(event);
    }
    beforeAll(async () => {
      page = await open();
      await feed(page, ALL);
    }, BROWSER_TIMEOUT_MS);

    it('each session with the state query --sessions gives, its directory and its tools', async () => {
      expect(await page.locator('#sessions > li').count()).toBe(sessions.sessions.size);
      for (const session of sessions.sessions.values()) {
        const item = sessionItem(page, session.id);
        await expect.poll(() => item.locator('[data-state]').textContent()).toBe(session.state);
        const shown = await item.textContent();
        expect(shown).toContain(session.cwd);
        expect(shown).toContain(`tools ${session.toolsRun}, failed ${session.toolsFailed}`);
      }
    });

    it('the sub-agent is nested under its session, with its type and its tools', async () => {
      const [agent] = sessions.sessions.get(FULL_ID)!.agents;
      const nested = sessionItem(page, FULL_ID).locator('.agents > li');
      expect(await nested.count()).toBe(1);
      expect(await nested.textContent()).toContain(`${agent!.type} ${agent!.id.slice(0, 8)}`);
      expect(await nested.textContent()).toContain('tools 1');
    });

    it('each tool call is one row with its duration; a failure shows its error', async () => {
      expect(await page.locator('#spans tr').count()).toBe(calls.spans.length);
      const failed = calls.spans.filter((span) => span.status === 'failed');
      const failedRows = page.locator('#spans tr.failed');
      expect(await failedRows.count()).toBe(failed.length);
      for (const span of failed) {
        const row = page.locator(`#spans tr[data-span="${span.id}"]`);
        expect(await row.locator('td.summary').textContent()).toContain(
          `failed: ${span.error.split('\n')[0]}`,
        );
      }
      const timed = calls.spans.find((span) => span.tookMs !== undefined && span.tookMs < 1000)!;
      expect(
        await page.locator(`#spans tr[data-span="${timed.id}"] td.duration`).textContent(),
      ).toBe(`${timed.tookMs} ms`);
    });

    it(`times are the browser's local time (${ZONE}), the UTC original in the title`, async () => {
      const latest = ALL.reduce((a, b) => (String(a['_ts']) > String(b['_ts']) ? a : b));
      const first = page.locator('#rows tr').first().locator('td').first();
      const local = new Date(Date.parse(String(latest['_ts'])) + ZONE_OFFSET_MS);
      expect(await first.textContent()).toBe(local.toISOString().slice(11, 23));
      expect(await first.getAttribute('title')).toBe(latest['_ts']);
    });

    it('by keyboard: the arrows move through the sessions, Enter shows one, Escape all', async () => {
      await page.locator('#sessions > li').first().focus();
      await page.keyboard.press('ArrowDown');
      const focused = await page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset['session'],
      );
      expect(focused).toBe(
        await page.locator('#sessions > li').nth(1).getAttribute('data-session'),
      );
      await page.keyboard.press('Enter');
      await expect.poll(() => page.inputValue('#f-session')).toBe(focused);
      const theirs = ALL.filter((event) => event['session_id'] === focused).length;
      await expect.poll(() => page.locator('#rows tr').count()).toBe(theirs);
      expect(await page.locator('#spans tr').count()).toBe(
        calls.spans.filter((span) => span.session === focused).length,
      );
      // The redraw kept the keyboard's place.
      expect(
        await page.evaluate(
          () => (document.activeElement as HTMLElement | null)?.dataset['session'],
        ),
      ).toBe(focused);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.inputValue('#f-session')).toBe('');
      await expect.poll(() => page.locator('#rows tr').count()).toBe(ALL.length);
    });
  });

  it(
    'a session that died without SessionEnd says how long it has been quiet, not "working" forever',
    async () => {
      const page = await open();
      const full = recorded('full');
      const untilAgent = full.slice(
        0,
        full.findIndex((event) => event['_event'] === 'SubagentStart') + 1,
      );
      await feed(page, untilAgent);
      const item = sessionItem(page, FULL_ID);
      expect(await item.getAttribute('class')).toContain('quiet');
      expect(await item.locator('.idle').textContent()).toMatch(/^no event for \d+ h \d+ min$/);
      expect(await item.locator('.agents > li').textContent()).toMatch(/running/);
      await page.context().close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    `on a ${NARROW.width}px window nothing is cut off sideways: the parts stack`,
    async () => {
      const page = await open(NARROW);
      await feed(page, ALL);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const boxes = await Promise.all(
        ['#sessions-panel', '#spans-panel', '#events-panel'].map((id) =>
          page.locator(id).boundingBox(),
        ),
      );
      for (const box of boxes) expect(box!.width).toBeLessThanOrEqual(NARROW.width);
      expect(boxes[0]!.y).toBeLessThan(boxes[1]!.y);
      expect(boxes[1]!.y).toBeLessThan(boxes[2]!.y);
      await page.context().close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    `${MAX_EVENTS} events of 50 sessions: every session listed, the tables stay at ${MAX_ROWS} rows`,
    async () => {
      const page = await open();
      const many: LogEvent[] = [];
      for (let index = 0; many.length < MAX_EVENTS; index++) {
        const base = {
          session_id: `bulk-${index % 50}`,
          cwd: `/work/${index % 50}`,
          tool_name: 'Bash',
          tool_use_id: `call-${index}`,
          tool_input: { command: `echo ${index}` },
        };
        many.push({ ...base, _event: 'PreToolUse', _ts: new Date(index * 1000).toISOString() });
        many.push({
          ...base,
          _event: 'PostToolUse',
          _ts: new Date(index * 1000 + 40).toISOString(),
        });
      }
      const started = Date.now();
      await feed(page, many);
      // Reported, not asserted: a shared machine's timings say nothing reliable.
      console.info(`the page took ${Date.now() - started} ms for ${MAX_EVENTS} events`);
      expect(await page.locator('#sessions > li').count()).toBe(50);
      expect(await page.locator('#rows tr').count()).toBe(MAX_ROWS);
      expect(await page.locator('#spans tr').count()).toBe(MAX_ROWS);
      expect(await page.locator('#shown').textContent()).toBe(`${MAX_EVENTS} events`);
      await page.context().close();
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'through a real server: the replayed session is listed with its state',
    async () => {
      const page = await open();
      await expect
        .poll(() => page.locator('#state').textContent(), { timeout: BROWSER_TIMEOUT_MS })
        .toBe('open');
      const agent = dispatcherFor(server);
      for (const request of loadTraffic('permission')) {
        if (request.transport === 'tcp' && request.sender === 'curl') {
          await post(server, request.url, request.body, agent);
        }
      }
      await agent.close();
      const expected = new SessionTracker();
      for (const event of recorded('permission')) expected.add(event);
      const [session] = expected.sessions.values();
      await expect
        .poll(() => sessionItem(page, session!.id).locator('[data-state]').textContent(), {
          timeout: BROWSER_TIMEOUT_MS,
        })
        .toBe(session!.state);
      await page.context().close();
    },
    BROWSER_TIMEOUT_MS,
  );
});
