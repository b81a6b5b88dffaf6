/** The grader's flags (main.ts parses them; test/docs/exercises.test.ts checks the notes' commands against them). */
export const GRADER_OPTIONS = {
  server: { type: 'string', multiple: true },
  command: { type: 'string' },
  json: { type: 'boolean', default: false },
  'skip-timeouts': { type: 'boolean', default: false },
  unix: { type: 'boolean', default: false },
  family: { type: 'string', multiple: true },
} as const;
