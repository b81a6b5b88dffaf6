/**
 * The harness itself: a conformance suite that could not fail would prove
 * nothing. These check that a one-byte difference anywhere in a capture is
 * reported, readably, that only a well-formed Date value is forgiven, that a
 * server's output is cut into cases at the markers however it arrives, and
 * that a subject's paced waits (the grader's) wait for what node:http waited for.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  byteDiff,
  escapeBytes,
  firstDifference,
} from '@hook-observatory/conformance/harness/byte-diff';
import { differences, unmetExpectations } from '@hook-observatory/conformance/harness/compare';
import {
  StreamTap,
  type CaseCapture,
  type PairCapture,
} from '@hook-observatory/conformance/harness/server-pair';
import {
  awaitAnswers,
  send,
  splitAt,
  type ClientScript,
  type TrafficCase,
} from '@hook-observatory/conformance/harness/traffic-script';
import {
  ANSWER_WAIT_MS,
  playClient,
  statusesIn,
  SUBJECT_QUIET_MS,
  SUBJECT_SLOWDOWN,
  withoutDates,
  type ClientCapture,
} from '@hook-observatory/conformance/harness/wire-client';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const ANSWER =
  'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\n\r\n';

function client(received: string, overrides: Partial<ClientCapture> = {}): ClientCapture {
  const normalized = withoutDates(bytes(received));
  return {
    received: normalized,
    statuses: statusesIn(normalized),
    end: 'open',
    checkpoints: [],
    stalled: [],
    waitedMs: [],
    ...overrides,
  };
}

function capture(clientCapture: ClientCapture, stream = '{"_event":"Stop"}\n'): CaseCapture {
  return { clients: [clientCapture], stdout: bytes(stream), outputSocket: bytes(stream) };
}

const oneRequest: TrafficCase = {
  name: 'one-request',
  clients: [{ steps: [], expect: { statuses: [200], end: 'open' } }],
  events: 1,
};

describe('the conformance harness', () => {
  it('escapes-control-bytes-readably', () => {
    expect(escapeBytes(bytes('a\r\n\t\\\x00\x7f\xff'))).toBe('a\\r\\n\\t\\\\\\x00\\x7f\\xff');
  });

  it('finds-the-first-differing-byte', () => {
    expect(firstDifference(bytes('abc'), bytes('abc'))).toBe(-1);
    expect(firstDifference(bytes('abc'), bytes('abd'))).toBe(2);
    expect(firstDifference(bytes('abc'), bytes('ab'))).toBe(2);
  });

  it('shows-both-sides-at-the-offset', () => {
    const diff = byteDiff(
      'bytes',
      ['http', 'net'],
      bytes('HTTP/1.1 200 OK\r\n'),
      bytes('HTTP/1.1 201 OK\r\n'),
    );
    expect(diff).toContain('first difference at byte 11');
    expect(diff).toContain('HTTP/1.1 20⟦0 OK\\r\\n');
    expect(diff).toContain('HTTP/1.1 20⟦1 OK\\r\\n');
  });

  it('forgives-only-a-well-formed-date', () => {
    expect(withoutDates(bytes(ANSWER)).toString('latin1')).toContain('\r\nDate: <date>\r\n');
    const notImfFixdate = withoutDates(bytes(ANSWER.replace('GMT', 'UTC'))).toString('latin1');
    expect(notImfFixdate).toContain('Date: Thu, 01 Jan 2026 00:00:00 UTC');
    expect(notImfFixdate).not.toContain('<date>');
  });

  it('reports-nothing-for-identical-captures', () => {
    const same: PairCapture = {
      http: capture(client(ANSWER)),
      net: capture(
        client(ANSWER.replace('Thu, 01 Jan 2026 00:00:00', 'Fri, 02 Jan 2026 01:02:03')),
      ),
    };
    expect(differences(oneRequest, same)).toEqual([]);
    expect(unmetExpectations(oneRequest, same.http)).toEqual([]);
  });

  it.each([
    ['one-byte-in-the-answer', capture(client(ANSWER.replace('keep-alive', 'keep-alivE')))],
    ['one-byte-more', capture(client(`${ANSWER}\r`))],
    ['the-connection-end', capture(client(ANSWER, { end: 'closed' }))],
    [
      'a-checkpoint',
      capture(client(ANSWER, { checkpoints: [{ label: 'x', open: false, bytesReceived: 0 }] })),
    ],
    ['the-event-stream', capture(client(ANSWER), '{"_event":"Stop "}\n')],
  ])('reports-a-difference-in-%s', (_name, theirs) => {
    const found = differences(oneRequest, { http: capture(client(ANSWER)), net: theirs });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toContain('first difference at byte');
  });

  it('compares-concurrent-clients-events-in-any-order', () => {
    const concurrent: TrafficCase = { ...oneRequest, order: 'concurrent' };
    const a = capture(client(ANSWER), '{"a":1}\n{"b":2}\n');
    const b = capture(client(ANSWER), '{"b":2}\n{"a":1}\n');
    expect(differences(concurrent, { http: a, net: b })).toEqual([]);
    expect(differences(oneRequest, { http: a, net: b })).not.toEqual([]);
  });

  it('counts-every-event-line-of-the-stream', () => {
    const events = '{"a":1}\n{"b":2}\n{"c":3}\n';
    expect(unmetExpectations(oneRequest, capture(client(ANSWER), events))).toEqual([
      '3 events in the stream, expected 1',
    ]);
  });

  it('checks-the-case-expectation', () => {
    const unmet = unmetExpectations(
      oneRequest,
      capture(client(ANSWER.replace('200 OK', '400 Bad Request'), { end: 'closed' }), ''),
    );
    expect(unmet).toEqual([
      'client: statuses [400], expected [200]',
      'client: connection closed, expected open',
      '0 events in the stream, expected 1',
    ]);
  });

  it.each([
    { name: 'cuts-in-order-whatever-the-order-given', offsets: [3, 1], pieces: ['a', 'bc', 'de'] },
    { name: 'one-cut', offsets: [4], pieces: ['abcd', 'e'] },
  ])('split-$name', ({ offsets, pieces }) => {
    const sent = splitAt(bytes('abcde'), offsets).flatMap((step) =>
      'send' in step ? [step.send.toString('latin1')] : [],
    );
    expect(sent).toEqual(pieces);
  });

  it.each([
    { name: 'past-the-end', offsets: [2, 9] },
    { name: 'at-the-end', offsets: [5] },
    { name: 'at-the-start', offsets: [0] },
    { name: 'repeated', offsets: [2, 2] },
  ])('split-refuses-an-offset-that-cuts-nothing-$name', ({ offsets }) => {
    expect(() => splitAt(bytes('abcde'), offsets)).toThrow(/cuts nothing/);
  });
});

/** A server on loopback that answers each read after `delayMs`, or never. */
function lateServer(delayMs: number | undefined): Server {
  return createServer((socket) => {
    socket.on('data', () => {
      if (delayMs !== undefined) setTimeout(() => socket.write(ANSWER), delayMs);
    });
    socket.on('error', () => socket.destroy());
  });
}

/** Well inside SUBJECT_QUIET_MS: an answer this late is still waited for. */
const A_LITTLE_LATE_MS = 50;
/** node:http's time for a wait that took it long (a large body), in the case below. */
const NODE_HTTP_SLOW_MS = 100;

describe("a subject's paced waits", () => {
  const servers: Server[] = [];
  const listening = async (delayMs: number | undefined): Promise<number> => {
    const server = lateServer(delayMs);
    servers.push(server);
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    return (server.address() as { port: number }).port;
  };
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });
  const script: ClientScript = {
    steps: [send(ANSWER), awaitAnswers(1)],
    expect: { statuses: [200], end: 'open' },
  };

  it.each([
    {
      name: 'never-answered-stalls-as-an-unpaced-wait-would',
      delayMs: undefined,
      nodeHttpMs: 1,
      stalled: ['step 1: awaitAnswers 1', 'end of script: expected answers or close'],
    },
    {
      name: 'answered-a-little-after-node-http-is-waited-for',
      delayMs: A_LITTLE_LATE_MS,
      nodeHttpMs: 1,
      stalled: [],
    },
    {
      name: 'lasts-at-least-slowdown-times-what-node-http-needed',
      delayMs: NODE_HTTP_SLOW_MS * SUBJECT_SLOWDOWN + SUBJECT_QUIET_MS - SUBJECT_QUIET_MS / 2,
      nodeHttpMs: NODE_HTTP_SLOW_MS,
      stalled: [],
    },
  ])('$name', async ({ delayMs, nodeHttpMs, stalled }) => {
    const port = await listening(delayMs);
    const reference = client(ANSWER, { waitedMs: [nodeHttpMs, 0] });
    const capture = await playClient({ transport: 'tcp', port, socketPath: '' }, script, reference);
    expect(capture.stalled).toEqual(stalled);
    expect(capture.waitedMs).toHaveLength(reference.waitedMs.length);
  });
});

/** A server's output as it arrives, and what each case's cut and the rest at the exit must be. */
const TAP_CASES = [
  {
    name: 'cuts-each-case-before-its-marker-line',
    chunks: ['{"a":1}\n{"m":"M1"}\n{"b":2}\n{"c":3}\n{"m":"M2"}\n{"d":4}\n'],
    markers: ['M1', 'M2'],
    cuts: ['{"a":1}\n', '{"b":2}\n{"c":3}\n'],
    rest: '{"d":4}\n',
  },
  {
    name: 'waits-for-the-end-of-the-marker-line',
    chunks: ['{"a":1}\n{"m":"M', '1"', '}\n{"b"', ':2}\n'],
    markers: ['M1'],
    cuts: ['{"a":1}\n'],
    rest: '{"b":2}\n',
  },
  {
    name: 'a-case-with-no-events-cuts-nothing',
    chunks: ['{"m":"M1"}\n{"m":"M2"}\n'],
    markers: ['M1', 'M2'],
    cuts: ['', ''],
    rest: '',
  },
  {
    name: 'a-long-event-in-many-chunks-then-the-marker-line-ended-with-the-next-event',
    chunks: ['{"a":"', 'x'.repeat(1000), 'y'.repeat(1000), '"}\n{"m":"M', '1"}', '\n{"b":2}\n'],
    markers: ['M1'],
    cuts: [`{"a":"${'x'.repeat(1000)}${'y'.repeat(1000)}"}\n`],
    rest: '{"b":2}\n',
  },
  {
    name: 'a-byte-at-a-time',
    chunks: [...'{"a":1}\n{"m":"M1"}\n{"m":"M2"}\n{"b":2}\n{"m":"M3"}\n'],
    markers: ['M1', 'M2', 'M3'],
    cuts: ['{"a":1}\n', '', '{"b":2}\n'],
    rest: '',
  },
];

describe("a server's output cut into cases", () => {
  it.each(TAP_CASES)('$name', async ({ chunks, markers, cuts, rest }) => {
    const tap = new StreamTap();
    const cutting = (async () => {
      const found: string[] = [];
      for (const marker of markers) {
        found.push((await tap.cutAt(marker, 'the tap', ANSWER_WAIT_MS)).toString());
      }
      return found;
    })();
    for (const chunk of chunks) {
      tap.push(bytes(chunk));
      await new Promise((next) => setImmediate(next));
    }
    tap.end();
    expect(await cutting).toEqual(cuts);
    expect((await tap.rest('the tap')).toString()).toBe(rest);
  });
});
