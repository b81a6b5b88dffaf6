/**
 * How the adversity run judges: made-up probes, outputs and cells in, figures
 * and verdicts out. No speed and no server is measured here; what is checked
 * is that a failed probe counts as slower than any answer, that torn lines and
 * lost events are counted as the issue means them, and which goal each cell
 * is said to miss.
 */
import { describe, expect, it } from 'vitest';
import { plannedAttacks } from './adversity.js';
import {
  adversityMarkdown,
  calmRatio,
  CALM,
  countJsonLines,
  countYamlDocuments,
  goalsMissed,
  lastWords,
  lostEvents,
  saidAfterReady,
  percentile,
  summarizeProbe,
  tableRow,
  type Cell,
  type ProbeSummary,
} from './adversity-report.js';

const calmProbe: ProbeSummary = { sent: 1000, failed: 0, p50: 2, p99: 10 };

function cell(overrides: Partial<Cell> = {}): Cell {
  return {
    attack: 'an attack',
    server: 'http',
    alive: true,
    exit: undefined,
    lost: 0,
    torn: 0,
    probe: { sent: 1000, failed: 0, p50: 2, p99: 12 },
    rss: { before: 56, during: 60, after: 57 },
    judgeMemory: false,
    note: '',
    ...overrides,
  };
}

describe('percentile', () => {
  const cases: ReadonlyArray<{
    name: string;
    latencies: (number | null)[];
    fraction: number;
    expected: number | null;
  }> = [
    { name: 'median-of-odd-count-is-the-middle', latencies: [3, 1, 2], fraction: 0.5, expected: 2 },
    {
      name: 'p99-of-100-is-the-99th',
      latencies: Array.from({ length: 100 }, (_, index) => index + 1),
      fraction: 0.99,
      expected: 99,
    },
    {
      name: 'a-failed-probe-is-slower-than-any-answer',
      latencies: [1, null, 5_000],
      fraction: 1,
      expected: null,
    },
    {
      name: 'failures-below-the-rank-leave-an-answer',
      latencies: [1, 2, 3, null],
      fraction: 0.5,
      expected: 2,
    },
    { name: 'no-probe-has-no-percentile', latencies: [], fraction: 0.5, expected: null },
  ];
  it.each(cases)('$name', ({ latencies, fraction, expected }) => {
    expect(percentile(latencies, fraction)).toBe(expected);
  });

  it('summary-counts-failed-probes', () => {
    expect(summarizeProbe([1, null, 2, null])).toEqual({ sent: 4, failed: 2, p50: 2, p99: null });
  });
});

describe('counting the output', () => {
  const cases: ReadonlyArray<{ name: string; text: string; events: number; torn: number }> = [
    { name: 'whole-lines-are-events', text: '{"a":1}\n{"b":2}\n', events: 2, torn: 0 },
    { name: 'a-last-line-without-newline-is-torn', text: '{"a":1}\n{"b":', events: 1, torn: 1 },
    { name: 'a-line-cut-inside-is-torn', text: '{"a":1}\n{"b":\n{"c":3}\n', events: 2, torn: 1 },
    { name: 'nothing-is-no-event', text: '', events: 0, torn: 0 },
  ];
  it.each(cases)('$name', ({ text, events, torn }) => {
    const counted = countJsonLines(text);
    expect({ events: counted.events, torn: counted.torn }).toEqual({ events, torn });
  });

  it('yaml-documents-are-counted-by-their-separator', () => {
    expect(countYamlDocuments('---\na: 1\n---\nb: |\n  ---\n')).toBe(2);
  });

  it('more-events-than-answers-is-no-loss', () => {
    expect([lostEvents(10, 7), lostEvents(10, 12)]).toEqual([3, 0]);
  });
});

describe('what the server said', () => {
  const cases: ReadonlyArray<{
    name: string;
    said: (stderr: string) => string;
    stderr: string;
    expected: string;
  }> = [
    {
      name: 'a-dead-server-is-quoted-by-its-error-not-by-node',
      said: lastWords,
      stderr:
        'ready\nfile.js:1\nRangeError: Maximum call stack size exceeded\n    at f (file.js:1:1)\n\nNode.js v20.20.2\n',
      expected: '"RangeError: Maximum call stack size exceeded"',
    },
    {
      name: 'a-dead-server-without-error-is-quoted-by-its-last-line',
      said: lastWords,
      stderr: 'ready\nstopped\n',
      expected: '"stopped"',
    },
    {
      name: 'a-live-server-is-quoted-after-ready-with-a-count',
      said: saidAfterReady,
      stderr: 'listening\nready; Ctrl+C stops\nlog file cannot be written\nwritten again\n',
      expected: 'said "log file cannot be written" and 1 more lines',
    },
    {
      name: 'a-quiet-server-said-nothing',
      said: saidAfterReady,
      stderr: 'listening\nready; Ctrl+C stops\n',
      expected: '',
    },
  ];
  it.each(cases)('$name', ({ said, stderr, expected }) => {
    expect(said(stderr)).toBe(expected);
  });
});

describe('goals', () => {
  const cases: ReadonlyArray<{ name: string; cell: Cell; missed: string[] }> = [
    { name: 'a-quiet-cell-meets-every-goal', cell: cell(), missed: [] },
    {
      name: 'an-exit-is-said-with-its-status',
      cell: cell({ alive: false, exit: 'code 1' }),
      missed: ['exited (code 1)'],
    },
    {
      name: 'lost-and-torn-are-counted',
      cell: cell({ lost: 3, torn: 1 }),
      missed: ['3 lost', '1 torn'],
    },
    {
      name: 'uncountable-output-misses-nothing',
      cell: cell({ lost: undefined, torn: undefined }),
      missed: [],
    },
    {
      name: 'p99-over-three-times-calm-misses',
      cell: cell({ probe: { sent: 1000, failed: 0, p50: 2, p99: 40 } }),
      missed: ['p99 4.0× calm'],
    },
    {
      name: 'p99-over-50-ms-misses-even-near-calm',
      cell: cell({ probe: { sent: 1000, failed: 0, p50: 2, p99: 60 } }),
      missed: ['p99 6.0× calm', 'p99 ≥ 50 ms'],
    },
    {
      name: 'failed-probes-are-said-instead-of-a-p99',
      cell: cell({ probe: { sent: 100, failed: 50, p50: null, p99: null } }),
      missed: ['50 probes failed'],
    },
    {
      name: 'viewers-over-100-mb-and-kept-memory-miss',
      cell: cell({ judgeMemory: true, rss: { before: 60, during: 400, after: 300 } }),
      missed: ['+340 MB', 'memory not returned'],
    },
    {
      name: 'memory-is-judged-for-viewers-only',
      cell: cell({ judgeMemory: false, rss: { before: 60, during: 400, after: 300 } }),
      missed: [],
    },
  ];
  it.each(cases)('$name', ({ cell: measured, missed }) => {
    expect(goalsMissed(measured, calmProbe)).toEqual(missed);
  });

  it('no-calm-p99-gives-no-ratio', () => {
    expect(calmRatio(calmProbe, { ...calmProbe, p99: null })).toBeNull();
  });
});

describe('the table', () => {
  it('a-row-says-each-figure-in-its-column', () => {
    const row = tableRow(
      cell({ alive: false, exit: 'code 1', lost: undefined, note: 'said | this' }),
      calmProbe,
    );
    expect(row.split(' | ').slice(1, 11)).toEqual([
      'http',
      'no: code 1',
      '-',
      '0',
      '2.0',
      '12',
      '1.2',
      '0/1000',
      '56 / 60 / 57',
      'exited (code 1)',
    ]);
    expect(row.endsWith('| said \\| this |')).toBe(true);
  });

  it('each-server-is-judged-against-its-own-calm-run', () => {
    const report = adversityMarkdown(
      {
        date: 'd',
        node: 'v',
        commit: 'c',
        before: undefined,
        quick: true,
        windowSeconds: 1,
        elapsedSeconds: 1,
      },
      [
        cell({ attack: CALM, server: 'http', probe: calmProbe }),
        cell({ attack: CALM, server: 'net', probe: { ...calmProbe, p99: 2 } }),
        cell({ server: 'http' }),
        cell({ server: 'net' }),
      ],
    );
    const rows = report.split('\n').filter((line) => line.startsWith('| an attack'));
    expect(rows.map((row) => row.split(' | ')[7])).toEqual(['1.2', '6.0']);
  });

  it('quick-takes-one-attack-of-each-kind-and-the-calm-run-first', () => {
    const names = plannedAttacks(true, undefined).map((attack) => attack.name);
    expect(names[0]).toBe(CALM);
    expect(names.filter((name) => name.startsWith('viewers'))).toEqual(['viewers 50']);
  });

  it('only-keeps-the-calm-run-and-the-named-attacks', () => {
    expect(plannedAttacks(false, 'viewers').map((attack) => attack.name)).toEqual([
      CALM,
      'viewers 50',
      'viewers 50, empty ring (control: no replay)',
      '50 GET /health at once (control for viewers 50)',
      'viewers 200',
      'viewers 500',
      'viewers 500, empty ring (control: no replay)',
      '500 GET /health at once (control for viewers 500)',
    ]);
  });

  it('only-naming-no-attack-is-an-error', () => {
    expect(() => plannedAttacks(false, 'no such attack')).toThrow(/no attack is named/);
  });
});
