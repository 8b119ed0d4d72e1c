/**
 * Cross-host figures, kept apart from per-host state so that host state can
 * be partitioned by source IP across workers or machines and these merged.
 *
 * Prevalence: how many distinct internal hosts talked to a destination. Rare
 * destinations are more suspicious (DESIGN §3). Each destination keeps up to
 * `maxHostsPerDestination` host addresses; past that the count saturates
 * (we only need to know "rare or not"). Destinations are bounded by an LRU
 * of `maxDestinations`, evictions counted.
 *
 * @module
 */

import { LRUCache } from 'lru-cache';

export interface PrevalenceOptions {
  /** Destinations remembered (LRU). Default 200 000. Memory ≈ 150 B + 40 B per host recorded. */
  maxDestinations?: number;
  /** Hosts remembered per destination before the count saturates. Default 16. */
  maxHostsPerDestination?: number;
}

export class Prevalence {
  readonly #lru: LRUCache<string, Set<string>>;
  readonly #perDst: number;
  #evicted = 0;

  constructor(options: PrevalenceOptions = {}) {
    this.#perDst = options.maxHostsPerDestination ?? 16;
    this.#lru = new LRUCache<string, Set<string>>({
      max: options.maxDestinations ?? 200_000,
      // ttlResolution 0: lru-cache would otherwise arm a timer; we use no TTL here anyway.
      ttlResolution: 0,
      dispose: (_v, _k, reason) => {
        if (reason === 'evict') this.#evicted++;
      },
    });
  }

  /** Record that `host` talked to `destination`. */
  add(destination: string, host: string): void {
    let s = this.#lru.get(destination);
    if (s === undefined) {
      s = new Set();
      this.#lru.set(destination, s);
    }
    if (s.size < this.#perDst) s.add(host);
  }

  /** Distinct hosts seen for `destination` (saturates at `maxHostsPerDestination`). */
  count(destination: string): number {
    return this.#lru.peek(destination)?.size ?? 0;
  }

  /** Fold another instance's figures into this one (e.g. from another worker). */
  merge(other: Prevalence): this {
    for (const [dst, hosts] of other.#lru.entries()) {
      for (const h of hosts) this.add(dst, h);
    }
    return this;
  }

  /** Destinations held now. */
  get size(): number {
    return this.#lru.size;
  }

  /** Destinations pushed out by the bound. */
  get evicted(): number {
    return this.#evicted;
  }
}
