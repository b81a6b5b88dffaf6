/**
 * Differential fuzzing: fast-check builds traffic (hook payloads, framings,
 * headers, request lines, byte mutations, cuts into reads), and both servers
 * must capture the same bytes for it. `pnpm test` runs a fixed seed and a
 * bounded number of runs; `pnpm fuzz` runs many more with a random seed and,
 * on a mismatch, prints the seed and the smallest traffic that shows it.
 * Every mismatch found this way becomes a named case in cases/.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TRANSPORTS } from '@hook-observatory/launcher';
import { escapeBytes } from '@hook-observatory/conformance/harness/byte-diff';
import { differences } from '@hook-observatory/conformance/harness/compare';
import {
  fuzzCase,
  fuzzTraffic,
  trafficBytes,
} from '@hook-observatory/conformance/harness/fuzz-traffic';
import { ServerPair } from '@hook-observatory/conformance/harness/server-pair';
import type { TrafficCase } from '@hook-observatory/conformance/harness/traffic-script';

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
 * Times a mismatch is played again before it counts. Where node:http's answer
 * depends on how the bytes were cut into reads (an error in the same read as a
 * complete request, the rest of a read after an upgrade), a busy machine can
 * merge two writes into one read for one server and not the other; a real
 * difference shows again, such a coincidence does not.
 */
const REPLAYS = 2;

async function confirmedDifferences(pair: ServerPair, testCase: TrafficCase): Promise<string[]> {
  let found = differences(testCase, await pair.play(testCase));
  for (let replay = 0; replay < REPLAYS && found.length > 0; replay++) {
    const again = differences(testCase, await pair.play(testCase));
    if (again.length === 0) return again;
    found = again;
  }
  return found;
}

describe.each(TRANSPORTS)('fuzz over %s', (transport) => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await ServerPair.start(transport);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it(
    'random traffic: both servers capture the same bytes',
    async (context) => {
      process.stdout.write(
        `fuzz over ${transport}: seed ${seed}, ${numRuns} runs (replay: CONFORMANCE_FUZZ_SEED=${seed} pnpm fuzz)\n`,
      );
      let identical = false;
      try {
        await fc.assert(
          fc.asyncProperty(fuzzTraffic, async (traffic) => {
            const testCase = fuzzCase(traffic);
            const found = await confirmedDifferences(pair, testCase);
            if (found.length > 0) {
              const reads = testCase.clients[0]!.steps.flatMap((step) =>
                'send' in step ? [escapeBytes(step.send)] : [],
              );
              throw new Error(
                `the servers differ on ${escapeBytes(trafficBytes(traffic))}\nsent as reads: ${JSON.stringify(reads)}\n${found.join('\n')}`,
              );
            }
          }),
          { seed, numRuns },
        );
        identical = true;
      } finally {
        context.task.meta.conformance = {
          family: 'fuzz',
          caseName: `random-traffic seed ${seed}`,
          transport,
          scripts: numRuns,
          identical,
        };
      }
    },
    Math.max(60_000, numRuns * RUN_BUDGET_MS),
  );
});
