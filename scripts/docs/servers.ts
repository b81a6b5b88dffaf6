/**
 * Start a built server as a student does (`node packages/<name>/dist/main.js`)
 * on a free loopback port, and keep what it writes: events on standard
 * output, lines for people on standard error.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SERVER_ENTRIES, type ServerName } from './paths.js';

/** The test clock (config.ts, HOOK_OBSERVATORY_FIXED_TS): every `_ts` is this, so streams compare byte for byte. */
export const FIXED_TS = '2026-01-01T00:00:00.000Z';
export const FIXED_TS_ENV = 'HOOK_OBSERVATORY_FIXED_TS';
/** A server that has not said "ready" by then is reported as failing to start. */
const STARTUP_TIMEOUT_MS = 15_000;
/** Events are written before the answer, but through another pipe: wait this long for them at most. */
const EVENT_WAIT_TIMEOUT_MS = 10_000;

export interface StartedServer {
  readonly name: ServerName;
  readonly port: number;
  stdout(): Buffer;
  stderr(): string;
  /** Resolves once standard output holds `count` complete lines. */
  waitForLines(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Use the test clock (default true). */
  readonly fixedClock?: boolean;
}

export async function startServer(name: ServerName, options: StartOptions = {}): Promise<StartedServer> {
  const entry = SERVER_ENTRIES[name];
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npx tsc -b)`);
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...options.env };
  if (options.fixedClock === false) delete env[FIXED_TS_ENV];
  else env[FIXED_TS_ENV] = FIXED_TS;
  const child = spawn(process.execPath, [entry, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  const wakers = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    for (const wake of wakers) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    for (const wake of wakers) wake();
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const until = (ready: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((done, fail) => {
      const wake = (): void => {
        if (!ready()) return;
        wakers.delete(wake);
        clearTimeout(timer);
        done();
      };
      const timer = setTimeout(() => {
        wakers.delete(wake);
        fail(new Error(`${name} server: ${what}\n${err}`));
      }, timeoutMs);
      wakers.add(wake);
      void exited.then(() => {
        if (wakers.delete(wake)) {
          clearTimeout(timer);
          fail(new Error(`${name} server exited: ${what}\n${err}`));
        }
      });
      wake();
    });

  await until(() => /^ready/m.test(err), STARTUP_TIMEOUT_MS, 'did not say ready');
  const port = Number(/listening on http:\/\/[^\s]+:(\d+)/.exec(err)?.[1]);
  const stdout = (): Buffer => Buffer.concat(out);
  const lines = (): string[] => stdout().toString('utf8').split('\n').slice(0, -1);
  return {
    name,
    port,
    stdout,
    stderr: () => err,
    async waitForLines(count) {
      await until(() => lines().length >= count, EVENT_WAIT_TIMEOUT_MS, `expected ${count} event lines`);
      return lines();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
