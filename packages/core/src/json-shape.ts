/**
 * The shape of a body, measured on its bytes before anything parses it: how
 * deeply it nests, and how many object members it holds. A body past either
 * limit is never parsed; enrich.ts keeps it as text in `_raw`, with `_error`.
 */

/**
 * The most arrays and objects a payload may nest. JSON.stringify and yaml's
 * stringify recurse once per level, so a payload a few thousand levels deep
 * (8 KB of `[`) threw RangeError (the stack is spent) and took the server
 * with it; JSON.parse does not recurse, but spends seconds on millions of
 * levels. serde_json's default recursion limit is the same 128. Hook payloads
 * nest a handful of levels; yaml, the deepest recursing serialiser here, runs
 * out of Node 20's default stack at about 630 levels of objects,
 * JSON.stringify at about 4,000: 128 leaves room for both.
 */
export const MAX_PAYLOAD_DEPTH = 128;

/**
 * The most object members (`"key": value`) a payload may hold, in all its
 * objects. Members are what parsing and copying a payload spend on: each key
 * is hashed and kept, and a large object turns into a hash table: a body of
 * a million keys held the event loop, and every other hook, for seconds
 * (`pnpm bench --adversity` measures it). A hook payload holds tens.
 */
export const MAX_PAYLOAD_MEMBERS = 10_000;

/**
 * The most array elements a payload may hold, in all its arrays. JSON.parse
 * spends on every element: 16 million zeros fit in the 32 MiB body limit and
 * held the loop for seconds, where 100,000 cost about 20 to 50 ms on these
 * machines (the cost of the 10,000 members above). A hook payload's longest
 * arrays are tool results such as Glob's file names, in the hundreds. An
 * empty array counts as one element: the count is the commas in arrays, and
 * one for each array.
 */
export const MAX_PAYLOAD_ELEMENTS = 100_000;

/** The `_error` of a payload kept as text because it nests too deeply. */
export const TOO_DEEP_ERROR = `body nests arrays or objects more than ${MAX_PAYLOAD_DEPTH} deep; kept unparsed in _raw`;
/** The `_error` of a payload kept as text because it holds too many object members. */
export const TOO_MANY_MEMBERS_ERROR = `body holds more than ${MAX_PAYLOAD_MEMBERS} object members; kept unparsed in _raw`;
/** The `_error` of a payload kept as text because it holds too many array elements. */
export const TOO_MANY_ELEMENTS_ERROR = `body holds more than ${MAX_PAYLOAD_ELEMENTS} array elements; kept unparsed in _raw`;

export interface ShapeLimits {
  readonly maxDepth: number;
  readonly maxMembers: number;
  readonly maxElements: number;
}

export const PAYLOAD_SHAPE_LIMITS: ShapeLimits = {
  maxDepth: MAX_PAYLOAD_DEPTH,
  maxMembers: MAX_PAYLOAD_MEMBERS,
  maxElements: MAX_PAYLOAD_ELEMENTS,
};

/** Which limit a body passes, if any. */
export type ShapeExcess = 'too-deep' | 'too-many-members' | 'too-many-elements';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPENING_BRACKET = 0x5b;
const CLOSING_BRACKET = 0x5d;
const OPENING_BRACE = 0x7b;
const CLOSING_BRACE = 0x7d;

/**
 * Whether `bytes` open more than `maxDepth` arrays or objects at once, or hold
 * more than `maxMembers` members or `maxElements` array elements, counting
 * brackets, braces, the colon that ends each key and the commas between
 * elements outside strings (RFC 8259 sections 2 to 5). One loop, never
 * recursion, and it stops at the first excess: a body of a million keys is
 * read only up to its 10,001st. In UTF-8 these ASCII bytes are never part of a
 * longer character, so the bytes are read as they are; a string is skipped
 * with indexOf to its closing quote.
 */
export function shapeExcess(
  bytes: Uint8Array,
  limits: ShapeLimits = PAYLOAD_SHAPE_LIMITS,
): ShapeExcess | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Whether each open level is an array: a comma counts as an element only there.
  const inArray = new Uint8Array(limits.maxDepth + 1);
  let depth = 0;
  let members = 0;
  let elements = 0;
  for (let index = 0; index < buffer.length; index++) {
    const byte = buffer[index];
    if (byte === QUOTE) index = closingQuote(buffer, index + 1);
    else if (byte === COLON) {
      if (++members > limits.maxMembers) return 'too-many-members';
    } else if (byte === COMMA) {
      if (depth > 0 && inArray[depth] === 1 && ++elements > limits.maxElements) {
        return 'too-many-elements';
      }
    } else if (byte === OPENING_BRACKET || byte === OPENING_BRACE) {
      if (++depth > limits.maxDepth) return 'too-deep';
      inArray[depth] = byte === OPENING_BRACKET ? 1 : 0;
      // A stray closing bracket before it leaves depth below 1: JSON.parse stops there anyway.
      if (byte === OPENING_BRACKET && depth > 0 && ++elements > limits.maxElements) {
        return 'too-many-elements';
      }
    } else if (byte === CLOSING_BRACKET || byte === CLOSING_BRACE) depth--;
  }
  return undefined;
}

/** The index of the quote that ends a string whose text starts at `from`, or the end of the bytes. */
function closingQuote(buffer: Buffer, from: number): number {
  for (let start = from; ;) {
    const quote = buffer.indexOf(QUOTE, start);
    if (quote === -1) return buffer.length;
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (quote - backslashes - 1 >= from && buffer[quote - backslashes - 1] === BACKSLASH) {
      backslashes++;
    }
    if (backslashes % 2 === 0) return quote;
    start = quote + 1;
  }
}
