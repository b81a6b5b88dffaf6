/**
 * Enrichment: turn a request body into the event record that is written out.
 *
 * The record starts with the server's own metadata (`_ts`, `_event`, then who
 * sent it), followed by the payload's fields in their order. Metadata comes
 * from the server alone: a payload key that collides with it is kept, renamed
 * with FORGED_KEY_SUFFIX, so that a client can neither replace nor hide it.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { UNKNOWN_EVENT } from './events.js';
import {
  shapeExcess,
  type ShapeExcess,
  TOO_DEEP_ERROR,
  TOO_MANY_ELEMENTS_ERROR,
  TOO_MANY_MEMBERS_ERROR,
} from './json-shape.js';

export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** Who sent a request: a TCP peer's address, or a Unix peer's kernel credentials. */
export type Origin =
  | { readonly transport: 'tcp'; readonly address: string | undefined }
  | { readonly transport: 'unix'; readonly peer: PeerCredentials | undefined };

export type EventRecord = Record<string, unknown>;

/** Metadata keys the server owns; a payload never sets them. */
export const METADATA_KEYS: ReadonlySet<string> = new Set([
  '_ts',
  '_event',
  '_client',
  '_peer_pid',
  '_peer_uid',
  '_peer_gid',
  '_raw',
  '_raw_base64',
  '_payload',
  '_error',
  '_body_bytes',
]);
export const FORGED_KEY_SUFFIX = '_from_payload';

export type Payload =
  | { readonly kind: 'object'; readonly value: Record<string, unknown>; readonly bytes: Uint8Array }
  | { readonly kind: 'other-json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'unparsed'; readonly text: string; readonly error: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

/** What an empty body stands for: an empty object. */
const EMPTY_OBJECT = Buffer.from('{}', 'latin1');

/**
 * Decode a body once, as UTF-8, then as JSON. Nothing is dropped: an empty body
 * is an empty object, JSON that is not an object is kept whole, text that is
 * not JSON is kept as text, and bytes that are not UTF-8 are kept as base64.
 * Text nested too deeply (no serialiser could write it back without running
 * out of stack) or with too many members (parsing it would hold the event loop
 * for seconds) is kept as text, unparsed, with why (json-shape.ts).
 */
/** The `_error` of a payload kept unparsed, by the limit it passed. */
const EXCESS_ERRORS: Readonly<Record<ShapeExcess, string>> = {
  'too-deep': TOO_DEEP_ERROR,
  'too-many-members': TOO_MANY_MEMBERS_ERROR,
  'too-many-elements': TOO_MANY_ELEMENTS_ERROR,
};

export function decodeBody(body: Uint8Array): Payload {
  if (body.length === 0) return { kind: 'object', value: {}, bytes: EMPTY_OBJECT };
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Validate, then decode. buffer.isAscii and isUtf8 (simdutf) cost next to
  // nothing. ASCII, what almost every hook sends, reads the same as latin1, which
  // V8 copies as is; other UTF-8 takes the slower decoder.
  let text: string;
  if (isAscii(bytes)) text = bytes.toString('latin1');
  else if (isUtf8(bytes)) text = bytes.toString('utf8');
  else return { kind: 'bytes', bytes: body };
  const excess = shapeExcess(bytes);
  if (excess !== undefined) {
    return {
      kind: 'unparsed',
      text,
      error: EXCESS_ERRORS[excess],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'text', text };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { kind: 'object', value: value as Record<string, unknown>, bytes: body };
  }
  return { kind: 'other-json', value };
}

/**
 * The event's name: from the query (`?event=NAME`, what command hooks send),
 * else from the body's `hook_event_name` (Claude Code's native HTTP hooks carry
 * no query of their own choosing), else UNKNOWN_EVENT.
 */
export function eventName(fromQuery: string | undefined, payload: Payload): string {
  if (fromQuery !== undefined && fromQuery !== '') return fromQuery;
  if (payload.kind === 'object') {
    const named = payload.value['hook_event_name'];
    if (typeof named === 'string' && named !== '') return named;
  }
  return UNKNOWN_EVENT;
}

export interface EnrichInput {
  readonly timestamp: string;
  readonly eventFromQuery: string | undefined;
  readonly origin: Origin;
  readonly body: Uint8Array;
}

export function enrich({ timestamp, eventFromQuery, origin, body }: EnrichInput): EventRecord {
  const payload = decodeBody(body);
  const metadata = metadataOf(timestamp, eventName(eventFromQuery, payload), origin);
  // No prototype: a payload key "__proto__" is then an ordinary key, as JSON.parse made it.
  const record: EventRecord = Object.assign(Object.create(null) as EventRecord, metadata);
  switch (payload.kind) {
    case 'object': {
      let renamed = false;
      for (const key of Object.keys(payload.value)) {
        const unclaimed = unclaimedKey(record, payload.value, key);
        renamed ||= unclaimed !== key;
        record[unclaimed] = payload.value[key];
      }
      if (!renamed && isOneLineObject(payload.bytes)) {
        Object.defineProperty(record, VERBATIM_PAYLOAD, {
          value: { metadata, bytes: payload.bytes },
        });
      }
      break;
    }
    case 'other-json':
      record['_payload'] = payload.value;
      break;
    case 'text':
      record['_raw'] = payload.text;
      break;
    case 'unparsed':
      record['_error'] = payload.error;
      record['_raw'] = payload.text;
      break;
    case 'bytes':
      // Readable text with U+FFFD for each bad sequence; the exact bytes follow in base64.
      record['_raw'] = Buffer.from(payload.bytes).toString('utf8');
      record['_raw_base64'] = Buffer.from(payload.bytes).toString('base64');
      break;
  }
  return record;
}

export interface RefusedBodyInput {
  readonly timestamp: string;
  readonly eventFromQuery: string | undefined;
  readonly origin: Origin;
  /** The Content-Length, or for a chunked body the bytes that had arrived when it was refused. */
  readonly bodyBytes: number;
  /** Why it was refused (body-limits.ts, BodyRefusalAnswer.reason). */
  readonly error: string;
}

/**
 * The record of a hook whose body was refused unread: the event is named by
 * the query alone (the body that names it otherwise was never read), and
 * `_error` and `_body_bytes` say what was lost. Nothing disappears silently.
 */
export function refusedBodyRecord({
  timestamp,
  eventFromQuery,
  origin,
  bodyBytes,
  error,
}: RefusedBodyInput): EventRecord {
  const event =
    eventFromQuery === undefined || eventFromQuery === '' ? UNKNOWN_EVENT : eventFromQuery;
  const record: EventRecord = Object.assign(
    Object.create(null) as EventRecord,
    metadataOf(timestamp, event, origin),
  );
  record['_error'] = error;
  record['_body_bytes'] = bodyBytes;
  return record;
}

/** The server's own fields, in the order they lead the record: when, what, and who sent it. */
function metadataOf(timestamp: string, event: string, origin: Origin): Record<string, unknown> {
  if (origin.transport === 'tcp') {
    return origin.address === undefined
      ? { _ts: timestamp, _event: event }
      : { _ts: timestamp, _event: event, _client: origin.address };
  }
  if (origin.peer === undefined) return { _ts: timestamp, _event: event };
  const { pid, uid, gid } = origin.peer;
  return { _ts: timestamp, _event: event, _peer_pid: pid, _peer_uid: uid, _peer_gid: gid };
}

/**
 * A payload as the client wrote it, kept beside its record so that the JSONL
 * line can reuse its bytes instead of serializing the parsed object again: the
 * costliest step for a large PostToolUse body, and the bytes stay the client's.
 * Only for an object whose keys needed no renaming and whose text is one line.
 */
export interface VerbatimPayload {
  /** The metadata that leads the record, on its own. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The payload's JSON bytes, starting with `{`. */
  readonly bytes: Uint8Array;
}
/**
 * Kept on the record under a symbol, not enumerable: JSON, YAML and object
 * spreads never see it. (A WeakMap would do the same, but makes every garbage
 * collection trace it, which costs more than the serialization it saves.)
 */
const VERBATIM_PAYLOAD = Symbol('verbatim payload');

export function verbatimPayloadOf(record: EventRecord): VerbatimPayload | undefined {
  return (record as { [VERBATIM_PAYLOAD]?: VerbatimPayload })[VERBATIM_PAYLOAD];
}

const OPENING_BRACE = 0x7b;
const LF = 0x0a;
const CR = 0x0d;

/**
 * JSON that starts with its object's brace and has no line break, so it fits
 * in a JSONL line. In UTF-8 these bytes are never part of a longer character.
 */
function isOneLineObject(bytes: Uint8Array): boolean {
  return bytes[0] === OPENING_BRACE && !bytes.includes(LF) && !bytes.includes(CR);
}

/** A payload key as written: itself, or renamed when it would overwrite metadata. */
function unclaimedKey(record: EventRecord, payload: Record<string, unknown>, key: string): string {
  if (!METADATA_KEYS.has(key)) return key;
  let renamed = key + FORGED_KEY_SUFFIX;
  while (Object.hasOwn(record, renamed) || Object.hasOwn(payload, renamed)) {
    renamed += FORGED_KEY_SUFFIX;
  }
  return renamed;
}
