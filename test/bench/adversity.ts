/**
 * `pnpm bench --adversity [--quick] [--before DIR] [--only TEXT]`: issue 25's
 * attacks, each on a fresh server of each kind, with a probe hook every 10 ms
 * (adversity-probe.ts, a process of its own) before and while it runs. Each
 * cell gives the probe's p50/p99 against a calm run on the same server,
 * resident memory before, during and after, events lost and torn, and whether
 * the server is still alive (adversity-report.ts). Nothing is pinned: these
 * are stalls of hundreds of ms against a calm p99 of a few, not ratios of
 * throughput, and the attacks need both cores.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ATTACKS,
  NOFILE_LIMIT,
  logText,
  type Attack,
  type AttackContext,
} from './adversity-attacks.js';
import type { ProbeReport } from './adversity-probe.js';
import {
  adversityMarkdown,
  CALM,
  countJsonLines,
  countYamlDocuments,
  lastWords,
  lostEvents,
  saidAfterReady,
  summarizeProbe,
  type Cell,
} from './adversity-report.js';
import type { ServerEntry } from '@hook-observatory/launcher';
import { BENCH_DIST, type BeforeName, type ServerName } from './paths.js';
import { startServer, type RunningServer } from './processes.js';
import { processMemory } from './procfs.js';

/** Seconds each attack runs, probed throughout: long enough for a hundred probes even in --quick. */
const FULL_WINDOW_SECONDS = 10;
const QUICK_WINDOW_SECONDS = 1;
/** Seconds the probe runs before the attack: V8 compiles the hook path, and RSS "before" is taken after. */
const FULL_WARM_UP_SECONDS = 1;
const QUICK_WARM_UP_SECONDS = 0.2;
/** --quick waits at most this long for memory to return: it proves the run works, judging nothing. */
const QUICK_SETTLE_SECONDS = 1;
/** How often RSS is sampled from the attack's start to the "after" sample, for its peak. */
const RSS_SAMPLE_MS = 100;
/** After the attack and the probe stopped, time for the last writes to reach the output before the server is stopped. */
const OUTPUT_SETTLE_MS = 300;
/** A probe process that has not started by then failed (a busy 2-core machine). */
const PROBE_START_TIMEOUT_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface AdversityPlan {
  readonly quick: boolean;
  /** Only the attacks whose name holds this text (the calm run always). */
  readonly only: string | undefined;
  readonly servers: readonly ServerName[];
  readonly before: Readonly<Record<BeforeName, ServerEntry>> | undefined;
}

function rssMb(pid: number): number {
  try {
    return processMemory(pid).rssBytes / 2 ** 20;
  } catch {
    return NaN;
  }
}

/** The probe process: started, then stopped for its report. */
async function startProbe(port: number): Promise<{ stop(): Promise<ProbeReport> }> {
  const child = fork(join(BENCH_DIST, 'adversity-probe.js'), [String(port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the probe never started')),
      PROBE_START_TIMEOUT_MS,
    );
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => reject(new Error('the probe exited before it started')));
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        child.once('message', (report) => resolve(report as ProbeReport));
        child.once('exit', (code) =>
          reject(new Error(`the probe exited (code ${code}) before it reported`)),
        );
        child.send('stop');
      }),
  };
}

/** The limits a server runs under, as a command prefix (prlimit and setpriv, util-linux). */
function wrapperFor(attack: Attack): string[] {
  switch (attack.server.limit) {
    case 'nofile':
      return ['prlimit', `--nofile=${NOFILE_LIMIT}:${NOFILE_LIMIT}`];
    case 'no-dac-override':
      // Root writes into a read-only directory anyway: without these capabilities the mode holds.
      return process.getuid?.() === 0
        ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search']
        : [];
    default:
      return [];
  }
}

interface Counts {
  readonly recorded: number | undefined;
  readonly torn: number | undefined;
  readonly note: string;
}

function countOutput(attack: Attack, server: RunningServer, logDir: string): Counts {
  if (attack.counted === 'none') return { recorded: undefined, torn: undefined, note: '' };
  if (attack.counted === 'yaml') {
    return {
      recorded: countYamlDocuments(readFileSync(server.eventsFile as string, 'utf8')),
      torn: undefined,
      note: '',
    };
  }
  const text =
    attack.counted === 'log' ? logText(logDir) : readFileSync(server.eventsFile as string, 'utf8');
  const counted = countJsonLines(text);
  return {
    recorded: counted.events,
    torn: counted.torn,
    note: attack.inspect?.(counted.lines) ?? '',
  };
}

/** One attack on one fresh server: the probe throughout, the attack in the window, then the counts. */
async function runCell(
  attack: Attack,
  name: ServerName,
  plan: AdversityPlan,
  workDir: string,
): Promise<Cell> {
  const dir = mkdtempSync(join(workDir, `${name}-`));
  const logDir = join(dir, 'log');
  mkdirSync(logDir);
  const windowMs = (plan.quick ? QUICK_WINDOW_SECONDS : FULL_WINDOW_SECONDS) * 1000;
  const server = await startServer(name, {
    transport: 'tcp',
    output: attack.server.output ?? 'file',
    dir,
    cpu: undefined,
    before: plan.before,
    args: [
      ...(attack.counted === 'log' ? ['--log', join(logDir, 'events.jsonl')] : []),
      ...(attack.server.args ?? []),
    ],
    // Over an output socket, --tee writes the same events to the file they are counted in.
    stdoutPath: attack.server.stdoutPath ?? join(dir, 'events.jsonl'),
    wrapper: wrapperFor(attack),
  });
  const port = server.target.transport === 'tcp' ? server.target.port : 0;
  const context: AttackContext = {
    port,
    outputSocketPath: server.outputSocketPath,
    logDir,
    quick: plan.quick,
    stderr: server.stderr,
    answered: 0,
    removed: 0,
  };
  try {
    await attack.prepare?.(context);
    const probe = await startProbe(port);
    await sleep((plan.quick ? QUICK_WARM_UP_SECONDS : FULL_WARM_UP_SECONDS) * 1000);
    const before = rssMb(server.pid);
    let during = before;
    const sampler = setInterval(
      () => (during = Math.max(during, rssMb(server.pid) || 0)),
      RSS_SAMPLE_MS,
    );
    const windowStart = Date.now();
    const running = attack.start(context, windowStart + windowMs);
    const seen = await running.done;
    const windowEnd = Date.now();
    running.release();
    await sleep(
      (plan.quick
        ? Math.min(attack.settleSeconds ?? 0, QUICK_SETTLE_SECONDS)
        : (attack.settleSeconds ?? 0)) * 1000,
    );
    const after = rssMb(server.pid);
    // Sampled up to "after": a server still working off an attack (500 viewers' replays) grows after it.
    clearInterval(sampler);
    during = Math.max(during, after || 0);
    const report = await probe.stop();
    await sleep(OUTPUT_SETTLE_MS);
    const exit = server.exitStatus();
    // Read before the stop, whose own line ("stopped") would be taken for what the attack made it say.
    const stderr = server.stderr().replaceAll(dir, 'DIR');
    await server.stop();
    const counts = countOutput(attack, server, logDir);
    const answered = report.ok + context.answered - context.removed;
    return {
      attack: attack.name,
      server: name,
      alive: exit === undefined,
      exit:
        exit === undefined
          ? undefined
          : exit.signal !== null
            ? `signal ${exit.signal}`
            : `code ${exit.code}`,
      lost: counts.recorded === undefined ? undefined : lostEvents(answered, counts.recorded),
      torn: counts.torn,
      probe: summarizeProbe(
        report.samples
          .filter((sample) => sample.startedAt >= windowStart && sample.startedAt < windowEnd)
          .map((sample) => sample.latencyMs),
      ),
      rss: { before, during, after },
      judgeMemory: attack.judgeMemory === true,
      note: [seen, counts.note, exit === undefined ? saidAfterReady(stderr) : lastWords(stderr)]
        .filter((text) => text !== '')
        .join('; '),
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const calm: Attack = {
  name: CALM,
  server: {},
  counted: 'jsonl',
  start: (_context, deadline) => ({
    done: sleep(deadline - Date.now()).then(() => ''),
    release: () => {},
  }),
};

/** The attacks the plan runs, the calm run first. */
export function plannedAttacks(quick: boolean, only: string | undefined): Attack[] {
  const chosen = ATTACKS.filter(
    (attack) =>
      (!quick || attack.fullOnly !== true) && (only === undefined || attack.name.includes(only)),
  );
  if (chosen.length === 0) {
    throw new Error(
      `--only: no attack is named like "${only}" (${ATTACKS.map((attack) => attack.name).join(', ')})`,
    );
  }
  return [calm, ...chosen];
}

/** Every cell of the plan, one after the other; `log` says which runs now. */
export async function runAdversity(
  plan: AdversityPlan,
  log: (line: string) => void,
): Promise<{ cells: Cell[]; windowSeconds: number }> {
  const attacks = plannedAttacks(plan.quick, plan.only);
  const workDir = mkdtempSync(join(tmpdir(), 'hook-observatory-adversity-'));
  const cells: Cell[] = [];
  const total = attacks.length * plan.servers.length;
  try {
    for (const attack of attacks) {
      for (const name of plan.servers) {
        log(`adversity [${cells.length + 1}/${total}] ${attack.name} · ${name}`);
        cells.push(await runCell(attack, name, plan, workDir));
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { cells, windowSeconds: plan.quick ? QUICK_WINDOW_SECONDS : FULL_WINDOW_SECONDS };
}

export { adversityMarkdown };
