// Test helpers for the flow table: real raw-IP frames (IPv4/IPv6 with TCP,
// UDP, ICMP, correct checksums) decoded by the real PacketDecoder into a
// PacketInfo, fed to a FlowTable; plus a TCP conversation helper that keeps
// sequence numbers. Not a test file itself.
import { PacketDecoder } from '../../lib/decode/packet/decoder.js';
import { DecodeStatus, newPacketInfo } from '../../lib/decode/packet/types.js';
import type { PacketInfo } from '../../lib/decode/packet/types.js';
import { FlowTable } from '../../lib/flow/table.js';
import type { FlowTableOptions } from '../../lib/flow/table.js';
import type { DnsRecord, FlowRecord, NameRecord } from '../../lib/model.js';
import { parseIPv4, parseIPv6 } from '../../lib/net/addr.js';
import type { Weird } from '../../lib/weird.js';

const RAW = 101;

function addrBytes(a: string): Uint8Array {
  const v4 = parseIPv4(a);
  if (v4 >= 0) return Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255);
  const g = parseIPv6(a);
  if (g === undefined) throw new Error(`bad address ${a}`);
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    b[i * 2] = (g[i] as number) >> 8;
    b[i * 2 + 1] = (g[i] as number) & 255;
  }
  return b;
}

function csum(parts: Uint8Array[], init = 0): number {
  let sum = init;
  for (const p of parts) {
    for (let i = 0; i + 1 < p.length; i += 2) sum += ((p[i] as number) << 8) | (p[i + 1] as number);
    if (p.length % 2 === 1) sum += (p[p.length - 1] as number) << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Bytes of a string or a length of filler. */
export function bytes(data: string | number | Uint8Array | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (typeof data === 'number') return new Uint8Array(data).fill(0x61);
  if (typeof data === 'string') return Uint8Array.from(data, (c) => c.charCodeAt(0) & 255);
  return data;
}

/** Build a raw IP frame around a transport segment (pseudo-header checksum filled in at `ckOff`, -1 for none). */
export function ipFrame(src: string, dst: string, proto: number, l4: Uint8Array, ckOff: number, opts: { badChecksum?: boolean; frag?: 'first' | 'later' } = {}): Uint8Array {
  const s = addrBytes(src);
  const d = addrBytes(dst);
  if (ckOff >= 0) {
    const pseudo = new Uint8Array(s.length === 4 ? 12 : 40);
    pseudo.set(s, 0);
    pseudo.set(d, s.length);
    if (s.length === 4) {
      pseudo[9] = proto;
      pseudo[10] = l4.length >> 8;
      pseudo[11] = l4.length & 255;
    } else {
      pseudo[34] = l4.length >> 8;
      pseudo[35] = l4.length & 255;
      pseudo[39] = proto;
    }
    l4[ckOff] = 0;
    l4[ckOff + 1] = 0;
    let c = proto === 1 ? csum([l4]) : csum([pseudo, l4]);
    if (proto === 17 && c === 0) c = 0xffff;
    if (opts.badChecksum) c ^= 0x5555;
    l4[ckOff] = c >> 8;
    l4[ckOff + 1] = c & 255;
  }
  if (s.length === 4) {
    const f = new Uint8Array(20 + l4.length);
    f[0] = 0x45;
    const tot = f.length;
    f[2] = tot >> 8;
    f[3] = tot & 255;
    if (opts.frag === 'first') f[6] = 0x20;
    if (opts.frag === 'later') {
      f[6] = 0x00;
      f[7] = 0x10;
    }
    f[8] = 64;
    f[9] = proto;
    f.set(s, 12);
    f.set(d, 16);
    const hc = csum([f.subarray(0, 20)]);
    f[10] = hc >> 8;
    f[11] = hc & 255;
    f.set(l4, 20);
    return f;
  }
  const f = new Uint8Array(40 + l4.length);
  f[0] = 0x60;
  f[4] = l4.length >> 8;
  f[5] = l4.length & 255;
  f[6] = proto;
  f[7] = 64;
  f.set(s, 8);
  f.set(d, 24);
  f.set(l4, 40);
  return f;
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32 };

/** A TCP segment. `flags` like 'S', 'SA', 'A', 'PA', 'FA', 'R', 'RA'. */
export function tcpSegment(sport: number, dport: number, seq: number, ack: number, flags: string, payload: Uint8Array, window = 65535): Uint8Array {
  const l4 = new Uint8Array(20 + payload.length);
  const v = new DataView(l4.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, seq >>> 0);
  v.setUint32(8, ack >>> 0);
  l4[12] = 5 << 4;
  let f = 0;
  for (const c of flags) f |= FLAG_BITS[c] ?? 0;
  l4[13] = f;
  v.setUint16(14, window);
  l4.set(payload, 20);
  return l4;
}

export function udpDatagram(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const l4 = new Uint8Array(8 + payload.length);
  const v = new DataView(l4.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, l4.length);
  l4.set(payload, 8);
  return l4;
}

export function icmpMessage(type: number, code: number, payload: Uint8Array): Uint8Array {
  const l4 = new Uint8Array(8 + payload.length);
  l4[0] = type;
  l4[1] = code;
  l4.set(payload, 8);
  return l4;
}

/** A flow table fed with real frames, collecting what it emits. */
export class Trace {
  readonly flows: FlowRecord[] = [];
  readonly dns: DnsRecord[] = [];
  readonly names: NameRecord[] = [];
  readonly weirds: Weird[] = [];
  readonly table: FlowTable;
  readonly decoder = new PacketDecoder();
  /** Current packet time; every packet advances it by `step` unless given. */
  t = 1_700_000_000;
  step = 0.01;

  constructor(options: FlowTableOptions = {}) {
    this.table = new FlowTable(
      { flow: (r) => this.flows.push(r), dns: (r) => this.dns.push(r), name: (r) => this.names.push(r) },
      { ...options, onWeird: (w) => this.weirds.push(w) },
    );
  }

  /** Decode a raw IP frame and feed it (`wireLen` larger than the frame: cut by a snaplen). */
  frame(f: Uint8Array, dt = this.step, wireLen = f.length): PacketInfo {
    this.t += dt;
    const info = newPacketInfo();
    info.ts = this.t;
    info.wireLen = wireLen;
    const st = this.decoder.decode(RAW, f, 0, f.length, info);
    if (st !== DecodeStatus.Ok) throw new Error(`test frame did not decode: ${st}`);
    this.table.packet(info, f);
    return info;
  }

  tcp(src: string, sport: number, dst: string, dport: number, flags: string, seq: number, ack: number, data?: string | number | Uint8Array, opts: { dt?: number; window?: number; badChecksum?: boolean } = {}): PacketInfo {
    const seg = tcpSegment(sport, dport, seq, ack, flags, bytes(data), opts.window ?? 65535);
    return this.frame(ipFrame(src, dst, 6, seg, 16, opts), opts.dt);
  }

  udp(src: string, sport: number, dst: string, dport: number, data?: string | number | Uint8Array, opts: { dt?: number; badChecksum?: boolean } = {}): PacketInfo {
    return this.frame(ipFrame(src, dst, 17, udpDatagram(sport, dport, bytes(data)), 6, opts), opts.dt);
  }

  icmp(src: string, dst: string, type: number, code: number, data?: string | number | Uint8Array, dt?: number): PacketInfo {
    const v6 = src.includes(':');
    return this.frame(ipFrame(src, dst, v6 ? 58 : 1, icmpMessage(type, code, bytes(data)), 2), dt);
  }

  /** End of input: flush, return the flows. */
  end(): FlowRecord[] {
    this.table.flush();
    return this.flows;
  }

  /** The one flow emitted (after end()), failing loudly otherwise. */
  only(): FlowRecord {
    this.end();
    if (this.flows.length !== 1) throw new Error(`expected one flow, got ${this.flows.length}: ${this.flows.map((f) => f.history).join(' ')}`);
    return this.flows[0] as FlowRecord;
  }
}

/**
 * One TCP conversation between a client and a server that keeps sequence
 * numbers: `c('S')`, `s('SA')`, `c('A')`, `c('PA', 100)`, … Payload and
 * SYN/FIN advance the sender's next sequence number; acks are the peer's.
 */
export class Tcp {
  cseq: number;
  sseq: number;

  constructor(
    readonly tr: Trace,
    readonly client = '10.0.0.1',
    readonly cport = 40000,
    readonly server = '192.0.2.10',
    readonly sport = 8080,
    cisn = 1000,
    sisn = 900000,
  ) {
    this.cseq = cisn;
    this.sseq = sisn;
  }

  #send(fromClient: boolean, flags: string, data?: string | number | Uint8Array, opts: { dt?: number; window?: number; seq?: number } = {}): PacketInfo {
    const payload = bytes(data);
    const seq = opts.seq ?? (fromClient ? this.cseq : this.sseq);
    const ack = flags.includes('A') ? (fromClient ? this.sseq : this.cseq) : 0;
    const p = fromClient
      ? this.tr.tcp(this.client, this.cport, this.server, this.sport, flags, seq, ack, payload, opts)
      : this.tr.tcp(this.server, this.sport, this.client, this.cport, flags, seq, ack, payload, opts);
    if (opts.seq === undefined) {
      let adv = flags.includes('R') ? 0 : payload.length;
      if (flags.includes('S')) adv++;
      if (flags.includes('F')) adv++;
      if (fromClient) this.cseq = (this.cseq + adv) >>> 0;
      else this.sseq = (this.sseq + adv) >>> 0;
    }
    return p;
  }

  c(flags: string, data?: string | number | Uint8Array, opts?: { dt?: number; window?: number; seq?: number }): PacketInfo {
    return this.#send(true, flags, data, opts);
  }

  s(flags: string, data?: string | number | Uint8Array, opts?: { dt?: number; window?: number; seq?: number }): PacketInfo {
    return this.#send(false, flags, data, opts);
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): this {
    this.c('S');
    this.s('SA');
    this.c('A');
    return this;
  }
}
