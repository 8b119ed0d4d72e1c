/**
 * The correlator's host table: lru-cache get / set with the real HostState
 * objects, configured exactly as the Engine configures it (max, ttl on a
 * stream-time `perf` clock, ttlResolution 0, updateAgeOnGet, a dispose that
 * releases the host's DNS answers), against a plain Map — unbounded (what one
 * writes first), and bounded by hand (delete + re-set on a hit, evict the
 * first key when full: the usual Map-as-LRU).
 *
 * Workloads, each a stream of source IPs (strings, as records carry them)
 * with one lookup per record and a HostState created on a miss:
 * - hot: 4096 hosts, all fit (maxHosts 50 000): the hit path;
 * - churn: 250 000 distinct hosts once each, in a 50 000 table: every
 *   lookup a miss and, once full, an eviction; the unbounded Map grows to
 *   250 000 hosts;
 * - 1M distinct hosts, the two bounded tables only: a fresh HostState with
 *   the default rules holds about 4.5 KB of heap, so an unbounded Map of 1M
 *   needs about 4.5 GB and dies at Node's default heap limit (it did).
 * Heap held after a churn run is printed (with --expose-gc), and what an
 * Engine holds per host (heap and typed-array buffers) for quiet hosts
 * (one DNS lookup and three flows each), before and after the rules have
 * seen their events.
 *
 * Run: node --expose-gc --import tsx bench/correlate/hosts.bench.ts [lookups]
 *
 * @module
 */

import { LRUCache } from 'lru-cache';
import { AnswerSlab } from '../../lib/correlate/dns.js';
import { Engine } from '../../lib/engine.js';
import { newDns, newFlow } from '../../lib/model.js';
import { HostState } from '../../lib/correlate/host.js';
import type { HostLimits } from '../../lib/correlate/host.js';
import { BeaconRule } from '../../lib/detect/beacon/rule.js';
import { resolveBeaconOptions } from '../../lib/detect/beacon/options.js';
import { DEFAULT_MULTIBAND } from '../../lib/detect/multiband/features.js';
import { ScoreRule } from '../../lib/detect/multiband/score.js';
import { SequenceRule } from '../../lib/detect/multiband/sequence.js';
import { TimesliceRule } from '../../lib/detect/multiband/timeslice.js';
import { measure, report } from '../harness.js';
import type { BenchResult } from '../harness.js';

const LOOKUPS = Number(process.argv[2] ?? 2_000_000);
const MAX = 50_000;
const CHURN = 250_000;
const MILLION = 1_000_000;

// The engine's defaults (lib/engine.ts) and its default rules' per-host state.
const limits: HostLimits = {
  maxEventsPerHost: 256,
  maxAnswersPerHost: 4096,
  answerBudget: new AnswerSlab(1_000_000),
  queryBudget: { used: 0, max: 1_048_576 },
  nameBudget: { used: 0, max: 262_144 },
  maxQueriesPerHost: 256,
  maxNamesPerHost: 1024,
};
const rules = [
  new SequenceRule(DEFAULT_MULTIBAND),
  new TimesliceRule(DEFAULT_MULTIBAND),
  new ScoreRule(DEFAULT_MULTIBAND),
  new BeaconRule(resolveBeaconOptions(undefined), { runs: false, score: true }),
];
const newHost = (ip: string): HostState => new HostState(ip, limits, rules.map((r) => r.init()));

const ipOf = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

// hot: a skewed stream over 4096 hosts (a few busy ones, many quiet ones), one string per record.
let seed = 7;
const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const hot: string[] = [];
for (let i = 0; i < LOOKUPS; i++) hot.push(ipOf(Math.floor(4096 * rnd() ** 2)));
const million: string[] = [];
for (let i = 0; i < MILLION; i++) million.push(ipOf(i + 1));
const churn = million.slice(0, CHURN);

/** The Engine's table: same options, clock advanced per record like the stream clock. */
function lruTable(): { get(ip: string): HostState; size: number; tick(): void } {
  let clock = 1793610000;
  const c = new LRUCache<string, HostState>({
    max: MAX,
    ttl: 86_400 * 1000,
    updateAgeOnGet: true,
    perf: { now: () => clock * 1000 },
    ttlResolution: 0,
    dispose: (h, _ip, reason) => {
      if (reason === 'evict' || reason === 'expire') h.release();
    },
  });
  return {
    get(ip) {
      let h = c.get(ip);
      if (h === undefined) c.set(ip, (h = newHost(ip)));
      return h;
    },
    get size() {
      return c.size;
    },
    tick() {
      clock += 0.001;
    },
  };
}

function mapTable(): { get(ip: string): HostState; size: number; tick(): void } {
  const m = new Map<string, HostState>();
  return {
    get(ip) {
      let h = m.get(ip);
      if (h === undefined) m.set(ip, (h = newHost(ip)));
      return h;
    },
    get size() {
      return m.size;
    },
    tick() {},
  };
}

function mapLru(): { get(ip: string): HostState; size: number; tick(): void } {
  const m = new Map<string, HostState>();
  return {
    get(ip) {
      let h = m.get(ip);
      if (h !== undefined) {
        m.delete(ip);
        m.set(ip, h);
        return h;
      }
      if (m.size >= MAX) {
        const oldest = m.keys().next().value as string;
        m.get(oldest)!.release();
        m.delete(oldest);
      }
      m.set(ip, (h = newHost(ip)));
      return h;
    },
    get size() {
      return m.size;
    },
    tick() {},
  };
}

const TABLES = { 'lru-cache (engine config)': lruTable, 'Map, unbounded': mapTable, 'Map as LRU (delete+set)': mapLru };

function run(make: () => { get(ip: string): HostState; size: number; tick(): void }, ips: readonly string[]): number {
  const t = make();
  let sink = 0;
  for (let i = 0; i < ips.length; i++) {
    t.tick();
    sink += t.get(ips[i]!).pending;
  }
  return sink + t.size;
}

const hotResults: BenchResult[] = [];
for (const [name, make] of Object.entries(TABLES)) hotResults.push(await measure(name, () => run(make, hot), { units: LOOKUPS, runs: 5 }));
report(`host table, hot: ${LOOKUPS} lookups over 4096 hosts (all fit)`, hotResults, 'Map, unbounded', 'lookups');

const churnResults: BenchResult[] = [];
for (const [name, make] of Object.entries(TABLES)) churnResults.push(await measure(name, () => run(make, churn), { units: CHURN, runs: 3, warmup: 0 }));
// What a miss costs before any table: a fresh HostState with the default rules' state.
churnResults.push(
  await measure('new HostState alone (no table)', () => churn.reduce((a, ip) => a + newHost(ip).pending, 0), { units: CHURN, runs: 3, warmup: 0 }),
);
report(`host table, churn: ${CHURN} distinct hosts once each, table of ${MAX}`, churnResults, 'Map, unbounded', 'lookups');

const bounded = Object.entries(TABLES).filter(([name]) => name !== 'Map, unbounded');
const millionResults: BenchResult[] = [];
for (const [name, make] of bounded) millionResults.push(await measure(name, () => run(make, million), { units: MILLION, runs: 1, warmup: 0 }));
report(`host table, 1M distinct hosts once each, table of ${MAX} (bounded tables only)`, millionResults, 'Map as LRU (delete+set)', 'lookups');

const gc = (globalThis as { gc?: () => void }).gc;
console.log(`\nheap held by the table after the churn run${gc ? '' : ' (run with --expose-gc for exact figures)'}:`);
function held(make: () => { get(ip: string): HostState; size: number; tick(): void }): { hosts: number; bytes: number } {
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const t = make();
  for (let i = 0; i < churn.length; i++) {
    t.tick();
    t.get(churn[i]!);
  }
  gc?.();
  return { hosts: t.size, bytes: process.memoryUsage().heapUsed - before };
}
for (const [name, make] of Object.entries(TABLES)) {
  const { hosts, bytes } = held(make);
  console.log(`  ${name.padEnd(26)} ${String(hosts).padStart(8)} hosts  ${(bytes / 2 ** 20).toFixed(1).padStart(7)} MiB  (${(bytes / hosts).toFixed(0)} B/host)`);
}

// What an Engine holds per quiet host, past its fixed tables: one DNS lookup and three flows (a web pair and the DNS flow),
// hosts 0.2 s apart, so the first ones are past the 600 s reorder window (their events evaluated,
// the rules' state filled) while the last ones still wait. Heap plus typed-array buffers.
function perHost(n: number, evaluated: boolean): { hosts: number; bytes: number; waiting: number } {
  // Findings go to a callback (none are kept); the engine's fixed tables are made before the baseline.
  const e = new Engine({ onFinding: () => {} });
  gc?.();
  gc?.();
  const m0 = process.memoryUsage();
  const T0 = 1_793_610_000;
  for (let i = 0; i < n; i++) {
    const ip = ipOf(i + 1);
    const ts = T0 + i * (evaluated ? 0.2 : 0.001);
    const srv = `93.184.${(i >> 8) & 255}.${i & 255}`;
    e.pushDns(Object.assign(newDns(), { ts, uid: `D${i}`, origH: ip, origP: 40000, respH: '8.8.8.8', respP: 53, proto: 'udp', query: `www${i % 500}.example.com`, qtype: 1, rcode: 0, answers: [srv], ttls: [300] }));
    for (let k = 0; k < 2; k++) {
      e.pushFlow(Object.assign(newFlow(), { ts: ts + 0.1 + k, uid: `C${i}x${k}`, origH: ip, origP: 50000 + k, respH: srv, respP: 443, proto: 'tcp', service: 'ssl', duration: 1, origBytes: 500, respBytes: 4000, connState: 'SF', history: 'ShADadFf', origPkts: 5, origIpBytes: 800, respPkts: 6, respIpBytes: 4400 }));
    }
    e.pushFlow(Object.assign(newFlow(), { ts: ts + 0.15, uid: `Cd${i}`, origH: ip, origP: 40000, respH: '8.8.8.8', respP: 53, proto: 'udp', service: 'dns', duration: 0.01, origBytes: 40, respBytes: 80, connState: 'SF', history: 'Dd', origPkts: 1, origIpBytes: 68, respPkts: 1, respIpBytes: 108 }));
  }
  gc?.();
  gc?.();
  const m1 = process.memoryUsage();
  const s = e.stats();
  return { hosts: s.hosts.active, bytes: m1.heapUsed + m1.arrayBuffers - m0.heapUsed - m0.arrayBuffers, waiting: s.eventsWaiting };
}
console.log(`\nan Engine's state per quiet host (one DNS lookup, three flows), heap + array buffers${gc ? '' : ' (run with --expose-gc for exact figures)'}:`);
for (const evaluated of [false, true]) {
  const { hosts, bytes, waiting } = perHost(20_000, evaluated);
  console.log(`  ${(evaluated ? 'rules have seen most events' : 'events still waiting').padEnd(28)} ${String(hosts).padStart(6)} hosts  ${String(waiting).padStart(6)} events waiting  ${(bytes / hosts).toFixed(0).padStart(5)} B/host`);
}
