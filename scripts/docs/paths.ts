/** Where the notes are. The repository root and the servers come from the one launcher. */
import { join } from 'node:path';
import { ROOT } from '@hook-observatory/launcher';

export { ROOT };
export const DOCS_DIR = join(ROOT, 'docs');

/** The notes, in the order of the learning path. */
export const NOTES = [
  'README.md',
  'glossary.md',
  'protocol.md',
  'http-server.md',
  'concurrency.md',
  'typescript.md',
  'lessons.md',
  'net-server.md',
  'net-server-appendix.md',
  'side-by-side.md',
  'security.md',
  'live-view.md',
  'solutions.md',
] as const;

export function notePath(note: string): string {
  return join(DOCS_DIR, note);
}
