/**
 * docs/side-by-side.html: the two server files in two columns, cut at their
 * numbered sections (`// --- 1. Accept ---`) so that the same step of both
 * stands on the same row, with the step's part of docs/side-by-side.md above
 * it. One file, no scripts, no fonts, no images, nothing fetched: it reads
 * offline, from a file:// URL, in any browser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml, renderInline, renderMarkdown } from './markdown.js';
import { ROOT, SERVER_NAMES, SERVER_SOURCES, type ServerName } from '@hook-observatory/launcher';

export const HTML_PATH = 'docs/side-by-side.html';
export const NOTE_PATH = 'docs/side-by-side.md';
/** The net server's helpers, shown whole after the steps. */
export const HELPER_SOURCES = [
  'packages/net-server/src/request-parser.ts',
  'packages/net-server/src/parser/states.ts',
  'packages/net-server/src/parser/message.ts',
  'packages/net-server/src/parser/request-line.ts',
  'packages/net-server/src/parser/target.ts',
  'packages/net-server/src/parser/header-field.ts',
  'packages/net-server/src/parser/header-value.ts',
  'packages/net-server/src/parser/body.ts',
  'packages/net-server/src/parser/machine.ts',
  'packages/net-server/src/response-writer.ts',
] as const;

const SECTION_HEADER = /^\/\/ --- (\d+)\. (.+?) -*$/;
const REGION_MARKER = /^\s*\/\/ #(end)?region\b/;
const NOTE_STEP_HEADING = /^## (\d+)\. (.+)$/;

export interface CodeLine {
  readonly number: number;
  readonly text: string;
}

export interface Section {
  /** 0 for what comes before section 1: the file's comment, imports, types. */
  readonly step: number;
  readonly title: string;
  readonly lines: readonly CodeLine[];
}

/** A server file cut at its numbered section headers. */
export function splitSections(source: string): Section[] {
  const sections: Array<{ step: number; title: string; lines: CodeLine[] }> = [
    { step: 0, title: 'Before the steps', lines: [] },
  ];
  source.split('\n').forEach((text, index) => {
    const header = SECTION_HEADER.exec(text);
    if (header !== null) sections.push({ step: Number(header[1]), title: header[2] as string, lines: [] });
    if (!REGION_MARKER.test(text)) sections[sections.length - 1]!.lines.push({ number: index + 1, text });
  });
  while (sections.length > 0 && sections[sections.length - 1]!.lines.at(-1)?.text === '') sections[sections.length - 1]!.lines.pop();
  return sections;
}

export interface NoteParts {
  readonly intro: string;
  readonly steps: ReadonlyMap<number, { title: string; markdown: string }>;
  readonly outro: string;
}

/** docs/side-by-side.md cut at its `## N. Title` headings; other `##` headings after the steps are the outro. */
export function splitNote(markdown: string): NoteParts {
  const stepLines = new Map<number, { title: string; lines: string[] }>();
  const intro: string[] = [];
  const outro: string[] = [];
  let current = intro;
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^(`{3,}|~{3,})/.test(line.trim())) inFence = !inFence;
    const heading = inFence ? null : NOTE_STEP_HEADING.exec(line);
    if (heading !== null) {
      const step = { title: heading[2] as string, lines: [] as string[] };
      stepLines.set(Number(heading[1]), step);
      current = step.lines;
      continue;
    }
    if (!inFence && line.startsWith('## ')) current = outro;
    current.push(line);
  }
  const steps = new Map([...stepLines].map(([step, { title, lines }]) => [step, { title, markdown: lines.join('\n') }]));
  return { intro: intro.join('\n'), steps, outro: outro.join('\n') };
}

function highlight(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('//') || trimmed.startsWith('/*') || trimmed.startsWith('*')) {
    return `<span class="comment">${escapeHtml(text)}</span>`;
  }
  const trailing = text.indexOf(' // ');
  if (trailing !== -1 && !/['"`]/.test(text.slice(trailing))) {
    return `${escapeHtml(text.slice(0, trailing))} <span class="comment">${escapeHtml(text.slice(trailing + 1))}</span>`;
  }
  return escapeHtml(text);
}

function codeTable(file: string, lines: readonly CodeLine[]): string {
  const rows = lines
    .map(({ number, text }) => `<tr id="${file.replace(/\W/g, '-')}-L${number}"><td class="n">${number}</td><td class="c">${highlight(text)}</td></tr>`)
    .join('\n');
  return `<table class="code"><tbody>\n${rows}\n</tbody></table>`;
}

const STYLE = `
:root { --ink: #1d232b; --muted: #5b6572; --rule: #d5dae0; --paper: #fff; --band: #f3f5f8; --comment: #2f6f3e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--paper); }
header, .prose { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
nav ol { columns: 2; }
.step { border-top: 3px solid var(--ink); margin-top: 2rem; }
.step > h2 { max-width: 60rem; margin: 1rem auto 0; padding: 0 1rem; }
.note { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
.note table, .prose table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 14px; }
.note th, .note td, .prose th, .prose td { border: 1px solid var(--rule); padding: 0.25rem 0.5rem; vertical-align: top; text-align: left; }
.note th, .prose th { background: var(--band); }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.75rem; padding: 0 0.75rem; }
.column { min-width: 0; border: 1px solid var(--rule); background: var(--band); }
.column h3 { margin: 0; padding: 0.4rem 0.6rem; font-size: 14px; border-bottom: 1px solid var(--rule); background: var(--paper); }
.column .scroll { overflow-x: auto; }
table.code { border-collapse: collapse; font: 12.5px/1.45 ui-monospace, monospace; }
table.code td { padding: 0 0.5rem; white-space: pre; }
table.code td.n { color: var(--muted); text-align: right; user-select: none; border-right: 1px solid var(--rule); }
.comment { color: var(--comment); }
code { font: 0.92em ui-monospace, monospace; background: var(--band); padding: 0 0.2em; }
pre { background: var(--band); padding: 0.5rem; overflow-x: auto; }
pre code { background: none; padding: 0; }
details { max-width: 100%; margin: 1rem 0.75rem; }
summary { cursor: pointer; font-weight: 600; }
`;

export interface PageInput {
  readonly sources: Readonly<Record<ServerName, string>>;
  readonly note: string;
  readonly helpers: ReadonlyArray<{ readonly path: string; readonly source: string }>;
}

export function readPageInput(): PageInput {
  const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
  return {
    sources: { http: read(SERVER_SOURCES.http), net: read(SERVER_SOURCES.net) },
    note: read(NOTE_PATH),
    helpers: HELPER_SOURCES.map((path) => ({ path, source: read(path) })),
  };
}

/** The steps both files have, in order; a step only one file has is an error the page would hide. */
export function alignedSteps(sections: Readonly<Record<ServerName, Section[]>>): number[] {
  const numbers = SERVER_NAMES.map((name) => sections[name].map((section) => section.step).join(','));
  if (new Set(numbers).size !== 1) {
    throw new Error(`the two servers have different sections: ${SERVER_NAMES.map((name, i) => `${name} ${numbers[i]}`).join('; ')}`);
  }
  return sections.http.map((section) => section.step);
}

export function buildPage(input: PageInput): string {
  const sections = { http: splitSections(input.sources.http), net: splitSections(input.sources.net) };
  const steps = alignedSteps(sections);
  const note = splitNote(input.note);
  const titleOf = (step: number): string =>
    step === 0 ? 'Before the steps: imports and declarations' : (note.steps.get(step)?.title ?? sections.http.find((s) => s.step === step)!.title);

  const toc = steps.map((step) => `<li><a href="#step-${step}">${step}. ${renderInline(titleOf(step))}</a></li>`).join('\n');
  const rows = steps.map((step) => {
    const columns = SERVER_NAMES.map((name) => {
      const section = sections[name].find((candidate) => candidate.step === step)!;
      const heading = `${SERVER_SOURCES[name]}${step === 0 ? '' : `: ${escapeHtml(section.title)}`}`;
      return `<div class="column" data-column="${name}" data-step="${step}">\n<h3>${heading}</h3>\n<div class="scroll">\n${codeTable(SERVER_SOURCES[name], section.lines)}\n</div>\n</div>`;
    });
    const stepNote = note.steps.get(step);
    const noteHtml = stepNote === undefined ? '' : `<div class="note" data-note="${step}">\n${renderMarkdown(stepNote.markdown)}\n</div>\n`;
    return `<section class="step" id="step-${step}" data-step="${step}">\n<h2>${step}. ${renderInline(titleOf(step))}</h2>\n${noteHtml}<div class="columns">\n${columns.join('\n')}\n</div>\n</section>`;
  });
  const helpers = input.helpers.map(
    ({ path, source }) => `<details data-helper="${path}">\n<summary>${path}</summary>\n<div class="column"><div class="scroll">\n${codeTable(path, splitSections(source).flatMap((s) => s.lines))}\n</div></div>\n</details>`,
  );

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>node:http and node:net, side by side</title>
<style>${STYLE}</style>
</head>
<body>
<header class="prose">
${renderMarkdown(note.intro)}
<nav><ol start="0">
${toc}
</ol></nav>
</header>
<main>
${rows.join('\n')}
<section class="helpers" id="helpers">
<h2 class="prose">The net server's helpers, whole</h2>
${helpers.join('\n')}
</section>
</main>
<footer class="prose">
${renderMarkdown(note.outro)}
<p>Built by <code>pnpm docs:html</code> from ${SERVER_NAMES.map((name) => `<code>${SERVER_SOURCES[name]}</code>`).join(' and ')} and <code>${NOTE_PATH}</code>. Do not edit by hand.</p>
</footer>
</body>
</html>
`;
}
