/**
 * Addresses and CIDR sets.
 *
 * Records carry addresses as strings (dotted IPv4, compressed IPv6): they
 * are per flow, not per packet. Membership tests parse IPv4 to a uint32 with
 * a hand loop and look up one masked value per distinct prefix length, so a
 * set of thousands of CIDRs costs at most 33 Set lookups per address.
 *
 * @module
 */

import { InvalidOptionError } from '../errors.js';

/**
 * Parse dotted-quad IPv4 to an unsigned 32-bit number; -1 if it is not one.
 *
 * Exactly four decimal parts of 0–255. A part with a leading zero (`010`) is
 * rejected, not read as decimal: inet_aton reads it as octal, so accepting it
 * would let one allowlist line mean different networks to different tools
 * (the netmask CVE-2021-28918 class). Node's `net.isIPv4` rejects it too.
 */
export function parseIPv4(s: string): number {
  return parseIPv4At(s, 0, s.length);
}

/** {@link parseIPv4} of `s` from `from` to `to` (exclusive), without slicing it. */
function parseIPv4At(s: string, from: number, to: number): number {
  const n = to - from;
  if (n < 7 || n > 15) return -1;
  let acc = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      acc = acc * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      // digits > 0 with part 0 means the part so far is "0": a leading zero.
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return acc * 256 + part;
}

/** Format a uint32 as dotted IPv4. */
export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Parse an IPv6 address (with `::`, and an embedded IPv4 tail) to 8 groups.
 * Returns undefined if it is not one. A `%zone` suffix is ignored.
 */
export function parseIPv6(s: string): Uint16Array | undefined {
  const out = new Uint16Array(8);
  return parseIPv6Into(s, out) ? out : undefined;
}

const HEAD = new Uint16Array(8);

/**
 * {@link parseIPv6} into `out` without allocating: true if `s` is an IPv6
 * address (then `out` holds its 8 groups). One pass over the characters;
 * membership tests call it for every IPv6 record.
 */
export function parseIPv6Into(s: string, out: Uint16Array): boolean {
  let end = s.indexOf('%');
  if (end < 0) end = s.length;
  const dbl = s.indexOf('::');
  const hasDbl = dbl >= 0 && dbl + 2 <= end;
  if (hasDbl) {
    const again = s.indexOf('::', dbl + 1);
    if (again >= 0 && again + 2 <= end) return false;
  } else {
    const colon = s.indexOf(':');
    if (colon < 0 || colon >= end) return false;
  }
  // Groups before the `::` (or all of them) go to HEAD, those after it to the end of `out`.
  // An embedded IPv4 may only be the last 32 bits of the whole address (RFC 4291 §2.2
  // form 3), so never in the part before a `::`.
  const nh = groupsAt(s, 0, hasDbl ? dbl : end, HEAD, 0, !hasDbl);
  if (nh < 0) return false;
  if (!hasDbl) {
    if (nh !== 8) return false;
    out.set(HEAD);
    return true;
  }
  const nt = groupsAt(s, dbl + 2, end, out, 0, true);
  if (nt < 0 || nh + nt > 7) return false;
  // out holds the tail groups at 0..nt: move them to the end, zero the middle, copy the head.
  for (let i = nt - 1; i >= 0; i--) out[8 - nt + i] = out[i]!;
  for (let i = nh; i < 8 - nt; i++) out[i] = 0;
  for (let i = 0; i < nh; i++) out[i] = HEAD[i]!;
  return true;
}

/**
 * The colon-separated groups of `s` from `from` to `to` into `into` from
 * `at`: how many (an IPv4 last part counts two), or -1 if a part is not 1–4
 * hex digits (or, when `v4Last`, a dotted IPv4 last part). An empty range has none.
 */
function groupsAt(s: string, from: number, to: number, into: Uint16Array, at: number, v4Last: boolean): number {
  if (from === to) return 0;
  let n = at;
  let i = from;
  for (;;) {
    let j = i;
    let v = 0;
    let dot = false;
    while (j < to) {
      const c = s.charCodeAt(j);
      if (c === 58) break; // ':'
      if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
      else if (c >= 97 && c <= 102) v = v * 16 + (c - 87);
      else if (c >= 65 && c <= 70) v = v * 16 + (c - 55);
      else if (c === 46) dot = true;
      else return -1;
      j++;
    }
    if (dot) {
      // A dotted part: only as the very last part, and a valid IPv4.
      if (!v4Last || j !== to || n + 2 > 8) return -1;
      const v4 = parseIPv4At(s, i, j);
      if (v4 < 0) return -1;
      into[n++] = v4 >>> 16;
      into[n++] = v4 & 0xffff;
      return n - at;
    }
    const len = j - i;
    if (len < 1 || len > 4 || n >= 8) return -1;
    into[n++] = v;
    if (j === to) return n - at;
    i = j + 1; // past the ':'
    if (i === to) return -1; // a trailing single ':'
  }
}

/**
 * Format 8 groups as RFC 5952 text: lower-case hex, no leading zeros, the
 * longest run of two or more zero groups (the first, on a tie) as `::`.
 */
export function formatIPv6(g: Uint16Array): string {
  let bestAt = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => {
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(g[i]!.toString(16));
    return parts.join(':');
  };
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/** True if the string is an IPv4 or IPv6 address. */
export function isIP(s: string): boolean {
  return parseIPv4(s) >= 0 || parseIPv6(s) !== undefined;
}

/** Up to this many IPv4 blocks are matched by a linear scan instead of per-prefix hashing. */
const SMALL_SET = 32;

/** One parsed CIDR block. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  /** Canonical text, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

const v6Key = (g: Uint16Array, prefix: number): string => {
  let key = '';
  let bits = prefix;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = bits >= 16 ? 16 : bits;
    const mask = take === 16 ? 0xffff : (0xffff << (16 - take)) & 0xffff;
    key += (g[i]! & mask).toString(16) + ':';
    bits -= take;
  }
  return key;
};

/**
 * A set of IPv4 and IPv6 CIDR blocks with a fast `has(address)`.
 * Bare addresses are accepted as /32 or /128.
 */
export class CidrSet {
  // prefix length -> set of masked network numbers (IPv4) / keys (IPv6)
  readonly #v4 = new Map<number, Set<number>>();
  readonly #v6 = new Map<number, Set<string>>();
  #v4Prefixes: number[] = [];
  #v6Prefixes: number[] = [];
  readonly #texts: string[] = [];
  /** (mask, network) pairs while the set holds at most SMALL_SET IPv4 blocks. */
  #small: Uint32Array | undefined = new Uint32Array(0);
  /** The same for IPv6: 8 mask groups then 8 network groups per block. */
  #small6: Uint16Array | undefined = new Uint16Array(0);
  /** Groups of the address being tested (no allocation per test). */
  readonly #g = new Uint16Array(8);

  constructor(cidrs: Iterable<string> = []) {
    for (const c of cidrs) this.add(c);
  }

  /** Parse `a.b.c.d/n`, `x::/n` or a bare address; throws InvalidOptionError when it is none. */
  static parse(text: string): Cidr & { v4?: number; v6?: Uint16Array } {
    const t = text.trim();
    const slash = t.indexOf('/');
    const addr = slash >= 0 ? t.slice(0, slash) : t;
    const plen = slash >= 0 ? t.slice(slash + 1) : '';
    // `10.0.0.0/` is a typo, not a /32: only a missing slash means "one address".
    if (slash >= 0 && !/^\d{1,3}$/.test(plen)) throw new InvalidOptionError(`bad CIDR prefix length: ${text}`);
    const v4 = parseIPv4(addr);
    if (v4 >= 0) {
      const prefix = plen === '' ? 32 : Number(plen);
      if (prefix > 32) throw new InvalidOptionError(`bad CIDR prefix length: ${text}`);
      const net = prefix === 0 ? 0 : (v4 & (~0 << (32 - prefix))) >>> 0;
      return { family: 4, prefix, text: `${formatIPv4(net)}/${prefix}`, v4: net };
    }
    const v6 = parseIPv6(addr);
    if (v6) {
      const prefix = plen === '' ? 128 : Number(plen);
      if (prefix > 128) throw new InvalidOptionError(`bad CIDR prefix length: ${text}`);
      // Mask the host bits so the text is canonical, as for IPv4 (and drops any %zone).
      const net = new Uint16Array(8);
      let bits = prefix;
      for (let i = 0; i < 8 && bits > 0; i++) {
        const take = bits >= 16 ? 16 : bits;
        net[i] = v6[i]! & (take === 16 ? 0xffff : (0xffff << (16 - take)) & 0xffff);
        bits -= take;
      }
      return { family: 6, prefix, text: `${formatIPv6(net)}/${prefix}`, v6: net };
    }
    throw new InvalidOptionError(`not an IP address or CIDR: ${text}`);
  }

  /** Add one CIDR or address. */
  add(text: string): this {
    const c = CidrSet.parse(text);
    if (c.family === 4) {
      let s = this.#v4.get(c.prefix);
      if (!s) {
        this.#v4.set(c.prefix, (s = new Set()));
        this.#v4Prefixes = [...this.#v4.keys()].sort((a, b) => a - b);
      }
      s.add(c.v4!);
      this.#rebuildSmall();
    } else {
      let s = this.#v6.get(c.prefix);
      if (!s) {
        this.#v6.set(c.prefix, (s = new Set()));
        this.#v6Prefixes = [...this.#v6.keys()].sort((a, b) => a - b);
      }
      s.add(v6Key(c.v6!, c.prefix));
      this.#rebuildSmall6(c.v6!, c.prefix);
    }
    this.#texts.push(c.text);
    return this;
  }

  #rebuildSmall6(net: Uint16Array, prefix: number): void {
    const cur = this.#small6;
    if (cur === undefined) return;
    if (cur.length / 16 >= SMALL_SET) {
      this.#small6 = undefined;
      return;
    }
    const arr = new Uint16Array(cur.length + 16);
    arr.set(cur);
    let bits = prefix;
    for (let i = 0; i < 8; i++) {
      const take = bits >= 16 ? 16 : bits > 0 ? bits : 0;
      const mask = take === 16 ? 0xffff : (0xffff << (16 - take)) & 0xffff;
      arr[cur.length + i] = mask;
      arr[cur.length + 8 + i] = net[i]! & mask;
      bits -= take;
    }
    this.#small6 = arr;
  }

  #rebuildSmall(): void {
    let n = 0;
    for (const set of this.#v4.values()) n += set.size;
    if (n > SMALL_SET) {
      this.#small = undefined;
      return;
    }
    const arr = new Uint32Array(n * 2);
    let i = 0;
    for (const [p, set] of this.#v4) {
      const mask = p === 0 ? 0 : (~0 << (32 - p)) >>> 0;
      for (const net of set) {
        arr[i++] = mask;
        arr[i++] = net;
      }
    }
    this.#small = arr;
  }

  /** Number of blocks added. */
  get size(): number {
    return this.#texts.length;
  }

  /** The blocks, as canonical text. */
  list(): readonly string[] {
    return this.#texts;
  }

  /** True if the address (IPv4 or IPv6 text) is inside any block. Not an address: false. */
  has(address: string): boolean {
    const v4 = parseIPv4(address);
    if (v4 >= 0) return this.hasV4(v4);
    if (this.#v6Prefixes.length === 0) return false;
    const g = this.#g;
    if (!parseIPv6Into(address, g)) return false;
    const small = this.#small6;
    if (small !== undefined) {
      for (let b = 0; b < small.length; b += 16) {
        let i = 0;
        while (i < 8 && (g[i]! & small[b + i]!) === small[b + 8 + i]) i++;
        if (i === 8) return true;
      }
      return false;
    }
    for (const p of this.#v6Prefixes) {
      if (this.#v6.get(p)!.has(v6Key(g, p))) return true;
    }
    return false;
  }

  /** True if the uint32 IPv4 address is inside any block. */
  hasV4(v4: number): boolean {
    const small = this.#small;
    if (small !== undefined) {
      // A handful of blocks (local nets, the non-public list): a linear scan of two typed arrays beats hashing.
      for (let i = 0; i < small.length; i += 2) if (((v4 & small[i]!) >>> 0) === small[i + 1]) return true;
      return false;
    }
    const ps = this.#v4Prefixes;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      const net = p === 0 ? 0 : (v4 & (~0 << (32 - p))) >>> 0;
      if (this.#v4.get(p)!.has(net)) return true;
    }
    return false;
  }
}

/** Default internal networks, like Zeek's `Site::local_nets`: RFC 1918, CGNAT 100.64/10, ULA fc00::/7. */
export const DEFAULT_LOCAL_NETS: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  'fc00::/7',
];

/**
 * Destinations that are never "public" (the seed rules' exclusions, DESIGN §1,
 * plus IPv6 equivalents, multicast and broadcast). Documentation ranges are
 * deliberately not here, so test captures can use them as internet addresses.
 */
export const DEFAULT_NON_PUBLIC: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '0.0.0.0/32',
  '224.0.0.0/4',
  '255.255.255.255/32',
  '::1/128',
  '::/128',
  'fe80::/10',
  'fc00::/7',
  'ff00::/8',
];

/**
 * True when `name` (an HTTP Host, TLS SNI or CONNECT target, possibly with
 * `:port` or `[v6]:port`) is an IP literal for the address `ip`: it names
 * nothing the address does not already say.
 */
export function namesAddress(name: string, ip: string): boolean {
  let n = name;
  if (n.charCodeAt(0) === 91 /* [ */) {
    const end = n.indexOf(']');
    if (end < 0) return false;
    n = n.slice(1, end);
  } else {
    const colon = n.indexOf(':');
    if (colon >= 0 && colon === n.lastIndexOf(':')) n = n.slice(0, colon);
  }
  const v4 = parseIPv4(n);
  if (v4 >= 0) return v4 === parseIPv4(ip);
  if (n.indexOf(':') < 0) return false;
  const a = parseIPv6(n);
  const b = parseIPv6(ip);
  if (a === undefined || b === undefined) return false;
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Dotted text of IPv4 addresses from a small direct-mapped cache: the same
 * hosts recur in most flows, formatting allocates, and a shared string is
 * hashed once however many maps and rings hold it.
 */
export class Ip4TextCache {
  readonly #shift: number;
  readonly #key: Float64Array;
  readonly #text: string[];

  /** `size` is rounded up to a power of two (default 4096 entries, ~100 kB). */
  constructor(size = 4096) {
    let n = 2;
    let bits = 1;
    while (n < size) {
      n *= 2;
      bits++;
    }
    this.#shift = 32 - bits;
    this.#key = new Float64Array(n).fill(-1);
    this.#text = new Array<string>(n).fill('');
  }

  /** The dotted text of `n` (an IPv4 address as an unsigned 32-bit number). */
  text(n: number): string {
    const i = Math.imul(n, 0x9e3779b1) >>> this.#shift; // Fibonacci hashing: the top bits of the product
    if (this.#key[i] === n) return this.#text[i]!;
    const t = formatIPv4(n);
    this.#key[i] = n;
    this.#text[i] = t;
    return t;
  }
}
