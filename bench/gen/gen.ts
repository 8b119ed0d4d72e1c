/**
 * Write a generated pcap and its truth file.
 *
 *   node --import tsx bench/gen/gen.ts --out /tmp/x.pcap --size 1GB [--concurrency 5000] [--hosts 2000]
 *        [--seed 1] [--beacons 5 --period 60 --jitter 0.2] [--multiband 3 --every 30] [--ipv6 0.1] [--vlan 0.1]
 *        [--rate PACKETS_PER_SECOND (default 20000, or 4 × concurrency when more)]
 *
 * The truth (planted hosts, packet and session counts) goes to `<out>.truth.json`.
 *
 * @module
 */

import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateTraffic } from './traffic.js';

function size(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g|kb|mb|gb|)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  const mult = { '': 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9 }[m[2]!.toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

const { values: v } = parseArgs({
  options: {
    out: { type: 'string' },
    size: { type: 'string', default: '100MB' },
    packets: { type: 'string' },
    concurrency: { type: 'string', default: '5000' },
    hosts: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    beacons: { type: 'string', default: '0' },
    period: { type: 'string', default: '60' },
    jitter: { type: 'string', default: '0.2' },
    multiband: { type: 'string', default: '0' },
    every: { type: 'string', default: '30' },
    ipv6: { type: 'string', default: '0.1' },
    vlan: { type: 'string', default: '0.1' },
    payload: { type: 'string', default: '600' },
    rate: { type: 'string' },
  },
});
if (!v.out) {
  console.error('usage: gen.ts --out FILE.pcap [--size 1GB] [--concurrency N] …');
  process.exit(2);
}
const fd = openSync(v.out, 'w');
const t0 = performance.now();
const truth = generateTraffic(
  {
    seed: Number(v.seed),
    bytes: size(v.size!),
    ...(v.packets ? { packets: Number(v.packets) } : {}),
    concurrency: Number(v.concurrency),
    hosts: Number(v.hosts),
    payload: Number(v.payload),
    ...(v.rate ? { rate: Number(v.rate) } : {}),
    ipv6Share: Number(v.ipv6),
    vlanShare: Number(v.vlan),
    beacons: { count: Number(v.beacons), period: Number(v.period), jitter: Number(v.jitter) },
    multiband: { count: Number(v.multiband), every: Number(v.every) },
  },
  (chunk) => {
    writeSync(fd, chunk);
  },
);
closeSync(fd);
writeFileSync(`${v.out}.truth.json`, JSON.stringify(truth, null, 2) + '\n');
const secs = (performance.now() - t0) / 1000;
console.error(`${v.out}: ${truth.packets} packets, ${(truth.bytes / 1e6).toFixed(1)} MB, ${truth.sessions} sessions in ${secs.toFixed(1)} s (${(truth.bytes / 1e6 / secs).toFixed(0)} MB/s)`);
