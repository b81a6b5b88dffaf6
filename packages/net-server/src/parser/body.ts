/**
 * The body (RFC 9112 sections 6 and 7), as the end of llhttp's
 * buildHeaderValue reads it: the complete head decides the framing, then the
 * body comes as Content-Length bytes or as chunks, each a size in hex,
 * optional extensions, CRLF, data, CRLF. A chunk of size 0 ends it, and the
 * trailer fields that follow are read by the header states (header-field.ts).
 */
import {
  BACKSLASH,
  CR,
  DQUOTE,
  EQUALS,
  HEX_VALUE,
  HTAB,
  LF,
  QUOTED_PAIR_CHAR,
  QUOTED_TEXT_CHAR,
  SEMICOLON,
  SP,
  TOKEN,
} from '../byte-classes.js';
import { appendDigit, TICK, type Machine, type ParserOutput, type RequestHead } from './machine.js';
import { readsNoByte, State } from './states.js';

/** How the body after a head is framed (llhttp__after_headers_complete's answer). */
type Framing = 'none' | 'length' | 'chunked' | 'unknown' | 'too-long';

export function stepBody(p: Machine, chunk: Buffer, from: number, out: ParserOutput[]): number {
  let i = from;
  while (i < chunk.length || readsNoByte(p.state)) {
    switch (p.state) {
      case State.HeadersDone: // llhttp: headers_done
        switch (completeHead(p, out)) {
          case 'none':
            p.state = State.MessageDone;
            return i; // message.ts
          case 'length':
            p.remaining = p.contentLength;
            p.state = State.BodyLength;
            continue;
          case 'chunked':
            p.remaining = 0;
            p.state = State.ChunkSizeFirst;
            continue;
          case 'unknown':
            return p.fail(out, i, 'Request has invalid `Transfer-Encoding`');
          case 'too-long':
            p.dropRefusedBody();
            p.remaining = p.contentLength;
            p.state = State.BodyLength;
            continue;
        }
        break;

      case State.BodyLength: // llhttp: body_identity
        i += p.takeBody(chunk, i, out);
        if (p.remaining !== 0) continue;
        p.state = State.MessageDone;
        return i; // message.ts

      // #region chunk-size
      case State.ChunkSizeFirst: // llhttp: chunk_size_start, chunk_size_digit
      case State.ChunkSize: {
        // llhttp: chunk_size, chunk_size_otherwise
        const byte = chunk[i] as number;
        const digit = HEX_VALUE[byte] as number;
        if (digit >= 0) {
          const size = appendDigit(p.remaining, 16, digit);
          if (size === undefined) return p.fail(out, i + 1, 'Chunk size overflow');
          p.remaining = size;
          p.state = State.ChunkSize;
          break;
        }
        // No blanks after the size: llhttp's strict default (RFC 9112 has none there either).
        if (p.state === State.ChunkSizeFirst) {
          return p.fail(out, i, 'Invalid character in chunk size');
        }
        if (byte === SP || byte === HTAB) {
          return p.fail(out, i + 1, 'Invalid character in chunk size');
        }
        if (byte === CR) {
          p.state = State.ChunkSizeLf;
          break;
        }
        if (byte === SEMICOLON) {
          p.state = State.ChunkExtensions;
          return i + 1; // stepChunkExtensions
        }
        return byte === LF
          ? p.fail(out, i + 1, 'Missing expected CR after chunk size')
          : p.fail(out, i, 'Invalid character in chunk size');
      }
      // #endregion chunk-size

      case State.ChunkSizeLf: // llhttp: chunk_size_almost_done, chunk_size_almost_done_lf
        if (chunk[i] !== LF) return p.fail(out, i, 'Expected LF after chunk size');
        // A new chunk: node counts the head's bytes and the extensions afresh.
        p.headerBytes = 0;
        p.chunkExtensionBytes = 0;
        if (p.remaining === 0) {
          // The last chunk: trailer fields follow (RFC 9112 section 7.1.2), read like headers.
          p.inTrailers = true;
          p.state = State.HeaderLineStart;
          return i + 1; // header-field.ts
        }
        p.state = State.ChunkData;
        break;

      case State.ChunkData: // llhttp: chunk_data
        i += p.takeBody(chunk, i, out);
        if (p.bodyLength > p.limits.maxBodyBytes && !p.drainsPastLimit()) {
          out.push({ kind: 'body-too-long', head: p.head as RequestHead, bodyBytes: p.bodyLength });
          p.dropRefusedBody();
        }
        if (p.remaining === 0) p.state = State.ChunkDataCr;
        continue;

      case State.ChunkDataCr: // llhttp: chunk_data_almost_done
        if (chunk[i] === LF) return p.fail(out, i + 1, 'Missing expected CR after chunk data');
        if (chunk[i] !== CR) return p.fail(out, i, 'Expected LF after chunk data');
        p.state = State.ChunkDataLf;
        break;

      case State.ChunkDataLf: // llhttp: chunk_data_almost_done, chunk_complete
        if (chunk[i] !== LF) return p.fail(out, i, 'Expected LF after chunk data');
        p.headerBytes = 0;
        p.remaining = 0;
        p.state = State.ChunkSizeFirst;
        break;
    }
    i++;
  }
  return i;
}

/**
 * Chunk extensions (RFC 9112 section 7.1.1): `;name` or `;name=value`, the
 * value a token or a quoted string. A server ignores them but reads them:
 * node counts their bytes, per chunk. llhttp allows an empty name (`;=v`,
 * `;;`) and an empty value (`;n=`), and nothing else odd.
 */
export function stepChunkExtensions(
  p: Machine,
  chunk: Buffer,
  from: number,
  out: ParserOutput[],
): number {
  let i = from;
  while (i < chunk.length) {
    const byte = chunk[i] as number;
    switch (p.state) {
      case State.ChunkExtensions: // llhttp: chunk_extensions
        if (byte === SP || byte === CR) {
          return p.fail(out, i + 1, 'Invalid character in chunk extensions');
        }
        p.beginSpan(i, 'chunk-extensions');
        p.state = State.ChunkExtensionName;
        continue;

      case State.ChunkExtensionName: // llhttp: chunk_extension_name
      case State.ChunkExtensionValue: {
        // llhttp: chunk_extension_value
        if (TOKEN[byte]) break;
        const inName = p.state === State.ChunkExtensionName;
        if (byte === DQUOTE && !inName) {
          p.state = State.ChunkExtensionQuoted;
          break;
        }
        if (byte !== SEMICOLON && byte !== CR && !(byte === EQUALS && inName)) {
          const part = inName ? 'name' : 'value';
          if (byte === LF) {
            return p.failAfterSpan(out, i, `Missing expected CR after chunk extension ${part}`);
          }
          return p.failAfterSpan(out, i, `Invalid character in chunk extensions ${part}`, i + 1);
        }
        const overflow = p.closeSpan(i);
        if (overflow !== undefined) return p.failWith(out, i, overflow);
        if (byte === CR) {
          p.state = State.ChunkSizeLf;
          return i + 1; // stepBody
        }
        if (byte === SEMICOLON) {
          p.state = State.ChunkExtensions;
          break;
        }
        p.beginSpan(i + 1, 'chunk-extensions');
        p.state = State.ChunkExtensionValue;
        break;
      }

      case State.ChunkExtensionQuoted: {
        // llhttp: chunk_extension_quoted_value
        if (byte === BACKSLASH) {
          p.state = State.ChunkExtensionQuotedPair;
          break;
        }
        if (byte !== DQUOTE) {
          if (!QUOTED_TEXT_CHAR[byte]) {
            return p.failAfterSpan(
              out,
              i,
              'Invalid character in chunk extensions quoted value',
              i + 1,
            );
          }
          break;
        }
        // The value's span ends with its closing quote.
        const overflow = p.closeSpan(i + 1);
        if (overflow !== undefined) return p.failWith(out, i, overflow);
        p.state = State.ChunkExtensionAfterQuote;
        break;
      }

      case State.ChunkExtensionQuotedPair: // llhttp: chunk_extension_quoted_value_quoted_pair
        if (!QUOTED_PAIR_CHAR[byte]) {
          return p.failAfterSpan(
            out,
            i,
            'Invalid quoted-pair in chunk extensions quoted value',
            i + 1,
          );
        }
        p.state = State.ChunkExtensionQuoted;
        break;

      case State.ChunkExtensionAfterQuote: // llhttp: chunk_extension_quoted_value_done
        if (byte === SEMICOLON) {
          p.state = State.ChunkExtensions;
          break;
        }
        if (byte === LF) return p.fail(out, i, 'Missing expected CR after chunk extension value');
        if (byte !== CR) return p.fail(out, i, 'Invalid character in chunk extensions quote value');
        p.state = State.ChunkSizeLf;
        return i + 1; // stepBody
    }
    i++;
  }
  return i;
}

/**
 * The head is complete: hand it over, then say how the body is framed (RFC
 * 9112 section 6.3, in llhttp's order). The head goes out first even when its
 * framing is then refused: node:http has already begun to answer it (a 100
 * Continue, a 400 for a missing Host) when llhttp refuses.
 */
// #region framing
function completeHead(p: Machine, out: ParserOutput[]): Framing {
  const { flags } = p;
  const upgrade = (flags.upgradeHeader && flags.connectionUpgrade) || p.method === 'CONNECT';
  p.errorsIgnored = upgrade;
  p.head = {
    method: p.method,
    target: p.target,
    versionMajor: p.versionMajor,
    versionMinor: p.versionMinor,
    headers: p.headers,
    keepAlive: p.shouldKeepAlive(),
    upgrade,
  };
  p.headerBytes = 0;
  p.fieldsInBatch = 0;
  p.fieldsInBlock = 0;
  if (p.batchedBefore) out.push(TICK);
  const tooLong =
    p.method !== 'CONNECT' && !flags.transferEncoding && p.contentLength > p.limits.maxBodyBytes;
  if (tooLong && !p.drainsPastLimit()) {
    out.push({ kind: 'body-too-long', head: p.head, bodyBytes: Number(p.contentLength) });
    return 'too-long';
  }
  out.push({ kind: 'head', head: p.head });

  // node:http takes a CONNECT as a tunnel: no body, whatever the headers say.
  if (p.method === 'CONNECT') return 'none';
  const hasBody = flags.chunked || p.contentLength > 0;
  if (upgrade && !hasBody) return 'none';
  if (flags.chunked) return 'chunked';
  // A request whose last coding is not chunked has no knowable length (section 6.3, item 4).
  if (flags.transferEncoding) return 'unknown';
  return p.contentLength > 0 ? 'length' : 'none';
}
// #endregion framing
