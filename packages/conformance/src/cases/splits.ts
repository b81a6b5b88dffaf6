/**
 * HTTP/1.1 the way it really arrives: in reads that end anywhere. Each family
 * cuts one request at every byte boundary (or, for long bodies, at every
 * boundary of the head and the body's ends plus a fixed random sample), and
 * both servers must answer every cut the same as the whole.
 */
import { loadAllTraffic } from '../traffic.js';
import {
  chunkedHook,
  curlHook,
  DEFAULT_HEADERS,
  request,
  SMALL_BODY,
} from '../harness/requests.js';
import { edgesAndSample, everyOffset, splitEverywhere, splitRandomly } from '../harness/splits.js';
import {
  oneClient,
  pause,
  send,
  awaitAnswers,
  close,
  type Step,
  type TrafficCase,
} from '../harness/traffic-script.js';
import { recordedBytes } from './real-traffic.js';

const traffic = loadAllTraffic();
const bySize = (a: { body: Buffer }, b: { body: Buffer }): number => a.body.length - b.body.length;
const smallestCurl = [...traffic].filter((r) => r.sender === 'curl').sort(bySize)[0]!;
const smallestNative = [...traffic].filter((r) => r.sender === 'native').sort(bySize)[0]!;
const largest = [...traffic].sort(bySize).at(-1)!;

const kept = (statuses: number[], eventsPerScript: number) => ({
  statuses,
  end: 'kept' as const,
  eventsPerScript,
});
const whole = (bytes: Buffer): number[] => everyOffset(bytes.length);

const curlBytes = recordedBytes(smallestCurl);
const nativeBytes = recordedBytes(smallestNative);
const largestBytes = recordedBytes(largest);
const chunked = chunkedHook('Stop', {
  chunks: ['{"hook_event_name":', '"Stop"}'],
  extension: ';a="b;c"',
  trailers: [['X-T', '1']],
});
const expectContinue = curlHook('Stop', SMALL_BODY, [['Expect', '100-continue']]);
const pipelinedPair = Buffer.concat([curlHook('Stop', SMALL_BODY), curlHook('Stop', '{}')]);
const http10KeepAlive = request({
  version: '1.0',
  headers: [...DEFAULT_HEADERS, ['Connection', 'keep-alive']],
  body: SMALL_BODY,
});
const unicode = curlHook('UserPromptSubmit', JSON.stringify({ prompt: 'é 世界 👋🏽' }));
const smuggling = Buffer.from(
  'POST /hook?event=Stop HTTP/1.1\r\nHost: 127.0.0.1:23518\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX',
  'latin1',
);

/** Each byte its own write. */
function byteByByte(bytes: Buffer): Step[] {
  return [...bytes].flatMap((byte) => [send(Buffer.from([byte])), pause(1)]);
}

export const SPLIT_CASES: readonly TrafficCase[] = [
  splitEverywhere('split-curl-request-every-byte', curlBytes, whole(curlBytes), kept([200], 1)),
  splitEverywhere(
    'split-native-request-every-byte',
    nativeBytes,
    whole(nativeBytes),
    kept([200], 1),
  ),
  splitEverywhere(
    'split-chunked-extensions-trailers-every-byte',
    chunked,
    whole(chunked),
    kept([200], 1),
  ),
  splitEverywhere(
    'split-expect-continue-every-byte',
    expectContinue,
    whole(expectContinue),
    kept([100, 200], 1),
  ),
  splitEverywhere(
    'split-pipelined-pair-every-byte',
    pipelinedPair,
    whole(pipelinedPair),
    kept([200, 200], 2),
  ),
  splitEverywhere(
    'split-http10-keep-alive-every-byte',
    http10KeepAlive,
    whole(http10KeepAlive),
    kept([200], 1),
  ),
  splitEverywhere('split-unicode-body-every-byte', unicode, whole(unicode), kept([200], 1)),
  splitEverywhere('split-smuggling-attempt-every-byte', smuggling, whole(smuggling), {
    statuses: [400],
    end: 'closed',
    eventsPerScript: 0,
  }),
  splitEverywhere(
    'split-largest-recorded-request-head-and-edges',
    largestBytes,
    edgesAndSample(largestBytes, 64, 64, 3),
    kept([200], 1),
  ),
  splitRandomly(
    'split-largest-recorded-request-three-ways',
    largestBytes,
    3,
    100,
    4,
    kept([200], 1),
  ),
  splitRandomly('split-curl-request-eight-ways', curlBytes, 8, 50, 5, kept([200], 1)),
  oneClient('split-byte-by-byte', [...byteByByte(curlHook('Stop', '{}')), awaitAnswers(1), close], {
    statuses: [200],
    end: 'closed-by-client',
    events: 1,
  }),
  oneClient('split-byte-by-byte-chunked', [...byteByByte(chunked), awaitAnswers(1), close], {
    statuses: [200],
    end: 'closed-by-client',
    events: 1,
  }),
];
