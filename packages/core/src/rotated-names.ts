/**
 * How a --log FILE's rotated files are named, and how they are found again:
 * the log file (log-file.ts) names them and removes the oldest, and the query
 * tool reads them, by this one rule. Names only, no writing: a tool that reads
 * the log loads nothing of the server's.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `FILE.20261205T010512123Z-000`: UTC time of the rotation, then a counter for the same millisecond. */
const ROTATED_SUFFIX = /^\.\d{8}T\d{9}Z-\d{3}$/;

/** The name FILE takes when it is rotated at `stamp` (compact ISO 8601), the `sameStamp`-th time in that millisecond. */
export function rotatedName(path: string, stamp: string, sameStamp: number): string {
  return `${path}.${stamp}-${String(sameStamp).padStart(3, '0')}`;
}

/** The rotated files of `path`, oldest first (their names sort in time order). */
export function rotatedFiles(path: string): string[] {
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(base) && ROTATED_SUFFIX.test(name.slice(base.length)))
    .sort()
    .map((name) => join(dirname(path), name));
}
