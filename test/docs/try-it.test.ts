/**
 * Every Try-it command in the notes does what its note shows. Each note's
 * commands run in order, as a reader runs them, against a server started the
 * way the note says (through the one launcher): the two real servers for most
 * blocks, a lesson for a `console server=lesson-N` block. What varies from run
 * to run (the Date, curl's version, the stream's instance) is masked on both
 * sides. The servers' request timeouts are shortened, so that the stalled
 * client's 408 comes in about a second rather than a minute; nothing here
 * measures time.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEARTBEAT_ENV, TIMEOUT_ENV } from '@hook-observatory/core/internal/test-overrides';
import { ROOT, startServer, type RunningServer, type ServerName } from '@hook-observatory/launcher';
import { lessonFile } from '@hook-observatory/lessons';
import { describe, expect, it, type TestContext } from 'vitest';
import { readNotes } from '../../scripts/docs/notes.js';
import { masked, NOTE_PORT, shownOutput, tryItBlocks, type TryItBlock } from '../../scripts/docs/try-it.js';

/** Notes that are not about a server's behaviour: the path, the glossary, the TypeScript, the solutions. */
const WITHOUT_TRY_IT = new Set(['docs/README.md', 'docs/glossary.md', 'docs/typescript.md', 'docs/solutions.md']);

/** Short enough that the stalled client's 408 comes soon; long enough that no quick command meets it. */
const SERVER_ENV: Readonly<Record<string, string>> = {
  [TIMEOUT_ENV.headersTimeoutMs]: '1000',
  [TIMEOUT_ENV.requestTimeoutMs]: '2000',
  [TIMEOUT_ENV.connectionsCheckingIntervalMs]: '250',
  // No heartbeat: the note's stream shows none (a reader sees one every 15 s, masked anyway).
  [HEARTBEAT_ENV]: '0',
};
/** A command that has printed nothing new for this long is stuck: the test fails rather than hangs. */
const COMMAND_TIMEOUT_MS = 30_000;
const NOTE_TIMEOUT_MS = 120_000;

/** The repository's scripts: what `pnpm -s NAME` runs. */
const SCRIPTS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const PNPM_SCRIPT = /\bpnpm -s ([\w:-]+)/g;

/**
 * The command with each `pnpm -s NAME` as the script NAME itself (pnpm runs it
 * in the root, where these commands run): the same program, without pnpm's own
 * start-up, which costs about a second of CPU each time.
 */
function withoutPnpm(command: string): string {
  return command.replace(PNPM_SCRIPT, (whole, name: string) => {
    const script = SCRIPTS[name];
    if (script === undefined) throw new Error(`${whole}: no such script in package.json`);
    return script;
  });
}

function run(command: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `( ${withoutPnpm(command).replaceAll(String(NOTE_PORT), String(port))} ) 2>&1`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stuck: ${command}`));
    }, COMMAND_TIMEOUT_MS);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(out).toString('latin1'));
    });
  });
}

async function start(server: string): Promise<RunningServer> {
  if (server === 'http' || server === 'net') return startServer(server as ServerName, { env: SERVER_ENV });
  const file = lessonFile(Number(/^lesson-(\d+)$/.exec(server)?.[1]));
  if (file === undefined) throw new Error(`no server named ${server}`);
  return startServer({ name: server, entry: { kind: 'tsx', file } }, { env: SERVER_ENV });
}

/** One run: the note's blocks for one server, in the note's order. */
type Run = [note: string, server: string, blocks: TryItBlock[]];

function runs(): Run[] {
  const table: Run[] = [];
  for (const note of readNotes()) {
    const blocks = tryItBlocks(note.text, note.path);
    for (const server of [...new Set(blocks.flatMap((block) => block.servers))]) {
      table.push([note.path, server, blocks.filter((block) => block.servers.includes(server))]);
    }
  }
  return table;
}

/** Every command of a run against a server started for it alone. */
async function playRun([, server, blocks]: Run, { expect }: TestContext): Promise<void> {
  const running = await start(server);
  try {
    for (const block of blocks) {
      for (const command of block.commands) {
        const printed = shownOutput(await run(command.command, running.port), running.port);
        expect(masked(printed), `${block.file}:${block.line}: $ ${command.command}`).toEqual(masked(command.expected));
      }
    }
  } finally {
    await running.stop();
  }
}

const RUN_TITLE = '%s on %s: every command prints what the note shows';
const onLesson = ([, server]: Run): boolean => server.startsWith('lesson-');

describe('the Try-it commands', () => {
  // Each run has a server of its own, so the two servers' runs go side by side (vitest.config.ts's
  // maxConcurrency at once): most of their time is waiting. A lesson's run starts tsx, which takes
  // long enough on a loaded machine that several at once miss STARTUP_TIMEOUT_MS: one at a time.
  it.concurrent.for(runs().filter((run) => !onLesson(run)))(RUN_TITLE, { timeout: NOTE_TIMEOUT_MS }, playRun);
  it.for(runs().filter(onLesson))(RUN_TITLE, { timeout: NOTE_TIMEOUT_MS }, playRun);

  it.each(readNotes().filter((note) => !WITHOUT_TRY_IT.has(note.path)).map((note) => [note.path, note] as const))(
    '%s has a Try it section with commands',
    (_, note) => {
      expect(note.text).toMatch(/^## Try it$/m);
      expect(tryItBlocks(note.text, note.path).flatMap((block) => block.commands)).not.toEqual([]);
    },
  );
});

describe('a Try-it block', () => {
  it('reads commands, continued lines and what each prints', () => {
    const note = ['```console', '$ printf x \\', '  | cat', 'x', '$ true', '```', '', '```console server=lesson-2', '$ a', '```'].join('\n');
    expect(tryItBlocks(note, 'n.md')).toEqual([
      { file: 'n.md', line: 1, servers: ['http', 'net'], commands: [{ command: 'printf x \\\n  | cat', expected: ['x'] }, { command: 'true', expected: [] }] },
      { file: 'n.md', line: 8, servers: ['lesson-2'], commands: [{ command: 'a', expected: [] }] },
    ]);
  });

  it.each([
    { name: 'line ends', printed: 'HTTP/1.1 200 OK\r\n\r\n', port: 40000, shown: ['HTTP/1.1 200 OK'] },
    { name: 'the port', printed: '> Host: 127.0.0.1:40000\n', port: 40000, shown: [`> Host: 127.0.0.1:${NOTE_PORT}`] },
    { name: "curl's commentary", printed: '* Connected\n{ [15 bytes data]\n< HTTP/1.1 200 OK\n', port: 40000, shown: ['< HTTP/1.1 200 OK'] },
  ])('shows $name as the note does', ({ printed, port, shown }) => {
    expect(shownOutput(printed, port)).toEqual(shown);
  });

  it.each([
    { name: 'the date', line: '< Date: Sat, 05 Dec 2026 07:33:29 GMT', mask: '< Date: <date>' },
    { name: "curl's version", line: '> User-Agent: curl/8.5.0', mask: '> User-Agent: curl/<version>' },
    { name: 'the arrival time', line: '{"_ts":"2026-12-05T07:32:04.493Z","a":1}', mask: '{"_ts":"<ts>","a":1}' },
    { name: "the stream's instance", line: 'id: d92890c9-1', mask: 'id: <instance>-1' },
  ])('masks $name', ({ line, mask }) => {
    expect(masked([line])).toEqual([mask]);
  });

  it('masks nothing else: a different status is a difference', () => {
    expect(masked(['HTTP/1.1 200 OK'])).not.toEqual(masked(['HTTP/1.1 404 Not Found']));
  });
});
