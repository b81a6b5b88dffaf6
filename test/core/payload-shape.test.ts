/**
 * Deeply nested bodies and bodies of very many members, in every output
 * format. Serialising one a few thousand levels deep threw RangeError (stack
 * overflow) in core's format and ended the server; parsing a million keys held
 * every other hook for seconds. Now a body deeper than MAX_PAYLOAD_DEPTH or
 * with more than MAX_PAYLOAD_MEMBERS members is kept unparsed in `_raw` with
 * `_error` (json-shape.ts), and a payload any serialiser still cannot write
 * is recorded without it, with `_error` (format.ts, formatSafely).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { enrich, MAX_PAYLOAD_DEPTH, type EventRecord } from '@hook-observatory/core';
import {
  formatSafely,
  formatterFor,
  UNSERIALISABLE_ERROR,
} from '@hook-observatory/core/internal/format';
import {
  MAX_PAYLOAD_ELEMENTS,
  MAX_PAYLOAD_MEMBERS,
  shapeExcess,
  TOO_DEEP_ERROR,
  TOO_MANY_ELEMENTS_ERROR,
  TOO_MANY_MEMBERS_ERROR,
} from '@hook-observatory/core/internal/json-shape';
import { type OutputFormat } from '@hook-observatory/core/internal/config';

const FORMATS: ReadonlyArray<{ name: string; format: OutputFormat; colour: boolean }> = [
  { name: 'jsonl', format: 'jsonl', colour: false },
  { name: 'pretty-json', format: 'pretty-json', colour: false },
  { name: 'pretty-yaml', format: 'pretty-yaml', colour: false },
  { name: 'pretty-yaml-bold-keys', format: 'pretty-yaml', colour: true },
];

/** What one format wrote, read back as a record. */
function readBack(format: OutputFormat, text: string): Record<string, unknown> {
  // uniqueKeys: false, because checking each key against every other is quadratic: seconds for
  // the 10,000 keys at the member limit. The formatter writes an object, which cannot repeat a key.
  if (format === 'pretty-yaml') {
    return parse(text.replace(/\x1b\[(?:1|22)m/g, ''), { uniqueKeys: false }) as Record<
      string,
      unknown
    >;
  }
  return JSON.parse(text) as Record<string, unknown>;
}

const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number, inner = '1'): string =>
  '{"a":'.repeat(depth) + inner + '}'.repeat(depth);

const keys = (count: number): string =>
  `{${Array.from({ length: count }, (_, key) => `"k${key}":${key % 10}`).join(',')}}`;

const METADATA = { _ts: 'T', _event: 'E', _client: '127.0.0.1' };

/** `parsed`: the payload is recorded as JSON; otherwise it is kept unparsed in `_raw` with this `_error`. */
const UNPARSED_ERROR = {
  'too-deep': TOO_DEEP_ERROR,
  'too-many-members': TOO_MANY_MEMBERS_ERROR,
  'too-many-elements': TOO_MANY_ELEMENTS_ERROR,
} as const;

const zeros = (count: number): string => `[${'0,'.repeat(count - 1)}0]`;

const CASES: ReadonlyArray<{
  name: string;
  body: string;
  expected: 'parsed' | keyof typeof UNPARSED_ERROR;
}> = [
  // The bodies that ended both servers (issue 25).
  { name: 'arrays-4100-deep', body: arrays(4_100), expected: 'too-deep' },
  { name: 'arrays-5000-deep', body: arrays(5_000), expected: 'too-deep' },
  { name: 'object-5000-deep-with-a-newline', body: objects(5_000) + '\n', expected: 'too-deep' },
  {
    name: 'object-5000-deep-with-a-ts-key',
    body: `{"_ts":1,"a":${objects(4_999)}}`,
    expected: 'too-deep',
  },
  { name: 'object-5000-deep-on-one-line', body: objects(5_000), expected: 'too-deep' },
  { name: 'object-630-deep', body: objects(630), expected: 'too-deep' },
  // The limit itself.
  { name: 'arrays-at-the-limit', body: arrays(MAX_PAYLOAD_DEPTH), expected: 'parsed' },
  {
    name: 'objects-at-the-limit-with-a-newline',
    body: objects(MAX_PAYLOAD_DEPTH) + '\n',
    expected: 'parsed',
  },
  { name: 'arrays-one-past-the-limit', body: arrays(MAX_PAYLOAD_DEPTH + 1), expected: 'too-deep' },
  {
    name: 'mixed-one-past-the-limit',
    body: `{"a":${'[{"b":'.repeat(MAX_PAYLOAD_DEPTH / 2)}1${'}]'.repeat(MAX_PAYLOAD_DEPTH / 2)}}`,
    expected: 'too-deep',
  },
  {
    name: 'siblings-do-not-add-up',
    body: `[${Array.from({ length: 20 }, () => arrays(100)).join(',')}]`,
    expected: 'parsed',
  },
  // Brackets inside strings are text, not nesting.
  { name: 'brackets-inside-a-string', body: `{"a":"${'[{'.repeat(5_000)}"}`, expected: 'parsed' },
  {
    name: 'escaped-quote-then-brackets-in-a-string',
    body: `{"a":"\\"${'['.repeat(500)}","b":1}`,
    expected: 'parsed',
  },
  {
    name: 'escaped-backslash-ends-the-string',
    body: `{"a":"x\\\\","b":${arrays(MAX_PAYLOAD_DEPTH)}}`,
    expected: 'too-deep',
  },
  // Deep text that is not JSON at all is kept unparsed too: it is never parsed to find out.
  { name: 'deep-and-unclosed', body: '['.repeat(5_000), expected: 'too-deep' },
  // The body that held every other hook for seconds (issue 25), and the member limit itself.
  { name: 'a-million-keys', body: keys(1_000_000), expected: 'too-many-members' },
  { name: 'keys-at-the-member-limit', body: keys(MAX_PAYLOAD_MEMBERS), expected: 'parsed' },
  {
    name: 'keys-one-past-the-member-limit',
    body: keys(MAX_PAYLOAD_MEMBERS + 1),
    expected: 'too-many-members',
  },
  {
    name: 'members-of-many-objects-add-up',
    body: `[${Array.from({ length: MAX_PAYLOAD_MEMBERS + 1 }, () => '{"a":1}').join(',')}]`,
    expected: 'too-many-members',
  },
  {
    name: 'array-elements-are-not-members',
    body: `[${Array.from({ length: MAX_PAYLOAD_MEMBERS * 2 }, (_, index) => index).join(',')}]`,
    expected: 'parsed',
  },
  // Array elements: 16 million zeros fit in the body limit, and held the loop for seconds. The
  // limit itself is checked on shapeExcess alone below: 100,000 elements take seconds in YAML.
  {
    name: 'zeros-one-past-the-element-limit',
    body: zeros(MAX_PAYLOAD_ELEMENTS + 1),
    expected: 'too-many-elements',
  },
  {
    name: 'elements-of-many-arrays-add-up',
    body: `{"a":${zeros(MAX_PAYLOAD_ELEMENTS / 2)},"b":${zeros(MAX_PAYLOAD_ELEMENTS / 2 + 1)}}`,
    expected: 'too-many-elements',
  },
  {
    name: 'colons-inside-a-string',
    body: `{"a":"${':'.repeat(MAX_PAYLOAD_MEMBERS * 2)}"}`,
    expected: 'parsed',
  },
];

describe('payload depth', () => {
  describe.each(FORMATS)('$name', ({ format, colour }) => {
    it.each(CASES)('$name', async ({ body, expected }) => {
      const formatter = await formatterFor(format, { colour });
      const record = enrich({
        timestamp: 'T',
        eventFromQuery: 'E',
        origin: { transport: 'tcp', address: '127.0.0.1' },
        body: Buffer.from(body),
      });
      const formatted = formatter(record);
      const written = readBack(
        format,
        typeof formatted === 'string' ? formatted : formatted.toString('utf8'),
      );
      if (expected !== 'parsed') {
        expect(written).toEqual({ ...METADATA, _error: UNPARSED_ERROR[expected], _raw: body });
      } else {
        const payload = JSON.parse(body) as unknown;
        expect(written).toEqual(
          Array.isArray(payload)
            ? { ...METADATA, _payload: payload }
            : { ...METADATA, ...(payload as object) },
        );
      }
    });
  });

  it.each([
    {
      name: 'too-deep',
      body: `{"hook_event_name":"Stop","a":${arrays(MAX_PAYLOAD_DEPTH)}}`,
      event: 'Unknown',
    },
    {
      name: 'too-many-members',
      body: keys(MAX_PAYLOAD_MEMBERS + 1).replace('{', '{"hook_event_name":"Stop",'),
      event: 'Unknown',
    },
    {
      name: 'too-many-elements',
      body: `{"hook_event_name":"Stop","a":${zeros(MAX_PAYLOAD_ELEMENTS + 1)}}`,
      event: 'Unknown',
    },
    { name: 'parsed', body: '{"hook_event_name":"Stop"}', event: 'Stop' },
  ])('an-unparsed-body-is-named-by-the-query-alone: $name', ({ body, event }) => {
    const record = enrich({
      timestamp: 'T',
      eventFromQuery: undefined,
      origin: { transport: 'tcp', address: '127.0.0.1' },
      body: Buffer.from(body),
    });
    expect(record['_event']).toBe(event);
  });

  it.each([
    { name: 'empty', body: '', excess: undefined },
    { name: 'one-member-one-level', body: '{"a":1}', excess: undefined },
    { name: 'two-levels', body: '[[]]', excess: 'too-deep' },
    { name: 'two-members', body: '{"a":1,"b":2}', excess: 'too-many-members' },
    // JSON.parse stops at the first stray closing bracket, before any depth after it.
    { name: 'stray-closing-brackets-count-down', body: ']]]][[', excess: undefined },
    { name: 'unterminated-string-hides-the-rest', body: '["[[[[:::', excess: undefined },
  ])('limits-of-one: $name', ({ body, excess }) => {
    expect(shapeExcess(Buffer.from(body), { maxDepth: 1, maxMembers: 1, maxElements: 2 })).toBe(
      excess,
    );
  });

  it.each([
    { name: 'zeros-at-the-element-limit', body: zeros(MAX_PAYLOAD_ELEMENTS), excess: undefined },
    { name: 'a-million-zeros', body: zeros(1_000_000), excess: 'too-many-elements' },
  ])('element-limit: $name', ({ body, excess }) => {
    expect(shapeExcess(Buffer.from(body))).toBe(excess);
  });

  it.each([
    { name: 'two-elements', body: '[0,0]', excess: undefined },
    { name: 'three-elements', body: '[0,0,0]', excess: 'too-many-elements' },
    { name: 'an-empty-array-counts-one', body: '[[],[]]', excess: 'too-many-elements' },
    {
      name: 'commas-between-members-are-no-elements',
      body: '{"a":1,"b":2,"c":3}',
      excess: undefined,
    },
    { name: 'commas-inside-a-string-are-text', body: '["a,b,c,d"]', excess: undefined },
    {
      name: 'arrays-in-an-object-add-up',
      body: '{"a":[0],"b":[0,0]}',
      excess: 'too-many-elements',
    },
  ])('two-elements-at-most: $name', ({ body, excess }) => {
    expect(shapeExcess(Buffer.from(body), { maxDepth: 2, maxMembers: 10, maxElements: 2 })).toBe(
      excess,
    );
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

  it.each(FORMATS)('$name-records-the-event-without-its-payload', async ({ format, colour }) => {
    const formatted = formatSafely(await formatterFor(format, { colour }), unreadable());
    const written = readBack(
      format,
      typeof formatted === 'string' ? formatted : formatted.toString('utf8'),
    );
    expect(written).toEqual({
      ...METADATA,
      _error: `${UNSERIALISABLE_ERROR} (RangeError: Maximum call stack size exceeded)`,
    });
  });
});
