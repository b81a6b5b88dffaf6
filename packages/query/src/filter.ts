/**
 * Which events a query keeps. The cheap test comes first: an event name or a
 * tool name must appear in the line's bytes, so most lines of a large log are
 * rejected without being parsed (the bench compares this with jq).
 */
import { eventNameOf, type LogEvent } from '@hook-observatory/core/vocabulary';

export { eventNameOf, type LogEvent };

export interface Filters {
  readonly events: readonly string[];
  readonly tools: readonly string[];
  readonly sessionPrefix: string | undefined;
  /** Keep events whose `_ts` is at or after this ISO 8601 time. */
  readonly since: string | undefined;
}

export function createFilter(filters: Filters): (line: Buffer) => LogEvent | undefined {
  const needles = [
    filters.events.map((name) => Buffer.from(JSON.stringify(name))),
    filters.tools.map((name) => Buffer.from(JSON.stringify(name))),
    filters.sessionPrefix === undefined ? [] : [Buffer.from(`"${filters.sessionPrefix}`)],
  ].filter((group) => group.length > 0);
  return (line) => {
    for (const group of needles) {
      if (!group.some((needle) => line.includes(needle))) return undefined;
    }
    let event: LogEvent;
    try {
      event = JSON.parse(line.toString('utf8')) as LogEvent;
    } catch {
      return undefined; // a line cut by a crash of something else, or not JSON at all
    }
    // A line without the server's `_event` is not one of its events (a capture's request, a stray line).
    if (typeof event !== 'object' || event === null || typeof event['_event'] !== 'string') {
      return undefined;
    }
    return matches(event, filters) ? event : undefined;
  };
}

function matches(event: LogEvent, filters: Filters): boolean {
  if (filters.events.length > 0 && !filters.events.includes(eventNameOf(event))) return false;
  if (filters.tools.length > 0 && !filters.tools.includes(String(event['tool_name'] ?? ''))) {
    return false;
  }
  if (
    filters.sessionPrefix !== undefined &&
    !String(event['session_id'] ?? '').startsWith(filters.sessionPrefix)
  ) {
    return false;
  }
  if (filters.since !== undefined && !(String(event['_ts'] ?? '') >= filters.since)) return false;
  return true;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * --since as typed: a duration back from now (`10m`, `2h`, `1d`), a time today
 * (`09:00`, local), or a date or date-time (`2026-12-05`, `2026-12-05T08:00`, local
 * unless it says Z or an offset). Returned as the ISO 8601 UTC text `_ts` is compared with.
 */
export function parseSince(text: string, now: Date): string | undefined {
  const duration = /^(\d+)([smhd])$/.exec(text);
  if (duration) {
    return new Date(
      now.getTime() - Number(duration[1]) * (DURATION_UNITS_MS[duration[2] as string] as number),
    ).toISOString();
  }
  const clock = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (clock) {
    const today = new Date(now);
    today.setHours(Number(clock[1]), Number(clock[2]), 0, 0);
    return today.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const time = new Date(text.length === 10 ? `${text}T00:00` : text.replace(' ', 'T'));
    if (!Number.isNaN(time.getTime())) return time.toISOString();
  }
  return undefined;
}
