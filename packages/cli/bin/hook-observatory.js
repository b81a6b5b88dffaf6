#!/usr/bin/env node
// A committed shim, so that `pnpm install` can link the command before `tsc -b` has built dist/.
import '../dist/main.js';
