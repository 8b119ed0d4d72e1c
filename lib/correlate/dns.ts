/**
 * One host's own DNS memory: which addresses its recent answers named, and
 * its recent queries. Both bounded.
 *
 * The answer cache links web flows to names: a web destination that came out
 * of this host's own DNS answers is ordinary; one that did not (direct-to-IP)
 * is evidence for multiband C2 (DESIGN §3).
 *
 * @module
 */

/** A count shared by every host's table of one kind (query slots, names), so the total stays bounded. */
export interface AnswerBudget {
  used: number;
  readonly max: number;
}

// Per-answer numbers in the slab, one stride of doubles per slot.
const A_FIRST = 0; // stream time of the first answer holding the address (any name)
const A_LAST = 1; // ... and of the latest
const A_TTL = 2; // TTL of the latest answer, seconds
const A_SINCE = 3; // when `name` first answered with this address (a CDN address is answered for several names over time)
const A_STRIDE = 4;

/**
 * Every host's DNS answers in one set of typed arrays, and the shared bound
 * on how many there are (`max`, the engine's `maxAnswers`).
 *
 * An answer used to be a JS object of eight fields with five boxed doubles,
 * ~170 B before its Map entry; here it is a slot: four doubles, two string
 * references and a free-list link (52 B). (The object also kept the previous
 * name's last answer and TTL, which nothing read.) Slots are handed out from
 * a free list; the arrays grow by doubling while `used` rises and never
 * beyond `max` slots, and never shrink (their size is the high-water mark of
 * answers held at once).
 */
export class AnswerSlab implements AnswerBudget {
  /** Answers held over all hosts. */
  used = 0;
  readonly max: number;
  d: Float64Array;
  /** Query name of the latest answer holding the address. */
  name: string[];
  /** The name answered before `name` ('' when none): flows before `since` belong to it. */
  prevName: string[];
  #next: Int32Array;
  #free = -1;
  #top = 0;

  constructor(max: number, initial = 1024) {
    this.max = max;
    const cap = Math.max(1, Math.min(initial, Number.isFinite(max) ? max : initial));
    this.d = new Float64Array(cap * A_STRIDE);
    this.name = new Array<string>(cap).fill('');
    this.prevName = new Array<string>(cap).fill('');
    this.#next = new Int32Array(cap);
  }

  /** Slots the arrays hold (used or free). */
  get capacity(): number {
    return this.#next.length;
  }

  /** Bytes of the typed arrays and string-reference arrays. */
  get bytes(): number {
    return this.d.byteLength + this.#next.byteLength + this.capacity * 16;
  }

  /** A free slot (the caller has checked `used < max`). */
  alloc(): number {
    this.used++;
    if (this.#free >= 0) {
      const s = this.#free;
      this.#free = this.#next[s]!;
      return s;
    }
    if (this.#top === this.#next.length) this.#grow();
    return this.#top++;
  }

  free(s: number): void {
    this.used--;
    this.name[s] = '';
    this.prevName[s] = '';
    this.#next[s] = this.#free;
    this.#free = s;
  }

  #grow(): void {
    const old = this.#next.length;
    const cap = Math.max(old + 1, Math.min(old * 2, Number.isFinite(this.max) ? this.max : old * 2));
    const d = new Float64Array(cap * A_STRIDE);
    d.set(this.d);
    this.d = d;
    const next = new Int32Array(cap);
    next.set(this.#next);
    this.#next = next;
    for (let i = old; i < cap; i++) {
      this.name.push('');
      this.prevName.push('');
    }
  }
}

/**
 * address → the name that resolved to it. Bounded twice: at most `max`
 * addresses for this host, and all hosts together at most the slab's `max`.
 * When either is reached, this host's least recently answered address goes
 * (a Map keeps insertion order, and a refresh re-inserts), so a busy host
 * pays for its own answers. Expired entries are dropped by {@link prune}.
 */
export class AnswerCache {
  readonly #map = new Map<string, number>();
  readonly #max: number;
  readonly #slab: AnswerSlab;
  /** Entries pushed out by a bound. */
  evicted = 0;

  constructor(max: number, slab: AnswerSlab = new AnswerSlab(Infinity)) {
    this.#max = max;
    this.#slab = slab;
  }

  /**
   * Drop answers no flow at or after `now` can use any more (last answer +
   * TTL + `grace` before `now`), oldest first, at most `maxScan` entries a
   * call so a sweep stays cheap. Returns how many were dropped. Without it the
   * cache fills to its bounds over a long input; with it, it holds about the
   * last TTL's worth of answers.
   */
  prune(now: number, grace: number, maxScan = 512): number {
    const slab = this.#slab;
    const d = slab.d;
    let dropped = 0;
    let scanned = 0;
    for (const [address, s] of this.#map) {
      const o = s * A_STRIDE;
      const last = d[o + A_LAST]!;
      // Insertion order is refresh order: from here on every entry was answered after this one.
      if (last + grace >= now || ++scanned > maxScan) break;
      if (last + Math.max(d[o + A_TTL]!, 0) + grace < now) {
        this.#map.delete(address);
        slab.free(s);
        dropped++;
      }
    }
    return dropped;
  }

  /** Give this cache's entries back to the shared slab (the host is going away). */
  release(): void {
    for (const s of this.#map.values()) this.#slab.free(s);
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }

  /** Remember that `name` resolved to `address` at `ts` with `ttl`. */
  add(address: string, name: string, ts: number, ttl: number): void {
    const slab = this.#slab;
    const old = this.#map.get(address);
    if (old !== undefined) {
      const d = slab.d;
      const o = old * A_STRIDE;
      this.#map.delete(address);
      if (name !== slab.name[old]) {
        // Another name for the same address (shared CDN addresses): keep the previous one
        // so that flows before this answer still get the name they were resolved by.
        slab.prevName[old] = slab.name[old]!;
        slab.name[old] = name;
        d[o + A_SINCE] = ts;
      }
      if (ts < d[o + A_FIRST]!) d[o + A_FIRST] = ts;
      if (ts > d[o + A_LAST]!) d[o + A_LAST] = ts;
      d[o + A_TTL] = ttl;
      this.#map.set(address, old);
      return;
    }
    if (this.#map.size >= this.#max || slab.used >= slab.max) {
      if (this.#map.size === 0) {
        this.evicted++; // the shared budget is spent by other hosts: this answer is not kept
        return;
      }
      const [oldest, s] = this.#map.entries().next().value as [string, number];
      this.#map.delete(oldest);
      slab.free(s);
      this.evicted++;
    }
    const s = slab.alloc();
    const d = slab.d;
    const o = s * A_STRIDE;
    d[o + A_FIRST] = ts;
    d[o + A_LAST] = ts;
    d[o + A_TTL] = ttl;
    d[o + A_SINCE] = ts;
    slab.name[s] = name;
    slab.prevName[s] = '';
    this.#map.set(address, s);
  }

  /**
   * The name `address` was resolved by for a flow at `ts`, if a client could
   * still have used an answer then: answered no later than `ts + slack`, and
   * not expired (last answer + TTL + `grace`) before `ts`. When the address
   * was answered for another name later, the earlier name is the one valid at
   * `ts`, however long ago it was answered (flows reach the rules up to the
   * reorder window late, after later answers have come in).
   */
  lookup(address: string, ts: number, slack: number, grace: number): string | undefined {
    const s = this.#map.get(address);
    if (s === undefined) return undefined;
    const slab = this.#slab;
    const d = slab.d;
    const o = s * A_STRIDE;
    if (d[o + A_FIRST]! > ts + slack) return undefined;
    if (d[o + A_LAST]! + Math.max(d[o + A_TTL]!, 0) + grace < ts) return undefined;
    // The current name was first answered after this flow started: the flow was resolved by the earlier one.
    if (d[o + A_SINCE]! > ts + slack) return slab.prevName[s] !== '' ? slab.prevName[s] : undefined;
    return slab.name[s];
  }
}

/**
 * A bounded ring of one host's recent DNS queries, oldest first. Starts
 * small and doubles up to `max`, so hosts that rarely query stay cheap.
 */
export class QueryRing {
  ts: Float64Array;
  /** Per slot: qtype, then rcode (-1 unanswered); read through {@link qtypeAt} / {@link rcodeAt}. */
  codes: Int32Array;
  query: string[];
  readonly #max: number;
  readonly #budget: AnswerBudget;
  #cap: number;
  #start = 0;
  #size = 0;

  /**
   * `budget` counts ring slots over every host's ring: a ring grows only
   * while the total stays within it; past it, it overwrites its oldest query.
   */
  constructor(max: number, initial = 4, budget: AnswerBudget = { used: 0, max: Infinity }) {
    this.#max = Math.max(1, Math.floor(max));
    this.#budget = budget;
    this.#cap = Math.min(this.#max, initial);
    budget.used += this.#cap;
    [this.ts, this.codes] = columns(this.#cap);
    this.query = new Array<string>(this.#cap).fill('');
  }

  get size(): number {
    return this.#size;
  }

  /** Physical slot of the i-th oldest query. */
  slot(i: number): number {
    return (this.#start + i) % this.#cap;
  }

  /** DNS query type of slot `s`. */
  qtypeAt(s: number): number {
    return this.codes[s * 2]!;
  }

  /** Response code of slot `s`, -1 when unanswered. */
  rcodeAt(s: number): number {
    return this.codes[s * 2 + 1]!;
  }

  /** Append (the oldest is overwritten when at `max`). Queries are kept in arrival order. */
  push(ts: number, query: string, qtype: number, rcode: number): void {
    if (this.#size === this.#cap && this.#cap < this.#max && this.#budget.used + Math.min(this.#max, this.#cap * 2) - this.#cap <= this.#budget.max) this.#grow();
    let s: number;
    if (this.#size < this.#cap) {
      s = (this.#start + this.#size) % this.#cap;
      this.#size++;
    } else {
      s = this.#start;
      this.#start = (this.#start + 1) % this.#cap;
    }
    this.ts[s] = ts;
    this.query[s] = query;
    this.codes[s * 2] = qtype;
    this.codes[s * 2 + 1] = rcode;
  }

  /** Give the ring's slots back to the shared budget (the host is going away). */
  release(): void {
    this.#budget.used -= this.#cap;
    this.#cap = 0;
    this.#size = 0;
  }

  #grow(): void {
    const cap = Math.min(this.#max, this.#cap * 2);
    this.#budget.used += cap - this.#cap;
    const [ts, codes] = columns(cap);
    const query = new Array<string>(cap).fill('');
    for (let i = 0; i < this.#size; i++) {
      const s = this.slot(i);
      ts[i] = this.ts[s]!;
      codes[i * 2] = this.codes[s * 2]!;
      codes[i * 2 + 1] = this.codes[s * 2 + 1]!;
      query[i] = this.query[s]!;
    }
    this.ts = ts;
    this.codes = codes;
    this.query = query;
    this.#cap = cap;
    this.#start = 0;
  }
}

/** A query ring's numeric columns: two views of one ArrayBuffer (16 bytes a slot: time, then qtype and rcode side by side). */
function columns(cap: number): [Float64Array, Int32Array] {
  const b = new ArrayBuffer(cap * 16);
  return [new Float64Array(b, 0, cap), new Int32Array(b, cap * 8, cap * 2)];
}
