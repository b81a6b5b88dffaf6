/**
 * Every wire example in the notes (a request's answer, an event line, a log
 * line) is what the real servers write today. The scenarios run on both
 * servers, which must write the same bytes; the notes must show those bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findBlocks } from '../../scripts/docs/blocks.js';
import { readNotes, syncedText, newRegionSource } from '../../scripts/docs/notes.js';
import { captureAll, differences, type Captures } from '../../scripts/docs/wire.js';
import { SCENARIOS } from '../../scripts/docs/wire-scenarios.js';
import { SEQUENCE_SCENARIOS } from '../../scripts/docs/diagrams.js';

describe('wire examples', () => {
  let captures: Captures;
  const notes = readNotes();
  const regions = newRegionSource();

  beforeAll(async () => {
    captures = await captureAll();
  });

  it('both servers write the same bytes in every scenario (and name themselves in their logs)', () => {
    expect(differences(captures)).toEqual([]);
  });

  it.each(notes.map((note) => [note.path, note] as const))('%s shows what the servers write', (_, note) => {
    expect(syncedText(note, regions, captures).split('\n'), 'run pnpm docs:sync').toEqual(note.text.split('\n'));
  });

  it('every scenario is shown in some note, as bytes or as a sequence diagram', () => {
    const blocks = notes.flatMap((note) => findBlocks(note.text, note.path));
    const drawn = blocks.filter((b) => b.kind === 'diagram').map((b) => SEQUENCE_SCENARIOS[b.args[0] as keyof typeof SEQUENCE_SCENARIOS]);
    const shown = new Set([...blocks.filter((b) => b.kind === 'wire').map((b) => b.args[0]), ...drawn]);
    expect(SCENARIOS.map((scenario) => scenario.name).filter((name) => !shown.has(name))).toEqual([]);
  });

  it('a hook answer is the empty 200 and its event is in the stream', () => {
    const curl = captures.http.get('curl-hook');
    expect(curl?.response).toMatch(/^HTTP\/1\.1 200 OK\n[\s\S]*Content-Length: 0\n[\s\S]*\n\n$/);
    expect(JSON.parse(curl?.event ?? '{}')).toMatchObject({ _event: 'SessionStart', hook_event_name: 'SessionStart' });
  });
});
