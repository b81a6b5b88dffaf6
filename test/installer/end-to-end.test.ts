/**
 * The installer as a user runs it, Claude Code as it runs hooks, a server as
 * a user starts it: for each transport, install into a temporary HOME or
 * project, fire every hook in the file the way Claude Code does, find every
 * event in the server's stream, uninstall, and get the original file back
 * byte for byte.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_EVENT_NAMES } from '@hook-observatory/core';
import { TOKEN_ENV } from '@hook-observatory/core/vocabulary';
import {
  ROOT,
  SERVER_NAMES,
  startServer,
  type RunningServer,
  type ServerName,
} from '@hook-observatory/launcher';
import { loadAllTraffic, permissionDeniedBody } from '@hook-observatory/conformance/traffic';
import { ClaudeCode, type Fired, type SettingsHooks } from './claude-code.js';

const INSTALLER = join(ROOT, 'packages/installer/dist/main.js');
const HOOKABLE = HOOK_EVENT_NAMES.filter((name) => name !== 'WorktreeCreate');
/** Above 1 MiB curl sends `Expect: 100-continue` and waits for the server's 100 before the body. */
const LARGE_PAYLOAD_BYTES = 1_572_864;

/** A user's settings as an editor leaves them: their own hooks, escapes, a float written as 30.0. */
const ORIGINAL = Buffer.from(`{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "permissions": {
    "allow": ["Bash(npm test)", "Read(~/notes/**)"],
    "deny": ["Read(./.env)"]
  },
  "env": {"GREETING": "gr\\u00fc\\u00df dich", "TELESCOPE": "🔭"},
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [ { "type": "command", "command": "cat > /dev/null", "timeout": 5 } ]
      }
    ],
    "Stop": [{"hooks": [{"type": "command", "command": "true"}]}]
  },
  "cleanupPeriodDays": 30.0
}
`);

/** A real payload of each event, from the recorded sessions; PermissionDenied is built from its documented fields. */
function payloads(): Map<string, Buffer> {
  const byEvent = new Map<string, Buffer>([['PermissionDenied', permissionDeniedBody()]]);
  for (const request of loadAllTraffic()) {
    if (!byEvent.has(request.event)) byEvent.set(request.event, request.body);
  }
  return byEvent;
}

function largePostToolUse(): Buffer {
  const filler = 'x'.repeat(LARGE_PAYLOAD_BYTES);
  return Buffer.from(
    JSON.stringify({
      session_id: 'large',
      hook_event_name: 'PostToolUse',
      tool_name: 'Read',
      tool_response: { content: filler },
    }),
  );
}

/** The secret a server with a token demands, and the one a stranger's process would have. */
const TOKEN = 'e2e-3f1c9a7b';
const WRONG_TOKEN = 'not-the-token';

/**
 * Each case against both servers; `pnpm test` plays it against `everyRun` only,
 * and the slow tier against the other. The servers answer and record alike
 * (the conformance suite, over both transports); `everyRun` alternates so that
 * each server still meets command and native hooks, with and without a token.
 */
const CASES = [
  { transport: 'tcp', scope: 'global', serverTransport: 'tcp', token: false, everyRun: 'http' },
  { transport: 'unix', scope: 'project', serverTransport: 'unix', token: true, everyRun: 'net' },
  { transport: 'http', scope: 'local', serverTransport: 'tcp', token: false, everyRun: 'net' },
  { transport: 'http', scope: 'global', serverTransport: 'tcp', token: true, everyRun: 'http' },
] as const;

describe.each(CASES)(
  '--transport $transport --$scope (token: $token)',
  ({ transport, scope, serverTransport, token, everyRun }) => {
    describe.each(SERVER_NAMES)('against the %s server', (name: ServerName) => {
      let server: RunningServer;
      let home: string;
      let project: string;
      let settingsPath: string;

      beforeAll(async () => {
        server = await startServer(name, {
          transport: serverTransport,
          env: token ? { [TOKEN_ENV]: TOKEN } : {},
        });
        home = mkdtempSync(join(tmpdir(), 'installer-e2e-home-'));
        project = mkdtempSync(join(tmpdir(), 'installer-e2e-project-'));
        settingsPath = {
          global: join(home, '.claude', 'settings.json'),
          project: join(project, '.claude', 'settings.json'),
          local: join(project, '.claude', 'settings.local.json'),
        }[scope];
        mkdirSync(dirname(settingsPath), { recursive: true });
        writeFileSync(settingsPath, ORIGINAL);
      });
      afterAll(async () => {
        await server.stop();
        rmSync(home, { recursive: true, force: true });
        rmSync(project, { recursive: true, force: true });
      });

      /** The installer as `pnpm -s install-hooks` starts it: in the repository root, with the user's directory in INIT_CWD. */
      function installer(...args: string[]): {
        status: number | null;
        stdout: string;
        stderr: string;
      } {
        const where =
          transport === 'unix' ? ['--socket', server.socketPath] : ['--port', String(server.port)];
        const flags = [
          `--${scope}`,
          '--transport',
          transport,
          ...where,
          ...(token ? ['--token'] : []),
        ];
        const result = spawnSync(process.execPath, [INSTALLER, ...flags, ...args], {
          cwd: ROOT,
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: home,
            INIT_CWD: project,
            ...(token ? { [TOKEN_ENV]: TOKEN } : {}),
          },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr };
      }

      const tags = name === everyRun ? [] : ['slow'];
      it(
        'installs, every hook reaches the server, and uninstall gives back the original bytes',
        { tags },
        async () => {
          const installed = installer();
          expect(installed.stderr).toBe('');
          expect(installed.status).toBe(0);
          const text = readFileSync(settingsPath);
          const backups = readdirSync(dirname(settingsPath)).filter((file) =>
            file.includes('.backup-'),
          );
          expect(backups).toHaveLength(1);
          expect(readFileSync(join(dirname(settingsPath), backups[0]!)).equals(ORIGINAL)).toBe(
            true,
          );

          const again = installer();
          expect(again.status).toBe(0);
          expect(again.stdout).toContain('nothing to change');
          expect(readFileSync(settingsPath).equals(text)).toBe(true);

          const hooks = (JSON.parse(text.toString('utf8')) as { hooks: SettingsHooks }).hooks;
          expect(Object.keys(hooks)).not.toContain('WorktreeCreate');
          expect(text.includes(TOKEN)).toBe(false);
          const environment = { PATH: process.env['PATH'] ?? '', HOME: home };
          if (token) {
            // Fired first: were any of these recorded, the stream below would not start with the real events.
            // A stranger holds the wrong token and cannot read the token file (here: it is not there).
            const tokenFile = /-H @'([^']+)'/.exec(text.toString('utf8'))![1]!;
            renameSync(tokenFile, `${tokenFile}.away`);
            const stranger = new ClaudeCode({ ...environment, [TOKEN_ENV]: WRONG_TOKEN });
            try {
              for (const event of ['PreToolUse', 'SessionStart']) {
                for (const hook of await stranger.fire(hooks, event, payloads().get(event)!)) {
                  // Refused, and still no error or decision for Claude Code: curl exits 0 and prints
                  // nothing (its output would reach Claude), a native hook sees 401.
                  expect(hook.result, `${event} (${hook.type})`).toBe(
                    hook.type === 'http' ? 401 : 0,
                  );
                  if (hook.type === 'command') expect(hook.output, `${event} output`).toBe('');
                }
              }
            } finally {
              await stranger.close();
              renameSync(`${tokenFile}.away`, tokenFile);
            }
          }
          const claude = new ClaudeCode(
            token ? { ...environment, [TOKEN_ENV]: TOKEN } : environment,
          );
          const sent: { event: string; payload: Buffer }[] = [];
          const fired: Fired[] = [];
          try {
            const bodies = payloads();
            for (const event of HOOKABLE) {
              fired.push(...(await claude.fire(hooks, event, bodies.get(event)!)));
              sent.push({ event, payload: bodies.get(event)! });
            }
            fired.push(...(await claude.fire(hooks, 'PostToolUse', largePostToolUse())));
            sent.push({ event: 'PostToolUse', payload: largePostToolUse() });
          } finally {
            await claude.close();
          }

          // Ours plus the user's two; every one succeeded and printed nothing for Claude Code to act on.
          expect(fired).toHaveLength(HOOKABLE.length + 1 + 2);
          for (const hook of fired) {
            expect(hook, `${hook.event} (${hook.type})`).toMatchObject({
              result: hook.type === 'http' ? 200 : 0,
              output: '',
            });
          }
          const nativeCount = fired.filter((hook) => hook.type === 'http').length;
          expect(nativeCount).toBe(transport === 'http' ? 27 : 0);
          if (transport === 'http') expect(claude.connections).toBe(1);

          const lines = await server.waitForLines(sent.length);
          expect(lines).toHaveLength(sent.length);
          lines.forEach((line, index) => {
            const record = JSON.parse(line) as Record<string, unknown>;
            expect(record['_event']).toBe(sent[index]!.event);
            const { _ts, _event, _client, _peer_pid, _peer_uid, _peer_gid, ...payload } = record;
            expect(payload).toEqual(JSON.parse(sent[index]!.payload.toString('utf8')));
          });

          const removed = installer('--uninstall');
          expect(removed.status).toBe(0);
          expect(readFileSync(settingsPath).equals(ORIGINAL)).toBe(true);
          expect(
            existsSync(join(home, '.claude', 'hook-observatory')) &&
              readdirSync(join(home, '.claude', 'hook-observatory')),
          ).not.toEqual(expect.arrayContaining([expect.stringMatching(/\.header$/)]));
        },
      );
    });
  },
);
