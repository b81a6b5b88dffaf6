/**
 * The pictures in docs/images are what scripts/docs/diagrams.ts draws today
 * from their sources (the parser's source, conversations captured from both
 * servers, the timer constants), they are plain static SVG that GitHub and
 * the side-by-side page can show, and the notes show each of them. The
 * notes' image blocks themselves are checked by excerpts.test.ts (pictures
 * drawn from code) and wire.test.ts (pictures drawn from captures).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findBlocks } from '../../scripts/docs/blocks.js';
import { conversationSteps, type ConversationStep } from '../../scripts/docs/conversation.js';
import { DIAGRAM_NAMES, diagramFile, drawDiagram, IMAGES_DIR, SEQUENCE_SCENARIOS, type DiagramName } from '../../scripts/docs/diagrams.js';
import type { TranscriptEntry } from '../../scripts/docs/exchange.js';
import { readNotes } from '../../scripts/docs/notes.js';
import { ROOT } from '../../scripts/docs/paths.js';
import { DEFAULT_TIMER_SETTINGS, timerPanels, timersPicture, type TimerSettings } from '../../scripts/docs/timers-diagram.js';
import { captureAll, type Captures } from '../../scripts/docs/wire.js';

const SEQUENCE_SCENARIO_NAMES: ReadonlySet<string> = new Set(Object.values(SEQUENCE_SCENARIOS));
/** Pictures GitHub shows as images that were not drawn here: the README's screenshot. */
const NOT_DRAWN = new Set(['live-view.png']);

describe('the pictures in docs/images', () => {
  let captures: Captures;
  beforeAll(async () => {
    captures = await captureAll((scenario) => SEQUENCE_SCENARIO_NAMES.has(scenario.name));
  });
  const committed = (name: DiagramName): string => readFileSync(join(ROOT, diagramFile(name)), 'utf8');

  it.each(DIAGRAM_NAMES)('%s.svg is what would be drawn now', (name) => {
    // Compared line by line so that a failure shows where the picture went stale.
    expect(committed(name).split('\n'), 'run pnpm docs:sync').toEqual(drawDiagram(name, captures)?.svg.split('\n'));
  });

  it('are all drawn here, and every one drawn is committed', () => {
    const files = readdirSync(join(ROOT, IMAGES_DIR)).filter((file) => !NOT_DRAWN.has(file));
    expect(files.sort()).toEqual(DIAGRAM_NAMES.map((name) => `${name}.svg`).sort());
  });

  it.each(DIAGRAM_NAMES)('%s.svg is plain static SVG with its size, a light background and generic fonts', (name) => {
    const svg = committed(name);
    const root = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(svg);
    expect(root, 'explicit width, height and viewBox').not.toBeNull();
    expect([root?.[1], root?.[2]]).toEqual([root?.[3], root?.[4]]);
    // Nothing that runs, loads or links: GitHub would refuse it, the page would fetch it.
    expect(svg).not.toMatch(/<script|<foreignObject|<image|<style|href=|url\(|@import|\son[a-z]+=/i);
    expect(svg).toMatch(/<title id="title">[^<]+<\/title>\n<desc id="desc">[^<]+<\/desc>\n<rect [^>]*fill="#ffffff"/);
    for (const [, family] of svg.matchAll(/font-family="([^"]*)"/g)) expect(family).toMatch(/, (sans-serif|monospace)$/);
  });

  it.each(DIAGRAM_NAMES)('%s is shown in a note, with alt text', (name) => {
    const shown = readNotes().flatMap((note) => findBlocks(note.text, note.path).filter((block) => block.kind === 'diagram' && block.args[0] === name));
    expect(shown.length).toBeGreaterThan(0);
    for (const block of shown) expect(block.body).toMatch(new RegExp(`!\\[[^\\]]{40,}\\]\\(images/${name}\\.svg\\)`));
  });

  it('both servers draw the same conversations', () => {
    for (const scenario of SEQUENCE_SCENARIO_NAMES) {
      const [http, net] = [captures.http, captures.net].map((each) => conversationSteps(each.get(scenario)?.transcript ?? []));
      expect(net, scenario).toEqual(http);
    }
  });

  const steps = (scenario: string): ConversationStep[] => conversationSteps(captures.http.get(scenario)?.transcript ?? []);
  const firstLines = (scenario: string): string[] =>
    steps(scenario).map((step) => (step.kind === 'message' ? `${step.from} ${step.lines[0]}` : step.kind === 'idle' ? 'idle' : `${step.from} ${step.kind}`));
  const ANSWER = 'server HTTP/1.1 200 OK';

  it.each([
    {
      diagram: 'keep-alive',
      order: ['client GET /health HTTP/1.1', ANSWER, 'idle', 'client POST /hook?event=Stop HTTP/1.1', ANSWER, 'client end', 'server end'],
    },
    {
      diagram: 'pipelining',
      order: ['client GET /health HTTP/1.1', 'client POST /hook?event=Stop HTTP/1.1', 'client end', ANSWER, ANSWER, 'server end'],
    },
    {
      diagram: 'expect-continue',
      order: ['client POST /hook?event=Stop HTTP/1.1', 'server HTTP/1.1 100 Continue', 'client body', ANSWER, 'client end', 'server end'],
    },
  ] as const)('$diagram shows the exchange it teaches', ({ diagram, order }) => {
    expect(firstLines(SEQUENCE_SCENARIOS[diagram])).toEqual(order);
  });
});

describe('a conversation cut into steps', () => {
  const client = (text: string): TranscriptEntry => ({ from: 'client', kind: 'bytes', bytes: Buffer.from(text, 'latin1') });
  const server = (text: string): TranscriptEntry => ({ from: 'server', kind: 'bytes', bytes: Buffer.from(text, 'latin1') });
  const ANSWER_HEAD = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n';

  it.each([
    {
      name: 'an answer in two pieces is one step, where its last byte came',
      transcript: [client('GET / HTTP/1.1\r\n\r\n'), server(ANSWER_HEAD), server('ok')],
      expected: [
        { kind: 'message', from: 'client', lines: ['GET / HTTP/1.1'], bodyBytes: 0, write: 1 },
        { kind: 'message', from: 'server', lines: ['HTTP/1.1 200 OK', 'Connection: keep-alive', 'Keep-Alive: timeout=5'], bodyBytes: 2, write: 0 },
      ],
    },
    {
      name: 'a head whose body waits, then the body on its own',
      transcript: [client('POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n'), client('abc')],
      expected: [
        { kind: 'message', from: 'client', lines: ['POST / HTTP/1.1', 'Expect: 100-continue'], bodyBytes: undefined, write: 1 },
        { kind: 'body', from: 'client', bodyBytes: 3, write: 2 },
      ],
    },
    {
      name: 'a request after a kept-alive answer follows an idle wait',
      transcript: [client('GET / HTTP/1.1\r\n\r\n'), server(`${ANSWER_HEAD}ok`), client('GET / HTTP/1.1\r\n\r\n'), { from: 'client', kind: 'end' }],
      expected: [
        { kind: 'message', from: 'client', lines: ['GET / HTTP/1.1'], bodyBytes: 0, write: 1 },
        { kind: 'message', from: 'server', lines: ['HTTP/1.1 200 OK', 'Connection: keep-alive', 'Keep-Alive: timeout=5'], bodyBytes: 2, write: 0 },
        { kind: 'idle', keepAlive: 'timeout=5' },
        { kind: 'message', from: 'client', lines: ['GET / HTTP/1.1'], bodyBytes: 0, write: 2 },
        { kind: 'end', from: 'client' },
      ],
    },
  ] satisfies Array<{ name: string; transcript: TranscriptEntry[]; expected: ConversationStep[] }>)('$name', ({ transcript, expected }) => {
    expect(conversationSteps(transcript)).toEqual(expected);
  });

  it('refuses a chunked message, whose framing it does not draw', () => {
    expect(() => conversationSteps([client('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n')])).toThrow('a chunked client message is not drawn');
  });
});

describe('the timers picture', () => {
  it('is drawn from the constants: a changed constant changes the picture', () => {
    const settings: TimerSettings = { ...DEFAULT_TIMER_SETTINGS, headersTimeoutMs: 2 * DEFAULT_TIMER_SETTINGS.headersTimeoutMs };
    const changed = timersPicture(settings);
    expect(changed.svg).not.toBe(timersPicture().svg);
    expect(changed.description).toContain(`the head must be complete: ${settings.headersTimeoutMs / 1_000} s`);
  });

  it('puts every lane on a scale long enough for it', () => {
    for (const panel of timerPanels()) {
      for (const lane of panel.lanes) for (const bar of lane.bars) expect(bar.toMs, lane.name).toBeLessThanOrEqual(panel.spanMs);
    }
  });
});

