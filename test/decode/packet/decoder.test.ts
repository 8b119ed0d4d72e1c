// PacketDecoder on crafted frames: every link type, shim, IP feature,
// transport and tunnel; Zeek's weird names for damage; and the properties
// that every prefix of every frame, and random bytes, only give statuses
// and weirds (never throws), with the same result at any buffer offset.
import test from 'ava';
import { LinkType } from '../../../lib/decode/packet/constants.js';
import { PacketDecoder } from '../../../lib/decode/packet/decoder.js';
import { icmpConnPorts, icmpCounterpart } from '../../../lib/decode/packet/icmp.js';
import { DecodeStatus, Frag, TunnelType, newPacketInfo, type PacketInfo } from '../../../lib/decode/packet/types.js';
import type { Weird } from '../../../lib/weird.js';
import { prng } from '../pcap/craft.js';
import {
  eth, ext6, frag6, frame, geneve, gre, gtpu, icmp, ip4, ip6words, ipv4, ipv6, mpls, pppoe, sll, sll2, tcp, udp, vxlan,
  type B,
} from './build.js';

interface Run {
  status: DecodeStatus;
  info: PacketInfo;
  weirds: Weird[];
  dec: PacketDecoder;
}

function run(linkType: number, bytes: B | Uint8Array, opts: { wireLen?: number; capLen?: number; dec?: PacketDecoder } = {}): Run {
  const weirds: Weird[] = [];
  const dec = opts.dec ?? new PacketDecoder({ onWeird: (w) => weirds.push(w), file: 't.pcap' });
  const buf = bytes instanceof Uint8Array ? bytes : frame(bytes);
  const info = newPacketInfo();
  info.wireLen = opts.wireLen ?? buf.length;
  const status = dec.decode(linkType, buf, 0, opts.capLen ?? buf.length, info);
  return { status, info, weirds, dec };
}

const kinds = (r: Run): string[] => r.weirds.map((w) => w.kind);

const TCP = tcp({ sport: 49152, dport: 443, seq: 0xdeadbeef, ack: 0x01020304, flags: 0x12, window: 29200, payload: [1, 2, 3, 4, 5] });
const IP4_TCP = ipv4({ src: '10.1.2.3', dst: '198.51.100.9', proto: 6, payload: TCP });

function expectTcp4(t: import('ava').ExecutionContext, r: Run): void {
  t.is(r.status, DecodeStatus.Ok);
  t.is(r.info.ipVersion, 4);
  t.is(r.info.src4, ip4('10.1.2.3'));
  t.is(r.info.dst4, ip4('198.51.100.9'));
  t.is(r.info.proto, 6);
  t.is(r.info.sport, 49152);
  t.is(r.info.dport, 443);
  t.is(r.info.seq, 0xdeadbeef);
  t.is(r.info.ack, 0x01020304);
  t.is(r.info.tcpFlags, 0x12);
  t.is(r.info.window, 29200);
  t.is(r.info.ipLen, 45);
  t.is(r.info.payloadLen, 5);
  t.is(r.info.payloadCaptured, 5);
  t.is(r.info.frag, Frag.None);
}

test('Ethernet / IPv4 / TCP: every field', (t) => {
  const r = run(LinkType.Ethernet, eth(0x0800, IP4_TCP));
  expectTcp4(t, r);
  t.is(r.info.ipOff, 14);
  t.is(r.info.payloadOff, 14 + 20 + 20);
  t.is(r.info.vlan, -1);
  t.is(r.info.tunnelDepth, 0);
  t.deepEqual(r.weirds, []);
});

test('the same TCP packet over every link type', (t) => {
  const v = IP4_TCP;
  const cases: [string, number, B][] = [
    ['raw 101', LinkType.Raw, v],
    ['raw 12', 12, v],
    ['raw 14', 14, v],
    ['ipv4 228', LinkType.Ipv4, v],
    ['sll', LinkType.LinuxSll, sll(0x0800, v)],
    ['sll2', LinkType.LinuxSll2, sll2(0x0800, v)],
    ['null LE', LinkType.Null, [2, 0, 0, 0, ...v]],
    ['null BE', LinkType.Null, [0, 0, 0, 2, ...v]],
    ['loop', LinkType.Loop, [0, 0, 0, 2, ...v]],
    ['ppp hdlc', LinkType.Ppp, [0xff, 0x03, 0x00, 0x21, ...v]],
    ['ppp bare', LinkType.Ppp, [0x00, 0x21, ...v]],
    ['ppp pfc', LinkType.PppHdlc, [0xff, 0x03, 0x21, ...v]],
    ['fddi', LinkType.Fddi, [0x50, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...v]],
    ['802.3 llc snap', LinkType.Ethernet, [...Array(12).fill(1), 0, v.length + 8, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...v]],
    ['802.11 data', LinkType.Ieee80211, [0x08, 0x01, 0, 0, ...Array(20).fill(7), 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...v]],
    ['802.11 qos 4addr', LinkType.Ieee80211, [0x88, 0x03, 0, 0, ...Array(26).fill(7), 0, 0, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...v]],
    ['radiotap', LinkType.Ieee80211Radiotap, [0, 0, 8, 0, 0, 0, 0, 0, 0x08, 0x02, 0, 0, ...Array(20).fill(7), 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...v]],
    ['fabricpath', LinkType.Ethernet, [...Array(12).fill(0), 0x89, 0x03, 0, 0, ...eth(0x0800, v)]],
    ['vntag', LinkType.Ethernet, eth(0x8926, [0, 1, 0, 2, 0x08, 0x00, ...v])],
    ['pbb', LinkType.Ethernet, eth(0x88e7, [0, 0, 0, 1, ...Array(12).fill(5), 0x08, 0x00, ...v])],
  ];
  for (const [name, lt, bytes] of cases) {
    const r = run(lt, bytes);
    t.is(r.status, DecodeStatus.Ok, name);
    t.is(r.info.sport, 49152, name);
    t.is(r.info.dst4, ip4('198.51.100.9'), name);
    t.is(r.info.payloadCaptured, 5, name);
    t.deepEqual(r.weirds, [], name);
  }
  const v6 = ipv6({ nh: 17, payload: udp(53, 5353, [1, 2]) });
  t.is(run(LinkType.Null, [30, 0, 0, 0, ...v6]).info.ipVersion, 6);
  t.is(run(LinkType.Null, [0, 0, 0, 24, ...v6]).info.ipVersion, 6);
  t.is(run(LinkType.Loop, [0, 0, 0, 28, ...v6]).info.ipVersion, 6);
  t.is(run(LinkType.Ipv6, v6).info.dport, 5353);
});

test('VLAN, QinQ (0x88a8, 0x9100) and a triple tag', (t) => {
  const one = run(LinkType.Ethernet, eth(0x0800, IP4_TCP, [[0x8100, 0x2064]]));
  expectTcp4(t, one);
  t.is(one.info.vlan, 100);
  t.is(one.info.innerVlan, -1);
  const qinq = run(LinkType.Ethernet, eth(0x0800, IP4_TCP, [[0x88a8, 10], [0x8100, 20]]));
  expectTcp4(t, qinq);
  t.is(qinq.info.vlan, 10);
  t.is(qinq.info.innerVlan, 20);
  const old = run(LinkType.Ethernet, eth(0x0800, IP4_TCP, [[0x9100, 7], [0x8100, 8], [0x8100, 9]]));
  expectTcp4(t, old);
  t.is(old.info.vlan, 7);
  t.is(old.info.innerVlan, 8);
  t.is(old.info.ipOff, 14 + 12);
});

test('MPLS: stack popped, payload guessed by nibble, pseudowire control word + Ethernet', (t) => {
  expectTcp4(t, run(LinkType.Ethernet, eth(0x8847, mpls(3, IP4_TCP))));
  expectTcp4(t, run(LinkType.Ethernet, eth(0x8848, mpls(1, IP4_TCP), [[0x8100, 5]])));
  const v6 = run(LinkType.Ethernet, eth(0x8847, mpls(2, ipv6({ nh: 6, payload: TCP }))));
  t.is(v6.info.ipVersion, 6);
  t.is(v6.info.dport, 443);
  expectTcp4(t, run(LinkType.Ethernet, eth(0x8847, mpls(2, [0, 0, 0, 0, ...eth(0x0800, IP4_TCP)]))));
  const notIp = run(LinkType.Ethernet, eth(0x8847, mpls(1, [0x99, 1, 2, 3])));
  t.is(notIp.status, DecodeStatus.NotIp);
  const cut = run(LinkType.Ethernet, eth(0x8847, [0, 1, 0, 64]));
  t.is(cut.status, DecodeStatus.Bad);
  t.deepEqual(kinds(cut), ['truncated_link_header']);
});

test('PPPoE session: IPv4 and IPv6; control protocols are not IP', (t) => {
  expectTcp4(t, run(LinkType.Ethernet, eth(0x8864, pppoe(0x0021, IP4_TCP))));
  const v6 = run(LinkType.Ethernet, eth(0x8864, pppoe(0x0057, ipv6({ nh: 58, payload: icmp(128, 0) })), [[0x88a8, 1], [0x8100, 2]]));
  t.is(v6.status, DecodeStatus.Ok);
  t.is(v6.info.proto, 58);
  t.is(v6.info.sport, 128);
  t.is(v6.info.vlan, 1);
  t.is(run(LinkType.Ethernet, eth(0x8864, pppoe(0xc021, [1, 2, 3, 4]))).status, DecodeStatus.NotIp);
  t.is(run(LinkType.Ethernet, eth(0x8863, [0x11, 9, 0, 0, 0, 0])).status, DecodeStatus.NotIp);
  t.deepEqual(kinds(run(LinkType.Ethernet, eth(0x8864, [0x11, 0, 0, 1]))), ['truncated_pppoe_header']);
});

test('ARP, LLDP, non-SNAP LLC and netlink are not IP, and not weird', (t) => {
  for (const [lt, b] of [
    [LinkType.Ethernet, eth(0x0806, Array(28).fill(0))],
    [LinkType.Ethernet, eth(0x88cc, Array(20).fill(0))],
    [LinkType.Ethernet, [...Array(12).fill(1), 0, 20, 0x42, 0x42, 3, ...Array(17).fill(0)]],
    [LinkType.LinuxSll, sll(0x0800, IP4_TCP, 824)],
    [LinkType.Ieee80211, [0x80, 0, ...Array(40).fill(0)]],
  ] as [number, B][]) {
    const r = run(lt, b);
    t.is(r.status, DecodeStatus.NotIp);
    t.deepEqual(r.weirds, []);
  }
});

test('unsupported link types: not IP, one weird per link type', (t) => {
  const weirds: Weird[] = [];
  const dec = new PacketDecoder({ onWeird: (w) => weirds.push(w) });
  for (let i = 0; i < 3; i++) t.is(run(147, IP4_TCP, { dec }).status, DecodeStatus.NotIp);
  t.is(run(148, IP4_TCP, { dec }).status, DecodeStatus.NotIp);
  t.deepEqual(
    weirds.map((w) => w.kind),
    ['unsupported_link_type', 'unsupported_link_type'],
  );
  t.is(dec.stats.unsupportedLinkType, 4);
});

test('IPv4 options, padding and snaplen cuts', (t) => {
  const withOpts = ipv4({ proto: 6, payload: TCP, options: [0x94, 0x04, 0, 0, 1, 1, 1, 0] });
  const r = run(LinkType.Raw, withOpts);
  t.is(r.status, DecodeStatus.Ok);
  t.is(r.info.payloadOff, 28 + 20);
  t.is(r.info.payloadLen, 5);
  // Ethernet padding after a short packet is not payload.
  const padded = run(LinkType.Ethernet, [...eth(0x0800, IP4_TCP), ...Array(20).fill(0xcc)]);
  t.is(padded.info.payloadCaptured, 5);
  t.is(padded.info.payloadLen, 5);
  // Snaplen cut in the payload: the IP header's claim stands.
  const cut = run(LinkType.Ethernet, eth(0x0800, IP4_TCP), { capLen: 14 + 20 + 20 + 2, wireLen: 14 + IP4_TCP.length });
  t.is(cut.status, DecodeStatus.Ok);
  t.is(cut.info.payloadLen, 5);
  t.is(cut.info.payloadCaptured, 2);
  t.deepEqual(cut.weirds, []);
  // Snaplen cut in the TCP options: the connection is known, with a weird (as Zeek).
  const longOpts = ipv4({ proto: 6, payload: tcp({ sport: 1, dport: 2, options: Array(20).fill(1), payload: [9] }) });
  const opt = run(LinkType.Raw, longOpts, { capLen: 20 + 30, wireLen: longOpts.length });
  t.is(opt.status, DecodeStatus.Ok);
  t.is(opt.info.dport, 2);
  t.is(opt.info.payloadLen, 1);
  t.is(opt.info.payloadCaptured, 0);
  t.deepEqual(kinds(opt), ['truncated_header']);
});

test('IPv4 fragments: first has ports, later ones do not', (t) => {
  const first = run(LinkType.Raw, ipv4({ proto: 17, payload: udp(5000, 53, Array(40).fill(1)), mf: true }));
  t.is(first.info.frag, Frag.First);
  t.is(first.info.dport, 53);
  const later = run(LinkType.Raw, ipv4({ proto: 17, payload: Array(40).fill(1), fragOffset: 6 }));
  t.is(later.status, DecodeStatus.Ok);
  t.is(later.info.frag, Frag.Later);
  t.is(later.info.proto, 17);
  t.is(later.info.sport, 0);
  t.is(later.info.dport, 0);
  t.is(later.info.payloadLen, 40);
  t.is(later.info.payloadOff, 20);
  const lastMf = run(LinkType.Raw, ipv4({ proto: 6, payload: Array(8).fill(1), fragOffset: 100, mf: true }));
  t.is(lastMf.info.frag, Frag.Later);
  t.is(first.dec.stats.fragmentsFirst, 1);
  t.is(later.dec.stats.fragmentsLater, 1);
});

test('IPv6 extension headers: hop-by-hop, routing, destination options, AH; ESP and no-next stop', (t) => {
  const chain = [
    ...ext6(43, 0), // hop-by-hop → routing
    ...[60, 0, 4, 0, 0, 0, 0, 0], // routing type 4 (SRH-like), no address change → dest opts
    ...ext6(51, 1), // destination options (16 bytes) → AH
    ...[6, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, ...Array(12).fill(0)], // AH: (4 + 2) * 4 = 24 bytes → TCP
    ...TCP,
  ];
  const r = run(LinkType.Raw, ipv6({ nh: 0, payload: chain }));
  t.is(r.status, DecodeStatus.Ok);
  t.is(r.info.proto, 6);
  t.is(r.info.sport, 49152);
  t.is(r.info.payloadLen, 5);
  t.is(r.info.payloadOff, 40 + 8 + 8 + 16 + 24 + 20);
  t.deepEqual(r.weirds, []);
  const esp = run(LinkType.Raw, ipv6({ nh: 60, payload: [...ext6(50, 0), 0, 0, 0, 1, 0, 0, 0, 1, 9, 9] }));
  t.is(esp.status, DecodeStatus.Ok);
  t.is(esp.info.proto, 50);
  t.is(esp.info.sport, 0);
  t.is(esp.dec.stats.esp, 1);
  const none = run(LinkType.Raw, ipv6({ nh: 59, payload: [] }));
  t.is(none.status, DecodeStatus.Ok);
  t.is(none.info.proto, 59);
  // Type 0 routing with segments left: the final destination is the responder (as Zeek).
  const rh0 = [6, 2, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 0x99];
  const r0 = run(LinkType.Raw, ipv6({ nh: 43, payload: [...rh0, ...TCP] }));
  t.deepEqual([...r0.info.dst6], ip6words('2001:db8::99'));
});

test('IPv6 fragments: first with ports, later without, atomic is not a fragment', (t) => {
  const first = run(LinkType.Raw, ipv6({ nh: 44, payload: [...frag6(17, 0, true), ...udp(53, 1234, Array(30).fill(0))] }));
  t.is(first.info.frag, Frag.First);
  t.is(first.info.sport, 53);
  const later = run(LinkType.Raw, ipv6({ nh: 0, payload: [...ext6(44, 0), ...frag6(17, 185, false), ...Array(30).fill(0)] }));
  t.is(later.status, DecodeStatus.Ok);
  t.is(later.info.frag, Frag.Later);
  t.is(later.info.proto, 17);
  t.is(later.info.sport, 0);
  t.is(later.info.payloadLen, 30);
  const atomic = run(LinkType.Raw, ipv6({ nh: 44, payload: [...frag6(6, 0, false), ...TCP] }));
  t.is(atomic.info.frag, Frag.None);
  t.is(atomic.info.dport, 443);
});

test('ICMP and ICMPv6: type and code as ports; Zeek’s counterpart mapping', (t) => {
  const r = run(LinkType.Raw, ipv4({ proto: 1, payload: icmp(8, 0, [0, 1, 0, 1, 9, 9, 9]) }));
  t.is(r.info.sport, 8);
  t.is(r.info.dport, 0);
  t.is(r.info.payloadLen, 3);
  const u = run(LinkType.Raw, ipv4({ proto: 1, payload: icmp(3, 3, [0, 0, 0, 0, ...IP4_TCP.slice(0, 28)]) }));
  t.is(u.info.sport, 3);
  t.is(u.info.dport, 3);
  t.is(u.info.tunnelDepth, 0, 'an ICMP error’s quoted packet is payload, not a tunnel');
  const v6 = run(LinkType.Raw, ipv6({ nh: 58, payload: icmp(135, 0, Array(20).fill(0)) }));
  t.is(v6.info.sport, 135);
  t.is(icmpCounterpart(false, 8), 0);
  t.is(icmpCounterpart(false, 3), -1);
  t.is(icmpCounterpart(true, 128), 129);
  t.is(icmpCounterpart(true, 143), -1);
  const ports = [0, 0];
  icmpConnPorts(true, 143, 0, ports);
  t.deepEqual(ports, [143, 0]);
  icmpConnPorts(false, 13, 0, ports);
  t.deepEqual(ports, [13, 14]);
});

test('other IP protocols: proto set, ports 0, payload is everything after the IP header', (t) => {
  const r = run(LinkType.Raw, ipv4({ proto: 132, payload: [0, 1, 0, 2, ...Array(12).fill(0)] }));
  t.is(r.status, DecodeStatus.Ok);
  t.is(r.info.proto, 132);
  t.is(r.info.sport, 0);
  t.is(r.info.payloadLen, 16);
});

test('Zeek weird names for damaged IP and transport headers', (t) => {
  const cases: [string, number, B, string[], { capLen?: number; wireLen?: number }?][] = [
    ['short IP', LinkType.Raw, IP4_TCP.slice(0, 19), ['truncated_IP']],
    ['IHL 4', LinkType.Raw, ipv4({ proto: 6, payload: TCP, ihl: 4 }), ['IPv4_min_header_size']],
    ['IHL > total', LinkType.Raw, ipv4({ proto: 6, payload: TCP, ihl: 15, total: 40 }), ['invalid_IP_header_size']],
    ['IHL > captured', LinkType.Raw, ipv4({ proto: 6, payload: [], ihl: 15, total: 60 }), ['internally_truncated_header'], { wireLen: 80 }],
    ['total > wire', LinkType.Raw, ipv4({ proto: 6, payload: TCP, total: 1500 }), ['truncated_IP_len']],
    ['version 5', LinkType.Raw, ipv4({ proto: 6, payload: TCP, version: 5 }), ['unknown_ip_version']],
    ['v6 short', LinkType.Raw, ipv6({ nh: 6, payload: [] }).slice(0, 30), ['truncated_IP']],
    ['v6 plen > wire', LinkType.Raw, ipv6({ nh: 6, payload: TCP, plen: 900 }), ['truncated_IP_len']],
    ['v6 ext cut', LinkType.Raw, ipv6({ nh: 0, payload: [6, 3, 0, 0] }), ['truncated_IPv6_ext_header']],
    ['TCP in 10 bytes', LinkType.Raw, ipv4({ proto: 6, payload: TCP.slice(0, 10) }), ['truncated_header']],
    ['TCP cut by snaplen', LinkType.Raw, ipv4({ proto: 6, payload: TCP }), ['internally_truncated_header'], { capLen: 30 }],
    ['TCP offset 3', LinkType.Raw, ipv4({ proto: 6, payload: tcp({ sport: 1, dport: 2, dataOffset: 3 }) }), ['bad_TCP_header_len']],
    ['TCP offset past IP', LinkType.Raw, ipv4({ proto: 6, payload: tcp({ sport: 1, dport: 2, dataOffset: 15 }) }), ['truncated_header']],
    ['UDP in 4', LinkType.Raw, ipv4({ proto: 17, payload: [0, 53, 0, 53] }), ['truncated_header']],
    ['ICMP in 4', LinkType.Raw, ipv4({ proto: 1, payload: [8, 0, 0, 0] }), ['truncated_header']],
    ['short Ethernet', LinkType.Ethernet, [1, 2, 3, 4, 5, 6, 7, 8], ['truncated_ethernet_frame']],
    ['short VLAN', LinkType.Ethernet, eth(0x8100, [0, 1]), ['truncated_VLAN_header']],
    ['short SLL', LinkType.LinuxSll, [0, 0, 0, 1], ['truncated_Linux_SLL_header']],
    ['short SLL2', LinkType.LinuxSll2, [8, 0, 0, 1], ['truncated_Linux_SLL2_header']],
    ['short NULL', LinkType.Null, [2, 0], ['null_analyzer_failed']],
    ['short GRE', LinkType.Raw, ipv4({ proto: 47, payload: [0, 0] }), ['truncated_GRE']],
    ['GRE routing', LinkType.Raw, ipv4({ proto: 47, payload: gre(0x0800, IP4_TCP, { extraFlags: 0x4000 }) }), ['gre_routing']],
    ['GRE version 2', LinkType.Raw, ipv4({ proto: 47, payload: gre(0x0800, IP4_TCP, { version: 2 }) }), ['unknown_gre_version']],
  ];
  for (const [name, lt, bytes, expected, o] of cases) {
    const r = run(lt, bytes, o ?? {});
    t.is(r.status, DecodeStatus.Bad, name);
    t.deepEqual(kinds(r), expected, name);
    t.is(r.weirds[0]?.file, 't.pcap');
  }
  // Survivable: a weird, and the packet still decodes.
  const zero = run(LinkType.Raw, ipv4({ proto: 6, payload: TCP, total: 0 }));
  t.is(zero.status, DecodeStatus.Ok);
  t.deepEqual(kinds(zero), ['ip_hdr_len_zero']);
  t.is(zero.info.payloadLen, 5);
  const ulen = run(LinkType.Raw, ipv4({ proto: 17, payload: udp(1, 2, [1, 2, 3], 100) }));
  t.is(ulen.status, DecodeStatus.Ok);
  t.deepEqual(kinds(ulen), ['UDP_datagram_length_mismatch']);
  t.is(ulen.info.payloadLen, 3, 'the IP header’s claim');
});

test('weirds carry the frame offset when the caller sets it', (t) => {
  const weirds: Weird[] = [];
  const dec = new PacketDecoder({ onWeird: (w) => weirds.push(w) });
  const info = newPacketInfo();
  const buf = frame(IP4_TCP.slice(0, 10));
  t.is(dec.decodeRecord({ buf, off: 0, capLen: 10, wireLen: 10, ts: 5, linkType: 101, offsetInFile: 777 }, info), DecodeStatus.Bad);
  t.is(weirds[0]?.offset, 777);
  t.is(info.ts, 5);
  dec.frameOffset = -1;
  dec.decode(101, buf, 0, 10, info);
  t.is(weirds[1]?.offset, undefined);
  t.is(dec.stats.weirds, 2);
  t.is(dec.stats.bad, 2);
});

test('IP-in-IP: 4in4, 6in4, 4in6, with the outer packet kept', (t) => {
  const inner = IP4_TCP;
  const r = run(LinkType.Ethernet, eth(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 4, payload: inner })));
  expectTcp4(t, r);
  t.is(r.info.tunnelDepth, 1);
  t.is(r.info.tunnelType, TunnelType.IpInIp);
  t.is(r.info.ipOff, 14 + 20);
  t.is(r.dec.outer.src4, ip4('203.0.113.1'));
  t.is(r.dec.outer.proto, 4);
  t.is(r.dec.stats.ipInIp, 1);
  t.is(r.dec.stats.tunneled, 1);
  const six = run(LinkType.Raw, ipv4({ proto: 41, payload: ipv6({ nh: 17, payload: udp(1, 2, [0]) }) }));
  t.is(six.info.ipVersion, 6);
  t.is(six.info.dport, 2);
  const four = run(LinkType.Raw, ipv6({ nh: 4, payload: inner }));
  expectTcp4(t, four);
  // A fragmented tunnel packet is reported as the outer packet.
  const frag = run(LinkType.Raw, ipv4({ proto: 4, payload: inner, mf: true }));
  t.is(frag.info.tunnelDepth, 0);
  t.is(frag.info.proto, 4);
});

test('GRE: plain, checksum/key/sequence, Ethernet, ERSPAN I/II/III, MPLS, PPTP', (t) => {
  const outer = (p: B): B => eth(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 47, payload: p }));
  const cases: [string, B][] = [
    ['plain', gre(0x0800, IP4_TCP)],
    ['csum key seq', gre(0x0800, IP4_TCP, { csum: true, key: 42, seq: 7 })],
    ['ethernet', gre(0x6558, eth(0x0800, IP4_TCP, [[0x8100, 33]]), { key: 1 })],
    ['erspan I', gre(0x88be, eth(0x0800, IP4_TCP))],
    ['erspan II', gre(0x88be, [0x10, 0, 0, 1, 0, 0, 0, 0, ...eth(0x0800, IP4_TCP)], { seq: 1 })],
    ['erspan III', gre(0x22eb, [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, ...eth(0x0800, IP4_TCP)], { seq: 1 })],
    ['erspan III + platform', gre(0x22eb, [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, ...Array(8).fill(0), ...eth(0x0800, IP4_TCP)], { seq: 1 })],
    ['mpls', gre(0x8847, mpls(1, IP4_TCP))],
    ['pptp', gre(0x880b, [0xff, 0x03, 0x00, 0x21, ...IP4_TCP], { key: 0x00280001, seq: 3, version: 1 })],
  ];
  for (const [name, g] of cases) {
    const r = run(LinkType.Ethernet, outer(g));
    t.is(r.status, DecodeStatus.Ok, name);
    t.is(r.info.tunnelDepth, 1, name);
    t.is(r.info.tunnelType, TunnelType.Gre, name);
    t.is(r.info.src4, ip4('10.1.2.3'), name);
    t.is(r.info.dport, 443, name);
    t.is(r.info.payloadCaptured, 5, name);
    t.deepEqual(r.weirds, [], name);
    t.is(r.dec.outer.proto, 47, name);
  }
  const tagged = run(LinkType.Ethernet, eth(0x0800, ipv4({ proto: 47, payload: gre(0x6558, eth(0x0800, IP4_TCP, [[0x8100, 33]])) }), [[0x8100, 5]]));
  t.is(tagged.info.vlan, 33, 'the inner frame’s VLAN');
  t.is(tagged.dec.outer.vlan, 5);
  // PPTP control (LCP) and GRE carrying ARP are not IP.
  t.is(run(LinkType.Raw, ipv4({ proto: 47, payload: gre(0x880b, [0xff, 3, 0xc0, 0x21, 1, 2], { key: 1, version: 1 }) })).status, DecodeStatus.NotIp);
  t.is(run(LinkType.Raw, ipv4({ proto: 47, payload: gre(0x0806, Array(28).fill(0)) })).status, DecodeStatus.NotIp);
});

test('GRE within GRE, and the depth limit', (t) => {
  const l2 = ipv4({ src: '10.9.9.9', proto: 47, payload: gre(0x0800, IP4_TCP) });
  const l1 = ipv4({ src: '10.8.8.8', proto: 47, payload: gre(0x0800, l2) });
  const r = run(LinkType.Raw, l1);
  expectTcp4(t, r);
  t.is(r.info.tunnelDepth, 2);
  t.is(r.dec.tunnelLayer(0).src4, ip4('10.8.8.8'));
  t.is(r.dec.tunnelLayer(1).src4, ip4('10.9.9.9'));
  const l0 = ipv4({ src: '10.7.7.7', proto: 47, payload: gre(0x0800, l1) });
  const deep = run(LinkType.Raw, l0);
  t.is(deep.status, DecodeStatus.Bad);
  t.deepEqual(kinds(deep), ['exceeded_tunnel_max_depth']);
  const weirds: Weird[] = [];
  const roomy = run(LinkType.Raw, l0, { dec: new PacketDecoder({ maxTunnelDepth: 3, onWeird: (w) => weirds.push(w) }) });
  expectTcp4(t, roomy);
  t.is(roomy.info.tunnelDepth, 3);
});

test('UDP tunnels: VXLAN, Geneve, GTP-U, Teredo, AYIYA, GRE-in-UDP', (t) => {
  const v6tcp = ipv6({ src: '2001:0:4136:e378::1', dst: '2001:db8::80', nh: 6, payload: TCP });
  const outer = (sport: number, dport: number, p: B): B =>
    eth(0x0800, ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: 17, payload: udp(sport, dport, p) }));
  const cases: [string, B, number, number][] = [
    ['vxlan', outer(51000, 4789, vxlan(eth(0x0800, IP4_TCP))), TunnelType.Vxlan, 4],
    ['geneve eth', outer(52000, 6081, geneve(0x6558, eth(0x0800, IP4_TCP), 2)), TunnelType.Geneve, 4],
    ['geneve ip', outer(52000, 6081, geneve(0x0800, IP4_TCP)), TunnelType.Geneve, 4],
    ['gtp', outer(2152, 2152, gtpu(IP4_TCP)), TunnelType.Gtp, 4],
    ['gtp ext', outer(2152, 2152, gtpu(IP4_TCP, true)), TunnelType.Gtp, 4],
    ['teredo', outer(3544, 50000, v6tcp), TunnelType.Teredo, 6],
    ['teredo origin', outer(3544, 50000, [0, 0, 0x12, 0x34, 1, 2, 3, 4, ...v6tcp]), TunnelType.Teredo, 6],
    ['teredo relay (heuristic)', outer(40000, 50000, v6tcp), TunnelType.Teredo, 6],
    ['ayiya', outer(5072, 5072, [0x41, 0x52, 0x11, 41, 0, 0, 0, 0, ...Array(16).fill(1), ...Array(20).fill(2), ...v6tcp]), TunnelType.Ayiya, 6],
    ['gre in udp', outer(60000, 4754, gre(0x0800, IP4_TCP)), TunnelType.GreUdp, 4],
  ];
  for (const [name, bytes, type, version] of cases) {
    const r = run(LinkType.Ethernet, bytes);
    t.is(r.status, DecodeStatus.Ok, name);
    t.is(r.info.tunnelType, type, name);
    t.is(r.info.tunnelDepth, 1, name);
    t.is(r.info.ipVersion, version, name);
    t.is(r.info.dport, 443, name);
    t.is(r.info.payloadCaptured, 5, name);
    t.deepEqual(r.weirds, [], name);
    t.is(r.dec.outer.proto, 17, name);
    t.is(r.dec.outer.src4, ip4('192.0.2.1'), name);
  }
});

test('UDP tunnels that carry no IP report the datagram itself', (t) => {
  const arp = eth(0x0800, ipv4({ proto: 17, payload: udp(12345, 6081, geneve(0x0806, Array(28).fill(0))) }));
  const r = run(LinkType.Ethernet, arp);
  t.is(r.status, DecodeStatus.Ok);
  t.is(r.info.tunnelDepth, 0);
  t.is(r.info.proto, 17);
  t.is(r.info.dport, 6081);
  const vx = run(LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 4789, vxlan(eth(0x0806, Array(28).fill(0)))) })));
  t.is(vx.info.dport, 4789);
  t.is(vx.info.tunnelDepth, 0);
  // VXLAN without the I flag is plain UDP.
  const noI = run(LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 4789, [0, 0, 0, 0, 0, 0, 0, 0, ...eth(0x0800, IP4_TCP)]) })));
  t.is(noI.info.tunnelDepth, 0);
  // A damaged inner packet: the weird, and the datagram.
  const dmg = run(LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 4789, vxlan(eth(0x0800, IP4_TCP.slice(0, 12)))) })));
  t.is(dmg.status, DecodeStatus.Ok);
  t.is(dmg.info.dport, 4789);
  t.deepEqual(kinds(dmg), ['truncated_IP']);
  // Source port 4789 alone is not VXLAN (its source port is entropy).
  t.is(run(LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(4789, 53, vxlan(eth(0x0800, IP4_TCP))) }))).info.tunnelDepth, 0);
  // udpTunnels: false leaves them alone.
  const plain = run(LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 4789, vxlan(eth(0x0800, IP4_TCP))) })), {
    dec: new PacketDecoder({ udpTunnels: false }),
  });
  t.is(plain.info.tunnelDepth, 0);
});

test('VXLAN in Geneve: every level is kept', (t) => {
  const inner = eth(0x0800, ipv4({ src: '10.0.0.5', proto: 17, payload: udp(40000, 4789, vxlan(eth(0x0800, IP4_TCP))) }));
  const r = run(LinkType.Ethernet, eth(0x0800, ipv4({ src: '192.0.2.1', proto: 17, payload: udp(1, 6081, geneve(0x6558, inner)) })));
  expectTcp4(t, r);
  t.is(r.info.tunnelDepth, 2);
  t.is(r.info.tunnelType, TunnelType.Vxlan);
  t.is(r.dec.tunnelLayer(0).dport, 6081);
  t.is(r.dec.tunnelLayer(1).dport, 4789);
  t.is(r.dec.tunnelLayer(1).src4, ip4('10.0.0.5'));
});

test('decoding at an offset inside a larger buffer gives the same result', (t) => {
  const frames: [number, B][] = [
    [LinkType.Ethernet, eth(0x0800, IP4_TCP, [[0x8100, 3]])],
    [LinkType.Raw, ipv6({ nh: 0, payload: [...ext6(17, 0), ...udp(1, 2, [3])] })],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 4789, vxlan(eth(0x0800, IP4_TCP))) }))],
  ];
  for (const [lt, f] of frames) {
    const a = run(lt, f);
    const big = new Uint8Array(f.length + 300).fill(0xab);
    big.set(f, 123);
    const info = newPacketInfo();
    info.wireLen = f.length;
    const s = new PacketDecoder().decode(lt, big, 123, f.length, info);
    t.is(s, a.status);
    t.is(info.payloadOff - 123, a.info.payloadOff);
    t.is(info.ipOff - 123, a.info.ipOff);
    t.is(info.sport, a.info.sport);
    t.is(info.tunnelDepth, a.info.tunnelDepth);
  }
});

/** Every crafted frame used above, for the properties. */
function corpus(): [number, B][] {
  const v6tcp = ipv6({ src: '2001:0:4136:e378::1', nh: 6, payload: TCP });
  return [
    [LinkType.Ethernet, eth(0x0800, IP4_TCP, [[0x88a8, 1], [0x8100, 2]])],
    [LinkType.Ethernet, eth(0x8847, mpls(2, IP4_TCP))],
    [LinkType.Ethernet, eth(0x8864, pppoe(0x0057, ipv6({ nh: 0, payload: [...ext6(44, 0), ...frag6(17, 0, true), ...udp(1, 2, [3, 4])] })))],
    [LinkType.LinuxSll, sll(0x86dd, ipv6({ nh: 60, payload: [...ext6(51, 0), 6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...TCP] }))],
    [LinkType.LinuxSll2, sll2(0x0800, ipv4({ proto: 1, payload: icmp(8, 0), options: [1, 1, 1, 0] }))],
    [LinkType.Null, [2, 0, 0, 0, ...IP4_TCP]],
    [LinkType.Ieee80211Radiotap, [0, 0, 8, 0, 0, 0, 0, 0, 0x88, 0x02, 0, 0, ...Array(20).fill(7), 0, 0, 0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...IP4_TCP]],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 47, payload: gre(0x22eb, [0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, ...Array(8).fill(0), ...eth(0x0800, IP4_TCP)], { seq: 1 }) }))],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 47, payload: gre(0x880b, [0xff, 0x03, 0x00, 0x21, ...IP4_TCP], { key: 1, seq: 3, version: 1 }) }))],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 4789, vxlan(eth(0x0800, IP4_TCP))) }))],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 6081, geneve(0x6558, eth(0x0800, IP4_TCP), 1)) }))],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(2152, 2152, gtpu(IP4_TCP, true)) }))],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(3544, 1, [0, 1, 2, 2, 1, 2, 3, 4, ...Array(9).fill(0), 0, 0, 1, 2, 3, 4, 5, 6, ...v6tcp]) }))],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(5072, 5072, [0x41, 0x52, 0x11, 41, 0, 0, 0, 0, ...Array(36).fill(1), ...v6tcp]) }))],
    [LinkType.Ethernet, eth(0x0800, ipv4({ proto: 17, payload: udp(1, 4754, gre(0x86dd, v6tcp)) }))],
    [LinkType.Raw, ipv6({ nh: 4, payload: ipv4({ proto: 41, payload: v6tcp }) })],
  ];
}

test('property: every prefix of every frame decodes without throwing; Bad always comes with a weird', (t) => {
  let n = 0;
  for (const [lt, f] of corpus()) {
    const full = run(lt, f);
    t.is(full.status, DecodeStatus.Ok, `frame ${n}`);
    for (let cap = 0; cap <= f.length; cap++) {
      // Snaplen cut: the wire had the whole frame.
      const cut = run(lt, f, { capLen: cap, wireLen: f.length });
      if (cut.status === DecodeStatus.Bad) t.true(cut.weirds.length > 0, `frame ${n} cap ${cap}`);
      if (cut.status === DecodeStatus.Ok) {
        t.true(cut.info.payloadCaptured >= 0 && cut.info.payloadCaptured <= cut.info.payloadLen, `frame ${n} cap ${cap}`);
        t.true(cut.info.payloadOff + cut.info.payloadCaptured <= cap, `frame ${n} cap ${cap}`);
      }
      // Truncated on the wire too: lengths inside now lie.
      const lie = run(lt, f.slice(0, cap));
      if (lie.status === DecodeStatus.Bad) t.true(lie.weirds.length > 0);
      n++;
    }
  }
  t.log(`${n} prefixes`);
});

test('property: random bytes and random corruption never throw', (t) => {
  const rnd = prng(99);
  const dec = new PacketDecoder({ maxTunnelDepth: 4 });
  const info = newPacketInfo();
  const lts = [0, 1, 9, 10, 12, 14, 50, 101, 105, 108, 113, 127, 228, 229, 276];
  const frames = corpus();
  let n = 0;
  for (let i = 0; i < 30000; i++) {
    let buf: Uint8Array;
    let lt: number;
    if (i % 2 === 0) {
      buf = Uint8Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256));
      lt = lts[i % lts.length]!;
    } else {
      const [l, f] = frames[i % frames.length]!;
      lt = l;
      buf = frame(f);
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
    }
    info.wireLen = rnd() < 0.5 ? buf.length : buf.length + Math.floor(rnd() * 100);
    const before = dec.stats.weirds;
    const s = dec.decode(lt, buf, 0, buf.length, info);
    if (s === DecodeStatus.Bad) t.true(dec.stats.weirds > before);
    if (s === DecodeStatus.Ok) {
      t.true(info.payloadOff + info.payloadCaptured <= buf.length);
      t.true(info.payloadCaptured >= 0);
    }
    n++;
  }
  t.is(dec.stats.packets, n);
  t.is(dec.stats.ok + dec.stats.notIp + dec.stats.bad, n);
  t.log(dec.stats);
});

test('decodePacket is the same decoder as a plain function', (t) => {
  const dec = new PacketDecoder();
  const info = newPacketInfo();
  const f = frame(eth(0x0800, IP4_TCP));
  info.wireLen = f.length;
  const fn = dec.decodePacket;
  t.is(fn(1, f, 0, f.length, info), DecodeStatus.Ok);
  t.is(info.dport, 443);
  t.is(dec.stats.packets, 1);
});
