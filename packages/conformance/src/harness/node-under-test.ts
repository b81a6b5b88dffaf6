/**
 * Which Node the servers run on: a few of node:http's answers differ between
 * Node versions (llhttp 9.3 in Node 20, 9.4 in Node 22 and 24, and a header
 * count fix in later releases), and a case that meets one of them says what
 * each answers. The net server's own ParserDialect names the differences; a
 * wrong dialect fails here, as node:http must meet the same expectation.
 */
import { execFileSync } from 'node:child_process';
import { dialectOf, type ParserDialect } from '@hook-observatory/net-server/request-parser';
import { SERVER_NODE } from '@hook-observatory/launcher';

/**
 * The servers' node's versions: this process's when the servers run on this
 * node, else asked of that node. Every grader run and every conformance test
 * file loads the cases, so the common case starts no child process.
 */
function serverVersions(): { readonly node: string; readonly llhttp: string } {
  if (SERVER_NODE === process.execPath) {
    return { node: process.versions.node, llhttp: String(process.versions.llhttp) };
  }
  const [node, llhttp] = execFileSync(SERVER_NODE, [
    '-p',
    '[process.versions.node, process.versions.llhttp].join(" ")',
  ])
    .toString()
    .trim()
    .split(' ') as [string, string];
  return { node, llhttp };
}

export const SERVER_VERSIONS = serverVersions();
export const SERVER_DIALECT: ParserDialect = dialectOf(SERVER_VERSIONS);

/** The expectation for the llhttp the servers run on. */
export function byLlhttp<T>(choices: { readonly llhttp93: T; readonly llhttp94: T }): T {
  return SERVER_DIALECT.tabEndsListToken ? choices.llhttp94 : choices.llhttp93;
}

/** The expectation for whether node refuses a head with more fields than maxHeadersCount (431) or drops the extra ones. */
export function byHeaderCountRule<T>(choices: { readonly dropped: T; readonly refused: T }): T {
  return SERVER_DIALECT.refusesExcessHeaders ? choices.refused : choices.dropped;
}
