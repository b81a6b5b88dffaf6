/**
 * Header fields, `Name: value CRLF` until an empty line (RFC 9112 section 5):
 * here the name and the head's end, as llhttp's buildHeaderField reads them;
 * the value has its own states (header-value.ts). The trailer fields after
 * the last chunk (RFC 9112 section 7.1.2) are read by the same states, with
 * `inTrailers` set, as llhttp reads them with its F_TRAILING flag.
 */
import { COLON, CR, LF, lower, SP, TOKEN } from '../byte-classes.js';
import { SPECIAL_HEADERS, type HeaderKind } from '../llhttp-rules.js';
import { skipWhile, TICK, type Machine, type ParserOutput } from './machine.js';
import { State } from './states.js';

/** node_http_parser.cc keeps this many header fields before it hands a batch to JavaScript (kMaxHeaderFieldsCount). */
const HEADER_FIELDS_PER_BATCH = 32;

export function stepHeaderField(
  p: Machine,
  chunk: Buffer,
  from: number,
  out: ParserOutput[],
): number {
  let i = from;
  while (i < chunk.length) {
    const byte = chunk[i] as number;
    switch (p.state) {
      case State.HeadersStart: // llhttp: headers_start
        // Whitespace between the start line and the first field (RFC 9112 section 2.2).
        if (byte === SP) return p.fail(out, i + 1, 'Unexpected space after start line');
        p.state = State.HeaderLineStart;
        continue;

      // #region header-line
      case State.HeaderLineStart: // llhttp: header_field_start
        if (byte === CR) {
          p.state = State.HeadEndLf;
          break;
        }
        if (byte === LF) return p.fail(out, i + 1, 'Invalid header field char');
        if (!TOKEN[byte]) return p.fail(out, i, 'Invalid header token');
        p.beginSpan(i, 'header-name');
        p.excessField =
          p.dialect.refusesExcessHeaders && ++p.fieldsInBlock > p.limits.maxHeadersCount;
        if (++p.fieldsInBatch === HEADER_FIELDS_PER_BATCH) {
          p.fieldsInBatch = 1;
          p.batchedBefore = true;
          out.push(TICK);
        }
        p.state = State.HeaderName;
        continue;

      case State.HeaderName: {
        // llhttp: header_field, header_field_general
        // A name is token bytes (RFC 9110 section 5.6.2): step over the run of them at once.
        if (TOKEN[byte]) {
          i = skipWhile(chunk, i + 1, TOKEN);
          continue;
        }
        // No blank between a name and its colon (RFC 9112 section 5.1).
        if (byte !== COLON) return p.fail(out, i, 'Invalid header token');
        const overflow = p.countSpan(p.spanInChunk(i));
        if (overflow !== undefined) return p.failWith(out, i, overflow);
        p.headerName = p.takeSpan(chunk, i);
        p.headerKind = headerKindOf(p.headerName);
        // Both framings at once is how requests are smuggled past a proxy
        // (RFC 9112 section 6.1): llhttp refuses the second one at its colon.
        if (p.headerKind === 'transfer-encoding' && p.flags.contentLength) {
          return p.fail(out, i + 1, "Transfer-Encoding can't be present with Content-Length");
        }
        if (p.headerKind === 'content-length' && p.flags.transferEncoding) {
          return p.fail(out, i + 1, "Content-Length can't be present with Transfer-Encoding");
        }
        p.state = State.HeaderValueStart;
        return i + 1; // the value (header-value.ts)
      }
      // #endregion header-line

      case State.HeadEndLf: // llhttp: headers_almost_done
        if (byte !== LF) return p.fail(out, i, 'Expected LF after headers');
        if (p.inTrailers) {
          // The end of the trailers ends the last chunk: node counts afresh (on_chunk_complete).
          p.headerBytes = 0;
          p.state = State.MessageDone; // message.ts
        } else {
          p.state = State.HeadersDone; // the framing (body.ts)
        }
        return i + 1;
    }
    i++;
  }
  return i;
}

/** The special header names (lower case), by length: a name of any other length is none of them. */
const SPECIAL_BY_LENGTH: Array<Array<readonly [string, HeaderKind]>> = [];
for (const [name, kind] of SPECIAL_HEADERS) {
  (SPECIAL_BY_LENGTH[name.length] ??= []).push([name, kind]);
}

/**
 * What llhttp makes of a header name, whatever its case (RFC 9110 section
 * 5.1). Compared letter by letter: no lower-cased copy of the name is made.
 */
function headerKindOf(name: string): HeaderKind {
  const candidates = SPECIAL_BY_LENGTH[name.length];
  if (candidates === undefined) return 'general';
  for (let n = 0; n < candidates.length; n++) {
    const [special, kind] = candidates[n] as readonly [string, HeaderKind];
    let k = 0;
    while (k < special.length && lower(name.charCodeAt(k)) === special.charCodeAt(k)) k++;
    if (k === special.length) return kind;
  }
  return 'general';
}
