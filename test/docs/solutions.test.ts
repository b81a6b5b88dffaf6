/**
 * docs/solutions.md checked against the code where a solution says what the
 * code does: each claim below is one a solution makes, tested on the code it
 * names, so that a solution goes wrong only with a failing test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBody, eventName } from '@hook-observatory/core/internal/enrich';
import { UNKNOWN_EVENT } from '@hook-observatory/core/internal/events';
import { CONNECTIONS_CHECKING_INTERVAL_MS, HEADERS_TIMEOUT_MS } from '@hook-observatory/core/internal/protocol';
import { BODY_LIMIT_CASES } from '@hook-observatory/conformance/cases/body-limits';
import { ROOT } from '../../scripts/docs/paths.js';

const solutions = readFileSync(join(ROOT, 'docs/solutions.md'), 'utf8');
const source = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const body = (text: string) => decodeBody(Buffer.from(text));

describe("protocol.md, exercise 1: where the event's name comes from", () => {
  it.each([
    { name: 'body-only', query: undefined, text: '{"hook_event_name":"Stop"}', event: 'Stop' },
    { name: 'query-wins', query: 'SessionStart', text: '{"hook_event_name":"Stop"}', event: 'SessionStart' },
    { name: 'empty-query-ignored', query: '', text: '{"hook_event_name":"Stop"}', event: 'Stop' },
    { name: 'neither', query: undefined, text: '{}', event: UNKNOWN_EVENT },
  ])('$name', ({ query, text, event }) => {
    expect(eventName(query, body(text))).toBe(event);
  });

  it('the solution names the event of a hook with neither', () => {
    expect(solutions).toContain(`"_event":"${UNKNOWN_EVENT}"`);
  });
});

describe('http-server.md, exercise 1: who answers 100 Continue', () => {
  const main = source('packages/http-server/src/main.ts');

  it('the checkContinue listener reads the body with expectsContinue set', () => {
    expect(main).toMatch(/server\.on\('checkContinue',[^}]*readBody\(context, request, response, true\)/);
  });

  it('readBody writes the 100 only after the declared length passed its check', () => {
    const readBody = main.slice(main.indexOf('function readBody('));
    const refused = readBody.indexOf('declaredTooLong(');
    const written = readBody.indexOf('if (expectsContinue) response.writeContinue();');
    expect(refused).toBeGreaterThan(-1);
    expect(written).toBeGreaterThan(refused);
  });

  it('a body over the limit is refused with 413 and no 100 (the case the solution names)', () => {
    const found = BODY_LIMIT_CASES.find((testCase) => testCase.name === 'content-length-over-limit-expect-continue');
    expect(solutions).toContain('`content-length-over-limit-expect-continue`');
    expect(found?.clients.map((client) => client.expect.statuses)).toEqual([[413]]);
  });
});

describe('concurrency.md, exercise 1: a client that trickles', () => {
  it('the 408 comes 60 to 90 seconds after the first byte, as the exercise expects', () => {
    expect(HEADERS_TIMEOUT_MS).toBe(60_000);
    expect(HEADERS_TIMEOUT_MS + CONNECTIONS_CHECKING_INTERVAL_MS).toBe(90_000);
    expect(source('docs/concurrency.md')).toContain('after 60 to 90 seconds, while bytes are still arriving');
  });

  it('the raw server counts from the start of the request, not from the last byte', () => {
    expect(source('packages/net-server/src/main.ts')).toMatch(/const elapsed = now - connection\.messageStartedAt;/);
    expect(solutions).toContain('`expireSlowRequests` counts from\n`messageStartedAt`');
  });
});
