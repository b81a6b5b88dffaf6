/**
 * How deeply a body nests, measured on its bytes before anything parses it.
 *
 * JSON.stringify and yaml's stringify recurse once per level, so a payload a
 * few thousand arrays deep (8 KB of `[`) throws RangeError (the stack is
 * spent) and would take the server with it; JSON.parse does not recurse, but
 * spends seconds on millions of levels. A body deeper than MAX_PAYLOAD_DEPTH is
 * therefore never parsed: enrich.ts keeps it as text, with TOO_DEEP_ERROR.
 */

/**
 * The most arrays and objects a payload may nest before it is kept as text.
 * serde_json's default recursion limit is the same 128. Hook payloads nest a
 * handful of levels (a tool's input inside the payload); yaml, the deepest
 * recursing serialiser here, runs out of Node 20's default stack at about 630
 * levels of objects, JSON.stringify at about 4,000: 128 leaves room for both.
 */
export const MAX_PAYLOAD_DEPTH = 128;

/** The `_error` of a payload kept as text because it nests too deeply. */
export const TOO_DEEP_ERROR = `body nests arrays or objects more than ${MAX_PAYLOAD_DEPTH} deep; kept unparsed in _raw`;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENING_BRACKET = 0x5b;
const CLOSING_BRACKET = 0x5d;
const OPENING_BRACE = 0x7b;
const CLOSING_BRACE = 0x7d;

/**
 * Whether `bytes` open more than `maxDepth` arrays or objects at once, counting
 * brackets and braces outside strings (RFC 8259 section 2). A loop, never
 * recursion, and it stops at the first level too many. In UTF-8 these ASCII
 * bytes are never part of a longer character, so the bytes are read as they are;
 * a string is skipped with indexOf to its closing quote.
 */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let depth = 0;
  for (let index = 0; index < buffer.length; index++) {
    const byte = buffer[index];
    if (byte === QUOTE) index = closingQuote(buffer, index + 1);
    else if (byte === OPENING_BRACKET || byte === OPENING_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSING_BRACKET || byte === CLOSING_BRACE) depth--;
  }
  return false;
}

/** The index of the quote that ends a string whose text starts at `from`, or the end of the bytes. */
function closingQuote(buffer: Buffer, from: number): number {
  for (let start = from; ; ) {
    const quote = buffer.indexOf(QUOTE, start);
    if (quote === -1) return buffer.length;
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (quote - backslashes - 1 >= from && buffer[quote - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    start = quote + 1;
  }
}
