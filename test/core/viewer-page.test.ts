/**
 * The live view carries core's own session rules and tool-call pairing
 * (viewer.ts builds the page from live.html and the compiled modules): the
 * page's copy, run as the browser runs it, must answer as core does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@hook-observatory/launcher';
import { LIVE_VIEW } from '@hook-observatory/core';
import { SessionTracker, type LogEvent } from '@hook-observatory/core/vocabulary';
import { SpanTracker } from '@hook-observatory/core/internal/tool-spans';
import {
  PAGE_MODULES,
  PAGE_MODULES_MARKER,
  buildPage,
  inlineModule,
} from '@hook-observatory/core/internal/viewer';
import { trafficLog } from '../helpers/traffic-log.js';

const page = LIVE_VIEW.page.toString('utf8');
const script = page.slice(page.indexOf('<script>') + '<script>'.length, page.indexOf('</script>'));
const compiled = PAGE_MODULES.map((name) =>
  readFileSync(
    new URL(name, import.meta.resolve('@hook-observatory/core/internal/viewer')),
    'utf8',
  ),
);

/** The page's inlined modules alone, evaluated as a classic script, their classes handed back. */
function pageModules(): { SessionTracker: typeof SessionTracker; SpanTracker: typeof SpanTracker } {
  const inlined = compiled.map(inlineModule).join('\n');
  return runInNewContext(`'use strict';\n${inlined}\n({ SessionTracker, SpanTracker });`) as never;
}

const events: LogEvent[] = (['full', 'permission', 'teammate'] as const).flatMap((session) =>
  trafficLog(session)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogEvent),
);

describe('the page is built from live.html and core modules', () => {
  it('each module is read through a literal URL, the only kind the npm package trace follows', () => {
    const source = readFileSync(join(ROOT, 'packages/core/src/viewer.ts'), 'utf8');
    for (const name of PAGE_MODULES) {
      expect(source).toContain(`new URL('${name}', import.meta.url)`);
    }
  });

  it('the marker is replaced by every module, and nothing is left to import or export', () => {
    expect(page).not.toContain(PAGE_MODULES_MARKER);
    for (const name of ['class SessionTracker', 'class SpanTracker', 'const EDGES']) {
      expect(script).toContain(name);
    }
    expect(script).not.toMatch(/^\s*(import|export)\b/m);
    expect(script).not.toContain('sourceMappingURL');
  });

  it('one script element: no module text closes it early', () => {
    expect(page.split('<script>')).toHaveLength(2);
    expect(page.split('</script>')).toHaveLength(2);
  });

  it('a live.html without the marker is refused at startup, not served without the rules', () => {
    expect(() => buildPage('<script></script>', compiled)).toThrow(/marker/);
  });
});

describe("the page's copy answers as core does, on the recorded sessions", () => {
  const inPage = pageModules();

  /** Core's tracker and the page's copy, fed the same events. */
  function fedBoth<T extends { add(event: LogEvent): unknown }>(core: T, copy: T): [T, T] {
    for (const event of events) {
      core.add(event);
      copy.add(event);
    }
    return [core, copy];
  }

  it('the same session states, sub-agents and counts as query --sessions', () => {
    const [core, copy] = fedBoth(new SessionTracker(), new inPage.SessionTracker());
    expect(core.sessions.size).toBe(3);
    expect(JSON.stringify([...copy.sessions.values()])).toBe(
      JSON.stringify([...core.sessions.values()]),
    );
  });

  it('the same tool-call spans', () => {
    const [core, copy] = fedBoth(new SpanTracker(), new inPage.SpanTracker());
    expect(core.spans).toHaveLength(
      events.filter((event) => event['_event'] === 'PreToolUse').length,
    );
    expect(JSON.stringify(copy.spans)).toBe(JSON.stringify(core.spans));
  });
});
