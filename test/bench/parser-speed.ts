/**
 * The request parser alone: this checkout's against the `--before` one's, on
 * the same bytes, in this process. Every recorded request (workload.ts, both
 * senders) as one read, the way a socket delivers a request a client sends
 * and then waits on. The rounds alternate between the two parsers, and the
 * figure is the median of each round's ratio: the server table shows whether
 * the whole server held its speed, this shows the parser's share directly.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  MAX_CHUNK_EXTENSIONS_BYTES,
  MAX_HEADER_SIZE_BYTES,
  MAX_HEADERS_COUNT,
} from '@hook-observatory/core';
import { MAX_BODY_BYTES } from '@hook-observatory/core/internal/protocol';
import { ROOT } from './paths.js';
import { median } from './stats.js';
import { requestMix, type BenchRequest } from './workload.js';

/** Parsing time before the rounds, for each parser: V8 optimizes the hot loops within the first second. */
const WARM_UP_MS = 1_000;
/** One round of one parser: long enough for the clock, short enough to interleave often. */
const ROUND_MS = 500;
const ROUNDS = 9;
const PARSER_FILE = 'packages/net-server/dist/request-parser.js';

interface ParserModule {
  readonly RequestParser: new (limits: object) => {
    execute(chunk: Buffer): ReadonlyArray<{ readonly kind: string }>;
  };
}

export interface ParserSpeed {
  readonly requests: number;
  readonly bytes: number;
  /** Megabytes parsed per second, median over the rounds. */
  readonly afterMbPerSecond: number;
  readonly beforeMbPerSecond: number;
  /** After over before, median of the rounds' ratios. */
  readonly ratio: number;
  readonly problems: readonly string[];
}

/** A request's bytes as the load client sends them on a kept-alive connection. */
function wireBytes(request: BenchRequest): Buffer {
  let head = `POST ${request.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
  head += `Content-Length: ${request.body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), request.body]);
}

/** Parse every read once on a new connection's parser; the requests it completed. */
function parseAll(module: ParserModule, reads: readonly Buffer[]): number {
  const parser = new module.RequestParser({
    maxHeaderBytes: MAX_HEADER_SIZE_BYTES,
    maxChunkExtensionBytes: MAX_CHUNK_EXTENSIONS_BYTES,
    maxHeadersCount: MAX_HEADERS_COUNT,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  let requests = 0;
  for (const read of reads) {
    for (const output of parser.execute(read)) if (output.kind === 'request') requests++;
  }
  return requests;
}

/** Bytes per millisecond over at least `ms` of whole passes. */
function rate(module: ParserModule, reads: readonly Buffer[], bytes: number, ms: number): number {
  const start = performance.now();
  let passes = 0;
  let elapsed = 0;
  do {
    parseAll(module, reads);
    passes++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (passes * bytes) / elapsed;
}

export async function parserSpeed(beforeDir: string): Promise<ParserSpeed> {
  const load = async (dir: string): Promise<ParserModule> =>
    (await import(pathToFileURL(join(dir, PARSER_FILE)).href)) as ParserModule;
  const after = await load(ROOT);
  const before = await load(beforeDir);
  const reads = [...requestMix('native'), ...requestMix('curl')].map(wireBytes);
  const bytes = reads.reduce((sum, read) => sum + read.length, 0);
  const problems: string[] = [];
  for (const [name, module] of [
    ['this checkout', after],
    ['--before', before],
  ] as const) {
    const parsed = parseAll(module, reads);
    if (parsed !== reads.length) {
      problems.push(`parser of ${name}: ${parsed} requests parsed out of ${reads.length}`);
    }
  }
  rate(after, reads, bytes, WARM_UP_MS);
  rate(before, reads, bytes, WARM_UP_MS);
  const afterRates: number[] = [];
  const beforeRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so that neither always runs in the other's wake.
    const order = round % 2 === 0 ? [after, before] : [before, after];
    const rates = new Map(order.map((module) => [module, rate(module, reads, bytes, ROUND_MS)]));
    afterRates.push(rates.get(after) as number);
    beforeRates.push(rates.get(before) as number);
    ratios.push((rates.get(after) as number) / (rates.get(before) as number));
  }
  const mbPerSecond = (bytesPerMs: number): number => (bytesPerMs * 1000) / 1e6;
  return {
    requests: reads.length,
    bytes,
    afterMbPerSecond: mbPerSecond(median(afterRates)),
    beforeMbPerSecond: mbPerSecond(median(beforeRates)),
    ratio: median(ratios),
    problems,
  };
}
