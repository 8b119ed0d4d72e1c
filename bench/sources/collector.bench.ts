/**
 * What the live collector holds on loopback: a second process sends NetFlow
 * v9 datagrams (30 records each) paced at increasing rates, 2 s each
 * (bounded count); for each rate we report what was sent (the rate the
 * sender really achieved), read, decoded and paired, every drop (our queue,
 * the kernel's socket buffer, datagrams never read), never hiding them, and
 * the CPU this process spent per datagram; then the highest rate held
 * without a drop.
 *
 * Three receivers, in the same run:
 * - `bare dgram`: a node:dgram socket whose handler only counts, the
 *   ceiling of any Node receiver on this machine (the naive alternative);
 * - `decode only`: the collector with `onRecord` (decode, no pairing);
 * - `decode + pairing`: the collector with `onFlow` (NetflowFlows).
 *
 * Sender and receiver share the machine: on loopback the kernel does most
 * of the delivery work in the sender's system calls, and a Node sender
 * spends a whole core near 150k datagrams/s. `C2W_BENCH_SENDER=c` compiles
 * a small C sender (sendmmsg, sleeps between 1 ms bursts) with `cc` when
 * one is installed, to offer rates the Node sender cannot.
 *
 * Run: `node --expose-gc --import tsx bench/sources/collector.bench.ts`
 * (or `npm run bench:micro -- collector`). `C2W_ONLY_PAIR=1` runs only the
 * decode + pairing half; `C2W_BENCH_DATAGRAMS` caps datagrams per rate;
 * `C2W_BENCH_RATES=100000,200000` picks the rates; `C2W_BENCH_MODES=bare,decode,pair`
 * the receivers.
 *
 * @module
 */

import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector } from '../../lib/sources/collector.js';
import { dataRecords, templateRecord, v9 } from '../../test/decode/netflow/craft.js';

const COUNT = Number(process.env['C2W_BENCH_DATAGRAMS'] ?? 400_000);
const SECONDS = 2;
const RATES = (process.env['C2W_BENCH_RATES'] ?? '10000,25000,50000,75000,100000,125000,150000,175000,200000').split(',').map(Number);
const PER = 30;
const SECS = 1_700_000_000;
type Mode = 'bare' | 'decode' | 'pair';
const MODES: Mode[] = process.env['C2W_ONLY_PAIR'] ? ['pair'] : ((process.env['C2W_BENCH_MODES'] ?? 'bare,decode,pair').split(',') as Mode[]);
const LABEL: Record<Mode, string> = { bare: 'bare dgram', decode: 'decode only', pair: 'decode + pairing' };

const T = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [1, 4], [2, 4], [22, 4], [21, 4]] as const;
// 15 connections, each as its request and reply record; the sender gives every datagram fresh client ports.
const rows = [];
for (let i = 0; i < PER / 2; i++) {
  rows.push([[`10.0.${i}.1`, 4], ['203.0.113.7', 4], [40000, 2], [443, 2], [6, 1], [0x1b, 1], [800, 4], [6, 4], [9000, 4], [9500, 4]] as const);
  rows.push([['203.0.113.7', 4], [`10.0.${i}.1`, 4], [443, 2], [40000, 2], [6, 1], [0x1b, 1], [9000, 4], [8, 4], [9001, 4], [9500, 4]] as const);
}
const tpl = v9({ uptime: 10_000, secs: SECS }, [{ id: 0, body: templateRecord(256, T) }]);
const data = v9({ uptime: 10_000, secs: SECS }, [{ id: 256, body: dataRecords(rows) }]);

// The Node sender: plain JS in a child process, paced at `rate` datagrams/s (bursts every ms) for `count` datagrams.
// Connected socket, no callback per send (Node then sends synchronously), datagrams prebuilt: sending allocates nothing.
// Fresh client ports per datagram: record 2k at 24 + 60k (source port +8), its reply at 24 + 60k + 30 (destination port +10);
// the port pattern repeats every 12 800 datagrams (64 000 ports / 5), so one cycle is built in advance.
const SENDER = `
const dgram = require('node:dgram');
const [port, count, rate, tplHex, dataHex] = process.argv.slice(1);
const tpl = Buffer.from(tplHex, 'hex'), data = Buffer.from(dataHex, 'hex');
const CYCLE = 12800, bufs = [];
for (let j = 0; j < CYCLE; j++) {
  const m = Buffer.from(data);
  for (let k = 0; k < 15; k++) {
    const p = 1024 + ((j * 15 + k) % 64000);
    m.writeUInt16BE(p, 24 + 60 * k + 8);
    m.writeUInt16BE(p, 24 + 60 * k + 30 + 10);
  }
  bufs.push(m);
}
const s = dgram.createSocket('udp4');
const total = Number(count), perMs = Number(rate) / 1000;
let sent = 0, errors = 0, t0 = 0n;
s.on('error', () => errors++);
const done = (e) => {
  if (e) errors++;
  s.close();
  process.stdout.write(JSON.stringify({ sent, errors, secs: Number(process.hrtime.bigint() - t0) / 1e9 }));
};
function tick() {
  const due = Math.min(total, Math.floor((Number(process.hrtime.bigint() - t0) / 1e6) * perMs) + 1);
  while (sent < due) {
    const msg = sent % 1000 === 0 ? tpl : bufs[sent % CYCLE];
    sent++;
    if (sent === total) s.send(msg, done);
    else s.send(msg);
  }
  if (sent < total) setImmediate(tick);
}
s.connect(Number(port), '127.0.0.1', () => {
  t0 = process.hrtime.bigint();
  tick();
});
`;

// The C sender: the same datagrams and pacing, sendmmsg in bursts of up to 64, nanosleep between 1 ms bursts.
const C_SENDER = String.raw`
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int unhex(const char *h, unsigned char *o) { int n = strlen(h) / 2; for (int i = 0; i < n; i++) { unsigned x; sscanf(h + 2 * i, "%2x", &x); o[i] = x; } return n; }
int main(int c, char **v) {
  if (c < 6) return 2;
  int port = atoi(v[1]); long total = atol(v[2]); double rate = atof(v[3]);
  static unsigned char tpl[4096], data[4096];
  int tl = unhex(v[4], tpl), dl = unhex(v[5], data);
  enum { CYCLE = 12800, B = 64 };
  unsigned char *bufs = malloc((size_t)CYCLE * dl);
  for (int j = 0; j < CYCLE; j++) {
    unsigned char *m = bufs + (size_t)j * dl; memcpy(m, data, dl);
    for (int k = 0; k < 15; k++) { int p = 1024 + ((j * 15 + k) % 64000); m[24 + 60 * k + 8] = p >> 8; m[24 + 60 * k + 9] = p; m[24 + 60 * k + 40] = p >> 8; m[24 + 60 * k + 41] = p; }
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); return 1; }
  struct mmsghdr m[B]; struct iovec io[B]; long sent = 0, errors = 0; double t0 = now();
  while (sent < total) {
    long due = (long)((now() - t0) * rate) + 1; if (due > total) due = total;
    while (sent < due) {
      int k = 0;
      for (; k < B && sent + k < due; k++) {
        long s = sent + k; memset(&m[k], 0, sizeof m[k]);
        if (s % 1000 == 0) { io[k].iov_base = tpl; io[k].iov_len = tl; } else { io[k].iov_base = bufs + (size_t)(s % CYCLE) * dl; io[k].iov_len = dl; }
        m[k].msg_hdr.msg_iov = &io[k]; m[k].msg_hdr.msg_iovlen = 1;
      }
      int r = sendmmsg(fd, m, k, 0);
      if (r > 0) sent += r; else { errors++; sent += k; }
    }
    if (sent < total) { struct timespec ts = {0, 1000000}; nanosleep(&ts, 0); }
  }
  printf("{\"sent\":%ld,\"errors\":%ld,\"secs\":%f}", sent, errors, now() - t0);
  return 0;
}
`;

function cSender(): string | undefined {
  if (process.env['C2W_BENCH_SENDER'] !== 'c') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'c2w-sender-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'sender.c'), C_SENDER);
  const r = spawnSync('cc', ['-O2', '-o', join(dir, 'sender'), join(dir, 'sender.c')], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log('  (no working cc: using the Node sender)');
    return undefined;
  }
  return join(dir, 'sender');
}

const cBin = cSender();

function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

interface Receiver {
  port: number;
  granted: number;
  queued(): number;
  /** Counters after closing. */
  close(): Promise<{ read: number; decoded: number; records: number; queueDrops: number; highWater: number }>;
  osDrops(): number;
}

async function bare(): Promise<Receiver> {
  const s = createSocket('udp4');
  let read = 0;
  s.on('message', () => {
    read++;
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  s.setRecvBufferSize(32 << 20);
  return {
    port: s.address().port,
    granted: s.getRecvBufferSize(),
    queued: () => 0,
    osDrops: () => -1,
    close: () => new Promise((r) => s.close(() => r({ read, decoded: 0, records: 0, queueDrops: 0, highWater: 0 }))),
  };
}

async function collector(pairing: boolean): Promise<Receiver> {
  const c = await createCollector({
    listen: '127.0.0.1:0',
    ...(pairing ? { onFlow: () => undefined } : { onRecord: () => undefined }),
    flows: { pairWindow: 5 },
  });
  return {
    port: c.address.port,
    granted: c.stats().recvBufferGranted,
    queued: () => c.stats().queued,
    osDrops: () => c.stats().osDrops,
    close: async () => {
      await c.close();
      const s = c.stats();
      return { read: s.datagrams, decoded: s.decoder.datagrams, records: s.decoder.records, queueDrops: s.queueDropped, highWater: s.queueHighWater };
    },
  };
}

async function once(rate: number, mode: Mode): Promise<{ drops: number; fullRate: boolean; granted: number }> {
  const count = Math.min(COUNT, Math.round(rate * SECONDS));
  const rx = mode === 'bare' ? await bare() : await collector(mode === 'pair');
  const args = [String(rx.port), String(count), String(rate), Buffer.from(tpl).toString('hex'), Buffer.from(data).toString('hex')];
  const cpu0 = process.cpuUsage();
  const child = cBin !== undefined ? spawn(cBin, args, { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, ['-e', SENDER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (b: Buffer) => (text += b.toString()));
  await new Promise<void>((r) => child.once('exit', () => r()));
  // Let the queue drain (bounded wait).
  const deadline = Date.now() + 5000;
  while (rx.queued() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  const osDrops = rx.osDrops();
  const s = await rx.close();
  const cpu = process.cpuUsage(cpu0);
  const sender = JSON.parse(text || '{"sent":0,"errors":0,"secs":1}') as { sent: number; errors: number; secs: number };
  const notRead = sender.sent - s.read;
  const achieved = sender.sent / sender.secs;
  const cpuUs = (cpu.user + cpu.system) / Math.max(1, s.read);
  console.log(
    `  ${LABEL[mode].padEnd(17)} offered ${(rate / 1e3).toFixed(0).padStart(4)}k/s: sent ${sender.sent} in ${sender.secs.toFixed(2)} s (${(achieved / 1e3).toFixed(0)}k/s${sender.errors > 0 ? `, ${sender.errors} send errors` : ''}), read ${s.read}` +
      (mode === 'bare' ? '' : `, decoded ${s.decoded} (${s.records} records)`) +
      ` | not read ${notRead}` +
      (mode === 'bare' ? '' : ` (kernel drops ${osDrops}), queue drops ${s.queueDrops} (high-water ${s.highWater})`) +
      ` | cpu ${cpuUs.toFixed(1)} µs/datagram`,
  );
  return { drops: notRead + s.queueDrops, fullRate: achieved >= rate * 0.97, granted: rx.granted };
}

console.log(
  `\nCollector on loopback: NetFlow v9 datagrams × ${PER} records (1 in 1000 a template) paced from a second process (${cBin !== undefined ? 'C' : 'Node'} sender), ${SECONDS} s per rate, receive buffer asked 32 MiB; load average ${loadavg()}`,
);
let granted = -1;
for (const mode of MODES) {
  let held = 0;
  let short = false;
  for (const rate of RATES) {
    const r = await once(rate, mode);
    granted = r.granted;
    if (r.drops === 0 && r.fullRate) held = rate;
    if (!r.fullRate) short = true;
  }
  console.log(
    `  → ${LABEL[mode]}: held ${(held / 1e3).toFixed(0)}k datagrams/s (${((held * PER) / 1e6).toFixed(2)}M records/s) without a drop` +
      (short ? ' (some rates were not reached by the sender: not counted as held)' : ''),
  );
}
console.log(`  receive buffer granted ${granted} bytes (Linux reports twice net.core.rmem_max when capped); load average ${loadavg()}`);
process.exit(0);
