/**
 * pnpm demo: a recorded session into both servers, the streams side by side,
 * and a verdict that says "identical" only when every byte is.
 */
import { describe, expect, it } from 'vitest';
import { firstDifference, runDemo, sideBySide, verdict } from '@hook-observatory/tools/demo';
import { loadTraffic } from '@hook-observatory/conformance/traffic';

describe('the demo', () => {
  it('replays the teammate session into both servers and finds them identical', async () => {
    const lines: string[] = [];
    const identical = await runDemo({
      session: 'teammate',
      width: 120,
      write: (line) => lines.push(line),
    });
    const replayed = loadTraffic('teammate').filter((request) => request.transport === 'tcp');
    expect(identical).toBe(true);
    expect(
      lines.find((line) => line.includes('node:http') && line.includes('node:net')),
    ).toBeDefined();
    const rows = lines.filter((line) => /^\s+\d+ (curl|native)\s+\w+\s+\{/.test(line));
    expect(rows).toHaveLength(replayed.length);
    expect(rows.every((row) => row.includes(' = '))).toBe(true);
    expect(lines.at(-1)).toBe(
      `verdict: identical. ${replayed.length} events and ${replayed.length} answers, byte for byte.`,
    );
  });
});

describe('comparing streams', () => {
  it.each([
    { name: 'same', http: ['a', 'b'], net: ['a', 'b'], expected: undefined },
    {
      name: 'second-differs',
      http: ['a', 'b'],
      net: ['a', 'c'],
      expected: { what: 'event', index: 1, http: 'b', net: 'c' },
    },
    {
      name: 'net-shorter',
      http: ['a', 'b'],
      net: ['a'],
      expected: { what: 'event', index: 1, http: 'b', net: undefined },
    },
    {
      name: 'http-shorter',
      http: [],
      net: ['a'],
      expected: { what: 'event', index: 0, http: undefined, net: 'a' },
    },
  ])('$name', ({ http, net, expected }) => {
    expect(firstDifference(http, net, 'event')).toEqual(expected);
  });

  it('points at the first differing character', () => {
    const lines = verdict(
      { what: 'answer', index: 2, http: 'HTTP/1.1 200 OK', net: 'HTTP/1.1 200 Ok' },
      5,
      5,
    );
    expect(lines[0]).toBe('verdict: different. First difference: answer 3, at character 15:');
    expect(lines[1]).toBe('  node:http  HTTP/1.1 200 OK');
    expect(lines[2]).toBe('  node:net   HTTP/1.1 200 Ok');
  });

  it('marks differing rows', () => {
    const rows = sideBySide(
      ['{"_ts":"t","_event":"Stop","a":1}'],
      ['{"_ts":"t","_event":"Stop","a":2}'],
      ['curl'],
      80,
    );
    expect(rows[1]).toMatch(/^\s+1 curl\s+Stop\s+\{"a":1\}\s+≠ Stop\s+\{"a":2\}$/);
  });
});
