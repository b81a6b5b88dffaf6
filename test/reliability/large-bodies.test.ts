/**
 * Bodies far past MAX_BODY_BYTES, sent the way a hostile local process would:
 * curl with a 600 MB file, by Content-Length and chunked, one at a time and
 * several at once. Before the body limits, one such request ended both
 * servers (ERR_STRING_TOO_LONG) and every later hook was lost. Now each is
 * refused (413, or 503 when the bodies held at once pass the shared budget),
 * leaves a record with `_error`, and the server goes on recording hooks.
 */
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '@hook-observatory/core/internal/protocol';
import {
  SERVER_NAMES,
  TRANSPORTS,
  startServer,
  type RunningServer,
} from '@hook-observatory/launcher';

const run = promisify(execFile);

/** The size of the request that used to end both servers. */
const HOSTILE_BODY_BYTES = 600 * 1024 * 1024;
/** Requests sent at once in the concurrent case, half of them chunked. */
const AT_ONCE = 6;
/** Ordinary hooks sent after the large ones. */
const ORDINARY_HOOKS = 10;
const NEWLINE = 0x0a;

let dir: string;
let bigFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hook-observatory-large-bodies-'));
  bigFile = join(dir, 'big');
  // A sparse file: 600 MB to read, none of it on disk.
  const fd = openSync(bigFile, 'w');
  ftruncateSync(fd, HOSTILE_BODY_BYTES);
  closeSync(fd);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * How curl sends the body: as the issue did (`--data-binary @big`, which
 * reads the whole file into curl's memory first), or streamed from the file
 * (`-T`, with POST), by Content-Length or chunked. The concurrent case
 * streams, so that six curls do not hold 600 MB each.
 */
type Sending = 'data-binary' | 'streamed' | 'streamed-chunked';

const CURL_BODY: Readonly<Record<Sending, () => string[]>> = {
  'data-binary': () => ['--data-binary', `@${bigFile}`],
  streamed: () => ['-T', bigFile, '-X', 'POST'],
  'streamed-chunked': () => ['-T', bigFile, '-X', 'POST', '-H', 'Transfer-Encoding: chunked'],
};

function target(server: RunningServer, event: string): string[] {
  const path = `/hook?event=${event}`;
  return server.transport === 'unix'
    ? ['--unix-socket', server.socketPath, `http://localhost${path}`]
    : [`${server.origin}${path}`];
}

/** curl as the issue ran it, `Expect:` off so that the body starts at once. Resolves to the status curl saw. */
async function curlBig(server: RunningServer, sending: Sending, event: string): Promise<number> {
  const args = [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    ...CURL_BODY[sending](),
    '-H',
    'Content-Type: application/json',
    '-H',
    'Expect:',
  ];
  const { stdout } = await run('curl', [...args, ...target(server, event)]).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return Number(stdout);
}

async function curlHook(server: RunningServer, event: string): Promise<number> {
  const { stdout } = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-H',
    'Content-Type: application/json',
    '-d',
    '{"ordinary":true}',
    ...target(server, event),
  ]);
  return Number(stdout);
}

/** The stream's records once it holds `count` lines: each event is written before its answer, but read by us a little later. */
async function records(
  server: RunningServer,
  count: number,
): Promise<Array<Record<string, unknown>>> {
  return (await server.waitForLines(count)).map(
    (line) => JSON.parse(line) as Record<string, unknown>,
  );
}

describe.each(TRANSPORTS)('over %s', (transport) => {
  describe.each(SERVER_NAMES)('the %s server', (name) => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(name, { transport });
    });
    afterAll(async () => {
      await server.stop();
    });

    // Streamed: the server sees the same head as from --data-binary, without curl first reading
    // 600 MB into its memory (4 s of CPU each time); the last case sends it that way, in the slow tier.
    it('a-600-mb-content-length-body-is-refused-before-it-is-read', async () => {
      expect(await curlBig(server, 'streamed', 'BigByLength')).toBe(413);
      const record = (await records(server, 1)).find((line) => line['_event'] === 'BigByLength');
      expect(record).toMatchObject({
        _event: 'BigByLength',
        _error: `body over the ${MAX_BODY_BYTES}-byte limit`,
        _body_bytes: HOSTILE_BODY_BYTES,
      });
    });

    it('a-600-mb-chunked-body-is-refused-once-it-passes-the-limit', async () => {
      expect(await curlBig(server, 'streamed-chunked', 'BigChunked')).toBe(413);
      const record = (await records(server, 2)).find((line) => line['_event'] === 'BigChunked');
      expect(record?.['_error']).toBe(`body over the ${MAX_BODY_BYTES}-byte limit`);
      // The bytes that had arrived: past the limit, far short of the whole body.
      expect(record?.['_body_bytes']).toBeGreaterThan(MAX_BODY_BYTES);
      expect(record?.['_body_bytes']).toBeLessThan(HOSTILE_BODY_BYTES);
    });

    it('several-large-bodies-at-once-are-each-refused-and-recorded', async () => {
      const statuses = await Promise.all(
        Array.from({ length: AT_ONCE }, (_, index) =>
          curlBig(server, index % 2 === 0 ? 'streamed' : 'streamed-chunked', `AtOnce${index}`),
        ),
      );
      // 413 for each, unless the bodies held at once passed the shared budget first: then 503.
      for (const status of statuses) expect([413, 503]).toContain(status);
      const refused = (await records(server, 2 + AT_ONCE)).filter((line) =>
        String(line['_event']).startsWith('AtOnce'),
      );
      expect(refused.map((line) => line['_event']).sort()).toEqual(
        Array.from({ length: AT_ONCE }, (_, index) => `AtOnce${index}`).sort(),
      );
      for (const line of refused) expect(line['_error']).toEqual(expect.any(String));
    });

    it('afterwards-ordinary-hooks-are-answered-and-recorded', async () => {
      const before = 2 + AT_ONCE;
      for (let index = 0; index < ORDINARY_HOOKS; index++) {
        expect(await curlHook(server, `After${index}`)).toBe(200);
      }
      const after = (await records(server, before + ORDINARY_HOOKS)).slice(before);
      expect(after.map((line) => line['_event'])).toEqual(
        Array.from({ length: ORDINARY_HOOKS }, (_, index) => `After${index}`),
      );
      expect(after.every((line) => line['ordinary'] === true && line['_error'] === undefined)).toBe(
        true,
      );
      // Standard error said so once for each kind of refusal, not once per request.
      expect(server.stderr().match(/with 413: body over the/g)).toHaveLength(1);
      expect(server.process.exitCode).toBeNull();
    });

    it(
      'a-600-mb-body-curl-reads-whole-first-is-refused-as-the-issue-sent-it',
      { tags: ['slow'] },
      async () => {
        // Alone in the slow tier or after the cases above: one line more than the server holds now.
        const linesBefore = server.stdout().filter((byte) => byte === NEWLINE).length;
        expect(await curlBig(server, 'data-binary', 'BigWhole')).toBe(413);
        const record = (await records(server, linesBefore + 1)).at(-1);
        expect(record).toMatchObject({ _event: 'BigWhole', _body_bytes: HOSTILE_BODY_BYTES });
        expect(server.process.exitCode).toBeNull();
      },
    );
  });
});
