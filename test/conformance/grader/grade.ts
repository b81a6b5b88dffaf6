/**
 * Grade a server: play every conformance case against it and against node:http
 * (the reference, the http server), and count per group the cases whose
 * captures are identical. The first failure of each group is kept with what a
 * student needs to fix it: the bytes sent, both answers, the note.
 */
import type { Transport } from '@hook-observatory/launcher';
import { FAMILIES, GROUPS, groupOf, type Family } from '../families.js';
import { differences } from '../harness/compare.js';
import { ServerPair } from '../harness/server-pair.js';
import type { TrafficCase } from '../harness/traffic-script.js';
import type { Subject } from './subjects.js';

export interface GradeOptions {
  readonly transport?: Transport;
  /** Leave out the cases that wait for the server's timers (counted as skipped). */
  readonly skipTimed?: boolean;
  /** Only these families (by name); all when not given. */
  readonly families?: readonly string[];
  /** Families played at once, each on its own pair of servers. */
  readonly parallel?: number;
}

export interface FirstFailure {
  readonly family: string;
  readonly caseName: string;
  readonly sent: readonly Buffer[];
  readonly differences: readonly string[];
}

export interface GroupScore {
  cases: number;
  identical: number;
  firstFailure?: FirstFailure;
}

export interface Grade {
  readonly cases: number;
  readonly identical: number;
  readonly skipped: number;
  readonly groups: Readonly<Record<string, GroupScore>>;
}

/** The default for --parallel: two cores, shared. */
export const DEFAULT_PARALLEL_FAMILIES = 2;

const bytesSent = (testCase: TrafficCase): Buffer[] =>
  testCase.clients.flatMap((client) => client.steps.flatMap((step) => ('send' in step ? [step.send] : [])));

/**
 * Play a family's cases on one pair of servers. A case that cannot be played
 * (a server that never answers or dies) is a difference; the pair is then
 * started afresh, so that what is left of that case cannot leak into the next.
 */
async function playFamily(subject: Subject, family: Family, transport: Transport): Promise<Array<{ testCase: TrafficCase; found: string[] }>> {
  const start = (): Promise<ServerPair> => ServerPair.start(transport, { subject, ...(family.env === undefined ? {} : { env: family.env }) });
  let pair = await start();
  try {
    const results = [];
    for (const testCase of family.cases) {
      if (testCase.only !== undefined && testCase.only !== transport) continue;
      try {
        results.push({ testCase, found: differences(testCase, await pair.play(testCase)) });
      } catch (error) {
        results.push({ testCase, found: [`the case could not be played: ${(error as Error).message}`] });
        await pair.stop();
        pair = await start();
      }
    }
    return results;
  } finally {
    await pair.stop();
  }
}

export async function grade(subject: Subject, options: GradeOptions = {}): Promise<Grade> {
  const transport = options.transport ?? 'tcp';
  const groups: Record<string, GroupScore> = Object.fromEntries(GROUPS.map((group) => [group.name, { cases: 0, identical: 0 }]));
  let skipped = 0;
  const unknown = options.families?.filter((name) => !FAMILIES.some((family) => family.family === name)) ?? [];
  if (unknown.length > 0) throw new Error(`no such family: ${unknown.join(', ')}`);
  const chosen = FAMILIES.filter((family) => options.families?.includes(family.family) ?? true);
  const played = chosen.filter((family) => {
    if (!(family.timed && options.skipTimed)) return true;
    skipped += family.cases.filter((testCase) => testCase.only === undefined || testCase.only === transport).length;
    return false;
  });
  const outcomes = new Array<Awaited<ReturnType<typeof playFamily>>>(played.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < played.length) {
      const index = next++;
      outcomes[index] = await playFamily(subject, played[index]!, transport);
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? DEFAULT_PARALLEL_FAMILIES }, lane));
  played.forEach((family, index) => {
    for (const { testCase, found } of outcomes[index]!) {
      const score = groups[groupOf(family.family, testCase.name).name]!;
      score.cases++;
      if (found.length === 0) score.identical++;
      else score.firstFailure ??= { family: family.family, caseName: testCase.name, sent: bytesSent(testCase), differences: found };
    }
  });
  const scores = Object.values(groups);
  return {
    cases: scores.reduce((sum, score) => sum + score.cases, 0),
    identical: scores.reduce((sum, score) => sum + score.identical, 0),
    skipped,
    groups,
  };
}
