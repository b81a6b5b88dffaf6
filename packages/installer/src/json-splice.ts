/**
 * Edits to JSON text that touch only the bytes they must: a member is added
 * right after the last one, or taken out together with the comma and
 * whitespace that joined it to its neighbour. So an addition followed by its
 * removal gives back the original text byte for byte, and everything else in
 * the file keeps its spacing, escapes and number spellings (which a
 * parse-and-stringify round trip would not).
 *
 * jsonc-parser supplies the syntax tree with offsets; its own `modify` is not
 * used because it reformats the neighbours of what it inserts.
 */
import type { Node } from 'jsonc-parser';

/** How a file is laid out, so that added text looks like the text around it. */
export interface TextStyle {
  readonly eol: string;
  /** One level of indentation. */
  readonly unit: string;
  /** True when the file is written on one line (members right after the opening brace). */
  readonly compact: boolean;
}

/** The indentation unit when a file shows none (an empty object): the one JSON.stringify users expect. */
const DEFAULT_INDENT_UNIT = '  ';

export function detectStyle(text: string, root: Node): TextStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const first = root.children?.[0];
  if (root.type !== 'object' || first === undefined) {
    return { eol, unit: DEFAULT_INDENT_UNIT, compact: false };
  }
  const before = text.slice(root.offset + 1, first.offset);
  if (!before.includes('\n')) return { eol, unit: DEFAULT_INDENT_UNIT, compact: true };
  const unit = before.slice(before.lastIndexOf('\n') + 1);
  return { eol, unit: /^[ \t]+$/.test(unit) ? unit : DEFAULT_INDENT_UNIT, compact: false };
}

/** Add `value` (under `key`, for an object) as the last member of `container`. */
export function appendMember(
  text: string,
  container: Node,
  style: TextStyle,
  key: string | undefined,
  value: unknown,
): string {
  const members = container.children ?? [];
  const layout = layoutOf(text, container, style);
  const keyText =
    key === undefined
      ? ''
      : `${JSON.stringify(key)}${layout.compact ? keySeparator(text, container) : ': '}`;
  const valueText = layout.compact
    ? JSON.stringify(value)
    : JSON.stringify(value, null, style.unit).replaceAll('\n', style.eol + layout.memberIndent);
  const member = keyText + valueText;
  const last = members.at(-1);
  if (last !== undefined) {
    const end = last.offset + last.length;
    const separator = layout.compact
      ? compactSeparator(text, container)
      : style.eol + layout.memberIndent;
    return `${text.slice(0, end)},${separator}${member}${text.slice(end)}`;
  }
  // An empty container is rewritten whole, so that removing its only member gives `{}` or `[]` again.
  const open = container.offset + 1;
  const close = container.offset + container.length - 1;
  const inner = layout.compact
    ? member
    : `${style.eol}${layout.memberIndent}${member}${style.eol}${lineIndent(text, container.offset)}`;
  return text.slice(0, open) + inner + text.slice(close);
}

/** Take out member `index` of `container` with the separator that joined it to a neighbour. */
export function removeMember(text: string, container: Node, index: number): string {
  const members = container.children ?? [];
  const member = members[index];
  if (member === undefined) {
    throw new RangeError(`no member ${index} in a container of ${members.length}`);
  }
  if (members.length === 1) {
    return (
      text.slice(0, container.offset + 1) + text.slice(container.offset + container.length - 1)
    );
  }
  if (index > 0) {
    const previous = members[index - 1]!;
    return (
      text.slice(0, previous.offset + previous.length) + text.slice(member.offset + member.length)
    );
  }
  return text.slice(0, member.offset) + text.slice(members[1]!.offset);
}

interface Layout {
  readonly compact: boolean;
  readonly memberIndent: string;
}

function layoutOf(text: string, container: Node, style: TextStyle): Layout {
  const first = container.children?.[0];
  if (first === undefined) {
    return {
      compact: style.compact,
      memberIndent: lineIndent(text, container.offset) + style.unit,
    };
  }
  const before = text.slice(container.offset + 1, first.offset);
  if (!before.includes('\n')) return { compact: true, memberIndent: '' };
  return { compact: false, memberIndent: before.slice(before.lastIndexOf('\n') + 1) };
}

/** The whitespace a one-line container puts after its commas (`, ` or `,`), or after its bracket. */
function compactSeparator(text: string, container: Node): string {
  const [first, second] = container.children ?? [];
  if (first !== undefined && second !== undefined) {
    return text.slice(first.offset + first.length, second.offset).replace(',', '');
  }
  return first === undefined ? '' : text.slice(container.offset + 1, first.offset);
}

/** What separates a key from its value in a one-line object (`:` or `: `). */
function keySeparator(text: string, container: Node): string {
  const property = container.children?.[0];
  const [key, value] = property?.children ?? [];
  if (key === undefined || value === undefined) return ':';
  return text.slice(key.offset + key.length, value.offset);
}

/** The spaces and tabs that start the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}
