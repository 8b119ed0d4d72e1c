/**
 * End to end: PcapFlows (reader → decoder → flow table with DNS/TLS/HTTP
 * parsing) over real captures of the shared corpus, in 64 KiB chunks, in
 * packets/s and MB/s. Skips when the corpus is absent.
 *
 * Run: node --expose-gc --import tsx bench/flow/pcap-flows.bench.ts
 *
 * @module
 */

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PcapFlows } from '../../lib/flow/pcap-flows.js';
import { measure, report } from '../harness.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const CORPUS = process.env['C2WATCH_CORPUS'] ?? resolve(ROOT, '../shared/corpus');
const FILES = ['pcap/zeek-traces/echo-connections.pcap.gz', 'pcap/stratosphere/test-cc-capture-1.pcap', 'zeek-oracle/scripts.base.protocols.http.http-no-crlf/no_crlf.pcap'];
const CHUNK = 64 * 1024;

async function main(): Promise<void> {
  for (const rel of FILES) {
    const path = join(CORPUS, rel);
    if (!existsSync(path)) {
      console.log(`${rel}: absent, skipped`);
      continue;
    }
    let bytes = readFileSync(path);
    if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
    let packets = 0;
    let flows = 0;
    const once = (): void => {
      flows = 0;
      const pf = new PcapFlows({ flow: () => void flows++, dns: () => undefined });
      for (let o = 0; o < bytes.length; o += CHUNK) pf.push(bytes.subarray(o, o + CHUNK));
      pf.end();
      packets = pf.stats.reader.packets;
    };
    once();
    const r = await measure('PcapFlows', once, { units: packets, unit: 'pkt', warmup: 1, runs: 5 });
    report(`${rel}: ${packets.toLocaleString('en')} packets, ${(bytes.length / 1e6).toFixed(1)} MB, ${flows} flows`, [r], 'PcapFlows', 'pkt');
    console.log(`  ${((r.rate * bytes.length) / packets / 1e6).toFixed(0)} MB/s`);
  }
}

await main();
