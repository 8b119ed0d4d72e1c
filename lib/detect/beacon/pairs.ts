/**
 * Per-host beacon state: one {@link Pair} per destination (address, port
 * and protocol; or server name), in a bounded table.
 *
 * A pair's numbers live in one {@link PairStore} shared by every pair of a
 * rule: a block of 8 header doubles (window start and length, first and last
 * connection, byte sums, due time) followed by the ring of its latest
 * connections (time and the size the mode scores on, interleaved), grown by
 * doubling from 4 up to `maxConnsPerPair`. The Pair object keeps only small
 * integers, flags and shared strings. At 100 000 pairs a typed array per
 * pair, or a double field (a boxed number in V8), costs more than the data.
 *
 * ```
 *   store.d:  … | start win first last out in due · | t0 s0 | t1 s1 | t2 s2 | . . | …
 *                 ^ off                              ^ off + 8: ring, head → (head + n) % cap
 * ```
 *
 * @module
 */

import { fmix32 } from '../../flow/hash.js';

/** How a pair is keyed. */
export const PairKind = { Address: 0, Name: 1 } as const;
export type PairKind = (typeof PairKind)[keyof typeof PairKind];

const LIST_CAP = 8;

// A pair row's R_BITS: IP protocol in the low byte, then the kind and the flags.
const B_PROTO = 0xff;
const B_NAME = 1 << 8;
const B_PROXIED = 1 << 9;
const B_NAMED = 1 << 10;
const B_OVERFLOW = 1 << 11;
const B_REF = 1 << 12;

/** Header doubles of a pair's block, then its ring. */
const HEADER = 8;
const H_START = 0;
const H_WIN = 1;
const H_FIRST = 2;
const H_LAST = 3;
const H_OUT = 4;
const H_IN = 5;
const H_DUE = 6;
/** Ring slots a new pair starts with (a pair is made on its second connection). */
const MIN_CAP = 4;

/** A pair's small numbers: one row of {@link PairStore.rows} (Int32, stride ROW). */
const ROW = 13;
const R_PORT = 0;
const R_BITS = 1;
const R_COUNT = 2;
const R_FAILED = 3;
const R_KOUT = 4;
const R_KIN = 5;
const R_HOURS0 = 6;
const R_EMITTED = 7;
const R_OFF = 8;
const R_ENTRY = 9;
const R_CAP = 10;
const R_HEAD = 11;
const R_N = 12;

/** What few pairs need: more destinations and ports, hour words past the first 30 hours, rita's links. */
interface PairMore {
  dsts?: string[];
  ports?: number[];
  hours?: number[];
  links?: string[];
}

/**
 * Storage for every pair of one rule.
 *
 * A pair's small numbers (port, flags, counts, where its block is) are one
 * row of an Int32Array, and its strings one slot of three arrays; rows are
 * reused from a free list and the columns grow by doubling, so they never
 * hold more rows than the most pairs live at once. The Pair object itself
 * keeps only its key, the store and its row: at 100 000 pairs a JS object
 * of 20 fields (184 bytes of heap, traced by every full GC) costs more than
 * its data.
 *
 * The doubles (window header and ring) are blocks of one Float64Array
 * (bump allocation), compacted in place when the end is reached, grown by
 * half when live blocks fill more than three quarters of it after a
 * compaction, cut to twice them when they fill less than an eighth.
 *
 * Ring slots are budgeted: a ring grows only while the total stays within
 * `max` (`maxRingSlots`), so `maxConnsPerPair` × `maxPairs` never becomes the
 * ceiling. A ring refused growth overwrites its oldest connection, as a full
 * ring does (the pair's `overflow`), and the refusal is counted. The array
 * holds at most twice the live blocks, and the live blocks at most
 * 16 × (`maxRingSlots` + 4 × pairs) + 64 × pairs bytes.
 */
export class PairStore {
  /** Ring slots held by live pairs. */
  used = 0;
  /** Growths refused by the budget. */
  refused = 0;
  /** Compactions run (each moves the live blocks to the front). */
  compactions = 0;
  readonly max: number;
  readonly maxConns: number;
  /** The blocks; replaced when the store grows or shrinks (pairs read it through the store). */
  d: Float64Array;
  /** @internal Pair rows (stride ROW); replaced when they grow. */
  rows: Int32Array;
  /** @internal Per row: server name, first destination, and the rare extras. */
  names: string[];
  dsts: string[];
  more: (PairMore | undefined)[];
  #rowTop = 0;
  readonly #rowHint: number;
  readonly #freeRows: number[] = [];
  #top = 0;
  #live = 0;
  /** Blocks in address order since the last compaction: owner (undefined once it moved or left) and offset. */
  #owners: (Pair | undefined)[] = [];
  #offs: number[] = [];
  /** Index of the block the last {@link alloc} made (its owner gives it to {@link free}). */
  entry = -1;

  /**
   * `rowHint`: the pairs the rule keeps at most (`maxPairs`); rows double up
   * to it, then past it only if more pairs are alive (rita mode keeps evicted
   * pairs until the end of input).
   */
  constructor(maxRingSlots = Infinity, maxConnsPerPair = 1024, initialDoubles = 4096, initialRows = 64, rowHint = Infinity) {
    this.max = maxRingSlots;
    this.maxConns = maxConnsPerPair;
    this.#rowHint = rowHint;
    this.d = new Float64Array(initialDoubles);
    this.rows = new Int32Array(initialRows * ROW);
    this.names = new Array<string>(initialRows).fill('');
    this.dsts = new Array<string>(initialRows).fill('');
    this.more = new Array<PairMore | undefined>(initialRows).fill(undefined);
  }

  /** Bytes of the block array. */
  get bytes(): number {
    return this.d.byteLength;
  }

  /** Bytes of the pair rows (their numbers; the strings are shared). */
  get rowBytes(): number {
    return this.rows.byteLength;
  }

  /** Doubles in live blocks. */
  get liveDoubles(): number {
    return this.#live;
  }

  /** Rows held (live pairs plus free rows). */
  get rowCapacity(): number {
    return this.names.length;
  }

  /** @internal A cleared row for a new pair. */
  newRow(): number {
    let r = this.#freeRows.pop();
    if (r === undefined) {
      if (this.#rowTop === this.names.length) this.#growRows();
      r = this.#rowTop++;
    }
    return r;
  }

  /** @internal Row `r` is free again; its strings and extras are dropped. */
  freeRow(r: number): void {
    this.rows.fill(0, r * ROW, r * ROW + ROW);
    this.names[r] = '';
    this.dsts[r] = '';
    this.more[r] = undefined;
    this.#freeRows.push(r);
  }

  #growRows(): void {
    const cur = this.names.length;
    let n = Math.max(64, cur * 2);
    if (cur < this.#rowHint && n > this.#rowHint) n = this.#rowHint;
    const rows = new Int32Array(n * ROW);
    rows.set(this.rows);
    this.rows = rows;
    const old = this.names.length;
    // Exact-size arrays, filled: holes would make them slow dictionary-backed arrays.
    const names = new Array<string>(n).fill('');
    const dsts = new Array<string>(n).fill('');
    const more = new Array<PairMore | undefined>(n).fill(undefined);
    for (let i = 0; i < old; i++) {
      names[i] = this.names[i]!;
      dsts[i] = this.dsts[i]!;
      more[i] = this.more[i];
    }
    this.names = names;
    this.dsts = dsts;
    this.more = more;
  }

  /** A block of `size` doubles for `owner`; returns its offset (and sets {@link entry}). Blocks may move at any later allocation. */
  alloc(owner: Pair, size: number): number {
    if (this.#top + size > this.d.length) this.#make(size);
    const off = this.#top;
    this.#top += size;
    this.#live += size;
    this.entry = this.#owners.length;
    this.#owners.push(owner);
    this.#offs.push(off);
    return off;
  }

  /** Block `entry` of `size` doubles is no longer used (its owner moved or left); the owner is not kept alive by it. */
  free(entry: number, size: number): void {
    this.#owners[entry] = undefined;
    this.#live -= size;
  }

  /** Make room for `size` more doubles: compact, then grow or shrink the array if its fill says so. */
  #make(size: number): void {
    const need = this.#live + size;
    const len = this.d.length;
    let next = len;
    if (need > len * 0.75) next = Math.max(Math.ceil(len * 1.5), need * 2);
    else if (need < len / 8 && len > 4096) next = Math.max(4096, need * 2);
    const src = this.d;
    const dst = next === len ? src : new Float64Array(next);
    const owners = this.#owners;
    const offs = this.#offs;
    const keepOwners: (Pair | undefined)[] = [];
    const keepOffs: number[] = [];
    let top = 0;
    // Blocks are in address order and only move down, so an in-place copy never overwrites a live block.
    for (let i = 0; i < owners.length; i++) {
      const p = owners[i];
      if (p === undefined) continue;
      const off = offs[i]!;
      const n = p.blockSize;
      if (dst !== src) dst.set(src.subarray(off, off + n), top);
      else if (top !== off) dst.copyWithin(top, off, off + n);
      p.moved(top, keepOwners.length);
      keepOwners.push(p);
      keepOffs.push(top);
      top += n;
    }
    this.d = dst;
    this.#owners = keepOwners;
    this.#offs = keepOffs;
    this.#top = top;
    this.compactions++;
  }
}

/** Where released pairs point: reads give NaN and zero, nothing is kept. */
const DEAD = new PairStore(0, 0, HEADER, 1);
DEAD.d.fill(Number.NaN);

export class Pair {
  readonly key: number | string;
  #s: PairStore;
  /** Row in the store (0 of DEAD once released). */
  #r: number;

  constructor(key: number | string, kind: PairKind, name: string, dst: string, port: number, proto: number, store: PairStore) {
    this.key = key;
    this.#s = store;
    const r = store.newRow();
    this.#r = r;
    const rows = store.rows;
    const o = r * ROW;
    rows[o + R_PORT] = port;
    rows[o + R_BITS] = (proto & B_PROTO) | (kind === PairKind.Name ? B_NAME : 0);
    store.names[r] = name;
    store.dsts[r] = dst;
    const cap = Math.min(MIN_CAP, store.maxConns);
    rows[o + R_CAP] = cap;
    rows[o + R_OFF] = store.alloc(this, HEADER + cap * 2);
    // alloc may grow nothing but the block array: the rows array read above is still current.
    rows[o + R_ENTRY] = store.entry;
    store.used += cap;
    this.#clearHeader();
  }

  // ---- row fields ----
  #get(f: number): number {
    return this.#s.rows[this.#r * ROW + f]!;
  }
  #set(f: number, v: number): void {
    this.#s.rows[this.#r * ROW + f] = v;
  }

  /** Server name (name pairs), '' for address pairs. */
  get name(): string {
    return this.#s.names[this.#r]!;
  }
  /** First destination address seen; more in {@link dsts} (≤ 8). */
  get dst(): string {
    return this.#s.dsts[this.#r]!;
  }
  /** First destination port seen; more in {@link ports} (≤ 8). */
  get port(): number {
    return this.#get(R_PORT);
  }
  /** Connections accepted in the window (exact, past the ring). */
  get count(): number {
    return this.#get(R_COUNT);
  }
  set count(v: number) {
    this.#set(R_COUNT, v);
  }
  /** Failed connections dropped in the window. */
  get failed(): number {
    return this.#get(R_FAILED);
  }
  set failed(v: number) {
    this.#set(R_FAILED, v);
  }
  /** Connections whose originator bytes were known. */
  get knownOut(): number {
    return this.#get(R_KOUT);
  }
  set knownOut(v: number) {
    this.#set(R_KOUT, v);
  }
  /** Connections whose responder bytes were known. */
  get knownIn(): number {
    return this.#get(R_KIN);
  }
  set knownIn(v: number) {
    this.#set(R_KIN, v);
  }
  /** Findings emitted for this pair (all windows). */
  get emitted(): number {
    return this.#get(R_EMITTED);
  }
  set emitted(v: number) {
    this.#set(R_EMITTED, v);
  }

  // ---- kind, protocol, flags (bits of the row's R_BITS) ----
  #flag(bit: number, v: boolean): void {
    const b = this.#get(R_BITS);
    this.#set(R_BITS, v ? b | bit : b & ~bit);
  }
  get kind(): PairKind {
    return this.#get(R_BITS) & B_NAME ? PairKind.Name : PairKind.Address;
  }
  /** IP protocol number (the latest connection's). */
  get proto(): number {
    return this.#get(R_BITS) & B_PROTO;
  }
  set proto(v: number) {
    this.#set(R_BITS, (this.#get(R_BITS) & ~B_PROTO) | (v & B_PROTO));
  }
  /** Some connection went through a proxy (CONNECT). */
  get proxied(): boolean {
    return (this.#get(R_BITS) & B_PROXIED) !== 0;
  }
  set proxied(v: boolean) {
    this.#flag(B_PROXIED, v);
  }
  /** Some connection was named by TLS SNI / HTTP Host (rather than only by the host's DNS answers). */
  get named(): boolean {
    return (this.#get(R_BITS) & B_NAMED) !== 0;
  }
  set named(v: boolean) {
    this.#flag(B_NAMED, v);
  }
  /** Ring overwrote an entry that was still in the window. */
  get overflow(): boolean {
    return (this.#get(R_BITS) & B_OVERFLOW) !== 0;
  }
  set overflow(v: boolean) {
    this.#flag(B_OVERFLOW, v);
  }
  /** Used since the eviction scan last passed it (CLOCK second chance). */
  get ref(): boolean {
    return (this.#get(R_BITS) & B_REF) !== 0;
  }
  set ref(v: boolean) {
    this.#flag(B_REF, v);
  }
  /** rita mode: name pairs that share connections with this address pair. */
  get links(): string[] | undefined {
    return this.#s.more[this.#r]?.links;
  }
  set links(v: string[] | undefined) {
    const s = this.#s;
    if (v !== undefined) (s.more[this.#r] ??= {}).links = v;
    else if (s.more[this.#r] !== undefined) delete s.more[this.#r]!.links;
  }

  /** No window: the header as a new pair has it and {@link reset} leaves it. */
  #clearHeader(): void {
    const d = this.#s.d;
    const o = this.#off;
    d[o + H_START] = Number.NaN;
    d[o + H_WIN] = 0;
    d[o + H_FIRST] = Number.NaN;
    d[o + H_LAST] = Number.NaN;
    d[o + H_OUT] = 0;
    d[o + H_IN] = 0;
    d[o + H_DUE] = Infinity;
  }

  get #off(): number {
    return this.#get(R_OFF);
  }

  // ---- current window (header doubles) ----
  /** Window start (stream seconds), NaN when no window is open. */
  get start(): number {
    return this.#s.d[this.#off + H_START]!;
  }
  set start(v: number) {
    this.#s.d[this.#off + H_START] = v;
  }
  /** Window length, seconds (doubles for slow beacons). */
  get win(): number {
    return this.#s.d[this.#off + H_WIN]!;
  }
  set win(v: number) {
    this.#s.d[this.#off + H_WIN] = v;
  }
  get first(): number {
    return this.#s.d[this.#off + H_FIRST]!;
  }
  set first(v: number) {
    this.#s.d[this.#off + H_FIRST] = v;
  }
  get last(): number {
    return this.#s.d[this.#off + H_LAST]!;
  }
  set last(v: number) {
    this.#s.d[this.#off + H_LAST] = v;
  }
  get bytesOut(): number {
    return this.#s.d[this.#off + H_OUT]!;
  }
  set bytesOut(v: number) {
    this.#s.d[this.#off + H_OUT] = v;
  }
  get bytesIn(): number {
    return this.#s.d[this.#off + H_IN]!;
  }
  set bytesIn(v: number) {
    this.#s.d[this.#off + H_IN] = v;
  }
  /** When the rule must look at this pair again (window end or quiet), stream seconds. */
  get due(): number {
    return this.#s.d[this.#off + H_DUE]!;
  }
  set due(v: number) {
    this.#s.d[this.#off + H_DUE] = v;
  }

  /** Ring slots held (connections the ring can hold before it grows or overwrites). */
  get capacity(): number {
    return this.#get(R_CAP);
  }

  /** @internal Doubles of the pair's block. */
  get blockSize(): number {
    return HEADER + this.#get(R_CAP) * 2;
  }

  /** @internal The store moved the block (compaction). */
  moved(off: number, entry: number): void {
    this.#set(R_OFF, off);
    this.#set(R_ENTRY, entry);
  }

  /** Give the block, its ring slots and its row back to the store (the pair is being dropped). */
  release(): void {
    const s = this.#s;
    if (s === DEAD) return;
    const cap = this.#get(R_CAP);
    s.used -= cap;
    s.free(this.#get(R_ENTRY), HEADER + cap * 2);
    s.freeRow(this.#r);
    this.#s = DEAD;
    this.#r = 0;
  }

  /** Connections in the ring. */
  get size(): number {
    return this.#get(R_N);
  }

  /** Time of the i-th oldest connection in the ring. */
  tsAt(i: number): number {
    const o = this.#r * ROW;
    const rows = this.#s.rows;
    return this.#s.d[rows[o + R_OFF]! + HEADER + ((rows[o + R_HEAD]! + i) % rows[o + R_CAP]!) * 2]!;
  }

  /** Size (bytes, -1 unknown) of the i-th oldest connection in the ring. */
  sizeAt(i: number): number {
    const o = this.#r * ROW;
    const rows = this.#s.rows;
    return this.#s.d[rows[o + R_OFF]! + HEADER + ((rows[o + R_HEAD]! + i) % rows[o + R_CAP]!) * 2 + 1]!;
  }

  /** Destination addresses seen (≤ 8). */
  get dsts(): string[] {
    const m = this.#s.more[this.#r]?.dsts;
    return m === undefined ? [this.dst] : [this.dst, ...m];
  }

  /** Destination ports seen (≤ 8). */
  get ports(): number[] {
    const m = this.#s.more[this.#r]?.ports;
    return m === undefined ? [this.port] : [this.port, ...m];
  }

  /** True if `dst` is one of the pair's destination addresses. */
  reaches(dst: string): boolean {
    if (dst === this.dst) return true;
    const m = this.#s.more[this.#r]?.dsts;
    return m !== undefined && m.includes(dst);
  }

  /** Remember a destination address / port (bounded lists). */
  note(dst: string, port: number): void {
    // Lists are rebuilt at their exact size: a push would give a small array room for 17.
    if (dst !== this.dst) {
      const more = (this.#s.more[this.#r] ??= {});
      const m = more.dsts;
      if (m === undefined) more.dsts = [dst];
      else if (m.length < LIST_CAP - 1 && !m.includes(dst)) more.dsts = [...m, dst];
    }
    if (port !== this.port) {
      const more = (this.#s.more[this.#r] ??= {});
      const m = more.ports;
      if (m === undefined) more.ports = [port];
      else if (m.length < LIST_CAP - 1 && !m.includes(port)) more.ports = [...m, port];
    }
  }

  /** Open a window at `ts` (`win` 0: no window, no hour bitmap: rita mode). */
  open(ts: number, win: number): void {
    const d = this.#s.d;
    const o = this.#off;
    d[o + H_START] = ts;
    d[o + H_WIN] = win;
    d[o + H_FIRST] = ts;
    d[o + H_LAST] = ts;
  }

  /** Add a connection to the open window: its time, the size the mode scores on, and the byte counts for the sums. */
  push(ts: number, size: number, ob: number, rb: number): void {
    const s = this.#s;
    const ro = this.#r * ROW;
    let rows = s.rows;
    if (rows[ro + R_N] === rows[ro + R_CAP]) {
      const cap = rows[ro + R_CAP]!;
      if (cap < s.maxConns && s.used + Math.min(s.maxConns, cap * 2) - cap <= s.max) this.#grow();
      else {
        if (cap < s.maxConns) s.refused++;
        rows[ro + R_HEAD] = (rows[ro + R_HEAD]! + 1) % cap;
        rows[ro + R_N]!--;
        this.overflow = true;
      }
      rows = s.rows;
    }
    const d = s.d;
    const o = rows[ro + R_OFF]!;
    const n = rows[ro + R_N]!;
    const r = o + HEADER + ((rows[ro + R_HEAD]! + n) % rows[ro + R_CAP]!) * 2;
    d[r] = ts;
    d[r + 1] = size;
    rows[ro + R_N] = n + 1;
    if (ts < d[o + H_FIRST]!) d[o + H_FIRST] = ts;
    if (ts > d[o + H_LAST]!) d[o + H_LAST] = ts;
    const count = rows[ro + R_COUNT]! + 1;
    rows[ro + R_COUNT] = count;
    if (ob >= 0) {
      d[o + H_OUT] = d[o + H_OUT]! + ob;
      rows[ro + R_KOUT]!++;
    }
    if (rb >= 0) {
      d[o + H_IN] = d[o + H_IN]! + rb;
      rows[ro + R_KIN]!++;
    }
    if (d[o + H_WIN]! > 0 && count >= 2) {
      const start = d[o + H_START]!;
      if (count === 2) this.#hour(start, start);
      this.#hour(start, ts);
    }
  }

  #hour(start: number, ts: number): void {
    const h = Math.floor((ts - start) / 3600);
    if (h < 0) return;
    const w = (h / 30) | 0;
    const bit = 1 << (h % 30);
    if (w === 0) {
      this.#set(R_HOURS0, this.#get(R_HOURS0) | bit);
      return;
    }
    const s = this.#s;
    let more = s.more[this.#r]?.hours;
    if (more === undefined || more.length < w) {
      // Exact size (one word per 30 hours): only windows longer than 30 h have more than the first word.
      const grown = new Array<number>(w).fill(0);
      if (more !== undefined) for (let i = 0; i < more.length; i++) grown[i] = more[i]!;
      (s.more[this.#r] ??= {}).hours = more = grown;
    }
    more[w - 1] = more[w - 1]! | bit;
  }

  /** Drop the oldest connection from the ring (rita mode trims to its 24-hour horizon). */
  shift(): void {
    const n = this.#get(R_N);
    if (n === 0) return;
    this.#set(R_HEAD, (this.#get(R_HEAD) + 1) % this.#get(R_CAP));
    this.#set(R_N, n - 1);
  }

  /** Close the window: forget its connections (the ring is kept for the next one). */
  reset(): void {
    this.#clearHeader();
    this.count = 0;
    this.failed = 0;
    this.knownOut = 0;
    this.knownIn = 0;
    this.overflow = false;
    this.#set(R_HEAD, 0);
    this.#set(R_N, 0);
    this.#set(R_HOURS0, 0);
    const more = this.#s.more[this.#r];
    if (more !== undefined) delete more.hours;
  }

  /** Hours with at least one connection, and the longest run of consecutive such hours. */
  hoursActive(): { active: number; longestRun: number } {
    const count = this.count;
    if (count < 2 || !(this.win > 0)) return { active: count > 0 ? 1 : 0, longestRun: count > 0 ? 1 : 0 };
    let active = 0;
    let run = 0;
    let best = 0;
    const hours0 = this.#get(R_HOURS0);
    const more = this.#s.more[this.#r]?.hours;
    const last = Math.floor((this.last - this.start) / 3600) + 1;
    for (let i = 0; i < last; i++) {
      const w = (i / 30) | 0;
      const word = w === 0 ? hours0 : more !== undefined && w <= more.length ? more[w - 1]! : 0;
      if ((word >>> i % 30) & 1) {
        active++;
        run++;
        if (run > best) best = run;
      } else run = 0;
    }
    return { active, longestRun: best };
  }

  #grow(): void {
    const s = this.#s;
    const oldCap = this.#get(R_CAP);
    const cap = Math.min(s.maxConns, oldCap * 2);
    const oldSize = HEADER + oldCap * 2;
    // alloc may compact and move this pair's block: read the old offset and entry after it.
    const off = s.alloc(this, HEADER + cap * 2);
    const entry = s.entry;
    const from = this.#off;
    const head = this.#get(R_HEAD);
    const n = this.#get(R_N);
    const d = s.d;
    for (let k = 0; k < HEADER; k++) d[off + k] = d[from + k]!;
    for (let i = 0; i < n; i++) {
      const r = from + HEADER + ((head + i) % oldCap) * 2;
      d[off + HEADER + i * 2] = d[r]!;
      d[off + HEADER + i * 2 + 1] = d[r + 1]!;
    }
    s.free(this.#get(R_ENTRY), oldSize);
    s.used += cap - oldCap;
    this.#set(R_OFF, off);
    this.#set(R_ENTRY, entry);
    this.#set(R_CAP, cap);
    this.#set(R_HEAD, 0);
  }
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
    keyHashes(hostHash, key, HASHES);
    const a = HASHES[0]!;
    const b = HASHES[1]! | 1; // never 0: 0 marks an empty slot
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

/** Scratch for {@link keyHashes} (filled and read synchronously). */
const HASHES = new Uint32Array(2);

/**
 * Two independent 32-bit hashes of (host, key) into `out`, with seeds
 * 0x9e3779b1 and 0x85ebca77: for a string key both FNV-1a lanes run in one
 * pass over its characters.
 */
function keyHashes(hostHash: number, key: number | string, out: Uint32Array): void {
  if (typeof key === 'string') {
    let h1 = 0x9e3779b1;
    let h2 = 0x85ebca77;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x01000193);
    }
    out[0] = fmix32((fmix32(h1 >>> 0) ^ hostHash) >>> 0);
    out[1] = fmix32((fmix32(h2 >>> 0) ^ hostHash) >>> 0);
    return;
  }
  // Numeric keys reach 2^50: fold the high part in.
  const hi = Math.imul(Math.floor(key / 4294967296) + 1, 0x27d4eb2d);
  out[0] = fmix32((fmix32(((key >>> 0) ^ 0x9e3779b1) >>> 0) ^ hi ^ hostHash) >>> 0);
  out[1] = fmix32((fmix32(((key >>> 0) ^ 0x85ebca77) >>> 0) ^ hi ^ hostHash) >>> 0);
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
