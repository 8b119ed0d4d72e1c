/**
 * PacketDecoder against the naive alternative: a decoder that makes a
 * DataView and a fresh result object with dotted-string addresses per packet
 * (what one writes first), over the same frames. And PacketDecoder by frame
 * shape: plain IPv4/TCP, VLAN + IPv6 with extension headers, VXLAN, GRE.
 *
 * Frames: the Ethernet packets of the shared corpus (synthetic ones without
 * it), decoded from one buffer so only decoding is measured.
 *
 * Run: node --expose-gc --import tsx bench/decode/packet.bench.ts [packets]
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PacketDecoder } from '../../lib/decode/packet/decoder.js';
import { DecodeStatus, newPacketInfo } from '../../lib/decode/packet/types.js';
import { PcapReader } from '../../lib/decode/pcap/reader.js';
import { measure, report, type BenchResult } from '../harness.js';

const N = Number(process.argv[2] ?? 1_000_000);
const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = process.env['C2WATCH_CORPUS'] ?? resolve(here, '../../../shared/corpus');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function corpusFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (!existsSync(CORPUS)) return out;
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
    for (let p; (p = r.nextPacket()); ) if (p.linkType === 1) out.push(p.buf.slice(p.off, p.off + p.capLen));
  }
  return out;
}

const hexFrame = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const ETH = '000102030405 060708090a0b';
// sport 80, dport 49320, seq 1, ack 2, PSH|ACK, window 65535, then "hello".
const TCP = '0050c0a8 00000001 00000002 5018 ffff 0000 0000 68656c6c6f';
const IP4_TCP = `4500002d 12340000 40060000 0a010203 c6336409 ${TCP}`;
const SHAPES: Record<string, Uint8Array> = {
  'IPv4 / TCP': hexFrame(`${ETH} 0800 ${IP4_TCP}`),
  // QinQ, IPv6 with hop-by-hop and routing headers, UDP with one byte.
  'QinQ / IPv6 + 2 ext / UDP': hexFrame(
    `${ETH} 88a8 000a 8100 0014 86dd 60000000 0019 00 40 20010db8000000000000000000000001 20010db8000000000000000000000002 ` +
      '2b00000000000000 1100040000000000 0035 0035 0009 0000 0a',
  ),
  'VXLAN / IPv4 / TCP': hexFrame(`${ETH} 0800 4500005f 00000000 40110000 c0000201 c0000202 c35012b5 004b 0000 0800000000123400 ${ETH} 0800 ${IP4_TCP}`),
  'GRE key / IPv4 / TCP': hexFrame(`${ETH} 0800 45000049 00000000 402f0000 cb007101 cb007102 2000 0800 0000002a ${IP4_TCP}`),
};

/** What one writes first: a DataView and a new object per packet, strings for addresses. */
function naiveDecode(buf: Uint8Array, off: number, len: number): { src: string; dst: string; proto: number; sport: number; dport: number } | null {
  const dv = new DataView(buf.buffer, buf.byteOffset + off, len);
  let p = 12;
  let type = dv.getUint16(p);
  p += 2;
  while (type === 0x8100 || type === 0x88a8) {
    type = dv.getUint16(p + 2);
    p += 4;
  }
  if (type === 0x0800) {
    const ihl = (dv.getUint8(p) & 15) * 4;
    const proto = dv.getUint8(p + 9);
    const src = [dv.getUint8(p + 12), dv.getUint8(p + 13), dv.getUint8(p + 14), dv.getUint8(p + 15)].join('.');
    const dst = [dv.getUint8(p + 16), dv.getUint8(p + 17), dv.getUint8(p + 18), dv.getUint8(p + 19)].join('.');
    const l4 = p + ihl;
    const ports = proto === 6 || proto === 17;
    return { src, dst, proto, sport: ports ? dv.getUint16(l4) : 0, dport: ports ? dv.getUint16(l4 + 2) : 0 };
  }
  if (type === 0x86dd) {
    const words = (o: number): string => Array.from({ length: 8 }, (_, i) => dv.getUint16(o + i * 2).toString(16)).join(':');
    const proto = dv.getUint8(p + 6);
    const l4 = p + 40;
    const ports = proto === 6 || proto === 17;
    return { src: words(p + 8), dst: words(p + 24), proto, sport: ports ? dv.getUint16(l4) : 0, dport: ports ? dv.getUint16(l4 + 2) : 0 };
  }
  return null;
}

// Lay the frames out in one buffer, as a capture would hold them.
const pool = corpusFrames();
const source = pool.length > 0 ? pool : Object.values(SHAPES);
let total = 0;
for (let i = 0; i < N; i++) total += (source[i % source.length] as Uint8Array).length;
const big = new Uint8Array(total);
const offs = new Int32Array(N);
const lens = new Int32Array(N);
for (let i = 0, o = 0; i < N; i++) {
  const f = source[i % source.length] as Uint8Array;
  big.set(f, o);
  offs[i] = o;
  lens[i] = f.length;
  o += f.length;
}
console.log(`${N} frames (${source.length} distinct${pool.length > 0 ? ', from the corpus' : ', synthetic'}), ${(total / 1e6).toFixed(1)} MB`);

let sink = 0;
const info = newPacketInfo();
const dec = new PacketDecoder();

function ours(): void {
  let ok = 0;
  for (let i = 0; i < N; i++) {
    const len = lens[i] as number;
    info.wireLen = len;
    if (dec.decode(1, big, offs[i] as number, len, info) === DecodeStatus.Ok) ok += info.sport;
  }
  sink += ok;
}

function naive(): void {
  let ok = 0;
  for (let i = 0; i < N; i++) {
    try {
      const r = naiveDecode(big, offs[i] as number, lens[i] as number);
      if (r !== null) ok += r.sport + r.src.length;
    } catch {
      // A naive decoder throws on short frames (DataView bounds).
    }
  }
  sink += ok;
}

const opts = { units: N, unit: 'pkt', warmup: 2, runs: 5 };
const results: BenchResult[] = [
  await measure('PacketDecoder (reused PacketInfo)', ours, opts),
  await measure('naive (DataView + object + strings per packet)', naive, opts),
];
report('Packet decoding, corpus mix', results, 'naive (DataView + object + strings per packet)', 'pkt');

const shapes: BenchResult[] = [];
for (const [name, f] of Object.entries(SHAPES)) {
  const d = new PacketDecoder();
  const out = newPacketInfo();
  out.wireLen = f.length;
  if (d.decode(1, f, 0, f.length, out) !== DecodeStatus.Ok) throw new Error(`shape ${name} does not decode`);
  shapes.push(
    await measure(
      name,
      () => {
        let x = 0;
        for (let i = 0; i < N; i++) x += d.decode(1, f, 0, f.length, out);
        sink += x;
      },
      opts,
    ),
  );
}
report('PacketDecoder by frame shape', shapes, 'IPv4 / TCP', 'pkt');
if (sink === 0.5) console.log(sink);
