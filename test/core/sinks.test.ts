/**
 * The event log: each event reaches standard output in one write, and events
 * handed over together (writeAll) reach it together, in their order, in as
 * few writes as EVENTS_WRITE_MAX_BYTES allows.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EVENTS_WRITE_MAX_BYTES, openEventLog, parseCommand, type Config, type EventLog } from '@hook-observatory/core';

/** A standard output that keeps each write whole, as its own chunk. */
class RecordingStdout extends Writable {
  readonly writes: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes.push(chunk.toString('utf8'));
    done();
  }
}

function configFrom(argv: readonly string[]): Config {
  const command = parseCommand(argv, {});
  if (command.kind !== 'run') throw new Error(`not a run: ${argv.join(' ')}`);
  return command.config;
}

async function openLog(argv: readonly string[] = []): Promise<{ log: EventLog; stdout: RecordingStdout }> {
  const stdout = new RecordingStdout();
  const log = await openEventLog(configFrom(argv), { stdout, env: {}, log: () => {}, onNoSinkLeft: () => {} });
  return { log, stdout };
}

const event = (id: number): Record<string, unknown> => ({ _ts: '2026-01-01T00:00:00.000Z', _event: 'PreToolUse', id });
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
    const padded = (id: number): Record<string, unknown> => ({ ...event(id), pad: 'p'.repeat(10_000) });
    const ids = Array.from({ length: 20 }, (_, id) => id);
    log.writeAll(ids.map(padded));
    expect(stdout.writes.length).toBeGreaterThan(1);
    for (const write of stdout.writes) {
      expect(Buffer.byteLength(write)).toBeLessThanOrEqual(EVENTS_WRITE_MAX_BYTES);
      expect(write.endsWith('\n')).toBe(true);
    }
    expect(stdout.writes.join('')).toBe(ids.map((id) => `${JSON.stringify(padded(id))}\n`).join(''));
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
    const documents = (stdout.writes[0] as string).split(/^---\n/m).slice(1).map((text) => parse(text) as unknown);
    expect(documents).toEqual([event(1), event(2)]);
  });
});
