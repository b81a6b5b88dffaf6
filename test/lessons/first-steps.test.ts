/**
 * The path's first steps say what they do. Lesson 0 listens itself, prints
 * each read as it arrives (a request sent in two writes shows as two reads)
 * and answers every request the same; the lessons before the full server
 * advertise no live view they do not serve, and refuse a hook without a JSON
 * Content-Type with an answer that says why. Lesson 0 on a taken port says so
 * in one line and exits 1, as the servers do.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from '@hook-observatory/launcher';
import { EXIT_START_FAILED } from '@hook-observatory/core/internal/serve';
import { LESSONS } from '@hook-observatory/lessons';
import { builtLesson as lesson } from '../helpers/built-lessons.js';

/** The lines lesson 0 prints for one read: its heading, then the bytes, a line per \n and one for a rest without it. */
const linesShown = (piece: string): number =>
  1 + piece.split('\n').length - (piece.endsWith('\n') ? 1 : 0);

/** Send `pieces` on one connection, each once lesson 0 has printed the read before it; resolves with all it answered. */
async function sendInPieces(server: RunningServer, pieces: readonly string[]): Promise<string> {
  const socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = once(socket, 'close');
  let shown = 0;
  for (const piece of pieces) {
    socket.write(piece);
    await server.waitForLines((shown += linesShown(piece)));
  }
  await closed;
  return Buffer.concat(received).toString('latin1');
}

/** docs/lessons.md's "Watch it arrive": the command, and what lesson 0 prints for it. */
function watchItArrive(): { command: string; printed: string } {
  const note = readFileSync(join(ROOT, 'docs/lessons.md'), 'utf8');
  const section = note.slice(note.indexOf('## Watch it arrive'));
  const command = /```sh\n([^]*?)\n```/.exec(section)![1]!;
  const printed = /```text\n([^]*?)```/.exec(section)![1]!;
  return {
    command: command.replaceAll(
      'pnpm -s send',
      `node ${join(ROOT, 'packages/tools/dist/send.js')}`,
    ),
    printed,
  };
}

describe('lesson 0', () => {
  let server: RunningServer;
  beforeEach(async () => {
    server = await startServer(lesson(0));
  });
  afterEach(async () => {
    await server?.stop();
  });

  it('prints-the-reads-lessons-md-shows-for-pnpm-send---split', async () => {
    const { command, printed } = watchItArrive();
    await promisify(execFile)('bash', ['-c', command.replaceAll('23518', String(server.port))], {
      cwd: ROOT,
    });
    await server.waitForLines(printed.split('\n').length - 1);
    expect(server.stdout().toString('latin1')).toBe(printed);
  });

  it('prints-each-read-as-it-arrives-and-answers-the-same-fixed-answer', async () => {
    const answer = await sendInPieces(server, [
      'GET /hook HTTP/1.1\r\nHo',
      'st: 127.0.0.1\r\n\r\n',
    ]);
    expect(answer).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 20\r\nConnection: close\r\n\r\nhello from lesson 0\n',
    );
    expect(server.stdout().toString('latin1')).toBe(
      [
        '-- connection 1, read 1: 22 bytes',
        'GET /hook HTTP/1.1\\r\\n',
        'Ho',
        '-- connection 1, read 2: 17 bytes',
        'st: 127.0.0.1\\r\\n',
        '\\r\\n',
        '',
      ].join('\n'),
    );
  });
});

it('lesson 0 on a port already taken says so in one line and exits 1, with no stack trace', async () => {
  const holder = createServer();
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  const { port } = holder.address() as AddressInfo;
  try {
    const { entry } = lesson(0);
    if (entry.kind !== 'node') throw new Error('lesson 0 is built to run on node');
    const run = promisify(execFile)(process.execPath, [entry.file, '--port', String(port)]);
    await expect(run).rejects.toMatchObject({
      code: EXIT_START_FAILED,
      stdout: '',
      stderr: `lesson 0: cannot listen on 127.0.0.1:${port}: is already in use (--port P picks another)\n`,
    });
  } finally {
    holder.close();
  }
});

/** Every lesson before the full server, which serves the live view. */
const OWN_LESSONS = LESSONS.slice(0, -1).map((_, index) => index + 1);

describe.each(OWN_LESSONS)('lesson %i', (number) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(lesson(number));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('advertises-no-live-view', () => {
    expect(server.stderr()).toMatch(/listening on http:/);
    expect(server.stderr()).not.toMatch(/live view/);
  });

  it('refuses-a-hook-without-a-json-content-type-saying-why', async () => {
    const response = await fetch(`${server.origin}/hook?event=Stop`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(response.status).toBe(415);
    expect(await response.text()).toContain('POST /hook takes Content-Type: application/json');
  });
});

it('a lesson refuses --viewer-port, since it serves no live view', async () => {
  const server = startServer(lesson(1), { args: ['--viewer-port', '23519'] });
  await expect(server).rejects.toThrow(/--viewer-port: this server serves no live view/);
});
