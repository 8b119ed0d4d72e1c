/**
 * Direction-independent flow key hashes over numbers (no strings): a packet
 * and its reply hash to the same value, as Zeek's `ConnKey` orders the two
 * endpoints before hashing. Built from murmur3's 32-bit finaliser.
 *
 * @module
 */

/** murmur3 fmix32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combine two endpoint hashes symmetrically, then mix in the protocol. */
function combine(e1: number, e2: number, proto: number): number {
  return fmix32(((e1 + e2) ^ Math.imul(e1 ^ e2, 0x9e3779b1) ^ Math.imul(proto + 1, 0x27d4eb2d)) >>> 0);
}

/** Hash of an IPv4 5-tuple; the same for (a, pa, b, pb) and (b, pb, a, pa). */
export function hashV4(a: number, pa: number, b: number, pb: number, proto: number): number {
  const e1 = fmix32((a ^ Math.imul(pa + 0x10000, 0x9e3779b1)) >>> 0);
  const e2 = fmix32((b ^ Math.imul(pb + 0x10000, 0x9e3779b1)) >>> 0);
  return combine(e1, e2, proto);
}

/** Hash of an IPv6 5-tuple from the four big-endian words of each address. */
export function hashV6(a: Uint32Array, pa: number, b: Uint32Array, pb: number, proto: number): number {
  let e1 = Math.imul(pa + 0x10000, 0x9e3779b1);
  let e2 = Math.imul(pb + 0x10000, 0x9e3779b1);
  for (let k = 0; k < 4; k++) {
    e1 = fmix32((e1 ^ (a[k] as number)) + 0x6b43a9b5);
    e2 = fmix32((e2 ^ (b[k] as number)) + 0x6b43a9b5);
  }
  return combine(e1, e2, proto ^ 0x600);
}
