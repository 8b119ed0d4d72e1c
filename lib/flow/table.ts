/**
 * The flow table: packets in (one reused {@link PacketInfo} each), Zeek
 * conn.log rows out ({@link FlowRecord}, source `pcap`), with Zeek's
 * connection semantics (zeek/zeek: `src/packet_analysis/protocol/tcp/
 * TCPSessionAdapter.cc`, `analyzer/protocol/tcp/TCP_Endpoint.cc`,
 * `packet_analysis/protocol/{udp,icmp,ip}/*.cc`, `src/Conn.cc`,
 * `scripts/base/protocols/conn/main.zeek`).
 *
 * What it reproduces, per connection:
 * - the key: 5-tuple with both directions in one flow; ICMP uses (type,
 *   counterpart type) as ports and one-way types keep their direction
 *   (`ICMP4_counterpart`, `ICMP6_counterpart`); other IP protocols have
 *   ports 0 (Zeek's `unknown_transport`);
 * - the originator: the first packet's sender, flipped (`^` in the
 *   history) when that packet is not a plain SYN and its source port is a
 *   likely server port (`TCPAnalyzer::WantConnection`), for UDP when the
 *   source port is one and the destination is not, on a SYN/SYN-ACK
 *   reversal, when a SYN-ACK that started the flow is followed by an ACK
 *   or data (zeek#2191), and when the DNS or NTP analyzer sees a reply
 *   first (`DNS.cc`, `ntp-analyzer.pac`);
 * - the TCP endpoint state machines, `conn_state`, the history string with
 *   Zeek's case, once-only letters, repeated S/H/F/R only for new sequence
 *   numbers and logarithmic T, W, C letters; payload sizes from sequence
 *   numbers with wraparound (`TCP_Endpoint::Size`); packets and IP bytes
 *   per side (ConnSize, which counts a TSO packet's zero IP length as
 *   zero); the duration, whose end stops moving once both sides closed;
 * - removal: inactivity (TCP 60 s until the handshake completes, then
 *   5 min, 1 h for ports 21/22/23/513; UDP, ICMP and others 1 min), the
 *   attempt timer (an unanswered SYN after 5 s), 5 s after a complete
 *   close or reset, the ExpireTimer chain for half-closed connections,
 *   reuse by a new SYN, and the DNS analyzer's 10 s expiry for UDP DNS;
 * - a TCP packet whose options were cut by the snaplen makes its flow but
 *   is not analysed; with `checksums` on, a bad checksum does the same
 *   and adds `C`/`c`.
 *
 * Where it differs from conn.log: `duration` is 0 (not unset) for a flow
 * whose packets share one timestamp, and `origBytes`/`respBytes` are given
 * then too. Not reproduced: content gaps (`G`, `missed_bytes`, which need
 * Zeek's reassembler), IP fragment reassembly (later fragments are only
 * counted, `stats.fragments`), analyzer-specific flips other than DNS and
 * NTP, and `X` (analysis limits).
 *
 * Memory and speed: one 384-byte row per flow in one ArrayBuffer, grown by
 * doubling up to `maxFlows` (the fields a packet touches share a cache
 * line; see ROW below); keys are numbers, hashed without strings into an open
 * addressing index (linear probing, backward-shift deletion, slot and hash
 * side by side); timers live in a wheel of 1 s buckets on packet time and
 * are visited lazily (a flow changes bucket only when visited or when a
 * deadline comes closer), so a packet costs a hash, a probe and a few
 * array writes. Strings (addresses, history, uid) are made once per flow,
 * when it is emitted.
 *
 * Eviction: when `maxFlows` flows are live and another must be made, the
 * flow whose next timer comes first is emitted early (among flows of one
 * kind and state, the one idle longest) and counted in `stats.evicted`.
 *
 * @module
 */

import { Frag } from '../decode/packet/types.js';
import type { PacketInfo } from '../decode/packet/types.js';
import { InvalidOptionError } from '../errors.js';
import { newFlow, newName } from '../model.js';
import type { FlowRecord, Proto, RecordSink } from '../model.js';
import { Ip4TextCache, formatIPv6 } from '../net/addr.js';
import type { WeirdHandler } from '../weird.js';
import { FlowApps, Service } from './app.js';
import type { FlowAppHost } from './app.js';
import { Checksum, checkTransportChecksum, transportOffset } from './checksum.js';
import { hashV4, hashV6 } from './hash.js';
import { UidGenerator } from './uid.js';
import {
  DNS_PORTS,
  Hist,
  icmp4Counterpart,
  icmp6Counterpart,
  INTERACTIVE_TCP_PORTS,
  TcpFlag,
  TcpState,
  ZEEK_LIKELY_SERVER_PORTS,
  ZEEK_TIMEOUTS,
} from './zeek.js';

/** Timer settings, seconds (defaults: {@link ZEEK_TIMEOUTS}). */
export interface FlowTimeouts {
  tcpInactivity: number;
  udpInactivity: number;
  icmpInactivity: number;
  unknownInactivity: number;
  tcpAttemptDelay: number;
  tcpCloseDelay: number;
  tcpSynTimeout: number;
  tcpSessionTimer: number;
  tcpConnectionLinger: number;
  dnsSessionTimeout: number;
  interactive: number;
}

/** Options of {@link FlowTable}. Costs are stated per option. */
export interface FlowTableOptions {
  /**
   * Most flows held at once; beyond it the flow whose next timer comes
   * first is emitted early (`stats.evicted`). Memory is about 400 bytes per
   * flow slot (a 384-byte row, the index and free list; so up to ~400 MB at
   * the default), allocated by doubling as flows appear. Default 1 000 000.
   */
  maxFlows?: number;
  /** Flow slots allocated up front (rounded up to a power of two). Default 1024. */
  initialCapacity?: number;
  /** Seed of the deterministic uids; the same seed and input give the same uids. Default 0. */
  seed?: number;
  /** Override Zeek's timers (seconds). */
  timeouts?: Partial<FlowTimeouts>;
  /**
   * Zeek's `likely_server_ports`, as `port/proto` strings (`'53/udp'`),
   * used to orient flows whose first packet is not a SYN, and UDP. Default:
   * the set a default (non `-b`) Zeek loads, {@link ZEEK_LIKELY_SERVER_PORTS}.
   */
  likelyServerPorts?: Iterable<string>;
  /** Ports whose UDP/TCP flows get the DNS parser (Zeek registers the DNS analyzer by port). Default 53, 5353, 5355. */
  dnsPorts?: Iterable<number>;
  /**
   * UDP ports where Zeek's NTP analyzer runs (default 123): a server-mode
   * message from the originator (or client-mode from the responder) flips
   * the flow, as the analyzer does.
   */
  ntpPorts?: Iterable<number>;
  /**
   * Parse application payload: DNS messages (DnsRecords, service `dns`),
   * TLS ClientHello SNI and HTTP Host in the first client payload (service
   * `ssl`/`http`, `serverName`). Off saves the per-flow buffers. Default true.
   */
  app?: boolean;
  /**
   * Verify TCP, UDP and ICMP checksums as Zeek does without `-C`: a packet
   * with a bad checksum still creates its flow and adds `C`/`c` to the
   * history, but is otherwise ignored (and, for a UDP tunnel, not opened).
   * Off by default, like `zeek -C`, because captures taken on a host with
   * checksum offload carry wrong checksums on every sent packet. Cost: one
   * pass over each packet's bytes.
   */
  checksums?: boolean;
  /** Receives weirds (malformed DNS/TLS, history overflow, …). */
  onWeird?: WeirdHandler;
}

/** Counters of a {@link FlowTable}. */
export interface FlowTableStats {
  /** Packets handed to {@link FlowTable.packet}. */
  packets: number;
  /** Packets that were not IPv4/IPv6. */
  ignored: number;
  /** Non-first IP fragments (no transport header; not reassembled). */
  fragments: number;
  /** Packets with a bad transport checksum (only when `checksums` is on). */
  badChecksums: number;
  /** TCP packets whose header (options) the snaplen cut: flow made, packet not analysed. */
  truncated: number;
  /** Flows created. */
  flows: number;
  /** Flows emitted to the sink (= created − active). */
  emitted: number;
  /** Flows live now. */
  active: number;
  /** Most flows live at once. */
  maxActive: number;
  /** Flows emitted early because `maxFlows` was reached. */
  evicted: number;
  /** Flows ended by a timer (inactivity, attempt, close delay, DNS expiry). */
  timedOut: number;
  /** TCP flows ended because a new SYN reused the 5-tuple. */
  reused: number;
  /** Flows emitted by {@link FlowTable.flush}. */
  flushed: number;
  /** History letters dropped past the per-flow limit. */
  historyTruncated: number;
  /** DNS messages parsed. */
  dnsMessages: number;
  /** DnsRecords emitted. */
  dnsRecords: number;
  /** Flows where a TLS SNI was found. */
  tlsSni: number;
  /** Flows where an HTTP Host was found. */
  httpHost: number;
  /** Flow slots allocated. */
  capacity: number;
}

const SYN = TcpFlag.SYN;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;
const ACK = TcpFlag.ACK;
const INACTIVE = TcpState.Inactive;
const SYN_SENT = TcpState.SynSent;
const SYN_ACK_SENT = TcpState.SynAckSent;
const PARTIAL = TcpState.Partial;
const ESTABLISHED = TcpState.Established;
const CLOSED = TcpState.Closed;
const RESET = TcpState.Reset;

/** Per-flow flag bits. */
const F_ACTIVE = 1; // TCPSessionAdapter::is_active
const F_V6 = 2;
const F_ONE_WAY = 4; // ICMP one-way key: directional match only
const F_DNS_FIRST = 8; // DNS analyzer has seen its first message (DNS_Interpreter::first_message)
const F_CLOSE_DONE = 16; // close complete: analyzer timers cancelled, delete timer pending
const F_SYNACK_FIRST = 32; // began with an unflipped SYN-ACK; nothing else seen yet

/** Per-endpoint flag bits. */
const E_DID_CLOSE = 1;

/** History letters kept per flow. */
export const HISTORY_LIMIT = 24;
/** Sequence jumps larger than this are not trusted on SYN/RST (`TOO_LARGE_SEQ_DELTA`). */
const TOO_LARGE_SEQ_DELTA = 1048576;
const TWO32 = 4294967296;
const TWO64 = 18446744073709551616;

/**
 * Flow rows. Each flow's state is one 384-byte row (six cache lines) of one
 * ArrayBuffer, read through five views; a field's constant is its index in
 * the view of its type (byte offset ÷ the type's size), and a flow's row
 * starts at i·R1 bytes = i·R2 halfwords = i·R4 words = i·R8 doubles. Per-side
 * fields are (originator, responder) pairs, so side s of flow i is at
 * `i·Rn + FIELD + s`. The first line holds what a lookup and most packets
 * touch (addresses, ports, flags, TCP states, the next check time).
 *
 * A row rather than a typed array per field: with ~40 field arrays a
 * packet of a flow not in cache touched ~40 cache lines, and a new or
 * ending flow as many; with 500k flows open that was most of the flow
 * table's time.
 */
const ROW = 384;
const R1 = ROW;
const R2 = ROW / 2;
const R4 = ROW / 4;
const R8 = ROW / 8;
// line 0 (bytes 0–63)
const U_ADDR = 0; // bytes 0–31: orig address words 0–3, resp 4–7 (IPv4 in words 3 and 7)
const U_HASH = 8; // 32
const B_FLAGS = 36;
const B_PROTO = 37;
const B_HISTLEN = 38;
const B_APPMODE = 39;
const H_OPORT = 20; // 40
const H_RPORT = 21; // 42
const B_STATE = 44; // per side: 44, 45
const B_PREV = 46; // per side
const B_EFLAGS = 48; // per side
const B_SVC = 50;
const U_HISTSEEN = 13; // 52
const F_CHECKAT = 7; // 56
// line 1 (64–127): timers
const F_LAST = 8;
const F_INACT = 9;
const F_CLOSEAT = 10;
const F_ATTEMPTAT = 11;
const F_EXPIREAT = 12;
const F_DNSAT = 13;
const F_START = 14;
const F_SERIAL = 15;
// lines 2–3 (128–223): per-side doubles
const F_PKTS = 16;
const F_IPBYTES = 18;
const F_PLEN = 20; // UDP/ICMP payload total (request_len / reply_len), -1 until the side sends
const F_HISTSYN = 22;
const F_HISTFIN = 24;
const F_HISTRST = 26;
// lines 3–4 (224–319): per-side words
const U_STARTSEQ = 56;
const U_LASTSEQ = 58;
const U_ACKSEQ = 60;
const U_SEQWRAPS = 62;
const U_ACKWRAPS = 64;
const U_FINCNT = 66;
const U_RXMT_CNT = 68;
const U_RXMT_THR = 70;
const U_WIN0_CNT = 72;
const U_WIN0_THR = 74;
const U_CHK_CNT = 76;
const U_CHK_THR = 78;
// line 5 (320–383): timer wheel links, history letters
const I_WNEXT = 80; // 320
const I_WPREV = 81;
const I_WBUCKET = 82; // wheel bucket + 1; 0 when not in the wheel (so a zeroed row is unlinked)
const B_HIST = 332; // HISTORY_LIMIT bytes, to 355
/** The per-side pairs, for a flip: every double from F_EP_FIRST to F_EP_LAST, and so on. */
const F_EP_FIRST = F_PKTS;
const F_EP_LAST = F_HISTRST;
const U_EP_FIRST = U_STARTSEQ;
const U_EP_LAST = U_CHK_THR;
const B_EP_FIRST = B_STATE;
const B_EP_LAST = B_EFLAGS;

/** Timer wheel: 1 s buckets, 4096 of them (68 min); later deadlines wait for their rotation. */
const WHEEL_BITS = 12;
const WHEEL_SIZE = 1 << WHEEL_BITS;
const WHEEL_MASK = WHEEL_SIZE - 1;

const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R/;

function isHandshake(s: number): boolean {
  return s === INACTIVE || s === SYN_SENT || s === SYN_ACK_SENT;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Parse `port/proto` into a key (proto << 16 | port); -1 if malformed. */
function portKey(s: string): number {
  const m = /^(\d{1,5})\/(tcp|udp|icmp)$/.exec(s.trim().toLowerCase());
  if (!m) return -1;
  const port = Number(m[1]);
  if (port > 65535) return -1;
  const proto = m[2] === 'tcp' ? 6 : m[2] === 'udp' ? 17 : 1;
  return proto * 65536 + port;
}

/**
 * Zeek-grade connection tracking over decoded packets. Sans-IO and
 * synchronous: call {@link FlowTable.packet} per packet, {@link FlowTable.flush}
 * at end of input; flows and DNS transactions go to the sink as they end.
 */
export class FlowTable {
  readonly #sink: RecordSink;
  readonly #uids: UidGenerator;
  readonly #maxFlows: number;
  readonly #t: FlowTimeouts;
  readonly #likely: Uint8Array = new Uint8Array(3 * 65536); // [0..65535] tcp, [65536..] udp, [131072..] other
  /** Bit 1: DNS analyzer port (UDP/TCP); bit 2: NTP analyzer port (UDP). */
  readonly #appPort = new Uint8Array(65536);
  readonly #apps: FlowApps | undefined;
  readonly #checksums: boolean;
  readonly #stats: FlowTableStats;

  // ---- per-flow rows (flow i at bytes [i·ROW, (i+1)·ROW); fields at the offsets above) ----
  #cap = 0;
  #u8 = new Uint8Array(0);
  #u16 = new Uint16Array(0);
  #u32 = new Uint32Array(0);
  #i32 = new Int32Array(0);
  #f64 = new Float64Array(0);
  // ---- timer wheel (intrusive doubly linked lists through I_WNEXT / I_WPREV) ----
  readonly #wHead = new Int32Array(WHEEL_SIZE).fill(-1);
  #wheelPos = -1; // next absolute bucket to process
  #nextTick = Infinity;
  // ---- index (open addressing) ----
  /** Slot k: [2k] flow index + 1 (0 = empty), [2k+1] its key hash; one cache line per probe. */
  #idx = new Int32Array(0);
  #imask = 0;
  // ---- free slots ----
  #free = new Int32Array(0);
  #freeTop = 0;

  #serialNext = 0;
  /** Where a flush in steps goes on (index position × 2). */
  #flushPos = 0;
  #now = -Infinity;
  #isOrig = true;
  #underflow = false;
  readonly #scratch16 = new Uint16Array(8);
  /** Address text of recent IPv4 endpoints: one shared string per host, not two new ones per flow. */
  readonly #ip4 = new Ip4TextCache();

  constructor(sink: RecordSink, options: FlowTableOptions = {}) {
    this.#sink = sink;
    const maxFlows = options.maxFlows ?? 1_000_000;
    if (!Number.isInteger(maxFlows) || maxFlows < 1 || maxFlows > 2 ** 26) {
      throw new InvalidOptionError(`maxFlows must be an integer in 1..${2 ** 26}, got ${maxFlows}`);
    }
    this.#maxFlows = maxFlows;
    this.#t = { ...ZEEK_TIMEOUTS, ...options.timeouts };
    for (const [k, v] of Object.entries(this.#t)) {
      if (typeof v !== 'number' || !(v >= 0)) throw new InvalidOptionError(`timeouts.${k} must be a number ≥ 0`);
    }
    this.#uids = new UidGenerator(options.seed ?? 0);
    this.#checksums = options.checksums === true;
    for (const s of options.likelyServerPorts ?? ZEEK_LIKELY_SERVER_PORTS) {
      const k = portKey(s);
      if (k < 0) throw new InvalidOptionError(`likelyServerPorts: expected "port/proto", got ${JSON.stringify(s)}`);
      const proto = Math.floor(k / 65536);
      const port = k % 65536;
      this.#likely[(proto === 6 ? 0 : proto === 17 ? 1 : 2) * 65536 + port] = 1;
    }
    for (const p of options.dnsPorts ?? DNS_PORTS) {
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new InvalidOptionError(`dnsPorts: bad port ${p}`);
      this.#appPort[p] = this.#appPort[p]! | 1;
    }
    for (const p of options.ntpPorts ?? [123]) {
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new InvalidOptionError(`ntpPorts: bad port ${p}`);
      this.#appPort[p] = this.#appPort[p]! | 2;
    }
    this.#stats = {
      packets: 0,
      ignored: 0,
      fragments: 0,
      badChecksums: 0,
      truncated: 0,
      flows: 0,
      emitted: 0,
      active: 0,
      maxActive: 0,
      evicted: 0,
      timedOut: 0,
      reused: 0,
      flushed: 0,
      historyTruncated: 0,
      dnsMessages: 0,
      dnsRecords: 0,
      tlsSni: 0,
      httpHost: 0,
      capacity: 0,
    };
    if (options.app !== false) this.#apps = new FlowApps(this.#host(), sink, this.#stats, options.onWeird);
    this.#resize(Math.min(maxFlows, nextPow2(Math.max(16, options.initialCapacity ?? 1024))));
  }

  /** Counters; the object is live (read it, do not keep it across calls if you need a snapshot). */
  get stats(): Readonly<FlowTableStats> {
    return this.#stats;
  }

  /** Flows live now. */
  get size(): number {
    return this.#stats.active;
  }

  /**
   * Account one decoded packet. `buf` is the packet buffer `p.payloadOff`
   * points into (read only during this call). Returns false when the packet
   * was not used (not IP, a later fragment, IPv6 "no next header", or a bad
   * checksum with `checksums` on): a tunnel inside it should then not be
   * opened either.
   */
  packet(p: PacketInfo, buf: Uint8Array): boolean {
    const st = this.#stats;
    st.packets++;
    const ts = p.ts;
    if (ts > this.#now) {
      this.#now = ts;
      if (ts >= this.#nextTick) this.#advance(ts);
      else if (this.#wheelPos < 0) {
        this.#wheelPos = Math.floor(ts);
        this.#nextTick = this.#wheelPos + 1;
      }
    }
    const ipv = p.ipVersion;
    if (ipv !== 4 && ipv !== 6) {
      st.ignored++;
      return false;
    }
    if (p.frag === Frag.Later) {
      st.fragments++;
      return false;
    }
    const proto = p.proto;
    if (proto === 59) {
      // IPv6 "no next header" (Teredo bubbles): nothing for a connection.
      st.ignored++;
      return false;
    }
    let sp = 0;
    let dp = 0;
    let oneWay = false;
    if (proto === 6 || proto === 17) {
      sp = p.sport;
      dp = p.dport;
    } else if (proto === 1 || proto === 58) {
      sp = p.sport;
      const cp = proto === 1 ? icmp4Counterpart(sp) : icmp6Counterpart(sp);
      if (cp < 0) {
        dp = p.dport;
        oneWay = true;
      } else dp = cp;
    }
    const h = ipv === 4 ? hashV4(p.src4, sp, p.dst4, dp, proto) : hashV6(p.src6, sp, p.dst6, dp, proto);
    let i = this.#find(h, p, ipv, proto, sp, dp);
    let isOrig = this.#isOrig;
    if (i >= 0) {
      if (this.#f64[i * R8 + F_CHECKAT]! <= ts && this.#evaluate(i, ts)) i = -1;
      else if (proto === 6 && (p.tcpFlags & SYN) !== 0 && this.#isReuse(i, p)) {
        st.reused++;
        this.#remove(i);
        i = -1;
      } else if ((this.#u8[i * R1 + B_FLAGS]! & F_SYNACK_FIRST) !== 0) {
        this.#u8[i * R1 + B_FLAGS] = this.#u8[i * R1 + B_FLAGS]! & ~F_SYNACK_FIRST;
        if (this.#flipAfterSynAck(i, p)) isOrig = !isOrig;
      }
    }
    if (i < 0) {
      i = this.#create(h, p, ipv, proto, sp, dp, oneWay);
      isOrig = this.#isOrig;
    }
    const e = i * 2 + (isOrig ? 0 : 1);
    if (proto === 6 && p.payloadCaptured === 0 && this.#tcpHeaderCut(p, buf)) {
      // TCPAnalyzer::ExtractTCP_Header: options cut by the snaplen; the
      // connection exists, the packet is not analysed.
      st.truncated++;
      this.#unprocessedTcp(i, ts);
      return false;
    }
    if (this.#checksums && checkTransportChecksum(p, buf) === Checksum.Bad) {
      // TCP_Endpoint::ChecksumError / UDPSessionAdapter::HandleBadChecksum;
      // the packet is then skipped (no state, no ConnSize).
      st.badChecksums++;
      if (proto === 6 || proto === 17) this.#scaled(i, e, isOrig ? 0x43 : 0x63, U_CHK_CNT, U_CHK_THR);
      if (proto === 6) this.#unprocessedTcp(i, ts);
      return false;
    }
    if (proto === 6) {
      this.#tcp(i, isOrig, p);
    } else if (proto === 17) {
      // UDP.cc: last time, 'D'/'d' once per side, request_len/reply_len.
      this.#f64[i * R8 + F_LAST] = ts;
      this.#checkHistory(i, isOrig ? Hist.UdpOrigData : Hist.UdpRespData, isOrig ? 0x44 : 0x64);
      this.#f64[(e >> 1) * R8 + (e & 1) + F_PLEN] = this.#f64[(e >> 1) * R8 + (e & 1) + F_PLEN]! < 0 ? p.payloadLen : this.#f64[(e >> 1) * R8 + (e & 1) + F_PLEN]! + p.payloadLen;
    } else {
      this.#f64[i * R8 + F_LAST] = ts;
      if (proto === 1 || proto === 58) {
        this.#f64[(e >> 1) * R8 + (e & 1) + F_PLEN] = this.#f64[(e >> 1) * R8 + (e & 1) + F_PLEN]! < 0 ? p.payloadLen : this.#f64[(e >> 1) * R8 + (e & 1) + F_PLEN]! + p.payloadLen;
      }
    }
    // ConnSize counts with the direction the packet arrived in, after the
    // transport analysis (a TCP flip inside it has already swapped the counters).
    this.#f64[(e >> 1) * R8 + (e & 1) + F_PKTS]!++;
    this.#f64[(e >> 1) * R8 + (e & 1) + F_IPBYTES]! += this.#zeekIpLen(p, buf);
    if (this.#u8[i * R1 + B_APPMODE] !== 0 && p.payloadLen > 0 && p.payloadCaptured > 0 && this.#apps !== undefined) {
      this.#apps.payload(i, this.#u8[i * R1 + B_APPMODE] as number, isOrig, p, buf);
    }
    return true;
  }

  /**
   * IP bytes as ConnSize counts them: the header's own total length. With
   * TCP segmentation offload the field is 0 (the decoder then takes the
   * captured length, as Wireshark does), and Zeek adds 0 for IPv4, 40 for
   * IPv6 (`IP_Hdr::TotalLen`).
   */
  #zeekIpLen(p: PacketInfo, buf: Uint8Array): number {
    const o = p.ipOff;
    if (o + 6 > buf.length) return p.ipLen;
    if (p.ipVersion === 4) return buf[o + 2] === 0 && buf[o + 3] === 0 ? 0 : p.ipLen;
    return buf[o + 4] === 0 && buf[o + 5] === 0 ? 40 : p.ipLen;
  }

  /** True when a TCP header's options were not captured (the decoder then points the payload at the capture's end). */
  #tcpHeaderCut(p: PacketInfo, buf: Uint8Array): boolean {
    const l4 = transportOffset(p, buf);
    if (l4 < 0 || l4 + 13 > buf.length) return false;
    const hl = ((buf[l4 + 12] as number) >> 4) << 2;
    return l4 + hl > p.payloadOff;
  }

  /**
   * End of input: emit every live flow (and pending DNS transactions), or
   * at most `max` of them per call; true once none is left. In steps, a
   * caller can pass each step's records on before asking for more, so the
   * records of a full table (up to `maxFlows`, ~1 KB each with their
   * strings) never all exist at once.
   */
  flush(max = Infinity): boolean {
    const idx = this.#idx;
    let n = 0;
    // Removal shifts entries back only into the slot just emptied or later ones, never
    // before the cursor, so one pass from the cursor on empties the index.
    for (let k = this.#flushPos; k < idx.length; k += 2) {
      while (idx[k] !== 0) {
        if (n >= max) {
          this.#flushPos = k;
          return false;
        }
        this.#stats.flushed++;
        this.#remove((idx[k] as number) - 1);
        n++;
      }
    }
    this.#flushPos = 0;
    return true;
  }

  /**
   * Emit flows whose timers have run out by `now` (packet time) without a
   * packet. {@link FlowTable.packet} does this as time advances; call it
   * only to force expiry when input pauses.
   */
  expire(now: number): void {
    if (now > this.#now) this.#now = now;
    if (this.#wheelPos >= 0) this.#advance(now);
  }

  // ------------------------------------------------------------------
  // Lookup, creation, removal
  // ------------------------------------------------------------------

  #find(h: number, p: PacketInfo, ipv: number, proto: number, sp: number, dp: number): number {
    const idx = this.#idx;
    const mask = this.#imask;
    const addr = this.#u32;
    const hs = h | 0;
    let pos = h & mask;
    for (;;) {
      const v = idx[pos * 2] as number;
      if (v === 0) return -1;
      if (idx[pos * 2 + 1] === hs) {
        const i = v - 1;
        if (this.#u8[i * R1 + B_PROTO] === proto) {
          const fl = this.#u8[i * R1 + B_FLAGS] as number;
          const a = i * R4 + U_ADDR;
          if (ipv === 4) {
            if ((fl & F_V6) === 0) {
              const o = addr[a + 3];
              const r = addr[a + 7];
              if (o === p.src4 && r === p.dst4 && this.#u16[i * R2 + H_OPORT] === sp && this.#u16[i * R2 + H_RPORT] === dp) {
                this.#isOrig = true;
                return i;
              }
              if ((fl & F_ONE_WAY) === 0 && o === p.dst4 && r === p.src4 && this.#u16[i * R2 + H_OPORT] === dp && this.#u16[i * R2 + H_RPORT] === sp) {
                this.#isOrig = false;
                return i;
              }
            }
          } else if ((fl & F_V6) !== 0) {
            const s = p.src6;
            const d = p.dst6;
            if (
              this.#u16[i * R2 + H_OPORT] === sp && this.#u16[i * R2 + H_RPORT] === dp &&
              addr[a] === s[0] && addr[a + 1] === s[1] && addr[a + 2] === s[2] && addr[a + 3] === s[3] &&
              addr[a + 4] === d[0] && addr[a + 5] === d[1] && addr[a + 6] === d[2] && addr[a + 7] === d[3]
            ) {
              this.#isOrig = true;
              return i;
            }
            if (
              (fl & F_ONE_WAY) === 0 && this.#u16[i * R2 + H_OPORT] === dp && this.#u16[i * R2 + H_RPORT] === sp &&
              addr[a] === d[0] && addr[a + 1] === d[1] && addr[a + 2] === d[2] && addr[a + 3] === d[3] &&
              addr[a + 4] === s[0] && addr[a + 5] === s[1] && addr[a + 6] === s[2] && addr[a + 7] === s[3]
            ) {
              this.#isOrig = false;
              return i;
            }
          }
        }
      }
      pos = (pos + 1) & mask;
    }
  }

  #isLikely(proto: number, port: number): boolean {
    return this.#likely[(proto === 6 ? 0 : proto === 17 ? 65536 : 131072) + port] === 1;
  }

  #create(h: number, p: PacketInfo, ipv: number, proto: number, sp: number, dp: number, oneWay: boolean): number {
    const st = this.#stats;
    if (st.active >= this.#cap) {
      if (this.#cap < this.#maxFlows) this.#resize(Math.min(this.#maxFlows, this.#cap * 2));
      else this.#evictOne();
    }
    const i = this.#free[--this.#freeTop] as number;
    st.active++;
    st.flows++;
    if (st.active > st.maxActive) st.maxActive = st.active;
    const ts = p.ts;

    // Orientation at creation (IPBasedAnalyzer::NewConn → WantConnection).
    let flip = false;
    if (proto === 6) {
      const f = p.tcpFlags;
      if ((f & SYN) === 0 || (f & ACK) !== 0) {
        if (this.#isLikely(6, sp)) {
          if (this.#isLikely(6, dp)) flip = (f & SYN) === 0 && sp < dp;
          else flip = true;
        }
      }
    } else if (proto === 17) {
      flip = this.#isLikely(17, sp) && !this.#isLikely(17, dp);
    }
    // NewConn skips the flip when the would-be responder is a broadcast address.
    if (flip && ipv === 4 && p.dst4 === 0xffffffff) flip = false;

    // A freed row keeps its last flow's values: start from zeros.
    this.#u8.fill(0, i * R1, i * R1 + R1);
    const a = i * R4 + U_ADDR;
    const addr = this.#u32;
    if (ipv === 4) {
      // Words 0–2 and 4–6 stay zero from the fill.
      addr[a + 3] = flip ? p.dst4 : p.src4;
      addr[a + 7] = flip ? p.src4 : p.dst4;
    } else {
      const o = flip ? p.dst6 : p.src6;
      const r = flip ? p.src6 : p.dst6;
      for (let k = 0; k < 4; k++) {
        addr[a + k] = o[k] as number;
        addr[a + 4 + k] = r[k] as number;
      }
    }
    this.#u16[i * R2 + H_OPORT] = flip ? dp : sp;
    this.#u16[i * R2 + H_RPORT] = flip ? sp : dp;
    this.#u8[i * R1 + B_PROTO] = proto;
    this.#u8[i * R1 + B_FLAGS] = F_ACTIVE | (ipv === 6 ? F_V6 : 0) | (oneWay ? F_ONE_WAY : 0);
    this.#u32[i * R4 + U_HASH] = h;
    this.#f64[i * R8 + F_SERIAL] = this.#serialNext++;
    this.#f64[i * R8 + F_START] = ts;
    this.#f64[i * R8 + F_LAST] = ts;
    this.#f64[i * R8 + F_INACT] =
      proto === 6 || proto === 17 ? this.#t.udpInactivity : proto === 1 || proto === 58 ? this.#t.icmpInactivity : this.#t.unknownInactivity;
    this.#f64[i * R8 + F_CLOSEAT] = Infinity;
    this.#f64[i * R8 + F_ATTEMPTAT] = Infinity;
    // TCPSessionAdapter's constructor starts an ExpireTimer chain (tcp_SYN_timeout,
    // then every tcp_session_timer). A tick can only end the connection after a
    // side closed, or while no packet has changed either side's state, so the
    // chain is materialised only then (#expireTick): most flows never need it.
    this.#f64[i * R8 + F_EXPIREAT] = Infinity;
    this.#f64[i * R8 + F_DNSAT] = Infinity;
    // History, service (Service.None), app mode and the per-side counters start at the fill's zeros.
    // Per side: UDP/ICMP payload unknown until it sends; scaled-history thresholds start at 1.
    const f = this.#f64;
    f[i * R8 + F_PLEN] = f[i * R8 + F_PLEN + 1] = -1;
    const u = this.#u32;
    const k = i * R4;
    u[k + U_RXMT_THR] = u[k + U_RXMT_THR + 1] = 1;
    u[k + U_WIN0_THR] = u[k + U_WIN0_THR + 1] = 1;
    u[k + U_CHK_THR] = u[k + U_CHK_THR + 1] = 1;
    if (flip) this.#addHistory(i, 0x5e); // Connection::FlipRoles adds '^'
    else if (proto === 6 && (p.tcpFlags & (SYN | ACK | RST)) === (SYN | ACK)) this.#u8[i * R1 + B_FLAGS] = this.#u8[i * R1 + B_FLAGS]! | F_SYNACK_FIRST;

    // Index insert.
    const idx = this.#idx;
    const mask = this.#imask;
    let pos = h & mask;
    while (idx[pos * 2] !== 0) pos = (pos + 1) & mask;
    idx[pos * 2] = i + 1;
    idx[pos * 2 + 1] = h | 0;

    // Applications: Zeek attaches the DNS analyzer by responder port.
    if (this.#apps !== undefined) {
      const ap = proto === 17 || proto === 6 ? (this.#appPort[this.#u16[i * R2 + H_RPORT] as number] as number) : 0;
      const dns = (ap & 1) !== 0;
      this.#u8[i * R1 + B_APPMODE] = this.#apps.created(i, proto, dns, proto === 17 && (ap & 2) !== 0);
      // DNS_Analyzer (UDP): ExpireTimer every dns_session_timeout.
      if (dns && proto === 17) this.#f64[i * R8 + F_DNSAT] = ts + this.#t.dnsSessionTimeout;
    }

    this.#schedule(i, this.#nextDeadline(i));
    this.#isOrig = !flip;
    return i;
  }

  /** Emit flow i and free its slot. */
  #remove(i: number): void {
    this.#emit(i);
    this.#apps?.removed(i);
    // Index delete with backward shift (no tombstones).
    const idx = this.#idx;
    const mask = this.#imask;
    let pos = (this.#u32[i * R4 + U_HASH] as number) & mask;
    while (idx[pos * 2] !== i + 1) pos = (pos + 1) & mask;
    let hole = pos;
    let j = (pos + 1) & mask;
    while (idx[j * 2] !== 0) {
      const home = (idx[j * 2 + 1] as number) & mask;
      // Move j into the hole if its home is not in (hole, j] cyclically.
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        idx[hole * 2] = idx[j * 2] as number;
        idx[hole * 2 + 1] = idx[j * 2 + 1] as number;
        hole = j;
      }
      j = (j + 1) & mask;
    }
    idx[hole * 2] = 0;
    this.#unlink(i);
    this.#free[this.#freeTop++] = i;
    this.#stats.active--;
    this.#stats.emitted++;
  }

  #evictOne(): void {
    // Scan the wheel from now: the first flow whose real next deadline falls
    // in the bucket being scanned is the one nearest its timeout.
    let pos = this.#wheelPos < 0 ? 0 : this.#wheelPos;
    const head = this.#wHead;
    for (let k = 0; k < WHEEL_SIZE; k++, pos++) {
      const b = pos & WHEEL_MASK;
      let j = head[b] as number;
      const bucketEnd = pos + 1;
      while (j >= 0) {
        const next = this.#i32[j * R4 + I_WNEXT] as number;
        const d = this.#nextDeadline(j);
        if (d < bucketEnd) {
          this.#stats.evicted++;
          this.#remove(j);
          return;
        }
        this.#schedule(j, d);
        j = next;
      }
    }
    // Every deadline is beyond the wheel: take any flow.
    for (let b = 0; b < WHEEL_SIZE; b++) {
      const j = head[b] as number;
      if (j >= 0) {
        this.#stats.evicted++;
        this.#remove(j);
        return;
      }
    }
  }

  // ------------------------------------------------------------------
  // Timers
  // ------------------------------------------------------------------

  #nextDeadline(i: number): number {
    let d = (this.#f64[i * R8 + F_LAST] as number) + (this.#f64[i * R8 + F_INACT] as number);
    const c = this.#f64[i * R8 + F_CLOSEAT] as number;
    if (c < d) d = c;
    const a = this.#f64[i * R8 + F_ATTEMPTAT] as number;
    if (a < d) d = a;
    const x = this.#f64[i * R8 + F_EXPIREAT] as number;
    if (x < d) d = x;
    const n = this.#f64[i * R8 + F_DNSAT] as number;
    if (n < d) d = n;
    return d;
  }

  /** Put flow i in the wheel bucket of time t. */
  #schedule(i: number, t: number): void {
    this.#f64[i * R8 + F_CHECKAT] = t;
    const b = Math.floor(t) & WHEEL_MASK;
    if (this.#i32[i * R4 + I_WBUCKET] === b + 1) return;
    this.#unlink(i);
    const head = this.#wHead;
    const first = head[b] as number;
    this.#i32[i * R4 + I_WNEXT] = first;
    this.#i32[i * R4 + I_WPREV] = -1;
    if (first >= 0) this.#i32[first * R4 + I_WPREV] = i;
    head[b] = i;
    this.#i32[i * R4 + I_WBUCKET] = b + 1;
  }

  #unlink(i: number): void {
    const b = (this.#i32[i * R4 + I_WBUCKET] as number) - 1;
    if (b < 0) return;
    const n = this.#i32[i * R4 + I_WNEXT] as number;
    const p = this.#i32[i * R4 + I_WPREV] as number;
    if (p >= 0) this.#i32[p * R4 + I_WNEXT] = n;
    else this.#wHead[b] = n;
    if (n >= 0) this.#i32[n * R4 + I_WPREV] = p;
    this.#i32[i * R4 + I_WBUCKET] = 0;
  }

  /** Process wheel buckets up to `now`. */
  #advance(now: number): void {
    const target = Math.floor(now);
    let pos = this.#wheelPos < 0 ? target : this.#wheelPos;
    if (target - pos > WHEEL_SIZE) pos = target - WHEEL_SIZE;
    const head = this.#wHead;
    for (; pos < target; pos++) {
      const b = pos & WHEEL_MASK;
      let j = head[b] as number;
      head[b] = -1;
      const bucketEnd = pos + 1;
      while (j >= 0) {
        const next = this.#i32[j * R4 + I_WNEXT] as number;
        this.#i32[j * R4 + I_WBUCKET] = 0;
        if ((this.#f64[j * R8 + F_CHECKAT] as number) < bucketEnd) this.#evaluate(j, now);
        else this.#schedule(j, this.#f64[j * R8 + F_CHECKAT] as number);
        j = next;
      }
    }
    this.#wheelPos = target;
    this.#nextTick = target + 1;
  }

  /**
   * Run flow i's timers that are due by `now`, in time order, as Zeek's
   * timer manager would; true if one of them removed the flow.
   */
  #evaluate(i: number, now: number): boolean {
    const t = this.#t;
    for (;;) {
      const last = this.#f64[i * R8 + F_LAST] as number;
      let due = last + (this.#f64[i * R8 + F_INACT] as number);
      let which = 0;
      const c = this.#f64[i * R8 + F_CLOSEAT] as number;
      if (c < due) {
        due = c;
        which = 1;
      }
      const a = this.#f64[i * R8 + F_ATTEMPTAT] as number;
      if (a < due) {
        due = a;
        which = 2;
      }
      const x = this.#f64[i * R8 + F_EXPIREAT] as number;
      if (x < due) {
        due = x;
        which = 3;
      }
      const n = this.#f64[i * R8 + F_DNSAT] as number;
      if (n < due) {
        due = n;
        which = 4;
      }
      if (due > now) {
        this.#schedule(i, due);
        return false;
      }
      const fl = this.#u8[i * R1 + B_FLAGS] as number;
      const o = i * 2;
      const r = o + 1;
      switch (which) {
        case 0: // Connection::InactivityTimer
        case 1: // ConnDeleteTimer after a complete close
          this.#stats.timedOut++;
          this.#remove(i);
          return true;
        case 2: {
          // TCPSessionAdapter::AttemptTimer
          this.#f64[i * R8 + F_ATTEMPTAT] = Infinity;
          const os = this.#u8[(o >> 1) * R1 + (o & 1) + B_STATE];
          if ((fl & F_ACTIVE) !== 0 && (os === SYN_SENT || os === SYN_ACK_SENT) && this.#u8[(r >> 1) * R1 + (r & 1) + B_STATE] === INACTIVE) {
            this.#stats.timedOut++;
            this.#remove(i);
            return true;
          }
          break;
        }
        case 3: {
          // TCPSessionAdapter::ExpireTimer
          if ((fl & F_ACTIVE) === 0) {
            this.#f64[i * R8 + F_EXPIREAT] = Infinity;
            break;
          }
          if (last + t.tcpConnectionLinger < due) {
            const oc = (this.#u8[(o >> 1) * R1 + (o & 1) + B_EFLAGS]! & E_DID_CLOSE) !== 0;
            const rc = (this.#u8[(r >> 1) * R1 + (r & 1) + B_EFLAGS]! & E_DID_CLOSE) !== 0;
            const os = this.#u8[(o >> 1) * R1 + (o & 1) + B_STATE];
            const rs = this.#u8[(r >> 1) * R1 + (r & 1) + B_STATE];
            if (
              ((oc || rc) && ((oc && rc) || os === RESET || rs === RESET || os === INACTIVE || rs === INACTIVE)) ||
              (rs === INACTIVE && os === INACTIVE)
            ) {
              this.#stats.timedOut++;
              this.#remove(i);
              return true;
            }
          }
          this.#f64[i * R8 + F_EXPIREAT] = due + t.tcpSessionTimer;
          break;
        }
        default: {
          // DNS_Analyzer::ExpireTimer (the − 1 s allows for one request and reply)
          if (due - last >= t.dnsSessionTimeout - 1) {
            this.#stats.timedOut++;
            this.#remove(i);
            return true;
          }
          this.#f64[i * R8 + F_DNSAT] = due + t.dnsSessionTimeout;
        }
      }
    }
  }

  // ------------------------------------------------------------------
  // History
  // ------------------------------------------------------------------

  #addHistory(i: number, code: number): void {
    const n = this.#u8[i * R1 + B_HISTLEN] as number;
    if (n >= HISTORY_LIMIT) {
      this.#stats.historyTruncated++;
      return;
    }
    this.#u8[i * R1 + B_HIST + n] = code;
    this.#u8[i * R1 + B_HISTLEN] = n + 1;
  }

  /** Connection::CheckHistory: add `code` the first time `mask` is seen; true if seen before. */
  #checkHistory(i: number, mask: number, code: number): boolean {
    const seen = this.#u32[i * R4 + U_HISTSEEN] as number;
    if ((seen & mask) === 0) {
      this.#u32[i * R4 + U_HISTSEEN] = (seen | mask) >>> 0;
      this.#addHistory(i, code);
      return false;
    }
    return true;
  }

  /** TCP_Endpoint::CheckHistory: responder masks shifted by 16, letters lower-cased. */
  #epCheck(i: number, isOrig: boolean, mask: number, code: number): boolean {
    return isOrig ? this.#checkHistory(i, mask, code) : this.#checkHistory(i, mask * 65536, code | 0x20);
  }

  /** Connection::ScaledHistoryEntry with base 10: the letter at counts 1, 10, 100, … */
  #scaled(i: number, e: number, code: number, cntOff: number, thrOff: number): void {
    const u = this.#u32;
    const k = (e >> 1) * R4 + (e & 1);
    const c = (u[k + cntOff] as number) + 1;
    u[k + cntOff] = c;
    if (c === u[k + thrOff]) {
      this.#addHistory(i, code);
      const next = (u[k + thrOff] as number) * 10;
      if (next > 4294967295) u[k + cntOff] = 0;
      else u[k + thrOff] = next;
    }
  }

  // ------------------------------------------------------------------
  // TCP (TCPSessionAdapter::Process and friends)
  // ------------------------------------------------------------------

  #setState(i: number, e: number, pe: number, s: number): void {
    const cur = this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] as number;
    if (s === cur) return;
    // TCP_Endpoint::SetState: finishing the handshake switches to the TCP inactivity timeout.
    if (!isHandshake(s) && isHandshake(cur) && isHandshake(this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] as number)) {
      this.#f64[i * R8 + F_INACT] = Math.max(this.#f64[i * R8 + F_INACT] as number, this.#t.tcpInactivity);
    }
    this.#u8[(e >> 1) * R1 + (e & 1) + B_PREV] = cur;
    this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] = s;
  }

  /** get_relative_seq; sets #underflow. */
  #relSeq(e: number, cur: number, last: number, wraps: number): number {
    const delta = (cur - last) | 0;
    if (delta < 0) {
      if (wraps !== 0 && cur > last) wraps--;
    } else if (delta > 0) {
      if (cur < last) wraps++;
    }
    if (wraps === 0) {
      const d = (cur - ((this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] as number) >>> 0)) | 0;
      if (d < 0) this.#underflow = true;
      return d;
    }
    return wraps * TWO32 + cur - (this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] as number);
  }

  #tcp(i: number, isOrigIn: boolean, p: PacketInfo): void {
    let isOrig = isOrigIn;
    let e = i * 2 + (isOrig ? 0 : 1);
    let pe = i * 2 + (isOrig ? 1 : 0);
    const flags = p.tcpFlags;
    const syn = (flags & SYN) !== 0;
    const fin = (flags & FIN) !== 0;
    const rst = (flags & RST) !== 0;
    const ack = (flags & ACK) !== 0;
    const len = p.payloadLen;
    const ts = p.ts;
    const seq = p.seq >>> 0;
    const ackSeq = p.ack >>> 0;
    let segLen = len;
    if (syn) segLen++;
    if (fin) segLen++;
    if (rst) segLen -= len;
    const seqEnd = (seq + segLen) >>> 0;
    // init_endpoint
    switch (this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE]) {
      case INACTIVE:
        if (syn) {
          this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] = seqEnd;
        } else {
          this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKSEQ] = (seq - 1) >>> 0;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] = (seq - 1) >>> 0;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] = seq;
        }
        break;
      case SYN_SENT:
      case SYN_ACK_SENT:
        if (syn && seq !== this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ]) {
          this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] = seqEnd;
        }
        break;
      case ESTABLISHED:
      case PARTIAL:
        if (syn) {
          this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] = seqEnd;
        }
        break;
      case RESET:
        if (syn && this.#u8[(e >> 1) * R1 + (e & 1) + B_PREV] === INACTIVE) {
          this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKSEQ] = seq;
          this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] = seqEnd;
        }
        break;
    }

    this.#underflow = false;
    const rel = this.#relSeq(e, seq, this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] as number, this.#u32[(e >> 1) * R4 + (e & 1) + U_SEQWRAPS] as number);

    // update_history
    const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bits > 1) {
      if (fin && rst) this.#epCheck(i, isOrig, Hist.FinRst, 0x49);
      else this.#epCheck(i, isOrig, Hist.MultiFlag, 0x51);
    } else if (bits === 1) {
      if (syn) {
        const code = ack ? 0x48 : 0x53;
        if (this.#epCheck(i, isOrig, Hist.Syn, code) && rel !== this.#f64[(e >> 1) * R8 + (e & 1) + F_HISTSYN]) this.#addHistory(i, isOrig ? code : code | 0x20);
        this.#f64[(e >> 1) * R8 + (e & 1) + F_HISTSYN] = rel;
      }
      if (fin) {
        if (this.#epCheck(i, isOrig, Hist.Fin, 0x46) && rel + len !== this.#f64[(e >> 1) * R8 + (e & 1) + F_HISTFIN]) this.#addHistory(i, isOrig ? 0x46 : 0x66);
        this.#f64[(e >> 1) * R8 + (e & 1) + F_HISTFIN] = rel + len;
      }
      if (rst) {
        if (this.#epCheck(i, isOrig, Hist.Rst, 0x52) && rel !== this.#f64[(e >> 1) * R8 + (e & 1) + F_HISTRST]) this.#addHistory(i, isOrig ? 0x52 : 0x72);
        this.#f64[(e >> 1) * R8 + (e & 1) + F_HISTRST] = rel;
      }
    } else if (len !== 0) {
      this.#epCheck(i, isOrig, Hist.Data, 0x44);
    } else if (ack) {
      this.#epCheck(i, isOrig, Hist.Ack, 0x41);
    }

    // update_window: only the zero-window letter matters here (a zero
    // window is zero at any scale).
    if (p.window === 0 && !rst && this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] !== CLOSED && this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] !== RESET) {
      this.#scaled(i, e, isOrig ? 0x57 : 0x77, U_WIN0_CNT, U_WIN0_THR);
    }

    if ((this.#u8[((i * 2) >> 1) * R1 + ((i * 2) & 1) + B_EFLAGS]! & E_DID_CLOSE) === 0 || (this.#u8[((i * 2 + 1) >> 1) * R1 + ((i * 2 + 1) & 1) + B_EFLAGS]! & E_DID_CLOSE) === 0) this.#f64[i * R8 + F_LAST] = ts;

    if (fin) this.#u32[(e >> 1) * R4 + (e & 1) + U_FINCNT]!++;

    if (ack) {
      if (this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === INACTIVE) {
        // init_peer: number the peer's sequence space as if its SYN had been seen.
        const a1 = (ackSeq - 1) >>> 0;
        this.#u32[(pe >> 1) * R4 + (pe & 1) + U_STARTSEQ] = a1;
        this.#u32[(pe >> 1) * R4 + (pe & 1) + U_ACKSEQ] = a1;
        this.#u32[(pe >> 1) * R4 + (pe & 1) + U_LASTSEQ] = a1;
      } else {
        const under = this.#underflow;
        this.#underflow = false;
        this.#relSeq(pe, ackSeq, this.#u32[(pe >> 1) * R4 + (pe & 1) + U_ACKSEQ] as number, this.#u32[(pe >> 1) * R4 + (pe & 1) + U_ACKWRAPS] as number);
        const ackUnder = this.#underflow;
        this.#underflow = under;
        if (!ackUnder && !rst) {
          // update_ack_seq
          const cur = this.#u32[(pe >> 1) * R4 + (pe & 1) + U_ACKSEQ] as number;
          const d = (ackSeq - cur) | 0;
          if (!(ackSeq === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) {
            if (ackSeq < cur) this.#u32[(pe >> 1) * R4 + (pe & 1) + U_ACKWRAPS]!++;
            this.#u32[(pe >> 1) * R4 + (pe & 1) + U_ACKSEQ] = ackSeq;
          }
        }
      }
    }

    // update_last_seq
    const lastSeq = this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] as number;
    const deltaLast = (seqEnd - lastSeq) | 0;
    if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
      // untrusted jump
    } else if (fin && lastSeq === (((this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] as number) + 1) >>> 0)) {
      if (seqEnd < lastSeq) this.#u32[(e >> 1) * R4 + (e & 1) + U_SEQWRAPS]!++;
      this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] = seqEnd;
    } else if (this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] === RESET) {
      // no trust after a reset
    } else if (deltaLast > 0) {
      if (seqEnd < lastSeq) this.#u32[(e >> 1) * R4 + (e & 1) + U_SEQWRAPS]!++;
      this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] = seqEnd;
    } else if (len > 0) {
      this.#scaled(i, e, isOrig ? 0x54 : 0x74, U_RXMT_CNT, U_RXMT_THR); // DidRxmit
    }

    // UpdateStateMachine
    let doClose = false;
    let genEvent = false;
    switch (this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE]) {
      case INACTIVE: {
        if (syn) {
          if (isOrig) {
            this.#setState(i, e, pe, ack ? SYN_ACK_SENT : SYN_SENT);
            if (this.#t.tcpAttemptDelay > 0 && (this.#u8[i * R1 + B_FLAGS]! & F_CLOSE_DONE) === 0) {
              this.#f64[i * R8 + F_ATTEMPTAT] = ts + this.#t.tcpAttemptDelay;
              if (this.#f64[i * R8 + F_ATTEMPTAT]! < this.#f64[i * R8 + F_CHECKAT]!) this.#schedule(i, this.#f64[i * R8 + F_ATTEMPTAT]!);
            }
          } else {
            if (!ack && this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === SYN_ACK_SENT && seq === this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ]) {
              // SYN/SYN-ACK reversal: flip the endpoints and establish.
              this.#flip(i, true);
              isOrig = true;
              const t0 = e;
              e = pe;
              pe = t0;
              this.#setState(i, pe, e, ESTABLISHED);
            }
            if (this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === SYN_SENT) this.#setState(i, pe, e, ESTABLISHED);
            this.#setState(i, e, pe, ESTABLISHED);
            if (this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] !== PARTIAL) this.#established(i);
          }
        }
        if (fin) {
          this.#setState(i, e, pe, CLOSED);
          doClose = genEvent = true;
        }
        if (rst) {
          this.#setState(i, e, pe, RESET);
          const isReject = isOrig ? this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === ESTABLISHED : this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === SYN_SENT || this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === SYN_ACK_SENT;
          doClose = true;
          genEvent = !isReject;
        }
        if (this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] === INACTIVE) {
          const oState = this.#u8[((i * 2) >> 1) * R1 + ((i * 2) & 1) + B_STATE];
          if (!isOrig && len === 0 && oState === SYN_SENT) {
            // an eccentric TCP acks the SYN before its SYN-ACK: not partial yet
          } else if (ack && this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === ESTABLISHED) {
            this.#setState(i, e, pe, ESTABLISHED);
          } else {
            this.#setState(i, e, pe, PARTIAL);
          }
        }
        break;
      }
      case SYN_SENT:
      case SYN_ACK_SENT: {
        if (fin) {
          this.#setState(i, e, pe, CLOSED);
          doClose = genEvent = true;
        }
        if (rst) {
          this.#setState(i, e, pe, RESET);
          this.#u8[i * R1 + B_FLAGS] = this.#u8[i * R1 + B_FLAGS]! & ~F_ACTIVE; // ConnectionReset
          doClose = true;
        }
        break;
      }
      case ESTABLISHED:
      case PARTIAL: {
        if (syn && this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] === PARTIAL && this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === INACTIVE && !ack) this.#setState(i, e, pe, SYN_SENT);
        if (fin && !rst) {
          this.#setState(i, e, pe, CLOSED);
          if (this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === RESET && this.#u8[(pe >> 1) * R1 + (pe & 1) + B_PREV] === CLOSED) this.#setState(i, pe, e, CLOSED);
          doClose = genEvent = true;
        }
        if (rst) {
          this.#setState(i, e, pe, RESET);
          doClose = true;
          if (this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] !== RESET || this.#u8[(pe >> 1) * R1 + (pe & 1) + B_PREV] !== ESTABLISHED) this.#u8[i * R1 + B_FLAGS] = this.#u8[i * R1 + B_FLAGS]! & ~F_ACTIVE;
        }
        break;
      }
      case CLOSED: {
        if (rst && this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] !== CLOSED) {
          this.#setState(i, e, pe, RESET);
          if ((this.#u8[(e >> 1) * R1 + (e & 1) + B_EFLAGS]! & E_DID_CLOSE) === 0) doClose = true;
        }
        break;
      }
      default:
        break; // RESET: weirds only
    }

    if (doClose) this.#connectionClosed(i, e, pe, genEvent);
  }

  /** connection_established (inactivity.zeek): interactive services get an hour. */
  #established(i: number): void {
    let port = this.#u16[i * R2 + H_RPORT] as number;
    if (this.#u8[((i * 2) >> 1) * R1 + ((i * 2) & 1) + B_STATE] === INACTIVE) {
      const op = this.#u16[i * R2 + H_OPORT] as number;
      if (!this.#isLikely(6, port) && this.#isLikely(6, op)) port = op;
    }
    if (INTERACTIVE_TCP_PORTS.includes(port)) this.#f64[i * R8 + F_INACT] = this.#t.interactive;
  }

  /** TCPSessionAdapter::ConnectionClosed (no reassembly: nothing is ever pending). */
  #connectionClosed(i: number, e: number, pe: number, genEvent: boolean): void {
    if ((this.#u8[(e >> 1) * R1 + (e & 1) + B_EFLAGS]! & E_DID_CLOSE) !== 0) return;
    this.#u8[(e >> 1) * R1 + (e & 1) + B_EFLAGS] = this.#u8[(e >> 1) * R1 + (e & 1) + B_EFLAGS]! | E_DID_CLOSE;
    const complete = this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] === RESET || (this.#u8[(pe >> 1) * R1 + (pe & 1) + B_EFLAGS]! & E_DID_CLOSE) !== 0 || this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === INACTIVE;
    if (complete) {
      if ((this.#u8[(e >> 1) * R1 + (e & 1) + B_PREV] !== INACTIVE || this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] !== INACTIVE) && genEvent) {
        this.#u8[i * R1 + B_FLAGS] = this.#u8[i * R1 + B_FLAGS]! & ~F_ACTIVE; // ConnectionFinished
      }
      // CancelTimers() drops the analyzer's timers; ConnDeleteTimer at LastTime + tcp_close_delay.
      this.#u8[i * R1 + B_FLAGS] = this.#u8[i * R1 + B_FLAGS]! | F_CLOSE_DONE;
      this.#f64[i * R8 + F_ATTEMPTAT] = Infinity;
      this.#f64[i * R8 + F_EXPIREAT] = Infinity;
      this.#f64[i * R8 + F_CLOSEAT] = (this.#f64[i * R8 + F_LAST] as number) + this.#t.tcpCloseDelay;
      if (this.#f64[i * R8 + F_CLOSEAT]! < this.#f64[i * R8 + F_CHECKAT]!) this.#schedule(i, this.#f64[i * R8 + F_CLOSEAT]!);
    } else if ((this.#u8[i * R1 + B_FLAGS]! & F_CLOSE_DONE) === 0) {
      // A half close: the connection's ExpireTimer chain can now end it, and
      // (unless this side was inactive) another chain starts to look for the
      // other side closing too.
      let t = this.#expireTick(i, this.#f64[i * R8 + F_LAST] as number);
      if (this.#u8[(e >> 1) * R1 + (e & 1) + B_PREV] !== INACTIVE) t = Math.min(t, (this.#f64[i * R8 + F_LAST] as number) + this.#t.tcpSessionTimer);
      if (t < this.#f64[i * R8 + F_EXPIREAT]!) this.#f64[i * R8 + F_EXPIREAT] = t;
      if (t < this.#f64[i * R8 + F_CHECKAT]!) this.#schedule(i, t);
    }
  }

  /** The first tick of flow i's ExpireTimer chain (start + tcp_SYN_timeout + k · tcp_session_timer) after time t. */
  #expireTick(i: number, t: number): number {
    const first = (this.#f64[i * R8 + F_START] as number) + this.#t.tcpSynTimeout;
    if (t < first) return first;
    const step = this.#t.tcpSessionTimer;
    return step > 0 ? first + step * Math.floor((t - first) / step + 1) : first;
  }

  /** A TCP packet was dropped before analysis: while both sides stay inactive the ExpireTimer can end the flow. */
  #unprocessedTcp(i: number, ts: number): void {
    const o = i * 2;
    if (this.#u8[(o >> 1) * R1 + (o & 1) + B_STATE] !== INACTIVE || this.#u8[((o + 1) >> 1) * R1 + ((o + 1) & 1) + B_STATE] !== INACTIVE || this.#f64[i * R8 + F_EXPIREAT] !== Infinity) return;
    const t = this.#expireTick(i, ts - this.#t.tcpSessionTimer);
    this.#f64[i * R8 + F_EXPIREAT] = t;
    if (t < this.#f64[i * R8 + F_CHECKAT]!) this.#schedule(i, t);
  }

  /**
   * Zeek ≥ 5.1 (zeek/zeek#2191): a connection that began with a SYN-ACK
   * the port heuristic did not flip is flipped when the next packet, in
   * either direction, is an ACK or carries data (a stealth scan would draw
   * a RST or nothing). Zeek's baselines show the result as if the flip had
   * come first (`^h…`), so the letters so far change side with it.
   */
  #flipAfterSynAck(i: number, p: PacketInfo): boolean {
    const f = p.tcpFlags;
    if ((f & (SYN | RST)) !== 0 || ((f & ACK) === 0 && p.payloadLen === 0)) return false;
    const o = i * 2;
    if (this.#u8[(o >> 1) * R1 + (o & 1) + B_STATE] !== SYN_ACK_SENT || this.#u8[((o + 1) >> 1) * R1 + ((o + 1) & 1) + B_STATE] !== INACTIVE) return false;
    const n = this.#u8[i * R1 + B_HISTLEN] as number;
    const base = i * R1 + B_HIST;
    const h = this.#u8;
    for (let k = n; k > 0; k--) {
      const c = h[base + k - 1] as number;
      const swapped = c >= 0x41 && c <= 0x5a ? c | 0x20 : c >= 0x61 && c <= 0x7a ? c & ~0x20 : c;
      if (k < HISTORY_LIMIT) h[base + k] = swapped;
    }
    h[base] = 0x5e;
    this.#u8[i * R1 + B_HISTLEN] = Math.min(HISTORY_LIMIT, n + 1);
    const seen = this.#u32[i * R4 + U_HISTSEEN] as number;
    this.#u32[i * R4 + U_HISTSEEN] = (((seen & 0xffff) << 16) | (seen >>> 16)) >>> 0;
    this.#flip(i, true);
    this.#u8[i * R1 + B_HISTLEN] = Math.min(HISTORY_LIMIT, n + 1); // #flip appended a second '^': drop it
    return true;
  }

  /** TCPSessionAdapter::IsReuse for a SYN on a live connection. */
  #isReuse(i: number, p: PacketInfo): boolean {
    const o = i * 2;
    const r = o + 1;
    let co = o;
    if ((p.tcpFlags & ACK) !== 0) {
      if (this.#u8[(o >> 1) * R1 + (o & 1) + B_STATE] !== INACTIVE) return false;
      co = r;
    }
    const closed = (this.#u8[(o >> 1) * R1 + (o & 1) + B_EFLAGS]! & E_DID_CLOSE) !== 0 || (this.#u8[(r >> 1) * R1 + (r & 1) + B_EFLAGS]! & E_DID_CLOSE) !== 0;
    if (!closed) {
      const seq = p.seq >>> 0;
      if (seq === this.#u32[(co >> 1) * R4 + (co & 1) + U_STARTSEQ]) return false;
      if ((p.tcpFlags & ACK) === 0 && this.#u8[(co >> 1) * R1 + (co & 1) + B_STATE] === SYN_ACK_SENT && this.#u8[(r >> 1) * R1 + (r & 1) + B_STATE] === INACTIVE && seq === this.#u32[(r >> 1) * R4 + (r & 1) + U_STARTSEQ]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Connection::FlipRoles: swap originator and responder and add '^'.
   * `endpoints` also swaps the per-side state and counters (TCP's adapter
   * and ConnSize do; a UDP adapter keeps its counters where they were).
   */
  #flip(i: number, endpoints: boolean): void {
    const a = i * R4 + U_ADDR;
    const addr = this.#u32;
    for (let k = 0; k < 4; k++) {
      const t = addr[a + k] as number;
      addr[a + k] = addr[a + 4 + k] as number;
      addr[a + 4 + k] = t;
    }
    const op = this.#u16[i * R2 + H_OPORT] as number;
    this.#u16[i * R2 + H_OPORT] = this.#u16[i * R2 + H_RPORT] as number;
    this.#u16[i * R2 + H_RPORT] = op;
    if (endpoints) {
      // Each per-side field is an (originator, responder) pair in the row.
      const f = this.#f64;
      for (let k = i * R8 + F_EP_FIRST; k <= i * R8 + F_EP_LAST; k += 2) {
        const t = f[k] as number;
        f[k] = f[k + 1] as number;
        f[k + 1] = t;
      }
      const u = this.#u32;
      for (let k = i * R4 + U_EP_FIRST; k <= i * R4 + U_EP_LAST; k += 2) {
        const t = u[k] as number;
        u[k] = u[k + 1] as number;
        u[k + 1] = t;
      }
      const b = this.#u8;
      for (let k = i * R1 + B_EP_FIRST; k <= i * R1 + B_EP_LAST; k += 2) {
        const t = b[k] as number;
        b[k] = b[k + 1] as number;
        b[k + 1] = t;
      }
    }
    this.#addHistory(i, 0x5e);
  }

  // ------------------------------------------------------------------
  // Emission
  // ------------------------------------------------------------------

  /** TCP_Endpoint::Size. */
  #tcpSize(e: number, pe: number): number {
    if (this.#u8[(e >> 1) * R1 + (e & 1) + B_PREV] === SYN_SENT && this.#u8[(e >> 1) * R1 + (e & 1) + B_STATE] === RESET && this.#u8[(pe >> 1) * R1 + (pe & 1) + B_STATE] === INACTIVE) {
      const ack64 = (this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKWRAPS] as number) * TWO32 + (this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKSEQ] as number);
      const start = this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] as number;
      if (!(ack64 === start || ack64 === start + 1)) return 0;
    }
    const last64 = (this.#u32[(e >> 1) * R4 + (e & 1) + U_SEQWRAPS] as number) * TWO32 + (this.#u32[(e >> 1) * R4 + (e & 1) + U_LASTSEQ] as number);
    const ack64 = (this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKWRAPS] as number) * TWO32 + (this.#u32[(e >> 1) * R4 + (e & 1) + U_ACKSEQ] as number);
    let size = (last64 > ack64 ? last64 : ack64) - (this.#u32[(e >> 1) * R4 + (e & 1) + U_STARTSEQ] as number);
    if (size < 0) size += TWO64; // uint64 wrap, as Zeek prints it
    if (size !== 0) size--;
    if (this.#u32[(e >> 1) * R4 + (e & 1) + U_FINCNT]! > 0 && size !== 0) size--;
    return size;
  }

  #connState(i: number, history: string): string {
    const proto = this.#u8[i * R1 + B_PROTO];
    const o = i * 2;
    const r = o + 1;
    if (proto === 6) {
      const os = this.#u8[(o >> 1) * R1 + (o & 1) + B_STATE];
      const rs = this.#u8[(r >> 1) * R1 + (r & 1) + B_STATE];
      const oInactive = os === INACTIVE || os === PARTIAL;
      const rInactive = rs === INACTIVE || rs === PARTIAL;
      if (rs === RESET) {
        if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && this.#tcpSize(o, r) === 0 && this.#tcpSize(r, o) === 0)) return 'REJ';
        return oInactive ? 'RSTRH' : 'RSTR';
      }
      if (os === RESET) {
        if (rInactive) return RSTOS0_HISTORY.test(history) ? 'RSTOS0' : 'OTH';
        return 'RSTO';
      }
      if (rs === CLOSED && os === CLOSED) return 'SF';
      if (os === CLOSED) return rInactive ? 'SH' : 'S2';
      if (rs === CLOSED) return oInactive ? 'SHR' : 'S3';
      if (os === SYN_SENT && rs === INACTIVE) return 'S0';
      if (os === ESTABLISHED && rs === ESTABLISHED) return 'S1';
      return 'OTH';
    }
    if (proto === 17) {
      const oa = (this.#f64[(o >> 1) * R8 + (o & 1) + F_PLEN] as number) >= 0;
      const ra = (this.#f64[(r >> 1) * R8 + (r & 1) + F_PLEN] as number) >= 0;
      if (oa) return ra ? 'SF' : 'S0';
      return ra ? 'SHR' : 'OTH';
    }
    return 'OTH';
  }

  #addrText(i: number, side: number): string {
    const a = i * R4 + U_ADDR + side * 4;
    const addr = this.#u32;
    if ((this.#u8[i * R1 + B_FLAGS]! & F_V6) === 0) return this.#ip4.text(addr[a + 3] as number);
    const g = this.#scratch16;
    for (let k = 0; k < 4; k++) {
      const w = addr[a + k] as number;
      g[k * 2] = w >>> 16;
      g[k * 2 + 1] = w & 0xffff;
    }
    return formatIPv6(g);
  }

  #protoOf(i: number): Proto {
    const p = this.#u8[i * R1 + B_PROTO] as number;
    return p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 || p === 58 ? 'icmp' : p;
  }

  #emit(i: number): void {
    const r: FlowRecord = newFlow();
    const o = i * 2;
    const start = this.#f64[i * R8 + F_START] as number;
    r.ts = start;
    r.duration = (this.#f64[i * R8 + F_LAST] as number) - start;
    r.origH = this.#addrText(i, 0);
    r.origP = this.#u16[i * R2 + H_OPORT] as number;
    r.respH = this.#addrText(i, 1);
    r.respP = this.#u16[i * R2 + H_RPORT] as number;
    r.proto = this.#protoOf(i);
    const proto = this.#u8[i * R1 + B_PROTO];
    if (proto === 6) {
      r.origBytes = this.#tcpSize(o, o + 1);
      r.respBytes = this.#tcpSize(o + 1, o);
    } else if (proto === 17 || proto === 1 || proto === 58) {
      r.origBytes = Math.max(0, this.#f64[(o >> 1) * R8 + (o & 1) + F_PLEN] as number);
      r.respBytes = Math.max(0, this.#f64[((o + 1) >> 1) * R8 + ((o + 1) & 1) + F_PLEN] as number);
    } else {
      r.origBytes = 0;
      r.respBytes = 0;
    }
    r.origPkts = this.#f64[(o >> 1) * R8 + (o & 1) + F_PKTS] as number;
    r.respPkts = this.#f64[((o + 1) >> 1) * R8 + ((o + 1) & 1) + F_PKTS] as number;
    r.origIpBytes = this.#f64[(o >> 1) * R8 + (o & 1) + F_IPBYTES] as number;
    r.respIpBytes = this.#f64[((o + 1) >> 1) * R8 + ((o + 1) & 1) + F_IPBYTES] as number;
    let h = '';
    const n = this.#u8[i * R1 + B_HISTLEN] as number;
    const base = i * R1 + B_HIST;
    for (let k = 0; k < n; k++) h += String.fromCharCode(this.#u8[base + k] as number);
    r.history = h;
    r.connState = this.#connState(i, h);
    const svc = this.#u8[i * R1 + B_SVC] as number;
    r.service = svc === Service.Dns ? 'dns' : svc === Service.Ssl ? 'ssl' : svc === Service.Http ? 'http' : '';
    const nm = this.#apps?.nameOf(i);
    r.serverName = nm?.name ?? '';
    r.uid = this.#uids.uid(this.#f64[i * R8 + F_SERIAL] as number);
    r.source = 'pcap';
    r.orientation = 'observed';
    if (nm !== undefined && this.#sink.name !== undefined) {
      // The same name as a NameRecord (as Zeek's ssl.log / http.log would
      // give it), for consumers that want its protocol and proxy hints.
      const n = newName();
      n.ts = r.ts;
      n.uid = r.uid;
      n.origH = r.origH;
      n.origP = r.origP;
      n.respH = r.respH;
      n.respP = r.respP;
      n.serverName = nm.name;
      n.protocol = nm.protocol;
      n.method = nm.method;
      n.proxied = nm.proxied;
      n.source = 'pcap';
      this.#sink.name(n);
    }
    this.#sink.flow(r);
  }

  // ------------------------------------------------------------------
  // Capacity
  // ------------------------------------------------------------------

  #resize(cap: number): void {
    const old = this.#cap;
    const n = cap;
    const rows = new ArrayBuffer(n * ROW);
    const u8 = new Uint8Array(rows);
    u8.set(this.#u8);
    this.#u8 = u8;
    this.#u16 = new Uint16Array(rows);
    this.#u32 = new Uint32Array(rows);
    this.#i32 = new Int32Array(rows);
    this.#f64 = new Float64Array(rows);
    // Free list: new slots, lowest index on top.
    const free = new Int32Array(n);
    free.set(this.#free.subarray(0, this.#freeTop));
    let top = this.#freeTop;
    for (let k = n - 1; k >= old; k--) free[top++] = k;
    this.#free = free;
    this.#freeTop = top;
    this.#cap = n;
    this.#stats.capacity = n;
    // Index at load ≤ 1/2, rebuilt from the live flows.
    const isize = nextPow2(n * 2);
    if (isize * 2 !== this.#idx.length) {
      const oldIdx = this.#idx;
      const idx = new Int32Array(isize * 2);
      const mask = isize - 1;
      for (let k = 0; k < oldIdx.length; k += 2) {
        const v = oldIdx[k] as number;
        if (v === 0) continue;
        const h = this.#u32[(v - 1) * R4 + U_HASH] as number;
        let pos = h & mask;
        while (idx[pos * 2] !== 0) pos = (pos + 1) & mask;
        idx[pos * 2] = v;
        idx[pos * 2 + 1] = h | 0;
      }
      this.#idx = idx;
      this.#imask = mask;
    }
  }

  // ------------------------------------------------------------------
  // Host interface for the application parsers
  // ------------------------------------------------------------------

  #host(): FlowAppHost {
    return {
      flip: (i: number) => {
        // DNS_Interpreter::ParseMessage flips via Connection::FlipRoles; for
        // UDP the adapter and ConnSize keep their counters (see the NTP
        // "D^" baseline); TCP swaps its endpoints.
        this.#flip(i, this.#u8[i * R1 + B_PROTO] === 6);
      },
      respIsMulticast: (i: number) => {
        const a = i * R4 + U_ADDR + 4;
        if ((this.#u8[i * R1 + B_FLAGS]! & F_V6) === 0) return this.#u32[a + 3]! >>> 28 === 0xe;
        return this.#u32[a]! >>> 24 === 0xff;
      },
      firstDnsMessage: (i: number) => {
        const f = this.#u8[i * R1 + B_FLAGS] as number;
        this.#u8[i * R1 + B_FLAGS] = f | F_DNS_FIRST;
        return (f & F_DNS_FIRST) === 0;
      },
      setService: (i: number, svc: number) => {
        if (this.#u8[i * R1 + B_SVC] === Service.None) this.#u8[i * R1 + B_SVC] = svc;
      },
      setAppMode: (i: number, mode: number) => {
        this.#u8[i * R1 + B_APPMODE] = mode;
      },
      origAddr: (i: number) => this.#addrText(i, 0),
      respAddr: (i: number) => this.#addrText(i, 1),
      origPort: (i: number) => this.#u16[i * R2 + H_OPORT] as number,
      respPort: (i: number) => this.#u16[i * R2 + H_RPORT] as number,
      proto: (i: number) => this.#protoOf(i),
      uid: (i: number) => this.#uids.uid(this.#f64[i * R8 + F_SERIAL] as number),
    };
  }
}
