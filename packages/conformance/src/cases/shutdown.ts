/**
 * Shutdown (SIGTERM, core/src/serve.ts): the server stops listening, ends
 * every event stream, and closes what node:http's closeIdleConnections
 * closes (lib/_http_server.js): connections between requests whose answer
 * in progress, if any, has ended, even when answers to requests queued behind
 * it wait; what is left is served until it is done or SHUTDOWN_GRACE_MS runs
 * out. A connection that has sent nothing counts as a request under way
 * (src/node_http_parser.cc). node:http also stops timing requests out at
 * once (httpServerPreClose). Each case stops its own pair of servers.
 */
import { get, LOCAL_HOST, request } from '../harness/requests.js';
import {
  awaitAnswers,
  awaitText,
  close,
  oneClient,
  pause,
  send,
  shutdown,
  sideRequest,
  type Step,
  type TrafficCase,
} from '../harness/traffic-script.js';
import { HELLO, hook as streamHook, STREAM_ENVIRONMENT } from './stream.js';
import {
  REQUEST_TIMEOUT_ENV,
  SHORT_CHECKING_INTERVAL_MS,
  SHORT_REQUEST_TIMEOUT_MS,
} from './timeouts.js';

export const SHUTDOWN_ENVIRONMENT = STREAM_ENVIRONMENT;

/** A Stop hook of session `session` carrying `marker`; `connection` says whether its connection stays open. */
const hook = (
  session: string,
  marker: string,
  connection: 'close' | 'keep-alive' = 'keep-alive',
): Buffer => streamHook('Stop', session, `,"marker":"${marker}"`, connection);

/** The hook cut after its head and half its body, and the rest. */
const cutInBody = (bytes: Buffer): [Buffer, Buffer] => {
  const at = bytes.indexOf('\r\n\r\n') + 4 + 10;
  return [bytes.subarray(0, at), bytes.subarray(at)];
};

/**
 * A hook on a connection of its own, answered: the server has accepted the
 * case's connection before it (a signal first would reset it in the listen
 * backlog) and read what the case sent on it.
 */
const served = (session: string): Step => sideRequest(hook(session, 'served', 'close'));

const watch = (session: string): Buffer => get(`/events?session=${session}`);
const marker = (name: string): string => `"marker":"${name}"`;

const [inFlightStart, inFlightRest] = cutInBody(hook('flight', 'in-flight'));
const [closingStart, closingRest] = cutInBody(hook('flight', 'closing', 'close'));
const [queuedStart, queuedRest] = cutInBody(hook('queued', 'in-flight-queued'));

const plain: TrafficCase[] = [
  oneClient('shutdown-closes-idle-keep-alive', [send(get('/health')), awaitAnswers(1), shutdown], {
    statuses: [200],
    end: 'closed',
    events: 0,
  }),
  // Answered after the signal, still saying keep-alive; the client leaves first.
  oneClient(
    'shutdown-answers-request-in-flight',
    [send(inFlightStart), served('flight'), shutdown, send(inFlightRest), awaitAnswers(1), close],
    {
      statuses: [200],
      end: 'closed-by-client',
      events: 2,
    },
  ),
  oneClient(
    'shutdown-answers-request-in-flight-then-closes',
    [send(closingStart), served('flight'), shutdown, send(closingRest)],
    {
      statuses: [200],
      end: 'closed',
      events: 2,
    },
  ),
  oneClient(
    'shutdown-serves-connection-that-sent-nothing',
    [served('silent'), shutdown, send(get('/health')), awaitAnswers(1), close],
    {
      statuses: [200],
      end: 'closed-by-client',
      events: 1,
    },
  ),
];

/** A viewer's connection: its stream ends with the last chunk, and what waits behind it is dropped. */
const streams: TrafficCase[] = [
  oneClient('shutdown-ends-stream', [send(watch('ends')), awaitText(HELLO), shutdown], {
    statuses: [200],
    end: 'closed',
    events: 0,
  }),
  oneClient(
    'shutdown-ends-http10-stream',
    [
      send(
        request({
          method: 'GET',
          target: '/events?session=ten',
          version: '1.0',
          headers: [['Host', LOCAL_HOST]],
        }),
      ),
      awaitText(HELLO),
      shutdown,
    ],
    { statuses: [200], end: 'closed', events: 0 },
  ),
  // The queued hook is recorded (its event reaches the stream) but never answered.
  oneClient(
    'shutdown-drops-answer-queued-behind-stream',
    [
      send(watch('queued')),
      awaitText(HELLO),
      send(hook('queued', 'queued')),
      awaitText(marker('queued')),
      shutdown,
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  // A request still arriving behind the stream keeps the connection: answered once complete.
  oneClient(
    'shutdown-serves-request-in-flight-behind-stream',
    [
      send(watch('queued')),
      awaitText(HELLO),
      send(queuedStart),
      served('queued'),
      shutdown,
      send(queuedRest),
      awaitAnswers(2),
      close,
    ],
    { statuses: [200, 200], end: 'closed-by-client', events: 2 },
  ),
];

export const SHUTDOWN_CASES: readonly TrafficCase[] = [...plain, ...streams];

/** With the shortened request timeouts (timeouts.ts): a family of its own. */
export const SHUTDOWN_TIMEOUTS_ENVIRONMENT: Readonly<Record<string, string>> = {
  ...STREAM_ENVIRONMENT,
  ...REQUEST_TIMEOUT_ENV,
};

const slowHead = get('/health');

export const SHUTDOWN_TIMEOUT_CASES: readonly TrafficCase[] = [
  // Past the request timeout the head completes, and is answered: no 408 after the signal.
  oneClient(
    'shutdown-stops-request-timeouts',
    [
      send(slowHead.subarray(0, 10)),
      served('slow'),
      shutdown,
      pause(SHORT_REQUEST_TIMEOUT_MS + 2 * SHORT_CHECKING_INTERVAL_MS),
      send(slowHead.subarray(10)),
      awaitAnswers(1),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 1 },
  ),
];
