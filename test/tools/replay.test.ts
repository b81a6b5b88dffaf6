/**
 * pnpm -s replay: a recorded session (a capture, or a server's log) read back
 * as the hooks Claude Code sent, each once, and sent to either server over
 * TCP or a Unix socket, which records the same events as the session's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { loadTraffic, SESSIONS, trafficFile } from '@hook-observatory/conformance/traffic';
import { parseRecording, SAME_HOOK_WINDOW_MS } from '@hook-observatory/tools/recording';
import { MAX_PAUSE_MS, pauseBefore } from '@hook-observatory/tools/replay-command';
import { tempDirs } from '../helpers/temp-dirs.js';

const ROOT = resolve(import.meta.dirname, '../..');
const REPLAY = join(ROOT, 'packages/tools/dist/replay-command.js');
const FIXTURE = (session: string): string => join(ROOT, `test/fixtures/sessions/${session}.jsonl`);

const dirs = tempDirs('replay-');
const started: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
  dirs.removeAll();
});

function replay(args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [REPLAY, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CLAUDE_REST_HOOK_WATCHER: '', HOOK_OBSERVATORY_TOKEN: '' },
  });
  return { status: result.status, stderr: result.stderr };
}

describe('the recorded sessions in test/fixtures', () => {
  it.for(SESSIONS.map((session) => ({ session })))(
    '$session holds each hook of the capture once, in order',
    ({ session }) => {
      const fixture = readFileSync(FIXTURE(session), 'utf8');
      const capture = readFileSync(trafficFile(session), 'utf8');
      // Each hook once: the capture's three deliveries of a hook are one line here.
      expect(parseRecording(fixture)).toEqual(parseRecording(capture));
      const lines = fixture.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(parseRecording(capture).length);
      const keys = lines.map((line) => {
        const { url, bodyBase64 } = JSON.parse(line) as { url: string; bodyBase64: string };
        return `${url} ${bodyBase64}`;
      });
      expect(new Set(keys).size).toBe(keys.length);
      // Every line is the capture's own, unchanged.
      const captured = new Set(capture.split('\n'));
      expect(lines.every((line) => captured.has(line))).toBe(true);
      expect(loadTraffic(session).length).toBeGreaterThan(lines.length);
    },
  );
});

describe('reading a recording', () => {
  const at = (ms: number): string => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  it.for([
    {
      name: 'a log line loses the server fields and gets back a key that clashed with one',
      line: {
        _ts: at(0),
        _event: 'Stop',
        _client: '127.0.0.1',
        session_id: 's',
        _ts_from_payload: 'x',
      },
      body: '{"session_id":"s","_ts":"x"}',
    },
    {
      name: 'a body that was not JSON is sent as it came',
      line: { _ts: at(0), _event: 'Stop', _raw: 'not json', _error: 'x' },
      body: 'not json',
    },
    {
      name: 'JSON that was not an object is sent as that JSON',
      line: { _ts: at(0), _event: 'Stop', _payload: [1, 2] },
      body: '[1,2]',
    },
  ])('$name', ({ line, body }) => {
    const [hook] = parseRecording(`${JSON.stringify(line)}\n`);
    expect(hook?.event).toBe('Stop');
    expect(hook?.body.toString('utf8')).toBe(body);
  });

  it('a hook delivered again later, or on the same connection, is a hook of its own', () => {
    const capture = (t: number, conn: number): string =>
      JSON.stringify({ t: at(t), conn, url: '/hook?event=Notification', bodyBase64: 'e30=' });
    const text = [
      capture(0, 1),
      capture(5, 2), // another delivery of the same hook
      capture(10, 1), // the same connection: sent again
      capture(SAME_HOOK_WINDOW_MS * 3, 3), // a second later and more: another hook
    ].join('\n');
    expect(parseRecording(text)).toHaveLength(3);
  });

  it('lines that are neither a log nor a capture are skipped', () => {
    expect(parseRecording('not json\n[1]\n{"no":"event"}\n')).toEqual([]);
  });

  it('the recorded pace keeps the pauses between hooks, cut to MAX_PAUSE_MS', () => {
    const hook = (atMs: number | undefined) => ({ event: 'Stop', body: Buffer.alloc(0), at: atMs });
    expect(pauseBefore(hook(1_500), hook(1_000))).toBe(500);
    expect(pauseBefore(hook(10 * MAX_PAUSE_MS), hook(0))).toBe(MAX_PAUSE_MS);
    expect(pauseBefore(hook(0), undefined)).toBe(0);
    expect(pauseBefore(hook(undefined), hook(0))).toBe(0);
  });
});

describe.each(SERVER_NAMES)('replayed into the %s server', (name) => {
  it('a capture over TCP, then the log it made over a Unix socket: the same events', async () => {
    const session = 'permission';
    const hooks = parseRecording(readFileSync(FIXTURE(session), 'utf8'));
    const log = join(dirs.make(), 'hooks.jsonl');
    const first = await startServer(name, { args: ['--log', log] });
    started.push(first);
    const sent = replay(['--fast', '--port', String(first.port), FIXTURE(session)]);
    expect(sent.stderr).toBe(
      `replay: sent ${hooks.length} hooks to 127.0.0.1:${first.port}; ${hooks.length} answered 200\n`,
    );
    expect(sent.status).toBe(0);
    const events = await first.waitForLines(hooks.length);
    expect(events.map((line) => JSON.parse(line)._event)).toEqual(hooks.map((hook) => hook.event));

    const second = await startServer(name, { transport: 'unix' });
    started.push(second);
    const again = replay(['--fast', '--socket', second.socketPath, log]);
    expect(again.status).toBe(0);
    const replayed = await second.waitForLines(hooks.length);
    // Over a Unix socket the sender is named by its credentials, not an address.
    const payload = (line: string): unknown => {
      const { _client, _peer_pid, _peer_uid, _peer_gid, ...rest } = JSON.parse(line) as Record<
        string,
        unknown
      >;
      return rest;
    };
    expect(replayed.map(payload)).toEqual(events.map(payload));
  });
});

describe('what replay says when it cannot', () => {
  it.for([
    {
      name: 'no such file',
      args: ['/nonexistent/hooks.jsonl'],
      status: 2,
      line: /^replay: \/nonexistent\/hooks\.jsonl: no such file\n$/,
    },
    {
      name: 'no server on the port',
      args: ['--fast', '--port', '1', FIXTURE('teammate')],
      status: 1,
      line: /^replay: nothing listens on 127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    },
    {
      name: 'no socket at the path',
      args: ['--socket', '/nonexistent/x.sock', FIXTURE('teammate')],
      status: 1,
      line: /^replay: no socket at \/nonexistent\/x\.sock \(ENOENT\)/,
    },
    {
      name: 'a file that holds no hook',
      args: [join(ROOT, 'package.json')],
      status: 2,
      line: /holds no hook/,
    },
  ])('$name', ({ args, status, line }) => {
    const result = replay(args);
    expect(result.status).toBe(status);
    expect(result.stderr).toMatch(line);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});
