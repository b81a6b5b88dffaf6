/**
 * Source code as the side-by-side page shows it: highlighted once per file at
 * build time by highlight.js (so the page needs no script), then cut into
 * numbered rows. Every line of every file shown has one id, given where the
 * line first appears on the page, so that a note's link to a region of `main.ts`
 * jumps to that row.
 */
import hljs from 'highlight.js/lib/core';
import typescript from 'highlight.js/lib/languages/typescript';
import diff from 'highlight.js/lib/languages/diff';
import json from 'highlight.js/lib/languages/json';
import bash from 'highlight.js/lib/languages/bash';
import http from 'highlight.js/lib/languages/http';

hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('diff', diff);
hljs.registerLanguage('json', json);
hljs.registerLanguage('sh', bash);
hljs.registerLanguage('http', http);

/** The fence languages the notes use, as highlight.js names them; others are shown plain. */
const LANGUAGE_ALIASES: Readonly<Record<string, string>> = { ts: 'typescript', typescript: 'typescript', diff: 'diff', json: 'json', jsonl: 'json', sh: 'sh', bash: 'sh', console: 'sh', http: 'http' };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `code` highlighted as HTML, or escaped when the language is not one the page knows. */
export function highlightCode(code: string, language: string): string {
  const name = LANGUAGE_ALIASES[language.toLowerCase()];
  return name === undefined ? escapeHtml(code) : hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}

/** `// #region NAME` and `// #endregion NAME` lines (regions.ts reads them). */
export const REGION_MARKER = /^\s*\/\/ #(end)?region\b/;
/**
 * `// --- 5b. Stream ---`: a part of a server or a lesson, at the start of a
 * line (an indented one marks a step inside a function). Its number, the
 * letter of a sub-part, its title.
 */
export const SECTION_MARKER = /^\/\/ --- (\d+)([a-z]?)\. (.*?)(?: -*)?$/;
const TAG = /<span class="[^"]*">|<\/span>/g;

/**
 * Highlighted HTML cut at its line ends. A span that a line end cuts (a block
 * comment, a template string) is closed at the end of the line and opened
 * again on the next, so that every row stands alone.
 */
export function splitHighlightedLines(html: string): string[] {
  const open: string[] = [];
  return html.split('\n').map((line) => {
    const prefix = open.join('');
    for (const [tag] of line.matchAll(TAG)) {
      if (tag === '</span>') open.pop();
      else open.push(tag);
    }
    return prefix + line + '</span>'.repeat(open.length);
  });
}

/** The id prefix of a file's rows: its path with every other character a dash. */
export function fileId(path: string): string {
  return path.replace(/\W/g, '-');
}

export function lineId(path: string, line: number): string {
  return `${fileId(path)}-L${line}`;
}

/** A file once highlighted, its rows ready, and the ids already given out on the page. */
export class CodeView {
  private readonly sources = new Map<string, string>();
  private readonly rows = new Map<string, string[]>();
  private readonly given = new Set<string>();
  /** The source files the notes link to, collected as they are rendered. */
  readonly linked = new Set<string>();

  constructor(private readonly read: (path: string) => string) {}

  source(path: string): string {
    let text = this.sources.get(path);
    if (text === undefined) {
      text = this.read(path);
      this.sources.set(path, text);
    }
    return text;
  }

  /** The file's highlighted lines (index 0 is line 1). */
  lines(path: string): string[] {
    let rows = this.rows.get(path);
    if (rows === undefined) {
      rows = splitHighlightedLines(highlightCode(this.source(path), 'typescript'));
      this.rows.set(path, rows);
    }
    return rows;
  }

  /** The line numbers from `first` to `last`, without region markers (they are for the docs tools, not the reader). */
  numbers(path: string, first: number, last: number): number[] {
    const text = this.source(path).split('\n');
    const numbers: number[] = [];
    for (let number = first; number <= Math.min(last, text.length); number++) {
      if (!REGION_MARKER.test(text[number - 1] as string)) numbers.push(number);
    }
    return numbers;
  }

  /** Whether a line of the file already has its row on the page. */
  has(path: string, line: number): boolean {
    return this.given.has(lineId(path, line));
  }

  /** A table of the given lines (1-based), each row with its line number, and its id if no row has it yet. */
  table(path: string, numbers: readonly number[]): string {
    const lines = this.lines(path);
    const rows = numbers.map((number) => {
      const id = lineId(path, number);
      const idAttribute = this.given.has(id) ? '' : ` id="${id}"`;
      this.given.add(id);
      return `<tr${idAttribute}><td class="n">${number}</td><td class="c">${lines[number - 1] ?? ''}</td></tr>`;
    });
    return `<table class="code"><tbody>\n${rows.join('\n')}\n</tbody></table>`;
  }
}
