/**
 * A bounded, time-ordered ring of one host's band events.
 *
 * Structure of arrays in typed arrays, grown by doubling from a small start
 * up to `max` (a power of two), so quiet hosts cost a few hundred bytes and
 * busy ones never more than `max` events:
 *
 * ```
 *   start ──┐              ┌── (start + size) & mask
 *           v              v
 *   [ .  .  e0 e1 e2 e3 e4 .  . ]   ts ascending from start
 * ```
 *
 * Inserts keep the ring sorted by `ts`: a new event is placed at the tail and
 * shifted back past later ones, so out-of-order input (Zeek writes conn.log
 * rows when connections end) costs one shift per event it overtakes.
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
  /** Destination port of each slot. */
  port!: Uint16Array;
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
  readonly #max: number;

  /** @param max capacity, rounded up to a power of two (at least 4). */
  constructor(max: number, initial = 8) {
    let m = 4;
    while (m < max) m <<= 1;
    this.#max = m;
    const cap = Math.min(m, Math.max(4, initial));
    this.#columns(cap);
    this.dst = new Array<string>(cap).fill('');
    this.name = new Array<string>(cap).fill('');
    this.uid = new Array<string>(cap).fill('');
    this.#mask = cap - 1;
  }

  /**
   * The numeric columns for `cap` slots: four views of one ArrayBuffer (37
   * bytes a slot, widest first so every view is aligned); columns of one
   * type share a view, strided. Each typed-array view costs ~100 bytes of
   * heap before any data, and every host has a ring: nine views of their
   * own were ~470 B a host more than these four.
   */
  #columns(cap: number): void {
    const b = new ArrayBuffer(cap * 37);
    this.ts = new Float64Array(b, 0, cap);
    this.num = new Float64Array(b, cap * 8, cap * NUM);
    this.port = new Uint16Array(b, cap * 32, cap);
    this.small = new Uint8Array(b, cap * 34, cap * SMALL);
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

  /** Physical slot of the i-th oldest event. */
  slot(i: number): number {
    return (this.#start + i) & this.#mask;
  }

  /** Timestamp of the oldest event (NaN when empty). */
  oldestTs(): number {
    return this.#size === 0 ? NaN : this.ts[this.#start]!;
  }

  /** Timestamp of the newest event (NaN when empty). */
  newestTs(): number {
    return this.#size === 0 ? NaN : this.ts[(this.#start + this.#size - 1) & this.#mask]!;
  }

  /** Index (0 = oldest) of the first event with ts >= t; `size` when none. Binary search. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[(this.#start + mid) & this.#mask]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drop the oldest event. */
  shift(): void {
    if (this.#size === 0) return;
    this.dst[this.#start] = '';
    this.name[this.#start] = '';
    this.uid[this.#start] = '';
    this.#start = (this.#start + 1) & this.#mask;
    this.#size--;
  }

  /**
   * Insert an event in time order. When the ring is full the caller must
   * first make room with {@link shift} (after evaluating the oldest event).
   * Returns the event's slot; its flow columns (protocol, bytes, `uid`)
   * start at their sentinels for the caller to fill ({@link setFlow}).
   */
  insert(ts: number, band: number, port: number, flags: number, dst: string, name: string): number {
    if (this.#size === this.#mask + 1) {
      if (this.#size === this.#max) throw new RangeError('EventRing full: shift() first');
      this.#grow();
    }
    const mask = this.#mask;
    const t = this.ts;
    const n = this.num;
    const sm = this.small;
    let i = this.#size;
    // shift later events forward by one
    while (i > 0) {
      const prev = (this.#start + i - 1) & mask;
      if (t[prev]! <= ts) break;
      const cur = (this.#start + i) & mask;
      t[cur] = t[prev]!;
      this.port[cur] = this.port[prev]!;
      const cn = cur * NUM;
      const pn = prev * NUM;
      n[cn] = n[pn]!;
      n[cn + 1] = n[pn + 1]!;
      n[cn + 2] = n[pn + 2]!;
      const cs = cur * SMALL;
      const ps = prev * SMALL;
      sm[cs] = sm[ps]!;
      sm[cs + 1] = sm[ps + 1]!;
      sm[cs + 2] = sm[ps + 2]!;
      this.dst[cur] = this.dst[prev]!;
      this.name[cur] = this.name[prev]!;
      this.uid[cur] = this.uid[prev]!;
      i--;
    }
    const s = (this.#start + i) & mask;
    t[s] = ts;
    this.port[s] = port;
    sm[s * SMALL + S_BAND] = band;
    sm[s * SMALL + S_FLAGS] = flags;
    sm[s * SMALL + S_PROTO] = 0;
    n[s * NUM + N_ORIG] = -1;
    n[s * NUM + N_ORIG_IP] = -1;
    n[s * NUM + N_RESP] = -1;
    this.dst[s] = dst;
    this.name[s] = name;
    this.uid[s] = '';
    this.#size++;
    return s;
  }

  #grow(): void {
    const cap = (this.#mask + 1) * 2;
    const { ts, num, port, small } = this;
    const dst = new Array<string>(cap).fill('');
    const name = new Array<string>(cap).fill('');
    const uid = new Array<string>(cap).fill('');
    this.#columns(cap);
    for (let i = 0; i < this.#size; i++) {
      const s = (this.#start + i) & this.#mask;
      this.ts[i] = ts[s]!;
      this.port[i] = port[s]!;
      for (let k = 0; k < NUM; k++) this.num[i * NUM + k] = num[s * NUM + k]!;
      for (let k = 0; k < SMALL; k++) this.small[i * SMALL + k] = small[s * SMALL + k]!;
      dst[i] = this.dst[s]!;
      name[i] = this.name[s]!;
      uid[i] = this.uid[s]!;
    }
    this.dst = dst;
    this.name = name;
    this.uid = uid;
    this.#start = 0;
    this.#mask = cap - 1;
  }
}
