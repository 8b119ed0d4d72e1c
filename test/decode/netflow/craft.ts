// Builders of NetFlow v5 / v9 / IPFIX datagrams for tests and benchmarks: big-endian bytes from plain numbers.

/** A growable big-endian byte writer. */
export class Writer {
  #b = new Uint8Array(256);
  #dv = new DataView(this.#b.buffer);
  n = 0;
  #room(k: number): void {
    if (this.n + k <= this.#b.length) return;
    const nb = new Uint8Array(Math.max(this.#b.length * 2, this.n + k));
    nb.set(this.#b);
    this.#b = nb;
    this.#dv = new DataView(nb.buffer);
  }
  u8(x: number): this {
    this.#room(1);
    this.#dv.setUint8(this.n, x);
    this.n += 1;
    return this;
  }
  u16(x: number): this {
    this.#room(2);
    this.#dv.setUint16(this.n, x);
    this.n += 2;
    return this;
  }
  u32(x: number): this {
    this.#room(4);
    this.#dv.setUint32(this.n, x >>> 0);
    this.n += 4;
    return this;
  }
  u64(x: number): this {
    return this.u32(Math.floor(x / 4294967296)).u32(x % 4294967296);
  }
  /** Unsigned of `len` bytes. */
  uint(x: number, len: number): this {
    for (let i = len - 1; i >= 0; i--) this.u8(Math.floor(x / 2 ** (8 * i)) % 256);
    return this;
  }
  bytes(b: ArrayLike<number>): this {
    this.#room(b.length);
    for (let i = 0; i < b.length; i++) this.#b[this.n++] = b[i]!;
    return this;
  }
  ip4(s: string): this {
    for (const p of s.split('.')) this.u8(Number(p));
    return this;
  }
  ip6(s: string): this {
    // Full or ::-compressed, no embedded IPv4.
    const [h, t] = s.includes('::') ? s.split('::') : [s, undefined];
    const head = h ? h.split(':') : [];
    const tail = t ? t.split(':') : [];
    const groups = t === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
    for (const g of groups) this.u16(parseInt(g, 16));
    return this;
  }
  setU16(at: number, x: number): void {
    this.#dv.setUint16(at, x);
  }
  done(): Uint8Array {
    return this.#b.slice(0, this.n);
  }
}

export interface V5Flow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  pkts: number;
  bytes: number;
  /** Uptime ms at first / last packet. */
  first: number;
  last: number;
  flags?: number;
}

/** A NetFlow v5 datagram. */
export function v5(h: { uptime: number; secs: number; nsecs?: number; seq?: number; sampling?: number; count?: number }, flows: V5Flow[]): Uint8Array {
  const w = new Writer();
  w.u16(5).u16(h.count ?? flows.length).u32(h.uptime).u32(h.secs).u32(h.nsecs ?? 0).u32(h.seq ?? 0).u8(0).u8(0).u16(h.sampling ?? 0);
  for (const f of flows) {
    w.ip4(f.src).ip4(f.dst).ip4('0.0.0.0').u16(1).u16(2).u32(f.pkts).u32(f.bytes).u32(f.first).u32(f.last);
    w.u16(f.sport).u16(f.dport).u8(0).u8(f.flags ?? 0).u8(f.proto).u8(0).u16(0).u16(0).u8(0).u8(0).u16(0);
  }
  return w.done();
}

/** Field specifier: [id, length] or [id, length, enterprise]. */
export type Spec = readonly [number, number] | readonly [number, number, number];

/** A set: id and body bytes. */
export interface SetBytes {
  id: number;
  body: Uint8Array;
}

/** Template record body: id, count, specifiers (IPFIX enterprise bit when a third element is given). */
export function templateRecord(id: number, specs: readonly Spec[]): Uint8Array {
  const w = new Writer().u16(id).u16(specs.length);
  for (const s of specs) {
    if (s.length === 3) w.u16(s[0] | 0x8000).u16(s[1]).u32(s[2]);
    else w.u16(s[0]).u16(s[1]);
  }
  return w.done();
}

/** IPFIX options template record. */
export function ipfixOptionsRecord(id: number, scope: readonly Spec[], opts: readonly Spec[]): Uint8Array {
  const w = new Writer().u16(id).u16(scope.length + opts.length).u16(scope.length);
  for (const s of [...scope, ...opts]) {
    if (s.length === 3) w.u16(s[0] | 0x8000).u16(s[1]).u32(s[2]);
    else w.u16(s[0]).u16(s[1]);
  }
  return w.done();
}

/** NetFlow v9 options template record (RFC 3954 §6.1). */
export function v9OptionsRecord(id: number, scope: readonly Spec[], opts: readonly Spec[]): Uint8Array {
  const w = new Writer().u16(id).u16(scope.length * 4).u16(opts.length * 4);
  for (const s of [...scope, ...opts]) w.u16(s[0]).u16(s[1]);
  return w.done();
}

/** Data records: each a list of [value, length] or raw bytes. */
export function dataRecords(rows: readonly (readonly (readonly [number | string, number] | Uint8Array)[])[]): Uint8Array {
  const w = new Writer();
  for (const row of rows) {
    for (const f of row) {
      if (f instanceof Uint8Array) w.bytes(f);
      else if (typeof f[0] === 'string') {
        if (f[1] === 4) w.ip4(f[0]);
        else w.ip6(f[0]);
      } else w.uint(f[0], f[1]);
    }
  }
  return w.done();
}

function concatSets(w: Writer, sets: readonly SetBytes[], pad4: boolean): void {
  for (const s of sets) {
    const padded = pad4 ? (4 - ((s.body.length + 4) % 4)) % 4 : 0;
    w.u16(s.id).u16(s.body.length + 4 + padded).bytes(s.body);
    for (let i = 0; i < padded; i++) w.u8(0);
  }
}

/** A NetFlow v9 datagram. */
export function v9(h: { uptime: number; secs: number; seq?: number; sourceId?: number }, sets: readonly SetBytes[], pad4 = true): Uint8Array {
  const w = new Writer();
  w.u16(9).u16(sets.length).u32(h.uptime).u32(h.secs).u32(h.seq ?? 0).u32(h.sourceId ?? 0);
  concatSets(w, sets, pad4);
  return w.done();
}

/** An IPFIX message. */
export function ipfix(h: { secs: number; seq?: number; domain?: number }, sets: readonly SetBytes[]): Uint8Array {
  const w = new Writer();
  w.u16(10).u16(0).u32(h.secs).u32(h.seq ?? 0).u32(h.domain ?? 0);
  concatSets(w, sets, false);
  w.setU16(2, w.n);
  return w.done();
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
