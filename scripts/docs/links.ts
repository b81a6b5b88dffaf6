/**
 * Links in the notes: to other notes and their headings, to source files, and
 * to source lines. A link to lines must carry its region in its title,
 * `[the route](../packages/http-server/src/main.ts#L70-L90 "region:route")`,
 * so that docs:sync moves the line numbers when the code moves and a stale
 * number is an error rather than a quiet lie.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { inFences } from './blocks.js';
import { lineAnchor, REGION_TITLE, type RegionSource } from './excerpts.js';

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
  if (fragment === undefined) {
    return link.title !== undefined && REGION_TITLE.test(link.title) ? 'a region link needs its #L line anchor' : undefined;
  }
  if (statSync(file).isDirectory()) return 'a folder has no anchors';
  if (file.endsWith('.md')) {
    return headingSlugs(readFileSync(file, 'utf8')).has(fragment) ? undefined : `no heading #${fragment} in ${fromRoot}`;
  }
  const lines = LINE_ANCHOR.exec(fragment);
  if (lines === null) return `#${fragment} is neither a heading nor a line anchor`;
  const first = Number(lines[1]);
  const last = lines[2] === undefined ? first : Number(lines[2]);
  const lineCount = readFileSync(file, 'utf8').split('\n').length;
  if (first < 1 || last < first || last > lineCount) return `lines ${first} to ${last} are not in ${fromRoot} (${lineCount} lines)`;
  const regionName = link.title === undefined ? undefined : REGION_TITLE.exec(link.title)?.[1];
  if (regionName === undefined) return 'a link to source lines needs a title "region:NAME", so that docs:sync can keep it true';
  const region = regions.regions(fromRoot).get(regionName);
  if (region === undefined) return `${fromRoot} has no region "${regionName}"`;
  const expected = lineAnchor(region);
  return expected === `#${fragment}` ? undefined : `region "${regionName}" is now at ${expected}: run pnpm docs:sync`;
}

/** `markdown` with the line anchor of every region-titled link moved to where its region is now. */
export function syncRegionLinks(root: string, noteFromRoot: string, markdown: string, regions: RegionSource): string {
  const noteDir = dirname(join(root, noteFromRoot));
  const prose = proseLines(markdown);
  return markdown
    .split('\n')
    .map((line, index) => {
      let synced = line;
      // From the end, so that a replacement of another length does not move the matches before it.
      for (const match of [...(prose[index] as string).matchAll(LINK)].reverse()) {
        const [whole, text, target, title] = match as unknown as [string, string, string, string | undefined];
        const regionName = title === undefined ? undefined : REGION_TITLE.exec(title)?.[1];
        if (regionName === undefined) continue;
        const pathPart = target.split('#')[0] as string;
        const region = regions.region(relative(root, resolve(noteDir, pathPart)), regionName);
        const replacement = `[${text}](${pathPart}${lineAnchor(region)} "${title}")`;
        synced = synced.slice(0, match.index) + replacement + synced.slice((match.index ?? 0) + whole.length);
      }
      return synced;
    })
    .join('\n');
}
