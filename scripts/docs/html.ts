/**
 * docs/side-by-side.html: a request's life in both servers, step by step.
 * Each numbered section of the two entry files (`// --- 1. Accept ---`) is a
 * step; each `###` part of that step in docs/side-by-side.md is a sub-step,
 * which sets the code its table links to, `node:http` left and `node:net`
 * right, so that short and long stand on the same row. The whole sections
 * follow each step, folded; then the parser group by group under its
 * picture, the other files, and the lessons' diffs from docs/lessons.md. The
 * notes' pictures are docs/images/*.svg, shown by relative address.
 *
 * markdown-it renders the notes and highlight.js colours the code, both at
 * build time: the page has no script, fetches nothing and reads offline.
 * Every link to a source line becomes a jump to that line's row on the page.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import MarkdownIt from 'markdown-it';
import { ROOT, SERVER_NAMES, SERVER_SOURCES, type ServerName } from '@hook-observatory/launcher';
import { findBlocks, inFences } from './blocks.js';
import { diagramMarkdown, drawDiagram } from './diagrams.js';
import type { Picture } from './parser-diagram.js';
import { CodeView, escapeHtml, highlightCode, lineId, REGION_MARKER, SECTION_MARKER } from './code-view.js';
import { readParserMap, type StateGroup } from './parser-map.js';
import { REGION_TITLE, RegionSource } from './excerpts.js';
import { PAGE_STYLE } from './page-style.js';

export const HTML_PATH = 'docs/side-by-side.html';
export const NOTE_PATH = 'docs/side-by-side.md';
export const LESSONS_NOTE_PATH = 'docs/lessons.md';
const PARSER_ENTRY = 'packages/net-server/src/request-parser.ts';
/** Files shown whole after the parser: what the net server's entry file calls besides it. */
const OTHER_FILES = ['packages/net-server/src/response-writer.ts', 'packages/net-server/src/group-commit.ts'];

const NOTE_STEP_HEADING = /^## (\d+)\. (.+)$/;
/** A link to a region, as docs/links.ts requires them: `(../packages/F "region:NAME")`. */
const REGION_LINK = /\(\.\.\/(packages\/[^)#\s]+) "region:([a-z0-9-]+)"\)/g;
const SOURCE_HREF = /^\.\.\/(packages\/[^#]+)$/;

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

/** A server file cut at its numbered section headers (a sub-part, `5b`, stays in its step), region markers left out. */
export function splitSections(source: string): Section[] {
  const sections: Array<{ step: number; title: string; lines: CodeLine[] }> = [{ step: 0, title: 'Before the steps', lines: [] }];
  source.split('\n').forEach((text, index) => {
    const header = SECTION_MARKER.exec(text);
    if (header !== null && header[2] === '') sections.push({ step: Number(header[1]), title: header[3] as string, lines: [] });
    if (!REGION_MARKER.test(text)) sections[sections.length - 1]!.lines.push({ number: index + 1, text });
  });
  while (sections.length > 0 && sections[sections.length - 1]!.lines.at(-1)?.text === '') sections[sections.length - 1]!.lines.pop();
  return sections;
}

export interface SubStep {
  readonly title: string;
  readonly markdown: string;
}

export interface NoteParts {
  readonly intro: string;
  readonly steps: ReadonlyMap<number, { title: string; subSteps: readonly SubStep[] }>;
  readonly outro: string;
}

/** docs/side-by-side.md cut at its `## N. Title` headings and, inside a step, at its `###` headings. */
export function splitNote(markdown: string): NoteParts {
  const intro: string[] = [];
  const outro: string[] = [];
  const steps = new Map<number, { title: string; subSteps: Array<{ title: string; lines: string[] }> }>();
  let current = intro;
  const lines = markdown.split('\n');
  const code = inFences(lines);
  for (const [index, line] of lines.entries()) {
    const inFence = code[index] === true;
    const heading = inFence ? null : NOTE_STEP_HEADING.exec(line);
    const step = [...steps.values()].at(-1);
    if (heading !== null) {
      const first = { title: heading[2] as string, lines: [] as string[] };
      steps.set(Number(heading[1]), { title: heading[2] as string, subSteps: [first] });
      current = first.lines;
    } else if (!inFence && line.startsWith('### ') && step !== undefined && current !== outro) {
      const subStep = { title: line.slice(4), lines: [] as string[] };
      if (step.subSteps.length === 1 && step.subSteps[0]!.lines.join('').trim() === '') step.subSteps.pop();
      step.subSteps.push(subStep);
      current = subStep.lines;
    } else {
      if (!inFence && line.startsWith('## ')) current = outro;
      current.push(line);
    }
  }
  const done = [...steps].map(([number, { title, subSteps }]) => [number, { title, subSteps: subSteps.map((s) => ({ title: s.title, markdown: s.lines.join('\n') })) }] as const);
  return { intro: intro.join('\n'), steps: new Map(done), outro: outro.join('\n') };
}

/** The steps both files have, in order; a step only one file has is an error the page would hide. */
export function alignedSteps(sections: Readonly<Record<ServerName, Section[]>>): number[] {
  const numbers = SERVER_NAMES.map((name) => sections[name].map((section) => section.step).join(','));
  if (new Set(numbers).size !== 1) {
    throw new Error(`the two servers have different sections: ${SERVER_NAMES.map((name, i) => `${name} ${numbers[i]}`).join('; ')}`);
  }
  return sections.http.map((section) => section.step);
}

/** Which server's column a source file belongs in. */
function columnOf(file: string): ServerName {
  return file.startsWith('packages/http-server/') ? 'http' : 'net';
}

/** The regions a piece of a note links to, in the order it links them, each once. */
export function linkedRegions(markdown: string): Array<{ file: string; region: string }> {
  const seen = new Map<string, { file: string; region: string }>();
  for (const match of markdown.matchAll(REGION_LINK)) seen.set(`${match[1]} ${match[2]}`, { file: match[1] as string, region: match[2] as string });
  return [...seen.values()];
}

/**
 * markdown-it, with fences highlighted and links to source files turned into
 * jumps to their rows: a region link to its region's first row, found now.
 */
function markdownRenderer(view: CodeView, regions: RegionSource): MarkdownIt {
  const md = new MarkdownIt({ html: true, highlight: highlightCode });
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
  md.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const token = tokens[index]!;
    const source = SOURCE_HREF.exec(token.attrGet('href') ?? '');
    if (source !== null) {
      const file = posix.normalize(source[1] as string);
      const region = REGION_TITLE.exec(token.attrGet('title') ?? '')?.[1];
      token.attrSet('href', `#${lineId(file, region === undefined ? 1 : regions.region(file, region).firstLine)}`);
      view.linked.add(file);
    }
    return defaultLinkOpen(tokens, index, options, env, self);
  };
  return md;
}

export interface PageInput {
  readonly read: (path: string) => string;
}

export function readPageInput(): PageInput {
  return { read: (path) => readFileSync(join(ROOT, path), 'utf8') };
}

/** A sub-step's code for one server: each region it links to, or a line saying node:http does it inside. */
function subStepColumn(view: CodeView, source: RegionSource, name: ServerName, regions: ReadonlyArray<{ file: string; region: string }>): string {
  const mine = regions.filter(({ file }) => columnOf(file) === name);
  const parts = mine.map(({ file, region }) => {
    const found = source.region(file, region);
    const numbers = view.numbers(file, found.firstLine, found.lastLine);
    if (numbers.every((number) => view.has(file, number))) {
      return `<p class="seen"><a href="#${lineId(file, found.firstLine)}">${escapeHtml(file)}, lines ${found.firstLine} to ${found.lastLine}</a>: shown above.</p>`;
    }
    return `<h4>${escapeHtml(file)}: <code>${region}</code></h4>\n<div class="scroll">\n${view.table(file, numbers)}\n</div>`;
  });
  const body = parts.length > 0 ? parts.join('\n') : '<p class="none">Nothing to write here: Node does this part inside <code>node:http</code>; the table above says where.</p>';
  return `<div class="column" data-column="${name}">\n${body}\n</div>`;
}

function stepSection(view: CodeView, source: RegionSource, md: MarkdownIt, step: number, title: string, note: NoteParts, sections: Readonly<Record<ServerName, Section[]>>): string {
  const subSteps = note.steps.get(step)?.subSteps ?? [];
  const parts = subSteps.map((subStep, index) => {
    const regions = linkedRegions(subStep.markdown);
    const columns = SERVER_NAMES.map((name) => subStepColumn(view, source, name, regions));
    return `<div class="substep" id="step-${step}-${index + 1}" data-substep="${step}.${index + 1}">\n<h3>${step}.${index + 1} ${md.renderInline(subStep.title)}</h3>\n<div class="note" data-note="${step}">\n${md.render(subStep.markdown)}\n</div>\n<div class="columns">\n${columns.join('\n')}\n</div>\n</div>`;
  });
  const whole = SERVER_NAMES.map((name) => {
    const section = sections[name].find((candidate) => candidate.step === step)!;
    const heading = `${SERVER_SOURCES[name]}${step === 0 ? '' : `: ${escapeHtml(section.title)}`}`;
    const table = view.table(SERVER_SOURCES[name], section.lines.map((line) => line.number));
    return `<div class="column" data-column="${name}" data-step="${step}">\n<h4>${heading}</h4>\n<div class="scroll">\n${table}\n</div>\n</div>`;
  });
  const label = step === 0 ? 'The beginning of both files' : `Step ${step} whole, in both files`;
  return `<section class="step" id="step-${step}" data-step="${step}">\n<h2>${step}. ${md.renderInline(title)}</h2>\n${parts.join('\n')}\n<details class="whole">\n<summary>${label}</summary>\n<div class="columns">\n${whole.join('\n')}\n</div>\n</details>\n</section>`;
}

/** A file's opening comment as Markdown: the note a group of the parser carries. */
export function headerComment(source: string): string {
  const match = /\/\*\*\n((?: \*.*\n)+?) \*\//.exec(source);
  return match === null ? '' : (match[1] as string).split('\n').map((line) => line.replace(/^ \* ?/, '')).join('\n');
}

function parserSection(view: CodeView, md: MarkdownIt, groups: readonly StateGroup[]): string {
  const noted = new Set<string>();
  const parts = groups.map((group) => {
    const note = noted.has(group.file) ? '' : md.render(headerComment(view.source(group.file)));
    noted.add(group.file);
    const states = group.states.map((state) => `<code>${state.name}</code>${state.llhttp.length === 0 ? '' : ` (${state.llhttp.map((name) => `<code>${name}</code>`).join(', ')})`}`).join(', ');
    const table = view.table(group.file, view.numbers(group.file, group.firstLine, group.lastLine));
    return `<div class="group" id="parser-${group.step}" data-group="${group.step}">\n<h3><code>${group.step}</code> in ${escapeHtml(group.file)}</h3>\n<div class="note">\n${note}<p>States (llhttp’s names): ${states}.</p>\n</div>\n<div class="column"><div class="scroll">\n${table}\n</div></div>\n</div>`;
  });
  const picture = drawDiagram('parser-groups') as Picture;
  const intro = `${md.render(headerComment(view.source(PARSER_ENTRY)))}${md.render(diagramMarkdown('parser-groups', picture, HTML_PATH))}`;
  return `<section class="parser" id="parser">\n<h2>The parser, group by group</h2>\n<div class="note">${intro}</div>\n${parts.join('\n')}\n</section>`;
}

/** Every line of each file that has no row yet, folded: where a link into the rest of a file lands. */
function filesSection(view: CodeView, files: readonly string[]): string {
  const parts = files.map((file) => {
    const numbers = view.numbers(file, 1, view.source(file).split('\n').length).filter((number) => !view.has(file, number));
    if (numbers.length === 0) return '';
    return `<details data-file="${escapeHtml(file)}">\n<summary>${escapeHtml(file)}: the lines not shown above</summary>\n<div class="column"><div class="scroll">\n${view.table(file, numbers)}\n</div></div>\n</details>`;
  });
  return `<section class="files" id="files">\n<h2>The rest of each file</h2>\n${parts.join('\n')}\n</section>`;
}

function lessonsSection(md: MarkdownIt, lessonsNote: string): string {
  const diffs = findBlocks(lessonsNote, LESSONS_NOTE_PATH)
    .filter((block) => block.kind === 'lesson-diff')
    .map((block) => `<div class="lesson-diff" id="lesson-diff-${block.args.join('-')}">\n<h3>Lesson ${block.args[0]} to lesson ${block.args[1]}${block.args.length > 2 ? `, ${block.args.slice(2).join(' ')}` : ''}</h3>\n${md.render(block.body)}\n</div>`);
  return `<section class="lessons" id="lessons">\n<h2>The lessons, one step at a time</h2>\n<p>What each lesson adds to the one before (from <code>${LESSONS_NOTE_PATH}</code>).</p>\n${diffs.join('\n')}\n</section>`;
}

export function buildPage(input: PageInput): string {
  const view = new CodeView(input.read);
  const regionSource = new RegionSource(ROOT);
  const md = markdownRenderer(view, regionSource);
  const sections = { http: splitSections(input.read(SERVER_SOURCES.http)), net: splitSections(input.read(SERVER_SOURCES.net)) };
  const steps = alignedSteps(sections);
  const note = splitNote(input.read(NOTE_PATH));
  const titleOf = (step: number): string =>
    step === 0 ? 'Before the steps: imports and declarations' : (note.steps.get(step)?.title ?? sections.http.find((s) => s.step === step)!.title);
  const intro = md.render(note.intro);
  const stepsHtml = steps.map((step) => stepSection(view, regionSource, md, step, titleOf(step), note, sections));
  const groups = readParserMap(ROOT, PARSER_ENTRY);
  const parser = parserSection(view, md, groups);
  const outro = md.render(note.outro);
  const lessons = lessonsSection(md, input.read(LESSONS_NOTE_PATH));
  const parserFiles = [PARSER_ENTRY, ...new Set(groups.map((group) => group.file))];
  const files = filesSection(view, [...new Set([...SERVER_NAMES.map((name) => SERVER_SOURCES[name]), ...parserFiles, ...OTHER_FILES, ...view.linked])]);
  const toc = [
    ...steps.map((step) => `<li><a href="#step-${step}">${step}. ${md.renderInline(titleOf(step))}</a></li>`),
    '<li><a href="#parser">The parser, group by group</a></li>',
    '<li><a href="#files">The rest of each file</a></li>',
    '<li><a href="#lessons">The lessons, one step at a time</a></li>',
  ].join('\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>node:http and node:net, side by side</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header class="prose">
${intro}
<nav><ul>
${toc}
</ul></nav>
</header>
<main>
${stepsHtml.join('\n')}
${parser}
${files}
${lessons}
</main>
<footer class="prose">
${outro}
<p>Built by <code>pnpm docs:html</code> from ${SERVER_NAMES.map((name) => `<code>${SERVER_SOURCES[name]}</code>`).join(' and ')}, <code>${NOTE_PATH}</code> and <code>${LESSONS_NOTE_PATH}</code>. Do not edit by hand.</p>
</footer>
</body>
</html>
`;
}
