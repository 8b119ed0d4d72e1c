/**
 * Constants and small pure helpers for the two capture file formats, with
 * their on-disk layouts. Used by {@link PcapReader}; no state, no I/O.
 *
 * Specifications:
 * - libpcap: draft-ietf-opsawg-pcap (“PCAP Capture File Format”), §4 file
 *   header, §5 packet record; the pcap-savefile(5) man page.
 * - pcapng: draft-ietf-opsawg-pcapng (“PCAP Now Generic”), §3.1 general
 *   block structure, §4.1 SHB, §4.2 IDB, §4.3 EPB, §4.4 SPB, Appendix A
 *   (obsolete Packet Block); `if_tsresol` and `if_tsoffset` in §4.2.
 *
 * @module
 */

// ---------------------------------------------------------------------------
// Classic libpcap (draft-ietf-opsawg-pcap §4, §5)
//
// File header, 24 bytes, in the writer's byte order (the magic tells which):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  0 |                          Magic Number                         |
//    +-------------------------------+-------------------------------+
//  4 |          Major Version        |         Minor Version         |
//    +-------------------------------+-------------------------------+
//  8 |                           Reserved1 (thiszone)                |
// 12 |                           Reserved2 (sigfigs)                 |
// 16 |                            SnapLen                            |
//    +-+-+-+-+-------+-+-------------+-------------------------------+
// 20 | FCS |R|P|     Reserved3       |           LinkType            |
//    +-----------------------------------------------------------------+
//
// Packet record, 16-byte header then CapLen bytes of data (no padding):
//
//    +---------------------------------------------------------------+
//  0 |                      Timestamp (Seconds)                      |
//  4 |            Timestamp (Microseconds or nanoseconds)            |
//  8 |                    Captured Packet Length                     |
// 12 |                    Original Packet Length                     |
// 16 /                          Packet Data                          /
//    +---------------------------------------------------------------+
//
// The “modified” (Alexey Kuznetzov) variant, magic a1b2cd34, appends 8 bytes
// to every record header (ifindex, protocol, pkt_type, pad): 24 in all.
// ---------------------------------------------------------------------------

/** Magic numbers, read as a big-endian uint32 from the first four bytes. */
export const PcapMagic = {
  /** Classic pcap, microsecond timestamps, big-endian writer. */
  MicrosBE: 0xa1b2c3d4,
  /** Classic pcap, microsecond timestamps, little-endian writer. */
  MicrosLE: 0xd4c3b2a1,
  /** Classic pcap, nanosecond timestamps, big-endian writer. */
  NanosBE: 0xa1b23c4d,
  /** Classic pcap, nanosecond timestamps, little-endian writer. */
  NanosLE: 0x4d3cb2a1,
  /** Kuznetzov's modified pcap (24-byte record headers), big-endian. */
  ModifiedBE: 0xa1b2cd34,
  /** Kuznetzov's modified pcap, little-endian. */
  ModifiedLE: 0x34cdb2a1,
  /** pcapng Section Header Block type: a palindrome, the same in both byte orders. */
  PcapngShb: 0x0a0d0d0a,
} as const;

/** Size of the classic file header. */
export const PCAP_FILE_HEADER = 24;
/** Size of a classic record header (24 for the modified variant). */
export const PCAP_RECORD_HEADER = 16;
export const PCAP_MODIFIED_RECORD_HEADER = 24;

/** The only classic major version (2; minor 4 in practice, any minor accepted). */
export const PCAP_VERSION_MAJOR = 2;

// ---------------------------------------------------------------------------
// pcapng (draft-ietf-opsawg-pcapng §3.1): every block is
//
//    +---------------------------------------------------------------+
//  0 |                          Block Type                           |
//  4 |                      Block Total Length                       |
//  8 /                          Block Body                           /
//    /              variable length, padded to 32 bits               /
//    +---------------------------------------------------------------+
//    |                      Block Total Length                       |
//    +---------------------------------------------------------------+
//
// Section Header Block (§4.1), type 0x0A0D0D0A:
//
//  8 |                      Byte-Order Magic 0x1A2B3C4D              |
// 12 |          Major Version (1)    |         Minor Version         |
// 16 |                     Section Length (64 bits, or -1)           |
// 24 /                          Options                              /
//
// Interface Description Block (§4.2), type 1:
//
//  8 |           LinkType            |           Reserved            |
// 12 |                            SnapLen                            |
// 16 /                          Options                              /
//
// Enhanced Packet Block (§4.3), type 6:
//
//  8 |                         Interface ID                          |
// 12 |                      Timestamp (High)                         |
// 16 |                      Timestamp (Low)                          |
// 20 |                    Captured Packet Length                     |
// 24 |                    Original Packet Length                     |
// 28 /                Packet Data (padded to 32 bits)                /
//    /                          Options                              /
//
// Simple Packet Block (§4.4), type 3: no interface (the first one of the
// section), no timestamp; captured length = min(original, SnapLen, body):
//
//  8 |                    Original Packet Length                     |
// 12 /                Packet Data (padded to 32 bits)                /
//
// Packet Block (Appendix A, obsolete), type 2:
//
//  8 |         Interface ID          |          Drops Count          |
// 12 |                      Timestamp (High)                         |
// 16 |                      Timestamp (Low)                          |
// 20 |                    Captured Packet Length                     |
// 24 |                    Original Packet Length                     |
// 28 /                Packet Data (padded to 32 bits)                /
//
// Options (§3.5): code (16) | length (16) | value padded to 32 bits; code 0
// ends the list.
// ---------------------------------------------------------------------------

/** pcapng block types. */
export const BlockType = {
  SectionHeader: 0x0a0d0d0a,
  InterfaceDescription: 1,
  /** Obsolete Packet Block (Appendix A). */
  Packet: 2,
  SimplePacket: 3,
  NameResolution: 4,
  InterfaceStatistics: 5,
  EnhancedPacket: 6,
  SystemdJournalExport: 9,
  DecryptionSecrets: 10,
  Custom: 0x00000bad,
  CustomNoCopy: 0x40000bad,
} as const;

/** Byte-order magic inside an SHB. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** The only pcapng major version. */
export const PCAPNG_VERSION_MAJOR = 1;

/** IDB option codes we read (§4.2). */
export const IdbOption = {
  EndOfOptions: 0,
  TsResol: 9,
  TsOffset: 14,
} as const;

/** Smallest legal total length of each block we read. */
export function minBlockLength(type: number): number {
  switch (type) {
    case BlockType.SectionHeader:
      return 28;
    case BlockType.InterfaceDescription:
      return 20;
    case BlockType.EnhancedPacket:
    case BlockType.Packet:
      return 32;
    case BlockType.SimplePacket:
      return 16;
    default:
      return 12;
  }
}

/** Block types we recognise (used to judge a candidate while resynchronising). */
export function isKnownBlockType(type: number): boolean {
  switch (type) {
    case BlockType.SectionHeader:
    case BlockType.InterfaceDescription:
    case BlockType.Packet:
    case BlockType.SimplePacket:
    case BlockType.NameResolution:
    case BlockType.InterfaceStatistics:
    case BlockType.EnhancedPacket:
    case BlockType.SystemdJournalExport:
    case BlockType.DecryptionSecrets:
    case BlockType.Custom:
    case BlockType.CustomNoCopy:
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Byte readers. Plain byte arithmetic: V8 inlines these, and they work on
// any Uint8Array view without a DataView per chunk.
// ---------------------------------------------------------------------------

/** Unsigned 32-bit, big-endian. */
export function be32(b: Uint8Array, o: number): number {
  return (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}

/** Unsigned 32-bit, little-endian. */
export function le32(b: Uint8Array, o: number): number {
  return (((b[o + 3] as number) << 24) | ((b[o + 2] as number) << 16) | ((b[o + 1] as number) << 8) | (b[o] as number)) >>> 0;
}

/** Unsigned 32-bit in the given byte order. */
export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le ? le32(b, o) : be32(b, o);
}

/** Unsigned 16-bit in the given byte order. */
export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? (b[o] as number) | ((b[o + 1] as number) << 8) : ((b[o] as number) << 8) | (b[o + 1] as number);
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

const TWO_16 = 65536;
const TWO_32 = 4294967296;
/** Above this many units per second the exact split below could overflow 2^53. */
const EXACT_UNITS_MAX = 2 ** 36;
/** hi·2^32 + lo is below 2^53 when hi is below 2^21. */
const EXACT_HI = 2 ** 21;

/**
 * A 64-bit tick count (high and low 32-bit halves) at `units` ticks per
 * second, as float64 seconds.
 *
 * Tick counts below 2^53 (microseconds until the year 2255) are exact
 * float64s and take one division. Larger ones (nanoseconds since 1970) have
 * their integer seconds computed exactly by long division in 16-bit steps,
 * so only the final `seconds + fraction` addition rounds: for present-day
 * epochs float64 keeps about 0.24 µs, so microseconds survive and
 * nanoseconds do not (documented on {@link PcapPacket.ts}).
 */
export function ticksToSeconds(hi: number, lo: number, units: number): number {
  // Below 2^53 the tick count is exact as a float64: one division, one rounding.
  if (hi < EXACT_HI) return (hi * TWO_32 + lo) / units;
  if (units > EXACT_UNITS_MAX) return (hi * TWO_32 + lo) / units;
  // hi·2^32 + lo = ((hi·2^16)·2^16) + lo, divided step by step.
  const a = hi * TWO_16;
  let q1 = Math.floor(a / units);
  let r1 = a - q1 * units;
  if (r1 < 0) {
    q1--;
    r1 += units;
  } else if (r1 >= units) {
    q1++;
    r1 -= units;
  }
  const b = r1 * TWO_16 + lo;
  let q2 = Math.floor(b / units);
  let r2 = b - q2 * units;
  if (r2 < 0) {
    q2--;
    r2 += units;
  } else if (r2 >= units) {
    q2++;
    r2 -= units;
  }
  return q1 * TWO_16 + q2 + r2 / units;
}

/**
 * Ticks per second from an `if_tsresol` byte (pcapng §4.2): most significant
 * bit clear, 10^-v seconds; set, 2^-(v & 0x7f) seconds.
 */
export function unitsFromTsresol(v: number): number {
  return v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
}

/**
 * Which capture format a file starts with, from its first bytes (4 are
 * enough; fewer give `undefined`). pcapng is recognised by its SHB type and,
 * when 12 bytes are given, its byte-order magic.
 */
export function sniffCapture(first: Uint8Array): 'pcap' | 'pcapng' | undefined {
  if (first.length < 4) return undefined;
  const m = be32(first, 0);
  switch (m) {
    case PcapMagic.MicrosBE:
    case PcapMagic.MicrosLE:
    case PcapMagic.NanosBE:
    case PcapMagic.NanosLE:
    case PcapMagic.ModifiedBE:
    case PcapMagic.ModifiedLE:
      return 'pcap';
    case PcapMagic.PcapngShb:
      if (first.length >= 12) {
        const bom = be32(first, 8);
        if (bom !== BYTE_ORDER_MAGIC && le32(first, 8) !== BYTE_ORDER_MAGIC) return undefined;
      }
      return 'pcapng';
    default:
      return undefined;
  }
}
