/**
 * Session states, worked out from recorded Claude Code sessions: the log is
 * replayed up to a named event, and the session's state then is the one
 * expected. Events the recordings lack (idle and permission notifications, a
 * denial) are built on a recorded event of the same kind, as noted.
 */
import { describe, expect, it } from 'vitest';
import { SessionTracker, type LogEvent, type SessionState } from '@hook-observatory/query';
import { trafficLog } from '../helpers/traffic-log.js';
import { permissionDeniedBody } from '@hook-observatory/conformance/traffic';

type Recorded = 'full' | 'permission' | 'teammate';

function eventsOf(session: Recorded): LogEvent[] {
  return trafficLog(session)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogEvent);
}

/** The session after its events up to the `occurrence`-th one that `matches`. */
function stateAfter(
  session: Recorded,
  matches: (event: LogEvent) => boolean,
  occurrence = 1,
  extra?: LogEvent,
) {
  const tracker = new SessionTracker();
  let seen = 0;
  for (const event of eventsOf(session)) {
    tracker.add(event);
    if (matches(event) && ++seen === occurrence) break;
  }
  expect(seen).toBe(occurrence);
  if (extra !== undefined) tracker.add(extra);
  const [state] = tracker.sessions.values();
  return state!;
}

const is = (name: string, tool?: string) => (event: LogEvent) =>
  event['_event'] === name && (tool === undefined || event['tool_name'] === tool);

interface Case {
  readonly name: string;
  readonly session: Recorded;
  readonly after: (event: LogEvent) => boolean;
  readonly occurrence?: number;
  readonly state: SessionState;
  readonly detail: string | RegExp;
}

const CASES: readonly Case[] = [
  {
    name: 'a prompt sent: working',
    session: 'full',
    after: is('UserPromptSubmit'),
    state: 'working',
    detail: '',
  },
  {
    name: 'a Bash command running',
    session: 'full',
    after: is('PreToolUse', 'Bash'),
    state: 'running tool',
    detail: 'Bash',
  },
  {
    name: 'the tool done: working again',
    session: 'full',
    after: is('PostToolUse', 'Bash'),
    state: 'working',
    detail: '',
  },
  {
    name: 'a Bash command failed',
    session: 'full',
    after: is('PostToolUseFailure', 'Bash'),
    state: 'failed',
    detail: /^Bash: Exit code 3/,
  },
  {
    name: 'the Agent tool starting a sub-agent',
    session: 'full',
    after: is('PreToolUse', 'Agent'),
    state: 'sub-agent running',
    detail: 'general-purpose',
  },
  {
    name: 'the sub-agent started',
    session: 'full',
    after: is('SubagentStart'),
    state: 'sub-agent running',
    detail: 'general-purpose',
  },
  {
    name: 'the sub-agent running a tool',
    session: 'full',
    after: (event) => is('PreToolUse', 'Bash')(event) && event['agent_type'] !== undefined,
    state: 'running tool',
    detail: 'Bash (in general-purpose)',
  },
  {
    name: 'the sub-agent stopped',
    session: 'full',
    after: is('SubagentStop'),
    state: 'working',
    detail: '',
  },
  {
    name: 'the turn over: waiting for the user',
    session: 'full',
    after: is('Stop'),
    state: 'waiting for the user',
    detail: '',
  },
  {
    name: 'compacting',
    session: 'full',
    after: is('PreCompact'),
    state: 'compacting',
    detail: 'manual',
  },
  {
    name: "compaction's own agent stopping changes nothing",
    session: 'full',
    after: is('SubagentStop'),
    occurrence: 2,
    state: 'compacting',
    detail: 'manual',
  },
  {
    name: 'compaction done',
    session: 'full',
    after: is('PostCompact'),
    state: 'working',
    detail: '',
  },
  {
    name: 'the turn failed',
    session: 'full',
    after: is('StopFailure'),
    state: 'failed',
    detail: /.+/,
  },
  {
    name: 'the session ended',
    session: 'full',
    after: is('SessionEnd'),
    state: 'ended',
    detail: /.+/,
  },
  {
    name: 'asking for permission',
    session: 'permission',
    after: is('PermissionRequest', 'Bash'),
    state: 'waiting for permission',
    detail: 'Bash',
  },
  {
    name: 'permission given: the tool ran',
    session: 'permission',
    after: is('PostToolUse', 'Bash'),
    state: 'working',
    detail: '',
  },
  {
    name: 'a teammate idle after its turn',
    session: 'teammate',
    after: is('TeammateIdle'),
    state: 'waiting for the user',
    detail: '',
  },
];

describe('session states from recorded sessions', () => {
  it.each(CASES)('$name', ({ session, after, occurrence, state, detail }) => {
    const found = stateAfter(session, after, occurrence);
    expect(found.state).toBe(state);
    expect(found.detail).toMatch(
      typeof detail === 'string' ? new RegExp(`^${detail.replace(/[()]/g, '\\$&')}$`) : detail,
    );
  });

  it('counts-tools-run-and-failed-and-keeps-the-cwd', () => {
    const found = stateAfter('full', is('SessionEnd'));
    const events = eventsOf('full');
    const count = (name: string): number => events.filter(is(name)).length;
    expect(found.toolsRun).toBe(count('PostToolUse') + count('PostToolUseFailure'));
    expect(found.toolsFailed).toBe(count('PostToolUseFailure'));
    expect(found.toolsFailed).toBeGreaterThan(0);
    expect(found.cwd).toBe('/home/dev/project');
  });

  it('since-is-the-time-of-the-event-that-brought-the-state', () => {
    const found = stateAfter('full', is('PreCompact'), 1, {
      ...eventsOf('full').find(is('MessageDisplay')),
      _ts: '2099-01-01T00:00:00.000Z',
    });
    expect(found.state).toBe('compacting');
    expect(found.since).toBe(eventsOf('full').find(is('PreCompact'))!['_ts']);
  });
});

describe('notifications and denials (built on recorded events)', () => {
  const notification = (type: string): LogEvent => ({
    ...eventsOf('full').find(is('Notification'))!,
    notification_type: type,
    message: 'Claude needs your permission to use Bash',
  });
  const cases = [
    {
      name: 'permission_prompt: waiting for permission',
      extra: notification('permission_prompt'),
      state: 'waiting for permission',
    },
    {
      name: 'idle_prompt: waiting for the user',
      extra: notification('idle_prompt'),
      state: 'waiting for the user',
    },
    {
      name: 'another notification changes nothing',
      extra: notification('auth_success'),
      state: 'running tool',
    },
    {
      name: 'a denial: working on, the tool denied',
      extra: {
        _event: 'PermissionDenied',
        ...(JSON.parse(permissionDeniedBody().toString()) as LogEvent),
      },
      state: 'working',
    },
  ] as const;
  it.each(cases)('$name', ({ extra, state }) => {
    expect(stateAfter('full', is('PreToolUse', 'Bash'), 1, extra).state).toBe(state);
  });
});
