// The live collector over loopback: crafted datagrams, queue accounting, `c2watch collect`, and a
// differential against nfcapd + nfdump on softflowd's exports of real captures (where installed).
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCollect } from '../../lib/cli/collect.js';
import { dstAddr, srcAddr } from '../../lib/decode/netflow/record.js';
import type { NetflowRecord } from '../../lib/decode/netflow/record.js';
import type { FlowRecord } from '../../lib/model.js';
import { createCollector, parseListen } from '../../lib/sources/collector.js';
import { dataRecords, templateRecord, v5, v9 } from '../decode/netflow/craft.js';
import { CORPUS } from '../helpers/paths.js';

const SECS = 1_793_610_000;

async function send(port: number, datagrams: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4');
  try {
    for (const d of datagrams) await new Promise<void>((res, rej) => s.send(d, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  } finally {
    s.close();
  }
}

/** Wait until `cond()` holds: polled every 20 ms, at most `ms / 20` times (a bound on waiting for loopback delivery, not a timing check). */
async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  for (let i = 0; i < ms / 20; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test('parseListen', (t) => {
  t.deepEqual(parseListen('127.0.0.1:2055'), { host: '127.0.0.1', port: 2055, family: 'udp4' });
  t.deepEqual(parseListen('[::1]:4739'), { host: '::1', port: 4739, family: 'udp6' });
  t.deepEqual(parseListen('9995'), { host: '0.0.0.0', port: 9995, family: 'udp4' });
  t.throws(() => parseListen('nope'));
  t.throws(() => parseListen('1.2.3.4:99999'));
});

test('collects v9 over loopback: templates, paired flows, receive buffer reported', async (t) => {
  const flows: FlowRecord[] = [];
  const c = await createCollector({ listen: '127.0.0.1:0', onFlow: (f) => flows.push(f), recvBufferSize: 1 << 20 });
  const T4 = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [1, 4], [2, 4], [22, 4], [21, 4]] as const;
  const tpl = v9({ uptime: 10_000, secs: SECS, sourceId: 1 }, [{ id: 0, body: templateRecord(256, T4) }]);
  const data = v9({ uptime: 10_000, secs: SECS, sourceId: 1 }, [
    {
      id: 256,
      body: dataRecords([
        [['10.1.0.11', 4], ['203.0.113.10', 4], [50000, 2], [80, 2], [6, 1], [0x1b, 1], [500, 4], [6, 4], [9_000, 4], [9_500, 4]],
        [['203.0.113.10', 4], ['10.1.0.11', 4], [80, 2], [50000, 2], [6, 1], [0x1b, 1], [9000, 4], [8, 4], [9_001, 4], [9_500, 4]],
      ]),
    },
  ]);
  await send(c.address.port, [tpl, data]);
  t.true(await until(() => flows.length === 1));
  const s = c.stats();
  t.is(s.decoder.templates, 1);
  t.is(s.datagrams, 2);
  t.true(s.recvBufferGranted > 0);
  t.like(flows[0], { origH: '10.1.0.11', respP: 80, respIpBytes: 9000, connState: 'SF', orientation: 'paired', source: 'netflow' });
  await c.close();
  await c.close(); // idempotent
});

test('queue accounting: every datagram is decoded, queued or counted as dropped', async (t) => {
  let records = 0;
  const c = await createCollector({ listen: '127.0.0.1:0', onRecord: () => records++, maxQueue: 4, batch: 1 });
  const dg = v5({ uptime: 1000, secs: SECS }, [{ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 17, pkts: 1, bytes: 1, first: 1, last: 1 }]);
  const burst = Array.from({ length: 300 }, () => dg);
  await send(c.address.port, burst);
  await until(() => c.stats().queued === 0 && c.stats().datagrams + Math.max(0, c.stats().osDrops) >= 300, 3000);
  const s = c.stats();
  t.is(s.datagrams, s.decoder.datagrams + s.queued + s.queueDropped);
  t.is(records, s.decoder.records);
  t.true(s.queueHighWater <= 4);
  t.log(`sent 300, socket read ${s.datagrams}, decoded ${s.decoder.datagrams}, queue drops ${s.queueDropped}, os drops ${s.osDrops}`);
  await c.close();
});

test('records that never pair all come out once the window passes, more than 1024 in one tick', async (t) => {
  // 1200 one-way records; the tick that ends their window expires them all at once (NetflowFlows once spun
  // forever when one advance expired more than 1024 records: its arrival queue was compacted under the loop).
  let flows = 0;
  const c = await createCollector({ listen: '127.0.0.1:0', onFlow: () => flows++, flows: { pairWindow: 0.5 }, tickMs: 100 });
  const dgs = [];
  for (let i = 0; i < 40; i++) {
    const recs = [];
    for (let j = 0; j < 30; j++) recs.push({ src: '10.0.0.1', dst: '203.0.113.9', sport: 1024 + i * 30 + j, dport: 53, proto: 17, pkts: 1, bytes: 60, first: 500, last: 500 });
    dgs.push(v5({ uptime: 1000, secs: SECS }, recs));
  }
  await send(c.address.port, dgs);
  await until(() => c.stats().datagrams + Math.max(0, c.stats().osDrops) >= 40 && c.stats().queued === 0);
  const read = c.stats().decoder.records;
  t.true(await until(() => flows === read));
  t.like(c.stats().flows, { pending: 0, unpaired: read, pairs: 0 });
  await c.close();
});

test('each sender is its own exporter: labels follow the source address and port', async (t) => {
  const seen = new Set<string>();
  const c = await createCollector({ listen: '127.0.0.1:0', onRecord: (r) => seen.add(r.exporter) });
  const dg = v5({ uptime: 1000, secs: SECS }, [{ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 17, pkts: 1, bytes: 1, first: 1, last: 1 }]);
  await send(c.address.port, [dg, dg]);
  await send(c.address.port, [dg]);
  t.true(await until(() => c.stats().decoder.records === 3));
  t.is(seen.size, 2);
  for (const e of seen) t.regex(e, /^127\.0\.0\.1:\d+$/);
  await c.close();
});

test('a port already in use is a SourceError, not a crash', async (t) => {
  const c = await createCollector({ listen: '127.0.0.1:0' });
  await t.throwsAsync(createCollector({ listen: `127.0.0.1:${c.address.port}` }), { code: 'C2W_ERR_SOURCE' });
  await c.close();
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

test('c2watch collect: findings from NetFlow v5, flushed on stop, --stats', async (t) => {
  const stdout = new Sink();
  const stderr = new Sink();
  const ac = new AbortController();
  let port = 0;
  const done = runCollect(['--listen', '127.0.0.1:0', '--stats', '--local-nets', '10.0.0.0/8'], {
    stdout,
    stderr,
    signal: ac.signal,
    onListening: (_a, p) => (port = p),
  });
  t.true(await until(() => port !== 0));
  // Seed test 1 (DESIGN §3): a DNS query to 9.9.9.9, then HTTP to the answer 3 s later; both directions exported.
  const up = 100_000;
  const dg = v5({ uptime: up, secs: SECS + 100 }, [
    { src: '10.1.0.11', dst: '9.9.9.9', sport: 40000, dport: 53, proto: 17, pkts: 1, bytes: 70, first: up - 10_000, last: up - 10_000 },
    { src: '9.9.9.9', dst: '10.1.0.11', sport: 53, dport: 40000, proto: 17, pkts: 1, bytes: 120, first: up - 9_990, last: up - 9_990 },
    { src: '10.1.0.11', dst: '203.0.113.10', sport: 50000, dport: 80, proto: 6, pkts: 6, bytes: 500, first: up - 7_000, last: up - 6_000, flags: 0x1b },
    { src: '203.0.113.10', dst: '10.1.0.11', sport: 80, dport: 50000, proto: 6, pkts: 5, bytes: 4000, first: up - 6_990, last: up - 6_000, flags: 0x1b },
  ]);
  await send(port, [dg]);
  await new Promise((r) => setTimeout(r, 200));
  ac.abort();
  t.is(await done, 0);
  const findings = stdout.text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { rule: string; source: { ip: string } });
  t.true(findings.some((f) => f.rule === 'multiband.sequence' && f.source.ip === '10.1.0.11'), stdout.text);
  t.regex(stderr.text, /listening on 127\.0\.0\.1:\d+/);
  t.regex(stderr.text, /pairing +flows 2 +pairs 2/);
  t.regex(stderr.text, /templates +held 0/);
});

test('c2watch collect: bad options exit 2', async (t) => {
  const err = new Sink();
  t.is(await runCollect(['--output', 'xml'], { stdout: new Sink(), stderr: err }), 2);
  t.is(await runCollect(['--bogus'], { stdout: new Sink(), stderr: err }), 2);
  t.is(await runCollect(['--listen', 'nope'], { stdout: new Sink(), stderr: err }), 2);
  t.regex(err.text, /listen must be address:port/);
});

// ---- differential: softflowd exports collected by us and by nfcapd ---------------------------

function have(cmd: string, arg: string): boolean {
  const r = spawnSync(cmd, [arg], { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined;
}

/** Run a command to completion, killed after `ms`. */
function run(cmd: string, args: string[], ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.once('error', reject);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
}

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

const key = (src: string, sp: number | string, dst: string, dp: number | string, proto: number | string, pk: number | string, by: number | string): string => `${src} ${sp} ${dst} ${dp} ${proto} ${pk} ${by}`;
const PROTO_NUM: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1 };

async function ours(pcap: string, version: number): Promise<string[]> {
  const recs: NetflowRecord[] = [];
  const c = await createCollector({ listen: '127.0.0.1:0', onRecord: (r) => recs.push(r) });
  try {
    await run('softflowd', ['-r', pcap, '-n', `127.0.0.1:${c.address.port}`, '-v', String(version), '-d'], 60_000);
    let last = -1;
    await until(() => {
      const n = c.stats().datagrams;
      const stable = n === last && c.stats().queued === 0;
      last = n;
      return stable && n > 0;
    }, 5000);
  } finally {
    await c.close();
  }
  return recs.map((r) => key(srcAddr(r), r.srcPort, dstAddr(r), r.proto === 1 ? 0 : r.dstPort, r.proto, r.packets, r.octets));
}

async function theirs(pcap: string, version: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'c2w-nfcapd-'));
  const port = await freePort();
  const nfcapd = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => nfcapd.once('exit', () => r()));
  try {
    await new Promise((r) => setTimeout(r, 500));
    await run('softflowd', ['-r', pcap, '-n', `127.0.0.1:${port}`, '-v', String(version), '-d'], 60_000);
    await new Promise((r) => setTimeout(r, 500));
    nfcapd.kill('SIGTERM');
    const killer = setTimeout(() => nfcapd.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    const files = readdirSync(dir).filter((f) => f.startsWith('nfcapd.') && !f.includes('current'));
    const out: string[] = [];
    for (const f of files) {
      const r = spawnSync('nfdump', ['-r', join(dir, f), '-o', 'csv', '-q'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TZ: 'UTC' } });
      for (const line of r.stdout.split('\n')) {
        const c = line.split(',');
        if (c.length < 15) continue;
        // ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,...
        const proto = PROTO_NUM[c[7]!] ?? Number(c[7]);
        out.push(key(c[3]!, c[5]!, c[4]!, proto === 1 ? 0 : c[6]!, proto, c[11]!, c[12]!));
      }
    }
    return out;
  } finally {
    if (nfcapd.exitCode === null) nfcapd.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const PCAPS = [
  join(CORPUS, 'pcap/stratosphere/test-cc-capture-1.pcap'),
  join(CORPUS, 'zeek-oracle/scripts.base.protocols.ftp.ftp-ipv4/ipv4.pcap'),
  join(CORPUS, 'zeek-oracle/scripts.base.protocols.ssh.basic/ssh.pcap'),
  join(CORPUS, 'zeek-oracle/scripts.base.protocols.pop3.basic/pop3.pcap'),
  join(CORPUS, 'zeek-oracle/scripts.base.protocols.dns.flip/dns53.pcap'),
];

test('differential: softflowd v5 / v9 / IPFIX exports, collected by us and by nfcapd + nfdump, give the same flows', async (t) => {
  const pcaps = PCAPS.filter((p) => existsSync(p));
  if (pcaps.length === 0) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  if (!have('softflowd', '-h') || !have('nfcapd', '-V') || !have('nfdump', '-V')) {
    t.log('softflowd / nfcapd / nfdump not installed (apt-get install softflowd nfdump): differential skipped');
    t.pass();
    return;
  }
  let total = 0;
  for (const version of [5, 9, 10]) {
    for (const pcap of pcaps) {
      const a = (await ours(pcap, version)).sort();
      const b = (await theirs(pcap, version)).sort();
      t.true(b.length > 0, `nfcapd got nothing for v${version} ${pcap}`);
      t.deepEqual(a, b, `v${version} ${pcap}`);
      total += a.length;
    }
  }
  t.log(`${total} flow records identical to nfcapd+nfdump over ${pcaps.length} captures × v5, v9, IPFIX`);
});
