/**
 * What each event gets, per transport: the curl command the team agreed on,
 * a matcher exactly where Claude Code takes one, timeouts in seconds, the
 * three exceptions, and the token as a variable reference only.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HOOK_EVENTS, TOKEN_ENV } from '@hook-observatory/core/vocabulary';
import { HOOK_EVENT_NAMES } from '@hook-observatory/core';
import {
  COMMAND_HOOK_TIMEOUT_SECONDS,
  CURL_MAX_TIME_SECONDS,
  DEFAULT_WATCHED_FILES,
  FILE_CHANGED,
  HOOK_TRANSPORTS,
  MATCH_ALL,
  OUR_STATUS_MESSAGE,
  curlCommand,
  exceptionsFor,
  isOurHandler,
  planHooks,
  shellQuote,
  watchMatcher,
  type HookTarget,
  type HookTransport,
} from '@hook-observatory/installer';

const TOKEN_FILE = '/home/you/.claude/hook-observatory/token-0123456789abcdef.header';
function target(transport: HookTransport, token = false): HookTarget {
  return {
    transport,
    port: 23518,
    socketPath: '/tmp/claude-observatory.sock',
    tokenFile: token ? TOKEN_FILE : undefined,
  };
}
const HOOKABLE = HOOK_EVENT_NAMES.filter((name) => name !== 'WorktreeCreate');

describe('the curl command', () => {
  it.each([
    {
      name: 'tcp',
      target: target('tcp'),
      command:
        "curl -s -o /dev/null --connect-timeout 0.5 --max-time 1 -X POST -H 'Content-Type: application/json' -d @- 'http://127.0.0.1:23518/hook?event=Stop' || true",
    },
    {
      name: 'unix',
      target: target('unix'),
      command:
        "curl -s -o /dev/null --connect-timeout 0.5 --max-time 1 -X POST -H 'Content-Type: application/json' -d @- --unix-socket '/tmp/claude-observatory.sock' 'http://localhost/hook?event=Stop' || true",
    },
    {
      name: 'tcp-token',
      target: target('tcp', true),
      command:
        "curl -s -o /dev/null --connect-timeout 0.5 --max-time 1 -X POST -H 'Content-Type: application/json' -H @'/home/you/.claude/hook-observatory/token-0123456789abcdef.header' -d @- 'http://127.0.0.1:23518/hook?event=Stop' || true",
    },
  ])('$name', ({ target, command }) => {
    expect(curlCommand('Stop', target)).toBe(command);
  });

  it.each([
    { name: 'space', text: '/tmp/my hooks/observatory.sock' },
    { name: 'single-quote', text: "/tmp/o'brien/observatory.sock" },
    { name: 'dollar-and-backtick', text: '/tmp/$HOME/`id`/x.sock' },
    { name: 'double-quote-and-backslash', text: '/tmp/"a"\\b.sock' },
    { name: 'newline', text: '/tmp/line\nbreak.sock' },
  ])('shell-quoting-$name survives sh -c unchanged', ({ text }) => {
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' })).toBe(
      text,
    );
  });
});

describe.each(HOOK_TRANSPORTS)('%s hooks', (transport) => {
  const planned = planHooks(target(transport), HOOK_EVENT_NAMES);

  it('every event but WorktreeCreate, once, in the order of HOOK_EVENTS', () => {
    expect(planned.map((hook) => hook.event)).toEqual(HOOKABLE);
  });

  it.each(HOOK_EVENTS.filter((info) => info.name !== 'WorktreeCreate'))(
    '$name: a matcher exactly when the event takes one',
    (info) => {
      const hook = planned.find((entry) => entry.event === info.name)!;
      if (!info.matcher) expect(hook.group).not.toHaveProperty('matcher');
      else if (info.name === FILE_CHANGED) {
        expect(hook.group.matcher).toBe(DEFAULT_WATCHED_FILES.join('|'));
      } else expect(hook.group.matcher).toBe(MATCH_ALL);
    },
  );

  it('FileChanged watches files Claude Code will watch', () => {
    expect(
      watchedFiles(planned.find((entry) => entry.event === FILE_CHANGED)!.group.matcher),
    ).toEqual(DEFAULT_WATCHED_FILES);
  });

  it('timeouts are whole seconds, and a command hook outlives its curl', () => {
    for (const { group } of planned) {
      const [handler] = group.hooks;
      expect(Number.isInteger(handler.timeout)).toBe(true);
      if (handler.type === 'command') {
        expect(handler.timeout).toBeGreaterThan(CURL_MAX_TIME_SECONDS);
      }
      if (handler.type === 'command') expect(handler.timeout).toBe(COMMAND_HOOK_TIMEOUT_SECONDS);
    }
  });

  it('every handler carries our mark, and nothing else we write does', () => {
    for (const { group } of planned) {
      expect(isOurHandler(group.hooks[0])).toBe(true);
      expect(isOurHandler(group)).toBe(false);
      expect(group.hooks[0].statusMessage).toBe(OUR_STATUS_MESSAGE);
    }
  });
});

/**
 * The names in a FileChanged matcher, or a failure saying why Claude Code would watch nothing:
 * it watches literal file names in the session's directory, separated by `|`; `*` or an
 * empty matcher watches nothing (hooks reference, FileChanged).
 */
function watchedFiles(matcher: string | undefined): string[] {
  expect(matcher, 'a FileChanged hook without a matcher watches nothing').toBeTypeOf('string');
  const names = matcher!.split('|');
  for (const name of names) {
    expect(name, `an empty name in ${JSON.stringify(matcher)}`).not.toBe('');
    expect(name, 'a wildcard is not a file name').not.toMatch(/[*?[\]]/);
    expect(name, 'a name in the session directory has no slash').not.toMatch(/[/\\]/);
    expect(name.trim(), 'spaces around a name are part of it').toBe(name);
  }
  return names;
}

describe('the FileChanged matcher', () => {
  it.each([
    { name: 'one-file', files: ['.env'], matcher: '.env' },
    {
      name: 'several-files',
      files: ['.env', 'package.json', 'CLAUDE.md'],
      matcher: '.env|package.json|CLAUDE.md',
    },
  ])('$name', ({ files, matcher }) => {
    expect(watchMatcher(files)).toBe(matcher);
    expect(watchedFiles(watchMatcher(files))).toEqual(files);
    expect(planHooks(target('tcp'), [FILE_CHANGED], files)[0]!.group.matcher).toBe(matcher);
  });

  it.each([
    { name: 'no-files', files: [] },
    { name: 'star', files: ['*'] },
    { name: 'glob', files: ['*.ts'] },
    { name: 'empty-name', files: ['.env', ''] },
    { name: 'path', files: ['src/index.ts'] },
    { name: 'parent', files: ['..'] },
    { name: 'bar-inside-a-name', files: ['a|b'] },
    { name: 'padded', files: [' .env'] },
  ])('refuses $name', ({ files }) => {
    expect(() => watchMatcher(files)).toThrow();
  });
});

describe('http mode', () => {
  const planned = planHooks(target('http'), HOOK_EVENT_NAMES);
  const kinds = Object.fromEntries(planned.map((hook) => [hook.event, hook.group.hooks[0].type]));

  it.each(['Setup', 'SessionStart', 'PermissionRequest'])(
    '%s gets a curl command hook to the same port',
    (event) => {
      expect(kinds[event]).toBe('command');
      expect(planned.find((hook) => hook.event === event)!.group.hooks[0]).toMatchObject({
        command: expect.stringContaining(`'http://127.0.0.1:23518/hook?event=${event}'`),
      });
    },
  );

  it('every other event gets a native hook', () => {
    const native = HOOKABLE.filter(
      (event) => !['Setup', 'SessionStart', 'PermissionRequest'].includes(event),
    );
    expect(native).toHaveLength(26);
    for (const event of native) {
      expect(planned.find((hook) => hook.event === event)!.group.hooks[0]).toEqual({
        type: 'http',
        url: `http://127.0.0.1:23518/hook?event=${event}`,
        timeout: 1,
        statusMessage: OUR_STATUS_MESSAGE,
      });
    }
  });

  it('with --token a native hook names the variable and allows it, and holds no secret', () => {
    const handler = planHooks(target('http', true), ['Stop'])[0]!.group.hooks[0];
    expect(handler).toMatchObject({
      headers: { Authorization: `Bearer $${TOKEN_ENV}` },
      allowedEnvVars: [TOKEN_ENV],
    });
  });
});

describe('the exceptions shown before a change', () => {
  it.each([
    {
      name: 'tcp-all-events',
      transport: 'tcp' as const,
      events: HOOK_EVENT_NAMES,
      shown: [['WorktreeCreate']],
    },
    {
      name: 'unix-all-events',
      transport: 'unix' as const,
      events: HOOK_EVENT_NAMES,
      shown: [['WorktreeCreate']],
    },
    {
      name: 'http-all-events',
      transport: 'http' as const,
      events: HOOK_EVENT_NAMES,
      shown: [['WorktreeCreate'], ['Setup', 'SessionStart'], ['PermissionRequest']],
    },
    { name: 'http-only-stop', transport: 'http' as const, events: ['Stop'], shown: [] },
    {
      name: 'http-only-setup',
      transport: 'http' as const,
      events: ['Setup'],
      shown: [['Setup', 'SessionStart']],
    },
    {
      name: 'tcp-permission-request',
      transport: 'tcp' as const,
      events: ['PermissionRequest'],
      shown: [],
    },
  ])('$name', ({ transport, events, shown }) => {
    expect(exceptionsFor(transport, events).map((exception) => exception.events)).toEqual(shown);
  });
});
