/**
 * What a note should say: its text with every generated block (excerpts, the
 * parser's map, wire examples, diagrams) brought up to date. docs:sync writes
 * it; the tests compare it. Region links need no update: they name no lines.
 */
import { readFileSync } from 'node:fs';
import { findBlocks, replaceBlocks } from './blocks.js';
import { renderDiagramBlock } from './diagrams.js';
import { renderExcerpt, RegionSource } from './excerpts.js';
import { readPathFiles, renderFirstUse, type SourceFile } from './first-use.js';
import { readParserMap, renderParserMap } from './parser-map.js';
import { NOTES, notePath, ROOT } from './paths.js';
import { renderLessonDiff } from './lesson-diff.js';
import { renderPathTable } from './path-table.js';
import { renderScoreboard, type Scores } from './scoreboard.js';
import { renderWire, type Captures } from './wire.js';

export interface Note {
  /** The path from the repository root, e.g. `docs/protocol.md`. */
  readonly path: string;
  readonly text: string;
}

export function readNotes(): Note[] {
  return NOTES.map((note) => ({ path: `docs/${note}`, text: readFileSync(notePath(note), 'utf8') }));
}

export function usesWire(note: Note): boolean {
  return findBlocks(note.text, note.path).some((block) => block.kind === 'wire');
}

/** The path table counts the other notes' words as they are on disk: docs:sync writes it after them. */
export function usesPathTable(note: Note): boolean {
  return findBlocks(note.text, note.path).some((block) => block.kind === 'path-table');
}

export function usesScoreboard(note: Note): boolean {
  return findBlocks(note.text, note.path).some((block) => block.kind === 'scoreboard');
}

/**
 * The note as it should be. Excerpts and first uses always; wire examples and sequence
 * diagrams only when `captures` is given (capturing them means running both
 * servers), the scoreboard only when `scores` is (grading every lesson).
 */
export function syncedText(note: Note, regions: RegionSource, captures?: Captures, scores?: Scores): string {
  let pathFiles: SourceFile[] | undefined;
  return replaceBlocks(note.text, note.path, (block) => {
    if (block.kind === 'first-use') return renderFirstUse(block, note.path, (pathFiles ??= readPathFiles(ROOT)));
    if (block.kind === 'excerpt') return renderExcerpt(block, note.path, regions);
    if (block.kind === 'parser-map') return renderParserMap(readParserMap(ROOT, block.args[0] as string), note.path);
    if (block.kind === 'lesson-diff') return renderLessonDiff(block);
    if (block.kind === 'path-table') return renderPathTable(note.text);
    if (block.kind === 'scoreboard') return scores === undefined ? block.body : renderScoreboard(scores);
    if (block.kind === 'diagram') return renderDiagramBlock(block, note.path, captures);
    return captures === undefined ? block.body : renderWire(block, captures);
  });
}

export function newRegionSource(): RegionSource {
  return new RegionSource(ROOT);
}
