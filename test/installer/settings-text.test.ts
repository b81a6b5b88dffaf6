/**
 * The settings text: our hooks go in without touching a byte of anything
 * else, come out leaving exactly what was there, are found again after the
 * user edits around them, and a file that is not JSON is refused with the
 * line and column of the mistake.
 */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SETTINGS,
  OUR_STATUS_MESSAGE,
  SettingsError,
  findOurHandlers,
  installHooks,
  parseSettings,
  planHooks,
  removeOurHooks,
  type HookTarget,
} from '@hook-observatory/installer';
import { HOOK_EVENT_NAMES } from '@hook-observatory/core';

const TCP: HookTarget = {
  transport: 'tcp',
  port: 23518,
  socketPath: '/tmp/claude-observatory.sock',
  tokenFile: undefined,
};
const ALL = planHooks(TCP, HOOK_EVENT_NAMES);
const USER_HOOK = { type: 'command', command: 'echo user' };

/** The settings a user might have, in the shapes editors and tools write. */
const ORIGINALS: readonly { name: string; text: string }[] = [
  { name: 'empty-object', text: '{}' },
  { name: 'empty-object-newline', text: '{}\n' },
  {
    name: 'two-spaces-no-hooks',
    text: '{\n  "model": "opus",\n  "env": {"A": "caf\\u00e9", "B": "é"},\n  "n": 1.50\n}\n',
  },
  {
    name: 'four-spaces',
    text: '{\n    "permissions": {\n        "allow": ["Bash(ls)"]\n    }\n}\n',
  },
  { name: 'tabs', text: '{\n\t"model": "opus"\n}\n' },
  { name: 'crlf', text: '{\r\n  "model": "opus"\r\n}\r\n' },
  {
    name: 'minified',
    text: '{"model":"opus","hooks":{"Stop":[{"hooks":[{"type":"command","command":"echo user"}]}]}}',
  },
  { name: 'one-line-spaced', text: '{ "model": "opus", "x": [1, 2] }' },
  { name: 'no-final-newline', text: '{\n  "model": "opus"\n}' },
  { name: 'byte-order-mark', text: '\uFEFF{\n  "model": "opus"\n}\n' },
  {
    name: 'user-hooks-on-our-events',
    text: `{
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [ { "type": "command", "command": "echo user", "timeout": 30 } ]
      }
    ],
    "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}],
    "NotAnEventYet": [{"hooks": [{"type": "command", "command": "true"}]}]
  },
  "statusLine": {"type": "command", "command": "echo status"}
}
`,
  },
  {
    name: 'hooks-last-and-empty-arrays-elsewhere',
    text: '{\n  "a": [],\n  "b": {},\n  "hooks": {\n    "Stop": [{"hooks": [{"type": "command", "command": "x"}]}]\n  }\n}\n',
  },
];

describe('install and uninstall round trip', () => {
  it.each(ORIGINALS)('$name: uninstall gives back every byte', ({ text }) => {
    const installed = installHooks(text, ALL);
    expect(installed).not.toBe(text);
    expect(removeOurHooks(installed)).toBe(text);
  });

  it.each(ORIGINALS)('$name: install keeps everything else as it was', ({ text }) => {
    const installed = installHooks(text, ALL);
    const before = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    const after = JSON.parse(installed.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    const { hooks: hooksBefore = {}, ...restBefore } = before;
    const { hooks: hooksAfter, ...restAfter } = after;
    expect(restAfter).toEqual(restBefore);
    // The user's groups stay first, in order; ours follow.
    for (const [event, groups] of Object.entries(hooksBefore as Record<string, unknown[]>)) {
      expect((hooksAfter as Record<string, unknown[]>)[event]!.slice(0, groups.length)).toEqual(
        groups,
      );
    }
  });

  it.each(ORIGINALS)(
    '$name: every event but WorktreeCreate gets exactly one handler of ours',
    ({ text }) => {
      const found = findOurHandlers(installHooks(text, ALL));
      expect(found.map((location) => location.event).sort()).toEqual(
        HOOK_EVENT_NAMES.filter((name) => name !== 'WorktreeCreate').sort(),
      );
    },
  );

  it('crlf-file-gets-crlf-lines', () => {
    const installed = installHooks('{\r\n  "model": "opus"\r\n}\r\n', ALL);
    expect(installed.replaceAll('\r\n', '')).not.toContain('\n');
  });

  it('tab-file-gets-tab-indentation', () => {
    const installed = installHooks('{\n\t"model": "opus"\n}\n', ALL);
    expect(installed).toContain('\n\t"hooks": {\n\t\t"Setup": [\n\t\t\t{');
  });

  it('minified-file-stays-on-one-line', () => {
    const installed = installHooks('{"model":"opus"}', ALL);
    expect(installed).not.toContain('\n');
  });
});

describe('running twice', () => {
  it.each(ORIGINALS)('$name: a second install changes nothing', ({ text }) => {
    const once = installHooks(text, ALL);
    expect(installHooks(once, ALL)).toBe(once);
  });

  it('uninstall-without-our-hooks-changes-nothing', () => {
    const text = ORIGINALS.find((original) => original.name === 'user-hooks-on-our-events')!.text;
    expect(removeOurHooks(text)).toBe(text);
  });

  it('another-transport-replaces-ours-instead-of-adding', () => {
    const unix = planHooks({ ...TCP, transport: 'unix' }, HOOK_EVENT_NAMES);
    const both = installHooks(installHooks(EMPTY_SETTINGS, ALL), unix);
    expect(both).toBe(installHooks(EMPTY_SETTINGS, unix));
  });

  it('a-smaller-event-list-leaves-only-those', () => {
    const some = planHooks(TCP, ['Stop', 'PreToolUse']);
    const found = findOurHandlers(installHooks(installHooks(EMPTY_SETTINGS, ALL), some));
    expect(found.map((location) => location.event)).toEqual(['PreToolUse', 'Stop']);
  });
});

/** Edits a user makes after installing, each applied the same way with and without our hooks. */
const USER_EDITS: readonly { name: string; edit: (settings: Settings) => void }[] = [
  { name: 'adds-a-top-level-setting', edit: (settings) => (settings['model'] = 'sonnet') },
  {
    name: 'adds-a-group-after-ours',
    edit: (settings) =>
      groupsOf(settings, 'PreToolUse').push({ matcher: 'Edit', hooks: [USER_HOOK] }),
  },
  {
    name: 'adds-a-group-before-ours',
    edit: (settings) => groupsOf(settings, 'Stop').unshift({ hooks: [USER_HOOK] }),
  },
  {
    name: 'adds-an-event',
    edit: (settings) => (hooksOf(settings)['FutureEvent'] = [{ hooks: [USER_HOOK] }]),
  },
  { name: 'moves-hooks-to-the-front', edit: (settings) => moveToFront(settings, 'hooks') },
  { name: 'reorders-events', edit: (settings) => moveToFront(hooksOf(settings), 'Stop') },
];

function moveToFront(object: Settings, key: string): void {
  const entries = Object.entries(object);
  for (const [name] of entries) delete object[name];
  Object.assign(
    object,
    { [key]: entries.find(([name]) => name === key)?.[1] },
    Object.fromEntries(entries.filter(([name]) => name !== key)),
  );
}

type Settings = Record<string, unknown>;
type Group = { matcher?: string; hooks: unknown[] };

function hooksOf(settings: Settings): Record<string, Group[]> {
  return (settings['hooks'] ??= {}) as Record<string, Group[]>;
}
function groupsOf(settings: Settings, event: string): Group[] {
  return (hooksOf(settings)[event] ??= []);
}
function ourGroup(settings: Settings, event: string): Group | undefined {
  return groupsOf(settings, event).find((group) =>
    group.hooks.some((handler) => (handler as Settings)['statusMessage'] === OUR_STATUS_MESSAGE),
  );
}

describe('uninstall after the user edits around our hooks', () => {
  const original = ORIGINALS.find((entry) => entry.name === 'user-hooks-on-our-events')!.text;

  it.each(USER_EDITS)('$name: removes ours and keeps every user edit', ({ edit }) => {
    const installed = JSON.parse(installHooks(original, ALL)) as Settings;
    edit(installed);
    // The user's tools may rewrite the whole file: start from their serialization.
    const edited = `${JSON.stringify(installed, null, 2)}\n`;
    const expected = JSON.parse(original) as Settings;
    edit(expected);
    const removed = JSON.parse(removeOurHooks(edited)) as Settings;
    expect(removed).toEqual(pruneEmpty(expected));
    expect(findOurHandlers(removeOurHooks(edited))).toEqual([]);
  });

  it('a-handler-the-user-put-into-our-group-stays-there', () => {
    const installed = JSON.parse(installHooks(original, ALL)) as Settings;
    ourGroup(installed, 'PostToolUse')!.hooks.push(USER_HOOK);
    const removed = JSON.parse(removeOurHooks(JSON.stringify(installed, null, 2))) as Settings;
    expect(hooksOf(removed)['PostToolUse']).toEqual([{ matcher: '*', hooks: [USER_HOOK] }]);
  });

  it('only-the-events-asked-for', () => {
    const installed = installHooks(original, ALL);
    const left = findOurHandlers(removeOurHooks(installed, new Set(['Stop', 'PreToolUse'])));
    expect(left).toHaveLength(ALL.length - 2);
    expect(left.map((location) => location.event)).not.toContain('Stop');
  });

  it('a-handler-that-only-looks-like-ours-stays', () => {
    const lookalike = JSON.stringify({
      hooks: {
        Stop: [
          {
            hooks: [
              {
                ...ALL.find((hook) => hook.event === 'Stop')!.group.hooks[0],
                statusMessage: 'mine',
              },
            ],
          },
        ],
      },
    });
    expect(removeOurHooks(lookalike)).toBe(lookalike);
  });
});

/** Groups left without handlers and events left without groups are not kept. */
function pruneEmpty(settings: Settings): Settings {
  const hooks = settings['hooks'] as Record<string, Group[]> | undefined;
  if (hooks === undefined) return settings;
  for (const [event, groups] of Object.entries(hooks)) {
    const kept = groups.filter((group) => group.hooks.length > 0);
    if (kept.length === 0) delete hooks[event];
    else hooks[event] = kept;
  }
  if (Object.keys(hooks).length === 0) delete settings['hooks'];
  return settings;
}

describe('a file that cannot be used is refused, with where and why', () => {
  it.each([
    {
      name: 'trailing-comma',
      text: '{\n  "model": "opus",\n}\n',
      position: '3:1',
      reason: /property name/i,
    },
    {
      name: 'missing-comma',
      text: '{\n  "a": 1\n  "b": 2\n}\n',
      position: '3:3',
      reason: /after property value/i,
    },
    {
      name: 'comment',
      text: '{\n  // mine\n  "a": 1\n}\n',
      position: '2:3',
      reason: /property name/i,
    },
    { name: 'single-quotes', text: "{'a': 1}", position: '1:2', reason: /property name/i },
    {
      name: 'unterminated',
      text: '{\n  "a": "b\n}',
      position: '2:10',
      reason: /bad control character in string literal/i,
    },
    {
      name: 'leading-dot-number',
      text: '{\n  "a": .5\n}',
      position: '2:8',
      reason: /invalid symbol/i,
    },
    { name: 'empty-file', text: '', position: '1:1', reason: /the file is empty/ },
    { name: 'only-whitespace', text: '\n\n', position: '1:1', reason: /the file is empty/ },
    {
      name: 'two-values',
      text: '{}\n{}\n',
      position: '2:1',
      reason: /unexpected non-whitespace character after JSON$/,
    },
    {
      name: 'not-an-object',
      text: '[1, 2]\n',
      position: '1:1',
      reason: /must be a JSON object, not an array/,
    },
    {
      name: 'hooks-not-an-object',
      text: '{"hooks": []}',
      position: '1:11',
      reason: /"hooks" must be an object/,
    },
    {
      name: 'hooks-twice',
      text: '{"hooks": {}, "hooks": {}}',
      position: '1:15',
      reason: /"hooks" twice/,
    },
    {
      name: 'event-twice',
      text: '{"hooks": {"Stop": [], "Stop": []}}',
      position: '1:24',
      reason: /"Stop" twice/,
    },
  ])('$name', ({ text, position, reason }) => {
    let caught: unknown;
    try {
      parseSettings(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    expect((caught as SettingsError).position).toBe(position);
    expect((caught as SettingsError).message).toMatch(reason);
  });

  it('event-not-a-list-is-refused-on-install', () => {
    expect(() => installHooks('{"hooks": {"Stop": {"command": "x"}}}', ALL)).toThrow(
      /"hooks.Stop" must be a list/,
    );
  });
});
