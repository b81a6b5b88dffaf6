/**
 * llhttp's rules, written down: what node:http's parser accepts where RFC 9112
 * leaves room, measured against the running node:http on Node 20, 22 and 24
 * (test/conformance holds the two servers to them), and what changed between
 * those versions. request-parser.ts applies them byte by byte.
 */

/**
 * The methods an `HTTP/x.x` request may name: node:http lists them as
 * http.METHODS. Methods are case-sensitive (RFC 9110 section 9.1); any other
 * word is a 400.
 *
 * llhttp knows more, each allowed with one protocol: it reads any known
 * method first and checks the pairing when the protocol's name is complete,
 * so `GET / ICE/1.0` fails at `ICE`, not at `GET`. Requests over RTSP and ICE
 * (Icecast) are parsed like HTTP ones and reach the handler with the version
 * they name: node:http answers `OPTIONS /health RTSP/1.0` with a 405.
 */
export const KNOWN_METHODS: readonly string[] = [
  'DELETE',
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'COPY',
  'LOCK',
  'MKCOL',
  'MOVE',
  'PROPFIND',
  'PROPPATCH',
  'SEARCH',
  'UNLOCK',
  'BIND',
  'REBIND',
  'UNBIND',
  'ACL',
  'REPORT',
  'MKACTIVITY',
  'CHECKOUT',
  'MERGE',
  'M-SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'PATCH',
  'PURGE',
  'MKCALENDAR',
  'LINK',
  'UNLINK',
  'SOURCE',
  'QUERY',
];
/** Over HTTP: the methods above, which node:http lists as http.METHODS, and PRI, which is always refused (below). */
export const HTTP_METHODS: readonly string[] = [...KNOWN_METHODS, 'PRI'];
export const RTSP_METHODS: readonly string[] = [
  'GET',
  'POST',
  'OPTIONS',
  'DESCRIBE',
  'ANNOUNCE',
  'SETUP',
  'PLAY',
  'PAUSE',
  'TEARDOWN',
  'GET_PARAMETER',
  'SET_PARAMETER',
  'REDIRECT',
  'RECORD',
  'FLUSH',
];
export const ICE_METHODS: readonly string[] = ['SOURCE'];
export const METHODS_BY_PROTOCOL: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['HTTP', new Set(HTTP_METHODS)],
  ['RTSP', new Set(RTSP_METHODS)],
  ['ICE', new Set(ICE_METHODS)],
]);
const ALL_METHODS = new Set([...HTTP_METHODS, ...RTSP_METHODS]);

/**
 * Words as a trie of their bytes, to follow a method or a protocol name as it
 * arrives, one byte at a time and across reads: each node is a prefix, `next`
 * leads by the next byte to the longer prefix, and `word` is the word that
 * ends here, if one does. A byte with no way on starts no word: llhttp fails
 * at that byte, as its own method matcher does.
 */
export interface WordTrie {
  readonly next: ReadonlyMap<number, WordTrie>;
  readonly word: string | undefined;
}

function trieOf(words: Iterable<string>): WordTrie {
  interface Node {
    next: Map<number, Node>;
    word: string | undefined;
  }
  const root: Node = { next: new Map(), word: undefined };
  for (const word of words) {
    let node = root;
    for (let index = 0; index < word.length; index++) {
      const byte = word.charCodeAt(index);
      let child = node.next.get(byte);
      if (child === undefined) {
        child = { next: new Map(), word: undefined };
        node.next.set(byte, child);
      }
      node = child;
    }
    node.word = word;
  }
  return root;
}

export const METHOD_TRIE = trieOf(ALL_METHODS);
export const PROTOCOL_TRIE = trieOf(METHODS_BY_PROTOCOL.keys());

/** The versions llhttp accepts as written (major * 10 + minor); any other is a 400. */
export const ACCEPTED_VERSIONS = new Set([9, 10, 11, 20]);

/**
 * `PRI * HTTP/2.0` opens the HTTP/2 connection preface (RFC 9113 section
 * 3.4). llhttp checks the rest of the preface and then stops with an error,
 * so node:http answers 400 to it, and to PRI in any other form.
 */
export const HTTP2_PREFACE_REST = Buffer.from('\r\n\r\nSM\r\n\r\n', 'latin1');

/** The header names whose values llhttp reads itself (its SPECIAL_HEADERS). */
export type HeaderKind =
  'general' | 'connection' | 'content-length' | 'transfer-encoding' | 'upgrade';
export const SPECIAL_HEADERS: ReadonlyMap<string, HeaderKind> = new Map([
  ['connection', 'connection'],
  // A proxy's old spelling of Connection; llhttp honours it the same way.
  ['proxy-connection', 'connection'],
  ['content-length', 'content-length'],
  ['transfer-encoding', 'transfer-encoding'],
  ['upgrade', 'upgrade'],
]);
/** The Connection options llhttp recognises (RFC 9110 section 7.6.1, RFC 9112 section 9.3). */
export const CONNECTION_OPTIONS = ['close', 'keep-alive', 'upgrade'] as const;
export type ConnectionOption = (typeof CONNECTION_OPTIONS)[number];
export const CHUNKED = 'chunked';

/**
 * What changed between the Node versions: the llhttp that Node 20 ships (9.3)
 * and the one Node 22 and 24 ship (9.4), and a security fix in Node's own
 * parser binding. The net server follows the Node it runs on, as the http
 * server does without trying.
 */
export interface ParserDialect {
  /** llhttp 9.4: a tab, like a space, may follow a Content-Length or a Connection option. */
  readonly tabEndsListToken: boolean;
  /** llhttp 9.4: an empty Transfer-Encoding is a 400; 9.3 ignores it. */
  readonly refusesEmptyTransferEncoding: boolean;
  /**
   * A head (or trailer block) with more fields than maxHeadersCount is a 431
   * (CVE-2026-58044, node_http_parser.cc TrackHeaderPair, in Node 22.23.2,
   * 24.18.1 and 26.5.1); before, the fields past the count were dropped.
   */
  readonly refusesExcessHeaders: boolean;
}

/** The first release of each Node line with the header count fix (CVE-2026-58044); later majors have it too. */
const EXCESS_HEADERS_FIX: ReadonlyMap<number, readonly [number, number]> = new Map([
  [22, [23, 2]],
  [24, [18, 1]],
  [26, [5, 1]],
]);

const versionParts = (version: string): number[] =>
  version.replace(/^v/, '').split('.').map(Number);

/** The versions of the running Node, whose node:http the net server stands beside. */
const RUNNING_VERSIONS = { node: process.versions.node, llhttp: process.versions['llhttp'] ?? '0' };

export function dialectOf(
  versions: { readonly node: string; readonly llhttp: string } = RUNNING_VERSIONS,
): ParserDialect {
  const [llhttpMajor = 0, llhttpMinor = 0] = versionParts(versions.llhttp);
  const llhttp94 = llhttpMajor > 9 || (llhttpMajor === 9 && llhttpMinor >= 4);
  const [major = 0, minor = 0, patch = 0] = versionParts(versions.node);
  const fix = EXCESS_HEADERS_FIX.get(major);
  const fixed =
    major > 26 || (fix !== undefined && (minor > fix[0] || (minor === fix[0] && patch >= fix[1])));
  return {
    tabEndsListToken: llhttp94,
    refusesEmptyTransferEncoding: llhttp94,
    refusesExcessHeaders: fixed,
  };
}
