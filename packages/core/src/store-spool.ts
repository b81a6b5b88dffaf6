/**
 * The store's spool: a file of JSON lines, one a row, that the PostgreSQL
 * store writes before it inserts and reads back in order (pg-store.ts). Rows
 * wait here while the database is down or slow, and survive a receiver that
 * is stopped before they went in (the next run adopts the file).
 *
 * Lines are appended at the end and read from `readOffset`; the file is
 * emptied once every line is read and compacted when the read part is most of
 * it, so it never grows past STORE_SPOOL_MAX_BYTES. What does not fit is
 * dropped and counted: memory and disk stay bounded whatever the database does.
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';

/**
 * 256 MiB on disk: at a few KiB an event, some 100,000 events, a day of a busy
 * team's hooks, enough for a database restarted, upgraded or failed over.
 */
export const STORE_SPOOL_MAX_BYTES = 256 * 1024 * 1024;
/** Bytes read for one batch: 1 MiB, a few hundred events, one insert of modest size. */
export const STORE_BATCH_MAX_BYTES = 1024 * 1024;

export class Spool {
  private fd: number;
  private size: number;
  private readOffset = 0;
  /** Rows not kept because the spool was full, since the last report. */
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly maxBytes = STORE_SPOOL_MAX_BYTES,
  ) {
    // 0600: the rows are the user's hook payloads (commands, prompts, paths).
    this.fd = openSync(path, 'a+', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /** Bytes not yet read back. */
  get unreadBytes(): number {
    return this.size - this.readOffset;
  }

  /** Append lines, in order; those that would pass the bound are dropped and counted. */
  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    if (
      this.size + lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) >
      this.maxBytes
    ) {
      this.compact();
    }
    const kept: string[] = [];
    let bytes = this.size;
    for (const line of lines) {
      const length = Buffer.byteLength(line) + 1;
      if (bytes + length > this.maxBytes) {
        this.dropped += 1;
        continue;
      }
      kept.push(line);
      bytes += length;
    }
    if (kept.length === 0) return;
    const buffer = Buffer.from(`${kept.join('\n')}\n`, 'utf8');
    let written = 0;
    while (written < buffer.length) {
      written += writeSync(this.fd, buffer, written, buffer.length - written, this.size + written);
    }
    this.size += buffer.length;
  }

  /** The next whole lines after the read offset, about STORE_BATCH_MAX_BYTES of them (one at least), and where they end. */
  peek(): { readonly lines: string[]; readonly end: number } {
    let want = Math.min(STORE_BATCH_MAX_BYTES, this.unreadBytes);
    for (;;) {
      const buffer = Buffer.alloc(want);
      const got = readSync(this.fd, buffer, 0, want, this.readOffset);
      const last = buffer.lastIndexOf(0x0a, got - 1);
      if (last >= 0) {
        const text = buffer.toString('utf8', 0, last);
        return { lines: text.split('\n'), end: this.readOffset + last + 1 };
      }
      // One line longer than a batch: read further until its end.
      if (got < want || want >= this.unreadBytes) return { lines: [], end: this.readOffset };
      want = Math.min(want * 2, this.unreadBytes);
    }
  }

  /** The lines up to `end` are in the database: forget them; an emptied spool starts again at zero. */
  advance(end: number): void {
    this.readOffset = end;
    if (this.readOffset >= this.size) {
      ftruncateSync(this.fd);
      this.size = 0;
      this.readOffset = 0;
    }
  }

  /** Rewrite the unread part alone, when most of the file has been read. */
  private compact(): void {
    if (this.readOffset < this.size / 2) return;
    const rest = Buffer.alloc(this.unreadBytes);
    readSync(this.fd, rest, 0, rest.length, this.readOffset);
    const fresh = `${this.path}.compact`;
    const fd = openSync(fresh, 'w+', 0o600);
    writeSync(fd, rest);
    closeSync(this.fd);
    renameSync(fresh, this.path);
    this.fd = fd;
    this.size = rest.length;
    this.readOffset = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}
