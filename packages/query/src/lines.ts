/**
 * The log as lines of bytes: FILE's rotated files oldest first, then FILE,
 * or standard input. Read in chunks, so memory stays flat whatever the size;
 * a line is decoded only by the one who wants it.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { rotatedFiles } from '@hook-observatory/core/vocabulary';

const LF = 0x0a;

/** Every log given, each with its rotated files before it, in time order. */
export function filesInOrder(paths: readonly string[]): string[] {
  return paths.flatMap((path) => [...rotatedFiles(path), path]);
}

/** Calls `onLine` with each whole line (without its LF); a last line without one counts too. */
export async function eachLine(stream: Readable, onLine: (line: Buffer) => void): Promise<void> {
  let rest: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    let end = chunk.indexOf(LF);
    if (rest !== undefined && end !== -1) {
      onLine(Buffer.concat([rest, chunk.subarray(0, end)]));
      rest = undefined;
      start = end + 1;
      end = chunk.indexOf(LF, start);
    }
    while (end !== -1) {
      onLine(chunk.subarray(start, end));
      start = end + 1;
      end = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      rest =
        rest === undefined ? chunk.subarray(start) : Buffer.concat([rest, chunk.subarray(start)]);
    }
  }
  if (rest !== undefined && rest.length > 0) onLine(rest);
}

/** 1 MiB reads: few system calls per gigabyte, little memory. */
export const READ_CHUNK_BYTES = 1024 * 1024;

export async function eachLineOfFiles(
  paths: readonly string[],
  onLine: (line: Buffer) => void,
): Promise<void> {
  for (const path of paths) {
    await eachLine(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), onLine);
  }
}

/** Bytes every line of the server's log carries (its `_event` field, README "What an event holds"). */
const LOG_FIELD = Buffer.from('"_event"');
/** Bytes a capture's request line carries (packages/conformance/traffic/README.md). */
const CAPTURE_FIELD = Buffer.from('"bodyBase64":');

/**
 * Tells whether an input held the server's log: a file whose lines all lack the
 * log's fields would otherwise show nothing and exit 0, as if no event matched.
 * Once one log line is seen nothing more is looked at, so a log costs nothing.
 */
export class LogShape {
  private lines = 0;
  private logLines = 0;
  private captureLines = 0;

  readonly see = (line: Buffer): void => {
    if (this.logLines > 0 || line.length === 0) return;
    this.lines += 1;
    if (line.includes(LOG_FIELD)) this.logLines += 1;
    else if (line.includes(CAPTURE_FIELD)) this.captureLines += 1;
  };

  /** Why `name` is not the server's log, in one line; undefined when it is (or was empty). */
  refusal(name: string): string | undefined {
    if (this.lines === 0 || this.logLines > 0) return undefined;
    const what =
      this.captureLines > 0
        ? 'it is a capture of the requests, which `replay` sends to a server that logs them'
        : 'no line has the log\'s "_event" field';
    return `${name}: not the server's log (--log FILE): ${what}`;
  }
}
