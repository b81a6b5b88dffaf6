/**
 * What both servers do around the request itself: read the command line, open
 * the sinks, listen on TCP or a Unix socket, announce where, and shut down
 * cleanly on SIGINT or SIGTERM. A server supplies only `createReceiver`: how
 * it turns connections into recorded events and answers.
 *
 * Standard output carries events only; every line for humans goes to stderr.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Server, Socket } from 'node:net';
import {
  EXIT_USAGE,
  parseCommand,
  usage,
  UsageError,
  formatMode,
  type BodyLimits,
  type Config,
  type Timeouts,
} from './config.js';
import {
  BodyBudget,
  bodyRefusalAnswer,
  type BodyRefusal,
  type BodyRefusalAnswer,
} from './body-limits.js';
import { typedCommand } from './cli-args.js';
import { refusedBodyRecord, type EventRecord, type Origin } from './enrich.js';
import {
  createRequestGuard,
  type Rejection,
  type RequestFacts,
  type RequestGuard,
} from './guard.js';
import {
  startDescriptorWatch,
  type DescriptorWatching,
  type UnusedConnection,
} from './descriptors.js';
import { loadPeerAddress } from './peer-address.js';
import { loadPeerCredentials } from './peer-credentials.js';
import { LogFileOpenError } from './log-file.js';
import { readLogTail } from './log-history.js';
import { HOOK_PATH, LISTEN_BACKLOG, SHUTDOWN_GRACE_MS } from './protocol.js';
import { EventBatch, openEventLog } from './sinks.js';
import { SessionUsage, type UsageAnswer } from './session-usage.js';
import { EventStream } from './stream.js';
import { claudeProjectsDir } from './transcript-usage.js';
import { claimSocketPath, listenUnix, removeSocketFile, SocketPathError } from './unix-socket.js';

/** Exit code when the server cannot start: the port or socket is taken, the sinks fail. */
export const EXIT_START_FAILED = 1;
/** Exit code after a second signal cut shutdown short (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/**
 * What a server is given: only what both servers use (each field has a reader
 * in each), so that neither sees the command line's other settings.
 */
export interface ReceiverContext {
  /** How long a connection may idle, or take over its head and its request (protocol.ts, unless a test shortened them). */
  readonly timeouts: Timeouts;
  /** The most one body may hold, and all bodies at once (protocol.ts, unless a test lowered them). */
  readonly bodyLimits: BodyLimits;
  /**
   * Who is at the other end of a new connection, asked of the kernel. Ask at
   * accept and keep the answer with the connection: once the socket is closed
   * the kernel no longer says.
   */
  readonly askOrigin: (socket: Socket) => Origin;
  /** The `_ts` of an event received now (fixed in tests, see FIXED_TIMESTAMP_ENV). */
  readonly timestamp: () => string;
  /**
   * Hand events to every sink, in order, at once (sinks.ts, EventLog.writeAll):
   * one a request for the http server, a turn's for the net server (group-commit.ts).
   * Returns once all have them, before the answer is written.
   */
  readonly record: (records: readonly EventRecord[]) => void;
  /** The viewers of GET /events and the ring they resume from (stream.ts); `record` feeds it. */
  readonly eventStream: EventStream;
  /** The answer to a request the guard refuses (guard.ts), or undefined to route it. */
  readonly checkRequest: (facts: RequestFacts) => Rejection | undefined;
  /** The body bytes all connections hold at once (body-limits.ts). */
  readonly bodyBudget: BodyBudget;
  /**
   * A request whose body is refused unread (413 or 503): its answer, and the
   * record the server writes in place of its event (undefined unless it was a
   * hook the guard lets through). Says so once on stderr.
   */
  readonly refuseBody: (refused: RefusedBody) => BodyRefused;
  /**
   * The answer to `GET /sessions/<id>/usage` (protocol.ts): the session's
   * tokens and cost from its transcript (session-usage.ts). Never rejects;
   * a server writes it when it comes, as any answer.
   */
  readonly sessionUsage: (session: string) => Promise<UsageAnswer>;
  /**
   * A connection has answered all it was asked and waits for the next request:
   * while descriptors are short, the longest idle are closed (descriptors.ts).
   * Without it (the lessons), nothing is done.
   */
  readonly connectionIdle?: () => void;
}

export interface BodyRefused {
  readonly answer: BodyRefusalAnswer;
  readonly record: EventRecord | undefined;
}

/** What a server knows of a request whose body it refuses: its head, who sent it, how long the body is. */
export interface RefusedBody {
  readonly facts: RequestFacts;
  readonly origin: Origin;
  readonly eventFromQuery: string | undefined;
  /** The Content-Length, or the bytes of a chunked body that had arrived. */
  readonly bodyBytes: number;
  readonly refusal: BodyRefusal;
}

export interface Receiver {
  readonly server: Server;
  /** Close the connections that are between requests; requests in flight finish. */
  readonly closeIdleConnections: () => void;
  /** Close every connection now: the grace period is over. */
  readonly closeAllConnections: () => void;
  /**
   * Out of descriptors (descriptors.ts): the idle connections, and those
   * silent for SILENT_CONNECTION_MS since they were accepted, to close. Without
   * it (the lessons' servers), closeIdleConnections, and no room made at accept.
   */
  readonly unusedConnections?: () => UnusedConnection[];
}

export interface ServerDescription {
  /** Its name in its error lines. */
  readonly program: string;
  /**
   * How a user starts it, for --help (typedCommand): the pnpm script, and the
   * npm package's command if it has one. Without it (the lessons), the program.
   */
  readonly typed?: { readonly script: string; readonly packaged?: string };
  readonly title: string;
  /**
   * It serves the live view (GET / and GET /events): only then does its
   * banner name the view's address, and only then may --viewer-port be given.
   * The lessons before the full server do not.
   */
  readonly liveView: boolean;
  readonly createReceiver: (context: ReceiverContext) => Receiver;
}

export function packageVersion(): string {
  const manifest = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/**
 * The `_ts` of an event received now, as ISO 8601. Under load many events
 * share a millisecond: the string is made once per millisecond and reused.
 */
let timestampMs = -1;
let timestampText = '';
function timestampNow(): string {
  const now = Date.now();
  if (now !== timestampMs) {
    timestampMs = now;
    timestampText = new Date(now).toISOString();
  }
  return timestampText;
}

function logLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * How a server over `transport` asks who connected: the peer's address (read
 * with SO_PEERNAME where a reset peer left Node without it: peer-address.ts),
 * or over a Unix socket its credentials.
 */
export async function originAsker(
  transport: 'tcp' | 'unix',
  log: (line: string) => void,
): Promise<(socket: Socket) => Origin> {
  if (transport === 'tcp') {
    const address = await loadPeerAddress();
    if (address.unavailable !== undefined) {
      log(
        `${address.unavailable}; _client is omitted for a peer that resets before it is accepted`,
      );
    }
    return (socket) => ({ transport: 'tcp', address: address.read(socket) });
  }
  const credentials = await loadPeerCredentials();
  if (credentials.unavailable !== undefined) {
    log(`${credentials.unavailable}; _peer_* fields are omitted`);
  }
  return (socket) => ({ transport: 'unix', peer: credentials.read(socket) });
}

export async function runServer(
  description: ServerDescription,
  argv = process.argv.slice(2),
): Promise<void> {
  let command;
  try {
    command = parseCommand(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${description.program}: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(
      usage(
        description.typed === undefined
          ? description.program
          : typedCommand(description.typed.script, description.typed.packaged),
      ),
    );
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${description.program} ${packageVersion()}\n`);
    return;
  }
  for (const warning of command.warnings) logLine(`warning: ${warning}`);
  const { config } = command;
  const viewFlag =
    config.viewerPort !== undefined
      ? '--viewer-port'
      : config.viewStore !== undefined
        ? '--view-store'
        : undefined;
  if (viewFlag !== undefined && !description.liveView) {
    process.stderr.write(`${description.program}: ${viewFlag}: this server serves no live view\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }

  try {
    await start(description, config);
  } catch (error) {
    const message =
      error instanceof SocketPathError || error instanceof LogFileOpenError
        ? error.message
        : describeStartError(error, config);
    logLine(`${description.program}: ${message}`);
    // A --log FILE that cannot be opened is the command line's to fix, as a usage error is.
    process.exitCode = error instanceof LogFileOpenError ? EXIT_USAGE : EXIT_START_FAILED;
  }
}

function describeStartError(error: unknown, config: Config): string {
  const code = (error as NodeJS.ErrnoException).code;
  const where =
    config.listen.transport === 'tcp'
      ? `${config.listen.host}:${config.listen.port}`
      : config.listen.path;
  if (code === 'EADDRINUSE') return `${where} is already in use: is another receiver running?`;
  if (code === 'EACCES' && config.listen.transport === 'unix') {
    return socketDirectoryProblem(config.listen.path) ?? `no permission to listen on ${where}`;
  }
  if (code === 'EACCES') return `no permission to listen on ${where}`;
  return `cannot start: ${(error as Error).message}`;
}

/**
 * libuv reports a socket path whose directory is missing as EACCES, as Windows
 * does (uv_pipe_bind, src/unix/pipe.c): the directory is asked, so that the
 * message names the real cause.
 */
function socketDirectoryProblem(path: string): string | undefined {
  const directory = dirname(path);
  try {
    statSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return `the directory ${directory} does not exist (--socket ${path})`;
    }
  }
  return undefined;
}

async function start(description: ServerDescription, config: Config): Promise<void> {
  let shuttingDown = false;
  let shutdown = (): void => {};
  // Viewing a store, the server takes no hooks: no sink, and a guard that lets only the view through.
  const viewing = config.viewStore !== undefined;
  const eventLog = viewing
    ? undefined
    : await openEventLog(config, {
        stdout: process.stdout,
        stdoutFd: 1,
        env: process.env,
        log: logLine,
        onNoSinkLeft: () => {
          logLine('no output is left to write events to; shutting down');
          shutdown();
        },
      });

  const askOrigin = await originAsker(config.listen.transport, logLine);

  const guard = createRequestGuard(config.listen, config.token, viewing);
  const checkRequest = loggedGuard(guard);

  const fixed = config.fixedTimestamp;
  const timestamp = fixed === undefined ? timestampNow : (): string => fixed;
  const refuseBody = bodyRefuser(config, guard, timestamp);
  const eventStream = new EventStream(logLine, config.stream);
  const usage = startHistory(config, eventStream);
  const context: ReceiverContext = {
    checkRequest,
    timeouts: config.timeouts,
    bodyLimits: config.bodyLimits,
    askOrigin,
    timestamp,
    record: (records) => {
      usage.note(records);
      eventStream.add(
        eventLog === undefined ? new EventBatch(records) : eventLog.writeAll(records),
      );
    },
    eventStream,
    bodyBudget: new BodyBudget(config.bodyLimits.maxBufferedBodyBytes),
    refuseBody,
    sessionUsage: (session) => usage.answer(session),
    connectionIdle: () => descriptors?.connectionIdle(),
  };
  // Started once the receivers exist: it watches their servers.
  let descriptors: DescriptorWatching | undefined;
  const receiver = description.createReceiver(context);
  const { server } = receiver;

  const listen = config.listen;
  const socketInode = await listenAndSay(description, config, server);
  const viewer =
    config.viewerPort === undefined
      ? undefined
      : await startViewerPort(description, context, config, config.viewerPort);
  const outputSocket = eventLog?.outputSocket;
  if (outputSocket !== undefined) {
    logLine(
      `output socket on unix:${outputSocket.path}${config.tee ? ' (and standard output: --tee)' : ''}`,
    );
  }
  const storeView =
    config.viewStore === undefined
      ? undefined
      : await followStore(config.viewStore, eventStream.ringSize, context.record);
  const receivers = viewer === undefined ? [receiver] : [receiver, viewer];
  descriptors = startDescriptorWatch(
    receivers.map(({ server: each, closeIdleConnections, unusedConnections }) => ({
      server: each,
      unused: unusedConnections,
      closeIdle: closeIdleConnections,
    })),
    logLine,
  );
  shutdown = (): void => {
    descriptors?.stop();
    if (shuttingDown) {
      // A second Ctrl+C means "now": requests still in flight are abandoned.
      logLine('second signal: stopping without waiting');
      process.exit(EXIT_INTERRUPTED);
    }
    shuttingDown = true;
    const closed = Promise.all(
      receivers.map(
        ({ server: each }) => new Promise<void>((resolve) => each.close(() => resolve())),
      ),
    );
    eventStream.close();
    for (const each of receivers) each.closeIdleConnections();
    const grace = setTimeout(
      () => receivers.forEach((each) => each.closeAllConnections()),
      SHUTDOWN_GRACE_MS,
    );
    grace.unref();
    void closed
      .then(() => Promise.all([eventLog?.close(), storeView?.close()]))
      .then(() => {
        if (listen.transport === 'unix' && socketInode !== undefined) {
          removeSocketFile(listen.path, socketInode);
        }
        logLine('stopped');
        process.exit(0);
      });
  };
  // Before "ready": until node has a listener, SIGTERM's default action ends the process at once.
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  if (config.token !== undefined) {
    logLine(
      viewing
        ? 'GET /events requires a bearer token (open the live view with #token=TOKEN)'
        : description.liveView
          ? 'POST /hook and GET /events require a bearer token (open the live view with #token=TOKEN)'
          : 'POST /hook requires a bearer token',
    );
  }
  logLine(fixed === undefined ? 'ready; Ctrl+C stops' : `ready; test clock: every _ts is ${fixed}`);
}

/**
 * --view-store: the store's events into the stream as they are stored
 * (store-view.ts). Loaded only then: pg costs every other start for nothing.
 */
async function followStore(
  url: string,
  history: number,
  record: (records: readonly EventRecord[]) => void,
): Promise<{ close(): Promise<void> }> {
  const { StoreView } = await import('./store-view.js');
  const view = new StoreView(url, history, record, logLine);
  view.start();
  logLine(
    `team view: every machine's events in ${url}, as the receivers store them; no hooks taken here`,
  );
  return view;
}

/** Listen where the command line says, and say where; a Unix socket's inode, to remove only our own at the end. */
async function listenAndSay(
  description: ServerDescription,
  config: Config,
  server: Server,
): Promise<number | undefined> {
  const listen = config.listen;
  if (listen.transport === 'unix') {
    await claimSocketPath(listen.path);
    const inode = await listenUnix(server, listen.path, listen.mode);
    logLine(
      `${description.title} listening on unix:${listen.path} (mode ${formatMode(listen.mode)})`,
    );
    return inode;
  }
  const port = await listenTcp(server, listen.host, listen.port);
  logLine(`${description.title} listening on http://${formatHost(listen.host)}:${port}`);
  if (description.liveView) logLine(`live view: ${viewAddress(listen.host, port, config.token)}`);
  // #region loopback-warning
  if (!isLoopback(listen.host)) {
    logLine(
      `warning: ${listen.host} is not a loopback address: anyone who can reach this machine can send events ` +
        'and read timing from it; bind to 127.0.0.1 or use --socket unless you mean this',
    );
  }
  // #endregion loopback-warning
  return undefined;
}

/**
 * What the server knows before its first hook. With --log, the ring starts
 * where the log ends: a restart loses nothing a viewer could have seen. Which
 * transcript each session has comes from its events, the log's tail's
 * included: a transcript is read only when a viewer asks (session-usage.ts).
 */
function startHistory(config: Config, eventStream: EventStream): SessionUsage {
  const usage = new SessionUsage(claudeProjectsDir(process.env));
  if (config.logFile !== undefined) {
    const tail = readLogTail(config.logFile.path, eventStream.ringSize);
    eventStream.preload(tail);
    for (const { line } of tail) usage.noteLine(line);
  }
  return usage;
}

/** The guard, with one stderr line per kind of refusal: a page that retries in a loop must not flood stderr. */
function loggedGuard(guard: RequestGuard): (facts: RequestFacts) => Rejection | undefined {
  const refusalsLogged = new Set<Rejection>();
  return (facts) => {
    const rejection = guard(facts);
    if (rejection !== undefined && !refusalsLogged.has(rejection)) {
      refusalsLogged.add(rejection);
      // The path, never the target: the stream's ?token= must not reach a log.
      logLine(
        `refused ${facts.method} ${facts.path} with ${rejection.status}: ${rejection.reason} (further ones are not logged)`,
      );
    }
    return rejection;
  };
}

/** Listen on TCP; resolves with the port (the one the kernel chose for port 0). */
async function listenTcp(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** Where a browser opens the live view. The token itself is never printed: the user has it. */
function viewAddress(host: string, port: number, token: string | undefined): string {
  const name = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : formatHost(host);
  return `http://${name}:${port}/${token === undefined ? '' : '#token=TOKEN'}`;
}

/** The host of --viewer-port: loopback only, so that no other machine can watch the hooks. */
const VIEWER_HOST = '127.0.0.1';

/**
 * --viewer-port: a second receiver of the same server on loopback TCP whose
 * guard lets through only the live view, for a user whose hooks use a Unix
 * socket (a browser cannot open one). It shares the stream with the main one.
 */
async function startViewerPort(
  description: ServerDescription,
  context: ReceiverContext,
  config: Config,
  port: number,
): Promise<Receiver> {
  const listen = { transport: 'tcp', host: VIEWER_HOST, port } as const;
  const guard = createRequestGuard(listen, config.token, true);
  const checkRequest = loggedGuard(guard);
  const viewer = description.createReceiver({
    ...context,
    checkRequest,
    askOrigin: await originAsker('tcp', logLine),
    refuseBody: bodyRefuser(config, guard, context.timestamp),
  });
  const bound = await listenTcp(viewer.server, VIEWER_HOST, port);
  logLine(
    `live view (the page and the stream only): ${viewAddress(VIEWER_HOST, bound, config.token)}`,
  );
  return viewer;
}

/**
 * A refused body's hook is recorded only where it would have been: a POST to
 * /hook that the guard lets through (a page it refuses writes nothing). One
 * line on stderr per kind of refusal, as for the guard's.
 */
// #region refuse-body
function bodyRefuser(
  config: Config,
  guard: RequestGuard,
  timestamp: () => string,
): (refused: RefusedBody) => BodyRefused {
  const logged = new Set<BodyRefusal>();
  return ({ facts, origin, eventFromQuery, bodyBytes, refusal }) => {
    const answer = bodyRefusalAnswer(refusal, config.bodyLimits);
    const isHook =
      facts.method === 'POST' && facts.path === HOOK_PATH && guard(facts) === undefined;
    const record = isHook
      ? refusedBodyRecord({
          timestamp: timestamp(),
          eventFromQuery,
          origin,
          bodyBytes,
          error: answer.reason,
        })
      : undefined;
    if (!logged.has(refusal)) {
      logged.add(refusal);
      logLine(
        `refused ${facts.method} ${facts.path} (${bodyBytes} body bytes) with ${answer.status}: ${answer.reason}; ` +
          `${isHook ? 'recorded with _error' : 'not a hook, not recorded'} (further ones are not logged)`,
      );
    }
    return { answer, record };
  };
}
// #endregion refuse-body

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
