/**
 * Deeply nested bodies, in every output format. Serialising one a few thousand
 * levels deep threw RangeError (stack overflow) in core's format and ended the
 * server; now a body deeper than MAX_PAYLOAD_DEPTH is kept unparsed in `_raw`
 * with `_error` (json-depth.ts), and a payload any serialiser still cannot
 * write is recorded without it, with `_error` (format.ts, formatSafely).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  enrich,
  formatSafely,
  formatterFor,
  MAX_PAYLOAD_DEPTH,
  nestsDeeperThan,
  TOO_DEEP_ERROR,
  UNSERIALISABLE_ERROR,
  type EventRecord,
  type OutputFormat,
} from '@hook-observatory/core';

const FORMATS: ReadonlyArray<{ name: string; format: OutputFormat; colour: boolean }> = [
  { name: 'jsonl', format: 'jsonl', colour: false },
  { name: 'pretty-json', format: 'pretty-json', colour: false },
  { name: 'pretty-yaml', format: 'pretty-yaml', colour: false },
  { name: 'pretty-yaml-bold-keys', format: 'pretty-yaml', colour: true },
];

/** What one format wrote, read back as a record. */
function readBack(format: OutputFormat, text: string): Record<string, unknown> {
  if (format === 'pretty-yaml') return parse(text.replace(/\x1b\[(?:1|22)m/g, '')) as Record<string, unknown>;
  return JSON.parse(text) as Record<string, unknown>;
}

const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number, inner = '1'): string => '{"a":'.repeat(depth) + inner + '}'.repeat(depth);

const METADATA = { _ts: 'T', _event: 'E', _client: '127.0.0.1' };

/** `parsed`: the payload is recorded as JSON; `too-deep`: kept unparsed in `_raw` with TOO_DEEP_ERROR. */
const CASES: ReadonlyArray<{ name: string; body: string; expected: 'parsed' | 'too-deep' }> = [
  // The bodies that ended both servers (issue 25).
  { name: 'arrays-4100-deep', body: arrays(4_100), expected: 'too-deep' },
  { name: 'arrays-5000-deep', body: arrays(5_000), expected: 'too-deep' },
  { name: 'object-5000-deep-with-a-newline', body: objects(5_000) + '\n', expected: 'too-deep' },
  { name: 'object-5000-deep-with-a-ts-key', body: `{"_ts":1,"a":${objects(4_999)}}`, expected: 'too-deep' },
  { name: 'object-5000-deep-on-one-line', body: objects(5_000), expected: 'too-deep' },
  { name: 'object-630-deep', body: objects(630), expected: 'too-deep' },
  // The limit itself.
  { name: 'arrays-at-the-limit', body: arrays(MAX_PAYLOAD_DEPTH), expected: 'parsed' },
  { name: 'objects-at-the-limit-with-a-newline', body: objects(MAX_PAYLOAD_DEPTH) + '\n', expected: 'parsed' },
  { name: 'arrays-one-past-the-limit', body: arrays(MAX_PAYLOAD_DEPTH + 1), expected: 'too-deep' },
  { name: 'mixed-one-past-the-limit', body: `{"a":${'[{"b":'.repeat(MAX_PAYLOAD_DEPTH / 2)}1${'}]'.repeat(MAX_PAYLOAD_DEPTH / 2)}}`, expected: 'too-deep' },
  { name: 'siblings-do-not-add-up', body: `[${Array.from({ length: 20 }, () => arrays(100)).join(',')}]`, expected: 'parsed' },
  // Brackets inside strings are text, not nesting.
  { name: 'brackets-inside-a-string', body: `{"a":"${'[{'.repeat(5_000)}"}`, expected: 'parsed' },
  { name: 'escaped-quote-then-brackets-in-a-string', body: `{"a":"\\"${'['.repeat(500)}","b":1}`, expected: 'parsed' },
  { name: 'escaped-backslash-ends-the-string', body: `{"a":"x\\\\","b":${arrays(MAX_PAYLOAD_DEPTH)}}`, expected: 'too-deep' },
  // Deep text that is not JSON at all is kept unparsed too: it is never parsed to find out.
  { name: 'deep-and-unclosed', body: '['.repeat(5_000), expected: 'too-deep' },
];

describe('payload depth', () => {
  describe.each(FORMATS)('$name', ({ format, colour }) => {
    const formatter = formatterFor(format, { colour });
    it.each(CASES)('$name', ({ body, expected }) => {
      const record = enrich({ timestamp: 'T', eventFromQuery: 'E', origin: { transport: 'tcp', address: '127.0.0.1' }, body: Buffer.from(body) });
      const formatted = formatter(record);
      const written = readBack(format, typeof formatted === 'string' ? formatted : formatted.toString('utf8'));
      if (expected === 'too-deep') {
        expect(written).toEqual({ ...METADATA, _error: TOO_DEEP_ERROR, _raw: body });
      } else {
        const payload = JSON.parse(body) as unknown;
        expect(written).toEqual(Array.isArray(payload) ? { ...METADATA, _payload: payload } : { ...METADATA, ...(payload as object) });
      }
    });
  });

  it.each([
    { name: 'empty', body: '', deeper: false },
    { name: 'flat-object', body: '{"a":1}', deeper: false },
    { name: 'two-deep-over-one', body: '[[]]', deeper: true },
    // JSON.parse stops at the first stray closing bracket, before any depth after it.
    { name: 'stray-closing-brackets-count-down', body: ']]]][[', deeper: false },
    { name: 'unterminated-string-hides-the-rest', body: '["[[[[', deeper: false },
  ])('nests-deeper-than-one: $name', ({ body, deeper }) => {
    expect(nestsDeeperThan(Buffer.from(body), 1)).toBe(deeper);
  });
});

describe('a serialiser that throws', () => {
  /** A record whose payload field throws when any serialiser reads it. */
  function unreadable(): EventRecord {
    const record: EventRecord = { ...METADATA };
    Object.defineProperty(record, 'payload', {
      enumerable: true,
      get() {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    return record;
  }

  it.each(FORMATS)('$name-records-the-event-without-its-payload', ({ format, colour }) => {
    const formatted = formatSafely(formatterFor(format, { colour }), unreadable());
    const written = readBack(format, typeof formatted === 'string' ? formatted : formatted.toString('utf8'));
    expect(written).toEqual({ ...METADATA, _error: `${UNSERIALISABLE_ERROR} (RangeError: Maximum call stack size exceeded)` });
  });
});
