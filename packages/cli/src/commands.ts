/**
 * The commands of `hook-observatory`, the one program of the npm package (scripts/pack). Each
 * is the entry point that a pnpm script of the repository runs, loaded into this process rather
 * than started as a child: a signal sent to the command the user started (a service manager's
 * SIGTERM) reaches the server itself, and nothing stands between it and its standard streams.
 *
 * The import specifiers are literal so that the packer's file trace (@vercel/nft) can follow them.
 */
import { PACKAGE_PROGRAM } from '@hook-observatory/core/vocabulary';

export interface Command {
  /** One line for `hook-observatory --help`. */
  readonly summary: string;
  /** Loads the entry point, which reads its own flags from process.argv and runs. */
  readonly load: () => Promise<unknown>;
}

export const COMMANDS = {
  start: {
    summary: 'receive hooks (the node:http server) and serve the live page',
    load: () => import('@hook-observatory/http-server/main'),
  },
  query: {
    summary: 'ask the event log questions: filters, sessions, --watch',
    load: () => import('@hook-observatory/query/main'),
  },
  'install-hooks': {
    summary: 'add the hooks to a Claude Code settings file, or take them out',
    load: () => import('@hook-observatory/installer/main'),
  },
  replay: {
    summary: 'send a recorded session (a log or a capture) to a running server',
    load: () => import('@hook-observatory/tools/replay-command').then((replay) => replay.main()),
  },
} as const satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export const PROGRAM = PACKAGE_PROGRAM;

export function usage(): string {
  const width = Math.max(...COMMAND_NAMES.map((name) => name.length));
  const lines = COMMAND_NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`);
  return `Usage: ${PROGRAM} COMMAND [flags]

Commands:
${lines.join('\n')}

${PROGRAM} COMMAND --help shows a command's flags.
`;
}

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}
