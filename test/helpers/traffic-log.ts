/**
 * The recorded sessions (packages/conformance/traffic) as a server's --log would
 * hold them: each hook once (the curl command hook over TCP), enriched by
 * core as the servers do, `_ts` the time it arrived.
 */
import { readFileSync } from 'node:fs';
import { enrich } from '@hook-observatory/core';
import { formatJsonLine } from '@hook-observatory/core/internal/format';
import { SESSIONS, trafficFile, type Session } from '@hook-observatory/conformance/traffic';

interface RecordedLine {
  t: string;
  transport: string;
  url: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

export function trafficLog(session: Session): Buffer {
  const text = readFileSync(trafficFile(session), 'utf8');
  const lines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedLine)
    .filter(
      (recorded) =>
        recorded.transport === 'tcp' && recorded.headers['user-agent']?.startsWith('curl/'),
    )
    .map((recorded) =>
      formatJsonLine(
        enrich({
          timestamp: new Date(recorded.t).toISOString(),
          eventFromQuery:
            new URL(recorded.url, 'http://localhost').searchParams.get('event') ?? undefined,
          origin: { transport: 'tcp', address: '127.0.0.1' },
          body: Buffer.from(recorded.bodyBase64, 'base64'),
        }),
      ),
    );
  return Buffer.concat(lines);
}

/** All three sessions in one log, in the order their events arrived. */
export function allTrafficLog(): Buffer {
  const lines = SESSIONS.flatMap((session) =>
    trafficLog(session)
      .toString('utf8')
      .split(/(?<=\n)/)
      .filter((line) => line !== ''),
  );
  return Buffer.from(lines.sort((a, b) => tsOf(a).localeCompare(tsOf(b))).join(''), 'utf8');
}

function tsOf(line: string): string {
  return (JSON.parse(line) as { _ts: string })._ts;
}
