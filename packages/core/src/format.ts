/**
 * Output formats. Each turns one event record into one event's text or bytes,
 * ending in a newline, so that a sink writes an event whole, in one write.
 */
import { CST, Parser, stringify } from 'yaml';
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
  if (verbatim === undefined) return Buffer.from(JSON.stringify(record) + '\n', 'utf8');
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

/** The bytes after an object's `{` hold no member: only blanks, then `}`. */
function isEmptyObjectRest(members: Uint8Array): boolean {
  let index = 0;
  while (index < members.length && JSON_BLANKS.has(members[index] as number)) index++;
  return members[index] === CLOSING_BRACE;
}

export function formatPrettyJson(record: EventRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

/**
 * One YAML document per event. Keys keep their order; a string with line breaks
 * is a `|` block scalar, so a prompt or a tool's output reads as it was typed.
 * lineWidth 0: never fold long lines, so nothing is re-wrapped.
 */
export function formatYaml(record: EventRecord): string {
  return (
    '---\n' +
    stringify(record, { blockQuote: 'literal', lineWidth: 0, aliasDuplicateObjects: false })
  );
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

/** ECMA-48 bold on and off: bold keeps the terminal's own colours and theme. */
const BOLD = '\x1b[1m';
const NORMAL_INTENSITY = '\x1b[22m';

/** The YAML document with every mapping key in bold, for a terminal. */
export function formatYamlBoldKeys(record: EventRecord): string {
  const text = formatYaml(record);
  const keys: Array<{ start: number; end: number }> = [];
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      const key = item.key;
      if (key && CST.isScalar(key)) {
        keys.push({ start: key.offset, end: key.offset + key.source.length });
      }
    });
  }
  let out = '';
  let last = 0;
  for (const { start, end } of keys) {
    out += text.slice(last, start) + BOLD + text.slice(start, end) + NORMAL_INTENSITY;
    last = end;
  }
  return out + text.slice(last);
}

/** The formatter for a sink; colour as wantsColour (config.ts) decides. */
export function formatterFor(format: OutputFormat, options: { colour: boolean }): Formatter {
  switch (format) {
    case 'jsonl':
      return formatJsonLine;
    case 'pretty-json':
      return formatPrettyJson;
    case 'pretty-yaml':
      return options.colour ? formatYamlBoldKeys : formatYaml;
  }
}
