// NetflowDecoder on crafted datagrams: every version, template lifecycle, sampling, times, buffering, damage.
import test from 'ava';
import { NetflowDecoder } from '../../../lib/decode/netflow/decoder.js';
import type { NetflowDecoderOptions } from '../../../lib/decode/netflow/decoder.js';
import { dstAddr, srcAddr } from '../../../lib/decode/netflow/record.js';
import type { NetflowRecord } from '../../../lib/decode/netflow/record.js';
import type { Weird } from '../../../lib/weird.js';
import { cat, dataRecords, ipfix, ipfixOptionsRecord, templateRecord, v5, v9, v9OptionsRecord, Writer } from './craft.js';
import type { Spec } from './craft.js';

function setup(opts: Partial<NetflowDecoderOptions> = {}) {
  const recs: NetflowRecord[] = [];
  const weirds: Weird[] = [];
  const d = new NetflowDecoder({ onRecord: (r) => recs.push(r), onWeird: (w) => weirds.push(w), ...opts });
  return { d, recs, weirds };
}

const SECS = 1_700_000_000;

// A v9/IPFIX template: src4, dst4, sport, dport, proto, flags, octets(4), packets(4), first/last uptime.
const T4 = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [1, 4], [2, 4], [22, 4], [21, 4]] as const;
function row4(src: string, dst: string, sport: number, dport: number, proto: number, flags: number, oct: number, pkt: number, first: number, last: number) {
  return [[src, 4], [dst, 4], [sport, 2], [dport, 2], [proto, 1], [flags, 1], [oct, 4], [pkt, 4], [first, 4], [last, 4]] as const;
}

test('v5: fields, times from sysUptime, sampling from the header, ICMP type/code in the port', (t) => {
  const { d, recs, weirds } = setup();
  const dg = v5({ uptime: 100_000, secs: SECS, nsecs: 500_000_000, sampling: 0x4000 | 10 }, [
    { src: '10.0.0.1', dst: '192.0.2.9', sport: 40000, dport: 443, proto: 6, pkts: 5, bytes: 900, first: 90_000, last: 99_000, flags: 0x1b },
    { src: '10.0.0.1', dst: '192.0.2.9', sport: 0, dport: 0x0800, proto: 1, pkts: 1, bytes: 84, first: 100_000, last: 100_000 },
  ]);
  t.is(d.decode(dg, '192.0.2.1:2055', SECS + 1), 2);
  t.deepEqual(weirds, []);
  const [a, b] = recs as [NetflowRecord, NetflowRecord];
  t.is(srcAddr(a), '10.0.0.1');
  t.is(dstAddr(a), '192.0.2.9');
  t.is(a.srcPort, 40000);
  t.is(a.dstPort, 443);
  t.is(a.proto, 6);
  t.is(a.tcpFlags, 0x1b);
  t.is(a.samplingRate, 10);
  t.is(a.packets, 50);
  t.is(a.octets, 9000);
  t.is(a.start, SECS + 0.5 - 10);
  t.is(a.end, SECS + 0.5 - 1);
  t.is(a.received, SECS + 1);
  t.is(a.exporter, '192.0.2.1:2055');
  t.is(b.icmpType, 8);
  t.is(b.icmpCode, 0);
  t.is(a.icmpType, -1);
});

test('v5: a count larger than the datagram is a weird; the records that fit are read', (t) => {
  const { d, recs, weirds } = setup();
  const dg = v5({ uptime: 1, secs: SECS, count: 3 }, [{ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 17, pkts: 1, bytes: 1, first: 1, last: 1 }]);
  d.decode(dg, 'e');
  t.is(recs.length, 1);
  t.is(weirds[0]?.kind, 'netflow_bad_length');
  t.is(weirds[0]?.file, 'e');
});

test('v5: sysUptime wrap keeps First/Last in the past', (t) => {
  const { d, recs } = setup();
  // Uptime wrapped to 1000 ms; the flow started 2000 ms before the export, before the wrap.
  const first = 2 ** 32 - 1000;
  d.decode(v5({ uptime: 1000, secs: SECS }, [{ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 17, pkts: 1, bytes: 1, first, last: 500 }]), 'e');
  t.is(recs[0]!.start, SECS - 2);
  t.is(recs[0]!.end, SECS - 0.5);
});

test('v9: template then data; times from FIRST/LAST_SWITCHED relative to sysUptime', (t) => {
  const { d, recs, weirds } = setup();
  const tpl = v9({ uptime: 50_000, secs: SECS, sourceId: 7 }, [{ id: 0, body: templateRecord(256, T4) }]);
  const data = v9({ uptime: 60_000, secs: SECS + 10, sourceId: 7 }, [
    { id: 256, body: dataRecords([row4('10.1.1.1', '198.51.100.7', 5555, 53, 17, 0, 70, 1, 59_000, 59_500), row4('198.51.100.7', '10.1.1.1', 53, 5555, 17, 0, 120, 1, 59_100, 59_600)]) },
  ]);
  d.decode(tpl, 'r1');
  t.is(d.decode(data, 'r1'), 2);
  t.deepEqual(weirds, []);
  t.is(recs[0]!.domain, 7);
  t.is(recs[0]!.templateId, 256);
  t.is(recs[0]!.start, SECS + 10 - 1);
  t.is(recs[0]!.end, SECS + 10 - 0.5);
  t.is(recs[1]!.octets, 120);
  t.is(d.stats().templates, 1);
});

test('templates are scoped by exporter and source id', (t) => {
  const { d, recs } = setup();
  d.decode(v9({ uptime: 1, secs: SECS, sourceId: 1 }, [{ id: 0, body: templateRecord(256, T4) }]), 'r1');
  const data = (src: number) => v9({ uptime: 1, secs: SECS, sourceId: src }, [{ id: 256, body: dataRecords([row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1)]) }]);
  d.decode(data(2), 'r1'); // other source id: no template
  d.decode(data(1), 'r2'); // other exporter: no template
  t.is(recs.length, 0);
  t.is(d.stats().pendingSets, 2);
  d.decode(data(1), 'r1');
  t.is(recs.length, 1);
});

test('data before its template is buffered and decoded when the template comes, in order', (t) => {
  const { d, recs, weirds } = setup();
  d.decode(v9({ uptime: 10_000, secs: SECS }, [{ id: 300, body: dataRecords([row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 9_000, 9_000)]) }]), 'r');
  d.decode(v9({ uptime: 20_000, secs: SECS + 10 }, [{ id: 300, body: dataRecords([row4('10.0.0.3', '10.0.0.4', 1, 2, 6, 2, 40, 1, 19_000, 19_000)]) }]), 'r');
  t.is(recs.length, 0);
  t.is(d.stats().pendingSets, 2);
  d.decode(v9({ uptime: 30_000, secs: SECS + 20 }, [{ id: 0, body: templateRecord(300, T4) }]), 'r');
  t.deepEqual(recs.map(srcAddr), ['10.0.0.1', '10.0.0.3']);
  // Each buffered set keeps its own header's clock.
  t.is(recs[0]!.start, SECS - 1);
  t.is(recs[1]!.start, SECS + 9);
  const s = d.stats();
  t.is(s.pendingSets, 0);
  t.is(s.pendingBytes, 0);
  t.is(s.pendingRecordsDecoded, 2);
  t.deepEqual(weirds, []);
});

test('data set before its template in the same datagram is decoded', (t) => {
  const { d, recs } = setup();
  d.decode(
    v9({ uptime: 1, secs: SECS }, [
      { id: 300, body: dataRecords([row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1)]) },
      { id: 0, body: templateRecord(300, T4) },
    ]),
    'r',
  );
  t.is(recs.length, 1);
});

test('buffered sets are bounded by count, bytes and age; drops are counted and reported', (t) => {
  const { d, recs, weirds } = setup({ maxPendingSets: 2, maxPendingBytes: 1000, pendingMaxAge: 60 });
  const data = (secs: number) => v9({ uptime: 1, secs }, [{ id: 300, body: dataRecords([row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1)]) }]);
  d.decode(data(SECS), 'r', SECS);
  d.decode(data(SECS), 'r', SECS + 1);
  d.decode(data(SECS), 'r', SECS + 2); // evicts the first
  t.is(d.stats().pendingSetsDropped, 1);
  t.is(weirds[0]?.kind, 'netflow_no_template');
  d.decode(data(SECS), 'r', SECS + 100); // the two older ones age out, this one stays
  let s = d.stats();
  t.is(s.pendingSetsDropped, 3);
  t.is(s.pendingSets, 1);
  // A set bigger than the byte bound is dropped at once.
  const big = v9({ uptime: 1, secs: SECS }, [{ id: 301, body: new Uint8Array(1200) }]);
  d.decode(big, 'r', SECS + 100);
  s = d.stats();
  t.is(s.pendingSetsDropped, 4);
  t.is(s.pendingBytesDropped > 1200, true);
  d.flush();
  s = d.stats();
  t.is(s.pendingSets, 0);
  t.is(s.pendingSetsDropped, 5);
  t.is(recs.length, 0);
  t.is(weirds.filter((w) => w.kind === 'netflow_no_template').length, 5);
});

test('expire() ages out quiet exporters', (t) => {
  const { d } = setup({ pendingMaxAge: 60 });
  d.decode(v9({ uptime: 1, secs: SECS }, [{ id: 300, body: new Uint8Array(8) }]), 'r', SECS);
  d.expire(SECS + 30);
  t.is(d.stats().pendingSets, 1);
  d.expire(SECS + 61);
  t.is(d.stats().pendingSets, 0);
  t.is(d.stats().pendingSetsDropped, 1);
});

test('v9 options data: sampling interval per sampler id, applied to packets and bytes', (t) => {
  const { d, recs } = setup();
  const opt = v9({ uptime: 1, secs: SECS }, [{ id: 1, body: v9OptionsRecord(257, [[1, 4]], [[48, 1], [49, 1], [50, 4]]) }]);
  const optData = v9({ uptime: 1, secs: SECS }, [{ id: 257, body: dataRecords([[[0, 4], [1, 1], [2, 1], [100, 4]], [[0, 4], [2, 1], [2, 1], [7, 4]]]) }]);
  const tpl = v9({ uptime: 1, secs: SECS }, [{ id: 0, body: templateRecord(256, [...T4, [48, 1]]) }]);
  const data = v9({ uptime: 1, secs: SECS }, [
    { id: 256, body: dataRecords([[...row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1), [1, 1]], [...row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1), [2, 1]], [...row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1), [3, 1]]]) },
  ]);
  for (const dg of [opt, optData, tpl, data]) d.decode(dg, 'r');
  t.deepEqual(recs.map((r) => r.samplingRate), [100, 7, 1]);
  t.deepEqual(recs.map((r) => r.octets), [4000, 280, 40]);
  t.is(d.stats().samplingUpdates, 2);
});

test('IPFIX: options with samplingPacketInterval/Space; reduced-size counters; absolute ms times', (t) => {
  const { d, recs, weirds } = setup();
  const msg = ipfix({ secs: SECS, domain: 3 }, [
    { id: 3, body: ipfixOptionsRecord(400, [[149, 4]], [[305, 4], [306, 4]]) },
    { id: 400, body: dataRecords([[[3, 4], [1, 4], [99, 4]]]) },
    // octetDeltaCount in 3 bytes, packetDeltaCount in 2 (RFC 7011 §6.2).
    { id: 2, body: templateRecord(500, [[8, 4], [12, 4], [4, 1], [1, 3], [2, 2], [152, 8], [153, 8]]) },
    { id: 500, body: dataRecords([[['10.0.0.1', 4], ['203.0.113.5', 4], [17, 1], [70000, 3], [3, 2], [SECS * 1000 - 1500, 8], [SECS * 1000 - 250, 8]]]) },
  ]);
  d.decode(msg, 'x');
  t.deepEqual(weirds, []);
  t.is(recs.length, 1);
  const r = recs[0]!;
  t.is(r.samplingRate, 100);
  t.is(r.octets, 7_000_000);
  t.is(r.packets, 300);
  t.is(r.start, SECS - 1.5);
  t.is(r.end, SECS - 0.25);
  t.is(r.version, 10);
  t.is(r.domain, 3);
});

test('IPFIX: NTP micro/nanosecond times, seconds, and flowStartSysUpTime with systemInitTimeMilliseconds', (t) => {
  const { d, recs } = setup();
  const ntp = (s: number) => new Writer().u32(s + 2208988800).u32(2 ** 31).done(); // +0.5 s
  const msg = ipfix({ secs: SECS }, [
    { id: 2, body: cat(templateRecord(500, [[8, 4], [12, 4], [156, 8], [157, 8]]), templateRecord(501, [[8, 4], [12, 4], [150, 4], [151, 4]]), templateRecord(502, [[8, 4], [12, 4], [160, 8], [22, 4], [21, 4]])) },
    { id: 500, body: cat(dataRecords([[['10.0.0.1', 4], ['10.0.0.2', 4]]]), ntp(SECS - 10), ntp(SECS - 5)) },
    { id: 501, body: dataRecords([[['10.0.0.1', 4], ['10.0.0.2', 4], [SECS - 10, 4], [SECS - 5, 4]]]) },
    { id: 502, body: dataRecords([[['10.0.0.1', 4], ['10.0.0.2', 4], [(SECS - 100) * 1000, 8], [90_000, 4], [95_000, 4]]]) },
  ]);
  d.decode(msg, 'x');
  t.deepEqual(recs.map((r) => [r.start, r.end]), [
    [SECS - 9.5, SECS - 4.5],
    [SECS - 10, SECS - 5],
    [SECS - 10, SECS - 5],
  ]);
});

test('IPFIX: variable-length fields (short and long form) are skipped, the record after them is read', (t) => {
  const { d, recs, weirds } = setup();
  const long = new Uint8Array(300).fill(0x41);
  const body = cat(
    dataRecords([[['10.0.0.1', 4], [3, 1]]]),
    new Uint8Array([0x41, 0x42, 0x43]),
    dataRecords([[[443, 2]]]),
    dataRecords([[['10.0.0.5', 4], [255, 1], [300, 2]]]),
    long,
    dataRecords([[[80, 2]]]),
  );
  d.decode(ipfix({ secs: SECS }, [{ id: 2, body: templateRecord(600, [[8, 4], [96, 65535], [11, 2]]) }, { id: 600, body }]), 'x');
  t.deepEqual(weirds, []);
  t.deepEqual(recs.map((r) => [srcAddr(r), r.dstPort]), [
    ['10.0.0.1', 443],
    ['10.0.0.5', 80],
  ]);
});

test('IPFIX: a variable-length field that overruns the set is a truncated-record weird', (t) => {
  const { d, recs, weirds } = setup();
  const body = cat(dataRecords([[['10.0.0.1', 4], [200, 1]]]), new Uint8Array(10));
  d.decode(ipfix({ secs: SECS }, [{ id: 2, body: templateRecord(600, [[8, 4], [96, 65535], [11, 2]]) }, { id: 600, body }]), 'x');
  t.is(recs.length, 0);
  t.is(weirds[0]?.kind, 'netflow_truncated_record');
  t.true((weirds[0]?.offset ?? 0) > 16);
});

test('IPFIX: enterprise elements are skipped and counted; RFC 5103 reverse counters are read', (t) => {
  const { d, recs } = setup();
  const tpl = templateRecord(700, [[8, 4], [12, 4], [1, 8], [2, 8], [1, 8, 29305], [2, 8, 29305], [6, 1], [6, 1, 29305], [12345, 4, 9], [239, 1]]);
  const row = dataRecords([[['10.0.0.1', 4], ['192.0.2.80', 4], [500, 8], [5, 8], [9000, 8], [8, 8], [0x1b, 1], [0x12, 1], [77, 4], [1, 1]]]);
  d.decode(ipfix({ secs: SECS }, [{ id: 2, body: tpl }, { id: 700, body: row }]), 'x');
  const r = recs[0]!;
  t.is(r.octets, 500);
  t.is(r.revOctets, 9000);
  t.is(r.revPackets, 8);
  t.is(r.tcpFlags, 0x1b);
  t.is(r.revTcpFlags, 0x12);
  t.is(r.biflowDirection, 1);
  t.is(d.stats().enterpriseFieldsSkipped, 1);
});

test('IPFIX: template withdrawal (one id, and all with id 2) and refresh/change counting', (t) => {
  const { d, recs } = setup();
  const tpl = (id: number, specs: readonly Spec[] = T4) => ({ id: 2, body: templateRecord(id, specs) });
  const data = (id: number) => ({ id, body: dataRecords([row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1)]) });
  d.decode(ipfix({ secs: SECS }, [tpl(800), tpl(801)]), 'x');
  d.decode(ipfix({ secs: SECS }, [tpl(800)]), 'x');
  t.is(d.stats().templatesRefreshed, 1);
  d.decode(ipfix({ secs: SECS }, [tpl(801, [...T4, [10, 4]])]), 'x');
  t.is(d.stats().templatesChanged, 1);
  // Withdraw 800: its data now waits.
  d.decode(ipfix({ secs: SECS }, [{ id: 2, body: new Writer().u16(800).u16(0).done() }, data(800)]), 'x');
  t.is(recs.length, 0);
  t.is(d.stats().templatesWithdrawn, 1);
  t.is(d.stats().pendingSets, 1);
  // Withdraw all data templates of the domain.
  d.decode(ipfix({ secs: SECS }, [{ id: 2, body: new Writer().u16(2).u16(0).done() }]), 'x');
  t.is(d.stats().templates, 0);
  t.is(d.stats().templatesWithdrawn, 2);
});

test('template cache is bounded; evictions are counted', (t) => {
  const { d } = setup({ maxTemplates: 3 });
  for (let id = 256; id < 262; id++) d.decode(ipfix({ secs: SECS }, [{ id: 2, body: templateRecord(id, T4) }]), 'x');
  const s = d.stats();
  t.is(s.templates, 3);
  t.is(s.templatesEvicted, 3);
});

test('exporters are bounded; evictions are counted', (t) => {
  const { d } = setup({ maxExporters: 2 });
  for (const e of ['a', 'b', 'c']) d.decode(ipfix({ secs: SECS }, [{ id: 2, body: templateRecord(256, T4) }]), e);
  t.is(d.stats().exporters, 2);
  t.is(d.stats().exportersEvicted, 1);
  t.is(d.stats().templates, 2);
});

test('malformed datagrams are weirds with exporter and offset, never throws', (t) => {
  const { d, weirds } = setup();
  d.decode(new Uint8Array([0, 5]), 'e1');
  d.decode(new Uint8Array([0, 7, 0, 0, 0, 0]), 'e1');
  // Zero-length set.
  const z = ipfix({ secs: SECS }, [{ id: 2, body: templateRecord(256, T4) }]);
  const zero = cat(z, new Uint8Array([1, 0, 0, 0]));
  new DataView(zero.buffer).setUint16(2, zero.length);
  d.decode(zero, 'e2');
  // Zero-field v9 template.
  d.decode(v9({ uptime: 1, secs: SECS }, [{ id: 0, body: new Writer().u16(256).u16(0).done() }]), 'e3');
  // Template truncated inside its field list.
  d.decode(v9({ uptime: 1, secs: SECS }, [{ id: 0, body: new Writer().u16(256).u16(5).u16(8).u16(4).done() }], false), 'e3');
  // IPFIX length disagreeing with the datagram.
  const bad = ipfix({ secs: SECS }, []);
  new DataView(bad.buffer).setUint16(2, 100);
  d.decode(bad, 'e4');
  // Set overrunning the message.
  const over = v9({ uptime: 1, secs: SECS }, [{ id: 256, body: new Uint8Array(8) }]);
  new DataView(over.buffer).setUint16(22, 400);
  d.decode(over, 'e5');
  t.deepEqual(
    weirds.map((w) => [w.kind, w.file, w.offset]),
    [
      ['netflow_short_datagram', 'e1', 0],
      ['netflow_unknown_version', 'e1', 0],
      ['netflow_zero_length_set', 'e2', zero.length - 4],
      ['netflow_bad_template', 'e3', 24],
      ['netflow_bad_template', 'e3', 24],
      ['netflow_bad_length', 'e4', 2],
      ['netflow_bad_set_length', 'e5', 20],
    ],
  );
});

test('every prefix and every single-byte corruption of a datagram decodes without throwing or hanging', (t) => {
  const msg = ipfix({ secs: SECS, domain: 1 }, [
    { id: 3, body: ipfixOptionsRecord(400, [[149, 4]], [[305, 4], [306, 4]]) },
    { id: 400, body: dataRecords([[[1, 4], [1, 4], [9, 4]]]) },
    { id: 2, body: templateRecord(600, [[8, 4], [96, 65535], [11, 2], [1, 8, 29305]]) },
    { id: 600, body: cat(dataRecords([[['10.0.0.1', 4], [2, 1]]]), new Uint8Array([1, 2]), dataRecords([[[443, 2], [5, 8]]])) },
  ]);
  const v9msg = v9({ uptime: 1, secs: SECS }, [{ id: 0, body: templateRecord(256, T4) }, { id: 256, body: dataRecords([row4('10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 40, 1, 1, 1)]) }]);
  let n = 0;
  for (const m of [msg, v9msg]) {
    const { d } = setup();
    for (let i = 0; i <= m.length; i++) d.decode(m.subarray(0, i), 'p');
    for (let i = 0; i < m.length; i++) {
      for (const x of [0, 0xff, 0x80]) {
        const c = m.slice();
        c[i] = x;
        d.decode(c, 'c');
        n++;
      }
    }
    d.flush();
    t.true(d.stats().datagrams > m.length);
  }
  t.true(n > 0);
});
