/**
 * The test-only environment variables, every one of them, and where each is
 * read. A test sets them to watch in milliseconds what takes minutes, to pass
 * a limit with kilobytes instead of megabytes, or to make two servers' output
 * compare byte for byte. Environment variables, not flags: a user never needs
 * them and the usage does not list them. Both servers read the same ones,
 * through parseCommand (config.ts), which makes a value that is not what its
 * variable takes a usage error.
 *
 * Unset or empty means the default, as shells treat an empty variable.
 */

/** A fixed `_ts` for every event, so that two servers' streams compare byte for byte. */
export const FIXED_TIMESTAMP_ENV = 'HOOK_OBSERVATORY_FIXED_TS';

/** The timeouts of protocol.ts, shortened so that a test sees one fire. */
export const TIMEOUT_ENV = {
  keepAliveTimeoutMs: 'HOOK_OBSERVATORY_TEST_KEEP_ALIVE_TIMEOUT_MS',
  headersTimeoutMs: 'HOOK_OBSERVATORY_TEST_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'HOOK_OBSERVATORY_TEST_REQUEST_TIMEOUT_MS',
  connectionsCheckingIntervalMs: 'HOOK_OBSERVATORY_TEST_CONNECTIONS_CHECKING_INTERVAL_MS',
} as const;

/** The body limits of protocol.ts, lowered so that a test passes them with a few kilobytes. */
export const BODY_LIMIT_ENV = {
  maxBodyBytes: 'HOOK_OBSERVATORY_TEST_MAX_BODY_BYTES',
  maxBufferedBodyBytes: 'HOOK_OBSERVATORY_TEST_MAX_BUFFERED_BODY_BYTES',
} as const;

/** The live view's heartbeat (stream.ts) made frequent, or turned off with 0. */
export const HEARTBEAT_ENV = 'HOOK_OBSERVATORY_TEST_HEARTBEAT_MS';
/** The event ring shrunk (event-ring.ts), to show a viewer that asks for more than it holds. */
export const EVENT_RING_ENV = 'HOOK_OBSERVATORY_TEST_EVENT_RING_SIZE';
/** The viewers' shared budget shrunk (stream.ts), to show who is cut off when it is spent. */
export const VIEWERS_BUDGET_ENV = 'HOOK_OBSERVATORY_TEST_VIEWERS_BUDGET_BYTES';
/** The stream's instance id fixed (lowercase letters and digits), so that both servers' streams compare byte for byte. */
export const INSTANCE_ENV = 'HOOK_OBSERVATORY_TEST_INSTANCE';

/**
 * Not read by a server: the node binary the test harness starts servers on
 * (packages/launcher), so that CI runs the suites on each supported Node major.
 */
export const TEST_NODE_ENV = 'HOOK_OBSERVATORY_TEST_NODE';

/** What the stream's variables set; each left undefined takes stream.ts's default. */
export interface StreamOverrides {
  readonly heartbeatMs?: number | undefined;
  readonly instance?: string | undefined;
  readonly ringSize?: number | undefined;
  readonly budgetBytes?: number | undefined;
}

export interface TestOverrides {
  readonly fixedTimestamp: string | undefined;
  readonly timeouts: { readonly [Key in keyof typeof TIMEOUT_ENV]?: number | undefined };
  readonly bodyLimits: { readonly [Key in keyof typeof BODY_LIMIT_ENV]?: number | undefined };
  readonly stream: StreamOverrides;
}

/** A variable set to what it cannot take; parseCommand reports it as a usage error. */
export class TestOverrideError extends Error {}

/** Every test-only override that `env` sets. */
export function testOverridesFrom(env: NodeJS.ProcessEnv): TestOverrides {
  const count = (name: string, unit: string): number | undefined => {
    const text = valueOf(env, name);
    if (text === undefined) return undefined;
    if (!/^\d{1,9}$/.test(text)) {
      throw new TestOverrideError(`${name}: "${text}" is not a whole number of ${unit}`);
    }
    return Number(text);
  };
  const instance = valueOf(env, INSTANCE_ENV);
  if (instance !== undefined && !/^[0-9a-z]{1,32}$/.test(instance)) {
    throw new TestOverrideError(
      `${INSTANCE_ENV}: "${instance}" is not lowercase letters and digits`,
    );
  }
  return {
    fixedTimestamp: valueOf(env, FIXED_TIMESTAMP_ENV),
    timeouts: {
      keepAliveTimeoutMs: count(TIMEOUT_ENV.keepAliveTimeoutMs, 'milliseconds'),
      headersTimeoutMs: count(TIMEOUT_ENV.headersTimeoutMs, 'milliseconds'),
      requestTimeoutMs: count(TIMEOUT_ENV.requestTimeoutMs, 'milliseconds'),
      connectionsCheckingIntervalMs: count(
        TIMEOUT_ENV.connectionsCheckingIntervalMs,
        'milliseconds',
      ),
    },
    bodyLimits: {
      maxBodyBytes: count(BODY_LIMIT_ENV.maxBodyBytes, 'bytes'),
      maxBufferedBodyBytes: count(BODY_LIMIT_ENV.maxBufferedBodyBytes, 'bytes'),
    },
    stream: {
      heartbeatMs: count(HEARTBEAT_ENV, 'milliseconds'),
      ringSize: count(EVENT_RING_ENV, 'events'),
      budgetBytes: count(VIEWERS_BUDGET_ENV, 'bytes'),
      instance,
    },
  };
}

function valueOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
