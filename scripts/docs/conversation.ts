/**
 * A captured conversation (exchange.ts) as the steps of a sequence diagram:
 * each HTTP message either side sent, at the point in the conversation where
 * it was complete, and each side's end. The bytes are cut into messages by
 * their own framing (RFC 9112 section 6.3), so a diagram shows what the
 * servers really wrote, whatever pieces TCP delivered it in.
 */
import type { TranscriptEntry } from './exchange.js';

export type Side = 'client' | 'server';

export type ConversationStep =
  | {
      readonly kind: 'message';
      readonly from: Side;
      /** The request or status line, then the header lines worth showing. */
      readonly lines: readonly string[];
      /** Body bytes carried, or undefined for a head whose body is still to come. */
      readonly bodyBytes: number | undefined;
      /** Steps with the same number came out of one write of the client's. */
      readonly write: number;
    }
  | { readonly kind: 'body'; readonly from: Side; readonly bodyBytes: number; readonly write: number }
  | { readonly kind: 'end'; readonly from: Side }
  /** The connection waits, open, between an answer and the next request: what the answer announced. */
  | { readonly kind: 'idle'; readonly keepAlive: string };

/** The header fields that change what a diagram is about; the others are in the wire examples. */
const SHOWN_FIELDS: Readonly<Record<Side, readonly string[]>> = {
  client: ['expect', 'connection', 'transfer-encoding'],
  server: ['connection', 'keep-alive'],
};

const HEAD_END = Buffer.from('\r\n\r\n');

interface Head {
  readonly startLine: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly bodyLength: number;
}

function readHead(text: string, from: Side): Head {
  const [startLine = '', ...fieldLines] = text.split('\r\n');
  const fields = fieldLines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()] as const;
  });
  const field = (name: string): string | undefined => fields.find(([fieldName]) => fieldName.toLowerCase() === name)?.[1];
  if (field('transfer-encoding') !== undefined) throw new Error(`a chunked ${from} message is not drawn: ${startLine}`);
  const interim = from === 'server' && /^HTTP\/1\.1 1\d\d /.test(startLine);
  return { startLine, fields, bodyLength: interim ? 0 : Number(field('content-length') ?? '0') };
}

/** Cuts one side's bytes into heads and body pieces, across writes, by Content-Length. */
class MessageCutter {
  private buffered = Buffer.alloc(0);
  private bodyLeft = 0;
  private current: Head | undefined;

  constructor(private readonly from: Side) {}

  /** The heads and body pieces complete in `bytes` (with what came before): a head with the body bytes that came with it. */
  push(bytes: Buffer): Array<{ head: Head | undefined; bodyBytes: number; complete: boolean }> {
    this.buffered = Buffer.concat([this.buffered, bytes]);
    const pieces: Array<{ head: Head | undefined; bodyBytes: number; complete: boolean }> = [];
    for (;;) {
      if (this.current !== undefined) {
        const taken = Math.min(this.bodyLeft, this.buffered.length);
        if (taken === 0) return pieces;
        this.bodyLeft -= taken;
        this.buffered = this.buffered.subarray(taken);
        pieces.push({ head: undefined, bodyBytes: taken, complete: this.bodyLeft === 0 });
        if (this.bodyLeft === 0) this.current = undefined;
        continue;
      }
      const end = this.buffered.indexOf(HEAD_END);
      if (end === -1) return pieces;
      const head = readHead(this.buffered.subarray(0, end).toString('latin1'), this.from);
      this.buffered = this.buffered.subarray(end + HEAD_END.length);
      const taken = Math.min(head.bodyLength, this.buffered.length);
      this.buffered = this.buffered.subarray(taken);
      this.bodyLeft = head.bodyLength - taken;
      if (this.bodyLeft > 0) this.current = head;
      pieces.push({ head, bodyBytes: taken, complete: this.bodyLeft === 0 });
    }
  }
}

function shownLines(head: Head, from: Side): string[] {
  const shown = head.fields.filter(([name]) => SHOWN_FIELDS[from].includes(name.toLowerCase())).map(([name, value]) => `${name}: ${value}`);
  return [head.startLine, ...shown];
}

/**
 * The steps of a conversation. The client's messages are drawn when they are
 * written, a head without its body as a head (its body follows as a step of
 * its own); the server's when their last byte has come.
 */
export function conversationSteps(transcript: readonly TranscriptEntry[]): ConversationStep[] {
  const cutters = { client: new MessageCutter('client'), server: new MessageCutter('server') };
  const steps: ConversationStep[] = [];
  let writes = 0;
  let pending: Head | undefined;
  let keepAlive: string | undefined;
  for (const entry of transcript) {
    if (entry.kind === 'end') {
      steps.push({ kind: 'end', from: entry.from });
      continue;
    }
    const write = entry.from === 'client' ? ++writes : 0;
    for (const { head, bodyBytes, complete } of cutters[entry.from].push(entry.bytes)) {
      if (entry.from === 'client' && keepAlive !== undefined) steps.push({ kind: 'idle', keepAlive });
      keepAlive = undefined;
      if (entry.from === 'client') {
        if (head === undefined) steps.push({ kind: 'body', from: 'client', bodyBytes, write });
        else steps.push({ kind: 'message', from: 'client', lines: shownLines(head, 'client'), bodyBytes: complete ? bodyBytes : undefined, write });
        continue;
      }
      // An answer is drawn once it is whole.
      pending = head ?? pending;
      if (!complete || pending === undefined) continue;
      steps.push({ kind: 'message', from: 'server', lines: shownLines(pending, 'server'), bodyBytes: pending.bodyLength, write });
      keepAlive = pending.fields.find(([name]) => name.toLowerCase() === 'keep-alive')?.[1];
      pending = undefined;
    }
  }
  return steps;
}
