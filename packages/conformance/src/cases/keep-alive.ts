/**
 * Connection management (RFC 9112 section 9): keep-alive sequences, pipelined
 * requests, HTTP/1.0 with and without keep-alive, `Connection: close`, and
 * clients that close or half-close early.
 */
import {
  chunkedHook,
  curlHook,
  DEFAULT_HEADERS,
  get,
  request,
  SMALL_BODY,
} from '../harness/requests.js';
import {
  awaitAnswers,
  awaitClose,
  close,
  halfClose,
  oneClient,
  pause,
  send,
  SPLIT_PAUSE_MS,
  type TrafficCase,
} from '../harness/traffic-script.js';

const hook = curlHook('Stop', SMALL_BODY);
const hookClosing = curlHook('Stop', SMALL_BODY, [['Connection', 'close']]);
const http10 = (extra: ReadonlyArray<readonly [string, string]> = []): Buffer =>
  request({ version: '1.0', headers: [...DEFAULT_HEADERS, ...extra], body: SMALL_BODY });
const garbage = Buffer.from('GARBAGE\r\n\r\n', 'latin1');
/** More headers than node passes to JavaScript in one batch (kMaxHeaderFieldsCount is 32). */
const manyHeaders = Array.from({ length: 40 }, (_, index) => [`X-Header-${index}`, 'v'] as const);
const emptyChunkedWithTrailer = chunkedHook('Stop', { chunks: [], trailers: [['X-Trailer', '1']] });
const times = (count: number, bytes: Buffer): Buffer =>
  Buffer.concat(Array.from({ length: count }, () => bytes));

export const KEEP_ALIVE_CASES: readonly TrafficCase[] = [
  oneClient('keep-alive-one-request', [send(hook)], { statuses: [200], end: 'open', events: 1 }),
  oneClient(
    'keep-alive-three-in-a-row',
    [send(hook), awaitAnswers(1), send(hook), awaitAnswers(2), send(hook)],
    { statuses: [200, 200, 200], end: 'open', events: 3 },
  ),
  oneClient(
    'keep-alive-explicit-header',
    [send(curlHook('Stop', SMALL_BODY, [['Connection', 'keep-alive']]))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient('connection-close', [send(hookClosing)], { statuses: [200], end: 'closed', events: 1 }),
  oneClient(
    'connection-close-upper-case',
    [send(curlHook('Stop', SMALL_BODY, [['connection', 'CLOSE']]))],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'connection-close-among-tokens',
    [send(curlHook('Stop', SMALL_BODY, [['Connection', 'TE, close']]))],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'connection-close-in-second-header',
    [
      send(
        curlHook('Stop', SMALL_BODY, [
          ['Connection', 'keep-alive'],
          ['Connection', 'close'],
        ]),
      ),
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'connection-keep-alive-and-close',
    [send(curlHook('Stop', SMALL_BODY, [['Connection', 'keep-alive, close']]))],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'connection-closed-is-not-close',
    [send(curlHook('Stop', SMALL_BODY, [['Connection', 'closed']]))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'connection-close-padded',
    [send(curlHook('Stop', SMALL_BODY, [['Connection', '  close  ']]))],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'connection-upgrade-without-listener',
    [
      send(
        curlHook('Stop', SMALL_BODY, [
          ['Connection', 'Upgrade'],
          ['Upgrade', 'websocket'],
        ]),
      ),
    ],
    { statuses: [200], end: 'open', events: 1 },
  ),

  // Pipelining (RFC 9112 section 9.3.2): every request answered, in order.
  oneClient('pipelined-three-in-one-write', [send(times(3, hook))], {
    statuses: [200, 200, 200],
    end: 'open',
    events: 3,
  }),
  oneClient(
    'pipelined-mixed-routes',
    [
      send(
        Buffer.concat([
          get('/health'),
          request({ method: 'HEAD', target: '/health' }),
          hook,
          get('/nowhere'),
          get('/hook'),
        ]),
      ),
    ],
    { statuses: [200, 200, 200, 404, 405], end: 'open', events: 1 },
  ),
  oneClient('pipelined-last-one-closes', [send(Buffer.concat([hook, hook, hookClosing]))], {
    statuses: [200, 200, 200],
    end: 'closed',
    events: 3,
  }),
  oneClient('pipelined-after-close-same-write', [send(Buffer.concat([hookClosing, hook]))], {
    statuses: [400],
    end: 'closed',
    events: 1,
  }),
  oneClient(
    'pipelined-close-then-blank-lines',
    [send(Buffer.concat([hookClosing, Buffer.from('\r\n\r\n')]))],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient('pipelined-hundred-no-per-socket-limit', [send(times(100, hook))], {
    statuses: Array(100).fill(200),
    end: 'open',
    events: 100,
  }),

  // When node:http answers within a read: its tick queue runs where llhttp
  // hands body bytes, or a batch of 31 headers, or trailers, to JavaScript
  // (node_http_parser.cc, on_body and Flush). An earlier request's answer
  // leaves there; otherwise a later error in the same read replaces it.
  oneClient('pipelined-error-after-second-body', [send(Buffer.concat([hook, hook, garbage]))], {
    statuses: [200, 400],
    end: 'closed',
    events: 2,
  }),
  oneClient(
    'pipelined-error-after-bodyless-second',
    [send(Buffer.concat([hook, get('/health'), garbage]))],
    { statuses: [400], end: 'closed', events: 1 },
  ),
  oneClient(
    'pipelined-error-after-many-headers',
    [send(Buffer.concat([hook, get('/health', manyHeaders), garbage]))],
    { statuses: [200, 400], end: 'closed', events: 1 },
  ),
  oneClient(
    'pipelined-error-after-trailers',
    [send(Buffer.concat([hook, emptyChunkedWithTrailer, garbage]))],
    { statuses: [200, 400], end: 'closed', events: 2 },
  ),
  oneClient(
    'many-headers-once-then-every-head-ticks',
    [
      send(get('/health', manyHeaders)),
      awaitAnswers(1),
      send(Buffer.concat([hook, get('/health'), garbage])),
    ],
    { statuses: [200, 200, 400], end: 'closed', events: 1 },
  ),
  oneClient(
    'blank-lines-before-request',
    [send(Buffer.concat([Buffer.from('\r\n\r\n\n'), hook]))],
    { statuses: [200], end: 'open', events: 1 },
  ),
  oneClient(
    'blank-lines-between-requests',
    [send(Buffer.concat([hook, Buffer.from('\r\n'), hook]))],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),

  // HTTP/1.0 (RFC 9112 section 9.3 and appendix C.2.2): persistent only when asked.
  oneClient('http10-closes-by-default', [send(http10())], {
    statuses: [200],
    end: 'closed',
    events: 1,
  }),
  oneClient('http10-keep-alive', [send(http10([['Connection', 'keep-alive']]))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient(
    'http10-keep-alive-twice',
    [
      send(http10([['Connection', 'Keep-Alive']])),
      awaitAnswers(1),
      send(http10([['Connection', 'keep-alive']])),
    ],
    { statuses: [200, 200], end: 'open', events: 2 },
  ),
  oneClient(
    'http10-keep-alive-then-plain',
    [send(Buffer.concat([http10([['Connection', 'keep-alive']]), http10()]))],
    { statuses: [200, 200], end: 'closed', events: 2 },
  ),
  oneClient(
    'http10-without-host',
    [
      send(
        request({
          version: '1.0',
          headers: [['Content-Type', 'application/json']],
          body: SMALL_BODY,
        }),
      ),
    ],
    { statuses: [200], end: 'closed', events: 1 },
  ),
  oneClient(
    'http10-health',
    [send(request({ method: 'GET', target: '/health', version: '1.0' }))],
    { statuses: [200], end: 'closed', events: 0 },
  ),
  oneClient('http10-close-token', [send(http10([['Connection', 'close']]))], {
    statuses: [200],
    end: 'closed',
    events: 1,
  }),

  // Early close and half-close.
  oneClient('half-close-after-request', [send(hook), halfClose], {
    statuses: [200],
    end: 'closed',
    events: 1,
  }),
  oneClient('half-close-after-answer', [send(hook), awaitAnswers(1), halfClose], {
    statuses: [200],
    end: 'closed',
    events: 1,
  }),
  oneClient('half-close-after-pipelined-pair', [send(Buffer.concat([hook, hook])), halfClose], {
    statuses: [200, 200],
    end: 'closed',
    events: 2,
  }),
  oneClient('half-close-mid-head', [send(hook.subarray(0, 40)), pause(SPLIT_PAUSE_MS), halfClose], {
    statuses: [400],
    end: 'closed',
    events: 0,
  }),
  oneClient(
    'half-close-mid-body',
    [send(hook.subarray(0, hook.length - 5)), pause(SPLIT_PAUSE_MS), halfClose],
    { statuses: [400], end: 'closed', events: 0 },
  ),
  oneClient('half-close-mid-request-line', [send('POST /ho'), pause(SPLIT_PAUSE_MS), halfClose], {
    statuses: [400],
    end: 'closed',
    events: 0,
  }),
  oneClient('half-close-after-blank-lines', [send('\r\n\r\n'), pause(SPLIT_PAUSE_MS), halfClose], {
    statuses: [],
    end: 'closed',
    events: 0,
  }),
  oneClient('half-close-without-a-byte', [halfClose], { statuses: [], end: 'closed', events: 0 }),
  oneClient(
    'close-mid-body',
    [send(hook.subarray(0, hook.length - 5)), pause(SPLIT_PAUSE_MS), close],
    { statuses: [], end: 'closed-by-client', events: 0 },
  ),
  oneClient('close-right-after-request', [send(hook), close], {
    statuses: [],
    end: 'closed-by-client',
    events: 1,
  }),
  oneClient('close-after-answer', [send(hook), awaitAnswers(1), close], {
    statuses: [200],
    end: 'closed-by-client',
    events: 1,
  }),
  oneClient('server-close-then-client-writes', [send(hookClosing), awaitClose, send(hook)], {
    statuses: [200],
    end: 'closed',
    events: 1,
  }),
];
