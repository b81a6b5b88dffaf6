/**
 * A session's usage under what a transcript can be (core/src/transcript-usage.ts):
 * larger than the read bound, a line of 10 MB, a line nested a million deep, a
 * link out of the projects directory, a path outside it; and many questions at
 * once while hooks arrive, on both servers. The hooks must not wait for the
 * reads: asserted on the order answers come in, not on the clock.
 */
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_NAMES, startServer, type RunningServer } from '@hook-observatory/launcher';
import { MAX_TRANSCRIPT_READ_BYTES } from '@hook-observatory/core/internal/transcript-usage';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('usage-reliability-');
let config: string;
let project: string;

const assistant = (id: string, input: number): string =>
  JSON.stringify({
    type: 'assistant',
    requestId: `req_${id}`,
    message: {
      id,
      model: 'claude-haiku-4-5-20251001',
      usage: { input_tokens: input, output_tokens: 1 },
    },
  });
/** A user line of about a KiB: most of a transcript is not an assistant's usage. */
const FILLER = JSON.stringify({ type: 'user', message: { content: 'x'.repeat(1000) } });
/** Hard links of the huge transcript: each a path of its own, so each is read on its own. */
const HUGE_COPIES = 6;

/** The transcripts, each named by the session of the same name. */
function writeTranscripts(): void {
  config = temp.make();
  project = join(config, 'projects', '-home-dev-project');
  mkdirSync(project, { recursive: true });
  // Past the read bound by a MiB: one assistant line every hundred.
  const lines: string[] = [];
  let bytes = 0;
  for (let index = 0; bytes < MAX_TRANSCRIPT_READ_BYTES + 1024 * 1024; index++) {
    const line = index % 100 === 0 ? assistant(`huge-${index}`, 1) : FILLER;
    lines.push(line);
    bytes += line.length + 1;
  }
  writeFileSync(join(project, 'huge.jsonl'), `${lines.join('\n')}\n`);
  for (let copy = 1; copy < HUGE_COPIES; copy++) {
    linkSync(join(project, 'huge.jsonl'), join(project, `huge-${copy}.jsonl`));
  }
  const tenMegabytes = `{"type":"assistant","message":{"usage":{},"content":"${'y'.repeat(10 * 1024 * 1024)}"}}`;
  writeFileSync(
    join(project, 'long-line.jsonl'),
    [assistant('a', 1), tenMegabytes, assistant('b', 2), ''].join('\n'),
  );
  const deep = `{"type":"assistant","usage":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
  writeFileSync(join(project, 'deep.jsonl'), [deep, assistant('c', 3), ''].join('\n'));
  const outside = temp.make();
  writeFileSync(join(outside, 'secret.jsonl'), `${assistant('secret', 99)}\n`);
  symlinkSync(join(outside, 'secret.jsonl'), join(project, 'link-out.jsonl'));
  writeFileSync(join(config, 'beside.jsonl'), `${assistant('beside', 99)}\n`);
}

/** The session each transcript belongs to, and its path as a hook names it. */
const SESSIONS: Readonly<Record<string, () => string>> = {
  huge: () => join(project, 'huge.jsonl'),
  'long-line': () => join(project, 'long-line.jsonl'),
  deep: () => join(project, 'deep.jsonl'),
  'link-out': () => join(project, 'link-out.jsonl'),
  outside: () => join(config, 'beside.jsonl'),
  ...Object.fromEntries(
    Array.from({ length: HUGE_COPIES - 1 }, (_, index) => [
      `huge-${index + 1}`,
      () => join(project, `huge-${index + 1}.jsonl`),
    ]),
  ),
};

async function hook(server: RunningServer, body: object): Promise<number> {
  const answer = await fetch(`${server.origin}/hook?event=UserPromptSubmit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await answer.arrayBuffer();
  return answer.status;
}

async function usage(server: RunningServer, session: string) {
  const answer = await fetch(`${server.origin}/sessions/${session}/usage`);
  return { status: answer.status, body: (await answer.json()) as Record<string, any> };
}

beforeAll(() => writeTranscripts());
afterAll(() => temp.removeAll());

describe.each(SERVER_NAMES)('usage on %s', (name) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(name, { env: { CLAUDE_CONFIG_DIR: config } });
    for (const [session, path] of Object.entries(SESSIONS)) {
      expect(await hook(server, { session_id: session, transcript_path: path() })).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('huge: its last MAX_TRANSCRIPT_READ_BYTES read, and said so', async () => {
    const { status, body } = await usage(server, 'huge');
    expect(status).toBe(200);
    expect(body['read']).toMatchObject({ whole: false, bytes: MAX_TRANSCRIPT_READ_BYTES });
    expect(body['read'].from).toBe(body['read'].size - MAX_TRANSCRIPT_READ_BYTES);
    expect(body['total'].messages).toBeGreaterThan(0);
  });

  it('a line of 10 MB: skipped unparsed and counted, the lines around it counted', async () => {
    const { status, body } = await usage(server, 'long-line');
    expect(status).toBe(200);
    expect(body['read']).toMatchObject({ overlong_lines: 1, lines: 3, whole: true });
    expect(body['total']).toMatchObject({ messages: 2, input_tokens: 3 });
  });

  it('a line nested a million deep: unreadable, never parsed', async () => {
    const { status, body } = await usage(server, 'deep');
    expect(status).toBe(200);
    expect(body['read']).toMatchObject({ unreadable_lines: 1, lines: 2 });
    expect(body['total']).toMatchObject({ messages: 1, input_tokens: 3 });
  });

  it.for(['link-out', 'outside'])('%s: refused, nothing read', async (session) => {
    const { status, body } = await usage(server, session);
    expect(status).toBe(403);
    expect(JSON.stringify(body)).not.toMatch('99');
  });

  it('many questions at once while hooks arrive: the hooks go on between the reads', async () => {
    const sessions = [
      'huge',
      ...Array.from({ length: HUGE_COPIES - 1 }, (_, i) => `huge-${i + 1}`),
    ];
    const order: string[] = [];
    const questions = Array.from({ length: 48 }, (_, index) =>
      usage(server, sessions[index % sessions.length] as string).then((answer) => {
        order.push('usage');
        return answer.status;
      }),
    );
    const hooks: number[] = [];
    for (let index = 0; index < 20; index++) {
      hooks.push(await hook(server, { session_id: 'probe', marker: `probe-${index}` }));
      order.push('hook');
    }
    const statuses = await Promise.all(questions);
    expect(hooks.every((status) => status === 200)).toBe(true);
    // Two reads at a time, the rest queued: none is refused, and every one is answered.
    expect(new Set(statuses)).toEqual(new Set([200]));
    // Every hook was answered before the last read was: none waited for the reads.
    expect(order.lastIndexOf('hook')).toBeLessThan(order.lastIndexOf('usage'));
    const probes = (await server.waitForLines(Object.keys(SESSIONS).length + 20))
      .filter((line) => line.includes('"probe-'))
      .map((line) => /"marker":"(probe-\d+)"/.exec(line)?.[1]);
    expect(probes).toEqual(Array.from({ length: 20 }, (_, index) => `probe-${index}`));
  });
});
