/** The recorded Claude Code traffic (this package's traffic/, described in its README), as requests to replay. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface RecordedRequest {
  readonly session: string;
  readonly transport: 'tcp' | 'unix';
  /** `curl` for command hooks, `native` for Claude Code's own HTTP hooks. */
  readonly sender: 'curl' | 'native';
  /** Which connection the request came on. */
  readonly conn: number;
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly event: string;
  /** Names and values alternating, in order and case as sent. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

interface RecordedLine {
  transport: 'tcp' | 'unix';
  conn: number;
  method: string;
  url: string;
  httpVersion: string;
  headers: Record<string, string>;
  rawHeaders: string[];
  bodyBase64: string;
}

export const SESSIONS = ['full', 'permission', 'teammate'] as const;
export type Session = (typeof SESSIONS)[number];

/** The recordings ship with the cases that replay them; this file runs from dist and, under vitest, from src. */
const TRAFFIC_DIR = resolve(import.meta.dirname, '../traffic');

/** The JSON Lines file of one recorded session. */
export function trafficFile(session: Session): string {
  return join(TRAFFIC_DIR, `${session}.jsonl`);
}

export function loadTraffic(session: Session): RecordedRequest[] {
  return loadTrafficFile(trafficFile(session), session);
}

/** A capture in this format kept elsewhere (test/fixtures/sessions: each hook once), named `session`. */
export function loadTrafficFile(file: string, session: string): RecordedRequest[] {
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const recorded = JSON.parse(line) as RecordedLine;
      return {
        session,
        transport: recorded.transport,
        sender: recorded.headers['user-agent']?.startsWith('curl/') ? 'curl' : 'native',
        conn: recorded.conn,
        method: recorded.method,
        url: recorded.url,
        httpVersion: recorded.httpVersion,
        event: new URL(recorded.url, 'http://x').searchParams.get('event') ?? '',
        rawHeaders: recorded.rawHeaders,
        body: Buffer.from(recorded.bodyBase64, 'base64'),
      } satisfies RecordedRequest;
    });
}

export function loadAllTraffic(): RecordedRequest[] {
  return SESSIONS.flatMap((session) => loadTraffic(session));
}

/**
 * The request's bytes as its client sent them, except `Host`, which names the
 * port the recording server had: it is set to `host` so the request is what
 * a client of today's server would send.
 */
export function requestBytes(request: RecordedRequest, host: string): Buffer {
  let head = `${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = name.toLowerCase() === 'host' ? host : (request.rawHeaders[i + 1] as string);
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), request.body]);
}

/**
 * A PermissionDenied payload (the one event the recordings lack), built from the
 * fields Claude Code documents for it, on a real session's common fields.
 */
export function permissionDeniedBody(): Buffer {
  return Buffer.from(
    JSON.stringify({
      session_id: '4fd21fc0-3b3f-48d9-9b96-2ac8a5e5154f',
      transcript_path:
        '/home/dev/.claude/projects/-home-dev-project/4fd21fc0-3b3f-48d9-9b96-2ac8a5e5154f.jsonl',
      cwd: '/home/dev/project',
      permission_mode: 'auto',
      hook_event_name: 'PermissionDenied',
      tool_name: 'Bash',
      tool_input: { command: 'rm -rf build', description: 'Remove build output' },
      tool_use_id: 'toolu_01PermissionDeniedExample',
      reason: 'Auto mode classifier denied the command',
    }),
  );
}
