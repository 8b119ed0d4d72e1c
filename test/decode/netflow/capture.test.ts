// NetflowCaptureDecoder: captured exports through the shared pcap reader and packet layers; sniffers.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNetflowCapture, NetflowCaptureDecoder, sniffNetflow } from '../../../lib/decode/netflow/capture.js';
import { srcAddr } from '../../../lib/decode/netflow/record.js';
import type { NetflowRecord } from '../../../lib/decode/netflow/record.js';
import type { Weird } from '../../../lib/weird.js';
import { CORPUS } from '../../helpers/paths.js';
import { ipfix, templateRecord, v5, v9 } from './craft.js';

const DIR = join(CORPUS, 'netflow/akvorado/outlet/flow/decoder/netflow/testdata');
const MPLS = join(CORPUS, 'netflow/akvorado/old/pcap/ipfix_v10_with_mpls_labels.pcap');
const PLAIN = join(CORPUS, 'pcap/stratosphere/test-cc-capture-1.pcap');

function decodeAll(bytes: Uint8Array, chunk: number): { recs: NetflowRecord[]; weirds: Weird[]; c: NetflowCaptureDecoder } {
  const recs: NetflowRecord[] = [];
  const weirds: Weird[] = [];
  const c = new NetflowCaptureDecoder({ onRecord: (r) => recs.push(r), onWeird: (w) => weirds.push(w), file: 'x.pcap' });
  for (let i = 0; i < bytes.length; i += chunk) c.push(bytes.subarray(i, i + chunk));
  c.end();
  return { recs, weirds, c };
}

test('sniffNetflow recognises v5, v9 and IPFIX headers and nothing else', (t) => {
  const a = v5({ uptime: 1, secs: 1 }, [{ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 6, pkts: 1, bytes: 1, first: 1, last: 1 }]);
  const b = v9({ uptime: 1, secs: 1 }, [{ id: 0, body: templateRecord(256, [[8, 4]]) }]);
  const c = ipfix({ secs: 1 }, [{ id: 2, body: templateRecord(256, [[8, 4]]) }]);
  t.is(sniffNetflow(a, 0, a.length), 5);
  t.is(sniffNetflow(b, 0, b.length), 9);
  t.is(sniffNetflow(c, 0, c.length), 10);
  t.is(sniffNetflow(c, 0, c.length, c.length + 1), 0);
  t.is(sniffNetflow(new Uint8Array(64), 0, 64), 0);
  const dns = new Uint8Array(40);
  dns.set([0x12, 0x34, 0x01, 0x00, 0, 1]);
  t.is(sniffNetflow(dns, 0, dns.length), 0);
});

test('the MPLS IPFIX capture decodes the same in any chunking; data before templates is buffered', (t) => {
  if (!existsSync(MPLS)) {
    t.log(`corpus absent (${MPLS}): skipped`);
    t.pass();
    return;
  }
  const bytes = readFileSync(MPLS);
  const whole = decodeAll(bytes, bytes.length);
  const s = whole.c.stats();
  t.is(s.exports, 38);
  t.is(s.pcap.packets, 38);
  t.true(whole.recs.length > 100);
  t.true(s.decoder.pendingRecordsDecoded > 0);
  t.regex(whole.recs[0]!.exporter, /^10\.127\.100\.7:\d+$/);
  for (const chunk of [1, 7, 100, 1500]) {
    const part = decodeAll(bytes, chunk);
    t.deepEqual(part.recs, whole.recs, `chunk ${chunk}`);
  }
  t.log(`${whole.recs.length} records, ${s.decoder.pendingRecordsDecoded} of them from sets that came before their template, ${s.decoder.pendingSetsDropped} sets never got one`);
});

test('every truncated prefix of a capture only yields weirds', (t) => {
  if (!existsSync(DIR)) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  const bytes = readFileSync(join(DIR, 'data+templates.pcap'));
  let n = 0;
  for (let i = 4; i <= bytes.length; i++) {
    decodeAll(bytes.subarray(0, i), 64);
    n++;
  }
  t.true(n > 1000);
});

test('isNetflowCapture: export captures yes, ordinary traffic no', (t) => {
  if (!existsSync(DIR) || !existsSync(PLAIN)) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  t.true(isNetflowCapture(readFileSync(join(DIR, 'nfv5.pcap'))));
  t.true(isNetflowCapture(readFileSync(MPLS).subarray(0, 65536)));
  t.false(isNetflowCapture(readFileSync(PLAIN).subarray(0, 65536)));
  t.false(isNetflowCapture(new TextEncoder().encode('#separator \\x09\n')));
});

test('options: ports filter; a shared decoder keeps templates across captures', (t) => {
  if (!existsSync(DIR)) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  const recs: NetflowRecord[] = [];
  const only = new NetflowCaptureDecoder({ onRecord: (r) => recs.push(r), ports: [2055] });
  only.push(readFileSync(join(DIR, 'nfv5.pcap'))); // sent to 9990
  only.end();
  t.is(recs.length, 0);
  const first = decodeAll(readFileSync(join(DIR, 'template.pcap')), 1 << 20);
  const c = new NetflowCaptureDecoder({ decoder: first.c.decoder });
  c.push(readFileSync(join(DIR, 'data.pcap')));
  c.end();
  t.deepEqual(first.recs.map(srcAddr), ['198.38.121.178', '198.38.121.219', '173.194.190.106', '74.125.100.234']);
});
