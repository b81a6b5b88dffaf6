/**
 * The file a curl hook reads its Authorization header from (`curl -H @FILE`,
 * curl 7.55 and later). On curl's command line the secret would be shown by
 * `ps` to every user of the machine for as long as the hook runs; a file of
 * mode 0600 is read by its owner only. One file per settings file, so that
 * taking one set of hooks out never breaks another's.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TOKEN_ENV, UsageError, nonEmpty } from '@hook-observatory/core/vocabulary';
import { replaceAtomically } from './replace-file.js';

/** Owner read and write only: the file holds a secret. */
export const TOKEN_FILE_MODE = 0o600;
/** The directory that holds the token files: its owner's only, so nobody else can even list it. */
const TOKEN_DIR_MODE = 0o700;
/** Hex digits of the settings path's SHA-256 in a file name: enough that two settings files never share one. */
const NAME_HASH_DIGITS = 16;
/** A Bearer credential is printable ASCII without spaces (RFC 6750 section 2.1); a line break would add a header. */
const BEARER_TOKEN = /^[\x21-\x7e]+$/;

/** Where the token of the hooks in `settingsPath` lives: beside the user's own Claude settings (`configDir`), never in a project. */
export function tokenFileFor(settingsPath: string, configDir: string): string {
  const name = createHash('sha256')
    .update(resolve(settingsPath))
    .digest('hex')
    .slice(0, NAME_HASH_DIGITS);
  return join(configDir, 'hook-observatory', `token-${name}.header`);
}

/** The secret --token writes: $HOOK_OBSERVATORY_TOKEN as the installer sees it, the value the server is started with. */
export function tokenFromEnvironment(env: NodeJS.ProcessEnv): string {
  const token = nonEmpty(env[TOKEN_ENV]);
  if (token === undefined) {
    throw new UsageError(
      `--token writes $${TOKEN_ENV} to a file only you can read; set it to the server's token first`,
    );
  }
  if (!BEARER_TOKEN.test(token)) {
    throw new UsageError(
      `$${TOKEN_ENV} must be printable ASCII without spaces, as a Bearer credential is (RFC 6750 section 2.1)`,
    );
  }
  return token;
}

/** The file's whole text: one header line, as `curl -H @FILE` reads it. */
export function tokenHeader(token: string): string {
  return `Authorization: Bearer ${token}\n`;
}

/** Whether `path` holds exactly the header for `token`. */
export async function tokenFileIsCurrent(path: string, token: string): Promise<boolean> {
  try {
    return (await readFile(path, 'utf8')) === tokenHeader(token);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Write the header by a rename, so that a hook running meanwhile reads the old file or the new one, whole. */
export async function writeTokenFile(path: string, token: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: TOKEN_DIR_MODE });
  // Created 0600 and then chmod'ed: the umask can only take bits away, and an old file's mode does not carry over.
  await replaceAtomically(path, tokenHeader(token), TOKEN_FILE_MODE);
}

/** Remove the file; false when there was none. */
export async function removeTokenFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
