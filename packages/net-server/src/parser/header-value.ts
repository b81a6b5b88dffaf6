/**
 * Header values, as llhttp's buildHeaderValue reads them: leading blanks
 * skipped, the value's bytes checked (RFC 9110 section 5.5), the line end,
 * and a refused obs-fold. llhttp reads the values of a few headers itself,
 * because they decide how the body is framed and whether the connection
 * stays open: those have their own states (stepSpecialValue). What a value
 * means takes effect when its line is complete, as in llhttp.
 */
import {
  COMMA,
  CR,
  FIELD_VALUE_CHAR,
  HTAB,
  isDigit,
  LF,
  LIST_TOKEN_CHAR,
  lower,
  SP,
} from '../byte-classes.js';
import { CHUNKED, CONNECTION_OPTIONS } from '../llhttp-rules.js';
import { appendDigit, skipWhile, type Machine, type ParserOutput } from './machine.js';
import { State } from './states.js';

export function stepHeaderValue(
  p: Machine,
  chunk: Buffer,
  from: number,
  out: ParserOutput[],
): number {
  let i = from;
  while (i < chunk.length) {
    const byte = chunk[i] as number;
    switch (p.state) {
      case State.HeaderValueStart: // llhttp: header_value_discard_ws, header_value_start
        if (byte === SP || byte === HTAB) break; // leading blanks are not part of the value
        if (byte === CR) {
          p.state = State.EmptyValueLf;
          break;
        }
        if (byte === LF) return p.fail(out, i + 1, 'Invalid header value char');
        p.beginSpan(i, 'head');
        p.matched = 0;
        p.connectionOption = undefined;
        p.valueIsChunked = false;
        switch (p.headerKind) {
          case 'general':
            p.state = State.HeaderValue;
            continue;
          case 'upgrade':
            p.flags.upgradeHeader = true;
            p.state = State.HeaderValue;
            continue;
          case 'connection':
            p.state = State.ConnectionOption;
            return i;
          case 'content-length':
            // Two Content-Lengths, equal or not, leave the length in doubt (RFC 9112 section 6.3).
            if (p.flags.contentLength) return p.fail(out, i, 'Duplicate Content-Length');
            p.contentLength = 0;
            p.state = State.ContentLengthDigits;
            return i;
          case 'transfer-encoding':
            // A second Transfer-Encoding after one that ended in chunked adds a coding after chunked.
            if (p.flags.chunked) {
              return p.fail(out, i + 1, 'Invalid `Transfer-Encoding` header value');
            }
            p.flags.transferEncoding = true;
            p.state = State.CodingStart;
            return i;
        }
        break;

      case State.EmptyValueLf: // llhttp: header_value_discard_ws_almost_done
        if (byte !== LF) return p.fail(out, i, 'Expected LF after CR');
        p.state = State.EmptyValueEnd;
        break;

      case State.EmptyValueEnd: // llhttp: header_value_discard_lws
        if (byte === SP || byte === HTAB) return p.fail(out, i + 1, 'Invalid header value char');
        if (p.headerKind === 'content-length') return p.fail(out, i, 'Empty Content-Length');
        if (p.headerKind === 'transfer-encoding' && p.dialect.refusesEmptyTransferEncoding) {
          return p.fail(out, i, 'Empty Transfer-Encoding');
        }
        p.addHeader(p.headerName, '');
        p.state = State.HeaderLineStart;
        return i; // the next field (header-field.ts)

      case State.HeaderValue: // llhttp: header_value
        // The bulk of a head: step over the run of plain value bytes at once.
        i = skipWhile(chunk, i, FIELD_VALUE_CHAR);
        if (i < chunk.length) p.state = State.HeaderValueEnd;
        continue;

      case State.HeaderValueEnd: {
        // llhttp: header_value_otherwise
        if (byte !== CR) {
          return p.failAfterSpan(
            out,
            i,
            byte === LF ? 'Missing expected CR after header value' : 'Invalid header value char',
          );
        }
        const length = p.spanInChunk(i);
        const value = p.takeSpan(chunk, i);
        if (p.countHead(length)) return p.fail(out, i, 'Header overflow', 'header-overflow');
        p.headerValueText = value;
        p.state = State.HeaderValueLf;
        break;
      }

      case State.HeaderValueLf: // llhttp: header_value_almost_done
        if (byte !== LF) return p.fail(out, i, 'Missing expected LF after header value');
        p.state = State.HeaderLineEnd;
        break;

      case State.HeaderLineEnd: // llhttp: header_value_lws
        // A line that starts with a blank continues the previous one: obs-fold,
        // which a server must refuse or unfold (RFC 9112 section 5.2); llhttp refuses.
        if (byte === SP || byte === HTAB) {
          return p.fail(out, i, 'Unexpected whitespace after header value');
        }
        endValue(p);
        p.addHeader(p.headerName, trimBlanks(p.headerValueText));
        p.state = State.HeaderLineStart;
        return i; // the next field (header-field.ts)
    }
    i++;
  }
  return i;
}

/**
 * Connection, Content-Length and Transfer-Encoding: llhttp follows their
 * values byte by byte. Each ends in HeaderValueEnd, or in HeaderValue when it
 * turns out to be a value of no special meaning.
 */
export function stepSpecialValue(
  p: Machine,
  chunk: Buffer,
  from: number,
  out: ParserOutput[],
): number {
  let i = from;
  while (i < chunk.length) {
    const byte = chunk[i] as number;
    switch (p.state) {
      // Connection: a list of options; llhttp looks for close, keep-alive and
      // upgrade, case-insensitively, each followed by a comma, blanks or the end.
      case State.ConnectionOption: // llhttp: header_value_connection
        if (byte === SP || byte === HTAB) {
          if (p.matched === 0) break;
        } else if (matchConnectionOption(p, byte)) {
          if (p.matched === p.connectionOption?.length) p.state = State.ConnectionAfterOption;
          break;
        }
        p.state = State.ConnectionOther;
        continue;

      case State.ConnectionAfterOption: // llhttp: header_value_connection_ws
        if (byte === COMMA) {
          applyConnectionOption(p);
          p.matched = 0;
          p.state = State.ConnectionOption;
        } else if (byte === SP || (byte === HTAB && p.dialect.tabEndsListToken)) {
          // blanks after an option
        } else if (byte === CR || byte === LF) {
          p.state = State.HeaderValueEnd;
          return i;
        } else {
          p.connectionOption = undefined;
          p.state = State.ConnectionOther;
          continue;
        }
        break;

      case State.ConnectionOther: // llhttp: header_value_connection_token
        if (byte === COMMA) {
          p.matched = 0;
          p.state = State.ConnectionOption;
        } else if (!LIST_TOKEN_CHAR[byte]) {
          p.state = State.HeaderValueEnd;
          return i;
        }
        break;

      case State.ContentLengthDigits: {
        // llhttp: header_value_content_length
        if (!isDigit(byte)) {
          p.state = State.ContentLengthAfter;
          continue;
        }
        const length = appendDigit(p.contentLength, 10, byte - 0x30);
        if (length === undefined) return p.failAfterSpan(out, i, 'Content-Length overflow', i + 1);
        p.contentLength = length;
        break;
      }

      case State.ContentLengthAfter: // llhttp: header_value_content_length_ws
        if (byte === SP || (byte === HTAB && p.dialect.tabEndsListToken)) break;
        if (byte !== CR && byte !== LF) {
          return p.failAfterSpan(out, i, 'Invalid character in Content-Length');
        }
        p.flags.contentLength = true;
        p.state = State.HeaderValueEnd;
        return i;

      // Transfer-Encoding: a list of codings; the body is chunked when the
      // last one is "chunked" (RFC 9112 section 6.1), matched case-insensitively.
      case State.CodingStart: // llhttp: header_value_te_chunked
        if (lower(byte) !== CHUNKED.charCodeAt(p.matched)) {
          p.state = State.CodingOther;
          continue;
        }
        if (++p.matched === CHUNKED.length) p.state = State.CodingAfterChunked;
        break;

      case State.CodingAfterChunked: // llhttp: header_value_te_chunked_last
        // Only spaces, not tabs, may follow "chunked" in llhttp.
        if (byte === SP) break;
        if (byte === CR || byte === LF) {
          p.valueIsChunked = true;
          p.state = State.HeaderValueEnd;
          return i;
        }
        // Nothing may follow chunked in a request (RFC 9112 section 6.1).
        if (byte === COMMA) {
          return p.failAfterSpan(out, i, 'Invalid `Transfer-Encoding` header value', i + 1);
        }
        p.state = State.CodingOther;
        continue;

      case State.CodingOther: // llhttp: header_value_te_token
        if (byte === COMMA) {
          p.state = State.CodingBlanks;
        } else if (!LIST_TOKEN_CHAR[byte]) {
          p.state = State.HeaderValue;
          return i;
        }
        break;

      case State.CodingBlanks: // llhttp: header_value_te_token_ows
        if (byte === SP || byte === HTAB) break;
        p.matched = 0;
        p.state = State.CodingStart;
        continue;
    }
    i++;
  }
  return i;
}

/** One more byte of a Connection option; false when it matches none. */
function matchConnectionOption(p: Machine, byte: number): boolean {
  let option = p.connectionOption;
  // The options begin with different letters: the first byte picks the one to match.
  if (p.matched === 0) {
    option = CONNECTION_OPTIONS.find((name) => name.charCodeAt(0) === lower(byte));
  }
  if (option === undefined || option.charCodeAt(p.matched) !== lower(byte)) return false;
  p.connectionOption = option;
  p.matched++;
  return true;
}

function applyConnectionOption(p: Machine): void {
  if (p.connectionOption === 'close') p.flags.connectionClose = true;
  else if (p.connectionOption === 'keep-alive') p.flags.connectionKeepAlive = true;
  else if (p.connectionOption === 'upgrade') p.flags.connectionUpgrade = true;
  p.connectionOption = undefined;
}

/** A header line is complete: what its value means takes effect now, as in llhttp. */
function endValue(p: Machine): void {
  const option = p.connectionOption;
  if (p.headerKind === 'connection' && option !== undefined && p.matched === option.length) {
    applyConnectionOption(p);
  }
  if (p.headerKind === 'transfer-encoding' && p.valueIsChunked) p.flags.chunked = true;
}

/** node's ToTrimmedString: a value's trailing blanks are not part of it. */
function trimBlanks(value: string): string {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === SP || value.charCodeAt(end - 1) === HTAB)) end--;
  return value.slice(0, end);
}
