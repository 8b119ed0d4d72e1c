/**
 * Zeek-style connection uids: `C` followed by a base62 number of 96 bits,
 * like Zeek's `uid.Base62("C")` (`src/UID.cc`). Zeek draws them from a
 * random source; ours are a pure function of (seed, serial), so the same
 * input and seed give the same uids on every run, and a uid can be
 * recomputed from the flow's serial number without storing a string.
 *
 * @module
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODES = Uint8Array.from(ALPHABET, (ch) => ch.charCodeAt(0));

/** murmur3 fmix32: a bijective avalanche of a 32-bit value. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Deterministic uid source for one flow table. */
export class UidGenerator {
  readonly #seed: number;
  readonly #limbs = new Uint32Array(3);
  readonly #digits = new Uint8Array(18);
  readonly #codes: number[] = [];

  /** @param seed any number; two tables with different seeds give different uids. */
  constructor(seed: number) {
    this.#seed = fmix32((seed >>> 0) ^ 0x5bd1e995);
  }

  /** The uid of the flow with this serial number (0, 1, 2, … in creation order). */
  uid(serial: number): string {
    const lo = serial >>> 0;
    const hi = Math.floor(serial / 4294967296) >>> 0;
    const l = this.#limbs;
    l[0] = fmix32(lo ^ this.#seed);
    l[1] = fmix32((l[0] + hi + 0x9e3779b9) ^ this.#seed);
    l[2] = fmix32((l[1] + lo + 0x7f4a7c15) ^ 0x2545f491);
    // Repeated division of the 96-bit number (l[2]:l[1]:l[0], l[2] most
    // significant) by 62^3 = 238 328, three base62 digits at a time (the
    // remainder times 2^32 stays below 2^53, so doubles are exact); 17
    // digits cover 96 bits (62^17 > 2^96).
    // Digits most significant first, into a reused array; the string is made once, flat (one
    // object, not a concatenation or slice of others: uids wait in the engine's rings).
    const dg = this.#digits;
    for (let d = 5; d >= 0; d--) {
      let rem = 0;
      for (let i = 2; i >= 0; i--) {
        const cur = rem * 4294967296 + (l[i] as number);
        const q = Math.floor(cur / 238328);
        rem = cur - q * 238328;
        l[i] = q;
      }
      const d2 = rem % 62;
      rem = (rem - d2) / 62;
      const d1 = rem % 62;
      dg[d * 3] = CODES[(rem - d1) / 62]!;
      dg[d * 3 + 1] = CODES[d1]!;
      dg[d * 3 + 2] = CODES[d2]!;
    }
    // Drop leading zeros, as a plain base62 rendering has none (keep 17 digits at most).
    let k = 1;
    while (k < 17 && dg[k] === 48) k++;
    const c = this.#codes;
    c.length = 0;
    c.push(67); // 'C'
    for (let i = k; i < 18; i++) c.push(dg[i]!);
    return String.fromCharCode.apply(null, c);
  }
}
