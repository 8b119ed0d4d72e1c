/**
 * NetflowDecoder throughput (flows/s) on v5, v9 and IPFIX datagrams of 30
 * records each, against node-netflowv9 (v5, v9; it has no IPFIX) on the
 * same bytes. node-netflowv9 is GPL and a devDependency: it is only ever
 * loaded here, as the baseline.
 *
 * Run: `node --expose-gc --import tsx bench/decode/netflow.bench.ts`
 * (or `npm run bench:micro -- netflow`).
 *
 * @module
 */

import { createRequire } from 'node:module';
import { NetflowDecoder } from '../../lib/decode/netflow/decoder.js';
import type { NetflowRecord } from '../../lib/decode/netflow/record.js';
import { dataRecords, ipfix, templateRecord, v5, v9 } from '../../test/decode/netflow/craft.js';
import type { Spec } from '../../test/decode/netflow/craft.js';
import { measure, report } from '../harness.js';
import type { BenchResult } from '../harness.js';

const DATAGRAMS = 2000;
const PER = 30;
const FLOWS = DATAGRAMS * PER;
const SECS = 1_700_000_000;

// A deterministic PRNG so every run decodes the same bytes.
let seed = 42;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
};
const ip = (): string => `10.${rnd(256)}.${rnd(256)}.${rnd(256)}`;

// NetFlow v5: 30 records per datagram (the v5 maximum).
const v5Dgs: Uint8Array[] = [];
for (let i = 0; i < DATAGRAMS; i++) {
  const flows = [];
  for (let j = 0; j < PER; j++) {
    flows.push({ src: ip(), dst: ip(), sport: 1024 + rnd(60000), dport: rnd(1024), proto: 6, pkts: 1 + rnd(100), bytes: 40 + rnd(100000), first: 1000 + rnd(1000), last: 2000 + rnd(1000), flags: rnd(64) });
  }
  v5Dgs.push(v5({ uptime: 3000, secs: SECS + i, seq: i * PER }, flows));
}

// A Cisco-like v9 template (the fields of a v5 record).
const V9_SPECS: Spec[] = [[8, 4], [12, 4], [15, 4], [10, 2], [14, 2], [2, 4], [1, 4], [22, 4], [21, 4], [7, 2], [11, 2], [6, 1], [4, 1], [5, 1], [16, 2], [17, 2], [9, 1], [13, 1]];
// An IPFIX template with 8-byte counters and absolute ms times.
const IPFIX_SPECS: Spec[] = [[8, 4], [12, 4], [15, 4], [10, 4], [14, 4], [2, 8], [1, 8], [152, 8], [153, 8], [7, 2], [11, 2], [6, 1], [4, 1], [5, 1], [16, 4], [17, 4], [9, 1], [13, 1]];

function rows(ipfixTimes: boolean): ReturnType<typeof dataRecords> {
  const out = [];
  for (let j = 0; j < PER; j++) {
    const c = ipfixTimes ? 8 : 4;
    const a = ipfixTimes ? 4 : 2;
    out.push([
      [ip(), 4], [ip(), 4], ['0.0.0.0', 4], [1, a], [2, a], [1 + rnd(100), c], [40 + rnd(100000), c],
      [ipfixTimes ? SECS * 1000 - rnd(5000) : 1000 + rnd(1000), ipfixTimes ? 8 : 4], [ipfixTimes ? SECS * 1000 : 2000 + rnd(1000), ipfixTimes ? 8 : 4],
      [1024 + rnd(60000), 2], [rnd(1024), 2], [rnd(64), 1], [6, 1], [0, 1], [0, a], [0, a], [24, 1], [24, 1],
    ] as const);
  }
  return dataRecords(rows_(out));
}
// dataRecords wants readonly tuples; keep the literal types.
const rows_ = <T>(x: T): T => x;

const v9Template = v9({ uptime: 3000, secs: SECS }, [{ id: 0, body: templateRecord(256, V9_SPECS) }]);
const v9Dgs: Uint8Array[] = [];
for (let i = 0; i < DATAGRAMS; i++) v9Dgs.push(v9({ uptime: 3000, secs: SECS + i, seq: i }, [{ id: 256, body: rows(false) }]));
const ipfixTemplate = ipfix({ secs: SECS }, [{ id: 2, body: templateRecord(256, IPFIX_SPECS) }]);
const ipfixDgs: Uint8Array[] = [];
for (let i = 0; i < DATAGRAMS; i++) ipfixDgs.push(ipfix({ secs: SECS + i, seq: i * PER }, [{ id: 256, body: rows(true) }]));

let sink = 0;
// Keep the last records alive, as a consumer would, so V8 cannot elide their allocation.
const keep: unknown[] = new Array<unknown>(1024).fill(null);
let kept = 0;
const onRecord = (r: NetflowRecord): void => {
  sink += r.octets;
  keep[kept++ & 1023] = r;
};

function ours(template: Uint8Array | undefined, dgs: Uint8Array[]): () => void {
  const d = new NetflowDecoder({ onRecord });
  if (template) d.decode(template, '192.0.2.1:2055');
  return () => {
    for (let i = 0; i < dgs.length; i++) d.decode(dgs[i]!, '192.0.2.1:2055', SECS);
  };
}

interface NfV9 {
  nfPktDecode(msg: Buffer, rinfo: { address: string; port: number }): { flows: { in_bytes?: number }[] } | undefined;
  server: { close(): void };
}
const require = createRequire(import.meta.url);
const NetFlowV9 = require('node-netflowv9') as (o: object) => NfV9;

function peer(template: Uint8Array | undefined, dgs: Uint8Array[]): () => void {
  const nf = NetFlowV9({ cb: () => undefined });
  const rinfo = { address: '192.0.2.1', port: 2055 };
  const bufs = dgs.map((d) => Buffer.from(d));
  if (template) nf.nfPktDecode(Buffer.from(template), rinfo);
  return () => {
    for (let i = 0; i < bufs.length; i++) {
      const o = nf.nfPktDecode(bufs[i]!, rinfo);
      if (o) {
        for (const f of o.flows) {
          sink += f.in_bytes ?? 0;
          keep[kept++ & 1023] = f;
        }
      }
    }
  };
}

const opts = { units: FLOWS, unit: 'flows', warmup: 3, runs: 9 };
const results: BenchResult[] = [];
results.push(await measure('c2watch v5', ours(undefined, v5Dgs), opts));
results.push(await measure('node-netflowv9 v5', peer(undefined, v5Dgs), opts));
report(`NetFlow v5 (${DATAGRAMS} datagrams × ${PER} records)`, results.splice(0), 'node-netflowv9 v5', 'flows');
results.push(await measure('c2watch v9', ours(v9Template, v9Dgs), opts));
results.push(await measure('node-netflowv9 v9', peer(v9Template, v9Dgs), opts));
report(`NetFlow v9 (${V9_SPECS.length}-field template, ${PER} records per datagram)`, results.splice(0), 'node-netflowv9 v9', 'flows');
results.push(await measure('c2watch IPFIX', ours(ipfixTemplate, ipfixDgs), opts));
report(`IPFIX (${IPFIX_SPECS.length}-field template, 8-byte counters, ${PER} records per datagram; node-netflowv9 reads no IPFIX)`, results, 'c2watch IPFIX', 'flows');
if (sink === 42) console.log('');
process.exit(0);
