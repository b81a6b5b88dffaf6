/**
 * GET /events, the live event stream (core/src/stream.ts): a response that
 * never ends, written as the events come. node:http frames each write as a
 * chunk; the net server writes the same bytes by hand. Each case watches its
 * own session (`?session=`), and sends its hooks on connections of their own
 * (sideRequest) while it watches, so what arrives and when is settled by the
 * script, not by timing. The heartbeat is off and the instance id fixed.
 */
import { EVENT_RING_ENV, HEARTBEAT_ENV, INSTANCE_ENV } from '@hook-observatory/core/vocabulary';
import { get, LOCAL_HOST, request } from '../harness/requests.js';
import {
  awaitText,
  checkpoint,
  close,
  oneClient,
  send,
  sideRequest,
  type TrafficCase,
} from '../harness/traffic-script.js';

/** The ring holds this few events here, so that a viewer can ask for more than it holds. */
export const TEST_RING_SIZE = 4;
export const STREAM_INSTANCE = 'conformance';

export const STREAM_ENVIRONMENT: Readonly<Record<string, string>> = {
  [HEARTBEAT_ENV]: '0',
  [INSTANCE_ENV]: STREAM_INSTANCE,
  [EVENT_RING_ENV]: String(TEST_RING_SIZE),
};

/** A hook of session `session`, on a connection that closes after its answer (or stays open for the next). */
export const hook = (
  event: string,
  session: string,
  extra = '',
  connection: 'close' | 'keep-alive' = 'close',
): Buffer =>
  request({
    target: `/hook?event=${event}`,
    headers: [
      ['Host', LOCAL_HOST],
      ['Content-Type', 'application/json'],
      ['Connection', connection],
    ],
    body: `{"hook_event_name":"${event}","session_id":"${session}"${extra}}`,
  });

/** What a viewer's stream begins with: awaited before a case goes on. */
export const HELLO = 'event: hello';
const watch = (
  session: string,
  query = '',
  extra: ReadonlyArray<readonly [string, string]> = [],
): Buffer => get(`/events?session=${session}${query}`, extra);
/** A text that arrives once the event with this marker is in the stream. */
const marker = (name: string): string => `"marker":"${name}"`;

const watching: TrafficCase[] = [
  oneClient(
    'stream-live-events-in-order',
    [
      send(watch('live')),
      awaitText(HELLO),
      sideRequest(hook('PreToolUse', 'live', `,"marker":"one"`)),
      awaitText(marker('one')),
      sideRequest(hook('PostToolUse', 'live', `,"marker":"two"`)),
      awaitText(marker('two')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 2 },
  ),
  // Two hooks in one write are recorded in one turn of the event loop: both
  // servers send them to a viewer together, in one chunk (stream.ts).
  oneClient(
    'stream-two-hooks-in-one-read-one-chunk',
    [
      send(watch('pipelined')),
      awaitText(HELLO),
      sideRequest(
        Buffer.concat([
          hook('PreToolUse', 'pipelined', `,"marker":"first"`, 'keep-alive'),
          hook('PostToolUse', 'pipelined', `,"marker":"second"`),
        ]),
      ),
      awaitText(marker('second')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 2 },
  ),
  // A JSON body on several lines: the data: line is the JSON line an output-socket reader gets.
  oneClient(
    'stream-body-on-several-lines',
    [
      send(watch('lines')),
      awaitText(HELLO),
      sideRequest(
        request({
          target: '/hook?event=Stop',
          headers: [
            ['Host', LOCAL_HOST],
            ['Content-Type', 'application/json'],
            ['Connection', 'close'],
          ],
          body: '{\n  "session_id": "lines",\r\n  "marker": "multi"\n}',
        }),
      ),
      awaitText(marker('multi')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 1 },
  ),
  oneClient(
    'stream-filter-by-event',
    [
      send(watch('filtered', '&event=PostToolUse,Stop')),
      awaitText(HELLO),
      sideRequest(hook('PreToolUse', 'filtered', `,"marker":"left-out"`)),
      sideRequest(hook('PostToolUse', 'filtered', `,"marker":"kept"`)),
      sideRequest(hook('Stop', 'filtered', `,"marker":"last"`)),
      awaitText(marker('last')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 3 },
  ),
  oneClient(
    'stream-other-sessions-left-out',
    [
      send(watch('mine')),
      awaitText(HELLO),
      sideRequest(hook('Stop', 'theirs', `,"marker":"theirs"`)),
      sideRequest(hook('Stop', 'mine', `,"marker":"mine"`)),
      awaitText(marker('mine')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 2 },
  ),
  // `?session=` takes the start of an id, as the page and `query --session` do.
  oneClient(
    'stream-session-by-prefix',
    [
      send(watch('abbreviated-4fd2')),
      awaitText(HELLO),
      sideRequest(hook('Stop', 'abbreviated-other', `,"marker":"other"`)),
      sideRequest(hook('Stop', 'abbreviated-4fd21fc0-3b3f', `,"marker":"whole-id"`)),
      awaitText(marker('whole-id')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 2 },
  ),
];

const resuming: TrafficCase[] = [
  // A new viewer gets what the ring holds of its session first.
  {
    name: 'stream-new-viewer-gets-the-ring',
    order: 'sequential',
    events: 1,
    clients: [
      {
        steps: [send(hook('Stop', 'earlier', `,"marker":"before"`))],
        expect: { statuses: [200], end: 'closed' },
      },
      {
        steps: [send(watch('earlier')), awaitText(marker('before')), close],
        expect: { statuses: [200], end: 'closed-by-client' },
      },
    ],
  },
  // An id from another instance (the server restarted): everything the ring holds.
  {
    name: 'stream-resume-after-restart',
    order: 'sequential',
    events: 1,
    clients: [
      {
        steps: [send(hook('Stop', 'restarted', `,"marker":"kept"`))],
        expect: { statuses: [200], end: 'closed' },
      },
      {
        steps: [
          send(watch('restarted', '', [['Last-Event-ID', 'ffff0000-7']])),
          awaitText(marker('kept')),
          close,
        ],
        expect: { statuses: [200], end: 'closed-by-client' },
      },
    ],
  },
  // An id newer than any: nothing is replayed; what comes next is sent.
  oneClient(
    'stream-resume-up-to-date',
    [
      send(watch('current', '', [['Last-Event-ID', `${STREAM_INSTANCE}-999999`]])),
      awaitText(HELLO),
      sideRequest(hook('Stop', 'current', `,"marker":"next"`)),
      awaitText(marker('next')),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 1 },
  ),
  // The ring no longer reaches back to id 1: a gap message says where it starts.
  oneClient(
    'stream-resume-past-the-ring',
    [
      send(watch('gone', '', [['Last-Event-ID', `${STREAM_INSTANCE}-1`]])),
      awaitText('event: gap'),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 0 },
  ),
];

const answers: TrafficCase[] = [
  oneClient('page-get', [send(get('/'))], { statuses: [200], end: 'open', events: 0 }),
  oneClient(
    'page-head',
    [send(request({ method: 'HEAD', target: '/', headers: [['Host', LOCAL_HOST]] }))],
    { statuses: [200], end: 'open', events: 0 },
  ),
  oneClient('page-origin-refused', [send(get('/', [['Origin', 'http://evil.example']]))], {
    statuses: [403],
    end: 'open',
    events: 0,
  }),
  oneClient(
    'stream-head',
    [send(request({ method: 'HEAD', target: '/events', headers: [['Host', LOCAL_HOST]] }))],
    { statuses: [200], end: 'open', events: 0 },
  ),
  oneClient(
    'stream-post-not-allowed',
    [send(request({ method: 'POST', target: '/events', body: '{}' }))],
    { statuses: [405], end: 'open', events: 0 },
  ),
  oneClient(
    'stream-http10-bare-and-closed',
    [
      send(
        request({
          method: 'GET',
          target: '/events?session=none',
          version: '1.0',
          headers: [['Host', LOCAL_HOST]],
        }),
      ),
      awaitText(HELLO),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 0 },
  ),
  // The page's own origin is let through (test/reliability/security.test.ts); one port off is another origin.
  oneClient(
    'stream-other-port-origin-refused',
    [send(watch('x', '', [['Origin', 'http://127.0.0.1:23519']]))],
    { statuses: [403], end: 'open', events: 0 },
  ),
  oneClient(
    'stream-other-origin-refused',
    [send(watch('x', '', [['Origin', 'http://evil.example']]))],
    { statuses: [403], end: 'open', events: 0 },
  ),
  // A request pipelined behind the stream waits for it to end, as node:http's does.
  oneClient(
    'stream-pipelined-request-waits',
    [
      send(Buffer.concat([watch('none'), get('/health')])),
      awaitText(HELLO),
      checkpoint('behind the stream'),
      close,
    ],
    { statuses: [200], end: 'closed-by-client', events: 0 },
  ),
  // A viewer that leaves mid-stream costs the next hook nothing.
  {
    name: 'stream-viewer-leaves',
    order: 'sequential',
    events: 1,
    clients: [
      {
        steps: [send(watch('left')), awaitText(HELLO), close],
        expect: { statuses: [200], end: 'closed-by-client' },
      },
      { steps: [send(hook('Stop', 'left'))], expect: { statuses: [200], end: 'closed' } },
    ],
  },
];

/** The gap case runs last: by then the family has sent more events than the ring holds. */
export const STREAM_CASES: readonly TrafficCase[] = [...watching, ...answers, ...resuming];
