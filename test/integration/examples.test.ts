/**
 * Every example in the servers' --help and in the README's quick start runs
 * here against the real servers and does what its text says. A new example
 * fails the first test until it is given a case below.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_PORT } from '@hook-observatory/core';
import { usage } from '@hook-observatory/core/internal/config';
import { tempDirs } from '../helpers/temp-dirs.js';
import { ROOT, SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';

const PROGRAM = 'hook-observatory-http';
const examples = (): string[] => {
  const text = usage(PROGRAM).split('\nExamples:\n')[1]!;
  // A line ending in a backslash goes on on the next one, as in a shell.
  return text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().replace(/\s+#.*$/, ''));
};

/** The curl example, aimed at a server started for the test. */
function curlExample(port: number): string {
  const line = examples().find((example) => example.startsWith('curl '))!;
  return line.replace(`127.0.0.1:${DEFAULT_PORT}`, `127.0.0.1:${port}`);
}

let server: RunningServer | undefined;
const temp = tempDirs('examples-');
afterEach(async () => {
  await server?.stop();
  server = undefined;
  temp.removeAll();
});
const tempDir = temp.make;

describe('the --help examples', () => {
  it('are-the-ones-tested-here', () => {
    expect(examples()).toEqual([
      PROGRAM,
      `${PROGRAM} --port 8080 --pretty-yaml`,
      `${PROGRAM} --socket /tmp/hooks.sock --mode 0600`,
      `${PROGRAM} --output-socket /tmp/hooks-out.sock --tee | jq .`,
      `${PROGRAM} --log ~/hooks.jsonl`,
      `curl -sS --fail-with-body -H 'Content-Type: application/json' -d '{"a":1}' 'http://127.0.0.1:${DEFAULT_PORT}/hook?event=Test'`,
    ]);
  });

  describe.each(SERVER_NAMES)('on the %s server', (name) => {
    it('the-curl-example-is-answered-200-and-recorded', async () => {
      server = await startServer(name);
      const out = execFileSync('sh', ['-c', curlExample(server.port)], { encoding: 'utf8' });
      expect(out).toBe('');
      const [line] = await server.waitForLines(1);
      expect(JSON.parse(line!)).toMatchObject({ _event: 'Test', a: 1 });
    });

    it('the-curl-example-shows-a-refusal', async () => {
      server = await startServer(name, { args: ['--token', 'secret'] });
      const result = spawnSync('sh', ['-c', curlExample(server.port)], { encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/401/);
    });

    it('--pretty-yaml-writes-yaml-documents', async () => {
      server = await startServer(name, { args: ['--pretty-yaml'] });
      execFileSync('sh', ['-c', curlExample(server.port)]);
      await expect
        .poll(() => server!.stdout().toString('utf8'), { timeout: 10_000 })
        .toMatch(/^---\n/);
      expect(parse(server.stdout().toString('utf8'))).toMatchObject({ _event: 'Test', a: 1 });
    });

    it('--socket-with-mode-0600', async () => {
      server = await startServer(name, { transport: 'unix', args: ['--mode', '0600'] });
      expect(statSync(server.socketPath).mode & 0o777).toBe(0o600);
    });

    it('--output-socket-with-tee-feeds-both', async () => {
      const path = join(tempDir(), 'hooks-out.sock');
      server = await startServer(name, { args: ['--output-socket', path, '--tee'] });
      const reader = connect(path);
      let read = '';
      reader.on('data', (chunk: Buffer) => (read += chunk.toString('utf8')));
      await new Promise((ready) => reader.once('connect', ready));
      await server.waitForStderr(/reader #1 connected/);
      execFileSync('sh', ['-c', curlExample(server.port)]);
      await expect.poll(() => read, { timeout: 10_000 }).toMatch(/"_event":"Test"/);
      const [line] = await server.waitForLines(1);
      expect(line).toBe(read.trim());
      // The example pipes standard output through jq: it is JSON jq reads.
      expect(
        JSON.parse(execFileSync('jq', ['-c', '.'], { input: line, encoding: 'utf8' })),
      ).toMatchObject({ a: 1 });
      reader.destroy();
    });

    it('--log-keeps-every-event-in-the-file', async () => {
      const home = tempDir();
      server = await startServer(name, {
        args: ['--pretty-json', '--log', join(home, 'hooks.jsonl')],
      });
      execFileSync('sh', ['-c', curlExample(server.port)]);
      await expect
        .poll(() => readFileSync(join(home, 'hooks.jsonl'), 'utf8'), { timeout: 10_000 })
        .toMatch(/^\{"_ts":.*"_event":"Test".*\}\n$/);
    });
  });
});

describe('the README quick start', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const SESSIONS_COMMAND = 'pnpm -s query --sessions ~/hooks.jsonl';
  const FAILED_COMMAND =
    'pnpm -s query --event PostToolUseFailure --since 06:00 --columns time,session,tool,error ~/hooks.jsonl';

  it('shows-the-two-questions', () => {
    expect(readme).toContain('pnpm -s start --log ~/hooks.jsonl');
    expect(readme).toContain(SESSIONS_COMMAND);
    expect(readme).toContain(FAILED_COMMAND);
  });

  it('answers-them-on-a-day-kept-by-a-real-server', async () => {
    const home = tempDir();
    server = await startServer(SERVER_NAMES[0]!, {
      args: ['--log', join(home, 'hooks.jsonl')],
      fixedClock: false,
    });
    const send = (body: object, event: string): void =>
      void execFileSync('curl', [
        '-sS',
        '--fail-with-body',
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify(body),
        `http://127.0.0.1:${server!.port}/hook?event=${event}`,
      ]);
    const session = { session_id: 'abcdef12-0000', cwd: '/home/dev/project' };
    send({ ...session, hook_event_name: 'SessionStart' }, 'SessionStart');
    send(
      {
        ...session,
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'false' },
      },
      'PreToolUse',
    );
    send(
      {
        ...session,
        hook_event_name: 'PostToolUseFailure',
        tool_name: 'Bash',
        error: 'Exit code 1',
      },
      'PostToolUseFailure',
    );
    send(
      {
        ...session,
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'sleep 60' },
      },
      'PreToolUse',
    );
    await expect
      .poll(() => readFileSync(join(home, 'hooks.jsonl'), 'utf8').split('\n').length, {
        timeout: 10_000,
      })
      .toBe(5);
    const run = (command: string): string =>
      execFileSync('sh', ['-c', command], {
        cwd: ROOT,
        env: { ...process.env, HOME: home, NO_COLOR: '1' },
        encoding: 'utf8',
      });
    expect(run(SESSIONS_COMMAND)).toMatch(
      /abcdef12\s+running tool\s+Bash\s+\S+\s+1\s+1\s+\/home\/dev\/project/,
    );
    // "This morning": 06:00 today, local time; the events were sent just now.
    const failed = run(FAILED_COMMAND);
    const after6 = new Date().getHours() >= 6;
    expect(failed).toMatch(
      after6 ? /abcdef12\s+Bash\s+Exit code 1/ : /^time\s+session\s+tool\s+error\n?$|^$/,
    );
  }, 120_000);
});
