// beacon.runs and beacon.score through the engine: grouping, windows,
// emission, bounds, and each improvement over RITA next to rita mode.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../lib/analyze.js';
import { Engine } from '../../../lib/engine.js';
import type { Finding, FlowRecord, NameRecord } from '../../../lib/model.js';
import { CORPUS } from '../../helpers/paths.js';
import { T0, beaconTimes, conn, nameRec, poissonTimes, rng, runEngine, score } from './helpers.js';

const H = '10.1.0.50';
const C2 = '203.0.113.66';
const DAY = 86400;
const beacon = ['beacon.score'];

test('a 60 s ±10 % beacon over 24 h: one finding with period, jitter, quartiles, bytes and sub-scores', (t) => {
  const flows = beaconTimes(T0, 60, 0.1, DAY, 11).map((ts) => conn(ts, H, C2, 443));
  const { findings } = runEngine(flows, { rules: beacon });
  t.is(findings.length, 1);
  const f = findings[0]!;
  t.is(f.rule, 'beacon.score');
  t.is(f.technique, 'T1071.001');
  t.deepEqual(f.destination, { ip: [C2], port: [443], domain: [] });
  t.true(f.score >= 0.8, String(f.score));
  t.is(f.severity, 'high');
  const e = f.evidence;
  t.true(Math.abs((e['periodSeconds'] as number) - 60) / 60 < 0.05);
  t.true(Math.abs((e['jitter'] as number) - 0.1) < 0.03);
  for (const k of ['intervalQ1', 'intervalMedian', 'intervalQ3', 'pValue', 'score_periodicity', 'score_regularity', 'score_size', 'score_persistence', 'bytesOutMean', 'bytesInMean', 'connections', 'checkIns', 'hoursActive']) {
    t.true(k in e, k);
  }
  t.is(e['connections'], flows.length);
  t.is(e['hoursActive'], 24);
  t.is(f.first_seen, new Date(Math.round(flows[0]!.ts * 1000)).toISOString());
  t.regex(f.reasons[0]!, /^beacon every (59\.\d|60(\.\d)?) s ±1\d % to 203\.0\.113\.66:443\/tcp/);
});

test('findings come once per pair per window, not per connection; the window count is in the evidence', (t) => {
  const flows = beaconTimes(T0, 120, 0.05, 3 * DAY, 12).map((ts) => conn(ts, H, C2, 80));
  const { findings } = runEngine(flows, { rules: beacon });
  t.is(findings.length, 3);
  t.deepEqual(findings.map((f) => f.evidence['findingNumber']), [1, 2, 3]);
  t.true(findings[1]!.reasons.some((r) => r.includes('still beaconing')));
});

test('a pair that goes quiet is reported before the end of input', (t) => {
  const found: Finding[] = [];
  const e = new Engine({ rules: beacon, onFinding: (f) => found.push(f) });
  for (const ts of beaconTimes(T0, 60, 0.1, 6 * 3600, 13)) e.pushFlow(conn(ts, H, C2, 443));
  // other traffic moves the clock 3 hours on
  for (let i = 0; i < 200; i++) e.pushFlow(conn(T0 + 6 * 3600 + i * 60, '10.1.0.99', '198.51.100.7', 443));
  t.is(found.length, 1, 'emitted when the pair went quiet (4 × the mean interval, at least 1 h)');
  e.flush();
  t.is(found.filter((f) => f.source.ip === H).length, 1);
});

test('random (Poisson) connections are not a beacon; RITA gives them a high score', (t) => {
  const flows = poissonTimes(T0, 120, DAY, 21).map((ts) => conn(ts, H, C2, 443));
  t.deepEqual(runEngine(flows, { rules: beacon }).findings, []);
  const rita = runEngine(flows, { rules: beacon, beacon: { mode: 'rita' } }).findings;
  t.is(rita.length, 1, 'rita mode reports constant-size Poisson traffic');
  t.true(rita[0]!.score >= 0.7, `RITA ${rita[0]!.score}`);
});

test('20 % and 30 % jitter still score high, with the right period and jitter', (t) => {
  for (const [j, seed] of [[0.2, 31], [0.3, 32]] as const) {
    const flows = beaconTimes(T0, 300, j, DAY, seed).map((ts) => conn(ts, H, C2, 443, { origBytes: 300 + Math.floor(rng(seed)() * 40) }));
    const f = runEngine(flows, { rules: beacon }).findings;
    t.is(f.length, 1, `jitter ${j}`);
    t.true(f[0]!.score >= 0.7, `jitter ${j}: ${f[0]!.score}`);
    t.true(Math.abs((f[0]!.evidence['periodSeconds'] as number) - 300) / 300 < 0.05);
    t.true(Math.abs((f[0]!.evidence['jitter'] as number) - j) < 0.06, String(f[0]!.evidence['jitter']));
  }
});

test('whole-second truncation: RITA invents a 1-second beacon from failed retries; default mode drops them', (t) => {
  // A client whose connection attempts fail: 3 SYNs ~1 s apart, again after irregular pauses, for 12 hours.
  const r = rng(41);
  const flows: FlowRecord[] = [];
  for (let ts = T0 + 0.7; ts < T0 + 12 * 3600; ts += 60 + r() * 900) {
    for (let k = 0; k < 3; k++) {
      flows.push(conn(ts + k * (1 + (r() - 0.5) * 0.1), H, C2, 443, { connState: 'S0', origBytes: 0, respBytes: 0, origIpBytes: 60, respIpBytes: 0, history: 'S' }));
    }
  }
  const rita = runEngine(flows, { rules: beacon, beacon: { mode: 'rita' } }).findings;
  t.is(rita.length, 1);
  t.is(rita[0]!.evidence['score_ts'], 1, 'whole-second intervals of 1 s: perfect timestamp score');
  t.true(rita[0]!.score >= 0.7, String(rita[0]!.score));
  const def = runEngine(flows, { rules: beacon });
  t.deepEqual(def.findings, []);
  t.is(def.engine.stats().rules['beacon']!['failedDropped'], flows.length);
  // kept, the sub-second retries merge into irregular check-ins: still no beacon
  t.deepEqual(runEngine(flows, { rules: beacon, beacon: { dropFailed: false } }).findings, []);
});

test('slow beacons: a 6-hourly check-in over 7 days is found (window doubled); RITA\'s 24 h window cannot', (t) => {
  const flows = beaconTimes(T0, 6 * 3600, 0.1, 7 * DAY, 51).map((ts) => conn(ts, H, C2, 443));
  const { findings, engine } = runEngine(flows, { rules: beacon });
  t.true(findings.length >= 1);
  const f = findings[0]!;
  t.true((f.evidence['windowSeconds'] as number) > DAY, `window ${f.evidence['windowSeconds']}`);
  t.true(Math.abs((f.evidence['periodSeconds'] as number) - 21600) / 21600 < 0.05);
  t.true(engine.stats().rules['beacon']!['windowsExtended']! >= 1);
  t.deepEqual(runEngine(flows, { rules: beacon, beacon: { mode: 'rita' } }).findings, [], 'RITA: 4 connections in its 24 h, too few bars');
});

test('prevalence: the same beacon from many hosts scores 0.15 lower, and says why; rita mode ignores it', (t) => {
  const times = beaconTimes(T0, 60, 0.1, 4 * 3600, 61);
  const one = runEngine(times.map((ts) => conn(ts, H, C2, 443)), { rules: beacon }).findings[0]!;
  const many: FlowRecord[] = [];
  for (let h = 1; h <= 12; h++) for (const ts of times) many.push(conn(ts + h * 0.37, `10.1.1.${h}`, C2, 443));
  const fs = runEngine(many, { rules: beacon, beacon: { scoreThreshold: 0.5 } }).findings;
  t.is(fs.length, 12);
  t.true(Math.abs(one.score - 0.15 - fs[0]!.score) < 0.011, `${one.score} vs ${fs[0]!.score}`);
  t.is(fs[0]!.evidence['prevalenceHosts'], 12);
  t.true(fs[0]!.reasons.some((r) => r.includes('12 internal hosts')));
  const ritaOne = runEngine(times.map((ts) => conn(ts, H, C2, 443)), { rules: beacon, beacon: { mode: 'rita' } }).findings[0]!;
  const rita = runEngine(many, { rules: beacon, beacon: { mode: 'rita' } }).findings;
  t.is(rita.length, 12);
  t.true(rita.every((f) => Math.abs(f.score - ritaOne.score) <= 0.02), 'RITA\'s beacon score does not see how common the destination is');
});

test('behind a proxy: CONNECT names find the beacon among the browsing; the proxy address is never the destination', (t) => {
  const PROXY = '10.9.0.1';
  const recs: (FlowRecord | NameRecord)[] = [];
  for (const ts of beaconTimes(T0, 90, 0.2, 12 * 3600, 71)) {
    const f = conn(ts, H, PROXY, 3128);
    recs.push(f, nameRec(ts + 0.01, f, 'c2.bad-example.net:443', 'http', 'CONNECT', true));
  }
  const r = rng(72);
  const sites = ['www.example.com', 'news.example.org', 'cdn.example.net', 'mail.example.com'];
  for (const ts of poissonTimes(T0, 20, 12 * 3600, 73)) {
    const f = conn(ts, H, PROXY, 3128);
    recs.push(f, nameRec(ts + 0.01, f, `${sites[Math.floor(r() * sites.length)]}:443`, 'http', 'CONNECT', true));
  }
  const { findings, engine } = runEngine(recs, { rules: beacon });
  t.is(findings.length, 1);
  const f = findings[0]!;
  t.deepEqual(f.destination.domain, ['c2.bad-example.net']);
  t.deepEqual(f.destination.ip, [PROXY]);
  t.is(f.evidence['proxied'], true);
  t.true(f.reasons.some((x) => x.includes('via proxy 10.9.0.1:3128')));
  t.is(engine.stats().namesJoined, recs.length / 2);
  // rita mode groups CONNECT targets as RITA does (the name keeps its :443)
  const rita = runEngine(recs, { rules: beacon, beacon: { mode: 'rita' } }).findings;
  t.true(rita.some((x) => x.destination.domain[0] === 'c2.bad-example.net:443'));
  t.false(rita.some((x) => x.destination.domain.length === 0));
});

test('a beacon to a name whose addresses rotate: found by name (SNI joined by uid), not by address', (t) => {
  const ips = ['198.51.100.11', '198.51.100.12', '198.51.100.13', '198.51.100.14', '198.51.100.15'];
  const r = rng(81);
  const recs: (FlowRecord | NameRecord)[] = [];
  for (const ts of beaconTimes(T0, 60, 0.1, 6 * 3600, 82)) {
    const f = conn(ts, H, ips[Math.floor(r() * ips.length)]!, 443);
    recs.push(f, nameRec(ts + 0.05, f, 'Updates.Cdn-Example.com', 'tls'));
  }
  const { findings } = runEngine(recs, { rules: beacon });
  t.is(findings.length, 1);
  t.deepEqual(findings[0]!.destination.domain, ['updates.cdn-example.com']);
  t.is(findings[0]!.destination.ip.length, 5);
  t.is(findings[0]!.evidence['key'], 'name');
});

test('beacon.runs: the Elastic seed, 10 connections to one public address on its ports within 24 h', (t) => {
  const ten = Array.from({ length: 10 }, (_, i) => conn(T0 + i * 7000, H, C2, 443));
  const f = runEngine(ten, { rules: ['beacon.runs'] }).findings;
  t.is(f.length, 1);
  t.is(f[0]!.rule, 'beacon.runs');
  t.is(f[0]!.evidence['connections'], 10);
  t.deepEqual(f[0]!.destination.port, [443]);
  t.is(runEngine(ten.slice(1), { rules: ['beacon.runs'] }).findings.length, 0, '9 connections');
  t.is(runEngine(Array.from({ length: 10 }, (_, i) => conn(T0 + i * 10000, H, C2, 443)), { rules: ['beacon.runs'] }).findings.length, 0, '10 over 25 h');
  t.is(runEngine(Array.from({ length: 12 }, (_, i) => conn(T0 + i * 60, H, C2, 22)), { rules: ['beacon.runs'] }).findings.length, 0, 'port 22 is not a seed port');
  t.is(runEngine(Array.from({ length: 12 }, (_, i) => conn(T0 + i * 60, H, '10.2.0.9', 443)), { rules: ['beacon.runs'] }).findings.length, 0, 'not public');
  // a run carries the address's beacon score
  const run = runEngine(beaconTimes(T0, 60, 0.1, 3600, 91).map((ts) => conn(ts, H, C2, 443)), { rules: ['beacon.runs', 'beacon.score'] }).findings;
  const rf = run.find((x) => x.rule === 'beacon.runs')!;
  t.true((rf.evidence['beaconScore'] as number) >= 0.6);
  t.is(rf.evidence['connections'], 60);
});

test('ICMP to a public address is a beacon candidate too', (t) => {
  const flows = beaconTimes(T0, 30, 0.05, 4 * 3600, 101).map((ts) => conn(ts, H, C2, 0, { proto: 'icmp', origP: 8, respP: 0, service: '' }));
  const f = runEngine(flows, { rules: beacon }).findings;
  t.is(f.length, 1);
  t.is(f[0]!.evidence['proto'], 'icmp');
});

test('bounds: pairs per host evicted at a small bound (counted); the busiest pair survives and is found', (t) => {
  const recs: FlowRecord[] = beaconTimes(T0, 60, 0.1, 6 * 3600, 111).map((ts) => conn(ts, H, C2, 443));
  const r = rng(112);
  for (const ts of poissonTimes(T0, 20, 6 * 3600, 113)) recs.push(conn(ts, H, `198.51.100.${Math.floor(r() * 200)}`, 443));
  const { findings, engine } = runEngine(recs, { rules: ['beacon.score', 'beacon.runs'], beacon: { maxPairsPerHost: 16 } });
  const st = engine.stats().rules['beacon']!;
  t.true(st['pairsEvicted']! > 100, JSON.stringify(st));
  t.true(st['runsEvicted']! > 100);
  t.is(st['pairs'], 0, 'all released at flush');
  t.true(score(findings).some((f) => f.destination.ip[0] === C2));
});

test('bounds: the ring keeps maxConnsPerPair connections; counts stay exact past it', (t) => {
  const flows = beaconTimes(T0, 10, 0.05, 6 * 3600, 121).map((ts) => conn(ts, H, C2, 443));
  const f = runEngine(flows, { rules: beacon, beacon: { maxConnsPerPair: 64 } }).findings[0]!;
  t.is(f.evidence['connections'], flows.length);
  t.is(f.evidence['checkIns'], 64);
  t.is(f.evidence['ringOverflow'], true);
});

test('an IP-literal Host for the flow\'s own address is no name: the pair is keyed by address', (t) => {
  const flows = beaconTimes(T0, 60, 0.1, 6 * 3600, 11).map((ts) => conn(ts, H, C2, 80, { serverName: `${C2}:80`, service: 'http' }));
  const f = runEngine(flows, { rules: beacon }).findings[0]!;
  t.is(f.evidence['key'], 'address');
  t.deepEqual(f.destination.domain, []);
});

test('sightings: a destination reached once makes no pair; the second connection makes it with both', (t) => {
  const recs: FlowRecord[] = [];
  for (let d = 0; d < 200; d++) recs.push(conn(T0 + d, H, `203.0.${d >> 8}.${d & 255}`, 443));
  recs.push(conn(T0 + 300, H, '203.0.0.7', 443, { origBytes: 500 }));
  const e = new Engine({ rules: ['beacon.score'] });
  for (const r of recs) e.pushFlow(r);
  e.pushFlow(conn(T0 + 2000, '10.3.0.99', '198.51.100.1', 443)); // the watermark passes
  const s = e.stats().rules['beacon']!;
  t.is(s['firstSightings'], 200);
  t.is(s['pairsCreated'], 1);
  t.is(s['pairs'], 1);
  t.is(s['sightingsPromoted'], 1);
  t.is(s['sightingsHeld'], 199);
  e.flush();
});

test('sightings do not change what beacon.score finds or its evidence', (t) => {
  const flows = beaconTimes(T0, 60, 0.1, 6 * 3600, 7).map((ts, i) => conn(ts, H, C2, 443, { origBytes: 300 + (i % 3) }));
  const withS = runEngine(flows, { rules: beacon }).findings;
  const without = runEngine(flows, { rules: beacon, beacon: { sightingSlots: 0 } }).findings;
  t.is(withS.length, 1);
  t.deepEqual(withS, without);
});

test('sightings: a tiny table loses first sightings (counted); a beacon is still found', (t) => {
  const flows = beaconTimes(T0, 60, 0.1, 6 * 3600, 9).map((ts) => conn(ts, H, C2, 443));
  for (let d = 0; d < 500; d++) flows.push(conn(T0 + d * 7, H, `45.${d >> 8}.${d & 255}.9`, 443));
  flows.sort((a, b) => a.ts - b.ts);
  const e = new Engine({ rules: beacon, beacon: { sightingSlots: 8 } });
  const found: Finding[] = [];
  for (const f of flows) e.pushFlow(f);
  e.flush();
  found.push(...e.drain());
  t.true(e.stats().rules['beacon']!['sightingsOverwritten']! > 0);
  t.is(found.filter((f) => f.rule === 'beacon.score').length, 1);
});

test('bounds: ring slots over all pairs stay within maxRingSlots; refused growth overwrites and is counted', (t) => {
  const flows: FlowRecord[] = [];
  for (let d = 0; d < 10; d++) for (const ts of beaconTimes(T0 + d, 60, 0.05, 6 * 3600, 100 + d)) flows.push(conn(ts, H, `203.0.113.${d + 1}`, 443));
  flows.sort((a, b) => a.ts - b.ts);
  const e = new Engine({ rules: beacon, beacon: { maxRingSlots: 200 } });
  let peak = 0;
  for (const f of flows) {
    e.pushFlow(f);
    peak = Math.max(peak, e.stats().rules['beacon']!['ringSlots']!);
  }
  const s = e.stats().rules['beacon']!;
  t.true(peak <= 200, `peak ${peak}`);
  t.true(s['ringGrowthRefused']! > 0);
  e.flush();
  t.is(e.stats().rules['beacon']!['ringSlots'], 0, 'every slot given back when the pairs go');
  const fs = e.drain().filter((f) => f.rule === 'beacon.score');
  t.true(fs.length > 0);
  t.true(fs.some((f) => f.evidence['ringOverflow'] === true));
});

test('memory stays flat however long the input: 60 days of 40 hosts × 25 pairs', (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  let found = 0;
  const e = new Engine({ rules: ['beacon.score', 'beacon.runs'], maxEventsPerHost: 64, onFinding: () => found++ });
  const heap: number[] = [];
  const f = conn(T0, H, C2, 443);
  let ts = T0;
  for (let i = 0; i < 1_200_000; i++) {
    ts += 4.32; // 60 days over 1.2M connections
    f.ts = ts;
    f.origH = `10.1.2.${i % 40}`;
    f.respH = `198.51.100.${(i * 7) % 25}`;
    f.uid = '';
    e.pushFlow(f);
    if (i === 300_000 || i === 1_199_999) {
      gc?.();
      heap.push(process.memoryUsage().heapUsed);
    }
  }
  e.flush();
  t.true(found > 1000, 'every pair is a (perfect) beacon, once per day');
  t.log(`heap at 15 days ${(heap[0]! / 1e6).toFixed(1)} MB, at 60 days ${(heap[1]! / 1e6).toFixed(1)} MB`);
  if (gc) t.true(heap[1]! < heap[0]! * 1.25 + 4e6, 'heap grew with input');
});

test('options are checked', (t) => {
  t.throws(() => new Engine({ beacon: { mode: 'nope' as never } }), { code: 'C2W_ERR_INVALID_OPTION' } as never);
  t.throws(() => new Engine({ beacon: { window: 10 } }), { code: 'C2W_ERR_INVALID_OPTION' } as never);
  t.throws(() => new Engine({ beacon: { tolerance: 1.5 } }), { code: 'C2W_ERR_INVALID_OPTION' } as never);
  t.deepEqual(new Engine({ rules: ['beacon'] }).rules, ['beacon.runs', 'beacon.score']);
});

const PROXY_ROLLING = join(CORPUS, 'zeek-logs/rita/proxy_rolling');
if (existsSync(PROXY_ROLLING)) {
  test('proxy_rolling: RITA\'s 0.673 "beacon" is a proxy\'s DNS, whole seconds apart; default mode finds no beacon', async (t) => {
    const fs: Finding[] = [];
    for await (const f of analyze(PROXY_ROLLING, { rules: ['beacon.score'] })) fs.push(f);
    t.deepEqual(fs.map((f) => [f.source.ip, f.destination.ip[0], f.destination.domain[0]]), []);
  });
}

test('bounds: pairs over all hosts stay within maxPairs (plus one per host); a host over the budget gives up its own', (t) => {
  const recs: FlowRecord[] = [];
  for (let h = 0; h < 10; h++) for (let d = 0; d < 8; d++) recs.push(conn(T0 + h * 100 + d, `10.3.0.${h + 1}`, `203.0.113.${d + 1}`, 443));
  // sightingSlots 0: every destination is a pair from its first connection, as this test needs.
  const e = new Engine({ rules: ['beacon.score'], beacon: { maxPairs: 20, sightingSlots: 0 } });
  let peak = 0;
  for (const r of recs) {
    e.pushFlow(r);
    if (r.ts % 100 === 7) {
      // let the rules see what arrived (the watermark passes)
      e.pushFlow(conn(r.ts + 700, '10.3.0.99', '198.51.100.1', 443));
      const s = e.stats().rules['beacon']!;
      peak = Math.max(peak, s['pairs']!);
    }
  }
  e.flush();
  const s = e.stats().rules['beacon']!;
  t.true(peak <= 20 + 11, `peak ${peak}`);
  t.true(s['pairsEvicted']! > 0);
});
