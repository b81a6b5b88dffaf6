import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { enrich } from '@hook-observatory/core';
import {
  formatJsonLine,
  formatPrettyJson,
  formatterFor,
  lineBytes,
} from '@hook-observatory/core/internal/format';
import { formatYaml, formatYamlBoldKeys } from '@hook-observatory/core/internal/yaml-format';
import { wantsColour } from '@hook-observatory/core/vocabulary';

const event = {
  _ts: '2026-01-01T00:00:00.000Z',
  _event: 'PostToolUse',
  tool_response: { stdout: 'line one\nline two\n', exit: 0 },
  'odd: key': ['a', 'b: c'],
};

describe('formats', () => {
  it('jsonl-is-one-compact-line', () => {
    const text = formatJsonLine(event).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(text)).toEqual(event);
  });

  it('pretty-json-is-two-space-indented', () => {
    const text = formatPrettyJson(event);
    expect(text).toBe(`${JSON.stringify(event, null, 2)}\n`);
  });

  it('yaml-is-one-document-with-block-scalars-and-key-order', () => {
    const text = formatYaml(event);
    expect(text.startsWith('---\n')).toBe(true);
    expect(text).toContain('  stdout: |\n    line one\n    line two\n');
    expect(parse(text)).toEqual(event);
    expect(Object.keys(parse(text) as object)).toEqual(Object.keys(event));
  });

  it('yaml-bold-keys-wraps-every-key-and-nothing-else', () => {
    const bold = formatYamlBoldKeys(event);
    const keys = [...bold.matchAll(/\x1b\[1m(.*?)\x1b\[22m/g)].map((match) => match[1]);
    expect(keys).toEqual(['_ts', '_event', 'tool_response', 'stdout', 'exit', '"odd: key"']);
    expect(bold.replace(/\x1b\[(?:1|22)m/g, '')).toBe(formatYaml(event));
  });

  it.each([
    { name: 'colour-on-a-terminal', isTTY: true, env: {}, expected: true },
    { name: 'no-colour-when-piped', isTTY: false, env: {}, expected: false },
    { name: 'no-colour-with-NO_COLOR', isTTY: true, env: { NO_COLOR: '1' }, expected: false },
    { name: 'empty-NO_COLOR-is-unset', isTTY: true, env: { NO_COLOR: '' }, expected: true },
  ])('$name', ({ isTTY, env, expected }) => {
    expect(wantsColour({ isTTY }, env)).toBe(expected);
  });

  it('formatter-for-each-format', async () => {
    expect(await formatterFor('jsonl', { colour: true })).toBe(formatJsonLine);
    expect(await formatterFor('pretty-json', { colour: false })).toBe(formatPrettyJson);
    expect(await formatterFor('pretty-yaml', { colour: false })).toBe(formatYaml);
    expect(await formatterFor('pretty-yaml', { colour: true })).toBe(formatYamlBoldKeys);
  });
});

describe('jsonl reuses the payload text', () => {
  const enrichText = (text: string): Record<string, unknown> =>
    enrich({
      timestamp: 'T',
      eventFromQuery: 'E',
      origin: { transport: 'tcp', address: '127.0.0.1' },
      body: Buffer.from(text),
    });

  it.each([
    {
      name: 'compact-payload-as-sent',
      body: '{"b":1.0,"a":"\\u00e9"}',
      line: '{"_ts":"T","_event":"E","_client":"127.0.0.1","b":1.0,"a":"\\u00e9"}\n',
    },
    {
      name: 'utf8-payload-as-sent',
      body: '{"a":"é 😀"}',
      line: '{"_ts":"T","_event":"E","_client":"127.0.0.1","a":"é 😀"}\n',
    },
    {
      name: 'spaces-kept',
      body: '{ "a" : [1, 2] }',
      line: '{"_ts":"T","_event":"E","_client":"127.0.0.1", "a" : [1, 2] }\n',
    },
    { name: 'empty-object', body: '{}', line: '{"_ts":"T","_event":"E","_client":"127.0.0.1"}\n' },
    {
      name: 'empty-object-with-space',
      body: '{ }',
      line: '{"_ts":"T","_event":"E","_client":"127.0.0.1" }\n',
    },
    { name: 'empty-body', body: '', line: '{"_ts":"T","_event":"E","_client":"127.0.0.1"}\n' },
    {
      name: 'multi-line-payload-is-serialized-again',
      body: '{\n  "a": 1\n}',
      line: '{"_ts":"T","_event":"E","_client":"127.0.0.1","a":1}\n',
    },
    {
      name: 'forged-metadata-is-serialized-again',
      body: '{"_ts":"x","a":1}',
      line: '{"_ts":"T","_event":"E","_client":"127.0.0.1","_ts_from_payload":"x","a":1}\n',
    },
    {
      name: 'leading-space-is-serialized-again',
      body: ' {"a":1}',
      line: '{"_ts":"T","_event":"E","_client":"127.0.0.1","a":1}\n',
    },
  ])('$name', ({ body, line }) => {
    const record = enrichText(body);
    const text = formatJsonLine(record).toString('utf8');
    expect(text).toBe(line);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(record)));
    // The pretty formats still see exactly the record.
    expect(JSON.parse(formatPrettyJson(record))).toEqual(JSON.parse(text));
  });
});

describe('a line re-serialised is its text in UTF-8 and a newline (lineBytes)', () => {
  it.each([
    { name: 'ascii', text: '{"_raw":"{\\"k0\\":0}"}' },
    { name: 'empty', text: '' },
    { name: 'two-byte-character-last', text: '{"a":"xé"}' },
    { name: 'two-byte-character-only', text: 'é' },
    { name: 'three-byte-character', text: '{"a":"€"}' },
    { name: 'surrogate-pair', text: '{"a":"😀"}' },
    { name: 'lone-surrogate', text: '{"a":"\ud800"}' },
    { name: 'long-ascii-then-one-character-past-it', text: `${'x'.repeat(100_000)}ü` },
  ])('$name', ({ text }) => {
    expect(lineBytes(text).equals(Buffer.from(`${text}\n`, 'utf8'))).toBe(true);
  });
});
