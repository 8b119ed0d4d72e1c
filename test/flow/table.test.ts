// FlowTable: Zeek's conn_state, history, byte counts, timers, orientation,
// eviction and uids, on synthetic packets (real frames, decoded).
import test from 'ava';
import { Frag, newPacketInfo } from '../../lib/decode/packet/types.js';
import { FlowTable } from '../../lib/flow/table.js';
import { InvalidOptionError } from '../../lib/errors.js';
import type { FlowRecord } from '../../lib/model.js';
import { ipFrame, Tcp, tcpSegment, Trace } from './packets.js';

const C = '10.0.0.1';
const S = '192.0.2.10';

test('full handshake, data both ways, FIN/FIN: SF with ShADadFf and sizes from sequence numbers', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr).handshake();
  c.c('PA', 120);
  c.s('A');
  c.s('PA', 1000);
  c.c('A');
  c.c('FA');
  c.s('FA');
  c.c('A');
  const f = tr.only();
  t.is(f.connState, 'SF');
  t.is(f.history, 'ShADadFf');
  t.is(f.origBytes, 120);
  t.is(f.respBytes, 1000);
  t.is(f.origPkts, 6);
  t.is(f.respPkts, 4);
  t.is(f.origIpBytes, 6 * 40 + 120);
  t.is(f.respIpBytes, 4 * 40 + 1000);
  t.is(f.origH, C);
  t.is(f.respP, 8080);
  t.is(f.proto, 'tcp');
  t.is(f.source, 'pcap');
  t.is(f.orientation, 'observed');
  // Duration stops at the second FIN: the last ACK adds nothing once both sides closed.
  t.is(Math.round(f.duration * 100), 8);
});

test('S0: SYN without answer; a same-seq retransmission adds no letter', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr);
  c.c('S');
  c.c('S', undefined, { seq: 1000, dt: 1 });
  const f = tr.only();
  t.is(f.connState, 'S0');
  t.is(f.history, 'S');
  t.is(f.origPkts, 2);
  t.is(f.respPkts, 0);
});

test('REJ: SYN answered by RST', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr);
  c.c('S');
  c.s('RA');
  const f = tr.only();
  t.is(f.connState, 'REJ');
  t.is(f.history, 'Sr');
});

test('S1, S2, S3', (t) => {
  let tr = new Trace();
  let c = new Tcp(tr).handshake();
  c.c('PA', 10);
  t.is(tr.only().connState, 'S1');

  tr = new Trace();
  c = new Tcp(tr).handshake();
  c.c('FA');
  t.is(tr.only().connState, 'S2');

  tr = new Trace();
  c = new Tcp(tr).handshake();
  c.s('FA');
  const f = tr.only();
  t.is(f.connState, 'S3');
  t.is(f.history, 'ShAf');
});

test('RSTO, RSTR, RSTOS0', (t) => {
  let tr = new Trace();
  let c = new Tcp(tr).handshake();
  c.c('R');
  t.is(tr.only().connState, 'RSTO');

  tr = new Trace();
  c = new Tcp(tr).handshake();
  c.s('R');
  const r = tr.only();
  t.is(r.connState, 'RSTR');
  t.is(r.history, 'ShAr');

  tr = new Trace();
  c = new Tcp(tr);
  c.c('S');
  c.c('R');
  const o = tr.only();
  t.is(o.connState, 'RSTOS0');
  t.is(o.history, 'SR');
});

test('SH, SHR, RSTRH and a flipped first SYN-ACK', (t) => {
  let tr = new Trace();
  let c = new Tcp(tr);
  c.c('S');
  c.c('F');
  t.is(tr.only().connState, 'SH');

  // The server's SYN-ACK comes first: 8080 is a likely server port, so the
  // flow is flipped ('^') and the server is the responder.
  tr = new Trace();
  c = new Tcp(tr);
  c.s('SA');
  c.s('F');
  let f = tr.only();
  t.is(f.connState, 'SHR');
  t.is(f.history, '^hf');
  t.is(f.origH, C);
  t.is(f.respP, 8080);

  tr = new Trace();
  c = new Tcp(tr);
  c.s('SA');
  c.s('R');
  f = tr.only();
  t.is(f.connState, 'RSTRH');
  t.is(f.history, '^hr');
});

test('OTH: midstream traffic without a SYN', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40000, S, 45000);
  c.c('PA', 50);
  c.s('PA', 60);
  const f = tr.only();
  t.is(f.connState, 'OTH');
  t.is(f.history, 'Dd');
  t.is(f.origBytes, 50);
  t.is(f.respBytes, 60);
});

test('a SYN-ACK between unremarkable ports is flipped when an ACK follows (zeek#2191)', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40000, S, 45000);
  c.s('SA');
  c.c('A');
  c.c('PA', 10);
  c.s('A');
  const f = tr.only();
  t.is(f.origH, C);
  t.is(f.history, '^hADa');
});

test('SYN/SYN-ACK seen reversed (SYN-ACK first, then the SYN with its ISN) establishes, flipped', (t) => {
  const tr = new Trace();
  tr.tcp(S, 45000, C, 40000, 'SA', 900000, 1001);
  tr.tcp(C, 40000, S, 45000, 'S', 1000, 0);
  tr.tcp(C, 40000, S, 45000, 'A', 1001, 900001);
  const f = tr.only();
  t.is(f.origH, C);
  t.is(f.connState, 'S1');
  t.true(f.history.includes('^'));
});

test('sequence numbers wrapping past 2^32 still give exact byte counts', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40000, S, 8080, 0xffffff00, 0xfffffff0);
  c.handshake();
  for (let k = 0; k < 5; k++) {
    c.c('PA', 100);
    c.s('PA', 200);
  }
  c.c('FA');
  c.s('FA');
  const f = tr.only();
  t.is(f.origBytes, 500);
  t.is(f.respBytes, 1000);
  t.is(f.connState, 'SF');
});

test('retransmissions: T once, TT at ten; zero window: W', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr).handshake();
  c.c('PA', 100);
  for (let k = 0; k < 10; k++) c.c('PA', 100, { seq: 1001 });
  c.s('A', undefined, { window: 0 });
  const f = tr.only();
  t.is(f.history, 'ShADTTaw');
  t.is(f.origBytes, 100);
});

test('UDP: S0, SF, SHR for a response seen alone (flipped by port)', (t) => {
  let tr = new Trace();
  tr.udp(C, 40000, S, 9999, 20);
  let f = tr.only();
  t.is(f.connState, 'S0');
  t.is(f.history, 'D');
  t.is(f.origBytes, 20);

  tr = new Trace();
  tr.udp(C, 40000, S, 9999, 20);
  tr.udp(S, 9999, C, 40000, 30);
  f = tr.only();
  t.is(f.connState, 'SF');
  t.is(f.history, 'Dd');
  t.is(f.respBytes, 30);
  t.is(f.respIpBytes, 20 + 8 + 30);

  tr = new Trace({ app: false });
  tr.udp(S, 53, C, 40000, 30);
  f = tr.only();
  t.is(f.connState, 'SHR');
  t.is(f.history, '^d');
  t.is(f.origH, C);
  t.is(f.respP, 53);
});

test('ICMP echo: one flow with type/counterpart as ports; one-way messages keep their direction', (t) => {
  const tr = new Trace();
  tr.icmp(C, S, 8, 0, 56);
  tr.icmp(S, C, 0, 0, 56);
  tr.icmp(S, C, 3, 3, 28);
  tr.end();
  const echo = tr.flows.find((f) => f.origP === 8) as FlowRecord;
  t.is(echo.proto, 'icmp');
  t.is(echo.respP, 0);
  t.is(echo.origPkts, 1);
  t.is(echo.respPkts, 1);
  t.is(echo.origBytes, 56);
  t.is(echo.connState, 'OTH');
  const unreach = tr.flows.find((f) => f.origP === 3) as FlowRecord;
  t.is(unreach.origH, S);
  t.is(unreach.respP, 3);
});

test('other IP protocols are flows with ports 0 and the protocol number', (t) => {
  const tr = new Trace();
  tr.frame(ipFrame(C, S, 132, new Uint8Array(12), -1));
  tr.frame(ipFrame(C, S, 132, new Uint8Array(12), -1));
  const f = tr.only();
  t.is(f.proto, 132);
  t.is(f.origP, 0);
  t.is(f.respP, 0);
  t.is(f.origPkts, 2);
  t.is(f.origIpBytes, 64);
  t.is(f.connState, 'OTH');
});

test('non-first fragments are counted, not flows', (t) => {
  const table = new FlowTable({ flow: () => t.fail(), dns: () => t.fail() });
  const p = newPacketInfo();
  p.ipVersion = 4;
  p.proto = 17;
  p.frag = Frag.Later;
  p.ts = 1;
  t.false(table.packet(p, new Uint8Array(0)));
  table.flush();
  t.is(table.stats.fragments, 1);
  t.is(table.stats.flows, 0);
});

test('timeouts: UDP after 60 s idle, established TCP after 300 s, and on packet time without traffic', (t) => {
  const tr = new Trace();
  tr.udp(C, 40000, S, 9999, 10);
  tr.udp(C, 40000, S, 9999, 10, { dt: 59 });
  t.is(tr.flows.length, 0);
  tr.udp(C, 40000, S, 9999, 10, { dt: 60.5 });
  t.is(tr.flows.length, 1);

  const tr2 = new Trace();
  const c = new Tcp(tr2).handshake();
  c.c('PA', 1, { dt: 299 });
  t.is(tr2.flows.length, 0);
  c.c('PA', 1, { dt: 301 });
  t.is(tr2.flows.length, 1);
  t.is(tr2.flows[0]?.connState, 'S1');

  // Timers also run without traffic on the flow: expire() on packet time.
  const tr3 = new Trace();
  tr3.udp(C, 40000, S, 9999, 10);
  tr3.table.expire(tr3.t + 61);
  t.is(tr3.flows.length, 1);
});

test('the attempt timer ends an unanswered SYN after 5 s; a later SYN is a new flow', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr);
  c.c('S');
  c.c('S', undefined, { seq: 1000, dt: 3 });
  c.c('S', undefined, { seq: 1000, dt: 3 });
  tr.end();
  t.deepEqual(
    tr.flows.map((f) => [f.connState, f.origPkts]),
    [
      ['S0', 2],
      ['S0', 1],
    ],
  );
});

test('closed connections linger 5 s: a late ACK joins, later traffic is a new flow', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr).handshake();
  c.c('FA');
  c.s('FA');
  c.c('A', undefined, { dt: 4 });
  t.is(tr.flows.length, 0);
  c.c('A', undefined, { dt: 2 });
  tr.end();
  t.is(tr.flows.length, 2);
  t.is(tr.flows[0]?.connState, 'SF');
  t.is(tr.flows[0]?.origPkts, 4);
  t.is(tr.flows[1]?.connState, 'OTH');
});

test('a new SYN on a closed 5-tuple starts a new flow (reuse)', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr).handshake();
  c.c('FA');
  c.s('FA');
  c.c('A');
  const c2 = new Tcp(tr, C, 40000, S, 8080, 777777, 888888);
  c2.handshake();
  tr.end();
  t.is(tr.flows.length, 2);
  t.is(tr.table.stats.reused, 1);
  t.is(tr.flows[1]?.history, 'ShA');
});

test('maxFlows: the flow nearest its timeout is evicted, emitted and counted', (t) => {
  const tr = new Trace({ maxFlows: 4 });
  for (let k = 0; k < 10; k++) tr.udp(C, 40000 + k, S, 9999, 10, { dt: 1 });
  t.is(tr.table.size, 4);
  t.is(tr.table.stats.evicted, 6);
  t.deepEqual(
    tr.flows.map((f) => f.origP),
    [40000, 40001, 40002, 40003, 40004, 40005],
  );
  tr.end();
  t.is(tr.flows.length, 10);
  t.is(tr.table.stats.emitted, 10);
});

test('growth past the initial capacity keeps every flow findable', (t) => {
  const tr = new Trace({ initialCapacity: 16, app: false });
  for (let k = 0; k < 3000; k++) tr.udp(C, 10000 + k, S, 9999, 1, { dt: 0.001 });
  for (let k = 0; k < 3000; k++) tr.udp(S, 9999, C, 10000 + k, 1, { dt: 0.001 });
  tr.end();
  t.is(tr.flows.length, 3000);
  t.true(tr.flows.every((f) => f.connState === 'SF'));
  t.true(tr.table.stats.capacity >= 3000);
});

test('IPv6 flows', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, '2001:db8::1', 40000, '2001:db8::2', 8080);
  c.handshake();
  c.c('PA', 10);
  const f = tr.only();
  t.is(f.origH, '2001:db8::1');
  t.is(f.respH, '2001:db8::2');
  t.is(f.origIpBytes, 3 * (40 + 20) + 10);
  t.is(f.connState, 'S1');
});

test('uids: Zeek-shaped, distinct, and the same for the same input and seed', (t) => {
  const run = (seed: number): string[] => {
    const tr = new Trace({ seed });
    for (let k = 0; k < 50; k++) tr.udp(C, 40000 + k, S, 9999, 1);
    return tr.end().map((f) => f.uid);
  };
  const a = run(1);
  t.deepEqual(run(1), a);
  t.notDeepEqual(run(2), a);
  t.is(new Set(a).size, 50);
  for (const u of a) t.regex(u, /^C[0-9A-Za-z]{12,17}$/);
});

test('checksums option: a bad TCP checksum makes the flow and a C, nothing else', (t) => {
  const tr = new Trace({ checksums: true });
  tr.tcp(C, 40000, S, 8080, 'S', 1000, 0, undefined, { badChecksum: true });
  const f = tr.only();
  t.is(f.history, 'C');
  t.is(f.origPkts, 0);
  t.is(f.connState, 'OTH');
  t.is(tr.table.stats.badChecksums, 1);

  const off = new Trace();
  off.tcp(C, 40000, S, 8080, 'S', 1000, 0, undefined, { badChecksum: true });
  t.is(off.only().history, 'S');
});

test('options are checked', (t) => {
  const sink = { flow: () => undefined, dns: () => undefined };
  t.throws(() => new FlowTable(sink, { maxFlows: 0 }), { instanceOf: InvalidOptionError });
  t.throws(() => new FlowTable(sink, { likelyServerPorts: ['80'] }), { instanceOf: InvalidOptionError });
  t.throws(() => new FlowTable(sink, { timeouts: { tcpInactivity: -1 } }), { instanceOf: InvalidOptionError });
});

test('TSO: an IPv4 total length of 0 counts as 0 IP bytes, as Zeek counts it; the payload still counts', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr).handshake();
  const seg = tcpSegment(40000, 8080, c.cseq, c.sseq, 'PA', new Uint8Array(3000));
  const f = ipFrame(C, S, 6, seg, 16);
  f[2] = 0;
  f[3] = 0;
  tr.frame(f);
  const r = tr.only();
  t.is(r.origIpBytes, 2 * 40);
  t.is(r.origBytes, 3000);
  t.is(r.origPkts, 3);
});

test('a TCP header whose options the snaplen cut makes the flow but is not analysed (as Zeek)', (t) => {
  const tr = new Trace();
  const seg = new Uint8Array(40);
  seg.set(tcpSegment(443, 56960, 5000, 1001, 'SA', new Uint8Array(0)).subarray(0, 20));
  seg[12] = 10 << 4; // 40-byte header with options
  const f = ipFrame(S, C, 6, seg, 16);
  tr.frame(f.subarray(0, 20 + 22), undefined, f.length);
  const r = tr.only();
  t.is(r.history, '^'); // the port heuristic still flipped it (443 is a likely server port)
  t.is(r.origPkts + r.respPkts, 0);
  t.is(r.connState, 'OTH');
  t.is(tr.table.stats.truncated, 1);
});
