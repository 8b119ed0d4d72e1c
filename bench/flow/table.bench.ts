/**
 * FlowTable throughput (packets/s) at about 5 000 and about 500 000
 * concurrent TCP flows, against the naive alternative: a `Map` keyed by a
 * 5-tuple string with one object per flow (the same work per packet:
 * find-or-create, count packets and bytes, end the flow on its last FIN).
 *
 * Traffic: N flows interleaved round robin, each a full 20-packet TCP
 * exchange (SYN, SYN-ACK, ACK, 14 data/ACK segments, FIN, FIN, ACK… ),
 * so N flows are live at any time and each packet is a lookup in a table
 * of N. Packets are generated on the fly from their index into one reused
 * PacketInfo (the generator is shared by both contenders). Packet time is
 * spaced so that each flow lasts 60 s: closed flows then linger Zeek's 5 s
 * (about 8 % more live flows, printed as "max live"). Application parsing
 * is off (no payload bytes exist); emitted records go to a sink that only
 * counts them.
 *
 * Run: node --expose-gc --import tsx bench/flow/table.bench.ts [packets-5k] [packets-500k]
 *
 * @module
 */

import { newPacketInfo } from '../../lib/decode/packet/types.js';
import type { PacketInfo } from '../../lib/decode/packet/types.js';
import { FlowTable } from '../../lib/flow/table.js';
import type { RecordSink } from '../../lib/model.js';
import { measure, report } from '../harness.js';

const PKTS_SMALL = Number(process.argv[2] ?? 4_000_000);
const PKTS_LARGE = Number(process.argv[3] ?? 10_000_000);
const PER_FLOW = 20;

/**
 * The packet buffer. The table reads only two header fields from it: the
 * IPv4 total length (non-zero: not a TSO packet) and the TCP data offset
 * (20-byte header, so the payload at 40 is where the header says).
 */
const EMPTY = new Uint8Array(2048);
EMPTY[0] = 0x45;
EMPTY[2] = 0x05;
EMPTY[32] = 0x50;

/** Seconds each flow lasts (PER_FLOW packets spread over it). */
const FLOW_SECONDS = 60;

/** Fill `p` with packet number `n` of a run with `flows` concurrent flows. */
function gen(p: PacketInfo, n: number, flows: number): void {
  const f = n % flows;
  const k = Math.floor(n / flows) % PER_FLOW; // packet number within the flow
  const g = Math.floor(n / (flows * PER_FLOW)); // generation: new ports each time
  const client = (0x0a000000 + f) >>> 0;
  const server = (0xc0a80000 + (f & 0xff)) >>> 0;
  const cport = 1024 + ((f * 7 + g * 13) % 60000);
  const fromClient = k % 2 === 0;
  p.ts = 1.7e9 + (n * FLOW_SECONDS) / (flows * PER_FLOW);
  p.ipVersion = 4;
  p.proto = 6;
  p.src4 = fromClient ? client : server;
  p.dst4 = fromClient ? server : client;
  p.sport = fromClient ? cport : 443;
  p.dport = fromClient ? 443 : cport;
  const cIsn = 1000;
  const sIsn = 5000;
  let flags = 0x10;
  let len = k >= 3 && k < 17 ? 100 : 0;
  if (k === 0) flags = 0x02;
  else if (k === 1) flags = 0x12;
  else if (k === 17 || k === 18) flags = 0x11;
  if (k === 0 || k === 1) len = 0;
  const dataBefore = Math.max(0, Math.min(k, 17) - 3); // segments of 100 bytes sent so far (both sides)
  const mine = fromClient ? Math.ceil(dataBefore / 2) : Math.floor(dataBefore / 2);
  const theirs = fromClient ? Math.floor(dataBefore / 2) : Math.ceil(dataBefore / 2);
  p.seq = (fromClient ? cIsn : sIsn) + (k === 0 || k === 1 ? 0 : 1 + mine * 100 + (k === 19 ? 1 : 0));
  p.ack = k === 0 ? 0 : (fromClient ? sIsn : cIsn) + 1 + theirs * 100 + (k >= 18 ? 1 : 0);
  p.tcpFlags = flags;
  p.window = 65535;
  p.payloadLen = len;
  p.payloadCaptured = 0;
  p.payloadOff = 40;
  p.ipLen = 40 + len;
  p.frag = 0;
  p.ipOff = 0;
}

const countSink = { flows: 0, sf: 0, dns: 0 };
const sink: RecordSink = {
  flow: (r) => {
    countSink.flows++;
    if (r.connState === 'SF') countSink.sf++;
  },
  dns: () => void countSink.dns++,
};

let maxLive = 0;

function runTable(flows: number, packets: number): void {
  countSink.flows = 0;
  countSink.sf = 0;
  const t = new FlowTable(sink, { app: false, maxFlows: Math.max(1_000_000, flows * 2), initialCapacity: flows * 2 });
  const p = newPacketInfo();
  for (let n = 0; n < packets; n++) {
    gen(p, n, flows);
    t.packet(p, EMPTY);
  }
  maxLive = t.stats.maxActive;
  t.flush();
}

interface NaiveFlow {
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  start: number;
  last: number;
  origPkts: number;
  respPkts: number;
  origIpBytes: number;
  respIpBytes: number;
  fins: number;
}

const ip4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

function runMap(flows: number, packets: number): void {
  const m = new Map<string, NaiveFlow>();
  const p = newPacketInfo();
  for (let n = 0; n < packets; n++) {
    gen(p, n, flows);
    const a = `${ip4(p.src4)}:${p.sport}`;
    const b = `${ip4(p.dst4)}:${p.dport}`;
    const key = a < b ? `${a}-${b}-${p.proto}` : `${b}-${a}-${p.proto}`;
    let f = m.get(key);
    if (f === undefined) {
      f = { origH: ip4(p.src4), origP: p.sport, respH: ip4(p.dst4), respP: p.dport, start: p.ts, last: p.ts, origPkts: 0, respPkts: 0, origIpBytes: 0, respIpBytes: 0, fins: 0 };
      m.set(key, f);
    }
    f.last = p.ts;
    if (f.origP === p.sport && f.origH === ip4(p.src4)) {
      f.origPkts++;
      f.origIpBytes += p.ipLen;
    } else {
      f.respPkts++;
      f.respIpBytes += p.ipLen;
    }
    if ((p.tcpFlags & 1) !== 0 && ++f.fins === 2) {
      m.delete(key);
      countSink.flows++;
    }
  }
  countSink.flows += m.size;
}

async function main(): Promise<void> {
  for (const [flows, packets] of [
    [5_000, PKTS_SMALL],
    [500_000, PKTS_LARGE],
  ] as const) {
    globalThis.gc?.();
    const before = process.memoryUsage();
    const results = [
      await measure('FlowTable (typed arrays)', () => runTable(flows, packets), { units: packets, unit: 'pkt', warmup: 1, runs: 3 }),
      await measure('Map<string, object>', () => runMap(flows, packets), { units: packets, unit: 'pkt', warmup: 1, runs: 3 }),
    ];
    globalThis.gc?.();
    const after = process.memoryUsage();
    report(`${flows.toLocaleString('en')} concurrent flows, ${packets.toLocaleString('en')} packets`, results, 'Map<string, object>', 'pkt');
    runTable(flows, PER_FLOW * flows * 2); // a check run: every flow must end SF
    console.log(`  check: ${countSink.sf}/${countSink.flows} flows SF`);
    console.log(
      `  FlowTable max live flows ${maxLive.toLocaleString('en')}; heap after: ${((after.heapUsed - before.heapUsed) / 1e6).toFixed(1)} MB, arrayBuffers ${((after.arrayBuffers - before.arrayBuffers) / 1e6).toFixed(1)} MB`,
    );
  }
}

await main();
