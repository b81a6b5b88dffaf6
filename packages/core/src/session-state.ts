/**
 * What each session is doing now, worked out from its events in order: the
 * one implementation behind `query --sessions` and the live view's session
 * list. The page carries this file's compiled code inline (viewer.ts builds
 * the page), so it imports nothing and touches nothing but its arguments.
 *
 * The state machine: each event below moves a session to a state; every other
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

/** An event as the log and the stream hold it: the hook's JSON plus core's `_` fields. */
export type LogEvent = Record<string, unknown>;

export type SessionState =
  | 'working'
  | 'running tool'
  | 'sub-agent running'
  | 'waiting for permission'
  | 'waiting for the user'
  | 'compacting'
  | 'failed'
  | 'ended';

/** A sub-agent of a session: from its SubagentStart (or first event naming its agent_id). */
export interface AgentRun {
  readonly id: string;
  type: string;
  /** The `_ts` of its first event, and of its SubagentStop ('' while it runs). */
  started: string;
  stopped: string;
  toolsRun: number;
  toolsFailed: number;
}

export interface Session {
  readonly id: string;
  state: SessionState;
  /** What the state is about: the tool, the sub-agent's type, the failure. */
  detail: string;
  /** The `_ts` of the event that brought the state. */
  since: string;
  /** The `_ts` of its latest event: how long it has been quiet (a session that died says nothing more). */
  lastTs: string;
  lastEvent: string;
  cwd: string;
  toolsRun: number;
  toolsFailed: number;
  /** Sub-agents running now. */
  subagents: number;
  /** Its sub-agents in the order they started, the latest MAX_AGENTS_PER_SESSION. */
  agents: AgentRun[];
}

/** Sub-agents remembered per session: the page lists them; a session that starts thousands keeps the latest. */
export const MAX_AGENTS_PER_SESSION = 200;

/** Tools that start a sub-agent (Task before Claude Code 2.1, Agent since). */
const SUBAGENT_TOOLS = new Set(['Agent', 'Task']);

type Edge = (session: Session, event: LogEvent) => [SessionState, string] | undefined;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The event's name: core's `_event` (from ?event= or the body), else the hook's own field. */
export function eventNameOf(event: LogEvent): string {
  return String(event['_event'] ?? event['hook_event_name'] ?? '');
}

function firstLine(value: string): string {
  return value.split('\n', 1)[0] ?? '';
}

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
      session = newSession(id, ts);
      this.sessions.set(id, session);
    }
    session.lastEvent = name;
    if (ts !== '') session.lastTs = ts;
    if (text(event['cwd']) !== '') session.cwd = text(event['cwd']);
    if (name === 'PostToolUse' || name === 'PostToolUseFailure') session.toolsRun++;
    if (name === 'PostToolUseFailure') session.toolsFailed++;
    if (name === 'SubagentStart') session.subagents++;
    if (name === 'SubagentStop') session.subagents = Math.max(0, session.subagents - 1);
    if (name === 'SessionEnd') session.subagents = 0;
    trackAgent(session, name, event, ts);
    const next = EDGES[name]?.(session, event);
    if (next !== undefined) {
      [session.state, session.detail] = next;
      session.since = ts;
    }
    return session;
  }
}

function newSession(id: string, ts: string): Session {
  return {
    id,
    state: 'working',
    detail: '',
    since: ts,
    lastTs: ts,
    lastEvent: '',
    cwd: '',
    toolsRun: 0,
    toolsFailed: 0,
    subagents: 0,
    agents: [],
  };
}

/**
 * A sub-agent's hooks carry its `agent_id` (Claude Code 2.1): SubagentStart
 * opens it, its tools count toward it, SubagentStop closes it. A stop with no
 * start (compaction's own agent) is not listed.
 */
function trackAgent(session: Session, name: string, event: LogEvent, ts: string): void {
  const agentId = text(event['agent_id']);
  if (agentId === '') return;
  let agent = session.agents.find((candidate) => candidate.id === agentId);
  if (agent === undefined) {
    if (name === 'SubagentStop') return;
    agent = { id: agentId, type: '', started: ts, stopped: '', toolsRun: 0, toolsFailed: 0 };
    session.agents.push(agent);
    if (session.agents.length > MAX_AGENTS_PER_SESSION) session.agents.shift();
  }
  if (text(event['agent_type']) !== '') agent.type = text(event['agent_type']);
  if (name === 'PostToolUse' || name === 'PostToolUseFailure') agent.toolsRun++;
  if (name === 'PostToolUseFailure') agent.toolsFailed++;
  if (name === 'SubagentStop') agent.stopped = ts;
}
