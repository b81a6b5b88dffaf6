/**
 * The installer's command line. Parsing never exits: it returns what to do or
 * throws a UsageError, which main prints with a pointer to --help (exit 2).
 * Defaults come from the environment variables the servers read, so that the
 * hooks point where a server started in the same shell listens.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  argsErrorLine,
  DEFAULT_PORT,
  DEFAULT_SOCKET_PATH,
  HOOK_EVENT_NAMES,
  PORT_ENV,
  SOCKET_ENV,
  TOKEN_ENV,
  UsageError,
  nonEmpty,
  parsePort,
} from '@hook-observatory/core/vocabulary';
import {
  DEFAULT_WATCHED_FILES,
  FILE_CHANGED,
  HOOK_EXCEPTIONS,
  HOOK_TRANSPORTS,
  NEVER_HOOKED,
  watchMatcher,
  type HookTarget,
  type HookTransport,
} from './hooks.js';
import { tokenFromEnvironment } from './token-file.js';

export { UsageError };

/*
 * The three settings files a user's hooks can live in (Claude Code settings
 * docs, "Settings files"): their own for every project, a project's shared
 * one, and a project's personal one that is not meant to be committed.
 */
export type Scope = 'global' | 'project' | 'local';
export const SCOPES: readonly Scope[] = ['global', 'project', 'local'];

/** Claude Code keeps its user settings here instead of ~/.claude when it is set. */
export const CONFIG_DIR_ENV = 'CLAUDE_CONFIG_DIR';

export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  global: 'yours, for every project',
  project: 'this project, shared with everyone who clones it',
  local: 'this project, for you only (not meant to be committed)',
};

export function settingsPathFor(
  scope: Scope,
  env: NodeJS.ProcessEnv,
  invocationDir: string,
): string {
  switch (scope) {
    case 'global': {
      const configDir = env[CONFIG_DIR_ENV];
      if (configDir !== undefined && configDir !== '') return join(configDir, 'settings.json');
      const home = env['HOME'];
      return join(home !== undefined && home !== '' ? home : homedir(), '.claude', 'settings.json');
    }
    case 'project':
      return join(invocationDir, '.claude', 'settings.json');
    case 'local':
      return join(invocationDir, '.claude', 'settings.local.json');
  }
}

export interface InstallOptions {
  readonly scope: Scope | undefined;
  /** Where the hooks send; its tokenFile is chosen with the settings file (cli.ts). */
  readonly target: HookTarget;
  /** --token's secret ($HOOK_OBSERVATORY_TOKEN when the installer runs); undefined without --token or with --uninstall. */
  readonly token: string | undefined;
  /** The events asked for; every event of HOOK_EVENTS when --events is absent. */
  readonly events: readonly string[];
  /** True when --events named them; an uninstall then touches only those. */
  readonly eventsChosen: boolean;
  /** The files the FileChanged hook watches (--watch, else DEFAULT_WATCHED_FILES). */
  readonly watch: readonly string[];
  readonly uninstall: boolean;
  readonly dryRun: boolean;
  readonly yes: boolean;
  /** The directory the user ran the command from (pnpm's INIT_CWD, else the working directory). */
  readonly invocationDir: string;
  readonly warnings: readonly string[];
}

export type CliCommand =
  { readonly kind: 'help' } | { readonly kind: 'run'; readonly options: InstallOptions };

const OPTIONS = {
  global: { type: 'boolean' },
  project: { type: 'boolean' },
  local: { type: 'boolean' },
  transport: { type: 'string' },
  port: { type: 'string' },
  socket: { type: 'string' },
  events: { type: 'string' },
  watch: { type: 'string' },
  token: { type: 'boolean' },
  uninstall: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * pnpm sets INIT_CWD to the directory `pnpm <script>` was typed in, and runs
 * the script itself in the workspace root (pnpm docs, "pnpm run": environment).
 */
export const INVOCATION_DIR_ENV = 'INIT_CWD';

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliCommand {
  // `pnpm install-hooks -- --flag` forwards the `--` too; a lone leading one means nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(argsErrorLine(error, OPTIONS));
  }
  if (values.help) return { kind: 'help' };

  const scopes = SCOPES.filter((scope) => values[scope]);
  if (scopes.length > 1) {
    throw new UsageError(
      `--${scopes[0]} and --${scopes[1]} cannot be combined: choose one settings file`,
    );
  }

  const transport = parseTransport(values.transport);
  const warnings: string[] = [];
  const invocationDir = nonEmpty(env[INVOCATION_DIR_ENV]) ?? cwd;

  if (values.port !== undefined && transport === 'unix') {
    throw new UsageError(
      '--port applies to --transport tcp and http; a unix hook takes --socket PATH',
    );
  }
  if (values.socket !== undefined && transport !== 'unix') {
    throw new UsageError(`--socket applies to --transport unix; ${transport} hooks take --port N`);
  }
  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    // Port 0 asks a server for any free port; a hook cannot know which one it got.
    port = parsePort(values.port, '--port', 1);
  } else if (nonEmpty(env[PORT_ENV]) !== undefined) {
    try {
      port = parsePort(env[PORT_ENV] as string, PORT_ENV, 1);
    } catch (error) {
      // The server falls back to its default on the same mistake, so the hooks must too.
      warnings.push(
        `${(error as Error).message}; using the default port ${DEFAULT_PORT}, as the servers do`,
      );
    }
  }
  const socketText = values.socket ?? nonEmpty(env[SOCKET_ENV]) ?? DEFAULT_SOCKET_PATH;
  if (socketText === '') throw new UsageError('--socket needs a path');
  // Claude Code runs hooks in the session's directory, so a relative path would point elsewhere.
  const socketPath = isAbsolute(socketText) ? socketText : resolve(invocationDir, socketText);

  const eventsChosen = values.events !== undefined;
  const events = eventsChosen ? parseEvents(values.events as string) : [...HOOK_EVENT_NAMES];
  const watch =
    values.watch === undefined ? DEFAULT_WATCHED_FILES : parseWatch(values.watch, events);

  return {
    kind: 'run',
    options: {
      scope: scopes[0],
      target: { transport, port, socketPath, tokenFile: undefined },
      token: values.token && !values.uninstall ? tokenFromEnvironment(env) : undefined,
      events,
      eventsChosen,
      watch,
      uninstall: values.uninstall ?? false,
      dryRun: values['dry-run'] ?? false,
      yes: values.yes ?? false,
      invocationDir,
      warnings,
    },
  };
}

function parseTransport(text: string | undefined): HookTransport {
  if (text === undefined) return 'tcp';
  if ((HOOK_TRANSPORTS as readonly string[]).includes(text)) return text as HookTransport;
  throw new UsageError(`--transport: "${text}" is not one of ${HOOK_TRANSPORTS.join(', ')}`);
}

function parseEvents(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new UsageError('--events needs at least one event name');
  const unknown = names.filter((name) => !HOOK_EVENT_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `--events: unknown ${unknown.map((name) => `"${name}"`).join(', ')}; the events are: ${HOOK_EVENT_NAMES.join(', ')}`,
    );
  }
  const never = names.filter((name) => NEVER_HOOKED.includes(name));
  if (never.length > 0) {
    throw new UsageError(
      `--events: ${HOOK_EXCEPTIONS.find((exception) => exception.events.includes(never[0]!))!.explanation}`,
    );
  }
  return [...new Set(names)];
}

function parseWatch(text: string, events: readonly string[]): string[] {
  if (!events.includes(FILE_CHANGED)) {
    throw new UsageError(`--watch applies to the ${FILE_CHANGED} hook, which --events leaves out`);
  }
  const names = text
    .split('|')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  try {
    watchMatcher(names);
  } catch (error) {
    throw new UsageError(`--watch: ${(error as Error).message}`);
  }
  return [...new Set(names)];
}

export function usage(program: string): string {
  return `Usage: ${program} [--global | --project | --local] [options]

Add hooks to a Claude Code settings file that send every hook event to a
hook-observatory server, or take exactly those hooks out again. Shows the
change as a unified diff first; backs the file up before writing it.

Which settings file (asked on a terminal when none is given):
  --global             ~/.claude/settings.json (or $CLAUDE_CONFIG_DIR/settings.json)
  --project            .claude/settings.json of the directory you ran this in
  --local              .claude/settings.local.json of that directory (not committed)

How the hooks reach the server:
  --transport tcp      curl command hooks to http://127.0.0.1:PORT/hook (default)
  --transport unix     curl command hooks over the Unix socket at PATH
  --transport http     Claude Code's native HTTP hooks to http://127.0.0.1:PORT/hook
  --port N             default: $${PORT_ENV} or ${DEFAULT_PORT}
  --socket PATH        default: $${SOCKET_ENV} or ${DEFAULT_SOCKET_PATH}
  --events A,B         only these events (default: every event but WorktreeCreate)
  --watch 'A|B'        the files in the session's directory whose changes the
                       ${FILE_CHANGED} hook reports (default: ${DEFAULT_WATCHED_FILES.join('|')})
  --token              send "Authorization: Bearer $${TOKEN_ENV}": curl hooks read it
                       from a file only you can read, written now from the variable;
                       native hooks from the variable when they run. Never in the
                       settings file, never on a command line

What to do:
  --uninstall          remove this tool's hooks (only those on --events, if given)
  --dry-run            print the diff and write nothing
  -y, --yes            write without asking (a terminal is asked after the diff)
  -h, --help           show this help

Examples:
  ${program} --global --dry-run
  ${program} --project --transport unix
  ${program} --local --transport http --token --yes
  ${program} --global --uninstall
`;
}
