/**
 * The part of autocannon 8.0.0 the load client uses (the package ships no
 * types). Names and shapes follow its README, "API" and "Client API"; the
 * Client's 'request' event is not in the README but in lib/httpClient.js.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }
    interface ResponseInfo {
      statusCode: number;
    }
    interface Client extends EventEmitter {
      setRequests(requests: Request[]): void;
      on(event: 'request', listener: () => void): this;
      on(event: 'headers', listener: (info: ResponseInfo) => void): this;
    }
    interface Options {
      url: string;
      socketPath?: string;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Milliseconds between samples; the duration is checked at each. */
      sampleInt?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      requests?: Request[];
      reconnectRate?: number;
      setupClient?: (client: Client) => void;
    }
    interface Result {
      errors: number;
      timeouts: number;
      non2xx: number;
      requests: { total: number; sent: number };
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
