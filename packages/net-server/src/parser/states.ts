/**
 * The parser's states: one per place a byte can arrive, grouped as the
 * grammar is (RFC 9112; llhttp's src/llhttp/http.ts builds its machine the
 * same way, in buildLine, buildHeaderField and buildHeaderValue, with the
 * target in url.ts).
 *
 * Each group owns a block of 16 numbers, and one stepping function reads all
 * the states of its block: `execute` (request-parser.ts) picks the function
 * by `state >> 4`. The states are numbers, not strings, because a `switch` on small numbers
 * jumps straight to its case. Each state's llhttp name, where llhttp has one,
 * is beside its case in the group's file.
 */
export const State = {
  // message.ts: after a request's last byte
  MessageDone: 0x00,
  Cleanup: 0x01,
  AfterClose: 0x02,
  /** An error, or a body refused: nothing more is read. No step reads it (see `execute`). */
  Failed: 0x03,

  // request-line.ts: METHOD SP target SP HTTP/x.y CRLF (RFC 9112 section 3)
  Start: 0x10,
  Method: 0x11,
  SpacesBeforeTarget: 0x12,
  SpacesBeforeProtocol: 0x13,
  Protocol: 0x14,
  AfterProtocol: 0x15,
  VersionMajor: 0x16,
  VersionDot: 0x17,
  VersionMinor: 0x18,
  Http2Preface: 0x19,
  RequestLineCr: 0x1a,
  RequestLineLf: 0x1b,

  // target.ts: the request target (RFC 9112 section 3.2)
  TargetStart: 0x20,
  TargetScheme: 0x21,
  TargetSchemeSlashes: 0x22,
  TargetAuthority: 0x23,
  TargetAuthorityAfterAt: 0x24,
  TargetPath: 0x25,
  TargetQuery: 0x26,
  TargetFragment: 0x27,
  TargetCr: 0x28,

  // header-field.ts: a field's name, and the head's end (RFC 9112 section 5)
  HeadersStart: 0x30,
  HeaderLineStart: 0x31,
  HeaderName: 0x32,
  HeadEndLf: 0x33,

  // header-value.ts, stepHeaderValue: any field's value and its line end
  HeaderValueStart: 0x40,
  EmptyValueLf: 0x41,
  EmptyValueEnd: 0x42,
  HeaderValue: 0x43,
  HeaderValueEnd: 0x44,
  HeaderValueLf: 0x45,
  HeaderLineEnd: 0x46,

  // header-value.ts, stepSpecialValue: the values llhttp reads itself
  ConnectionOption: 0x50,
  ConnectionAfterOption: 0x51,
  ConnectionOther: 0x52,
  ContentLengthDigits: 0x53,
  ContentLengthAfter: 0x54,
  CodingStart: 0x55,
  CodingAfterChunked: 0x56,
  CodingOther: 0x57,
  CodingBlanks: 0x58,

  // body.ts, stepBody: framing, a body of known length, chunks (RFC 9112 sections 6 and 7)
  HeadersDone: 0x60,
  BodyLength: 0x61,
  ChunkSizeFirst: 0x62,
  ChunkSize: 0x63,
  ChunkSizeLf: 0x64,
  ChunkData: 0x65,
  ChunkDataCr: 0x66,
  ChunkDataLf: 0x67,

  // body.ts, stepChunkExtensions: `;name=value` after a chunk size (RFC 9112 section 7.1.1)
  ChunkExtensions: 0x70,
  ChunkExtensionName: 0x71,
  ChunkExtensionValue: 0x72,
  ChunkExtensionQuoted: 0x73,
  ChunkExtensionQuotedPair: 0x74,
  ChunkExtensionAfterQuote: 0x75,
} as const;
export type State = (typeof State)[keyof typeof State];

/**
 * The states that read no byte: a head or a request is complete, and what
 * follows is decided at once, even when the read ends there. Every other
 * state waits for its next byte.
 */
export function readsNoByte(state: State): boolean {
  return state === State.HeadersDone || state === State.MessageDone || state === State.Cleanup;
}
