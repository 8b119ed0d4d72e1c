/**
 * Small helpers for DNS names: registered domain (eTLD+1, approximately),
 * the subdomain part below it, and Shannon entropy of characters.
 *
 * The registered domain uses a short built-in list of common two-label public
 * suffixes instead of the full Public Suffix List: the query-shape evidence
 * only needs to group a tunnel's queries under the domain its server owns,
 * and a miss on an exotic suffix groups one level too high, which still
 * groups them together.
 *
 * @module
 */

const TWO_LABEL_SUFFIXES = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'ltd.uk', 'plc.uk', 'me.uk', 'net.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au',
  'co.nz', 'org.nz', 'net.nz',
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp',
  'com.br', 'net.br', 'org.br', 'gov.br',
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn',
  'co.in', 'net.in', 'org.in', 'gov.in', 'ac.in',
  'co.kr', 'or.kr', 'ne.kr',
  'com.mx', 'com.ar', 'com.tr', 'com.tw', 'com.hk', 'com.sg', 'com.my', 'com.ru', 'com.ua', 'com.pl',
  'co.za', 'co.il', 'co.id', 'co.th',
  'in-addr.arpa', 'ip6.arpa',
]);

/** Lower-case, without a trailing dot. */
export function normalizeName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n.toLowerCase();
}

/** Registered domain of a name, e.g. `a.b.example.co.uk` → `example.co.uk`. */
export function registeredDomain(name: string): string {
  const n = normalizeName(name);
  const last = n.lastIndexOf('.');
  if (last < 0) return n;
  const second = n.lastIndexOf('.', last - 1);
  if (second < 0) return n;
  const suffix2 = n.slice(second + 1);
  if (TWO_LABEL_SUFFIXES.has(suffix2)) {
    const third = n.lastIndexOf('.', second - 1);
    return third < 0 ? n : n.slice(third + 1);
  }
  return n.slice(second + 1);
}

/** The part of `name` below its registered domain `reg` ('' for the apex). */
export function subdomainOf(name: string, reg: string): string {
  const n = normalizeName(name);
  return n.length > reg.length ? n.slice(0, n.length - reg.length - 1) : '';
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
