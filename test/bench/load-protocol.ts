/**
 * What the benchmark asks of its load client, a separate process (so that
 * the client's work is never the server's), and what the client answers.
 * Messages travel over the child-process IPC channel, one reply per order.
 */
import type { Sender } from './workload.js';

export type Target =
  | { readonly transport: 'tcp'; readonly port: number }
  | { readonly transport: 'unix'; readonly path: string };

export type Order =
  | {
      readonly kind: 'load';
      readonly target: Target;
      readonly sender: Sender;
      readonly connections: number;
      /** Open a new connection for every request and close it after the answer, as curl does. */
      readonly connectionPerRequest: boolean;
      readonly seconds: number;
    }
  | { readonly kind: 'attach-readers'; readonly path: string; readonly count: number }
  | { readonly kind: 'reader-bytes' }
  | { readonly kind: 'detach-readers' };

export interface LoadResult {
  readonly kind: 'load';
  /** Answers with a 2xx status, and other answers. */
  readonly ok: number;
  readonly non2xx: number;
  /** Connection errors and requests that timed out, as autocannon counts them. */
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  /** From the request's first byte written (or the connect, per request) to its answer's head. */
  readonly latencyMicroseconds: {
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  /** The load client's own CPU time during the load, readers included. */
  readonly clientCpuSeconds: number;
}

export type Reply =
  | LoadResult
  | { readonly kind: 'attach-readers' }
  | { readonly kind: 'reader-bytes'; readonly bytes: readonly number[] }
  | { readonly kind: 'detach-readers' }
  | { readonly kind: 'error'; readonly message: string };

export interface Envelope<T> {
  readonly id: number;
  readonly body: T;
}
