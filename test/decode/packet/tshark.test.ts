// Differential against tshark, packet by packet: frame count, time, and for
// every packet we decode as IP the addresses, protocol and ports of the
// layer we report (the innermost IP packet; tshark lists every layer).
// Traces cover VLAN, QinQ, MPLS, PPPoE, SLL, SLL2, NULL, raw IP, PPP,
// 802.11/radiotap, FDDI, PBB, VN-Tag, IPv6 extension headers and fragments,
// pcapng with several interfaces, and the tunnels; plus a crafted pcapng
// with two sections of different byte order made from corpus packets.
// Skips cleanly (one passing test that says why) without tshark or corpus.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PacketDecoder } from '../../../lib/decode/packet/decoder.js';
import { DecodeStatus, newPacketInfo, type PacketInfo } from '../../../lib/decode/packet/types.js';
import { PcapReader } from '../../../lib/decode/pcap/reader.js';
import { CORPUS, HAVE_CORPUS } from '../../helpers/paths.js';
import { v4, v6 } from '../../helpers/ip-text.js';
import { concat, pcapngSection, type NgBlock } from '../pcap/craft.js';

const HAVE_TSHARK = (() => {
  try {
    return spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
})();

const TRACES = [
  'pcap/zeek-traces/http-vlan-0.pcap', // 802.1Q
  'pcap/zeek-traces/http-qinq-0.pcap', // QinQ
  'zeek-oracle/core.q-in-q/q-in-q.pcap',
  'zeek-oracle/core.vlan-mpls/mixed-vlan-mpls.pcap', // MPLS
  'zeek-oracle/core.mpls-in-vlan/mpls-in-vlan.pcap',
  'zeek-oracle/core.pppoe/pppoe.pcap', // PPPoE, IPv6 hop-by-hop
  'zeek-oracle/core.pppoe-over-qinq/pppoe-over-qinq.pcap',
  'pcap/zeek-traces/tls/irc-starttls.pcap', // Linux SLL
  'pcap/zeek-traces/linux_dlt_sll2.pcap', // Linux SLL2
  'pcap/zeek-traces/dns/mdns.pcap', // IPv6 extension headers
  'pcap/zeek-traces/ipv6-fragmented-dns.pcap', // IPv6 fragments
  'zeek-oracle/core.pcapng-pktsrc/pcapng-multi-interface.pcapng', // pcapng, two interfaces
  'zeek-oracle/scripts.base.protocols.irc.basic/irc-dcc-send.pcapng',
  'zeek-oracle/core.vntag/vntag.pcap', // ns pcap, VN-Tag
  'zeek-oracle/core.pbb/pbb.pcap', // 802.1ah
  'pcap/zeek-traces/tls/pop3-starttls.pcap', // BSD NULL
  'pcap/zeek-traces/tls/ml-dsa-44-cert.pcap', // raw IP
  'zeek-oracle/core.ppp/quic-interop-retry.pcap', // PPP
  'zeek-oracle/core.radiotap/radiotap.pcap', // radiotap + 802.11
  'zeek-oracle/core.wlanmon/wlanmon.pcap', // 802.11
  'pcap/zeek-traces/dns-inverse-query.pcap', // FDDI
  'zeek-oracle/core.tunnels.gre/gre-sample.pcap', // GRE
  'zeek-oracle/core.tunnels.gre-in-gre/gre-within-gre.pcap',
  'zeek-oracle/core.tunnels.gre-pptp/gre-pptp.pcap',
  'zeek-oracle/core.tunnels.gre-over-udp/gre-over-udp-4754.pcap',
  'zeek-oracle/core.tunnels.gre-aruba-amsdu/gre-aruba-amsdu.pcap',
  'zeek-oracle/core.erspanII/erspanII.pcap',
  'zeek-oracle/core.erspanIII/erspanIII.pcap',
  'zeek-oracle/core.tunnels.vxlan/vxlan.pcap',
  'zeek-oracle/core.tunnels.geneve/geneve.pcap',
  'zeek-oracle/core.tunnels.gtp.opt_header/gtp6_gtp_0x32.pcap',
  'zeek-oracle/core.tunnels.gtp.outer_ip_frag/gtp1_gn_normal_incl_fragmentation.pcap', // IPv4 fragments
  'zeek-oracle/core.tunnels.teredo/Teredo.pcap',
  'zeek-oracle/core.tunnels.ayiya/ayiya3.pcap',
  'pcap/stratosphere/test-cc-capture-1.pcap',
  'pcap/zeek-traces/trunc/ipv4-truncated-broken-header.pcap', // damaged: a weird, not a mismatch
];

const FIELDS = [
  'frame.time_epoch', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport',
  'udp.srcport', 'udp.dstport', 'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
];

function tshark(path: string): string[][] {
  const args = ['-r', path, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'teredo.heuristic_teredo:TRUE'];
  args.push('-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,');
  for (const f of FIELDS) args.push('-e', f);
  const r = spawnSync('tshark', args, { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tshark failed on ${path}: ${String(r.stderr)}`);
  return String(r.stdout)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}


/** Why our packet disagrees with tshark's dissection of it, or '' when it does not. */
function disagreement(info: PacketInfo, cols: string[]): string {
  const protos = (cols[1] ?? '').split(':');
  const col = (k: number): string[] => (cols[k] ?? '').split(',');
  // The k-th IP layer tshark saw is the one we report (k = tunnels removed).
  const k = info.tunnelDepth;
  let pos = -1;
  let seen = 0;
  let v4Before = 0;
  let v6Before = 0;
  for (let j = 0; j < protos.length; j++) {
    const p = protos[j];
    if (p !== 'ip' && p !== 'ipv6') continue;
    if (seen === k) {
      pos = j;
      break;
    }
    seen++;
    if (p === 'ip') v4Before++;
    else v6Before++;
  }
  if (pos < 0) return `tunnel depth ${k}, tshark: ${cols[1]}`;
  const isV4 = protos[pos] === 'ip';
  if ((isV4 ? 4 : 6) !== info.ipVersion) return `IPv${info.ipVersion}, tshark: ${protos[pos]}`;
  const src = isV4 ? col(2)[v4Before] : col(4)[v6Before];
  const dst = isV4 ? col(3)[v4Before] : col(5)[v6Before];
  const ms = isV4 ? v4(info.src4) : v6(info.src6);
  const md = isV4 ? v4(info.dst4) : v6(info.dst6);
  if (src !== ms || dst !== md) return `${ms} > ${md}, tshark: ${src} > ${dst}`;
  let transport = '';
  for (let j = pos + 1; j < protos.length; j++) {
    const p = protos[j] as string;
    if (p.startsWith('ipv6.')) continue;
    transport = p;
    break;
  }
  const before = (name: string): number => protos.slice(0, pos).filter((p) => p === name).length;
  const want: Record<string, [number, number, number]> = { tcp: [6, 6, 7], udp: [17, 8, 9], icmp: [1, 10, 11], icmpv6: [58, 12, 13] };
  const w = want[transport];
  if (w === undefined) return '';
  if (info.proto !== w[0]) return `protocol ${info.proto}, tshark: ${transport}`;
  const sp = col(w[1])[before(transport)];
  const dp = col(w[2])[before(transport)];
  if (info.frag === 2) return sp === undefined || sp === '' ? '' : `later fragment, tshark has ports ${sp} > ${dp}`;
  if (String(info.sport) !== sp || String(info.dport) !== dp) return `ports ${info.sport} > ${info.dport}, tshark: ${sp} > ${dp}`;
  return '';
}

function compare(t: ExecutionContext, path: string, label: string): void {
  const rows = tshark(path);
  const reader = new PcapReader();
  let weirds = 0;
  const dec = new PacketDecoder({ onWeird: () => weirds++ });
  const info = newPacketInfo();
  reader.append(readFileSync(path));
  reader.end();
  let i = 0;
  let checked = 0;
  const problems: string[] = [];
  for (let p; (p = reader.nextPacket()); i++) {
    const cols = rows[i] ?? [];
    const ts = Number(cols[0]);
    if (!(Math.abs(ts - p.ts) < 1e-6)) problems.push(`#${i + 1} time ${p.ts} vs tshark ${cols[0]}`);
    const before = weirds;
    const s = dec.decodeRecord(p, info);
    const tsharkIp = (cols[1] ?? '').split(':').some((x) => x === 'ip' || x === 'ipv6');
    if (s === DecodeStatus.Ok) {
      const why = disagreement(info, cols);
      if (why) problems.push(`#${i + 1} ${why}`);
      checked++;
    } else if (s === DecodeStatus.NotIp) {
      if (tsharkIp) problems.push(`#${i + 1} not IP, tshark: ${cols[1]}`);
    } else if (weirds === before) {
      problems.push(`#${i + 1} bad without a weird`);
    }
  }
  t.is(i, rows.length, `${label}: frame count`);
  t.deepEqual(problems.slice(0, 10), [], label);
  t.log(`${i} frames, ${checked} IP packets agree, ${dec.stats.tunneled} from tunnels, ${dec.stats.bad} damaged`);
}

if (!HAVE_TSHARK || !HAVE_CORPUS) {
  test('tshark differential (skipped)', (t) => {
    t.log(HAVE_TSHARK ? `no corpus at ${CORPUS}` : 'tshark is not installed (apt-get install -y tshark)');
    t.pass();
  });
} else {
  for (const rel of TRACES) {
    test(`tshark: ${rel}`, (t) => compare(t, join(CORPUS, rel), rel));
  }

  test('tshark: crafted pcapng, two sections of different byte order, interfaces with if_tsresol and if_tsoffset', (t) => {
    // Packets from two corpus traces of different link types, re-timed.
    const grab = (rel: string): { data: Uint8Array; wire: number; ts: number; lt: number }[] => {
      const r = new PcapReader();
      r.append(readFileSync(join(CORPUS, rel)));
      r.end();
      const out: { data: Uint8Array; wire: number; ts: number; lt: number }[] = [];
      for (let p; (p = r.nextPacket()); ) out.push({ data: p.buf.slice(p.off, p.off + p.capLen), wire: p.wireLen, ts: p.ts, lt: p.linkType });
      return out;
    };
    const a = grab('pcap/zeek-traces/http-qinq-0.pcap');
    const b = grab('pcap/zeek-traces/linux_dlt_sll2.pcap');
    const c = grab('zeek-oracle/core.pppoe/pppoe.pcap');
    const ticks = (ts: number, units: number, offset: number): { hi: number; lo: number } => {
      const v = BigInt(Math.round((ts - offset) * 1e6)) * BigInt(units) / 1_000_000n;
      return { hi: Number(v >> 32n), lo: Number(v & 0xffffffffn) };
    };
    const s1Blocks: NgBlock[] = [];
    a.forEach((p, i) => {
      s1Blocks.push({ kind: 'epb', ifId: 0, ...ticks(p.ts, 1e6, 0), data: p.data, wireLen: p.wire });
      if (i % 5 === 0) s1Blocks.push({ kind: 'nrb' });
    });
    b.forEach((p) => s1Blocks.push({ kind: 'epb', ifId: 1, ...ticks(p.ts, 1e9, 0), data: p.data, wireLen: p.wire }));
    const s2Blocks: NgBlock[] = [];
    c.forEach((p, i) => {
      s2Blocks.push({ kind: i % 2 ? 'epb' : 'pb', ifId: 0, ...ticks(p.ts, 1024, 86400), data: p.data, wireLen: p.wire });
      if (i % 7 === 0) s2Blocks.push({ kind: 'isb', ifId: 0 });
    });
    const file = concat([
      pcapngSection({ le: true, interfaces: [{ linkType: a[0]!.lt }, { linkType: b[0]!.lt, tsresol: 9 }], blocks: s1Blocks }),
      pcapngSection({ le: false, interfaces: [{ linkType: c[0]!.lt, tsresol: 0x80 | 10, tsoffset: 86400 }], blocks: s2Blocks }),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'c2w-pcapng-'));
    try {
      const path = join(dir, 'two-sections.pcapng');
      writeFileSync(path, file);
      compare(t, path, 'crafted two-section pcapng');
      t.is(tshark(path).length, a.length + b.length + c.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
