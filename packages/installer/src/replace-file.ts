/**
 * Replace a file whole: write a temporary file beside it, sync it, and rename
 * it into place, so that a reader (Claude Code, a running hook's curl) sees the
 * old file or the new one, never a part. `mode` undefined: a new file's.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What a new file is created with, before the umask: what editors and Claude Code use. */
const NEW_FILE_MODE = 0o666;

export async function replaceAtomically(
  path: string,
  bytes: Buffer | string,
  mode: number | undefined,
): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(temporary, 'wx', mode ?? NEW_FILE_MODE);
  try {
    try {
      // The umask may have taken bits from `mode`; the replacement keeps the original's exactly.
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // The rename is durable once the directory entry is (fsync(2): "also needs an explicit fsync() on the directory").
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
