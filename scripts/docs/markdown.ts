/**
 * Just enough Markdown to HTML for the notes the side-by-side page embeds:
 * headings, paragraphs, lists, block quotes, tables, fenced code, and inline
 * code, links, bold and italics. The notes are ours and markdownlint keeps
 * them regular, so a small renderer is enough and the page needs no library.
 */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A code span, or a link whose text may hold code spans: whichever starts first wins, as in CommonMark. */
const INLINE_TOKEN = /(`+)(.+?)\1|\[((?:[^[\]]|\[[^\]]*\])*)\]\(([^()\s]+)(?:\s+"([^"]*)")?\)/g;

/** Inline Markdown: code spans and links are cut out first, so that nothing inside a code span is markup. */
export function renderInline(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(INLINE_TOKEN)) {
    html += renderEmphasis(text.slice(last, match.index));
    const [whole, , code, label, href, title] = match;
    if (code !== undefined) {
      html += `<code>${escapeHtml(code.trim())}</code>`;
    } else {
      const titleAttribute = title === undefined ? '' : ` title="${escapeHtml(title)}"`;
      html += `<a href="${escapeHtml(href as string)}"${titleAttribute}>${renderInline(label as string)}</a>`;
    }
    last = (match.index ?? 0) + whole.length;
  }
  return html + renderEmphasis(text.slice(last));
}

function renderEmphasis(text: string): string {
  return escapeHtml(text)
    .replace(/\\([\\`*_|[\]])/g, '$1')
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])[*_](\S(?:.*?\S)?)[*_](?=[\s).,;:!?]|$)/g, '$1<em>$2</em>');
}

/** Cells of a table row: split on pipes that are neither escaped nor inside code. */
function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i] as string;
    if (char === '\\' && inner[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (char === '`') {
      inCode = !inCode;
      cell += char;
    } else if (char === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell.trim());
  return cells;
}

const FENCE = /^(`{3,}|~{3,})(\S*)\s*$/;

export function renderMarkdown(markdown: string): string {
  const lines = markdown.split('\n');
  const html: string[] = [];
  let i = 0;
  const isBlank = (line: string | undefined): boolean => line === undefined || line.trim() === '';
  while (i < lines.length) {
    const line = lines[i] as string;
    const fence = FENCE.exec(line.trim());
    if (isBlank(line) || /^<!--.*-->$/.test(line.trim())) {
      i++;
    } else if (fence !== null) {
      const marker = fence[1] as string;
      const code: string[] = [];
      i++;
      while (i < lines.length && (lines[i] as string).trim() !== marker) code.push(lines[i++] as string);
      i++;
      const language = fence[2] === '' ? '' : ` class="language-${escapeHtml(fence[2] as string)}"`;
      html.push(`<pre><code${language}>${escapeHtml(code.join('\n'))}</code></pre>`);
    } else if (/^#{1,6}\s/.test(line)) {
      const level = (/^#+/.exec(line) as RegExpExecArray)[0].length;
      html.push(`<h${level}>${renderInline(line.slice(level).trim())}</h${level}>`);
      i++;
    } else if (line.startsWith('|') && /^\|?\s*:?-+/.test(lines[i + 1] ?? '')) {
      const header = tableCells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && (lines[i] as string).startsWith('|')) rows.push(tableCells(lines[i++] as string));
      html.push(
        '<table><thead><tr>' + header.map((cell) => `<th>${renderInline(cell)}</th>`).join('') + '</tr></thead><tbody>' +
          rows.map((row) => '<tr>' + row.map((cell) => `<td>${renderInline(cell)}</td>`).join('') + '</tr>').join('') +
          '</tbody></table>',
      );
    } else if (/^\s*([-*]|\d+\.)\s/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const current = lines[i] as string;
        if (/^\s*([-*]|\d+\.)\s/.test(current)) items.push(current.replace(/^\s*([-*]|\d+\.)\s+/, ''));
        else items[items.length - 1] += ` ${current.trim()}`;
        i++;
      }
      const tag = ordered ? 'ol' : 'ul';
      html.push(`<${tag}>${items.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${tag}>`);
    } else if (line.startsWith('>')) {
      const quoted: string[] = [];
      while (i < lines.length && (lines[i] as string).startsWith('>')) quoted.push((lines[i++] as string).replace(/^>\s?/, ''));
      html.push(`<blockquote>${renderMarkdown(quoted.join('\n'))}</blockquote>`);
    } else {
      const paragraph: string[] = [];
      while (i < lines.length && !isBlank(lines[i]) && !FENCE.test((lines[i] as string).trim()) && !/^(#{1,6}\s|\||>)/.test(lines[i] as string)) {
        paragraph.push((lines[i++] as string).trim());
      }
      html.push(`<p>${renderInline(paragraph.join(' '))}</p>`);
    }
  }
  return html.join('\n');
}
