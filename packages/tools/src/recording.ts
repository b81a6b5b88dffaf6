/**
 * A recorded session, read back as the hooks to send again: from a server's
 * log (--log FILE, one event a JSON line) or from a capture (the requests as
 * they arrived, packages/conformance/traffic/README.md).
 */
import { readFileSync } from 'node:fs';
import { FORGED_KEY_SUFFIX, METADATA_KEYS } from '@hook-observatory/core/vocabulary';

/** One hook to send: its event, its body's bytes, and when it was first sent (ms since the epoch). */
export interface RecordedHook {
  readonly event: string;
  readonly body: Buffer;
  readonly at: number | undefined;
}

/**
 * Requests this close in time with the same target and body are one hook
 * delivered several ways at once (a capture made with a curl hook over TCP,
 * one over a Unix socket and a native hook for the same event): sent once.
 * Claude Code fires the hooks of one event together, within milliseconds;
 * the same event sent again a second later is a hook of its own.
 */
export const SAME_HOOK_WINDOW_MS = 1_000;

interface CaptureLine {
  readonly t?: string;
  readonly conn?: number;
  readonly transport?: string;
  readonly url: string;
  readonly bodyBase64: string;
}

/** The body Claude Code sent, from a log line: the payload without the server's fields. */
function bodyOfLogged(record: Record<string, unknown>): Buffer {
  if (typeof record['_raw_base64'] === 'string') {
    return Buffer.from(record['_raw_base64'], 'base64');
  }
  if (typeof record['_raw'] === 'string') return Buffer.from(record['_raw'], 'utf8');
  if ('_payload' in record) return Buffer.from(JSON.stringify(record['_payload']), 'utf8');
  // The server's own fields (README "What an event holds") were not sent; a payload key that
  // clashed with one of them was kept as `<key>_from_payload`, and is put back.
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (METADATA_KEYS.has(key)) continue;
    const forged = key.endsWith(FORGED_KEY_SUFFIX);
    payload[forged ? key.slice(0, -FORGED_KEY_SUFFIX.length) : key] = value;
  }
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

const timeOf = (text: unknown): number | undefined => {
  const at = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
};

/** One line of a log or a capture as a hook; undefined for a line that is neither. */
function hookOf(
  line: string,
): (RecordedHook & { readonly url?: string; readonly conn?: number }) | undefined {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const fields = record as Record<string, unknown>;
  if (typeof fields['bodyBase64'] === 'string' && typeof fields['url'] === 'string') {
    const capture = fields as unknown as CaptureLine;
    return {
      event: new URL(capture.url, 'http://recorded').searchParams.get('event') ?? '',
      body: Buffer.from(capture.bodyBase64, 'base64'),
      at: timeOf(capture.t),
      url: capture.url,
      conn: capture.conn,
    };
  }
  if (typeof fields['_event'] !== 'string') return undefined;
  return { event: fields['_event'], body: bodyOfLogged(fields), at: timeOf(fields['_ts']) };
}

/** A capture's request that repeats one just before it, delivered another way (SAME_HOOK_WINDOW_MS). */
function repeats(
  hook: RecordedHook & { readonly url?: string; readonly conn?: number },
  recent: ReadonlyArray<RecordedHook & { readonly url?: string; readonly conn?: number }>,
): boolean {
  return recent.some(
    (earlier) =>
      earlier.url === hook.url &&
      earlier.conn !== hook.conn &&
      Math.abs((hook.at ?? 0) - (earlier.at ?? 0)) < SAME_HOOK_WINDOW_MS &&
      earlier.body.equals(hook.body),
  );
}

/** The text of a log or a capture as hooks, in order, each hook once; lines that are neither are skipped. */
export function parseRecording(text: string): RecordedHook[] {
  const kept: Array<RecordedHook & { readonly url?: string; readonly conn?: number }> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const hook = hookOf(line);
    if (hook === undefined) continue;
    // The ways one hook was delivered arrive together: the few just before are enough to look at.
    if (hook.url !== undefined && repeats(hook, kept.slice(-8))) continue;
    kept.push(hook);
  }
  return kept.map(({ event, body, at }) => ({ event, body, at }));
}

/** A log or capture FILE as hooks (parseRecording). */
export function readRecording(path: string): RecordedHook[] {
  return parseRecording(readFileSync(path, 'utf8'));
}
