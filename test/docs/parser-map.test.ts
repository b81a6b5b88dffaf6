/**
 * The parser's map (scripts/docs/parser-map.ts) is read from the parser's
 * source, and reading it checks what the layout promises: every state in one
 * group, in its group's block of numbers, a state changed only by a stepping
 * function, and llhttp names that llhttp has. excerpts.test.ts checks that
 * docs/net-server.md shows the map as it is now.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parserGroupsPicture } from '../../scripts/docs/parser-diagram.js';
import { ParserMapError, readParserMap, renderParserMap } from '../../scripts/docs/parser-map.js';
import { ROOT } from '../../scripts/docs/paths.js';

/**
 * llhttp's node names for a request's path through its machine: NODES in
 * src/llhttp/http.ts, and the nodes of src/llhttp/url.ts, which it names
 * with a `url_` prefix.
 */
const LLHTTP_NAMES = new Set([
  'start', 'after_start', 'start_req', 'after_start_req', 'req_first_space_before_url', 'req_spaces_before_url',
  'req_http_start', 'req_after_http_start', 'req_after_protocol', 'req_http_version', 'req_http_major', 'req_http_dot',
  'req_http_minor', 'req_http_end', 'req_http_complete', 'req_http_complete_crlf', 'req_pri_upgrade', 'headers_start',
  'header_field_start', 'header_field', 'header_field_colon', 'header_field_colon_discard_ws', 'header_field_general',
  'header_field_general_otherwise', 'header_value_discard_ws', 'header_value_discard_ws_almost_done',
  'header_value_discard_lws', 'header_value_start', 'header_value', 'header_value_otherwise', 'header_value_lenient',
  'header_value_relaxed', 'header_value_lenient_failed', 'header_value_lws', 'header_value_te_chunked',
  'header_value_te_chunked_last', 'header_value_te_token', 'header_value_te_token_ows', 'header_value_content_length_once',
  'header_value_content_length', 'header_value_content_length_ws', 'header_value_connection', 'header_value_connection_ws',
  'header_value_connection_token', 'header_value_almost_done', 'headers_almost_done', 'headers_done', 'chunk_size_start',
  'chunk_size_digit', 'chunk_size', 'chunk_size_otherwise', 'chunk_size_almost_done', 'chunk_size_almost_done_lf',
  'chunk_extensions', 'chunk_extension_name', 'chunk_extension_value', 'chunk_extension_quoted_value',
  'chunk_extension_quoted_value_quoted_pair', 'chunk_extension_quoted_value_done', 'chunk_data', 'chunk_data_almost_done',
  'chunk_complete', 'body_identity', 'body_identity_eof', 'message_done', 'eof', 'cleanup', 'closed', 'restart',
  'url_entry_normal', 'url_entry_connect', 'url_start', 'url_path', 'url_query_or_fragment', 'url_schema',
  'url_schema_delim', 'url_server', 'url_query_start', 'url_query', 'url_fragment', 'url_server_with_at',
  'url_to_http', 'url_to_http_09', 'url_skip_to_http', 'url_skip_to_http09', 'url_skip_lf_to_http09',
]);

const PARSER_ENTRY = 'packages/net-server/src/request-parser.ts';

describe('the map of the net server parser', () => {
  const groups = readParserMap(ROOT, PARSER_ENTRY);

  it('has the groups of the grammar, in the order of their numbers', () => {
    expect(groups.map((group) => group.step)).toEqual([
      'stepMessage',
      'stepRequestLine',
      'stepTarget',
      'stepHeaderField',
      'stepHeaderValue',
      'stepSpecialValue',
      'stepBody',
      'stepChunkExtensions',
    ]);
  });

  it('names only states that llhttp has', () => {
    const claimed = groups.flatMap((group) => group.states.flatMap((state) => state.llhttp));
    expect(claimed.filter((name) => !LLHTTP_NAMES.has(name))).toEqual([]);
  });

  it('keeps every stepping function within 120 lines', () => {
    const long = groups.filter((group) => group.lastLine - group.firstLine + 1 > 120).map((group) => group.step);
    expect(long).toEqual([]);
  });
});

describe('readParserMap', () => {
  const root = mkdtempSync(join(tmpdir(), 'parser-map-'));
  mkdirSync(join(root, 'parser'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const entry = [
    "import { stepOne } from './parser/one.js';",
    "import { stepTwo } from './parser/two.js';",
    "import { State } from './parser/states.js';",
  ].join('\n');
  const states = 'export const State = {\n  A: 0x00,\n  B: 0x01,\n  C: 0x10,\n  Failed: 0x04,\n} as const;\n';
  const stepOne = [
    'export function stepOne(p) {',
    '  switch (p.state) {',
    '    case State.A: // llhttp: start',
    '      p.state = State.B;',
    '      break;',
    '    case State.B:',
    '      p.state = State.C;',
    '  }',
    '}',
  ];
  const stepTwo = ['export function stepTwo(p) {', '  switch (p.state) {', '    case State.C:', '      p.state = State.A;', '  }', '}'];

  function write(files: Record<string, string[] | string>): void {
    const all = { 'entry.ts': entry, 'parser/states.ts': states, 'parser/one.ts': stepOne, 'parser/two.ts': stepTwo, ...files };
    for (const [file, text] of Object.entries(all)) writeFileSync(join(root, file), Array.isArray(text) ? text.join('\n') : text);
  }

  it('reads groups, lines, llhttp names and the edges between groups', () => {
    write({});
    const groups = readParserMap(root, 'entry.ts');
    expect(groups).toEqual([
      {
        step: 'stepOne',
        file: 'parser/one.ts',
        firstLine: 1,
        lastLine: 9,
        states: [
          { name: 'A', number: 0, llhttp: ['start'] },
          { name: 'B', number: 1, llhttp: [] },
        ],
        exits: ['C'],
      },
      { step: 'stepTwo', file: 'parser/two.ts', firstLine: 1, lastLine: 6, states: [{ name: 'C', number: 16, llhttp: [] }], exits: ['A'] },
    ]);
    const map = renderParserMap(groups, 'docs/note.md');
    expect(map).toContain('| one | [`stepOne`](../parser/one.ts) in `one.ts` | `A` (`start`), `B` |');
    const picture = parserGroupsPicture(groups);
    expect(picture.description).toContain('The one group (2 states) leads to two (C).');
    expect(picture.description).toContain('The two group (1 state) leads to one (A).');
  });

  const refusals: ReadonlyArray<{ name: string; files: Record<string, string[] | string>; message: RegExp }> = [
    {
      name: 'a-helper-that-sets-the-state',
      files: { 'parser/two.ts': [...stepTwo, 'function helper(p) {', '  p.state = State.B;', '}'] },
      message: /parser\/two\.ts:8: the state changes outside a stepping function/,
    },
    {
      name: 'a-state-in-two-groups',
      files: { 'parser/two.ts': ['export function stepTwo(p) {', '  switch (p.state) {', '    case State.C:', '    case State.B:', '  }', '}'] },
      message: /State\.B is read by both stepOne and stepTwo/,
    },
    {
      name: 'a-state-outside-its-block',
      files: { 'parser/states.ts': states.replace('C: 0x10', 'C: 0x02').replace('B: 0x01', 'B: 0x11') },
      message: /State\.B is outside the block of stepOne's other states/,
    },
    {
      name: 'two-groups-in-one-block',
      files: { 'parser/states.ts': states.replace('C: 0x10', 'C: 0x02') },
      message: /stepOne and stepTwo share a block of state numbers/,
    },
    {
      name: 'a-state-no-step-reads',
      files: { 'parser/states.ts': states.replace('Failed', 'D: 0x05,\n  Failed') },
      message: /State\.D is read by no stepping function/,
    },
    {
      name: 'an-edge-to-an-unknown-state',
      files: { 'parser/two.ts': stepTwo.map((line) => line.replace('State.A;', 'State.Z;')) },
      message: /stepTwo leads to State\.Z, which is not in the list of states/,
    },
  ];
  it.each(refusals)('refuses $name', ({ files, message }) => {
    write(files);
    expect(() => readParserMap(root, 'entry.ts')).toThrow(ParserMapError);
    expect(() => readParserMap(root, 'entry.ts')).toThrow(message);
  });
});
