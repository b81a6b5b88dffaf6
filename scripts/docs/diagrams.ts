/**
 * The notes' pictures, docs/images/NAME.svg, each drawn from what it shows so
 * that it cannot drift: a request's anatomy from the recorded curl hook, the
 * parser's groups from the parser's source, the
 * sequence diagrams from conversations captured from both servers (the wire
 * scenarios), the timers from the constants in packages/core. `pnpm
 * docs:sync` writes the files; test/docs/diagrams.test.ts fails when one
 * differs from what would be drawn now. A note shows one with
 *
 *     <!-- diagram NAME -->
 *     ...written by docs:sync: the image, its alt text saying what it shows...
 *     <!-- /diagram -->
 */
import { dirname, posix } from 'node:path';
import { conversationSteps } from './conversation.js';
import type { GeneratedBlock } from './blocks.js';
import { parserGroupsPicture, type Picture } from './parser-diagram.js';
import { readParserMap } from './parser-map.js';
import { parserTracePicture } from './parser-trace.js';
import { ROOT } from './paths.js';
import { requestReadsPicture } from './reads-diagram.js';
import { requestAnatomyPicture } from './request-diagram.js';
import { sequencePicture } from './sequence-diagram.js';
import { timersPicture } from './timers-diagram.js';
import type { Captures } from './wire.js';
import { CURL_HOOK_REQUEST, SCENARIOS, SHOWN_HOST } from './wire-scenarios.js';
import { requestBytes } from '@hook-observatory/conformance/traffic';

export const IMAGES_DIR = 'docs/images';
const PARSER_ENTRY = 'packages/net-server/src/request-parser.ts';
/** Alt text wraps here, as the notes' prose does (.markdownlint.jsonc, MD013). */
const ALT_WRAP_COLUMNS = 100;

/** Each sequence diagram and the wire scenario (wire-scenarios.ts) it is drawn from. */
export const SEQUENCE_SCENARIOS = {
  'keep-alive': 'keep-alive',
  pipelining: 'pipelined',
  'expect-continue': 'expect-continue',
} as const;
type SequenceName = keyof typeof SEQUENCE_SCENARIOS;

const SEQUENCE_TITLES: Readonly<Record<SequenceName, string>> = {
  'keep-alive': 'Keep-alive: two requests, one connection',
  pipelining: 'Pipelining: two requests in one write, two answers in order',
  'expect-continue': 'Expect: 100-continue: the head, a 100, then the body',
};

export const DIAGRAM_NAMES = ['request-anatomy', 'request-reads', 'parser-groups', 'parser-trace', 'timers', ...(Object.keys(SEQUENCE_SCENARIOS) as SequenceName[])] as const;
export type DiagramName = (typeof DIAGRAM_NAMES)[number];

export function diagramFile(name: DiagramName): string {
  return `${IMAGES_DIR}/${name}.svg`;
}

/** What the parser trace reads: the recorded curl hook, then the chunked hook of the wire scenario chunked-body. */
function tracedRequests(): Buffer[] {
  const chunked = SCENARIOS.find((scenario) => scenario.name === 'chunked-body')?.steps[0];
  if (chunked === undefined || !('send' in chunked)) throw new Error('diagram parser-trace: no wire scenario chunked-body');
  const hosted = Buffer.from(chunked.send.toString('latin1').replace('Host: HOST\r\n', `Host: ${SHOWN_HOST}\r\n`), 'latin1');
  return [requestBytes(CURL_HOOK_REQUEST, SHOWN_HOST), hosted];
}

/**
 * The picture as it would be drawn now; undefined for a sequence diagram
 * when no captures are given (capturing means running both servers).
 */
export function drawDiagram(name: DiagramName, captures?: Captures): Picture | undefined {
  if (name === 'request-anatomy') return requestAnatomyPicture(CURL_HOOK_REQUEST, SHOWN_HOST);
  if (name === 'request-reads') return requestReadsPicture();
  if (name === 'parser-groups') return parserGroupsPicture(readParserMap(ROOT, PARSER_ENTRY));
  if (name === 'parser-trace') return parserTracePicture(tracedRequests(), readParserMap(ROOT, PARSER_ENTRY));
  if (name === 'timers') return timersPicture();
  if (captures === undefined) return undefined;
  const scenario = SEQUENCE_SCENARIOS[name];
  const [http, net] = [captures.http, captures.net].map((byScenario) => {
    const transcript = byScenario.get(scenario)?.transcript;
    if (transcript === undefined) throw new Error(`diagram ${name}: no capture of scenario ${scenario}`);
    return conversationSteps(transcript);
  });
  // One picture stands for both servers: it may, only while they say the same.
  if (JSON.stringify(http) !== JSON.stringify(net)) throw new Error(`diagram ${name}: the two servers' conversations differ`);
  return sequencePicture(SEQUENCE_TITLES[name], http as ReturnType<typeof conversationSteps>);
}

/** `text` in lines of at most `columns`, cut at spaces. */
function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} ${word}`.length <= columns) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** The image as Markdown for a note at `notePath`: its description as alt text, wrapped like prose. */
export function diagramMarkdown(name: DiagramName, picture: Picture, notePath: string): string {
  const alt = `${picture.title}. ${picture.description}`.replace(/[[\]]/g, '');
  const src = posix.relative(dirname(notePath), diagramFile(name));
  return `![${wrap(alt, ALT_WRAP_COLUMNS - 2).join('\n')}](${src})`;
}

export function isDiagramName(name: string): name is DiagramName {
  return (DIAGRAM_NAMES as readonly string[]).includes(name);
}

/** The body of `<!-- diagram NAME -->`, or the body as it is when the picture needs captures not given. */
export function renderDiagramBlock(block: GeneratedBlock, notePath: string, captures?: Captures): string {
  const [name = ''] = block.args;
  if (!isDiagramName(name)) throw new Error(`diagram at line ${block.line}: no diagram "${name}" (${DIAGRAM_NAMES.join(', ')})`);
  const picture = drawDiagram(name, captures);
  return picture === undefined ? block.body : `\n${diagramMarkdown(name, picture, notePath)}\n`;
}

/** Every diagram's file, with what would be drawn in it now. */
export function drawnDiagrams(captures: Captures): Array<{ file: string; text: string }> {
  return DIAGRAM_NAMES.map((name) => ({ file: diagramFile(name), text: drawDiagram(name, captures)?.svg ?? '' }));
}
