/**
 * Timeouts, with short test values so that no case waits long: the servers
 * read them from the test-only HOOK_OBSERVATORY_TEST_*_MS variables
 * (packages/core/src/config.ts). Time is never asserted directly: a
 * checkpoint well inside a deadline must find the connection open, and the
 * close must come by itself afterwards. A server can fire late on a busy
 * machine, never early, so the checkpoints hold.
 */
import { TIMEOUT_ENV } from '@hook-observatory/core/vocabulary';
import { curlHook, DEFAULT_HEADERS, request, SMALL_BODY } from '../harness/requests.js';
import {
  awaitAnswers,
  awaitClose,
  checkpoint,
  close,
  oneClient,
  pause,
  send,
  type TrafficCase,
} from '../harness/traffic-script.js';

/** Idle time after an answer before the connection goes: it then closes after this + 1 s (KEEP_ALIVE_TIMEOUT_BUFFER_MS). */
export const SHORT_KEEP_ALIVE_MS = 300;
export const KEEP_ALIVE_ENV = { [TIMEOUT_ENV.keepAliveTimeoutMs]: String(SHORT_KEEP_ALIVE_MS) };

/** A head must be complete this soon after its first byte, a whole request this soon. */
export const SHORT_HEADERS_TIMEOUT_MS = 400;
export const SHORT_REQUEST_TIMEOUT_MS = 800;
/** How often the servers look for late requests: a 408 comes up to this much after its deadline. */
export const SHORT_CHECKING_INTERVAL_MS = 100;
export const REQUEST_TIMEOUT_ENV = {
  [TIMEOUT_ENV.headersTimeoutMs]: String(SHORT_HEADERS_TIMEOUT_MS),
  [TIMEOUT_ENV.requestTimeoutMs]: String(SHORT_REQUEST_TIMEOUT_MS),
  [TIMEOUT_ENV.connectionsCheckingIntervalMs]: String(SHORT_CHECKING_INTERVAL_MS),
};

const hook = curlHook('Stop', SMALL_BODY);
const upgradeHealth = request({
  method: 'GET',
  target: '/health',
  headers: [...DEFAULT_HEADERS, ['Connection', 'Upgrade'], ['Upgrade', 'websocket']],
});
const headLength = hook.indexOf('\r\n\r\n') + 4;
const partialHead = hook.subarray(0, 30);
const headAndSomeBody = hook.subarray(0, headLength + 5);

/** The keep-alive deadline: destroyed without a byte after SHORT_KEEP_ALIVE_MS + 1 s idle. */
const KEEP_ALIVE_DEADLINE_MS = SHORT_KEEP_ALIVE_MS + 1_000;

export const KEEP_ALIVE_TIMEOUT_CASES: readonly TrafficCase[] = [
  oneClient(
    'keep-alive-timeout-closes-silently',
    [
      send(hook),
      awaitAnswers(1),
      pause(KEEP_ALIVE_DEADLINE_MS - 600),
      checkpoint('past the announced timeout, before its buffer'),
      awaitClose,
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'keep-alive-timeout-restarted-by-any-byte',
    [
      send(hook),
      awaitAnswers(1),
      pause(700),
      send('\r\n'),
      pause(900),
      checkpoint('past the first deadline'),
      awaitClose,
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'keep-alive-timeout-not-stopped-by-partial-head',
    [send(hook), awaitAnswers(1), pause(200), send(partialHead), awaitClose],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'keep-alive-timeout-stopped-by-complete-head',
    [
      send(hook),
      awaitAnswers(1),
      pause(200),
      send(headAndSomeBody),
      pause(KEEP_ALIVE_DEADLINE_MS + 300),
      checkpoint('past the keep-alive deadline'),
      send(hook.subarray(headAndSomeBody.length)),
      awaitAnswers(2),
      close,
    ],
    { statuses: [200, 200], end: 'closed-by-client', events: 2 },
  ),
];

export const REQUEST_TIMEOUT_CASES: readonly TrafficCase[] = [
  oneClient(
    'headers-timeout-408',
    [send(partialHead), pause(150), checkpoint('inside the headers timeout'), awaitClose],
    { statuses: [408], end: 'closed', events: 0 },
  ),
  oneClient(
    'headers-timeout-silent-connection-408',
    [pause(150), checkpoint('inside the headers timeout'), awaitClose],
    { statuses: [408], end: 'closed', events: 0 },
  ),
  oneClient('headers-timeout-blank-lines-only-408', [send('\r\n\r\n'), awaitClose], {
    statuses: [408],
    end: 'closed',
    events: 0,
  }),
  oneClient(
    'request-timeout-408-body-incomplete',
    [
      send(headAndSomeBody),
      pause(SHORT_HEADERS_TIMEOUT_MS + 200),
      checkpoint('past the headers timeout, head complete'),
      awaitClose,
    ],
    { statuses: [408], end: 'closed', events: 0 },
  ),
  oneClient(
    'request-timeout-after-100-continue',
    [
      send(curlHook('Stop', SMALL_BODY, [['Expect', '100-continue']]).subarray(0, headLength + 24)),
      awaitAnswers(1),
      awaitClose,
    ],
    { statuses: [100, 408], end: 'closed', events: 0 },
  ),
  oneClient(
    'request-timeout-after-complete-request-in-same-read',
    [send(Buffer.concat([hook, partialHead])), awaitClose],
    { statuses: [200, 408], end: 'closed', events: 1 },
  ),
  oneClient(
    'headers-timeout-counts-from-the-request-start',
    [
      send(hook),
      awaitAnswers(1),
      pause(SHORT_HEADERS_TIMEOUT_MS + 200),
      send(partialHead),
      pause(200),
      checkpoint("inside the second request's headers timeout"),
      awaitClose,
    ],
    { statuses: [200, 408], end: 'closed', events: 1 },
  ),
  oneClient(
    'idle-between-requests-no-timeout',
    [
      send(hook),
      awaitAnswers(1),
      pause(SHORT_REQUEST_TIMEOUT_MS + 300),
      checkpoint('past both timeouts, idle'),
      send(hook),
      awaitAnswers(2),
      close,
    ],
    { statuses: [200, 200], end: 'closed-by-client', events: 2 },
  ),
  // After an upgrade node:http ignores the next request's parse error; the request, begun and never complete, then times out.
  oneClient(
    'upgrade-then-ignored-bad-request-times-out',
    [send(upgradeHealth), awaitAnswers(1), send('GARBAGE\r\n\r\n'), awaitClose],
    { statuses: [200, 408], end: 'closed', events: 0 },
  ),
  oneClient(
    'slow-body-inside-request-timeout',
    [
      send(headAndSomeBody),
      pause(SHORT_HEADERS_TIMEOUT_MS + 100),
      send(hook.subarray(headAndSomeBody.length)),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),
];
