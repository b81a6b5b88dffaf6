/**
 * One run of the installer: choose the settings file, work out the new text,
 * show the diff, ask (on a terminal), back up, write. Every way out says what
 * happened to the file; on any error it is left as it was.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { DEFAULT_PORT, DEFAULT_SOCKET_PATH, EXIT_USAGE, TOKEN_ENV, UsageError } from '@hook-observatory/core';
import { exceptionsFor, FILE_CHANGED, planHooks, type HookTarget } from './hooks.js';
import { parseCli, SCOPE_DESCRIPTIONS, SCOPES, settingsPathFor, usage, type InstallOptions, type Scope } from './options.js';
import { readSettings, writeSettings } from './settings-file.js';
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

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, io: Io): Promise<number> {
  let options: InstallOptions;
  try {
    const command = parseCli(argv, env, cwd);
    if (command.kind === 'help') {
      io.out(usage(PROGRAM));
      return EXIT_OK;
    }
    options = command.options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${PROGRAM}: ${error.message}\nRun ${PROGRAM} --help for the options.\n`);
    return EXIT_USAGE;
  }
  for (const warning of options.warnings) io.err(`${PROGRAM}: warning: ${warning}\n`);

  const scope = options.scope ?? (io.interactive ? await askScope(io, env, options.invocationDir) : undefined);
  if (scope === undefined) {
    io.err(`${PROGRAM}: choose the settings file: --global, --project or --local\nRun ${PROGRAM} --help for the options.\n`);
    return EXIT_USAGE;
  }
  const path = settingsPathFor(scope, env, options.invocationDir);

  try {
    const snapshot = await readSettings(path);
    const before = snapshot.text ?? EMPTY_SETTINGS;
    const after = options.uninstall
      ? removeOurHooks(before, options.eventsChosen ? new Set(options.events) : undefined)
      : installHooks(before, planHooks(options.target, options.events, options.watch));

    if (!options.uninstall) io.out(describeInstall(options));
    const changed = options.uninstall ? after !== before : snapshot.text === undefined || after !== snapshot.text;
    if (!changed) {
      io.out(options.uninstall ? `No hooks of hook-observatory in ${path}: nothing to remove.\n` : `${path} already has these hooks: nothing to change.\n`);
      return EXIT_OK;
    }
    // A unified diff, the form `patch` and `git apply` read; a new file's old side is /dev/null.
    io.out(
      createTwoFilesPatch(snapshot.text === undefined ? '/dev/null' : path, path, snapshot.text ?? '', after, undefined, undefined, {
        context: DIFF_CONTEXT_LINES,
        headerOptions: FILE_HEADERS_ONLY,
      }),
    );
    if (options.dryRun) {
      io.out('Dry run: nothing was written.\n');
      return EXIT_OK;
    }
    if (io.interactive && !options.yes) {
      const answer = await io.ask(`Write this change to ${path}? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.out('Nothing was written.\n');
        return EXIT_OK;
      }
    }
    const { backupPath } = await writeSettings(snapshot, after);
    if (backupPath !== undefined) io.out(`Backed up the previous file to ${backupPath}\n`);
    io.out(`${options.uninstall ? 'Removed the hooks from' : 'Wrote the hooks to'} ${path}\n`);
    if (!options.uninstall) io.out(nextSteps(options.target));
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof SettingsError)) {
      io.err(`${PROGRAM}: ${path}: ${(error as Error).message}\nThe settings file was left as it was.\n`);
      return EXIT_FAILED;
    }
    const where = error.position === undefined ? path : `${path}:${error.position}`;
    io.err(`${PROGRAM}: ${where}: ${error.message}\nThe settings file was left untouched.\n`);
    return EXIT_FAILED;
  }
}

async function askScope(io: Io, env: NodeJS.ProcessEnv, invocationDir: string): Promise<Scope | undefined> {
  const lines = SCOPES.map(
    (scope, index) => `  ${index + 1}) --${scope.padEnd(8)} ${settingsPathFor(scope, env, invocationDir)}\n               ${SCOPE_DESCRIPTIONS[scope]}\n`,
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
  const destination = target.transport === 'unix' ? `over the Unix socket ${target.socketPath}` : `to http://127.0.0.1:${target.port}/hook`;
  const kinds = [
    ...(native > 0 ? [`${native} with a native HTTP hook`] : []),
    ...(curl > 0 ? [`${curl} with a curl command hook`] : []),
  ];
  const lines = [`Hooking ${planned.length} event${planned.length === 1 ? '' : 's'} ${destination}: ${kinds.join(', ')}.`];
  if (target.token) {
    lines.push(`Each hook sends "Authorization: Bearer $${TOKEN_ENV}", filled in from the environment when it runs.`);
  }
  if (planned.some((hook) => hook.event === FILE_CHANGED)) {
    lines.push(`${FILE_CHANGED} reports changes to ${options.watch.join(', ')} in the session's directory (--watch to choose).`);
  }
  for (const exception of exceptionsFor(target.transport, options.events)) lines.push(`Note: ${exception.explanation}`);
  return `${lines.map((line) => wrap(line)).join('\n')}\n\n`;
}

function nextSteps(target: HookTarget): string {
  const serverFlags =
    target.transport === 'unix'
      ? target.socketPath === DEFAULT_SOCKET_PATH
        ? ' -- --unix'
        : ` -- --socket '${target.socketPath}'`
      : target.port === DEFAULT_PORT
        ? ''
        : ` -- --port ${target.port}`;
  const lines = [
    `Start a server where the hooks send: pnpm start${serverFlags}`,
    'A claude session that is already running may keep its old hooks until it is restarted.',
  ];
  if (target.token) lines.push(`Export ${TOKEN_ENV} in the shells that run the server and claude.`);
  return `${lines.join('\n')}\n`;
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
