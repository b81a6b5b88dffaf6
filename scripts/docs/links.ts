/**
 * Links in the notes: to other notes and their headings, to source files, and
 * to a region of a source file. A link to code names its region in its title,
 * `[the route](../packages/http-server/src/main.ts "region:route")`, never
 * lines: a line number goes stale with every edit above it, a region's name
 * only when someone renames it, and then this check says so.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { inFences } from './blocks.js';
import { REGION_TITLE, type RegionSource } from './excerpts.js';

export interface Link {
  /** 1-based line in the note. */
  readonly line: number;
  readonly text: string;
  readonly target: string;
  readonly title: string | undefined;
}

const LINK = /\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)(?:\s+"([^"]*)")?\)/g;
const LINE_ANCHOR = /^L(\d+)(?:-L(\d+))?$/;

/**
 * Each line of `markdown` as links are read from it: '' inside fenced code
 * and inside excerpt blocks, and a code span that shows link syntax (`[x](y)` as an example) blanked out,
 * so that only real links are checked and moved. Lengths are kept, so that a
 * match in a masked line is at the same place in the real one.
 */
function proseLines(markdown: string): string[] {
  let inExcerpt = false;
  const lines = markdown.split('\n');
  const code = inFences(lines);
  return lines.map((line, index) => {
    // An excerpt or the parser's map is written whole from the code (excerpts.test.ts checks it), links included.
    if (!code[index] && /^<!-- \/?(excerpt|parser-map)\b/.test(line)) inExcerpt = !line.startsWith('<!-- /');
    if (inExcerpt || code[index]) return '';
    return line.replace(/(`+)(.+?)\1/g, (span, _ticks, content: string) => (content.includes('](') ? ' '.repeat(span.length) : span));
  });
}

export function extractLinks(markdown: string): Link[] {
  const links: Link[] = [];
  proseLines(markdown).forEach((line, index) => {
    for (const match of line.matchAll(LINK)) {
      links.push({ line: index + 1, text: match[1] as string, target: match[2] as string, title: match[3] });
    }
  });
  return links;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
export function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const base = (heading[1] as string)
      .toLowerCase()
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/**
 * What is wrong with the links of the note at `noteFromRoot` (a path from
 * the repository root); empty when nothing is.
 */
export function checkLinks(root: string, noteFromRoot: string, markdown: string, regions: RegionSource): string[] {
  const problems: string[] = [];
  const noteDir = dirname(join(root, noteFromRoot));
  for (const link of extractLinks(markdown)) {
    const where = `${noteFromRoot}:${link.line}: [${link.text}](${link.target})`;
    const problem = checkLink(root, noteDir, markdown, link, regions);
    if (problem !== undefined) problems.push(`${where}: ${problem}`);
  }
  return problems;
}

function checkLink(root: string, noteDir: string, markdown: string, link: Link, regions: RegionSource): string | undefined {
  const { target } = link;
  if (/^https:\/\/[^/]+/.test(target)) return undefined;
  if (/^[a-z]+:/i.test(target)) return 'only https:// links and relative paths are allowed';
  const hash = target.indexOf('#');
  const pathPart = hash === -1 ? target : target.slice(0, hash);
  const fragment = hash === -1 ? undefined : target.slice(hash + 1);
  if (pathPart === '') {
    return fragment !== undefined && headingSlugs(markdown).has(fragment) ? undefined : `no heading #${fragment ?? ''} in this note`;
  }
  const file = resolve(noteDir, decodeURIComponent(pathPart));
  const fromRoot = relative(root, file);
  if (fromRoot.startsWith('..') || fromRoot.startsWith(sep)) return 'points outside the repository';
  if (!existsSync(file)) return `${fromRoot} does not exist`;
  const regionName = link.title === undefined ? undefined : REGION_TITLE.exec(link.title)?.[1];
  if (fragment !== undefined && LINE_ANCHOR.test(fragment)) {
    return 'links to lines go stale with every edit above them: link the file and name a region in the title ("region:NAME")';
  }
  if (regionName !== undefined) {
    if (fragment !== undefined) return 'a region link names its region in its title and has no #fragment';
    return regions.regions(fromRoot).has(regionName) ? undefined : `${fromRoot} has no region "${regionName}"`;
  }
  if (fragment === undefined) return undefined;
  if (statSync(file).isDirectory()) return 'a folder has no anchors';
  if (file.endsWith('.md')) {
    return headingSlugs(readFileSync(file, 'utf8')).has(fragment) ? undefined : `no heading #${fragment} in ${fromRoot}`;
  }
  return `#${fragment} is not a heading: name a region instead ("region:NAME")`;
}
