/**
 * Out of file descriptors: said, and room made.
 *
 * Every connection holds a descriptor. At the soft limit (`ulimit -n`) accept
 * fails with EMFILE, and libuv accepts and closes each new connection at once
 * (src/unix/stream.c, uv__emfile_trick): every new hook is refused and nothing
 * is said. So once a second the watch counts the open descriptors; near the
 * limit it closes the connections that hold one for nothing (idle between
 * requests, or silent since they were accepted), as nginx and HAProxy drop
 * idle keep-alive connections first, and says once on stderr what to do.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** How often the descriptors in use are counted: a directory read of /proc, cheap at once a second. */
export const DESCRIPTOR_CHECK_INTERVAL_MS = 1_000;
/**
 * Descriptors kept free below the soft limit before connections are closed:
 * room for a burst of parallel hooks (a turn of Claude Code fires several at
 * once) and for the server's own files (a rotated log, an output-socket reader).
 */
export const DESCRIPTOR_HEADROOM = 16;
/**
 * A connection that has sent nothing this long is closed to make room: a
 * hook's client sends its request as it connects, and curl gives up after 1 s.
 */
export const SILENT_CONNECTION_MS = 1_000;

/** The soft `Max open files` of /proc/self/limits, or undefined when unlimited or not found. */
export function softDescriptorLimit(limits: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (match === null || match[1] === 'unlimited') return undefined;
  return Number(match[1]);
}

/** Descriptors open in this process (Linux), less the one the read itself used; Infinity when none is left to read with. */
export function descriptorsInUse(): number {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE') return Infinity;
    throw error;
  }
}

export interface DescriptorWatchOptions {
  readonly limit: number;
  readonly inUse: () => number;
  /** Close the connections that hold a descriptor for nothing, in every receiver. */
  readonly closeIdle: () => void;
  readonly log: (line: string) => void;
}

/** What the watch does on each count: close idle connections while short, and say when it starts and ends. */
export class DescriptorWatch {
  private short = false;

  constructor(private readonly options: DescriptorWatchOptions) {}

  check(): void {
    const { limit, inUse, closeIdle, log } = this.options;
    const used = inUse();
    if (used >= limit - DESCRIPTOR_HEADROOM) {
      closeIdle();
      if (!this.short) {
        this.short = true;
        log(
          `out of file descriptors: ${Number.isFinite(used) ? used : limit} of the limit of ${limit} are open; ` +
            'closing idle connections to serve new hooks; raise the limit (ulimit -n) before starting the server',
        );
      }
    } else if (this.short && used < limit - 2 * DESCRIPTOR_HEADROOM) {
      // Twice the headroom: a count that hovers at the threshold does not repeat the pair of lines.
      this.short = false;
      log(`file descriptors available again: ${used} of ${limit} open`);
    }
  }
}

/** Count once a second on Linux; elsewhere, or with no soft limit, there is nothing to watch. */
export function startDescriptorWatch(
  closeIdle: () => void,
  log: (line: string) => void,
): (() => void) | undefined {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const limit = softDescriptorLimit(limits);
  if (limit === undefined) return undefined;
  const watch = new DescriptorWatch({ limit, inUse: descriptorsInUse, closeIdle, log });
  const descriptorCheck = setInterval(() => watch.check(), DESCRIPTOR_CHECK_INTERVAL_MS);
  descriptorCheck.unref();
  return () => clearInterval(descriptorCheck);
}
