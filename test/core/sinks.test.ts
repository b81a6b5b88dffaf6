/**
 * The event log: each event reaches standard output in one write, and events
 * handed over together (writeAll) reach it together, in their order, in as
 * few writes as EVENTS_WRITE_MAX_BYTES allows.
 */
import { closeSync, openSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import {
  EVENTS_WRITE_MAX_BYTES,
  OutputSocketSink,
  READER_HARD_LIMIT_BYTES,
  EventBatch,
  openEventLog,
  type EventLog,
} from '@hook-observatory/core/internal/sinks';
import { PACED_WRITE_MAX_BYTES, PacedWriter } from '@hook-observatory/core/internal/paced-writer';
import {
  STDOUT_RETRY_MS,
  StdoutFile,
  isFileOrDevice,
} from '@hook-observatory/core/internal/stdout-file';
import { formatJsonLine } from '@hook-observatory/core/internal/format';
import { parseCommand, type Config } from '@hook-observatory/core/internal/config';
import { tempDirs } from '../helpers/temp-dirs.js';

/** A standard output that keeps each write whole, as its own chunk. */
class RecordingStdout extends Writable {
  readonly writes: string[] = [];
  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.writes.push(chunk.toString('utf8'));
    done();
  }
}

function configFrom(argv: readonly string[]): Config {
  const command = parseCommand(argv, {});
  if (command.kind !== 'run') throw new Error(`not a run: ${argv.join(' ')}`);
  return command.config;
}

async function openLog(
  argv: readonly string[] = [],
): Promise<{ log: EventLog; stdout: RecordingStdout }> {
  const stdout = new RecordingStdout();
  const log = await openEventLog(configFrom(argv), {
    stdout,
    env: {},
    log: () => {},
    onNoSinkLeft: () => {},
  });
  return { log, stdout };
}

const event = (id: number): Record<string, unknown> => ({
  _ts: '2026-01-01T00:00:00.000Z',
  _event: 'PreToolUse',
  id,
});
const line = (id: number): string => `${JSON.stringify(event(id))}\n`;

describe('event log', () => {
  it('an-event-is-written-at-once-in-one-write', async () => {
    const { log, stdout } = await openLog();
    log.write(event(1));
    expect(stdout.writes).toEqual([line(1)]);
    log.write(event(2));
    expect(stdout.writes).toEqual([line(1), line(2)]);
  });

  it('events-handed-over-together-go-in-one-write-in-order', async () => {
    const { log, stdout } = await openLog();
    log.writeAll([event(1), event(2), event(3)]);
    expect(stdout.writes).toEqual([line(1) + line(2) + line(3)]);
  });

  it('an-empty-batch-writes-nothing', async () => {
    const { log, stdout } = await openLog();
    log.writeAll([]);
    expect(stdout.writes).toEqual([]);
  });

  it('a-batch-past-the-write-limit-goes-in-several-writes-of-whole-lines', async () => {
    const { log, stdout } = await openLog();
    const padded = (id: number): Record<string, unknown> => ({
      ...event(id),
      pad: 'p'.repeat(10_000),
    });
    const ids = Array.from({ length: 20 }, (_, id) => id);
    log.writeAll(ids.map(padded));
    expect(stdout.writes.length).toBeGreaterThan(1);
    for (const write of stdout.writes) {
      expect(Buffer.byteLength(write)).toBeLessThanOrEqual(EVENTS_WRITE_MAX_BYTES);
      expect(write.endsWith('\n')).toBe(true);
    }
    expect(stdout.writes.join('')).toBe(
      ids.map((id) => `${JSON.stringify(padded(id))}\n`).join(''),
    );
  });

  it('an-event-in-a-batch-longer-than-the-write-limit-goes-alone-and-whole', async () => {
    const { log, stdout } = await openLog();
    const huge = { ...event(2), pad: 'p'.repeat(EVENTS_WRITE_MAX_BYTES) };
    log.writeAll([event(1), huge, event(3)]);
    expect(stdout.writes).toEqual([line(1), `${JSON.stringify(huge)}\n`, line(3)]);
  });

  it('batched-pretty-yaml-documents-stay-separate-documents', async () => {
    const { log, stdout } = await openLog(['--pretty-yaml']);
    log.writeAll([event(1), event(2)]);
    expect(stdout.writes).toHaveLength(1);
    const documents = (stdout.writes[0] as string)
      .split(/^---\n/m)
      .slice(1)
      .map((text) => parse(text) as unknown);
    expect(documents).toEqual([event(1), event(2)]);
  });
});

/** A socket whose writes complete only when the test says (complete()), as a reader that does not read. */
class HeldSocket extends Writable {
  readonly writes: Buffer[] = [];
  private pending: (() => void) | undefined;
  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.writes.push(chunk);
    this.pending = () => done();
  }
  /** The reader takes the write in flight. */
  complete(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.();
  }
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

const lineOf = (id: number, padBytes: number): Buffer =>
  Buffer.from(`${JSON.stringify({ id, pad: 'p'.repeat(padBytes) })}\n`);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('paced writer', () => {
  const cases = [
    {
      name: 'small-lines-wait-behind-the-write-in-flight-and-go-out-joined',
      lines: 100,
      padBytes: 10,
      firstWrites: 1,
      secondWriteLines: 99,
    },
    {
      name: 'joined-writes-stop-at-the-paced-limit',
      lines: 200,
      padBytes: 4096,
      firstWrites: 1,
      secondWriteLines: Math.floor(PACED_WRITE_MAX_BYTES / lineOf(0, 4096).length),
    },
    {
      name: 'a-line-longer-than-the-limit-goes-alone',
      lines: 3,
      padBytes: PACED_WRITE_MAX_BYTES,
      firstWrites: 1,
      secondWriteLines: 1,
    },
  ];
  it.each(cases)('$name', async ({ lines, padBytes, firstWrites, secondWriteLines }) => {
    const socket = new HeldSocket();
    const writer = new PacedWriter(socket.asSocket());
    const sent = Array.from({ length: lines }, (_, id) => lineOf(id, padBytes));
    for (const line of sent) writer.write(line);
    expect(socket.writes).toHaveLength(firstWrites);
    socket.complete();
    await settle();
    expect(socket.writes).toHaveLength(2);
    expect(socket.writes[1]?.equals(Buffer.concat(sent.slice(1, 1 + secondWriteLines)))).toBe(true);
    while (
      socket.writes.reduce((bytes, write) => bytes + write.length, 0) < Buffer.concat(sent).length
    ) {
      socket.complete();
      await settle();
    }
    expect(Buffer.concat(socket.writes).equals(Buffer.concat(sent))).toBe(true);
    for (const write of socket.writes.slice(0, -1)) {
      expect(write.length).toBeLessThanOrEqual(Math.max(PACED_WRITE_MAX_BYTES, padBytes + 64));
    }
  });

  it('cutting-off-destroys-at-once-without-a-flush-and-drops-the-queue', () => {
    const socket = new HeldSocket();
    const writer = new PacedWriter(socket.asSocket());
    for (let id = 0; id < 1_000; id++) writer.write(lineOf(id, 100));
    expect(writer.unsentBytes).toBeGreaterThan(100_000);
    writer.cutOff();
    expect(socket.destroyed).toBe(true);
    expect(socket.writes).toHaveLength(1);
    writer.write(lineOf(1_000, 100));
    expect(socket.writes).toHaveLength(1);
  });

  it('end-sends-the-queue-then-ends', async () => {
    const socket = new HeldSocket();
    const writer = new PacedWriter(socket.asSocket());
    for (let id = 0; id < 3; id++) writer.write(lineOf(id, 10));
    const ended = writer.end();
    socket.complete();
    await settle();
    socket.complete();
    await ended;
    expect(Buffer.concat(socket.writes)).toEqual(
      Buffer.concat([0, 1, 2].map((id) => lineOf(id, 10))),
    );
    expect(socket.writableFinished).toBe(true);
  });
});

describe('output socket', () => {
  const temp = tempDirs('sinks-');
  afterEach(() => {
    vi.restoreAllMocks();
    temp.removeAll();
  });

  it('a-reader-cut-off-holds-no-queued-writes-in-its-socket', async () => {
    // What made cutting 55 readers at once hold the hooks for seconds: each reader's socket held a
    // chunk per event, every one errored and freed by destroy() in the same turn.
    const said: string[] = [];
    const sink = new OutputSocketSink(
      join(temp.make(), 'out.sock'),
      0o600,
      formatJsonLine,
      (line) => said.push(line),
    );
    await sink.listen();
    const chunksHeldAtDestroy: number[] = [];
    const destroy = Socket.prototype.destroy;
    vi.spyOn(Socket.prototype, 'destroy').mockImplementation(function (
      this: Socket,
      error?: Error,
    ) {
      // writableBuffer: the chunks queued behind the write in flight (lib/internal/streams/writable.js).
      chunksHeldAtDestroy.push(
        (this as unknown as { writableBuffer: unknown[] }).writableBuffer.length,
      );
      return destroy.call(this, error);
    });
    const reader = connect(sink.path);
    reader.pause();
    await vi.waitFor(() => expect(sink.readerCount).toBe(1));
    const eventBytes = 4096;
    const events = Math.ceil(READER_HARD_LIMIT_BYTES / eventBytes) + 100;
    for (let id = 0; id < events && sink.readerCount > 0; id++) {
      sink.write(
        new EventBatch([
          { _ts: '2026-01-01T00:00:00.000Z', _event: 'E', id, pad: 'p'.repeat(eventBytes) },
        ]),
      );
    }
    expect(said.filter((line) => line.includes('disconnected: it read too slowly'))).toHaveLength(
      1,
    );
    expect(chunksHeldAtDestroy[0]).toBeLessThanOrEqual(1);
    reader.destroy();
    await sink.close();
  });
});

/** A disk with room for `free` more bytes: a write takes what fits, and none at all fails with ENOSPC, as write(2) does. */
class SmallDisk {
  bytes = Buffer.alloc(0);
  constructor(public free: number) {}
  readonly writeTo = (_fd: number, buffer: Buffer, offset: number): number => {
    if (this.free === 0) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    const taken = buffer.subarray(offset, offset + Math.min(this.free, buffer.length - offset));
    this.bytes = Buffer.concat([this.bytes, taken]);
    this.free -= taken.length;
    return taken.length;
  };
  get text(): string {
    return this.bytes.toString('utf8');
  }
}

describe('standard output to a file on a full disk', () => {
  afterEach(() => vi.useRealTimers());
  const at = (id: number): string => `${JSON.stringify({ id, pad: 'p'.repeat(20) })}\n`;
  const lineBytes = Buffer.byteLength(at(0));
  const cases = [
    {
      name: 'a-line-cut-by-the-full-disk-is-finished-first-when-space-returns',
      free: lineBytes + 10,
      writes: [[1, 2, 3], [4]],
      after: [5],
      expected: {
        text: [1, 2, 5],
        said: [
          /cannot be written \(ENOSPC\).*said once/,
          /written again; 3 events were lost meanwhile/,
        ],
      },
    },
    {
      name: 'full-at-a-line-boundary-loses-whole-lines-and-counts-them',
      free: lineBytes * 2,
      writes: [[1], [2], [3], [4]],
      after: [5],
      expected: {
        text: [1, 2, 5],
        said: [
          /cannot be written \(ENOSPC\).*said once/,
          /written again; 3 events were lost meanwhile/,
        ],
      },
    },
  ];
  it.each(cases)('$name', ({ free, writes, after, expected }) => {
    vi.useFakeTimers();
    const disk = new SmallDisk(free);
    const said: string[] = [];
    const file = new StdoutFile(1, (line) => said.push(line), disk.writeTo);
    for (const ids of writes) expect(() => file.write(ids.map(at).join(''))).not.toThrow();
    disk.free = 1_000_000;
    file.write(at(99)); // space is back, but before the retry: counted, not tried
    vi.advanceTimersByTime(STDOUT_RETRY_MS);
    for (const id of after) file.write(at(id));
    file.close();
    expect(disk.text).toBe(expected.text.map(at).join(''));
    expect(said).toEqual(expected.said.map((pattern) => expect.stringMatching(pattern)));
  });

  it('a-cut-line-is-finished-at-the-retry-with-no-further-event', () => {
    vi.useFakeTimers();
    const disk = new SmallDisk(10);
    const file = new StdoutFile(1, () => {}, disk.writeTo);
    file.write(at(1));
    expect(disk.text.endsWith('\n')).toBe(false);
    disk.free = 1_000_000;
    vi.advanceTimersByTime(STDOUT_RETRY_MS);
    expect(disk.text).toBe(at(1));
  });

  it('dev-full-is-said-once-never-throws-and-the-loss-is-counted', () => {
    // /dev/full answers every write with ENOSPC, as a full disk does.
    const fd = openSync('/dev/full', 'w');
    const said: string[] = [];
    const file = new StdoutFile(fd, (line) => said.push(line));
    for (let id = 0; id < 5; id++) expect(() => file.write(at(id))).not.toThrow();
    file.close();
    closeSync(fd);
    expect(said).toEqual([
      expect.stringMatching(/cannot be written \(ENOSPC\)/),
      '5 events were not written to standard output',
    ]);
  });

  const kinds = [
    { name: 'a-file', open: () => openSync(join(temp2.make(), 'out'), 'w'), expected: true },
    { name: 'a-device', open: () => openSync('/dev/null', 'w'), expected: true },
  ];
  const temp2 = tempDirs('stdout-file-');
  it.each(kinds)('is-file-or-device: $name', ({ open, expected }) => {
    const fd = open();
    expect(isFileOrDevice(fd)).toBe(expected);
    closeSync(fd);
    temp2.removeAll();
  });
});
