/**
 * The adversity run's probe, a process of its own so that an attack's work in
 * the benchmark never delays it: one hook every PROBE_INTERVAL_MS on a new TCP
 * connection, as a curl command hook arrives, whether or not the last one has
 * been answered (a stalled server shows in every probe sent while it stalls).
 * Started with the port as its argument; on the IPC message 'stop' it waits
 * for the probes in flight and sends back every probe's start and latency.
 */
import { connect } from 'node:net';

/** One hook every 10 ms: the probe, fine enough to see a stall of a few tens of ms. */
export const PROBE_INTERVAL_MS = 10;
/**
 * A probe not answered by then has failed. Claude Code's curl hooks give up
 * after 1 s (issue 25); 5 s still tells a stall from a dead server.
 */
export const PROBE_TIMEOUT_MS = 5_000;
/** The probes' event name: the reports count them apart from the attacks' events. */
export const PROBE_EVENT = 'AdversityProbe';

export interface ProbeSample {
  /** Date.now() when the probe started connecting. */
  readonly startedAt: number;
  /** Connect to the answer's head, in ms; null when it failed (refused, reset, timed out, not 2xx). */
  readonly latencyMs: number | null;
}

export interface ProbeReport {
  readonly samples: readonly ProbeSample[];
  /** Probes answered 2xx: each must be an event in the output. */
  readonly ok: number;
}

function probeOnce(port: number, index: number): Promise<ProbeSample> {
  const startedAt = Date.now();
  const start = performance.now();
  const body = `{"probe":${index}}`;
  return new Promise((resolve) => {
    let settled = false;
    let head = '';
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ startedAt, latencyMs: ok ? performance.now() - start : null });
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /hook?event=${PROBE_EVENT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      if (head.includes('\r\n\r\n')) finish(/^HTTP\/1\.1 2\d\d /.test(head));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const inFlight = new Set<Promise<ProbeSample>>();
  const samples: ProbeSample[] = [];
  let index = 0;
  const timer = setInterval(() => {
    const probe = probeOnce(port, index++);
    inFlight.add(probe);
    void probe.then((sample) => {
      samples.push(sample);
      inFlight.delete(probe);
    });
  }, PROBE_INTERVAL_MS);
  process.once('message', () => {
    clearInterval(timer);
    // probeOnce never rejects (a failed probe is a sample with no latency), so nothing is lost here.
    void Promise.all([...inFlight]).then(() => {
      const report: ProbeReport = {
        samples,
        ok: samples.filter((sample) => sample.latencyMs !== null).length,
      };
      process.send?.(report, () => process.disconnect());
    });
  });
  process.send?.('started');
}

if (process.argv[1]?.endsWith('adversity-probe.js')) await main();
