/**
 * Output formats. Each turns one event record into one event's text or bytes,
 * ending in a newline, so that a sink writes an event whole, in one write.
 */
import type { OutputFormat } from './config.js';
import { verbatimPayloadOf, type EventRecord } from './enrich.js';

/** An event, formatted: JSONL comes as bytes (see formatJsonLine), the pretty formats as text. */
export type Formatted = string | Buffer;
export type Formatter = (record: EventRecord) => Formatted;

const LF = 0x0a;
/** JSON's insignificant whitespace (RFC 8259 section 2) and the brace that closes an object. */
const JSON_BLANKS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const CLOSING_BRACE = 0x7d;

/**
 * One compact JSON object and a newline, in UTF-8. When the payload's own
 * bytes can be reused (enrich.ts, VerbatimPayload), only the metadata is
 * serialized and the payload's members follow as the client sent them: its
 * bytes are never decoded and encoded again.
 */
export function formatJsonLine(record: EventRecord): Buffer {
  const verbatim = verbatimPayloadOf(record);
  if (verbatim === undefined) return lineBytes(JSON.stringify(record));
  // The metadata object without its closing brace, then the payload's members after its opening one.
  const members = verbatim.bytes.subarray(1);
  const head =
    JSON.stringify(verbatim.metadata).slice(0, -1) + (isEmptyObjectRest(members) ? '' : ',');
  const headLength = Buffer.byteLength(head, 'utf8');
  const line = Buffer.allocUnsafe(headLength + members.length + 1);
  line.write(head, 0, 'utf8');
  line.set(members, headLength);
  line[line.length - 1] = LF;
  return line;
}

const encoder = new TextEncoder();

/**
 * `text` and a newline, in UTF-8. Node 20's Buffer.from(text, 'utf8') first
 * counts the bytes character by character, slow for a line of megabytes
 * (test/bench/README.md). So the text is encoded into room for one byte a
 * character, which holds it whole when it is ASCII (what nearly every line
 * is), and counted only when it is not.
 */
export function lineBytes(text: string): Buffer {
  let line = Buffer.allocUnsafe(text.length + 1);
  // Every character takes a byte or more: all were read only when each took one.
  if (encoder.encodeInto(text, line.subarray(0, text.length)).read !== text.length) {
    line = Buffer.allocUnsafe(Buffer.byteLength(text, 'utf8') + 1);
    line.write(text, 0, 'utf8');
  }
  line[line.length - 1] = LF;
  return line;
}

/** The bytes after an object's `{` hold no member: only blanks, then `}`. */
function isEmptyObjectRest(members: Uint8Array): boolean {
  let index = 0;
  while (index < members.length && JSON_BLANKS.has(members[index] as number)) index++;
  return members[index] === CLOSING_BRACE;
}

export function formatPrettyJson(record: EventRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

/** The `_error` of an event whose payload a serialiser could not write; the error's own name and message follow. */
export const UNSERIALISABLE_ERROR = 'payload could not be serialised, so it is left out';
/** The server's fields an event keeps when its payload is left out: each a string or a number. */
const KEPT_WHEN_UNSERIALISABLE = [
  '_ts',
  '_event',
  '_client',
  '_peer_pid',
  '_peer_uid',
  '_peer_gid',
];

/**
 * The event as `formatter` makes it or, when the serialiser throws, the event
 * without its payload and with `_error` saying why: the hook is still
 * recorded and the server stays up. enrich.ts already keeps the payloads known to
 * break a serialiser (json-shape.ts) away from it; this is the net for any other.
 */
export function formatSafely(formatter: Formatter, record: EventRecord): Formatted {
  try {
    return formatter(record);
  } catch (error) {
    const kept: EventRecord = Object.create(null) as EventRecord;
    for (const key of KEPT_WHEN_UNSERIALISABLE) {
      const value = record[key];
      if (typeof value === 'string' || typeof value === 'number') kept[key] = value;
    }
    kept['_error'] = `${UNSERIALISABLE_ERROR} (${describeError(error)})`;
    return formatter(kept);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The formatter for a sink; colour as wantsColour (config.ts) decides. YAML is
 * loaded here, only for --format pretty-yaml: loading it cost every server start
 * about a third of its CPU, and the tests start hundreds of servers.
 */
export async function formatterFor(
  format: OutputFormat,
  options: { colour: boolean },
): Promise<Formatter> {
  switch (format) {
    case 'jsonl':
      return formatJsonLine;
    case 'pretty-json':
      return formatPrettyJson;
    case 'pretty-yaml': {
      const { formatYaml, formatYamlBoldKeys } = await import('./yaml-format.js');
      return options.colour ? formatYamlBoldKeys : formatYaml;
    }
  }
}
