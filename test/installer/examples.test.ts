/**
 * configs/ holds what the installer writes, generated from its own code by
 * pnpm docs:sync: any change to the installer that changes its output must
 * regenerate them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOurHandlers } from '@hook-observatory/installer';
import { ROOT } from '@hook-observatory/launcher';
import { CONFIGS_DIR, exampleConfigs } from '../../scripts/docs/configs.js';

const CONFIGS = join(ROOT, CONFIGS_DIR);
const REGENERATE = 'run `pnpm docs:sync` and commit configs/';
const examples = exampleConfigs().map((example) => ({
  ...example,
  fileName: basename(example.file),
}));

describe('configs/ matches the installer', () => {
  it.each(examples)('$fileName', ({ fileName, text }) => {
    expect(
      readFileSync(join(CONFIGS, fileName), 'utf8'),
      `configs/${fileName} drifted: ${REGENERATE}`,
    ).toBe(text);
  });

  it('holds no example the installer does not generate', () => {
    const onDisk = readdirSync(CONFIGS)
      .filter((name) => name.endsWith('.json'))
      .sort();
    expect(onDisk, REGENERATE).toEqual(examples.map((example) => example.fileName).sort());
  });

  it('README.md lists every example', () => {
    const readme = readFileSync(join(CONFIGS, 'README.md'), 'utf8');
    for (const { fileName } of examples) expect(readme).toContain(`\`${fileName}\``);
  });

  it.each(examples)('$fileName: every hook in it is recognised as ours', ({ text }) => {
    expect(findOurHandlers(text)).toHaveLength(29);
  });
});
