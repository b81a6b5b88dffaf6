/**
 * `pnpm bench --profile`: run each real server, and the baseline each is
 * judged by, under load with V8's sampling profiler (node --cpu-prof, which
 * writes a .cpuprofile when the process exits) and list where its time went:
 * by function on its own (self), and for our own functions with everything
 * they call (total), each also in µs per answer.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeScenario, senderOf, type Plan } from './options.js';
import { BEFORE_NAMES, PROFILES_DIR, ROOT, type ServerName } from './paths.js';
import { startServer, type LoadClient, type ServerOptions } from './processes.js';

/** Microseconds between samples: finer than node's default 1,000, for short functions. */
const SAMPLING_INTERVAL_US = 250;
/** Functions listed per table. */
const TOP = 15;
// The baselines too: from the event limit to the net server is what HTTP costs,
// from bare node:http to the http server what our code adds to node:http.
const PROFILED_SERVERS: readonly ServerName[] = ['event-limit', 'net', 'bare', 'http'];

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds, on the profiler's own clock. */
  readonly startTime: number;
  readonly endTime: number;
}

export async function profileServers(
  plan: Plan,
  context: {
    client: LoadClient;
    cpu: number | undefined;
    workDir: string;
    before: ServerOptions['before'];
  },
): Promise<string> {
  mkdirSync(PROFILES_DIR, { recursive: true });
  const sections: string[] = ['# Where the servers spend their time', ''];
  for (const scenario of plan.scenarios) {
    for (const name of context.before === undefined
      ? PROFILED_SERVERS
      : [...PROFILED_SERVERS, ...BEFORE_NAMES]) {
      const label = `${name}-${describeScenario(scenario).replaceAll(' ', '-')}`;
      process.stderr.write(`profiling ${label} for ${plan.measureSeconds} s\n`);
      const dir = mkdtempSync(join(context.workDir, `profile-${name}-`));
      const server = await startServer(name, {
        transport: scenario.transport,
        output: scenario.output,
        dir,
        cpu: context.cpu,
        before: context.before,
        nodeArgs: [
          '--cpu-prof',
          `--cpu-prof-dir=${PROFILES_DIR}`,
          `--cpu-prof-name=${label}.cpuprofile`,
          `--cpu-prof-interval=${SAMPLING_INTERVAL_US}`,
        ],
      });
      let answers = 0;
      try {
        const result = await context.client.order({
          kind: 'load',
          target: server.target,
          sender: senderOf(scenario.connection),
          connections: scenario.concurrency,
          connectionPerRequest: scenario.connection === 'per-request',
          seconds: plan.warmUpSeconds + plan.measureSeconds,
        });
        answers = result.ok + result.non2xx;
      } finally {
        // The profile is written as the server exits.
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
      const file = join(PROFILES_DIR, `${label}.cpuprofile`);
      sections.push(
        `## ${name}, ${describeScenario(scenario)}`,
        '',
        `Profile: ${file.slice(ROOT.length + 1)}`,
        '',
        summarizeProfile(file, answers),
        '',
      );
    }
  }
  return sections.join('\n');
}

function frameKey(frame: CallFrame): string {
  const where = frame.url.replace(`file://${ROOT}/`, '').replace(/^node:/, '');
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return where === '' ? name : `${name} ${where}:${frame.lineNumber + 1}`;
}

/** V8's pseudo-frames: not functions, but what the thread was doing instead. */
const PSEUDO_FRAMES = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/**
 * The profile's tables. With the answers the server gave while profiled, each
 * row also says its CPU time per answer: servers that answered different numbers
 * of requests in the same seconds compare line by line.
 */
export function summarizeProfile(file: string, answers: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let samples = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    samples += hits;
    const key = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + hits);
    // Each function on the stack counts once, however often it recurses.
    const onStack = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
      const frame = (byId.get(id) as ProfileNode).callFrame;
      if (frame.url.startsWith(`file://${ROOT}/packages/`)) onStack.add(frameKey(frame));
    }
    for (const ourKey of onStack) total.set(ourKey, (total.get(ourKey) ?? 0) + hits);
  }
  const percent = (hits: number): string => `${((100 * hits) / samples).toFixed(1)} %`;
  const microsecondsPerSample = (profile.endTime - profile.startTime) / samples;
  const perAnswer = (hits: number): string =>
    answers === 0 ? '-' : ((hits * microsecondsPerSample) / answers).toFixed(1);
  const pseudo = [...PSEUDO_FRAMES]
    .map((name) => `${name} ${percent(self.get(name) ?? 0)}`)
    .join(', ');
  const top = (map: Map<string, number>, skipPseudo: boolean): string[] =>
    [...map.entries()]
      .filter(([key]) => !(skipPseudo && PSEUDO_FRAMES.has(key)))
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([key, hits]) => `| ${percent(hits)} | ${perAnswer(hits)} | \`${key}\` |`);
  const busy = samples - (self.get('(idle)') ?? 0);
  return [
    `${samples} samples; ${pseudo}. ${answers} answers; ${perAnswer(busy)} µs of CPU (not idle) per answer.`,
    '',
    '| self | µs/answer | function |',
    '| --- | --: | --- |',
    ...top(self, true),
    '',
    '| total | µs/answer | our function (with what it calls) |',
    '| --- | --: | --- |',
    ...top(total, false),
  ].join('\n');
}
