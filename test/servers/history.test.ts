/**
 * History across a restart (README "Keep the stream and ask it questions"):
 * with --log, a server restarted on the same FILE starts its ring from FILE's
 * tail, every event keeps its id, and a viewer's Last-Event-ID resumes
 * exactly where it was. Without --log, a restarted server holds nothing. The
 * same, byte for byte, for both servers.
 */
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { INSTANCE_ENV } from '@hook-observatory/core/vocabulary';
import { post } from '../helpers/clients.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const dirs = tempDirs('history-');
const started: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
  dirs.removeAll();
});

/** Each run its own instance: a restart is a new process, and only the log can carry the ids across. */
async function start(name: string, args: string[], instance: string): Promise<RunningServer> {
  const server = await startServer(name as (typeof SERVER_NAMES)[number], {
    args,
    env: { [INSTANCE_ENV]: instance },
  });
  started.push(server);
  return server;
}

async function send(server: RunningServer, sessions: readonly string[]): Promise<void> {
  const client = new Client(server.origin);
  try {
    for (const session of sessions) {
      const answer = await post(
        server,
        '/hook?event=Stop',
        JSON.stringify({ session_id: session }),
        client,
      );
      expect(answer.status).toBe(200);
    }
  } finally {
    await client.close();
  }
}

/** The event messages of GET /events (the opening left out), once `count` have come. */
function stream(server: RunningServer, count: number, lastEventId?: string): Promise<string[]> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> =
      lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId };
    const request = httpRequest(`${server.origin}/events`, { headers }, (response) => {
      let text = '';
      const messages = (): string[] =>
        text.split('\n\n').filter((message) => message.startsWith('id: '));
      const check = (): void => {
        if (messages().length < count) return;
        request.destroy();
        done(messages());
      };
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        check();
      });
      response.on('error', () => {});
      check();
    });
    request.on('error', fail);
    request.end();
  });
}

/** The one event nobody sent: asked for once more than the stream holds, it shows nothing else came. */
async function streamHoldsExactly(
  server: RunningServer,
  lastEventId: string | undefined,
  expected: string[],
): Promise<void> {
  await send(server, ['marker']);
  const got = await stream(server, expected.length + 1, lastEventId);
  expect(got.slice(0, -1)).toEqual(expected);
  expect(got.at(-1)).toContain('"session_id":"marker"');
}

describe('history across a restart', () => {
  it('with --log, the same log gives both servers the same history and the same ids', async () => {
    const seen: Record<string, string[]> = {};
    for (const name of SERVER_NAMES) {
      const log = join(dirs.make(), 'hooks.jsonl');
      const first = await start(name, ['--log', log], 'one');
      await send(first, ['a1', 'a2', 'a3']);
      const before = await stream(first, 3);
      await first.stop();
      const second = await start(name, ['--log', log], 'two');
      // A new viewer sees what the first server held; one that resumes gets only what came since.
      expect(await stream(second, 3)).toEqual(before);
      const lastId = /^id: (\S+)$/m.exec(before[1] as string)?.[1];
      await streamHoldsExactly(second, lastId, [before[2] as string]);
      seen[name] = [...before, ...(await stream(second, 4))];
    }
    expect(seen['net']).toEqual(seen['http']);
  });

  it('without --log, a restarted server holds nothing of the one before', async () => {
    for (const name of SERVER_NAMES) {
      const first = await start(name, [], 'one');
      await send(first, ['b1']);
      const before = await stream(first, 1);
      await first.stop();
      const second = await start(name, [], 'two');
      const lastId = /^id: (\S+)$/m.exec(before[0] as string)?.[1];
      await streamHoldsExactly(second, lastId, []);
    }
  });
});
