import { describe, expect, it } from 'vitest';
import { enrich, type Origin } from '@hook-observatory/core';

const tcp: Origin = { transport: 'tcp', address: '127.0.0.1' };
const unix: Origin = { transport: 'unix', peer: { pid: 4242, uid: 1000, gid: 100 } };
const TS = '2026-01-01T00:00:00.000Z';

function record(
  body: string | Buffer,
  options: { event?: string; origin?: Origin } = {},
): Record<string, unknown> {
  return enrich({
    timestamp: TS,
    eventFromQuery: options.event,
    origin: options.origin ?? tcp,
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  });
}

describe('enrich', () => {
  it.each([
    {
      name: 'query-names-the-event',
      event: 'PreToolUse',
      body: '{"hook_event_name":"Stop"}',
      expected: 'PreToolUse',
    },
    {
      name: 'body-names-the-event-when-query-is-silent',
      event: undefined,
      body: '{"hook_event_name":"Stop"}',
      expected: 'Stop',
    },
    {
      name: 'empty-query-falls-back-to-body',
      event: '',
      body: '{"hook_event_name":"Stop"}',
      expected: 'Stop',
    },
    {
      name: 'unknown-when-nobody-names-it',
      event: undefined,
      body: '{"a":1}',
      expected: 'Unknown',
    },
    {
      name: 'non-string-hook-event-name-is-ignored',
      event: undefined,
      body: '{"hook_event_name":7}',
      expected: 'Unknown',
    },
  ])('$name', ({ event, body, expected }) => {
    expect(record(body, { event })['_event']).toBe(expected);
  });

  it('metadata-first-then-payload-in-its-order', () => {
    const result = record('{"z":1,"a":2,"m":{"k":"v"}}', { event: 'E' });
    expect(Object.keys(result)).toEqual(['_ts', '_event', '_client', 'z', 'a', 'm']);
    expect(result).toMatchObject({
      _ts: TS,
      _event: 'E',
      _client: '127.0.0.1',
      z: 1,
      a: 2,
      m: { k: 'v' },
    });
  });

  it('unix-peer-credentials-replace-client', () => {
    const result = record('{}', { event: 'E', origin: unix });
    expect(Object.keys(result)).toEqual(['_ts', '_event', '_peer_pid', '_peer_uid', '_peer_gid']);
    expect(result).toMatchObject({ _peer_pid: 4242, _peer_uid: 1000, _peer_gid: 100 });
  });

  it('unix-without-credentials-omits-them', () => {
    expect(
      Object.keys(record('{}', { event: 'E', origin: { transport: 'unix', peer: undefined } })),
    ).toEqual(['_ts', '_event']);
  });

  it('payload-cannot-forge-metadata', () => {
    const result = record(
      '{"_ts":"1999","_event":"Fake","_client":"10.0.0.1","_peer_pid":1,"x":1}',
      { event: 'E', origin: unix },
    );
    expect(result['_ts']).toBe(TS);
    expect(result['_event']).toBe('E');
    expect(result['_peer_pid']).toBe(4242);
    expect(result['_client']).toBeUndefined();
    expect(result).toMatchObject({
      _ts_from_payload: '1999',
      _event_from_payload: 'Fake',
      _client_from_payload: '10.0.0.1',
      _peer_pid_from_payload: 1,
      x: 1,
    });
  });

  it('renamed-forgery-never-overwrites-a-payload-key', () => {
    const result = record('{"_ts":"forged","_ts_from_payload":"also"}', { event: 'E' });
    expect(result['_ts']).toBe(TS);
    expect(result['_ts_from_payload']).toBe('also');
    expect(result['_ts_from_payload_from_payload']).toBe('forged');
  });

  it('proto-key-is-an-ordinary-key', () => {
    const result = record('{"__proto__":{"polluted":true}}', { event: 'E' });
    expect(Object.getOwnPropertyNames(result)).toContain('__proto__');
    expect(JSON.stringify(result)).toContain('"__proto__":{"polluted":true}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    { name: 'json-array-kept-whole', body: '[1,2]', key: '_payload', value: [1, 2] },
    { name: 'json-string-kept-whole', body: '"hi"', key: '_payload', value: 'hi' },
    { name: 'json-null-kept-whole', body: 'null', key: '_payload', value: null },
    { name: 'invalid-json-kept-as-text', body: '{"a":', key: '_raw', value: '{"a":' },
    { name: 'plain-text-kept-as-text', body: 'hello\nworld', key: '_raw', value: 'hello\nworld' },
  ])('$name', ({ body, key, value }) => {
    expect(record(body, { event: 'E' })[key]).toEqual(value);
  });

  it('empty-body-is-an-empty-payload', () => {
    expect(Object.keys(record('', { event: 'E' }))).toEqual(['_ts', '_event', '_client']);
  });

  it('invalid-utf8-kept-as-text-and-exact-bytes', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const result = record(bytes, { event: 'E' });
    expect(result['_raw']).toBe('{\ufffd\ufffd}');
    expect(Buffer.from(result['_raw_base64'] as string, 'base64').equals(bytes)).toBe(true);
  });

  it('unicode-payload-survives', () => {
    const result = record('{"prompt":"héllo ✓ 🚀"}', { event: 'E' });
    expect(result['prompt']).toBe('héllo ✓ 🚀');
  });
});
