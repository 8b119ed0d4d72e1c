/**
 * Weirds: survivable damage in the input, after Zeek's weird.log.
 *
 * A malformed line, a truncated record or an unknown template is a weird:
 * counted by kind, reported to an optional callback, sampled into stats,
 * and the stream goes on. One bad record never ends a stream.
 *
 * @module
 */

import type { Position } from './errors.js';

/** One piece of survivable damage. */
export interface Weird extends Position {
  /** Short stable name, e.g. `zeek_bad_field_count`, `pcap_truncated_record`. */
  readonly kind: string;
  /** Human-readable detail. */
  readonly message: string;
}

/** Callback that receives every weird as it happens. */
export type WeirdHandler = (w: Weird) => void;

/**
 * Counts weirds by kind and keeps the first few of each kind as samples.
 * Bounded: at most `maxKinds` kinds (further kinds count under `other`)
 * and `samplesPerKind` samples each.
 */
export class WeirdCounter {
  readonly #counts = new Map<string, number>();
  readonly #samples: Weird[] = [];
  readonly #maxKinds: number;
  readonly #samplesPerKind: number;
  readonly #onWeird: WeirdHandler | undefined;
  #total = 0;

  constructor(options: { onWeird?: WeirdHandler | undefined; maxKinds?: number; samplesPerKind?: number } = {}) {
    this.#onWeird = options.onWeird;
    this.#maxKinds = options.maxKinds ?? 256;
    this.#samplesPerKind = options.samplesPerKind ?? 3;
  }

  /** Record one weird. */
  add(w: Weird): void {
    this.#total++;
    let kind = w.kind;
    if (!this.#counts.has(kind) && this.#counts.size >= this.#maxKinds) kind = 'other';
    const n = (this.#counts.get(kind) ?? 0) + 1;
    this.#counts.set(kind, n);
    if (n <= this.#samplesPerKind) this.#samples.push(w);
    this.#onWeird?.(w);
  }

  /** Total weirds seen. */
  get total(): number {
    return this.#total;
  }

  /** Counts by kind, as a plain object. */
  byKind(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort((a, b) => b[1] - a[1]));
  }

  /** The first few weirds of each kind. */
  samples(): readonly Weird[] {
    return this.#samples;
  }
}
