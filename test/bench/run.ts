#!/usr/bin/env node
/**
 * `pnpm bench`: both servers, their transports and two baselines side by side.
 *
 * Every measurement starts a fresh server pinned to one core, with the load
 * client (another process) pinned to the same core, the stable setup on a
 * small shared machine; this process stays on another core. The servers take
 * turns within each run, in an order that rotates from run to run, so that
 * ratios compare neighbours. README.md says how to read the results.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCurlHooks, type CurlHookMeasurement, type HookTarget } from './curl-hooks.js';
import { measure, type Measurement } from './measure.js';
import { benchQuery, FULL_LOG_BYTES, QUICK_LOG_BYTES, queryReport } from './query.js';
import { benchViewers } from './viewers.js';
import { benchStore, storeMarkdown } from './store.js';
import { adversityMarkdown, runAdversity } from './adversity.js';
import {
  describeScenario,
  parseAdversityOptions,
  parsePlan,
  TARGET_CONCURRENCIES,
  USAGE,
  type Plan,
  type Scenario,
} from './options.js';
import { parserSpeed, type ParserSpeed } from './parser-speed.js';
import {
  BEFORE_NAMES,
  beforeEntries,
  BENCH_SERVERS,
  RESULTS_DIR,
  ROOT,
  SERVER_NAMES,
  type ServerName,
} from './paths.js';
import { HAS_TASKSET, killRunningServers, LoadClient, pinSelf } from './processes.js';
import { coreTimes, cpuCount } from './procfs.js';
import { profileServers } from './profile.js';
import {
  beforeAndAfter,
  describeMeasurement,
  evaluateTargets,
  markdown,
  noiseSummary,
  summarize,
  summarizeCurl,
  type Meta,
} from './report.js';
import { soak, type SoakResult } from './soak.js';
import { Progress } from './progress.js';
import { describeMix, requestMix } from './workload.js';

/** Seconds spent per measurement besides the load itself: starting and stopping a server. */
const OVERHEAD_SECONDS_PER_MEASUREMENT = 0.3;
/** Seconds a curl hook is expected to take, for the progress estimate only. */
const SECONDS_PER_CURL_HOOK = 0.02;
/**
 * A measurement during which other processes took more than this share of the
 * measured core is taken once more, and the quieter of the two kept.
 */
const NOISY_CORE_PERCENT = 15;
/** Seconds the parser comparison takes (parser-speed.ts: warm-ups and rounds), for the progress estimate only. */
const PARSER_SPEED_SECONDS = 7;
/** How long the cores are watched to find the quietest. */
const QUIET_CORE_SAMPLE_MS = 1_000;

const HOOK_TARGETS: readonly HookTarget[] = ['none', ...SERVER_NAMES];

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function serversFor(scenario: Scenario, withBefore: boolean): readonly ServerName[] {
  // The baselines write no output socket; over one only the real servers run.
  const current: readonly ServerName[] =
    scenario.output === 'file' ? SERVER_NAMES : ['http', 'net'];
  return withBefore ? [...current, ...BEFORE_NAMES] : current;
}

async function quietestCore(cores: number): Promise<number> {
  const before = Array.from({ length: cores }, (_, cpu) => coreTimes(cpu));
  await new Promise((resolve) => setTimeout(resolve, QUIET_CORE_SAMPLE_MS));
  let quietest = 0;
  let lowest = Infinity;
  for (let cpu = 0; cpu < cores; cpu++) {
    const after = coreTimes(cpu);
    const start = before[cpu] as ReturnType<typeof coreTimes>;
    const busy =
      after.processes +
      after.interrupts +
      after.steal -
      (start.processes + start.interrupts + start.steal);
    if (busy < lowest) {
      lowest = busy;
      quietest = cpu;
    }
  }
  return quietest;
}

function commit(dir = ROOT): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
    // No optional locks: a benchmark must not hold the index while someone commits.
    const changed = execFileSync(
      'git',
      ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    ).trim();
    return changed === '' ? head : `${head}+changes`;
  } catch {
    return 'unknown';
  }
}

/** `pnpm bench --query [--quick]`: the query tool against jq on one large log, alone (query.ts). */
async function mainQuery(quick: boolean): Promise<number> {
  const result = await benchQuery(quick ? QUICK_LOG_BYTES : FULL_LOG_BYTES, (line) =>
    process.stderr.write(`${line}\n`),
  );
  process.stdout.write(queryReport(result));
  return 0;
}

/** `pnpm bench --viewers [--quick]`: hook throughput with 0 and 100 live views open (viewers.ts). */
async function mainViewers(quick: boolean): Promise<number> {
  const { report, ok } = await benchViewers(quick, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(report);
  return ok ? 0 : 1;
}

/**
 * `pnpm bench --store [--quick]`: the team store on a throwaway PostgreSQL (store.ts).
 * Where PostgreSQL is missing, one line says so and how to install it; an error only under CI_REQUIRE_POSTGRES=1.
 */
async function mainStore(quick: boolean): Promise<number> {
  const { result, skipped, failed } = await benchStore(quick, (line) =>
    process.stderr.write(`${line}\n`),
  );
  if (skipped !== undefined) {
    process.stdout.write(`\nThe team store: skipped: ${skipped}\n`);
    return failed ? 1 : 0;
  }
  process.stdout.write(`\n${storeMarkdown(result as NonNullable<typeof result>)}`);
  return 0;
}

/**
 * `pnpm bench --adversity [--quick] [--before DIR] [--only TEXT]`: issue 25's attacks (adversity.ts).
 * Fails on errors of the benchmark only: a server that misses a goal is a finding, not an error.
 */
async function mainAdversity(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseAdversityOptions>;
  let before: ReturnType<typeof beforeEntries> | undefined;
  try {
    options = parseAdversityOptions(argv);
    before = options.before === undefined ? undefined : beforeEntries(options.before);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const startedAt = performance.now();
  const servers =
    before === undefined ? (['http', 'net'] as const) : (['http', 'net', ...BEFORE_NAMES] as const);
  process.once('SIGINT', () => {
    killRunningServers();
    process.exit(130);
  });
  const { cells, windowSeconds } = await runAdversity(
    { quick: options.quick, only: options.only, servers, before },
    (line) => process.stderr.write(`${line}\n`),
  );
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    commit: commit(),
    before:
      options.before === undefined ? undefined : `${options.before} (${commit(options.before)})`,
    quick: options.quick,
    windowSeconds,
    elapsedSeconds: (performance.now() - startedAt) / 1000,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const resultsFile = join(
    RESULTS_DIR,
    `${meta.date.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}-adversity.json`,
  );
  writeFileSync(resultsFile, `${JSON.stringify({ meta, cells }, null, 2)}\n`);
  process.stdout.write(adversityMarkdown(meta, cells));
  process.stdout.write(`\nResults: ${resultsFile.slice(ROOT.length + 1)}\n`);
  return 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--adversity')) return mainAdversity(argv);
  if (argv.includes('--query')) return mainQuery(argv.includes('--quick'));
  if (argv.includes('--viewers')) return mainViewers(argv.includes('--quick'));
  if (argv.includes('--store')) return mainStore(argv.includes('--quick'));
  let plan: Plan | 'help';
  try {
    plan = parsePlan(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (plan === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const entry of Object.values(BENCH_SERVERS)) {
    if (!existsSync(entry.file)) {
      process.stderr.write(
        `bench: ${entry.file} is missing: build first (tsc -b && tsc -p test/bench)\n`,
      );
      return 1;
    }
  }
  let before: ReturnType<typeof beforeEntries> | undefined;
  try {
    before = plan.before === undefined ? undefined : beforeEntries(plan.before);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  const withBefore = before !== undefined;

  const startedAt = performance.now();
  const cores = cpuCount();
  if (plan.cpu !== undefined && !HAS_TASKSET) {
    process.stderr.write('bench: --cpu needs taskset (util-linux); nothing is pinned\n');
  }
  const cpu = !HAS_TASKSET ? undefined : (plan.cpu ?? (cores > 1 ? await quietestCore(cores) : 0));
  if (cpu !== undefined && cpu >= cores) {
    process.stderr.write(`bench: --cpu ${cpu}: this machine has cores 0 to ${cores - 1}\n`);
    return 2;
  }
  const otherCpu = cpu !== undefined && cores > 1 ? (cpu + 1) % cores : undefined;
  if (otherCpu !== undefined) pinSelf(otherCpu);
  const pinning =
    cpu === undefined
      ? 'not pinned (no taskset): ratios are less stable'
      : `server and load client pinned to core ${cpu} (taskset)${otherCpu !== undefined ? `, benchmark on core ${otherCpu}` : ''}`;

  const workDir = mkdtempSync(join(tmpdir(), 'hook-observatory-bench-'));
  const removeWorkDir = (): void => rmSync(workDir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    killRunningServers();
    removeWorkDir();
    process.exit(130);
  });
  const client = LoadClient.start(cpu);
  const mixes = {
    native: describeMix(requestMix('native')),
    curl: describeMix(requestMix('curl')),
  };
  // Every event line holds its body's fields: on average it is at least half the mean body.
  const minimumEventBytes = Math.min(mixes.native.meanBodyBytes, mixes.curl.meanBodyBytes) / 2;

  try {
    if (plan.mode === 'profile') {
      // The profiler samples wall time: with the load client on the server's core,
      // the client's turns would be counted to whatever the server was doing then.
      const profilingClient = otherCpu === undefined ? client : LoadClient.start(otherCpu);
      try {
        process.stdout.write(
          `${await profileServers(plan, { client: profilingClient, cpu, workDir, before })}\n`,
        );
      } finally {
        if (profilingClient !== client) await profilingClient.close();
      }
      return 0;
    }

    const context = {
      client,
      cpu,
      workDir,
      warmUpSeconds: plan.warmUpSeconds,
      measureSeconds: plan.measureSeconds,
      readers: plan.readers,
      minimumEventBytes,
      before,
    };
    const cellSeconds = plan.warmUpSeconds + plan.measureSeconds + OVERHEAD_SECONDS_PER_MEASUREMENT;
    const curlStepSeconds =
      plan.curlHooksPerRun * SECONDS_PER_CURL_HOOK + OVERHEAD_SECONDS_PER_MEASUREMENT;
    const cellsPerRun = plan.scenarios.reduce(
      (sum, scenario) => sum + serversFor(scenario, withBefore).length,
      0,
    );
    const curlStepsPerRun = plan.curlHooksPerRun > 0 ? HOOK_TARGETS.length * 2 : 0;
    const soakSteps = plan.soakSeconds > 0 ? 1 : 0;
    const parserSteps = withBefore ? 1 : 0;
    const progress = new Progress(
      plan.runs * (cellsPerRun * cellSeconds + curlStepsPerRun * curlStepSeconds) +
        soakSteps * (plan.soakSeconds + 2) +
        parserSteps * PARSER_SPEED_SECONDS,
      plan.runs * (cellsPerRun + curlStepsPerRun) + soakSteps + parserSteps,
    );

    const measurements: Measurement[] = [];
    let retakes = 0;
    const curl: CurlHookMeasurement[] = [];
    for (let run = 0; run < plan.runs; run++) {
      // Alternate the scenarios' order too, so that no load always comes first or last.
      const scenarios = run % 2 === 0 ? plan.scenarios : [...plan.scenarios].reverse();
      for (const scenario of scenarios) {
        for (const server of rotate(serversFor(scenario, withBefore), run)) {
          progress.step(
            `run ${run + 1}/${plan.runs} · ${describeScenario(scenario)} · ${server}`,
            cellSeconds,
          );
          let measured = await measure(context, run, scenario, server);
          if (measured.noise.otherProcessesPercent > NOISY_CORE_PERCENT) {
            retakes++;
            const again = await measure(context, run, scenario, server);
            if (again.noise.otherProcessesPercent < measured.noise.otherProcessesPercent) {
              measured = again;
            }
          }
          measurements.push(measured);
        }
      }
      for (const transport of plan.curlHooksPerRun > 0 ? (['tcp', 'unix'] as const) : []) {
        for (const target of rotate(HOOK_TARGETS, run)) {
          progress.step(
            `run ${run + 1}/${plan.runs} · curl hooks · ${transport} · ${target}`,
            curlStepSeconds,
          );
          curl.push(
            await measureCurlHooks({
              run,
              target,
              transport,
              requests: requestMix('curl'),
              hooks: plan.curlHooksPerRun,
              cpu,
              workDir,
            }),
          );
        }
      }
    }

    const soakOn = (server: ServerName, soakCpu: number | undefined): Promise<SoakResult> =>
      soak({ server, seconds: plan.soakSeconds, cpu: soakCpu, workDir, minimumEventBytes });
    let soaks: SoakResult[] = [];
    if (plan.soakSeconds > 0) {
      progress.step(
        `memory: http and net under steady load for ${plan.soakSeconds} s`,
        plan.soakSeconds + 2,
      );
      // Memory does not depend on speed: with two cores, both servers run at once, one per core.
      soaks =
        otherCpu !== undefined
          ? await Promise.all([soakOn('http', cpu), soakOn('net', otherCpu)])
          : [await soakOn('http', cpu), await soakOn('net', cpu)];
    }
    let parser: ParserSpeed | undefined;
    if (plan.before !== undefined) {
      progress.step('the two request parsers on the same bytes', PARSER_SPEED_SECONDS);
      parser = await parserSpeed(plan.before);
    }
    progress.done();

    const problems = [
      ...measurements.flatMap((measured) =>
        measured.problems.map((problem) => `${describeMeasurement(measured)}: ${problem}`),
      ),
      ...curl.flatMap((measured) =>
        measured.problems.map(
          (problem) =>
            `run ${measured.run + 1}, curl hooks, ${measured.transport}, ${measured.target}: ${problem}`,
        ),
      ),
      ...soaks.flatMap((soaked) =>
        soaked.problems.map((problem) => `memory run, ${soaked.server}: ${problem}`),
      ),
      ...(parser?.problems ?? []),
    ];
    const meta: Meta = {
      date: new Date().toISOString(),
      mode: plan.mode,
      node: process.version,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores,
      measuredCpu: cpu,
      pinning,
      runs: plan.runs,
      warmUpSeconds: plan.warmUpSeconds,
      measureSeconds: plan.measureSeconds,
      readers: plan.readers,
      commit: commit(),
      before:
        plan.before === undefined ? undefined : { dir: plan.before, commit: commit(plan.before) },
      retakes,
      mixes,
      elapsedSeconds: (performance.now() - startedAt) / 1000,
    };
    const rows = summarize(
      measurements,
      plan.scenarios,
      withBefore ? [...SERVER_NAMES, ...BEFORE_NAMES] : SERVER_NAMES,
    );
    const targets = evaluateTargets(measurements, TARGET_CONCURRENCIES);
    const beforeAfter = beforeAndAfter(rows, measurements);
    const curlRows = summarizeCurl(curl, rows);
    const noise = noiseSummary(measurements);

    mkdirSync(RESULTS_DIR, { recursive: true });
    const resultsFile = join(
      RESULTS_DIR,
      `${meta.date.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z')}-${plan.mode}.json`,
    );
    writeFileSync(
      resultsFile,
      `${JSON.stringify({ meta, targets, summary: rows, beforeAfter, parser, curl: curlRows, memory: soaks, noise, problems, measurements, curlMeasurements: curl }, null, 2)}\n`,
    );
    process.stdout.write(
      markdown({
        meta,
        rows,
        targets,
        curl: curlRows,
        soaks,
        noise,
        problems,
        beforeAfter,
        parser,
      }),
    );
    process.stdout.write(`\nResults: ${resultsFile.slice(ROOT.length + 1)}\n`);
    return problems.length > 0 ? 1 : 0;
  } finally {
    await client.close();
    removeWorkDir();
  }
}

/** The main plan, full or --quick, ends with the team store (skipped, said, without PostgreSQL). */
async function mainThenStore(): Promise<number> {
  const code = await main();
  const argv = process.argv.slice(2);
  if (['--adversity', '--query', '--viewers', '--store'].some((flag) => argv.includes(flag))) {
    return code;
  }
  let plan: Plan | 'help';
  try {
    plan = parsePlan(argv);
  } catch {
    return code;
  }
  if (plan === 'help' || (plan.mode !== 'full' && plan.mode !== 'quick')) return code;
  return Math.max(code, await mainStore(plan.mode === 'quick'));
}

process.exitCode = await mainThenStore();
