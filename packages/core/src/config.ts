/**
 * Configuration: flags, then environment variables, then defaults.
 *
 * The flags are those of the original Python observatory, so its habits carry
 * over. Parsing never exits the process: it returns what to do, or throws a
 * UsageError that the server prints as one line (what is wrong, what is valid), with exit code 2.
 */
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { argsErrorLine, nonEmpty, UsageError } from './cli-args.js';
import { storeConnectionString } from './store-tls.js';
import {
  CONNECTIONS_CHECKING_INTERVAL_MS,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_BODY_BYTES,
  MAX_BUFFERED_BODY_BYTES,
  REQUEST_TIMEOUT_MS,
  DEFAULT_BIND,
  DEFAULT_PORT,
  DEFAULT_SOCKET_MODE,
  DEFAULT_SOCKET_PATH,
} from './protocol.js';
import {
  TestOverrideError,
  testOverridesFrom,
  type StreamOverrides,
  type TestOverrides,
} from './test-overrides.js';

export const PORT_ENV = 'CLAUDE_REST_HOOK_WATCHER';
export const SOCKET_ENV = 'CLAUDE_UNIX_HOOK_WATCHER';
/** The shared secret, when set: an environment variable keeps it out of `ps` and shell history. */
export const TOKEN_ENV = 'HOOK_OBSERVATORY_TOKEN';
/**
 * 16 MiB a file: jq, an editor or `less` opens one in well under a second on
 * a laptop, and it holds a day of one busy session's events (a few KiB each).
 */
export const DEFAULT_LOG_MAX_BYTES = 16 * 1024 * 1024;
/** Eight rotated files besides FILE: at most 144 MiB on disk, days of heavy use. */
export const DEFAULT_LOG_MAX_FILES = 8;

export interface BodyLimits {
  /** Bytes of one request body (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  /** Body bytes held across all connections at once (MAX_BUFFERED_BODY_BYTES). */
  readonly maxBufferedBodyBytes: number;
}

export interface Timeouts {
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly connectionsCheckingIntervalMs: number;
}

export type OutputFormat = 'jsonl' | 'pretty-json' | 'pretty-yaml';

export type Listen =
  | { readonly transport: 'tcp'; readonly host: string; readonly port: number }
  | { readonly transport: 'unix'; readonly path: string; readonly mode: number };

export interface LogFileOptions {
  readonly path: string;
  /** A file is rotated before a write would take it past this size. */
  readonly maxBytes: number;
  /** Rotated files kept besides FILE; older ones are removed. */
  readonly maxFiles: number;
}

/**
 * Days of events the store keeps: 30, a month of a team's sessions to look
 * back on; a day older than that is dropped whole (its partition) when a
 * receiver starts (store-schema.ts).
 */
export const STORE_RETENTION_DAYS = 30;

/** --store URL: the team's PostgreSQL (pg-store.ts). */
export interface StoreOptions {
  /** postgres://… without a password; host, user, password may come from PG* variables and ~/.pgpass. */
  readonly url: string;
  /** The name each row carries (--store-machine; default: the host name). */
  readonly machine: string;
  /** Where events wait while the database is away (--store-spool). */
  readonly spoolDir: string;
  /** Days kept before a day's partition is dropped (--store-retention-days). */
  readonly retentionDays: number;
}

export interface Config {
  readonly listen: Listen;
  /** --log FILE: every event as a JSON line, rotated by size (log-file.ts). */
  readonly logFile: LogFileOptions | undefined;
  /** --store URL: every event also goes to PostgreSQL. */
  readonly store: StoreOptions | undefined;
  /**
   * --view-store URL: the team's page. The server takes no hooks; its page and
   * stream show every machine's events as the store gets them (store-view.ts).
   */
  readonly viewStore: string | undefined;
  readonly outputSocketPath: string | undefined;
  readonly outputSocketMode: number;
  readonly tee: boolean;
  readonly format: OutputFormat;
  /** Every event's `_ts`, when a test fixes it (test-overrides.ts); else the time it arrived. */
  readonly fixedTimestamp: string | undefined;
  readonly timeouts: Timeouts;
  readonly bodyLimits: BodyLimits;
  /** When set, every POST /hook must carry `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
  /** --viewer-port N: a second listener on 127.0.0.1 serving only the live view (GET / and GET /events). */
  readonly viewerPort: number | undefined;
  /** The live view's stream as a test set it (test-overrides.ts); empty otherwise. */
  readonly stream: StreamOverrides;
}

export type Command =
  | { readonly kind: 'run'; readonly config: Config; readonly warnings: readonly string[] }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

export { UsageError };

/** Exit code for a command line that cannot be run as typed (BSD sysexits: usage), a --log FILE that cannot be opened too. */
export const EXIT_USAGE = 2;

export function usage(program: string): string {
  return `Usage: ${program} [options]

Receive Claude Code hook events over HTTP and write each one, enriched, to
standard output (one JSON object a line unless a --pretty flag says otherwise).

Listening (TCP by default):
  --port N             TCP port (default: $${PORT_ENV} or ${DEFAULT_PORT})
  --bind ADDR          TCP address (default: ${DEFAULT_BIND}; anything else is reachable
                       from other machines)
  --socket PATH        serve on a Unix socket at PATH instead of TCP
  --unix               serve on the Unix socket at $${SOCKET_ENV}
                       or ${DEFAULT_SOCKET_PATH}
  --mode OCTAL         the Unix socket's permissions (default: ${formatMode(DEFAULT_SOCKET_MODE)})
  --viewer-port N      also serve the live view alone (GET / and /events, no hooks)
                       on 127.0.0.1:N, for a browser when hooks use a Unix socket

Output:
  --output-socket PATH readers connect here (socat UNIX-CONNECT:PATH -) and each
                       receive the whole stream; events then go only there
  --tee                with --output-socket: write to standard output as well
  --pretty-json        indented JSON, one object after another
  --pretty-yaml        YAML, one --- document per event
  --log FILE           also append every event to FILE as a JSON line, whatever the
                       format above; FILE is renamed FILE.<UTC time>-<n> when full
  --log-max-bytes N    rotate FILE before it passes N bytes (K, M, G allowed;
                       default: ${formatBytes(DEFAULT_LOG_MAX_BYTES)})
  --log-max-files N    rotated files kept besides FILE (default: ${DEFAULT_LOG_MAX_FILES})
  --store URL          also send every event to PostgreSQL (postgres://HOST/DB);
                       the password from $PGPASSWORD or ~/.pgpass, never the URL
  --store-machine NAME the machine name each row carries (default: the host name)
  --store-spool DIR    where events wait while the database is away
                       (default: $XDG_STATE_HOME/hook-observatory/spool)
  --store-retention-days N  days of events kept (default: ${STORE_RETENTION_DAYS})

The team's page:
  --view-store URL     take no hooks: serve the live view of every machine's events
                       in the PostgreSQL at URL, as the receivers store them

Security:
  --token TOKEN        require "Authorization: Bearer TOKEN" on every POST /hook
                       (better: set $${TOKEN_ENV}, which ps does not show)

  --help               show this help
  --version            show the version

Examples:
  ${program}                                   # http://127.0.0.1:${DEFAULT_PORT}/hook?event=NAME
  ${program} --port 8080 --pretty-yaml
  ${program} --socket /tmp/hooks.sock --mode 0600
  ${program} --output-socket /tmp/hooks-out.sock --tee | jq .
  ${program} --log ~/hooks.jsonl                # keep every event on disk, rotated
  curl -sS --fail-with-body -H 'Content-Type: application/json' -d '{"a":1}' \\
    'http://127.0.0.1:${DEFAULT_PORT}/hook?event=Test'   # send one event by hand
`;
}

export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

const OPTIONS = {
  port: { type: 'string' },
  bind: { type: 'string' },
  socket: { type: 'string' },
  unix: { type: 'boolean' },
  mode: { type: 'string' },
  'output-socket': { type: 'string' },
  tee: { type: 'boolean' },
  'pretty-json': { type: 'boolean' },
  'pretty-yaml': { type: 'boolean' },
  log: { type: 'string' },
  'log-max-bytes': { type: 'string' },
  'log-max-files': { type: 'string' },
  store: { type: 'string' },
  'store-machine': { type: 'string' },
  'store-spool': { type: 'string' },
  'store-retention-days': { type: 'string' },
  'view-store': { type: 'string' },
  token: { type: 'string' },
  'viewer-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  // `pnpm run script -- --flag` forwards the `--` too; a lone leading one means nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(argsErrorLine(error, OPTIONS));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const warnings: string[] = [];
  if (values['pretty-json'] && values['pretty-yaml']) {
    throw new UsageError('--pretty-json and --pretty-yaml cannot be combined');
  }
  if (values.tee && values['output-socket'] === undefined) {
    throw new UsageError('--tee needs --output-socket PATH');
  }
  const tcpFlag =
    values.port !== undefined ? '--port' : values.bind !== undefined ? '--bind' : undefined;
  const unixFlag = values.socket !== undefined ? '--socket' : values.unix ? '--unix' : undefined;
  if (tcpFlag && unixFlag) {
    throw new UsageError(
      `${tcpFlag} and ${unixFlag} cannot be combined: TCP or a Unix socket, not both`,
    );
  }
  if (values.mode !== undefined && !unixFlag && values['output-socket'] === undefined) {
    throw new UsageError(
      '--mode applies to a Unix socket: add --socket PATH, --unix or --output-socket PATH',
    );
  }
  const mode = values.mode === undefined ? DEFAULT_SOCKET_MODE : parseMode(values.mode);

  const listen: Listen = unixFlag
    ? unixListen(values.socket, mode, env)
    : tcpListen(values.port, values.bind, env, warnings);

  const outputSocketPath = values['output-socket'];
  if (outputSocketPath === '') throw new UsageError('--output-socket needs a path');
  if (
    outputSocketPath !== undefined &&
    listen.transport === 'unix' &&
    outputSocketPath === listen.path
  ) {
    throw new UsageError('--output-socket must differ from the socket the server listens on');
  }

  const token = values.token ?? nonEmpty(env[TOKEN_ENV]);
  if (token === '') throw new UsageError('--token needs a value');
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(
      'the token must be printable ASCII without spaces, as a Bearer credential is (RFC 6750 section 2.1)',
    );
  }

  const viewerPort =
    values['viewer-port'] === undefined
      ? undefined
      : parsePort(values['viewer-port'], '--viewer-port');
  if (
    viewerPort !== undefined &&
    viewerPort !== 0 &&
    listen.transport === 'tcp' &&
    viewerPort === listen.port
  ) {
    throw new UsageError(
      '--viewer-port must differ from --port: the live view is on the main port already',
    );
  }

  const logFile = logFileOptions(values.log, values['log-max-bytes'], values['log-max-files']);
  const store = storeOptions(values.store, values['store-machine'], values['store-spool'], env);
  const retention = values['store-retention-days'];
  if (retention !== undefined && store === undefined) {
    throw new UsageError('--store-retention-days needs --store URL');
  }
  const viewStore = viewStoreUrl(values['view-store'], values, env);
  const overrides = testOverrides(env);

  const format: OutputFormat = values['pretty-json']
    ? 'pretty-json'
    : values['pretty-yaml']
      ? 'pretty-yaml'
      : 'jsonl';

  return {
    kind: 'run',
    warnings,
    config: {
      listen,
      logFile,
      store:
        store === undefined || retention === undefined
          ? store
          : { ...store, retentionDays: parseCount(retention, '--store-retention-days') },
      viewStore,
      outputSocketPath,
      outputSocketMode: mode,
      tee: values.tee ?? false,
      format,
      fixedTimestamp: overrides.fixedTimestamp,
      token,
      viewerPort,
      timeouts: {
        keepAliveTimeoutMs: overrides.timeouts.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS,
        headersTimeoutMs: overrides.timeouts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
        requestTimeoutMs: overrides.timeouts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
        connectionsCheckingIntervalMs:
          overrides.timeouts.connectionsCheckingIntervalMs ?? CONNECTIONS_CHECKING_INTERVAL_MS,
      },
      bodyLimits: {
        maxBodyBytes: overrides.bodyLimits.maxBodyBytes ?? MAX_BODY_BYTES,
        maxBufferedBodyBytes: overrides.bodyLimits.maxBufferedBodyBytes ?? MAX_BUFFERED_BODY_BYTES,
      },
      stream: overrides.stream,
    },
  };
}

function unixListen(socket: string | undefined, mode: number, env: NodeJS.ProcessEnv): Listen {
  const path = socket ?? nonEmpty(env[SOCKET_ENV]) ?? DEFAULT_SOCKET_PATH;
  if (path === '') throw new UsageError('--socket needs a path');
  return { transport: 'unix', path, mode };
}

/** A bad --port is the user's to fix; a bad port in the environment falls back to the default, said. */
function tcpListen(
  portFlag: string | undefined,
  bind: string | undefined,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): Listen {
  let port = DEFAULT_PORT;
  if (portFlag !== undefined) {
    port = parsePort(portFlag, '--port');
  } else if (nonEmpty(env[PORT_ENV]) !== undefined) {
    try {
      port = parsePort(env[PORT_ENV] as string, PORT_ENV);
    } catch (error) {
      warnings.push(`${(error as Error).message}; using the default port ${DEFAULT_PORT}`);
    }
  }
  const host = bind ?? DEFAULT_BIND;
  if (host === '') throw new UsageError('--bind needs an address');
  return { transport: 'tcp', host, port };
}

function logFileOptions(
  path: string | undefined,
  maxBytes: string | undefined,
  maxFiles: string | undefined,
): LogFileOptions | undefined {
  if (path === undefined) {
    if (maxBytes !== undefined || maxFiles !== undefined) {
      throw new UsageError('--log-max-bytes and --log-max-files need --log FILE');
    }
    return undefined;
  }
  if (path === '') throw new UsageError('--log needs a file');
  return {
    path,
    maxBytes: maxBytes === undefined ? DEFAULT_LOG_MAX_BYTES : parseBytes(maxBytes),
    maxFiles:
      maxFiles === undefined ? DEFAULT_LOG_MAX_FILES : parseCount(maxFiles, '--log-max-files'),
  };
}

/**
 * --store URL, checked: a postgres:// or postgresql:// URL (libpq's form) that
 * carries no password, which `ps` and shell history would show to anyone.
 */
function storeOptions(
  url: string | undefined,
  machine: string | undefined,
  spoolDir: string | undefined,
  env: NodeJS.ProcessEnv,
): StoreOptions | undefined {
  if (url === undefined) {
    if (machine !== undefined || spoolDir !== undefined) {
      throw new UsageError('--store-machine and --store-spool need --store URL');
    }
    return undefined;
  }
  checkStoreUrl(url, env);
  if (machine === '') throw new UsageError('--store-machine needs a name');
  if (spoolDir === '') throw new UsageError('--store-spool needs a directory');
  const state = nonEmpty(env['XDG_STATE_HOME']) ?? join(homedir(), '.local', 'state');
  return {
    url,
    machine: machine ?? hostname(),
    spoolDir: spoolDir ?? join(state, 'hook-observatory', 'spool'),
    retentionDays: STORE_RETENTION_DAYS,
  };
}

/**
 * --view-store URL: a server that views the store takes no hooks, so it has
 * nothing to write; the flags that say where events go would do nothing.
 */
function viewStoreUrl(
  url: string | undefined,
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (url === undefined) return undefined;
  checkStoreUrl(url, env);
  const sinkFlags = ['store', 'log', 'output-socket', 'tee', 'pretty-json', 'pretty-yaml'];
  const given = sinkFlags.find((flag) => values[flag] !== undefined);
  if (given !== undefined) {
    throw new UsageError(
      `--view-store and --${given} cannot be combined: a server viewing the store takes no hooks, so writes no events`,
    );
  }
  return url;
}

/**
 * A store URL as typed (server or query tool): postgres:// or postgresql://,
 * no password in it, and an sslmode (its own or PGSSLMODE) the client can keep as libpq does.
 */
export function checkStoreUrl(url: string, env: NodeJS.ProcessEnv = process.env): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--store: "${url}" is not a URL like postgres://HOST/DATABASE`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UsageError(`--store: "${url}" is not a postgres:// URL`);
  }
  if (parsed.password !== '' || parsed.searchParams.has('password')) {
    throw new UsageError(
      '--store: the URL carries a password, which ps and shell history show; ' +
        'put it in $PGPASSWORD or ~/.pgpass ($PGPASSFILE) instead',
    );
  }
  try {
    storeConnectionString(url, env);
  } catch (error) {
    throw new UsageError(`--store: ${(error as Error).message}`);
  }
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** A size as typed: a whole number, optionally followed by K, M or G (powers of 1024). */
function parseBytes(text: string): number {
  const match = /^(\d{1,12})([KMG]?)i?B?$/i.exec(text);
  const bytes = match
    ? Number(match[1]) * (BYTE_UNITS[(match[2] as string).toUpperCase()] as number)
    : 0;
  if (!(bytes >= 1)) {
    throw new UsageError(`--log-max-bytes: "${text}" is not a size like 16M or 1000000`);
  }
  return bytes;
}

function parseCount(text: string, flag: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new UsageError(`${flag}: "${text}" is not a whole number`);
  return Number(text);
}

function formatBytes(bytes: number): string {
  return bytes % 1024 ** 2 === 0 ? `${bytes / 1024 ** 2}M` : String(bytes);
}

function testOverrides(env: NodeJS.ProcessEnv): TestOverrides {
  try {
    return testOverridesFrom(env);
  } catch (error) {
    if (error instanceof TestOverrideError) throw new UsageError(error.message);
    throw error;
  }
}

/** A TCP port as typed; `lowest` is 1 where port 0 (any free port) makes no sense. */
export function parsePort(text: string, source: string, lowest = 0): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < lowest || Number(text) > 65_535) {
    throw new UsageError(`${source}: "${text}" is not a port number (${lowest} to 65535)`);
  }
  return Number(text);
}

function parseMode(text: string): number {
  if (!/^0?[0-7]{3}$/.test(text)) {
    throw new UsageError(`--mode: "${text}" is not an octal permission like 0660 or 600`);
  }
  return Number.parseInt(text, 8);
}

/** Colour only for a terminal, and never when the user set NO_COLOR (https://no-color.org: any non-empty value). */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '';
}
