/**
 * Which bytes may appear where in a request, as tables indexed by byte value.
 *
 * These are the sets llhttp (the parser inside node:http) checks against, as
 * measured byte by byte on Node 20, 22 and 24 (they agree): mostly the
 * grammar of RFC 9110 and RFC 3986, with llhttp's own choices where they
 * differ, which the comments name. The parser (parser/*.ts) reads them.
 */

function table(...ranges: Array<number | readonly [number, number]>): Uint8Array {
  const bytes = new Uint8Array(256);
  for (const range of ranges) {
    const [from, to] = typeof range === 'number' ? [range, range] : range;
    for (let byte = from; byte <= to; byte++) bytes[byte] = 1;
  }
  return bytes;
}

const code = (character: string): number => character.charCodeAt(0);
const DIGITS = [0x30, 0x39] as const;
const UPPER = [0x41, 0x5a] as const;
const LOWER = [0x61, 0x7a] as const;

/** tchar, RFC 9110 section 5.6.2: a header name, a chunk extension's name or value. */
export const TOKEN = table(...[..."!#$%&'*+-.^_`|~"].map(code), DIGITS, UPPER, LOWER);

/** ALPHA, RFC 5234 appendix B.1: the scheme of an absolute-form target (llhttp allows no digits there). */
export const ALPHA = table(UPPER, LOWER);

/**
 * Bytes of a target's path, query and fragment: visible ASCII. `?` and `#`
 * move from path to query to fragment; everything else outside stays a 400
 * (no tab, no bytes over 0x7f: Node builds llhttp's strict URL table).
 */
export const TARGET_CHAR = table([0x21, 0x7e]);

/** The target's bytes that leave its state as it is: TARGET_CHAR less `#` (0x23) and `?` (0x3f). */
export const TARGET_PLAIN_CHAR = table([0x21, 0x22], [0x24, 0x3e], [0x40, 0x7e]);

/**
 * Bytes of the authority in `http://authority/path` and of a CONNECT target:
 * RFC 3986 unreserved and sub-delims, `%`, `:` and brackets (llhttp's
 * USERINFO_CHARS). `/`, `?` and `@` have their own meaning there.
 */
export const AUTHORITY_CHAR = table(...[..."-_.!~*'()%;:&=+$,[]"].map(code), DIGITS, UPPER, LOWER);

/** field-vchar, SP and HTAB, RFC 9110 section 5.5: a header value (DEL and other controls refused). */
export const FIELD_VALUE_CHAR = table(0x09, [0x20, 0x7e], [0x80, 0xff]);

/** A header value's bytes inside a list (Connection, Transfer-Encoding): the same, less the comma. */
export const LIST_TOKEN_CHAR = table(0x09, [0x20, 0x2b], [0x2d, 0x7e], [0x80, 0xff]);

/** qdtext, RFC 9110 section 5.6.4: inside a quoted chunk extension value. */
export const QUOTED_TEXT_CHAR = table(0x09, 0x20, 0x21, [0x23, 0x5b], [0x5d, 0x7e], [0x80, 0xff]);

/** What may follow a backslash in a quoted string (quoted-pair, RFC 9110 section 5.6.4). */
export const QUOTED_PAIR_CHAR = table(0x09, [0x20, 0x7e], [0x80, 0xff]);

/** Hex digits' values, -1 for any other byte: chunk sizes (RFC 9112 section 7.1). */
export const HEX_VALUE = new Int8Array(256).fill(-1);
for (let digit = 0; digit <= 9; digit++) HEX_VALUE[0x30 + digit] = digit;
for (let digit = 0; digit < 6; digit++) {
  HEX_VALUE[0x41 + digit] = 10 + digit;
  HEX_VALUE[0x61 + digit] = 10 + digit;
}

/** The single bytes the grammar names (RFC 9110 section 5.6, RFC 3986 section 2.2). */
export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const SEMICOLON = 0x3b;
export const EQUALS = 0x3d;
export const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const SLASH = 0x2f;
export const ASTERISK = 0x2a;
export const QUESTION = 0x3f;
export const HASH = 0x23;
export const AT = 0x40;
export const DOT = 0x2e;

export const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
/** ASCII letters to lower case, other bytes as they are: what llhttp compares case-insensitively. */
export const lower = (byte: number): number => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
