/**
 * What a benchmark run measures and for how long: the full plan (`pnpm bench`),
 * the quick one CI runs to prove the benchmark still works (`--quick`), and
 * the profiling run (`--profile`).
 */
import { parseArgs } from 'node:util';
import type { Output, Transport } from './processes.js';

export type Connection = 'keep-alive' | 'per-request';

export interface Scenario {
  /** keep-alive: Claude Code's native HTTP hooks; per-request: curl command hooks. */
  readonly connection: Connection;
  readonly concurrency: number;
  readonly transport: Transport;
  readonly output: Output;
}

export interface Plan {
  readonly mode: 'full' | 'quick' | 'profile' | 'targets';
  /** Interleaved runs of every scenario; figures are medians over them. */
  readonly runs: number;
  readonly warmUpSeconds: number;
  readonly measureSeconds: number;
  readonly scenarios: readonly Scenario[];
  /** Output-socket readers attached to a server in an `output: 'socket'` scenario. */
  readonly readers: number;
  /** curl hooks run one after another against each server, per run; 0: none. */
  readonly curlHooksPerRun: number;
  /** 0: no memory run. */
  readonly soakSeconds: number;
  /** The core to measure on; undefined: the quietest at startup. */
  readonly cpu: number | undefined;
  /** A checkout of this repository, built, whose two servers are measured beside these (`--before`). */
  readonly before: string | undefined;
}

export const CONCURRENCIES = [1, 16, 64] as const;
/** The concurrencies the targets are judged at (report.ts, TARGETS): Claude Code's parallel hooks, and a burst. */
export const TARGET_CONCURRENCIES = [16, 64] as const;
/**
 * Runs by default: the targets are medians of at least five interleaved runs,
 * so that one run disturbed by the machine moves no verdict.
 */
export const DEFAULT_RUNS = 5;
const TRANSPORTS: readonly Transport[] = ['tcp', 'unix'];
const CONNECTIONS: readonly Connection[] = ['keep-alive', 'per-request'];

/**
 * Every load over a file, and the output socket at the middle concurrency
 * only: the socket changes what the server writes to, not how it reads.
 */
function fullScenarios(): Scenario[] {
  const scenarios: Scenario[] = [];
  for (const connection of CONNECTIONS) {
    for (const transport of TRANSPORTS) {
      for (const concurrency of CONCURRENCIES) {
        scenarios.push({ connection, concurrency, transport, output: 'file' });
      }
      scenarios.push({ connection, concurrency: 16, transport, output: 'socket' });
    }
  }
  return scenarios;
}

/** One of each: both loads, both transports, both outputs, every server, briefly. */
const QUICK_SCENARIOS: readonly Scenario[] = [
  { connection: 'keep-alive', concurrency: 16, transport: 'tcp', output: 'file' },
  { connection: 'per-request', concurrency: 16, transport: 'unix', output: 'file' },
  { connection: 'keep-alive', concurrency: 1, transport: 'unix', output: 'socket' },
  { connection: 'per-request', concurrency: 64, transport: 'tcp', output: 'socket' },
];

/** The loads the targets are judged on: both connection kinds over TCP into a file, at each target concurrency. */
const TARGET_SCENARIOS: readonly Scenario[] = CONNECTIONS.flatMap((connection) =>
  TARGET_CONCURRENCIES.map((concurrency) => ({
    connection,
    concurrency,
    transport: 'tcp' as const,
    output: 'file' as const,
  })),
);

export const USAGE = `Usage: pnpm bench [--quick | --targets | --profile | --query | --viewers | --store] [--before DIR]
                  [--runs N] [--seconds S] [--cpu N] [--only TEXT]
       pnpm bench --adversity [--quick] [--before DIR] [--only TEXT]

  --quick      one brief run of every server, load, transport and output, to
               prove the benchmark works (CI); fails on any error, not on speed
  --targets    only the loads the targets are judged on (keep-alive and per
               request, TCP, file, c16 and c64), without curl hooks or memory run
  --before DIR also measure the two servers of DIR, another checkout of this
               repository built with tsc -b (e.g. git worktree add DIR main~5),
               in the same runs: a before-and-after table, and the two request
               parsers on the same bytes (with --profile: their profiles too)
  --profile    take a CPU profile (node --cpu-prof) of each server under load
               and list where its time goes
  --runs N     interleaved runs; figures are medians over them (default ${DEFAULT_RUNS})
  --seconds S  measured seconds per server and load (default 1.5)
  --cpu N      the core to measure on (default: the quietest at startup)
  --query      only hook-observatory-query against jq on a 1 GiB log (20 MiB
               with --quick): wall time and peak RSS of each
  --viewers    only hook throughput with 0 and 100 live views open (GET /events),
               and the ratio; every viewer not cut off for reading too slowly
               must get every event (brief with --quick)
  --store      only the team store on a throwaway PostgreSQL (brief with
               --quick; also the end of every full or --quick run): events/s
               one database takes from several receivers at once, and the hook's
               latency with the store off, on, slow and down; skipped, said,
               where PostgreSQL is not installed
  --only TEXT  only the loads whose name holds TEXT, e.g. "keep-alive c16 tcp",
               without the curl hooks and the memory run
  --adversity  issue 25's attacks on both servers (and --before's), a probe hook
               every 10 ms meanwhile: probe p50/p99 against a calm run, RSS,
               events lost and torn, exits (adversity.ts); --quick: every kind
               of attack briefly, failing on errors only; --only TEXT: the
               attacks whose name holds TEXT
`;

export interface AdversityOptions {
  readonly quick: boolean;
  readonly before: string | undefined;
  readonly only: string | undefined;
}

/** The flags of \`pnpm bench --adversity\`. */
export function parseAdversityOptions(argv: readonly string[]): AdversityOptions {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      adversity: { type: 'boolean' },
      quick: { type: 'boolean' },
      before: { type: 'string' },
      only: { type: 'string' },
    },
  });
  return { quick: values.quick === true, before: values.before, only: values.only };
}

export function parsePlan(argv: readonly string[]): Plan | 'help' {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      targets: { type: 'boolean' },
      profile: { type: 'boolean' },
      before: { type: 'string' },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      cpu: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if ([values.quick, values.profile, values.targets].filter(Boolean).length > 1) {
    throw new Error('--quick, --targets and --profile cannot be combined');
  }
  const before = values.before;
  const cpu = values.cpu === undefined ? undefined : wholeNumber(values.cpu, '--cpu', 0);
  const only = values.only;
  const chosen = (scenarios: readonly Scenario[]): readonly Scenario[] => {
    if (only === undefined) return scenarios;
    const kept = scenarios.filter((scenario) => describeScenario(scenario).includes(only));
    if (kept.length === 0) {
      throw new Error(`--only: no load is named like "${only}" (e.g. "keep-alive c16 tcp file")`);
    }
    return kept;
  };
  if (values.quick) {
    return {
      mode: 'quick',
      runs: 1,
      warmUpSeconds: 0.2,
      measureSeconds: 0.3,
      scenarios: chosen(QUICK_SCENARIOS),
      readers: 2,
      curlHooksPerRun: only === undefined ? 2 : 0,
      soakSeconds: only === undefined ? 2 : 0,
      cpu,
      before,
    };
  }
  const mode = values.profile ? 'profile' : values.targets ? 'targets' : 'full';
  const whole = only === undefined && mode === 'full';
  return {
    mode,
    runs: values.runs === undefined ? DEFAULT_RUNS : wholeNumber(values.runs, '--runs', 1),
    // V8 compiles the hot paths on background threads, which share the measured
    // core: after half a second those jobs were still running, and added up to
    // 12 µs of CPU per request to the per-request figures. After 2 s they are done.
    warmUpSeconds: 2,
    measureSeconds:
      values.seconds === undefined ? (values.profile ? 5 : 1.5) : positiveSeconds(values.seconds),
    // A profile is taken under the loads the targets are judged on.
    scenarios: chosen(mode === 'full' ? fullScenarios() : TARGET_SCENARIOS),
    readers: 2,
    curlHooksPerRun: whole ? 15 : 0,
    // The target: memory flat over a 60-second run.
    soakSeconds: whole ? 60 : 0,
    cpu,
    before,
  };
}

function wholeNumber(text: string, flag: string, minimum: number): number {
  if (!/^\d+$/.test(text) || Number(text) < minimum) {
    throw new Error(`${flag}: "${text}" is not a whole number >= ${minimum}`);
  }
  return Number(text);
}

function positiveSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`--seconds: "${text}" is not a positive number`);
  }
  return seconds;
}

export function senderOf(connection: Connection): 'native' | 'curl' {
  return connection === 'keep-alive' ? 'native' : 'curl';
}

export function describeScenario(scenario: Scenario): string {
  return `${scenario.connection} c${scenario.concurrency} ${scenario.transport} ${scenario.output}`;
}
