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

import { fmix32 } from '../../flow/hash.js';

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
  readonly #budget: SlotBudget;

  constructor(key: number | string, kind: PairKind, name: string, dst: string, port: number, proto: number, max: number, budget: SlotBudget = unbounded()) {
    this.key = key;
    this.kind = kind;
    this.name = name;
    this.dst = dst;
    this.port = port;
    this.proto = proto;
    this.#max = max;
    this.#budget = budget;
    this.#cap = Math.min(8, max);
    this.#ring = new Float64Array(this.#cap * 2);
    budget.used += this.#cap;
  }

  /** Ring slots held (connections the ring can hold before it grows or overwrites). */
  get capacity(): number {
    return this.#cap;
  }

  /** Give the ring's slots back to the budget (the pair is being dropped). */
  release(): void {
    this.#budget.used -= this.#cap;
    this.#cap = 0;
    this.#n = 0;
    this.#head = 0;
    this.#ring = EMPTY;
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
    // Lists are rebuilt at their exact size: a push would give a small array room for 17.
    if (dst !== this.dst) {
      const m = this.#moreDsts;
      if (m === undefined) this.#moreDsts = [dst];
      else if (m.length < LIST_CAP - 1 && !m.includes(dst)) this.#moreDsts = [...m, dst];
    }
    if (port !== this.port) {
      const m = this.#morePorts;
      if (m === undefined) this.#morePorts = [port];
      else if (m.length < LIST_CAP - 1 && !m.includes(port)) this.#morePorts = [...m, port];
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
      if (this.#cap < this.#max && this.#budget.used + Math.min(this.#max, this.#cap * 2) - this.#cap <= this.#budget.max) this.#grow();
      else {
        if (this.#cap < this.#max) this.#budget.refused++;
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
        this.#hours = [0];
        this.#hour(this.start);
      }
      this.#hour(ts);
    }
  }

  #hour(ts: number): void {
    const h = Math.floor((ts - this.start) / 3600);
    if (h < 0) return;
    const w = (h / 30) | 0;
    let hours = this.#hours!;
    if (hours.length <= w) {
      // Exact size (one word per 30 hours): rare, only windows longer than 30 h grow it.
      const grown = new Array<number>(w + 1).fill(0);
      for (let i = 0; i < hours.length; i++) grown[i] = hours[i]!;
      this.#hours = hours = grown;
    }
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
    this.#budget.used += cap - this.#cap;
    this.#ring = ring;
    this.#cap = cap;
    this.#head = 0;
  }
}

const EMPTY = new Float64Array(0);

/**
 * Ring slots shared by every pair of one rule: a ring grows only while the
 * total stays within `max`, so `maxConnsPerPair` × `maxPairs` never becomes
 * the ceiling. A ring refused growth overwrites its oldest connection, as a
 * full ring does (`overflow`), and the refusal is counted.
 */
export interface SlotBudget {
  used: number;
  max: number;
  refused: number;
}

function unbounded(): SlotBudget {
  return { used: 0, max: Infinity, refused: 0 };
}

/**
 * First sightings: a destination a host has reached once is not yet a
 * {@link Pair}. Most destinations are reached once or twice and never beacon,
 * and a Pair (object, ring, key, table entry) costs a few hundred bytes; a
 * sighting costs 32 bytes in one table allocated up front, so this memory is
 * fixed whatever the input. The second connection to the same destination
 * makes the Pair and replays the first into it.
 *
 * Direct-mapped on a 32-bit hash of (host, key), with a second 32-bit hash
 * to check: a sighting overwritten by another before its destination comes
 * back is lost (counted in `overwritten`): that destination then needs one
 * more connection to become a pair, which a beacon (10 check-ins and more)
 * does not notice.
 */
export class Sightings {
  readonly #mask: number;
  readonly #h1: Uint32Array;
  readonly #h2: Uint32Array;
  readonly #num: Float64Array; // ts, size, orig bytes, resp bytes per slot
  /** Sightings stored, promoted to pairs, and lost to a later one in the same slot. */
  stored = 0;
  promoted = 0;
  overwritten = 0;

  /** `slots` is rounded up to a power of two. */
  constructor(slots: number) {
    let n = 1;
    while (n < slots) n *= 2;
    this.#mask = n - 1;
    this.#h1 = new Uint32Array(n);
    this.#h2 = new Uint32Array(n);
    this.#num = new Float64Array(n * 4);
  }

  get slots(): number {
    return this.#mask + 1;
  }

  /**
   * Look the destination up. Seen before: its first connection is copied
   * into `out` (ts, size, orig bytes, resp bytes), the slot freed, and true
   * returned. Not seen: this connection is stored and false returned.
   */
  take(hostHash: number, key: number | string, ts: number, size: number, ob: number, rb: number, out: Float64Array): boolean {
    const a = keyHash(hostHash, key, 0x9e3779b1);
    const b = keyHash(hostHash, key, 0x85ebca77) | 1; // never 0: 0 marks an empty slot
    const i = a & this.#mask;
    const n = this.#num;
    if (this.#h1[i] === a >>> 0 && this.#h2[i] === b >>> 0) {
      out[0] = n[i * 4]!;
      out[1] = n[i * 4 + 1]!;
      out[2] = n[i * 4 + 2]!;
      out[3] = n[i * 4 + 3]!;
      this.#h2[i] = 0;
      this.stored--;
      this.promoted++;
      return true;
    }
    if (this.#h2[i] !== 0) this.overwritten++;
    else this.stored++;
    this.#h1[i] = a >>> 0;
    this.#h2[i] = b >>> 0;
    n[i * 4] = ts;
    n[i * 4 + 1] = size;
    n[i * 4 + 2] = ob;
    n[i * 4 + 3] = rb;
    return false;
  }
}

/** A 32-bit hash of a string (FNV-1a, then fmix32). */
export function stringHash(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

function keyHash(hostHash: number, key: number | string, seed: number): number {
  if (typeof key === 'string') return fmix32((stringHash(key, seed) ^ hostHash) >>> 0);
  // Numeric keys reach 2^50: fold the high part in.
  const hi = Math.floor(key / 4294967296);
  return fmix32((fmix32(((key >>> 0) ^ seed) >>> 0) ^ Math.imul(hi + 1, 0x27d4eb2d) ^ hostHash) >>> 0);
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
  /** Hash of the host's address for the sightings table, -1 until first needed. */
  hostHash: number;
}
