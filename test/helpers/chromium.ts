/**
 * Headless Chromium for the browser tests (Debian's `chromium` package): where
 * it is, and the flags that keep it from reaching anything but the page under
 * test. Where it is missing a test is skipped with the install line, unless
 * CI_REQUIRE_CHROMIUM=1 makes that a failure.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y chromium';

/** The chromium binary on PATH, or undefined. */
export function chromiumPath(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/** Chromium must be there: CI says so with CI_REQUIRE_CHROMIUM=1. */
export const CHROMIUM_REQUIRED = process.env['CI_REQUIRE_CHROMIUM'] === '1';

/** The flags that keep a headless Chromium from reaching anything but the page (the profile dir is fresh). */
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
