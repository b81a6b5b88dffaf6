/**
 * A socket written one write at a time. Bytes handed over while a write is in
 * flight wait in a queue of our own and go out joined in the next write.
 *
 * Why not `socket.write` for each event: a socket that is not being read keeps
 * every write it was given as a chunk of its own (Writable's buffered list),
 * and `destroy()` then errors each one and hands them all to the garbage
 * collector in the same turn. Cutting 55 readers at once that way held a hook
 * for 3 to 5 s. Here the socket never holds more than one write of at most
 * PACED_WRITE_MAX_BYTES, the queue is one array dropped whole, so cutting a
 * reader off costs the same however far behind it is.
 */
import type { Socket } from 'node:net';

/**
 * The most bytes joined into one write. 256 KiB is past what a Unix socket's
 * or loopback TCP's kernel buffer takes at once (net.core.wmem_default is
 * 208 KiB), so a reader that keeps up is never held back by the pacing, and a
 * copy of that size takes well under a millisecond.
 */
export const PACED_WRITE_MAX_BYTES = 256 * 1024;

export class PacedWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private ending: (() => void) | undefined;

  constructor(private readonly socket: Socket) {}

  /** Bytes handed over and not yet taken by the kernel: our queue and the write in flight. */
  get unsentBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  write(bytes: Buffer | string): void {
    if (this.socket.destroyed || this.ending !== undefined) return;
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    this.queue.push(buffer);
    this.queuedBytes += buffer.length;
    if (!this.writing) this.next();
  }

  /** Drop everything queued and close the socket at once: no flush, nothing waits. */
  cutOff(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.socket.destroy();
  }

  /** Send what is queued, then end the socket; resolves once it has ended or was closed. */
  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.ending = resolve;
      this.socket.once('close', resolve);
      if (!this.writing) this.next();
    });
  }

  private next(): void {
    if (this.queue.length === 0) {
      if (this.ending !== undefined && !this.socket.destroyed) this.socket.end(this.ending);
      return;
    }
    const taken = this.take();
    this.writing = true;
    // The callback comes once the kernel has the bytes (never in the same tick),
    // or with an error once the socket is closed: then the queue has no reader.
    this.socket.write(taken, (error) => {
      this.writing = false;
      if (error === null || error === undefined) this.next();
    });
  }

  /** The queue's first buffers, joined up to PACED_WRITE_MAX_BYTES (or one longer buffer alone). */
  private take(): Buffer {
    let count = 0;
    let bytes = 0;
    for (const buffer of this.queue) {
      if (count > 0 && bytes + buffer.length > PACED_WRITE_MAX_BYTES) break;
      count++;
      bytes += buffer.length;
    }
    const taken = this.queue.splice(0, count);
    this.queuedBytes -= bytes;
    return taken.length === 1 ? (taken[0] as Buffer) : Buffer.concat(taken, bytes);
  }
}
