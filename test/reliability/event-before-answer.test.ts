/**
 * A client that has its 200 finds its event already written: each server
 * writes the event before the answer leaves, the net server also when it
 * writes a whole loop turn's events at once (packages/net-server/src/group-commit.ts,
 * endTurn). Standard output is a file, written synchronously, so the test
 * reads it the moment each answer arrives.
 *
 * Many connections pipeline large requests, so that one turn holds many
 * events and writing them takes long enough (megabytes) for an answer sent
 * before them to arrive first. Half the clients end their side after their
 * requests, and the others' last request asks to close: answers that leave
 * as a connection ends are checked too.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_NAMES, startServer } from '@hook-observatory/launcher';

const CONNECTIONS = 16;
const REQUESTS_PER_CONNECTION = 8;
/** 64 KiB events: 128 of them are 8 MiB to write. */
const PAD_BYTES = 64 * 1024;
const HEAD_END = '\r\n\r\n';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A request that asks to close gets an answer that leaves as the server ends its side. */
function request(id: number, asksToClose: boolean): Buffer {
  const body = JSON.stringify({
    id,
    hook_event_name: 'PostToolUse',
    tool_response: 'r'.repeat(PAD_BYTES),
  });
  return Buffer.from(
    `POST /hook?event=PostToolUse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `${asksToClose ? 'Connection: close\r\n' : ''}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    'latin1',
  );
}

/** The ids in the event file so far, read on from where the last call stopped. */
function eventFileReader(path: string): () => ReadonlySet<number> {
  const fd = openSync(path, 'r');
  cleanups.push(() => closeSync(fd));
  const ids = new Set<number>();
  let offset = 0;
  let partial = '';
  return () => {
    const size = fstatSync(fd).size;
    if (size > offset) {
      const bytes = Buffer.alloc(size - offset);
      offset += readSync(fd, bytes, 0, bytes.length, offset);
      const lines = (partial + bytes.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) ids.add((JSON.parse(line) as { id: number }).id);
    }
    return ids;
  };
}

describe.each(SERVER_NAMES)('the %s server', (name) => {
  it('every-200-finds-its-event-already-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-before-answer-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'events.jsonl');
    const fd = openSync(file, 'w');
    const server = await startServer(name, { stdout: fd });
    closeSync(fd);
    cleanups.push(async () => void (await server.stop()));
    const { port } = server;
    const writtenIds = eventFileReader(file);

    /** Requests whose 200 arrived before their event was in the file. */
    const early: number[] = [];
    let answered = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, (_, connection) => {
        const ids = Array.from(
          { length: REQUESTS_PER_CONNECTION },
          (_, index) => connection * REQUESTS_PER_CONNECTION + index,
        );
        return new Promise<void>((done, fail) => {
          const halfCloses = connection % 2 === 1;
          const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
          socket.on('error', fail);
          const requests = Buffer.concat(
            ids.map((id, index) => request(id, !halfCloses && index === ids.length - 1)),
          );
          if (halfCloses) socket.end(requests);
          else socket.write(requests);
          let text = '';
          let searchFrom = 0;
          let next = 0;
          socket.on('data', (chunk: Buffer) => {
            text += chunk.toString('latin1');
            // Each answer is an empty 200: it ends with its head.
            for (
              let end = text.indexOf(HEAD_END, searchFrom);
              end !== -1;
              end = text.indexOf(HEAD_END, searchFrom)
            ) {
              searchFrom = end + HEAD_END.length;
              const id = ids[next++] as number;
              if (!writtenIds().has(id)) early.push(id);
              answered++;
            }
            if (next === ids.length) {
              socket.destroy();
              done();
            }
          });
        });
      }),
    );
    expect(answered).toBe(CONNECTIONS * REQUESTS_PER_CONNECTION);
    expect(early).toEqual([]);
    expect(writtenIds().size).toBe(CONNECTIONS * REQUESTS_PER_CONNECTION);
  }, 60_000);
});
