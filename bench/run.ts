/**
 * `npm run bench:micro`: every `*.bench.ts` under bench/, one child process
 * each (so one benchmark's heap and JIT state cannot colour the next).
 * Pass a substring to run only matching files: `npm run bench:micro -- zeek`.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', f], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
