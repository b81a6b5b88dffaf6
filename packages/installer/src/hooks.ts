/**
 * The hooks this tool writes: one handler per event, each a curl command hook
 * or a native HTTP hook, all carrying OUR_STATUS_MESSAGE so that they can be
 * told apart from the user's own hooks later. The events that get no hook, or
 * a curl hook in http mode, are the exceptions at the end, each with its reason.
 *
 * Settings format (Claude Code hooks reference, code.claude.com/docs/en/hooks):
 * `hooks.<Event>` is a list of matcher groups `{ matcher?, hooks: [handler] }`;
 * a handler is `{ type: "command", command }` or `{ type: "http", url }`, with
 * optional `timeout` (seconds), `statusMessage`, and for HTTP `headers` whose
 * `$VAR` references are filled only from the variables named in `allowedEnvVars`.
 */
import { HOOK_EVENTS, HOOK_PATH, TOKEN_ENV } from '@hook-observatory/core/vocabulary';

export type HookTransport = 'tcp' | 'unix' | 'http';
export const HOOK_TRANSPORTS: readonly HookTransport[] = ['tcp', 'unix', 'http'];

/** Where the hooks send events, and whether they prove who they are. */
export interface HookTarget {
  readonly transport: HookTransport;
  /** The TCP port of tcp and http hooks (http mode's curl hooks use it too). */
  readonly port: number;
  /** The Unix socket of unix hooks. */
  readonly socketPath: string;
  /**
   * Send `Authorization: Bearer <token>`: a curl hook reads the header from this file
   * (token-file.ts), a native hook from $HOOK_OBSERVATORY_TOKEN (TOKEN_ENV), which Claude Code
   * fills in when the hook runs. Neither puts the secret in the settings file or on a command
   * line. Undefined: no token.
   */
  readonly tokenFile: string | undefined;
}

/**
 * The mark of our handlers. `statusMessage` is a documented handler field (the
 * text Claude Code shows while the hook runs, since 2.1.69), so unlike an
 * invented key it cannot make Claude Code reject the settings file, and it
 * survives any edit the user makes around our hooks.
 */
export const OUR_STATUS_MESSAGE = 'hook-observatory';

/** curl gives up connecting after this long: a stopped server costs at most this (curl --connect-timeout). */
export const CURL_CONNECT_TIMEOUT_SECONDS = 0.5;
/** curl gives up on the whole request after this long, whatever the server does (curl --max-time). */
export const CURL_MAX_TIME_SECONDS = 1;
/**
 * Claude Code's own limit for a curl command hook, in seconds as its settings
 * take them: curl's 1 s plus the start of a shell and of curl. Claude Code's
 * default of 600 s would let a wedged shell hold a session up for ten minutes.
 */
export const COMMAND_HOOK_TIMEOUT_SECONDS = 2;
/** Claude Code's limit for a native HTTP hook, in seconds: the same budget as curl's --max-time. */
export const HTTP_HOOK_TIMEOUT_SECONDS = 1;
/** The matcher that selects every occurrence of an event (hooks reference: "*", "" or omitted). */
export const MATCH_ALL = '*';

/** The one event whose matcher is a list of files to watch rather than a filter. */
export const FILE_CHANGED = 'FileChanged';
/**
 * What a FileChanged hook watches when --watch is not given. Claude Code watches only the
 * files its matcher names (literal names in the session's directory, `|`-separated; `*` or
 * an empty matcher watches nothing), so "every occurrence" does not exist for this event.
 * These are the files whose change alters a session: Claude's instructions (CLAUDE.md), its
 * MCP servers (.mcp.json), the environment (.env, .envrc) and the dependencies of the common
 * ecosystems. A name that does not exist in a project costs nothing.
 */
export const DEFAULT_WATCHED_FILES: readonly string[] = [
  'CLAUDE.md',
  '.mcp.json',
  '.env',
  '.envrc',
  'package.json',
  'pyproject.toml',
  'Cargo.toml',
  'go.mod',
];
/** Characters that make a name something other than a literal file name in the session's directory. */
const NOT_A_WATCHABLE_NAME = /[*?[\]|\/\\]/;

/** A FileChanged matcher Claude Code will watch: literal names joined by `|`; throws on any other. */
export function watchMatcher(files: readonly string[]): string {
  if (files.length === 0) throw new Error('a FileChanged hook needs at least one file to watch');
  const bad = files.find(
    (name) =>
      name.trim() !== name ||
      name === '' ||
      name === '.' ||
      name === '..' ||
      NOT_A_WATCHABLE_NAME.test(name),
  );
  if (bad !== undefined) {
    throw new Error(
      `"${bad}" is not a file name in the session's directory (no wildcards, no slashes)`,
    );
  }
  return files.join('|');
}

export interface CommandHandler {
  readonly type: 'command';
  readonly command: string;
  readonly timeout: number;
  readonly statusMessage: string;
}

export interface HttpHandler {
  readonly type: 'http';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly allowedEnvVars?: readonly string[];
  readonly timeout: number;
  readonly statusMessage: string;
}

export type OurHandler = CommandHandler | HttpHandler;

/** One matcher group to add under `hooks.<event>`. */
export interface PlannedHook {
  readonly event: string;
  readonly group: { readonly matcher?: string; readonly hooks: readonly [OurHandler] };
}

/** The hooks for `events`, in the order of HOOK_EVENTS; FileChanged watches `watched`. */
export function planHooks(
  target: HookTarget,
  events: readonly string[],
  watched: readonly string[] = DEFAULT_WATCHED_FILES,
): PlannedHook[] {
  const wanted = new Set(events);
  const fileMatcher = watchMatcher(watched);
  return HOOK_EVENTS.filter(
    (info) => wanted.has(info.name) && handlerKindFor(info.name, target.transport) !== 'none',
  ).map((info) => {
    const handler = handlerFor(info.name, target);
    if (!info.matcher) return { event: info.name, group: { hooks: [handler] } };
    const matcher = info.name === FILE_CHANGED ? fileMatcher : MATCH_ALL;
    return { event: info.name, group: { matcher, hooks: [handler] } };
  });
}

function handlerFor(event: string, target: HookTarget): OurHandler {
  if (handlerKindFor(event, target.transport) === 'http') {
    return {
      type: 'http',
      url: tcpHookUrl(target.port, event),
      ...(target.tokenFile !== undefined
        ? { headers: { Authorization: `Bearer $${TOKEN_ENV}` }, allowedEnvVars: [TOKEN_ENV] }
        : {}),
      timeout: HTTP_HOOK_TIMEOUT_SECONDS,
      statusMessage: OUR_STATUS_MESSAGE,
    };
  }
  return {
    type: 'command',
    command: curlCommand(event, target),
    timeout: COMMAND_HOOK_TIMEOUT_SECONDS,
    statusMessage: OUR_STATUS_MESSAGE,
  };
}

export function tcpHookUrl(port: number, event: string): string {
  return `http://127.0.0.1:${port}${HOOK_PATH}?event=${encodeURIComponent(event)}`;
}

/**
 * The shell command of a curl hook. Claude Code runs it with `sh -c` and the
 * event's JSON on standard input; `-d @-` posts that input. `|| true` keeps a
 * failed request from reaching Claude Code as a hook error: exit code 2 would
 * block the action (hooks reference, "Exit code output"). `-o /dev/null`:
 * a command hook's standard output is read by Claude Code (and for some
 * events added to Claude's context), so not even a refusal's body may reach it.
 */
export function curlCommand(event: string, target: HookTarget): string {
  const parts = [
    'curl -s -o /dev/null',
    `--connect-timeout ${CURL_CONNECT_TIMEOUT_SECONDS}`,
    `--max-time ${CURL_MAX_TIME_SECONDS}`,
    '-X POST',
    "-H 'Content-Type: application/json'",
  ];
  // From a file, not "$VAR" on the command line: the shell would put the secret in curl's argv, which ps shows.
  if (target.tokenFile !== undefined) parts.push(`-H @${shellQuote(target.tokenFile)}`);
  parts.push('-d @-');
  if (target.transport === 'unix') {
    parts.push(`--unix-socket ${shellQuote(target.socketPath)}`);
    parts.push(shellQuote(`http://localhost${HOOK_PATH}?event=${encodeURIComponent(event)}`));
  } else {
    parts.push(shellQuote(tcpHookUrl(target.port, event)));
  }
  return `${parts.join(' ')} || true`;
}

/** POSIX single quotes: nothing inside is special, and a quote is written as '\'' (POSIX.1 XCU 2.2.2). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Whether a handler found in a settings file is one of ours. */
export function isOurHandler(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)['statusMessage'] === OUR_STATUS_MESSAGE
  );
}

/*
 * The three places where the installer does not simply add the transport's
 * hook to an event, each with the reason, shown to the user before any change
 * (and in packages/installer/README.md).
 */
export interface HookException {
  readonly events: readonly string[];
  /** The transports the exception changes anything for. */
  readonly transports: readonly HookTransport[];
  readonly explanation: string;
}

export const NEVER_HOOKED: readonly string[] = ['WorktreeCreate'];
/** Events Claude Code never sends a native HTTP hook for (seen in the recorded 2.1.197 sessions). */
export const NO_NATIVE_HTTP_HOOK: readonly string[] = ['Setup', 'SessionStart'];
/** Events whose native HTTP hook fails closed when the receiver is down. */
export const NATIVE_HTTP_FAILS_CLOSED: readonly string[] = ['PermissionRequest'];

export const HOOK_EXCEPTIONS: readonly HookException[] = [
  {
    events: NEVER_HOOKED,
    transports: ['tcp', 'unix', 'http'],
    explanation:
      'WorktreeCreate is never hooked. A WorktreeCreate hook replaces how Claude Code creates a ' +
      "worktree: it takes what the hook prints as the new worktree's path. A hook that only " +
      'reports the event prints nothing, and worktrees would stop working.',
  },
  {
    events: NO_NATIVE_HTTP_HOOK,
    transports: ['http'],
    explanation:
      'Setup and SessionStart get a curl command hook in http mode. Claude Code runs only ' +
      'command hooks for these two events and skips native HTTP hooks, so a native hook ' +
      'would never report them.',
  },
  {
    events: NATIVE_HTTP_FAILS_CLOSED,
    transports: ['http'],
    explanation:
      'PermissionRequest gets a curl command hook in http mode. When a native HTTP hook on ' +
      'PermissionRequest cannot reach its server, Claude Code denies the tool instead of asking ' +
      'you (anthropics/claude-code issue 46193); a curl hook fails quietly and the dialog appears.',
  },
];

/** What kind of handler an event gets on a transport. */
export function handlerKindFor(
  event: string,
  transport: HookTransport,
): 'none' | 'command' | 'http' {
  if (NEVER_HOOKED.includes(event)) return 'none';
  if (transport !== 'http') return 'command';
  if (NO_NATIVE_HTTP_HOOK.includes(event) || NATIVE_HTTP_FAILS_CLOSED.includes(event)) {
    return 'command';
  }
  return 'http';
}

/**
 * The explanations that matter for this install: an exception is shown when
 * it changes the transport's hooks and names an event the user asked for.
 */
export function exceptionsFor(
  transport: HookTransport,
  requestedEvents: readonly string[],
): HookException[] {
  return HOOK_EXCEPTIONS.filter(
    (exception) =>
      exception.transports.includes(transport) &&
      exception.events.some((event) => requestedEvents.includes(event)),
  );
}
