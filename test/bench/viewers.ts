/**
 * `pnpm bench --viewers [--quick]`: what open live views (GET /events, issue
 * 16) cost the hooks. Each server takes the same hook load with no viewer and
 * with VIEWERS viewers reading the stream, in alternating order within one
 * run, and the ratio of the two throughputs is the answer. Every viewer must
 * also have received every event: a viewer may cost throughput, never events.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadClient, startServer, type RunningServer } from './processes.js';

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

/** A viewer that reads as fast as it can and counts the messages it got. */
class Viewer {
  private readonly socket: Socket;
  private carry = '';
  messages = 0;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    this.socket.on('data', (chunk: Buffer) => {
      // Every event message starts with its `id:` line (the hello has none); the carry finds one cut between two reads.
      const text = this.carry + chunk.toString('latin1');
      this.messages += text.split('\nid: ').length - 1;
      this.carry = text.slice(-('\nid: '.length - 1));
    });
    this.socket.on('error', () => {});
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Cell {
  readonly server: string;
  readonly viewers: number;
  readonly requestsPerSecond: number;
  /** Viewers that did not receive every recorded event. */
  readonly short: number;
}

async function measureCell(client: LoadClient, name: (typeof SERVER_NAMES)[number], viewerCount: number, seconds: typeof FULL_SECONDS | typeof QUICK_SECONDS): Promise<Cell> {
  const dir = mkdtempSync(join(tmpdir(), `hook-observatory-viewers-${name}-`));
  let server: RunningServer | undefined;
  const viewers: Viewer[] = [];
  try {
    server = await startServer(name, { transport: 'tcp', output: 'file', dir, cpu: undefined });
    const port = server.target.transport === 'tcp' ? server.target.port : 0;
    for (let index = 0; index < viewerCount; index++) viewers.push(new Viewer(port));
    const load = { kind: 'load', target: server.target, sender: 'native', connections: CONNECTIONS, connectionPerRequest: false } as const;
    await client.order({ ...load, seconds: seconds.warmUp });
    const result = await client.order({ ...load, seconds: seconds.measure });
    const file = server.eventsFile as string;
    const recorded = (): number => readFileSync(file, 'latin1').split('\n').length - 1;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (viewers.some((viewer) => viewer.messages < recorded()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    const events = recorded();
    return {
      server: name,
      viewers: viewerCount,
      requestsPerSecond: result.ok / result.seconds,
      short: viewers.filter((viewer) => viewer.messages < events).length,
    };
  } finally {
    for (const viewer of viewers) viewer.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The whole comparison; returns the report (Markdown) and whether any viewer missed an event. */
export async function benchViewers(quick: boolean, log: (line: string) => void): Promise<{ report: string; ok: boolean }> {
  const seconds = quick ? QUICK_SECONDS : FULL_SECONDS;
  const client = LoadClient.start(undefined);
  const cells: Cell[] = [];
  try {
    for (let round = 0; round < seconds.rounds; round++) {
      for (const name of SERVER_NAMES) {
        // Alternate which comes first, so that neither always meets a warmer or a busier machine.
        const order = (round + SERVER_NAMES.indexOf(name)) % 2 === 0 ? [0, VIEWERS] : [VIEWERS, 0];
        for (const viewers of order) {
          log(`viewers: round ${round + 1}/${seconds.rounds} · ${name} · ${viewers} viewers`);
          cells.push(await measureCell(client, name, viewers, seconds));
        }
      }
    }
  } finally {
    await client.close();
  }
  const rows = SERVER_NAMES.map((name) => {
    const throughput = (viewers: number): number =>
      median(cells.filter((cell) => cell.server === name && cell.viewers === viewers).map((cell) => cell.requestsPerSecond));
    const none = throughput(0);
    const many = throughput(VIEWERS);
    const short = cells.filter((cell) => cell.server === name).reduce((sum, cell) => sum + cell.short, 0);
    return `| ${name} | ${Math.round(none)} | ${Math.round(many)} | ${(many / none).toFixed(2)} | ${short === 0 ? 'yes' : `no: ${short} viewers short`} |`;
  });
  const ok = cells.every((cell) => cell.short === 0);
  const report = [
    `## Hook throughput with ${VIEWERS} open live views`,
    '',
    `Native hooks on ${CONNECTIONS} keep-alive connections, ${seconds.measure} s measured after ${seconds.warmUp} s of warm-up, ` +
      `median of ${seconds.rounds} round(s); the ratio is ${VIEWERS} viewers over none.`,
    '',
    `| server | hooks/s, no viewer | hooks/s, ${VIEWERS} viewers | ratio | every viewer got every event |`,
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  return { report, ok };
}
