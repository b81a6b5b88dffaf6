/** The change to a settings file as a unified diff, the form `patch` and `git apply` read. */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Lines of unchanged context around each change, as `diff -u` prints by default. */
export const DIFF_CONTEXT_LINES = 3;

/** `before` is undefined for a file that does not exist yet; its side is then /dev/null. */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  return createTwoFilesPatch(before === undefined ? '/dev/null' : path, path, before ?? '', after, undefined, undefined, {
    context: DIFF_CONTEXT_LINES,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
