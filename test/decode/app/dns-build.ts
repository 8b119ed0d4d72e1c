// A small DNS message encoder for tests (RFC 1035 §4): names with optional
// compression, any RR type with raw RDATA or the common ones from text.
// Not a test file itself.

export { mulberry32 as prng } from '../../../bench/gen/prng.js';

export interface RR {
  name: string;
  type: number;
  ttl?: number;
  /** Raw RDATA, or a string for A/AAAA (address), NS/CNAME/PTR (name), TXT (strings joined by '|'). */
  data: Uint8Array | string;
}

export interface Msg {
  id?: number;
  qr?: boolean;
  opcode?: number;
  rcode?: number;
  aa?: boolean;
  rd?: boolean;
  ra?: boolean;
  questions?: { name: string; type: number; cls?: number }[];
  answers?: RR[];
  authority?: RR[];
  additional?: RR[];
  /** Compress repeated names (suffixes) with pointers. */
  compress?: boolean;
}

class Writer {
  bytes: number[] = [];
  names = new Map<string, number>();
  constructor(readonly compress: boolean) {}
  u8(v: number): void {
    this.bytes.push(v & 255);
  }
  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v);
  }
  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }
  name(n: string): void {
    const labels = n === '' || n === '.' ? [] : n.replace(/\.$/, '').split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.names.get(suffix);
      if (this.compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.bytes.length < 0x3fff) this.names.set(suffix, this.bytes.length);
      const l = labels[i] as string;
      this.u8(l.length);
      for (const c of l) this.u8(c.charCodeAt(0));
    }
    this.u8(0);
  }
  rr(r: RR): void {
    this.name(r.name);
    this.u16(r.type);
    this.u16(1);
    this.u32(r.ttl ?? 300);
    const lenAt = this.bytes.length;
    this.u16(0);
    const start = this.bytes.length;
    const d = r.data;
    if (d instanceof Uint8Array) for (const b of d) this.u8(b);
    else if (r.type === 1) for (const p of d.split('.')) this.u8(Number(p));
    else if (r.type === 28) {
      const [head = '', tail = ''] = d.split('::');
      const h = head === '' ? [] : head.split(':');
      const tl = tail === '' ? [] : tail.split(':');
      const g = [...h, ...new Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
      for (const x of g) this.u16(parseInt(x, 16));
    } else if (r.type === 16) {
      for (const s of d.split('|')) {
        this.u8(s.length);
        for (const c of s) this.u8(c.charCodeAt(0));
      }
    } else this.name(d);
    const len = this.bytes.length - start;
    this.bytes[lenAt] = len >> 8;
    this.bytes[lenAt + 1] = len & 255;
  }
}

/** Encode a DNS message. */
export function encodeDns(m: Msg): Uint8Array {
  const w = new Writer(m.compress ?? true);
  w.u16(m.id ?? 0x1234);
  let flags = 0;
  if (m.qr) flags |= 0x8000;
  flags |= ((m.opcode ?? 0) & 15) << 11;
  if (m.aa) flags |= 0x0400;
  if (m.rd ?? true) flags |= 0x0100;
  if (m.ra) flags |= 0x0080;
  flags |= (m.rcode ?? 0) & 15;
  w.u16(flags);
  const q = m.questions ?? [];
  w.u16(q.length);
  w.u16((m.answers ?? []).length);
  w.u16((m.authority ?? []).length);
  w.u16((m.additional ?? []).length);
  for (const x of q) {
    w.name(x.name);
    w.u16(x.type);
    w.u16(x.cls ?? 1);
  }
  for (const r of m.answers ?? []) w.rr(r);
  for (const r of m.authority ?? []) w.rr(r);
  for (const r of m.additional ?? []) w.rr(r);
  return Uint8Array.from(w.bytes);
}

/** A TCP DNS payload: each message with its 2-byte length. */
export function tcpFramed(...msgs: Uint8Array[]): Uint8Array {
  const total = msgs.reduce((n, m) => n + 2 + m.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const m of msgs) {
    out[o] = m.length >> 8;
    out[o + 1] = m.length & 255;
    out.set(m, o + 2);
    o += 2 + m.length;
  }
  return out;
}

