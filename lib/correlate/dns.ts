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

/** What the cache remembers of one address. */
export interface AnswerEntry {
  /** Query name of the latest answer holding this address. */
  name: string;
  /** Stream time of the first answer holding it (any name), and of the latest. */
  first: number;
  last: number;
  /** TTL of the latest answer, seconds. */
  ttl: number;
  /** When `name` first answered with this address (a CDN address is answered for several names over time). */
  since: number;
  /** The name answered before `name`, and until when ('' when none): flows before `since` belong to it. */
  prevName: string;
  prevLast: number;
  prevTtl: number;
}

/** A count shared by every host's table of one kind (answers, query slots, names), so the total stays bounded. */
export interface AnswerBudget {
  used: number;
  readonly max: number;
}

/**
 * address → the name that resolved to it. Bounded twice: at most `max`
 * addresses for this host, and all hosts together at most the shared
 * budget's `max`. When either is reached, this host's least recently answered
 * address goes (a Map keeps insertion order, and a refresh re-inserts), so a
 * busy host pays for its own answers. Expired entries are dropped on lookup.
 */
export class AnswerCache {
  readonly #map = new Map<string, AnswerEntry>();
  readonly #max: number;
  readonly #budget: AnswerBudget;
  /** Entries pushed out by a bound. */
  evicted = 0;

  constructor(max: number, budget: AnswerBudget = { used: 0, max: Infinity }) {
    this.#max = max;
    this.#budget = budget;
  }

  /**
   * Drop answers no flow at or after `now` can use any more (last answer +
   * TTL + `grace` before `now`), oldest first, at most `maxScan` entries a
   * call so a sweep stays cheap. Returns how many were dropped. Without it the
   * cache fills to its bounds over a long input; with it, it holds about the
   * last TTL's worth of answers.
   */
  prune(now: number, grace: number, maxScan = 512): number {
    let dropped = 0;
    let scanned = 0;
    for (const [address, e] of this.#map) {
      // Insertion order is refresh order: from here on every entry was answered after e.
      if (e.last + grace >= now || ++scanned > maxScan) break;
      if (e.last + Math.max(e.ttl, 0) + grace < now) {
        this.#map.delete(address);
        this.#budget.used--;
        dropped++;
      }
    }
    return dropped;
  }

  /** Give this cache's entries back to the shared budget (the host is going away). */
  release(): void {
    this.#budget.used -= this.#map.size;
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }

  /** Remember that `name` resolved to `address` at `ts` with `ttl`. */
  add(address: string, name: string, ts: number, ttl: number): void {
    const old = this.#map.get(address);
    if (old !== undefined) {
      this.#map.delete(address);
      if (name !== old.name) {
        // Another name for the same address (shared CDN addresses): keep the previous one
        // so that flows before this answer still get the name they were resolved by.
        old.prevName = old.name;
        old.prevLast = old.last;
        old.prevTtl = old.ttl;
        old.name = name;
        old.since = ts;
      }
      if (ts < old.first) old.first = ts;
      if (ts > old.last) old.last = ts;
      old.ttl = ttl;
      this.#map.set(address, old);
      return;
    }
    if (this.#map.size >= this.#max || this.#budget.used >= this.#budget.max) {
      if (this.#map.size === 0) {
        this.evicted++; // the shared budget is spent by other hosts: this answer is not kept
        return;
      }
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
      this.#budget.used--;
      this.evicted++;
    }
    this.#map.set(address, { name, first: ts, last: ts, ttl, since: ts, prevName: '', prevLast: -Infinity, prevTtl: 0 });
    this.#budget.used++;
  }

  /**
   * The name `address` was resolved by for a flow at `ts`, if a client could
   * still have used an answer then: answered no later than `ts + slack`, and
   * not expired (last answer + TTL + `grace`) before `ts`. When the address
   * was answered for another name later, the earlier name is the one valid at
   * `ts`, however long ago it was answered (flows reach the rules up to the
   * reorder window late, after later answers have come in).
   */
  lookup(address: string, ts: number, slack: number, grace: number): { readonly name: string } | undefined {
    const e = this.#map.get(address);
    if (e === undefined) return undefined;
    if (e.first > ts + slack) return undefined;
    if (e.last + Math.max(e.ttl, 0) + grace < ts) return undefined;
    // The current name was first answered after this flow started: the flow was resolved by the earlier one.
    if (e.since > ts + slack) return e.prevName !== '' ? { name: e.prevName } : undefined;
    return e;
  }
}

/**
 * A bounded ring of one host's recent DNS queries, oldest first. Starts
 * small and doubles up to `max`, so hosts that rarely query stay cheap.
 */
export class QueryRing {
  ts: Float64Array;
  qtype: Int32Array;
  rcode: Int16Array;
  query: string[];
  resolver: string[];
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
    this.ts = new Float64Array(this.#cap);
    this.qtype = new Int32Array(this.#cap);
    this.rcode = new Int16Array(this.#cap);
    this.query = new Array<string>(this.#cap).fill('');
    this.resolver = new Array<string>(this.#cap).fill('');
  }

  get size(): number {
    return this.#size;
  }

  /** Physical slot of the i-th oldest query. */
  slot(i: number): number {
    return (this.#start + i) % this.#cap;
  }

  /** Append (the oldest is overwritten when at `max`). Queries are kept in arrival order. */
  push(ts: number, query: string, qtype: number, rcode: number, resolver: string): void {
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
    this.qtype[s] = qtype;
    this.rcode[s] = rcode;
    this.resolver[s] = resolver;
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
    const ts = new Float64Array(cap);
    const qtype = new Int32Array(cap);
    const rcode = new Int16Array(cap);
    const query = new Array<string>(cap).fill('');
    const resolver = new Array<string>(cap).fill('');
    for (let i = 0; i < this.#size; i++) {
      const s = this.slot(i);
      ts[i] = this.ts[s]!;
      qtype[i] = this.qtype[s]!;
      rcode[i] = this.rcode[s]!;
      query[i] = this.query[s]!;
      resolver[i] = this.resolver[s]!;
    }
    this.ts = ts;
    this.qtype = qtype;
    this.rcode = rcode;
    this.query = query;
    this.resolver = resolver;
    this.#cap = cap;
    this.#start = 0;
  }
}
