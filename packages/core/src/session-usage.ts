/**
 * `GET /sessions/<id>/usage` (protocol.ts) for both servers: which transcript
 * a session has (the `transcript_path` its events named), whether it may be
 * read (under Claude Code's projects directory once links are resolved), and
 * the JSON answer with its tokens and cost (transcript-usage.ts,
 * usage-prices.ts). The guard (guard.ts) has let the request through as it
 * lets the stream: the same token, the same refusal of other sites' pages.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import type { EventRecord } from './enrich.js';
import {
  MAX_SESSIONS_NAMED,
  MAX_USAGE_READS,
  MAX_USAGE_WAITING,
  tallyTranscript,
  USAGE_CACHE_ENTRIES,
  type TranscriptTally,
} from './transcript-usage.js';
import { costOf, priceOf } from './usage-prices.js';

/** An answer, as a server writes it: the status, the JSON body, the headers after Content-Type and Content-Length. */
export interface UsageAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** Tokens change as the session goes on: no answer is kept by the browser. */
const NO_STORE: readonly [string, string] = ['Cache-Control', 'no-store'];

const answer = (status: number, body: unknown, headers = [NO_STORE]): UsageAnswer => ({
  status,
  body: JSON.stringify(body),
  headers,
});

export const UNKNOWN_SESSION = answer(404, {
  error: 'unknown session: no event this server holds named its transcript_path',
});
export const TRANSCRIPT_MISSING = answer(404, {
  error: 'the transcript named for this session does not exist',
});
export const TRANSCRIPT_REFUSED = answer(403, {
  error:
    "refused: the transcript named for this session is not a .jsonl file under Claude Code's projects directory",
});
export const USAGE_BUSY = answer(
  503,
  { error: 'busy: too many transcripts are being read; try again' },
  [NO_STORE, ['Retry-After', '1']],
);

/** Where a path stands: a file that may be read (its real path), refused, or absent. */
type Checked = { readonly real: string } | 'refused' | 'missing';

/**
 * A path named in an event may be read only if it names a `.jsonl` file under
 * the projects directory, both as written and once every symbolic link on the
 * way is resolved: a link inside that points outside is refused, and so is a
 * path outside, whether or not it exists (its existence is not told).
 */
export async function checkTranscriptPath(path: string, projectsDir: string): Promise<Checked> {
  if (!isAbsolute(path) || !path.endsWith('.jsonl')) return 'refused';
  let realProjects: string;
  try {
    realProjects = await realpath(projectsDir);
  } catch {
    return 'refused'; // no projects directory: nothing is under it
  }
  const named = resolve(path);
  if (!isUnder(named, resolve(projectsDir)) && !isUnder(named, realProjects)) return 'refused';
  let real: string;
  try {
    real = await realpath(named);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return 'refused';
  }
  return isUnder(real, realProjects) && real.endsWith('.jsonl') ? { real } : 'refused';
}

function isUnder(path: string, directory: string): boolean {
  return path.startsWith(directory.endsWith(sep) ? directory : `${directory}${sep}`);
}

/**
 * Opened read-only; O_NOFOLLOW refuses a link put in the file's place since
 * it was resolved, and O_NONBLOCK keeps a FIFO from holding a pool thread.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

interface Cached {
  readonly identity: string;
  readonly tally: TranscriptTally;
}

export class SessionUsage {
  /** Session id → the transcript_path its latest event named, oldest first. */
  private readonly named = new Map<string, string>();
  private readonly cache = new Map<string, Cached>();
  /** Reads under way by real path: asked again meanwhile, the same read answers. */
  private readonly reading = new Map<string, Promise<TranscriptTally | 'refused'>>();
  private reads = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly projectsDir: string) {}

  /** Remember the transcript each event names for its session (ReceiverContext.record). */
  note(records: readonly EventRecord[]): void {
    for (const event of records) {
      const session = event['session_id'];
      const path = event['transcript_path'];
      if (typeof session !== 'string' || typeof path !== 'string') continue;
      if (this.named.get(session) === path) continue;
      this.named.delete(session);
      this.named.set(session, path);
      if (this.named.size > MAX_SESSIONS_NAMED) {
        this.named.delete(this.named.keys().next().value as string);
      }
    }
  }

  /** The same for a line of the log file's tail (log-history.ts): parsed only if it names a transcript. */
  noteLine(line: Buffer): void {
    if (line.indexOf('"transcript_path"') === -1) return;
    try {
      const parsed: unknown = JSON.parse(line.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null) this.note([parsed as EventRecord]);
    } catch {
      // A line that is not JSON names nothing.
    }
  }

  /** The answer to `GET /sessions/<session>/usage`. Never rejects. */
  async answer(session: string): Promise<UsageAnswer> {
    const path = this.named.get(session);
    if (path === undefined) return UNKNOWN_SESSION;
    try {
      const checked = await checkTranscriptPath(path, this.projectsDir);
      if (checked === 'refused') return TRANSCRIPT_REFUSED;
      if (checked === 'missing') return TRANSCRIPT_MISSING;
      let read = this.reading.get(checked.real);
      if (read === undefined) {
        if (this.waiting.length >= MAX_USAGE_WAITING) return USAGE_BUSY;
        read = this.read(checked.real).finally(() => this.reading.delete(checked.real));
        this.reading.set(checked.real, read);
      }
      const tally = await read;
      return tally === 'refused' ? TRANSCRIPT_REFUSED : usageAnswer(session, checked.real, tally);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return TRANSCRIPT_MISSING;
      if (code === 'ELOOP') return TRANSCRIPT_REFUSED;
      return answer(500, { error: `cannot read the transcript: ${code ?? 'unexpected error'}` });
    }
  }

  /** Open, check, and tally (or take the tally kept for the file unchanged), one of MAX_USAGE_READS at a time. */
  private async read(real: string): Promise<TranscriptTally | 'refused'> {
    if (this.reads >= MAX_USAGE_READS) await new Promise<void>((go) => this.waiting.push(go));
    this.reads++;
    try {
      const handle = await open(real, OPEN_FLAGS);
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) return 'refused';
        const identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
        const kept = this.cache.get(real);
        if (kept?.identity === identity) return kept.tally;
        const tally = await tallyTranscript(handle, stats.size);
        this.cache.delete(real);
        this.cache.set(real, { identity, tally });
        if (this.cache.size > USAGE_CACHE_ENTRIES) {
          this.cache.delete(this.cache.keys().next().value as string);
        }
        return tally;
      } finally {
        await handle.close();
      }
    } finally {
      this.reads--;
      this.waiting.shift()?.();
    }
  }
}

/** The 200 answer: tokens and cost per model, their total, and what was read. */
export function usageAnswer(
  session: string,
  transcript: string,
  tally: TranscriptTally,
): UsageAnswer {
  const total = {
    messages: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cost_usd: 0,
  };
  const unpriced: string[] = [];
  const longContext: string[] = [];
  const models = [...tally.models].map(([model, tokens]) => {
    const price = priceOf(model);
    const cost = price === undefined ? null : costOf(tokens, price);
    const spent =
      tokens.input_tokens +
      tokens.output_tokens +
      tokens.cache_creation_input_tokens +
      tokens.cache_read_input_tokens;
    if (cost === null && spent > 0) unpriced.push(model);
    if (cost !== null && tokens.long_context_messages > 0) longContext.push(model);
    total.messages += tokens.messages;
    total.input_tokens += tokens.input_tokens;
    total.output_tokens += tokens.output_tokens;
    total.cache_creation_input_tokens += tokens.cache_creation_input_tokens;
    total.cache_read_input_tokens += tokens.cache_read_input_tokens;
    total.cost_usd += cost ?? 0;
    const { cache_creation_1h_input_tokens: _oneHour, ...shown } = tokens;
    return { model, ...shown, cost_usd: cost };
  });
  total.cost_usd = Math.round(total.cost_usd * 1_000_000) / 1_000_000;
  return answer(200, {
    session,
    transcript,
    models,
    total,
    // The total's cost leaves these out: their tokens are counted, their price is not known.
    unpriced_models: unpriced,
    // Their cost is at standard rates, though a request past 200K input tokens may cost more.
    long_context_models: longContext,
    read: {
      size: tally.size,
      from: tally.from,
      bytes: tally.bytesRead,
      whole: tally.from === 0,
      lines: tally.lines,
      overlong_lines: tally.overlongLines,
      unreadable_lines: tally.unreadableLines,
    },
  });
}
