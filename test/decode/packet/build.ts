// Frame builders for packet-layer tests: each returns plain byte arrays so
// layers nest by concatenation. Lengths and checksums are filled in unless
// overridden (checksums are left 0: the decoder does not check them).

export type B = number[];

const u16 = (v: number): B => [(v >>> 8) & 255, v & 255];
const u32 = (v: number): B => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export function ip4(a: string): number {
  const p = a.split('.').map(Number);
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0);
}

/** IPv6 text (with at most one ::) as 16 bytes. */
export function ip6bytes(a: string): B {
  const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((x) => parseInt(x, 16));
  return words.flatMap((w) => u16(w));
}

export function ip6words(a: string): number[] {
  const b = ip6bytes(a);
  return [0, 1, 2, 3].map((i) => ((b[i * 4]! << 24) | (b[i * 4 + 1]! << 16) | (b[i * 4 + 2]! << 8) | b[i * 4 + 3]!) >>> 0);
}

export function eth(type: number, payload: B, vlans: readonly [number, number][] = []): B {
  const out: B = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  for (const [tpid, id] of vlans) out.push(...u16(tpid), ...u16(id));
  out.push(...u16(type), ...payload);
  return out;
}

export interface Ip4Opts {
  src?: string;
  dst?: string;
  proto: number;
  payload: B;
  options?: B;
  total?: number;
  ihl?: number;
  fragOffset?: number;
  mf?: boolean;
  version?: number;
}

export function ipv4(o: Ip4Opts): B {
  const opts = o.options ?? [];
  const ihl = o.ihl ?? 5 + opts.length / 4;
  const total = o.total ?? 20 + opts.length + o.payload.length;
  const ff = ((o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) & 0x1fff)) >>> 0;
  return [
    ((o.version ?? 4) << 4) | (ihl & 15), 0, ...u16(total), 0x12, 0x34, ...u16(ff), 64, o.proto, 0, 0,
    ...u32(ip4(o.src ?? '10.0.0.1')), ...u32(ip4(o.dst ?? '192.0.2.7')), ...opts, ...o.payload,
  ];
}

export interface Ip6Opts {
  src?: string;
  dst?: string;
  /** Next header of the fixed header. */
  nh: number;
  /** Extension headers and transport, already chained. */
  payload: B;
  plen?: number;
}

export function ipv6(o: Ip6Opts): B {
  return [
    0x60, 0, 0, 0, ...u16(o.plen ?? o.payload.length), o.nh, 64,
    ...ip6bytes(o.src ?? '2001:db8::1'), ...ip6bytes(o.dst ?? '2001:db8::2'), ...o.payload,
  ];
}

/** Generic extension header (hop-by-hop, routing, destination options): `len8` 8-byte units beyond the first. */
export function ext6(next: number, len8: number, fill = 0): B {
  const out: B = [next, len8];
  while (out.length < (len8 + 1) * 8) out.push(fill);
  return out;
}

export function frag6(next: number, offset8: number, more: boolean, id = 7): B {
  return [next, 0, ...u16(((offset8 << 3) | (more ? 1 : 0)) & 0xffff), ...u32(id)];
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: B;
  payload?: B;
  dataOffset?: number;
}

export function tcp(o: TcpOpts): B {
  const opts = o.options ?? [];
  const off = o.dataOffset ?? 5 + opts.length / 4;
  return [
    ...u16(o.sport), ...u16(o.dport), ...u32(o.seq ?? 1000), ...u32(o.ack ?? 2000), off << 4, o.flags ?? 0x18,
    ...u16(o.window ?? 65535), 0, 0, 0, 0, ...opts, ...(o.payload ?? []),
  ];
}

export function udp(sport: number, dport: number, payload: B, len?: number): B {
  return [...u16(sport), ...u16(dport), ...u16(len ?? 8 + payload.length), 0, 0, ...payload];
}

export function icmp(type: number, code: number, payload: B = [0, 1, 0, 2]): B {
  return [type, code, 0, 0, ...payload];
}

export function gre(proto: number, payload: B, o: { csum?: boolean; key?: number; seq?: number; version?: number; extraFlags?: number } = {}): B {
  let flags = o.version ?? 0;
  const extra: B = [];
  if (o.csum) {
    flags |= 0x8000;
    extra.push(0, 0, 0, 0);
  }
  if (o.key !== undefined) {
    flags |= 0x2000;
    extra.push(...u32(o.key));
  }
  if (o.seq !== undefined) {
    flags |= 0x1000;
    extra.push(...u32(o.seq));
  }
  flags |= o.extraFlags ?? 0;
  return [...u16(flags), ...u16(proto), ...extra, ...payload];
}

export function mpls(labels: number, payload: B): B {
  const out: B = [];
  for (let i = 0; i < labels; i++) out.push(0x00, 0x01, 0x00 | (i === labels - 1 ? 1 : 0) | 0x40, 64);
  return [...out, ...payload];
}

export function pppoe(pppProto: number, payload: B): B {
  return [0x11, 0x00, 0x12, 0x34, ...u16(payload.length + 2), ...u16(pppProto), ...payload];
}

export function sll(proto: number, payload: B, hatype = 1): B {
  return [0, 0, ...u16(hatype), 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...u16(proto), ...payload];
}

export function sll2(proto: number, payload: B): B {
  return [...u16(proto), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...payload];
}

export function vxlan(inner: B): B {
  return [0x08, 0, 0, 0, 0, 0x12, 0x34, 0, ...inner];
}

export function geneve(proto: number, inner: B, optWords = 0): B {
  const opts: B = [];
  for (let i = 0; i < optWords; i++) opts.push(0x01, 0x02, 0x03, 0x04);
  return [optWords & 0x3f, 0, ...u16(proto), 0, 0, 0x2a, 0, ...opts, ...inner];
}

export function gtpu(inner: B, ext = false): B {
  if (!ext) return [0x30, 0xff, ...u16(inner.length), 0, 0, 0, 1, ...inner];
  // E flag: seq(2) N-PDU(1) next ext 0x85 (PDU session container), one 4-byte extension, then none.
  const e: B = [0, 0, 0, 0x85, 1, 0x10, 0x05, 0x00];
  return [0x34, 0xff, ...u16(inner.length + e.length), 0, 0, 0, 1, ...e, ...inner];
}

export function frame(b: B): Uint8Array {
  return Uint8Array.from(b);
}
