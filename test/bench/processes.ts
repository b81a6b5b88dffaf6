/**
 * The processes a measurement needs: the server measured and the load client,
 * both pinned to one core when `taskset` (util-linux) is there, each started
 * the way a user would start it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope, Order, Reply, Target } from './load-protocol.js';
import { BENCH_DIST, SERVER_ENTRIES, type ServerName } from './paths.js';

/** How long a server may take to print `ready` on a busy 2-core machine. */
const STARTUP_TIMEOUT_MS = 15_000;
/**
 * How long a server may take to exit after SIGTERM: both real servers wait up
 * to SHUTDOWN_GRACE_MS (5 s, packages/core/src/serve.ts) for open requests.
 */
const STOP_TIMEOUT_MS = 7_000;

export const HAS_TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** The command line that runs `args` on `cpu` only (all its threads), or as is without taskset. */
export function pinned(cpu: number | undefined, args: readonly string[]): [string, string[]] {
  if (cpu === undefined || !HAS_TASKSET) return [args[0] as string, args.slice(1)];
  return ['taskset', ['--cpu-list', String(cpu), ...args]];
}

/** Pin this process (all its threads) to `cpu`, so that it stays off the measured core. */
export function pinSelf(cpu: number): void {
  if (HAS_TASKSET) spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

export type Transport = 'tcp' | 'unix';
/** Where events go: a JSONL file (standard output redirected), or an output socket with readers. */
export type Output = 'file' | 'socket';

export interface ServerOptions {
  readonly transport: Transport;
  readonly output: Output;
  /** A fresh directory for sockets and the events file. */
  readonly dir: string;
  readonly cpu: number | undefined;
  readonly nodeArgs?: readonly string[];
}

export interface RunningServer {
  readonly name: ServerName;
  readonly pid: number;
  readonly target: Target;
  readonly outputSocketPath: string | undefined;
  readonly eventsFile: string | undefined;
  /** Bytes in the events file so far. */
  eventBytes(): number;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(name: ServerName, options: ServerOptions): Promise<RunningServer> {
  if (options.output === 'socket' && (name === 'limit' || name === 'event-limit' || name === 'bare')) {
    throw new Error(`the ${name} baseline writes no output socket`);
  }
  const inputSocket = join(options.dir, 'hooks.sock');
  const outputSocketPath = options.output === 'socket' ? join(options.dir, 'events.sock') : undefined;
  const eventsFile = options.output === 'file' ? join(options.dir, 'events.jsonl') : undefined;
  const args = [
    ...(options.nodeArgs ?? []),
    SERVER_ENTRIES[name],
    ...(options.transport === 'tcp' ? ['--port', '0'] : ['--socket', inputSocket]),
    ...(outputSocketPath !== undefined ? ['--output-socket', outputSocketPath] : []),
  ];
  // Appending: a reader of the file may truncate it without leaving a hole.
  const eventsFd = eventsFile !== undefined ? openSync(eventsFile, 'a') : undefined;
  const [command, commandArgs] = pinned(options.cpu, [process.execPath, ...args]);
  const child = spawn(command, commandArgs, { stdio: ['ignore', eventsFd ?? 'ignore', 'pipe'] });
  if (eventsFd !== undefined) closeSync(eventsFd);

  let log = '';
  const logWaiters = new Set<() => void>();
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    log += text;
    for (const wake of logWaiters) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const waitForLog = (pattern: RegExp, timeoutMs = STARTUP_TIMEOUT_MS): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(log)) return;
        cleanUp();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanUp();
        reject(new Error(`${name}: no ${pattern} on stderr within ${timeoutMs} ms:\n${log}`));
      }, timeoutMs);
      const gone = (): void => {
        cleanUp();
        reject(new Error(`${name} exited while waiting for ${pattern}:\n${log}`));
      };
      const cleanUp = (): void => {
        clearTimeout(timer);
        logWaiters.delete(check);
        child.off('exit', gone);
      };
      logWaiters.add(check);
      child.once('exit', gone);
      check();
    });

  await waitForLog(/^ready/m);
  const port = /listening on http:\/\/[^\s]+:(\d+)/.exec(log)?.[1];
  const target: Target =
    options.transport === 'tcp' ? { transport: 'tcp', port: Number(port) } : { transport: 'unix', path: inputSocket };
  return {
    name,
    pid: child.pid as number,
    target,
    outputSocketPath,
    eventsFile,
    eventBytes: () => (eventsFile !== undefined && existsSync(eventsFile) ? statSync(eventsFile).size : 0),
    waitForLog,
    stop: () => stopProcess(child, exited),
  };
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The load client process (load-client.ts) and a way to give it orders. */
export class LoadClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: Envelope<Reply>) => {
      const resolve = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      resolve?.(message.body);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      for (const resolve of this.waiting.values()) resolve({ kind: 'error', message: 'the load client exited' });
      this.waiting.clear();
    });
  }

  static start(cpu: number | undefined): LoadClient {
    const [command, args] = pinned(cpu, [process.execPath, join(BENCH_DIST, 'load-client.js')]);
    return new LoadClient(spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  async order<K extends Order['kind']>(order: Extract<Order, { kind: K }>): Promise<Extract<Reply, { kind: K }>> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, body: order } satisfies Envelope<Order>);
    });
    if (reply.kind === 'error') throw new Error(`load client: ${reply.message}`);
    if (reply.kind !== order.kind) throw new Error(`load client answered ${reply.kind} to ${order.kind}`);
    return reply as Extract<Reply, { kind: K }>;
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.exited;
  }
}
