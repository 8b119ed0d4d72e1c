#!/usr/bin/env node
/**
 * Executable entry point of `c2watch` (package.json `bin`).
 *
 * @module
 */

import { setFlagsFromString } from 'node:v8';
import { main } from './main.js';

// V8 lets the old generation grow to up to 4x the live heap between full
// collections when the machine has memory to spare; on a long run that made
// peak RSS follow time, not state (8 GB pcap: 968 MiB RSS over ~250 MiB live).
// The CLI owns its process, so it asks V8 for 2x (measured on that file:
// 707 MiB, 3 % slower). C2WATCH_HEAP_GROWTH=<percent> changes it; =v8 keeps
// V8's own heuristics. The library never sets flags: embedders own theirs.
const growth = process.env.C2WATCH_HEAP_GROWTH ?? '100';
if (growth !== 'v8' && !process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
  const pct = Number(growth);
  if (Number.isInteger(pct) && pct > 0 && pct <= 1000) setFlagsFromString(`--heap-growing-percent=${pct}`);
  else process.stderr.write(`c2watch: C2WATCH_HEAP_GROWTH must be a percent (1-1000) or v8, got "${growth}"; using V8's own\n`);
}

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
