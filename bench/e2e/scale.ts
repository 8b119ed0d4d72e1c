/**
 * Scaling: generated pcaps of growing size (default 1, 2 and 4 GB; 8 with
 * `--sizes 1,2,4,8`), each analysed once by `c2watch bench` with default
 * options and a warm page cache. Throughput should stay flat and peak RSS
 * too: the flow table, the host table and every rule's state are bounded, so
 * a capture four times longer needs no more memory.
 *
 * Each pcap is generated in `--dir` (default the OS temp dir, never the
 * repository) with the same seed and mix (bench/gen: 5000 concurrent
 * sessions, 2000 hosts, 5 planted beacons, 3 planted multiband hosts), and
 * deleted after its run unless `--keep`.
 *
 *   node --import tsx bench/e2e/scale.ts [--sizes 1,2,4] [--dir /tmp] [--keep] [--json out.json]
 *
 * @module
 */

import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchReport } from '../../lib/cli/bench.js';
import { bench, generate, mib, rssAt, shown, si } from './common.js';

const { values: v } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,2,4' },
    dir: { type: 'string', default: tmpdir() },
    keep: { type: 'boolean' },
    json: { type: 'string' },
  },
});

const sizes = v.sizes!.split(',').map((s) => Number(s.trim()));
const rows: { gb: number; file: string; command: string; generateSeconds: number; report: BenchReport }[] = [];
for (const gb of sizes) {
  const file = join(v.dir!, `c2watch-scale-${gb}GB.pcap`);
  if (!existsSync(file)) {
    const fs = statfsSync(v.dir!);
    const free = fs.bavail * fs.bsize;
    if (free < gb * 1e9 * 1.2) throw new Error(`not enough space in ${v.dir} for ${gb} GB (${(free / 1e9).toFixed(1)} GB free)`);
  }
  const t0 = performance.now();
  if (!existsSync(file) || statSync(file).size < gb * 1e9 * 0.99) await generate(file, `${gb}GB`);
  const generateSeconds = (performance.now() - t0) / 1000;
  try {
    const args = [file];
    const report = await bench(args);
    rows.push({ gb, file, command: shown(args), generateSeconds, report });
    const r = report.c2watch.runs[0]!;
    console.log(
      `${gb} GB: ${r.wallSeconds.toFixed(1)} s, ${si(r.packets / r.wallSeconds)} packets/s, ${(r.bytes / 1e6 / r.wallSeconds).toFixed(1)} MB/s, ` +
        `${si(r.flows / r.wallSeconds)} flows/s, peak RSS ${mib(r.maxRssBytes)}, peak heap ${mib(r.peakHeapUsedBytes)}, ` +
        `RSS at 25/50/75/100 % ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(r.samples, f))).join(' / ')}, findings ${r.findings.total}, load ${report.machine.loadAverage.join(' ')}`,
    );
  } finally {
    if (!v.keep) rmSync(file, { force: true });
    if (!v.keep) rmSync(`${file}.truth.json`, { force: true });
  }
}
if (v.json !== undefined) writeFileSync(v.json, JSON.stringify(rows, null, 2) + '\n');
