/**
 * Methods, paths and query strings: what reaches the routes, and the answers
 * each route gives (RFC 9110 section 9 for methods, 15.5.5 and 15.5.6 for 404
 * and 405).
 */
import { DEFAULT_HEADERS, LOCAL_HOST, request, SMALL_BODY } from '../harness/requests.js';
import { oneClient, send, type TrafficCase } from '../harness/traffic-script.js';

const methodOn = (method: string, target: string, body?: string): Buffer =>
  request({ method, target, headers: DEFAULT_HEADERS, ...(body === undefined ? {} : { body }) });
const hookAt = (target: string, body = SMALL_BODY): Buffer =>
  request({ target, headers: DEFAULT_HEADERS, body });
const noBodyEvent = '{"session_id":"conformance"}';

/** Each method on each route, answered and kept alive; only POST /hook records an event. */
const METHOD_MATRIX: TrafficCase[] = [];
for (const method of [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'TRACE',
  'PROPFIND',
  'M-SEARCH',
  'QUERY',
]) {
  for (const [route, target] of [
    ['hook', '/hook?event=Stop'],
    ['health', '/health'],
    ['unknown', '/nowhere'],
  ] as const) {
    const isEvent = method === 'POST' && route === 'hook';
    const status = isEvent
      ? 200
      : route === 'unknown'
        ? 404
        : route === 'health'
          ? method === 'GET' || method === 'HEAD'
            ? 200
            : 405
          : 405;
    METHOD_MATRIX.push(
      oneClient(
        `method-${method.toLowerCase()}-on-${route}`,
        [
          send(
            methodOn(
              method,
              target,
              method === 'GET' || method === 'HEAD' ? undefined : SMALL_BODY,
            ),
          ),
        ],
        { statuses: [status], end: 'open', events: isEvent ? 1 : 0 },
      ),
    );
  }
}

export const ROUTING_CASES: readonly TrafficCase[] = [
  ...METHOD_MATRIX,
  oneClient(
    'method-head-on-hook-pipelined-with-get',
    [send(Buffer.concat([methodOn('HEAD', '/hook'), methodOn('GET', '/health')]))],
    { statuses: [405, 200], end: 'open', events: 0 },
  ),
  oneClient(
    'method-connect-without-listener',
    [
      send(
        request({
          method: 'CONNECT',
          target: '127.0.0.1:443',
          headers: [['Host', '127.0.0.1:443']],
        }),
      ),
    ],
    { statuses: [], end: 'closed', events: 0 },
  ),
  oneClient('method-options-asterisk', [send(methodOn('OPTIONS', '*'))], {
    statuses: [404],
    end: 'open',
    events: 0,
  }),
  oneClient('method-get-with-body', [send(methodOn('GET', '/health', '{"x":1}'))], {
    statuses: [200],
    end: 'open',
    events: 0,
  }),

  // Paths: only /hook, /health, /events and / are routes; the rest is 404.
  ...(
    [
      ['path-trailing-slash', '/hook/'],
      ['path-upper-case', '/HOOK'],
      ['path-percent-encoded-letter', '/%68ook'],
      ['path-dot-segments', '/x/../hook'],
      ['path-hooks', '/hooks'],
      ['path-health-trailing-slash', '/health/'],
      ['path-semicolon', '/hook;x=1'],
    ] as const
  ).map(([name, target]) =>
    oneClient(name, [send(hookAt(target))], {
      statuses: [target === '/x/../hook' ? 200 : 404],
      end: 'open',
      events: target === '/x/../hook' ? 1 : 0,
    }),
  ),
  // The root is the live view (GET and HEAD only: see cases/stream.ts).
  oneClient('path-root', [send(hookAt('/'))], { statuses: [405], end: 'open', events: 0 }),
  // `//hook` is a network-path reference: the URL parser reads `hook` as a host, and the path is `/`.
  oneClient('path-double-slash', [send(hookAt('//hook'))], {
    statuses: [405],
    end: 'open',
    events: 0,
  }),
  oneClient('path-absolute-form', [send(hookAt(`http://${LOCAL_HOST}/hook?event=Stop`))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient('path-absolute-form-other-host', [send(hookAt('http://example.com/hook?event=Stop'))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),
  oneClient('path-with-fragment', [send(hookAt('/hook?event=Stop#frag'))], {
    statuses: [200],
    end: 'open',
    events: 1,
  }),

  // Which event a query names: the first non-empty `event`, percent-decoded; else the body's.
  ...(
    [
      ['query-missing', '/hook'],
      ['query-empty', '/hook?'],
      ['query-event-empty', '/hook?event='],
      ['query-event-without-equals', '/hook?event'],
      ['query-event-repeated', '/hook?event=First&event=Second'],
      ['query-event-empty-then-set', '/hook?event=&event=Second'],
      ['query-event-after-others', '/hook?a=1&event=PreToolUse&b=2'],
      ['query-event-percent-encoded', '/hook?event=Pre%54ool%55se'],
      ['query-event-plus-as-space', '/hook?event=Pre+Tool'],
      ['query-event-utf8', '/hook?event=%C3%A9v%C3%A9nement'],
      ['query-event-invalid-percent', '/hook?event=%ZZ%'],
      ['query-event-upper-case-name', '/hook?EVENT=Stop'],
      ['query-event-encoded-name', '/hook?%65vent=Stop'],
      ['query-event-with-ampersand-encoded', '/hook?event=A%26B'],
    ] as const
  ).flatMap(([name, target]) => [
    oneClient(name, [send(hookAt(target))], { statuses: [200], end: 'open', events: 1 }),
    oneClient(`${name}-body-without-name`, [send(hookAt(target, noBodyEvent))], {
      statuses: [200],
      end: 'open',
      events: 1,
    }),
  ]),
];
