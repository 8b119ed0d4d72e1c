/**
 * Zeek-style connection uids: `C` followed by a base62 number of 96 bits,
 * like Zeek's `uid.Base62("C")` (`src/UID.cc`). Zeek draws them from a
 * random source; ours are a pure function of (seed, serial), so the same
 * input and seed give the same uids on every run, and a uid can be
 * recomputed from the flow's serial number without storing a string.
 *
 * @module
 */

import { fmix32 } from './hash.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODES = Uint8Array.from(ALPHABET, (ch) => ch.charCodeAt(0));

/** 62^3: three base62 digits per division. */
const D3 = 238328;

/** Deterministic uid source for one flow table. */
export class UidGenerator {
  readonly #seed: number;
  readonly #digits = new Uint8Array(18);

  /** @param seed any number; two tables with different seeds give different uids. */
  constructor(seed: number) {
    this.#seed = fmix32((seed >>> 0) ^ 0x5bd1e995);
  }

  /** The uid of the flow with this serial number (0, 1, 2, … in creation order). */
  uid(serial: number): string {
    const lo = serial >>> 0;
    const hi = Math.floor(serial / 4294967296) >>> 0;
    // The 96-bit number c:b:a (c most significant).
    let a = fmix32(lo ^ this.#seed);
    let b = fmix32((a + hi + 0x9e3779b9) ^ this.#seed);
    let c = fmix32((b + lo + 0x7f4a7c15) ^ 0x2545f491);
    // Repeated division by 62^3 = 238 328, three base62 digits at a time (the
    // remainder times 2^32 stays below 2^53, so doubles are exact); 17 digits
    // cover 96 bits (62^17 > 2^96). Limbs in locals and the remainder split
    // with integer ops: a double `%` is a call into fmod, and this runs once
    // per flow.
    const dg = this.#digits;
    for (let d = 15; d >= 0; d -= 3) {
      let q = Math.floor(c / D3);
      let r = c - q * D3;
      c = q;
      let cur = r * 4294967296 + b;
      q = Math.floor(cur / D3);
      r = cur - q * D3;
      b = q;
      cur = r * 4294967296 + a;
      q = Math.floor(cur / D3);
      r = (cur - q * D3) | 0;
      a = q;
      const r1 = (r / 62) | 0;
      const d0 = (r1 / 62) | 0;
      dg[d] = CODES[d0]!;
      dg[d + 1] = CODES[r1 - d0 * 62]!;
      dg[d + 2] = CODES[r - r1 * 62]!;
    }
    // Drop leading zeros, as a plain base62 rendering has none (keep 17 digits at most).
    // The string is made once, flat (not a concatenation or slice of others:
    // uids wait in the engine's rings). 2^96 / 62^16 ≈ 1.7, so nearly every
    // uid has 17 or 16 digits: those two take one fromCharCode call with
    // fixed arguments.
    const f = String.fromCharCode;
    if (dg[1] !== 48) {
      return f(67, dg[1]!, dg[2]!, dg[3]!, dg[4]!, dg[5]!, dg[6]!, dg[7]!, dg[8]!, dg[9]!, dg[10]!, dg[11]!, dg[12]!, dg[13]!, dg[14]!, dg[15]!, dg[16]!, dg[17]!);
    }
    if (dg[2] !== 48) {
      return f(67, dg[2]!, dg[3]!, dg[4]!, dg[5]!, dg[6]!, dg[7]!, dg[8]!, dg[9]!, dg[10]!, dg[11]!, dg[12]!, dg[13]!, dg[14]!, dg[15]!, dg[16]!, dg[17]!);
    }
    let k = 3;
    while (k < 17 && dg[k] === 48) k++;
    const codes = [67];
    for (let i = k; i < 18; i++) codes.push(dg[i]!);
    return f(...codes);
  }
}
