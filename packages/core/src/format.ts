/**
 * Output formats. Each turns one event record into one string that ends in a
 * newline, so that a sink writes an event whole, in one write.
 */
import { CST, Parser, stringify } from 'yaml';
import type { OutputFormat } from './config.js';
import { verbatimPayloadOf, type EventRecord } from './enrich.js';

export type Formatter = (record: EventRecord) => string;

/**
 * One compact JSON object and a newline. When the payload's own text can be
 * reused (enrich.ts, VerbatimPayload), only the metadata is serialized and the
 * payload's members follow as the client sent them.
 */
export function formatJsonLine(record: EventRecord): string {
  const verbatim = verbatimPayloadOf(record);
  if (verbatim === undefined) return JSON.stringify(record) + '\n';
  let line = '{';
  let written = 0;
  for (const key in record) {
    if (written === verbatim.metadataCount) break;
    line += `${written === 0 ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(record[key])}`;
    written++;
  }
  const members = verbatim.text.slice(1);
  const empty = members.trimStart().startsWith('}');
  return `${line}${empty ? '' : ','}${members}\n`;
}

export function formatPrettyJson(record: EventRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

/**
 * One YAML document per event. Keys keep their order; a string with line breaks
 * is a `|` block scalar, so a prompt or a tool's output reads as it was typed.
 * lineWidth 0: never fold long lines, so nothing is re-wrapped.
 */
export function formatYaml(record: EventRecord): string {
  return '---\n' + stringify(record, { blockQuote: 'literal', lineWidth: 0, aliasDuplicateObjects: false });
}

/** ECMA-48 bold on and off: bold keeps the terminal's own colours and theme. */
const BOLD = '\x1b[1m';
const NORMAL_INTENSITY = '\x1b[22m';

/** The YAML document with every mapping key in bold, for a terminal. */
export function formatYamlBoldKeys(record: EventRecord): string {
  const text = formatYaml(record);
  const keys: Array<{ start: number; end: number }> = [];
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      const key = item.key;
      if (key && CST.isScalar(key)) keys.push({ start: key.offset, end: key.offset + key.source.length });
    });
  }
  let out = '';
  let last = 0;
  for (const { start, end } of keys) {
    out += text.slice(last, start) + BOLD + text.slice(start, end) + NORMAL_INTENSITY;
    last = end;
  }
  return out + text.slice(last);
}

/**
 * The formatter for a sink. Colour only for a terminal, and never when the
 * user set NO_COLOR (https://no-color.org: any non-empty value).
 */
export function formatterFor(format: OutputFormat, options: { colour: boolean }): Formatter {
  switch (format) {
    case 'jsonl':
      return formatJsonLine;
    case 'pretty-json':
      return formatPrettyJson;
    case 'pretty-yaml':
      return options.colour ? formatYamlBoldKeys : formatYaml;
  }
}

export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '';
}
