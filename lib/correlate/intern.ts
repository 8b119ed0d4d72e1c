/**
 * A bounded string interner: equal strings that the engine keeps in its
 * state (DNS query names, answer addresses, server names,
 * destinations) become one string object.
 *
 * Decoders make a fresh string per record: the 2 000th lookup of
 * `www.example.com` by a host is another 40-byte string, and it stays alive
 * as long as the host's query ring, answer cache or a beacon pair holds it.
 * Held state is dominated by such repeats (every host asks for the same
 * names and reaches the same servers), so keeping one copy shrinks the live
 * heap, and also what the old generation must mark and sweep.
 *
 * Bounded by two generations of `size` entries each: lookups hit the young
 * map, then the old one (and are copied to the young); when the young map is
 * full it becomes the old one and the previous old one is dropped. So at
 * most `2 × size` strings are held by the interner itself, and a name not
 * seen for two generations is forgotten. Unique strings (a DNS tunnel's
 * queries) cost at most those two generations; they are not what the state
 * keeps many copies of anyway.
 *
 * @module
 */

export class Interner {
  #young = new Map<string, string>();
  #old = new Map<string, string>();
  readonly #size: number;
  /** Lookups that returned an earlier copy. */
  hits = 0;
  /** Lookups that kept the string given. */
  misses = 0;

  /** `size`: strings per generation (0 turns interning off: {@link intern} returns its argument). */
  constructor(size = 16_384) {
    this.#size = Math.max(0, Math.floor(size));
  }

  /** Strings held (both generations; a string in both counts twice). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** The interned copy of `s` (the first equal string seen within the last two generations). */
  intern(s: string): string {
    if (this.#size === 0 || s === '') return s;
    const y = this.#young.get(s);
    if (y !== undefined) {
      this.hits++;
      return y;
    }
    let v = this.#old.get(s);
    if (v === undefined) {
      v = s;
      this.misses++;
    } else this.hits++;
    if (this.#young.size >= this.#size) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(v, v);
    return v;
  }
}
