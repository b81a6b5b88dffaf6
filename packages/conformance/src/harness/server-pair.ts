/**
 * Both servers side by side on one transport, each started as a user starts
 * it, with the same flags and environment: events to standard output and,
 * with --tee, the same events to an output socket that the harness reads.
 *
 * Every case's share of the two event streams is cut out with a marker: after
 * the case, a marker event is posted on a fresh connection, and what came
 * before it since the previous marker belongs to the case.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SERVER_NAMES,
  SERVERS,
  startServer,
  type RunningServer,
  type ServerEntry,
  type ServerName,
  type Transport,
} from '@hook-observatory/launcher';
import { get, request, LOCAL_HOST } from './requests.js';
import { send, stopsServer, type ClientScript, type TrafficCase } from './traffic-script.js';
import {
  ANSWER_WAIT_MS,
  playClient,
  SHUTDOWN_WAIT_MS,
  watchStream,
  type ClientCapture,
  type Endpoint,
} from './wire-client.js';

/** Clients of one case that talk to one server at the same time, at most. */
export const MAX_CONCURRENT_CLIENTS = 32;

/**
 * How long the case's marker may take to reach a sink once the server has
 * answered its request 200: it comes after every event of the case, and on a
 * loaded 2-core machine a case's 2 MiB event written to three sinks took over
 * ANSWER_WAIT_MS (seen in `pnpm test` at load average 19). A server that
 * answered it otherwise may never write it: ANSWER_WAIT_MS then.
 */
export const MARKER_WAIT_MS = 30_000;

export interface CaseCapture {
  readonly clients: readonly ClientCapture[];
  /** The case's bytes of standard output. */
  readonly stdout: Buffer;
  /** The case's bytes of the output socket (the same events, through the other sink). */
  readonly outputSocket: Buffer;
}

export type PairCapture = Readonly<Record<ServerName, CaseCapture>>;

export interface PairOptions {
  /** Extra environment for both servers: the test-only timeout overrides. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The server compared with node:http, in the 'net' slot of every capture:
   * the net server unless given (a lesson, a student's program: the grader).
   */
  readonly subject?: { readonly name: string; readonly entry: ServerEntry };
}

/**
 * A growing byte stream, with a way to wait for a marker in it. What a cut
 * has passed is let go: keeping it would copy a server's whole output again
 * at every case (a mebibyte body's event is a mebibyte).
 */
export class StreamTap {
  private readonly chunks: Buffer[] = [];
  private readonly wakers = new Set<() => void>();
  private ended = false;
  /** Chunks so far that hold a line end: a marker's line is whole only once one has come after it. */
  private lineEnds = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    if (chunk.includes(0x0a)) this.lineEnds++;
    for (const wake of this.wakers) wake();
  }

  /** The stream has ended: the server exited. */
  end(): void {
    this.ended = true;
    for (const wake of this.wakers) wake();
  }

  /** The bytes since the last cut. */
  private bytes(): Buffer {
    if (this.chunks.length > 1) {
      this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks));
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** The bytes since the last cut up to the line holding `marker`; the cut moves past that line. */
  async cutAt(marker: string, what: string, timeoutMs: number): Promise<Buffer> {
    const needle = Buffer.from(marker, 'latin1');
    // Looked for again only once a line end has come: a mebibyte event arrives in
    // many chunks, and joining and searching them all at each would cost its square.
    let lineEndsSearched = -1;
    const find = (): Buffer | undefined => {
      if (this.lineEnds === lineEndsSearched) return undefined;
      lineEndsSearched = this.lineEnds;
      const all = this.bytes();
      const at = all.indexOf(needle);
      if (at < 0) return undefined;
      const lineStart = all.lastIndexOf(0x0a, at) + 1;
      const lineEnd = all.indexOf(0x0a, at);
      if (lineEnd < 0) return undefined;
      this.chunks.splice(0, 1, all.subarray(lineEnd + 1));
      return all.subarray(0, lineStart);
    };
    return this.waitFor(find, `${what}: the case marker never appeared`, timeoutMs);
  }

  /** The bytes since the last cut up to the end of the stream, once it has ended. */
  async rest(what: string): Promise<Buffer> {
    const find = (): Buffer | undefined => (this.ended ? this.bytes() : undefined);
    return this.waitFor(find, `${what}: the stream never ended`, SHUTDOWN_WAIT_MS);
  }

  private waitFor(
    find: () => Buffer | undefined,
    failure: string,
    timeoutMs = ANSWER_WAIT_MS,
  ): Promise<Buffer> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.wakers.delete(check);
        fail(new Error(failure));
      }, timeoutMs);
      const check = (): void => {
        const slice = find();
        if (slice === undefined) return;
        clearTimeout(timer);
        this.wakers.delete(check);
        done(slice);
      };
      this.wakers.add(check);
    });
  }
}

/** One server started as a user starts it, playing cases and cutting its streams into them. */
export class StagedServer {
  private markers = 0;
  private readonly runId = randomUUID();

  private constructor(
    readonly name: string,
    readonly transport: Transport,
    private readonly running: RunningServer,
    private readonly endpoint: Endpoint,
    private readonly stdout: StreamTap,
    private readonly outputSocket: StreamTap,
    /** The output socket's reader (none for a foreign program). */
    private readonly reader: Socket | undefined,
  ) {}

  static async start(
    server: { readonly name: string; readonly entry: ServerEntry },
    transport: Transport,
    env?: Readonly<Record<string, string>>,
  ): Promise<StagedServer> {
    const { name } = server;
    const dir = mkdtempSync(join(tmpdir(), `conformance-${name.replace(/\W/g, '-')}-`));
    const outputSocketPath = join(dir, 'events.sock');
    // A foreign program has one sink, its standard output: it stands for both streams.
    const foreign = server.entry.kind === 'command';
    const running = await startServer(server, {
      transport,
      args: foreign ? [] : ['--output-socket', outputSocketPath, '--tee'],
      ...(env === undefined ? {} : { env }),
    });
    const stdout = new StreamTap();
    const outputSocket = new StreamTap();
    running.process.stdout!.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (foreign) outputSocket.push(chunk);
    });
    running.process.stdout!.once('end', () => {
      stdout.end();
      if (foreign) outputSocket.end();
    });
    const reader = foreign
      ? undefined
      : await new Promise<Socket>((ready, fail) => {
          const socket = connect(outputSocketPath, () => ready(socket));
          socket.once('error', fail);
        });
    reader
      ?.on('data', (chunk: Buffer) => outputSocket.push(chunk))
      .once('end', () => outputSocket.end());
    running.process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const endpoint = { transport, port: running.port, socketPath: running.socketPath };
    return new StagedServer(name, transport, running, endpoint, stdout, outputSocket, reader);
  }

  /**
   * Play the case and capture what the server did. With `reference`, node:http's
   * capture of the same case, each client waits as a subject (wire-client.ts, SUBJECT_QUIET_MS).
   */
  async play(testCase: TrafficCase, reference?: CaseCapture): Promise<CaseCapture> {
    const stops = stopsServer(testCase);
    const endpoint = stops
      ? { ...this.endpoint, shutdown: await this.shutdownWatched() }
      : this.endpoint;
    const limit = testCase.order === 'concurrent' ? MAX_CONCURRENT_CLIENTS : 1;
    const scripts = testCase.clients.map((script, index) => ({
      script,
      reference: reference?.clients[index],
    }));
    const clients = await inPool(scripts, limit, ({ script, reference: theirs }) =>
      playClient(endpoint, script, theirs),
    );
    const what = `${this.name} over ${this.transport}`;
    if (stops) {
      const [stdout, outputSocket] = await Promise.all([
        this.stdout.rest(`${what}, standard output`),
        this.outputSocket.rest(`${what}, output socket`),
      ]);
      return { clients, stdout, outputSocket };
    }
    const marker = `"conformance_marker":"${this.runId}-${this.markers++}"`;
    const markerScript: ClientScript = {
      steps: [
        send(
          request({
            target: '/hook?event=ConformanceCaseEnd',
            headers: [
              ['Host', LOCAL_HOST],
              ['Content-Type', 'application/json'],
              ['Connection', 'close'],
            ],
            body: `{${marker}}`,
          }),
        ),
      ],
      expect: { statuses: [200], end: 'closed' },
    };
    const answered = await playClient(this.endpoint, markerScript);
    const markerWaitMs = answered.statuses[0] === 200 ? MARKER_WAIT_MS : ANSWER_WAIT_MS;
    const [stdout, outputSocket] = await Promise.all([
      this.stdout.cutAt(marker, `${what}, standard output`, markerWaitMs),
      this.outputSocket.cutAt(marker, `${what}, output socket`, markerWaitMs),
    ]);
    return { clients, stdout, outputSocket };
  }

  /**
   * SIGTERM, resolved true once the server has begun to shut down. Ending
   * every stream is the first thing shutdown does that a client can see
   * (core/src/serve.ts), before it closes any connection: a viewer of our own
   * tells, its connection closed.
   */
  private async shutdownWatched(): Promise<() => Promise<boolean>> {
    const viewer = await watchStream(this.endpoint, get(`/events?session=${this.runId}-shutdown`));
    return async () => {
      this.running.process.kill('SIGTERM');
      return viewer.closed();
    };
  }

  async stop(): Promise<void> {
    this.reader?.destroy();
    await this.running.stop();
  }
}

/** Run `work` over `items`, at most `limit` at a time, keeping the results in order. */
async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** node:http and the server compared with it, on one transport, playing each case at the same time. */
export class ServerPair {
  private constructor(
    readonly transport: Transport,
    private readonly servers: Readonly<Record<ServerName, StagedServer>>,
  ) {}

  static async start(transport: Transport, options: PairOptions = {}): Promise<ServerPair> {
    const [http, net] = await Promise.all(
      SERVER_NAMES.map((slot) => {
        const server =
          slot === 'net' && options.subject !== undefined
            ? options.subject
            : { name: slot, entry: SERVERS[slot] };
        return StagedServer.start(server, transport, options.env);
      }),
    );
    return new ServerPair(transport, { http: http!, net: net! });
  }

  /** Play the case against both servers at the same time, and capture what each did. */
  async play(testCase: TrafficCase): Promise<PairCapture> {
    const [http, net] = await Promise.all(
      SERVER_NAMES.map((name) => this.servers[name].play(testCase)),
    );
    return { http: http!, net: net! };
  }

  async stop(): Promise<void> {
    await Promise.all(SERVER_NAMES.map((name) => this.servers[name].stop()));
  }
}
