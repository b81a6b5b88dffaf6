/**
 * The grader (`pnpm -s conformance`, run as a student runs it, outside vitest):
 * it grades a foreign program started with --command, shows the first failure
 * of each failing group with its note, prints the JSON summary last, and exits
 * 0 only when every case played is identical.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import { GROUPS } from '@hook-observatory/conformance/families';
import { GRADER_MAIN } from '@hook-observatory/conformance/grader/options';

const run = promisify(execFile);

interface Summary {
  cases: number;
  identical: number;
  skipped: number;
  groups: Record<string, { cases: number; identical: number }>;
}

async function conformance(...args: string[]): Promise<{ code: number; stdout: string; summary: Summary; summaries: Summary[] }> {
  const command = [process.execPath, GRADER_MAIN, ...args];
  const result = await run(command[0]!, command.slice(1), { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).then(
    (done) => ({ code: 0, stdout: done.stdout }),
    (failed: { code: number; stdout: string }) => ({ code: failed.code, stdout: failed.stdout }),
  );
  const lines = result.stdout.trimEnd().split('\n');
  const firstSummary = lines.findIndex((line) => line.startsWith('{"cases"'));
  const summaries = lines.slice(firstSummary).map((line) => JSON.parse(line) as Summary);
  return { ...result, summary: summaries.at(-1)!, summaries };
}

/** Families that finish fast and that a naive server fails. */
const FAMILIES = ['--family', 'real-traffic', '--family', 'routing'];

describe('the grader', () => {
  it('grades-a-naive-foreign-server-and-shows-its-first-failures', async () => {
    const { code, stdout, summary } = await conformance('--command', 'python3 test/fixtures/naive-server.py', '--json', ...FAMILIES);
    expect(code).toBe(1);
    expect(Object.keys(summary.groups)).toEqual(GROUPS.map((group) => group.name));
    expect(summary.cases).toBeGreaterThan(0);
    // An HTTP/1.0 answer with no Content-Type, and the raw body as the event: wrong in every group it meets.
    const failing = Object.entries(summary.groups).filter(([, score]) => score.cases > score.identical).map(([name]) => name);
    expect(failing).toEqual(['events', 'routing', 'keep-alive']);
    expect(stdout).toContain('== events: first failure real-traffic/curl-hooks-full-session');
    expect(stdout).toContain(`read: ${GROUPS.find((group) => group.name === 'events')!.note}`);
    expect(stdout).toContain('HTTP/1.⟦0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n');
  });

  it('passes-the-net-server-with-exit-status-0', async () => {
    const { code, summary } = await conformance('--server', 'net', '--json', '--family', 'real-traffic');
    expect(summary.identical).toBe(summary.cases);
    expect(summary.groups['events']).toEqual({ cases: 4, identical: 4 });
    expect(code).toBe(0);
  });

  it('grades-several-servers-in-one-run-one-summary-each-in-order', async () => {
    const { code, stdout, summaries } = await conformance('--server', 'lesson-1', '--server', 'net', '--json', '--family', 'real-traffic');
    expect(summaries.map((summary) => summary.groups['events'])).toEqual([
      { cases: 4, identical: 0 },
      { cases: 4, identical: 4 },
    ]);
    expect(stdout).toContain('lesson-1 against node:http');
    expect(stdout).toContain('net against node:http');
    expect(code).toBe(1);
  });

  it('counts-skipped-time-based-cases', async () => {
    const { summary } = await conformance('--server', 'net', '--json', '--skip-timeouts', '--family', 'keep-alive-timeout');
    expect(summary.cases).toBe(0);
    expect(summary.skipped).toBeGreaterThan(0);
  });
});
