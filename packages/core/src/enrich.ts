/**
 * Enrichment: turn a request body into the event record that is written out.
 *
 * The record starts with the server's own metadata (`_ts`, `_event`, then who
 * sent it), followed by the payload's fields in their order. Metadata comes
 * from the server alone: a payload key that collides with it is kept, renamed
 * with FORGED_KEY_SUFFIX, so that a client can neither replace nor hide it.
 */
import { isUtf8 } from 'node:buffer';
import { UNKNOWN_EVENT } from './events.js';

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
]);
export const FORGED_KEY_SUFFIX = '_from_payload';


export type Payload =
  | { readonly kind: 'object'; readonly value: Record<string, unknown>; readonly text: string }
  | { readonly kind: 'other-json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

/**
 * Decode a body once, as UTF-8, then as JSON. Nothing is dropped: an empty body
 * is an empty object, JSON that is not an object is kept whole, text that is
 * not JSON is kept as text, and bytes that are not UTF-8 are kept as base64.
 */
export function decodeBody(body: Uint8Array): Payload {
  if (body.length === 0) return { kind: 'object', value: {}, text: '{}' };
  // Validate, then decode: buffer.isUtf8 (simdutf) is many times faster than a fatal TextDecoder.
  if (!isUtf8(body)) return { kind: 'bytes', bytes: body };
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'text', text };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { kind: 'object', value: value as Record<string, unknown>, text };
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
  // No prototype: a payload key "__proto__" is then an ordinary key, as JSON.parse made it.
  const record: EventRecord = Object.create(null) as EventRecord;
  record['_ts'] = timestamp;
  record['_event'] = eventName(eventFromQuery, payload);
  if (origin.transport === 'tcp') {
    if (origin.address !== undefined) record['_client'] = origin.address;
  } else if (origin.peer !== undefined) {
    record['_peer_pid'] = origin.peer.pid;
    record['_peer_uid'] = origin.peer.uid;
    record['_peer_gid'] = origin.peer.gid;
  }
  switch (payload.kind) {
    case 'object': {
      const metadataCount = Object.keys(record).length;
      let renamed = false;
      for (const key of Object.keys(payload.value)) {
        const unclaimed = unclaimedKey(record, payload.value, key);
        renamed ||= unclaimed !== key;
        record[unclaimed] = payload.value[key];
      }
      if (!renamed && isOneLineObject(payload.text)) {
        Object.defineProperty(record, VERBATIM_PAYLOAD, { value: { metadataCount, text: payload.text } });
      }
      break;
    }
    case 'other-json':
      record['_payload'] = payload.value;
      break;
    case 'text':
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

/**
 * A payload as the client wrote it, kept beside its record so that the JSONL
 * line can reuse the text instead of serializing the parsed object again: the
 * costliest step for a large PostToolUse body, and the bytes stay the client's.
 * Only for an object whose keys needed no renaming and whose text is one line.
 */
export interface VerbatimPayload {
  /** How many metadata keys lead the record. */
  readonly metadataCount: number;
  /** The payload's JSON text, starting with `{`. */
  readonly text: string;
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

/** JSON text that starts with its object's brace and has no line break, so it fits in a JSONL line. */
function isOneLineObject(text: string): boolean {
  return text.charCodeAt(0) === 0x7b && !text.includes('\n') && !text.includes('\r');
}

/** A payload key as written: itself, or renamed when it would overwrite metadata. */
function unclaimedKey(record: EventRecord, payload: Record<string, unknown>, key: string): string {
  if (!METADATA_KEYS.has(key)) return key;
  let renamed = key + FORGED_KEY_SUFFIX;
  while (Object.hasOwn(record, renamed) || Object.hasOwn(payload, renamed)) renamed += FORGED_KEY_SUFFIX;
  return renamed;
}
