/**
 * Code excerpts: a note names a region (`<!-- excerpt FILE#REGION -->`) and
 * gets the region's current text, under a link to its file that names the
 * region. No line number is written: a line added above a region changes no
 * note, so only an edit inside a quoted region asks for `pnpm docs:sync`.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fencedBody, type GeneratedBlock } from './blocks.js';
import { parseRegions, type Region } from './regions.js';

/** The link title that ties a link to a region: `[the route](../packages/F "region:route")`. */
export const REGION_TITLE = /^region:([a-z0-9-]+)$/;

/** An HTML file's regions are in its script: `// #region` is a comment only there. */
const LANGUAGES: Readonly<Record<string, string>> = { '.ts': 'ts', '.js': 'js', '.json': 'json', '.html': 'js' };

/** Reads each source file once per run and answers region look-ups from it. */
export class RegionSource {
  private readonly files = new Map<string, Map<string, Region>>();
  constructor(private readonly root: string) {}

  regions(file: string): Map<string, Region> {
    let regions = this.files.get(file);
    if (regions === undefined) {
      regions = parseRegions(readFileSync(join(this.root, file), 'utf8'), file);
      this.files.set(file, regions);
    }
    return regions;
  }

  region(file: string, name: string): Region {
    const region = this.regions(file).get(name);
    if (region === undefined) throw new Error(`${file} has no region "${name}"`);
    return region;
  }
}

/** `path/to/file.ts#name` split in two. */
export function parseRegionReference(reference: string): { file: string; name: string } {
  const hash = reference.lastIndexOf('#');
  if (hash <= 0 || hash === reference.length - 1) throw new Error(`"${reference}" is not FILE#REGION`);
  return { file: reference.slice(0, hash), name: reference.slice(hash + 1) };
}

/**
 * The body of an excerpt block in the note at `notePathFromRoot`: the
 * region's name and a link to its file, then the region's code.
 */
export function renderExcerpt(block: GeneratedBlock, notePathFromRoot: string, source: RegionSource): string {
  if (block.args.length !== 1) throw new Error(`excerpt at line ${block.line} takes one FILE#REGION`);
  const { file, name } = parseRegionReference(block.args[0] as string);
  const region = source.region(file, name);
  const href = relative(dirname(notePathFromRoot), file);
  const caption = `Region \`${name}\` of [\`${file}\`](${href}):`;
  return fencedBody(LANGUAGES[extname(file)] ?? '', region.text, caption);
}
