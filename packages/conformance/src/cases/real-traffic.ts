/**
 * Recorded Claude Code traffic (this package's traffic/), sent the ways real
 * clients send it: curl command hooks, one connection per event, closed once
 * the answer is in; native HTTP hooks (axios), several events in a row on one
 * keep-alive connection; and a body over 1 MiB the way curl sends it, with
 * `Expect: 100-continue`, the head first and the body after the 100.
 */
import { loadAllTraffic, permissionDeniedBody, type RecordedRequest } from '../traffic.js';
import { curlHook } from '../harness/requests.js';
import {
  awaitAnswers,
  close,
  send,
  type ClientScript,
  type TrafficCase,
} from '../harness/traffic-script.js';
import { CURL_EXPECT_THRESHOLD_BYTES } from './bodies.js';

/** The request's bytes as recorded: request line, headers in their order and case, body. */
export function recordedBytes(recorded: RecordedRequest): Buffer {
  let head = `POST ${recorded.url} HTTP/1.1\r\n`;
  for (let index = 0; index < recorded.rawHeaders.length; index += 2) {
    head += `${recorded.rawHeaders[index]}: ${recorded.rawHeaders[index + 1]}\r\n`;
  }
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), recorded.body]);
}

/** One request, its answer, and the client gone: what curl does. */
const curlClient = (bytes: Buffer): ClientScript => ({
  steps: [send(bytes), awaitAnswers(1), close],
  expect: { statuses: [200], end: 'closed-by-client' },
});

/** axios on a kept-alive connection: each request after the previous answer. */
function nativeClient(requests: readonly RecordedRequest[]): ClientScript {
  const steps = requests.flatMap((recorded, index) => [
    send(recordedBytes(recorded)),
    awaitAnswers(index + 1),
  ]);
  return {
    steps: [...steps, close],
    expect: { statuses: requests.map(() => 200), end: 'closed-by-client' },
  };
}

const traffic = loadAllTraffic();
const sessions = [...new Set(traffic.map((recorded) => recorded.session))];

function curlCase(session: string, transport: 'tcp' | 'unix'): TrafficCase {
  const requests = traffic.filter(
    (r) => r.session === session && r.sender === 'curl' && r.transport === transport,
  );
  return {
    name: `curl-hooks-${session}-session`,
    clients: requests.map((recorded) => curlClient(recordedBytes(recorded))),
    order: 'sequential',
    events: requests.length,
    only: transport,
  };
}

function nativeCase(session: string): TrafficCase {
  const requests = traffic.filter((r) => r.session === session && r.sender === 'native');
  const connections = [...new Set(requests.map((recorded) => recorded.conn))];
  return {
    name: `native-hooks-${session}-session`,
    clients: connections.map((conn) =>
      nativeClient(requests.filter((recorded) => recorded.conn === conn)),
    ),
    order: 'sequential',
    events: requests.length,
  };
}

/** The recorded payload with the most bytes, grown past curl's Expect threshold in its largest string. */
function largeRecordedPayload(): Buffer {
  const largest = traffic.reduce((best, recorded) =>
    recorded.body.length > best.body.length ? recorded : best,
  );
  const payload = JSON.parse(largest.body.toString('utf8')) as Record<string, unknown>;
  payload['conformance_padding'] = 'ü'.repeat(CURL_EXPECT_THRESHOLD_BYTES / 2 + 1);
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

const bigRequest = curlHook('PostToolUse', largeRecordedPayload(), [['Expect', '100-continue']]);
const bigHeadLength = bigRequest.indexOf('\r\n\r\n') + 4;

export const REAL_TRAFFIC_CASES: readonly TrafficCase[] = [
  ...sessions.flatMap((session) => [
    curlCase(session, 'tcp'),
    curlCase(session, 'unix'),
    nativeCase(session),
  ]),
  {
    name: 'curl-hook-permission-denied',
    clients: [curlClient(curlHook('PermissionDenied', permissionDeniedBody()))],
    events: 1,
  },
  {
    name: 'curl-hook-over-one-mebibyte-expect-continue',
    clients: [
      {
        steps: [
          send(bigRequest.subarray(0, bigHeadLength)),
          awaitAnswers(1),
          send(bigRequest.subarray(bigHeadLength)),
          awaitAnswers(2),
          close,
        ],
        expect: { statuses: [100, 200], end: 'closed-by-client' },
      },
    ],
    events: 1,
  },
];
