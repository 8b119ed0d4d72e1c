/**
 * NetFlow / IPFIX records to FlowRecords (DESIGN §1 "Direction").
 *
 * NetFlow is unidirectional: a connection is two records, one per
 * direction, often in different datagrams. {@link NetflowFlows} holds each
 * record for a bounded window waiting for its reverse — same exporter,
 * reversed 5-tuple (ICMP: reversed addresses and the counterpart type),
 * overlapping times — and emits one FlowRecord per pair with
 * `orientation: 'paired'`. A record whose reverse does not come is emitted
 * alone with `orientation: 'port'`. RFC 5103 biflow records already hold
 * both directions and are emitted at once as `'observed'`.
 *
 * Who is the originator (in this order; the first rule that decides wins):
 * 1. biflow: the forward direction, unless biflowDirection says
 *    reverseInitiator (RFC 5103 §6.3);
 * 2. unpaired TCP with SYN and no ACK: its source (a SYN-only sender never
 *    saw an answer, whatever the routing);
 * 3. ports: when exactly one side is a likely server port (Zeek's
 *    `likely_server_ports`, or below 1024), that side is the responder;
 *    ICMP pairs: the side that sent the request type (echo, timestamp, …);
 * 4. paired: the record that started first;
 * 5. local nets: when exactly one side is inside `localNets`, it originates;
 * 6. otherwise as exported (source = originator).
 * `stats().orientedBy` counts which rule decided.
 *
 * connState from OR-ed TCP flags, an approximation of Zeek's (fo = the
 * originator's flags, fr = the responder's):
 * - fo without SYN: `OTH` (mid-stream: the handshake is not in this export);
 * - fr with RST and no SYN: `REJ` (the answer to the SYN was a reset);
 * - fr with SYN (a SYN-ACK): `RSTO` if fo has RST, else `RSTR` if fr has RST,
 *   else `SF` if both sent FIN, `S2` if only the originator did, `S3` if only
 *   the responder did, else `S1` (established, not closed);
 * - fr with neither SYN nor RST: `OTH`;
 * - unpaired: `S0` when fo is SYN without ACK (no SYN-ACK ever arrived, or
 *   the originator would have ACKed it), else `OTH`.
 * UDP, ICMP and other protocols: `SF` when paired or biflow with reverse
 * packets, else `OTH` (Zeek would say S0, but a one-way NetFlow record cannot
 * tell an unanswered flow from an answer the exporter did not see).
 *
 * Bytes: NetFlow counts IP bytes, so `origIpBytes`/`respIpBytes` are set and
 * `origBytes`/`respBytes` stay -1 (payload unknown); `history` is '' (not
 * recoverable from OR-ed flags). An unpaired record leaves the other side's
 * counters at -1 (unknown).
 *
 * State is bounded: at most `maxPending` records wait (the oldest is then
 * emitted unpaired, counted in `forcedUnpaired`), at most 16 of them for one
 * direction of one 5-tuple (repeated active-timeout exports), each for at most
 * `pairWindow` seconds of arrival time (`received` on the record; the
 * caller advances the clock with {@link NetflowFlows.advance} when records
 * stop coming).
 *
 * @module
 */

import { dstAddr, srcAddr } from '../decode/netflow/record.js';
import type { NetflowRecord } from '../decode/netflow/record.js';
import { InvalidOptionError } from '../errors.js';
import { newFlow } from '../model.js';
import type { FlowRecord, Orientation, Proto } from '../model.js';
import { CidrSet, DEFAULT_LOCAL_NETS, Ip4TextCache } from '../net/addr.js';
import { fmix32, hashV4 } from './hash.js';
import { icmp4Counterpart, icmp6Counterpart, ZEEK_LIKELY_SERVER_PORTS } from './zeek.js';

/** Options of {@link NetflowFlows}. */
export interface NetflowFlowsOptions {
  /** Receives each FlowRecord, synchronously. */
  onFlow: (f: FlowRecord) => void;
  /** Internal networks, used only to orient unpaired records. Default RFC 1918, 100.64/10, fc00::/7. */
  localNets?: Iterable<string>;
  /** Seconds (of arrival time) a record waits for its reverse. Default 60. */
  pairWindow?: number;
  /** Seconds of tolerance when testing that the two records' times overlap. Default 2. */
  pairSlack?: number;
  /** Records waiting at most; the oldest is emitted unpaired beyond. ~300 B each. Default 65 536. */
  maxPending?: number;
  /** Pair at all; false emits every record at once, oriented by rules 2–6. Default true. */
  pair?: boolean;
}

/** Counters of a {@link NetflowFlows}. */
export interface NetflowFlowsStats {
  records: number;
  /** FlowRecords emitted. */
  flows: number;
  pairs: number;
  unpaired: number;
  biflows: number;
  /** Records waiting for their reverse now. */
  pending: number;
  /** Unpaired because `maxPending` was reached before the window ended. */
  forcedUnpaired: number;
  /** Records without addresses (e.g. NAT or options-like events), skipped. */
  skipped: number;
  /** Which rule decided the originator (see the module comment). */
  orientedBy: { biflow: number; syn: number; port: number; time: number; localNet: number; exported: number };
}

/**
 * A waiting record. Entries are linked twice, so waiting costs no array per
 * bucket and no array growth: `next` chains one bucket in arrival order,
 * `qnext` chains every entry in arrival order (the pairing window). An entry
 * paired or pushed out early stays in the arrival chain, `done`, until the
 * head passes it.
 */
class Entry {
  readonly rec: NetflowRecord;
  /** Direction-independent hash of the record's 5-tuple and exporter, 30 bits (a small integer to V8): both directions share a bucket. */
  readonly key: number;
  done = false;
  next: Entry | undefined = undefined;
  qnext: Entry | undefined = undefined;
  constructor(rec: NetflowRecord, key: number) {
    this.rec = rec;
    this.key = key;
  }
}

// TCP flags.
const FIN = 1;
const SYN = 2;
const RST = 4;
const ACK = 16;

/** Records of one direction of one 5-tuple waiting at once; a further one pushes the oldest out unpaired. */
const MAX_PER_KEY = 16;

const SERVER_PORTS = buildServerPorts();

function buildServerPorts(): Set<number> {
  const s = new Set<number>();
  for (const e of ZEEK_LIKELY_SERVER_PORTS) {
    const [port, proto] = e.split('/');
    s.add(Number(port) * 256 + (proto === 'tcp' ? 6 : proto === 'udp' ? 17 : 0));
  }
  return s;
}

function isServerPort(port: number, proto: number): boolean {
  return port < 1024 || SERVER_PORTS.has(port * 256 + proto);
}

function protoOf(p: number): Proto {
  return p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 || p === 58 ? 'icmp' : p;
}

/** Pairs unidirectional NetFlow records into FlowRecords. */
export class NetflowFlows {
  readonly #onFlow: (f: FlowRecord) => void;
  readonly #local: CidrSet;
  readonly #window: number;
  readonly #slack: number;
  readonly #max: number;
  readonly #pair: boolean;
  /** First (oldest) waiting entry of each bucket; the rest follow through `next`. */
  readonly #byKey = new Map<number, Entry>();
  /** Exporter label -> hash seed (exporters are few). */
  readonly #exporterSeeds = new Map<string, number>();
  /** Arrival order, for the window: oldest and newest entry of the `qnext` chain (done ones included). */
  #qHead: Entry | undefined = undefined;
  #qTail: Entry | undefined = undefined;
  #live = 0;
  /** Dotted text of recently seen IPv4 addresses (see #addr4). */
  readonly #ip4 = new Ip4TextCache();
  #clock = -Infinity;
  readonly #s: NetflowFlowsStats = {
    records: 0,
    flows: 0,
    pairs: 0,
    unpaired: 0,
    biflows: 0,
    pending: 0,
    forcedUnpaired: 0,
    skipped: 0,
    orientedBy: { biflow: 0, syn: 0, port: 0, time: 0, localNet: 0, exported: 0 },
  };

  constructor(options: NetflowFlowsOptions) {
    this.#onFlow = options.onFlow;
    this.#local = new CidrSet(options.localNets ?? DEFAULT_LOCAL_NETS);
    this.#window = nonNeg('pairWindow', options.pairWindow, 60);
    this.#slack = nonNeg('pairSlack', options.pairSlack, 2);
    const max = options.maxPending ?? 65_536;
    if (!Number.isInteger(max) || max < 1) throw new InvalidOptionError(`maxPending must be a positive integer, got ${max}`);
    this.#max = max;
    this.#pair = options.pair ?? true;
  }

  /** A snapshot of the counters. */
  stats(): NetflowFlowsStats {
    return { ...this.#s, pending: this.#live, orientedBy: { ...this.#s.orientedBy } };
  }

  /** Take one record (a {@link NetflowDecoder} `onRecord` callback can call this directly). */
  push(r: NetflowRecord): void {
    this.#s.records++;
    if (r.ipVersion === 0) {
      this.#s.skipped++;
      return;
    }
    if (r.received > this.#clock) this.#advanceTo(r.received);
    if (r.revPackets >= 0 || r.revOctets >= 0) {
      this.#s.biflows++;
      this.#emitBiflow(r);
      return;
    }
    if (!this.#pair) {
      this.#emitUnpaired(r);
      return;
    }
    const key = this.#key(r);
    let same = 0;
    let oldestSame: Entry | undefined;
    let oldestSamePrev: Entry | undefined;
    let last: Entry | undefined;
    // The bucket holds both directions (and rare hash collisions): compare fields.
    for (let e = this.#byKey.get(key), prev: Entry | undefined; e !== undefined; prev = e, e = e.next) {
      last = e;
      const w = e.rec;
      if (isReverse(w, r)) {
        if (!this.#overlap(w, r)) continue;
        this.#unlink(e, prev);
        e.done = true;
        this.#live--;
        this.#emitPair(w, r);
        return;
      }
      if (sameDirection(w, r)) {
        if (oldestSame === undefined) {
          oldestSame = e;
          oldestSamePrev = prev;
        }
        same++;
      }
    }
    const e = new Entry(r, key);
    if (same >= MAX_PER_KEY) {
      // Repeated exports of one direction (active timeouts) with no reverse yet: the oldest goes out alone.
      const old = oldestSame!;
      this.#unlink(old, oldestSamePrev);
      if (last === old) last = oldestSamePrev;
      old.done = true;
      this.#live--;
      this.#emitUnpaired(old.rec);
    }
    if (last === undefined) this.#byKey.set(key, e);
    else last.next = e;
    if (this.#qTail === undefined) this.#qHead = e;
    else this.#qTail.qnext = e;
    this.#qTail = e;
    this.#live++;
    while (this.#live > this.#max) {
      this.#s.forcedUnpaired++;
      this.#expireHead();
    }
  }

  /**
   * Move the arrival clock to `now` (seconds since the epoch) and emit, as
   * unpaired, every record that waited longer than `pairWindow`. Call it
   * from a timer when records may stop coming (a live collector).
   */
  advance(now: number): void {
    if (now > this.#clock) this.#advanceTo(now);
  }

  /** End of input: every waiting record is emitted unpaired. */
  flush(): void {
    while (this.#live > 0) this.#expireHead();
    this.#qHead = this.#qTail = undefined;
    this.#byKey.clear();
  }

  #advanceTo(now: number): void {
    this.#clock = now;
    const limit = now - this.#window;
    for (let e = this.#qHead; e !== undefined; e = this.#qHead) {
      if (!e.done && e.rec.received >= limit) break;
      if (e.done) this.#dequeue(e);
      else this.#expireHead();
    }
  }

  /** Emit the oldest waiting record unpaired. */
  #expireHead(): void {
    for (let e = this.#qHead; e !== undefined; e = this.#qHead) {
      this.#dequeue(e);
      if (e.done) continue;
      e.done = true;
      this.#live--;
      // Buckets are in arrival order too: the expiring entry is almost always the first.
      let prev: Entry | undefined;
      let b = this.#byKey.get(e.key);
      for (; b !== undefined && b !== e; b = b.next) prev = b;
      if (b === e) this.#unlink(e, prev);
      this.#emitUnpaired(e.rec);
      break;
    }
  }

  /** Take the head of the arrival chain (`e`) off it. */
  #dequeue(e: Entry): void {
    this.#qHead = e.qnext;
    e.qnext = undefined;
    if (this.#qHead === undefined) this.#qTail = undefined;
  }

  /** Take `e` out of its bucket; `prev` is the entry before it there (undefined: `e` is the first). */
  #unlink(e: Entry, prev: Entry | undefined): void {
    if (prev !== undefined) prev.next = e.next;
    else if (e.next !== undefined) this.#byKey.set(e.key, e.next);
    else this.#byKey.delete(e.key);
    e.next = undefined;
  }

  /** Bucket of a record: the same for both directions of a flow at one exporter. */
  #key(r: NetflowRecord): number {
    let seed = this.#exporterSeeds.get(r.exporter);
    if (seed === undefined) {
      seed = strHash(r.exporter, 0x2545f491);
      if (this.#exporterSeeds.size < 65_536) this.#exporterSeeds.set(r.exporter, seed);
    }
    const proto = r.proto;
    let pa = r.srcPort;
    let pb = r.dstPort;
    if (proto === 1 || proto === 58) {
      // ICMP: a request and its answer have counterpart types; one-way messages pair with nothing.
      const c = proto === 1 ? icmp4Counterpart(r.icmpType) : icmp6Counterpart(r.icmpType);
      pa = pb = c < 0 ? 0x10000 + r.icmpType : Math.min(r.icmpType, c);
    }
    // 30 bits: V8 keeps such numbers unboxed as Map keys (a wider uint32 would be a heap number per record).
    if (r.ipVersion === 4) return hashV4(r.src4, pa, r.dst4, pb, (proto ^ seed) >>> 0) & 0x3fffffff;
    return hashV4(strHash(r.src6, 7), pa, strHash(r.dst6, 7), pb, (proto ^ seed ^ 0x600) >>> 0) & 0x3fffffff;
  }

  #overlap(a: NetflowRecord, b: NetflowRecord): boolean {
    if (a.start < 0 || a.end < 0 || b.start < 0 || b.end < 0) return true;
    const s = this.#slack;
    return a.start <= b.end + s && b.start <= a.end + s;
  }

  // ---- emitting -----------------------------------------------------------------

  #emitPair(a: NetflowRecord, b: NetflowRecord): void {
    this.#s.pairs++;
    // a is the record that arrived first; decide which one the originator sent.
    let origIsA: boolean;
    const proto = a.proto;
    const portSide = serverSide(a, proto);
    const icmp = proto === 1 || proto === 58;
    if (portSide !== 0) {
      origIsA = portSide === 2; // a's destination is the server: a was sent by the client
      this.#s.orientedBy.port++;
    } else if (icmp && isIcmpRequest(a) !== isIcmpRequest(b)) {
      // The echo (timestamp, solicitation, …) request is the originator's; its type plays the port.
      origIsA = isIcmpRequest(a);
      this.#s.orientedBy.port++;
    } else if (a.start >= 0 && b.start >= 0 && a.start !== b.start) {
      origIsA = a.start < b.start;
      this.#s.orientedBy.time++;
    } else {
      const side = this.#localSide(a);
      if (side !== 0) {
        origIsA = side === 1;
        this.#s.orientedBy.localNet++;
      } else {
        origIsA = true;
        this.#s.orientedBy.exported++;
      }
    }
    const o = origIsA ? a : b;
    const r = origIsA ? b : a;
    const f = this.#base(o, 'paired');
    f.respPkts = r.packets;
    f.respIpBytes = r.octets;
    const start = minKnown(o.start, r.start);
    const end = Math.max(o.end, r.end);
    if (o.start < 0 && start >= 0) f.ts = start;
    f.duration = start >= 0 && end >= 0 ? Math.max(0, end - f.ts) : -1;
    f.connState = proto === 6 ? tcpState(o.tcpFlags, r.tcpFlags) : 'SF';
    this.#out(f);
  }

  #emitBiflow(rec: NetflowRecord): void {
    const swap = rec.biflowDirection === 2;
    this.#s.orientedBy.biflow++;
    const f = this.#base(rec, 'observed', swap);
    const rp = rec.revPackets >= 0 ? rec.revPackets : 0;
    const ro = rec.revOctets >= 0 ? rec.revOctets : 0;
    const rf = rec.revTcpFlags >= 0 ? rec.revTcpFlags : 0;
    if (swap) {
      f.origPkts = rp;
      f.origIpBytes = ro;
      f.respPkts = rec.packets;
      f.respIpBytes = rec.octets;
    } else {
      f.respPkts = rp;
      f.respIpBytes = ro;
    }
    const fo = swap ? rf : rec.tcpFlags;
    const fr = swap ? rec.tcpFlags : rf;
    if (rec.proto === 6) f.connState = rp > 0 ? tcpState(fo, fr) : fo & SYN && !(fo & ACK) ? 'S0' : 'OTH';
    else f.connState = rp > 0 ? 'SF' : 'OTH';
    this.#out(f);
  }

  #emitUnpaired(rec: NetflowRecord): void {
    this.#s.unpaired++;
    const proto = rec.proto;
    let swap: boolean;
    const fl = rec.tcpFlags;
    if (proto === 6 && fl & SYN && !(fl & ACK)) {
      swap = false;
      this.#s.orientedBy.syn++;
    } else {
      const portSide = serverSide(rec, proto);
      if (portSide !== 0) {
        swap = portSide === 1;
        this.#s.orientedBy.port++;
      } else {
        const side = this.#localSide(rec);
        if (side !== 0) {
          swap = side === 2;
          this.#s.orientedBy.localNet++;
        } else {
          swap = false;
          this.#s.orientedBy.exported++;
        }
      }
    }
    const f = this.#base(rec, 'port', swap);
    if (swap) {
      f.respPkts = rec.packets;
      f.respIpBytes = rec.octets;
      f.origPkts = -1;
      f.origIpBytes = -1;
    }
    f.connState = !swap && proto === 6 && fl & SYN && !(fl & ACK) ? 'S0' : 'OTH';
    this.#out(f);
  }

  /** A FlowRecord with the originator taken from `o` (its destination when `swap`). */
  #base(o: NetflowRecord, orientation: Orientation, swap = false): FlowRecord {
    const f = newFlow();
    f.ts = o.start >= 0 ? o.start : o.received;
    f.duration = o.start >= 0 && o.end >= o.start ? o.end - o.start : -1;
    const s = o.ipVersion === 4 ? this.#addr4(o.src4) : srcAddr(o);
    const d = o.ipVersion === 4 ? this.#addr4(o.dst4) : dstAddr(o);
    const icmp = o.proto === 1 || o.proto === 58;
    // Zeek puts the ICMP type in orig_p and the code in resp_p.
    const sp = icmp ? Math.max(0, o.icmpType) : o.srcPort;
    const dp = icmp ? Math.max(0, o.icmpCode) : o.dstPort;
    f.origH = swap ? d : s;
    f.origP = swap && !icmp ? dp : sp;
    f.respH = swap ? s : d;
    f.respP = swap && !icmp ? sp : dp;
    f.proto = protoOf(o.proto);
    f.origPkts = o.packets;
    f.origIpBytes = o.octets;
    f.source = 'netflow';
    f.orientation = orientation;
    return f;
  }

  /** Dotted IPv4 text, from a small direct-mapped cache: the same hosts recur in most flows, and formatting allocates. */
  #addr4(n: number): string {
    return this.#ip4.text(n);
  }

  #out(f: FlowRecord): void {
    this.#s.flows++;
    this.#onFlow(f);
  }

  /** 1 when only the source is local, 2 when only the destination is, else 0. */
  #localSide(r: NetflowRecord): number {
    const s = r.ipVersion === 4 ? this.#local.hasV4(r.src4) : this.#local.has(r.src6);
    const d = r.ipVersion === 4 ? this.#local.hasV4(r.dst4) : this.#local.has(r.dst6);
    return s === d ? 0 : s ? 1 : 2;
  }
}

/** 1 when only the record's source port is a server port, 2 when only its destination's, else 0. */
function serverSide(r: NetflowRecord, proto: number): number {
  if (proto !== 6 && proto !== 17) return 0;
  const s = isServerPort(r.srcPort, proto);
  const d = isServerPort(r.dstPort, proto);
  return s === d ? 0 : s ? 1 : 2;
}

/** ICMP types that ask (their counterpart answers): echo, timestamp, information, router solicitation, address mask; ICMPv6 echo, router/neighbor solicitation, MLD query, node information, home agent discovery. */
function isIcmpRequest(r: NetflowRecord): boolean {
  const t = r.icmpType;
  if (r.proto === 1) return t === 8 || t === 13 || t === 15 || t === 10 || t === 17;
  return t === 128 || t === 133 || t === 135 || t === 130 || t === 139 || t === 144;
}

/** See the module comment for the mapping. */
export function tcpState(fo: number, fr: number): string {
  if (!(fo & SYN)) return 'OTH';
  if (fr & RST && !(fr & SYN)) return 'REJ';
  if (fr & SYN) {
    if (fo & RST) return 'RSTO';
    if (fr & RST) return 'RSTR';
    if (fo & FIN && fr & FIN) return 'SF';
    if (fo & FIN) return 'S2';
    if (fr & FIN) return 'S3';
    return 'S1';
  }
  return 'OTH';
}

/** True when `b` is the reverse direction of `a` at the same exporter (ICMP: the counterpart type). */
function isReverse(a: NetflowRecord, b: NetflowRecord): boolean {
  if (a.proto !== b.proto || a.ipVersion !== b.ipVersion || a.exporter !== b.exporter) return false;
  if (a.ipVersion === 4 ? a.src4 !== b.dst4 || a.dst4 !== b.src4 : a.src6 !== b.dst6 || a.dst6 !== b.src6) return false;
  if (a.proto === 1 || a.proto === 58) {
    const c = a.proto === 1 ? icmp4Counterpart(a.icmpType) : icmp6Counterpart(a.icmpType);
    return c >= 0 && b.icmpType === c;
  }
  return a.srcPort === b.dstPort && a.dstPort === b.srcPort;
}

/** True when both records are the same direction of the same flow at the same exporter. */
function sameDirection(a: NetflowRecord, b: NetflowRecord): boolean {
  if (a.proto !== b.proto || a.ipVersion !== b.ipVersion || a.exporter !== b.exporter) return false;
  if (a.ipVersion === 4 ? a.src4 !== b.src4 || a.dst4 !== b.dst4 : a.src6 !== b.src6 || a.dst6 !== b.dst6) return false;
  if (a.proto === 1 || a.proto === 58) return a.icmpType === b.icmpType;
  return a.srcPort === b.srcPort && a.dstPort === b.dstPort;
}

/** FNV-1a over UTF-16 code units, mixed: hashes of exporter labels and IPv6 text. */
function strHash(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

function minKnown(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}

function nonNeg(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < 0) throw new InvalidOptionError(`${name} must be a non-negative number, got ${v}`);
  return v;
}
