/**
 * `pnpm bench --viewers [--quick]`: what open live views (GET /events, issue
 * 16) cost the hooks. Each server takes the same hook load with no viewer and
 * with VIEWERS viewers reading the stream, in alternating order within one
 * run, and the ratio of the two throughputs is the answer. Every viewer must
 * also have received every event, unless the server cut it off for reading
 * too slowly (counted apart): a viewer may cost throughput, never events.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_TASKSET, LoadClient, pinSelf, startServer, type RunningServer } from './processes.js';
import { cpuCount, processCpuTimes } from './procfs.js';
import { median } from './stats.js';

/** The two servers: the baselines serve no stream. */
const SERVER_NAMES = ['http', 'net'] as const;
/** As many viewers as issue 16 names: far more tabs than one user keeps open. */
export const VIEWERS = 100;
/** Hook connections at once: Claude Code's native hooks keep a few open. */
const CONNECTIONS = 10;
/** How long each cell loads the server: [warm-up, measured] seconds. */
const FULL_SECONDS = { warmUp: 2, measure: 8, rounds: 3 } as const;
const QUICK_SECONDS = { warmUp: 1, measure: 2, rounds: 1 } as const;
/** After the load, how long the viewers may take to drain what the server still has queued for them. */
const DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 50;

/** Every event message starts with its `id:` line (the hello has none). */
const MESSAGE_START = Buffer.from('\nid: ', 'latin1');

/** How often `pattern` occurs in `bytes`, counted on the bytes: a viewer must cost its reads, not a string a read. */
function occurrences(bytes: Buffer, pattern: Buffer): number {
  let count = 0;
  for (
    let at = bytes.indexOf(pattern);
    at !== -1;
    at = bytes.indexOf(pattern, at + pattern.length)
  ) {
    count++;
  }
  return count;
}

/** A viewer that reads as fast as it can and counts the messages it got. */
class Viewer {
  private readonly socket: Socket;
  private carry = Buffer.alloc(0);
  private closing = false;
  messages = 0;
  /** The server closed the stream: it read too slowly (the readers' limits, core/src/sinks.ts). */
  cutOff = false;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.write(
      'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n',
    );
    this.socket.on('data', (chunk: Buffer) => {
      // A start cut between two reads lies in the carry and the read's first bytes, and in neither alone.
      const seam = Buffer.concat([this.carry, chunk.subarray(0, MESSAGE_START.length - 1)]);
      this.messages += occurrences(seam, MESSAGE_START) + occurrences(chunk, MESSAGE_START);
      const tail =
        chunk.length >= MESSAGE_START.length - 1 ? chunk : Buffer.concat([this.carry, chunk]);
      this.carry = Buffer.from(tail.subarray(-(MESSAGE_START.length - 1)));
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      if (!this.closing) this.cutOff = true;
    });
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }
}

interface Cell {
  readonly server: string;
  readonly viewers: number;
  readonly requestsPerSecond: number;
  /** The server's own CPU time for each hook answered, in microseconds: what the viewers cost it, whoever else shares the core. */
  readonly serverCpuMicrosPerHook: number;
  /** The part of it spent in the kernel: copying each viewer's bytes into its socket is counted here. */
  readonly serverKernelMicrosPerHook: number;
  /** Viewers the server cut off for reading too slowly: its rule, not a loss. */
  readonly cutOff: number;
  /** Viewers still open that did not receive every recorded event: a loss. */
  readonly short: number;
}

/**
 * Pins this process (the viewers) to core 0 and returns core 1 for the server
 * and the hook load, as the main benchmark keeps them apart: the viewers' own
 * reading then takes nothing from the core the throughput is measured on.
 * Undefined where nothing can be pinned.
 */
function serverCoreApartFromViewers(): number | undefined {
  if (!HAS_TASKSET || cpuCount() < 2) return undefined;
  pinSelf(0);
  return 1;
}

async function measureCell(
  client: LoadClient,
  serverCpu: number | undefined,
  name: (typeof SERVER_NAMES)[number],
  viewerCount: number,
  seconds: typeof FULL_SECONDS | typeof QUICK_SECONDS,
): Promise<Cell> {
  const dir = mkdtempSync(join(tmpdir(), `hook-observatory-viewers-${name}-`));
  let server: RunningServer | undefined;
  const viewers: Viewer[] = [];
  try {
    server = await startServer(name, { transport: 'tcp', output: 'file', dir, cpu: serverCpu });
    const port = server.target.transport === 'tcp' ? server.target.port : 0;
    for (let index = 0; index < viewerCount; index++) viewers.push(new Viewer(port));
    const load = {
      kind: 'load',
      target: server.target,
      sender: 'native',
      connections: CONNECTIONS,
      connectionPerRequest: false,
    } as const;
    await client.order({ ...load, seconds: seconds.warmUp });
    const cpuBefore = processCpuTimes(server.pid);
    const result = await client.order({ ...load, seconds: seconds.measure });
    const cpuAfter = processCpuTimes(server.pid);
    const file = server.eventsFile as string;
    const recorded = (): number => readFileSync(file, 'latin1').split('\n').length - 1;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let events = recorded();
    while (
      viewers.some((viewer) => !viewer.cutOff && viewer.messages < events) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      events = recorded();
    }
    return {
      server: name,
      viewers: viewerCount,
      requestsPerSecond: result.ok / result.seconds,
      serverCpuMicrosPerHook:
        ((cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) * 1e6) / result.ok,
      serverKernelMicrosPerHook: ((cpuAfter.system - cpuBefore.system) * 1e6) / result.ok,
      cutOff: viewers.filter((viewer) => viewer.cutOff).length,
      short: viewers.filter((viewer) => !viewer.cutOff && viewer.messages < events).length,
    };
  } finally {
    for (const viewer of viewers) viewer.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The whole comparison; returns the report (Markdown) and whether any viewer missed an event. */
export async function benchViewers(
  quick: boolean,
  log: (line: string) => void,
): Promise<{ report: string; ok: boolean }> {
  const seconds = quick ? QUICK_SECONDS : FULL_SECONDS;
  const serverCpu = serverCoreApartFromViewers();
  const client = LoadClient.start(serverCpu);
  const cells: Cell[] = [];
  try {
    for (let round = 0; round < seconds.rounds; round++) {
      for (const name of SERVER_NAMES) {
        // Alternate which comes first, so that neither always meets a warmer or a busier machine.
        const order = (round + SERVER_NAMES.indexOf(name)) % 2 === 0 ? [0, VIEWERS] : [VIEWERS, 0];
        for (const viewers of order) {
          log(`viewers: round ${round + 1}/${seconds.rounds} · ${name} · ${viewers} viewers`);
          cells.push(await measureCell(client, serverCpu, name, viewers, seconds));
        }
      }
    }
  } finally {
    await client.close();
  }
  const rows = SERVER_NAMES.map((name) => {
    const mine = cells.filter((cell) => cell.server === name);
    const of = (viewers: number): Cell[] => mine.filter((cell) => cell.viewers === viewers);
    const none = of(0);
    const many = of(VIEWERS);
    // Each round's pair was measured back to back: the ratio is taken within a round, then the median.
    const ratio = (value: (cell: Cell) => number): number =>
      median(many.map((cell, round) => value(cell) / value(none[round] as Cell)));
    const throughput = (group: Cell[]): number =>
      Math.round(median(group.map((cell) => cell.requestsPerSecond)));
    const cpu = (group: Cell[]): string =>
      `${Math.round(median(group.map((cell) => cell.serverCpuMicrosPerHook)))} (${Math.round(median(group.map((cell) => cell.serverKernelMicrosPerHook)))})`;
    const short = mine.reduce((sum, cell) => sum + cell.short, 0);
    const cutOff = mine.reduce((sum, cell) => sum + cell.cutOff, 0);
    return (
      `| ${name} | ${throughput(none)} | ${throughput(many)} | ${ratio((cell) => cell.requestsPerSecond).toFixed(2)} ` +
      `| ${cpu(none)} | ${cpu(many)} | ${ratio((cell) => cell.serverCpuMicrosPerHook).toFixed(2)} | ${short === 0 ? 'yes' : `no: ${short} viewers short`} | ${cutOff} |`
    );
  });
  const ok = cells.every((cell) => cell.short === 0);
  const report = [
    `## Hook throughput with ${VIEWERS} open live views`,
    '',
    `Native hooks on ${CONNECTIONS} keep-alive connections, ${seconds.measure} s measured after ${seconds.warmUp} s of warm-up, ` +
      `median of ${seconds.rounds} round(s); each ratio is ${VIEWERS} viewers over none in the same round, then the median. ` +
      `${serverCpu === undefined ? 'Nothing pinned (no taskset or one core).' : `Server and hooks on core ${serverCpu}, viewers on another.`}`,
    '',
    `| server | hooks/s, no viewer | hooks/s, ${VIEWERS} viewers | ratio | server CPU µs a hook (in the kernel), no viewer | with ${VIEWERS} | ratio | every open viewer got every event | viewers cut off for reading too slowly |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  return { report, ok };
}
