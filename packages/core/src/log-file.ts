/**
 * The log file (--log FILE): every event as a JSON line, appended, and the
 * file rotated by size.
 *
 * Written by hand because rotating-file-stream 3.2.10 broke two of the
 * promises below in an experiment (docs/log-file.md): an unwritable directory
 * raised no error and held the process open, and the seventh rotation within
 * one minute reused the first rotated name, so names stopped sorting in time order.
 *
 * - Writes are synchronous, as Node writes standard output to a file: an
 *   append of whole lines to a local file, so a kill -9 leaves whole lines
 *   (EVENTS_WRITE_MAX_BYTES in sinks.ts keeps each write short).
 * - Rotation is decided line by line, between two lines: FILE is renamed and
 *   a new FILE opened, so no line is split or lost, `tail -F FILE` follows by
 *   name, and a server that hands over several events at once (the net
 *   server's group commit) rotates at the same lines as one that hands them
 *   over one by one.
 * - FILE is opened at start, and a FILE that cannot be is a start error
 *   (openAtStart): a server that says "ready" keeps what it is given.
 * - A rename that fails (a read-only directory) keeps appending to FILE past
 *   the limit, said once, rather than dropping events.
 * - FILE or its directory removed under the server is noticed at the next
 *   write (FILE's link count is 0 after it): FILE is opened again, its
 *   directory made again if it went too, and that write's lines written again,
 *   so no event goes with the removed file. With no write, the check every
 *   LOG_FILE_CHECK_INTERVAL_MS notices it, and a FILE renamed away.
 * - A failure (unwritable path, disk full) is said once on stderr; the events
 *   it costs are counted, the next write tries again, and the hooks go on.
 * - A FILE whose last line has no line feed (a write cut short by a kill) gets
 *   one when opened, so that the next event starts a line of its own.
 * - Each line written is named for the live view (log-history.ts, logEventId):
 *   FILE's name and where the line ends in it.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { logEventId, logName, readLogName } from './log-history.js';
import { rotatedFiles, rotatedName } from './rotated-names.js';

/**
 * How often FILE is checked to be still where it was opened, and a failed
 * rename tried again. A write notices a removed FILE itself (fstat's link
 * count), but not a FILE renamed away, nor a removal while no hook comes;
 * once a second is what `tail -F` does by default and costs one stat.
 */
export const LOG_FILE_CHECK_INTERVAL_MS = 1_000;

/** A --log FILE that cannot be opened at start: the message is the one line for stderr. */
export class LogFileOpenError extends Error {}

export class LogFile {
  private fd: number | undefined;
  private size = 0;
  private lastStamp = '';
  private sameStampCount = 0;
  /** The failure being reported, so that it is said once, and the events it cost. */
  private failing: string | undefined;
  private lost = 0;
  /** Why FILE cannot be renamed, said once; no rename is tried again until the next check. */
  private renameFailing: string | undefined;
  private renameBlocked = false;
  private checkTimer: NodeJS.Timeout | undefined;
  /** Whether FILE was ever opened: its directory was there, so one missing now was removed. */
  private opened = false;
  /** FILE's name in the stream (log-history.ts); undefined while FILE is empty. */
  private name: string | undefined;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly maxFiles: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Open FILE now, or throw LogFileOpenError; then check it every LOG_FILE_CHECK_INTERVAL_MS. */
  openAtStart(): void {
    try {
      this.open();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new LogFileOpenError(`cannot open the log file ${this.path} (${reason})`);
    }
    this.checkTimer = setInterval(() => this.check(), LOG_FILE_CHECK_INTERVAL_MS);
    this.checkTimer.unref();
  }

  /**
   * Append whole JSON lines (one event each). `ids`, when given, gets each
   * line's stream id (logEventId), or undefined for a line not written.
   */
  write(bytes: Buffer | string, ids?: Array<string | undefined>): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const kept = { bytes: 0, fileStart: 0 };
    const named = ids?.length ?? 0;
    try {
      if (this.fd === undefined) this.reopen();
      this.appendRotating(buffer, kept, ids);
      if (this.removedUnderUs()) {
        // The lines written to the removed FILE went with it: FILE again, and them in it.
        if (ids !== undefined) ids.length = named + countLines(buffer.subarray(0, kept.fileStart));
        kept.bytes = kept.fileStart;
        this.replaceRemoved();
        this.appendRotating(buffer, kept, ids);
      }
      if (this.failing !== undefined) {
        this.log(`log file ${this.path} is written again; ${this.lost} events were lost meanwhile`);
        this.failing = undefined;
        this.lost = 0;
      }
    } catch (error) {
      const lost = countLines(buffer.subarray(kept.bytes));
      if (ids !== undefined) {
        // The lines not on disk have no place in FILE: named as written, they are unnamed again.
        ids.length = named + countLines(buffer.subarray(0, kept.bytes));
        for (let line = 0; line < lost; line++) ids.push(undefined);
      }
      this.fail(error as NodeJS.ErrnoException, lost);
    }
  }

  /**
   * Append `buffer`'s lines, rotating before any line that would take FILE
   * past the limit: runs of lines that fit go in one write each, from
   * `kept.bytes`. `kept.bytes` says how much of `buffer` is on disk, should a
   * write or a rotation throw; `kept.fileStart` where the open FILE's part begins.
   */
  private appendRotating(
    buffer: Buffer,
    kept: { bytes: number; fileStart: number },
    ids: Array<string | undefined> | undefined,
  ): void {
    let end = kept.bytes;
    while (end < buffer.length) {
      const newline = buffer.indexOf(0x0a, end);
      const lineEnd = newline === -1 ? buffer.length : newline + 1;
      const fileHasLines = this.size > 0 || end > kept.bytes;
      if (
        fileHasLines &&
        this.size + (lineEnd - kept.bytes) > this.maxBytes &&
        !this.renameBlocked
      ) {
        this.append(buffer.subarray(kept.bytes, end));
        kept.bytes = end;
        if (this.rotate()) kept.fileStart = end;
      }
      if (!fileHasLines || this.name === undefined) {
        this.name = logName(buffer.subarray(end, lineEnd));
      }
      ids?.push(logEventId(this.name, this.size + (lineEnd - kept.bytes)));
      end = lineEnd;
    }
    this.append(buffer.subarray(kept.bytes, end));
    kept.bytes = end;
  }

  private open(): void {
    this.fd = openSync(this.path, 'a');
    this.opened = true;
    this.size = fstatSync(this.fd).size;
    this.name = this.size === 0 ? undefined : readLogName(this.path);
    if (this.size > 0 && !endsWithLineFeed(this.path, this.size)) this.append(LINE_FEED);
  }

  /**
   * Open FILE again. Its directory was there when FILE was first opened, so a
   * directory gone since was removed under the server: it is made again.
   */
  private reopen(): void {
    try {
      this.open();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !this.opened) throw error;
      mkdirSync(dirname(this.path), { recursive: true });
      this.open();
    }
  }

  /** Has the open FILE been removed (its link count 0: FILE or its directory removed)? */
  private removedUnderUs(): boolean {
    return this.fd !== undefined && fstatSync(this.fd).nlink === 0;
  }

  /** FILE was removed or replaced under the server: open it again (its directory too), and say so. */
  private replaceRemoved(): void {
    this.closeFile();
    this.reopen();
    this.log(`log file ${this.path} was removed or replaced; opened it again`);
  }

  /** All of `buffer`, or none of it: a short write (disk full) is cut back off so only whole lines remain. */
  private append(buffer: Buffer): void {
    if (buffer.length === 0) return;
    const fd = this.fd as number;
    let written = 0;
    try {
      while (written < buffer.length) written += writeSync(fd, buffer, written);
    } catch (error) {
      if (written > 0) ftruncateSync(fd, this.size);
      throw error;
    }
    this.size += written;
  }

  /**
   * Rename FILE and open a new one. A rename that fails (a read-only
   * directory) leaves FILE open and growing past the limit, said once, and is
   * tried again at the next check: appending beats dropping events. True
   * when FILE is a new one.
   */
  private rotate(): boolean {
    try {
      renameSync(this.path, this.nextRotatedName());
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      // FILE removed under the server: the write that follows sees it, and writes its lines again.
      if (reason === 'ENOENT') return false;
      this.renameBlocked = true;
      if (this.renameFailing !== reason) {
        this.renameFailing = reason;
        this.log(
          `log file ${this.path} cannot be rotated (${reason}); it grows past the size limit until it can be (said once)`,
        );
      }
      return false;
    }
    if (this.renameFailing !== undefined) {
      this.log(`log file ${this.path} is rotated again`);
      this.renameFailing = undefined;
    }
    this.closeFile();
    // Open FILE again before pruning, so that the moment without it is as short as it can be.
    this.open();
    const rotated = rotatedFiles(this.path);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - this.maxFiles))) {
      rmSync(old, { force: true });
    }
    return true;
  }

  /**
   * Is FILE still the file we write to? Removed (or its directory) or
   * replaced (renamed away), it is opened again, or the failure reported. No
   * line is lost to it: a write that went to a removed FILE was written again
   * (write), and one that went to a FILE renamed away is in that file.
   */
  check(): void {
    this.renameBlocked = false;
    if (this.fd === undefined) return;
    let same: boolean;
    try {
      const onDisk = statSync(this.path);
      const open = fstatSync(this.fd);
      same = onDisk.ino === open.ino && onDisk.dev === open.dev;
    } catch {
      same = false;
    }
    if (same) return;
    try {
      this.replaceRemoved();
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException, 0);
    }
  }

  private nextRotatedName(): string {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    if (stamp > this.lastStamp) {
      this.lastStamp = stamp;
      this.sameStampCount = 0;
    } else {
      this.sameStampCount++;
    }
    return rotatedName(this.path, this.lastStamp, this.sameStampCount);
  }

  private fail(error: NodeJS.ErrnoException, events: number): void {
    this.lost += events;
    this.closeFile();
    const reason = error.code ?? error.message;
    if (this.failing === reason) return;
    this.failing = reason;
    this.log(
      `log file ${this.path} cannot be written (${reason}); events are not kept there until it can be (said once)`,
    );
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Closing a descriptor whose writes failed can fail again; it is closed either way.
    }
    this.fd = undefined;
  }

  close(): void {
    clearInterval(this.checkTimer);
    if (this.lost > 0) {
      this.log(`${this.lost} events were not written to the log file ${this.path}`);
    }
    this.closeFile();
  }
}

const LINE_FEED = Buffer.from('\n', 'latin1');

/** Whether the last of FILE's `size` bytes is a line feed. */
function endsWithLineFeed(path: string, size: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

function countLines(buffer: Buffer): number {
  let lines = 0;
  for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) lines++;
  return lines;
}
