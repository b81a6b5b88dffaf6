/**
 * Reading and replacing a settings file without ever leaving it half written:
 * the old bytes are copied to a timestamped backup first, the new text goes to
 * a temporary file in the same directory, and a rename puts it in place
 * (rename(2) replaces the target atomically within one file system).
 */
import { constants, type Stats } from 'node:fs';
import {
  access,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  realpath,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { replaceAtomically } from './replace-file.js';
import { SettingsError } from './settings-text.js';

export interface SettingsSnapshot {
  /** The path the user's scope names. */
  readonly path: string;
  /** Where the bytes really are: a symlinked settings file (a dotfiles repository) is written through its link. */
  readonly realPath: string;
  /** The file's bytes when it was read; undefined when it does not exist. */
  readonly bytes: Buffer | undefined;
  /** The bytes decoded once, as UTF-8. */
  readonly text: string | undefined;
  /** Permission bits to keep. */
  readonly mode: number | undefined;
  /** The file exists and its owner, or we, may not write it: a chmod a-w says "leave this alone". */
  readonly readOnly: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function readSettings(path: string): Promise<SettingsSnapshot> {
  const realPath = await resolveLink(path);
  let bytes: Buffer;
  let stats: Stats;
  try {
    stats = await stat(realPath);
    bytes = await readFile(realPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        path,
        realPath,
        bytes: undefined,
        text: undefined,
        mode: undefined,
        readOnly: false,
      };
    }
    throw error;
  }
  if (!stats.isFile()) throw new SettingsError(`${realPath} is not a regular file`);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new SettingsError('the file is not UTF-8 text');
  }
  const mode = stats.mode & 0o7777;
  return {
    path,
    realPath,
    bytes,
    text,
    mode,
    readOnly: (mode & 0o222) === 0 || !(await writable(realPath)),
  };
}

/** access(2) as this process: root may write any file, which is why the mode bits are asked as well. */
async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The refusal of a read-only file: a rename would replace it, and keep its read-only mode, without anyone's leave. */
export function readOnlyError(snapshot: SettingsSnapshot): SettingsError {
  const mode = (snapshot.mode ?? 0).toString(8).padStart(4, '0');
  return new SettingsError(
    `the file is read-only (mode ${mode}); nothing was written. To change it anyway: chmod u+w ${snapshot.realPath}`,
  );
}

async function resolveLink(path: string): Promise<string> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw error;
  }
  try {
    return await realpath(path);
  } catch {
    throw new SettingsError(`${path} is a symbolic link to a file that does not exist`);
  }
}

export interface WriteResult {
  readonly backupPath: string | undefined;
  /** Old backups removed to keep MAX_BACKUPS. */
  readonly removedBackups: number;
}

/**
 * Replace the file read as `snapshot` with `text`. Refuses when the file
 * changed since it was read (Claude Code itself writes settings, e.g. from
 * /permissions), so that nobody's edit is lost.
 */
export async function writeSettings(
  snapshot: SettingsSnapshot,
  text: string,
  now: Date = new Date(),
): Promise<WriteResult> {
  const current = await readSettings(snapshot.path);
  const unchanged =
    current.realPath === snapshot.realPath &&
    (current.bytes === undefined
      ? snapshot.bytes === undefined
      : snapshot.bytes !== undefined && current.bytes.equals(snapshot.bytes));
  if (!unchanged) {
    throw new SettingsError(
      'the file changed while this tool was running; nothing was written, run it again',
    );
  }
  if (current.readOnly) throw readOnlyError(current);

  await mkdir(dirname(snapshot.realPath), { recursive: true });
  const backupPath =
    snapshot.bytes === undefined ? undefined : await backUp(snapshot.realPath, now);
  await replaceAtomically(snapshot.realPath, Buffer.from(text, 'utf8'), snapshot.mode);
  const removedBackups = await pruneBackups(snapshot.realPath);
  return { backupPath, removedBackups };
}

/**
 * Backups kept beside a settings file: enough to undo the last few runs, while a
 * settings file linked into a dotfiles repository does not gather one file per
 * run forever. The oldest go first.
 */
export const MAX_BACKUPS = 5;

/** Remove this file's backups beyond MAX_BACKUPS, oldest first; returns how many went. Only names backUp makes are touched. */
async function pruneBackups(path: string): Promise<number> {
  const prefix = `${basename(path)}.backup-`;
  const ours = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z(-\d+)?$/;
  const backups = (await readdir(dirname(path)))
    .filter((name) => name.startsWith(prefix) && ours.test(name.slice(prefix.length)))
    .sort(byTimeThenAttempt);
  const surplus = backups.slice(0, Math.max(0, backups.length - MAX_BACKUPS));
  for (const name of surplus) await unlink(join(dirname(path), name)).catch(() => undefined);
  return surplus.length;
}

/** The stamps sort as text; a second backup in the same millisecond (`-2`, `-10`) by its number. */
function byTimeThenAttempt(a: string, b: string): number {
  const [stampA, attemptA] = splitAttempt(a);
  const [stampB, attemptB] = splitAttempt(b);
  return stampA < stampB ? -1 : stampA > stampB ? 1 : attemptA - attemptB;
}

function splitAttempt(name: string): [string, number] {
  const match = /^(.*Z)(?:-(\d+))?$/.exec(name)!;
  return [match[1]!, Number(match[2] ?? 1)];
}

/** `settings.json.backup-2026-11-25T21-07-22-593Z`: sorts by time, and never overwrites an earlier backup. */
async function backUp(path: string, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (let attempt = 1; ; attempt++) {
    const candidate = `${path}.backup-${stamp}${attempt === 1 ? '' : `-${attempt}`}`;
    try {
      await copyFile(path, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
