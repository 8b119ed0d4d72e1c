/**
 * Engine throughput: records pushed through the correlator and the three
 * multiband rules, against the naive alternative (a Map of per-host arrays
 * holding every event, scanned at the end — unbounded, which is the point of
 * the comparison: the engine does more work per record but in bounded memory).
 *
 * Mix: 4096 internal hosts, 64 public web destinations, 1 in 8 flows DNS to a
 * public resolver with its DnsRecord, the rest HTTPS; 100 records/s of stream
 * time, so windows open and close as they would on a real feed.
 *
 * Run: node --import tsx bench/engine.bench.ts [records]
 *
 * @module
 */

import { Engine } from '../lib/engine.js';
import { newDns, newFlow } from '../lib/model.js';
import type { DnsRecord, FlowRecord } from '../lib/model.js';
import { measure, report } from './harness.js';

const N = Number(process.argv[2] ?? 500_000);
const T0 = 1793610000;

const hosts = Array.from({ length: 4096 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
const dsts = Array.from({ length: 64 }, (_, i) => `203.0.113.${i}`);

// Pre-built records, so only the engine is measured.
const flows: FlowRecord[] = [];
const dnss: (DnsRecord | undefined)[] = [];
for (let i = 0; i < N; i++) {
  const f = newFlow();
  f.ts = T0 + i / 100;
  f.origH = hosts[(i * 2654435761) % 4096]!;
  f.origP = 49152 + (i % 16384);
  const isDns = i % 8 === 0;
  f.respH = isDns ? '8.8.8.8' : dsts[(i >> 3) & 63]!;
  f.respP = isDns ? 53 : 443;
  f.proto = isDns ? 'udp' : 'tcp';
  f.service = isDns ? 'dns' : 'ssl';
  f.connState = 'SF';
  flows.push(f);
  if (isDns) {
    const d = newDns();
    d.ts = f.ts;
    d.origH = f.origH;
    d.respH = '8.8.8.8';
    d.query = `www${i & 255}.example.com`;
    d.qtype = 1;
    d.rcode = 0;
    d.answers = [dsts[(i >> 3) & 63]!];
    d.ttls = [300];
    dnss.push(d);
  } else dnss.push(undefined);
}

function engineRun(): void {
  const e = new Engine({ onFinding: () => {} });
  for (let i = 0; i < N; i++) {
    e.pushFlow(flows[i]!);
    const d = dnss[i];
    if (d !== undefined) e.pushDns(d);
  }
  e.flush();
}

function naiveRun(): void {
  const byHost = new Map<string, { ts: number; dst: string; port: number }[]>();
  for (let i = 0; i < N; i++) {
    const f = flows[i]!;
    let list = byHost.get(f.origH);
    if (!list) byHost.set(f.origH, (list = []));
    list.push({ ts: f.ts, dst: f.respH, port: f.respP });
  }
  let pairs = 0;
  for (const list of byHost.values()) {
    list.sort((a, b) => a.ts - b.ts);
    let dnsTs = -Infinity;
    for (const e of list) {
      if (e.port === 53) dnsTs = e.ts;
      else if (e.ts - dnsTs <= 600) pairs++;
    }
  }
  if (pairs < 0) throw new Error('unreachable');
}

const results = [
  await measure('Engine (3 multiband rules, bounded)', engineRun, { units: N, unit: 'records', runs: 3 }),
  await measure('naive Map of arrays, sequence only', naiveRun, { units: N, unit: 'records', runs: 3 }),
];
report(`engine: ${N} flows (+${N / 8} DNS records), 4096 hosts`, results, 'naive Map of arrays, sequence only', 'records');
