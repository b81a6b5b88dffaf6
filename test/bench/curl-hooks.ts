/**
 * The real cost of a curl command hook: `sh -c 'curl ...'` with the event on
 * standard input, spawned and waited for, as Claude Code runs it. Measured
 * against each server and against nothing at all (a port or socket nobody
 * listens on), so the server's part of a hook's cost can be read off.
 *
 * The kernel counts CPU time in clock ticks (10 ms), far coarser than a
 * server's share of one hook: the server's CPU per hook is taken from the
 * per-request load at concurrency 1 instead (report.ts), where thousands of
 * such requests add up. sh and curl take several ticks per hook, so theirs is
 * measured here, summed over every hook.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Target } from './load-protocol.js';
import type { ServerName } from './paths.js';
import { waitedChildrenCpuSeconds } from './procfs.js';
import { startServer, type Transport } from './processes.js';
import { median } from './stats.js';
import type { BenchRequest } from './workload.js';

/** What a hook's curl answers to: one of the servers, or `none` (nothing listens). */
export type HookTarget = ServerName | 'none';

/** curl's exit code when it cannot connect (curl(1), EXIT CODES). */
const CURL_COULD_NOT_CONNECT = 7;

export interface CurlHookMeasurement {
  readonly run: number;
  readonly target: HookTarget;
  readonly transport: Transport;
  readonly hooks: number;
  /** From spawning `sh` to its exit, the median hook: what a hook costs Claude Code in time. */
  readonly wallMs: number;
  /** CPU time of sh and curl together, all hooks. */
  readonly hookCpuSeconds: number;
  readonly problems: readonly string[];
}

/** The command line of a curl command hook (the same as test/helpers/clients.ts runs). */
export function curlHookCommand(target: Target, path: string): string {
  const common =
    "curl -s --connect-timeout 0.5 --max-time 1 -X POST -H 'Content-Type: application/json' -d @-";
  return target.transport === 'unix'
    ? `${common} --unix-socket '${target.path}' 'http://localhost${path}'`
    : `${common} 'http://127.0.0.1:${target.port}${path}'`;
}

function runHook(command: string, body: Buffer): Promise<{ code: number | null; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, wallMs: performance.now() - startedAt }));
    child.stdin.end(body);
  });
}

/** A TCP port nobody listens on: one the kernel just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 9;
}

export async function measureCurlHooks(options: {
  readonly run: number;
  readonly target: HookTarget;
  readonly transport: Transport;
  readonly requests: readonly BenchRequest[];
  readonly hooks: number;
  readonly cpu: number | undefined;
  readonly workDir: string;
}): Promise<CurlHookMeasurement> {
  const { target, transport } = options;
  const dir = mkdtempSync(join(options.workDir, `curl-${target}-`));
  const server =
    target === 'none'
      ? undefined
      : await startServer(target, { transport, output: 'file', dir, cpu: options.cpu });
  try {
    const address: Target =
      server?.target ??
      (transport === 'tcp'
        ? { transport: 'tcp', port: await closedPort() }
        : { transport: 'unix', path: join(dir, 'nobody.sock') });
    const expectedCode = target === 'none' ? CURL_COULD_NOT_CONNECT : 0;
    const problems: string[] = [];
    const walls: number[] = [];
    // One hook first, not measured: the first spawn of sh and curl reads them from disk.
    const first = options.requests[0] as BenchRequest;
    await runHook(curlHookCommand(address, first.path), first.body);
    const hookCpuBefore = waitedChildrenCpuSeconds();
    for (let index = 0; index < options.hooks; index++) {
      const request = options.requests[index % options.requests.length] as BenchRequest;
      const { code, wallMs } = await runHook(curlHookCommand(address, request.path), request.body);
      walls.push(wallMs);
      if (code !== expectedCode) problems.push(`curl exited ${code}, expected ${expectedCode}`);
    }
    const hookCpu = waitedChildrenCpuSeconds() - hookCpuBefore;
    if (server?.eventsFile !== undefined && target !== 'limit') {
      const lines = readFileSync(server.eventsFile, 'latin1').split('\n').length - 1;
      if (lines !== options.hooks + 1) {
        problems.push(`${lines} events written for ${options.hooks + 1} hooks`);
      }
    }
    return {
      run: options.run,
      target,
      transport,
      hooks: options.hooks,
      wallMs: median(walls),
      hookCpuSeconds: hookCpu,
      problems: [...new Set(problems)],
    };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
