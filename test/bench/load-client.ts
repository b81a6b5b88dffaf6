/**
 * The load client: a process of its own, started by run.ts pinned to the
 * server's core, that runs autocannon against a server and holds the readers
 * of an output socket. It takes orders over its IPC channel (load-protocol.ts).
 */
import { connect, type Socket } from 'node:net';
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { Envelope, LoadResult, Order, Reply, Target } from './load-protocol.js';
import { requestMix, type BenchRequest, type Sender } from './workload.js';

/** Seconds before autocannon counts a request as timed out (its default). */
const REQUEST_TIMEOUT_SECONDS = 10;
/**
 * autocannon looks at its clock only once a sample interval (lib/run.js,
 * tickInterval; 1 s by default), so a run lasts up to that much past its
 * duration. A tenth of a second keeps the runs close to what was asked.
 */
const SAMPLE_INTERVAL_MS = 100;

const mixes: Record<Sender, readonly BenchRequest[]> = {
  native: requestMix('native'),
  curl: requestMix('curl'),
};

function hostHeader(target: Target): string {
  return target.transport === 'tcp' ? `127.0.0.1:${target.port}` : 'localhost';
}

async function load(order: Extract<Order, { kind: 'load' }>): Promise<LoadResult> {
  const host = hostHeader(order.target);
  const requests: autocannon.Request[] = mixes[order.sender].map((request) => ({
    method: 'POST',
    path: request.path,
    headers: { Host: host, ...request.headers },
    body: request.body,
  }));
  const latency = createHistogram();
  let ok = 0;
  let non2xx = 0;
  let clientIndex = 0;
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon({
    url:
      order.target.transport === 'tcp'
        ? `http://127.0.0.1:${order.target.port}`
        : 'http://localhost',
    ...(order.target.transport === 'unix' ? { socketPath: order.target.path } : {}),
    connections: order.connections,
    pipelining: 1,
    duration: order.seconds,
    sampleInt: SAMPLE_INTERVAL_MS,
    timeout: REQUEST_TIMEOUT_SECONDS,
    requests,
    // autocannon 8.0.0 forgets to count a response after which it reconnects
    // (lib/httpClient.js, kOnMessageComplete returns before emitting 'response'),
    // so each Client's answers are counted and timed here, for both kinds of load.
    ...(order.connectionPerRequest ? { reconnectRate: 1 } : {}),
    setupClient: (client) => {
      // Each connection starts at its own place in the mix, so that large bodies do not arrive together.
      const offset =
        Math.floor((clientIndex++ * requests.length) / order.connections) % requests.length;
      client.setRequests([...requests.slice(offset), ...requests.slice(0, offset)]);
      let sentAt = 0;
      client.on('request', () => {
        sentAt = performance.now();
      });
      client.on('headers', (info) => {
        latency.record(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        if (info.statusCode >= 200 && info.statusCode < 300) ok++;
        else non2xx++;
      });
    },
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const answered = latency.count > 0;
  return {
    kind: 'load',
    ok,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    latencyMicroseconds: {
      p50: answered ? latency.percentile(50) : NaN,
      p99: answered ? latency.percentile(99) : NaN,
      max: answered ? latency.max : NaN,
    },
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** Output-socket readers: they read everything and keep only the count. */
const readers: Array<{ socket: Socket; bytes: number }> = [];

async function attachReaders(path: string, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, () => {
      const reader = { socket: connect(path), bytes: 0 };
      readers.push(reader);
      reader.socket.on('data', (chunk: Buffer) => (reader.bytes += chunk.length));
      return new Promise<void>((resolve, reject) => {
        reader.socket.once('connect', resolve);
        reader.socket.once('error', reject);
      });
    }),
  );
}

function detachReaders(): void {
  for (const reader of readers.splice(0)) reader.socket.destroy();
}

async function obey(order: Order): Promise<Reply> {
  switch (order.kind) {
    case 'load':
      return load(order);
    case 'attach-readers':
      await attachReaders(order.path, order.count);
      return { kind: 'attach-readers' };
    case 'reader-bytes':
      return { kind: 'reader-bytes', bytes: readers.map((reader) => reader.bytes) };
    case 'detach-readers':
      detachReaders();
      return { kind: 'detach-readers' };
  }
}

process.on('message', (message: Envelope<Order>) => {
  void obey(message.body).then(
    (body) => process.send?.({ id: message.id, body } satisfies Envelope<Reply>),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        body: { kind: 'error', message: String(error) },
      } satisfies Envelope<Reply>),
  );
});
// The benchmark is gone (finished, or interrupted): so is its client.
process.on('disconnect', () => process.exit(0));
