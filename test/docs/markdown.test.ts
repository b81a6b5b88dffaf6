/**
 * The notes pass markdownlint with the committed config (as `pnpm lint`
 * checks every Markdown file), and the page's small Markdown renderer turns
 * what the notes use into the right HTML.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderInline, renderMarkdown } from '../../scripts/docs/markdown.js';
import { NOTES, ROOT } from '../../scripts/docs/paths.js';

const run = promisify(execFile);
/** markdownlint over a few files takes about a second; this allows for a busy machine. */
const LINT_TIMEOUT_MS = 60_000;

describe('markdownlint', () => {
  it('finds nothing in the notes', async () => {
    const cli = join(ROOT, 'node_modules/.bin/markdownlint');
    const files = NOTES.map((note) => `docs/${note}`);
    const result = await run(cli, ['--config', '.markdownlint.jsonc', ...files], { cwd: ROOT, timeout: LINT_TIMEOUT_MS }).then(
      () => '',
      (error: { stderr?: string; stdout?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    expect(result).toBe('');
  });
});

describe('renderMarkdown', () => {
  it.each([
    { name: 'code-span-keeps-markup', markdown: '`a *b* <c>`', html: '<code>a *b* &lt;c&gt;</code>' },
    { name: 'link-with-title', markdown: '[x](../a.ts#L1 "region:r")', html: '<a href="../a.ts#L1" title="region:r">x</a>' },
    { name: 'link-text-with-code', markdown: '[the `node:http` server](a.ts)', html: '<a href="a.ts">the <code>node:http</code> server</a>' },
    { name: 'code-span-shows-a-link', markdown: '`[x](y)`', html: '<code>[x](y)</code>' },
    { name: 'bold-and-italic', markdown: '**b** and *i*', html: '<strong>b</strong> and <em>i</em>' },
    { name: 'snake-case-stays', markdown: 'hook_event_name', html: 'hook_event_name' },
  ])('inline $name', ({ markdown, html }) => {
    expect(renderInline(markdown)).toBe(html);
  });

  it.each([
    { name: 'heading', markdown: '### A `b`', html: '<h3>A <code>b</code></h3>' },
    { name: 'paragraph-joins-lines', markdown: 'one\ntwo', html: '<p>one two</p>' },
    { name: 'list', markdown: '- a\n- b\n  more', html: '<ul><li>a</li><li>b more</li></ul>' },
    { name: 'fence', markdown: '```ts\nif (a < b) {}\n```', html: '<pre><code class="language-ts">if (a &lt; b) {}</code></pre>' },
    {
      name: 'table-with-pipe-in-code',
      markdown: '| a | b |\n| --- | --- |\n| `x \\| y` | z |',
      html: '<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td><code>x | y</code></td><td>z</td></tr></tbody></table>',
    },
    { name: 'comment-dropped', markdown: '<!-- excerpt a#b -->\ntext', html: '<p>text</p>' },
    { name: 'quote', markdown: '> **Not yet in the code.**', html: '<blockquote><p><strong>Not yet in the code.</strong></p></blockquote>' },
  ])('block $name', ({ markdown, html }) => {
    expect(renderMarkdown(markdown)).toBe(html);
  });
});
