/**
 * Application bits for the flow table: DNS over UDP and TCP (records and
 * the `dns` service), and the first client payload of TCP flows sniffed
 * for an HTTP request (Host → `http`) or a TLS ClientHello (SNI → `ssl`),
 * on any port: the service comes from the payload, not the port.
 *
 * State is per flow only while needed and bounded: a TCP/53 flow keeps two
 * {@link DnsTcpFramer}s; a flow whose first client payload is an
 * incomplete ClientHello or request head keeps up to
 * {@link MAX_SNIFF_BYTES} bytes over at most {@link MAX_SNIFF_SEGMENTS}
 * in-order segments; at most {@link MAX_BUFFERING_FLOWS} flows buffer at
 * once (more give up, counted as a weird).
 *
 * @module
 */

import { decodeDnsMessage, DnsStatus, newDnsMessage } from '../decode/app/dns.js';
import { DnsTcpFramer } from '../decode/app/dns-tcp.js';
import { hostOnly, HttpStatus, MAX_HTTP_HEADER, newHttpResult, parseHttpRequestHost } from '../decode/app/http.js';
import { MAX_TLS_RECORD, newSniResult, parseClientHelloSni, SniStatus } from '../decode/app/tls.js';
import type { PacketInfo } from '../decode/packet/types.js';
import type { RecordSink } from '../model.js';
import type { WeirdHandler } from '../weird.js';
import { DnsTransactions } from './dns-log.js';
import type { DnsFlowIdentity } from './dns-log.js';

/** Service codes kept per flow. */
export const Service = { None: 0, Dns: 1, Ssl: 2, Http: 3 } as const;

/** Per-flow application mode bits (the flow table calls {@link FlowApps.payload} only when non-zero). */
export const AppMode = {
  /** DNS analyzer attached (UDP or TCP flow on a DNS port). */
  Dns: 1,
  /** First client payload not seen yet (TCP). */
  Sniff: 2,
  /** NTP analyzer attached (UDP), role flip not yet decided. */
  Ntp: 4,
} as const;

/** Bytes buffered per flow while a ClientHello or request head is incomplete. */
export const MAX_SNIFF_BYTES = 5 + MAX_TLS_RECORD;
/** Segments joined at most for one ClientHello or request head. */
export const MAX_SNIFF_SEGMENTS = 8;
/** Flows buffering (sniff or TCP DNS) at once. */
export const MAX_BUFFERING_FLOWS = 4096;

/** What the application layer may ask of, or do to, a flow. */
export interface FlowAppHost extends DnsFlowIdentity {
  /** Swap originator and responder (Zeek's DNS analyzer does on a response seen first). */
  flip(i: number): void;
  respIsMulticast(i: number): boolean;
  /** True the first time it is called for flow i. */
  firstDnsMessage(i: number): boolean;
  setService(i: number, svc: number): void;
  setAppMode(i: number, mode: number): void;
}

/** The counters {@link FlowApps} updates. */
export interface AppStats {
  dnsMessages: number;
  dnsRecords: number;
  tlsSni: number;
  httpHost: number;
}

/** A server name seen on a flow, with where it came from. */
export interface FlowName {
  /** Lower case, Host without port. */
  name: string;
  protocol: 'tls' | 'http';
  /** HTTP method, '' for TLS. */
  method: string;
  /** HTTP CONNECT or an absolute-form request target: the request went to a proxy. */
  proxied: boolean;
}

interface Sniff {
  kind: number; // 1 http, 2 tls
  buf: Uint8Array;
  len: number;
  next: number; // next expected sequence number
  segs: number;
}

interface TcpDns {
  framers: [DnsTcpFramer, DnsTcpFramer];
  next: [number, number];
}

const HELD_NAME = 1;
const HELD_SNIFF = 2;
const HELD_TCP_DNS = 4;
const HELD_TX = 8;

/** Application parsing for one flow table. */
export class FlowApps {
  readonly #host: FlowAppHost;
  readonly #stats: AppStats;
  readonly #onWeird: WeirdHandler | undefined;
  readonly #tx: DnsTransactions;
  readonly #msg = newDnsMessage();
  readonly #sni = newSniResult();
  readonly #http = newHttpResult();
  /** Server name per flow index (a packed array slot, not a Map entry: one per TLS/HTTP flow, hundreds of thousands open at once on a busy link). */
  readonly #names: (FlowName | undefined)[] = [];
  readonly #sniff = new Map<number, Sniff>();
  readonly #tcpDns = new Map<number, TcpDns>();
  /**
   * Which of the maps above (and the DNS transactions) may hold state for
   * flow i (HELD_* bits), so that a flow without any, most of them, costs
   * no Map lookup when it is emitted or removed. A bit may be set with no
   * state behind it (a miss then), never the reverse.
   */
  #held = new Uint8Array(1024);
  // Current TCP DNS delivery (one handler for all flows, no closure per packet).
  #ci = 0;
  #co = true;
  #cts = 0;
  readonly #onTcpDns = (buf: Uint8Array, off: number, len: number): void => {
    this.#dnsMessage(this.#ci, this.#co, buf, off, len, this.#cts);
  };

  constructor(host: FlowAppHost, sink: RecordSink, stats: AppStats, onWeird: WeirdHandler | undefined) {
    this.#host = host;
    this.#stats = stats;
    this.#onWeird = onWeird;
    this.#tx = new DnsTransactions(host, {
      flow: (r) => sink.flow(r),
      dns: (r) => {
        stats.dnsRecords++;
        sink.dns(r);
      },
    });
  }

  /** Report a weird about flow i; the message (made only if someone listens) names the flow by its uid. */
  #weird(kind: string, i: number, what: string): void {
    const h = this.#onWeird;
    if (h !== undefined) h({ kind, message: `${this.#host.uid(i)}: ${what}` });
  }

  /** A flow was created: its initial mode. */
  created(_i: number, proto: number, dns: boolean, ntp: boolean): number {
    return (dns ? AppMode.Dns : 0) | (proto === 6 ? AppMode.Sniff : 0) | (ntp ? AppMode.Ntp : 0);
  }

  /** SNI or Host seen on flow i (lower case, Host without port), '' if none. */
  serverName(i: number): string {
    return this.nameOf(i)?.name ?? '';
  }

  /** The name seen on flow i and its origin, if any. */
  nameOf(i: number): FlowName | undefined {
    return i < this.#held.length && (this.#held[i]! & HELD_NAME) !== 0 ? this.#names[i] : undefined;
  }

  /** Flow i ended. */
  removed(i: number): void {
    if (i >= this.#held.length) return;
    const h = this.#held[i]!;
    if (h === 0) return;
    this.#held[i] = 0;
    if ((h & HELD_TX) !== 0) this.#tx.removed(i);
    if ((h & HELD_NAME) !== 0) this.#names[i] = undefined;
    if ((h & HELD_SNIFF) !== 0) this.#sniff.delete(i);
    if ((h & HELD_TCP_DNS) !== 0) this.#tcpDns.delete(i);
  }

  /** Flow i may now hold state of kind `bit`. */
  #hold(i: number, bit: number): void {
    let held = this.#held;
    if (i >= held.length) {
      let n = held.length * 2;
      while (n <= i) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(held);
      this.#held = held = grown;
    }
    held[i] = held[i]! | bit;
  }

  /** A packet with payload on flow i, whose mode is non-zero. */
  payload(i: number, mode: number, isOrig: boolean, p: PacketInfo, buf: Uint8Array): void {
    if ((mode & AppMode.Ntp) !== 0) {
      // NTP analyzer (ntp-analyzer.pac, proc_ntp_message): a server-mode (4)
      // message from the originator or a client-mode (3) one from the
      // responder means the roles are reversed; decided once per flow.
      const m = (buf[p.payloadOff] as number) & 7;
      if ((m === 4 && isOrig) || (m === 3 && !isOrig)) {
        this.#host.flip(i);
        this.#host.setAppMode(i, mode & ~AppMode.Ntp);
      }
    }
    if ((mode & AppMode.Dns) !== 0) {
      if (p.proto === 17) this.#dnsMessage(i, isOrig, buf, p.payloadOff, p.payloadCaptured, p.ts);
      else if (p.proto === 6 && (p.tcpFlags & 4) === 0) this.#tcpDnsData(i, isOrig, p, buf);
    }
    if ((mode & AppMode.Sniff) !== 0 && isOrig && p.proto === 6 && (p.tcpFlags & 4) === 0) this.#sniffData(i, mode, p, buf);
  }

  #dnsMessage(i: number, isOrig: boolean, buf: Uint8Array, off: number, len: number, ts: number): void {
    const msg = this.#msg;
    const status = decodeDnsMessage(buf, off, len, msg);
    if (status === DnsStatus.TooShort) {
      this.#weird(msg.weird, i, `${len}-byte DNS message`);
      return;
    }
    this.#stats.dnsMessages++;
    const host = this.#host;
    // DNS_Interpreter::ParseMessage: a response as the first message from
    // the originator means the roles are reversed (unless multicast).
    if (host.firstDnsMessage(i) && msg.qr && isOrig && !host.respIsMulticast(i)) host.flip(i);
    if (status === DnsStatus.Ok) host.setService(i, Service.Dns);
    else this.#weird(msg.weird, i, `DNS message ${status === DnsStatus.NotDns ? 'with too many questions' : 'damaged'}`);
    this.#hold(i, HELD_TX);
    this.#tx.message(i, msg, ts, host.respIsMulticast(i));
  }

  #tcpDnsData(i: number, isOrig: boolean, p: PacketInfo, buf: Uint8Array): void {
    let t = this.#tcpDns.get(i);
    if (t === undefined) {
      if (this.#tcpDns.size >= MAX_BUFFERING_FLOWS) {
        this.#weird('dns_tcp_too_many_flows', i, `DNS over TCP not parsed`);
        return;
      }
      t = { framers: [new DnsTcpFramer(), new DnsTcpFramer()], next: [-1, -1] };
      this.#tcpDns.set(i, t);
      this.#hold(i, HELD_TCP_DNS);
    }
    const dir = isOrig ? 0 : 1;
    const framer = t.framers[dir];
    const seq = (p.seq + ((p.tcpFlags & 2) !== 0 ? 1 : 0)) >>> 0;
    let off = p.payloadOff;
    let len = p.payloadCaptured;
    const next = t.next[dir];
    if (next >= 0 && seq !== next) {
      const d = (seq - next) | 0;
      if (d < 0) {
        // Retransmission: only bytes past what was delivered are new.
        if (-d >= len) return;
        off += -d;
        len -= -d;
      } else {
        this.#weird('dns_tcp_gap', i, `${d} bytes missing`);
        framer.reset();
      }
    }
    t.next[dir] = (seq + p.payloadLen) >>> 0;
    this.#ci = i;
    this.#co = isOrig;
    this.#cts = p.ts;
    framer.push(buf, off, len, this.#onTcpDns);
    if (p.payloadCaptured < p.payloadLen) framer.reset(); // snaplen cut the segment
  }

  #setName(i: number, raw: string, protocol: 'tls' | 'http', method: string, proxied: boolean): void {
    const name = hostOnly(raw);
    if (name !== '') {
      const names = this.#names;
      while (names.length <= i) names.push(undefined);
      names[i] = { name, protocol, method, proxied };
      this.#hold(i, HELD_NAME);
    }
  }

  /** First client payload: HTTP request head or TLS ClientHello. */
  #sniffData(i: number, mode: number, p: PacketInfo, buf: Uint8Array): void {
    const host = this.#host;
    const seq = (p.seq + ((p.tcpFlags & 2) !== 0 ? 1 : 0)) >>> 0;
    // Most flows never buffer: their HELD_SNIFF bit is clear and the Map is not asked.
    let s = i < this.#held.length && (this.#held[i]! & HELD_SNIFF) !== 0 ? this.#sniff.get(i) : undefined;
    let view = buf;
    let off = p.payloadOff;
    let len = p.payloadCaptured;
    if (s !== undefined) {
      const d = (seq - s.next) | 0;
      if (d < 0 && -d >= p.payloadLen) return; // old retransmission
      if (d !== 0 || s.segs >= MAX_SNIFF_SEGMENTS) {
        this.#giveUp(i, mode);
        return;
      }
      const take = Math.min(len, s.buf.length - s.len);
      s.buf.set(buf.subarray(off, off + take), s.len);
      s.len += take;
      s.segs++;
      s.next = (seq + p.payloadLen) >>> 0;
      view = s.buf;
      off = 0;
      len = s.len;
    }
    const kind = s?.kind ?? 0;
    let need = false;
    if (kind !== 2) {
      const hs = parseHttpRequestHost(view, off, len, this.#http);
      if (hs === HttpStatus.Host) {
        host.setService(i, Service.Http);
        this.#setName(i, this.#http.host, 'http', this.#http.method, this.#http.proxied);
        this.#stats.httpHost++;
        this.#giveUp(i, mode);
        return;
      }
      if (hs === HttpStatus.NoHost) {
        host.setService(i, Service.Http);
        this.#giveUp(i, mode);
        return;
      }
      if (hs === HttpStatus.NeedMore) {
        need = len < MAX_HTTP_HEADER;
        if (s === undefined) s = this.#startBuffer(i, 1, MAX_HTTP_HEADER, view, off, len, seq, p.payloadLen);
      }
    }
    if (kind !== 1 && !need) {
      const ts = parseClientHelloSni(view, off, len, this.#sni);
      if (ts === SniStatus.Found || ts === SniStatus.NoSni) {
        host.setService(i, Service.Ssl);
        if (ts === SniStatus.Found) {
          this.#setName(i, this.#sni.name, 'tls', '', false);
          this.#stats.tlsSni++;
        }
      } else if (ts === SniStatus.Malformed) {
        this.#weird('tls_malformed_client_hello', i, `ClientHello fields out of bounds`);
      } else if (ts === SniStatus.NeedMore && this.#sni.need <= MAX_SNIFF_BYTES) {
        need = true;
        if (s === undefined) s = this.#startBuffer(i, 2, this.#sni.need, view, off, len, seq, p.payloadLen);
      }
    }
    if (!need || s === undefined || p.payloadCaptured < p.payloadLen) this.#giveUp(i, mode);
  }

  #startBuffer(i: number, kind: number, size: number, buf: Uint8Array, off: number, len: number, seq: number, plen: number): Sniff | undefined {
    if (this.#sniff.size >= MAX_BUFFERING_FLOWS) {
      this.#weird('sniff_too_many_flows', i, `first payload not buffered`);
      return undefined;
    }
    const b = new Uint8Array(Math.max(size, len));
    b.set(buf.subarray(off, off + len));
    const s: Sniff = { kind, buf: b, len, next: (seq + plen) >>> 0, segs: 1 };
    this.#sniff.set(i, s);
    this.#hold(i, HELD_SNIFF);
    return s;
  }

  #giveUp(i: number, mode: number): void {
    if (i < this.#held.length && (this.#held[i]! & HELD_SNIFF) !== 0) {
      this.#sniff.delete(i);
      this.#held[i] = this.#held[i]! & ~HELD_SNIFF;
    }
    this.#host.setAppMode(i, mode & ~AppMode.Sniff);
  }
}
