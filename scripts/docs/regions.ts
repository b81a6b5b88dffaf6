/**
 * Named regions in source files: the code a note may quote.
 *
 * A region is the lines between `// #region NAME` and `// #endregion NAME`,
 * each marker alone on its line (the same markers editors use to fold code).
 * Regions may nest; a quoted region leaves out any markers inside it. The
 * name is repeated on the end marker so that a misplaced end is an error, not
 * a silently wrong excerpt.
 */

export interface Region {
  readonly name: string;
  /** 1-based line numbers of the first and last quoted line in the file. */
  readonly firstLine: number;
  readonly lastLine: number;
  /** The quoted lines, markers removed, common indentation removed. */
  readonly text: string;
}

export class RegionError extends Error {
  override readonly name = 'RegionError';
}

const MARKER = /^\s*\/\/ #(region|endregion)(?: (\S+))?\s*$/;
const REGION_NAME = /^[a-z0-9][a-z0-9-]*$/;

interface OpenRegion {
  readonly name: string;
  readonly markerLine: number;
}

/** Every region of `source`, by name. `file` only names the file in errors. */
export function parseRegions(source: string, file: string): Map<string, Region> {
  const lines = source.split('\n');
  const regions = new Map<string, Region>();
  const open: OpenRegion[] = [];
  lines.forEach((line, index) => {
    const match = MARKER.exec(line);
    if (match === null) return;
    const [, kind, name] = match;
    const where = `${file}:${index + 1}`;
    if (name === undefined || !REGION_NAME.test(name)) {
      throw new RegionError(`${where}: a region marker needs a name of lower-case letters, digits and dashes`);
    }
    if (kind === 'region') {
      if (regions.has(name) || open.some((region) => region.name === name)) {
        throw new RegionError(`${where}: region "${name}" is defined twice`);
      }
      open.push({ name, markerLine: index + 1 });
      return;
    }
    const innermost = open.pop();
    if (innermost === undefined) throw new RegionError(`${where}: #endregion ${name} closes no region`);
    if (innermost.name !== name) {
      throw new RegionError(`${where}: #endregion ${name} closes region "${innermost.name}" (opened at line ${innermost.markerLine})`);
    }
    regions.set(name, quote(lines, innermost.markerLine, index + 1, name, where));
  });
  const unclosed = open.pop();
  if (unclosed !== undefined) {
    throw new RegionError(`${file}:${unclosed.markerLine}: region "${unclosed.name}" is never closed`);
  }
  return regions;
}

/** The lines strictly between two marker lines (1-based), as a region. */
function quote(lines: readonly string[], openLine: number, closeLine: number, name: string, where: string): Region {
  const inside: Array<{ line: number; text: string }> = [];
  for (let line = openLine + 1; line < closeLine; line++) {
    const text = lines[line - 1] as string;
    if (!MARKER.test(text)) inside.push({ line, text: text.trimEnd() });
  }
  while (inside.length > 0 && inside[0]!.text === '') inside.shift();
  while (inside.length > 0 && inside[inside.length - 1]!.text === '') inside.pop();
  if (inside.length === 0) throw new RegionError(`${where}: region "${name}" is empty`);
  const indent = Math.min(...inside.filter(({ text }) => text !== '').map(({ text }) => text.length - text.trimStart().length));
  return {
    name,
    firstLine: inside[0]!.line,
    lastLine: inside[inside.length - 1]!.line,
    text: inside.map(({ text }) => text.slice(indent)).join('\n'),
  };
}
