/**
 * The response writer against the bytes node:http is known to write (Node
 * 20.20, measured and listed in the project's wire notes; the conformance
 * suite compares the live servers): each expectation below is written out
 * literally, never rebuilt with the writer's own tables.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CONTINUE_ANSWER,
  LAST_CHUNK,
  PARSE_ERROR_ANSWERS,
  serializeEmptyOk,
  serializeResponse,
} from '@hook-observatory/net-server/response-writer';

const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const MIDNIGHT = Date.UTC(2026, 0, 1, 0, 0, 0);
const MIDNIGHT_DATE = 'Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n';
const ONE_SECOND_LATER_DATE = 'Date: Thu, 01 Jan 2026 00:00:01 GMT\r\n';

/** `writeHead(200, {'Content-Type': 'application/json', 'Content-Length': 0}); end()` on a keep-alive request. */
const EMPTY_OK_KEEP_ALIVE =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\n' +
  MIDNIGHT_DATE +
  'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n';
/** The same on a request that asked to close. */
const EMPTY_OK_CLOSE =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\n' +
  MIDNIGHT_DATE +
  'Connection: close\r\n\r\n';

const latin1 = (bytes: Buffer): string => bytes.toString('latin1');

describe('fixed answers', () => {
  it.each([
    {
      name: 'bad-request',
      error: 'bad-request',
      wire: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
    },
    {
      name: 'header-overflow',
      error: 'header-overflow',
      wire: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
    },
    {
      name: 'chunk-extensions-overflow',
      error: 'chunk-extensions-overflow',
      wire: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
    },
    {
      name: 'timeout',
      error: 'timeout',
      wire: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
    },
  ] as const)('parse-error-answer-$name', ({ error, wire }) => {
    expect(latin1(PARSE_ERROR_ANSWERS[error])).toBe(wire);
  });

  it('continue-answer', () => {
    expect(latin1(CONTINUE_ANSWER)).toBe('HTTP/1.1 100 Continue\r\n\r\n');
  });
});

describe('answers with a Date', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(MIDNIGHT);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('empty-ok-keep-alive', () => {
    expect(latin1(serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS))).toBe(EMPTY_OK_KEEP_ALIVE);
  });

  it('empty-ok-close', () => {
    expect(latin1(serializeEmptyOk(false, KEEP_ALIVE_TIMEOUT_MS))).toBe(EMPTY_OK_CLOSE);
  });

  it('empty-ok-reused-within-a-second', () => {
    vi.setSystemTime(MIDNIGHT + 100);
    const first = serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS);
    vi.setSystemTime(MIDNIGHT + 900);
    expect(serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS)).toBe(first);
  });

  it('empty-ok-follows-the-date', () => {
    vi.setSystemTime(MIDNIGHT + 1_000);
    expect(latin1(serializeEmptyOk(true, KEEP_ALIVE_TIMEOUT_MS))).toBe(
      EMPTY_OK_KEEP_ALIVE.replace(MIDNIGHT_DATE, ONE_SECOND_LATER_DATE),
    );
  });

  it('empty-ok-follows-the-keep-alive-timeout', () => {
    expect(latin1(serializeEmptyOk(true, 2_000))).toBe(
      EMPTY_OK_KEEP_ALIVE.replace('timeout=5', 'timeout=2'),
    );
  });

  it('json-answer-to-head-keeps-the-head-drops-the-body', () => {
    const headers = [
      ['Content-Type', 'application/json'],
      ['Content-Length', '15'],
    ] as const;
    const answer = serializeResponse(
      { status: 200, headers, keepAlive: true, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS },
      '{"status":"ok"}',
      true,
    );
    expect(latin1(answer)).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n' +
        MIDNIGHT_DATE +
        'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
    );
  });

  // writeHead(413, {..., Connection: 'close'}): node writes our Connection where we put it and adds none.
  it('refused-body-with-its-own-connection-close', () => {
    const body = '{"error":"body too large: the limit is 1000 bytes"}';
    const headers = [
      ['Content-Type', 'application/json'],
      ['Content-Length', '51'],
      ['Connection', 'close'],
    ] as const;
    const answer = serializeResponse(
      { status: 413, headers, keepAlive: true, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS },
      body,
      false,
    );
    expect(latin1(answer)).toBe(
      'HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: 51\r\nConnection: close\r\n' +
        MIDNIGHT_DATE +
        '\r\n' +
        body,
    );
  });

  // writeHead(400, {Connection: 'close'}); end(): no Content-Length, so node frames the empty body in chunks.
  it('missing-host-400-chunked-and-closing', () => {
    const head = {
      status: 400,
      headers: [['Connection', 'close']] as const,
      keepAlive: false,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
      chunked: true,
    };
    const answer = serializeResponse(head, LAST_CHUNK, false);
    expect(latin1(answer)).toBe(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n' +
        MIDNIGHT_DATE +
        'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
  });

  it('expectation-failed-417-chunked-and-kept', () => {
    const answer = serializeResponse(
      {
        status: 417,
        headers: [],
        keepAlive: true,
        keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
        chunked: true,
      },
      LAST_CHUNK,
      false,
    );
    expect(latin1(answer)).toBe(
      'HTTP/1.1 417 Expectation Failed\r\n' +
        MIDNIGHT_DATE +
        'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
  });
  // writeHead(200, headers) with no Content-Length, before the first write: the head alone, chunked.
  it('stream-head-chunked-and-kept', () => {
    const head = {
      status: 200,
      headers: [['Content-Type', 'text/event-stream']] as const,
      keepAlive: true,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
      chunked: true,
    };
    expect(latin1(serializeResponse(head, '', false))).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n' +
        MIDNIGHT_DATE +
        'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
  });

  // To HTTP/1.0 without `TE: chunked`, node sends the body bare and closes after it (`_last`).
  it('stream-head-bare-for-http-1-0', () => {
    const head = {
      status: 200,
      headers: [['Content-Type', 'text/event-stream']] as const,
      keepAlive: false,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
      chunked: false,
    };
    expect(latin1(serializeResponse(head, '', false))).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n' +
        MIDNIGHT_DATE +
        'Connection: close\r\n\r\n',
    );
  });

  // An answer to HEAD has no body, so node frames none: no Transfer-Encoding, no last chunk.
  it('chunked-answer-to-head-announces-no-framing', () => {
    const head = {
      status: 417,
      headers: [],
      keepAlive: true,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
      chunked: true,
    };
    expect(latin1(serializeResponse(head, LAST_CHUNK, true))).toBe(
      'HTTP/1.1 417 Expectation Failed\r\n' +
        MIDNIGHT_DATE +
        'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
    );
  });

  it('body-bytes-follow-the-head-as-they-are', () => {
    const body = Buffer.from([0xe2, 0x9c, 0x93, 0x00, 0xff]);
    const headers = [['Content-Length', '5']] as const;
    const answer = serializeResponse(
      { status: 200, headers, keepAlive: false, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS },
      body,
      false,
    );
    expect(answer.subarray(answer.length - body.length)).toEqual(body);
    expect(latin1(answer.subarray(0, answer.length - body.length))).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n' + MIDNIGHT_DATE + 'Connection: close\r\n\r\n',
    );
  });

  it('text-body-is-utf-8', () => {
    const headers = [['Content-Length', '3']] as const;
    const answer = serializeResponse(
      { status: 200, headers, keepAlive: false, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS },
      '\u2713',
      false,
    );
    expect(answer.subarray(answer.length - 3)).toEqual(Buffer.from([0xe2, 0x9c, 0x93]));
  });
});
