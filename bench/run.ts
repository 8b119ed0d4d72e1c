/**
 * `npm run bench:micro`: every `*.bench.ts` under bench/, one child process
 * each (so one benchmark's heap and JIT state cannot colour the next).
 * Pass a substring to run only matching files: `npm run bench:micro -- zeek`.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';

function find(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.bench.ts') ? [p] : [];
  });
}

const files = find(here).filter((f) => f.includes(filter)).sort();
console.log(`node ${process.version}, ${files.length} benchmark file(s)`);
let failed = 0;
for (const f of files) {
  console.log(`\n# ${relative(here, f)}`);
  // --expose-gc only where a bench calls gc() (memory figures): it is not free. With it, the Zeek
  // decoder bench ran at ~0.5–0.76M rows/s instead of 1.34M on this machine (V8 behaves differently
  // with the flag; users never run with it).
  const flags = /\bgc\b/.test(readFileSync(f, 'utf8')) ? ['--expose-gc'] : [];
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', f], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
