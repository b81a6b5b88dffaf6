/**
 * The grader (`pnpm -s conformance`, run as a student runs it, outside vitest):
 * it grades a foreign program started with --command, shows the first failure
 * of each failing group with its note, prints the JSON summary last, and exits
 * 0 only when every case played is identical.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout } from 'node:timers/promises';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import { FAMILIES as ALL_FAMILIES, GROUPS } from '@hook-observatory/conformance/families';
import { GRADER_MAIN } from '@hook-observatory/conformance/grader/options';

const run = promisify(execFile);
const FAMILY_NAMES = ALL_FAMILIES.map((family) => family.family);

interface Summary {
  cases: number;
  identical: number;
  skipped: number;
  groups: Record<string, { cases: number; identical: number }>;
}

async function conformance(...args: string[]): Promise<{
  code: number;
  stdout: string;
  stderr: string;
  summary: Summary;
  summaries: Summary[];
}> {
  const command = [process.execPath, GRADER_MAIN, ...args];
  const result = await run(command[0]!, command.slice(1), {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
    (failed: { code: number; stdout: string; stderr: string }) => ({
      code: failed.code,
      stdout: failed.stdout,
      stderr: failed.stderr,
    }),
  );
  const lines = result.stdout.trimEnd().split('\n');
  const firstSummary = lines.findIndex((line) => line.startsWith('{"cases"'));
  const summaries =
    firstSummary < 0 ? [] : lines.slice(firstSummary).map((line) => JSON.parse(line) as Summary);
  return { ...result, summary: summaries.at(-1)!, summaries };
}

/** Families that finish fast and that a naive server fails. */
const FAMILIES = ['--family', 'real-traffic', '--family', 'routing'];

describe('the grader', () => {
  it('grades-a-naive-foreign-server-and-shows-its-first-failures', async () => {
    const { code, stdout, summary } = await conformance(
      '--command',
      'python3 test/fixtures/naive-server.py',
      '--json',
      ...FAMILIES,
    );
    expect(code).toBe(1);
    expect(Object.keys(summary.groups)).toEqual(GROUPS.map((group) => group.name));
    expect(summary.cases).toBeGreaterThan(0);
    // An HTTP/1.0 answer with no Content-Type, and the raw body as the event: wrong in every group it meets.
    const failing = Object.entries(summary.groups)
      .filter(([, score]) => score.cases > score.identical)
      .map(([name]) => name);
    expect(failing).toEqual(['events', 'routing', 'keep-alive']);
    expect(stdout).toContain('== events: first failure real-traffic/curl-hooks-full-session');
    expect(stdout).toContain(`read: ${GROUPS.find((group) => group.name === 'events')!.note}`);
    expect(stdout).toContain('HTTP/1.⟦0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n');
  });

  it('passes-the-net-server-with-exit-status-0', async () => {
    const { code, summary } = await conformance(
      '--server',
      'net',
      '--json',
      '--family',
      'real-traffic',
    );
    expect(summary.identical).toBe(summary.cases);
    expect(summary.groups['events']).toEqual({ cases: 4, identical: 4 });
    expect(code).toBe(0);
  });

  it('grades-several-servers-in-one-run-one-summary-each-in-order', async () => {
    const { code, stdout, summaries } = await conformance(
      '--server',
      'lesson-1',
      '--server',
      'net',
      '--json',
      '--family',
      'real-traffic',
    );
    expect(summaries.map((summary) => summary.groups['events'])).toEqual([
      { cases: 4, identical: 0 },
      { cases: 4, identical: 4 },
    ]);
    expect(stdout).toContain('lesson-1 against node:http');
    expect(stdout).toContain('net against node:http');
    expect(code).toBe(1);
  });

  it('counts-skipped-time-based-cases', async () => {
    const { summary } = await conformance(
      '--server',
      'net',
      '--json',
      '--skip-timeouts',
      '--family',
      'keep-alive-timeout',
    );
    expect(summary.cases).toBe(0);
    expect(summary.skipped).toBeGreaterThan(0);
  });
});

/** A command line the grader cannot run gets a usage line that lists the families, and no stack trace. */
const USAGE_CASES = [
  { name: 'help', args: ['--help'], code: 0, stream: 'stdout', says: 'HOOK_OBSERVATORY_FIXED_TS' },
  { name: 'help-short', args: ['-h'], code: 0, stream: 'stdout', says: '_client' },
  {
    name: 'unknown-flag',
    args: ['--bogus'],
    code: 2,
    stream: 'stderr',
    says: "Unknown option '--bogus'",
  },
  {
    name: 'unknown-family',
    args: ['--server', 'net', '--family', 'nope'],
    code: 2,
    stream: 'stderr',
    says: 'no such family: nope',
  },
  {
    name: 'unknown-server',
    args: ['--server', 'lesson-99'],
    code: 2,
    stream: 'stderr',
    says: 'no such server: lesson-99',
  },
  {
    name: 'lesson-0-has-no-stage',
    args: ['--lesson', '0'],
    code: 2,
    stream: 'stderr',
    says: 'no stage for --lesson 0',
  },
  {
    name: 'lesson-past-the-last',
    args: ['--lesson', '99'],
    code: 2,
    stream: 'stderr',
    says: 'no stage for --lesson 99',
  },
  {
    name: 'server-and-command',
    args: ['--server', 'net', '--command', 'true'],
    code: 2,
    stream: 'stderr',
    says: 'one or the other',
  },
  { name: 'nothing-to-grade', args: [], code: 2, stream: 'stderr', says: 'nothing to grade' },
] as const;

describe("the grader's command line", () => {
  // Side by side: each is a start-up of the grader and nothing else, no server, no timing.
  it.concurrent.for(USAGE_CASES)('$name', async ({ args, code, stream, says }, { expect }) => {
    const result = await conformance(...args);
    expect(result.code).toBe(code);
    expect(result[stream]).toContain(says);
    expect(result[stream]).toContain(`FAMILY: ${FAMILY_NAMES.join(', ')}`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('a --command program', () => {
  // One run holds both: the fixture keeps its own clock and port in every case, and drops its
  // first hook once; each grading starts the grader, node:http and the program again.
  it('is-not-held-to-the-test-clock-the-port-in-_client-or-a-difference-that-does-not-come-back', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'grader-shy-')), 'dropped-one');
    const { summary } = await conformance(
      '--command',
      `node test/fixtures/own-clock-server.mjs --shy-once ${marker}`,
      '--json',
      '--family',
      'real-traffic',
    );
    expect(existsSync(marker), 'the server dropped its first hook').toBe(true);
    expect(summary.groups['events']).toEqual({ cases: 4, identical: 4 });
  });
});

describe('a reader slower than the grader', () => {
  // More than a pipe and its reader's buffers hold (64 KiB in the kernel, up to 64 KiB in node).
  const WRITTEN_BYTES = 512 * 1024;
  // Long enough for the writer to have written everything and, had it not waited, exited.
  const READER_ASLEEP_MS = 2_000;

  it('gets-the-last-line-the-grader-wrote-though-it-read-nothing-while-the-grader-finished', async () => {
    const writer = `
      import { exitOnceWritten } from '@hook-observatory/conformance/grader/report';
      process.stdout.write('x'.repeat(${WRITTEN_BYTES}) + '\\n{"cases":1}\\n');
      exitOnceWritten(1);`;
    const child = spawn(process.execPath, ['--input-type=module', '--eval', writer], {
      cwd: join(ROOT, 'packages/conformance'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.pause();
    const exited = once(child, 'exit');
    await Promise.race([exited, setTimeout(READER_ASLEEP_MS)]);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk)).resume();
    await once(child.stdout, 'end');
    const [code] = await exited;
    expect(Buffer.concat(chunks).toString('utf8').trimEnd().split('\n').at(-1)).toBe('{"cases":1}');
    expect(code).toBe(1);
  });
});
