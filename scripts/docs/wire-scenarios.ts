/**
 * The wire examples the notes show. Each scenario is a conversation a client
 * has with a server; the notes quote what the real servers answered
 * (`<!-- wire SCENARIO PART -->`), and test/docs/wire.test.ts replays every
 * scenario on both servers and fails when an answer, an event or a log line
 * in a note is no longer what the servers write.
 */
import { HEALTH_BODY, MAX_PAYLOAD_DEPTH } from '@hook-observatory/core';
import type { ClientStep } from './exchange.js';
import { SHOWN_PORT } from '@hook-observatory/tools/shown';
import { loadTraffic, requestBytes } from '@hook-observatory/conformance/traffic';

export const SHOWN_HOST = `127.0.0.1:${SHOWN_PORT}`;

/** The timeouts the `timeout` scenario's servers run with (config.ts, TIMEOUT_ENV): short enough to watch. */
export const SHORT_TIMEOUTS_ENV: Readonly<Record<string, string>> = {
  HOOK_OBSERVATORY_TEST_HEADERS_TIMEOUT_MS: '300',
  HOOK_OBSERVATORY_TEST_REQUEST_TIMEOUT_MS: '600',
  HOOK_OBSERVATORY_TEST_CONNECTIONS_CHECKING_INTERVAL_MS: '100',
};

/**
 * How the servers of a scenario are started: as the tests start them, with
 * short timeouts, with a token, or as a user starts them (no test clock).
 */
export type ServerSetup = 'default' | 'short-timeouts' | 'token' | 'plain';

/** The token the `token` setup's servers require (config.ts, TOKEN_ENV). */
export const DEMO_TOKEN = 'demo-token';

export const SETUP_ENV: Readonly<Record<ServerSetup, Readonly<Record<string, string>>>> = {
  default: {},
  'short-timeouts': SHORT_TIMEOUTS_ENV,
  token: { HOOK_OBSERVATORY_TOKEN: DEMO_TOKEN },
  plain: {},
};

export interface Scenario {
  readonly name: string;
  /** The client's side; `Host: HOST` in a sent text stands for the server's real host and port. */
  readonly steps: readonly ClientStep[];
  /** Shut down our side after the steps (a complete request), or wait for the server to close (it refuses). */
  readonly halfClose: boolean;
  /** Events the conversation adds to standard output. */
  readonly events: number;
  readonly setup?: ServerSetup;
}

const send = (text: string): ClientStep => ({ send: Buffer.from(text, 'utf8') });

const permission = loadTraffic('permission');
const firstCurl = permission.find((request) => request.transport === 'tcp' && request.sender === 'curl');
const firstNative = permission.find((request) => request.sender === 'native');
if (firstCurl === undefined || firstNative === undefined) throw new Error('permission.jsonl lacks a curl or a native request');
/** The recorded curl hook the curl-hook scenario sends (and request-diagram.ts draws). */
export const CURL_HOOK_REQUEST = firstCurl;

const hookBody = '{"hook_event_name":"Stop","session_id":"demo"}';
const JSON_TYPE = 'Content-Type: application/json\r\n';
const length = (text: string): number => Buffer.byteLength(text);
/** One chunk of a chunked body (RFC 9112 section 7.1): size in hex, optional extension, CRLF, data, CRLF. */
const chunk = (data: string, extension = ''): string => `${length(data).toString(16)}${extension}\r\n${data}\r\n`;
const forgedBody = '{"_ts":"1999-12-31T23:59:59Z","_client":"192.0.2.7"}';
/** Arrays one level past the depth limit (core's json-shape.ts). */
const tooDeepBody = '['.repeat(MAX_PAYLOAD_DEPTH + 1) + ']'.repeat(MAX_PAYLOAD_DEPTH + 1);

export const SCENARIOS: readonly Scenario[] = [
  { name: 'curl-hook', steps: [{ send: requestBytes(firstCurl, 'HOST') }], halfClose: true, events: 1 },
  { name: 'native-hook', steps: [{ send: requestBytes(firstNative, 'HOST') }], halfClose: true, events: 1 },
  { name: 'health', steps: [send('GET /health HTTP/1.1\r\nHost: HOST\r\n\r\n')], halfClose: true, events: 0 },
  { name: 'head-health', steps: [send('HEAD /health HTTP/1.1\r\nHost: HOST\r\n\r\n')], halfClose: true, events: 0 },
  { name: 'not-found', steps: [send('GET /hooks HTTP/1.1\r\nHost: HOST\r\n\r\n')], halfClose: true, events: 0 },
  { name: 'wrong-method', steps: [send('GET /hook HTTP/1.1\r\nHost: HOST\r\n\r\n')], halfClose: true, events: 0 },
  {
    name: 'close-request',
    steps: [send(`POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`)],
    halfClose: true,
    events: 1,
  },
  {
    name: 'http10',
    steps: [send(`POST /hook?event=Stop HTTP/1.0\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`)],
    halfClose: true,
    events: 1,
  },
  {
    name: 'expect-continue',
    steps: [
      send(`POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\nExpect: 100-continue\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n`),
      { awaitText: '100 Continue\r\n\r\n' },
      send(hookBody),
      // The answer (no body) before our FIN, so that the diagram reads in the order a client waits.
      { awaitText: '\r\n\r\n' },
    ],
    halfClose: true,
    events: 1,
  },
  {
    name: 'expect-other',
    steps: [send(`POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\nExpect: 200-ok\r\n${JSON_TYPE}Content-Length: 0\r\n\r\n`)],
    halfClose: true,
    events: 0,
  },
  {
    name: 'chunked-body',
    steps: [
      send(
        `POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Transfer-Encoding: chunked\r\n\r\n` +
          chunk('{"hook_event_name":"') +
          chunk('Stop","session_id":"demo"}', ';note=split') +
          '0\r\n\r\n',
      ),
    ],
    halfClose: true,
    events: 1,
  },
  {
    name: 'pipelined',
    steps: [
      send(
        'GET /health HTTP/1.1\r\nHost: HOST\r\n\r\n' +
          `POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`,
      ),
    ],
    halfClose: true,
    events: 1,
  },
  // One connection, two requests, each sent once the answer before it is in (the keep-alive diagram).
  {
    name: 'keep-alive',
    steps: [
      send('GET /health HTTP/1.1\r\nHost: HOST\r\n\r\n'),
      { awaitText: HEALTH_BODY },
      send(`POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`),
      { awaitText: '\r\n\r\n' },
    ],
    halfClose: true,
    events: 1,
  },
  {
    name: 'forged-metadata',
    steps: [
      send(
        `POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Content-Length: ${length(forgedBody)}\r\n\r\n` +
          forgedBody,
      ),
    ],
    halfClose: true,
    events: 1,
  },
  {
    name: 'not-json',
    steps: [send(`POST /hook?event=Notification HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Content-Length: 11\r\n\r\nhello world`)],
    halfClose: true,
    events: 1,
  },
  {
    name: 'too-deep',
    steps: [send(`POST /hook?event=Notification HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Content-Length: ${length(tooDeepBody)}\r\n\r\n${tooDeepBody}`)],
    halfClose: true,
    events: 1,
  },
  {
    name: 'origin-refused',
    steps: [send(`POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\nOrigin: https://page.example\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`)],
    halfClose: true,
    events: 0,
  },
  {
    name: 'fetch-site-refused',
    steps: [send('GET /events HTTP/1.1\r\nHost: HOST\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: image\r\n\r\n')],
    halfClose: true,
    events: 0,
  },
  {
    name: 'host-refused',
    steps: [send(`POST /hook?event=Stop HTTP/1.1\r\nHost: rebound.example:${SHOWN_PORT}\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`)],
    halfClose: true,
    events: 0,
  },
  {
    name: 'wrong-content-type',
    steps: [send(`POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\nContent-Type: text/plain\r\nContent-Length: ${length(hookBody)}\r\n\r\n${hookBody}`)],
    halfClose: true,
    events: 0,
  },
  {
    name: 'token-missing',
    steps: [send(`POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`)],
    halfClose: true,
    events: 0,
    setup: 'token',
  },
  {
    name: 'token-given',
    steps: [
      send(
        `POST /hook?event=Stop HTTP/1.1\r\nHost: HOST\r\nAuthorization: Bearer ${DEMO_TOKEN}\r\n${JSON_TYPE}` +
          `Content-Length: ${length(hookBody)}\r\n\r\n${hookBody}`,
      ),
    ],
    halfClose: true,
    events: 1,
    setup: 'token',
  },
  { name: 'missing-host', steps: [send('GET /health HTTP/1.1\r\n\r\n')], halfClose: false, events: 0 },
  { name: 'lowercase-method', steps: [send('post /hook HTTP/1.1\r\nHost: HOST\r\n\r\n')], halfClose: false, events: 0 },
  {
    name: 'both-framings',
    steps: [send('POST /hook HTTP/1.1\r\nHost: HOST\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')],
    halfClose: false,
    events: 0,
  },
  {
    name: 'header-overflow',
    steps: [send(`GET /health HTTP/1.1\r\nHost: HOST\r\nX-Padding: ${'a'.repeat(16_384)}\r\n\r\n`)],
    halfClose: false,
    events: 0,
  },
  { name: 'timeout', steps: [send('POST /hook HTTP/1.1\r\nHost: HOST\r\n')], halfClose: false, events: 0, setup: 'short-timeouts' },
  // The head alone: the 413 comes before a byte of the 600 MB body is read (core/src/body-limits.ts).
  {
    name: 'body-too-large',
    steps: [send(`POST /hook?event=PostToolUse HTTP/1.1\r\nHost: HOST\r\n${JSON_TYPE}Content-Length: 629145600\r\n\r\n`)],
    halfClose: false,
    events: 1,
  },

  // A server as a user starts it: its `log` is everything it says from start to stop.
  { name: 'startup', steps: [], halfClose: false, events: 0, setup: 'plain' },
];

/**
 * What a note can show of a scenario: what the client sent, what the server
 * answered, the events it wrote to standard output, and the lines it wrote to
 * standard error meanwhile.
 */
export const PARTS = ['request', 'response', 'event', 'log'] as const;
export type Part = (typeof PARTS)[number];
