/**
 * Differential fuzzing across connections: a scenario mixes hooks, viewers of
 * `GET /events` (hooks and garbage sent while they watch), the garbage of
 * fuzz-traffic.ts, and now and then a shutdown at its end. Its clients run one
 * after the other, and every wait is on something the script settles (a
 * viewer's hello, a hook's marker in its stream, a hook's connection closed),
 * never on timing, so the bytes each client receives are the servers' doing.
 * Played with the stream's settings (cases/stream.ts, STREAM_ENVIRONMENT).
 */
import fc from 'fast-check';
import { HELLO, hook, STREAM_INSTANCE } from '../cases/stream.js';
import { fuzzCase, fuzzTraffic, type FuzzTraffic } from './fuzz-traffic.js';
import { LOCAL_HOST, request, type HeaderList } from './requests.js';
import {
  awaitAnswers,
  awaitText,
  close,
  send,
  shutdown,
  sideRequest,
  type ClientScript,
  type Step,
  type TrafficCase,
} from './traffic-script.js';

const HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'Stop'] as const;
type HookEvent = (typeof HOOK_EVENTS)[number];
const hookEvent = fc.constantFrom(...HOOK_EVENTS);

/** Where a viewer asks to resume from (`Last-Event-ID`). */
type Resume = 'none' | 'first' | 'future' | 'other-instance';

/** A viewer's request: the ways the stream's head and framing vary (cases/stream-neighbours.ts). */
export interface ViewerRequest {
  readonly method: 'GET' | 'HEAD';
  readonly version: '1.1' | '1.0';
  readonly connection: 'keep-alive' | 'close' | undefined;
  /** `TE: chunked`: node:http frames the stream chunked for an HTTP/1.0 client that asks. */
  readonly teChunked: boolean;
  /** The `event=` filter; empty: every event of the session. */
  readonly events: readonly HookEvent[];
  readonly resume: Resume;
  /** Hooks of the viewer's session in the same write, before its request. */
  readonly hooksBefore: readonly HookEvent[];
}

/** What happens while a viewer watches. */
export type WhileWatching =
  | { readonly kind: 'hook'; readonly event: HookEvent }
  /** Bytes behind the stream, on the viewer's own connection. */
  | { readonly kind: 'garbage'; readonly traffic: FuzzTraffic };

export type Action =
  /** A hook of the scenario's session on a connection of its own. */
  | { readonly kind: 'hook'; readonly event: HookEvent }
  /** fuzz-traffic.ts's bytes on a connection of their own. */
  | { readonly kind: 'garbage'; readonly traffic: FuzzTraffic }
  | {
      readonly kind: 'viewer';
      readonly request: ViewerRequest;
      readonly watching: readonly WhileWatching[];
    };

export interface Scenario {
  readonly actions: readonly Action[];
  /** The last client ends by stopping the servers (SIGTERM) and reading to the end. */
  readonly shutdown: boolean;
}

const viewerRequest: fc.Arbitrary<ViewerRequest> = fc.record({
  method: fc.oneof(
    { weight: 9, arbitrary: fc.constant('GET' as const) },
    { weight: 1, arbitrary: fc.constant('HEAD' as const) },
  ),
  version: fc.oneof(
    { weight: 3, arbitrary: fc.constant('1.1' as const) },
    { weight: 1, arbitrary: fc.constant('1.0' as const) },
  ),
  connection: fc.constantFrom('keep-alive' as const, 'close' as const, undefined, undefined),
  teChunked: fc.boolean(),
  events: fc.uniqueArray(hookEvent, { maxLength: 2 }),
  resume: fc.constantFrom<Resume>('none', 'none', 'first', 'future', 'other-instance'),
  hooksBefore: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(hookEvent, { minLength: 1, maxLength: 2 }) },
  ),
});

const whileWatching: fc.Arbitrary<WhileWatching> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hook' as const), event: hookEvent }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('garbage' as const), traffic: fuzzTraffic }),
  },
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hook' as const), event: hookEvent }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('garbage' as const), traffic: fuzzTraffic }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('viewer' as const),
      request: viewerRequest,
      watching: fc.array(whileWatching, { maxLength: 4 }),
    }),
  },
);

/**
 * One scenario in SHUTDOWN_ONE_IN stops its servers: each starts a pair of its
 * own (seconds on a busy machine) and may wait out the shutdown grace.
 */
export const SHUTDOWN_ONE_IN = 20;

export const fuzzScenario: fc.Arbitrary<Scenario> = fc.record({
  actions: fc.array(action, { minLength: 1, maxLength: 4 }),
  shutdown: fc.integer({ min: 1, max: SHUTDOWN_ONE_IN }).map((draw) => draw === 1),
});

/**
 * Names made unique by `nonce` (one per play: a replay on the same pair must
 * not find the markers of the play before it in the ring).
 */
class Names {
  private markers = 0;
  constructor(private readonly nonce: string) {}
  readonly session = (): string => `fuzz-${this.nonce}`;
  /** The text that shows a hook's event has arrived: its marker. */
  nextMarker(): string {
    return `"marker":"${this.nonce}-${this.markers++}"`;
  }
  hook(event: HookEvent, marker: string, connection: 'close' | 'keep-alive' = 'close'): Buffer {
    return hook(event, this.session(), `,${marker}`, connection);
  }
}

function viewerHead(names: Names, viewer: ViewerRequest): Buffer {
  const query = viewer.events.length === 0 ? '' : `&event=${viewer.events.join(',')}`;
  const headers: Array<readonly [string, string]> = [['Host', LOCAL_HOST]];
  if (viewer.connection !== undefined) headers.push(['Connection', viewer.connection]);
  if (viewer.teChunked) headers.push(['TE', 'chunked']);
  const lastEventId = {
    none: undefined,
    first: `${STREAM_INSTANCE}-1`,
    future: `${STREAM_INSTANCE}-999999`,
    'other-instance': 'ffff0000-7',
  }[viewer.resume];
  if (lastEventId !== undefined) headers.push(['Last-Event-ID', lastEventId]);
  return request({
    method: viewer.method,
    target: `/events?session=${names.session()}${query}`,
    version: viewer.version,
    headers: headers satisfies HeaderList,
  });
}

const admits = (viewer: ViewerRequest, event: HookEvent): boolean =>
  viewer.events.length === 0 || viewer.events.includes(event);

/** A hook sent while the viewer watches; waited for in its stream when its filter lets it through. */
function hookWhileWatching(names: Names, viewer: ViewerRequest, event: HookEvent): Step[] {
  const marker = names.nextMarker();
  const steps = [sideRequest(names.hook(event, marker))];
  if (admits(viewer, event)) steps.push(awaitText(marker));
  return steps;
}

/** fuzz-traffic.ts's steps for these bytes: in reads, then a half-close. */
const garbageSteps = (traffic: FuzzTraffic): readonly Step[] => fuzzCase(traffic).clients[0]!.steps;

const withoutHalfClose = (steps: readonly Step[]): Step[] =>
  steps.filter((step) => !('halfClose' in step));

/**
 * The viewer's steps. Garbage behind its stream is followed by a hook the
 * viewer waits for: what the garbage did is done by the time it arrives, or
 * the connection is closed and the wait ends there.
 */
function viewerSteps(
  names: Names,
  viewer: ViewerRequest,
  watching: readonly WhileWatching[],
): Step[] {
  const before = viewer.hooksBefore.map((event) => {
    const marker = names.nextMarker();
    return { event, marker, bytes: names.hook(event, marker, 'keep-alive') };
  });
  const steps: Step[] = [
    send(Buffer.concat([...before.map((one) => one.bytes), viewerHead(names, viewer)])),
  ];
  if (viewer.method === 'HEAD') return [...steps, awaitAnswers(before.length + 1)];
  steps.push(awaitText(HELLO));
  const lastAdmitted = before.filter((one) => admits(viewer, one.event)).at(-1);
  if (lastAdmitted !== undefined) steps.push(awaitText(lastAdmitted.marker));
  for (const step of watching) {
    if (step.kind === 'hook') {
      steps.push(...hookWhileWatching(names, viewer, step.event));
      continue;
    }
    steps.push(
      ...withoutHalfClose(garbageSteps(step.traffic)),
      ...hookWhileWatching(names, viewer, viewer.events[0] ?? 'Stop'),
    );
  }
  return steps;
}

/**
 * The last client's end when the scenario stops its servers. A hook answered
 * on a connection of its own first: the server has accepted the client's
 * connection before it (a signal first would reset it in the listen backlog)
 * and read what it sent (cases/shutdown.ts, `served`).
 */
const stopping = (names: Names): Step[] => [
  sideRequest(names.hook('Stop', names.nextMarker())),
  shutdown,
];

function client(names: Names, step: Action, last: boolean): ClientScript {
  if (step.kind === 'hook') {
    const steps = [send(names.hook(step.event, names.nextMarker()))];
    return {
      steps: last ? [...steps, ...stopping(names)] : steps,
      expect: { statuses: [200], end: 'closed' },
    };
  }
  if (step.kind === 'garbage') {
    // Stopping, the bytes stay in flight: what is under way is served within the grace.
    const steps = garbageSteps(step.traffic);
    return {
      steps: last ? [...withoutHalfClose(steps), ...stopping(names)] : steps,
      expect: { statuses: [], end: 'closed' },
    };
  }
  const steps = viewerSteps(names, step.request, step.watching);
  return {
    steps: last ? [...steps, ...stopping(names)] : [...steps, close],
    expect: { statuses: [200], end: last ? 'closed' : 'closed-by-client' },
  };
}

/** The scenario as a case, its names made unique by `nonce`. Its clients play one after the other. */
export function scenarioCase(scenario: Scenario, nonce: string, name = 'fuzz-mixed'): TrafficCase {
  const names = new Names(nonce);
  const clients = scenario.actions.map((step, index) =>
    client(names, step, scenario.shutdown && index === scenario.actions.length - 1),
  );
  return { name, order: 'sequential', clients, events: 0 };
}
