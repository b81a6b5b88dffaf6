/**
 * The side-by-side page's one stylesheet, inlined so that the page reads from
 * a file:// URL with nothing fetched. The code colours are for highlight.js's
 * classes; each keeps a contrast of at least 4.5:1 on the code's background
 * (WCAG 2.2, 1.4.3).
 */
export const PAGE_STYLE = `
:root { --ink: #1d232b; --muted: #56606c; --rule: #d5dae0; --paper: #fff; --band: #f3f5f8; --link: #0b57b0;
  --comment: #2c6a3b; --keyword: #8a1f7a; --string: #8a3b00; --number: #0b5c73; --title: #1b4fa0; --added: #e6f4ea; --removed: #fbe9e9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--paper); }
a { color: var(--link); }
img { max-width: 100%; height: auto; }
a:focus-visible, summary:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
header, .prose, .note, main > section > h2, main > section > p { max-width: 62rem; margin-left: auto; margin-right: auto; padding: 0 1rem; }
nav ul { columns: 2; padding-left: 1.2rem; }
.step, .parser, .files, .lessons { border-top: 3px solid var(--ink); margin-top: 2rem; }
.substep, .group, .lesson-diff { margin: 1.5rem 0; }
.substep > h3, .group > h3, .lesson-diff > h3 { max-width: 62rem; margin: 1rem auto 0.25rem; padding: 0 1rem; }
table:not(.code) { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 14px; }
th, td { border: 1px solid var(--rule); padding: 0.25rem 0.5rem; vertical-align: top; text-align: left; }
th { background: var(--band); }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.75rem; padding: 0 0.75rem; align-items: start; }
.column { min-width: 0; border: 1px solid var(--rule); background: var(--band); }
.column h4 { margin: 0; padding: 0.4rem 0.6rem; font-size: 14px; border-bottom: 1px solid var(--rule); background: var(--paper); }
.column p { margin: 0.5rem 0.6rem; color: var(--muted); }
.group > .column, .files .column { margin: 0 0.75rem; }
.scroll { overflow-x: auto; }
table.code { border-collapse: collapse; font: 12.5px/1.45 ui-monospace, monospace; margin: 0; }
table.code td { border: 0; padding: 0 0.5rem; white-space: pre; }
table.code td.n { color: var(--muted); text-align: right; user-select: none; border-right: 1px solid var(--rule); }
table.code tr:target { background: #fff3bf; }
code { font: 0.92em ui-monospace, monospace; background: var(--band); padding: 0 0.2em; }
pre { background: var(--band); padding: 0.5rem; overflow-x: auto; }
pre code { background: none; padding: 0; }
details { margin: 1rem 0.75rem; }
summary { cursor: pointer; font-weight: 600; padding: 0.25rem 0; }
.hljs-comment, .hljs-quote { color: var(--comment); }
.hljs-keyword, .hljs-built_in, .hljs-literal, .hljs-meta { color: var(--keyword); }
.hljs-string, .hljs-regexp, .hljs-template-variable { color: var(--string); }
.hljs-number, .hljs-attr, .hljs-attribute { color: var(--number); }
.hljs-title, .hljs-type, .hljs-class { color: var(--title); }
.hljs-addition { background: var(--added); display: inline-block; width: 100%; }
.hljs-deletion { background: var(--removed); display: inline-block; width: 100%; }
`;
