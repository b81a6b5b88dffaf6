/** npm as a user runs it, for the tests that install what `pnpm pack:npm` makes (test/pack). */
import { execFileSync } from 'node:child_process';
import { npmEnv } from '../../scripts/pack/stage.js';

/** `npm ping` that has no answer by then counts as a registry out of reach. */
const PING_TIMEOUT_MS = 15_000;
/** A global install fetches a few packages from the registry; a busy machine is slow to unpack them. */
export const INSTALL_TIMEOUT_MS = 240_000;

/** A user's environment: without what pnpm adds for the scripts it runs (vitest under `pnpm test`). */
export const userEnv = npmEnv;

export function npm(args: readonly string[], cwd: string, timeout = INSTALL_TIMEOUT_MS): string {
  return execFileSync('npm', args, {
    cwd,
    env: userEnv(),
    encoding: 'utf8',
    timeout,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Why the npm registry cannot be used here, or undefined when it answers. A developer's
 * machine without it skips what needs it; CI has it, so there the tests run and fail.
 */
export function registryProblem(): string | undefined {
  if (process.env['CI'] !== undefined) return undefined;
  try {
    npm(['ping'], process.cwd(), PING_TIMEOUT_MS);
    return undefined;
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? 'no answer';
    return `the npm registry is out of reach (npm ping: ${reason}); CI runs these tests`;
  }
}
