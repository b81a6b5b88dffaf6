/**
 * --watch: follow FILE as `tail -F` does. Every FOLLOW_POLL_MS read what was
 * added; when FILE is a new file (the server rotated it), read the old one to
 * its end first, so no line is missed at rotation.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** Four looks a second: a human watching sees changes at once, and an idle follow costs nothing. */
export const FOLLOW_POLL_MS = 250;
const READ_BYTES = 1024 * 1024;

/** Follow `path` from its start; what it holds now is read before this returns. */
export function follow(
  path: string,
  onLine: (line: Buffer) => void,
  onChange: () => void,
): () => void {
  let fd: number | undefined;
  let position = 0;
  let rest = Buffer.alloc(0);
  const buffer = Buffer.alloc(READ_BYTES);

  const drain = (): boolean => {
    if (fd === undefined) return false;
    let any = false;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) return any;
      any = true;
      position += read;
      let chunk = Buffer.concat([rest, buffer.subarray(0, read)]);
      for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a)) {
        onLine(chunk.subarray(0, end));
        chunk = chunk.subarray(end + 1);
      }
      rest = Buffer.from(chunk);
    }
  };

  const look = (): void => {
    let changed = false;
    try {
      if (fd === undefined) fd = openSync(path, 'r');
      changed = drain();
      const current = statSync(path, { throwIfNoEntry: false });
      if (current !== undefined && current.ino !== fstatSync(fd).ino) {
        changed = drain() || changed;
        closeSync(fd);
        fd = openSync(path, 'r');
        position = 0;
        rest = Buffer.alloc(0);
        changed = drain() || changed;
      }
    } catch {
      // FILE is not there yet, or is between rename and creation: look again later.
    }
    if (changed) onChange();
  };
  const timer = setInterval(look, FOLLOW_POLL_MS);
  look();
  return () => {
    clearInterval(timer);
    if (fd !== undefined) closeSync(fd);
  };
}
