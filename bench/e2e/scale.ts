/**
 * Scaling: generated pcaps of growing size (default 1, 2 and 4 GB; 8 with
 * `--sizes 1,2,4,8`), each analysed once by `c2watch bench` with default
 * options and a warm page cache. Throughput should stay flat and peak RSS
 * too: the flow table, the host table and every rule's state are bounded, so
 * a capture four times longer needs no more memory.
 *
 * Each size is run twice: once for throughput and RSS, once with
 * `--live-heap` under `node --expose-gc` (a full GC every 2 s) for the live
 * set, which RSS alone hides: V8 lets garbage pile up when memory is plenty.
 *
 * Each pcap is generated in `--dir` (default the OS temp dir, never the
 * repository) with the same seed and mix (bench/gen: 5000 concurrent
 * sessions, 2000 hosts, 5 planted beacons, 3 planted multiband hosts), and
 * deleted after its run unless `--keep`.
 *
 * `--rate` sets the generator's packets per second of capture time (default
 * 20 000, bench/gen's default): at 20 000 a 1 GB capture spans 133 s of
 * stream time, shorter than the engine's 600 s reorder window, so every size
 * up to 8 GB is still filling its bounded state; at 2 000 pps the same bytes
 * span ten times longer.
 *
 *   node --import tsx bench/e2e/scale.ts [--sizes 1,2,4] [--rate 20000] [--dir /tmp] [--keep] [--json out.json]
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
    rate: { type: 'string', default: '20000' },
    json: { type: 'string' },
  },
});

const sizes = v.sizes!.split(',').map((s) => Number(s.trim()));
const rows: { gb: number; rate: number; file: string; command: string; generateSeconds: number; report: BenchReport; live: BenchReport }[] = [];
for (const gb of sizes) {
  const file = join(v.dir!, `c2watch-scale-${gb}GB-${v.rate}pps.pcap`);
  if (!existsSync(file)) {
    const fs = statfsSync(v.dir!);
    const free = fs.bavail * fs.bsize;
    if (free < gb * 1e9 * 1.2) throw new Error(`not enough space in ${v.dir} for ${gb} GB (${(free / 1e9).toFixed(1)} GB free)`);
  }
  const t0 = performance.now();
  if (!existsSync(file) || statSync(file).size < gb * 1e9 * 0.99) await generate(file, `${gb}GB`, ['--rate', v.rate!]);
  const generateSeconds = (performance.now() - t0) / 1000;
  try {
    const args = [file];
    const report = await bench(args);
    // A second run that forces a full GC every 2 s: the live set, apart from garbage V8 has not collected.
    const live = await bench(['--live-heap', file], ['--expose-gc']);
    rows.push({ gb, rate: Number(v.rate), file, command: shown(args), generateSeconds, report, live });
    const lh = live.c2watch.runs[0]!.liveHeap ?? [];
    const r = report.c2watch.runs[0]!;
    console.log(
      `${gb} GB: ${r.wallSeconds.toFixed(1)} s, ${si(r.packets / r.wallSeconds)} packets/s, ${(r.bytes / 1e6 / r.wallSeconds).toFixed(1)} MB/s, ` +
        `${si(r.flows / r.wallSeconds)} flows/s, peak RSS ${mib(r.maxRssBytes)}, peak heap ${mib(r.peakHeapUsedBytes)}, ` +
        `RSS at 25/50/75/100 % ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(r.samples, f))).join(' / ')}, findings ${r.findings.total}, ` +
        `live heap at 25/50/75/100 % ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(lh, f))).join(' / ')}, ` +
        `answers held ${r.stateAtEnd.answersHeld}, beacon pairs ${r.stateAtEnd.rules['beacon']?.['pairs'] ?? '-'}, load ${report.machine.loadAverage.join(' ')}`,
    );
  } finally {
    if (!v.keep) rmSync(file, { force: true });
    if (!v.keep) rmSync(`${file}.truth.json`, { force: true });
  }
}
if (v.json !== undefined) writeFileSync(v.json, JSON.stringify(rows, null, 2) + '\n');
