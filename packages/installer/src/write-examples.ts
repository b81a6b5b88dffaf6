#!/usr/bin/env node
/**
 * Regenerate configs/ from the installer's own code:
 * `npx tsc -b && node packages/installer/dist/write-examples.js [DIR]`.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exampleConfigs } from './examples.js';

/** From packages/installer/dist/ up to the repository's configs/. */
const DEFAULT_DIR = resolve(import.meta.dirname, '..', '..', '..', 'configs');

const dir = process.argv[2] ?? DEFAULT_DIR;
for (const example of exampleConfigs()) {
  const path = join(dir, example.fileName);
  await writeFile(path, example.text);
  process.stdout.write(`wrote ${path}\n`);
}
