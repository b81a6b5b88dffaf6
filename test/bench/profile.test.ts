/**
 * The profile's tables: a made-up profile in, its rows out. What is checked is
 * the arithmetic that lets two servers' profiles be read side by side: a
 * row's share of the samples, and its CPU time per answer, idle left out.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './paths.js';
import { summarizeProfile } from './profile.js';

const OURS = `file://${ROOT}/packages/core/dist/enrich.js`;
const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  scriptId: '0',
  columnNumber: 0,
});

/** 20 samples over 2,000 µs: 100 µs each. */
const PROFILE = {
  startTime: 0,
  endTime: 2_000,
  nodes: [
    { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 3, 5] },
    { id: 2, callFrame: frame('(idle)'), hitCount: 10 },
    { id: 3, callFrame: frame('enrich', OURS, 73), hitCount: 2, children: [4] },
    { id: 4, callFrame: frame('writeBuffer'), hitCount: 6 },
    { id: 5, callFrame: frame('(garbage collector)'), hitCount: 2 },
  ],
};
const ANSWERS = 4;
const MICROSECONDS_PER_SAMPLE = 100;
const perAnswer = (samples: number): string =>
  ((samples * MICROSECONDS_PER_SAMPLE) / ANSWERS).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'profile-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'made-up.cpuprofile');
writeFileSync(file, JSON.stringify(PROFILE));
const summary = summarizeProfile(file, ANSWERS);
/** The self table comes first, then the total one (our functions with what they call). */
const [, selfTable, totalTable] = summary.split('\n\n');
const TABLES = { self: selfTable ?? '', total: totalTable ?? '' };
const row = (table: keyof typeof TABLES, name: string): string | undefined =>
  TABLES[table].split('\n').find((line) => line.endsWith(`\`${name}\` |`));

describe('a profile summary', () => {
  it('gives the shares of idle and the garbage collector, and the CPU per answer with idle left out', () => {
    expect(summary).toContain('(idle) 50.0 %, (garbage collector) 10.0 %.');
    expect(summary).toContain(
      `${ANSWERS} answers; ${perAnswer(10)} µs of CPU (not idle) per answer.`,
    );
  });

  const ENRICH = 'enrich packages/core/dist/enrich.js:74';
  const cases = [
    { name: 'a native function on its own', table: 'self', function: 'writeBuffer', samples: 6 },
    { name: 'our function on its own', table: 'self', function: ENRICH, samples: 2 },
    { name: 'our function with what it calls', table: 'total', function: ENRICH, samples: 2 + 6 },
  ] as const;
  it.each(cases)(
    'lists $name with its share and its µs per answer',
    ({ table, function: name, samples }) => {
      expect(row(table, name)).toBe(
        `| ${((100 * samples) / 20).toFixed(1)} % | ${perAnswer(samples)} | \`${name}\` |`,
      );
    },
  );

  it("leaves V8's pseudo-frames out of the function tables", () => {
    expect(row('self', '(garbage collector)')).toBeUndefined();
    expect(row('self', '(idle)')).toBeUndefined();
  });

  it('says "-" per answer when the server answered nothing', () => {
    expect(summarizeProfile(file, 0)).toContain('0 answers; - µs of CPU');
  });
});
