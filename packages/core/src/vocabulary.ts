/**
 * `@hook-observatory/core/vocabulary`: the words the receivers and their tools
 * share, without the machinery that serves them. A tool that only needs to
 * name things (the installer writing settings, the query tool finding a log's
 * files, the conformance cases setting limits and test overrides, the launcher
 * setting the test clock) imports this and loads nothing of the servers'
 * runtime: no sinks, no stream, no FFI (koffi), no YAML.
 * test/codebase/core-entries.test.ts proves it in a child process.
 *
 * Each name is here because a package outside core uses it (the same test).
 */
export {
  DEFAULT_PORT,
  DEFAULT_SOCKET_PATH,
  HOOK_PATH,
  MAX_HEADER_SIZE_BYTES,
  MAX_HEADERS_COUNT,
  SHUTDOWN_GRACE_MS,
} from './protocol.js';
export { HOOK_EVENTS, HOOK_EVENT_NAMES } from './events.js';
export { MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_MEMBERS } from './json-shape.js';
export {
  checkStoreUrl,
  EXIT_USAGE,
  parsePort,
  PORT_ENV,
  SOCKET_ENV,
  TOKEN_ENV,
  UsageError,
  wantsColour,
} from './config.js';
export { rotatedFiles } from './rotated-names.js';
// The team store as query --store reads it (store-rows.ts).
export { STORE_TABLE, STORED_ROWS, type StoredRow } from './store-rows.js';
export { StoreFollower } from './store-follow.js';
export { storeConnectionString } from './store-tls.js';
// What each session is doing now: query --sessions and the live view's page (session-state.ts).
export {
  SessionTracker,
  eventNameOf,
  MAX_AGENTS_PER_SESSION,
  type AgentRun,
  type LogEvent,
  type Session,
  type SessionState,
} from './session-state.js';
export {
  argsErrorLine,
  isPackagedCommand,
  markPackagedCommand,
  nonEmpty,
  PACKAGE_PROGRAM,
  parseCommandLine,
  typedCommand,
} from './cli-args.js';
export { FORGED_KEY_SUFFIX, METADATA_KEYS } from './enrich.js';
export {
  BODY_LIMIT_ENV,
  EVENT_RING_ENV,
  FIXED_TIMESTAMP_ENV,
  HEARTBEAT_ENV,
  INSTANCE_ENV,
  TEST_NODE_ENV,
  TIMEOUT_ENV,
} from './test-overrides.js';
