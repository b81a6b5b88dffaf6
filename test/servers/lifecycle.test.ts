/**
 * What a user sees around the requests: the command line, the socket files,
 * the sinks and formats, and a clean stop. The same for both servers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { parseAllDocuments } from 'yaml';
import { post } from '../helpers/clients.js';
import { SERVERS, SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';

const started: RunningServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
  dirs.push(dir);
  return dir;
}

function run(
  entry: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [entry, ...args], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Read `count` lines from an output socket reader. */
function readLines(path: string, count: number): Promise<string[]> {
  return new Promise((done, fail) => {
    const socket = connect(path);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const lines = text.split('\n').slice(0, -1);
      if (lines.length >= count) {
        socket.destroy();
        done(lines);
      }
    });
    socket.on('error', fail);
  });
}

describe.each(SERVER_NAMES)('the %s server', (name) => {
  const entry = SERVERS[name].file;

  describe('command line', () => {
    it('help-prints-usage-with-examples-and-exits-0', () => {
      const result = run(entry, ['--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage:');
      expect(result.stdout).toContain('Examples:');
      expect(result.stderr).toBe('');
    });

    it('version-prints-the-package-version', () => {
      const result = run(entry, ['--version']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^hook-observatory-(http|net) \d+\.\d+\.\d+\n$/);
    });

    it.each([
      { case: 'unknown-flag', args: ['--bogus'] },
      { case: 'bad-port', args: ['--port', 'x'] },
      { case: 'tee-alone', args: ['--tee'] },
    ])('$case-is-one-line-with-exit-2', ({ args }) => {
      const result = run(entry, args);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^hook-observatory-(http|net): [^\n]+\n$/);
    });
  });

  describe('unix socket files', () => {
    it.each([
      { case: 'default-mode-0660', args: [] as string[], mode: 0o660 },
      { case: 'mode-0600', args: ['--mode', '0600'], mode: 0o600 },
    ])('$case-from-the-first-instant', async ({ args, mode }) => {
      const dir = tempDir();
      const path = join(dir, 'hooks.sock');
      const child = spawn(process.execPath, [entry, '--socket', path, ...args], {
        stdio: 'ignore',
      });
      // Watch for the file from before it exists: the first mode ever seen must be the final one.
      let firstMode: number | undefined;
      for (let attempt = 0; attempt < 100_000 && firstMode === undefined; attempt++) {
        try {
          firstMode = lstatSync(path).mode & 0o777;
        } catch {
          await new Promise((tick) => setImmediate(tick));
        }
      }
      child.kill('SIGTERM');
      await new Promise((exit) => child.once('exit', exit));
      expect(firstMode).toBe(mode);
    });

    it('a-live-server-socket-is-never-stolen', async () => {
      const first = await startServer(name, { transport: 'unix' });
      started.push(first);
      const second = run(entry, ['--socket', first.socketPath]);
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`another server is listening on ${first.socketPath}`);
      const answer = await post(
        first,
        '/hook?event=StillMine',
        '{}',
        new Client('http://localhost', { socketPath: first.socketPath }),
      );
      expect(answer.status).toBe(200);
    });

    it('a-stale-socket-file-is-replaced', async () => {
      const dir = tempDir();
      const path = join(dir, 'stale.sock');
      // A socket file whose server died without removing it.
      spawnSync('python3', [
        '-c',
        `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(path)})`,
      ]);
      expect(lstatSync(path).isSocket()).toBe(true);
      const child = spawn(process.execPath, [entry, '--socket', path], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((ready) =>
        child.stderr.on('data', () => stderr.includes('ready') && ready()),
      );
      child.kill('SIGTERM');
      await new Promise((exit) => child.once('exit', exit));
      expect(stderr).toContain(`listening on unix:${path}`);
    });

    it('the-output-socket-gets-the-same-care', async () => {
      const outputPath = join(tempDir(), 'out.sock');
      const first = await startServer(name, {
        transport: 'unix',
        args: ['--output-socket', outputPath, '--mode', '0600'],
      });
      started.push(first);
      expect(lstatSync(outputPath).mode & 0o777).toBe(0o600);
      const second = run(entry, ['--port', '0', '--output-socket', outputPath]);
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`another server is listening on ${outputPath}`);
      expect(lstatSync(outputPath).isSocket()).toBe(true);
    });

    it('a-missing-directory-is-named-as-the-cause', () => {
      // libuv says EACCES for it, which read as "no permission".
      const result = run(entry, ['--socket', '/nonexistent-hook-observatory/x.sock']);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /^hook-observatory-(http|net): the directory \/nonexistent-hook-observatory does not exist \(--socket \/nonexistent-hook-observatory\/x\.sock\)\n$/,
      );
    });

    it('a-regular-file-is-never-replaced', () => {
      const path = join(tempDir(), 'precious.txt');
      writeFileSync(path, 'keep me');
      const result = run(entry, ['--socket', path]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('is not a socket');
      expect(readFileSync(path, 'utf8')).toBe('keep me');
    });
  });

  describe('stopping', () => {
    it.each(['SIGTERM', 'SIGINT'] as const)(
      '%s-exits-0-and-removes-its-socket-files',
      async (signal) => {
        const outputPath = join(tempDir(), 'out.sock');
        const server = await startServer(name, {
          transport: 'unix',
          args: ['--output-socket', outputPath],
        });
        expect(existsSync(server.socketPath)).toBe(true);
        expect(existsSync(outputPath)).toBe(true);
        const result = await server.stop(signal);
        expect(result).toEqual({ code: 0, signal: null });
        expect(existsSync(server.socketPath)).toBe(false);
        expect(existsSync(outputPath)).toBe(false);
      },
    );
  });

  describe('sinks and formats', () => {
    it('output-socket-gives-every-reader-the-stream-and-stdout-nothing', async () => {
      const outputPath = join(tempDir(), 'out.sock');
      const server = await startServer(name, { args: ['--output-socket', outputPath] });
      started.push(server);
      const readers = [readLines(outputPath, 2), readLines(outputPath, 2)];
      await server.waitForStderr(/\(2 now\)/);
      const client = new Client(server.origin);
      await post(server, '/hook?event=A', '{"n":1}', client);
      await post(server, '/hook?event=B', '{"n":2}', client);
      await client.close();
      const [one, two] = await Promise.all(readers);
      expect(one).toEqual(two);
      expect(one!.map((line) => JSON.parse(line)._event)).toEqual(['A', 'B']);
      expect(server.stdout().length).toBe(0);
    });

    it('tee-writes-both', async () => {
      const outputPath = join(tempDir(), 'out.sock');
      const server = await startServer(name, { args: ['--output-socket', outputPath, '--tee'] });
      started.push(server);
      const reader = readLines(outputPath, 1);
      await server.waitForStderr(/\(1 now\)/);
      const client = new Client(server.origin);
      await post(server, '/hook?event=A', '{"n":1}', client);
      await client.close();
      const [line] = await reader;
      expect(`${line}\n`).toBe(server.stdout().toString('utf8'));
    });

    it('pretty-json-is-indented', async () => {
      const server = await startServer(name, { args: ['--pretty-json'] });
      started.push(server);
      const client = new Client(server.origin);
      await post(server, '/hook?event=A', '{"n":{"m":1}}', client);
      await client.close();
      await server.waitForLines(8);
      expect(server.stdout().toString('utf8')).toBe(
        `${JSON.stringify({ _ts: '2026-01-01T00:00:00.000Z', _event: 'A', _client: '127.0.0.1', n: { m: 1 } }, null, 2)}\n`,
      );
    });

    it('pretty-yaml-is-one-document-per-event-without-colour-when-piped', async () => {
      const server = await startServer(name, { args: ['--pretty-yaml'] });
      started.push(server);
      const client = new Client(server.origin);
      await post(server, '/hook?event=A', '{"prompt":"two\\nlines"}', client);
      await post(server, '/hook?event=B', '{}', client);
      await client.close();
      await server.waitForLines(10);
      const text = server.stdout().toString('utf8');
      expect(text).not.toContain('\x1b[');
      expect(text).toContain('prompt: |-\n  two\n  lines\n');
      const documents = parseAllDocuments(text).map(
        (doc) => doc.toJSON() as Record<string, unknown>,
      );
      expect(documents.map((doc) => doc['_event'])).toEqual(['A', 'B']);
    });
  });
});
