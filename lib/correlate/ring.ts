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

export class EventRing {
  ts!: Float64Array;
  band!: Uint8Array;
  port!: Uint16Array;
  flags!: Uint8Array;
  /** Destination address of each event. */
  dst: string[];
  /** Server name (SNI / Host) when the source knew it, else ''. */
  name: string[];
  /** IP protocol number ({@link ProtoNum}), 0 when unknown. */
  proto!: Uint8Array;
  /** Originator payload bytes, -1 when unknown. */
  origBytes!: Float64Array;
  /** Originator IP-level bytes, -1 when unknown. */
  origIpBytes!: Float64Array;
  /** Responder payload bytes, -1 when unknown. */
  respBytes!: Float64Array;
  /** Seconds, -1 when unknown. */
  duration!: Float32Array;
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
   * The numeric columns for `cap` slots: views of one ArrayBuffer (41 bytes a
   * slot, widest columns first so every view is aligned). Nine typed arrays
   * of their own cost a host ~1 KB more in ArrayBuffer objects and element
   * headers before any event; one buffer costs one.
   */
  #columns(cap: number): void {
    const b = new ArrayBuffer(cap * 41);
    this.ts = new Float64Array(b, 0, cap);
    this.origBytes = new Float64Array(b, cap * 8, cap);
    this.origIpBytes = new Float64Array(b, cap * 16, cap);
    this.respBytes = new Float64Array(b, cap * 24, cap);
    this.duration = new Float32Array(b, cap * 32, cap);
    this.port = new Uint16Array(b, cap * 36, cap);
    this.band = new Uint8Array(b, cap * 38, cap);
    this.flags = new Uint8Array(b, cap * 39, cap);
    this.proto = new Uint8Array(b, cap * 40, cap);
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
   * Returns the event's slot; its flow columns (`proto`, bytes, `duration`,
   * `uid`) start at their sentinels for the caller to fill.
   */
  insert(ts: number, band: number, port: number, flags: number, dst: string, name: string): number {
    if (this.#size === this.#mask + 1) {
      if (this.#size === this.#max) throw new RangeError('EventRing full: shift() first');
      this.#grow();
    }
    const mask = this.#mask;
    let i = this.#size;
    // shift later events forward by one
    while (i > 0) {
      const prev = (this.#start + i - 1) & mask;
      if (this.ts[prev]! <= ts) break;
      const cur = (this.#start + i) & mask;
      this.ts[cur] = this.ts[prev]!;
      this.band[cur] = this.band[prev]!;
      this.port[cur] = this.port[prev]!;
      this.flags[cur] = this.flags[prev]!;
      this.dst[cur] = this.dst[prev]!;
      this.name[cur] = this.name[prev]!;
      this.proto[cur] = this.proto[prev]!;
      this.origBytes[cur] = this.origBytes[prev]!;
      this.origIpBytes[cur] = this.origIpBytes[prev]!;
      this.respBytes[cur] = this.respBytes[prev]!;
      this.duration[cur] = this.duration[prev]!;
      this.uid[cur] = this.uid[prev]!;
      i--;
    }
    const s = (this.#start + i) & mask;
    this.ts[s] = ts;
    this.band[s] = band;
    this.port[s] = port;
    this.flags[s] = flags;
    this.dst[s] = dst;
    this.name[s] = name;
    this.proto[s] = 0;
    this.origBytes[s] = -1;
    this.origIpBytes[s] = -1;
    this.respBytes[s] = -1;
    this.duration[s] = -1;
    this.uid[s] = '';
    this.#size++;
    return s;
  }

  #grow(): void {
    const cap = (this.#mask + 1) * 2;
    const { ts, band, port, flags, proto, origBytes, origIpBytes, respBytes, duration } = this;
    const dst = new Array<string>(cap).fill('');
    const name = new Array<string>(cap).fill('');
    const uid = new Array<string>(cap).fill('');
    this.#columns(cap);
    for (let i = 0; i < this.#size; i++) {
      const s = (this.#start + i) & this.#mask;
      this.ts[i] = ts[s]!;
      this.band[i] = band[s]!;
      this.port[i] = port[s]!;
      this.flags[i] = flags[s]!;
      dst[i] = this.dst[s]!;
      name[i] = this.name[s]!;
      this.proto[i] = proto[s]!;
      this.origBytes[i] = origBytes[s]!;
      this.origIpBytes[i] = origIpBytes[s]!;
      this.respBytes[i] = respBytes[s]!;
      this.duration[i] = duration[s]!;
      uid[i] = this.uid[s]!;
    }
    this.dst = dst;
    this.name = name;
    this.uid = uid;
    this.#start = 0;
    this.#mask = cap - 1;
  }
}
