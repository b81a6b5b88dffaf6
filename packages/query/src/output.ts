/**
 * How rows are printed: an aligned table (fixed widths, so rows stream out
 * as they come and memory stays flat), JSON lines, or CSV (RFC 4180).
 * Colour only on a terminal, and never when NO_COLOR is set (core's wantsColour).
 */
import type { LogEvent } from './filter.js';

export type OutputKind = 'table' | 'json' | 'csv';

export interface Column {
  readonly name: string;
  /** Table width; the last column takes what it needs. */
  readonly width: number;
  readonly value: (row: LogEvent) => string;
}

/** A column with no width of its own (detail, cwd) gets this when another follows it. */
const UNSIZED_COLUMN_WIDTH = 40;
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Colours by meaning: failures red, waiting on someone yellow, done green. */
const COLOURS: ReadonlyArray<[RegExp, string]> = [
  [/Failure|failed|Denied/, RED],
  [/Permission|permission|waiting/, YELLOW],
  [/^(Stop|SessionEnd|ended)$/, GREEN],
];

export function colourOf(text: string): string | undefined {
  return COLOURS.find(([pattern]) => pattern.test(text))?.[1];
}

export class RowWriter {
  private headerDone = false;
  constructor(
    private readonly out: (text: string) => void,
    private readonly kind: OutputKind,
    private readonly columns: readonly Column[],
    private readonly colour: boolean,
  ) {}

  /** One row; `raw` is the log line itself, written as it is for --json. */
  row(row: LogEvent, raw?: Buffer): void {
    if (this.kind === 'json') {
      this.out(
        raw !== undefined ? `${raw.toString('utf8')}\n` : `${JSON.stringify(this.pick(row))}\n`,
      );
      return;
    }
    this.header();
    const cells = this.columns.map((column) => column.value(row));
    if (this.kind === 'csv') {
      this.out(`${cells.map(csvCell).join(',')}\r\n`);
      return;
    }
    const colour = this.colour ? colourOf(cells[1] ?? '') : undefined;
    const line = this.aligned(cells);
    this.out(colour === undefined ? `${line}\n` : `${colour}${line}${RESET}\n`);
  }

  private pick(row: LogEvent): LogEvent {
    return Object.fromEntries(this.columns.map((column) => [column.name, column.value(row)]));
  }

  private header(): void {
    if (this.headerDone) return;
    this.headerDone = true;
    const names = this.columns.map((column) => column.name);
    if (this.kind === 'csv') this.out(`${names.map(csvCell).join(',')}\r\n`);
    else {
      this.out(this.colour ? `${DIM}${this.aligned(names)}${RESET}\n` : `${this.aligned(names)}\n`);
    }
  }

  private aligned(cells: readonly string[]): string {
    return cells
      .map((cell, index) => {
        const width = (this.columns[index] as Column).width || UNSIZED_COLUMN_WIDTH;
        const flat = cell.replace(/\s+/g, ' ');
        if (index === cells.length - 1) return flat;
        return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  }
}

function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
