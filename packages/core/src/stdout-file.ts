/**
 * Standard output when it is a file or a device (`> events.jsonl`,
 * `> /dev/null`), written here with fs.writeSync on descriptor 1 instead of
 * process.stdout.
 *
 * Why: Node writes standard output to a file synchronously (SyncWriteStream,
 * lib/internal/fs/sync_write_stream.js) and turns a failed write into an
 * 'error' that ends the stream for good. On a full disk that meant shutting
 * down (standard output the only sink) or abandoning standard output (with
 * --log), and a write cut short by ENOSPC left part of a line. Here, as the
 * log file does (log-file.ts):
 *
 * - Only whole lines reach the file: the rest of a line a failed write cut
 *   short is kept and written first when writing works again.
 * - A failure (ENOSPC, EIO, EDQUOT) is said once on stderr, the events it
 *   costs are counted, and writing is tried again after STDOUT_RETRY_MS; once
 *   it works, the count is said. The server never stops for it.
 */
import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * How long after a failed write standard output is tried again. Space comes
 * back when a person frees it, so a second is soon enough; meanwhile each
 * event costs nothing but a count, not a failing system call.
 */
export const STDOUT_RETRY_MS = 1_000;

/** Writes from `offset` of `buffer` to `fd`; returns the bytes written (fs.writeSync's contract). */
export type WriteToFd = (fd: number, buffer: Buffer, offset: number) => number;

const writeToFd: WriteToFd = (fd, buffer, offset) => writeSync(fd, buffer, offset);

/** Is `fd` a file or a device, not a pipe, a socket or a terminal (which process.stdout handles as streams)? */
export function isFileOrDevice(fd: number): boolean {
  if (isatty(fd)) return false;
  try {
    // bigint: on Node 20, a plain fstatSync of a pipe spoils the ESM resolver's
    // next realpath, and koffi (peer-address.ts) then fails to load.
    const stats = fstatSync(fd, { bigint: true });
    return stats.isFile() || stats.isCharacterDevice() || stats.isBlockDevice();
  } catch {
    return false;
  }
}

export class StdoutFile {
  /** The rest of a line that a failed write cut short: written before anything else. */
  private rest: Buffer | undefined;
  /** The failure being reported, said once, and the events it cost. */
  private failing: string | undefined;
  private lost = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fd: number,
    private readonly log: (line: string) => void,
    private readonly writeTo: WriteToFd = writeToFd,
  ) {}

  /** Write whole lines (one event or more); never throws. */
  write(bytes: Buffer | string): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    if (this.failing !== undefined && (Date.now() < this.retryAt || !this.finishRest())) {
      this.lost += countLines(buffer);
      return;
    }
    if (this.writeWhole(buffer)) this.recovered();
  }

  /** Write the rest of a cut line, if any; false if it failed again. */
  private finishRest(): boolean {
    const rest = this.rest;
    if (rest === undefined) return true;
    this.rest = undefined;
    return this.writeWhole(rest);
  }

  /**
   * All of `buffer`. A write that fails after part of a line keeps the rest
   * of that line (this.rest); the lines after it are counted lost.
   */
  private writeWhole(buffer: Buffer): boolean {
    let written = 0;
    try {
      while (written < buffer.length) written += this.writeTo(this.fd, buffer, written);
      return true;
    } catch (error) {
      const lineStart = written === 0 ? 0 : buffer.lastIndexOf(0x0a, written - 1) + 1;
      let next = written;
      if (written > lineStart) {
        const newline = buffer.indexOf(0x0a, written);
        next = newline === -1 ? buffer.length : newline + 1;
        this.rest = Buffer.from(buffer.subarray(written, next));
      }
      this.lost += countLines(buffer.subarray(next));
      this.failed(error as NodeJS.ErrnoException);
      return false;
    }
  }

  private failed(error: NodeJS.ErrnoException): void {
    this.retryAt = Date.now() + STDOUT_RETRY_MS;
    // A cut line is finished as soon as it can be, even if no event comes to trigger a write.
    if (this.rest !== undefined && this.retryTimer === undefined) {
      this.retryTimer = setTimeout(() => this.retry(), STDOUT_RETRY_MS);
      this.retryTimer.unref();
    }
    const reason = error.code ?? error.message;
    if (this.failing === reason) return;
    this.failing = reason;
    this.log(
      `standard output cannot be written (${reason}); events are counted, not written, ` +
        `and writing is tried again every ${STDOUT_RETRY_MS} ms (said once)`,
    );
  }

  private retry(): void {
    this.retryTimer = undefined;
    if (this.finishRest()) this.recovered();
  }

  private recovered(): void {
    if (this.failing === undefined) return;
    this.log(`standard output is written again; ${this.lost} events were lost meanwhile`);
    this.failing = undefined;
    this.lost = 0;
  }

  close(): void {
    clearTimeout(this.retryTimer);
    if (this.rest !== undefined && this.finishRest()) this.recovered();
    if (this.lost > 0) this.log(`${this.lost} events were not written to standard output`);
  }
}

function countLines(buffer: Buffer): number {
  let lines = 0;
  for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) lines++;
  return lines;
}
