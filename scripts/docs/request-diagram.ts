/**
 * A request's anatomy as a picture: the bytes of the recorded curl hook that
 * protocol.md shows (the wire scenario curl-hook sends them), line by line
 * with each CR LF drawn, and a label beside each part: the request line, the
 * header fields, the empty line that ends the head, and the body with its
 * length. Drawn from the recorded bytes, so that it cannot drift from them;
 * the body's length is counted and must be what Content-Length says.
 */
import { requestBytes, type RecordedRequest } from '@hook-observatory/conformance/traffic';
import type { Picture } from './parser-diagram.js';
import { COLOURS, path, svgDocument, text, textWidth } from './svg.js';

/** Text size of the bytes and of the labels, in px. */
const BYTES_SIZE_PX = 13;
const LABEL_SIZE_PX = 13;
/** Baseline to baseline, in px. */
const LINE_PX = 20;
/** The body is shown in lines of this many bytes: it has no line breaks of its own. */
const BODY_COLUMNS = 60;
/** Margins, the gap between the bytes and the brackets, a bracket's width, in px. */
const MARGIN_PX = 20;
const GAP_PX = 16;
const BRACKET_PX = 8;
/** What a line ending is drawn as. */
const CRLF = '\\r\\n';

interface Part {
  readonly label: string;
  readonly lines: ReadonlyArray<{ readonly bytes: string; readonly crlf: boolean }>;
}

/** The request cut into its parts (RFC 9112 section 2.1): request line, fields, empty line, body. */
function partsOf(bytes: Buffer): Part[] {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd === -1) throw new Error('request anatomy: the request has no empty line');
  const [requestLine = '', ...fields] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const body = bytes.subarray(headEnd + 4).toString('latin1');
  const declared = fields.find((field) => /^content-length:/i.test(field))?.split(':')[1]?.trim();
  if (Number(declared) !== body.length) {
    throw new Error(`request anatomy: Content-Length says ${declared}, the body has ${body.length} bytes`);
  }
  const bodyLines = Array.from({ length: Math.ceil(body.length / BODY_COLUMNS) }, (_, index) => ({
    bytes: body.slice(index * BODY_COLUMNS, (index + 1) * BODY_COLUMNS),
    crlf: false,
  }));
  return [
    { label: 'request line: method, target, version', lines: [{ bytes: requestLine, crlf: true }] },
    { label: `header fields: ${fields.length} lines of Name: value`, lines: fields.map((field) => ({ bytes: field, crlf: true })) },
    { label: 'the empty line: the head ends here', lines: [{ bytes: '', crlf: true }] },
    { label: `body: ${body.length} bytes, as Content-Length says; no line ends it`, lines: bodyLines },
  ];
}

export function requestAnatomyPicture(request: RecordedRequest, host: string): Picture {
  const parts = partsOf(requestBytes(request, host));
  const charPx = textWidth('x', BYTES_SIZE_PX, 'mono');
  const longest = Math.max(...parts.flatMap((part) => part.lines.map((line) => line.bytes.length + (line.crlf ? CRLF.length : 0))));
  const bracketX = MARGIN_PX + longest * charPx + GAP_PX;
  const labelX = bracketX + BRACKET_PX + 8;
  const width = labelX + Math.max(...parts.map((part) => textWidth(part.label, LABEL_SIZE_PX, 'sans'))) + MARGIN_PX;
  const drawn: string[] = [];
  let row = 0;
  for (const part of parts) {
    const top = MARGIN_PX + row * LINE_PX;
    for (const line of part.lines) {
      const y = MARGIN_PX + row * LINE_PX + BYTES_SIZE_PX;
      drawn.push(text({ x: MARGIN_PX, y }, line.bytes, { sizePx: BYTES_SIZE_PX, family: 'mono' }));
      if (line.crlf) {
        const x = MARGIN_PX + line.bytes.length * charPx;
        drawn.push(text({ x, y }, CRLF, { sizePx: BYTES_SIZE_PX, family: 'mono', fill: COLOURS.back }));
      }
      row++;
    }
    const bottom = MARGIN_PX + row * LINE_PX - 4;
    drawn.push(
      path(
        [
          { x: bracketX, y: top + 2 },
          { x: bracketX + BRACKET_PX, y: top + 2 },
          { x: bracketX + BRACKET_PX, y: bottom },
          { x: bracketX, y: bottom },
        ],
        { stroke: COLOURS.server },
      ),
      text({ x: labelX, y: (top + bottom) / 2 + LABEL_SIZE_PX / 3 }, part.label, { sizePx: LABEL_SIZE_PX, family: 'sans', fill: COLOURS.server }),
    );
  }
  const height = MARGIN_PX * 2 + row * LINE_PX;
  const title = "A request's anatomy";
  const description =
    `The bytes of a hook as curl sent it, line by line, each line ending drawn as ${CRLF}. ` +
    parts.map((part) => `${part.label} (${part.lines.length} ${part.lines.length === 1 ? 'line' : 'lines'} shown)`).join('; ') +
    '.';
  return { title, description, svg: svgDocument({ width, height, title, description }, drawn) };
}
