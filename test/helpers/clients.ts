/** The clients real hooks use: curl as a command hook runs it, and undici for native hooks. */
import { spawn } from 'node:child_process';
import { Agent, Client, request } from 'undici';
import type { RunningServer } from '@hook-observatory/launcher';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A dispatcher that reaches the server over its transport. */
export function dispatcherFor(server: RunningServer): Agent {
  return new Agent(
    server.transport === 'unix' ? { connect: { socketPath: server.socketPath } } : {},
  );
}

export async function post(
  server: RunningServer,
  path: string,
  body: Buffer | string,
  dispatcher: Agent | Client,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Answer> {
  const response = await request(`${server.origin}${path}`, {
    method: 'POST',
    body,
    headers,
    dispatcher,
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: await response.body.text(),
  };
}

/** A hook POSTed on `client`, its answer read and dropped: its status. */
export async function hookStatus(client: Client, event: string, body: string): Promise<number> {
  const { statusCode, body: answer } = await client.request({
    method: 'POST',
    path: `/hook?event=${event}`,
    headers: { 'content-type': 'application/json' },
    body,
  });
  await answer.dump();
  return statusCode;
}

export async function get(
  server: RunningServer,
  path: string,
  dispatcher: Agent | Client,
): Promise<Answer> {
  const response = await request(`${server.origin}${path}`, { method: 'GET', dispatcher });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: await response.body.text(),
  };
}

/**
 * The command line a curl command hook runs, with the event's JSON on standard
 * input, exactly as Claude Code runs it through `sh -c`.
 */
export function curlHookCommand(server: RunningServer, event: string): string {
  const common =
    "curl -s --connect-timeout 0.5 --max-time 1 -X POST -H 'Content-Type: application/json' -d @-";
  return server.transport === 'unix'
    ? `${common} --unix-socket '${server.socketPath}' 'http://localhost/hook?event=${event}'`
    : `${common} 'http://127.0.0.1:${server.port}/hook?event=${event}'`;
}

export function runShell(
  command: string,
  stdin: Buffer | string,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout }));
    child.stdin.end(stdin);
  });
}
