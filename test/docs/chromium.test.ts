/**
 * The browser-test rule (test/helpers/chromium.ts): a missing Chromium is a
 * skip that shows the install line, or a failure when CI_REQUIRE_CHROMIUM=1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_INSTALL_LINE, CHROMIUM_PATH_ENV, decideChromium, REQUIRE_CHROMIUM_ENV } from '../helpers/chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'chromium-rule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const present = join(dir, 'chromium');
writeFileSync(present, '');
const missing = join(dir, 'no-such-chromium');
const emptyPath = join(dir, 'empty-bin');

const cases = [
  { name: 'a browser at the override path runs', env: { [CHROMIUM_PATH_ENV]: present }, expected: 'run' },
  { name: 'a browser on PATH runs', env: { PATH: dir }, expected: 'run' },
  { name: 'a missing override path skips', env: { [CHROMIUM_PATH_ENV]: missing }, expected: 'skip' },
  { name: 'nothing on PATH skips', env: { PATH: emptyPath }, expected: 'skip' },
  { name: 'a missing browser fails when CI requires it', env: { [CHROMIUM_PATH_ENV]: missing, [REQUIRE_CHROMIUM_ENV]: '1' }, expected: 'fail' },
  { name: 'a present browser runs when CI requires it', env: { [CHROMIUM_PATH_ENV]: present, [REQUIRE_CHROMIUM_ENV]: '1' }, expected: 'run' },
] as const;

describe('where Chromium is missing', () => {
  it.each(cases)('$name', ({ env, expected }) => {
    const decision = decideChromium(env);
    expect(decision.kind).toBe(expected);
    if (decision.kind === 'run') expect(decision.path).toBe(expected === 'run' && CHROMIUM_PATH_ENV in env ? present : join(dir, 'chromium'));
    else expect(decision.message).toContain(CHROMIUM_INSTALL_LINE);
  });
});
