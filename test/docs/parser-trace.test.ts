/**
 * The parser trace that docs/images/parser-trace.svg is drawn from
 * (scripts/docs/parser-trace.ts): fed a request a byte at a time, the net
 * server's parser says which part of the grammar reads each byte, and the
 * trace cuts the bytes into runs by part. Each case is a request and the runs
 * it must give; one the parser refuses stops the drawing.
 */
import { describe, expect, it } from 'vitest';
import { readParserMap } from '../../scripts/docs/parser-map.js';
import { traceRequests } from '../../scripts/docs/parser-trace.js';
import { ROOT } from '../../scripts/docs/paths.js';

const groups = readParserMap(ROOT, 'packages/net-server/src/request-parser.ts');
const runsOf = (...requests: string[]): Array<[string, string, boolean]> =>
  traceRequests(
    requests.map((request) => Buffer.from(request, 'latin1')),
    groups,
  ).map((run) => [run.part, run.bytes.toString('latin1'), run.completes]);

const CASES: ReadonlyArray<{ name: string; requests: string[]; runs: Array<[string, string, boolean]> }> = [
  {
    name: 'a request with no body ends on its empty line',
    requests: ['GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
    runs: [
      ['request line', 'GET / HTTP/1.1\r\n', false],
      ['header fields', 'Host: a\r\n\r\n', true],
    ],
  },
  {
    name: 'a body counted by Content-Length ends at its count',
    requests: ['POST /hook HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}'],
    runs: [
      ['request line', 'POST /hook HTTP/1.1\r\n', false],
      ['header fields', 'Content-Length: 2\r\n\r\n', false],
      ['body by Content-Length', '{}', true],
    ],
  },
  {
    name: 'a chunked body ends in the header fields: its trailer section',
    requests: ['POST /hook HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    runs: [
      ['request line', 'POST /hook HTTP/1.1\r\n', false],
      ['header fields', 'Transfer-Encoding: chunked\r\n\r\n', false],
      ['chunked body', '2\r\n{}\r\n0\r\n', false],
      ['header fields', '\r\n', true],
    ],
  },
  {
    name: 'two requests on one connection: the second starts a run of its own',
    requests: ['GET / HTTP/1.1\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n'],
    runs: [
      ['request line', 'GET / HTTP/1.1\r\n', false],
      ['header fields', '\r\n', true],
      ['request line', 'GET / HTTP/1.1\r\n', false],
      ['header fields', '\r\n', true],
    ],
  },
];

describe('the parser trace', () => {
  it.each(CASES)('$name', ({ requests, runs }) => {
    expect(runsOf(...requests)).toEqual(runs);
  });

  it('stops on bytes the parser refuses, instead of drawing them', () => {
    expect(() => runsOf('GET / HTTP/9.9\r\n\r\n')).toThrow(/refused/);
  });

  it('stops on a request that never completes', () => {
    expect(() => runsOf('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n{}')).toThrow(/0 of 1 requests completed/);
  });
});
