#!/usr/bin/env node
/**
 * `hook-observatory COMMAND [flags]` (commands.ts). The command's entry point reads its flags
 * from process.argv as when node runs it directly, so the command's name is taken out of argv
 * before the entry point is loaded.
 */
import { readFileSync } from 'node:fs';
import { EXIT_USAGE, markPackagedCommand } from '@hook-observatory/core/vocabulary';
import { COMMAND_NAMES, COMMANDS, isCommandName, PROGRAM, usage } from './commands.js';

const FIRST_ARGUMENT = 2; // process.argv: node, this script, then what the user typed

function version(): string {
  const manifest = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const name = process.argv[FIRST_ARGUMENT];
if (name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(usage());
} else if (name === '--version') {
  process.stdout.write(`${PROGRAM} ${version()}\n`);
} else if (name === undefined || !isCommandName(name)) {
  const problem =
    name === undefined
      ? 'a command is needed'
      : `unknown command "${name}" (one of ${COMMAND_NAMES.join(', ')})`;
  process.stderr.write(`${PROGRAM}: ${problem}\n\n${usage()}`);
  process.exitCode = EXIT_USAGE;
} else {
  process.argv.splice(FIRST_ARGUMENT, 1);
  markPackagedCommand(); // the command's --help and hints then say `hook-observatory NAME`
  await COMMANDS[name].load();
}
