// NetflowDecoder on real exports (akvorado test captures: Cisco, Juniper, Huawei, ipfixprobe):
// akvorado's own expected values, and a record-by-record differential against tshark's cflow dissector.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetflowCaptureDecoder } from '../../../lib/decode/netflow/capture.js';
import { NetflowDecoder } from '../../../lib/decode/netflow/decoder.js';
import { PacketDecoder } from '../../../lib/decode/packet/decoder.js';
import { DecodeStatus, newPacketInfo } from '../../../lib/decode/packet/types.js';
import { forEachPacket } from '../../../lib/decode/pcap/reader.js';
import { dstAddr, srcAddr } from '../../../lib/decode/netflow/record.js';
import type { NetflowRecord } from '../../../lib/decode/netflow/record.js';
import type { Weird } from '../../../lib/weird.js';
import { CORPUS } from '../../helpers/paths.js';

/** UDP payloads of a capture, through the shared pcap reader and packet layers. */
function udpPayloads(path: string): { payload: Uint8Array; exporter: string; dport: number; ts: number }[] {
  const out: { payload: Uint8Array; exporter: string; dport: number; ts: number }[] = [];
  const dec = new PacketDecoder({ udpTunnels: false });
  const info = newPacketInfo();
  forEachPacket(readFileSync(path), (p) => {
    if (dec.decodeRecord(p, info) !== DecodeStatus.Ok || info.proto !== 17) return;
    const src = `${info.src4 >>> 24}.${(info.src4 >>> 16) & 255}.${(info.src4 >>> 8) & 255}.${info.src4 & 255}`;
    out.push({ payload: p.buf.slice(info.payloadOff, info.payloadOff + info.payloadCaptured), exporter: `${src}:${info.sport}`, dport: info.dport, ts: info.ts });
  });
  return out;
}

const DIR = join(CORPUS, 'netflow/akvorado/outlet/flow/decoder/netflow/testdata');
const OLD = join(CORPUS, 'netflow/akvorado/old/pcap');
const HAVE = existsSync(DIR);

/** Captures decoded in order as one stream (templates first, as akvorado's tests feed them). */
const GROUPS: string[][] = [
  ['options-template', 'options-data', 'template', 'data'],
  ['samplingrate-template', 'samplingrate-data'],
  ['multiplesamplingrates-options-template', 'multiplesamplingrates-options-data', 'multiplesamplingrates-template', 'multiplesamplingrates-data'],
  ['nfv5'],
  ['mpls'],
  ['icmp-template', 'icmp-data'],
  ['data+templates'],
  ['physicalinterfaces'],
  ['ipfixprobe-templates', 'ipfixprobe-data'],
  ['juniper-cpid-template', 'juniper-cpid-data'],
  ['nat'],
  ['datalink-template', 'datalink-data'],
  ['ethernet-over-mpls-with-control-word-template', 'ethernet-over-mpls-with-control-word-data'],
  ['ipfix-srv6-template', 'ipfix-srv6-data'],
];

function paths(group: string[]): string[] {
  return group.map((g) => (g.startsWith('/') ? g : join(DIR, `${g}.pcap`)));
}

/** Decode captures in order into one decoder, through NetflowCaptureDecoder (the shared pcap reader and packet layers). */
function decodeGroup(files: string[]): { recs: NetflowRecord[]; weirds: Weird[]; d: NetflowDecoder } {
  const recs: NetflowRecord[] = [];
  const weirds: Weird[] = [];
  const d = new NetflowDecoder({ onRecord: (r) => recs.push(r), onWeird: (w) => weirds.push(w) });
  for (const f of files) {
    const c = new NetflowCaptureDecoder({ decoder: d, file: f, onWeird: (w) => weirds.push(w) });
    c.push(readFileSync(f));
    c.end();
  }
  return { recs, weirds, d };
}

test('akvorado captures: the values akvorado expects (sampling from options, per-sampler rates, v5, IPv6 ICMP, MPLS)', (t) => {
  if (!HAVE) {
    t.log(`corpus absent (${DIR}): skipped`);
    t.pass();
    return;
  }
  // options-data says 1 in 30000 (sampler 1); akvorado reports 1500 bytes, 1 packet unscaled.
  let g = decodeGroup(paths(GROUPS[0]!));
  t.deepEqual(g.weirds, []);
  t.is(g.recs.length, 4);
  let r = g.recs[0]!;
  t.deepEqual([srcAddr(r), r.srcPort, dstAddr(r), r.dstPort, r.proto, r.tcpFlags], ['198.38.121.178', 443, '91.170.143.87', 19624, 6, 16]);
  t.deepEqual([r.samplingRate, r.octets, r.packets], [30000, 1500 * 30000, 30000]);
  t.deepEqual(g.recs.map((x) => x.octets / x.samplingRate), [1500, 1500, 1400, 1448]);

  g = decodeGroup(paths(GROUPS[1]!));
  r = g.recs[0]!;
  t.deepEqual([srcAddr(r), r.srcPort, dstAddr(r), r.dstPort, r.samplingRate, r.octets / r.samplingRate, r.packets / r.samplingRate], ['232.131.215.65', 13245, '142.183.180.65', 10907, 2048, 160, 1]);

  g = decodeGroup(paths(GROUPS[2]!));
  t.deepEqual(g.recs.slice(0, 2).map((x) => [srcAddr(x), dstAddr(x), x.samplingRate, x.packets / x.samplingRate, x.octets / x.samplingRate]), [
    ['ffff::68', 'ffff::1a', 4000, 18, 1348],
    ['ffff::5a', 'ffff::f', 2000, 4, 579],
  ]);

  g = decodeGroup(paths(GROUPS[3]!));
  t.is(g.recs.length, 29);
  r = g.recs[0]!;
  t.deepEqual([srcAddr(r), r.srcPort, dstAddr(r), r.dstPort, r.proto, r.tcpFlags, r.packets, r.octets, r.samplingRate], ['161.202.212.212', 30104, '202.152.70.24', 11963, 6, 0x18, 1, 133, 1]);

  g = decodeGroup(paths(GROUPS[4]!));
  t.deepEqual(g.recs.map((x) => [srcAddr(x), dstAddr(x), x.srcPort, x.dstPort, x.samplingRate, x.octets / x.samplingRate, x.packets / x.samplingRate]), [
    ['fd00::1:0:1:7:1', 'fd00::1:0:1:5:1', 49153, 862, 10, 89, 1],
    ['fd00::1:0:1:7:1', 'fd00::1:0:1:6:1', 49153, 862, 10, 890, 10],
  ]);

  g = decodeGroup(paths(GROUPS[5]!));
  t.deepEqual(g.recs.map((x) => [srcAddr(x), dstAddr(x), x.proto, x.icmpType, x.icmpCode, x.octets]), [
    ['2001:db8::', '2001:db8::1', 58, 128, 0, 104],
    ['2001:db8::1', '2001:db8::', 58, 129, 0, 104],
    ['203.0.113.4', '203.0.113.5', 1, 8, 0, 84],
    ['203.0.113.5', '203.0.113.4', 1, 0, 0, 84],
  ]);

  // data+templates: a data set precedes its template in the same datagram; it is buffered, then decoded.
  g = decodeGroup(paths(GROUPS[6]!));
  const s = g.d.stats();
  t.true(s.pendingRecordsDecoded > 0);
  t.is(s.pendingSets, 0);
  t.is(s.pendingSetsDropped, 0);
});

test('akvorado captures: every truncated prefix of every datagram decodes without throwing', (t) => {
  if (!HAVE) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  let datagrams = 0;
  for (const group of GROUPS) {
    const d = new NetflowDecoder({ onRecord: () => undefined, onWeird: () => undefined });
    for (const f of paths(group)) {
      for (const u of udpPayloads(f)) {
        for (let i = 0; i < u.payload.length; i++) d.decode(u.payload.subarray(0, i), u.exporter, u.ts);
        d.decode(u.payload, u.exporter, u.ts);
        datagrams++;
      }
    }
  }
  t.true(datagrams > 20);
});

// ---- differential against tshark -------------------------------------------------------------

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/** Flow records tshark's cflow dissector shows, as `src sport dst dport proto packets octets` keys. */
function tsharkFlows(pcap: string, ports: number[]): string[] {
  const args = ['-r', pcap, '-T', 'json', '--no-duplicate-keys'];
  for (const p of ports) args.push('-d', `udp.port==${p},cflow`);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const out: string[] = [];
  const first = (v: unknown): string => String(Array.isArray(v) ? v[0] : v);
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) {
      for (const x of o) walk(x);
      return;
    }
    if (o === null || typeof o !== 'object') return;
    const rec = o as Record<string, unknown>;
    const src = rec['cflow.srcaddr'] ?? rec['cflow.srcaddrv6'];
    const dst = rec['cflow.dstaddr'] ?? rec['cflow.dstaddrv6'];
    if (src !== undefined && dst !== undefined && typeof src !== 'object') {
      out.push([first(src), first(rec['cflow.srcport'] ?? 0), first(dst), first(rec['cflow.dstport'] ?? 0), first(rec['cflow.protocol'] ?? 0), first(rec['cflow.packets'] ?? 0), first(rec['cflow.octets'] ?? 0)].join(' '));
    }
    for (const v of Object.values(rec)) walk(v);
  };
  walk(JSON.parse(r.stdout) as unknown);
  return out;
}

function ourKey(r: NetflowRecord): string {
  return [srcAddr(r), r.srcPort, dstAddr(r), r.dstPort, r.proto, r.packets / r.samplingRate, r.octets / r.samplingRate].join(' ');
}

function multisetMinus(a: string[], b: string[]): string[] {
  const m = new Map<string, number>();
  for (const x of b) m.set(x, (m.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = m.get(x) ?? 0;
    if (n > 0) m.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

test('differential: the same flow records as tshark cflow (addresses, ports, proto, packets, octets)', (t) => {
  if (!HAVE) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  if (!have('tshark') || !have('mergecap')) {
    t.log('tshark/mergecap not installed (apt-get install tshark): differential skipped');
    t.pass();
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'c2w-nf-'));
  try {
    const groups = [...GROUPS, [join(OLD, 'ipfix_v10_with_mpls_labels.pcap')]];
    let total = 0;
    let extra = 0;
    for (const group of groups) {
      const files = paths(group);
      const merged = join(tmp, 'merged.pcap');
      const m = spawnSync('mergecap', ['-a', '-F', 'pcap', '-w', merged, ...files], { timeout: 30_000 });
      t.is(m.status, 0, `mergecap ${group.join(',')}`);
      const { recs, d } = decodeGroup(files);
      // Non-standard ports need `-d udp.port==N,cflow` (nfv5 uses 9990, samplingrate 8096, icmp 2100).
      const dports = [...new Set(files.flatMap((f) => udpPayloads(f).map((u) => u.dport)))];
      const theirs = tsharkFlows(merged, dports);
      const ours = recs.filter((r) => r.ipVersion !== 0).map(ourKey);
      // Every record tshark shows, we show.
      t.deepEqual(multisetMinus(theirs, ours), [], `records tshark has and we lack in ${group.join(',')}`);
      // What we show beyond tshark are exactly the sets we held until their template came (tshark decodes in one pass).
      const more = multisetMinus(ours, theirs);
      t.is(more.length, d.stats().pendingRecordsDecoded, `extra records in ${group.join(',')}: ${more.slice(0, 3).join(' | ')}`);
      total += theirs.length;
      extra += more.length;
    }
    t.log(`${total} records identical to tshark's; ${extra} more decoded from sets buffered before their template`);
    t.true(total > 100);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
