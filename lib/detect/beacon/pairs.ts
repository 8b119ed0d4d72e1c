/**
 * Per-host beacon state: one {@link Pair} per destination (address, port
 * and protocol; or server name), in a bounded table.
 *
 * A pair is one Float64Array ring of its latest connections (time and the
 * size the mode scores on, interleaved), grown by doubling from 8 up to
 * `maxConnsPerPair`, plus an hourly presence bitmap over its window and
 * exact counts and byte sums; nothing grows with the input past those bounds.
 * One typed array per pair, not one per column: at 100 000 pairs the
 * per-object overhead of typed arrays is most of the memory.
 *
 * ```
 *   head ──┐                  ┌── (head + n) % cap
 *          v                  v
 *   [ . . | t0 s0 | t1 s1 | t2 s2 | . . ]   oldest → newest; a full ring overwrites t0
 * ```
 *
 * @module
 */

/** How a pair is keyed. */
export const PairKind = { Address: 0, Name: 1 } as const;
export type PairKind = (typeof PairKind)[keyof typeof PairKind];

const LIST_CAP = 8;

export class Pair {
  readonly key: number | string;
  readonly kind: PairKind;
  /** Server name (name pairs), '' for address pairs. */
  readonly name: string;
  /** First destination address and port seen; more in the lists below (≤ 8 each). */
  readonly dst: string;
  readonly port: number;
  #moreDsts: string[] | undefined;
  #morePorts: number[] | undefined;
  proto: number;
  /** Some connection went through a proxy (CONNECT). */
  proxied = false;
  /** Some connection was named by TLS SNI / HTTP Host (rather than only by the host's DNS answers). */
  named = false;

  // ---- current window ----
  /** Window start (stream seconds), NaN when no window is open. */
  start = NaN;
  /** Window length, seconds (doubles for slow beacons). */
  win = 0;
  first = NaN;
  last = NaN;
  /** Connections accepted in the window (exact, past the ring). */
  count = 0;
  /** Failed connections dropped in the window. */
  failed = 0;
  bytesOut = 0;
  bytesIn = 0;
  /** Connections whose originator / responder bytes were known. */
  knownOut = 0;
  knownIn = 0;
  /** Ring overwrote an entry that was still in the window. */
  overflow = false;
  /** Hours of the window with a connection: a bitmap, 30 hours per word (allocated on the 2nd connection). */
  #hours: number[] | undefined;
  /** Findings emitted for this pair (all windows). */
  emitted = 0;
  /** rita mode: name pairs that share connections with this address pair. */
  links: string[] | undefined;
  /** When the rule must look at this pair again (window end or quiet), stream seconds. */
  due = Infinity;
  /** Used since the eviction scan last passed it (CLOCK second chance). */
  ref = false;

  // ---- ring: time and size of each connection, interleaved in one Float64Array ----
  #ring: Float64Array;
  #cap: number;
  #head = 0;
  #n = 0;
  readonly #max: number;

  constructor(key: number | string, kind: PairKind, name: string, dst: string, port: number, proto: number, max: number) {
    this.key = key;
    this.kind = kind;
    this.name = name;
    this.dst = dst;
    this.port = port;
    this.proto = proto;
    this.#max = max;
    this.#cap = Math.min(8, max);
    this.#ring = new Float64Array(this.#cap * 2);
  }

  /** Connections in the ring. */
  get size(): number {
    return this.#n;
  }

  /** Time of the i-th oldest connection in the ring. */
  tsAt(i: number): number {
    return this.#ring[((this.#head + i) % this.#cap) * 2]!;
  }

  /** Size (bytes, -1 unknown) of the i-th oldest connection in the ring. */
  sizeAt(i: number): number {
    return this.#ring[((this.#head + i) % this.#cap) * 2 + 1]!;
  }

  /** Destination addresses seen (≤ 8). */
  get dsts(): string[] {
    return this.#moreDsts === undefined ? [this.dst] : [this.dst, ...this.#moreDsts];
  }

  /** Destination ports seen (≤ 8). */
  get ports(): number[] {
    return this.#morePorts === undefined ? [this.port] : [this.port, ...this.#morePorts];
  }

  /** True if `dst` is one of the pair's destination addresses. */
  reaches(dst: string): boolean {
    return dst === this.dst || (this.#moreDsts !== undefined && this.#moreDsts.includes(dst));
  }

  /** Remember a destination address / port (bounded lists). */
  note(dst: string, port: number): void {
    if (dst !== this.dst) {
      const m = (this.#moreDsts ??= []);
      if (m.length < LIST_CAP - 1 && !m.includes(dst)) m.push(dst);
    }
    if (port !== this.port) {
      const m = (this.#morePorts ??= []);
      if (m.length < LIST_CAP - 1 && !m.includes(port)) m.push(port);
    }
  }

  /** Open a window at `ts` (`win` 0: no window, no hour bitmap: rita mode). */
  open(ts: number, win: number): void {
    this.start = ts;
    this.win = win;
    this.first = ts;
    this.last = ts;
  }

  /** Add a connection to the open window: its time, the size the mode scores on, and the byte counts for the sums. */
  push(ts: number, size: number, ob: number, rb: number): void {
    if (this.#n === this.#cap) {
      if (this.#cap < this.#max) this.#grow();
      else {
        this.#head = (this.#head + 1) % this.#cap;
        this.#n--;
        this.overflow = true;
      }
    }
    const s = ((this.#head + this.#n) % this.#cap) * 2;
    this.#ring[s] = ts;
    this.#ring[s + 1] = size;
    this.#n++;
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
    this.count++;
    if (ob >= 0) {
      this.bytesOut += ob;
      this.knownOut++;
    }
    if (rb >= 0) {
      this.bytesIn += rb;
      this.knownIn++;
    }
    if (this.win > 0 && this.count >= 2) {
      if (this.#hours === undefined) {
        this.#hours = [];
        this.#hour(this.start);
      }
      this.#hour(ts);
    }
  }

  #hour(ts: number): void {
    const h = Math.floor((ts - this.start) / 3600);
    if (h < 0) return;
    const w = (h / 30) | 0;
    const hours = this.#hours!;
    while (hours.length <= w) hours.push(0);
    hours[w] = hours[w]! | (1 << (h % 30));
  }

  /** Drop the oldest connection from the ring (rita mode trims to its 24-hour horizon). */
  shift(): void {
    if (this.#n === 0) return;
    this.#head = (this.#head + 1) % this.#cap;
    this.#n--;
  }

  /** Close the window: forget its connections (the ring is kept for the next one). */
  reset(): void {
    this.start = NaN;
    this.win = 0;
    this.first = NaN;
    this.last = NaN;
    this.count = 0;
    this.failed = 0;
    this.bytesOut = 0;
    this.bytesIn = 0;
    this.knownOut = 0;
    this.knownIn = 0;
    this.overflow = false;
    this.#head = 0;
    this.#n = 0;
    this.#hours = undefined;
    this.due = Infinity;
  }

  /** Hours with at least one connection, and the longest run of consecutive such hours. */
  hoursActive(): { active: number; longestRun: number } {
    const h = this.#hours;
    if (h === undefined) return { active: this.count > 0 ? 1 : 0, longestRun: this.count > 0 ? 1 : 0 };
    let active = 0;
    let run = 0;
    let best = 0;
    const last = Math.floor((this.last - this.start) / 3600) + 1;
    for (let i = 0; i < last; i++) {
      if ((h[(i / 30) | 0]! >>> i % 30) & 1) {
        active++;
        run++;
        if (run > best) best = run;
      } else run = 0;
    }
    return { active, longestRun: best };
  }

  #grow(): void {
    const cap = Math.min(this.#max, this.#cap * 2);
    const ring = new Float64Array(cap * 2);
    for (let i = 0; i < this.#n; i++) {
      const s = ((this.#head + i) % this.#cap) * 2;
      ring[i * 2] = this.#ring[s]!;
      ring[i * 2 + 1] = this.#ring[s + 1]!;
    }
    this.#ring = ring;
    this.#cap = cap;
    this.#head = 0;
  }
}

/** `beacon.runs` state for one destination address: the latest `threshold` connection times. */
export class Run {
  readonly dst: string;
  readonly times: number[];
  #i = 0;
  #n = 0;
  /** Open run: its first connection (NaN when none), last connection, and its connections. */
  first = NaN;
  last = NaN;
  inRun = 0;
  /** Connections seen to this address (eviction keeps the busiest). */
  count = 0;
  readonly ports: number[] = [];
  due = Infinity;
  /** Used since the eviction scan last passed it (CLOCK second chance). */
  ref = false;

  constructor(dst: string, threshold: number) {
    this.dst = dst;
    this.times = new Array<number>(threshold).fill(0.5); // doubles from the start: one elements kind
  }

  /** Record a connection; returns the time of the connection `threshold − 1` back (NaN until there are that many). */
  add(ts: number): number {
    const k = this.times.length;
    this.count++;
    this.times[this.#i] = ts;
    this.#i = (this.#i + 1) % k;
    if (this.#n < k) this.#n++;
    return this.#n === k ? this.times[this.#i]! : NaN;
  }

  noteport(port: number): void {
    if (this.ports.length < LIST_CAP && !this.ports.includes(port)) this.ports.push(port);
  }
}

/**
 * Pick the entry to evict from a table in insertion order, CLOCK-style: an
 * entry used since the scan last passed it gets a second chance (moved to the
 * back, its bit cleared); among the first `sample` entries without one, the
 * least active (fewest connections) goes. A touch is one field write, not a
 * Map delete and re-insert. At most 8 × `sample` entries are scanned.
 */
export function clockVictim<K, V extends { ref: boolean; count: number }>(map: Map<K, V>, sample: number): K | undefined {
  let victim: K | undefined;
  let victimCount = Infinity;
  let seen = 0;
  let scanned = 0;
  const limit = 8 * sample;
  for (const [k, v] of map) {
    if (++scanned > limit) break;
    if (v.ref && scanned < limit) {
      v.ref = false;
      map.delete(k);
      map.set(k, v);
      continue;
    }
    if (v.count < victimCount) {
      victim = k;
      victimCount = v.count;
    }
    if (++seen >= sample) break;
  }
  return victim ?? map.keys().next().value;
}

/** One host's beacon state. */
export interface BeaconHostState {
  /** Pairs in insertion order, with CLOCK reference bits (see {@link clockVictim}). */
  pairs: Map<number | string, Pair>;
  runs: Map<string, Run> | undefined;
  /** Earliest `due` of any pair or run: `advance` does nothing before it. */
  deadline: number;
}
