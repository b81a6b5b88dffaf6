/**
 * One measurement: a fresh server, a warm-up, then a measured load, with the
 * kernel's view of CPU and memory before and after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { senderOf, type Scenario } from './options.js';
import type { ServerEntry } from '@hook-observatory/launcher';
import type { BeforeName, ServerName } from './paths.js';
import { coreTimes, processCpuSeconds, processMemory } from './procfs.js';
import { startServer, type LoadClient } from './processes.js';

export interface Measurement {
  readonly run: number;
  readonly scenario: Scenario;
  readonly server: ServerName;
  readonly requestsPerSecond: number;
  readonly answered: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly peakRssMb: number;
  readonly serverCpuMicrosPerRequest: number;
  readonly clientCpuMicrosPerRequest: number;
  /** Bytes of events written per answered request (file) or read by the slowest reader (socket). */
  readonly outputBytesPerRequest: number;
  /**
   * What else ran on the measured core, in percent of the measured time:
   * processes other than ours, interrupts (partly our own loopback traffic),
   * and time the hypervisor gave to other guests.
   */
  readonly noise: {
    readonly otherProcessesPercent: number;
    readonly interruptsPercent: number;
    readonly stealPercent: number;
  };
  /** What went wrong: answers that were not 2xx, errors, missing events. Empty when all is well. */
  readonly problems: readonly string[];
}

export interface MeasureContext {
  readonly client: LoadClient;
  readonly cpu: number | undefined;
  readonly workDir: string;
  readonly warmUpSeconds: number;
  readonly measureSeconds: number;
  readonly readers: number;
  /** The smallest number of event bytes per request that proves events were written. */
  readonly minimumEventBytes: number;
  /** The before servers (`--before DIR`), or undefined. */
  readonly before: Readonly<Record<BeforeName, ServerEntry>> | undefined;
}

export async function measure(
  context: MeasureContext,
  run: number,
  scenario: Scenario,
  name: ServerName,
): Promise<Measurement> {
  const { client, cpu } = context;
  const dir = mkdtempSync(join(context.workDir, `${name}-`));
  const server = await startServer(name, {
    transport: scenario.transport,
    output: scenario.output,
    dir,
    cpu,
    before: context.before,
  });
  const readersAttached = scenario.output === 'socket';
  try {
    if (readersAttached) {
      await client.order({
        kind: 'attach-readers',
        path: server.outputSocketPath as string,
        count: context.readers,
      });
      await server.waitForLog(new RegExp(`\\(${context.readers} now\\)`));
    }
    const load = {
      kind: 'load',
      target: server.target,
      sender: senderOf(scenario.connection),
      connections: scenario.concurrency,
      connectionPerRequest: scenario.connection === 'per-request',
    } as const;
    await client.order({ ...load, seconds: context.warmUpSeconds });

    const readerBytesBefore = readersAttached
      ? (await client.order({ kind: 'reader-bytes' })).bytes
      : [];
    const fileBytesBefore = server.eventBytes();
    const serverCpuBefore = processCpuSeconds(server.pid);
    const clientCpuBefore = processCpuSeconds(client.pid);
    const coreBefore = cpu === undefined ? undefined : coreTimes(cpu);
    const result = await client.order({ ...load, seconds: context.measureSeconds });
    const coreAfter = cpu === undefined ? undefined : coreTimes(cpu);
    const serverCpu = processCpuSeconds(server.pid) - serverCpuBefore;
    const clientCpu = processCpuSeconds(client.pid) - clientCpuBefore;
    const fileBytes = server.eventBytes() - fileBytesBefore;
    const readerBytes = readersAttached ? (await client.order({ kind: 'reader-bytes' })).bytes : [];
    const memory = processMemory(server.pid);

    const answered = result.ok;
    const perRequest = (value: number): number => (answered > 0 ? value / answered : NaN);
    const outputBytes = readersAttached
      ? Math.min(...readerBytes.map((bytes, index) => bytes - (readerBytesBefore[index] ?? 0)))
      : fileBytes;
    const percentOfCore = (value: number): number => {
      if (coreBefore === undefined || coreAfter === undefined) return NaN;
      return Math.max(0, (100 * value) / (coreAfter.total - coreBefore.total));
    };

    const problems: string[] = [];
    if (answered === 0) problems.push('no request was answered');
    if (result.non2xx > 0) problems.push(`${result.non2xx} answers were not 2xx`);
    if (result.errors > 0) problems.push(`${result.errors} connection errors`);
    if (result.timeouts > 0) problems.push(`${result.timeouts} requests timed out`);
    if (name !== 'limit' && !(perRequest(outputBytes) >= context.minimumEventBytes)) {
      problems.push(
        `only ${Math.round(perRequest(outputBytes))} bytes of events per request were written`,
      );
    }

    return {
      run,
      scenario,
      server: name,
      requestsPerSecond: answered / result.seconds,
      answered,
      latencyMs: {
        p50: result.latencyMicroseconds.p50 / 1000,
        p99: result.latencyMicroseconds.p99 / 1000,
        max: result.latencyMicroseconds.max / 1000,
      },
      peakRssMb: memory.peakRssBytes / 2 ** 20,
      serverCpuMicrosPerRequest: perRequest(serverCpu * 1e6),
      clientCpuMicrosPerRequest: perRequest(result.clientCpuSeconds * 1e6),
      outputBytesPerRequest: perRequest(outputBytes),
      noise: {
        otherProcessesPercent:
          coreBefore && coreAfter
            ? percentOfCore(coreAfter.processes - coreBefore.processes - serverCpu - clientCpu)
            : NaN,
        interruptsPercent:
          coreBefore && coreAfter
            ? percentOfCore(coreAfter.interrupts - coreBefore.interrupts)
            : NaN,
        stealPercent:
          coreBefore && coreAfter ? percentOfCore(coreAfter.steal - coreBefore.steal) : NaN,
      },
      problems,
    };
  } finally {
    if (readersAttached) await client.order({ kind: 'detach-readers' });
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
