// Writers for crafted capture files (classic pcap and pcapng, either byte
// order) and a seeded PRNG, shared by the pcap and packet tests.

export { mulberry32 as prng } from '../../../bench/gen/prng.js';

/** Byte writer with an explicit byte order. */
export class Bytes {
  readonly #parts: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.#parts.push(v & 255);
    return this;
  }
  u16(v: number): this {
    if (this.le) this.#parts.push(v & 255, (v >>> 8) & 255);
    else this.#parts.push((v >>> 8) & 255, v & 255);
    return this;
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    if (this.le) b.reverse();
    this.#parts.push(...b);
    return this;
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.#parts.push(b[i] as number);
    return this;
  }
  pad4(): this {
    while (this.#parts.length % 4 !== 0) this.#parts.push(0);
    return this;
  }
  get length(): number {
    return this.#parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

export interface ClassicRecord {
  sec: number;
  /** Microseconds, or nanoseconds when the file is ns. */
  frac: number;
  data: Uint8Array;
  /** Default: data.length. */
  wireLen?: number;
  /** Override the captured length field (to corrupt it). */
  capLenField?: number;
}

export interface ClassicOptions {
  le?: boolean;
  ns?: boolean;
  modified?: boolean;
  snapLen?: number;
  linkType?: number;
  major?: number;
}

/** A classic libpcap file. */
export function classicPcap(records: readonly ClassicRecord[], o: ClassicOptions = {}): Uint8Array {
  const le = o.le ?? true;
  const w = new Bytes(false);
  // Magic is written so that a reader in the other byte order sees it swapped.
  const magic = o.modified ? 0xa1b2cd34 : o.ns ? 0xa1b23c4d : 0xa1b2c3d4;
  const h = new Bytes(le);
  h.u32(magic).u16(o.major ?? 2).u16(4).u32(0).u32(0).u32(o.snapLen ?? 262144).u32(o.linkType ?? 1);
  w.bytes(h.done());
  for (const r of records) {
    const b = new Bytes(le);
    b.u32(r.sec).u32(r.frac).u32(r.capLenField ?? r.data.length).u32(r.wireLen ?? r.data.length);
    if (o.modified) b.u32(1).u16(0x0800).u8(0).u8(0);
    b.bytes(r.data);
    w.bytes(b.done());
  }
  return w.done();
}

export interface NgInterface {
  linkType: number;
  snapLen?: number;
  /** Raw if_tsresol byte. */
  tsresol?: number;
  /** if_tsoffset seconds (may be negative). */
  tsoffset?: number;
}

export type NgBlock =
  | { kind: 'epb'; ifId: number; hi: number; lo: number; data: Uint8Array; wireLen?: number; comment?: string }
  | { kind: 'pb'; ifId: number; hi: number; lo: number; data: Uint8Array; wireLen?: number }
  | { kind: 'spb'; data: Uint8Array; wireLen?: number }
  | { kind: 'isb'; ifId: number }
  | { kind: 'nrb' }
  | { kind: 'custom'; size: number }
  | { kind: 'raw'; bytes: Uint8Array };

export interface NgSection {
  le: boolean;
  major?: number;
  interfaces: readonly NgInterface[];
  blocks: readonly NgBlock[];
}

function block(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const total = 12 + ((body.length + 3) & ~3);
  const b = new Bytes(le);
  b.u32(type).u32(total).bytes(body).pad4().u32(total);
  return b.done();
}

function options(le: boolean, opts: readonly [number, Uint8Array][]): Uint8Array {
  if (opts.length === 0) return new Uint8Array(0);
  const b = new Bytes(le);
  for (const [code, val] of opts) b.u16(code).u16(val.length).bytes(val).pad4();
  b.u16(0).u16(0);
  return b.done();
}

/** One pcapng section (SHB, IDBs, then the blocks). Concatenate sections for a multi-section file. */
export function pcapngSection(s: NgSection): Uint8Array {
  const le = s.le;
  const out: Uint8Array[] = [];
  const shb = new Bytes(le);
  shb.u32(0x1a2b3c4d).u16(s.major ?? 1).u16(0).u32(0xffffffff).u32(0xffffffff);
  out.push(block(le, 0x0a0d0d0a, shb.done()));
  for (const i of s.interfaces) {
    const opts: [number, Uint8Array][] = [];
    if (i.tsresol !== undefined) opts.push([9, Uint8Array.of(i.tsresol)]);
    if (i.tsoffset !== undefined) {
      const v = new Bytes(le);
      const hi = Math.floor(i.tsoffset / 4294967296);
      const lo = i.tsoffset - hi * 4294967296;
      if (le) v.u32(lo).u32(hi >>> 0);
      else v.u32(hi >>> 0).u32(lo);
      opts.push([14, v.done()]);
    }
    const body = new Bytes(le);
    body.u16(i.linkType).u16(0).u32(i.snapLen ?? 0).bytes(options(le, opts));
    out.push(block(le, 1, body.done()));
  }
  for (const bl of s.blocks) {
    const body = new Bytes(le);
    switch (bl.kind) {
      case 'epb': {
        body.u32(bl.ifId).u32(bl.hi).u32(bl.lo).u32(bl.data.length).u32(bl.wireLen ?? bl.data.length).bytes(bl.data).pad4();
        if (bl.comment !== undefined) body.bytes(options(le, [[1, new TextEncoder().encode(bl.comment)]]));
        out.push(block(le, 6, body.done()));
        break;
      }
      case 'pb':
        body.u16(bl.ifId).u16(0).u32(bl.hi).u32(bl.lo).u32(bl.data.length).u32(bl.wireLen ?? bl.data.length).bytes(bl.data).pad4();
        out.push(block(le, 2, body.done()));
        break;
      case 'spb':
        body.u32(bl.wireLen ?? bl.data.length).bytes(bl.data).pad4();
        out.push(block(le, 3, body.done()));
        break;
      case 'isb':
        body.u32(bl.ifId).u32(0).u32(0);
        out.push(block(le, 5, body.done()));
        break;
      case 'nrb':
        // One IPv4 record then end of records.
        body.u16(1).u16(4 + 9 + 1).bytes([192, 0, 2, 1]).bytes(new TextEncoder().encode('h.example')).u8(0).pad4().u16(0).u16(0);
        out.push(block(le, 4, body.done()));
        break;
      case 'custom':
        body.u32(32473).bytes(new Uint8Array(bl.size));
        out.push(block(le, 0x00000bad, body.done()));
        break;
      case 'raw':
        out.push(bl.bytes);
        break;
    }
  }
  return concat(out);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A frame of `n` bytes whose content encodes `tag` (so packets can be told apart). */
export function frame(tag: number, n: number): Uint8Array {
  const f = new Uint8Array(n);
  for (let i = 0; i < n; i++) f[i] = (tag * 31 + i * 7) & 255;
  return f;
}

/** Split `bytes` into chunks at random points (sizes 1..max). */
export function chunkRandomly(bytes: Uint8Array, rnd: () => number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; ) {
    const n = 1 + Math.floor(rnd() * max);
    // Copy, so a reader that kept a view into an old chunk would see garbage.
    out.push(bytes.slice(o, o + n));
    o += n;
  }
  return out;
}
