/**
 * Capture framing and packet decoding throughput.
 *
 * Input: a classic pcap of ~1M packets built in memory by repeating the
 * packets of the shared corpus (Ethernet, VLAN, MPLS, PPPoE, SLL, tunnels,
 * TLS, DNS, …) with rising timestamps; without the corpus, synthetic
 * Ethernet/IPv4 TCP and UDP frames. The same packets are also written as
 * pcapng (EPB) to time that framing. Chunks of 64 KiB, like a file stream.
 *
 * Cases:
 * - PcapReader framing (64 KiB chunks, and one whole buffer), against the
 *   npm pcap-parser's stream API over the same chunks;
 * - PcapReader over pcapng;
 * - PacketDecoder alone over pre-framed packets;
 * - framing + decoding together, what the flow table will see.
 *
 * Run: node --expose-gc --import tsx bench/decode/pcap.bench.ts [packets]
 *
 * @module
 */

import type { EventEmitter } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PacketDecoder } from '../../lib/decode/packet/decoder.js';
import { DecodeStatus, newPacketInfo } from '../../lib/decode/packet/types.js';
import { PcapReader } from '../../lib/decode/pcap/reader.js';
import { measure, report, type BenchResult } from '../harness.js';

const TARGET = Number(process.argv[2] ?? 1_000_000);
const CHUNK = 64 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = process.env['C2WATCH_CORPUS'] ?? resolve(here, '../../../shared/corpus');

const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: Readable): EventEmitter };

interface Frame {
  data: Uint8Array;
  wire: number;
  linkType: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every packet of every classic corpus capture (all links we decode), or synthetic ones. */
function sourceFrames(): Frame[] {
  const out: Frame[] = [];
  if (existsSync(CORPUS)) {
    for (const path of walk(CORPUS).filter((p) => /\.pcap(\.gz)?$/.test(p)).sort()) {
      let bytes: Uint8Array = readFileSync(path);
      if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
      const r = new PcapReader();
      try {
        r.append(bytes);
      } catch {
        continue;
      }
      r.end();
      for (let p; (p = r.nextPacket()); ) {
        // One link type per output file: keep Ethernet frames only.
        if (p.linkType === 1) out.push({ data: p.buf.slice(p.off, p.off + p.capLen), wire: p.wireLen, linkType: 1 });
      }
    }
  }
  if (out.length === 0) {
    // Synthetic: Ethernet / IPv4 / TCP or UDP, 60..1514 bytes.
    for (let i = 0; i < 1000; i++) {
      const len = 60 + ((i * 7919) % 1455);
      const f = new Uint8Array(len);
      f[12] = 0x08;
      f[14] = 0x45;
      f[16] = (len - 14) >> 8;
      f[17] = (len - 14) & 255;
      f[23] = i % 3 === 0 ? 17 : 6;
      f[26] = 10;
      f[30] = 192;
      f[34 + 12] = 0x50;
      out.push({ data: f, wire: len, linkType: 1 });
    }
  }
  return out;
}

function buildPcap(frames: Frame[], n: number): { bytes: Uint8Array; bytesOfPackets: number } {
  let size = 24;
  for (let i = 0; i < n; i++) size += 16 + (frames[i % frames.length] as Frame).data.length;
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  let usec = 1_700_000_000 * 1e6;
  for (let i = 0; i < n; i++) {
    const f = frames[i % frames.length] as Frame;
    usec += 37;
    dv.setUint32(o, Math.floor(usec / 1e6), true);
    dv.setUint32(o + 4, usec % 1e6, true);
    dv.setUint32(o + 8, f.data.length, true);
    dv.setUint32(o + 12, f.wire, true);
    bytes.set(f.data, o + 16);
    o += 16 + f.data.length;
  }
  return { bytes, bytesOfPackets: size };
}

function buildPcapng(frames: Frame[], n: number): Uint8Array {
  let size = 28 + 20;
  for (let i = 0; i < n; i++) size += 32 + (((frames[i % frames.length] as Frame).data.length + 3) & ~3);
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, 0x0a0d0d0a, true);
  dv.setUint32(4, 28, true);
  dv.setUint32(8, 0x1a2b3c4d, true);
  dv.setUint16(12, 1, true);
  dv.setInt32(16, -1, true);
  dv.setInt32(20, -1, true);
  dv.setUint32(24, 28, true);
  dv.setUint32(28, 1, true);
  dv.setUint32(32, 20, true);
  dv.setUint16(36, 1, true);
  dv.setUint32(44, 20, true);
  let o = 48;
  let usec = 1_700_000_000 * 1e6;
  for (let i = 0; i < n; i++) {
    const f = frames[i % frames.length] as Frame;
    const len = 32 + ((f.data.length + 3) & ~3);
    usec += 37;
    dv.setUint32(o, 6, true);
    dv.setUint32(o + 4, len, true);
    dv.setUint32(o + 8, 0, true);
    dv.setUint32(o + 12, Math.floor(usec / 4294967296), true);
    dv.setUint32(o + 16, usec % 4294967296, true);
    dv.setUint32(o + 20, f.data.length, true);
    dv.setUint32(o + 24, f.wire, true);
    bytes.set(f.data, o + 28);
    dv.setUint32(o + len - 4, len, true);
    o += len;
  }
  return bytes;
}

function chunksOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += CHUNK) out.push(bytes.subarray(o, o + CHUNK));
  return out;
}

const frames = sourceFrames();
const { bytes } = buildPcap(frames, TARGET);
const ng = buildPcapng(frames, TARGET);
const chunks = chunksOf(bytes);
const ngChunks = chunksOf(ng);
const bufChunks = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
console.log(
  `${TARGET} packets from ${frames.length} distinct frames, pcap ${(bytes.length / 1e6).toFixed(1)} MB ` +
    `(${(bytes.length / TARGET).toFixed(0)} B/packet), pcapng ${(ng.length / 1e6).toFixed(1)} MB, ${chunks.length} chunks of 64 KiB`,
);

let sink = 0;

function frameAll(cs: readonly Uint8Array[]): number {
  const r = new PcapReader();
  let n = 0;
  for (const c of cs) {
    r.append(c);
    for (let p; (p = r.nextPacket()); ) {
      n++;
      sink += p.capLen;
    }
  }
  r.end();
  for (let p; (p = r.nextPacket()); ) n++;
  if (n !== TARGET) throw new Error(`framed ${n} packets`);
  return n;
}

function viaPcapParser(): Promise<number> {
  return new Promise((res, rej) => {
    let n = 0;
    const p = pcapParser.parse(Readable.from(bufChunks));
    p.on('packet', (pkt: { data: Buffer }) => {
      n++;
      sink += pkt.data.length;
    });
    p.on('end', () => (n === TARGET ? res(n) : rej(new Error(`pcap-parser framed ${n}`))));
    p.on('error', rej);
  });
}

// Pre-framed packets for the decoder alone.
const offs = new Int32Array(TARGET);
const lens = new Int32Array(TARGET);
const wires = new Int32Array(TARGET);
{
  const r = new PcapReader();
  r.append(bytes);
  r.end();
  let i = 0;
  for (let p; (p = r.nextPacket()); i++) {
    offs[i] = p.off;
    lens[i] = p.capLen;
    wires[i] = p.wireLen;
  }
}

const info = newPacketInfo();
function decodeAll(): number {
  const dec = new PacketDecoder();
  let ok = 0;
  for (let i = 0; i < TARGET; i++) {
    info.wireLen = wires[i] as number;
    if (dec.decode(1, bytes, offs[i] as number, lens[i] as number, info) === DecodeStatus.Ok) ok++;
  }
  sink += ok;
  return ok;
}

function frameAndDecode(cs: readonly Uint8Array[]): number {
  const r = new PcapReader();
  const dec = new PacketDecoder();
  let ok = 0;
  for (const c of cs) {
    r.append(c);
    for (let p; (p = r.nextPacket()); ) if (dec.decodeRecord(p, info) === DecodeStatus.Ok) ok++;
  }
  r.end();
  for (let p; (p = r.nextPacket()); ) if (dec.decodeRecord(p, info) === DecodeStatus.Ok) ok++;
  sink += ok;
  return ok;
}

/** Heap and ArrayBuffer growth over one run (needs --expose-gc to mean anything). */
function memoryOf(fn: () => unknown): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const a = process.memoryUsage();
  fn();
  const b = process.memoryUsage();
  const mb = (x: number): string => `${(x / 1e6).toFixed(2)} MB`;
  return `heap ${mb(b.heapUsed - a.heapUsed)}, arrayBuffers ${mb(b.arrayBuffers - a.arrayBuffers)}${gc ? '' : ' (run with --expose-gc)'}`;
}

const opts = { units: TARGET, unit: 'pkt', warmup: 2, runs: 5 };
const framing: BenchResult[] = [];
framing.push(await measure('PcapReader, 64 KiB chunks', () => frameAll(chunks), opts));
framing.push(await measure('PcapReader, one buffer', () => frameAll([bytes]), opts));
framing.push(await measure('PcapReader, pcapng EPB, 64 KiB chunks', () => frameAll(ngChunks), opts));
framing.push(await measure('pcap-parser (stream), 64 KiB chunks', viaPcapParser, { ...opts, warmup: 1, runs: 3 }));
report('Framing', framing, 'pcap-parser (stream), 64 KiB chunks', 'pkt');

const decoding: BenchResult[] = [];
decoding.push(await measure('PacketDecoder.decode alone', decodeAll, opts));
decoding.push(await measure('PcapReader + PacketDecoder, 64 KiB chunks', () => frameAndDecode(chunks), opts));
decoding.push(framing[3] as BenchResult);
report('Decoding', decoding, 'pcap-parser (stream), 64 KiB chunks', 'pkt');

// One corrupt length early in a ~20 MB file: we resynchronise; pcap-parser waits for
// the 2 GiB it was promised, concatenating every chunk onto what it holds.
{
  const n = Math.min(TARGET, 150_000);
  const { bytes: small } = buildPcap(frames, n);
  const dv = new DataView(small.buffer);
  let o = 24;
  for (let i = 0; i < n / 10; i++) o += 16 + dv.getUint32(o + 8, true);
  dv.setUint32(o + 8, 0x7fffffff, true);
  const smallChunks = chunksOf(small);
  const smallBufs = smallChunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  const gc = (globalThis as { gc?: () => void }).gc;
  const timeIt = async (fn: () => Promise<number> | number): Promise<[number, number, number]> => {
    gc?.();
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - before)), 5);
    const t0 = performance.now();
    const got = await fn();
    const ms = performance.now() - t0;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    return [got, ms, peak];
  };
  const ours = await timeIt(() => {
    const r = new PcapReader();
    let k = 0;
    for (const c of smallChunks) {
      r.append(c);
      while (r.nextPacket()) k++;
    }
    r.end();
    while (r.nextPacket()) k++;
    return k;
  });
  const theirs = await timeIt(
    () =>
      new Promise<number>((res, rej) => {
        let k = 0;
        const p = pcapParser.parse(Readable.from(smallBufs));
        p.on('packet', () => k++);
        p.on('end', () => res(k));
        p.on('error', rej);
      }),
  );
  const line = (name: string, [k, ms, peak]: [number, number, number]): string =>
    `  ${name.padEnd(12)} ${String(k).padStart(7)} packets in ${ms.toFixed(0).padStart(6)} ms, extra ArrayBuffer memory ≤ ${(peak / 1e6).toFixed(1)} MB`;
  console.log(`\nOne corrupt length at packet ${n / 10} of ${n} (${(small.length / 1e6).toFixed(1)} MB)`);
  console.log(line('PcapReader', ours));
  console.log(line('pcap-parser', theirs));
}

const mbps = (r: BenchResult): string => `${((r.rate * bytes.length) / TARGET / 1e6).toFixed(0)} MB/s`;
console.log(`\nThroughput: framing ${mbps(framing[0] as BenchResult)}, framing + decoding ${mbps(decoding[1] as BenchResult)}`);
console.log(`Memory, one framing run: ${memoryOf(() => frameAll(chunks))}`);
console.log(`Memory, one framing + decoding run: ${memoryOf(() => frameAndDecode(chunks))}`);
if (sink === 0.5) console.log(sink);
