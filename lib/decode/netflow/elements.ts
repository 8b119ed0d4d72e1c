/**
 * NetFlow v9 field types and IPFIX information elements that c2watch reads,
 * and the operation ("op") each one compiles to in a template's field plan.
 *
 * NetFlow v9 field types 1–127 share their numbers with IPFIX information
 * elements (RFC 3954 §8; IANA "IPFIX Information Elements" registry), so one
 * table serves both. Everything not listed here is skipped by length.
 *
 * Reverse elements (RFC 5103 §6.1): enterprise number 29305 with the forward
 * element's id; we read the counters and TCP flags.
 *
 * Reduced-size encoding (RFC 7011 §6.2): unsigned counters may be sent in
 * fewer bytes than their abstract type (e.g. octetDeltaCount in 4 bytes
 * instead of 8); ops on unsigned values accept any length 1–8.
 *
 * @module
 */

/** RFC 5103 reverse information elements live under this private enterprise number. */
export const REVERSE_PEN = 29305;

/** IPFIX variable-length marker in a template field specifier (RFC 7011 §7). */
export const VARLEN = 65535;

/**
 * Ops: what a field does to the record being decoded. `Skip` fields are
 * dropped from fixed-length plans entirely. Values are small integers so
 * the decode loop's `switch` compiles to a jump table.
 */
export const Op = {
  Skip: 0,
  Src4: 1,
  Dst4: 2,
  Src6: 3,
  Dst6: 4,
  SrcPort: 5,
  DstPort: 6,
  Proto: 7,
  TcpFlags: 8,
  Octets: 9,
  Packets: 10,
  OctetsTotal: 11,
  PacketsTotal: 12,
  PostOctets: 13,
  PostPackets: 14,
  RevOctets: 15,
  RevPackets: 16,
  RevTcpFlags: 17,
  InitiatorOctets: 18,
  ResponderOctets: 19,
  InitiatorPackets: 20,
  ResponderPackets: 21,
  /** FIRST_SWITCHED / flowStartSysUpTime (22): ms of exporter uptime. */
  FirstUptime: 22,
  /** LAST_SWITCHED / flowEndSysUpTime (21). */
  LastUptime: 23,
  StartSec: 24,
  EndSec: 25,
  StartMs: 26,
  EndMs: 27,
  /** dateTimeMicroseconds: NTP format (RFC 7011 §6.1.9). */
  StartNtp: 28,
  EndNtp: 29,
  /** flowStartDeltaMicroseconds (158): µs before the export time. */
  StartDeltaUs: 30,
  EndDeltaUs: 31,
  SysInitMs: 32,
  DurationMs: 33,
  DurationUs: 34,
  /** ICMP_TYPE (32) / icmpTypeCodeIPv6 (139): type·256 + code. */
  IcmpTypeCode: 35,
  IcmpType: 36,
  IcmpCode: 37,
  SamplingInterval: 38,
  SamplerId: 39,
  PacketInterval: 40,
  PacketSpace: 41,
  SampleSize: 42,
  Population: 43,
  Probability: 44,
  BiflowDirection: 45,
  EndReason: 46,
  Direction: 47,
  IpVersion: 48,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/**
 * The op for an IANA information element (enterprise 0) or a NetFlow v9
 * field type, given its length in the template. Addresses need their exact
 * size; anything else unusual is skipped.
 */
export function opOf(id: number, length: number): Op {
  switch (id) {
    case 1: return Op.Octets; // octetDeltaCount / IN_BYTES
    case 2: return Op.Packets; // packetDeltaCount / IN_PKTS
    case 4: return Op.Proto; // protocolIdentifier
    case 6: return Op.TcpFlags; // tcpControlBits
    case 7: return Op.SrcPort; // sourceTransportPort
    case 8: return length === 4 ? Op.Src4 : Op.Skip; // sourceIPv4Address
    case 11: return Op.DstPort; // destinationTransportPort
    case 12: return length === 4 ? Op.Dst4 : Op.Skip; // destinationIPv4Address
    case 21: return Op.LastUptime; // flowEndSysUpTime / LAST_SWITCHED
    case 22: return Op.FirstUptime; // flowStartSysUpTime / FIRST_SWITCHED
    case 23: return Op.PostOctets; // postOctetDeltaCount / OUT_BYTES
    case 24: return Op.PostPackets; // postPacketDeltaCount / OUT_PKTS
    case 27: return length === 16 ? Op.Src6 : Op.Skip; // sourceIPv6Address
    case 28: return length === 16 ? Op.Dst6 : Op.Skip; // destinationIPv6Address
    case 32: return Op.IcmpTypeCode; // icmpTypeCodeIPv4 / ICMP_TYPE
    case 34: return Op.SamplingInterval; // samplingInterval (deprecated in IPFIX, common in v9)
    case 48: return Op.SamplerId; // samplerId / FLOW_SAMPLER_ID
    case 50: return Op.SamplingInterval; // samplerRandomInterval
    case 60: return Op.IpVersion; // ipVersion
    case 61: return Op.Direction; // flowDirection
    case 85: return Op.OctetsTotal; // octetTotalCount
    case 86: return Op.PacketsTotal; // packetTotalCount
    case 136: return Op.EndReason; // flowEndReason
    case 139: return Op.IcmpTypeCode; // icmpTypeCodeIPv6
    case 150: return Op.StartSec; // flowStartSeconds
    case 151: return Op.EndSec; // flowEndSeconds
    case 152: return Op.StartMs; // flowStartMilliseconds
    case 153: return Op.EndMs; // flowEndMilliseconds
    case 154: return length === 8 ? Op.StartNtp : Op.Skip; // flowStartMicroseconds
    case 155: return length === 8 ? Op.EndNtp : Op.Skip; // flowEndMicroseconds
    case 156: return length === 8 ? Op.StartNtp : Op.Skip; // flowStartNanoseconds
    case 157: return length === 8 ? Op.EndNtp : Op.Skip; // flowEndNanoseconds
    case 158: return Op.StartDeltaUs; // flowStartDeltaMicroseconds
    case 159: return Op.EndDeltaUs; // flowEndDeltaMicroseconds
    case 160: return Op.SysInitMs; // systemInitTimeMilliseconds
    case 161: return Op.DurationMs; // flowDurationMilliseconds
    case 162: return Op.DurationUs; // flowDurationMicroseconds
    case 176: return Op.IcmpType; // icmpTypeIPv4
    case 177: return Op.IcmpCode; // icmpCodeIPv4
    case 178: return Op.IcmpType; // icmpTypeIPv6
    case 179: return Op.IcmpCode; // icmpCodeIPv6
    case 231: return Op.InitiatorOctets; // initiatorOctets (NSEL fwd_flow_delta_bytes)
    case 232: return Op.ResponderOctets; // responderOctets (NSEL rev_flow_delta_bytes)
    case 239: return Op.BiflowDirection; // biflowDirection (RFC 5103 §6.3)
    case 298: return Op.InitiatorPackets; // initiatorPackets
    case 299: return Op.ResponderPackets; // responderPackets
    case 302: return Op.SamplerId; // selectorId
    case 305: return Op.PacketInterval; // samplingPacketInterval
    case 306: return Op.PacketSpace; // samplingPacketSpace
    case 309: return Op.SampleSize; // samplingSize
    case 310: return Op.Population; // samplingPopulation
    case 311: return length === 8 || length === 4 ? Op.Probability : Op.Skip; // samplingProbability (float64)
    default: return Op.Skip;
  }
}

/** The op for an RFC 5103 reverse element (enterprise 29305), else Skip. */
export function reverseOpOf(id: number): Op {
  switch (id) {
    case 1:
    case 85:
      return Op.RevOctets;
    case 2:
    case 86:
      return Op.RevPackets;
    case 6:
      return Op.RevTcpFlags;
    default:
      return Op.Skip;
  }
}

/*
 * Value slots: where a record's fields land while it is decoded (a small
 * Float64Array, -1 = absent). Several ops share a slot when they are the
 * same quantity in other units (flowStartSeconds / Milliseconds / NTP all
 * land in V_START_MS as epoch milliseconds).
 */
export const V_SRC4 = 0;
export const V_DST4 = 1;
/** Byte offset of the 16-byte address in the datagram. */
export const V_SRC6 = 2;
export const V_DST6 = 3;
export const V_SPORT = 4;
export const V_DPORT = 5;
export const V_PROTO = 6;
export const V_FLAGS = 7;
export const V_OCT = 8;
export const V_PKT = 9;
export const V_OCT_T = 10;
export const V_PKT_T = 11;
export const V_POST_OCT = 12;
export const V_POST_PKT = 13;
export const V_REV_OCT = 14;
export const V_REV_PKT = 15;
export const V_REV_FLAGS = 16;
export const V_INIT_OCT = 17;
export const V_RESP_OCT = 18;
export const V_INIT_PKT = 19;
export const V_RESP_PKT = 20;
export const V_FIRST_UP = 21;
export const V_LAST_UP = 22;
export const V_START_MS = 23;
export const V_END_MS = 24;
/** µs before the export time. */
export const V_START_DELTA = 25;
export const V_END_DELTA = 26;
export const V_SYSINIT = 27;
export const V_DUR_MS = 28;
export const V_ICMP_TC = 29;
export const V_ICMP_T = 30;
export const V_ICMP_C = 31;
export const V_SAMPLING = 32;
export const V_SAMPLER_ID = 33;
export const V_PKT_INTERVAL = 34;
export const V_PKT_SPACE = 35;
export const V_SAMPLE_SIZE = 36;
export const V_POPULATION = 37;
export const V_PROB = 38;
export const V_BIDIR = 39;
export const V_END_REASON = 40;
export const V_DIRECTION = 41;
export const V_IPVER = 42;
export const N_VALUES = 43;

/**
 * How a plan entry reads its value. Plain big-endian unsigned integers of
 * 1, 2, 4 or 8 bytes use their length as the kind (the decode loop's fast
 * cases); everything else is a conversion.
 */
export const Kind = {
  /** Unsigned of any other length (reduced-size encoding, RFC 7011 §6.2). */
  Uint: 0,
  /** Store the field's byte offset (IPv6 addresses, formatted only when emitted). */
  Offset: 16,
  /** Seconds to ms. */
  Seconds: 17,
  /** NTP 64-bit timestamp (dateTimeMicroseconds / Nanoseconds, RFC 7011 §6.1.9–10) to epoch ms. */
  Ntp: 18,
  /** µs to ms. */
  Micros: 19,
  /** float32 / float64. */
  Float: 20,
} as const;

/** Slot and read kind of an op (the op must not be Skip). */
export function slotOf(op: Op, length: number): { slot: number; kind: number } {
  const plain = length === 1 || length === 2 || length === 4 || length === 8 ? length : Kind.Uint;
  switch (op) {
    case Op.Src4: return { slot: V_SRC4, kind: plain };
    case Op.Dst4: return { slot: V_DST4, kind: plain };
    case Op.Src6: return { slot: V_SRC6, kind: Kind.Offset };
    case Op.Dst6: return { slot: V_DST6, kind: Kind.Offset };
    case Op.SrcPort: return { slot: V_SPORT, kind: plain };
    case Op.DstPort: return { slot: V_DPORT, kind: plain };
    case Op.Proto: return { slot: V_PROTO, kind: plain };
    case Op.TcpFlags: return { slot: V_FLAGS, kind: plain };
    case Op.Octets: return { slot: V_OCT, kind: plain };
    case Op.Packets: return { slot: V_PKT, kind: plain };
    case Op.OctetsTotal: return { slot: V_OCT_T, kind: plain };
    case Op.PacketsTotal: return { slot: V_PKT_T, kind: plain };
    case Op.PostOctets: return { slot: V_POST_OCT, kind: plain };
    case Op.PostPackets: return { slot: V_POST_PKT, kind: plain };
    case Op.RevOctets: return { slot: V_REV_OCT, kind: plain };
    case Op.RevPackets: return { slot: V_REV_PKT, kind: plain };
    case Op.RevTcpFlags: return { slot: V_REV_FLAGS, kind: plain };
    case Op.InitiatorOctets: return { slot: V_INIT_OCT, kind: plain };
    case Op.ResponderOctets: return { slot: V_RESP_OCT, kind: plain };
    case Op.InitiatorPackets: return { slot: V_INIT_PKT, kind: plain };
    case Op.ResponderPackets: return { slot: V_RESP_PKT, kind: plain };
    case Op.FirstUptime: return { slot: V_FIRST_UP, kind: plain };
    case Op.LastUptime: return { slot: V_LAST_UP, kind: plain };
    case Op.StartSec: return { slot: V_START_MS, kind: Kind.Seconds };
    case Op.EndSec: return { slot: V_END_MS, kind: Kind.Seconds };
    case Op.StartMs: return { slot: V_START_MS, kind: plain };
    case Op.EndMs: return { slot: V_END_MS, kind: plain };
    case Op.StartNtp: return { slot: V_START_MS, kind: Kind.Ntp };
    case Op.EndNtp: return { slot: V_END_MS, kind: Kind.Ntp };
    case Op.StartDeltaUs: return { slot: V_START_DELTA, kind: plain };
    case Op.EndDeltaUs: return { slot: V_END_DELTA, kind: plain };
    case Op.SysInitMs: return { slot: V_SYSINIT, kind: plain };
    case Op.DurationMs: return { slot: V_DUR_MS, kind: plain };
    case Op.DurationUs: return { slot: V_DUR_MS, kind: Kind.Micros };
    case Op.IcmpTypeCode: return { slot: V_ICMP_TC, kind: plain };
    case Op.IcmpType: return { slot: V_ICMP_T, kind: plain };
    case Op.IcmpCode: return { slot: V_ICMP_C, kind: plain };
    case Op.SamplingInterval: return { slot: V_SAMPLING, kind: plain };
    case Op.SamplerId: return { slot: V_SAMPLER_ID, kind: plain };
    case Op.PacketInterval: return { slot: V_PKT_INTERVAL, kind: plain };
    case Op.PacketSpace: return { slot: V_PKT_SPACE, kind: plain };
    case Op.SampleSize: return { slot: V_SAMPLE_SIZE, kind: plain };
    case Op.Population: return { slot: V_POPULATION, kind: plain };
    case Op.Probability: return { slot: V_PROB, kind: Kind.Float };
    case Op.BiflowDirection: return { slot: V_BIDIR, kind: plain };
    case Op.EndReason: return { slot: V_END_REASON, kind: plain };
    case Op.Direction: return { slot: V_DIRECTION, kind: plain };
    case Op.IpVersion: return { slot: V_IPVER, kind: plain };
    default: return { slot: -1, kind: Kind.Uint };
  }
}
