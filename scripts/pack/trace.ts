/**
 * What the npm package must carry: the files that the `hook-observatory` program can load,
 * found by following its imports (and the files they read, such as the live page) with
 * @vercel/nft from packages/cli's built entry. The workspace packages it reaches are copied
 * into the package; the registry packages they import are declared as its dependencies, for
 * npm to install. Nothing is listed by hand, so a new import cannot be left out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFileTrace } from '@vercel/nft';

/** The program's entry, relative to the repository root (built by tsc -b). */
export const ENTRY = 'packages/cli/dist/main.js';
/** A workspace package's file: its directory under packages/, and the path inside it. */
const WORKSPACE_FILE = /^packages\/([^/]+)\/(.+)$/;
/** pnpm links each package's own dependencies into its node_modules: the link names who imports what. */
const DEPENDENCY_LINK = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/;

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

export interface TracedPackage {
  /** Its directory under packages/. */
  readonly dir: string;
  readonly manifest: Manifest;
  /** The files the program can load or read, relative to the package's directory. */
  readonly files: readonly string[];
  /** The registry packages it imports, with the version its package.json asks for. */
  readonly dependencies: Readonly<Record<string, string>>;
}

export async function traceProgram(root: string): Promise<TracedPackage[]> {
  const { fileList } = await nodeFileTrace([ENTRY], {
    base: root,
    // Registry packages are npm's to install: their names are read from the links, not their files.
    ignore: (path) => path.startsWith('node_modules/'),
  });
  const files = new Map<string, string[]>();
  const links = new Map<string, string[]>();
  for (const path of [...fileList].sort()) {
    const match = WORKSPACE_FILE.exec(path);
    if (match === null) throw new Error(`${path}: traced outside packages/`);
    const [, dir, inside] = match as unknown as [string, string, string];
    const link = DEPENDENCY_LINK.exec(inside);
    if (link !== null) append(links, dir, link[1] as string);
    else append(files, dir, inside);
  }
  return [...files].map(([dir, packageFiles]) => {
    const manifest = JSON.parse(
      readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'),
    ) as Manifest;
    return {
      dir,
      manifest,
      files: packageFiles,
      dependencies: registryDependencies(manifest, links.get(dir) ?? []),
    };
  });
}

function registryDependencies(
  manifest: Manifest,
  imported: readonly string[],
): Record<string, string> {
  const declared = manifest.dependencies ?? {};
  const dependencies: Record<string, string> = {};
  for (const name of imported) {
    const version = declared[name];
    if (version === undefined) {
      throw new Error(`${manifest.name} imports ${name} without declaring it`);
    }
    if (!version.startsWith('workspace:')) dependencies[name] = version;
  }
  return dependencies;
}

function append(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
