/**
 * Table sink: findings as an aligned table for a terminal.
 *
 * It has to see every finding before it can sort and size the columns, so
 * it buffers; to stay bounded it keeps only the `maxRows` highest-ranked
 * findings (a heap with the worst kept row on top) and counts the rest.
 * Everything is printed by `end()`.
 *
 * Text from the traffic (domains above all) is attacker-controlled, so
 * control characters and bidi overrides are escaped before they reach the
 * terminal: a query name must not be able to move the cursor or recolour
 * the screen.
 *
 * @module
 */

import { InvalidOptionError } from '../errors.js';
import type { Finding, Severity } from '../model.js';
import type { FindingSink, SinkOutput } from './index.js';

/** Options of {@link TableSink}. */
export interface TableSinkOptions {
  /**
   * Keep at most this many findings, the highest ranked (score, then
   * earliest first_seen); the rest are only counted and reported on the
   * last line. Memory is O(maxRows). Default 1000.
   */
  maxRows?: number;
  /** Colour the severity with ANSI escapes. Default false (output may be a file). */
  color?: boolean;
  /**
   * Line width in terminal columns (at least 40); the REASONS column gets
   * what is left. When that is too little, DESTINATION, RULE and SOURCE give
   * way, down to 10–11 columns each; below about 92 columns lines run past
   * the width rather than lose a column. Default 160.
   */
  width?: number;
}

const HEADERS = ['SEVERITY', 'SCORE', 'RULE', 'SOURCE', 'DESTINATION', 'FIRST SEEN', 'REASONS'] as const;
const SEP = '  ';
/** Upper bounds for the natural widths of columns 0–5 (REASONS takes the rest). */
const CAPS = [8, 5, 28, 39, 48, 20] as const;
/** Columns shrunk, in this order, when the width is too small for REASONS. */
const SHRINK_ORDER = [4, 2, 3] as const;
const MIN_REASONS = 16;
/** Narrowest a shrunk column gets (or its header, if longer). */
const MIN_SHRUNK = 10;
const MIN_WIDTH = 40;

const ANSI: Record<Severity, string> = { high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m' };
const ANSI_RESET = '\x1b[0m';

// C0, DEL, C1, and the bidi controls that can reorder what a terminal shows.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Escape characters a terminal would act on instead of print. */
function safe(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const cp = c.charCodeAt(0);
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

/** Length in code points, so an astral character counts once. */
function len(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cut to `w` code points, the last one `…` when something was cut. */
function truncate(s: string, w: number): string {
  if (len(s) <= w) return s;
  if (w <= 0) return '';
  return Array.from(s).slice(0, w - 1).join('') + '…';
}

function pad(s: string, w: number): string {
  const n = len(s);
  return n >= w ? s : s + ' '.repeat(w - n);
}

/** `a, b, +N` style: the first `keep` items, then how many more. */
function some(items: readonly (string | number)[], keep: number, sep: string): string {
  const shown = items.slice(0, keep).map(String);
  if (items.length > keep) shown.push(`+${items.length - keep}`);
  return shown.join(sep);
}

/**
 * Compact text for a finding's destination, e.g. `203.0.113.5:443`,
 * `[2001:db8::1]:53`, `{9.9.9.9,8.8.8.8}:53/80 evil.example +2`,
 * `evil.example:443`; `-` when the finding names no destination. Shows at
 * most two addresses, three ports and one domain, then `+N` for the rest.
 */
export function formatDestination(d: Finding['destination']): string {
  const ports = d.port.length > 0 ? some(d.port, 3, '/') : '';
  const nd = d.domain.length;
  let host: string;
  let hostIsDomain = false;
  if (d.ip.length === 1) {
    const ip = d.ip[0]!;
    host = ports !== '' && ip.includes(':') ? `[${ip}]` : ip;
  } else if (d.ip.length > 1) {
    const ips = some(d.ip, 2, ',');
    host = ports !== '' ? `{${ips}}` : ips;
  } else if (nd > 0) {
    // No address: the first domain stands in as the host.
    host = d.domain[0]!;
    hostIsDomain = true;
  } else {
    host = ports !== '' ? '*' : '';
  }
  let s = ports !== '' ? `${host}:${ports}` : host;
  if (!hostIsDomain && nd > 0) s += ` ${d.domain[0]}`;
  if (nd > 1) s += ` +${nd - 1}`;
  return s === '' ? '-' : s;
}

/** `2024-05-01T12:00:00.123Z` → `2024-05-01 12:00:00Z`; anything else unchanged. */
function shortTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(iso);
  return m ? `${m[1]} ${m[2]}${m[3] ?? ''}` : iso;
}

interface Held {
  readonly f: Finding;
  /** Arrival order: the last tie-break, so output is deterministic. */
  readonly seq: number;
}

/** NaN sorts last rather than poisoning the comparison. */
const scoreKey = (s: number): number => (Number.isNaN(s) ? -Infinity : s);

/** True when `a` is listed before `b`: higher score, then earlier first_seen, then earlier arrival. */
function before(a: Held, b: Held): boolean {
  const sa = scoreKey(a.f.score);
  const sb = scoreKey(b.f.score);
  if (sa !== sb) return sa > sb;
  if (a.f.first_seen !== b.f.first_seen) return a.f.first_seen < b.f.first_seen;
  return a.seq < b.seq;
}

/**
 * Buffers findings and prints them, sorted by score (desc) then first_seen,
 * as an aligned table on {@link TableSink.end}. With no findings it prints a
 * one-line "no findings"; with more than `maxRows` it prints the top ones
 * and a last line saying how many were left out.
 */
export class TableSink implements FindingSink {
  readonly #out: SinkOutput;
  readonly #maxRows: number;
  readonly #color: boolean;
  readonly #width: number;
  /** Binary heap, the row that would be listed last at index 0. */
  readonly #heap: Held[] = [];
  #seq = 0;
  #dropped = 0;
  #done: Promise<void> | undefined;

  /** @throws InvalidOptionError when maxRows is not an integer ≥ 0 or width not an integer ≥ 40. */
  constructor(out: SinkOutput, options: TableSinkOptions = {}) {
    const { maxRows = 1000, color = false, width = 160 } = options;
    if (!Number.isSafeInteger(maxRows) || maxRows < 0) {
      throw new InvalidOptionError(`table maxRows must be an integer >= 0, got ${maxRows}`);
    }
    if (!Number.isSafeInteger(width) || width < MIN_WIDTH) {
      throw new InvalidOptionError(`table width must be an integer >= ${MIN_WIDTH}, got ${width}`);
    }
    this.#out = out;
    this.#maxRows = maxRows;
    this.#color = color;
    this.#width = width;
  }

  /** Keep the finding if it ranks among the top `maxRows` so far; otherwise count it. O(log maxRows). */
  write(f: Finding): void {
    if (this.#done) throw new Error('TableSink: write() after end()');
    const h: Held = { f, seq: this.#seq++ };
    const heap = this.#heap;
    if (heap.length < this.#maxRows) {
      heap.push(h);
      this.#siftUp(heap.length - 1);
    } else if (heap.length > 0 && before(h, heap[0]!)) {
      heap[0] = h;
      this.#siftDown(0);
      this.#dropped++;
    } else {
      this.#dropped++;
    }
  }

  /** Print the table (one write to the output). */
  end(): Promise<void> {
    if (!this.#done) {
      this.#out.write(this.#render());
      this.#done = Promise.resolve();
    }
    return this.#done;
  }

  #render(): string {
    const rows = this.#heap.slice().sort((a, b) => (before(a, b) ? -1 : 1));
    const dropped = this.#dropped;
    if (rows.length === 0) {
      return dropped === 0 ? 'no findings\n' : `${dropped} findings not shown (maxRows ${this.#maxRows})\n`;
    }
    const cells = rows.map(({ f }) => [
      safe(f.severity),
      Number.isFinite(f.score) ? f.score.toFixed(3) : String(f.score),
      safe(f.rule),
      safe(f.source.ip),
      safe(formatDestination(f.destination)),
      safe(shortTime(f.first_seen)),
      safe(f.reasons.join('; ')),
    ]);

    // Natural widths, capped; then give REASONS what is left of the line.
    const widths: number[] = CAPS.map((cap, i) => {
      let w = HEADERS[i]!.length;
      for (const r of cells) w = Math.max(w, len(r[i]!));
      return Math.min(w, cap);
    });
    const avail = this.#width - SEP.length * (HEADERS.length - 1);
    let reasonsW = avail - widths.reduce((a, b) => a + b, 0);
    for (const i of SHRINK_ORDER) {
      if (reasonsW >= MIN_REASONS) break;
      const floor = Math.max(HEADERS[i]!.length, MIN_SHRUNK);
      const give = Math.min(MIN_REASONS - reasonsW, Math.max(0, widths[i]! - floor));
      widths[i] = widths[i]! - give;
      reasonsW += give;
    }
    widths.push(Math.max(reasonsW, MIN_REASONS));

    const line = (r: readonly string[], sev?: Severity): string => {
      let s = '';
      for (let i = 0; i < r.length; i++) {
        const w = widths[i]!;
        let cell = truncate(r[i]!, w);
        // The last column is not padded: no trailing blanks.
        if (i < r.length - 1) cell = pad(cell, w);
        // Colour after padding, so escapes never count towards the width.
        // (A severity outside the model gets no colour rather than "undefined".)
        const code = sev === undefined || !this.#color ? undefined : (ANSI[sev] as string | undefined);
        if (i === 0 && code !== undefined) cell = code + cell + ANSI_RESET;
        s += (i === 0 ? '' : SEP) + cell;
      }
      return s.trimEnd();
    };

    const out = [line(HEADERS)];
    for (let k = 0; k < rows.length; k++) out.push(line(cells[k]!, rows[k]!.f.severity));
    if (dropped > 0) {
      out.push(`… ${dropped} more finding${dropped === 1 ? '' : 's'} not shown (lowest ranked; maxRows ${this.#maxRows})`);
    }
    return out.join('\n') + '\n';
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    const h = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      // Parent ranks better than h: h is worse, so it moves towards the top.
      if (!before(heap[p]!, h)) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = h;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const h = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      // The worse child (the one listed later) belongs nearer the top.
      const c = r < n && before(heap[l]!, heap[r]!) ? r : l;
      if (!before(h, heap[c]!)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = h;
  }
}
