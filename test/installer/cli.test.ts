/**
 * One run of the installer against real files in a temporary directory: what
 * it prints, what it writes, what it refuses, and that it never loses a byte.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '@hook-observatory/core/vocabulary';
import {
  EXIT_FAILED,
  EXIT_OK,
  HOOK_EXCEPTIONS,
  MAX_BACKUPS,
  run,
  type Io,
} from '@hook-observatory/installer';

interface FakeTerminal extends Io {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly questions: string[];
}

/** A terminal whose person types `answers` in turn; `onAsk` runs before each answer. */
function terminal(
  interactive: boolean,
  answers: string[] = [],
  onAsk: () => void = () => undefined,
): FakeTerminal {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const questions: string[] = [];
  return {
    interactive,
    stdout,
    stderr,
    questions,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    ask: async (question) => {
      questions.push(question);
      onAsk();
      return answers.shift() ?? '';
    },
  };
}

const USER_SETTINGS =
  '{\n  "model": "opus",\n  "hooks": {\n    "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]\n  }\n}\n';

let home: string;
let project: string;
let env: NodeJS.ProcessEnv;
const settingsPath = (): string => join(home, '.claude', 'settings.json');

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'installer-home-'));
  project = mkdtempSync(join(tmpdir(), 'installer-project-'));
  env = { HOME: home, INIT_CWD: project };
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

function writeUserSettings(text = USER_SETTINGS): void {
  mkdirSync(join(home, '.claude'), { recursive: true });
  writeFileSync(settingsPath(), text);
}

/** Every file under `dir` with its bytes, to prove that nothing was written anywhere. */
function snapshotTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      files[join(entry.parentPath, entry.name)] = readFileSync(
        join(entry.parentPath, entry.name),
        'latin1',
      );
    }
  }
  return files;
}

function backupsIn(dir: string): string[] {
  return readdirSync(dir).filter((name) =>
    /^settings\.json\.backup-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z(-\d+)?$/.test(name),
  );
}

describe('--dry-run writes nothing', () => {
  it('existing-file: prints the diff and the exceptions, leaves every file as it was', async () => {
    writeUserSettings();
    const before = snapshotTree(home);
    const io = terminal(true);
    expect(await run(['--global', '--transport', 'http', '--dry-run'], env, project, io)).toBe(
      EXIT_OK,
    );
    expect(snapshotTree(home)).toEqual(before);
    const out = io.stdout.join('');
    expect(out).toContain(`--- ${settingsPath()}\n+++ ${settingsPath()}\n@@ `);
    expect(out).toContain('+    "SessionEnd": [');
    expect(out).toContain('Dry run: nothing was written.');
    for (const exception of HOOK_EXCEPTIONS) {
      expect(out.replaceAll('\n  ', ' ')).toContain(exception.explanation);
    }
    expect(io.questions).toEqual([]);
  });

  it('missing-file: creates neither the file nor its directory', async () => {
    const io = terminal(false);
    expect(await run(['--project', '--dry-run'], env, '/', io)).toBe(EXIT_OK);
    expect(readdirSync(project)).toEqual([]);
    expect(io.stdout.join('')).toContain(
      `--- /dev/null\n+++ ${join(project, '.claude', 'settings.json')}\n@@ -0,0 +1,`,
    );
  });
});

describe('writing', () => {
  it('backs-up-the-original-then-writes-and-keeps-its-permissions', async () => {
    writeUserSettings();
    chmodSync(settingsPath(), 0o600);
    const io = terminal(false);
    expect(await run(['--global'], env, project, io)).toBe(EXIT_OK);
    const backups = backupsIn(join(home, '.claude'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(home, '.claude', backups[0]!), 'utf8')).toBe(USER_SETTINGS);
    expect(readFileSync(settingsPath(), 'utf8')).toContain('"statusMessage": "hook-observatory"');
    expect(statSync(settingsPath()).mode & 0o777).toBe(0o600);
    // No temporary file is left behind.
    expect(readdirSync(join(home, '.claude')).sort()).toEqual(
      ['settings.json', backups[0]!].sort(),
    );
  });

  it('second-run-changes-nothing-and-writes-no-backup', async () => {
    writeUserSettings();
    expect(await run(['--global'], env, project, terminal(false))).toBe(EXIT_OK);
    const once = snapshotTree(home);
    const io = terminal(false);
    expect(await run(['--global'], env, project, io)).toBe(EXIT_OK);
    expect(snapshotTree(home)).toEqual(once);
    expect(io.stdout.join('')).toContain('already has these hooks: nothing to change');
  });

  it('new-file-in-a-new-directory', async () => {
    expect(await run(['--local', '--transport', 'unix'], env, '/', terminal(false))).toBe(EXIT_OK);
    const written = readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8');
    expect(written).toMatch(/^\{\n {2}"hooks": \{\n/);
    expect(written).toContain("--unix-socket '/tmp/claude-observatory.sock'");
    expect(readdirSync(join(project, '.claude'))).toEqual(['settings.local.json']);
  });

  it('keeps-the-newest-MAX_BACKUPS-backups-and-nothing-else-of-the-users', async () => {
    writeUserSettings();
    const mine = join(home, '.claude', 'settings.json.backup-mine');
    writeFileSync(mine, 'a backup of my own');
    const runs = MAX_BACKUPS + 2;
    const texts: string[] = [];
    let removed = '';
    for (let index = 0; index < runs; index++) {
      texts.push(readFileSync(settingsPath(), 'utf8'));
      const io = terminal(false);
      // Another port each time, so that every run changes the file and backs it up.
      expect(await run(['--global', '--port', String(30_000 + index)], env, project, io)).toBe(
        EXIT_OK,
      );
      removed += io.stdout.join('');
    }
    const backups = backupsIn(join(home, '.claude')).sort();
    expect(backups).toHaveLength(MAX_BACKUPS);
    expect(backups.map((name) => readFileSync(join(home, '.claude', name), 'utf8'))).toEqual(
      texts.slice(-MAX_BACKUPS),
    );
    expect(readFileSync(mine, 'utf8')).toBe('a backup of my own');
    expect(removed).toContain(`Removed 1 older backup (the newest ${MAX_BACKUPS} are kept)`);
    // The package's README names the number in words.
    expect(
      readFileSync(join(import.meta.dirname, '../../packages/installer/README.md'), 'utf8'),
    ).toContain(
      `the newest ${['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'][MAX_BACKUPS]} backups are kept`,
    );
  });

  it.each([
    { name: 'write', argv: ['--global'], status: EXIT_FAILED },
    { name: 'dry-run', argv: ['--global', '--dry-run'], status: EXIT_OK },
  ])('a-read-only-settings-file-is-refused-and-left-as-it-was: $name', async ({ argv, status }) => {
    writeUserSettings();
    chmodSync(settingsPath(), 0o444);
    const io = terminal(false);
    expect(await run(argv, env, project, io)).toBe(status);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(USER_SETTINGS);
    expect(statSync(settingsPath()).mode & 0o777).toBe(0o444);
    expect(backupsIn(join(home, '.claude'))).toEqual([]);
    if (status === EXIT_FAILED) {
      expect(io.stderr.join('')).toBe(
        `install-hooks: ${settingsPath()}: the file is read-only (mode 0444); nothing was written. To change it anyway: chmod u+w ${settingsPath()}\n` +
          'The settings file was left untouched.\n',
      );
    } else {
      expect(io.stdout.join('')).toContain(
        'Dry run: nothing was written (and the file is read-only: a real run would refuse).',
      );
    }
  });

  it('symlinked-settings-are-written-through-the-link', async () => {
    const dotfiles = join(home, 'dotfiles');
    mkdirSync(dotfiles);
    writeFileSync(join(dotfiles, 'settings.json'), USER_SETTINGS);
    mkdirSync(join(home, '.claude'));
    symlinkSync(join(dotfiles, 'settings.json'), settingsPath());
    expect(await run(['--global'], env, project, terminal(false))).toBe(EXIT_OK);
    expect(lstatSync(settingsPath()).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dotfiles, 'settings.json'), 'utf8')).toContain('hook-observatory');
    expect(backupsIn(dotfiles)).toHaveLength(1);
  });

  describe('--token', () => {
    const secret = 's3cret-kept-out-of-settings-and-command-lines';
    const tokenFiles = (): string[] => {
      const dir = join(home, '.claude', 'hook-observatory');
      return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
    };

    it.each(['tcp', 'http'])(
      '--transport-%s: the secret is in a file of mode 0600, the settings name the file or the variable',
      async (transport) => {
        const io = terminal(false);
        expect(
          await run(
            ['--global', '--token', '--transport', transport],
            { ...env, HOOK_OBSERVATORY_TOKEN: secret },
            project,
            io,
          ),
        ).toBe(EXIT_OK);
        const written = readFileSync(settingsPath(), 'utf8');
        expect(written).not.toContain(secret);
        const [file, ...others] = tokenFiles();
        expect(others).toEqual([]);
        expect(readFileSync(file!, 'utf8')).toBe(`Authorization: Bearer ${secret}\n`);
        expect(statSync(file!).mode & 0o777).toBe(0o600);
        expect(statSync(dirname(file!)).mode & 0o777).toBe(0o700);
        expect(written).toContain(`-H @'${file}'`);
        if (transport === 'http') {
          expect(written).toContain('"Authorization": "Bearer $HOOK_OBSERVATORY_TOKEN"');
        }
        expect(io.stdout.join('')).toContain(
          `Wrote the token the curl hooks send to ${file} (mode 0600)`,
        );
      },
    );

    it('a-new-token-replaces-the-file-and-nothing-else', async () => {
      expect(
        await run(
          ['--global', '--token'],
          { ...env, HOOK_OBSERVATORY_TOKEN: 'first' },
          project,
          terminal(false),
        ),
      ).toBe(EXIT_OK);
      const settings = readFileSync(settingsPath(), 'utf8');
      const io = terminal(false);
      expect(
        await run(
          ['--global', '--token'],
          { ...env, HOOK_OBSERVATORY_TOKEN: 'second' },
          project,
          io,
        ),
      ).toBe(EXIT_OK);
      expect(io.stdout.join('')).toContain('nothing to change');
      expect(readFileSync(settingsPath(), 'utf8')).toBe(settings);
      expect(readFileSync(tokenFiles()[0]!, 'utf8')).toBe('Authorization: Bearer second\n');
    });

    it.each([
      { name: 'uninstall', again: ['--global', '--uninstall'] },
      { name: 'install-without-token', again: ['--global'] },
    ])('$name-removes-the-token-file', async ({ again }) => {
      expect(
        await run(
          ['--global', '--token'],
          { ...env, HOOK_OBSERVATORY_TOKEN: secret },
          project,
          terminal(false),
        ),
      ).toBe(EXIT_OK);
      const [file] = tokenFiles();
      const io = terminal(false);
      expect(await run(again, env, project, io)).toBe(EXIT_OK);
      expect(existsSync(file!)).toBe(false);
      expect(io.stdout.join('')).toContain(`Removed the token file ${file}`);
    });

    it('each-settings-file-has-its-own: uninstalling one keeps the others', async () => {
      const withToken = { ...env, HOOK_OBSERVATORY_TOKEN: secret };
      expect(await run(['--global', '--token'], withToken, project, terminal(false))).toBe(EXIT_OK);
      expect(await run(['--local', '--token'], withToken, project, terminal(false))).toBe(EXIT_OK);
      expect(tokenFiles()).toHaveLength(2);
      expect(await run(['--local', '--uninstall'], env, project, terminal(false))).toBe(EXIT_OK);
      const [kept, ...others] = tokenFiles();
      expect(others).toEqual([]);
      expect(readFileSync(settingsPath(), 'utf8')).toContain(kept!);
    });

    it('dry-run-writes-no-token-file', async () => {
      expect(
        await run(
          ['--global', '--token', '--dry-run'],
          { ...env, HOOK_OBSERVATORY_TOKEN: secret },
          project,
          terminal(false),
        ),
      ).toBe(EXIT_OK);
      expect(tokenFiles()).toEqual([]);
    });

    it('without-the-variable-is-one-line-and-exit-2', async () => {
      const io = terminal(false);
      expect(await run(['--global', '--token'], env, project, io)).toBe(EXIT_USAGE);
      expect(io.stderr.join('')).toMatch(
        /^install-hooks: --token writes \$HOOK_OBSERVATORY_TOKEN to a file only you can read; set it to the server's token first\n/,
      );
      expect(existsSync(settingsPath())).toBe(false);
    });
  });

  it.each([
    {
      name: 'a-setting-above-ours',
      edit: (text: string) => text.replace('{\n', '{\n  "theme": "dark",\n'),
    },
    {
      name: 'a-hook-after-ours',
      edit: (text: string) =>
        text.replace(
          /\n {2}\}\n\}\n$/,
          ',\n    "FutureEvent": [{"hooks": [{"type": "command", "command": "true"}]}]\n  }\n}\n',
        ),
    },
  ])('uninstall-after-the-user-adds-$name-keeps-their-edit-byte-for-byte', async ({ edit }) => {
    writeUserSettings();
    expect(await run(['--global'], env, project, terminal(false))).toBe(EXIT_OK);
    const installed = readFileSync(settingsPath(), 'utf8');
    expect(edit(installed)).not.toBe(installed);
    writeFileSync(settingsPath(), edit(installed));
    expect(await run(['--global', '--uninstall'], env, project, terminal(false))).toBe(EXIT_OK);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(edit(USER_SETTINGS));
  });

  it('uninstall-of-a-missing-file-creates-nothing', async () => {
    const io = terminal(false);
    expect(await run(['--global', '--uninstall'], env, project, io)).toBe(EXIT_OK);
    expect(existsSync(join(home, '.claude'))).toBe(false);
    expect(io.stdout.join('')).toContain('nothing to remove');
  });
});

describe('the start command it prints', () => {
  const REPOSITORY = '/work/hook-observatory';
  it.each([
    { name: 'default-port', argv: [], elsewhere: false, hint: 'pnpm -s start' },
    {
      name: 'other-port',
      argv: ['--port', '8080'],
      elsewhere: false,
      hint: 'pnpm -s start --port 8080',
    },
    {
      name: 'default-socket',
      argv: ['--transport', 'unix'],
      elsewhere: false,
      hint: 'pnpm -s start --unix',
    },
    {
      name: 'socket-with-a-space',
      argv: ['--transport', 'unix', '--socket', '/tmp/my hooks.sock'],
      elsewhere: false,
      hint: "pnpm -s start --socket '/tmp/my hooks.sock'",
    },
    {
      name: 'typed-outside-the-repository',
      argv: [],
      elsewhere: true,
      hint: `pnpm -C '${REPOSITORY}' -s start`,
    },
  ])('$name', async ({ argv, elsewhere, hint }) => {
    const io = terminal(false);
    // pnpm runs the installer in the repository (its cwd) and says where it was typed (INIT_CWD, the project here).
    expect(await run(['--global', ...argv], env, elsewhere ? REPOSITORY : project, io)).toBe(
      EXIT_OK,
    );
    expect(io.stdout.join('')).toContain(`Start a server where the hooks send: ${hint}\n`);
  });
});

describe('a file that is not valid JSON', () => {
  it.each([
    {
      name: 'trailing-comma',
      text: '{\n  "model": "opus",\n}\n',
      where: ':3:1: not valid JSON: expected double-quoted property name',
    },
    {
      name: 'comment',
      text: '{\n  // mine\n  "model": "opus"\n}\n',
      where: ':2:3: not valid JSON',
    },
    { name: 'empty', text: '', where: ':1:1: the file is empty' },
  ])('$name: left untouched, with line and column', async ({ text, where }) => {
    writeUserSettings(text);
    const before = snapshotTree(home);
    const io = terminal(false);
    expect(await run(['--global'], env, project, io)).toBe(EXIT_FAILED);
    expect(snapshotTree(home)).toEqual(before);
    expect(io.stderr.join('')).toContain(`${settingsPath()}${where}`);
    expect(io.stderr.join('')).toContain('The settings file was left untouched.');
  });

  it('not-utf8: left untouched', async () => {
    mkdirSync(join(home, '.claude'));
    writeFileSync(settingsPath(), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    const before = snapshotTree(home);
    const io = terminal(false);
    expect(await run(['--global'], env, project, io)).toBe(EXIT_FAILED);
    expect(snapshotTree(home)).toEqual(before);
    expect(io.stderr.join('')).toContain(`${settingsPath()}: the file is not UTF-8 text`);
  });
});

describe('on a terminal', () => {
  it('asks-which-file-when-none-is-given', async () => {
    const io = terminal(true, ['2', 'y']);
    expect(await run([], env, '/', io)).toBe(EXIT_OK);
    expect(io.stdout.join('')).toContain(
      `2) --project  ${join(project, '.claude', 'settings.json')}`,
    );
    expect(existsSync(join(project, '.claude', 'settings.json'))).toBe(true);
  });

  it('an-answer-that-is-no-choice-writes-nothing', async () => {
    const io = terminal(true, ['4']);
    expect(await run([], env, '/', io)).toBe(EXIT_USAGE);
    expect(readdirSync(project)).toEqual([]);
  });

  it('asks-before-writing-and-no-means-no', async () => {
    writeUserSettings();
    const before = snapshotTree(home);
    const io = terminal(true, ['n']);
    expect(await run(['--global'], env, project, io)).toBe(EXIT_OK);
    expect(io.questions).toEqual([`Write this change to ${settingsPath()}? [y/N] `]);
    expect(snapshotTree(home)).toEqual(before);
    expect(io.stdout.join('')).toContain('Nothing was written.');
  });

  it('yes-skips-the-question', async () => {
    const io = terminal(true);
    expect(await run(['--global', '--yes'], env, project, io)).toBe(EXIT_OK);
    expect(io.questions).toEqual([]);
    expect(existsSync(settingsPath())).toBe(true);
  });

  it('a-change-made-while-the-question-was-open-is-kept', async () => {
    writeUserSettings();
    const theirs = USER_SETTINGS.replace('opus', 'sonnet');
    const io = terminal(true, ['y'], () => writeFileSync(settingsPath(), theirs));
    expect(await run(['--global'], env, project, io)).toBe(EXIT_FAILED);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(theirs);
    expect(io.stderr.join('')).toContain(
      'the file changed while this tool was running; nothing was written',
    );
    expect(backupsIn(join(home, '.claude'))).toEqual([]);
  });
});

describe('without a terminal', () => {
  it('no-scope-is-a-usage-error', async () => {
    const io = terminal(false);
    expect(await run([], env, project, io)).toBe(EXIT_USAGE);
    expect(io.stderr.join('')).toContain(
      'choose the settings file: --global, --project or --local',
    );
  });

  it('usage-errors-name-the-flag', async () => {
    const io = terminal(false);
    expect(await run(['--global', '--port', 'x'], env, project, io)).toBe(EXIT_USAGE);
    expect(io.stderr.join('')).toBe(
      'install-hooks: --port: "x" is not a port number (1 to 65535)\n',
    );
  });
});
