// NetflowFlows: pairing unidirectional records, orientation rules, connState from flags, bounds.
import test from 'ava';
import { NetflowRecord } from '../../lib/decode/netflow/record.js';
import { NetflowFlows, tcpState } from '../../lib/flow/netflow.js';
import type { NetflowFlowsOptions } from '../../lib/flow/netflow.js';
import type { FlowRecord } from '../../lib/model.js';
import { parseIPv4 } from '../../lib/net/addr.js';

const T = 1_700_000_000;

function rec(src: string, sport: number, dst: string, dport: number, proto: number, o: Partial<NetflowRecord> = {}): NetflowRecord {
  const r = new NetflowRecord();
  r.exporter = '192.0.2.1:2055';
  r.version = 9;
  r.ipVersion = 4;
  r.src4 = parseIPv4(src);
  r.dst4 = parseIPv4(dst);
  r.srcPort = sport;
  r.dstPort = dport;
  r.proto = proto;
  r.packets = 3;
  r.octets = 300;
  r.start = T;
  r.end = T + 1;
  r.received = T + 2;
  Object.assign(r, o);
  return r;
}

function setup(opts: Partial<NetflowFlowsOptions> = {}) {
  const out: FlowRecord[] = [];
  const p = new NetflowFlows({ onFlow: (f) => out.push(f), ...opts });
  return { p, out };
}

test('a request and its reply become one paired flow, oriented by the server port', (t) => {
  const { p, out } = setup();
  // The reply arrives first.
  p.push(rec('203.0.113.9', 443, '10.0.0.5', 51000, 6, { tcpFlags: 0x1b, packets: 10, octets: 9000, start: T + 0.01 }));
  t.is(out.length, 0);
  p.push(rec('10.0.0.5', 51000, '203.0.113.9', 443, 6, { tcpFlags: 0x1b, packets: 8, octets: 700 }));
  t.is(out.length, 1);
  const f = out[0]!;
  t.like(f, {
    origH: '10.0.0.5',
    origP: 51000,
    respH: '203.0.113.9',
    respP: 443,
    proto: 'tcp',
    origPkts: 8,
    origIpBytes: 700,
    respPkts: 10,
    respIpBytes: 9000,
    origBytes: -1,
    respBytes: -1,
    connState: 'SF',
    history: '',
    source: 'netflow',
    orientation: 'paired',
    ts: T,
  });
  t.is(f.duration, 1);
  t.is(p.stats().pairs, 1);
  t.is(p.stats().pending, 0);
});

test('no server port: the record that started first is the originator', (t) => {
  const { p, out } = setup();
  p.push(rec('198.51.100.4', 4444, '10.0.0.7', 50123, 6, { start: T + 0.2, tcpFlags: 0x12 }));
  p.push(rec('10.0.0.7', 50123, '198.51.100.4', 4444, 6, { start: T, tcpFlags: 0x02 | 0x10 }));
  t.like(out[0], { origH: '10.0.0.7', respP: 4444, connState: 'S1', orientation: 'paired' });
  t.is(p.stats().orientedBy.time, 1);
});

test('records whose times do not overlap, or from another exporter, do not pair', (t) => {
  const { p, out } = setup({ pairWindow: 1000 });
  p.push(rec('10.0.0.5', 51000, '203.0.113.9', 443, 6, { start: T, end: T + 1 }));
  p.push(rec('203.0.113.9', 443, '10.0.0.5', 51000, 6, { start: T + 100, end: T + 101 }));
  p.push(rec('203.0.113.9', 443, '10.0.0.5', 51000, 6, { exporter: 'other' }));
  t.is(out.length, 0);
  t.is(p.stats().pending, 3);
  p.flush();
  t.is(out.length, 3);
  t.true(out.every((f) => f.orientation === 'port'));
  // Unpaired replies are turned around by the server port.
  t.deepEqual(out.map((f) => [f.origH, f.respP]), [['10.0.0.5', 443], ['10.0.0.5', 443], ['10.0.0.5', 443]]);
  t.is(out[1]!.respPkts, 3);
  t.is(out[1]!.origPkts, -1);
});

test('unpaired records leave after the window (arrival time), counted', (t) => {
  const { p, out } = setup({ pairWindow: 10 });
  p.push(rec('10.0.0.5', 51000, '203.0.113.9', 8443, 6, { tcpFlags: 0x02, received: T }));
  p.push(rec('10.0.0.6', 51001, '203.0.113.9', 8443, 6, { received: T + 5 }));
  p.advance(T + 11);
  t.is(out.length, 1);
  t.like(out[0], { origH: '10.0.0.5', connState: 'S0', orientation: 'port', respPkts: -1 });
  p.advance(T + 20);
  t.is(out.length, 2);
  t.is(p.stats().unpaired, 2);
});

test('maxPending bounds the waiting records; the oldest leaves unpaired', (t) => {
  const { p, out } = setup({ maxPending: 2 });
  for (let i = 0; i < 5; i++) p.push(rec('10.0.0.5', 50000 + i, '203.0.113.9', 443, 6));
  t.is(out.length, 3);
  t.is(p.stats().forcedUnpaired, 3);
  t.is(p.stats().pending, 2);
});

test('unpaired orientation: SYN without ACK, then ports, then local nets, then as exported', (t) => {
  const { p, out } = setup({ pair: false, localNets: ['10.0.0.0/8'] });
  p.push(rec('203.0.113.9', 40000, '10.0.0.5', 50000, 6, { tcpFlags: 0x02 })); // inbound SYN scan
  p.push(rec('203.0.113.9', 53, '10.0.0.5', 40000, 17)); // a DNS answer
  p.push(rec('203.0.113.9', 40000, '10.0.0.5', 50000, 17)); // no server port: the local side originates
  p.push(rec('203.0.113.9', 40000, '198.51.100.1', 50000, 17)); // nothing decides
  t.deepEqual(out.map((f) => [f.origH, f.origP, f.respH, f.respP, f.connState]), [
    ['203.0.113.9', 40000, '10.0.0.5', 50000, 'S0'],
    ['10.0.0.5', 40000, '203.0.113.9', 53, 'OTH'],
    ['10.0.0.5', 50000, '203.0.113.9', 40000, 'OTH'],
    ['203.0.113.9', 40000, '198.51.100.1', 50000, 'OTH'],
  ]);
  t.deepEqual(p.stats().orientedBy, { biflow: 0, syn: 1, port: 1, time: 0, localNet: 1, exported: 1 });
});

test('RFC 5103 biflows are emitted at once as observed; reverseInitiator swaps', (t) => {
  const { p, out } = setup();
  p.push(rec('10.0.0.5', 50000, '203.0.113.9', 443, 6, { revPackets: 7, revOctets: 5000, tcpFlags: 0x1b, revTcpFlags: 0x1b }));
  p.push(rec('203.0.113.9', 443, '10.0.0.5', 50001, 6, { revPackets: 2, revOctets: 100, tcpFlags: 0x12, revTcpFlags: 0x02, biflowDirection: 2 }));
  t.like(out[0], { origH: '10.0.0.5', respPkts: 7, respIpBytes: 5000, connState: 'SF', orientation: 'observed' });
  t.like(out[1], { origH: '10.0.0.5', origP: 50001, respP: 443, origPkts: 2, respPkts: 3, connState: 'S1', orientation: 'observed' });
});

test('ICMP echo request and reply pair; type in origP, code in respP', (t) => {
  const { p, out } = setup();
  p.push(rec('203.0.113.9', 0, '10.0.0.5', 0, 1, { icmpType: 0, icmpCode: 0 }));
  p.push(rec('10.0.0.5', 0, '203.0.113.9', 0x0800, 1, { icmpType: 8, icmpCode: 0 }));
  t.is(out.length, 1);
  t.like(out[0], { origH: '10.0.0.5', respH: '203.0.113.9', proto: 'icmp', origP: 8, respP: 0, connState: 'SF', orientation: 'paired' });
});

test('IPv6 records pair too', (t) => {
  const { p, out } = setup();
  const v6 = (src: string, sport: number, dst: string, dport: number) => {
    const r = rec('0.0.0.0', sport, '0.0.0.0', dport, 17);
    r.ipVersion = 6;
    r.src6 = src;
    r.dst6 = dst;
    return r;
  };
  p.push(v6('fd00::5', 40000, '2001:db8::53', 53));
  p.push(v6('2001:db8::53', 53, 'fd00::5', 40000));
  t.like(out[0], { origH: 'fd00::5', respH: '2001:db8::53', respP: 53, proto: 'udp', connState: 'SF' });
});

test('records without addresses are skipped and counted', (t) => {
  const { p, out } = setup();
  const r = rec('10.0.0.1', 1, '10.0.0.2', 2, 6);
  r.ipVersion = 0;
  p.push(r);
  t.is(out.length, 0);
  t.is(p.stats().skipped, 1);
});

test('tcpState: the documented mapping', (t) => {
  const S = 2;
  const A = 16;
  const F = 1;
  const R = 4;
  t.is(tcpState(A, A), 'OTH');
  t.is(tcpState(S, R | A), 'REJ');
  t.is(tcpState(S | A | F, S | A | F), 'SF');
  t.is(tcpState(S | A | R, S | A), 'RSTO');
  t.is(tcpState(S | A, S | A | R), 'RSTR');
  t.is(tcpState(S | A | F, S | A), 'S2');
  t.is(tcpState(S | A, S | A | F), 'S3');
  t.is(tcpState(S | A, S | A), 'S1');
  t.is(tcpState(S, A), 'OTH');
});

test('one advance that expires more than 1024 unpaired records emits them all (it once spun forever)', (t) => {
  const { p, out } = setup();
  for (let i = 0; i < 3000; i++) p.push(rec('10.0.0.1', 1024 + i, '203.0.113.9', 53, 17, { received: T + 2 }));
  t.is(out.length, 0);
  p.advance(T + 3600);
  t.is(out.length, 3000);
  t.true(out.every((f) => f.orientation !== 'paired'));
});
