/**
 * Beacon rules: connections/s and memory for 1M connections over 100k
 * (host, destination) pairs, through the engine with only the beacon rules
 * (default mode and rita mode), against the naive alternative: a Map of
 * every pair's timestamps and sizes, scored once at the end (what a batch
 * tool does; unbounded, which is the point of the comparison).
 *
 * Mix: 1000 internal hosts × 100 public destinations each (HTTPS), 1M
 * connections over one day of stream time, 10 per pair on average; one pair
 * per host is a 900 s ± 10 % beacon (96 a day), the rest random times, so
 * windows are scored, beacons emitted and beacon.runs (the seed) fires where
 * 10 random connections fall in the day.
 *
 * Run: node --expose-gc --import tsx bench/detect/beacon.bench.ts [connections]
 *
 * @module
 */

import { Engine } from '../../lib/engine.js';
import { newFlow } from '../../lib/model.js';
import type { FlowRecord } from '../../lib/model.js';
import { ritaBeacon } from '../../lib/detect/beacon/rita.js';
import { measure, report } from '../harness.js';

const N = Number(process.argv[2] ?? 1_000_000);
const HOSTS = 1000;
const PER_HOST = 100;
const T0 = 1793610000;
const SPAN = 86_400;

const hosts = Array.from({ length: HOSTS }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
const dsts = Array.from({ length: HOSTS * PER_HOST }, (_, i) => `${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.7`);

// Pre-built records in time order, so only the detection is measured: pair p of host h is
// dsts[h × 100 + p]; pairs 0 of every host beacon every 900 s ± 10 % (96 a day), the others get
// the remaining connections at random times (about 9 each).
let seed = 12345;
const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const times: number[] = [];
const pairOf: number[] = [];
for (let h = 0; h < HOSTS; h++) {
  for (let t = T0 + rnd() * 900; t < T0 + SPAN; t += 900 * (1 + 0.1 * (2 * rnd() - 1))) {
    times.push(t);
    pairOf.push(h * PER_HOST);
  }
}
while (times.length < N) {
  const h = Math.floor(rnd() * HOSTS);
  times.push(T0 + rnd() * SPAN);
  pairOf.push(h * PER_HOST + 1 + Math.floor(rnd() * (PER_HOST - 1)));
}
const order = Array.from({ length: N }, (_, i) => i).sort((x, y) => times[x]! - times[y]!);
const flows: FlowRecord[] = [];
for (const i of order) {
  const f = newFlow();
  const pair = pairOf[i]!;
  f.ts = times[i]!;
  f.origH = hosts[Math.floor(pair / PER_HOST)]!;
  f.origP = 49152 + (i % 16384);
  f.respH = dsts[pair]!;
  f.respP = 443;
  f.proto = 'tcp';
  f.service = 'ssl';
  f.connState = 'SF';
  f.origBytes = 300 + Math.floor(rnd() * 50);
  f.respBytes = 4000;
  f.origIpBytes = f.origBytes + 400;
  f.respIpBytes = f.respBytes + 400;
  f.duration = 0.2;
  f.uid = '';
  flows.push(f);
}

let findings = 0;
function engineRun(mode: 'default' | 'rita'): Engine {
  const e = new Engine({ rules: ['beacon.score', 'beacon.runs'], beacon: { mode }, onFinding: () => findings++ });
  for (let i = 0; i < N; i++) e.pushFlow(flows[i]!);
  e.flush();
  return e;
}

/** The naive batch: every timestamp and size of every pair in a Map, RITA's score at the end. */
function naiveRun(): number {
  const m = new Map<string, { ts: number[]; bytes: number[] }>();
  for (let i = 0; i < N; i++) {
    const f = flows[i]!;
    const k = `${f.origH}|${f.respH}`;
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = { ts: [], bytes: [] }));
    v.ts.push(Math.trunc(f.ts));
    v.bytes.push(f.origIpBytes);
  }
  let n = 0;
  const min = Math.trunc(flows[0]!.ts);
  const max = Math.trunc(flows[N - 1]!.ts);
  for (const v of m.values()) {
    const r = ritaBeacon(Float64Array.from(v.ts).sort(), Float64Array.from(v.bytes), min, max);
    if (typeof r !== 'string' && r.score >= 0.5) n++;
  }
  return n;
}

function memory(label: string, fn: () => unknown): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let peak = before.heapUsed;
  const timer = setInterval(() => {}, 1000);
  const hold = fn();
  const mid = process.memoryUsage();
  if (mid.heapUsed > peak) peak = mid.heapUsed;
  gc?.();
  const after = process.memoryUsage();
  clearInterval(timer);
  console.log(
    `  ${label.padEnd(26)} heap held after run ${((after.heapUsed - before.heapUsed) / 1e6).toFixed(1).padStart(6)} MB, ` +
      `heap at end of input ${((mid.heapUsed - before.heapUsed) / 1e6).toFixed(1).padStart(6)} MB, arrayBuffers ${((mid.arrayBuffers - before.arrayBuffers) / 1e6).toFixed(1)} MB` +
      `${gc ? '' : ' (run with --expose-gc for exact figures)'}`,
  );
  void hold;
}

const results = [
  await measure('engine, beacon default', () => engineRun('default'), { units: N, runs: 3, warmup: 1 }),
  await measure('engine, beacon rita', () => engineRun('rita'), { units: N, runs: 3, warmup: 1 }),
  await measure('naive Map + RITA at end', () => naiveRun(), { units: N, runs: 3, warmup: 1 }),
];
report(`beacon rules, ${N} connections over ${HOSTS * PER_HOST} pairs (${HOSTS} hosts)`, results, 'naive Map + RITA at end', 'conns');
const pairsPerSec = (r: { rate: number }) => ((r.rate / N) * HOSTS * PER_HOST).toFixed(0);
console.log(`  pairs/s (pairs scored per second of run): default ${pairsPerSec(results[0]!)}, rita ${pairsPerSec(results[1]!)}, naive ${pairsPerSec(results[2]!)}`);

console.log('\nmemory (one run each):');
findings = 0;
let stats: ReturnType<Engine['stats']> | undefined;
memory('engine, beacon default', () => {
  const e = new Engine({ rules: ['beacon.score', 'beacon.runs'], onFinding: () => findings++ });
  for (let i = 0; i < N; i++) e.pushFlow(flows[i]!);
  (globalThis as { gc?: () => void }).gc?.();
  const mid = process.memoryUsage().heapUsed;
  stats = e.stats();
  e.flush();
  return mid;
});
console.log(`  (default mode: ${JSON.stringify(stats?.rules['beacon'])}, ${findings} findings, ${stats?.hosts.active} hosts)`);
memory('naive Map + RITA at end', () => {
  const m = new Map<string, number[]>();
  for (let i = 0; i < N; i++) {
    const f = flows[i]!;
    const k = `${f.origH}|${f.respH}`;
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = []));
    v.push(f.ts, f.origIpBytes);
  }
  return m;
});
