/**
 * docs/side-by-side.html: built from the code and the note, committed as
 * built, self-contained, and readable in a real browser. Headless Chromium
 * (Debian's `chromium` package) opens it, its DOM must hold both columns of
 * every step, and a screenshot is kept for a person to look at.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { alignedSteps, buildPage, HTML_PATH, readPageInput, splitNote, splitSections } from '../../scripts/docs/html.js';
import { ROOT, SERVER_NAMES } from '@hook-observatory/launcher';
import { chromiumFlags, chromiumOrSkip } from '../helpers/chromium.js';

const run = promisify(execFile);
/** Chromium's own start-up on a busy 2-core machine; it needs a few seconds when things go well. */
const BROWSER_TIMEOUT_MS = 90_000;
/** Where the screenshot goes: test/docs/.gitignore keeps it out of git. */
const ARTIFACTS = join(ROOT, 'test/docs/artifacts');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A page with text on it compresses to more than this; a blank page to far less. */
const MIN_SCREENSHOT_BYTES = 20_000;

const page = readFileSync(join(ROOT, HTML_PATH), 'utf8');
const input = readPageInput();
const steps = alignedSteps({ http: splitSections(input.sources.http), net: splitSections(input.sources.net) });

describe('the page as built', () => {
  it('is what pnpm docs:html builds from the code and the note today', () => {
    expect(buildPage(input).split('\n'), 'run pnpm docs:html').toEqual(page.split('\n'));
  });

  it('needs nothing from outside: no scripts, stylesheets, images, fonts or frames', () => {
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed|video|audio|source)\b/i);
    expect(page).not.toMatch(/url\(|@import/i);
    expect(page).not.toMatch(/\bsrc=/i);
  });

  it('has a step for every numbered section, and the note explains each one', () => {
    expect(steps[0]).toBe(0);
    expect(steps.length).toBeGreaterThan(5);
    const noted = [...splitNote(input.note).steps.keys()];
    expect(noted).toEqual(steps.slice(1));
  });
});

describe('cutting files into steps', () => {
  it('cuts at numbered headers and keeps true line numbers, without region markers', () => {
    const source = 'import x;\n// --- 1. Accept ----\n// #region accept\nfoo();\n// #endregion accept\n// --- 2. Read ---\nbar();\n';
    expect(splitSections(source)).toEqual([
      { step: 0, title: 'Before the steps', lines: [{ number: 1, text: 'import x;' }] },
      { step: 1, title: 'Accept', lines: [{ number: 2, text: '// --- 1. Accept ----' }, { number: 4, text: 'foo();' }] },
      { step: 2, title: 'Read', lines: [{ number: 6, text: '// --- 2. Read ---' }, { number: 7, text: 'bar();' }] },
    ]);
  });

  it('refuses files whose steps do not line up', () => {
    const one = splitSections('// --- 1. A ---\n');
    const two = splitSections('// --- 1. A ---\n// --- 2. B ---\n');
    expect(() => alignedSteps({ http: one, net: two })).toThrow('different sections');
  });
});

describe('the page in headless Chromium', () => {
  const profile = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
  afterAll(() => rmSync(profile, { recursive: true, force: true }));
  const url = pathToFileURL(join(ROOT, HTML_PATH)).href;

  it('shows both columns of every step and the note of each', async (context) => {
    const chromium = chromiumOrSkip(context);
    const { stdout: dom } = await run(chromium, [...chromiumFlags(join(profile, 'dom')), '--dump-dom', url], {
      timeout: BROWSER_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const step of steps) {
      expect(dom, `step ${step}`).toContain(`id="step-${step}"`);
      for (const name of SERVER_NAMES) expect(dom, `step ${step}, ${name}`).toContain(`data-column="${name}" data-step="${step}"`);
      if (step > 0) expect(dom, `note of step ${step}`).toContain(`data-note="${step}"`);
    }
    expect(dom).toContain('data-helper="packages/net-server/src/request-parser.ts"');
  });

  it('renders to a screenshot with something on it', async (context) => {
    const chromium = chromiumOrSkip(context);
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, 'side-by-side.png');
    rmSync(screenshot, { force: true });
    await run(chromium, [...chromiumFlags(join(profile, 'shot')), `--screenshot=${screenshot}`, '--window-size=1600,2400', url], {
      timeout: BROWSER_TIMEOUT_MS,
    });
    const png = readFileSync(screenshot);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(statSync(screenshot).size).toBeGreaterThan(MIN_SCREENSHOT_BYTES);
    // The IHDR chunk holds the width and height the window was given.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1600, 2400]);
  });
});
