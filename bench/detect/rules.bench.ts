/**
 * Each detector per record: the same records through the Engine with one
 * `rules:` selection at a time — no rule (the correlator alone: clock,
 * host table, event ring, DNS answers, prevalence), each multiband rule
 * alone, the three together, beacon.score alone (default and rita mode),
 * beacon.runs alone, the default set and `all` — so a rule's cost per
 * record is its line minus the no-rule line.
 *
 * Mix (what a pcap or conn.log of an office gives the engine): 4096
 * internal hosts; 1 record in 8 a DNS lookup with its DnsRecord (answers)
 * to the site's resolver 10.0.0.53 (one host in 64 uses 8.8.8.8, so the
 * multiband seed rules fire on those, as they do on real networks), the rest
 * HTTPS/HTTP to 2048 public servers, one in 16 with a server name; hosts
 * 0..63 also beacon to one server every 60 s ± 20 %. 50 records/s of stream time, so multiband windows open and
 * close and beacon windows are scored at the end (flush).
 *
 * Run: node --expose-gc --import tsx bench/detect/rules.bench.ts [records]
 *
 * @module
 */

import { Engine } from '../../lib/engine.js';
import type { EngineOptions } from '../../lib/engine.js';
import { newDns, newFlow } from '../../lib/model.js';
import type { DnsRecord, FlowRecord } from '../../lib/model.js';
import { measure, report } from '../harness.js';
import type { BenchResult } from '../harness.js';

const N = Number(process.argv[2] ?? 300_000);
const T0 = 1793610000;
const RATE = 50;

let seed = 99;
const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const hosts = Array.from({ length: 4096 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
const servers = Array.from({ length: 2048 }, (_, i) => `${[198, 203, 93, 151][i & 3]}.${51 + (i >> 10)}.${(i >> 2) & 255}.${10 + (i & 3)}`);
const beaconServer = (h: number): string => `203.0.113.${200 + (h & 31)}`;

type Rec = { flow: FlowRecord; dns: DnsRecord | undefined };
const recs: Rec[] = [];
const beaconNext = Array.from({ length: 64 }, () => T0 + rnd() * 60);
for (let i = 0; i < N; i++) {
  const ts = T0 + i / RATE;
  const f = newFlow();
  f.ts = ts;
  f.uid = `C${i.toString(36)}`;
  f.origP = 49152 + (i & 16383);
  f.connState = 'SF';
  f.duration = 0.3;
  let d: DnsRecord | undefined;
  // A due beacon replaces this record.
  let b = -1;
  for (let k = 0; k < 64; k++) {
    if (beaconNext[k]! <= ts) {
      b = k;
      beaconNext[k] = ts + 60 * (0.8 + 0.4 * rnd());
      break;
    }
  }
  if (b >= 0) {
    f.origH = hosts[b]!;
    f.respH = beaconServer(b);
    f.respP = 80;
    f.proto = 'tcp';
    f.service = 'http';
    f.serverName = `c2-${b}.beacon-example.info`;
    f.origBytes = 310;
    f.respBytes = 120;
  } else {
    const h = Math.floor(4096 * rnd() ** 1.5);
    const s = Math.floor(2048 * rnd() ** 2);
    f.origH = hosts[h]!;
    if (i % 8 === 0) {
      const resolver = h % 64 === 5 ? '8.8.8.8' : '10.0.0.53';
      f.respH = resolver;
      f.respP = 53;
      f.proto = 'udp';
      f.service = 'dns';
      f.origBytes = 40;
      f.respBytes = 56;
      d = newDns();
      d.ts = ts;
      d.uid = f.uid;
      d.origH = f.origH;
      d.respH = resolver;
      d.query = `www${s & 63}.site${s}.example.com`;
      d.qtype = 1;
      d.rcode = 0;
      d.answers = [servers[s]!];
      d.ttls = [300];
    } else {
      f.respH = servers[s]!;
      f.respP = rnd() < 0.8 ? 443 : 80;
      f.proto = 'tcp';
      f.service = f.respP === 443 ? 'ssl' : 'http';
      if (i % 16 === 1) f.serverName = `www${s & 63}.site${s}.example.com`;
      f.origBytes = Math.floor(200 + 2000 * rnd());
      f.respBytes = Math.floor(1000 + 50_000 * rnd());
    }
  }
  f.origIpBytes = f.origBytes + 200;
  f.respIpBytes = f.respBytes + 200;
  recs.push({ flow: f, dns: d });
}
const records = N + recs.filter((r) => r.dns !== undefined).length;

const findings: Record<string, number> = {};
function run(key: string, rules: string[], extra: Partial<EngineOptions> = {}): () => void {
  return () => {
    let n = 0;
    const e = new Engine({ ...extra, rules, onFinding: () => void n++ });
    for (let i = 0; i < N; i++) {
      const r = recs[i]!;
      e.pushFlow(r.flow);
      if (r.dns !== undefined) e.pushDns(r.dns);
    }
    e.flush();
    findings[key] = n;
  };
}

const CASES: [string, string[], Partial<EngineOptions>?][] = [
  ['no rule (correlator alone)', []],
  ['multiband.sequence', ['multiband.sequence']],
  ['multiband.timeslice', ['multiband.timeslice']],
  ['multiband.score', ['multiband.score']],
  ['multiband (all three)', ['multiband']],
  ['beacon.score (default mode)', ['beacon.score']],
  ['beacon.score (rita mode)', ['beacon.score'], { beacon: { mode: 'rita' } }],
  ['beacon.runs', ['beacon.runs']],
  ['default set (all but beacon.runs)', ['multiband', 'beacon.score']],
  ['all', ['all']],
];

const results: BenchResult[] = [];
for (const [name, rules, extra] of CASES) results.push(await measure(name, run(name, rules, extra), { units: records, runs: 3, warmup: 1 }));
report(`rules, one selection at a time: ${N} flows + ${records - N} DNS records, 4096 hosts`, results, 'no rule (correlator alone)', 'records');

const base = results[0]!.rate;
console.log('\n  per-record cost over the correlator alone, and findings of one run:');
for (let i = 0; i < CASES.length; i++) {
  const name = CASES[i]![0];
  const r = results[i]!;
  const ns = 1e9 / r.rate - 1e9 / base;
  console.log(`  ${name.padEnd(34)} ${i === 0 ? `${(1e9 / base).toFixed(0).padStart(5)} ns/record` : `${ns >= 0 ? '+' : ''}${ns.toFixed(0).padStart(4)} ns/record`}  findings ${findings[name]}`);
}
