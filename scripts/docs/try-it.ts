/**
 * Try-it blocks: commands a reader runs against a running server, with what
 * they print. A Try-it block is a fenced block whose info string is `console`:
 *
 *     ```console
 *     $ curl -si http://127.0.0.1:23518/health
 *     HTTP/1.1 200 OK
 *     ...
 *     ```
 *
 * A line that starts with `$ ` is a command (a line ending in `\` continues
 * it); the lines after it, up to the next command, are what it prints.
 * `console server=lesson-2` runs the block against that server instead of the
 * two real ones. test/docs/try-it.test.ts runs every command and compares.
 */
import { fences } from './blocks.js';

/** The port the notes show; the test puts the running server's port in its place. */
export const NOTE_PORT = 23518;

export interface TryItCommand {
  readonly command: string;
  /** What the note says it prints, line by line. */
  readonly expected: readonly string[];
}

export interface TryItBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The servers to run it against: `server=NAME`, else the two real ones. */
  readonly servers: readonly string[];
  readonly commands: readonly TryItCommand[];
}

/** A Try-it block's info string: `console`, or `console server=NAME`. */
const CONSOLE_INFO = /^console(?:\s+server=([\w-]+))?$/;

export function tryItBlocks(markdown: string, file: string): TryItBlock[] {
  const lines = markdown.split('\n');
  return fences(lines).flatMap(({ open, close, info }) => {
    const consoleInfo = CONSOLE_INFO.exec(info);
    if (consoleInfo === null) return [];
    if (close === lines.length) throw new Error(`${file}:${open + 1}: a console block that never closes`);
    return [{
      file,
      line: open + 1,
      servers: consoleInfo[1] === undefined ? ['http', 'net'] : [consoleInfo[1]],
      commands: parseCommands(lines.slice(open + 1, close)),
    }];
  });
}

function parseCommands(body: readonly string[]): TryItCommand[] {
  const commands: { command: string; expected: string[] }[] = [];
  let continuing = false;
  for (const line of body) {
    const current = commands.at(-1);
    if (continuing && current !== undefined) {
      current.command += `\n${line}`;
      continuing = line.endsWith('\\');
    } else if (line.startsWith('$ ')) {
      commands.push({ command: line.slice(2), expected: [] });
      continuing = line.endsWith('\\');
    } else if (current !== undefined) {
      current.expected.push(line);
    }
  }
  return commands;
}

/**
 * What a command printed, as the note shows it: line ends as `\n`, the
 * server's port as NOTE_PORT, and curl's commentary (`* ` lines, `{ [5 bytes
 * data]`) left out, since it changes from one curl version to the next.
 */
export function shownOutput(output: string, port: number): string[] {
  const lines = output
    .replace(/\r\n/g, '\n')
    .replaceAll(String(port), String(NOTE_PORT))
    .split('\n')
    .filter((line) => !/^\* |^[{}] \[/.test(line));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** What varies from run to run, masked on both sides before they are compared. */
const MASKS: readonly [RegExp, string][] = [
  [/^(< )?Date: .*$/, '$1Date: <date>'],
  [/curl\/[\w.-]+/g, 'curl/<version>'],
  [/"_ts":"[^"]*"/g, '"_ts":"<ts>"'],
  [/"instance":"[0-9a-f]+"/g, '"instance":"<instance>"'],
  [/^id: [0-9a-f]+-/, 'id: <instance>-'],
];

/** `lines` with the volatile parts masked, and the event stream's heartbeats (a lone `:`, every 15 s) dropped. */
export function masked(lines: readonly string[]): string[] {
  return lines.filter((line) => line !== ':').map((line) => MASKS.reduce((text, [pattern, mask]) => text.replace(pattern, mask), line));
}
