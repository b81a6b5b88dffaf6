/**
 * Differential fuzzing: fast-check builds traffic (hook payloads, framings,
 * headers, request lines, byte mutations, cuts into reads), and both servers
 * must capture the same bytes for it. `pnpm test` runs a fixed seed and a
 * bounded number of runs; `pnpm fuzz` runs many more with a random seed and,
 * on a mismatch, prints the seed and the smallest traffic that shows it.
 * Every mismatch found this way becomes a named case in cases/.
 *
 * Two properties: single connections of garbage (fuzz-traffic.ts), and mixed
 * scenarios of hooks, viewers of the event stream, garbage and shutdown, one
 * client after another (fuzz-scenario.ts), played with the stream's settings.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORTS, type Transport } from '@hook-observatory/launcher';
import { STREAM_ENVIRONMENT } from '@hook-observatory/conformance/cases/stream';
import { escapeBytes } from '@hook-observatory/conformance/harness/byte-diff';
import { differences } from '@hook-observatory/conformance/harness/compare';
import {
  fuzzCase,
  fuzzTraffic,
  trafficBytes,
} from '@hook-observatory/conformance/harness/fuzz-traffic';
import { fuzzScenario, scenarioCase } from '@hook-observatory/conformance/harness/fuzz-scenario';
import { ServerPair, type PairOptions } from '@hook-observatory/conformance/harness/server-pair';
import {
  stopsServer,
  type TrafficCase,
} from '@hook-observatory/conformance/harness/traffic-script';

/** The seed `pnpm test` always uses, so that CI runs the same traffic every time. */
const CI_SEED = 20_260_101;
/** Runs per transport in `pnpm test`: enough to cover every generator branch, a few seconds each. */
const CI_RUNS = 100;
/** Per run, the most a property may take on a busy machine (a run that finds nothing takes ~50 ms). */
const RUN_BUDGET_MS = 500;

const requestedRuns = process.env['CONFORMANCE_FUZZ_RUNS'];
const numRuns = requestedRuns === undefined ? CI_RUNS : Number(requestedRuns);
const seed =
  process.env['CONFORMANCE_FUZZ_SEED'] !== undefined
    ? Number(process.env['CONFORMANCE_FUZZ_SEED'])
    : requestedRuns === undefined
      ? CI_SEED
      : Math.floor(Math.random() * 2 ** 31);

/**
 * Times a mismatch is played again on the same pair before it counts. Where
 * node:http's answer depends on how the bytes were cut into reads (an error
 * in the same read as a complete request, the rest of a read after an
 * upgrade), a busy machine can merge two writes into one read for one server
 * and not the other; a real difference shows again, such a coincidence does not.
 */
const REPLAYS = 2;

/**
 * Runs per transport of the mixed scenarios in `pnpm test`: each plays several
 * clients, and one in twenty starts a pair of its own. Enough for every kind
 * (checked below), a few seconds each.
 */
const CI_MIXED_RUNS = 12;
const mixedRuns = requestedRuns === undefined ? CI_MIXED_RUNS : Number(requestedRuns);
/** Per mixed run, the most it may take: a shutdown starts a pair and may wait out the grace (5 s). */
const MIXED_RUN_BUDGET_MS = 2_000;

/**
 * Pairs of servers for one property: a shared pair, and fresh ones for cases
 * that stop their servers and for telling a real difference from leaked
 * state. A mismatch that persists on the shared pair is played on a fresh
 * pair: shown there too, it is real; gone, it came from what earlier runs left
 * in the shared pair (a ring, a counter), which is then replaced, and said so.
 */
class Pairs {
  private shared: ServerPair | undefined;
  private plays = 0;
  /** Mismatches that were gone on a fresh pair: the shared pair had drifted. */
  drifts = 0;

  constructor(
    private readonly transport: Transport,
    private readonly options: PairOptions,
  ) {}

  private async sharedPair(): Promise<ServerPair> {
    this.shared ??= await ServerPair.start(this.transport, this.options);
    return this.shared;
  }

  /** Play the case (built afresh for each play) on a fresh pair, then stop it. */
  private async onFreshPair(build: (nonce: string) => TrafficCase): Promise<string[]> {
    const fresh = await ServerPair.start(this.transport, this.options);
    try {
      const testCase = build(String(this.plays++));
      return differences(testCase, await fresh.play(testCase));
    } finally {
      await fresh.stop();
    }
  }

  private async onShared(build: (nonce: string) => TrafficCase): Promise<string[]> {
    const testCase = build(String(this.plays++));
    return differences(testCase, await (await this.sharedPair()).play(testCase));
  }

  /** The differences that hold on replay and on a fresh pair; empty when the servers agree. */
  async confirmed(build: (nonce: string) => TrafficCase): Promise<string[]> {
    const stops = stopsServer(build('probe'));
    const play = stops ? this.onFreshPair.bind(this) : this.onShared.bind(this);
    let found = await play(build);
    for (let replay = 0; replay < REPLAYS && found.length > 0; replay++) {
      const again = await play(build);
      if (again.length === 0) return again;
      found = again;
    }
    if (found.length === 0 || stops) return found;
    const fresh = await this.onFreshPair(build);
    if (fresh.length > 0) return fresh;
    this.drifts++;
    process.stdout.write(
      `fuzz over ${this.transport}: a mismatch on the shared pair was gone on a fresh pair; the shared pair is replaced\n${found.join('\n')}\n`,
    );
    await this.shared?.stop();
    this.shared = undefined;
    return [];
  }

  async stop(): Promise<void> {
    await this.shared?.stop();
  }
}

function fuzzProperty<T>(
  title: string,
  family: string,
  arbitrary: fc.Arbitrary<T>,
  build: (value: T, nonce: string) => TrafficCase,
  describeValue: (value: T, testCase: TrafficCase) => string,
  runs: number,
  runBudgetMs: number,
  options: PairOptions = {},
): void {
  describe.each(TRANSPORTS)(`${title} over %s`, (transport) => {
    let pairs: Pairs;
    beforeAll(() => {
      pairs = new Pairs(transport, options);
    });
    afterAll(async () => {
      await pairs?.stop();
    });

    it(
      'both servers capture the same bytes',
      async (context) => {
        process.stdout.write(
          `${title} over ${transport}: seed ${seed}, ${runs} runs (replay: CONFORMANCE_FUZZ_SEED=${seed} pnpm fuzz)\n`,
        );
        let identical = false;
        try {
          await fc.assert(
            fc.asyncProperty(arbitrary, async (value) => {
              const found = await pairs.confirmed((nonce) => build(value, nonce));
              if (found.length > 0) {
                throw new Error(
                  `the servers differ on ${describeValue(value, build(value, 'shown'))}\n${found.join('\n')}`,
                );
              }
            }),
            { seed, numRuns: runs },
          );
          identical = true;
        } finally {
          process.stdout.write(
            `${title} over ${transport}: ${pairs.drifts} mismatches gone on a fresh pair\n`,
          );
          context.task.meta.conformance = {
            family,
            caseName: `${title} seed ${seed}`,
            transport,
            scripts: runs,
            identical,
          };
        }
      },
      Math.max(60_000, runs * runBudgetMs),
    );
  });
}

fuzzProperty(
  'fuzz',
  'fuzz',
  fuzzTraffic,
  (traffic) => fuzzCase(traffic),
  (traffic, testCase) => {
    const reads = testCase.clients[0]!.steps.flatMap((step) =>
      'send' in step ? [escapeBytes(step.send)] : [],
    );
    return `${escapeBytes(trafficBytes(traffic))}\nsent as reads: ${JSON.stringify(reads)}`;
  },
  numRuns,
  RUN_BUDGET_MS,
);

/** Every client's steps, bytes escaped: what a mixed scenario did, in order. */
function scriptText(testCase: TrafficCase): string {
  return testCase.clients
    .map(
      (client, index) =>
        `client ${index}: ${JSON.stringify(
          client.steps.map((step) =>
            'send' in step
              ? { send: escapeBytes(step.send) }
              : 'sideRequest' in step
                ? { sideRequest: escapeBytes(step.sideRequest) }
                : step,
          ),
        )}`,
    )
    .join('\n');
}

fuzzProperty(
  'fuzz mixed (hooks, viewers, garbage, shutdown)',
  'fuzz-mixed',
  fuzzScenario,
  (scenario, nonce) => scenarioCase(scenario, nonce),
  (_scenario, testCase) => `\n${scriptText(testCase)}`,
  mixedRuns,
  MIXED_RUN_BUDGET_MS,
  { env: STREAM_ENVIRONMENT },
);

it("the CI seed's mixed scenarios hold a shutdown, HEAD and HTTP/1.0 viewers, hooks in a viewer's read and garbage behind a stream", () => {
  const scenarios = fc.sample(fuzzScenario, { seed: CI_SEED, numRuns: CI_MIXED_RUNS });
  const viewers = scenarios
    .flatMap((scenario) => scenario.actions)
    .flatMap((action) => (action.kind === 'viewer' ? [action] : []));
  const kinds = {
    shutdown: scenarios.some((scenario) => scenario.shutdown),
    head: viewers.some((viewer) => viewer.request.method === 'HEAD'),
    http10: viewers.some((viewer) => viewer.request.version === '1.0'),
    hooksBefore: viewers.some((viewer) => viewer.request.hooksBefore.length > 0),
    garbageBehind: viewers.some((viewer) =>
      viewer.watching.some((step) => step.kind === 'garbage'),
    ),
  };
  expect(kinds).toEqual({
    shutdown: true,
    head: true,
    http10: true,
    hooksBefore: true,
    garbageBehind: true,
  });
});
