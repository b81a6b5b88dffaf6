/**
 * `pnpm -s pack:npm [--out DIR]`: the npm package a user installs without a clone
 * (`npm i -g hook-observatory-VERSION.tgz`), written to DIR (default dist/pack) with its path
 * printed on standard output.
 *
 * One package, `hook-observatory`, with one program (packages/cli). The workspace packages are
 * private and named @hook-observatory/*, so they are not published on their own: the built
 * files the program can load (trace.ts) travel inside the package as bundled dependencies,
 * under its node_modules/@hook-observatory/, each with a package.json that keeps its exports.
 * The registry packages they import are the package's dependencies, at the versions the
 * workspace locks. The directory is staged, then `npm pack` makes the tarball from it.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '@hook-observatory/launcher';
import { traceProgram, type Manifest, type TracedPackage } from './trace.js';

export const DEFAULT_OUT = 'dist/pack';
/** The package's README on the registry's page and in the installed directory. */
const PACKAGE_README = 'scripts/pack/README.md';
/** The program as npm links it: it loads packages/cli's entry from the bundled copy. */
const BIN_FILE = 'bin/hook-observatory.js';
const BIN_TEXT = "#!/usr/bin/env node\nimport '@hook-observatory/cli/main';\n";
/**
 * The Claude Code plugin's marketplace (scripts/docs/plugin.ts), as committed: the installed
 * package is then a marketplace too, `claude plugin marketplace add "$(npm root -g)/hook-observatory"`.
 */
export const PLUGIN_PATHS = ['.claude-plugin', 'plugin'];

/** Lays out the package in `stage` (emptied first); returns its package.json. */
export async function stagePackage(root: string, stage: string): Promise<Manifest> {
  rmSync(stage, { recursive: true, force: true });
  const traced = await traceProgram(root);
  for (const pkg of traced) {
    const into = join(stage, 'node_modules', pkg.manifest.name);
    for (const file of pkg.files) {
      if (file === 'package.json') continue;
      mkdirSync(dirname(join(into, file)), { recursive: true });
      copyFileSync(join(root, 'packages', pkg.dir, file), join(into, file));
    }
    writeJson(join(into, 'package.json'), bundledManifest(pkg));
  }
  mkdirSync(join(stage, dirname(BIN_FILE)), { recursive: true });
  writeFileSync(join(stage, BIN_FILE), BIN_TEXT);
  chmodSync(join(stage, BIN_FILE), 0o755);
  copyFileSync(join(root, PACKAGE_README), join(stage, 'README.md'));
  for (const path of PLUGIN_PATHS) cpSync(join(root, path), join(stage, path), { recursive: true });
  const manifest = rootManifest(readManifest(join(root, 'package.json')), traced);
  writeJson(join(stage, 'package.json'), manifest);
  return manifest;
}

/**
 * A workspace package as bundled: its exports, and no dependencies. npm takes whatever a bundled
 * package depends on to be inside the bundle too, and would then neither fetch nor unpack it;
 * the package itself declares them instead, and Node finds them one node_modules up.
 */
function bundledManifest(pkg: TracedPackage): Manifest {
  const { name, version, description, type, exports } = pkg.manifest;
  return { name, version, description, type, exports };
}

function rootManifest(workspace: Manifest, traced: readonly TracedPackage[]): Manifest {
  const bundled = traced.map((pkg) => pkg.manifest.name).sort();
  const dependencies: Record<string, string> = {};
  for (const pkg of traced) dependencies[pkg.manifest.name] = pkg.manifest.version;
  for (const pkg of traced) {
    for (const [name, version] of Object.entries(pkg.dependencies)) {
      const other = dependencies[name];
      if (other !== undefined && other !== version) {
        throw new Error(`${name}: two versions asked for (${other}, ${version})`);
      }
      dependencies[name] = version;
    }
  }
  const { name, version, description, license, engines, type } = workspace;
  return {
    name,
    version,
    description,
    license,
    type,
    engines,
    bin: { 'hook-observatory': BIN_FILE },
    dependencies: Object.fromEntries(
      Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)),
    ),
    bundleDependencies: bundled,
  };
}

/**
 * The environment without the npm_config_* variables that pnpm hands the scripts it runs:
 * npm would take them as its own settings (and warn about pnpm's), as a user's npm does not.
 */
export function npmEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_config_')) env[name] = value;
  }
  return { ...env, ...extra };
}

/** `npm pack` of the staged directory into `out`; returns the tarball's path. */
export function packTarball(stage: string, out: string): string {
  mkdirSync(out, { recursive: true });
  const report = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: stage,
    env: npmEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [packed] = JSON.parse(report) as [{ filename: string }];
  return join(out, packed.filename);
}

function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: DEFAULT_OUT } } });
  const out = resolve(ROOT, values.out);
  const stage = join(out, 'package');
  await stagePackage(ROOT, stage);
  process.stdout.write(`${packTarball(stage, out)}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await main();
}
