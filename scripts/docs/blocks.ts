/**
 * Generated blocks in the notes: the parts `pnpm docs:sync` writes and the
 * tests compare. A block sits between two HTML comments, which Markdown
 * renders as nothing:
 *
 *     <!-- excerpt packages/http-server/src/main.ts#route -->
 *     ...written by docs:sync...
 *     <!-- /excerpt -->
 *
 *     <!-- wire health response -->
 *     ...written by docs:sync...
 *     <!-- /wire -->
 *
 *     <!-- parser-map packages/net-server/src/request-parser.ts -->
 *     ...written by docs:sync...
 *     <!-- /parser-map -->
 *
 *     <!-- scoreboard lessons -->
 *     ...the grader's scores, written by docs:sync (scoreboard.ts)...
 *     <!-- /scoreboard -->
 *
 *     <!-- lesson-diff 1 2 -->
 *     ...what lesson 2 changes in lesson 1, written by docs:sync (lesson-diff.ts)...
 *     <!-- /lesson-diff -->
 *
 *     <!-- path-table steps -->
 *     ...each step of the learning path, its words and time (path-table.ts)...
 *     <!-- /path-table -->
 *
 *     <!-- diagram keep-alive -->
 *     ...the picture docs/images/keep-alive.svg with its alt text (diagrams.ts)...
 *     <!-- /diagram -->
 *
 *     <!-- first-use as-const -->
 *     ...the first line of the path's code that uses it (first-use.ts)...
 *     <!-- /first-use -->
 *
 * Everything between the markers belongs to the tool; everything outside
 * belongs to the writer. Markers inside a fenced code block are text.
 */

/** The kinds of generated block, each written by its own tool. */
export const BLOCK_KINDS = ['excerpt', 'wire', 'parser-map', 'scoreboard', 'lesson-diff', 'path-table', 'diagram', 'first-use'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

export interface GeneratedBlock {
  readonly kind: BlockKind;
  readonly args: readonly string[];
  /** 1-based line of the opening marker, for messages. */
  readonly line: number;
  /** The lines between the markers, as they are now. */
  readonly body: string;
}

export class BlockError extends Error {
  override readonly name = 'BlockError';
}

const KIND = `(${BLOCK_KINDS.join('|')})`;
const OPENING = new RegExp(`^<!-- ${KIND} ([^>]*?) -->$`);
/** A block's closing marker. */
export const CLOSING = new RegExp(`^<!-- \\/${KIND} -->$`);
/** A line that opens any block (a prefix: the arguments are not checked here). */
export const OPENING_PREFIX = new RegExp(`^<!-- ${KIND}\\b`);
/** A fence opens with three or more backticks or tildes, indented or not, then its info string (CommonMark 4.5). */
const FENCE_OPENING = /^\s*(`{3,}|~{3,})\s*(.*?)\s*$/;

/** A fenced code block: its opening and closing lines (0-based; `close` is the line count when it never closes). */
export interface Fence {
  readonly open: number;
  readonly close: number;
  /** The info string after the opening fence: its language, and anything after. */
  readonly info: string;
}

/** Every fenced code block of `lines`, in order: the one scanner the docs tools share. */
export function fences(lines: readonly string[]): Fence[] {
  const found: Fence[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = FENCE_OPENING.exec(lines[index] as string);
    if (opening === null) continue;
    const fence = opening[1] as string;
    let close = index + 1;
    while (close < lines.length && !closesFence(lines[close] as string, fence)) close++;
    found.push({ open: index, close, info: opening[2] as string });
    index = close;
  }
  return found;
}

/** For each line, whether it belongs to a fenced code block, the fence lines included. */
export function inFences(lines: readonly string[]): boolean[] {
  const code = lines.map(() => false);
  for (const { open, close } of fences(lines)) code.fill(true, open, close + 1);
  return code;
}

interface Located extends GeneratedBlock {
  /** 0-based indexes of the marker lines. */
  readonly open: number;
  readonly close: number;
}

function locate(markdown: string, file: string): Located[] {
  const lines = markdown.split('\n');
  const blocks: Located[] = [];
  const code = inFences(lines);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (code[index]) continue;
    if (CLOSING.test(line)) throw new BlockError(`${file}:${index + 1}: a closing marker without its opening marker`);
    const opening = OPENING.exec(line);
    if (opening === null) continue;
    const kind = opening[1] as BlockKind;
    const close = lines.findIndex((candidate, at) => at > index && CLOSING.test(candidate));
    if (close === -1 || lines[close] !== `<!-- /${kind} -->`) {
      throw new BlockError(`${file}:${index + 1}: <!-- ${kind} --> needs a <!-- /${kind} --> after it`);
    }
    blocks.push({
      kind,
      args: (opening[2] as string).split(/\s+/),
      line: index + 1,
      body: lines.slice(index + 1, close).join('\n'),
      open: index,
      close,
    });
    index = close;
  }
  return blocks;
}

/** A fence closes with a line of only the same character, at least as many (CommonMark 4.5). */
export function closesFence(line: string, fence: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= fence.length && trimmed === fence.charAt(0).repeat(trimmed.length);
}

export function findBlocks(markdown: string, file: string): GeneratedBlock[] {
  return locate(markdown, file).map(({ kind, args, line, body }) => ({ kind, args, line, body }));
}

/** `markdown` with every block's body replaced by what `render` makes of it. */
export function replaceBlocks(markdown: string, file: string, render: (block: GeneratedBlock) => string): string {
  const lines = markdown.split('\n');
  const blocks = locate(markdown, file);
  const out: string[] = [];
  let next = 0;
  for (const block of blocks) {
    out.push(...lines.slice(next, block.open + 1), render(block));
    next = block.close;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

/**
 * A fenced code block as a block body: a blank line on each side, so that the
 * markers and the fence never touch (markdownlint MD031), and a fence longer
 * than any run of backticks in the code.
 */
export function fencedBody(language: string, code: string, caption?: string): string {
  const longestRun = Math.max(2, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const parts = caption === undefined ? [] : [caption, ''];
  return ['', ...parts, `${fence}${language}`, code, fence, ''].join('\n');
}
