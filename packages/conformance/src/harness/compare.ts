/**
 * What "indistinguishable" means for one case: every client received the same
 * bytes (Date values aside), saw the connection end the same way and at the
 * same checkpoints, and both event streams hold the same bytes. Then the case's
 * own expectation is checked against the reference capture.
 */
import type { ServerName } from '@hook-observatory/launcher';
import { byteDiff } from './byte-diff.js';
import type { CaseCapture, PairCapture } from './server-pair.js';
import type { TrafficCase } from './traffic-script.js';

const REFERENCE: ServerName = 'http';
const SUBJECT: ServerName = 'net';
const NAMES = [REFERENCE, SUBJECT] as const;

/** Concurrent clients' events interleave as they please: compare them as sorted lines. */
function canonicalStream(stream: Buffer, testCase: TrafficCase): Buffer {
  if (testCase.order !== 'concurrent') return stream;
  const lines: Buffer[] = [];
  let start = 0;
  for (let end = stream.indexOf(0x0a); end >= 0; end = stream.indexOf(0x0a, start)) {
    lines.push(stream.subarray(start, end + 1));
    start = end + 1;
  }
  lines.push(stream.subarray(start));
  return Buffer.concat(lines.sort(Buffer.compare));
}

const text = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/** Every way the two captures differ, each a readable paragraph; empty when identical. */
export function differences(testCase: TrafficCase, capture: PairCapture): string[] {
  const found: string[] = [];
  const reference = capture[REFERENCE];
  const subject = capture[SUBJECT];
  const add = (what: string, a: Buffer, b: Buffer): void => {
    const diff = byteDiff(what, NAMES, a, b);
    if (diff !== undefined) found.push(diff);
  };
  reference.clients.forEach((ours, index) => {
    const theirs = subject.clients[index]!;
    const who = testCase.clients.length > 1 ? `client ${index}` : 'client';
    add(`${who}: bytes received`, ours.received, theirs.received);
    add(`${who}: connection end`, text(ours.end), text(theirs.end));
    add(`${who}: checkpoints`, text(ours.checkpoints), text(theirs.checkpoints));
    add(`${who}: waits that ran out`, text(ours.stalled), text(theirs.stalled));
  });
  add(
    'event stream (standard output)',
    canonicalStream(reference.stdout, testCase),
    canonicalStream(subject.stdout, testCase),
  );
  add(
    'event stream (output socket)',
    canonicalStream(reference.outputSocket, testCase),
    canonicalStream(subject.outputSocket, testCase),
  );
  return found;
}

/** Line ends found by indexOf, not byte by byte: a capture can hold a mebibyte event. */
function countLines(stream: Buffer): number {
  let count = 0;
  for (let at = stream.indexOf(0x0a); at >= 0; at = stream.indexOf(0x0a, at + 1)) count++;
  return count;
}

/** Where one server's capture falls short of what the case expects; empty when it meets it. */
export function unmetExpectations(testCase: TrafficCase, capture: CaseCapture): string[] {
  const unmet: string[] = [];
  testCase.clients.forEach((script, index) => {
    const got = capture.clients[index]!;
    const who = testCase.clients.length > 1 ? `client ${index}` : 'client';
    const expected = script.expect;
    if (got.statuses.join(',') !== expected.statuses.join(',')) {
      unmet.push(
        `${who}: statuses [${got.statuses.join(', ')}], expected [${expected.statuses.join(', ')}]`,
      );
    }
    if (got.end !== expected.end) {
      unmet.push(`${who}: connection ${got.end}, expected ${expected.end}`);
    }
    if (got.stalled.length > 0) unmet.push(`${who}: waited in vain at ${got.stalled.join('; ')}`);
  });
  const events = countLines(capture.stdout);
  if (events !== testCase.events) {
    unmet.push(`${events} events in the stream, expected ${testCase.events}`);
  }
  if (!capture.outputSocket.equals(capture.stdout)) {
    unmet.push('the output socket and standard output differ');
  }
  return unmet;
}

export { REFERENCE, SUBJECT };
