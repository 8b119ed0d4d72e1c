/**
 * Numbers the packet layers dispatch on: link types, EtherTypes, IP
 * protocols and the UDP ports of the tunnels we open.
 *
 * Sources: tcpdump.org/linktypes.html (LINKTYPE_ values), the IEEE
 * EtherType registry, the IANA protocol-numbers registry, and the RFC of
 * each tunnel (cited beside its port).
 *
 * @module
 */

/** LINKTYPE_ values we decode (tcpdump.org/linktypes.html). */
export const LinkType = {
  /** BSD loopback: 4-byte address family in the writer's byte order. */
  Null: 0,
  Ethernet: 1,
  /** PPP (RFC 1661), optionally in HDLC-like framing (RFC 1662). */
  Ppp: 9,
  Fddi: 10,
  /** Raw IP: DLT_RAW's value in most libpcap builds, found in files written with it. */
  RawBsd12: 12,
  /** Raw IP: DLT_RAW's value on OpenBSD. */
  RawBsd14: 14,
  /** PPP in HDLC-like framing. */
  PppHdlc: 50,
  /** Raw IP, version from the first nibble. */
  Raw: 101,
  Ieee80211: 105,
  /** OpenBSD loopback: 4-byte address family, network byte order. */
  Loop: 108,
  LinuxSll: 113,
  Ieee80211Radiotap: 127,
  Ipv4: 228,
  Ipv6: 229,
  LinuxSll2: 276,
} as const;

/** EtherTypes (IEEE registry). */
export const EtherType = {
  Ipv4: 0x0800,
  Arp: 0x0806,
  /** Transparent Ethernet bridging (GRE, Geneve). */
  TransEther: 0x6558,
  /** 802.1Q customer VLAN tag. */
  Vlan: 0x8100,
  /** PPTP's enhanced GRE payload (RFC 2637). */
  Ppp: 0x880b,
  Ipv6: 0x86dd,
  MplsUnicast: 0x8847,
  MplsMulticast: 0x8848,
  PppoeDiscovery: 0x8863,
  PppoeSession: 0x8864,
  /** 802.1ad service VLAN tag (QinQ outer). */
  QinQ: 0x88a8,
  /** ERSPAN types I and II inside GRE. */
  Erspan2: 0x88be,
  /** 802.1ah Provider Backbone Bridging I-TAG. */
  Pbb: 0x88e7,
  /** Cisco FabricPath outer header (skipped to the inner Ethernet frame). */
  FabricPath: 0x8903,
  /** Cisco VN-Tag. */
  VnTag: 0x8926,
  /** Pre-standard QinQ tags. */
  QinQOld1: 0x9100,
  QinQOld2: 0x9200,
  QinQOld3: 0x9300,
  /** ERSPAN type III inside GRE. */
  Erspan3: 0x22eb,
} as const;

/** IP protocol numbers (IANA). */
export const IpProto = {
  HopByHop: 0,
  Icmp: 1,
  IpInIp: 4,
  Tcp: 6,
  Udp: 17,
  Ipv6: 41,
  Routing: 43,
  Fragment: 44,
  Gre: 47,
  Esp: 50,
  Ah: 51,
  Icmpv6: 58,
  NoNext: 59,
  DestOpts: 60,
  Mobility: 135,
} as const;

/** UDP ports on which tunnels are opened (either port of a datagram). */
export const TunnelPort = {
  /** RFC 7348. */
  Vxlan: 4789,
  /** RFC 8926. */
  Geneve: 6081,
  /** 3GPP TS 29.281 (GTPv1-U). */
  GtpU: 2152,
  /** RFC 4380. */
  Teredo: 3544,
  /** Anything In Anything (SixXS). */
  Ayiya: 5072,
  /** RFC 8086 GRE-in-UDP. */
  GreUdp: 4754,
} as const;

/** PPP protocol numbers (RFC 1661 and the IANA PPP DLL registry). */
export const PppProto = {
  Ipv4: 0x0021,
  Ipv6: 0x0057,
  MplsUnicast: 0x0281,
} as const;
