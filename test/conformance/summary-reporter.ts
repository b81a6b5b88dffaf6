/**
 * The line `pnpm test` ends with: how many conformance cases ran, against both
 * servers, over both transports, and whether every capture was identical or
 * which cases differed. Each conformance test leaves a ConformanceMeta in its
 * task meta (suite.ts); this reporter adds them up.
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { ConformanceMeta } from './suite.js';

/** Both servers play every case. */
const SERVERS = 2;

function conformanceTests(modules: ReadonlyArray<TestModule>): TestCase[] {
  return modules
    .filter((module) => module.moduleId.includes('/test/conformance/'))
    .flatMap((module) => [...module.children.allTests()]);
}

export function summaryLine(tests: readonly TestCase[]): string | undefined {
  if (!tests.some((test) => test.meta().conformance !== undefined)) return undefined;
  const metas: ConformanceMeta[] = [];
  const notCompared: string[] = [];
  for (const test of tests) {
    const meta = test.meta().conformance;
    if (meta === undefined) {
      // Harness unit tests carry no meta; a case that failed before its capture carries none either.
      if (test.result().state === 'failed') notCompared.push(test.fullName);
    } else {
      metas.push(meta);
    }
  }
  const cases = new Set(metas.map((meta) => `${meta.family}/${meta.caseName}`)).size;
  const transports = new Set(metas.map((meta) => meta.transport)).size;
  const scripts = metas.reduce((sum, meta) => sum + meta.scripts, 0);
  const differing = metas
    .filter((meta) => !meta.identical)
    .map((meta) => `${meta.family}/${meta.caseName} over ${meta.transport}`);
  const head = `conformance: ${cases} cases × ${SERVERS} servers × ${transports} transports (${scripts.toLocaleString('en')} client scripts per server)`;
  const verdict =
    differing.length === 0
      ? 'all identical'
      : `${differing.length} differ: ${differing.join(', ')}`;
  const missing =
    notCompared.length === 0
      ? ''
      : `; ${notCompared.length} failed without a capture: ${notCompared.join(', ')}`;
  return `${head}: ${verdict}${missing}`;
}

export default class ConformanceSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const line = summaryLine(conformanceTests(testModules));
    if (line !== undefined) process.stdout.write(`\n${line}\n`);
  }
}
