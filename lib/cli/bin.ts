#!/usr/bin/env node
/**
 * Executable entry point of `c2watch` (package.json `bin`).
 *
 * @module
 */

import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`c2watch: internal error: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
