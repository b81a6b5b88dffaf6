/**
 * Tool calls as spans, from the recorded Claude Code session: each PreToolUse
 * opens one, its PostToolUse or PostToolUseFailure (same tool_use_id) closes
 * it; the live view draws them with their durations and errors.
 */
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '@hook-observatory/core/vocabulary';
import { MAX_SPANS, SpanTracker } from '@hook-observatory/core/internal/tool-spans';
import { trafficLog } from '../helpers/traffic-log.js';

const full: LogEvent[] = trafficLog('full')
  .toString('utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as LogEvent);

function spansOf(events: readonly LogEvent[]): SpanTracker {
  const tracker = new SpanTracker();
  for (const event of events) tracker.add(event);
  return tracker;
}

const named = (name: string) => full.filter((event) => event['_event'] === name);

describe('pairing PreToolUse with what closed it', () => {
  const { spans } = spansOf(full);

  it('one span per PreToolUse, in the order the calls began', () => {
    expect(spans.map((span) => span.id)).toEqual(
      named('PreToolUse').map((event) => event['tool_use_id']),
    );
  });

  it('every recorded call was closed: none still runs', () => {
    expect(spans.filter((span) => span.status === 'running')).toEqual([]);
  });

  it('a failure is marked with its error, not its command', () => {
    const failures = named('PostToolUseFailure');
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      const span = spans.find((candidate) => candidate.id === failure['tool_use_id'])!;
      expect(span).toMatchObject({
        status: 'failed',
        error: failure['error'],
        end: failure['_ts'],
      });
    }
  });

  it("the duration is the tool's own duration_ms where Claude Code reports it", () => {
    const post = named('PostToolUse').find((event) => typeof event['duration_ms'] === 'number')!;
    const span = spans.find((candidate) => candidate.id === post['tool_use_id'])!;
    expect(span.tookMs).toBe(post['duration_ms']);
  });

  it("a sub-agent's call names the sub-agent", () => {
    const inAgent = named('PreToolUse').find((event) => event['agent_id'] !== undefined)!;
    const span = spans.find((candidate) => candidate.id === inAgent['tool_use_id'])!;
    expect(span.agent).toBe(inAgent['agent_id']);
    expect(spans.filter((candidate) => candidate.agent !== '')).toHaveLength(1);
  });
});

describe('calls without a pair', () => {
  const pre = named('PreToolUse')[0]!;
  const at = (ts: string, extra: LogEvent = {}): LogEvent => ({ ...extra, _ts: ts });

  const CASES: ReadonlyArray<{
    name: string;
    events: LogEvent[];
    expect: { status: string; tookMs: number | undefined; error: string };
  }> = [
    {
      name: 'a call still running has no end and no duration',
      events: [pre],
      expect: { status: 'running', tookMs: undefined, error: '' },
    },
    {
      name: 'without duration_ms, the time between the hooks',
      events: [
        at('2026-01-01T00:00:00.000Z', pre),
        at('2026-01-01T00:00:02.500Z', {
          _event: 'PostToolUse',
          tool_use_id: pre['tool_use_id'],
        }),
      ],
      expect: { status: 'ok', tookMs: 2500, error: '' },
    },
    {
      name: 'auto mode refused it: denied, with the reason (no time on the denial: no duration)',
      events: [
        pre,
        { _event: 'PermissionDenied', tool_use_id: pre['tool_use_id'], reason: 'not allowed' },
      ],
      expect: { status: 'denied', tookMs: undefined, error: 'not allowed' },
    },
  ];

  it.each(CASES)('$name', ({ events, expect: expected }) => {
    const { spans } = spansOf(events);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject(expected);
  });

  it('a PostToolUse whose PreToolUse was never seen opens nothing', () => {
    expect(spansOf(named('PostToolUse')).spans).toEqual([]);
  });

  it(`keeps the latest ${MAX_SPANS} calls`, () => {
    const tracker = new SpanTracker();
    for (let index = 0; index <= MAX_SPANS; index++) {
      tracker.add({ _event: 'PreToolUse', tool_use_id: `call-${index}`, tool_name: 'Bash' });
    }
    expect(tracker.spans).toHaveLength(MAX_SPANS);
    expect(tracker.spans[0]!.id).toBe('call-1');
  });
});
