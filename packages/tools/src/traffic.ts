/**
 * The recorded Claude Code sessions (packages/conformance/traffic), turned back into
 * the bytes each request had on the wire.
 */
import { readFileSync } from 'node:fs';
import { SESSIONS, trafficFile, type Session } from '@hook-observatory/conformance/traffic';

export { SESSIONS, type Session };

export interface Recorded {
  readonly transport: 'tcp' | 'unix';
  /** Which connection the request came on, and its place there. */
  readonly conn: number;
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  /** Names and values alternating, in order and case as sent. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** `curl` for command hooks, `native` for Claude Code's own HTTP hooks (axios). */
  readonly sender: 'curl' | 'native';
}

export function loadSession(session: Session): Recorded[] {
  const text = readFileSync(trafficFile(session), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as Omit<Recorded, 'body' | 'sender'> & { bodyBase64: string; headers: Record<string, string> };
      return {
        transport: record.transport,
        conn: record.conn,
        method: record.method,
        url: record.url,
        httpVersion: record.httpVersion,
        rawHeaders: record.rawHeaders,
        body: Buffer.from(record.bodyBase64, 'base64'),
        sender: record.headers['user-agent']?.startsWith('curl/') === true ? 'curl' : 'native',
      };
    });
}

/**
 * The request's bytes as its client sent them, except `Host`, which names the
 * port the recording server had: it is set to `host` so the request is what
 * a client of today's server would send.
 */
export function requestBytes(request: Recorded, host: string): Buffer {
  let head = `${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = name.toLowerCase() === 'host' ? host : (request.rawHeaders[i + 1] as string);
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), request.body]);
}
