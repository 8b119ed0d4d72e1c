/**
 * User allowlists: networks and domains whose findings are suppressed
 * (DESIGN §1).
 *
 * Applied when findings are emitted, not at ingest, so editing a list needs
 * no re-read of the traffic. Domain entries say explicitly what they cover,
 * because an entry that silently means "and everything under it" also
 * allows every subdomain someone else can create or take over (user-content
 * hosts, dangling CNAMEs), which is where C2 likes to live:
 *
 * | entry           | example.com | a.example.com | a.b.example.com |
 * |-----------------|-------------|---------------|-----------------|
 * | `example.com`   | yes         | no            | no              |
 * | `*.example.com` | no          | yes           | yes             |
 * | `.example.com`  | yes         | yes           | yes             |
 *
 * @module
 */

import { AllowlistError, C2WatchError, type Position } from '../errors.js';
import type { Finding } from '../model.js';
import { CidrSet, parseIPv4 } from '../net/addr.js';

/** Longest domain name in text form, without the trailing dot (RFC 1035 §2.3.4). */
const MAX_NAME = 253;
/** Lenient on purpose: LDH plus `_` (service labels like `_dmarc`), 1–63 characters. */
const LABEL = /^[a-z0-9_-]{1,63}$/;
const ALL_DIGITS = /^[0-9]+$/;

/** Lower-case and drop one trailing dot: how names are compared. */
function normalizeName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

type DomainEntry = { readonly kind: 'apex' | 'subdomains' | 'both'; readonly name: string };

/** Parse one domain entry; returns an error message instead of throwing so callers add the position. */
function parseDomainEntry(text: string): DomainEntry | string {
  let kind: DomainEntry['kind'] = 'apex';
  let rest = text;
  if (rest.startsWith('*.')) {
    kind = 'subdomains';
    rest = rest.slice(2);
  } else if (rest.startsWith('.')) {
    kind = 'both';
    rest = rest.slice(1);
  }
  const name = normalizeName(rest);
  if (name === '') return `empty domain entry: ${text}`;
  if (name.length > MAX_NAME) return `domain longer than ${MAX_NAME} characters: ${text}`;
  const labels = name.split('.');
  for (const l of labels) {
    if (l === '*') return `"*" is only allowed as "*." at the start (subdomains only): ${text}`;
    // Non-ASCII is refused rather than guessed at: traffic carries IDNs in
    // their xn-- form, so a Unicode entry would silently never match.
    if (!LABEL.test(l)) return `not an IP address, CIDR or domain (use the xn-- form for IDNs): ${text}`;
  }
  // An all-digit last label is no hostname (RFC 3696 §2); it is almost
  // always a mistyped address such as `10.1.2` or `256.1.1.1`.
  if (ALL_DIGITS.test(labels[labels.length - 1]!)) return `not an IP address, CIDR or domain: ${text}`;
  return { kind, name };
}

function canonical(e: DomainEntry): string {
  return e.kind === 'apex' ? e.name : e.kind === 'subdomains' ? `*.${e.name}` : `.${e.name}`;
}

/** An entry that should be read as an address or CIDR rather than a domain. */
function looksLikeNetwork(s: string): boolean {
  return s.includes('/') || s.includes(':') || parseIPv4(s) >= 0;
}

/**
 * A set of network (IPv4/IPv6 address or CIDR) and domain entries, checked
 * against findings as they are emitted. See the module doc for the domain
 * entry forms. Domains compare case-insensitively, ignoring a trailing dot.
 */
export class Allowlist {
  readonly #nets = new CidrSet();
  /** Canonical text of each network entry, to skip duplicates. */
  readonly #netTexts = new Set<string>();
  /** Names whose apex is allowed (`example.com`, `.example.com`). */
  readonly #apex = new Set<string>();
  /** Names whose subdomains are allowed (`*.example.com`, `.example.com`). */
  readonly #under = new Set<string>();
  /** Canonical text of each domain entry. */
  readonly #domainTexts = new Set<string>();

  /**
   * @param entries.cidrs IPv4/IPv6 addresses or CIDRs.
   * @param entries.domains domain entries: `example.com`, `*.example.com` or `.example.com`.
   * @throws AllowlistError on an entry that is not what its list says.
   */
  constructor(entries: { cidrs?: Iterable<string>; domains?: Iterable<string> } = {}) {
    for (const c of entries.cidrs ?? []) this.#addNetwork(c.trim(), {});
    for (const d of entries.domains ?? []) this.#addDomain(d.trim(), {});
  }

  /**
   * Read an allowlist file: one entry a line; `#` starts a comment (a whole
   * line, or the rest of a line after whitespace); blank lines are ignored.
   * An IPv4/IPv6 address or CIDR is a network entry, anything else a domain
   * entry (`example.com` apex only, `*.example.com` subdomains at any depth
   * but not the apex, `.example.com` both).
   * @param file name used in error positions.
   * @throws AllowlistError with `file` and `line` set on the first bad line.
   */
  static parse(text: string, file?: string): Allowlist {
    const list = new Allowlist();
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      let s = lines[i]!;
      if (i === 0 && s.charCodeAt(0) === 0xfeff) s = s.slice(1); // editors on Windows add a BOM
      // `#` only starts a trailing comment after whitespace, so a `#` glued
      // to an entry is an error rather than a silently shortened entry.
      const hash = s.search(/(^|\s)#/);
      if (hash >= 0) s = s.slice(0, hash);
      s = s.trim();
      if (s === '') continue;
      const where: Position = file === undefined ? { line: i + 1 } : { file, line: i + 1 };
      if (/\s/.test(s)) throw new AllowlistError(`one entry a line, got: ${s}`, where);
      if (looksLikeNetwork(s)) list.#addNetwork(s, where);
      else list.#addDomain(s, where);
    }
    return list;
  }

  /** A new list holding every entry of the given lists. */
  static merge(...lists: Allowlist[]): Allowlist {
    const out = new Allowlist();
    for (const l of lists) out.add(l);
    return out;
  }

  /** Add every entry of another list to this one. */
  add(other: Allowlist): this {
    for (const t of other.#netTexts) this.#addNetwork(t, {});
    for (const t of other.#domainTexts) this.#addDomain(t, {});
    return this;
  }

  /** Number of distinct entries (networks plus domain entries). */
  get size(): number {
    return this.#netTexts.size + this.#domainTexts.size;
  }

  /** The entries in canonical form (`10.0.0.0/8`, `2001:db8::/32`, `*.example.com`), for display. */
  entries(): { cidrs: string[]; domains: string[] } {
    return { cidrs: [...this.#netTexts], domains: [...this.#domainTexts] };
  }

  /** True if the address is inside a network entry. Not an address: false. */
  matchesIp(ip: string): boolean {
    return this.#nets.has(ip);
  }

  /** True if the name matches a domain entry (case-insensitive, trailing dot ignored). */
  matchesDomain(name: string): boolean {
    const n = normalizeName(name);
    if (n === '') return false;
    if (this.#apex.has(n)) return true;
    if (this.#under.size === 0) return false;
    // Walk the proper parent suffixes: a.b.example.com → b.example.com → example.com → com.
    for (let i = n.indexOf('.'); i >= 0; i = n.indexOf('.', i + 1)) {
      if (this.#under.has(n.slice(i + 1))) return true;
    }
    return false;
  }

  /**
   * True when the finding should be suppressed, that is when any of:
   * - its `source.ip` is in a network entry;
   * - `destination.ip` is non-empty and every destination ip is in a network entry;
   * - `destination.domain` is non-empty and every destination domain matches a domain entry.
   *
   * "Every", not "any": a finding that involves one allowed and one other
   * destination is still reported, since the other one may be the C2.
   */
  allows(f: Finding): boolean {
    if (this.#netTexts.size > 0) {
      if (this.#nets.has(f.source.ip)) return true;
      const ips = f.destination.ip;
      if (ips.length > 0 && ips.every((ip) => this.#nets.has(ip))) return true;
    }
    if (this.#domainTexts.size > 0) {
      const names = f.destination.domain;
      if (names.length > 0 && names.every((d) => this.matchesDomain(d))) return true;
    }
    return false;
  }

  #addNetwork(text: string, where: Position): void {
    let c;
    try {
      c = CidrSet.parse(text);
    } catch (e) {
      if (!(e instanceof C2WatchError)) throw e;
      throw new AllowlistError(`not an IP address or CIDR: ${text}`, where, { cause: e });
    }
    if (this.#netTexts.has(c.text)) return;
    this.#netTexts.add(c.text);
    this.#nets.add(c.text);
  }

  #addDomain(text: string, where: Position): void {
    const e = parseDomainEntry(text);
    if (typeof e === 'string') throw new AllowlistError(e, where);
    const t = canonical(e);
    if (this.#domainTexts.has(t)) return;
    this.#domainTexts.add(t);
    if (e.kind !== 'subdomains') this.#apex.add(e.name);
    if (e.kind !== 'apex') this.#under.add(e.name);
  }
}
