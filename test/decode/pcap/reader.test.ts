// PcapReader on crafted captures: every format variant, chunking, truncated
// prefixes, damage and resynchronisation, errors.
import test from 'ava';
import { ErrorCode } from '../../../lib/errors.js';
import { forEachPacket, PcapReader, sniffCapture, type PcapReaderOptions } from '../../../lib/decode/pcap/reader.js';
import { ticksToSeconds, unitsFromTsresol } from '../../../lib/decode/pcap/format.js';
import type { Weird } from '../../../lib/weird.js';
import { chunkRandomly, classicPcap, concat, frame, pcapngSection, prng, type ClassicRecord } from './craft.js';

interface Got {
  ts: number;
  capLen: number;
  wireLen: number;
  linkType: number;
  interfaceId: number;
  offsetInFile: number;
  hex: string;
}

interface Result {
  packets: Got[];
  weirds: Weird[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Read `chunks`, draining after each append and scribbling over each chunk once drained. */
function read(chunks: readonly Uint8Array[], options: PcapReaderOptions = {}): Result & { reader: PcapReader } {
  const weirds: Weird[] = [];
  const packets: Got[] = [];
  const r = new PcapReader({ ...options, onWeird: (w) => weirds.push(w) });
  const take = (): void => {
    for (let p; (p = r.nextPacket()); ) {
      packets.push({
        ts: p.ts,
        capLen: p.capLen,
        wireLen: p.wireLen,
        linkType: p.linkType,
        interfaceId: p.interfaceId,
        offsetInFile: p.offsetInFile,
        hex: hex(p.buf.subarray(p.off, p.off + p.capLen)),
      });
    }
  };
  for (const c of chunks) {
    const mine = c.slice();
    r.append(mine);
    take();
    // The reader promised not to look at a drained chunk again.
    mine.fill(0xee);
  }
  r.end();
  take();
  return { packets, weirds, reader: r };
}

const whole = (b: Uint8Array, o?: PcapReaderOptions): Result & { reader: PcapReader } => read([b], o);

function records(n: number, rnd = prng(1)): ClassicRecord[] {
  const out: ClassicRecord[] = [];
  let sec = 1_700_000_000;
  for (let i = 0; i < n; i++) {
    sec += Math.floor(rnd() * 3);
    const len = 20 + Math.floor(rnd() * 180);
    out.push({ sec, frac: Math.floor(rnd() * 1e6), data: frame(i, len), wireLen: len + (i % 3 === 0 ? 100 : 0) });
  }
  return out;
}

test('sniffCapture tells pcap, pcapng and neither', (t) => {
  t.is(sniffCapture(Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1)), 'pcap');
  t.is(sniffCapture(Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4)), 'pcap');
  t.is(sniffCapture(Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1)), 'pcap');
  t.is(sniffCapture(Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d)), 'pcap');
  t.is(sniffCapture(pcapngSection({ le: true, interfaces: [], blocks: [] })), 'pcapng');
  t.is(sniffCapture(pcapngSection({ le: false, interfaces: [], blocks: [] })), 'pcapng');
  t.is(sniffCapture(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 1, 2, 3, 4)), undefined);
  t.is(sniffCapture(Uint8Array.of(0x0a, 0x0d, 0x0d)), undefined);
  t.is(sniffCapture(new TextEncoder().encode('#separator \\x09')), undefined);
});

test('classic pcap, µs, little-endian: every field', (t) => {
  const recs = records(50);
  const { packets, weirds, reader } = whole(classicPcap(recs, { linkType: 101 }));
  t.deepEqual(weirds, []);
  t.is(packets.length, 50);
  let off = 24;
  recs.forEach((r, i) => {
    const p = packets[i]!;
    t.is(p.ts, r.sec + r.frac / 1e6);
    t.is(p.capLen, r.data.length);
    t.is(p.wireLen, r.wireLen!);
    t.is(p.linkType, 101);
    t.is(p.interfaceId, 0);
    t.is(p.offsetInFile, off);
    t.is(p.hex, hex(r.data));
    off += 16 + r.data.length;
  });
  t.is(reader.stats.format, 'pcap');
  t.is(reader.stats.packets, 50);
  t.is(reader.stats.bytes, off);
  t.is(reader.interfaces[0]?.linkType, 101);
});

test('classic pcap, big-endian, nanosecond and modified variants', (t) => {
  const recs = records(20);
  const base = whole(classicPcap(recs)).packets;
  const be = whole(classicPcap(recs, { le: false })).packets;
  t.deepEqual(be, base);
  const nsRecs = recs.map((r) => ({ ...r, frac: r.frac * 1000 + 123 }));
  const ns = whole(classicPcap(nsRecs, { ns: true, le: false })).packets;
  t.is(ns.length, 20);
  ns.forEach((p, i) => t.is(p.ts, nsRecs[i]!.sec + nsRecs[i]!.frac / 1e9));
  const nsLe = whole(classicPcap(nsRecs, { ns: true })).packets;
  t.deepEqual(nsLe, ns);
  const mod = whole(classicPcap(recs, { modified: true })).packets;
  t.deepEqual(
    mod.map((p) => p.hex),
    base.map((p) => p.hex),
  );
  t.is(mod[1]!.offsetInFile, 24 + 24 + recs[0]!.data.length);
});

test('an empty classic file has no packets and no weirds', (t) => {
  const { packets, weirds, reader } = whole(classicPcap([]));
  t.is(packets.length, 0);
  t.deepEqual(weirds, []);
  t.is(reader.stats.format, 'pcap');
});

test('empty input: nothing at all', (t) => {
  const { packets, weirds, reader } = read([]);
  t.is(packets.length, 0);
  t.deepEqual(weirds, []);
  t.is(reader.stats.format, undefined);
});

test('wrong magic throws C2W_ERR_BAD_MAGIC at offset 0, from append', (t) => {
  const r = new PcapReader({ file: 'x.log' });
  const e = t.throws(() => r.append(new TextEncoder().encode('#separator \\x09\n')));
  t.is((e as { code?: string }).code, ErrorCode.BadMagic);
  t.is((e as { offset?: number }).offset, 0);
  t.is((e as { file?: string }).file, 'x.log');
  // Split magic: the throw comes once four bytes are in.
  const r2 = new PcapReader();
  r2.append(Uint8Array.of(0x01, 0x02));
  t.notThrows(() => r2.nextPacket());
  const e2 = t.throws(() => r2.append(Uint8Array.of(0x03, 0x04)));
  t.is((e2 as { code?: string }).code, ErrorCode.BadMagic);
  // pcapng with a bad byte-order magic.
  const ng = pcapngSection({ le: true, interfaces: [], blocks: [] });
  ng[8] = 0x99;
  const e3 = t.throws(() => new PcapReader().append(ng));
  t.is((e3 as { code?: string }).code, ErrorCode.BadMagic);
  t.is((e3 as { offset?: number }).offset, 8);
});

test('unsupported versions throw C2W_ERR_UNSUPPORTED_VERSION', (t) => {
  const e = t.throws(() => new PcapReader().append(classicPcap(records(1), { major: 3 })));
  t.is((e as { code?: string }).code, ErrorCode.UnsupportedVersion);
  const ng = pcapngSection({ le: false, major: 2, interfaces: [{ linkType: 1 }], blocks: [] });
  const r = new PcapReader();
  r.append(ng);
  const e2 = t.throws(() => r.nextPacket());
  t.is((e2 as { code?: string }).code, ErrorCode.UnsupportedVersion);
});

test('append after end() is a programming error', (t) => {
  const r = new PcapReader();
  r.end();
  t.throws(() => r.append(new Uint8Array(4)));
});

test('pcapng: two sections of different byte order, interfaces with different if_tsresol and if_tsoffset', (t) => {
  const a = frame(1, 60);
  const b = frame(2, 61);
  const c = frame(3, 62);
  const d = frame(4, 63);
  const e = frame(5, 64);
  const ts = 1_700_000_000;
  const micros = BigInt(ts) * 1_000_000n + 123_456n;
  const nanos = BigInt(ts) * 1_000_000_000n + 987_654_321n;
  const pow2 = BigInt(ts - 3600) * 1024n + 512n; // 2^-10 s units, offset +3600 s
  const split = (v: bigint): { hi: number; lo: number } => ({ hi: Number(v >> 32n), lo: Number(v & 0xffffffffn) });
  const s1 = pcapngSection({
    le: true,
    interfaces: [
      { linkType: 1, snapLen: 65535 },
      { linkType: 101, snapLen: 0, tsresol: 9 },
    ],
    blocks: [
      { kind: 'epb', ifId: 0, ...split(micros), data: a, wireLen: 100, comment: 'first' },
      { kind: 'nrb' },
      { kind: 'epb', ifId: 1, ...split(nanos), data: b },
      { kind: 'isb', ifId: 0 },
      { kind: 'custom', size: 10 },
      { kind: 'spb', data: c },
    ],
  });
  const s2 = pcapngSection({
    le: false,
    interfaces: [
      { linkType: 113, snapLen: 40, tsresol: 0x8a, tsoffset: 3600 },
      { linkType: 276, tsoffset: -1000 },
    ],
    blocks: [
      { kind: 'epb', ifId: 0, ...split(pow2), data: d },
      { kind: 'pb', ifId: 1, ...split(micros), data: e },
      { kind: 'spb', data: frame(6, 50), wireLen: 50 },
    ],
  });
  const file = concat([s1, s2]);
  const { packets, weirds, reader } = whole(file);
  t.deepEqual(weirds, []);
  t.is(packets.length, 6);
  t.deepEqual(
    packets.map((p) => [p.linkType, p.interfaceId, p.capLen, p.wireLen]),
    [
      [1, 0, 60, 100],
      [101, 1, 61, 61],
      [1, 0, 62, 62],
      [113, 0, 63, 63],
      [276, 1, 64, 64],
      [113, 0, 40, 50], // SPB: snaplen of interface 0 (40) limits it
    ],
  );
  t.is(packets[0]!.ts, ts + 0.123456);
  t.is(packets[1]!.ts, ts + 0.987654321);
  t.is(packets[2]!.ts, packets[1]!.ts, 'SPB has no time: the previous packet’s');
  t.is(packets[3]!.ts, ts - 3600 + 0.5 + 3600);
  t.is(packets[4]!.ts, ts + 0.123456 - 1000);
  t.is(packets[0]!.hex, hex(a));
  t.is(packets[3]!.hex, hex(d));
  t.is(packets[5]!.hex, hex(frame(6, 50).subarray(0, 40)));
  t.is(reader.stats.format, 'pcapng');
  t.is(reader.stats.sections, 2);
  t.is(reader.stats.interfaces, 4);
  t.is(reader.stats.blocksSkipped, 3);
  t.deepEqual(
    reader.interfaces.map((i) => [i.section, i.linkType, i.ticksPerSecond, i.tsOffset]),
    [
      [0, 1, 1e6, 0],
      [0, 101, 1e9, 0],
      [1, 113, 1024, 3600],
      [1, 276, 1e6, -1000],
    ],
  );
  // Offsets point at the block starts.
  t.is(file[packets[0]!.offsetInFile], 6);
  t.is(file[packets[3]!.offsetInFile + 3], 6);
});

test('ticksToSeconds is exact in the integer part and keeps microseconds', (t) => {
  const rnd = prng(7);
  for (let i = 0; i < 2000; i++) {
    const units = [1e3, 1e6, 1e9, 1024, 2 ** 20, 10][i % 6]!;
    const sec = 1_000_000_000 + Math.floor(rnd() * 1_500_000_000);
    const sub = Math.floor(rnd() * units);
    const v = BigInt(sec) * BigInt(units) + BigInt(sub);
    const got = ticksToSeconds(Number(v >> 32n), Number(v & 0xffffffffn), units);
    t.is(Math.floor(got), sec);
    t.true(Math.abs(got - (sec + sub / units)) < 1e-6);
  }
  t.is(unitsFromTsresol(6), 1e6);
  t.is(unitsFromTsresol(9), 1e9);
  t.is(unitsFromTsresol(0x80 | 10), 1024);
});

/** The crafted files the prefix and chunking properties run over. */
function smallFiles(): Record<string, Uint8Array> {
  const recs = records(12, prng(3));
  return {
    classic: classicPcap(recs),
    classicBeNs: classicPcap(recs.map((r) => ({ ...r, frac: r.frac * 1000 })), { le: false, ns: true }),
    pcapng: concat([
      pcapngSection({
        le: true,
        interfaces: [{ linkType: 1 }, { linkType: 101, tsresol: 9 }],
        blocks: [
          { kind: 'epb', ifId: 0, hi: 395, lo: 1234567, data: frame(1, 70) },
          { kind: 'nrb' },
          { kind: 'epb', ifId: 1, hi: 395000, lo: 7654321, data: frame(2, 33), comment: 'x' },
          { kind: 'spb', data: frame(3, 21) },
        ],
      }),
      pcapngSection({
        le: false,
        interfaces: [{ linkType: 113, tsresol: 3 }],
        blocks: [
          { kind: 'pb', ifId: 0, hi: 0, lo: 1_700_000_000_000 % 4294967296, data: frame(4, 45) },
          { kind: 'custom', size: 30 },
          { kind: 'epb', ifId: 0, hi: 0, lo: 99, data: frame(5, 1) },
        ],
      }),
    ]),
  };
}

test('random chunkings give the same packets and weirds as one chunk', (t) => {
  for (const [name, file] of Object.entries(smallFiles())) {
    const ref = whole(file);
    t.deepEqual(ref.weirds, [], name);
    const rnd = prng(name.length);
    for (let i = 0; i < 60; i++) {
      const got = read(chunkRandomly(file, rnd, 1 + (i % 40)));
      t.deepEqual(got.packets, ref.packets, `${name} chunking ${i}`);
      t.deepEqual(got.weirds, ref.weirds, `${name} chunking ${i}`);
    }
    // Byte by byte.
    t.deepEqual(read(chunkRandomly(file, rnd, 1)).packets, ref.packets);
  }
});

test('every truncated prefix: a prefix of the packets, one truncation weird at most, same under any chunking', (t) => {
  for (const [name, file] of Object.entries(smallFiles())) {
    const full = whole(file).packets;
    const rnd = prng(11);
    for (let n = 0; n <= file.length; n++) {
      const prefix = file.subarray(0, n);
      const one = whole(prefix);
      t.deepEqual(one.packets, full.slice(0, one.packets.length), `${name}[0,${n})`);
      t.true(one.weirds.length <= 1, `${name}[0,${n}) weirds`);
      for (const w of one.weirds) {
        t.true(w.kind === 'pcap_truncated_record' || w.kind === 'pcap_truncated_header', w.kind);
        t.true(w.offset! >= 0 && w.offset! < n, `${name}[0,${n}) weird offset ${w.offset}`);
      }
      if (name === 'classic') {
        // No weird exactly when the cut falls between records.
        const boundary = n === 0 || n === 24 || n === file.length || full.some((p) => p.offsetInFile === n);
        t.is(one.weirds.length === 0, boundary, `${name}[0,${n}) boundary`);
      }
      const chunked = read(chunkRandomly(prefix, rnd, 17));
      t.deepEqual(chunked.packets, one.packets, `${name}[0,${n}) chunked`);
      t.deepEqual(chunked.weirds, one.weirds, `${name}[0,${n}) chunked weirds`);
    }
  }
});

test('a cut inside a record is reported with the record’s offset', (t) => {
  const recs = records(3);
  const file = classicPcap(recs);
  const second = 24 + 16 + recs[0]!.data.length;
  const { packets, weirds } = whole(file.subarray(0, second + 10));
  t.is(packets.length, 1);
  t.is(weirds.length, 1);
  t.is(weirds[0]!.kind, 'pcap_truncated_record');
  t.is(weirds[0]!.offset, second);
  const hdr = whole(file.subarray(0, 10));
  t.is(hdr.weirds[0]?.kind, 'pcap_truncated_header');
  t.is(hdr.weirds[0]?.offset, 0);
});

test('end() reports the truncated tail at once when the reader was drained', (t) => {
  const file = classicPcap(records(2));
  const weirds: Weird[] = [];
  const r = new PcapReader({ onWeird: (w) => weirds.push(w), file: 'f.pcap' });
  r.append(file.subarray(0, file.length - 3));
  while (r.nextPacket());
  t.is(weirds.length, 0);
  r.end();
  t.is(weirds.length, 1);
  t.is(weirds[0]!.file, 'f.pcap');
  t.is(r.nextPacket(), undefined);
  t.is(weirds.length, 1);
});

test('appending everything before draining works (and end() before draining too)', (t) => {
  const file = classicPcap(records(30));
  const ref = whole(file).packets;
  const r = new PcapReader();
  for (const c of chunkRandomly(file, prng(5), 50)) r.append(c);
  r.end();
  const got: string[] = [];
  for (let p; (p = r.nextPacket()); ) got.push(hex(p.buf.subarray(p.off, p.off + p.capLen)));
  t.deepEqual(
    got,
    ref.map((p) => p.hex),
  );
});

test('classic: a corrupt length in the middle resynchronises and keeps the rest', (t) => {
  const recs = records(40, prng(9));
  const file = classicPcap(recs);
  const ref = whole(file).packets;
  // Corrupt record 17's captured length.
  let off = 24;
  for (let i = 0; i < 17; i++) off += 16 + recs[i]!.data.length;
  for (const bad of [0xfffffff0, 0x00100000, 262145]) {
    const damaged = file.slice();
    new DataView(damaged.buffer).setUint32(off + 8, bad, true);
    const got = whole(damaged);
    t.is(got.weirds.length, 1, `caplen ${bad}`);
    t.is(got.weirds[0]!.kind, 'pcap_bad_length');
    t.is(got.weirds[0]!.offset, off);
    t.deepEqual(got.packets, [...ref.slice(0, 17), ...ref.slice(18)], `caplen ${bad}`);
    t.is(got.reader.stats.resyncs, 1);
    t.is(got.reader.stats.bytesSkipped, 16 + recs[17]!.data.length);
    // Same under chunking.
    for (let i = 0; i < 10; i++) {
      const c = read(chunkRandomly(damaged, prng(100 + i), 64));
      t.deepEqual(c.packets, got.packets);
      t.deepEqual(c.weirds, got.weirds);
    }
  }
});

test('classic: garbage inserted between records is skipped', (t) => {
  const recs = records(10, prng(4));
  const file = classicPcap(recs);
  let off = 24;
  for (let i = 0; i < 5; i++) off += 16 + recs[i]!.data.length;
  const junk = new Uint8Array(333).fill(0xff);
  const damaged = concat([file.subarray(0, off), junk, file.subarray(off)]);
  const got = whole(damaged);
  t.is(got.packets.length, 10);
  t.deepEqual(
    got.packets.map((p) => p.hex),
    whole(file).packets.map((p) => p.hex),
  );
  t.is(got.weirds.length, 1);
  t.is(got.reader.stats.bytesSkipped, 333);
});

test('classic: damage near the end never hangs and loses only the tail', (t) => {
  const recs = records(5);
  const file = classicPcap(recs);
  const damaged = file.slice();
  const last = file.length - 16 - recs[4]!.data.length;
  new DataView(damaged.buffer).setUint32(last + 8, 0x7fffffff, true);
  const got = whole(damaged);
  t.is(got.packets.length, 4);
  t.is(got.weirds.length, 1);
  t.is(got.weirds[0]!.kind, 'pcap_bad_length');
});

test('a huge corrupt length loses one record and waits for no 4 GiB of input', (t) => {
  // 20 000 records with a lying length early on: the reader resynchronises on the next
  // plausible header instead of buffering toward the claimed length (how fast it does so is
  // bench/decode/pcap.bench.ts's business, not a test's).
  const recs = records(20000, prng(12));
  const file = classicPcap(recs);
  const damaged = file.slice();
  new DataView(damaged.buffer).setUint32(24 + 8, 0xfffffff0, true);
  const got = read(chunkRandomly(damaged, prng(1), 65536));
  t.is(got.packets.length, 19999);
});

test('maxRecordSize bounds what is accepted', (t) => {
  const big: ClassicRecord = { sec: 1, frac: 0, data: frame(1, 5000) };
  const small: ClassicRecord = { sec: 1, frac: 1, data: frame(2, 100) };
  const file = classicPcap([small, big, small]);
  t.is(whole(file).packets.length, 3);
  const limited = whole(file, { maxRecordSize: 1000 });
  t.is(limited.packets.length, 2);
  t.is(limited.weirds[0]?.kind, 'pcap_bad_length');
});

test('pcapng: a corrupt block length resynchronises to the next block', (t) => {
  const blocks = Array.from({ length: 12 }, (_, i) => ({
    kind: 'epb' as const,
    ifId: 0,
    hi: 0,
    lo: 1000 + i,
    data: frame(i, 40 + i),
  }));
  const file = pcapngSection({ le: true, interfaces: [{ linkType: 1 }], blocks });
  const ref = whole(file).packets;
  t.is(ref.length, 12);
  // Find block 5 and corrupt its leading length.
  const at = ref[5]!.offsetInFile;
  for (const bad of [0x7ffffff0, 13, 200, 8]) {
    const damaged = file.slice();
    new DataView(damaged.buffer).setUint32(at + 4, bad, true);
    const got = whole(damaged);
    t.is(got.weirds.length, 1, `length ${bad}`);
    t.is(got.weirds[0]!.kind, 'pcap_bad_length');
    t.is(got.weirds[0]!.offset, at);
    t.deepEqual(got.packets, [...ref.slice(0, 5), ...ref.slice(6)], `length ${bad}`);
    const c = read(chunkRandomly(damaged, prng(bad), 50));
    t.deepEqual(c.packets, got.packets);
    t.deepEqual(c.weirds, got.weirds);
  }
  // A corrupt trailing length also costs only that block.
  const damaged = file.slice();
  const len = new DataView(damaged.buffer).getUint32(at + 4, true);
  new DataView(damaged.buffer).setUint32(at + len - 4, 1234, true);
  const got = whole(damaged);
  t.deepEqual(got.packets, [...ref.slice(0, 5), ...ref.slice(6)]);
});

test('pcapng: packets naming a missing interface or claiming too much are skipped with weirds', (t) => {
  const file = pcapngSection({
    le: false,
    interfaces: [{ linkType: 1 }],
    blocks: [
      { kind: 'epb', ifId: 3, hi: 0, lo: 1, data: frame(1, 20) },
      { kind: 'epb', ifId: 0, hi: 0, lo: 2, data: frame(2, 20) },
    ],
  });
  const got = whole(file);
  t.is(got.packets.length, 1);
  t.is(got.weirds[0]?.kind, 'pcapng_bad_interface');
  // SPB before any interface.
  const spb = pcapngSection({ le: true, interfaces: [], blocks: [{ kind: 'spb', data: frame(1, 10) }] });
  t.is(whole(spb).weirds[0]?.kind, 'pcapng_bad_interface');
  // caplen larger than the block.
  const over = pcapngSection({ le: true, interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', ifId: 0, hi: 0, lo: 1, data: frame(1, 20) }] });
  const ov = over.slice();
  const epb = whole(over).packets[0]!.offsetInFile;
  new DataView(ov.buffer).setUint32(epb + 20, 200, true);
  const o = whole(ov);
  t.is(o.packets.length, 0);
  t.is(o.weirds[0]?.kind, 'pcapng_bad_caplen');
});

test('pcapng: a later section with an unknown major version is skipped', (t) => {
  const good = pcapngSection({ le: true, interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', ifId: 0, hi: 0, lo: 1, data: frame(1, 20) }] });
  const odd = pcapngSection({ le: false, major: 2, interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', ifId: 0, hi: 0, lo: 1, data: frame(2, 20) }] });
  const got = whole(concat([good, odd, good]));
  t.is(got.packets.length, 2);
  t.deepEqual(
    got.weirds.map((w) => w.kind),
    ['pcapng_unsupported_version'],
  );
});

test('a large skipped block is streamed past, not buffered', (t) => {
  const file = pcapngSection({
    le: true,
    interfaces: [{ linkType: 1 }],
    blocks: [
      { kind: 'epb', ifId: 0, hi: 0, lo: 1, data: frame(1, 20) },
      { kind: 'custom', size: 3_000_000 },
      { kind: 'epb', ifId: 0, hi: 0, lo: 2, data: frame(2, 20) },
    ],
  });
  const got = read(chunkRandomly(file, prng(2), 65536));
  t.is(got.packets.length, 2);
  t.deepEqual(got.weirds, []);
  t.is(got.reader.stats.blocksSkipped, 1);
});

test('forEachPacket reads arrays of chunks and single buffers alike', (t) => {
  const file = classicPcap(records(7));
  let a = 0;
  let b = 0;
  const sa = forEachPacket(file, () => a++);
  const sb = forEachPacket(chunkRandomly(file, prng(3), 9), () => b++);
  t.is(a, 7);
  t.is(b, 7);
  t.is(sa.packets, 7);
  t.is(sb.bytes, file.length);
});

test('records straddling chunks are assembled; whole ones are zero-copy views of the chunk', (t) => {
  const file = classicPcap(records(10));
  const r = new PcapReader();
  r.append(file);
  const p = r.nextPacket()!;
  t.is(p.buf, file, 'a view into the appended chunk');
  const r2 = new PcapReader();
  const half = file.length >> 1;
  r2.append(file.subarray(0, half));
  while (r2.nextPacket());
  r2.append(file.subarray(half));
  for (let q; (q = r2.nextPacket()); );
  t.is(r2.stats.assembled, 1);
  t.is(r2.stats.packets, 10);
});

test('fuzz: random damage never throws or hangs, and chunking never changes the result', (t) => {
  const files = smallFiles();
  const bigClassic = classicPcap(records(200, prng(21)));
  const all: [string, Uint8Array, number][] = [
    ['classic', files['classic']!, 24],
    ['classicBeNs', files['classicBeNs']!, 24],
    ['pcapng', files['pcapng']!, 28],
    ['bigClassic', bigClassic, 24],
  ];
  let cases = 0;
  for (const [name, file, keep] of all) {
    const rnd = prng(name.length * 1000);
    for (let i = 0; i < Number(process.env["C2W_FUZZ"] ?? 150); i++) {
      let d: Uint8Array = file.slice();
      const op = i % 4;
      const at = keep + Math.floor(rnd() * (d.length - keep));
      if (op === 0) {
        // Overwrite a few bytes with random values.
        for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) d[Math.min(d.length - 1, at + k)] = Math.floor(rnd() * 256);
      } else if (op === 1) {
        // Insert junk.
        const junk = Uint8Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256));
        d = concat([d.subarray(0, at), junk, d.subarray(at)]);
      } else if (op === 2) {
        // Delete a run.
        d = concat([d.subarray(0, at), d.subarray(Math.min(d.length, at + 1 + Math.floor(rnd() * 100)))]);
      } else {
        // A length field set to something huge or small.
        const dv = new DataView(d.buffer);
        if (at + 4 <= d.length) dv.setUint32(at - (at % 4), rnd() < 0.5 ? 0xffffff00 : Math.floor(rnd() * 64), rnd() < 0.5);
      }
      const ref = whole(d);
      const got = read(chunkRandomly(d, rnd, 1 + Math.floor(rnd() * 100)));
      t.deepEqual(got.packets, ref.packets, `${name} case ${i}`);
      t.deepEqual(got.weirds, ref.weirds, `${name} case ${i}`);
      t.true(ref.packets.length <= file.length);
      cases++;
    }
  }
  t.log(`${cases} damaged files`);
});
