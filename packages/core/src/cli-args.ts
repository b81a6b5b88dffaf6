/**
 * What every command (the servers, query, install-hooks, demo, send, replay)
 * says when its command line is wrong: one line naming what was wrong and
 * what is valid, never node:util parseArgs's own advice about `--`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot be run as typed: one line for standard error, and exit status 2 (EXIT_USAGE). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command's options as parseArgs takes them: enough to name them back. */
export type OptionTable = Readonly<
  Record<string, { readonly type: string; readonly short?: string }>
>;

/** The options as a user types them: `--event A`, `-n, --last N`, `--json`. */
export function optionNames(options: OptionTable): string {
  return Object.entries(options)
    .map(([name, option]) =>
      option.short === undefined ? `--${name}` : `-${option.short}/--${name}`,
    )
    .join(', ');
}

/**
 * The one line for a parseArgs error (node's lib/internal/util/parse_args: its
 * codes ERR_PARSE_ARGS_UNKNOWN_OPTION, ERR_PARSE_ARGS_INVALID_OPTION_VALUE and
 * ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL).
 */
export function argsErrorLine(error: unknown, options: OptionTable): string {
  const { code, message } = error as { code?: string; message: string };
  const named = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${named}; the options are ${optionNames(options)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message)
        ? `${named} needs a value`
        : `${named} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}: this command takes options only (${optionNames(options)})`;
    default:
      return message;
  }
}

/** The npm package's one program (packages/cli): `hook-observatory start`, `hook-observatory query`… */
export const PACKAGE_PROGRAM = 'hook-observatory';

/**
 * Whether this process is the npm package's program. Its bin calls
 * markPackagedCommand before it loads the command; a pnpm script runs the
 * command's entry point directly, which never does.
 */
let packaged = false;

export function markPackagedCommand(): void {
  packaged = true;
}

export function isPackagedCommand(): boolean {
  return packaged;
}

/**
 * A command as the user typed it, for its usage text and examples:
 * `hook-observatory query` from the npm package, `pnpm -s query` in the
 * repository (the script's name; `-s` so that pnpm's banner stays off
 * standard output). A command the package does not have is always the script.
 */
export function typedCommand(script: string, packagedName?: string): string {
  return packaged && packagedName !== undefined
    ? `${PACKAGE_PROGRAM} ${packagedName}`
    : `pnpm -s ${script}`;
}

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
type CommandLineConfig<O extends ParseArgsOptionsConfig> = {
  args: string[];
  options: O;
  strict: true;
  allowPositionals: true;
};

/**
 * A command's flags and operands, strictly (node:util parseArgs); a lone
 * leading `--`, which `pnpm run script -- --flag` forwards, means nothing. A
 * wrong command line is a UsageError of one line (argsErrorLine).
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<CommandLineConfig<O>>> {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  try {
    return parseArgs<CommandLineConfig<O>>({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(argsErrorLine(error, options));
  }
}

/** An environment variable set to the empty string counts as unset, as shells treat it. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
