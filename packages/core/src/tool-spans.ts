/**
 * Tool calls as spans: a PreToolUse opens one, the PostToolUse or
 * PostToolUseFailure with the same `tool_use_id` closes it (a PermissionDenied
 * too: auto mode refused the call). The live view draws them; like
 * session-state.ts the page carries this file's compiled code inline.
 */
import { eventNameOf, type LogEvent } from './session-state.js';

export type SpanStatus = 'running' | 'ok' | 'failed' | 'denied';

export interface ToolSpan {
  /** The call's `tool_use_id`. */
  readonly id: string;
  readonly session: string;
  /** The sub-agent that called it, or '' for the session's main agent. */
  readonly agent: string;
  readonly tool: string;
  /** Its input, as the PreToolUse named it. */
  readonly input: LogEvent;
  /** The `_ts` of its PreToolUse, and of the event that closed it ('' while it runs). */
  readonly start: string;
  end: string;
  /**
   * How long it took, in milliseconds: the tool's own `duration_ms` where
   * Claude Code reports it (PostToolUse, PostToolUseFailure), else the time
   * between the two hooks; undefined while it runs.
   */
  tookMs: number | undefined;
  status: SpanStatus;
  /** Why it failed or was denied: the error's text. */
  error: string;
}

/** Spans remembered, oldest forgotten first: as many as the page keeps events (live.html's MAX_EVENTS). */
export const MAX_SPANS = 10_000;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The tool's own measure if the event has one, else the time between the hooks (ms). */
function tookMs(event: LogEvent, start: string, end: string): number | undefined {
  const reported = event['duration_ms'];
  if (typeof reported === 'number' && Number.isFinite(reported) && reported >= 0) return reported;
  const between = Date.parse(end) - Date.parse(start);
  return Number.isFinite(between) ? between : undefined;
}

export class SpanTracker {
  /** In the order the calls began. */
  readonly spans: ToolSpan[] = [];
  private readonly open = new Map<string, ToolSpan>();

  /** The span this event opened or closed, if it did either. */
  add(event: LogEvent): ToolSpan | undefined {
    const id = text(event['tool_use_id']);
    if (id === '') return undefined;
    const name = eventNameOf(event);
    const ts = text(event['_ts']);
    if (name === 'PreToolUse') return this.begin(id, event, ts);
    const span = this.open.get(id);
    if (span === undefined) return undefined;
    if (name === 'PostToolUse') span.status = 'ok';
    else if (name === 'PostToolUseFailure') span.status = 'failed';
    else if (name === 'PermissionDenied') span.status = 'denied';
    else return undefined;
    span.end = ts;
    span.tookMs = tookMs(event, span.start, ts);
    span.error = text(event['error']) || text(event['reason']);
    this.open.delete(id);
    return span;
  }

  private begin(id: string, event: LogEvent, ts: string): ToolSpan {
    const input = event['tool_input'];
    const span: ToolSpan = {
      id,
      session: text(event['session_id']),
      agent: text(event['agent_id']),
      tool: text(event['tool_name']),
      input: typeof input === 'object' && input !== null ? (input as LogEvent) : {},
      start: ts,
      end: '',
      tookMs: undefined,
      status: 'running',
      error: '',
    };
    this.spans.push(span);
    this.open.set(id, span);
    if (this.spans.length > MAX_SPANS) {
      const oldest = this.spans.shift() as ToolSpan;
      if (this.open.get(oldest.id) === oldest) this.open.delete(oldest.id);
    }
    return span;
  }
}
