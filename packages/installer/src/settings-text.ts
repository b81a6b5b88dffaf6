/**
 * A Claude Code settings file as text: check that it is JSON, find our hooks
 * in it, take them out, put them in. Every function takes text and returns
 * text; nothing here touches the disk.
 */
import {
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import { isOurHandler, type PlannedHook } from './hooks.js';
import { appendMember, detectStyle, removeMember, type TextStyle } from './json-splice.js';

/** What a settings file that does not exist yet starts from. */
export const EMPTY_SETTINGS = '{}\n';

/** The settings file cannot be used as it is; it is left untouched. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  /** `line:column` (1-based) of the problem, when it has one place. */
  readonly position: string | undefined;

  constructor(message: string, position?: string) {
    super(message);
    this.position = position;
  }
}

interface ParsedSettings {
  readonly root: Node;
  readonly style: TextStyle;
  /** The `hooks` object, when the file has one. */
  readonly hooks: Node | undefined;
}

/** Settings files are JSON (RFC 8259): no comments, no trailing commas. */
const STRICT_JSON = {
  disallowComments: true,
  allowTrailingComma: false,
  allowEmptyContent: false,
} as const;

/**
 * The byte order mark some Windows editors write. It is kept in the file but
 * read as a space, which has the same length, so offsets stay those of the text.
 */
const BYTE_ORDER_MARK = '\uFEFF';

export function parseSettings(text: string): ParsedSettings {
  const parsable = text.startsWith(BYTE_ORDER_MARK) ? ` ${text.slice(1)}` : text;
  const syntaxError = findSyntaxError(text, parsable);
  if (syntaxError !== undefined) throw syntaxError;
  const root = parseTree(parsable, [], STRICT_JSON)!;
  if (root.type !== 'object') {
    throw new SettingsError(
      `the settings must be a JSON object, not ${article(root.type)}`,
      lineAndColumn(text, root.offset),
    );
  }
  const hooksProperty = uniqueProperty(text, root, 'hooks');
  const hooks = hooksProperty?.children?.[1];
  if (hooks !== undefined && hooks.type !== 'object') {
    throw new SettingsError(
      `"hooks" must be an object, not ${article(hooks.type)}`,
      lineAndColumn(text, hooks.offset),
    );
  }
  if (hooks !== undefined) {
    const seen = new Set<string>();
    for (const property of hooks.children ?? []) {
      const name = property.children?.[0]?.value as string;
      if (seen.has(name)) {
        throw new SettingsError(
          `"hooks" names "${name}" twice; keep one and run again`,
          lineAndColumn(text, property.offset),
        );
      }
      seen.add(name);
    }
  }
  return { root, style: detectStyle(text, root), hooks };
}

/** Where one of our handlers sits. */
interface OurHandlerLocation {
  readonly event: string;
  readonly eventIndex: number;
  readonly groupIndex: number;
  readonly handlerIndex: number;
  readonly matcher: unknown;
  readonly handler: unknown;
  /** How many handlers its group holds, ours or not. */
  readonly groupSize: number;
}

export function findOurHandlers(text: string, events?: ReadonlySet<string>): OurHandlerLocation[] {
  const { hooks } = parseSettings(text);
  const found: OurHandlerLocation[] = [];
  (hooks?.children ?? []).forEach((property, eventIndex) => {
    const event = property.children?.[0]?.value as string;
    const groups = property.children?.[1];
    if (groups?.type !== 'array' || (events !== undefined && !events.has(event))) return;
    (groups.children ?? []).forEach((group, groupIndex) => {
      if (group.type !== 'object') return;
      const handlers = propertyValue(group, 'hooks');
      if (handlers?.type !== 'array') return;
      (handlers.children ?? []).forEach((handler, handlerIndex) => {
        const value: unknown = getNodeValue(handler);
        if (!isOurHandler(value)) return;
        const matcher = propertyValue(group, 'matcher');
        found.push({
          event,
          eventIndex,
          groupIndex,
          handlerIndex,
          matcher: matcher === undefined ? undefined : getNodeValue(matcher),
          handler: value,
          groupSize: handlers.children?.length ?? 0,
        });
      });
    });
  });
  return found;
}

/**
 * Take out our handlers (on `events`, or on every event). A matcher group, an
 * event's list or the `hooks` object that holds nothing once ours is gone goes
 * too, so that an install followed by an uninstall gives back the file as it was.
 */
export function removeOurHooks(text: string, events?: ReadonlySet<string>): string {
  let current = text;
  for (;;) {
    const [location] = findOurHandlers(current, events);
    if (location === undefined) return current;
    current = removeHandlerAt(current, location);
  }
}

function removeHandlerAt(text: string, location: OurHandlerLocation): string {
  const { root, hooks } = parseSettings(text);
  const eventProperty = hooks!.children![location.eventIndex]!;
  const groups = eventProperty.children![1]!;
  const group = groups.children![location.groupIndex]!;
  const handlers = propertyValue(group, 'hooks')!;
  if ((handlers.children?.length ?? 0) > 1) {
    return removeMember(text, handlers, location.handlerIndex);
  }
  if ((groups.children?.length ?? 0) > 1) return removeMember(text, groups, location.groupIndex);
  if ((hooks!.children?.length ?? 0) > 1) return removeMember(text, hooks!, location.eventIndex);
  const hooksIndex = root.children!.findIndex(
    (property) => property.children?.[0]?.value === 'hooks',
  );
  return removeMember(text, root, hooksIndex);
}

/**
 * Make our hooks in `text` exactly `planned`: unchanged text when they already
 * are (so a second run changes nothing), otherwise ours are taken out and the
 * planned ones appended after the user's own hooks.
 */
export function installHooks(text: string, planned: readonly PlannedHook[]): string {
  if (alreadyInstalled(text, planned)) return text;
  let current = removeOurHooks(text);
  for (const hook of planned) current = appendHook(current, hook);
  return current;
}

function alreadyInstalled(text: string, planned: readonly PlannedHook[]): boolean {
  const present = findOurHandlers(text)
    .map((location) =>
      canonical({
        event: location.event,
        matcher: location.matcher,
        handlers: location.groupSize,
        handler: location.handler,
      }),
    )
    .sort();
  const wanted = planned
    .map((hook) =>
      canonical({
        event: hook.event,
        matcher: hook.group.matcher,
        handlers: 1,
        handler: hook.group.hooks[0],
      }),
    )
    .sort();
  return (
    present.length === wanted.length && present.every((entry, index) => entry === wanted[index])
  );
}

function appendHook(text: string, hook: PlannedHook): string {
  const { root, style, hooks } = parseSettings(text);
  if (hooks === undefined) {
    return appendMember(text, root, style, 'hooks', { [hook.event]: [hook.group] });
  }
  const groups = propertyValue(hooks, hook.event);
  if (groups === undefined) return appendMember(text, hooks, style, hook.event, [hook.group]);
  if (groups.type !== 'array') {
    throw new SettingsError(
      `"hooks.${hook.event}" must be a list of matcher groups, not ${article(groups.type)}`,
      lineAndColumn(text, groups.offset),
    );
  }
  return appendMember(text, groups, style, undefined, hook.group);
}

function uniqueProperty(text: string, object: Node, name: string): Node | undefined {
  const matches = (object.children ?? []).filter(
    (property) => property.children?.[0]?.value === name,
  );
  if (matches.length > 1) {
    throw new SettingsError(
      `the file names "${name}" twice; keep one and run again`,
      lineAndColumn(text, matches[1]!.offset),
    );
  }
  return matches[0];
}

function propertyValue(object: Node, name: string): Node | undefined {
  const matches = (object.children ?? []).filter(
    (property) => property.children?.[0]?.value === name,
  );
  // JSON.parse defines members in order, so of duplicate keys the last one wins (ECMA-262, JSON.parse).
  return matches.at(-1)?.children?.[1];
}

/**
 * JSON.parse is the judge of what is JSON; its message names the position
 * for most mistakes ("... in JSON at position 6", V8 11 on Node 20).
 * Where V8 quotes the text instead, jsonc-parser says where the mistake is.
 */
function findSyntaxError(text: string, parsable: string): SettingsError | undefined {
  if (parsable.trim() === '') {
    return new SettingsError(
      'the file is empty, which is not JSON; write {} into it or delete it',
      lineAndColumn(text, 0),
    );
  }
  try {
    JSON.parse(parsable);
  } catch (cause) {
    const message = (cause as Error).message;
    const positioned = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
    if (positioned !== null) {
      return new SettingsError(
        `not valid JSON: ${lowerFirst(positioned[1]!)}`,
        lineAndColumn(text, Number(positioned[2])),
      );
    }
    const errors: ParseError[] = [];
    parseTree(parsable, errors, STRICT_JSON);
    const [first] = errors;
    return first === undefined
      ? new SettingsError(`not valid JSON: ${message}`)
      : new SettingsError(
          `not valid JSON: ${describeParseError(printParseErrorCode(first.error))}`,
          lineAndColumn(text, first.offset),
        );
  }
  const errors: ParseError[] = [];
  parseTree(parsable, errors, STRICT_JSON);
  const [first] = errors;
  if (first === undefined) return undefined;
  // Not seen: both parsers implement RFC 8259; kept so a disagreement is an error, never a guess.
  return new SettingsError(
    `not valid JSON: ${describeParseError(printParseErrorCode(first.error))}`,
    lineAndColumn(text, first.offset),
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** 1-based line and column of a UTF-16 offset, as editors count them. */
export function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${column}`;
}

function describeParseError(code: string): string {
  // "CloseBraceExpected" -> "close brace expected"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** JSON with sorted keys, so that two values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : inner,
  );
}
