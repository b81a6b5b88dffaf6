/**
 * What Claude Code does with the hooks in a settings file when an event
 * fires: a command hook runs as `sh -c COMMAND` with the event's JSON on
 * standard input; a native HTTP hook POSTs the JSON to its url over one
 * keep-alive connection, its header values filled in from the environment
 * variables that `allowedEnvVars` names (hooks reference, "HTTP hook fields").
 */
import { spawn } from 'node:child_process';
import { Client } from 'undici';

type Handler = {
  type: string;
  command?: string;
  url?: string;
  headers?: Record<string, string>;
  allowedEnvVars?: string[];
};
type Group = { matcher?: string; hooks: Handler[] };
export type SettingsHooks = Record<string, Group[]>;

export interface Fired {
  readonly event: string;
  readonly type: string;
  /** Exit code of a command hook, status of a native one. */
  readonly result: number | null;
  /** What a command hook printed, or the body a native hook got back: Claude Code parses either. */
  readonly output: string;
}

export class ClaudeCode {
  /** One connection pool per origin, as axios's keep-alive agent keeps one socket. */
  private readonly clients = new Map<string, Client>();
  /** How many connections the native hooks opened. */
  connections = 0;

  constructor(private readonly env: Readonly<Record<string, string>>) {}

  /** Fire every hook configured for `event`, in the order of the file. */
  async fire(hooks: SettingsHooks, event: string, payload: Buffer): Promise<Fired[]> {
    const fired: Fired[] = [];
    for (const group of hooks[event] ?? []) {
      for (const handler of group.hooks) {
        if (handler.type === 'command') {
          const { code, stdout } = await this.runCommand(handler.command!, payload);
          fired.push({ event, type: 'command', result: code, output: stdout });
        } else if (handler.type === 'http') {
          const { status, body } = await this.post(handler, payload);
          fired.push({ event, type: 'http', result: status, output: body });
        } else {
          throw new Error(
            `${event}: a ${handler.type} hook is not something this test can act out`,
          );
        }
      }
    }
    return fired;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }

  private runCommand(
    command: string,
    stdin: Buffer,
  ): Promise<{ code: number | null; stdout: string }> {
    return new Promise((done, fail) => {
      const child = spawn('sh', ['-c', command], {
        env: { ...this.env },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout }));
      // A hook may exit without reading its input (the user's `true`): the pipe then closes under us.
      child.stdin.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') fail(error);
      });
      child.stdin.end(stdin);
    });
  }

  private async post(handler: Handler, body: Buffer): Promise<{ status: number; body: string }> {
    const url = new URL(handler.url!);
    let client = this.clients.get(url.origin);
    if (client === undefined) {
      client = new Client(url.origin);
      client.on('connect', () => this.connections++);
      this.clients.set(url.origin, client);
    }
    const allowed = new Set(handler.allowedEnvVars ?? []);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(handler.headers ?? {})) {
      // $VAR and ${VAR}; a variable not in allowedEnvVars becomes the empty string.
      headers[name.toLowerCase()] = value.replace(
        /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        (_match, braced, bare) => {
          const variable = (braced ?? bare) as string;
          return allowed.has(variable) ? (this.env[variable] ?? '') : '';
        },
      );
    }
    const response = await client.request({
      path: url.pathname + url.search,
      method: 'POST',
      headers,
      body,
    });
    return { status: response.statusCode, body: await response.body.text() };
  }
}
