/**
 * The contract between the packet layers (`lib/decode/packet/`) and the
 * flow table (`lib/flow/`): one reused, preallocated `PacketInfo` that the
 * layers fill per packet and the flow table reads. No strings, no objects
 * per packet; addresses as numbers; payload as an offset into the caller's
 * buffer (valid only until the next packet).
 *
 * @module
 */

/** Result of decoding one packet. */
export const DecodeStatus = {
  /** IP packet decoded; transport fields valid for TCP/UDP/ICMP/ICMPv6 (else ports 0). */
  Ok: 0,
  /** Not IP (ARP, LLDP, …): nothing for the flow table. Not a weird. */
  NotIp: 1,
  /** Damaged or truncated header: a weird was reported; nothing for the flow table. */
  Bad: 2,
} as const;
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];

/**
 * Kind of the innermost tunnel removed to reach the reported IP packet
 * (`PacketInfo.tunnelType`). Added after the first version of this contract.
 */
export const TunnelType = {
  /** No tunnel: the packet is the outermost IP packet. */
  None: 0,
  /** IPv4 or IPv6 directly in IP (protocols 4 and 41, RFC 2003 / RFC 4213). */
  IpInIp: 1,
  /** GRE (protocol 47, RFC 2784/2890), PPTP's enhanced GRE, ERSPAN I/II/III inside GRE. */
  Gre: 2,
  /** VXLAN (UDP 4789, RFC 7348). */
  Vxlan: 3,
  /** Geneve (UDP 6081, RFC 8926). */
  Geneve: 4,
  /** GTPv1-U G-PDU (UDP 2152, 3GPP TS 29.281). */
  Gtp: 5,
  /** Teredo (UDP 3544, RFC 4380). */
  Teredo: 6,
  /** AYIYA (UDP 5072). */
  Ayiya: 7,
  /** GRE in UDP (UDP 4754, RFC 8086). */
  GreUdp: 8,
} as const;

/** Fragment state of an IP packet. */
export const Frag = {
  /** Not a fragment. */
  None: 0,
  /** First fragment (offset 0, more-fragments set): transport header present. */
  First: 1,
  /** Non-first fragment: no transport header. */
  Later: 2,
} as const;

/**
 * One decoded packet. Allocate once with {@link newPacketInfo}, reuse for
 * every packet. Fields not meaningful for a packet keep their previous values
 * unless documented otherwise: read only what `ipVersion`/`proto` say is there.
 */
export interface PacketInfo {
  /** Capture time, seconds since the epoch (float; µs or ns precision per source). */
  ts: number;
  /** Bytes captured / bytes on the wire. */
  capLen: number;
  wireLen: number;
  /** 4 or 6 (0 when not IP). */
  ipVersion: number;
  /** IPv4 addresses as unsigned 32-bit numbers (valid when ipVersion 4). */
  src4: number;
  dst4: number;
  /** IPv6 addresses as four big-endian 32-bit words (valid when ipVersion 6). */
  readonly src6: Uint32Array;
  readonly dst6: Uint32Array;
  /** IP protocol number of the transport (after IPv6 extension headers): 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, … */
  proto: number;
  /** IP total length from the IP header (IPv4 total length; IPv6 40 + payload length): what Zeek counts as ip_bytes. */
  ipLen: number;
  /** Frag.None | Frag.First | Frag.Later. */
  frag: number;
  /** Transport ports (ICMP: type in sport, code in dport, as Zeek does). 0 when none. */
  sport: number;
  dport: number;
  /** TCP flags byte (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128). */
  tcpFlags: number;
  /** TCP sequence and acknowledgement numbers (unsigned 32-bit). */
  seq: number;
  ack: number;
  /** TCP window (unscaled). */
  window: number;
  /**
   * Transport payload length as the IP header claims it (IP length − IP
   * header − transport header): what Zeek's byte counts use even when the
   * capture is truncated by snaplen.
   */
  payloadLen: number;
  /** Offset in the packet buffer where the transport payload starts. */
  payloadOff: number;
  /** Payload bytes actually captured from payloadOff (≤ payloadLen). */
  payloadCaptured: number;
  /** Outermost 802.1Q VLAN id, or -1. */
  vlan: number;
  /** Number of tunnel layers removed to reach this IP packet (0 = none). */
  tunnelDepth: number;
  // --- Added after the first version of this contract (all set by every decode). ---
  /** Second (inner) 802.1Q / 802.1ad tag of the frame carrying this IP packet, or -1. */
  innerVlan: number;
  /** {@link TunnelType} of the innermost tunnel removed (TunnelType.None when tunnelDepth is 0). */
  tunnelType: number;
  /** Offset in the packet buffer of the reported (innermost) IP header; valid when ipVersion is 4 or 6. */
  ipOff: number;
}

export function newPacketInfo(): PacketInfo {
  return {
    ts: 0,
    capLen: 0,
    wireLen: 0,
    ipVersion: 0,
    src4: 0,
    dst4: 0,
    src6: new Uint32Array(4),
    dst6: new Uint32Array(4),
    proto: 0,
    ipLen: 0,
    frag: Frag.None,
    sport: 0,
    dport: 0,
    tcpFlags: 0,
    seq: 0,
    ack: 0,
    window: 0,
    payloadLen: 0,
    payloadOff: 0,
    payloadCaptured: 0,
    vlan: -1,
    tunnelDepth: 0,
    innerVlan: -1,
    tunnelType: 0,
    ipOff: 0,
  };
}

/**
 * Decodes one captured frame of a link type into `out`. Implemented by
 * `lib/decode/packet/`. `buf[off .. off+capLen)` is the frame.
 */
export type DecodePacket = (linkType: number, buf: Uint8Array, off: number, capLen: number, out: PacketInfo) => DecodeStatus;
