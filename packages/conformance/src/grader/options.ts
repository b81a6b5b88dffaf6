/** The grader's entry and its flags (main.ts parses them; test/docs/exercises.test.ts checks the notes' commands against them). */
import { join } from 'node:path';
import { ROOT } from '@hook-observatory/launcher';

/** The grader as `pnpm -s conformance` runs it, after `tsc -b`: the docs' scoreboard and its tests run this file too. */
export const GRADER_MAIN = join(ROOT, 'packages/conformance/dist/grader/main.js');

export const GRADER_OPTIONS = {
  server: { type: 'string', multiple: true },
  command: { type: 'string' },
  json: { type: 'boolean', default: false },
  'skip-timeouts': { type: 'boolean', default: false },
  unix: { type: 'boolean', default: false },
  family: { type: 'string', multiple: true },
  lesson: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
