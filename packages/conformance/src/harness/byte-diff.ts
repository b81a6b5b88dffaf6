/**
 * Two byte strings side by side, readable: control characters escaped, the
 * first differing offset named, a window of context around it.
 */

/** Bytes shown on each side of the first difference. */
const CONTEXT_BYTES = 120;
/** Captures up to this size are shown whole as well. */
const WHOLE_CAPTURE_BYTES = 1_500;

/** `\r`, `\n`, `\t` and `\\` as such, other bytes outside printable ASCII as `\xNN`. */
export function escapeBytes(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) {
    if (byte === 0x0d) text += '\\r';
    else if (byte === 0x0a) text += '\\n';
    else if (byte === 0x09) text += '\\t';
    else if (byte === 0x5c) text += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return text;
}

export function firstDifference(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let offset = 0; offset < length; offset++) if (a[offset] !== b[offset]) return offset;
  return a.length === b.length ? -1 : length;
}

/** undefined when equal, else a few lines that show where and how they differ. */
export function byteDiff(
  what: string,
  names: readonly [string, string],
  a: Buffer,
  b: Buffer,
): string | undefined {
  const offset = firstDifference(a, b);
  if (offset < 0) return undefined;
  const from = Math.max(0, offset - CONTEXT_BYTES);
  const window = (bytes: Buffer): string => {
    const before = escapeBytes(bytes.subarray(from, offset));
    const after = escapeBytes(bytes.subarray(offset, offset + CONTEXT_BYTES));
    return `${from > 0 ? '…' : ''}${before}⟦${after}${offset + CONTEXT_BYTES < bytes.length ? '…' : ''}`;
  };
  const lines = [
    `${what}: first difference at byte ${offset} (${names[0]} has ${a.length} bytes, ${names[1]} has ${b.length}); ⟦ marks it`,
    `  ${names[0].padEnd(5)}${window(a)}`,
    `  ${names[1].padEnd(5)}${window(b)}`,
  ];
  if (a.length <= WHOLE_CAPTURE_BYTES && b.length <= WHOLE_CAPTURE_BYTES) {
    lines.push(`  whole ${names[0]}: ${escapeBytes(a)}`, `  whole ${names[1]}: ${escapeBytes(b)}`);
  }
  return lines.join('\n');
}
