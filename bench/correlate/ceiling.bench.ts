/**
 * The engine's memory ceiling with default options: a stream built to fill
 * every engine-wide bound at once, then the live heap and typed-array
 * backing stores after a full GC.
 *
 * What it fills (default bounds, lib/engine.ts and lib/detect/beacon/options.ts):
 * - hosts: `maxHosts` 50 000, each with the default rules' state;
 * - events waiting for the watermark: `maxEvents` 262 144 (the last reorder
 *   window of the stream is dense);
 * - DNS answers: `maxAnswers` 1 000 000 (20 addresses per host, TTL one day,
 *   so none expires); query ring slots: `maxQueries` 1 048 576;
 * - server names waiting for their flow: `maxNames` 262 144 (names whose flow
 *   never comes, inside the reorder window);
 * - beacon pairs: `maxPairs` 100 000 (2 destinations per host, each reached
 *   40 times) and their ring slots, `maxRingSlots` 4 194 304;
 * - cross-host prevalence: 200 000 destinations.
 * The figure is what an embedder should budget for the engine (the pcap flow
 * table, `maxFlows`, and the reader's buffers come on top: see RESULTS.md).
 *
 * Run: node --expose-gc --import tsx bench/correlate/ceiling.bench.ts [--hosts N]
 *
 * @module
 */

import { parseArgs } from 'node:util';
import { Engine } from '../../lib/engine.js';
import { newDns, newFlow, newName } from '../../lib/model.js';
import type { DnsRecord, FlowRecord, NameRecord } from '../../lib/model.js';

const { values } = parseArgs({ options: { hosts: { type: 'string' } } });
const HOSTS = Number(values.hosts ?? 50_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const T0 = 1_700_000_000;
const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const pub = (i: number): string => `${11 + ((i >> 24) & 127)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function flow(ts: number, origH: string, respH: string, uid: string): FlowRecord {
  return Object.assign(newFlow(), {
    ts, uid, origH, origP: 50000, respH, respP: 443, proto: 'tcp', service: 'ssl', duration: 0.5, origBytes: 300, respBytes: 4000,
    connState: 'SF', history: 'ShADadFf', origPkts: 6, respPkts: 6, origIpBytes: 620, respIpBytes: 4320,
  });
}

function dns(ts: number, origH: string, query: string, answers: string[]): DnsRecord {
  return Object.assign(newDns(), { ts, origH, origP: 50001, respH: '10.0.0.2', respP: 53, proto: 'udp', query, qtype: 1, rcode: 0, answers, ttls: answers.map(() => 86_400) });
}

const engine = new Engine({});
/** V8 heap in use and typed-array backing stores (much engine state lives in typed arrays), after a full GC. */
const heap = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const h0 = heap();
const t0 = performance.now();
let uidN = 0;

// Phase 1 (stream time 0 .. 3000 s): per host 20 DNS answers and 2 beacon destinations × 40 connections.
const PER_HOST_CONNS = 80;
const span = 3000;
const steps = HOSTS * PER_HOST_CONNS;
for (let k = 0; k < steps; k++) {
  const h = k % HOSTS;
  const round = Math.floor(k / HOSTS);
  const ts = T0 + (k / steps) * span;
  const src = ip(h + 256);
  if (round < 20) {
    const a = pub(h * 20 + round);
    engine.pushDns(dns(ts, src, `n${round}.host${h}.example.org`, [a]));
  }
  engine.pushFlow(flow(ts, src, pub(50_000_000 + h * 2 + (round & 1)), `C${(uidN++).toString(36)}`));
}
// Phase 2: names that never meet their flow, inside the reorder window at the end.
const tEnd = T0 + span;
for (let k = 0; k < 300_000; k++) {
  const n: NameRecord = Object.assign(newName(), {
    ts: tEnd + k / 1000, uid: `N${k.toString(36)}`, origH: ip((k % HOSTS) + 256), origP: 50002, respH: pub(90_000_000 + k), respP: 443,
    serverName: `s${k}.example.net`, protocol: 'tls' as const,
  });
  engine.pushName(n);
}
const s = engine.stats();
const h1 = heap();
const ms = performance.now() - t0;
const beacon = s.rules['beacon'] ?? {};
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`Engine memory ceiling, default options, ${HOSTS} hosts (${((steps + HOSTS * 20 + 300_000) / 1e6).toFixed(1)}M records in ${(ms / 1000).toFixed(1)} s)`);
console.log(`  held: hosts ${s.hosts.active}, events waiting ${s.eventsWaiting}, DNS answers ${s.answersHeld}, query slots ${s.querySlots}, names waiting ${s.namesWaiting},`);
console.log(`        beacon pairs ${beacon['pairs']}, ring slots ${beacon['ringSlots']} (growth refused ${beacon['ringGrowthRefused']}), sightings held ${beacon['sightingsHeld']}, prevalence destinations ${s.prevalence.destinations}`);
const m1 = process.memoryUsage();
console.log(`  live heap + array buffers after a full GC: ${mib(h1 - h0)} (engine) of ${mib(h1)} (heap ${mib(m1.heapUsed)}, array buffers ${mib(m1.arrayBuffers)}); RSS ${mib(m1.rss)}; evicted hosts ${s.hosts.evicted}, forced evaluations ${s.forcedEvaluations + s.budgetEvaluations}`);
engine.flush();
console.log(`  after flush: ${mib(heap() - h0)}`);
