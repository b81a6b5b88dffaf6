/**
 * The prose of a note: what a reader reads as sentences, without fenced code,
 * generated blocks (excerpts, wire bytes, the parser's map, the scoreboard,
 * the lesson diffs), HTML comments and headings. Lines keep their place and
 * length (everything else is blanked), so that an offset found in the prose is
 * the same offset in the note.
 */
import { CLOSING, inFences, OPENING_PREFIX } from './blocks.js';

export interface ProseOptions {
  /** Keep headings (word counts include them; the glossary rule does not look at them). */
  readonly headings?: boolean;
}

/** Each line of `markdown`, blanked where it is not prose. */
export function proseLines(markdown: string, options: ProseOptions = {}): string[] {
  let generated = false;
  const lines = markdown.split('\n');
  const code = inFences(lines);
  return lines.map((line, index) => {
    const blank = ' '.repeat(line.length);
    if (generated) {
      if (CLOSING.test(line)) generated = false;
      return blank;
    }
    if (code[index]) return blank;
    if (OPENING_PREFIX.test(line)) {
      generated = true;
      return blank;
    }
    if (/^\s*<!--.*-->\s*$/.test(line)) return blank;
    if (!options.headings && /^#{1,6}\s/.test(line)) return blank;
    return line;
  });
}

/**
 * The words a reader reads: prose words (headings included), where a word is a
 * run of letters or digits (so `node:http` is two, `9.3` two, a URL in a link
 * target nothing, since link targets are dropped first). Code spans count by
 * their words like any text: `setImmediate` is one.
 */
export function proseWords(markdown: string): number {
  const text = proseLines(markdown, { headings: true })
    .join('\n')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/<[^>]+>/g, ' ');
  return (text.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? []).length;
}

/**
 * Lines of code the reader is shown: fenced blocks and generated blocks,
 * markers and fences left out, and pictures too (their alt text is for
 * those who cannot see them; path-table.ts counts pictures on their own).
 */
export function codeLines(markdown: string): number {
  const prose = proseLines(markdown, { headings: true });
  const lines = markdown.split('\n');
  const picture = pictureLines(lines);
  return lines.filter((line, index) => prose[index] !== line && !picture[index] && line.trim() !== '' && !/^\s*(`{3,}|~{3,}|<!--)/.test(line)).length;
}

/** For each line, whether it is inside a `<!-- diagram NAME -->` block. */
function pictureLines(lines: readonly string[]): boolean[] {
  const code = inFences(lines);
  let inside = false;
  return lines.map((line, index) => {
    if (code[index]) return false;
    if (line.startsWith('<!-- diagram ')) inside = true;
    else if (line === '<!-- /diagram -->') inside = false;
    return inside;
  });
}

/** Pictures a note shows: its `<!-- diagram NAME -->` blocks. */
export function pictures(markdown: string): number {
  const lines = markdown.split('\n');
  const code = inFences(lines);
  return lines.filter((line, index) => !code[index] && line.startsWith('<!-- diagram ')).length;
}
