/** pnpm docs:html: write docs/side-by-side.html from the two servers and docs/side-by-side.md. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPage, HTML_PATH, readPageInput } from './html.js';
import { ROOT } from './paths.js';

writeFileSync(join(ROOT, HTML_PATH), buildPage(readPageInput()));
process.stdout.write(`wrote ${HTML_PATH}\n`);
