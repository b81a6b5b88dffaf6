/** The TypeScript sources of every package (its src directory), for the tests of the codebase itself. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@hook-observatory/launcher';

export function packageSources(): string[] {
  return readdirSync(join(ROOT, 'packages'), { recursive: true, encoding: 'utf8' })
    .filter((path) => /^[^/]+\/src\/.*\.ts$/.test(path) && !path.endsWith('.d.ts'))
    .map((path) => join(ROOT, 'packages', path));
}
