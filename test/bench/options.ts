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
  readonly mode: 'full' | 'quick' | 'profile';
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
}

export const CONCURRENCIES = [1, 16, 64] as const;
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
      for (const concurrency of CONCURRENCIES) scenarios.push({ connection, concurrency, transport, output: 'file' });
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

/** The loads a profile is taken under. */
export const PROFILE_SCENARIOS: readonly Scenario[] = [
  { connection: 'keep-alive', concurrency: 16, transport: 'tcp', output: 'file' },
  { connection: 'per-request', concurrency: 16, transport: 'tcp', output: 'file' },
];

export const USAGE = `Usage: pnpm bench [--quick | --profile | --query | --viewers] [--runs N] [--seconds S] [--cpu N] [--only TEXT]

  --quick      one brief run of every server, load, transport and output, to
               prove the benchmark works (CI); fails on any error, not on speed
  --profile    take a CPU profile (node --cpu-prof) of each server under load
               and list where its time goes
  --runs N     interleaved runs; figures are medians over them (default 3)
  --seconds S  measured seconds per server and load (default 1.5)
  --cpu N      the core to measure on (default: the quietest at startup)
  --query      only hook-observatory-query against jq on a 1 GiB log (20 MiB
               with --quick): wall time and peak RSS of each
  --viewers    only hook throughput with 0 and 100 live views open (GET /events),
               and the ratio; every viewer must get every event (brief with --quick)
  --only TEXT  only the loads whose name holds TEXT, e.g. "keep-alive c16 tcp",
               without the curl hooks and the memory run
`;

export function parsePlan(argv: readonly string[]): Plan | 'help' {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      profile: { type: 'boolean' },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      cpu: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.quick && values.profile) throw new Error('--quick and --profile cannot be combined');
  const cpu = values.cpu === undefined ? undefined : wholeNumber(values.cpu, '--cpu', 0);
  const only = values.only;
  const chosen = (scenarios: readonly Scenario[]): readonly Scenario[] => {
    if (only === undefined) return scenarios;
    const kept = scenarios.filter((scenario) => describeScenario(scenario).includes(only));
    if (kept.length === 0) throw new Error(`--only: no load is named like "${only}" (e.g. "keep-alive c16 tcp file")`);
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
    };
  }
  return {
    mode: values.profile ? 'profile' : 'full',
    runs: values.runs === undefined ? 3 : wholeNumber(values.runs, '--runs', 1),
    // V8 compiles the hot paths on background threads, which share the measured
    // core: after half a second those jobs were still running, and added up to
    // 12 µs of CPU per request to the per-request figures. After 2 s they are done.
    warmUpSeconds: 2,
    measureSeconds: values.seconds === undefined ? (values.profile ? 5 : 1.5) : positiveSeconds(values.seconds),
    scenarios: chosen(values.profile ? PROFILE_SCENARIOS : fullScenarios()),
    readers: 2,
    curlHooksPerRun: only === undefined ? 15 : 0,
    // The target: memory flat over a 60-second run.
    soakSeconds: only === undefined ? 60 : 0,
    cpu,
  };
}

function wholeNumber(text: string, flag: string, minimum: number): number {
  if (!/^\d+$/.test(text) || Number(text) < minimum) throw new Error(`${flag}: "${text}" is not a whole number >= ${minimum}`);
  return Number(text);
}

function positiveSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--seconds: "${text}" is not a positive number`);
  return seconds;
}

export function senderOf(connection: Connection): 'native' | 'curl' {
  return connection === 'keep-alive' ? 'native' : 'curl';
}

export function describeScenario(scenario: Scenario): string {
  return `${scenario.connection} c${scenario.concurrency} ${scenario.transport} ${scenario.output}`;
}
