/**
 * Transport checksums (RFC 1071 one's-complement sum; pseudo-headers of
 * RFC 9293 §3.1 / RFC 768 for IPv4 and RFC 8200 §8.1 for IPv6; ICMPv4
 * without one, RFC 792), checked the way Zeek checks them when run without
 * `-C` (`TCP.cc` `ValidateChecksum`, `UDP.cc`, `ICMP.cc`):
 * - not checked when the segment is cut by the snaplen;
 * - an IPv4 UDP checksum of 0 means "none";
 * - a zero checksum on VXLAN's port (4789) is accepted, as RFC 7348 §5 allows.
 *
 * Works on the packet as the decoder left it: the transport header is
 * found from `ipOff` (IPv4 IHL; IPv6 extension headers walked, RFC 8200 §4).
 *
 * @module
 */

import type { PacketInfo } from '../decode/packet/types.js';

/** Result of {@link checkTransportChecksum}. */
export const Checksum = {
  /** Correct. */
  Good: 0,
  /** Wrong: Zeek would count a `C` and skip the packet. */
  Bad: 1,
  /** Not checked (truncated capture, no checksum, unknown layout). */
  Unchecked: 2,
} as const;
export type Checksum = (typeof Checksum)[keyof typeof Checksum];

/** Offset of the transport header of `p` in `buf`, or -1. */
export function transportOffset(p: PacketInfo, buf: Uint8Array): number {
  const ip = p.ipOff;
  if (p.ipVersion === 4) {
    if (ip + 20 > buf.length) return -1;
    return ip + ((buf[ip] as number) & 15) * 4;
  }
  if (p.ipVersion !== 6 || ip + 40 > buf.length) return -1;
  let nh = buf[ip + 6] as number;
  let q = ip + 40;
  // Hop-by-hop, routing, fragment, AH, destination options, mobility, HIP, shim6.
  for (let n = 0; n < 16 && nh !== p.proto; n++) {
    if (q + 8 > buf.length) return -1;
    let len: number;
    if (nh === 44) len = 8;
    else if (nh === 51) len = ((buf[q + 1] as number) + 2) * 4;
    else if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) len = ((buf[q + 1] as number) + 1) * 8;
    else return -1;
    nh = buf[q] as number;
    q += len;
  }
  return nh === p.proto ? q : -1;
}

/** One's-complement sum of buf[from, to) added to `sum` (not folded). */
function sum16(buf: Uint8Array, from: number, to: number, sum: number): number {
  let i = from;
  for (; i + 1 < to; i += 2) sum += ((buf[i] as number) << 8) | (buf[i + 1] as number);
  if (i < to) sum += (buf[i] as number) << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** Check the TCP, UDP, ICMP or ICMPv6 checksum of a decoded packet. */
export function checkTransportChecksum(p: PacketInfo, buf: Uint8Array): Checksum {
  if (p.payloadCaptured < p.payloadLen) return Checksum.Unchecked;
  const proto = p.proto;
  if (proto !== 6 && proto !== 17 && proto !== 1 && proto !== 58) return Checksum.Unchecked;
  const l4 = transportOffset(p, buf);
  if (l4 < 0) return Checksum.Unchecked;
  const end = p.payloadOff + p.payloadLen;
  if (end > buf.length || l4 > p.payloadOff) return Checksum.Unchecked;
  const len = end - l4;
  const v4 = p.ipVersion === 4;
  if (proto === 17) {
    const ck = ((buf[l4 + 6] as number) << 8) | (buf[l4 + 7] as number);
    if (ck === 0) {
      if (v4) return Checksum.Unchecked;
      if (p.dport === 4789 && p.payloadLen > 0 && ((buf[p.payloadOff] as number) & 0x08) !== 0) return Checksum.Unchecked;
    }
  }
  let sum = 0;
  if (proto !== 1) {
    // Pseudo-header.
    if (v4) {
      const s = p.src4;
      const d = p.dst4;
      sum += (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff) + proto + len;
    } else {
      for (let k = 0; k < 4; k++) {
        const s = p.src6[k] as number;
        const d = p.dst6[k] as number;
        sum += (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff);
      }
      sum += Math.floor(len / 65536) + (len & 0xffff) + proto;
    }
  }
  sum = fold(sum16(buf, l4, end, sum));
  return sum === 0xffff ? Checksum.Good : Checksum.Bad;
}
