/**
 * `GET /sessions/<id>/usage` (core/src/session-usage.ts): a session's tokens
 * and cost from the transcript its events named. Each case first sends the
 * hook that names a transcript, on the same connection, then asks. The
 * servers' Claude Code config directory is traffic/claude-config, whose
 * projects directory holds one transcript and a link that leads out of it.
 */
import { fileURLToPath } from 'node:url';
import { get, LOCAL_HOST, request } from '../harness/requests.js';
import { awaitAnswers, oneClient, send, type TrafficCase } from '../harness/traffic-script.js';
import { STREAM_ENVIRONMENT } from './stream.js';

/** The fixture config directory, from dist/cases/ or src/cases/ alike. */
export const USAGE_CONFIG_DIR = fileURLToPath(
  new URL('../../traffic/claude-config', import.meta.url),
);
const PROJECT = `${USAGE_CONFIG_DIR}/projects/-home-dev-project`;
/** The session whose transcript the fixture holds. */
export const USAGE_SESSION = '5b2c1a9e-0d4f-4c8b-9a11-3e7f2d6c8b40';

export const USAGE_ENVIRONMENT: Readonly<Record<string, string>> = {
  ...STREAM_ENVIRONMENT,
  CLAUDE_CONFIG_DIR: USAGE_CONFIG_DIR,
};

/** A hook of `session` naming `transcript`, keeping its connection for the question after it. */
const naming = (session: string, transcript: string): Buffer =>
  request({
    target: '/hook?event=UserPromptSubmit',
    headers: [
      ['Host', LOCAL_HOST],
      ['Content-Type', 'application/json'],
    ],
    body: JSON.stringify({
      hook_event_name: 'UserPromptSubmit',
      session_id: session,
      transcript_path: transcript,
    }),
  });
const usageOf = (session: string): string => `/sessions/${session}/usage`;

/** The hook, its answer, then the question: two answers, one event. */
const asked = (
  name: string,
  session: string,
  transcript: string,
  question: Buffer,
  status: number,
): TrafficCase =>
  oneClient(name, [send(naming(session, transcript)), awaitAnswers(1), send(question)], {
    statuses: [200, status],
    end: 'open',
    events: 1,
  });
const unnamed = (name: string, question: Buffer, status: number): TrafficCase =>
  oneClient(name, [send(question)], { statuses: [status], end: 'open', events: 0 });

const TRANSCRIPT = `${PROJECT}/${USAGE_SESSION}.jsonl`;

export const USAGE_CASES: readonly TrafficCase[] = [
  asked('usage-found', USAGE_SESSION, TRANSCRIPT, get(usageOf(USAGE_SESSION)), 200),
  asked(
    'usage-head',
    USAGE_SESSION,
    TRANSCRIPT,
    request({ method: 'HEAD', target: usageOf(USAGE_SESSION), headers: [['Host', LOCAL_HOST]] }),
    200,
  ),
  // Its answer comes off the event loop; the one pipelined behind it still comes after it.
  oneClient(
    'usage-then-health-pipelined',
    [
      send(naming('pipelined', TRANSCRIPT)),
      awaitAnswers(1),
      send(Buffer.concat([get(usageOf('pipelined')), get('/health')])),
    ],
    { statuses: [200, 200, 200], end: 'open', events: 1 },
  ),
  asked(
    'usage-transcript-missing',
    'missing',
    `${PROJECT}/gone.jsonl`,
    get(usageOf('missing')),
    404,
  ),
  asked(
    'usage-transcript-outside-refused',
    'outside',
    fileURLToPath(new URL('../../traffic/full.jsonl', import.meta.url)),
    get(usageOf('outside')),
    403,
  ),
  asked('usage-link-out-refused', 'escape', `${PROJECT}/escape.jsonl`, get(usageOf('escape')), 403),
  asked(
    'usage-dot-dot-refused',
    'dots',
    `${PROJECT}/../../../sessions/full.jsonl`,
    get(usageOf('dots')),
    403,
  ),
  unnamed('usage-unknown-session', get(usageOf('never-named')), 404),
  unnamed(
    'usage-post-not-allowed',
    request({ method: 'POST', target: usageOf(USAGE_SESSION), body: '{}' }),
    405,
  ),
  unnamed('usage-not-a-session-id', get('/sessions/a.b/usage'), 404),
  unnamed(
    'usage-cross-site-refused',
    get(usageOf(USAGE_SESSION), [['Sec-Fetch-Site', 'cross-site']]),
    403,
  ),
  unnamed(
    'usage-other-origin-refused',
    get(usageOf(USAGE_SESSION), [['Origin', 'http://localhost:8080']]),
    403,
  ),
];
