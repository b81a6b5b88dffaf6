/**
 * The pretty-yaml format, apart from format.ts so that only a server started
 * with --format pretty-yaml loads the yaml library (format.ts, formatterFor).
 */
import { CST, Parser, stringify } from 'yaml';
import type { EventRecord } from './enrich.js';

/**
 * One YAML document per event. Keys keep their order; a string with line breaks
 * is a `|` block scalar, so a prompt or a tool's output reads as it was typed.
 * lineWidth 0: never fold long lines, so nothing is re-wrapped.
 */
export function formatYaml(record: EventRecord): string {
  return (
    '---\n' +
    stringify(record, { blockQuote: 'literal', lineWidth: 0, aliasDuplicateObjects: false })
  );
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
      if (key && CST.isScalar(key)) {
        keys.push({ start: key.offset, end: key.offset + key.source.length });
      }
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
