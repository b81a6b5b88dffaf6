/**
 * docs/side-by-side.html: built from the code and the note, committed as
 * built, self-contained, and readable in a real browser. Headless Chromium
 * (Debian's `chromium` package) opens it, its DOM must hold both columns of
 * every step, and a screenshot is kept for a person to look at.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { findBlocks } from '../../scripts/docs/blocks.js';
import { diagramFile, type DiagramName } from '../../scripts/docs/diagrams.js';
import { highlightCode, lineId, splitHighlightedLines } from '../../scripts/docs/code-view.js';
import { RegionSource } from '../../scripts/docs/excerpts.js';
import { alignedSteps, buildPage, headerComment, HTML_PATH, LESSONS_NOTE_PATH, linkedRegions, NOTE_PATH, readPageInput, splitNote, splitSections } from '../../scripts/docs/html.js';
import { readParserMap } from '../../scripts/docs/parser-map.js';
import { ROOT, SERVER_NAMES, SERVER_SOURCES } from '@hook-observatory/launcher';
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
const steps = alignedSteps({ http: splitSections(input.read(SERVER_SOURCES.http)), net: splitSections(input.read(SERVER_SOURCES.net)) });
const note = splitNote(input.read(NOTE_PATH));
const subSteps = [...note.steps].flatMap(([step, { subSteps: parts }]) => parts.map((_, index) => `${step}.${index + 1}`));
const groups = readParserMap(ROOT, 'packages/net-server/src/request-parser.ts');
const lessonDiffs = findBlocks(input.read(LESSONS_NOTE_PATH), LESSONS_NOTE_PATH).filter((block) => block.kind === 'lesson-diff');
/** The pictures the page must show: those of its note, and the parser's above its groups. */
const pictures: DiagramName[] = [
  ...findBlocks(input.read(NOTE_PATH), NOTE_PATH).filter((block) => block.kind === 'diagram').map((block) => block.args[0] as DiagramName),
  'parser-groups',
];

/** The targets of the page's in-page links, and the ids it has. */
function anchors(html: string): { targets: string[]; ids: Set<string> } {
  return {
    targets: [...html.matchAll(/href="#([^"]*)"/g)].map((match) => match[1] as string),
    ids: new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((match) => match[1] as string)),
  };
}

describe('the page as built', () => {
  it('is what pnpm docs:html builds from the code and the notes today', () => {
    expect(buildPage(input).split('\n'), 'run pnpm docs:html').toEqual(page.split('\n'));
  });

  it('needs nothing from outside and no script: no scripts, stylesheets, frames, fonts or remote images', () => {
    expect(page).not.toMatch(/<(script|link|iframe|object|embed|video|audio|source)\b/i);
    expect(page).not.toMatch(/url\(|@import/i);
    expect(page).not.toMatch(/\bsrc="(?:[a-z]+:|\/)/i);
  });

  it('has a step for every numbered section, and the note explains each one', () => {
    expect(steps[0]).toBe(0);
    expect(steps.length).toBeGreaterThan(5);
    expect([...note.steps.keys()]).toEqual(steps.slice(1));
  });

  it('cuts each step into the sub-steps of its note, each with a column per server', () => {
    expect(subSteps.length).toBeGreaterThan(steps.length);
    for (const [step, { subSteps: parts }] of note.steps) {
      parts.forEach((part, index) => {
        const at = page.indexOf(`data-substep="${step}.${index + 1}"`);
        const html = page.slice(at, page.indexOf('</div>\n</div>\n</div>', at));
        for (const name of SERVER_NAMES) expect(html, `sub-step ${step}.${index + 1}, ${name}`).toContain(`data-column="${name}"`);
        const httpCode = linkedRegions(part.markdown).some(({ file }) => file.startsWith('packages/http-server/'));
        expect(html.includes('<p class="none">Nothing to write here'), `sub-step ${step}.${index + 1} says node:http has nothing to write`).toBe(!httpCode);
      });
    }
  });

  it('links jump inside the page: every in-page link has its target, and none leads to a source file', () => {
    const { targets, ids } = anchors(page);
    expect(targets.length).toBeGreaterThan(subSteps.length);
    expect(targets.filter((target) => !ids.has(target))).toEqual([]);
    expect(page).not.toMatch(/href="[^"#]*packages\//);
  });

  it('a region link jumps to the first row of its region, found when the page is built', () => {
    const sources = new RegionSource(ROOT);
    const linked = linkedRegions(input.read(NOTE_PATH));
    expect(linked.length).toBeGreaterThan(steps.length);
    for (const { file, region } of linked) expect(page, `${file}#${region}`).toContain(`href="#${lineId(file, sources.region(file, region).firstLine)}"`);
  });

  it('highlights the code at build time', () => {
    for (const kind of ['keyword', 'string', 'comment']) expect(page).toContain(`class="hljs-${kind}"`);
  });

  it('shows the parser group by group, each with its states', () => {
    expect(groups.length).toBeGreaterThan(5);
    for (const group of groups) {
      const at = page.indexOf(`data-group="${group.step}"`);
      expect(at, group.step).toBeGreaterThan(-1);
      for (const state of group.states) expect(page.slice(at, at + 20_000), `${group.step} ${state.name}`).toContain(`<code>${state.name}</code>`);
    }
  });

  it('shows the pictures, by a relative address to the committed files, with alt text', () => {
    expect(pictures.length).toBeGreaterThan(1);
    for (const name of pictures) {
      expect(existsSync(join(ROOT, diagramFile(name))), name).toBe(true);
      expect(page, name).toMatch(new RegExp(`<img src="images/${name}\\.svg" alt="[^"]{40,}"`));
    }
  });

  it('includes every lesson diff of docs/lessons.md', () => {
    expect(lessonDiffs.length).toBeGreaterThan(0);
    for (const block of lessonDiffs) expect(page, block.args.join(' to ')).toContain(`id="lesson-diff-${block.args.join('-')}"`);
    expect(page).toContain('class="hljs-addition"');
  });
});

describe('cutting files and notes', () => {
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

  it.each([
    { name: 'a step without sub-headings is one sub-step', markdown: 'intro\n## 1. A\ntext\n## After\nend', subSteps: [{ title: 'A', markdown: 'text' }], outro: '## After\nend' },
    { name: 'sub-headings cut a step', markdown: '## 1. A\n### x\none\n### y\ntwo', subSteps: [{ title: 'x', markdown: 'one' }, { title: 'y', markdown: 'two' }], outro: '' },
    { name: 'a heading inside a fence is text', markdown: '## 1. A\n```\n### x\n```', subSteps: [{ title: 'A', markdown: '```\n### x\n```' }], outro: '' },
  ])('$name', ({ markdown, subSteps: expected, outro }) => {
    const parts = splitNote(markdown);
    expect(parts.steps.get(1)?.subSteps).toEqual(expected);
    expect(parts.outro).toBe(outro);
  });

  it('finds the regions a note links to, once each, in order', () => {
    const markdown = '[a](../packages/x/main.ts "region:one") [b](../packages/y.ts "region:two") [c](../packages/x/main.ts "region:one")';
    expect(linkedRegions(markdown)).toEqual([{ file: 'packages/x/main.ts', region: 'one' }, { file: 'packages/y.ts', region: 'two' }]);
  });

  it('reads a file\'s opening comment as its note', () => {
    expect(headerComment('/**\n * One.\n *\n * Two.\n */\nx;')).toBe('One.\n\nTwo.\n');
  });

  it('closes and reopens a highlighted span that a line end cuts', () => {
    const lines = splitHighlightedLines(highlightCode('/* one\ntwo */ x', 'ts'));
    expect(lines).toEqual(['<span class="hljs-comment">/* one</span>', '<span class="hljs-comment">two */</span> x']);
  });
});

/** Chromium is the slow tier's (vitest.config.ts). */
describe('the page in headless Chromium', { tags: ['slow'] }, () => {
  const profile = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
  afterAll(() => rmSync(profile, { recursive: true, force: true }));
  const url = pathToFileURL(join(ROOT, HTML_PATH)).href;

  it('shows both columns of every step and sub-step, and every in-page link lands on an element', async (context) => {
    const chromium = chromiumOrSkip(context);
    const { stdout: dom } = await run(chromium, [...chromiumFlags(join(profile, 'dom')), '--dump-dom', url], {
      timeout: BROWSER_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const step of steps) {
      expect(dom, `step ${step}`).toContain(`id="step-${step}"`);
      for (const name of SERVER_NAMES) expect(dom, `step ${step}, ${name}`).toContain(`data-column="${name}" data-step="${step}"`);
    }
    for (const subStep of subSteps) expect(dom, `sub-step ${subStep}`).toContain(`data-substep="${subStep}"`);
    const { targets, ids } = anchors(dom);
    expect(targets.filter((target) => !ids.has(target))).toEqual([]);
  });

  it('loads every picture', async (context) => {
    const executablePath = chromiumOrSkip(context);
    const browser = await chromium.launch({ executablePath, args: chromiumFlags() });
    try {
      const tab = await browser.newPage();
      // goto waits for the load event, which waits for every image.
      await tab.goto(url);
      const images = (await tab.evaluate('[...document.images].map((image) => [image.getAttribute("src"), image.naturalWidth > 0])')) as Array<[string, boolean]>;
      expect(images.filter(([, loaded]) => !loaded)).toEqual([]);
      expect(new Set(images.map(([src]) => src))).toEqual(new Set(pictures.map((name) => `images/${name}.svg`)));
    } finally {
      await browser.close();
    }
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
