/**
 * What the live collector holds on loopback: a second process sends NetFlow
 * v9 datagrams (30 records each) paced at increasing rates, 2 s each
 * (bounded count); for each rate we report what was read, decoded and
 * paired, and every drop (our queue, the kernel's socket buffer, datagrams
 * never read), never hiding them; then the highest rate held without a drop.
 *
 * Run: `node --expose-gc --import tsx bench/sources/collector.bench.ts`
 * (or `npm run bench:micro -- collector`). `C2W_ONLY_PAIR=1` runs only the
 * decode + pairing half; `C2W_BENCH_DATAGRAMS` caps datagrams per rate.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { createCollector } from '../../lib/sources/collector.js';
import { dataRecords, templateRecord, v9 } from '../../test/decode/netflow/craft.js';

const COUNT = Number(process.env['C2W_BENCH_DATAGRAMS'] ?? 400_000);
const SECONDS = 2;
const RATES = [10_000, 25_000, 50_000, 100_000, 150_000, 200_000];
const PER = 30;
const SECS = 1_700_000_000;

const T = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [1, 4], [2, 4], [22, 4], [21, 4]] as const;
// 15 connections, each as its request and reply record; the sender gives every datagram fresh client ports.
const rows = [];
for (let i = 0; i < PER / 2; i++) {
  rows.push([[`10.0.${i}.1`, 4], ['203.0.113.7', 4], [40000, 2], [443, 2], [6, 1], [0x1b, 1], [800, 4], [6, 4], [9000, 4], [9500, 4]] as const);
  rows.push([['203.0.113.7', 4], [`10.0.${i}.1`, 4], [443, 2], [40000, 2], [6, 1], [0x1b, 1], [9000, 4], [8, 4], [9001, 4], [9500, 4]] as const);
}
const tpl = v9({ uptime: 10_000, secs: SECS }, [{ id: 0, body: templateRecord(256, T) }]);
const data = v9({ uptime: 10_000, secs: SECS }, [{ id: 256, body: dataRecords(rows) }]);

// The sender: plain JS in a child process, paced at `rate` datagrams/s (bursts every ms) for `count` datagrams.
const SENDER = `
const dgram = require('node:dgram');
const [port, count, rate, tplHex, dataHex] = process.argv.slice(1);
const tpl = Buffer.from(tplHex, 'hex'), data = Buffer.from(dataHex, 'hex');
const s = dgram.createSocket('udp4');
const total = Number(count), perMs = Number(rate) / 1000;
let sent = 0, done = 0, errors = 0;
const t0 = process.hrtime.bigint();
function tick() {
  const due = Math.min(total, Math.floor((Number(process.hrtime.bigint() - t0) / 1e6) * perMs) + 1);
  while (sent < due && sent - done < 256) {
    sent++;
    let msg = tpl;
    if (sent % 1000 !== 1) {
      // Fresh client ports per datagram: record 2k at 24 + 60k (source port +8), its reply at 24 + 60k + 30 (destination port +10).
      msg = Buffer.from(data);
      for (let k = 0; k < 15; k++) {
        const p = 1024 + ((sent * 15 + k) % 64000);
        msg.writeUInt16BE(p, 24 + 60 * k + 8);
        msg.writeUInt16BE(p, 24 + 60 * k + 30 + 10);
      }
    }
    s.send(msg, Number(port), '127.0.0.1', (e) => {
      done++;
      if (e) errors++;
      if (done === total) { s.close(); process.stdout.write(JSON.stringify({ sent, errors, secs: Number(process.hrtime.bigint() - t0) / 1e9 })); }
    });
  }
  if (sent < total) setImmediate(tick);
}
tick();
`;

async function once(rate: number, pairing: boolean): Promise<{ drops: number }> {
  const count = Math.min(COUNT, Math.round(rate * SECONDS));
  const c = await createCollector({
    listen: '127.0.0.1:0',
    ...(pairing ? { onFlow: () => undefined } : { onRecord: () => undefined }),
    flows: { pairWindow: 5 },
  });
  const child = spawn(process.execPath, ['-e', SENDER, String(c.address.port), String(count), String(rate), Buffer.from(tpl).toString('hex'), Buffer.from(data).toString('hex')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.on('data', (b: Buffer) => (text += b.toString()));
  await new Promise<void>((r) => child.once('exit', () => r()));
  // Let the queue drain (bounded wait).
  const deadline = Date.now() + 5000;
  while (c.stats().queued > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  const before = c.stats();
  await c.close();
  const s = c.stats();
  const sender = JSON.parse(text || '{"sent":0,"errors":0,"secs":1}') as { sent: number; errors: number; secs: number };
  const notRead = sender.sent - s.datagrams;
  console.log(
    `  ${(pairing ? 'decode + pairing' : 'decode only').padEnd(17)} offered ${(rate / 1e3).toFixed(0).padStart(4)}k datagrams/s (${((rate * PER) / 1e6).toFixed(2)}M records/s): ` +
      `sent ${sender.sent} in ${sender.secs.toFixed(2)} s, read ${s.datagrams}, decoded ${s.decoder.datagrams} (${s.decoder.records} records)` +
      ` | kernel drops ${before.osDrops}, queue drops ${s.queueDropped} (high-water ${s.queueHighWater}), not read ${notRead}`,
  );
  return { drops: notRead + s.queueDropped };
}

console.log(`\nCollector on loopback: NetFlow v9 datagrams × ${PER} records (1 in 1000 a template) paced from a second process, ${SECONDS} s per rate, receive buffer asked 32 MiB`);
for (const pairing of process.env["C2W_ONLY_PAIR"] ? [true] : [false, true]) {
  let held = 0;
  for (const rate of RATES) {
    const { drops } = await once(rate, pairing);
    if (drops === 0) held = rate;
  }
  console.log(`  → ${pairing ? 'decode + pairing' : 'decode only'}: held ${(held / 1e3).toFixed(0)}k datagrams/s (${((held * PER) / 1e6).toFixed(2)}M records/s) without a drop`);
}
process.exit(0);
