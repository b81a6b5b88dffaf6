/**
 * What each session is doing now, worked out from its events in order. The
 * state machine: each event below moves a session to a state; every other
 * event leaves it where it is.
 *
 *   SessionStart, UserPromptSubmit, PostToolUse, PostCompact ─▶ working
 *   PreToolUse TOOL                                          ─▶ running TOOL
 *   PreToolUse Agent/Task, SubagentStart                     ─▶ sub-agent running
 *   SubagentStop (the last one running, from a sub-agent)    ─▶ working
 *   PermissionRequest, Notification permission_prompt        ─▶ waiting for permission
 *   Stop, Notification idle_prompt                           ─▶ waiting for the user
 *   PreCompact                                               ─▶ compacting
 *   PermissionDenied TOOL (auto mode refused it)             ─▶ working, TOOL denied
 *   PostToolUseFailure, StopFailure                          ─▶ failed
 *   SessionEnd                                               ─▶ ended
 */
import { eventNameOf, type LogEvent } from './filter.js';

export type SessionState =
  | 'working'
  | 'running tool'
  | 'sub-agent running'
  | 'waiting for permission'
  | 'waiting for the user'
  | 'compacting'
  | 'failed'
  | 'ended';

export interface Session {
  readonly id: string;
  state: SessionState;
  /** What the state is about: the tool, the sub-agent's type, the failure. */
  detail: string;
  /** The `_ts` of the event that brought the state. */
  since: string;
  lastEvent: string;
  cwd: string;
  toolsRun: number;
  toolsFailed: number;
  subagents: number;
}

/** Tools that start a sub-agent (Task before Claude Code 2.1, Agent since). */
const SUBAGENT_TOOLS = new Set(['Agent', 'Task']);

type Edge = (session: Session, event: LogEvent) => [SessionState, string] | undefined;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const EDGES: Readonly<Record<string, Edge>> = {
  SessionStart: () => ['working', ''],
  UserPromptSubmit: () => ['working', ''],
  PostCompact: () => ['working', ''],
  PreToolUse: (_session, event) => {
    const tool = text(event['tool_name']);
    if (SUBAGENT_TOOLS.has(tool)) {
      return [
        'sub-agent running',
        text((event['tool_input'] as LogEvent | undefined)?.['subagent_type']),
      ];
    }
    const agent = text(event['agent_type']);
    return ['running tool', agent === '' ? tool : `${tool} (in ${agent})`];
  },
  PostToolUse: (session) => (session.subagents > 0 ? ['sub-agent running', ''] : ['working', '']),
  PermissionDenied: (_session, event) => ['working', `${text(event['tool_name'])} denied`],
  PostToolUseFailure: (_session, event) => [
    'failed',
    `${text(event['tool_name'])}: ${firstLine(text(event['error']))}`,
  ],
  SubagentStart: (_session, event) => ['sub-agent running', text(event['agent_type'])],
  // Compaction's own agent stops too, without having started: that changes nothing.
  SubagentStop: (session) =>
    session.state === 'sub-agent running' || session.state === 'running tool'
      ? session.subagents > 0
        ? ['sub-agent running', '']
        : ['working', '']
      : undefined,
  PermissionRequest: (_session, event) => ['waiting for permission', text(event['tool_name'])],
  Notification: (_session, event) => {
    const type = text(event['notification_type']);
    if (type === 'permission_prompt') {
      return ['waiting for permission', firstLine(text(event['message']))];
    }
    if (type === 'idle_prompt') return ['waiting for the user', ''];
    return undefined;
  },
  Stop: () => ['waiting for the user', ''],
  PreCompact: (_session, event) => ['compacting', text(event['trigger'])],
  StopFailure: (_session, event) => [
    'failed',
    firstLine(text(event['error']) || text(event['reason']) || 'the turn ended with an error'),
  ],
  SessionEnd: (_session, event) => ['ended', text(event['reason'])],
};

function firstLine(value: string): string {
  return value.split('\n', 1)[0] ?? '';
}

/** Sessions by id, in the order they first appeared; memory grows with sessions, not events. */
export class SessionTracker {
  readonly sessions = new Map<string, Session>();

  add(event: LogEvent): Session | undefined {
    const id = text(event['session_id']);
    if (id === '') return undefined;
    const name = eventNameOf(event);
    const ts = text(event['_ts']);
    let session = this.sessions.get(id);
    if (session === undefined) {
      session = {
        id,
        state: 'working',
        detail: '',
        since: ts,
        lastEvent: name,
        cwd: '',
        toolsRun: 0,
        toolsFailed: 0,
        subagents: 0,
      };
      this.sessions.set(id, session);
    }
    session.lastEvent = name;
    if (text(event['cwd']) !== '') session.cwd = text(event['cwd']);
    if (name === 'PostToolUse' || name === 'PostToolUseFailure') session.toolsRun++;
    if (name === 'PostToolUseFailure') session.toolsFailed++;
    if (name === 'SubagentStart') session.subagents++;
    if (name === 'SubagentStop') session.subagents = Math.max(0, session.subagents - 1);
    if (name === 'SessionEnd') session.subagents = 0;
    const next = EDGES[name]?.(session, event);
    if (next !== undefined) {
      [session.state, session.detail] = next;
      session.since = ts;
    }
    return session;
  }
}
