/**
 * `@hook-observatory/core`: what the servers, the lessons and the docs
 * generator use of core, and nothing else. Each name is here because a
 * package or script outside core imports it (test/codebase/core-entries.test.ts
 * fails on one that nobody does). A tool that needs only names and no server
 * imports `@hook-observatory/core/vocabulary`; a test that exercises one of
 * core's modules imports it by `@hook-observatory/core/internal/<module>`.
 */

// Running a server: the command line, the sinks, the listener, shutdown (serve.ts).
export { runServer, type Receiver, type ReceiverContext } from './serve.js';

// The wire both servers must agree on (protocol.ts).
export {
  answerHeaders,
  CONNECTIONS_CHECKING_INTERVAL_MS,
  DEFAULT_PORT,
  DEFAULT_SOCKET_PATH,
  EVENT_STREAM_HEADERS,
  EVENTS_PATH,
  HEADERS_TIMEOUT_MS,
  HEALTH_BODY,
  HEALTH_PATH,
  HOOK_PATH,
  JSON_CONTENT_TYPE,
  KEEP_ALIVE_TIMEOUT_BUFFER_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CHUNK_EXTENSIONS_BYTES,
  MAX_HEADER_SIZE_BYTES,
  MAX_HEADERS_COUNT,
  METHOD_NOT_ALLOWED_BODY,
  NOT_FOUND_BODY,
  parseRequestTarget,
  REFUSED_BODY_LINGER_MS,
  REQUEST_TIMEOUT_MS,
  SHUTDOWN_GRACE_MS,
  usageSessionOf,
} from './protocol.js';

// Turning a request into an event (enrich.ts, events.ts, json-shape.ts).
export { enrich, type EventRecord, type Origin } from './enrich.js';
export { HOOK_EVENT_NAMES } from './events.js';
export { MAX_PAYLOAD_DEPTH } from './json-shape.js';

// What the guard refuses (guard.ts).
export type { Rejection } from './guard.js';

// Bodies refused unread (body-limits.ts).
export { declaredTooLong, lingeringClose, type BodyRefusal } from './body-limits.js';

// Out of descriptors (descriptors.ts).
export { SILENT_CONNECTION_MS, type UnusedConnection } from './descriptors.js';

// The live view: its page and its stream (viewer.ts, stream.ts).
export { LIVE_VIEW } from './viewer.js';
export { HEARTBEAT_MS, RETRY_MS, streamFilterOf } from './stream.js';
