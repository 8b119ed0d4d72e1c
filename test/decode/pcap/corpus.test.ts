// Every capture in the shared corpus (zeek-oracle traces, Zeek's test traces,
// Stratosphere, akvorado NetFlow exports; .pcap, .pcapng, .pcap.gz) is read
// and packet-decoded without a throw or a hang, the same in one chunk or
// many; damaged ones yield weirds; classic µs files match the npm
// pcap-parser packet for packet. Skips cleanly when the corpus is absent.
import test from 'ava';
import type { EventEmitter } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { PacketDecoder } from '../../../lib/decode/packet/decoder.js';
import { DecodeStatus, newPacketInfo } from '../../../lib/decode/packet/types.js';
import { PcapReader } from '../../../lib/decode/pcap/reader.js';
import type { Weird } from '../../../lib/weird.js';
import { CORPUS, HAVE_CORPUS } from '../../helpers/paths.js';
import { chunkRandomly, prng } from './craft.js';

interface ParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: Readable): EventEmitter };

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

const isCapture = (p: string): boolean => /\.(pcap|pcapng|pcap\.gz|pcapng\.gz)$/.test(p);

function load(path: string): Uint8Array {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

interface Summary {
  packets: number;
  /** FNV-1a over every packet's header fields and bytes. */
  digest: number;
  weirds: Weird[];
  status: [number, number, number];
  tunneled: number;
  decoderWeirds: Map<string, number>;
}

function fnv(h: number, b: Uint8Array, s: number, e: number): number {
  for (let i = s; i < e; i++) h = Math.imul(h ^ (b[i] as number), 16777619);
  return h;
}

function summarise(chunks: readonly Uint8Array[], file: string): Summary {
  const weirds: Weird[] = [];
  const decoderWeirds = new Map<string, number>();
  const reader = new PcapReader({ onWeird: (w) => weirds.push(w), file });
  const dec = new PacketDecoder({ onWeird: (w) => decoderWeirds.set(w.kind, (decoderWeirds.get(w.kind) ?? 0) + 1), file });
  const info = newPacketInfo();
  let digest = 0x811c9dc5;
  const drain = (): void => {
    for (let p; (p = reader.nextPacket()); ) {
      digest = Math.imul(digest ^ p.capLen ^ (p.wireLen << 16) ^ p.linkType, 16777619);
      digest = Math.imul(digest ^ Math.round((p.ts % 1000) * 1e6), 16777619);
      digest = fnv(digest, p.buf, p.off, p.off + p.capLen);
      dec.decodeRecord(p, info);
    }
  };
  for (const c of chunks) {
    reader.append(c);
    drain();
  }
  reader.end();
  drain();
  const s = dec.stats;
  return {
    packets: reader.stats.packets,
    digest: digest >>> 0,
    weirds,
    status: [s.ok, s.notIp, s.bad],
    tunneled: s.tunneled,
    decoderWeirds,
  };
}

/** Traces known to be damaged or truncated on purpose: each must yield a weird. */
const DAMAGED = [
  'pcap/zeek-traces/trunc/ip-discarder-truncated-tcp-oob.pcapng',
  'pcap/zeek-traces/trunc/ip4-trunc.pcap',
  'pcap/zeek-traces/trunc/ip6-ext-trunc.pcap',
  'pcap/zeek-traces/trunc/ip6-trunc.pcap',
  'pcap/zeek-traces/trunc/ipv4-internally-truncated-header.pcap',
  'pcap/zeek-traces/trunc/ipv4-truncated-broken-header.pcap',
  'pcap/zeek-traces/trunc/mpls-6in6-6in6-4in6-trunc.pcap',
  'pcap/zeek-traces/trunc/mpls-6in6-broken.pcap.gz',
  'pcap/zeek-traces/trunc/trunc-hdr.pcap',
  'pcap/zeek-traces/trunc/icmp-header-trunc.pcap',
  'pcap/zeek-traces/ip-bogus-header-len.pcap',
  'pcap/zeek-traces/dns-edns-ecs-bad.pcap',
];

const files = HAVE_CORPUS ? walk(CORPUS).filter(isCapture) : [];

if (!HAVE_CORPUS) {
  test('corpus captures (skipped)', (t) => {
    t.log(`no corpus at ${CORPUS}: set C2WATCH_CORPUS to run these tests`);
    t.pass();
  });
} else {
  test('the corpus holds the captures these tests expect', (t) => {
    t.true(files.length >= 250, `${files.length} captures`);
    for (const d of DAMAGED) t.true(files.includes(join(CORPUS, d)), d);
  });

  for (const path of files) {
    const rel = relative(CORPUS, path);
    test(`corpus: ${rel}`, (t) => {
      const bytes = load(path);
      const one = summarise([bytes], rel);
      const chunked = summarise(chunkRandomly(bytes, prng(bytes.length), 70000), rel);
      t.is(chunked.packets, one.packets);
      t.is(chunked.digest, one.digest);
      t.deepEqual(chunked.weirds, one.weirds);
      t.deepEqual(chunked.status, one.status);
      const [ok, notIp, bad] = one.status;
      t.is(ok + notIp + bad, one.packets);
      const kinds = [...one.decoderWeirds].map(([k, n]) => `${k}×${n}`).join(' ');
      const readerKinds = one.weirds.map((w) => `${w.kind}@${w.offset}`).join(' ');
      t.log(
        `${one.packets} packets: ${ok} ok, ${notIp} not IP, ${bad} bad, ${one.tunneled} tunneled` +
          (readerKinds ? ` | reader: ${readerKinds}` : '') +
          (kinds ? ` | decoder: ${kinds}` : ''),
      );
      if (DAMAGED.includes(rel)) t.true(one.weirds.length + one.decoderWeirds.size > 0, 'damaged trace yields weirds');
      // A bad packet is always explained by a weird.
      if (bad > 0) t.true(one.decoderWeirds.size > 0);
    });
  }

  /** Classic µs files (pcap-parser reads only those). */
  const classicMicros = files.filter((p) => {
    const b = load(p);
    const m = Buffer.from(b.subarray(0, 4)).toString('hex');
    return m === 'd4c3b2a1' || m === 'a1b2c3d4';
  });

  function viaPcapParser(bytes: Uint8Array): Promise<ParserPacket[]> {
    return new Promise((resolve, reject) => {
      const out: ParserPacket[] = [];
      // 64 KiB chunks, as a file stream would deliver them.
      const chunks: Buffer[] = [];
      for (let o = 0; o < bytes.length; o += 65536) chunks.push(Buffer.from(bytes.subarray(o, o + 65536)));
      const p = pcapParser.parse(Readable.from(chunks));
      p.on('packet', (pkt: ParserPacket) => out.push({ header: { ...pkt.header }, data: Buffer.from(pkt.data) }));
      p.on('end', () => resolve(out));
      p.on('error', reject);
    });
  }

  test('differential: PcapReader and pcap-parser agree on every classic µs capture', async (t) => {
    let packets = 0;
    for (const path of classicMicros) {
      const rel = relative(CORPUS, path);
      const bytes = load(path);
      const theirs = await viaPcapParser(bytes);
      const ours: ParserPacket[] = [];
      const r = new PcapReader();
      r.append(bytes);
      r.end();
      for (let p; (p = r.nextPacket()); ) {
        const sec = Math.floor(p.ts);
        ours.push({
          header: {
            timestampSeconds: sec,
            timestampMicroseconds: Math.round((p.ts - sec) * 1e6),
            capturedLength: p.capLen,
            originalLength: p.wireLen,
          },
          data: Buffer.from(p.buf.subarray(p.off, p.off + p.capLen)),
        });
      }
      t.is(ours.length, theirs.length, rel);
      for (let i = 0; i < Math.min(ours.length, theirs.length); i++) {
        const a = ours[i]!;
        const b = theirs[i]!;
        if (
          a.header.timestampSeconds !== b.header.timestampSeconds ||
          a.header.timestampMicroseconds !== b.header.timestampMicroseconds ||
          a.header.capturedLength !== b.header.capturedLength ||
          a.header.originalLength !== b.header.originalLength ||
          !a.data.equals(b.data)
        ) {
          t.fail(`${rel} packet ${i}: ${JSON.stringify(a.header)} vs ${JSON.stringify(b.header)}`);
          break;
        }
      }
      packets += ours.length;
    }
    t.log(`${classicMicros.length} captures, ${packets} packets identical`);
    t.true(classicMicros.length > 200);
  });

  test('bytes from pcap-parser’s worst case: one corrupt length in a large file costs one packet', (t) => {
    const path = join(CORPUS, 'pcap/zeek-traces/echo-connections.pcap.gz');
    const bytes = load(path).slice();
    const r0 = new PcapReader();
    r0.append(bytes);
    r0.end();
    let n = 0;
    let mid = 0;
    for (let p; (p = r0.nextPacket()); ) if (n++ === 40000) mid = p.offsetInFile;
    // Claim 2 GiB for the 40 001st record.
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(mid + 8, 0x7fffffff, true);
    const weirds: Weird[] = [];
    const r = new PcapReader({ onWeird: (w) => weirds.push(w) });
    let m = 0;
    for (let o = 0; o < bytes.length; o += 65536) {
      r.append(bytes.subarray(o, o + 65536));
      while (r.nextPacket()) m++;
    }
    r.end();
    while (r.nextPacket()) m++;
    t.is(m, n - 1);
    t.deepEqual(
      weirds.map((w) => [w.kind, w.offset]),
      [['pcap_bad_length', mid]],
    );
    t.log(`${bytes.length} bytes, ${n} packets, corrupt length at ${mid}: ${m} packets read`);
  });
}
