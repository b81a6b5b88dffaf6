/**
 * The request target (RFC 9112 section 3.2): origin-form `/path?query`, the
 * asterisk, absolute-form `scheme://authority/path`, or a CONNECT's
 * authority, checked as llhttp's src/llhttp/url.ts checks them (its states
 * are named `url_` and what follows). Node builds llhttp's strict URL table:
 * visible ASCII only.
 */
import {
  ALPHA,
  ASTERISK,
  AT,
  AUTHORITY_CHAR,
  COLON,
  CR,
  HASH,
  HTAB,
  LF,
  QUESTION,
  SLASH,
  SP,
  TARGET_CHAR,
  TARGET_PLAIN_CHAR,
} from '../byte-classes.js';
import { skipWhile, type Machine, type ParserOutput } from './machine.js';
import { State } from './states.js';

export function stepTarget(p: Machine, chunk: Buffer, from: number, out: ParserOutput[]): number {
  let i = from;
  // Set when a byte does not belong to the target: it ends the target, or is refused with this reason.
  let refusal: string | undefined;
  bytes: while (i < chunk.length) {
    const byte = chunk[i] as number;
    switch (p.state) {
      case State.TargetStart: // llhttp: url_start
        if (byte === SLASH || byte === ASTERISK) p.state = State.TargetPath;
        else if (ALPHA[byte]) p.state = State.TargetScheme;
        else return refuseInTarget(p, out, i, byte, 'Unexpected start char in url');
        break;

      case State.TargetScheme: // llhttp: url_schema
        if (byte === COLON) {
          p.matched = 0;
          p.state = State.TargetSchemeSlashes;
        } else if (!ALPHA[byte]) {
          return refuseInTarget(p, out, i, byte, 'Unexpected char in url schema');
        }
        break;

      case State.TargetSchemeSlashes: // llhttp: url_schema_delim
        if (byte !== SLASH) return refuseInTarget(p, out, i, byte, 'Unexpected char in url schema');
        if (++p.matched === 2) p.state = State.TargetAuthority;
        break;

      case State.TargetAuthority: // llhttp: url_server
      case State.TargetAuthorityAfterAt: // llhttp: url_server_with_at
        if (byte === SLASH) {
          p.state = State.TargetPath;
        } else if (byte === QUESTION) {
          p.state = State.TargetQuery;
        } else if (byte === AT) {
          // llhttp refuses only two @ in a row: `a@b@c` passes.
          if (p.state === State.TargetAuthorityAfterAt) {
            return p.fail(out, i + 1, 'Double @ in url');
          }
          p.state = State.TargetAuthorityAfterAt;
        } else if (AUTHORITY_CHAR[byte]) {
          p.state = State.TargetAuthority;
        } else {
          refusal = 'Unexpected char in url server';
          break bytes;
        }
        break;

      case State.TargetPath: // llhttp: url_path, url_query_or_fragment
      case State.TargetQuery: // llhttp: url_query
      case State.TargetFragment: // llhttp: url_fragment
        // Most of a target is plain bytes: step over the run of them at once.
        if (TARGET_PLAIN_CHAR[byte]) {
          i = skipWhile(chunk, i + 1, TARGET_PLAIN_CHAR);
          continue;
        }
        if (byte === QUESTION && p.state === State.TargetPath) {
          p.state = State.TargetQuery;
        } else if (byte === HASH && p.state !== State.TargetFragment) {
          p.state = State.TargetFragment;
        } else if (!TARGET_CHAR[byte]) {
          refusal = PART_REFUSALS[p.state - State.TargetPath] as string;
          break bytes;
        }
        break;

      case State.TargetCr: // llhttp: url_skip_lf_to_http09
        if (byte !== LF) return p.fail(out, i, 'Expected CRLF');
        p.state = State.HeadersStart;
        return i + 1; // the header fields (header-field.ts)
    }
    i++;
  }
  if (refusal === undefined) return i;

  // The target ends with a space (then the protocol), or with a line end: no
  // version at all is HTTP/0.9 (RFC 1945 section 4.1), whose head llhttp
  // still reads (its url_skip_to_http and url_skip_to_http09).
  const byte = chunk[i] as number;
  if (byte !== SP && byte !== CR && byte !== LF) return refuseInTarget(p, out, i, byte, refusal);
  const length = p.spanInChunk(i);
  p.target = p.takeSpan(chunk, i);
  if (p.countHead(length)) return p.fail(out, i, 'Header overflow', 'header-overflow');
  if (byte === SP) {
    p.state = State.SpacesBeforeProtocol;
    return i + 1; // the protocol (request-line.ts)
  }
  p.versionMajor = 0;
  p.versionMinor = 9;
  p.state = byte === CR ? State.TargetCr : State.HeadersStart;
  return i + 1;
}

/** A form feed, which llhttp's strict URL parser refuses as it does a tab. */
const FORM_FEED = 0x0c;

/** What llhttp says of a byte its path, query or fragment refuses. */
const PART_REFUSALS = [
  'Invalid char in url path',
  'Invalid char in url query',
  'Invalid char in url fragment start',
];

/**
 * A byte the target refuses. Node builds llhttp's strict URL parser, which
 * refuses a tab or a form feed anywhere in the target in words of its own,
 * as it does a blank or a line end before the authority.
 */
function refuseInTarget(
  p: Machine,
  out: ParserOutput[],
  i: number,
  byte: number,
  reason: string,
): number {
  const blank = byte === HTAB || byte === FORM_FEED || byte === SP || byte === CR || byte === LF;
  return blank ? p.fail(out, i + 1, 'Invalid characters in url') : p.fail(out, i, reason);
}
