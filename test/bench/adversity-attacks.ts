/**
 * The attacks of issue 25, each as a local process would make it, with raw
 * sockets so that every byte is the one the issue names. An attack runs until
 * its deadline and says what it saw; adversity.ts starts the server it needs,
 * probes it meanwhile and counts what the server wrote.
 */
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { READER_HARD_LIMIT_BYTES } from '@hook-observatory/core/internal/sinks';
import { countJsonLines } from './adversity-report.js';

/** What an attack may use: the server's port and paths, and a count of the hooks it got answered. */
export interface AttackContext {
  readonly port: number;
  readonly outputSocketPath: string | undefined;
  /** The directory holding --log FILE, for the log attacks. */
  readonly logDir: string;
  readonly quick: boolean;
  /** The server's standard error so far. */
  readonly stderr: () => string;
  /** Hooks of the attack answered 2xx: each must be an event in the output. */
  answered: number;
  /** Events the attack itself removed from the output (the log directory removed): not lost by the server. */
  removed: number;
}

export interface RunningAttack {
  /** Resolves with what the attack saw once it has stopped (at the deadline). */
  readonly done: Promise<string>;
  /** Release what it holds (viewers, connections); the RSS "after" is taken after this. */
  release(): void;
}

/** How an attack's server is started. */
export interface AttackServer {
  readonly args?: readonly string[];
  /** 'socket': events to an output socket (--tee: also to the events file, to count them). */
  readonly output?: 'file' | 'socket';
  readonly stdoutPath?: string;
  /** 'nofile': at most NOFILE_LIMIT descriptors; 'no-dac-override': root's bypass of file permissions dropped. */
  readonly limit?: 'nofile' | 'no-dac-override';
}

/** Where an attack's events are counted: the events file as JSON lines or YAML, the --log files, or nowhere. */
export type Counted = 'jsonl' | 'yaml' | 'log' | 'none';

export interface Attack {
  readonly name: string;
  readonly server: AttackServer;
  readonly counted: Counted;
  /** Work before the probe starts, not measured (filling the ring). */
  prepare?(context: AttackContext): Promise<void>;
  start(context: AttackContext, deadline: number): RunningAttack;
  /** Seconds from release to the RSS "after" (the viewers: memory must return within 10 s). */
  readonly settleSeconds?: number;
  /** Whether the memory goals apply. */
  readonly judgeMemory?: boolean;
  /** Only in the full run (--quick takes one of a kind). */
  readonly fullOnly?: boolean;
  /** What the recorded events show beyond their count (peer resets: events without `_client`). */
  inspect?(events: readonly unknown[]): string;
}

/** The depths: 5000 nested arrays or objects broke core's format; 630 broke --pretty-yaml. */
export const DEEP_DEPTH = 5_000;
export const DEEP_YAML_DEPTH = 630;
/** One deep body a second: each one that crashes would be enough; more show a stall too. */
const DEEP_EVERY_MS = 1_000;
/** The viewer counts; the ring is full (EVENT_RING_SIZE events, EVENT_RING_BYTES) before they come. */
export const VIEWER_COUNTS = [50, 200, 500] as const;
/** Hooks that fill the live view's ring: EVENT_RING_SIZE (core/event-ring.ts) events of FILL_BODY_BYTES, past EVENT_RING_BYTES. */
const RING_FILL_HOOKS = 4_096;
/** --quick fills a quarter of it: enough to prove the attack runs. */
const QUICK_RING_FILL_HOOKS = 1_024;
const FILL_BODY_BYTES = 2_200;
/** The counts whose viewers get their controls (viewersAttacks): the smallest and the largest. */
const VIEWER_CONTROL_COUNTS: readonly number[] = [VIEWER_COUNTS[0], VIEWER_COUNTS[2]];
/** Memory must return within 10 s of the viewers' leaving (issue 25). */
const VIEWERS_SETTLE_SECONDS = 10;
/** Chromium opens at most 6 connections to one host over HTTP/1.1: an `<img>` loop keeps them busy. */
const IMG_LOOP_CONNECTIONS = 6;
/** The readers cut at once, and the bodies that fill their queues past READER_HARD_LIMIT_BYTES (core/sinks.ts). */
export const CUT_READERS = 55;
const PUMP_BODY_BYTES = 256 * 1024;
const PUMP_CONNECTIONS = 8;
/**
 * The control's hooks: as many as the readers' cut takes (a reader's hard limit, then what
 * the connections have in flight), so that its row shows what the pump alone costs.
 */
const PUMP_CONTROL_HOOKS = Math.ceil(READER_HARD_LIMIT_BYTES / PUMP_BODY_BYTES) + PUMP_CONNECTIONS;
/** Time for the readers to connect before the pump starts. */
const READERS_CONNECT_MS = 200;
/** How long past its deadline the pump may go on to cut every reader. */
const CUT_EXTRA_MS = 20_000;
/** The descriptor limit, and more idle connections than it leaves room for. */
export const NOFILE_LIMIT = 256;
const IDLE_CONNECTIONS = 300;
/** The big body: 11 MB with a million keys. */
export const BIG_BODY_KEYS = 1_000_000;
/** --quick's body: a tenth, which proves the attack runs without a stall of seconds on a busy machine. */
const QUICK_BIG_BODY_KEYS = 100_000;
/** Zeros in one array: 32 MB, just inside the 32 MiB body limit, which JSON.parse spent seconds on. */
export const LONG_ARRAY_ZEROS = 16_000_000;
/** --quick's array: a tenth, as for the big body. */
const QUICK_LONG_ARRAY_ZEROS = 1_600_000;
/** Hooks sent and reset at once by the peer, to see which events lose `_client`. */
const RESET_HOOKS = 200;
const RESET_BATCH = 20;
/** A --log limit the probes alone pass several times within the attack, even in --quick. */
const LOG_MAX_BYTES = '4K';
/** Rotated files kept: more than the attack makes, so that pruning deletes no event the count looks for. */
export const LOG_MAX_FILES = '10000';
/** The log's directory is removed this far into the attack, so that events before and after are both seen. */
const LOG_REMOVE_AFTER_MS = 500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function hookRequest(event: string, body: string | Buffer, keepAlive: boolean): Buffer {
  const head =
    `POST /hook?event=${event} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`;
  return Buffer.concat([
    Buffer.from(head, 'latin1'),
    typeof body === 'string' ? Buffer.from(body) : body,
  ]);
}

/** One hook on a new connection; its status, or null when the connection failed first. */
export function sendHook(
  port: number,
  event: string,
  body: string | Buffer,
): Promise<number | null> {
  return new Promise((resolve) => {
    let head = '';
    let settled = false;
    const finish = (status: number | null): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(status);
    };
    const socket = connect(port, '127.0.0.1', () => socket.write(hookRequest(event, body, false)));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (status !== null) finish(Number(status[1]));
    });
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
  });
}

async function sendCounted(
  context: AttackContext,
  event: string,
  body: string | Buffer,
): Promise<boolean> {
  const status = await sendHook(context.port, event, body);
  const ok = status !== null && status >= 200 && status < 300;
  if (ok) context.answered++;
  return ok;
}

/** `body` every `everyMs` until the deadline; says how many were answered. */
function repeatBody(
  context: AttackContext,
  deadline: number,
  event: string,
  body: string,
  everyMs: number,
): RunningAttack {
  const done = (async () => {
    let sent = 0;
    let answered = 0;
    // At least once, however short the window (--quick) or long the body.
    do {
      const next = Date.now() + everyMs;
      sent++;
      if (await sendCounted(context, event, body)) answered++;
      await sleep(Math.max(0, Math.min(next, deadline) - Date.now()));
    } while (Date.now() < deadline);
    return `${answered} of ${sent} answered`;
  })();
  return { done, release: () => {} };
}

function deepAttack(
  name: string,
  body: string,
  args: readonly string[] = [],
  fullOnly = false,
): Attack {
  return {
    name,
    fullOnly,
    server: { args },
    counted: args.includes('--pretty-yaml') ? 'yaml' : 'jsonl',
    start: (context, deadline) =>
      repeatBody(context, deadline, 'AdversityDeep', body, DEEP_EVERY_MS),
  };
}

const nested = (open: string, inner: string, close: string, depth: number): string =>
  open.repeat(depth) + inner + close.repeat(depth);

async function fillRing(context: AttackContext): Promise<void> {
  const body = JSON.stringify({ fill: 'x'.repeat(FILL_BODY_BYTES) });
  const hooks = context.quick ? QUICK_RING_FILL_HOOKS : RING_FILL_HOOKS;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < hooks) await sendCounted(context, 'AdversityFill', body);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function openViewer(port: number, headers: string): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n`);
  socket.on('error', () => {});
  return socket;
}

/**
 * Readers and viewers the server cut off, as it says on standard error
 * (core/sinks.ts, core/stream.ts): a socket that never reads never sees its close.
 */
function cutOff(context: AttackContext): number {
  return context.stderr().match(/read too slowly/g)?.length ?? 0;
}

/**
 * `count` viewers that ask for the stream and never read a byte of it, the
 * ring filled first. Two controls come with each count: the same viewers with
 * an empty ring (no replay: what the viewers cost the probe's own events, each
 * sent to every viewer), and `count` GET /health on new connections at once,
 * which every server answers at once (what the burst of connections costs,
 * node:http's share included).
 */
function viewersAttacks(count: number): Attack[] {
  const viewers = (fill: boolean): Attack => ({
    name: fill ? `viewers ${count}` : `viewers ${count}, empty ring (control: no replay)`,
    server: {},
    counted: 'jsonl',
    settleSeconds: VIEWERS_SETTLE_SECONDS,
    judgeMemory: fill,
    fullOnly: count !== VIEWER_COUNTS[0] || !fill,
    ...(fill ? { prepare: fillRing } : {}),
    start: (context, deadline) => {
      const open = Array.from({ length: count }, () =>
        openViewer(context.port, 'Accept: text/event-stream\r\n').pause(),
      );
      return {
        done: sleep(deadline - Date.now()).then(() => `${cutOff(context)} of ${count} cut off`),
        release: () => open.forEach((viewer) => viewer.destroy()),
      };
    },
  });
  const health: Attack = {
    name: `${count} GET /health at once (control for viewers ${count})`,
    server: {},
    counted: 'jsonl',
    fullOnly: true,
    prepare: fillRing,
    start: (context, deadline) => {
      const open = Array.from({ length: count }, () => {
        const socket = connect(context.port, '127.0.0.1');
        socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${context.port}\r\n\r\n`);
        return socket.on('error', () => {});
      });
      return {
        done: sleep(deadline - Date.now()).then(() => ''),
        release: () => open.forEach((socket) => socket.destroy()),
      };
    },
  };
  return VIEWER_CONTROL_COUNTS.includes(count)
    ? [viewers(true), viewers(false), health]
    : [viewers(true)];
}

/** What Chromium sends for a cross-site `<img src=".../events">`: no Origin. */
const IMG_HEADERS =
  'Accept: image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8\r\n' +
  'Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: image\r\n';

/** A page looping `<img src="http://127.0.0.1:PORT/events">`: each request dropped at its first bytes, then sent again. */
const imgLoop: Attack = {
  name: 'cross-site img loop',
  server: {},
  counted: 'jsonl',
  prepare: fillRing,
  start: (context, deadline) => {
    let requests = 0;
    let answered = 0;
    const loop = async (): Promise<void> => {
      while (Date.now() < deadline) {
        requests++;
        const status = await new Promise<string>((resolve) => {
          const socket = openViewer(context.port, IMG_HEADERS);
          socket.setEncoding('latin1');
          socket.once('data', (chunk: string) => {
            socket.destroy();
            resolve(chunk.slice(9, 12));
          });
          socket.once('close', () => resolve('closed'));
        });
        if (status === '200') answered++;
      }
    };
    return {
      done: Promise.all(Array.from({ length: IMG_LOOP_CONNECTIONS }, loop)).then(
        () => `${answered} of ${requests} streams answered 200`,
      ),
      release: () => {},
    };
  },
};

/**
 * PUMP_CONNECTIONS connections, each sending PUMP_BODY_BYTES hooks one after
 * another while `more()`: the hooks sent, and the longest connection's seconds.
 */
async function pump(
  context: AttackContext,
  more: () => boolean,
): Promise<{ sent: number; seconds: string }> {
  const body = JSON.stringify({ pump: 'x'.repeat(PUMP_BODY_BYTES) });
  let sent = 0;
  let pumpMs = 0;
  const connection = async (): Promise<void> => {
    await sleep(READERS_CONNECT_MS);
    const started = Date.now();
    while (more()) {
      sent++;
      await sendCounted(context, 'AdversityPump', body);
    }
    pumpMs = Math.max(pumpMs, Date.now() - started);
  };
  await Promise.all(Array.from({ length: PUMP_CONNECTIONS }, connection));
  return { sent, seconds: (pumpMs / 1000).toFixed(1) };
}

/** CUT_READERS output-socket readers that never read, then hooks until the server cuts them all at once. */
const readersCut: Attack = {
  name: `${CUT_READERS} readers cut`,
  server: { output: 'socket', args: ['--tee'] },
  counted: 'jsonl',
  start: (context, deadline) => {
    const path = context.outputSocketPath as string;
    const readers = Array.from({ length: CUT_READERS }, () =>
      connect(path)
        .pause()
        .on('error', () => {}),
    );
    // Until every reader is cut, past the deadline if need be (--quick's window is too short to fill 55 queues).
    const pumped = pump(
      context,
      () => cutOff(context) < CUT_READERS && Date.now() < deadline + CUT_EXTRA_MS,
    );
    return {
      done: pumped
        .then(() => sleep(deadline - Date.now()))
        .then(() => pumped)
        .then(
          ({ sent, seconds }) =>
            `${cutOff(context)} of ${CUT_READERS} cut off after ${sent} hooks in ${seconds} s`,
        ),
      release: () => readers.forEach((reader) => reader.destroy()),
    };
  },
};

/** The readers' cut's pump with no reader: the probe's wait that is the pump's own, not the cut's. */
const pumpAlone: Attack = {
  name: 'the pump alone (control for readers cut)',
  server: { output: 'socket', args: ['--tee'] },
  counted: 'jsonl',
  start: (context, deadline) => {
    let started = 0;
    const pumped = pump(context, () => started++ < PUMP_CONTROL_HOOKS);
    return {
      done: pumped
        .then(() => sleep(deadline - Date.now()))
        .then(() => pumped)
        .then(({ sent, seconds }) => `${sent} hooks in ${seconds} s`),
      release: () => {},
    };
  },
};

/** IDLE_CONNECTIONS keep-alive connections, each idle after one hook, reopened when the server closes one. */
const nofile: Attack = {
  name: `nofile ${NOFILE_LIMIT}, idle connections`,
  server: { limit: 'nofile' },
  counted: 'jsonl',
  start: (context, deadline) => {
    const open = new Set<Socket>();
    let peak = 0;
    let stopped = false;
    const keep = (): void => {
      if (stopped || Date.now() >= deadline) return;
      const socket = connect(context.port, '127.0.0.1', () => {
        open.add(socket);
        peak = Math.max(peak, open.size);
        socket.write(hookRequest('AdversityIdle', '{"idle":true}', true));
      });
      socket.setEncoding('latin1');
      socket.once('data', (chunk: string) => {
        if (/^HTTP\/1\.1 2\d\d /.test(chunk)) context.answered++;
      });
      socket.on('error', () => {});
      socket.once('close', () => {
        open.delete(socket);
        setTimeout(keep, 10);
      });
    };
    for (let index = 0; index < IDLE_CONNECTIONS; index++) keep();
    return {
      done: sleep(deadline - Date.now()).then(
        () => `up to ${peak} of ${IDLE_CONNECTIONS} connections held`,
      ),
      release: () => {
        stopped = true;
        for (const socket of open) socket.destroy();
      },
    };
  },
};

/** Made before the window (prepare): making it takes a while. */
let bigBody: string | undefined;

const bigBodyAttack: Attack = {
  name: '11 MB body, a million keys',
  server: {},
  counted: 'jsonl',
  prepare: async (context) => {
    const keys = context.quick ? QUICK_BIG_BODY_KEYS : BIG_BODY_KEYS;
    const parts: string[] = [];
    for (let key = 0; key < keys; key++) parts.push(`"k${key}":${key % 10}`);
    bigBody = `{${parts.join(',')}}`;
  },
  start: (context, deadline) => repeatBody(context, deadline, 'AdversityBig', bigBody as string, 0),
};

/** Made before the window (prepare), as the big body is. */
let longArray: string | undefined;

const longArrayAttack: Attack = {
  name: '32 MB body, 16 million array elements',
  server: {},
  counted: 'jsonl',
  prepare: async (context) => {
    const zeros = context.quick ? QUICK_LONG_ARRAY_ZEROS : LONG_ARRAY_ZEROS;
    longArray = `{"a":[${'0,'.repeat(zeros - 1)}0]}`;
  },
  start: (context, deadline) =>
    repeatBody(context, deadline, 'AdversityLongArray', longArray as string, 0),
};

/** The probes' events into a full disk: standard output is /dev/full, the only output. */
const devFull: Attack = {
  name: 'stdout on /dev/full',
  server: { stdoutPath: '/dev/full' },
  counted: 'none',
  start: (_context, deadline) => ({
    done: sleep(deadline - Date.now()).then(() => ''),
    release: () => {},
  }),
};

/** Hooks whose connection the peer resets right after sending (RST, no FIN): each event must still have `_client`. */
const peerReset: Attack = {
  name: 'peer resets (_client)',
  server: {},
  counted: 'jsonl',
  start: (context, deadline) => {
    const one = (index: number): Promise<void> =>
      new Promise((resolve) => {
        const socket = connect(context.port, '127.0.0.1', () => {
          socket.write(hookRequest('AdversityReset', `{"reset":${index}}`, true), () => {
            socket.resetAndDestroy();
            resolve();
          });
        });
        socket.on('error', () => resolve());
      });
    const done = (async () => {
      for (let sent = 0; sent < RESET_HOOKS && Date.now() < deadline; sent += RESET_BATCH) {
        await Promise.all(Array.from({ length: RESET_BATCH }, (_, index) => one(sent + index)));
      }
      await sleep(deadline - Date.now());
      return '';
    })();
    return { done, release: () => {} };
  },
  inspect: (events) => {
    const reset = events.filter(
      (event) => typeof event === 'object' && event !== null && 'reset' in event,
    );
    const without = reset.filter((event) => !('_client' in (event as object)));
    return `${without.length} of ${reset.length} recorded without _client`;
  },
};

/** Every file under the log's directory: FILE and its rotated files, as a user would find them. */
export function logText(logDir: string): string {
  if (!existsSync(logDir)) return '';
  return readdirSync(logDir)
    .map((name) => join(logDir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'utf8'))
    .join('');
}

const logRemoved: Attack = {
  name: 'log directory removed',
  server: {},
  counted: 'log',
  start: (context, deadline) => {
    const done = sleep(LOG_REMOVE_AFTER_MS)
      .then(() => {
        // What the directory holds as it goes is the user's to lose, not the server's.
        context.removed = countJsonLines(logText(context.logDir)).events;
        rmSync(context.logDir, { recursive: true, force: true });
      })
      .then(() => sleep(deadline - Date.now()))
      .then(() => '');
    return { done, release: () => {} };
  },
};

const logReadOnly: Attack = {
  name: `log directory read-only past --log-max-bytes ${LOG_MAX_BYTES}`,
  server: {
    args: ['--log-max-bytes', LOG_MAX_BYTES, '--log-max-files', LOG_MAX_FILES],
    limit: 'no-dac-override',
  },
  counted: 'log',
  start: (context, deadline) => {
    chmodSync(context.logDir, 0o555);
    return {
      done: sleep(deadline - Date.now()).then(() => ''),
      release: () => chmodSync(context.logDir, 0o755),
    };
  },
};

/** Every attack, in the report's order. */
export const ATTACKS: readonly Attack[] = [
  deepAttack(`deep arrays (${DEEP_DEPTH})`, nested('[', '', ']', DEEP_DEPTH)),
  deepAttack(
    `deep objects (${DEEP_DEPTH}) with _ts`,
    `{"_ts":1,"a":${nested('{"a":', '1', '}', DEEP_DEPTH)}}`,
    [],
    true,
  ),
  deepAttack(
    `deep objects (${DEEP_DEPTH}), plain`,
    nested('{"a":', '1', '}', DEEP_DEPTH),
    [],
    true,
  ),
  deepAttack(
    `deep objects (${DEEP_YAML_DEPTH}), --pretty-yaml`,
    nested('{"a":', '1', '}', DEEP_YAML_DEPTH),
    ['--pretty-yaml'],
  ),
  ...VIEWER_COUNTS.flatMap(viewersAttacks),
  imgLoop,
  readersCut,
  pumpAlone,
  nofile,
  bigBodyAttack,
  longArrayAttack,
  devFull,
  peerReset,
  logRemoved,
  logReadOnly,
];
