/**
 * The log file (--log): whole lines, none lost at rotation, rotated names in
 * time order, old files removed, and a failure said once without throwing.
 */
import {
  chmodSync,
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
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogFile, LogFileOpenError } from '@hook-observatory/core/internal/log-file';
import { parseCommand } from '@hook-observatory/core/internal/config';
import { rotatedFiles, UsageError } from '@hook-observatory/core/vocabulary';

const line = (id: number, pad = 40): string =>
  `${JSON.stringify({ _event: 'PreToolUse', id, pad: 'x'.repeat(pad) })}\n`;

function freshLog(
  maxBytes: number,
  maxFiles: number,
): { file: LogFile; path: string; said: string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'log-file-')), 'hooks.jsonl');
  const said: string[] = [];
  return { file: new LogFile(path, maxBytes, maxFiles, (text) => said.push(text)), path, said };
}

/** Every line of FILE and its rotated files, oldest file first. */
function allLines(path: string): string[] {
  return [...rotatedFiles(path), path].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split(/(?<=\n)/)
      .filter((text) => text !== ''),
  );
}

describe('log file', () => {
  it('rotation-splits-no-line-and-loses-none', () => {
    const lineBytes = Buffer.byteLength(line(0));
    const { file, path } = freshLog(lineBytes * 3 + 5, 1_000);
    const written = Array.from({ length: 100 }, (_, id) => line(id));
    for (const text of written) file.write(text);
    file.close();
    expect(allLines(path)).toEqual(written);
    for (const rotated of rotatedFiles(path)) {
      expect(readFileSync(rotated, 'utf8').endsWith('\n')).toBe(true);
      expect(readFileSync(rotated).length).toBeLessThanOrEqual(lineBytes * 3 + 5);
    }
  });

  it('rotated-names-sort-in-the-order-they-were-written', () => {
    const { file, path } = freshLog(1, 1_000);
    for (let id = 0; id < 50; id++) file.write(line(id));
    file.close();
    const rotated = rotatedFiles(path);
    expect(rotated).toHaveLength(49);
    const firstIds = rotated.map(
      (name) => (JSON.parse(readFileSync(name, 'utf8')) as { id: number }).id,
    );
    expect(firstIds).toEqual([...firstIds].sort((a, b) => a - b));
    expect(rotated.map((name) => basename(name))).toEqual(
      [...rotated.map((name) => basename(name))].sort(),
    );
  });

  it('a-line-longer-than-the-limit-is-written-whole-in-a-file-of-its-own', () => {
    const { file, path } = freshLog(100, 10);
    file.write(line(1, 10));
    file.write(line(2, 500));
    file.close();
    expect(allLines(path)).toEqual([line(1, 10), line(2, 500)]);
  });

  it('only-the-newest-max-files-rotated-files-are-kept', () => {
    const keep = 3;
    const { file, path } = freshLog(1, keep);
    for (let id = 0; id < 10; id++) file.write(line(id));
    file.close();
    expect(rotatedFiles(path)).toHaveLength(keep);
    expect(allLines(path)).toEqual([6, 7, 8, 9].map((id) => line(id)));
  });

  it('an-existing-file-is-appended-to-and-counted-toward-its-size', () => {
    const { file, path } = freshLog(Buffer.byteLength(line(0)) * 2, 10);
    writeFileSync(path, line(0) + line(1));
    file.write(line(2));
    file.close();
    expect(allLines(path)).toEqual([line(0), line(1), line(2)]);
    expect(rotatedFiles(path)).toHaveLength(1);
  });

  it('an-unwritable-path-is-said-once-never-throws-and-is-written-once-it-can-be', () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-file-'));
    const path = join(dir, 'missing-dir', 'hooks.jsonl');
    const said: string[] = [];
    const file = new LogFile(path, 1_000_000, 2, (text) => said.push(text));
    for (let id = 0; id < 5; id++) expect(() => file.write(line(id))).not.toThrow();
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/cannot be written \(ENOENT\)/);
    expect(existsSync(path)).toBe(false);
  });

  it('writing-resumes-when-the-path-becomes-writable-and-the-loss-is-counted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-file-'));
    const path = join(dir, 'later', 'hooks.jsonl');
    const said: string[] = [];
    const file = new LogFile(path, 1_000_000, 2, (text) => said.push(text));
    file.write(line(1));
    file.write(line(2));
    mkdirSync(join(dir, 'later'));
    file.write(line(3));
    file.close();
    expect(readFileSync(path, 'utf8')).toBe(line(3));
    expect(said).toEqual([
      expect.stringMatching(/ENOENT/),
      expect.stringMatching(/written again; 2 events were lost/),
    ]);
  });

  it('a-full-disk-is-said-once-and-leaves-no-part-of-a-line', () => {
    // /dev/full answers every write with ENOSPC, as a full disk does.
    const said: string[] = [];
    const file = new LogFile('/dev/full', 1_000_000, 2, (text) => said.push(text));
    for (let id = 0; id < 5; id++) expect(() => file.write(line(id))).not.toThrow();
    file.close();
    expect(said).toEqual([
      expect.stringMatching(/cannot be written \(ENOSPC\)/),
      '5 events were not written to the log file /dev/full',
    ]);
  });

  it('rotated-files-of-other-logs-in-the-same-directory-are-left-alone', () => {
    const { file, path } = freshLog(1, 1);
    writeFileSync(`${path}.notes`, 'mine');
    writeFileSync(join(path, '..', 'other.jsonl.20260101T000000000Z-000'), 'theirs');
    for (let id = 0; id < 4; id++) file.write(line(id));
    file.close();
    expect(readdirSync(join(path, '..')).sort()).toEqual(
      [
        'hooks.jsonl',
        basename(rotatedFiles(path)[0] as string),
        'hooks.jsonl.notes',
        'other.jsonl.20260101T000000000Z-000',
      ].sort(),
    );
  });
});

/** The contents of FILE's rotated files and FILE, oldest first. */
function fileContents(path: string): string[] {
  return [...rotatedFiles(path), path].map((file) => readFileSync(file, 'utf8'));
}

describe('log file rotation is decided per line', () => {
  // The net server hands a loop turn's events over in one write (group commit), the http
  // server one by one: both must rotate before the same lines.
  const cases = [
    {
      name: 'a-burst-in-one-write-rotates-at-the-same-lines-as-one-by-one',
      lines: 40,
      pad: 40,
      linesPerFile: 3,
    },
    { name: 'uneven-lines', lines: 60, pad: -1, linesPerFile: 4 },
    {
      name: 'a-limit-smaller-than-a-line-puts-each-line-in-a-file-of-its-own',
      lines: 10,
      pad: 40,
      linesPerFile: 0,
    },
  ];
  it.each(cases)('$name', ({ lines, pad, linesPerFile }) => {
    const written = Array.from({ length: lines }, (_, id) =>
      line(id, pad === -1 ? (id * 37) % 200 : pad),
    );
    const maxBytes = Math.max(1, Buffer.byteLength(line(0, 40)) * linesPerFile + 5);
    const oneByOne = freshLog(maxBytes, 1_000);
    for (const text of written) oneByOne.file.write(text);
    oneByOne.file.close();
    const together = freshLog(maxBytes, 1_000);
    together.file.write(written.join(''));
    together.file.close();
    expect(fileContents(together.path)).toEqual(fileContents(oneByOne.path));
    expect(fileContents(together.path).join('')).toBe(written.join(''));
    for (const text of fileContents(together.path)) {
      if (text.split('\n').length > 2) {
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(maxBytes);
      }
    }
  });
});

describe('log file failures', () => {
  it('a-path-that-cannot-be-opened-at-start-is-one-error-line', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'log-file-')), 'missing-dir', 'hooks.jsonl');
    const file = new LogFile(path, 1_000, 2, () => {});
    expect(() => file.openAtStart()).toThrow(LogFileOpenError);
    expect(() => file.openAtStart()).toThrow(`cannot open the log file ${path} (ENOENT)`);
  });

  // FILE's name is near NAME_MAX (255), so FILE.<stamp> is too long: the rename fails, for root too.
  const longName = `${'h'.repeat(240)}.jsonl`;
  const renameFails = [
    {
      name: 'a-name-too-long-to-rotate',
      setUp: (dir: string) => join(dir, longName),
      reason: 'ENAMETOOLONG',
      skip: false,
    },
    {
      name: 'a-read-only-directory',
      setUp: (dir: string) => {
        writeFileSync(join(dir, 'hooks.jsonl'), '');
        chmodSync(dir, 0o555);
        return join(dir, 'hooks.jsonl');
      },
      reason: 'EACCES',
      // root renames in a read-only directory all the same
      skip: process.getuid?.() === 0,
    },
  ];
  it.each(renameFails)(
    'a-failed-rename-keeps-appending-past-the-limit-said-once: $name',
    ({ setUp, reason, skip }) => {
      if (skip) return;
      const dir = mkdtempSync(join(tmpdir(), 'log-file-'));
      const path = setUp(dir);
      const said: string[] = [];
      const file = new LogFile(path, Buffer.byteLength(line(0)) * 2, 2, (text) => said.push(text));
      file.openAtStart();
      const written = Array.from({ length: 10 }, (_, id) => line(id));
      for (const text of written.slice(0, 5)) file.write(text);
      file.write(written.slice(5).join(''));
      file.check(); // the rename is tried again at the next check, and fails again: not said again
      file.write(line(10));
      file.close();
      chmodSync(dir, 0o755);
      expect(readFileSync(path, 'utf8')).toBe(written.join('') + line(10));
      expect(rotatedFiles(path)).toEqual([]);
      expect(said).toEqual([
        expect.stringMatching(new RegExp(`cannot be rotated \\(${reason}\\).*said once`)),
      ]);
    },
  );

  it('a-removed-file-is-noticed-at-the-next-write-and-no-line-goes-with-it', () => {
    const { file, path, said } = freshLog(1_000_000, 2);
    file.openAtStart();
    file.write(line(1));
    rmSync(path);
    file.write(line(2)); // went to the unlinked file, then again to a new FILE
    file.write(line(3));
    file.close();
    expect(readFileSync(path, 'utf8')).toBe(line(2) + line(3));
    expect(said).toEqual([expect.stringMatching(/was removed or replaced; opened it again$/)]);
  });

  it('a-removed-directory-is-made-again-at-the-next-write-and-no-line-goes-with-it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'log-file-')), 'logs');
    mkdirSync(dir);
    const path = join(dir, 'hooks.jsonl');
    const said: string[] = [];
    const file = new LogFile(path, 200, 100, (text) => said.push(text));
    file.openAtStart();
    file.write(line(1));
    rmSync(dir, { recursive: true });
    // Several lines past the limit in one write: the renames fail (no FILE) before the removal is seen.
    file.write(line(2) + line(3) + line(4) + line(5));
    file.write(line(6));
    file.close();
    expect(allLines(path)).toEqual([2, 3, 4, 5, 6].map((id) => line(id)));
    expect(said).toEqual([expect.stringMatching(/was removed or replaced; opened it again$/)]);
  });

  const unseenByWrites = [
    { name: 'a-file-removed-while-no-hook-comes-is-opened-again-at-the-check', rename: false },
    { name: 'a-file-renamed-away-is-left-with-its-lines-and-FILE-opened-again', rename: true },
  ];
  it.each(unseenByWrites)('$name', ({ rename }) => {
    const { file, path, said } = freshLog(1_000_000, 2);
    file.openAtStart();
    file.write(line(1));
    if (rename) renameSync(path, `${path}.away`);
    else rmSync(path);
    if (rename) file.write(line(2)); // still linked, under its new name
    file.check();
    expect(existsSync(path)).toBe(true);
    file.write(line(3));
    file.close();
    expect(readFileSync(path, 'utf8')).toBe(line(3));
    if (rename) expect(readFileSync(`${path}.away`, 'utf8')).toBe(line(1) + line(2));
    expect(said).toEqual([expect.stringMatching(/was removed or replaced; opened it again$/)]);
  });
});

describe('log flags', () => {
  const cases = [
    {
      argv: ['--log', 'h.jsonl'],
      expected: { path: 'h.jsonl', maxBytes: 16 * 1024 * 1024, maxFiles: 8 },
    },
    {
      argv: ['--log', 'h.jsonl', '--log-max-bytes', '2M', '--log-max-files', '3'],
      expected: { path: 'h.jsonl', maxBytes: 2 * 1024 * 1024, maxFiles: 3 },
    },
    {
      argv: ['--log', 'h.jsonl', '--log-max-bytes', '5000'],
      expected: { path: 'h.jsonl', maxBytes: 5000, maxFiles: 8 },
    },
  ];
  it.each(cases)('$argv', ({ argv, expected }) => {
    const command = parseCommand(argv, {});
    expect(command.kind === 'run' && command.config.logFile).toEqual(expected);
  });
  const refused = [
    ['--log-max-bytes', '1M'],
    ['--log', ''],
    ['--log', 'h', '--log-max-bytes', 'lots'],
    ['--log', 'h', '--log-max-files', '-1'],
  ];
  it.each(refused)('refuses %s %s', (...argv) => {
    expect(() => parseCommand(argv, {})).toThrow(UsageError);
  });
});
