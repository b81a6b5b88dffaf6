/**
 * Run every wire scenario against a real server and render what it wrote, as
 * a note shows it: the `Date` header and the port fixed, as packages/tools's
 * shown.ts shows every answer.
 */
import { fencedBody, type GeneratedBlock } from './blocks.js';
import { exchange, type ClientStep, type TranscriptEntry } from './exchange.js';
import { SERVER_NAMES, type ServerName } from '@hook-observatory/launcher';
import { startServer, type RunningServer } from '@hook-observatory/launcher';
import { display } from '@hook-observatory/tools/shown';
import { PARTS, SCENARIOS, SETUP_ENV, type Part, type Scenario, type ServerSetup } from './wire-scenarios.js';

const SETUPS = Object.keys(SETUP_ENV) as ServerSetup[];

/** What a server wrote, part by part, and the conversation in order (for the sequence diagrams). */
export type Capture = Partial<Record<Part, string>> & { transcript?: readonly TranscriptEntry[] };
/** Per server, per scenario, what it wrote. */
export type Captures = Record<ServerName, Map<string, Capture>>;

const LANGUAGE: Readonly<Record<Part, string>> = { request: 'http', response: 'http', event: 'json', log: 'text' };

/** `Host: HOST` in a step stands for the server's real address. */
function withHost(step: ClientStep, port: number): ClientStep {
  if (!('send' in step)) return step;
  const placeholder = Buffer.from('Host: HOST\r\n');
  const real = Buffer.from(`Host: 127.0.0.1:${port}\r\n`);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = step.send.indexOf(placeholder); at !== -1; at = step.send.indexOf(placeholder, from)) {
    parts.push(step.send.subarray(from, at), real);
    from = at + placeholder.length;
  }
  parts.push(step.send.subarray(from));
  return { send: Buffer.concat(parts) };
}

async function runScenario(server: RunningServer, scenario: Scenario, eventsBefore: number): Promise<Capture> {
  if (scenario.steps.length === 0) return {};
  const logBefore = server.stderr().length;
  const steps = scenario.steps.map((step) => withHost(step, server.port));
  const { received: response, transcript } = await exchange(server.port, steps, scenario.halfClose);
  const lines = await server.waitForLines(eventsBefore + scenario.events);
  const sent = Buffer.concat(steps.flatMap((step) => ('send' in step ? [step.send] : [])));
  const capture: Capture = { request: display(sent, server.port), response: display(response, server.port), transcript };
  if (scenario.events > 0) capture.event = lines.slice(eventsBefore, eventsBefore + scenario.events).join('\n');
  // A refusal is logged before its answer is written, so the line is there once the answer is.
  const log = server.stderr().slice(logBefore);
  if (log !== '') capture.log = display(Buffer.from(log), server.port);
  return capture;
}

/** Every scenario of one setup, in order, on one server process. */
async function captureSetup(name: ServerName, setup: ServerSetup, captures: Map<string, Capture>, wanted: ScenarioFilter): Promise<void> {
  const scenarios = SCENARIOS.filter((scenario) => (scenario.setup ?? 'default') === setup && wanted(scenario));
  if (scenarios.length === 0) return;
  const server = await startServer(name, { env: SETUP_ENV[setup], fixedClock: setup !== 'plain' });
  try {
    let events = 0;
    for (const scenario of scenarios) {
      const capture = await runScenario(server, scenario, events).catch((error: unknown) => {
        throw new Error(`${name} server, scenario ${scenario.name}: ${(error as Error).message}`);
      });
      captures.set(scenario.name, capture);
      events += scenario.events;
    }
    const lines = await server.waitForLines(events);
    if (lines.length !== events) throw new Error(`${name}: ${lines.length} events written, ${events} expected`);
  } finally {
    await server.stop();
  }
  if (setup === 'plain') {
    // As a user sees it: everything the server said from start to stop.
    for (const scenario of scenarios) captures.set(scenario.name, { log: display(Buffer.from(server.stderr()), server.port) });
  }
}

/** Which scenarios to run: all of them, unless a caller needs only a few. */
export type ScenarioFilter = (scenario: Scenario) => boolean;

async function captureServer(name: ServerName, wanted: ScenarioFilter): Promise<Map<string, Capture>> {
  const captures = new Map<string, Capture>();
  for (const setup of SETUPS) await captureSetup(name, setup, captures, wanted);
  return captures;
}

export async function captureAll(wanted: ScenarioFilter = () => true): Promise<Captures> {
  const entries: Array<[ServerName, Map<string, Capture>]> = [];
  for (const name of SERVER_NAMES) entries.push([name, await captureServer(name, wanted)]);
  return Object.fromEntries(entries) as Captures;
}

/**
 * Where the two servers' captures differ. They must not, except in the one
 * place they are meant to: each names itself in its log.
 */
export function differences(captures: Captures): string[] {
  const found: string[] = [];
  for (const [scenario, http] of captures.http) {
    const net = captures.net.get(scenario) ?? {};
    for (const part of PARTS) {
      const httpText = http[part]?.replace('(node:http)', '(node:net)');
      if (httpText !== net[part]) {
        found.push(`${scenario} ${part}:\n--- node:http\n${http[part] ?? '(none)'}\n--- node:net\n${net[part] ?? '(none)'}`);
      }
    }
  }
  return found;
}

/** The body of `<!-- wire SCENARIO PART [SERVER] -->`; SERVER is http unless named. */
export function renderWire(block: GeneratedBlock, captures: Captures): string {
  const [scenario, part, server = 'http'] = block.args as [string, string, string?];
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`wire at line ${block.line}: no part "${part}" (${PARTS.join(', ')})`);
  if (server !== 'http' && server !== 'net') throw new Error(`wire at line ${block.line}: no server "${server}"`);
  const capture = captures[server].get(scenario);
  if (capture === undefined) throw new Error(`wire at line ${block.line}: no scenario "${scenario}"`);
  const text = capture[part as Part];
  if (text === undefined) throw new Error(`wire at line ${block.line}: scenario "${scenario}" has no ${part}`);
  return fencedBody(LANGUAGE[part as Part], text.replace(/\n$/, ''));
}
