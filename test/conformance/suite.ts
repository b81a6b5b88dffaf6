/**
 * A table of cases becomes a vitest suite: for each transport, both servers
 * are started once, every case is played against both, and a case passes when
 * the captures are identical and meet the case's expectation.
 */
import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
import { TRANSPORTS, type Transport } from '@hook-observatory/launcher';
import {
  differences,
  REFERENCE,
  SUBJECT,
  unmetExpectations,
} from '@hook-observatory/conformance/harness/compare';
import {
  ServerPair,
  type PairCapture,
  type PairOptions,
} from '@hook-observatory/conformance/harness/server-pair';
import {
  stopsServer,
  type TrafficCase,
} from '@hook-observatory/conformance/harness/traffic-script';

/** What each conformance test leaves for the summary reporter (summary-reporter.ts). */
export interface ConformanceMeta {
  readonly family: string;
  readonly caseName: string;
  readonly transport: Transport;
  /** Client scripts the case played (a split family plays one per split point). */
  readonly scripts: number;
  readonly identical: boolean;
}

declare module 'vitest' {
  interface TaskMeta {
    conformance?: ConformanceMeta;
  }
}

export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

/** Play `testCase`, record the outcome for the summary, and fail with a readable diff. */
export async function checkCase(
  pair: ServerPair,
  family: string,
  testCase: TrafficCase,
  context: TestContext,
): Promise<PairCapture> {
  const capture = await pair.play(testCase);
  const found = differences(testCase, capture);
  context.task.meta.conformance = {
    family,
    caseName: testCase.name,
    transport: pair.transport,
    scripts: testCase.clients.length,
    identical: found.length === 0,
  };
  if (found.length > 0) {
    throw new ConformanceFailure(
      `${testCase.name} over ${pair.transport}: ${REFERENCE} and ${SUBJECT} differ\n${found.join('\n')}`,
    );
  }
  const unmet = unmetExpectations(testCase, capture[REFERENCE]);
  if (unmet.length > 0) {
    throw new ConformanceFailure(
      `${testCase.name} over ${pair.transport}: both servers agree, but not with the case\n  ${unmet.join('\n  ')}`,
    );
  }
  return capture;
}

/**
 * One describe block per transport, both servers started once for all its
 * cases, but a case that stops its servers (a shutdown step) gets its own.
 */
export function conformanceSuite(
  family: string,
  cases: readonly TrafficCase[],
  options: PairOptions = {},
  transports: readonly Transport[] = TRANSPORTS,
): void {
  // One name may stand for one case per transport, when the transports differ in what they send.
  const covered = new Map<string, Set<Transport>>();
  for (const testCase of cases) {
    const seen = covered.get(testCase.name) ?? new Set<Transport>();
    for (const transport of testCase.only === undefined ? transports : [testCase.only]) {
      if (seen.has(transport)) throw new Error(`${family}: two cases are named ${testCase.name}`);
      seen.add(transport);
    }
    covered.set(testCase.name, seen);
  }
  describe.each(transports)(`${family} over %s`, (transport) => {
    let shared: ServerPair | undefined;
    beforeAll(async () => {
      if (!cases.every(stopsServer)) shared = await ServerPair.start(transport, options);
    });
    afterAll(async () => {
      await shared?.stop();
    });
    for (const testCase of cases) {
      if (testCase.only !== undefined && testCase.only !== transport) continue;
      it(testCase.name, async (context) => {
        if (!stopsServer(testCase)) {
          try {
            return void (await checkCase(shared as ServerPair, family, testCase, context));
          } catch (error) {
            // A case that ends without a capture can leave events still to come, which the
            // next case would take for its own: it gets servers started afresh.
            if (!(error instanceof ConformanceFailure)) {
              await shared?.stop();
              shared = await ServerPair.start(transport, options);
            }
            throw error;
          }
        }
        const own = await ServerPair.start(transport, options);
        try {
          await checkCase(own, family, testCase, context);
        } finally {
          await own.stop();
        }
      });
    }
  });
}
