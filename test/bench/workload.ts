/**
 * The requests the benchmark sends: the recorded Claude Code traffic in
 * packages/conformance/traffic, replayed with the headers its senders used, plus a
 * few large PostToolUse bodies (a Read of a long file), which real sessions
 * send often but the short recorded sessions do not.
 */
import { readFileSync } from 'node:fs';
import { SESSIONS, trafficFile, type Session } from '@hook-observatory/conformance/traffic';

/** How hooks reach a server: Claude Code's native HTTP hooks, or a curl command hook. */
export type Sender = 'native' | 'curl';

export interface BenchRequest {
  readonly path: string;
  readonly event: string;
  /** The recorded headers, without those every client sets itself (Host, Content-Length, Connection). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

interface RecordedLine {
  readonly transport: 'tcp' | 'unix';
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly bodyBase64: string;
}

const CLIENT_SET_HEADERS = new Set(['host', 'content-length', 'connection']);

/**
 * Sizes of the file a synthetic Read returns. Claude Code's Read tool returns
 * up to 2,000 lines of a file, so tens of kilobytes is an ordinary PostToolUse;
 * the largest recorded one is 1.3 KB.
 */
export const LARGE_READ_BYTES = [4 * 1024, 16 * 1024, 64 * 1024] as const;
/** Recorded requests between two large ones, so that they spread through the mix. */
const LARGE_READ_SPACING = 30;

/** The mix one sender produces, in the order the sessions sent it. */
export function requestMix(sender: Sender): BenchRequest[] {
  const recorded = SESSIONS.flatMap((session) => readSession(session)).filter(
    (request) =>
      senderOf(request) === sender && (sender === 'native' || request.transport === 'tcp'),
  );
  const requests = recorded.map(toBenchRequest);
  const firstPostToolUse = requests.find((request) => request.event === 'PostToolUse');
  if (firstPostToolUse === undefined) throw new Error('the recorded traffic holds no PostToolUse');
  // Each large body follows a recorded PostToolUse, at least LARGE_READ_SPACING requests after the last.
  const mix: BenchRequest[] = [];
  let largeIndex = 0;
  for (const request of requests) {
    mix.push(request);
    const size = LARGE_READ_BYTES[largeIndex];
    if (
      request.event === 'PostToolUse' &&
      size !== undefined &&
      mix.length > largeIndex * LARGE_READ_SPACING
    ) {
      mix.push(largeRead(firstPostToolUse, size));
      largeIndex++;
    }
  }
  return mix;
}

export function describeMix(mix: readonly BenchRequest[]): {
  requests: number;
  meanBodyBytes: number;
  maxBodyBytes: number;
} {
  const sizes = mix.map((request) => request.body.length);
  return {
    requests: mix.length,
    meanBodyBytes: Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length),
    maxBodyBytes: Math.max(...sizes),
  };
}

function readSession(session: Session): RecordedLine[] {
  const text = readFileSync(trafficFile(session), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedLine);
}

function senderOf(line: RecordedLine): Sender {
  const agentIndex = line.rawHeaders.findIndex(
    (name, index) => index % 2 === 0 && name.toLowerCase() === 'user-agent',
  );
  return line.rawHeaders[agentIndex + 1]?.startsWith('curl/') === true ? 'curl' : 'native';
}

function toBenchRequest(line: RecordedLine): BenchRequest {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < line.rawHeaders.length; index += 2) {
    const name = line.rawHeaders[index] as string;
    if (!CLIENT_SET_HEADERS.has(name.toLowerCase())) {
      headers[name] = line.rawHeaders[index + 1] as string;
    }
  }
  return {
    path: line.url,
    event: new URL(line.url, 'http://localhost').searchParams.get('event') ?? '',
    headers,
    body: Buffer.from(line.bodyBase64, 'base64'),
  };
}

/**
 * A PostToolUse for a Read of a `size`-byte file, on a recorded PostToolUse's
 * session fields. The file is the start of the recorded traffic itself: real
 * text, with quotes and backslashes to escape, and the same on every run.
 */
function largeRead(template: BenchRequest, size: number): BenchRequest {
  const recorded = JSON.parse(template.body.toString('utf8')) as Record<string, unknown>;
  const content = readFileSync(trafficFile('full'), 'utf8').slice(0, size);
  const filePath = '/home/dev/project/logs/hooks.jsonl';
  const lines = content.split('\n').length;
  const payload = {
    session_id: recorded['session_id'],
    transcript_path: recorded['transcript_path'],
    cwd: recorded['cwd'],
    permission_mode: recorded['permission_mode'],
    hook_event_name: 'PostToolUse',
    tool_name: 'Read',
    tool_input: { file_path: filePath },
    tool_response: {
      type: 'text',
      file: { filePath, content, numLines: lines, startLine: 1, totalLines: lines },
    },
    tool_use_id: `toolu_bench_read_${size}`,
    duration_ms: 3,
  };
  return { ...template, body: Buffer.from(JSON.stringify(payload), 'utf8') };
}
