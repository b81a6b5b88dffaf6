/**
 * One run of the installer: choose the settings file, work out the new text,
 * show the diff, ask (on a terminal), back up, write. Every way out says what
 * happened to the file; on any error it is left as it was.
 */
import { basename, dirname } from 'node:path';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import {
  DEFAULT_PORT,
  DEFAULT_SOCKET_PATH,
  EXIT_USAGE,
  isPackagedCommand,
  TOKEN_ENV,
  typedCommand,
  UsageError,
} from '@hook-observatory/core/vocabulary';
import { exceptionsFor, FILE_CHANGED, planHooks, shellQuote, type HookTarget } from './hooks.js';
import {
  parseCli,
  SCOPE_DESCRIPTIONS,
  SCOPES,
  settingsPathFor,
  usage,
  type InstallOptions,
  type Scope,
} from './options.js';
import { MAX_BACKUPS, readOnlyError, readSettings, writeSettings } from './settings-file.js';
import {
  removeTokenFile,
  TOKEN_FILE_MODE,
  tokenFileFor,
  tokenFileIsCurrent,
  writeTokenFile as writeTokenFileAtomically,
} from './token-file.js';
import { EMPTY_SETTINGS, installHooks, removeOurHooks, SettingsError } from './settings-text.js';

export const PROGRAM = 'install-hooks';
export const EXIT_OK = 0;
/** The settings file could not be read, parsed or written; it was left as it was. */
export const EXIT_FAILED = 1;
/** Lines of unchanged context around each change, as `diff -u` prints by default. */
export const DIFF_CONTEXT_LINES = 3;

/** The terminal, or a test's stand-in for it. */
export interface Io {
  /** Standard input and output are both a terminal: a person can be asked. */
  readonly interactive: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Ask a question and return the line typed (only called when interactive). */
  ask(question: string): Promise<string>;
}

export async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: Io,
): Promise<number> {
  let options: InstallOptions;
  try {
    const command = parseCli(argv, env, cwd);
    if (command.kind === 'help') {
      io.out(usage(typedCommand('install-hooks', 'install-hooks')));
      return EXIT_OK;
    }
    options = command.options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${PROGRAM}: ${error.message}\n`);
    return EXIT_USAGE;
  }
  for (const warning of options.warnings) io.err(`${PROGRAM}: warning: ${warning}\n`);

  const scope =
    options.scope ?? (io.interactive ? await askScope(io, env, options.invocationDir) : undefined);
  if (scope === undefined) {
    io.err(`${PROGRAM}: choose the settings file: --global, --project or --local\n`);
    return EXIT_USAGE;
  }
  const path = settingsPathFor(scope, env, options.invocationDir);
  const tokenFile = tokenFileFor(
    path,
    dirname(settingsPathFor('global', env, options.invocationDir)),
  );
  try {
    const target = options.token === undefined ? options.target : { ...options.target, tokenFile };
    return await change({ ...options, target }, path, tokenFile, cwd, io);
  } catch (error) {
    if (!(error instanceof SettingsError)) {
      io.err(
        `${PROGRAM}: ${path}: ${(error as Error).message}\nThe settings file was left as it was.\n`,
      );
      return EXIT_FAILED;
    }
    const where = error.position === undefined ? path : `${path}:${error.position}`;
    io.err(`${PROGRAM}: ${where}: ${error.message}\nThe settings file was left untouched.\n`);
    return EXIT_FAILED;
  }
}

/** Work out the new text, show the diff, ask, write; the token file goes with the hooks that name it. */
async function change(
  options: InstallOptions,
  path: string,
  tokenFile: string,
  cwd: string,
  io: Io,
): Promise<number> {
  const snapshot = await readSettings(path);
  const before = snapshot.text ?? EMPTY_SETTINGS;
  const after = options.uninstall
    ? removeOurHooks(before, options.eventsChosen ? new Set(options.events) : undefined)
    : installHooks(before, planHooks(options.target, options.events, options.watch));

  if (!options.uninstall) io.out(describeInstall(options));
  const changed = options.uninstall
    ? after !== before
    : snapshot.text === undefined || after !== snapshot.text;
  if (!changed) {
    io.out(
      options.uninstall
        ? `No hooks of hook-observatory in ${path}: nothing to remove.\n`
        : `${path} already has these hooks: nothing to change.\n`,
    );
    if (!options.dryRun) {
      await writeTokenFile(options, tokenFile, io);
      await removeUnusedTokenFile(after, tokenFile, io);
    }
    return EXIT_OK;
  }
  // A unified diff, the form `patch` and `git apply` read; a new file's old side is /dev/null.
  io.out(
    createTwoFilesPatch(
      snapshot.text === undefined ? '/dev/null' : path,
      path,
      snapshot.text ?? '',
      after,
      undefined,
      undefined,
      {
        context: DIFF_CONTEXT_LINES,
        headerOptions: FILE_HEADERS_ONLY,
      },
    ),
  );
  if (options.dryRun) {
    io.out(
      snapshot.readOnly
        ? 'Dry run: nothing was written (and the file is read-only: a real run would refuse).\n'
        : 'Dry run: nothing was written.\n',
    );
    return EXIT_OK;
  }
  if (snapshot.readOnly) throw readOnlyError(snapshot);
  if (io.interactive && !options.yes) {
    const answer = await io.ask(`Write this change to ${path}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.out('Nothing was written.\n');
      return EXIT_OK;
    }
  }
  // The token file exists before the hooks that read it, and goes once no hook names it.
  await writeTokenFile(options, tokenFile, io);
  const { backupPath, removedBackups } = await writeSettings(snapshot, after);
  if (backupPath !== undefined) io.out(`Backed up the previous file to ${backupPath}\n`);
  if (removedBackups > 0) {
    io.out(
      `Removed ${removedBackups} older backup${removedBackups === 1 ? '' : 's'} (the newest ${MAX_BACKUPS} are kept)\n`,
    );
  }
  io.out(`${options.uninstall ? 'Removed the hooks from' : 'Wrote the hooks to'} ${path}\n`);
  await removeUnusedTokenFile(after, tokenFile, io);
  if (!options.uninstall) io.out(nextSteps(options.target, options.invocationDir, cwd));
  return EXIT_OK;
}

/** With --token: its secret in the token file, unless the file already holds it. */
async function writeTokenFile(options: InstallOptions, tokenFile: string, io: Io): Promise<void> {
  if (options.token === undefined || (await tokenFileIsCurrent(tokenFile, options.token))) return;
  await writeTokenFileAtomically(tokenFile, options.token);
  io.out(
    `Wrote the token the curl hooks send to ${tokenFile} (mode ${TOKEN_FILE_MODE.toString(8).padStart(4, '0')})\n`,
  );
}

/** The token file goes when the settings text no longer names it: after --uninstall, or installed again without --token. */
async function removeUnusedTokenFile(after: string, tokenFile: string, io: Io): Promise<void> {
  if (!after.includes(basename(tokenFile)) && (await removeTokenFile(tokenFile))) {
    io.out(`Removed the token file ${tokenFile}\n`);
  }
}

async function askScope(
  io: Io,
  env: NodeJS.ProcessEnv,
  invocationDir: string,
): Promise<Scope | undefined> {
  const lines = SCOPES.map(
    (scope, index) =>
      `  ${index + 1}) --${scope.padEnd(8)} ${settingsPathFor(scope, env, invocationDir)}\n               ${SCOPE_DESCRIPTIONS[scope]}\n`,
  );
  io.out(`Which settings file should get the hooks?\n${lines.join('')}`);
  const answer = (await io.ask(`Choose 1-${SCOPES.length} (anything else: none): `)).trim();
  return SCOPES[Number(answer) - 1];
}

/** What will be hooked and how, with the exceptions that apply, before the diff. */
export function describeInstall(options: InstallOptions): string {
  const { target } = options;
  const planned = planHooks(target, options.events, options.watch);
  const native = planned.filter((hook) => hook.group.hooks[0].type === 'http').length;
  const curl = planned.length - native;
  const destination =
    target.transport === 'unix'
      ? `over the Unix socket ${target.socketPath}`
      : `to http://127.0.0.1:${target.port}/hook`;
  const kinds = [
    ...(native > 0 ? [`${native} with a native HTTP hook`] : []),
    ...(curl > 0 ? [`${curl} with a curl command hook`] : []),
  ];
  const lines = [
    `Hooking ${planned.length} event${planned.length === 1 ? '' : 's'} ${destination}: ${kinds.join(', ')}.`,
  ];
  if (target.tokenFile !== undefined) {
    lines.push(
      `Each hook sends "Authorization: Bearer $${TOKEN_ENV}": ${tokenSources(planned.length - native, native)}.`,
    );
  }
  if (planned.some((hook) => hook.event === FILE_CHANGED)) {
    lines.push(
      `${FILE_CHANGED} reports changes to ${options.watch.join(', ')} in the session's directory (--watch to choose).`,
    );
  }
  for (const exception of exceptionsFor(target.transport, options.events)) {
    lines.push(`Note: ${exception.explanation}`);
  }
  return `${lines.map((line) => wrap(line)).join('\n')}\n\n`;
}

/**
 * What to run next, to paste as printed: `hook-observatory start` when this
 * runs as the npm package's command (typedCommand); else `-s` as the README insists (pnpm's
 * banner would go to standard output ahead of the events), flags after the
 * script name, and `-C` to the repository when the user typed the command
 * elsewhere (pnpm runs this script in the workspace root, `cwd`).
 */
export function startCommand(target: HookTarget, invocationDir: string, cwd: string): string {
  const serverFlags =
    target.transport === 'unix'
      ? target.socketPath === DEFAULT_SOCKET_PATH
        ? ' --unix'
        : ` --socket ${shellQuote(target.socketPath)}`
      : target.port === DEFAULT_PORT
        ? ''
        : ` --port ${target.port}`;
  if (isPackagedCommand()) return `${typedCommand('start', 'start')}${serverFlags}`;
  return `pnpm${invocationDir === cwd ? '' : ` -C ${shellQuote(cwd)}`} -s start${serverFlags}`;
}

function nextSteps(target: HookTarget, invocationDir: string, cwd: string): string {
  const lines = [
    `Start a server where the hooks send: ${startCommand(target, invocationDir, cwd)}`,
    'A claude session that is already running may keep its old hooks until it is restarted.',
  ];
  if (target.tokenFile !== undefined) {
    const native =
      target.transport === 'http' ? ' and claude (native HTTP hooks read it when they run)' : '';
    lines.push(
      `Start the server with the same ${TOKEN_ENV}; export it in the shell that runs claude too${native}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Where each kind of hook finds the token, for the summary before the diff. */
function tokenSources(curl: number, native: number): string {
  const sources = [
    ...(curl > 0
      ? ['curl hooks read it from a file only you can read, written from the variable now']
      : []),
    ...(native > 0 ? ['native hooks from the variable when they run'] : []),
  ];
  return sources.join('; ');
}

/** Break a long line at spaces, so notes read well in an 80-column terminal. */
function wrap(line: string, width = 80): string {
  const words = line.split(' ');
  const out: string[] = [];
  let current = '';
  for (const word of words) {
    if (current !== '' && current.length + 1 + word.length > width) {
      out.push(current);
      current = `  ${word}`;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  out.push(current);
  return out.join('\n');
}
