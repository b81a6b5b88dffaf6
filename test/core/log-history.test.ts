/**
 * The log file as the live view's history (core/src/log-history.ts): each
 * line's stream id is where it ends in FILE, under FILE's name; a restart
 * reads the same ids back from FILE's tail, whatever the tail holds; and a
 * stream that starts from the tail resumes a viewer's Last-Event-ID exactly.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFile } from '@hook-observatory/core/internal/log-file';
import {
  LOG_TAIL_READ_BYTES,
  logEventId,
  logName,
  readLogTail,
} from '@hook-observatory/core/internal/log-history';
import { EventBatch } from '@hook-observatory/core/internal/sinks';
import { EventStream, type ViewerOutput } from '@hook-observatory/core/internal/stream';
import { streamFilterOf } from '@hook-observatory/core';
import { rotatedFiles } from '@hook-observatory/core/vocabulary';
import { tempDirs } from '../helpers/temp-dirs.js';

const dirs = tempDirs('log-history-');
afterEach(() => dirs.removeAll());

const line = (event: string, session = 's1'): string =>
  `${JSON.stringify({ _ts: '2026-01-01T00:00:00.000Z', _event: event, session_id: session })}\n`;
const freshPath = (): string => join(dirs.make(), 'hooks.jsonl');
/** What a viewer needs of a tail event: its id and event name. */
const idsOf = (path: string, most = 4096): string[] =>
  readLogTail(path, most).map((event) => `${event.id} ${event.event}`);
/** The ids FILE's lines get, computed from its bytes: FILE's name, then each line's end. */
function expectedIds(text: string, events: readonly string[]): string[] {
  const name = logName(Buffer.from(text));
  let end = 0;
  return text
    .split(/(?<=\n)/)
    .map((each, index) => {
      end += Buffer.byteLength(each);
      return `${logEventId(name, end)} ${events[index]}`;
    })
    .filter((_, index) => events[index] !== undefined);
}

describe('the ids the log file gives its lines', () => {
  it('are read back the same from the tail after a restart, line for line', () => {
    const path = freshPath();
    const file = new LogFile(path, 1_000_000, 8, () => {});
    file.openAtStart();
    const given: Array<string | undefined> = [];
    for (const event of ['SessionStart', 'PreToolUse', 'PostToolUse']) {
      file.write(line(event), given);
    }
    file.close();
    expect(readLogTail(path, 4096).map((event) => event.id)).toEqual(given);
    expect(idsOf(path)).toEqual(
      expectedIds(readFileSync(path, 'utf8'), ['SessionStart', 'PreToolUse', 'PostToolUse']),
    );
  });

  it('continue in the same FILE after a restart, under the same name', () => {
    const path = freshPath();
    const ids: Array<string | undefined> = [];
    for (const event of ['SessionStart', 'Stop']) {
      const file = new LogFile(path, 1_000_000, 8, () => {});
      file.openAtStart();
      file.write(line(event), ids);
      file.close();
    }
    expect(idsOf(path)).toEqual(expectedIds(readFileSync(path, 'utf8'), ['SessionStart', 'Stop']));
    expect(ids.map((id) => id?.split('-')[0])).toEqual([
      logName(readFileSync(path)),
      logName(readFileSync(path)),
    ]);
  });

  it('take a new name when FILE is rotated, and the new FILE reads back alike', () => {
    const path = freshPath();
    const file = new LogFile(path, Buffer.byteLength(line('A')) + 1, 8, () => {});
    file.openAtStart();
    const ids: Array<string | undefined> = [];
    file.write(line('A') + line('B'), ids);
    file.close();
    expect(rotatedFiles(path)).toHaveLength(1);
    expect(new Set(ids.map((id) => id?.split('-')[0])).size).toBe(2);
    expect(readLogTail(path, 4096).map((event) => event.id)).toEqual([ids[1]]);
  });

  it('end a torn last line when FILE is opened, so the next event is a line of its own', () => {
    const path = freshPath();
    writeFileSync(path, `${line('Stop')}{"_event":"Pre`);
    const file = new LogFile(path, 1_000_000, 8, () => {});
    file.openAtStart();
    const ids: Array<string | undefined> = [];
    file.write(line('SessionEnd'), ids);
    file.close();
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith(`{"_event":"Pre\n${line('SessionEnd')}`)).toBe(true);
    expect(idsOf(path)).toEqual(expectedIds(text, ['Stop', undefined, 'SessionEnd'] as string[]));
    expect(readLogTail(path, 4096).at(-1)?.id).toBe(ids[0]);
  });
});

describe("the tail a server starts from, whatever FILE's end holds", () => {
  it.for([
    { name: 'no FILE yet', text: undefined, events: [] },
    { name: 'an empty FILE', text: '', events: [] },
    {
      name: 'a torn last line (a kill -9 mid-write) is no event yet',
      text: `${line('A')}${line('B')}{"_event":"C","sess`,
      events: ['A', 'B'],
    },
    {
      name: 'lines that are not JSON objects are skipped, and the offsets still count them',
      text: `${line('A')}not json\n[1,2]\n\n{"broken":\n${line('B')}`,
      events: ['A', undefined, undefined, undefined, undefined, 'B'],
    },
  ])('$name', ({ text, events }) => {
    const path = freshPath();
    if (text !== undefined) writeFileSync(path, text);
    expect(idsOf(path)).toEqual(text === undefined ? [] : expectedIds(text, events as string[]));
  });

  it('keeps the newest `most` events', () => {
    const path = freshPath();
    const text = ['A', 'B', 'C', 'D'].map((event) => line(event)).join('');
    writeFileSync(path, text);
    expect(idsOf(path, 2)).toEqual(expectedIds(text, ['A', 'B', 'C', 'D']).slice(2));
  });

  it(`reads no more than LOG_TAIL_READ_BYTES of a huge FILE, from its first whole line`, () => {
    const path = freshPath();
    const filler = `${JSON.stringify({ _event: 'Old', pad: 'x'.repeat(1000) })}\n`;
    const fillerLines = Math.ceil((LOG_TAIL_READ_BYTES * 1.5) / filler.length);
    writeFileSync(path, filler.repeat(fillerLines));
    appendFileSync(path, line('Newest'));
    const tail = readLogTail(path, 1_000_000);
    const text = readFileSync(path, 'utf8');
    expect(tail.at(-1)?.id).toBe(logEventId(logName(Buffer.from(text)), Buffer.byteLength(text)));
    const wholeFillers = Math.floor((LOG_TAIL_READ_BYTES - line('Newest').length) / filler.length);
    expect(tail.length).toBe(wholeFillers + 1);
    expect(tail.slice(0, -1).every((event) => event.event === 'Old')).toBe(true);
  });

  it('finds no event in a read that one line fills entirely', () => {
    const path = freshPath();
    writeFileSync(path, `${line('A')}${JSON.stringify({ pad: 'x'.repeat(LOG_TAIL_READ_BYTES) })}`);
    expect(readLogTail(path, 4096)).toEqual([]);
  });
});

/** A viewer that keeps the ids it is sent. */
class Viewer implements ViewerOutput {
  text = '';
  write(bytes: Buffer, whenWritten: () => void): void {
    this.text += bytes.toString('utf8');
    setImmediate(whenWritten);
  }
  cutOff(): void {}
  end(): void {}
  get ids(): string[] {
    return [...this.text.matchAll(/^id: (\S+)$/gm)].map((match) => match[1] as string);
  }
}

describe('a stream that starts from the tail', () => {
  const record = (event: string): { _event: string; session_id: string } => ({
    _event: event,
    session_id: 's1',
  });

  it('resumes a viewer after the event its Last-Event-ID names, and new events follow the log', async () => {
    const path = freshPath();
    writeFileSync(path, line('A') + line('B') + line('C'));
    const [a, b, c] = readLogTail(path, 4096).map((event) => event.id);
    const stream = new EventStream(() => {}, { heartbeatMs: 0, instance: 'abc' });
    stream.preload(readLogTail(path, 4096));
    const batch = new EventBatch([record('D')]);
    batch.logIds = [logEventId(logName(readFileSync(path)), 999)];
    stream.add(batch);
    const fresh = new Viewer();
    const resumed = new Viewer();
    const stranger = new Viewer();
    stream.attach(fresh, streamFilterOf('/events'), undefined);
    stream.attach(resumed, streamFilterOf('/events'), b);
    stream.attach(stranger, streamFilterOf('/events'), 'zzz-2');
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
    stream.close();
    expect(fresh.ids).toEqual([a, b, c, batch.logIds[0]]);
    expect(resumed.ids).toEqual([c, batch.logIds[0]]);
    expect(stranger.ids).toEqual(fresh.ids);
  });

  it('tells a viewer whose event the ring no longer holds that it missed some', () => {
    const path = freshPath();
    writeFileSync(path, line('A') + line('B') + line('C'));
    const [a, , c] = readLogTail(path, 4096).map((event) => event.id) as [string, string, string];
    const stream = new EventStream(() => {}, { heartbeatMs: 0, instance: 'abc', ringSize: 1 });
    stream.preload(readLogTail(path, 4096));
    const viewer = new Viewer();
    stream.attach(viewer, streamFilterOf('/events'), a);
    stream.close();
    expect(viewer.text).toContain('event: gap\n');
    expect(viewer.ids).toEqual([c]);
  });
});
