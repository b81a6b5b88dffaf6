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
 * - Rotation happens between writes: FILE is renamed and a new FILE opened,
 *   so no line is split or lost, and `tail -F FILE` follows by name.
 * - A failure (unwritable path, disk full) is said once on stderr; the events
 *   it costs are counted, the next write tries again, and the hooks go on.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * 16 MiB a file: jq, an editor or `less` opens one in well under a second on
 * a laptop, and it holds a day of one busy session's events (a few KiB each).
 */
export const DEFAULT_LOG_MAX_BYTES = 16 * 1024 * 1024;
/** Eight rotated files besides FILE: at most 144 MiB on disk, days of heavy use. */
export const DEFAULT_LOG_MAX_FILES = 8;

/** `FILE.20261205T010512123Z-000`: UTC time of the rotation, then a counter for the same millisecond. */
const ROTATED_SUFFIX = /^\.\d{8}T\d{9}Z-\d{3}$/;

/** The rotated files of `path`, oldest first (their names sort in time order). */
export function rotatedFiles(path: string): string[] {
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(base) && ROTATED_SUFFIX.test(name.slice(base.length)))
    .sort()
    .map((name) => join(dirname(path), name));
}

export class LogFile {
  private fd: number | undefined;
  private size = 0;
  private lastStamp = '';
  private sameStampCount = 0;
  /** The failure being reported, so that it is said once, and the events it cost. */
  private failing: string | undefined;
  private lost = 0;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly maxFiles: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Append whole JSON lines (one event each). */
  write(bytes: Buffer | string): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    try {
      if (this.fd === undefined) this.open();
      if (this.size > 0 && this.size + buffer.length > this.maxBytes) this.rotate();
      this.append(buffer);
      if (this.failing !== undefined) {
        this.log(`log file ${this.path} is written again; ${this.lost} events were lost meanwhile`);
        this.failing = undefined;
        this.lost = 0;
      }
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException, countLines(buffer));
    }
  }

  private open(): void {
    this.fd = openSync(this.path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  /** All of `buffer`, or none of it: a short write (disk full) is cut back off so only whole lines remain. */
  private append(buffer: Buffer): void {
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

  private rotate(): void {
    this.closeFile();
    renameSync(this.path, `${this.path}.${this.nextStamp()}`);
    // Open FILE again before pruning, so that the moment without it is as short as it can be.
    this.open();
    const rotated = rotatedFiles(this.path);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - this.maxFiles))) rmSync(old, { force: true });
  }

  private nextStamp(): string {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    if (stamp > this.lastStamp) {
      this.lastStamp = stamp;
      this.sameStampCount = 0;
    } else {
      this.sameStampCount++;
    }
    return `${this.lastStamp}-${String(this.sameStampCount).padStart(3, '0')}`;
  }

  private fail(error: NodeJS.ErrnoException, events: number): void {
    this.lost += events;
    this.closeFile();
    const reason = error.code ?? error.message;
    if (this.failing === reason) return;
    this.failing = reason;
    this.log(`log file ${this.path} cannot be written (${reason}); events are not kept there until it can be (said once)`);
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
    if (this.lost > 0) this.log(`${this.lost} events were not written to the log file ${this.path}`);
    this.closeFile();
  }
}

function countLines(buffer: Buffer): number {
  let lines = 0;
  for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) lines++;
  return lines;
}
