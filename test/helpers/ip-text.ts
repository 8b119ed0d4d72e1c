/**
 * Address text as tshark and Zeek print it, written independently of
 * lib/net/addr.ts so the differential tests do not check our formatter
 * against itself.
 *
 * @module
 */

/** Dotted IPv4 from an unsigned 32-bit number. */
export const v4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** RFC 5952 text of an IPv6 address given as four 32-bit words. */
export function v6(w: Uint32Array): string {
  const parts: string[] = [];
  for (const x of w) parts.push((x >>> 16).toString(16), (x & 0xffff).toString(16));
  let best = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > len && j - i > 1) {
      best = i;
      len = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + len).join(':')}`;
}
