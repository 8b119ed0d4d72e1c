/**
 * Packet layers: one captured frame in, one {@link PacketInfo} out — link
 * layer, VLAN / MPLS / PPPoE shims, IPv4 / IPv6 (options, extension headers,
 * fragments), TCP / UDP / ICMP / ICMPv6, and tunnels opened down to the
 * innermost IP packet, as Zeek reports the inner connection.
 *
 * Layer by layer, as Zeek's packet analysis does it (`src/packet_analysis/
 * protocol/*` in zeek/zeek): each layer checks its header length once, reads
 * its fields, and hands the rest to the next by key (link type → EtherType
 * → IP version → IP protocol → UDP port). Weird names are Zeek's where Zeek
 * has one (`truncated_IP`, `internally_truncated_header`,
 * `bad_TCP_header_len`, …) so the two can be compared.
 *
 * Hot path: no allocation per packet (one reused `out`, numbers only),
 * bounded loops (every iteration consumes header bytes), no try/catch.
 *
 * Layouts (network byte order):
 *
 * ```text
 * Ethernet II        dst(6) src(6) type(2)                        IEEE 802.3
 * 802.1Q / 802.1ad   TCI(2: PCP 3 | DEI 1 | VID 12) type(2)       IEEE 802.1Q
 * MPLS label         label(20) TC(3) S(1) TTL(8), until S = 1     RFC 3032
 * PPPoE session      ver/type(1) code(1) session(2) length(2) | PPP proto(2)   RFC 2516 §4
 * Linux SLL          pkttype(2) hatype(2) halen(2) addr(8) proto(2)
 * Linux SLL2         proto(2) rsvd(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
 * NULL / LOOP        family(4): host order / network order; 2 = IPv4, 24|28|30 = IPv6
 * IPv4               ver/IHL(1) TOS(1) total(2) id(2) flags/frag(2) TTL(1) proto(1) cksum(2) src(4) dst(4) opts   RFC 791
 * IPv6               ver/TC/flow(4) payload len(2) next(1) hops(1) src(16) dst(16)   RFC 8200
 *   ext header       next(1) len(1: 8-byte units beyond the first 8) ...; AH: len in 4-byte units − 2 (RFC 4302)
 *   fragment         next(1) rsvd(1) offset(13)/res(2)/M(1) id(4)
 * TCP                sport(2) dport(2) seq(4) ack(4) off(4 bits) flags(1) window(2) ...   RFC 9293
 * UDP                sport(2) dport(2) length(2) cksum(2)         RFC 768
 * ICMP / ICMPv6      type(1) code(1) cksum(2) rest(4)             RFC 792 / RFC 4443
 * GRE                C R K S s Recur A Flags Ver(16) proto(2) [cksum+rsvd(4)] [key(4)] [seq(4)] [ack(4)]   RFC 2784, 2890, 2637
 * ERSPAN II / III    8 / 12 (+8 platform-specific when O) bytes, then Ethernet
 * VXLAN              flags(1: I = 0x08) rsvd(3) VNI(3) rsvd(1), then Ethernet   RFC 7348
 * Geneve             ver(2)/optlen(6) O C rsvd(1) proto(2) VNI(3) rsvd(1) options   RFC 8926
 * GTPv1-U            flags(1) type(1: 0xff G-PDU) length(2) TEID(4) [seq(2) N-PDU(1) next ext(1)] ext...
 * Teredo             [auth: 0x0001 idlen aulen id au nonce(8) conf(1)] [origin: 0x0000 port(2) addr(4)] IPv6
 * AYIYA              idlen/idtype(1) siglen/hash(1) auth/op(1) next(1) epoch(4) id sig
 * ```
 *
 * @module
 */

import type { Weird } from '../../weird.js';
import { EtherType, IpProto, LinkType, PppProto, TunnelPort } from './constants.js';
import { DecodeStatus, Frag, TunnelType, newPacketInfo, type DecodePacket, type PacketInfo } from './types.js';

/** Options of {@link PacketDecoder}. */
export interface PacketDecoderOptions {
  /** Receives every weird (`file`, and `offset` when {@link PacketDecoder.frameOffset} is set). Weirds are counted in `stats` anyway. */
  onWeird?: ((w: Weird) => void) | undefined;
  /** Label used in weirds, e.g. the path. */
  file?: string | undefined;
  /**
   * Most tunnel layers removed from one packet; a deeper one is the weird
   * `exceeded_tunnel_max_depth` (like Zeek's `Tunnel::max_depth`, also 2 by
   * default). Cost: one preallocated snapshot per level.
   */
  maxTunnelDepth?: number | undefined;
  /**
   * Open UDP tunnels (VXLAN, Geneve, GTP-U, Teredo, AYIYA, GRE-in-UDP);
   * default true. When false they are reported as the UDP datagrams they are.
   */
  udpTunnels?: boolean | undefined;
  /**
   * Recognise Teredo between a client and a relay on ports other than 3544,
   * as Zeek's DPD signature does: an IPv6 packet (optionally after an origin
   * indication) that fills the datagram exactly and has a Teredo
   * (2001:0::/32) source or destination. Default true; costs two byte tests
   * per UDP datagram that does not start with 0x6_ or 0x00.
   */
  teredoHeuristic?: boolean | undefined;
}

/** Counters of a {@link PacketDecoder}; the object is updated in place. */
export interface PacketDecoderStats {
  /** Frames given to `decode()`. */
  packets: number;
  /** Results by status. */
  ok: number;
  notIp: number;
  bad: number;
  /** Reported packets by IP version. */
  ipv4: number;
  ipv6: number;
  /** First fragments (transport header present) and later fragments (none). */
  fragmentsFirst: number;
  fragmentsLater: number;
  /** Packets reported from inside at least one tunnel. */
  tunneled: number;
  /** Tunnel layers opened, by kind. */
  ipInIp: number;
  gre: number;
  vxlan: number;
  geneve: number;
  gtp: number;
  teredo: number;
  ayiya: number;
  greUdp: number;
  /** ESP packets: counted, not decrypted. */
  esp: number;
  /** Frames of a link type we do not decode (reported as not IP). */
  unsupportedLinkType: number;
  /** Weirds reported. */
  weirds: number;
}

/** The fields of a capture record {@link PacketDecoder.decodeRecord} needs (a `PcapPacket` has them). */
export interface FrameRecord {
  readonly buf: Uint8Array;
  readonly off: number;
  readonly capLen: number;
  readonly wireLen: number;
  readonly ts: number;
  readonly linkType: number;
  readonly offsetInFile?: number;
}

const OK = DecodeStatus.Ok;
const NOT_IP = DecodeStatus.NotIp;
const BAD = DecodeStatus.Bad;

function be16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

function be32(b: Uint8Array, o: number): number {
  return (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}

/** Copy every field of `s` into `d` (snapshots of tunnel levels). */
function copyInfo(s: PacketInfo, d: PacketInfo): void {
  d.ts = s.ts;
  d.capLen = s.capLen;
  d.wireLen = s.wireLen;
  d.ipVersion = s.ipVersion;
  d.src4 = s.src4;
  d.dst4 = s.dst4;
  const a = s.src6;
  const b = s.dst6;
  const c = d.src6;
  const e = d.dst6;
  c[0] = a[0] as number;
  c[1] = a[1] as number;
  c[2] = a[2] as number;
  c[3] = a[3] as number;
  e[0] = b[0] as number;
  e[1] = b[1] as number;
  e[2] = b[2] as number;
  e[3] = b[3] as number;
  d.proto = s.proto;
  d.ipLen = s.ipLen;
  d.frag = s.frag;
  d.sport = s.sport;
  d.dport = s.dport;
  d.tcpFlags = s.tcpFlags;
  d.seq = s.seq;
  d.ack = s.ack;
  d.window = s.window;
  d.payloadLen = s.payloadLen;
  d.payloadOff = s.payloadOff;
  d.payloadCaptured = s.payloadCaptured;
  d.vlan = s.vlan;
  d.tunnelDepth = s.tunnelDepth;
  d.innerVlan = s.innerVlan;
  d.tunnelType = s.tunnelType;
  d.ipOff = s.ipOff;
}

/**
 * Decodes frames into a reused {@link PacketInfo}.
 *
 * ```ts
 * const dec = new PacketDecoder({ onWeird });
 * const info = newPacketInfo();
 * for (let p; (p = reader.nextPacket()); ) {
 *   if (dec.decodeRecord(p, info) === DecodeStatus.Ok) flows.add(info);
 * }
 * ```
 *
 * What is opened and what is only counted:
 * - opened: 802.1Q/802.1ad/QinQ (any depth), MPLS (label stack popped,
 *   payload guessed from the first nibble; nibble 0 = pseudowire control
 *   word + Ethernet), PPPoE session, PBB (802.1ah), VN-Tag, Cisco
 *   FabricPath, 802.2 LLC/SNAP, 802.11 data frames (+ radiotap), FDDI;
 *   IP-in-IP (4, 41), GRE (plain, key/seq/checksum, PPTP enhanced GRE,
 *   transparent Ethernet 0x6558, ERSPAN I/II/III, any EtherType payload),
 *   VXLAN, Geneve, GTPv1-U, Teredo, AYIYA, GRE-in-UDP;
 * - counted only: ESP (proto 50: addresses, no ports), IPv4 fragments with
 *   a tunnel protocol (the outer packet is reported), unsupported link
 *   types (`stats.unsupportedLinkType`, one weird per link type).
 *
 * For UDP tunnels whose inner packet is not IP (ARP in VXLAN) or is
 * damaged, the outer UDP datagram is reported instead, so the flow table
 * still sees the tunnel's own connection, as Zeek logs it. When a packet
 * comes out of a tunnel, {@link PacketDecoder.outer} holds the outermost
 * IP packet.
 */
export class PacketDecoder {
  /** Counters; updated in place. */
  readonly stats: PacketDecoderStats = {
    packets: 0,
    ok: 0,
    notIp: 0,
    bad: 0,
    ipv4: 0,
    ipv6: 0,
    fragmentsFirst: 0,
    fragmentsLater: 0,
    tunneled: 0,
    ipInIp: 0,
    gre: 0,
    vxlan: 0,
    geneve: 0,
    gtp: 0,
    teredo: 0,
    ayiya: 0,
    greUdp: 0,
    esp: 0,
    unsupportedLinkType: 0,
    weirds: 0,
  };

  /** {@link decode} as a plain function value, for code typed against {@link DecodePacket}. */
  readonly decodePacket: DecodePacket;

  /**
   * Input offset of the frame being decoded, put in weirds; -1 when unknown.
   * {@link decodeRecord} sets it from the record's `offsetInFile`.
   */
  frameOffset = -1;

  readonly #onWeird: ((w: Weird) => void) | undefined;
  readonly #file: string | undefined;
  readonly #maxDepth: number;
  readonly #udpTunnels: boolean;
  /** Snapshot of each tunnel level before it was opened; [0] is the outermost. */
  readonly #saved: PacketInfo[] = [];
  readonly #warnedLinkTypes = new Set<number>();
  /** End of the bytes that were on the wire for the current layer (≥ captured end). */
  #wireEnd = 0;
  readonly #teredoHeuristic: boolean;

  constructor(options: PacketDecoderOptions = {}) {
    this.#onWeird = options.onWeird;
    this.#file = options.file;
    this.#maxDepth = Math.max(0, Math.floor(options.maxTunnelDepth ?? 2));
    this.#udpTunnels = options.udpTunnels ?? true;
    this.#teredoHeuristic = options.teredoHeuristic ?? true;
    for (let i = 0; i <= this.#maxDepth; i++) this.#saved.push(newPacketInfo());
    this.decodePacket = (linkType, buf, off, capLen, out) => this.decode(linkType, buf, off, capLen, out);
  }

  /**
   * The outermost IP packet of the last decoded frame, valid when that
   * frame's `tunnelDepth` > 0 (else stale). For UDP tunnels this is the
   * tunnel's own datagram, which Zeek logs as a connection too.
   */
  get outer(): PacketInfo {
    return this.#saved[0] as PacketInfo;
  }

  /**
   * The IP packet at tunnel level `level` of the last decoded frame: 0 is
   * the outermost, `tunnelDepth - 1` the one just around the reported
   * packet. Valid for `level < tunnelDepth` until the next decode. Zeek logs
   * a connection for every UDP level (VXLAN in Geneve: both datagrams).
   */
  tunnelLayer(level: number): PacketInfo {
    return this.#saved[level] as PacketInfo;
  }

  /**
   * Decode a capture record: sets `out.ts`, `out.wireLen` and
   * {@link frameOffset} from it, then {@link decode}.
   */
  decodeRecord(rec: FrameRecord, out: PacketInfo): DecodeStatus {
    out.ts = rec.ts;
    out.wireLen = rec.wireLen;
    this.frameOffset = rec.offsetInFile ?? -1;
    return this.decode(rec.linkType, rec.buf, rec.off, rec.capLen, out);
  }

  /**
   * Decode the frame `buf[off, off + capLen)` of link type `linkType` into
   * `out`. Sets `out.capLen` and every field the status makes meaningful;
   * reads `out.wireLen` (set it first, or leave it ≤ capLen when unknown) to
   * tell a snaplen cut from an IP header that claims more than was sent.
   * `out.ts` is left as the caller set it.
   */
  decode(linkType: number, buf: Uint8Array, off: number, capLen: number, out: PacketInfo): DecodeStatus {
    const st = this.stats;
    st.packets++;
    out.capLen = capLen;
    out.ipVersion = 0;
    out.proto = 0;
    out.ipLen = 0;
    out.frag = Frag.None;
    out.sport = 0;
    out.dport = 0;
    out.tcpFlags = 0;
    out.payloadLen = 0;
    out.payloadOff = off;
    out.payloadCaptured = 0;
    out.vlan = -1;
    out.innerVlan = -1;
    out.tunnelDepth = 0;
    out.tunnelType = TunnelType.None;
    out.ipOff = off;
    const end = off + capLen;
    this.#wireEnd = off + (out.wireLen > capLen ? out.wireLen : capLen);
    let r: DecodeStatus;
    switch (linkType) {
      case LinkType.Ethernet:
        r = this.#ether(buf, off, end, out);
        break;
      case LinkType.Raw:
      case LinkType.Ipv4:
      case LinkType.Ipv6:
      case LinkType.RawBsd12:
      case LinkType.RawBsd14:
        r = this.#ip(buf, off, end, out);
        break;
      case LinkType.LinuxSll:
        r = this.#sll(buf, off, end, out);
        break;
      case LinkType.LinuxSll2:
        r = this.#sll2(buf, off, end, out);
        break;
      case LinkType.Null:
      case LinkType.Loop:
        r = this.#loopback(buf, off, end, out, linkType === LinkType.Null);
        break;
      case LinkType.Ppp:
      case LinkType.PppHdlc:
        r = this.#pppFrame(buf, off, end, out);
        break;
      case LinkType.Ieee80211:
        r = this.#wlan(buf, off, end, out);
        break;
      case LinkType.Ieee80211Radiotap:
        r = this.#radiotap(buf, off, end, out);
        break;
      case LinkType.Fddi:
        // Frame control(1) dst(6) src(6), then 802.2 LLC/SNAP.
        if (capLen < 13 + 8) {
          this.#weird('truncated_link_header', 'FDDI header truncated');
          r = BAD;
        } else r = this.#llc(buf, off + 13, end, out);
        break;
      default:
        st.unsupportedLinkType++;
        if (!this.#warnedLinkTypes.has(linkType)) {
          this.#warnedLinkTypes.add(linkType);
          this.#weird('unsupported_link_type', `link type ${linkType} is not decoded; its frames count as not IP`);
        }
        r = NOT_IP;
    }
    if (r === OK) {
      st.ok++;
      if (out.ipVersion === 4) st.ipv4++;
      else st.ipv6++;
      if (out.frag === Frag.First) st.fragmentsFirst++;
      else if (out.frag === Frag.Later) st.fragmentsLater++;
      if (out.tunnelDepth > 0) st.tunneled++;
      if (out.proto === IpProto.Esp) st.esp++;
    } else if (r === NOT_IP) {
      st.notIp++;
    } else {
      st.bad++;
    }
    return r;
  }

  // -------------------------------------------------------------------------
  // Link layers
  // -------------------------------------------------------------------------

  #ether(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (end - p < 14) {
      this.#weird('truncated_ethernet_frame', `Ethernet frame of ${end - p} bytes`);
      return BAD;
    }
    let t = be16(b, p + 12);
    if (t === EtherType.FabricPath) {
      // Cisco FabricPath: a 16-byte outer header before the inner Ethernet frame (as Zeek skips it).
      if (end - p < 16 + 14) {
        this.#weird('truncated_link_header_cfp', 'Cisco FabricPath header truncated');
        return BAD;
      }
      p += 16;
      t = be16(b, p + 12);
    }
    return this.#ethertype(b, p + 14, end, t, out);
  }

  /** Everything reached by EtherType: IP, VLAN tags, MPLS, PPPoE, PBB, VN-Tag, 802.3 lengths. */
  #ethertype(b: Uint8Array, p: number, end: number, t: number, out: PacketInfo): DecodeStatus {
    for (;;) {
      if (t <= 1500) return this.#llc(b, p, end, out); // an 802.3 length, 802.2 LLC follows
      switch (t) {
        case EtherType.Ipv4:
        case EtherType.Ipv6:
          // Like Zeek, trust the version nibble over the EtherType.
          return this.#ip(b, p, end, out);
        case EtherType.Vlan:
        case EtherType.QinQ:
        case EtherType.QinQOld1:
        case EtherType.QinQOld2:
        case EtherType.QinQOld3: {
          if (end - p < 4) {
            this.#weird('truncated_VLAN_header', 'VLAN tag truncated');
            return BAD;
          }
          const id = be16(b, p) & 0xfff;
          if (out.vlan < 0) out.vlan = id;
          else if (out.innerVlan < 0) out.innerVlan = id;
          t = be16(b, p + 2);
          p += 4;
          continue;
        }
        case EtherType.MplsUnicast:
        case EtherType.MplsMulticast:
          return this.#mpls(b, p, end, out);
        case EtherType.PppoeSession: {
          if (end - p < 8) {
            this.#weird('truncated_pppoe_header', 'PPPoE session header truncated');
            return BAD;
          }
          return this.#ppp(be16(b, p + 6), b, p + 8, end, out);
        }
        case EtherType.Pbb:
          // I-TAG(4) customer dst(6) src(6) EtherType(2).
          if (end - p < 18) {
            this.#weird('truncated_link_header', 'PBB header truncated');
            return BAD;
          }
          t = be16(b, p + 16);
          p += 18;
          continue;
        case EtherType.VnTag:
          if (end - p < 6) {
            this.#weird('truncated_vntag_header', 'VN-Tag header truncated');
            return BAD;
          }
          t = be16(b, p + 4);
          p += 6;
          continue;
        default:
          return NOT_IP;
      }
    }
  }

  /** MPLS (RFC 3032): pop to the bottom of the stack; the payload type is not encoded, guess by nibble. */
  #mpls(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    for (;;) {
      if (end - p < 4) {
        this.#weird('truncated_link_header', 'MPLS label stack truncated');
        return BAD;
      }
      const bottom = (b[p + 2] as number) & 1;
      p += 4;
      if (bottom) break;
    }
    if (p >= end) {
      this.#weird('truncated_link_header', 'nothing after the MPLS label stack');
      return BAD;
    }
    const nibble = (b[p] as number) >> 4;
    if (nibble === 4 || nibble === 6) return this.#ip(b, p, end, out);
    // RFC 4385 pseudowire control word (first nibble 0), then Ethernet (RFC 4448).
    if (nibble === 0 && end - p >= 4 + 14) return this.#ether(b, p + 4, end, out);
    return NOT_IP;
  }

  /** 802.2 LLC: only SNAP with an Ethernet OUI carries an EtherType we follow. */
  #llc(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (end - p < 8 || b[p] !== 0xaa || b[p + 1] !== 0xaa || b[p + 2] !== 0x03) return NOT_IP;
    // OUI 00-00-00 (RFC 1042) or 00-00-f8 (802.1H bridge tunnel).
    if (b[p + 3] !== 0 || b[p + 4] !== 0 || (b[p + 5] !== 0 && b[p + 5] !== 0xf8)) return NOT_IP;
    const t = be16(b, p + 6);
    if (t <= 1500) return NOT_IP;
    return this.#ethertype(b, p + 8, end, t, out);
  }

  #sll(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (end - p < 16) {
      this.#weird('truncated_Linux_SLL_header', 'Linux cooked header truncated');
      return BAD;
    }
    const proto = be16(b, p + 14);
    if (be16(b, p + 2) === 824) return NOT_IP; // ARPHRD_NETLINK: proto is a netlink family
    if (proto === 4) return this.#llc(b, p + 16, end, out); // ETH_P_802_2
    if (proto <= 1500) return NOT_IP;
    return this.#ethertype(b, p + 16, end, proto, out);
  }

  #sll2(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (end - p < 20) {
      this.#weird('truncated_Linux_SLL2_header', 'Linux cooked v2 header truncated');
      return BAD;
    }
    const proto = be16(b, p);
    if (be16(b, p + 8) === 824) return NOT_IP;
    if (proto === 4) return this.#llc(b, p + 20, end, out);
    if (proto <= 1500) return NOT_IP;
    return this.#ethertype(b, p + 20, end, proto, out);
  }

  /** BSD NULL (family in the writer's order, so try both) and OpenBSD LOOP (network order). */
  #loopback(b: Uint8Array, p: number, end: number, out: PacketInfo, hostOrder: boolean): DecodeStatus {
    if (end - p < 4) {
      this.#weird('null_analyzer_failed', 'loopback header truncated');
      return BAD;
    }
    let family = be32(b, p);
    if (hostOrder && family > 0xffff) {
      family = ((b[p + 3] as number) << 24 | (b[p + 2] as number) << 16 | (b[p + 1] as number) << 8 | (b[p] as number)) >>> 0;
    }
    // AF_INET everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (Darwin).
    if (family === 2 || family === 24 || family === 28 || family === 30) return this.#ip(b, p + 4, end, out);
    return NOT_IP;
  }

  /** LINKTYPE_PPP / PPP_HDLC: optional address/control 0xff 0x03, then the protocol. */
  #pppFrame(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (end - p < 2) {
      this.#weird('truncated_ppp_header', 'PPP header truncated');
      return BAD;
    }
    if (b[p] === 0xff && b[p + 1] === 0x03) p += 2;
    if (end - p < 2) {
      this.#weird('truncated_ppp_hdlc_header', 'PPP header truncated');
      return BAD;
    }
    // Protocol-field compression (RFC 1661 §6.5): an odd first byte is a 1-byte protocol.
    if ((b[p] as number) & 1) return this.#ppp(b[p] as number, b, p + 1, end, out);
    return this.#ppp(be16(b, p), b, p + 2, end, out);
  }

  #ppp(proto: number, b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (proto === PppProto.Ipv4 || proto === PppProto.Ipv6) return this.#ip(b, p, end, out);
    if (proto === PppProto.MplsUnicast) return this.#mpls(b, p, end, out);
    return NOT_IP;
  }

  #radiotap(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (end - p < 4) {
      this.#weird('truncated_radiotap_header', 'radiotap header truncated');
      return BAD;
    }
    const len = (b[p + 2] as number) | ((b[p + 3] as number) << 8);
    if (len < 4 || len > end - p) {
      this.#weird('truncated_radiotap_header', `radiotap header claims ${len} bytes`);
      return BAD;
    }
    return this.#wlan(b, p + len, end, out);
  }

  /** IEEE 802.11 data frames (as Zeek's IEEE802_11 analyzer), then LLC/SNAP. */
  #wlan(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    let hl = 24;
    if (end - p <= hl) {
      this.#weird('truncated_802_11_header', '802.11 header truncated');
      return BAD;
    }
    const fc = b[p] as number;
    const flags = b[p + 1] as number;
    if (((fc >> 2) & 3) !== 2) return NOT_IP; // management or control frame
    if ((fc >> 4) & 0x04) return NOT_IP; // data subtype without data
    if ((flags & 3) === 3) hl += 6; // To DS and From DS: a fourth address
    let amsdu = false;
    if ((fc >> 4) & 0x08) {
      // QoS data: 2-byte QoS control (+4 HT control when the order bit is set).
      if (end - p <= hl + 2) {
        this.#weird('truncated_802_11_header', '802.11 QoS header truncated');
        return BAD;
      }
      amsdu = ((b[p + hl] as number) & 0x80) !== 0;
      hl += 2;
      if (flags & 0x80) hl += 4;
    }
    if (flags & 0x40) return NOT_IP; // protected: encrypted payload
    if (end - p <= hl) {
      this.#weird('truncated_802_11_header', '802.11 header truncated');
      return BAD;
    }
    p += hl;
    if (amsdu) {
      // A-MSDU: DA(6) SA(6) length(2) per subframe; only the first is reported.
      if (end - p < 14) {
        this.#weird('truncated_802_11_amsdu_header', 'A-MSDU subframe header truncated');
        return BAD;
      }
      const sub = be16(b, p + 12);
      p += 14;
      if (p + sub < end) end = p + sub;
    }
    return this.#llc(b, p, end, out);
  }

  // -------------------------------------------------------------------------
  // IP
  // -------------------------------------------------------------------------

  /** IP by version nibble (what Zeek does whatever the EtherType said). */
  #ip(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    if (end - p < 20) {
      this.#weird('truncated_IP', `IP header truncated (${end - p < 0 ? 0 : end - p} bytes)`);
      return BAD;
    }
    const version = (b[p] as number) >> 4;
    if (version === 4) return this.#ip4(b, p, end, out);
    if (version === 6) return this.#ip6(b, p, end, out);
    this.#weird('unknown_ip_version', `IP version ${version}`);
    return BAD;
  }

  #ip4(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    const avail = end - p;
    const ihl = ((b[p] as number) & 15) << 2;
    let total = be16(b, p + 2);
    if (total === 0) {
      // TCP segmentation offload zeroes the field: use what was captured (Zeek with -C).
      this.#weird('ip_hdr_len_zero', 'IPv4 total length is 0 (segmentation offload?)');
      total = avail;
    }
    if (this.#wireEnd - p < total) {
      this.#weird('truncated_IP_len', `IPv4 total length ${total} exceeds the ${this.#wireEnd - p} bytes on the wire`);
      return BAD;
    }
    if (ihl > total) {
      this.#weird('invalid_IP_header_size', `IPv4 header length ${ihl} exceeds total length ${total}`);
      return BAD;
    }
    if (ihl > avail) {
      this.#weird('internally_truncated_header', `IPv4 header of ${ihl} bytes, ${avail} captured`);
      return BAD;
    }
    if (ihl < 20) {
      this.#weird('IPv4_min_header_size', `IPv4 header length ${ihl}`);
      return BAD;
    }
    out.ipVersion = 4;
    out.ipOff = p;
    out.src4 = be32(b, p + 12);
    out.dst4 = be32(b, p + 16);
    out.ipLen = total;
    const proto = b[p + 9] as number;
    out.proto = proto;
    out.frag = Frag.None;
    out.sport = 0;
    out.dport = 0;
    out.tcpFlags = 0;
    const ipEnd = p + total;
    const capEnd = ipEnd < end ? ipEnd : end;
    const l4 = p + ihl;
    const fo = be16(b, p + 6);
    if ((fo & 0x1fff) !== 0) {
      // Non-first fragment: no transport header.
      out.frag = Frag.Later;
      out.payloadOff = l4;
      out.payloadLen = total - ihl;
      out.payloadCaptured = capEnd - l4;
      return OK;
    }
    if (fo & 0x2000) out.frag = Frag.First;
    return this.#transport(proto, b, l4, ipEnd, capEnd, out);
  }

  #ip6(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    const avail = end - p;
    if (avail < 40) {
      this.#weird('truncated_IP', `IPv6 header truncated (${avail} bytes)`);
      return BAD;
    }
    const total = 40 + be16(b, p + 4);
    if (this.#wireEnd - p < total) {
      this.#weird('truncated_IP_len', `IPv6 length ${total} exceeds the ${this.#wireEnd - p} bytes on the wire`);
      return BAD;
    }
    out.ipVersion = 6;
    out.ipOff = p;
    const s6 = out.src6;
    const d6 = out.dst6;
    s6[0] = be32(b, p + 8);
    s6[1] = be32(b, p + 12);
    s6[2] = be32(b, p + 16);
    s6[3] = be32(b, p + 20);
    d6[0] = be32(b, p + 24);
    d6[1] = be32(b, p + 28);
    d6[2] = be32(b, p + 32);
    d6[3] = be32(b, p + 36);
    out.ipLen = total;
    out.frag = Frag.None;
    out.sport = 0;
    out.dport = 0;
    out.tcpFlags = 0;
    const ipEnd = p + total;
    const capEnd = ipEnd < end ? ipEnd : end;
    let nh = b[p + 6] as number;
    let q = p + 40;
    // Extension headers (RFC 8200 §4): each at least 8 bytes, so the loop is bounded.
    for (;;) {
      let len: number;
      if (nh === IpProto.HopByHop || nh === IpProto.Routing || nh === IpProto.DestOpts) {
        if (capEnd - q < 2) return this.#ext6Truncated(nh, out);
        len = ((b[q + 1] as number) + 1) << 3;
        if (capEnd - q < len) return this.#ext6Truncated(nh, out);
        if (nh === IpProto.Routing && b[q + 2] === 0 && (b[q + 3] as number) > 0) {
          // Type 0 routing (RFC 2460, deprecated) with segments left: like Zeek, the
          // connection's responder is the final destination, the last address listed.
          const hl = b[q + 1] as number;
          if (hl >= 2 && (hl & 1) === 0) {
            const a = q + len - 16;
            d6[0] = be32(b, a);
            d6[1] = be32(b, a + 4);
            d6[2] = be32(b, a + 8);
            d6[3] = be32(b, a + 12);
          }
        }
      } else if (nh === IpProto.Ah) {
        if (capEnd - q < 2) return this.#ext6Truncated(nh, out);
        len = ((b[q + 1] as number) + 2) << 2; // RFC 4302 §2.2: 32-bit words minus 2
        if (capEnd - q < len) return this.#ext6Truncated(nh, out);
      } else if (nh === IpProto.Fragment) {
        if (capEnd - q < 8) return this.#ext6Truncated(nh, out);
        const offFlags = be16(b, q + 2);
        if ((offFlags & 0xfff8) !== 0) {
          out.proto = b[q] as number;
          out.frag = Frag.Later;
          out.payloadOff = q + 8;
          out.payloadLen = ipEnd - q - 8;
          out.payloadCaptured = capEnd - q - 8;
          return OK;
        }
        if (offFlags & 1) out.frag = Frag.First; // else an atomic fragment (RFC 6946): not a fragment
        len = 8;
      } else {
        break;
      }
      nh = b[q] as number;
      q += len;
    }
    out.proto = nh;
    return this.#transport(nh, b, q, ipEnd, capEnd, out);
  }

  #ext6Truncated(nh: number, out: PacketInfo): DecodeStatus {
    out.proto = nh;
    this.#weird('truncated_IPv6_ext_header', `IPv6 extension header ${nh} truncated`);
    return BAD;
  }

  // -------------------------------------------------------------------------
  // Transport
  // -------------------------------------------------------------------------

  /**
   * The transport header at `q`: `ipEnd` is where the IP header says the
   * packet ends, `capEnd` where the capture does (≤ ipEnd). Zeek's checks:
   * `truncated_header` when the IP length leaves no room for the header,
   * `internally_truncated_header` when the capture does not.
   */
  #transport(proto: number, b: Uint8Array, q: number, ipEnd: number, capEnd: number, out: PacketInfo): DecodeStatus {
    const l4Len = ipEnd - q;
    const l4Cap = capEnd - q;
    out.proto = proto;
    switch (proto) {
      case IpProto.Tcp: {
        if (!this.#l4Room(20, l4Len, l4Cap, 'TCP')) return BAD;
        const hl = ((b[q + 12] as number) >> 4) << 2;
        if (hl < 20) {
          this.#weird('bad_TCP_header_len', `TCP data offset ${hl}`);
          return BAD;
        }
        if (hl > l4Len) {
          this.#weird('truncated_header', `TCP header of ${hl} bytes, IP length leaves ${l4Len}`);
          return BAD;
        }
        if (hl > l4Cap) {
          // Options cut by the snaplen: the fixed header is there, so the connection
          // is still known (Zeek creates it, then reports this weird).
          this.#weird('truncated_header', `TCP header of ${hl} bytes, ${l4Cap} captured`);
        }
        out.sport = be16(b, q);
        out.dport = be16(b, q + 2);
        out.seq = be32(b, q + 4);
        out.ack = be32(b, q + 8);
        out.tcpFlags = b[q + 13] as number;
        out.window = be16(b, q + 14);
        out.payloadLen = l4Len - hl;
        if (hl <= l4Cap) {
          out.payloadOff = q + hl;
          out.payloadCaptured = l4Cap - hl;
        } else {
          out.payloadOff = capEnd; // nothing captured: stay inside the frame
          out.payloadCaptured = 0;
        }
        return OK;
      }
      case IpProto.Udp: {
        if (!this.#l4Room(8, l4Len, l4Cap, 'UDP')) return BAD;
        const sport = be16(b, q);
        const dport = be16(b, q + 2);
        out.sport = sport;
        out.dport = dport;
        out.payloadOff = q + 8;
        out.payloadLen = l4Len - 8;
        out.payloadCaptured = l4Cap - 8;
        // A first fragment carries the whole datagram's length: nothing to compare.
        if (out.frag !== Frag.None) return OK;
        const ulen = be16(b, q + 4);
        if (ulen !== l4Len) this.#weird('UDP_datagram_length_mismatch', `UDP length ${ulen}, IP payload ${l4Len}`);
        if (this.#udpTunnels) return this.#udpTunnel(sport, dport, b, q + 8, ipEnd, capEnd, out);
        return OK;
      }
      case IpProto.Icmp:
      case IpProto.Icmpv6:
        if (!this.#l4Room(8, l4Len, l4Cap, proto === IpProto.Icmp ? 'ICMP' : 'ICMPv6')) return BAD;
        out.sport = b[q] as number; // type
        out.dport = b[q + 1] as number; // code
        out.payloadOff = q + 8;
        out.payloadLen = l4Len - 8;
        out.payloadCaptured = l4Cap - 8;
        return OK;
      case IpProto.IpInIp:
      case IpProto.Ipv6:
        out.payloadOff = q;
        out.payloadLen = l4Len;
        out.payloadCaptured = l4Cap;
        if (out.frag !== Frag.None || !this.#enter(TunnelType.IpInIp, out)) return OK;
        this.stats.ipInIp++;
        this.#wireEnd = ipEnd;
        return this.#ip(b, q, capEnd, out);
      case IpProto.Gre:
        out.payloadOff = q;
        out.payloadLen = l4Len;
        out.payloadCaptured = l4Cap;
        if (out.frag !== Frag.None) return OK;
        return this.#gre(b, q, ipEnd, capEnd, out, false);
      default:
        out.payloadOff = q;
        out.payloadLen = l4Len;
        out.payloadCaptured = l4Cap;
        return OK;
    }
  }

  #l4Room(min: number, l4Len: number, l4Cap: number, what: string): boolean {
    if (l4Len < min) {
      this.#weird('truncated_header', `${what} header needs ${min} bytes, IP length leaves ${l4Len}`);
      return false;
    }
    if (l4Cap < min) {
      this.#weird('internally_truncated_header', `${what} header needs ${min} bytes, ${l4Cap} captured`);
      return false;
    }
    return true;
  }

  // -------------------------------------------------------------------------
  // Tunnels
  // -------------------------------------------------------------------------

  /** Snapshot the current level and go one deeper; false (with a weird) past the maximum. */
  #enter(type: number, out: PacketInfo): boolean {
    const d = out.tunnelDepth;
    if (d >= this.#maxDepth) {
      this.#weird('exceeded_tunnel_max_depth', `tunnel nesting deeper than ${this.#maxDepth}`);
      return false;
    }
    copyInfo(out, this.#saved[d] as PacketInfo);
    out.tunnelDepth = d + 1;
    out.tunnelType = type;
    return true;
  }

  /** After a UDP tunnel: report the inner packet if it decoded, else the datagram itself. */
  #leaveUdp(r: DecodeStatus, depth: number, out: PacketInfo): DecodeStatus {
    if (r === OK) return OK;
    copyInfo(this.#saved[depth] as PacketInfo, out);
    return OK;
  }

  /** An Ethernet frame inside a tunnel: its own VLAN tags, not the outer frame's. */
  #innerEther(b: Uint8Array, p: number, end: number, out: PacketInfo): DecodeStatus {
    out.vlan = -1;
    out.innerVlan = -1;
    return this.#ether(b, p, end, out);
  }

  /** GRE (RFC 2784/2890), PPTP (RFC 2637), ERSPAN; also GRE-in-UDP (RFC 8086). As Zeek's GRE analyzer. */
  #gre(b: Uint8Array, q: number, ipEnd: number, capEnd: number, out: PacketInfo, overUdp: boolean): DecodeStatus {
    const avail = capEnd - q;
    if (avail < 4) {
      // Over UDP the datagram may simply not be GRE: no weird, report the datagram.
      if (overUdp) return OK;
      this.#weird('truncated_GRE', 'GRE header truncated');
      return BAD;
    }
    const fv = be16(b, q);
    const pt = be16(b, q + 2);
    const version = fv & 7;
    let hl = 4;
    if (fv & 0x8000) hl += 4; // checksum + reserved1
    if (fv & 0x2000) hl += 4; // key (PPTP: payload length + call id)
    if (fv & 0x1000) hl += 4; // sequence number
    if (fv & 0x0080) hl += 4; // acknowledgement (PPTP)
    let bad: string | undefined;
    if (version > 1) bad = 'unknown_gre_version';
    else if (fv & 0x4000) bad = 'gre_routing'; // RFC 1701 source routing, deprecated
    else if (fv & 0x0078) bad = 'unknown_gre_flags';
    else if (version === 1 && pt !== EtherType.Ppp) bad = 'egre_protocol_type';
    else if (hl > avail) bad = 'truncated_GRE';
    if (bad !== undefined) {
      if (overUdp) return OK;
      this.#weird(bad, `GRE flags/version 0x${fv.toString(16)}, protocol 0x${pt.toString(16)}`);
      return BAD;
    }
    let r = q + hl;
    if (version === 1) {
      // PPTP: PPP inside, address/control usually present, protocol possibly compressed.
      if (capEnd - r < 1) return overUdp ? OK : NOT_IP; // acknowledgement only
      if (b[r] === 0xff && b[r + 1] === 0x03) r += 2;
      if (capEnd - r < 2) return overUdp ? OK : NOT_IP;
      let proto: number;
      if ((b[r] as number) & 1) {
        proto = b[r] as number;
        r += 1;
      } else {
        proto = be16(b, r);
        r += 2;
      }
      if (proto !== PppProto.Ipv4 && proto !== PppProto.Ipv6) return overUdp ? OK : NOT_IP;
      return this.#greInner(b, r, ipEnd, capEnd, out, overUdp, -1);
    }
    switch (pt) {
      case EtherType.TransEther:
        return this.#greInner(b, r, ipEnd, capEnd, out, overUdp, 0);
      case EtherType.Erspan2:
        // Type I has no ERSPAN header (and no sequence number); type II has 8 bytes.
        if (fv & 0x1000) r += 8;
        return this.#greInner(b, r, ipEnd, capEnd, out, overUdp, 0);
      case EtherType.Erspan3: {
        if (capEnd - r < 12) {
          this.#weird('truncated_GRE', 'ERSPAN III header truncated');
          return overUdp ? OK : BAD;
        }
        const optional = (b[r + 11] as number) & 1; // O flag: platform-specific subheader follows
        r += optional ? 20 : 12;
        return this.#greInner(b, r, ipEnd, capEnd, out, overUdp, 0);
      }
      default:
        // Aruba WLAN tunnelling carries 802.11 frames (Zeek's test, verbatim).
        if (
          ((pt & 0x8200) === 0x8200 && (pt & 0x0f) === 0) ||
          ((pt & 0x8300) === 0x8300 && (pt & 0x0f) === 0 && pt <= 0x8370) ||
          pt === 0x9000
        ) {
          return this.#greInner(b, r, ipEnd, capEnd, out, overUdp, 2);
        }
        return this.#greInner(b, r, ipEnd, capEnd, out, overUdp, pt);
    }
  }

  /**
   * Open a GRE tunnel whose payload starts at `r`. `kind`: -1 IP, 0
   * Ethernet, 2 an 802.11 frame, else an EtherType.
   */
  #greInner(
    b: Uint8Array,
    r: number,
    ipEnd: number,
    capEnd: number,
    out: PacketInfo,
    overUdp: boolean,
    kind: number,
  ): DecodeStatus {
    const depth = out.tunnelDepth;
    if (!this.#enter(overUdp ? TunnelType.GreUdp : TunnelType.Gre, out)) return overUdp ? OK : BAD;
    if (overUdp) this.stats.greUdp++;
    else this.stats.gre++;
    this.#wireEnd = ipEnd;
    let s: DecodeStatus;
    if (kind === -1) s = this.#ip(b, r, capEnd, out);
    else if (kind === 0) s = this.#innerEther(b, r, capEnd, out);
    else if (kind === 2) s = this.#wlan(b, r, capEnd, out);
    else {
      out.vlan = -1;
      out.innerVlan = -1;
      s = this.#ethertype(b, r, capEnd, kind, out);
    }
    return overUdp ? this.#leaveUdp(s, depth, out) : s;
  }

  /** UDP tunnels by port (either end). Returns the status of the packet reported. */
  #udpTunnel(
    sport: number,
    dport: number,
    b: Uint8Array,
    r: number,
    ipEnd: number,
    capEnd: number,
    out: PacketInfo,
  ): DecodeStatus {
    // VXLAN, Geneve and GRE-in-UDP put entropy in the source port: only the
    // destination port names them. GTP-U, Teredo and AYIYA servers answer from theirs.
    let port = 0;
    if (isTunnelPort(dport)) port = dport;
    else if (sport === TunnelPort.GtpU || sport === TunnelPort.Teredo || sport === TunnelPort.Ayiya) port = sport;
    else if (this.#teredoHeuristic && this.#looksTeredo(b, r, ipEnd, capEnd)) port = TunnelPort.Teredo;
    else return OK;
    const avail = capEnd - r;
    const depth = out.tunnelDepth;
    switch (port) {
      case TunnelPort.Vxlan: {
        // The I flag must be set (RFC 7348 §5); an empty payload is not a tunnel.
        if (avail <= 8 || ((b[r] as number) & 0x08) === 0) return OK;
        if (!this.#enter(TunnelType.Vxlan, out)) return OK;
        this.stats.vxlan++;
        this.#wireEnd = ipEnd;
        return this.#leaveUdp(this.#innerEther(b, r + 8, capEnd, out), depth, out);
      }
      case TunnelPort.Geneve: {
        if (avail < 8) return OK;
        if ((b[r] as number) >> 6 !== 0) {
          this.#weird('geneve_invalid_version', `Geneve version ${(b[r] as number) >> 6}`);
          return OK;
        }
        const inner = r + 8 + (((b[r] as number) & 0x3f) << 2);
        if (inner >= capEnd) return OK;
        const proto = be16(b, r + 2);
        if (!this.#enter(TunnelType.Geneve, out)) return OK;
        this.stats.geneve++;
        this.#wireEnd = ipEnd;
        let s: DecodeStatus;
        if (proto === EtherType.TransEther) s = this.#innerEther(b, inner, capEnd, out);
        else {
          out.vlan = -1;
          out.innerVlan = -1;
          s = proto > 1500 ? this.#ethertype(b, inner, capEnd, proto, out) : NOT_IP;
        }
        return this.#leaveUdp(s, depth, out);
      }
      case TunnelPort.GtpU: {
        // Version 1, protocol type GTP, message type 255 (G-PDU).
        if (avail < 8) return OK;
        const flags = b[r] as number;
        if (flags >> 5 !== 1 || (flags & 0x10) === 0 || b[r + 1] !== 0xff) return OK;
        let hl = 8;
        if (flags & 0x07) {
          // Sequence / N-PDU / extension present: 4 more bytes, the last the first extension type.
          if (avail < 12) return OK;
          hl = 12;
          let next = b[r + 11] as number;
          while (next !== 0) {
            if (avail < hl + 1) return OK;
            const el = (b[r + hl] as number) << 2;
            if (el === 0 || avail < hl + el) return OK;
            next = b[r + hl + el - 1] as number;
            hl += el;
          }
        }
        const inner = r + hl;
        if (inner >= capEnd) return OK;
        const nibble = (b[inner] as number) >> 4;
        if (nibble !== 4 && nibble !== 6) return OK;
        if (!this.#enter(TunnelType.Gtp, out)) return OK;
        this.stats.gtp++;
        this.#wireEnd = ipEnd;
        return this.#leaveUdp(this.#ip(b, inner, capEnd, out), depth, out);
      }
      case TunnelPort.Teredo: {
        // Optional authentication, then optional origin indication, then IPv6 (RFC 4380 §5.1.1).
        let x = r;
        if (capEnd - x >= 4 && b[x] === 0 && b[x + 1] === 1) {
          x += 13 + (b[x + 2] as number) + (b[x + 3] as number);
        }
        if (capEnd - x >= 8 && b[x] === 0 && b[x + 1] === 0) x += 8;
        if (capEnd - x < 40 || (b[x] as number) >> 4 !== 6) return OK;
        const plen = be16(b, x + 4);
        const wire = ipEnd - x;
        // The IPv6 length must fill the datagram, except for a bubble (no next header, empty).
        if (40 + plen > wire) return OK;
        if (40 + plen < wire && !(plen === 0 && b[x + 6] === IpProto.NoNext)) return OK;
        if (!this.#enter(TunnelType.Teredo, out)) return OK;
        this.stats.teredo++;
        this.#wireEnd = ipEnd;
        return this.#leaveUdp(this.#ip(b, x, capEnd, out), depth, out);
      }
      case TunnelPort.Ayiya: {
        if (avail < 8) return OK;
        const inner = r + 8 + (1 << ((b[r] as number) >> 4)) + (((b[r + 1] as number) >> 4) << 2);
        const next = b[r + 3] as number;
        // Op code 1 is "forward"; anything else carries no packet.
        if (((b[r + 2] as number) & 0x0f) !== 1 || inner >= capEnd) return OK;
        if (next !== IpProto.IpInIp && next !== IpProto.Ipv6) return OK;
        if (!this.#enter(TunnelType.Ayiya, out)) return OK;
        this.stats.ayiya++;
        this.#wireEnd = ipEnd;
        return this.#leaveUdp(this.#ip(b, inner, capEnd, out), depth, out);
      }
      default:
        // GRE in UDP (RFC 8086).
        return this.#gre(b, r, ipEnd, capEnd, out, true);
    }
  }

  /** Zeek's Teredo DPD signature, restated: see {@link PacketDecoderOptions.teredoHeuristic}. */
  #looksTeredo(b: Uint8Array, r: number, ipEnd: number, capEnd: number): boolean {
    let x = r;
    const first = b[x] as number;
    if (first === 0 && b[x + 1] === 0) x += 8; // origin indication
    else if (first >> 4 !== 6) return false;
    if (capEnd - x < 40 || (b[x] as number) >> 4 !== 6) return false;
    if (40 + be16(b, x + 4) !== ipEnd - x) return false;
    return (
      (b[x + 8] === 0x20 && b[x + 9] === 0x01 && b[x + 10] === 0 && b[x + 11] === 0) ||
      (b[x + 24] === 0x20 && b[x + 25] === 0x01 && b[x + 26] === 0 && b[x + 27] === 0)
    );
  }

  // -------------------------------------------------------------------------
  // Weirds
  // -------------------------------------------------------------------------

  #weird(kind: string, message: string): void {
    this.stats.weirds++;
    const h = this.#onWeird;
    if (h === undefined) return;
    const file = this.#file;
    const offset = this.frameOffset;
    if (offset >= 0) h(file === undefined ? { kind, message, offset } : { kind, message, file, offset });
    else h(file === undefined ? { kind, message } : { kind, message, file });
  }
}

function isTunnelPort(p: number): boolean {
  return (
    p === TunnelPort.Vxlan ||
    p === TunnelPort.Geneve ||
    p === TunnelPort.GtpU ||
    p === TunnelPort.Teredo ||
    p === TunnelPort.Ayiya ||
    p === TunnelPort.GreUdp
  );
}
