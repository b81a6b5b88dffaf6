/**
 * Sub-agents under their session, and the session's quiet time, from the
 * recorded Claude Code sessions (packages/conformance/traffic): what the live
 * view nests under each session and how long it shows it idle.
 */
import { describe, expect, it } from 'vitest';
import { SessionTracker, type LogEvent, type Session } from '@hook-observatory/core/vocabulary';
import { trafficLog } from '../helpers/traffic-log.js';

function eventsOf(session: 'full' | 'teammate' | 'permission'): LogEvent[] {
  return trafficLog(session)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogEvent);
}

function sessionAfter(events: readonly LogEvent[], count = events.length): Session {
  const tracker = new SessionTracker();
  for (const event of events.slice(0, count)) tracker.add(event);
  const [session] = tracker.sessions.values();
  return session!;
}

const full = eventsOf('full');
const indexOf = (name: string) => full.findIndex((event) => event['_event'] === name);

describe('sub-agents are listed under their session', () => {
  it('the recorded sub-agent, from its SubagentStart to its SubagentStop, with its one tool', () => {
    const start = full[indexOf('SubagentStart')]!;
    const session = sessionAfter(full);
    const agent = session.agents.find((candidate) => candidate.id === start['agent_id']);
    expect(agent).toMatchObject({
      type: start['agent_type'],
      started: start['_ts'],
      toolsRun: 1,
      toolsFailed: 0,
    });
    expect(agent!.stopped).not.toBe('');
  });

  it("compaction's own agent, which stops without having started, is not listed", () => {
    expect(sessionAfter(full).agents).toHaveLength(1);
  });

  it('a sub-agent still running has no stop time', () => {
    const session = sessionAfter(full, indexOf('SubagentStart') + 1);
    expect(session.agents).toHaveLength(1);
    expect(session.agents[0]!.stopped).toBe('');
  });

  it("the sub-agent's tools count toward the session too", () => {
    const session = sessionAfter(full);
    const byAgents = session.agents.reduce((sum, agent) => sum + agent.toolsRun, 0);
    expect(session.toolsRun).toBeGreaterThan(byAgents);
  });

  it('a session that never starts one lists none', () => {
    expect(sessionAfter(eventsOf('teammate')).agents).toEqual([]);
  });
});

describe('idle time is measured from the latest event', () => {
  it('lastTs is the last event that named a time, whatever its kind', () => {
    const session = sessionAfter(full);
    expect(session.lastTs).toBe(full.at(-1)!['_ts']);
  });

  it('an event without _ts leaves it where it was', () => {
    const events = eventsOf('teammate');
    const before = sessionAfter(events).lastTs;
    const tracker = new SessionTracker();
    for (const event of events) tracker.add(event);
    tracker.add({ session_id: events[0]!['session_id'], _event: 'Notification' });
    expect([...tracker.sessions.values()][0]!.lastTs).toBe(before);
  });
});
