// PcapFlows: pcap bytes in any chunking → the same flows and DNS records;
// tunnels give the outer UDP flow and the inner one; unusable input throws.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { C2WatchError } from '../../lib/errors.js';
import { PcapFlows } from '../../lib/flow/pcap-flows.js';
import type { DnsRecord, FlowRecord } from '../../lib/model.js';
import { generateTraffic } from '../../bench/gen/traffic.js';
import { CORPUS } from '../helpers/paths.js';
import { encodeDns } from '../decode/app/dns-build.js';
import { ipFrame, udpDatagram } from './packets.js';

/** A classic pcap (raw IP link type) from frames. */
function pcap(frames: Uint8Array[], t0 = 1_700_000_000): Uint8Array {
  const parts: Uint8Array[] = [];
  const hdr = new Uint8Array(24);
  const v = new DataView(hdr.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 101, true);
  parts.push(hdr);
  frames.forEach((f, i) => {
    const rh = new Uint8Array(16);
    const rv = new DataView(rh.buffer);
    rv.setUint32(0, t0 + i, true);
    rv.setUint32(4, 0, true);
    rv.setUint32(8, f.length, true);
    rv.setUint32(12, f.length, true);
    parts.push(rh, f);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function run(bytes: Uint8Array, chunk: number): { flows: FlowRecord[]; dns: DnsRecord[]; pf: PcapFlows } {
  const flows: FlowRecord[] = [];
  const dns: DnsRecord[] = [];
  const pf = new PcapFlows({ flow: (r) => flows.push(r), dns: (r) => dns.push(r) }, { file: '<test>' });
  for (let o = 0; o < bytes.length; o += chunk) pf.push(bytes.subarray(o, o + chunk));
  pf.end();
  pf.end();
  return { flows, dns, pf };
}

const q = encodeDns({ id: 5, questions: [{ name: 'chunk.example', type: 1 }] });
const r = encodeDns({ id: 5, qr: true, questions: [{ name: 'chunk.example', type: 1 }], answers: [{ name: 'chunk.example', type: 1, data: '192.0.2.5' }] });
const capture = pcap([
  ipFrame('10.0.0.1', '192.0.2.53', 17, udpDatagram(40000, 53, q), 6),
  ipFrame('192.0.2.53', '10.0.0.1', 17, udpDatagram(53, 40000, r), 6),
  ipFrame('10.0.0.2', '192.0.2.9', 17, udpDatagram(40001, 9999, new Uint8Array(10)), 6),
]);

test('one-byte chunks give what one chunk gives; end() is idempotent', (t) => {
  const whole = run(capture, capture.length);
  const bytes = run(capture, 1);
  t.is(whole.flows.length, 2);
  t.is(whole.dns.length, 1);
  t.deepEqual(bytes.flows, whole.flows);
  t.deepEqual(bytes.dns, whole.dns);
  t.is(whole.dns[0]?.query, 'chunk.example');
  t.is(whole.pf.stats.reader.packets, 3);
  t.is(whole.pf.stats.decoder.ok, 3);
  t.is(whole.pf.stats.flows.flows, 2);
});

test('input that is not a capture throws the typed error', (t) => {
  const pf = new PcapFlows({ flow: () => undefined, dns: () => undefined });
  t.throws(
    () => {
      pf.push(new TextEncoder().encode('this is not a capture file at all, not even close'));
      pf.end();
    },
    { instanceOf: C2WatchError },
  );
});

const vxlan = join(CORPUS, 'zeek-oracle', 'core.tunnels.vxlan', 'vxlan.pcap');
test('a VXLAN capture: the tunnel UDP flows and the inner ICMP flow', (t) => {
  if (!existsSync(vxlan)) {
    t.pass('corpus absent');
    return;
  }
  const { flows } = run(readFileSync(vxlan), 4096);
  t.true(flows.some((f) => f.proto === 'udp' && f.respP === 4789));
  t.true(flows.some((f) => f.proto === 'icmp' && f.origP === 8));
});

test('every truncated prefix of a capture ends cleanly (weirds, never an exception)', (t) => {
  const real = join(CORPUS, 'pcap', 'zeek-traces', 'dns-txt-multiple.pcap');
  const inputs = [capture, ...(existsSync(real) ? [new Uint8Array(readFileSync(real))] : [])];
  for (const bytes of inputs) {
    for (let n = 24; n <= bytes.length; n++) {
      const weirds: string[] = [];
      const pf = new PcapFlows({ flow: () => undefined, dns: () => undefined }, { onWeird: (w) => weirds.push(w.kind) });
      t.notThrows(() => {
        pf.push(bytes.subarray(0, n));
        pf.end();
      }, `prefix ${n}`);
    }
  }
});

test('end(max) flushes in steps of at most max flows, with the same records in the same order as one end()', (t) => {
  const parts: Uint8Array[] = [];
  generateTraffic({ seed: 5, bytes: 3e6, concurrency: 20_000, hosts: 300 }, (c) => parts.push(c));
  const pcap = Buffer.concat(parts);
  const collect = (step: number | undefined): { records: unknown[]; steps: number[] } => {
    const records: unknown[] = [];
    const steps: number[] = [];
    let flows = 0;
    const pf = new PcapFlows({ flow: (r) => void (records.push(r), flows++), dns: (r) => void records.push(r), name: (r) => void records.push(r) });
    pf.push(pcap);
    const open = pf.table.size;
    t.true(open > 15_000, `flows open at end of input: ${open}`);
    if (step === undefined) t.true(pf.end());
    else {
      for (;;) {
        const before = flows;
        const done = pf.end(step);
        steps.push(flows - before);
        if (done) break;
      }
    }
    t.true(pf.end(), 'once done, end() stays done');
    t.is(pf.table.size, 0);
    return { records, steps };
  };
  const whole = collect(undefined);
  const stepped = collect(1000);
  t.true(stepped.steps.length > 15 && stepped.steps.every((n) => n <= 1000), `steps ${stepped.steps.length}`);
  t.deepEqual(stepped.records, whole.records);
});
