/**
 * NetFlow v9 and IPFIX samples made by a real exporter (softflowd) from a
 * traffic capture this script synthesises, and the findings c2watch
 * reports on them.
 *
 *   node --import tsx samples/make-netflow-samples.ts      # needs softflowd (apt-get install softflowd)
 *
 * Writes into samples/netflow/ (the cwd does not matter):
 *   traffic.pcap          the synthesised packets (Ethernet/IPv4/TCP/UDP, deterministic)
 *   export-v9.pcap        softflowd's NetFlow v9 export datagrams of traffic.pcap
 *   export-ipfix.pcap     the same as IPFIX
 *   expected-v9.ndjson    findings from export-v9.pcap (NetflowCaptureDecoder → NetflowFlows → Engine)
 *   expected-ipfix.ndjson findings from export-ipfix.pcap
 *
 * The traffic (base 2026-11-02T09:00:00Z = 1793610000, two hours):
 * - 10.1.0.50 beacons: an HTTPS connection to 198.51.100.20:443 every
 *   60 s ± 0.5 s, with a DNS query to the public resolver 8.8.8.8 one second
 *   before the first and every 10th connection;
 * - 10.1.0.60 browses: DNS to the site resolver 10.1.0.2, then HTTPS to one
 *   of eight 203.0.113.0/24 servers, at exponential gaps (mean 180 s).
 * softflowd runs with `-a` (times from the capture, not the clock), so the
 * exports carry capture times. The export captures are written with the
 * datagrams' own export time as the packet time, sent from the exporter
 * 10.1.0.1:40000 to a collector at 10.1.0.254:2055.
 *
 * traffic.pcap is deterministic (seeded PRNG, fixed base time); the export
 * captures are as deterministic as softflowd's own output for a given
 * version of softflowd.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetflowCaptureDecoder } from '../lib/decode/netflow/capture.js';
import { Engine } from '../lib/engine.js';
import { NetflowFlows } from '../lib/flow/netflow.js';
import type { Finding } from '../lib/model.js';
import { toNdjsonLine } from '../lib/sinks/ndjson.js';
import { mulberry32 } from '../bench/gen/prng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'netflow');
const BASE = 1_793_610_000;
const LOCAL_NETS = ['10.0.0.0/8'];


// ---- a tiny pcap writer (classic, little-endian, µs, Ethernet) -------------------------------

interface Pkt {
  ts: number;
  frame: Uint8Array;
}

function ip4(s: string): number[] {
  return s.split('.').map(Number);
}

function checksum(b: Uint8Array, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[off + i]! << 8) | (b[off + i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet + IPv4 + TCP (flags) or UDP with `payload` zero bytes. */
function frame(src: string, sport: number, dst: string, dport: number, proto: 6 | 17, payload: number | Uint8Array, flags = 0, seq = 0, ack = 0): Uint8Array {
  const body = typeof payload === 'number' ? new Uint8Array(payload) : payload;
  const l4 = proto === 6 ? 20 : 8;
  const total = 20 + l4 + body.length;
  const b = new Uint8Array(14 + total);
  const dv = new DataView(b.buffer);
  b.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  b[14] = 0x45;
  dv.setUint16(16, total);
  dv.setUint16(20, 0x4000);
  b[22] = 64;
  b[23] = proto;
  b.set(ip4(src), 26);
  b.set(ip4(dst), 30);
  dv.setUint16(24, checksum(b, 14, 20));
  dv.setUint16(34, sport);
  dv.setUint16(36, dport);
  if (proto === 6) {
    dv.setUint32(38, seq >>> 0);
    dv.setUint32(42, ack >>> 0);
    b[46] = 5 << 4;
    b[47] = flags;
    dv.setUint16(48, 65535);
  } else {
    dv.setUint16(38, 8 + body.length);
  }
  b.set(body, 14 + 20 + l4);
  return b;
}

function writePcap(path: string, pkts: Pkt[]): void {
  const size = 24 + pkts.reduce((a, p) => a + 16 + p.frame.length, 0);
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  for (const p of pkts) {
    const s = Math.floor(p.ts);
    dv.setUint32(o, s, true);
    dv.setUint32(o + 4, Math.round((p.ts - s) * 1e6), true);
    dv.setUint32(o + 8, p.frame.length, true);
    dv.setUint32(o + 12, p.frame.length, true);
    b.set(p.frame, o + 16);
    o += 16 + p.frame.length;
  }
  writeFileSync(path, b);
}

// ---- the traffic --------------------------------------------------------------------------

function tcpConn(pkts: Pkt[], t: number, c: string, cp: number, s: string, sp: number, up: number, down: number): void {
  const S = 2;
  const A = 16;
  const P = 8;
  const F = 1;
  pkts.push({ ts: t, frame: frame(c, cp, s, sp, 6, 0, S, 1000) });
  pkts.push({ ts: t + 0.021, frame: frame(s, sp, c, cp, 6, 0, S | A, 5000, 1001) });
  pkts.push({ ts: t + 0.042, frame: frame(c, cp, s, sp, 6, 0, A, 1001, 5001) });
  pkts.push({ ts: t + 0.05, frame: frame(c, cp, s, sp, 6, up, P | A, 1001, 5001) });
  pkts.push({ ts: t + 0.093, frame: frame(s, sp, c, cp, 6, down, P | A, 5001, 1001 + up) });
  pkts.push({ ts: t + 0.11, frame: frame(c, cp, s, sp, 6, 0, F | A, 1001 + up, 5001 + down) });
  pkts.push({ ts: t + 0.131, frame: frame(s, sp, c, cp, 6, 0, F | A, 5001 + down, 1002 + up) });
  pkts.push({ ts: t + 0.152, frame: frame(c, cp, s, sp, 6, 0, A, 1002 + up, 5002 + down) });
}

function dns(pkts: Pkt[], t: number, c: string, cp: number, r: string, q: number, a: number): void {
  pkts.push({ ts: t, frame: frame(c, cp, r, 53, 17, q) });
  pkts.push({ ts: t + 0.024, frame: frame(r, 53, c, cp, 17, a) });
}

function traffic(): Pkt[] {
  const pkts: Pkt[] = [];
  const rb = mulberry32(50);
  let port = 49152;
  for (let i = 0, t = BASE + 30; t < BASE + 7200; i++, t += 60 + (rb() - 0.5)) {
    if (i % 10 === 0) dns(pkts, t - 1, '10.1.0.50', port++, '8.8.8.8', 42, 58);
    tcpConn(pkts, t, '10.1.0.50', port++, '198.51.100.20', 443, 220, 1400);
  }
  const rn = mulberry32(60);
  for (let t = BASE + 5; t < BASE + 7200; t += -Math.log(1 - rn()) * 180) {
    dns(pkts, t, '10.1.0.60', port++, '10.1.0.2', 40, 72);
    const server = `203.0.113.${10 + Math.floor(rn() * 8)}`;
    tcpConn(pkts, t + 0.2, '10.1.0.60', port++, server, 443, 500 + Math.floor(rn() * 1000), 1400);
  }
  pkts.sort((a, b) => a.ts - b.ts);
  return pkts;
}

// ---- softflowd ------------------------------------------------------------------------------

async function exportWith(pcap: string, version: 9 | 10): Promise<Uint8Array[]> {
  const sock = createSocket('udp4');
  const got: Uint8Array[] = [];
  sock.on('message', (m) => got.push(new Uint8Array(m)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  const code = await new Promise<number>((resolve, reject) => {
    // Run from the capture's directory with a bare file name: softflowd exports its -r path as the
    // interface name, and the samples must not carry the path of whoever regenerated them.
    const p = spawn('softflowd', ['-r', basename(pcap), '-n', `127.0.0.1:${port}`, '-v', String(version), '-a', '-d'], { cwd: dirname(pcap), stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.once('error', (e) => reject(new Error(`softflowd: ${e.message} (apt-get install softflowd)`)));
    p.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c ?? -1);
    });
  });
  if (code !== 0) throw new Error(`softflowd exited ${code}`);
  let last = -1;
  for (let i = 0; i < 100 && got.length !== last; i++) {
    last = got.length;
    await new Promise((r) => setTimeout(r, 100));
  }
  sock.close();
  return got;
}

function exportPcap(path: string, datagrams: Uint8Array[]): void {
  const pkts: Pkt[] = datagrams.map((d, i) => {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const secs = dv.getUint16(0) === 10 ? dv.getUint32(4) : dv.getUint32(8);
    return { ts: secs + i * 1e-6, frame: frame('10.1.0.1', 40000, '10.1.0.254', 2055, 17, d) };
  });
  writePcap(path, pkts);
}

function findings(path: string): string {
  const out: Finding[] = [];
  const engine = new Engine({ localNets: LOCAL_NETS, rules: ['all'], onFinding: (f) => out.push(f) });
  const flows = new NetflowFlows({ localNets: LOCAL_NETS, onFlow: (f) => engine.pushFlow(f) });
  const dec = new NetflowCaptureDecoder({ onRecord: (r) => flows.push(r), file: path });
  dec.push(readFileSync(path));
  dec.end();
  flows.flush();
  engine.flush();
  return out.map((f) => toNdjsonLine(f) + '\n').join('');
}

mkdirSync(OUT, { recursive: true });
const trafficPath = join(OUT, 'traffic.pcap');
writePcap(trafficPath, traffic());
for (const [version, name] of [
  [9, 'v9'],
  [10, 'ipfix'],
] as const) {
  const dgs = await exportWith(trafficPath, version);
  const path = join(OUT, `export-${name}.pcap`);
  exportPcap(path, dgs);
  const text = findings(path);
  writeFileSync(join(OUT, `expected-${name}.ndjson`), text);
  console.log(`${path}: ${dgs.length} datagrams, ${text.split('\n').filter((l) => l).length} findings`);
}
