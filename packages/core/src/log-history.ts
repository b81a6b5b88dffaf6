/**
 * The log file as the live view's history (--log FILE): how an event in FILE
 * is named in the stream, and the events of FILE's tail that a server starts
 * its ring with, so that a restart loses nothing a viewer could have seen.
 *
 * An event's stream id, with --log, is `log<FILE's name>-<offset>`: FILE's
 * name is a hash of its first line (the first event written to it: its time
 * to the millisecond, its session, its payload), and the offset is where the
 * event's line ends in FILE. Both survive a restart, since they are read back
 * from FILE itself: the server restarted with the same FILE gives every event
 * the id it had, and a viewer's Last-Event-ID resumes exactly where it was.
 * A new FILE (rotated, removed, or another --log) has another first line,
 * so another name. Both servers name the same bytes alike.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The most of FILE's first line that names it. 4 KiB holds a first event's
 * time, session and opening fields, which already tell two files apart; a
 * longer line adds nothing and would be read at every start.
 */
export const LOG_NAME_BYTES = 4096;
/**
 * The most of FILE's end read at start: as much as the ring holds
 * (event-ring.ts, EVENT_RING_BYTES). A huge FILE costs no more than this to
 * start from, and the ring could keep no more.
 */
export const LOG_TAIL_READ_BYTES = 8 * 1024 * 1024;

/** The stream's name for a FILE whose first bytes are `start` (up to LOG_NAME_BYTES of them). */
export function logName(start: Buffer): string {
  const newline = start.indexOf(0x0a);
  const firstLine = start.subarray(
    0,
    Math.min(newline === -1 ? start.length : newline, LOG_NAME_BYTES),
  );
  return `log${createHash('sha256').update(firstLine).digest('hex').slice(0, 8)}`;
}

/** The id of the event whose line ends at `end` in FILE named `name`. */
export function logEventId(name: string, end: number): string {
  return `${name}-${end}`;
}

/** One event of the tail: its id and its JSON line (without the line feed). */
export interface LoggedEvent {
  readonly id: string;
  readonly event: string;
  readonly session: string;
  readonly line: Buffer;
}

/** `length` bytes of the file open as `fd` from `position` (fewer at its end). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const got = readSync(fd, buffer, read, length - read, position + read);
    if (got === 0) break;
    read += got;
  }
  return buffer.subarray(0, read);
}

/** FILE's name from its first bytes, or undefined while it is empty (the first event names it). */
export function readLogName(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const start = readAt(fd, 0, LOG_NAME_BYTES);
    return start.length === 0 ? undefined : logName(start);
  } finally {
    closeSync(fd);
  }
}

/**
 * The last `most` events of FILE, oldest first, read from at most
 * LOG_TAIL_READ_BYTES of its end. The first line read is skipped when the
 * read began inside it, and a last line without its line feed (a write cut
 * short by a kill) is no event yet; a line that is not a JSON object is no
 * event either, and is skipped. A FILE that does not exist holds none.
 */
export function readLogTail(path: string, most: number): LoggedEvent[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0 || most <= 0) return [];
    const name = logName(readAt(fd, 0, LOG_NAME_BYTES));
    const from = Math.max(0, size - LOG_TAIL_READ_BYTES);
    const tail = readAt(fd, from, size - from);
    const events: LoggedEvent[] = [];
    // Begun inside a line: it starts after the first line feed (none: one line longer than the read).
    let start = from === 0 ? 0 : tail.indexOf(0x0a) + 1;
    if (start === 0 && from > 0) return [];
    for (let end = tail.indexOf(0x0a, start); end !== -1; end = tail.indexOf(0x0a, start)) {
      const event = loggedEvent(name, tail.subarray(start, end), from + end + 1);
      if (event !== undefined) events.push(event);
      start = end + 1;
    }
    return events.slice(-most);
  } finally {
    closeSync(fd);
  }
}

/** A line of FILE as an event of the stream, or undefined when it is not a JSON object. */
function loggedEvent(name: string, line: Buffer, end: number): LoggedEvent | undefined {
  if (line.length === 0 || line[0] !== 0x7b) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const { _event: event, session_id: session } = record as Record<string, unknown>;
  return {
    id: logEventId(name, end),
    event: typeof event === 'string' ? event : '',
    session: typeof session === 'string' ? session : '',
    line: Buffer.from(line),
  };
}
