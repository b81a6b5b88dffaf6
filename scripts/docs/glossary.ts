/**
 * The glossary rule: every note links each term of docs/glossary.md where the
 * note first uses it, so that a reader who meets "socket" or "tick" for the
 * first time is one click from what it means. The first use is the first match
 * of the term's pattern in the note's prose (proseLines: no code blocks,
 * generated blocks or headings); a code span counts only when it is the term
 * itself (`setImmediate`), and link targets never count.
 */
import { proseLines } from './prose.js';

export const GLOSSARY_NOTE = 'glossary.md';

export interface Term {
  /** The heading's anchor in docs/glossary.md. */
  readonly anchor: string;
  /** What counts as a use of the term (whole words; add `i` for any case). */
  readonly pattern: RegExp;
}

/** The terms, in the glossary's order. */
export const TERMS: readonly Term[] = [
  { anchor: 'kernel', pattern: /\bkernels?\b/i },
  { anchor: 'tcp', pattern: /\bTCP\b/ },
  { anchor: 'connection', pattern: /\bconnections?\b/i },
  { anchor: 'byte-stream', pattern: /\bbyte\s+streams?\b|\bstreams?\s+of\s+bytes\b/i },
  { anchor: 'socket', pattern: /(?<!Unix\s+)\bsockets?\b/i },
  { anchor: 'port', pattern: /\bports?\b/i },
  { anchor: 'loopback', pattern: /\bloopback\b/i },
  { anchor: 'unix-socket', pattern: /\bUnix\s+sockets?\b/i },
  { anchor: 'request-line', pattern: /\brequest\s+lines?\b/i },
  { anchor: 'status-line', pattern: /\bstatus\s+lines?\b/i },
  { anchor: 'header', pattern: /\bheaders?\b/i },
  { anchor: 'head', pattern: /\bheads?\b/ },
  { anchor: 'body', pattern: /\bbod(?:y|ies)\b/i },
  { anchor: 'crlf', pattern: /\bCRLF\b/ },
  { anchor: 'framing', pattern: /\bfram(?:ing|ed)\b/i },
  { anchor: 'chunked', pattern: /\bchunked\b/i },
  { anchor: 'keep-alive', pattern: /\bkeep[-\s]alive\b/i },
  { anchor: 'pipelining', pattern: /\bpipelin(?:ing|ed|es|e)\b/i },
  { anchor: '100-continue', pattern: /\b100[-\s]Continue\b/i },
  { anchor: 'event-loop', pattern: /\bevent\s+loop\b/i },
  { anchor: 'tick', pattern: /\bticks?\b/i },
  { anchor: 'turn', pattern: /\b(?:(?:the|this|a|one|each)\s+turn|loop\s+turns?)\b/i },
  { anchor: 'setimmediate', pattern: /\bsetImmediate\b/ },
  { anchor: 'cork', pattern: /\bcork(?:s|ed|ing)?\b/i },
  { anchor: 'backpressure', pattern: /\bback-?pressure\b/i },
  { anchor: 'server-sent-events', pattern: /\bServer-Sent\s+Events\b/i },
];

export interface FirstUse {
  readonly anchor: string;
  /** 1-based line of the first use. */
  readonly line: number;
  /** The words used there. */
  readonly used: string;
  /** Where that use links to, if it is inside a link. */
  readonly href: string | undefined;
}

const LINK = /\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)(?:\s+"[^"]*")?\)/g;

/** The note's prose with link targets and code spans blanked, except a code span that is one whole term. */
function searchable(markdown: string): { text: string; links: { from: number; to: number; href: string }[] } {
  const text = proseLines(markdown).join('\n');
  const links: { from: number; to: number; href: string }[] = [];
  for (const match of text.matchAll(LINK)) {
    const from = (match.index ?? 0) + 1;
    links.push({ from, to: from + (match[1] as string).length, href: match[2] as string });
  }
  const blank = (span: string): string => span.replace(/[^\n]/g, ' ');
  const masked = text
    .replace(/\]\(([^()\s]+)(?:\s+"[^"]*")?\)/g, (span) => `]${blank(span.slice(1))}`)
    .replace(/(`+)([^`]+?)\1/g, (span, _ticks, content: string) =>
      TERMS.some((term) => wholeMatch(term.pattern, content)) ? span : blank(span),
    );
  return { text: masked, links };
}

function wholeMatch(pattern: RegExp, content: string): boolean {
  const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(content);
  return match !== null && match[0] === content;
}

/** The first use of each glossary term in `markdown`, and what it links to. */
export function firstUses(markdown: string): FirstUse[] {
  const { text, links } = searchable(markdown);
  const uses: FirstUse[] = [];
  for (const term of TERMS) {
    const match = term.pattern.exec(text);
    if (match === null) continue;
    const at = match.index;
    const link = links.find((candidate) => candidate.from <= at && at < candidate.to);
    uses.push({
      anchor: term.anchor,
      line: text.slice(0, at).split('\n').length,
      used: match[0],
      href: link?.href,
    });
  }
  return uses;
}

/** The link a first use in a note under docs/ must carry. */
export function glossaryHref(anchor: string): string {
  return `${GLOSSARY_NOTE}#${anchor}`;
}

/** Each first use in `markdown` that is not a link to its glossary entry, as a message. */
export function unlinkedFirstUses(markdown: string, file: string): string[] {
  return firstUses(markdown)
    .filter((use) => use.href !== glossaryHref(use.anchor))
    .map(
      (use) =>
        `${file}:${use.line}: the first "${use.used}" should link to ${glossaryHref(use.anchor)}` +
        (use.href === undefined ? '' : ` (it links to ${use.href})`),
    );
}
