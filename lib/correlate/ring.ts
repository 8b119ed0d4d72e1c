/**
 * A bounded, time-ordered ring of one host's band events.
 *
 * Structure of arrays in typed arrays, grown by doubling from a small start
 * up to `max` (a power of two), so quiet hosts cost a few hundred bytes and
 * busy ones never more than `max` events:
 *
 * ```
 *   order:  start ──┐              ┌── (start + size) & mask
 *                   v              v
 *           [ .  .  s0 s1 s2 s3 s4 .  . ]   slot numbers, ts ascending from start
 *   columns (ts, ports, bytes, flags, dst, name, uid) at slot s_i: the i-th oldest event
 * ```
 *
 * An event's columns stay in the physical slot it was written to; the time
 * order is a ring of slot numbers (`slot(i)` maps the i-th oldest event to
 * its slot). An insert takes a free slot and places its number at the
 * tail, moved back past later events, so out-of-order input (Zeek writes
 * conn.log rows when connections end, a pcap's flow table emits flows when
 * they end) costs one 16-bit move per event it overtakes, not a move of
 * every column: with a few hundred flows open per host, the column moves
 * had been the engine's costliest line.
 *
 * @module
 */

/** Event flag bits. */
export const EventFlag = {
  /** The destination is public (not in the non-public list). */
  Public: 1,
  /** The connection failed (S0, REJ, or no reply). */
  Failed: 2,
  /** A web flow to an address from this host's own recent DNS answers (set when the rules see it). */
  Linked: 4,
  /** `name` came from the connection itself: TLS SNI or HTTP Host (pcap, or Zeek ssl/http joined by uid). */
  Named: 8,
  /** The connection went through a proxy (HTTP CONNECT or an absolute-URI request). */
  Proxied: 16,
  /** The proxied request was an HTTP CONNECT (a tunnel; RITA counts only these through internal proxies). */
  Connect: 64,
  /**
   * Admitted only for rules that see every flow (beacons): an internal destination on a
   * band other than DNS and web, or a protocol other than TCP/UDP. Other rules never see it.
   */
  Extra: 32,
} as const;

/** IP protocol numbers for the `proto` column (0 when unknown). */
export const ProtoNum = { icmp: 1, tcp: 6, udp: 17 } as const;

/** Columns of {@link EventRing.num} (stride NUM) and {@link EventRing.small} (stride SMALL). */
const NUM = 3;
const N_ORIG = 0;
const N_ORIG_IP = 1;
const N_RESP = 2;
const SMALL = 3;
const S_BAND = 0;
const S_FLAGS = 1;
const S_PROTO = 2;

export class EventRing {
  /** Event time of each slot. */
  ts!: Float64Array;
  /** Per slot: originator payload bytes, originator IP bytes, responder payload bytes (-1 unknown); read through the accessors. */
  num!: Float64Array;
  /**
   * Slots `[0, cap)`: destination port of each slot (read with {@link portAt});
   * `[cap, 2cap)`: the order ring of slot numbers; `[2cap, 3cap)`: the stack of free slots.
   * One view for the three, since each view costs ~100 B of heap and every host has a ring.
   */
  #u16!: Uint16Array;
  /** Per slot: band, flags ({@link EventFlag}), IP protocol; read through the accessors. */
  small!: Uint8Array;
  /** Destination address of each event. */
  dst: string[];
  /** Server name (SNI / Host) when the source knew it, else ''. */
  name: string[];
  /** Connection id (Zeek uid), '' when none: joins names from ssl/http logs. */
  uid: string[];
  #mask: number;
  #start = 0;
  #size = 0;
  /** Free slots on the stack at `#u16[2cap, 2cap + freeTop)`. */
  #freeTop = 0;
  readonly #max: number;

  /** Most events a ring may be asked to hold (slot numbers are 16-bit). */
  static readonly MAX = 65536;

  /** @param max capacity, rounded up to a power of two (at least 4, at most {@link EventRing.MAX}). */
  constructor(max: number, initial = 8) {
    if (!(max <= EventRing.MAX)) throw new RangeError(`EventRing: max ${max} is above ${EventRing.MAX}`);
    let m = 4;
    while (m < max) m <<= 1;
    this.#max = m;
    const cap = Math.min(m, Math.max(4, initial));
    this.#columns(cap);
    this.dst = new Array<string>(cap).fill('');
    this.name = new Array<string>(cap).fill('');
    this.uid = new Array<string>(cap).fill('');
    this.#mask = cap - 1;
    this.#pushFree(0, cap);
  }

  /** Put slots [from, to) on the free stack, lowest on top. */
  #pushFree(from: number, to: number): void {
    const base = (this.#mask + 1) * 2;
    for (let p = to - 1; p >= from; p--) this.#u16[base + this.#freeTop++] = p;
  }

  /**
   * The numeric columns for `cap` slots: four views of one ArrayBuffer (41
   * bytes a slot, widest first so every view is aligned); columns of one
   * type share a view, strided or in blocks. Each typed-array view costs
   * ~100 bytes of heap before any data, and every host has a ring: eleven
   * views of their own would be ~700 B a host more than these four.
   */
  #columns(cap: number): void {
    const b = new ArrayBuffer(cap * 41);
    this.ts = new Float64Array(b, 0, cap);
    this.num = new Float64Array(b, cap * 8, cap * NUM);
    this.#u16 = new Uint16Array(b, cap * 32, cap * 3);
    this.small = new Uint8Array(b, cap * 38, cap * SMALL);
  }

  /** Destination port of slot `s`. */
  portAt(s: number): number {
    return this.#u16[s]!;
  }

  /** Band of slot `s`. */
  bandAt(s: number): number {
    return this.small[s * SMALL + S_BAND]!;
  }

  /** Flags ({@link EventFlag}) of slot `s`. */
  flagsAt(s: number): number {
    return this.small[s * SMALL + S_FLAGS]!;
  }

  /** Set flag bits on slot `s`. */
  addFlags(s: number, bits: number): void {
    this.small[s * SMALL + S_FLAGS] = this.small[s * SMALL + S_FLAGS]! | bits;
  }

  /** IP protocol number ({@link ProtoNum}) of slot `s`, 0 when unknown. */
  protoAt(s: number): number {
    return this.small[s * SMALL + S_PROTO]!;
  }

  /** Originator payload bytes of slot `s`, -1 when unknown. */
  origBytesAt(s: number): number {
    return this.num[s * NUM + N_ORIG]!;
  }

  /** Originator IP-level bytes of slot `s`, -1 when unknown. */
  origIpBytesAt(s: number): number {
    return this.num[s * NUM + N_ORIG_IP]!;
  }

  /** Responder payload bytes of slot `s`, -1 when unknown. */
  respBytesAt(s: number): number {
    return this.num[s * NUM + N_RESP]!;
  }

  /** Fill slot `s`'s flow columns (after {@link insert}, which leaves them unknown). */
  setFlow(s: number, proto: number, origBytes: number, origIpBytes: number, respBytes: number): void {
    this.small[s * SMALL + S_PROTO] = proto;
    const n = this.num;
    n[s * NUM + N_ORIG] = origBytes;
    n[s * NUM + N_ORIG_IP] = origIpBytes;
    n[s * NUM + N_RESP] = respBytes;
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#mask + 1;
  }

  get max(): number {
    return this.#max;
  }

  /** True when the ring is at its maximum size and full: the next push overwrites the oldest. */
  get full(): boolean {
    return this.#size === this.#max;
  }

  /** Slot of the i-th oldest event (0 ≤ i < size). */
  slot(i: number): number {
    return this.#u16[this.#mask + 1 + ((this.#start + i) & this.#mask)]!;
  }

  /** Timestamp of the oldest event (NaN when empty). */
  oldestTs(): number {
    return this.#size === 0 ? NaN : this.ts[this.slot(0)]!;
  }

  /** Timestamp of the newest event (NaN when empty). */
  newestTs(): number {
    return this.#size === 0 ? NaN : this.ts[this.slot(this.#size - 1)]!;
  }

  /** Index (0 = oldest) of the first event with ts >= t; `size` when none. Binary search. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[this.slot(mid)]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drop the oldest event. */
  shift(): void {
    if (this.#size === 0) return;
    const s = this.slot(0);
    this.dst[s] = '';
    this.name[s] = '';
    this.uid[s] = '';
    this.#u16[(this.#mask + 1) * 2 + this.#freeTop++] = s;
    this.#start = (this.#start + 1) & this.#mask;
    this.#size--;
  }

  /**
   * Insert an event in time order (after any event with the same time).
   * When the ring is full the caller must first make room with
   * {@link shift} (after evaluating the oldest event). Returns the event's
   * slot, which it keeps until it is shifted out; its flow columns
   * (protocol, bytes, `uid`) start at their sentinels for the caller to
   * fill ({@link setFlow}).
   */
  insert(ts: number, band: number, port: number, flags: number, dst: string, name: string): number {
    if (this.#size === this.#mask + 1) {
      if (this.#size === this.#max) throw new RangeError('EventRing full: shift() first');
      this.#grow();
    }
    const mask = this.#mask;
    const cap = mask + 1;
    const u = this.#u16;
    const s = u[cap * 2 + --this.#freeTop]!;
    const t = this.ts;
    t[s] = ts;
    u[s] = port;
    const sm = this.small;
    sm[s * SMALL + S_BAND] = band;
    sm[s * SMALL + S_FLAGS] = flags;
    sm[s * SMALL + S_PROTO] = 0;
    const n = this.num;
    n[s * NUM + N_ORIG] = -1;
    n[s * NUM + N_ORIG_IP] = -1;
    n[s * NUM + N_RESP] = -1;
    this.dst[s] = dst;
    this.name[s] = name;
    this.uid[s] = '';
    // Place the slot number in the order ring, moving later events' numbers back by one.
    const start = this.#start;
    let i = this.#size;
    while (i > 0) {
      const prev = u[cap + ((start + i - 1) & mask)]!;
      if (t[prev]! <= ts) break;
      u[cap + ((start + i) & mask)] = prev;
      i--;
    }
    u[cap + ((start + i) & mask)] = s;
    this.#size++;
    return s;
  }

  /** Double the slots; events keep their slot numbers. Only called when full (no free slot). */
  #grow(): void {
    const old = this.#mask + 1;
    const cap = old * 2;
    const { ts, num, small } = this;
    const u = this.#u16;
    this.#columns(cap);
    this.ts.set(ts);
    this.num.set(num);
    this.small.set(small);
    const nu = this.#u16;
    for (let p = 0; p < old; p++) nu[p] = u[p]!;
    for (let i = 0; i < this.#size; i++) nu[cap + i] = u[old + ((this.#start + i) & (old - 1))]!;
    const dst = this.dst;
    const name = this.name;
    const uid = this.uid;
    for (let p = old; p < cap; p++) {
      dst.push('');
      name.push('');
      uid.push('');
    }
    this.#start = 0;
    this.#mask = cap - 1;
    this.#freeTop = 0;
    this.#pushFree(old, cap);
  }
}
