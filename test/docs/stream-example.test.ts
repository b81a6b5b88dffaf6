/**
 * The stream's opening as docs/net-server.md section 5b shows it: the first
 * chunk's size line must be the size of the hello message the servers send
 * (core/src/stream.ts), which grows with every hook event name added.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RETRY_MS } from '@hook-observatory/core';
import { STREAM_KINDS } from '@hook-observatory/core/internal/stream';
import { DOCS_DIR } from '../../scripts/docs/paths.js';
import { STREAM_INSTANCE } from '@hook-observatory/conformance/cases/stream';

const note = readFileSync(join(DOCS_DIR, 'net-server.md'), 'utf8');
const section = note.slice(note.indexOf('## 5b. Stream'), note.indexOf('## 6. '));

/** The hello as the conformance suite's servers send it, instance fixed. */
const hello = Buffer.from(
  `retry: ${RETRY_MS}\nevent: hello\ndata: ${JSON.stringify({ instance: STREAM_INSTANCE, oldest: 1, next: 1, kinds: STREAM_KINDS })}\n\n`,
  'utf8',
);

describe('the stream example in net-server.md', () => {
  it('frames the hello with its real size', () => {
    const sizeLine = /\r?\n\r?\n([0-9a-f]+)\r?\nretry: /.exec(section)?.[1];
    expect(sizeLine).toBe(hello.length.toString(16));
  });

  it('shows the hello the servers send, its kinds cut short', () => {
    const shown = /data: (\{"instance".*)\n/.exec(section)?.[1] ?? '';
    expect(hello.toString('utf8')).toContain(shown.slice(0, shown.indexOf('…')));
  });
});
