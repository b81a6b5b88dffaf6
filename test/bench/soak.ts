/**
 * Memory over a long run: one server under steady keep-alive load, its
 * resident memory sampled every second. A server that keeps something per
 * request (a listener, a timer, a map entry) grows here; one that does not
 * settles after V8 has sized its heap and stays there.
 */
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerName } from './paths.js';
import { processMemory } from './procfs.js';
import { LoadClient, startServer } from './processes.js';
import { median } from './stats.js';

const SAMPLE_INTERVAL_MS = 1_000;
/**
 * Seconds V8 takes to grow its heap to the load's steady size. It grows in
 * steps, the last seen 18 s into a run: a step, then flat, is sizing, not a leak.
 */
const SETTLE_SECONDS = 30;
/** Seconds of samples whose median stands for the memory at one time. */
const WINDOW_SECONDS = 10;
/** Runs shorter than this (--quick) are reported but not judged. */
const MIN_JUDGED_SECONDS = SETTLE_SECONDS + 2 * WINDOW_SECONDS;
/**
 * Growth from the settled memory to the last SETTLE_SECONDS still called flat.
 * V8's heap and the kernel's accounting move RSS by a few percent between
 * samples of a server that keeps nothing; a leak of even 100 bytes a request
 * at 10,000 requests a second adds 60 MB a minute, far past it.
 */
export const FLAT_GROWTH_PERCENT = 10;
/** The soak's load: the target scenario's (keep-alive, TCP, JSONL to a file). */
const SOAK_CONNECTIONS = 16;

export interface SoakResult {
  readonly server: ServerName;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly samples: ReadonlyArray<{ readonly second: number; readonly rssMb: number }>;
  readonly settledRssMb: number;
  readonly finalRssMb: number;
  readonly peakRssMb: number;
  readonly growthPercent: number;
  readonly verdict: 'flat' | 'growing' | 'not judged';
  readonly problems: readonly string[];
}

export async function soak(options: {
  readonly server: ServerName;
  readonly seconds: number;
  readonly cpu: number | undefined;
  readonly workDir: string;
  readonly minimumEventBytes: number;
}): Promise<SoakResult> {
  const dir = mkdtempSync(join(options.workDir, `soak-${options.server}-`));
  const client = LoadClient.start(options.cpu);
  const server = await startServer(options.server, {
    transport: 'tcp',
    output: 'file',
    dir,
    cpu: options.cpu,
  });
  const samples: Array<{ second: number; rssMb: number }> = [];
  let eventBytes = 0;
  const startedAt = performance.now();
  // The events file would grow by gigabytes: count what is in it, then empty it.
  const takeSample = (): void => {
    samples.push({
      second: (performance.now() - startedAt) / 1000,
      rssMb: processMemory(server.pid).rssBytes / 2 ** 20,
    });
    const file = server.eventsFile as string;
    eventBytes += statSync(file).size;
    truncateSync(file, 0);
  };
  const sampler = setInterval(takeSample, SAMPLE_INTERVAL_MS);
  try {
    const result = await client.order({
      kind: 'load',
      target: server.target,
      sender: 'native',
      connections: SOAK_CONNECTIONS,
      connectionPerRequest: false,
      seconds: options.seconds,
    });
    clearInterval(sampler);
    takeSample();
    const peakRssMb = processMemory(server.pid).peakRssBytes / 2 ** 20;
    const problems: string[] = [];
    if (result.ok === 0) problems.push('no request was answered');
    if (result.non2xx + result.errors + result.timeouts > 0) {
      problems.push(
        `${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`,
      );
    }
    if (result.ok > 0 && eventBytes / result.ok < options.minimumEventBytes) {
      problems.push(
        `only ${Math.round(eventBytes / result.ok)} bytes of events per request were written`,
      );
    }
    const judged = options.seconds >= MIN_JUDGED_SECONDS;
    const settledRssMb = median(
      samples
        .filter(
          ({ second }) => second >= SETTLE_SECONDS && second < SETTLE_SECONDS + WINDOW_SECONDS,
        )
        .map(({ rssMb }) => rssMb),
    );
    const finalRssMb = median(
      samples
        .filter(({ second }) => second >= options.seconds - WINDOW_SECONDS)
        .map(({ rssMb }) => rssMb),
    );
    const growthPercent = (100 * (finalRssMb - settledRssMb)) / settledRssMb;
    return {
      server: options.server,
      seconds: result.seconds,
      requestsPerSecond: result.ok / result.seconds,
      samples,
      settledRssMb,
      finalRssMb,
      peakRssMb,
      growthPercent,
      verdict: !judged ? 'not judged' : growthPercent <= FLAT_GROWTH_PERCENT ? 'flat' : 'growing',
      problems,
    };
  } finally {
    clearInterval(sampler);
    await server.stop();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
