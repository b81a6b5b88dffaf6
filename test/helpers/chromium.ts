/**
 * The one rule for browser tests: find Chromium, and where it is missing, skip
 * with the install line, unless CI_REQUIRE_CHROMIUM=1 (set by .ci/run) turns
 * the missing browser into a failure, so CI always runs the browser tests.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'vitest';

/** The line that installs Debian's `chromium`; .ci/run runs the same. */
export const CHROMIUM_INSTALL_LINE = 'apt-get update && apt-get install -y chromium';
/** Set to 1 to make a missing Chromium a failure instead of a skip. */
export const REQUIRE_CHROMIUM_ENV = 'CI_REQUIRE_CHROMIUM';
/** A path to the browser that replaces the PATH lookup (and lets a test point it at nothing). */
export const CHROMIUM_PATH_ENV = 'HOOK_OBSERVATORY_CHROMIUM';
const NAMES = ['chromium', 'chromium-browser'];

export type ChromiumDecision =
  | { readonly kind: 'run'; readonly path: string }
  | { readonly kind: 'skip' | 'fail'; readonly message: string };

/** What a browser test does in this environment: run with a path, skip, or fail. */
export function decideChromium(env: NodeJS.ProcessEnv = process.env): ChromiumDecision {
  const override = env[CHROMIUM_PATH_ENV];
  const candidates = override
    ? [override]
    : (env['PATH'] ?? '').split(delimiter).flatMap((dir) => NAMES.map((name) => join(dir, name)));
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path !== undefined) return { kind: 'run', path };
  const where = override ? `not at ${CHROMIUM_PATH_ENV}=${override}` : 'not on PATH';
  const message = `Chromium is missing (${where}): install it with \`${CHROMIUM_INSTALL_LINE}\``;
  return env[REQUIRE_CHROMIUM_ENV] === '1'
    ? { kind: 'fail', message: `${message} (${REQUIRE_CHROMIUM_ENV}=1 makes this a failure)` }
    : { kind: 'skip', message };
}

/** Chromium's path for a test; skips the test (with the install line) or throws, per decideChromium. */
export function chromiumOrSkip(context: TestContext): string {
  const decision = decideChromium();
  if (decision.kind === 'run') return decision.path;
  if (decision.kind === 'fail') throw new Error(decision.message);
  console.warn(`skipped "${context.task.name}": ${decision.message}`);
  return context.skip(decision.message);
}

/** The flags that keep a headless Chromium from reaching anything but the page (pass a fresh profile dir). */
export function chromiumFlags(profile?: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(profile === undefined ? [] : [`--user-data-dir=${profile}`]),
  ];
}
