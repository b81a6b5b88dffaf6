/**
 * hook-observatory-query as a user runs it, on the recorded sessions as a
 * server's --log keeps them: filters, the last N, the three outputs, colour
 * only on request of a terminal, rotated files read in order, standard input,
 * and --watch following the log across a rotation.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allTrafficLog } from '../helpers/traffic-log.js';
import { ROOT } from '@hook-observatory/launcher';

const QUERY = join(ROOT, 'packages/query/dist/main.js');
const dir = mkdtempSync(join(tmpdir(), 'query-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LOG = join(dir, 'hooks.jsonl');
const logBytes = allTrafficLog();
writeFileSync(LOG, logBytes);
const logLines = logBytes
  .toString('utf8')
  .split('\n')
  .filter((line) => line !== '');
const logEvents = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

function query(
  args: readonly string[],
  options: { input?: Buffer; env?: Record<string, string> } = {},
) {
  const result = spawnSync(process.execPath, [QUERY, ...args], {
    input: options.input,
    env: { ...process.env, NO_COLOR: '', ...options.env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const rowsOf = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .slice(1);

describe('filters', () => {
  const cases = [
    {
      name: 'one event',
      args: ['--event', 'PostToolUseFailure'],
      keep: (e: Record<string, unknown>) => e['_event'] === 'PostToolUseFailure',
    },
    {
      name: 'either of two events',
      args: ['--event', 'Stop', '--event', 'StopFailure'],
      keep: (e: Record<string, unknown>) => e['_event'] === 'Stop' || e['_event'] === 'StopFailure',
    },
    {
      name: 'two events with a comma',
      args: ['--event', 'PostToolUse,PostToolUseFailure'],
      keep: (e: Record<string, unknown>) =>
        e['_event'] === 'PostToolUse' || e['_event'] === 'PostToolUseFailure',
    },
    {
      name: 'two tools with a comma',
      args: ['--tool', 'Bash,Write'],
      keep: (e: Record<string, unknown>) => e['tool_name'] === 'Bash' || e['tool_name'] === 'Write',
    },
    {
      name: 'a tool',
      args: ['--tool', 'Bash'],
      keep: (e: Record<string, unknown>) => e['tool_name'] === 'Bash',
    },
    {
      name: 'an event and a tool',
      args: ['--event', 'PreToolUse', '--tool', 'Write'],
      keep: (e: Record<string, unknown>) =>
        e['_event'] === 'PreToolUse' && e['tool_name'] === 'Write',
    },
    {
      name: 'a session by prefix',
      args: ['--session', 'b49b'],
      keep: (e: Record<string, unknown>) => String(e['session_id']).startsWith('b49b'),
    },
    {
      name: 'since a time',
      args: ['--since', '2026-11-25T21:07:40Z'],
      keep: (e: Record<string, unknown>) => String(e['_ts']) >= '2026-11-25T21:07:40.000Z',
    },
  ];
  it.each(cases)('$name', ({ args, keep }) => {
    const result = query(['--json', ...args, LOG]);
    expect(result.status).toBe(0);
    const expected = logLines.filter((_, index) => keep(logEvents[index]!));
    expect(expected.length).toBeGreaterThan(0);
    expect(result.stdout).toBe(expected.map((line) => `${line}\n`).join(''));
  });

  it('a-duration-reaches-back-from-now', () => {
    const recent = JSON.stringify({ _ts: new Date().toISOString(), _event: 'Recent' });
    const old = JSON.stringify({
      _ts: new Date(Date.now() - 3_600_000).toISOString(),
      _event: 'Old',
    });
    expect(
      query(['--json', '--since', '10m'], { input: Buffer.from(`${old}\n${recent}\n`) }).stdout,
    ).toBe(`${recent}\n`);
  });

  it('the-last-n-are-the-newest-in-order', () => {
    expect(query(['--json', '-n', '3', LOG]).stdout).toBe(
      logLines
        .slice(-3)
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  it('bad-flags-are-a-usage-error', () => {
    for (const args of [
      ['--since', 'yesterday'],
      ['-n', 'ten'],
      ['--json', '--csv'],
      ['--watch'],
      ['--bogus'],
    ]) {
      const result = query(args, { input: Buffer.alloc(0) });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^hook-observatory-query: [^\n]+\n$/);
    }
  });

  it.each([
    {
      name: 'unknown-event',
      args: ['--event', 'PostToolUse,Bogus', LOG],
      line: /^hook-observatory-query: --event: unknown "Bogus"; the events are: Setup, SessionStart, .*PostToolUseFailure/,
    },
    {
      name: 'missing-file',
      args: [join(dir, 'missing.jsonl')],
      line: new RegExp(
        `^hook-observatory-query: ${join(dir, 'missing.jsonl')}: no such file \\(the FILE a server keeps with --log\\)$`,
      ),
    },
    { name: 'a-directory', args: [dir], line: /^hook-observatory-query: .+: not a file/ },
    {
      name: 'unknown-column',
      args: ['--columns', 'event,nosuch', LOG],
      line: /^hook-observatory-query: --columns: unknown "nosuch"; the columns are: time, event, tool, session, detail, or a field \(a dot reaches inside\): _ts, .*tool_input, /,
    },
    {
      name: 'an-event-field-as-a-session-column',
      args: ['--sessions', '--columns', 'tool_name', LOG],
      line: /^hook-observatory-query: --columns: unknown "tool_name"; the columns are: session, state, .*toolsRun/,
    },
    {
      name: 'no-column-named',
      args: ['--columns', ',', LOG],
      line: /^hook-observatory-query: --columns: no column named; the columns are: time, /,
    },
  ])('$name-is-one-line-naming-what-is-valid-and-exit-2', ({ args, line }) => {
    const result = query(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toMatch(line);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('outputs', () => {
  it('every-field-a-recorded-hook-sends-is-a-column', () => {
    const fields = [...new Set(logEvents.flatMap((event) => Object.keys(event)))];
    const result = query(['--json', '--columns', fields.join(','), '-n', '1', LOG]);
    expect(result.stderr).toBe('');
    expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual(fields);
  });

  it('a-table-with-aligned-columns', () => {
    const lines = query(['--event', 'PostToolUseFailure', LOG])
      .stdout.split('\n')
      .filter((line) => line !== '');
    expect(lines[0]).toMatch(/^time\s+event\s+tool\s+session\s+detail$/);
    const starts = (line: string): number[] =>
      ['PostToolUseFailure', '4fd21fc0'].map((word) => line.indexOf(word));
    expect(new Set(lines.slice(1).map((line) => starts(line).join()))).toHaveProperty('size', 1);
    expect(lines[1]).toContain('Exit code 3');
  });

  it('csv-quotes-what-needs-quoting', () => {
    const result = query([
      '--csv',
      '--columns',
      'event,tool_input.command',
      '--event',
      'PreToolUse',
      '--tool',
      'Bash',
      '-n',
      '1',
      LOG,
    ]);
    const last = logEvents
      .filter((e) => e['_event'] === 'PreToolUse' && e['tool_name'] === 'Bash')
      .at(-1)!;
    const command = String((last['tool_input'] as Record<string, unknown>)['command']);
    const cell = /[",\r\n]/.test(command) ? `"${command.replace(/"/g, '""')}"` : command;
    expect(result.stdout).toBe(`event,tool_input.command\r\nPreToolUse,${cell}\r\n`);
  });

  it('json-with-columns-gives-just-those', () => {
    const result = query([
      '--json',
      '--columns',
      'event,tool',
      '--event',
      'PostToolUseFailure',
      LOG,
    ]);
    expect(result.stdout).toBe(
      '{"event":"PostToolUseFailure","tool":"Bash"}\n{"event":"PostToolUseFailure","tool":"EnterWorktree"}\n',
    );
  });

  it('no-colour-on-a-pipe', () => {
    expect(query(['--event', 'PostToolUseFailure', LOG]).stdout).not.toContain('\x1b[');
  });

  it('colour-on-a-terminal-unless-NO_COLOR', () => {
    // `script` gives the query a terminal for its standard output.
    const run = (noColor: string): string =>
      spawnSync(
        'script',
        [
          '-qec',
          `NO_COLOR=${noColor} ${process.execPath} ${QUERY} --event PostToolUseFailure ${LOG}`,
          '/dev/null',
        ],
        { encoding: 'utf8' },
      ).stdout;
    expect(run('')).toContain('\x1b[31m');
    expect(run('1')).not.toContain('\x1b[');
  });

  it('sessions-one-row-each', () => {
    const rows = rowsOf(query(['--sessions', LOG]).stdout);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^\w{8}\s+ended\s+.*\/home\/dev\/project$/);
  });

  it.each([
    {
      name: 'a-tool',
      args: ['--tool', 'Write'],
      keep: (e: Record<string, unknown>) => e['tool_name'] === 'Write',
    },
    {
      name: 'an-event',
      args: ['--event', 'PostToolUseFailure'],
      keep: (e: Record<string, unknown>) => e['_event'] === 'PostToolUseFailure',
    },
  ])('sessions-with-$name-are-those-with-such-an-event-in-their-full-state', ({ args, keep }) => {
    const ids = new Set(logEvents.filter(keep).map((e) => String(e['session_id']).slice(0, 8)));
    const all = rowsOf(query(['--sessions', LOG]).stdout);
    const rows = rowsOf(query(['--sessions', ...args, LOG]).stdout);
    expect(rows.map((row) => row.slice(0, 8)).sort()).toEqual([...ids].sort());
    // The state is worked out from every event of the session, as without the filter.
    for (const row of rows) expect(all).toContain(row);
  });
});

describe('sources', () => {
  it('rotated-files-are-read-oldest-first-then-the-log', () => {
    const rotatedDir = mkdtempSync(join(dir, 'rotated-'));
    const path = join(rotatedDir, 'hooks.jsonl');
    const third = Math.floor(logLines.length / 3);
    const part = (from: number, to?: number): string =>
      logLines
        .slice(from, to)
        .map((line) => `${line}\n`)
        .join('');
    writeFileSync(`${path}.20261125T210700000Z-000`, part(0, third));
    writeFileSync(`${path}.20261125T210700000Z-001`, part(third, 2 * third));
    writeFileSync(path, part(2 * third));
    expect(query(['--json', path]).stdout).toBe(logBytes.toString('utf8'));
  });

  it('standard-input-when-no-file-is-given', () => {
    expect(query(['--json', '--tool', 'Write'], { input: logBytes }).stdout).toBe(
      logLines
        .filter((_, index) => logEvents[index]!['tool_name'] === 'Write')
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  it('lines-that-are-not-json-are-skipped', () => {
    expect(
      query(['--json'], { input: Buffer.from('not json\n{"_event":"A"}\n{"_ev') }).stdout,
    ).toBe('{"_event":"A"}\n');
  });
});

describe("an input that is not the server's log", () => {
  const CAPTURE = join(ROOT, 'test/fixtures/sessions/full.jsonl');
  const STRAY = join(dir, 'stray.jsonl');
  writeFileSync(STRAY, '{"session_id":"s1","hook_event_name":"Stop"}\nnot json\n');
  const EMPTY = join(dir, 'empty.jsonl');
  writeFileSync(EMPTY, '');
  const captureLine = `^hook-observatory-query: ${CAPTURE}: not the server's log \\(--log FILE\\): it is a capture of the requests, which \`replay\` sends to a server that logs them\n$`;
  it.each([
    { name: 'a-capture-in-a-table', args: [CAPTURE], line: new RegExp(captureLine) },
    { name: 'a-capture-as-csv', args: ['--csv', CAPTURE], line: new RegExp(captureLine) },
    { name: 'a-capture-as-sessions', args: ['--sessions', CAPTURE], line: new RegExp(captureLine) },
    {
      name: 'a-capture-on-standard-input',
      args: [],
      input: readFileSync(CAPTURE),
      line: /^hook-observatory-query: standard input: not the server's log \(--log FILE\): it is a capture/,
    },
    {
      name: 'hook-payloads-without-the-logs-fields',
      args: [STRAY],
      line: new RegExp(
        `^hook-observatory-query: ${STRAY}: not the server's log \\(--log FILE\\): no line has the log's "_event" field\n$`,
      ),
    },
  ])('$name-is-one-line-on-stderr-nothing-on-stdout-and-exit-2', ({ args, input, line }) => {
    const result = query(args, { input: input ?? Buffer.alloc(0) });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^[^\n]+\n$/);
    expect(result.stderr).toMatch(line);
  });

  it('a-log-beside-a-capture-shows-the-log-and-names-the-capture', () => {
    const result = query(['--json', LOG, CAPTURE]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe(logBytes.toString('utf8'));
    expect(result.stderr).toMatch(new RegExp(captureLine));
  });

  it('an-empty-log-is-a-log-with-no-event-yet', () => {
    expect(query([EMPTY])).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});

describe('--watch', () => {
  it('follows-the-log-across-a-rotation', async () => {
    const watchDir = mkdtempSync(join(dir, 'watch-'));
    const path = join(watchDir, 'hooks.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify({ _ts: '2026-01-01T00:00:00.000Z', _event: 'First' })}\n`,
    );
    const child = spawn(process.execPath, [QUERY, '--watch', '--json', path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toContain('"First"');
      appendFileSync(path, `${JSON.stringify({ _event: 'BeforeRotation' })}\n`);
      renameSync(path, `${path}.20260101T000000000Z-000`);
      writeFileSync(path, `${JSON.stringify({ _event: 'AfterRotation' })}\n`);
      await expect.poll(() => out, { timeout: 15_000 }).toContain('"AfterRotation"');
      expect(
        out
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => (JSON.parse(line) as { _event: string })._event),
      ).toEqual(['First', 'BeforeRotation', 'AfterRotation']);
    } finally {
      child.kill();
    }
  });

  it('sessions-are-redrawn-as-events-arrive', async () => {
    const watchDir = mkdtempSync(join(dir, 'watch-'));
    const path = join(watchDir, 'hooks.jsonl');
    writeFileSync(path, '');
    const child = spawn(process.execPath, [QUERY, '--watch', '--sessions', path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      const full = logLines.filter((_, index) =>
        String(logEvents[index]!['session_id']).startsWith('4fd21fc0'),
      );
      const upTo = full.findIndex((line) => line.includes('"PreCompact"'));
      appendFileSync(
        path,
        full
          .slice(0, upTo + 1)
          .map((line) => `${line}\n`)
          .join(''),
      );
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/4fd21fc0\s+compacting/);
      appendFileSync(
        path,
        full
          .slice(upTo + 1)
          .map((line) => `${line}\n`)
          .join(''),
      );
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/4fd21fc0\s+ended/);
    } finally {
      child.kill();
    }
  });
});
