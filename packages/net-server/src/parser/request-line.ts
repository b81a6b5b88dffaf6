/**
 * A request begins, with its request line, `METHOD SP target SP HTTP/x.y
 * CRLF` (RFC 9112 section 3), as llhttp's buildLine reads a request's. Line
 * ends before it are skipped; the method and the protocol's name are
 * followed along a trie of the words llhttp knows, so that a byte that begins
 * no known word is refused at that byte. The target between them has its own
 * states (target.ts).
 */
import { CR, DOT, isDigit, LF, SLASH, SP } from '../byte-classes.js';
import {
  ACCEPTED_VERSIONS,
  HTTP2_PREFACE_REST,
  METHOD_TRIE,
  METHODS_BY_PROTOCOL,
  PROTOCOL_TRIE,
} from '../llhttp-rules.js';
import type { Machine, ParserOutput } from './machine.js';
import { State } from './states.js';

export function stepRequestLine(
  p: Machine,
  chunk: Buffer,
  from: number,
  out: ParserOutput[],
): number {
  let i = from;
  while (i < chunk.length) {
    const byte = chunk[i] as number;
    switch (p.state) {
      case State.Start: // llhttp: start
        // Line ends before a request line are skipped (RFC 9112 section 2.2).
        if (byte === CR || byte === LF) break;
        p.beginRequest();
        p.wordSoFar = METHOD_TRIE;
        p.state = State.Method;
        continue;

      case State.Method: {
        // llhttp: after_start_req, req_first_space_before_url
        if (byte === SP) {
          const method = p.wordSoFar.word;
          if (method === undefined) return p.fail(out, i, 'Invalid method encountered');
          p.method = method;
          p.state = State.SpacesBeforeTarget;
          break;
        }
        // Methods are case-sensitive (RFC 9110 section 9.1): `post` is no
        // method, and llhttp refuses it at the `p`, which begins none.
        const next = p.wordSoFar.next.get(byte);
        if (next === undefined) return p.fail(out, i, 'Invalid method encountered');
        p.wordSoFar = next;
        break;
      }

      case State.SpacesBeforeTarget: // llhttp: req_spaces_before_url
        // llhttp allows several spaces here, and after the target.
        if (byte === SP) break;
        p.beginSpan(i, 'head');
        // A CONNECT names an authority, `host:port` (RFC 9112 section 3.2.3).
        p.state = p.method === 'CONNECT' ? State.TargetAuthority : State.TargetStart;
        return i; // the target's first byte (target.ts)

      case State.SpacesBeforeProtocol: // llhttp: req_http_start
        if (byte === SP) break;
        p.wordSoFar = PROTOCOL_TRIE;
        p.state = State.Protocol;
        continue;

      // #region version
      case State.Protocol: {
        // llhttp: req_after_http_start
        const next = p.wordSoFar.next.get(byte);
        if (next === undefined) return p.fail(out, i, 'Expected HTTP/, RTSP/ or ICE/');
        p.wordSoFar = next;
        const name = next.word;
        if (name === undefined) break;
        // The name is complete (HTTP, RTSP or ICE): it must suit the method.
        if (!METHODS_BY_PROTOCOL.get(name)?.has(p.method)) {
          return p.fail(out, i + 1, pairingRefusal(name));
        }
        p.state = State.AfterProtocol;
        break;
      }

      case State.AfterProtocol: // llhttp: req_after_protocol
        if (byte !== SLASH) return p.fail(out, i, 'Expected HTTP/, RTSP/ or ICE/');
        p.state = State.VersionMajor;
        break;

      // DIGIT "." DIGIT (RFC 9112 section 2.3). llhttp accepts 1.1, 1.0, and
      // also 0.9 and 2.0 as written here; any other version is a 400.
      case State.VersionMajor: // llhttp: req_http_major
        if (!isDigit(byte)) return p.fail(out, i, 'Invalid major version');
        p.versionMajor = byte - 0x30;
        p.state = State.VersionDot;
        break;

      case State.VersionDot: // llhttp: req_http_dot
        if (byte !== DOT) return p.fail(out, i, 'Expected dot');
        p.state = State.VersionMinor;
        break;

      case State.VersionMinor: // llhttp: req_http_minor, req_http_end
        if (!isDigit(byte)) return p.fail(out, i, 'Invalid minor version');
        p.versionMinor = byte - 0x30;
        if (!ACCEPTED_VERSIONS.has(p.versionMajor * 10 + p.versionMinor)) {
          return p.fail(out, i + 1, 'Invalid HTTP version');
        }
        p.matched = 0;
        p.state = p.method === 'PRI' ? State.Http2Preface : State.RequestLineCr;
        break;
      // #endregion version

      case State.Http2Preface: // llhttp: req_pri_upgrade
        // `PRI * HTTP/2.0` begins the HTTP/2 preface (RFC 9113 section 3.4):
        // llhttp reads it to its end, then stops with an error.
        if (byte !== HTTP2_PREFACE_REST[p.matched]) {
          return p.fail(out, i, 'Expected HTTP/2 Connection Preface');
        }
        if (++p.matched === HTTP2_PREFACE_REST.length) {
          return p.fail(out, i + 1, 'Pause on PRI/Upgrade');
        }
        break;

      case State.RequestLineCr: // llhttp: req_http_complete
        // First the CR, then the LF: a bare LF ends no line here (RFC 9112 section 2.2).
        if (byte !== CR) return p.fail(out, byte === LF ? i + 1 : i, 'Expected CRLF after version');
        p.state = State.RequestLineLf;
        break;

      case State.RequestLineLf: // llhttp: req_http_complete_crlf
        if (byte !== LF) return p.fail(out, i, 'Expected CRLF after version');
        p.state = State.HeadersStart;
        return i + 1; // the header fields (header-field.ts)
    }
    i++;
  }
  return i;
}

/** llhttp's words when a method does not suit its protocol. */
function pairingRefusal(protocol: string): string {
  return protocol === 'ICE'
    ? 'Expected SOURCE method for ICE/x.x request'
    : `Invalid method for ${protocol}/x.x request`;
}
