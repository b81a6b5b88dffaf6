/**
 * A session's tokens and their estimated cost, read from its transcript when
 * the page asks (`GET /sessions/<id>/usage`, protocol.ts). Claude Code writes
 * each session as JSON lines under its projects directory and names the file
 * in every hook's `transcript_path`; each assistant line carries the Messages
 * API's `message.usage`. One message is written over several lines (one per
 * content block), each with the same `message.id` and `requestId`: it is
 * counted once, as its last line has it.
 *
 * What is read is bounded: only a path an event this server holds named for
 * that session, only a `.jsonl` file that is under Claude Code's projects
 * directory once symbolic links are resolved, opened read-only, at most
 * MAX_TRANSCRIPT_READ_BYTES of its end, in chunks read off the event loop
 * (the thread pool) between which hooks are served. A line longer than
 * MAX_TRANSCRIPT_LINE_BYTES is skipped unparsed, and counted.
 */
import type { FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MAX_PAYLOAD_DEPTH, shapeExcess, type ShapeLimits } from './json-shape.js';
import { inputOf, LONG_CONTEXT_INPUT_TOKENS, type TokenCounts } from './usage-prices.js';

/**
 * The most of a transcript's end that is read: a long day's session is tens
 * of MB, and reading it costs about a second of the thread pool per 100 MB.
 * Past it the answer counts the end only, and says so (`read.whole`).
 */
export const MAX_TRANSCRIPT_READ_BYTES = 64 * 1024 * 1024;
/**
 * The longest line parsed. Parsing holds the event loop (JSON.parse cannot
 * yield), about 5 ms a MiB. An assistant line that writes a big file can be
 * long; what is skipped is counted (`read.overlong_lines`).
 */
export const MAX_TRANSCRIPT_LINE_BYTES = 2 * 1024 * 1024;
/**
 * The shape of a line parsed (json-shape.ts): JSON.parse spends seconds on a
 * line nested a million deep, or holding a million keys or array elements,
 * and cannot yield. An assistant line nests a few levels and holds hundreds of
 * keys and elements at most; one past any limit is counted unreadable, unparsed.
 */
export const TRANSCRIPT_LINE_SHAPE: ShapeLimits = {
  maxDepth: MAX_PAYLOAD_DEPTH,
  maxMembers: 50_000,
  maxElements: 500_000,
};
/** One read off the thread pool: the loop serves hooks between two. */
export const TRANSCRIPT_CHUNK_BYTES = 128 * 1024;
/**
 * Transcripts read at once. libuv's thread pool has 4 threads by default;
 * leaving two free keeps the rest of the process's file work (a log's rotation)
 * from waiting behind a viewer's request.
 */
export const MAX_USAGE_READS = 2;
/** Requests waiting for a read, past which the answer is 503: a page that asks in a loop cannot queue without end. */
export const MAX_USAGE_WAITING = 32;
/** Tallies kept, each for a file as it was (device, inode, size, mtime): asked again unchanged, not read again. */
export const USAGE_CACHE_ENTRIES = 64;
/** Sessions whose transcript path is remembered, the most recently named kept. */
export const MAX_SESSIONS_NAMED = 4096;

/** Claude Code's projects directory: `$CLAUDE_CONFIG_DIR/projects`, or `~/.claude/projects`. */
export function claudeProjectsDir(env: NodeJS.ProcessEnv): string {
  const configDir = env['CLAUDE_CONFIG_DIR'];
  return configDir !== undefined && configDir !== ''
    ? join(resolve(configDir), 'projects')
    : join(homedir(), '.claude', 'projects');
}

/** One model's tokens, and its messages counted once each. */
export interface ModelTally extends TokenCounts {
  messages: number;
  /** Messages whose request's input passed LONG_CONTEXT_INPUT_TOKENS (priced at standard rates all the same). */
  long_context_messages: number;
}

/** What a transcript holds, as read. */
export interface TranscriptTally {
  readonly models: ReadonlyMap<string, ModelTally>;
  /** The file's size when it was opened, where reading began, and the bytes read. */
  readonly size: number;
  readonly from: number;
  readonly bytesRead: number;
  readonly lines: number;
  readonly overlongLines: number;
  /** Lines that looked like an assistant's usage and did not parse. */
  readonly unreadableLines: number;
}

/**
 * Cut bytes into lines, keeping at most `maxLine` bytes of one: a longer one
 * is dropped as it arrives, and reported when it ends. The chunks must not be
 * reused: a line's pieces are views into them until it ends.
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private bytes = 0;
  private overlong = false;

  constructor(
    private readonly maxLine: number,
    private readonly onLine: (line: Buffer) => void,
    private readonly onOverlong: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      this.take(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) return;
      this.end();
      start = newline + 1;
    }
  }

  /** The line under way ends (a line feed, or the end of the input). */
  end(): void {
    if (this.overlong) this.onOverlong();
    else if (this.bytes > 0) {
      this.onLine(
        this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces),
      );
    }
    this.pieces = [];
    this.bytes = 0;
    this.overlong = false;
  }

  private take(piece: Buffer): void {
    if (this.overlong || piece.length === 0) return;
    if (this.bytes + piece.length > this.maxLine) {
      this.overlong = true;
      this.pieces = [];
      this.bytes = 0;
      return;
    }
    this.pieces.push(piece);
    this.bytes += piece.length;
  }
}

const ASSISTANT = Buffer.from('"assistant"');
const USAGE = Buffer.from('"usage"');

/** A count from a usage object: a non-negative whole number, else 0. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

interface UsageLine {
  readonly key: string | undefined;
  readonly model: string;
  readonly tokens: TokenCounts;
}

/** An assistant line's usage; undefined for any other line, 'unreadable' for one that looked like it and did not parse. */
export function usageOfLine(line: Buffer): UsageLine | undefined | 'unreadable' {
  // Most lines are not an assistant's: found without parsing them.
  if (line.indexOf(ASSISTANT) === -1 || line.indexOf(USAGE) === -1) return undefined;
  if (shapeExcess(line, TRANSCRIPT_LINE_SHAPE) !== undefined) return 'unreadable';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    return 'unreadable';
  }
  const entry = record(parsed);
  const message = record(entry?.['message']);
  const usage = record(message?.['usage']);
  if (entry?.['type'] !== 'assistant' || message === undefined || usage === undefined) {
    return undefined;
  }
  const id = message['id'];
  const requestId = entry['requestId'];
  const model = message['model'];
  return {
    key: typeof id === 'string' ? id : typeof requestId === 'string' ? requestId : undefined,
    model: typeof model === 'string' && model !== '' ? model : 'unknown',
    tokens: {
      input_tokens: count(usage['input_tokens']),
      output_tokens: count(usage['output_tokens']),
      cache_creation_input_tokens: count(usage['cache_creation_input_tokens']),
      cache_read_input_tokens: count(usage['cache_read_input_tokens']),
      cache_creation_1h_input_tokens: count(
        record(usage['cache_creation'])?.['ephemeral_1h_input_tokens'],
      ),
    },
  };
}

/**
 * Read the transcript open as `handle`, `size` bytes long, from at most
 * MAX_TRANSCRIPT_READ_BYTES before its end, and sum its messages' usage by
 * model. Begun inside a line, that line is skipped: it is not whole.
 */
export async function tallyTranscript(
  handle: FileHandle,
  size: number,
  limits = { readBytes: MAX_TRANSCRIPT_READ_BYTES, lineBytes: MAX_TRANSCRIPT_LINE_BYTES },
): Promise<TranscriptTally> {
  const from = Math.max(0, size - limits.readBytes);
  const messages = new Map<string, UsageLine>();
  let unkeyed = 0;
  let lines = 0;
  let overlongLines = 0;
  let unreadableLines = 0;
  let skipFirst = from > 0;
  const splitter = new LineSplitter(
    limits.lineBytes,
    (line) => {
      if (skipFirst) return void (skipFirst = false);
      lines++;
      const usage = usageOfLine(line);
      if (usage === 'unreadable') unreadableLines++;
      else if (usage !== undefined) messages.set(usage.key ?? `unkeyed ${unkeyed++}`, usage);
    },
    () => {
      if (skipFirst) return void (skipFirst = false);
      lines++;
      overlongLines++;
    },
  );
  let position = from;
  while (position < size) {
    const chunk = Buffer.allocUnsafe(Math.min(TRANSCRIPT_CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break; // truncated meanwhile
    position += bytesRead;
    splitter.push(chunk.subarray(0, bytesRead));
  }
  splitter.end();
  return {
    models: byModel(messages.values()),
    size,
    from,
    bytesRead: position - from,
    lines,
    overlongLines,
    unreadableLines,
  };
}

function byModel(messages: Iterable<UsageLine>): Map<string, ModelTally> {
  const models = new Map<string, ModelTally>();
  for (const { model, tokens } of messages) {
    let tally = models.get(model);
    if (tally === undefined) {
      tally = {
        messages: 0,
        long_context_messages: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation_1h_input_tokens: 0,
      };
      models.set(model, tally);
    }
    tally.messages++;
    if (inputOf(tokens) > LONG_CONTEXT_INPUT_TOKENS) tally.long_context_messages++;
    tally.input_tokens += tokens.input_tokens;
    tally.output_tokens += tokens.output_tokens;
    tally.cache_creation_input_tokens += tokens.cache_creation_input_tokens;
    tally.cache_read_input_tokens += tokens.cache_read_input_tokens;
    tally.cache_creation_1h_input_tokens += tokens.cache_creation_1h_input_tokens;
  }
  return models;
}
