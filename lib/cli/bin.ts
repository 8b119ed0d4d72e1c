#!/usr/bin/env node
/**
 * Executable entry point of `c2watch` (package.json `bin`).
 *
 * @module
 */

import { main } from './main.js';

// `c2watch … | head`: the reader went away; that is the end of the output, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`c2watch: internal error: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
