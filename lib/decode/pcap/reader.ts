/**
 * Sans-IO reader for capture files: classic libpcap (µs and ns, either byte
 * order, and the “modified” variant) and pcapng (several sections of either
 * byte order, several interfaces, EPB, SPB and the obsolete Packet Block).
 *
 * Bytes in through {@link PcapReader.append}, packets out through
 * {@link PcapReader.nextPacket}, in the style of @mcap/core's stream reader:
 *
 * ```ts
 * const r = new PcapReader({ onWeird, file: 'trace.pcap' });
 * for await (const chunk of stream) {
 *   r.append(chunk);
 *   for (let p; (p = r.nextPacket()); ) use(p);
 * }
 * r.end();
 * for (let p; (p = r.nextPacket()); ) use(p); // what only end-of-input could decide
 * ```
 *
 * How it stays fast and bounded:
 * - a record lying inside the current chunk is handed out as an offset into
 *   that chunk: no copy, no allocation; the packet object is one reused
 *   object;
 * - a record cut by a chunk edge is assembled in one reused internal buffer,
 *   grown when needed; its size is bounded by `maxRecordSize` (plus block
 *   overhead), because any longer declared length is a weird
 *   (`pcap_bad_length`), never a wait for more data;
 * - after a bad length the reader scans forward for a plausible record or
 *   block (see {@link PcapReader}) instead of giving up; every byte is
 *   looked at a bounded number of times, so damage costs O(n), never O(n²).
 *
 * Only unusable input throws: a wrong magic in the first four bytes
 * ({@link BadMagicError}, offset 0) or an unsupported major version in the
 * file header or first section ({@link UnsupportedVersionError}). Everything
 * else is a {@link Weird} and reading goes on.
 *
 * @module
 */

import { BadMagicError, UnsupportedVersionError } from '../../errors.js';
import type { Weird } from '../../weird.js';
import {
  BYTE_ORDER_MAGIC,
  BlockType,
  IdbOption,
  PCAP_FILE_HEADER,
  PCAP_MODIFIED_RECORD_HEADER,
  PCAP_RECORD_HEADER,
  PCAP_VERSION_MAJOR,
  PCAPNG_VERSION_MAJOR,
  PcapMagic,
  be32,
  isKnownBlockType,
  le32,
  minBlockLength,
  ticksToSeconds,
  u16,
  u32,
  unitsFromTsresol,
} from './format.js';

export { sniffCapture } from './format.js';

/** The two capture file formats. */
export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * One packet, as handed out by {@link PcapReader.nextPacket}. The reader
 * owns a single instance and refills it: copy what you keep.
 */
export interface PcapPacket {
  /** Bytes holding the frame: the caller's chunk or the reader's buffer. Valid until the next `nextPacket()` / `append()`. */
  buf: Uint8Array;
  /** Offset of the first byte of the frame in `buf`. */
  off: number;
  /** Bytes captured (the frame is `buf[off, off + capLen)`). */
  capLen: number;
  /** Bytes on the wire (≥ capLen unless the writer lied). */
  wireLen: number;
  /**
   * Seconds since the epoch, float64. Microseconds are exact; nanosecond
   * timestamps (ns pcap, pcapng `if_tsresol` 9) keep only ~0.24 µs, the
   * precision of a float64 near 1.7e9. Simple Packet Blocks carry no time:
   * they get the previous packet's time (0 before any).
   */
  ts: number;
  /** LINKTYPE_ value of the frame (classic: file header; pcapng: its interface). */
  linkType: number;
  /** pcapng interface index within its section (0 for classic pcap). */
  interfaceId: number;
  /** Byte offset of the record (classic) or block (pcapng) in the input. */
  offsetInFile: number;
}

/** Options of {@link PcapReader}. */
export interface PcapReaderOptions {
  /** Receives every weird, with `file` and the byte `offset`. Optional: weirds are counted in `stats` anyway. */
  onWeird?: ((w: Weird) => void) | undefined;
  /** Label used in weirds and errors, e.g. the path. */
  file?: string | undefined;
  /**
   * Largest captured length accepted for one packet, in bytes; default
   * 262 144 (libpcap's own maximum snaplen). Longer declared lengths are a
   * `pcap_bad_length` weird followed by a resynchronising scan. Cost: the
   * reassembly buffer may grow to about twice this (pcapng blocks may add
   * 64 KiB of header and options).
   */
  maxRecordSize?: number | undefined;
}

/** Counters of a {@link PcapReader}; read them any time. */
export interface PcapReaderStats {
  /** Detected format, once the first bytes have been seen. */
  format: CaptureFormat | undefined;
  /** Packets handed out. */
  packets: number;
  /** Input bytes consumed (headers, records, skipped blocks and damage). */
  bytes: number;
  /** Weirds reported. */
  weirds: number;
  /** pcapng sections seen (1 for a classic file). */
  sections: number;
  /** pcapng interfaces described, over all sections (1 for a classic file). */
  interfaces: number;
  /** pcapng blocks skipped: statistics, name resolution, secrets, custom, unknown. */
  blocksSkipped: number;
  /** Times the reader found its footing again after damage. */
  resyncs: number;
  /** Bytes discarded while resynchronising or as a truncated tail. */
  bytesSkipped: number;
  /** Records that straddled chunk edges and were copied into the internal buffer. */
  assembled: number;
}

/** One pcapng interface, or the single interface of a classic file. */
export interface CaptureInterface {
  /** Section index (0-based). */
  readonly section: number;
  readonly linkType: number;
  /** 0 when the writer set none. */
  readonly snapLen: number;
  /** Timestamp ticks per second (`if_tsresol`; 1e6 by default, 1e9 for ns pcap). */
  readonly ticksPerSecond: number;
  /** `if_tsoffset`, seconds added to every timestamp. */
  readonly tsOffset: number;
}

const DEFAULT_MAX_RECORD = 262144;
/** Room for pcapng block headers, padding and options around a packet. */
const BLOCK_OVERHEAD = 65536;
/** Streaming skip of a block we do not read is allowed up to this length. */
const MAX_SKIP_BLOCK = 0x40000000;
/** A classic record's original length above this is implausible (resync only). */
const MAX_WIRE = 1 << 24;
/** While resynchronising, a record's time must be within a day of its neighbours. */
const RESYNC_MAX_DT = 86400;
/** Initial size of the reassembly buffer. */
const OWN_INITIAL = 4096;

// Reader states.
const ST_MAGIC = 0;
const ST_PCAP = 1;
const ST_PCAPNG = 2;
const ST_SKIP = 3;
const ST_RESYNC = 4;
const ST_DONE = 5;

// Results of one step.
const R_MORE = 0;
const R_PACKET = 1;
const R_AGAIN = 2;

const EMPTY = new Uint8Array(0);

/**
 * Reads pcap and pcapng from bytes appended in chunks of any size.
 *
 * Damage handling:
 * - classic pcap: a captured length above `maxRecordSize` is
 *   `pcap_bad_length`; the reader then scans forward byte by byte for a
 *   plausible record header (sub-second field in range, captured ≤ snaplen
 *   and ≤ original length, time within ±1 day of the previous packet) whose
 *   successor header is plausible too (or that ends the input), and goes on
 *   from there;
 * - pcapng: a block length that is short, unaligned, too long, or that does
 *   not match the trailing copy is `pcap_bad_length`; the reader scans for a
 *   known block type with a sane length whose trailing length matches;
 * - a partial record or block at the end is `pcap_truncated_record` (an
 *   incomplete file header: `pcap_truncated_header`), reported by `end()` or
 *   by the `nextPacket()` calls after it;
 * - pcapng packets naming an unknown interface (`pcapng_bad_interface`) or
 *   claiming more bytes than their block holds (`pcapng_bad_caplen`) are
 *   skipped; a later section with an unknown major version is skipped
 *   whole (`pcapng_unsupported_version`); a later SHB with a bad byte-order
 *   magic is `pcapng_bad_bom`.
 *
 * Keep memory bounded by draining with `nextPacket()` before each
 * `append()`: bytes not consumed when a new chunk arrives are copied (the
 * caller may reuse its buffer), so appending without draining buffers
 * everything.
 */
export class PcapReader {
  /** Counters; the object is updated in place. */
  readonly stats: PcapReaderStats = {
    format: undefined,
    packets: 0,
    bytes: 0,
    weirds: 0,
    sections: 0,
    interfaces: 0,
    blocksSkipped: 0,
    resyncs: 0,
    bytesSkipped: 0,
    assembled: 0,
  };

  readonly #onWeird: ((w: Weird) => void) | undefined;
  readonly #file: string | undefined;
  readonly #maxRecord: number;
  readonly #maxBlock: number;

  // Input: bytes not yet consumed are own[oPos, oEnd) followed by chunk[cPos, end).
  #chunk: Uint8Array = EMPTY;
  #cPos = 0;
  #own: Uint8Array = new Uint8Array(OWN_INITIAL);
  #oPos = 0;
  #oEnd = 0;
  /** Absolute input offset of the first unconsumed byte. */
  #abs = 0;
  // The view set by #ensure: v[vo, vo + n) are the next n unconsumed bytes.
  #v: Uint8Array = EMPTY;
  #vo = 0;

  #state = ST_MAGIC;
  #final = false;
  /** The last step ran out of bytes and nothing was appended since. */
  #starved = false;

  // Classic pcap.
  #le = true;
  #fracDiv = 1e6;
  #recHdr = PCAP_RECORD_HEADER;
  #snapLen = 0;
  #linkType = 0;

  // pcapng: interfaces of the current section, as parallel arrays.
  #ifLink: number[] = [];
  #ifSnap: number[] = [];
  #ifUnits: number[] = [];
  #ifOffset: number[] = [];
  readonly #interfaces: CaptureInterface[] = [];
  #section = -1;
  /** The current section has a major version we do not read: skip its blocks. */
  #skipSection = false;

  // Streaming skip of a pcapng block.
  #skipLeft = 0;
  #skipLen = 0;
  #skipStart = 0;
  #skipType = 0;

  // Resynchronisation.
  #resumeState = ST_PCAP;
  #resyncStart = 0;

  /** Time of the last packet handed out (NaN before the first). */
  #prevTs = NaN;

  readonly #pkt: PcapPacket = {
    buf: EMPTY,
    off: 0,
    capLen: 0,
    wireLen: 0,
    ts: 0,
    linkType: 0,
    interfaceId: 0,
    offsetInFile: 0,
  };

  constructor(options: PcapReaderOptions = {}) {
    this.#onWeird = options.onWeird;
    this.#file = options.file;
    const max = options.maxRecordSize ?? DEFAULT_MAX_RECORD;
    this.#maxRecord = Math.max(64, Math.floor(max));
    this.#maxBlock = this.#maxRecord + BLOCK_OVERHEAD;
  }

  /** Interfaces described so far (one for a classic file), in order of appearance. */
  get interfaces(): readonly CaptureInterface[] {
    return this.#interfaces;
  }

  /**
   * Feed the next bytes. Records and blocks may be cut anywhere. The chunk
   * is read in place until `nextPacket()` returns `undefined` (or the next
   * `append()`, which copies what is left of the previous one). Throws
   * {@link BadMagicError} as soon as four bytes show the input is neither
   * pcap nor pcapng, and {@link UnsupportedVersionError} for an unknown
   * classic major version.
   */
  append(chunk: Uint8Array): void {
    if (this.#final) throw new Error('PcapReader: append() after end()');
    const rest = this.#chunk.length - this.#cPos;
    // The caller may reuse its buffer once we return: keep what we have not read.
    if (rest > 0) this.#ownAppend(this.#chunk, this.#cPos, rest);
    this.#chunk = chunk;
    this.#cPos = 0;
    this.#starved = false;
    if (this.#state === ST_MAGIC) this.#fileHeader();
  }

  /**
   * The next packet, or `undefined` when more bytes are needed (or, after
   * `end()`, when the input is exhausted). The returned object is reused:
   * it and its `buf` are valid only until the next `nextPacket()` or
   * `append()`. Once it returns `undefined` the reader keeps no reference
   * to the appended chunks (a partial record has been copied), so the
   * caller may reuse its buffer.
   */
  nextPacket(): PcapPacket | undefined {
    for (;;) {
      let r: number;
      switch (this.#state) {
        case ST_PCAP:
          r = this.#pcapRecord();
          break;
        case ST_PCAPNG:
          r = this.#pcapngBlock();
          break;
        case ST_MAGIC:
          r = this.#fileHeader() ? R_AGAIN : R_MORE;
          break;
        case ST_SKIP:
          r = this.#skipBlock();
          break;
        case ST_RESYNC:
          r = this.#resync();
          break;
        default:
          return undefined;
      }
      if (r === R_PACKET) {
        this.stats.packets++;
        this.stats.bytes = this.#abs;
        return this.#pkt;
      }
      if (r === R_MORE) {
        if (this.#final) this.#tail();
        else this.#release();
        this.stats.bytes = this.#abs;
        return undefined;
      }
    }
  }

  /**
   * End of input. A partial record left over is reported now when the
   * reader has been drained (`pcap_truncated_record` with its offset).
   * Call `nextPacket()` again until `undefined` afterwards: packets still
   * buffered, or that only the end of input could settle (a resynchronising
   * scan near the end), come out then.
   */
  end(): void {
    if (this.#final) return;
    this.#final = true;
    if (this.#starved && this.#state !== ST_RESYNC) this.#tail();
    this.stats.bytes = this.#abs;
  }

  // -------------------------------------------------------------------------
  // Buffer management
  // -------------------------------------------------------------------------

  /**
   * Make the next `n` unconsumed bytes contiguous: on success `#v[#vo, #vo+n)`
   * holds them. Zero-copy when they lie in the current chunk and nothing is
   * buffered; otherwise just enough is moved from the chunk into the
   * internal buffer.
   */
  #ensure(n: number): boolean {
    const oAvail = this.#oEnd - this.#oPos;
    if (oAvail === 0) {
      if (this.#chunk.length - this.#cPos >= n) {
        this.#v = this.#chunk;
        this.#vo = this.#cPos;
        return true;
      }
    } else if (oAvail >= n) {
      this.#v = this.#own;
      this.#vo = this.#oPos;
      return true;
    }
    const have = this.#chunk.length - this.#cPos;
    const take = Math.min(n - oAvail, have);
    if (take > 0) {
      this.#ownAppend(this.#chunk, this.#cPos, take);
      this.#cPos += take;
    }
    if (oAvail + take < n) return false;
    this.#v = this.#own;
    this.#vo = this.#oPos;
    return true;
  }

  /**
   * Out of bytes: keep the partial record (normally #ensure has already
   * moved it) and drop the reference to the caller's chunk, so the caller
   * may reuse its buffer as soon as `nextPacket()` has returned `undefined`.
   */
  #release(): void {
    const rest = this.#chunk.length - this.#cPos;
    if (rest > 0) this.#ownAppend(this.#chunk, this.#cPos, rest);
    this.#chunk = EMPTY;
    this.#cPos = 0;
    this.#starved = true;
  }

  /** Consume `n` bytes of the current view (n ≤ what #ensure made available). */
  #consume(n: number): void {
    if (this.#oEnd > this.#oPos) {
      this.#oPos += n;
      if (this.#oPos >= this.#oEnd) this.#oPos = this.#oEnd = 0;
    } else {
      this.#cPos += n;
    }
    this.#abs += n;
  }

  /** End of the bytes contiguous with the current view. */
  #viewEnd(): number {
    return this.#v === this.#own ? this.#oEnd : this.#chunk.length;
  }

  /** Drop up to `n` bytes without looking at them; returns how many. */
  #skipBytes(n: number): number {
    let done = 0;
    const oAvail = this.#oEnd - this.#oPos;
    if (oAvail > 0) {
      const k = Math.min(oAvail, n);
      this.#oPos += k;
      if (this.#oPos >= this.#oEnd) this.#oPos = this.#oEnd = 0;
      done = k;
    }
    if (done < n) {
      const k = Math.min(this.#chunk.length - this.#cPos, n - done);
      this.#cPos += k;
      done += k;
    }
    this.#abs += done;
    return done;
  }

  /**
   * Append `src[s, s+len)` to the internal buffer. Compacts when the bytes
   * to move are no more than those already consumed (so each byte moves O(1)
   * times), else doubles.
   */
  #ownAppend(src: Uint8Array, s: number, len: number): void {
    if (this.#oEnd + len > this.#own.length) {
      const live = this.#oEnd - this.#oPos;
      if (this.#oPos >= live && live + len <= this.#own.length) {
        this.#own.copyWithin(0, this.#oPos, this.#oEnd);
      } else {
        const grown = new Uint8Array(Math.max(this.#own.length * 2, live + len));
        grown.set(this.#own.subarray(this.#oPos, this.#oEnd));
        this.#own = grown;
      }
      this.#oPos = 0;
      this.#oEnd = live;
    }
    this.#own.set(src.subarray(s, s + len), this.#oEnd);
    this.#oEnd += len;
  }

  // -------------------------------------------------------------------------
  // File header
  // -------------------------------------------------------------------------

  /** Detect the format and read the classic file header. False: need more bytes. */
  #fileHeader(): boolean {
    if (!this.#ensure(4)) return false;
    const magic = be32(this.#v, this.#vo);
    if (magic === PcapMagic.PcapngShb) {
      if (!this.#ensure(12)) return false;
      const v = this.#v;
      const o = this.#vo + 8;
      if (be32(v, o) !== BYTE_ORDER_MAGIC && le32(v, o) !== BYTE_ORDER_MAGIC) {
        throw new BadMagicError(`pcapng byte-order magic is 0x${be32(v, o).toString(16).padStart(8, '0')}`, this.#where(8));
      }
      this.stats.format = 'pcapng';
      this.#state = ST_PCAPNG;
      return true;
    }
    let le: boolean;
    let frac = 1e6;
    let rec = PCAP_RECORD_HEADER;
    switch (magic) {
      case PcapMagic.MicrosLE:
        le = true;
        break;
      case PcapMagic.MicrosBE:
        le = false;
        break;
      case PcapMagic.NanosLE:
        le = true;
        frac = 1e9;
        break;
      case PcapMagic.NanosBE:
        le = false;
        frac = 1e9;
        break;
      case PcapMagic.ModifiedLE:
        le = true;
        rec = PCAP_MODIFIED_RECORD_HEADER;
        break;
      case PcapMagic.ModifiedBE:
        le = false;
        rec = PCAP_MODIFIED_RECORD_HEADER;
        break;
      default:
        throw new BadMagicError(
          `not a pcap or pcapng file: magic 0x${magic.toString(16).padStart(8, '0')}`,
          this.#where(0),
        );
    }
    if (!this.#ensure(PCAP_FILE_HEADER)) return false;
    const v = this.#v;
    const o = this.#vo;
    const major = u16(v, o + 4, le);
    if (major !== PCAP_VERSION_MAJOR) {
      throw new UnsupportedVersionError(`pcap version ${major}.${u16(v, o + 6, le)} (only 2.x is read)`, this.#where(4));
    }
    this.#le = le;
    this.#fracDiv = frac;
    this.#recHdr = rec;
    this.#snapLen = u32(v, o + 16, le);
    // Low 16 bits: LINKTYPE_; the upper bits carry FCS information (draft-ietf-opsawg-pcap §4).
    this.#linkType = u32(v, o + 20, le) & 0xffff;
    this.#consume(PCAP_FILE_HEADER);
    this.stats.format = 'pcap';
    this.stats.sections = 1;
    this.stats.interfaces = 1;
    this.#interfaces.push({ section: 0, linkType: this.#linkType, snapLen: this.#snapLen, ticksPerSecond: frac, tsOffset: 0 });
    this.#state = ST_PCAP;
    return true;
  }

  // -------------------------------------------------------------------------
  // Classic records
  // -------------------------------------------------------------------------

  #pcapRecord(): number {
    const H = this.#recHdr;
    const le = this.#le;
    // Fast path: nothing buffered and the whole record lies in the chunk.
    if (this.#oEnd === this.#oPos) {
      const c = this.#chunk;
      const p = this.#cPos;
      const avail = c.length - p;
      if (avail >= H) {
        const capLen = le ? le32(c, p + 8) : be32(c, p + 8);
        if (capLen <= this.#maxRecord && avail - H >= capLen) {
          this.#fillClassic(c, p, capLen, le);
          this.#cPos = p + H + capLen;
          this.#abs += H + capLen;
          return R_PACKET;
        }
      }
    }
    if (!this.#ensure(H)) return R_MORE;
    const capLen = u32(this.#v, this.#vo + 8, le);
    if (capLen > this.#maxRecord) {
      this.#weird(
        'pcap_bad_length',
        `record captured length ${capLen} exceeds the maximum ${this.#maxRecord}; scanning for the next record`,
        this.#abs,
      );
      this.#startResync(ST_PCAP);
      return R_AGAIN;
    }
    if (!this.#ensure(H + capLen)) return R_MORE;
    if (this.#v === this.#own) this.stats.assembled++;
    this.#fillClassic(this.#v, this.#vo, capLen, le);
    this.#consume(H + capLen);
    return R_PACKET;
  }

  #fillClassic(b: Uint8Array, p: number, capLen: number, le: boolean): void {
    const pkt = this.#pkt;
    const sec = le ? le32(b, p) : be32(b, p);
    const frac = le ? le32(b, p + 4) : be32(b, p + 4);
    const ts = sec + frac / this.#fracDiv;
    pkt.buf = b;
    pkt.off = p + this.#recHdr;
    pkt.capLen = capLen;
    pkt.wireLen = le ? le32(b, p + 12) : be32(b, p + 12);
    pkt.ts = ts;
    pkt.linkType = this.#linkType;
    pkt.interfaceId = 0;
    pkt.offsetInFile = this.#abs;
    this.#prevTs = ts;
  }

  // -------------------------------------------------------------------------
  // pcapng blocks
  // -------------------------------------------------------------------------

  #pcapngBlock(): number {
    // Fast path: an EPB lying whole in the chunk, nothing buffered.
    if (this.#oEnd === this.#oPos && !this.#skipSection) {
      const c = this.#chunk;
      const p = this.#cPos;
      const avail = c.length - p;
      if (avail >= 32) {
        const le = this.#le;
        const len = le ? le32(c, p + 4) : be32(c, p + 4);
        if (
          (le ? le32(c, p) : be32(c, p)) === BlockType.EnhancedPacket &&
          len >= 32 &&
          (len & 3) === 0 &&
          len <= avail &&
          len <= this.#maxBlock &&
          (le ? le32(c, p + len - 4) : be32(c, p + len - 4)) === len
        ) {
          const r = this.#packetBlock(c, p, len, BlockType.EnhancedPacket, le);
          this.#cPos = p + len;
          this.#abs += len;
          return r;
        }
      }
    }
    if (!this.#ensure(8)) return R_MORE;
    let v = this.#v;
    let o = this.#vo;
    const type0 = be32(v, o); // SHB type is a palindrome: byte order does not matter
    let le = this.#le;
    if (type0 === BlockType.SectionHeader) {
      if (!this.#ensure(12)) return R_MORE;
      v = this.#v;
      o = this.#vo;
      if (le32(v, o + 8) === BYTE_ORDER_MAGIC) le = true;
      else if (be32(v, o + 8) === BYTE_ORDER_MAGIC) le = false;
      else {
        this.#weird('pcapng_bad_bom', 'section header with a bad byte-order magic; scanning for the next block', this.#abs);
        this.#startResync(ST_PCAPNG);
        return R_AGAIN;
      }
    }
    const type = type0 === BlockType.SectionHeader ? type0 : u32(v, o, le);
    const len = u32(v, o + 4, le);
    const buffered =
      type === BlockType.EnhancedPacket ||
      type === BlockType.SectionHeader ||
      type === BlockType.InterfaceDescription ||
      type === BlockType.SimplePacket ||
      type === BlockType.Packet;
    const limit = buffered || !isKnownBlockType(type) ? this.#maxBlock : MAX_SKIP_BLOCK;
    if (len < minBlockLength(type) || (len & 3) !== 0 || len > limit) {
      this.#badBlock(`block type 0x${type.toString(16)} has total length ${len}`);
      return R_AGAIN;
    }
    if (len > this.#maxBlock) {
      // A block we do not read, too long to hold: streamed past, trailing length checked at its end.
      this.#skipStart = this.#abs;
      this.#skipLen = len;
      this.#skipType = type;
      this.#skipLeft = len - 12;
      this.#consume(8);
      this.#state = ST_SKIP;
      return R_AGAIN;
    }
    if (!this.#ensure(len)) return R_MORE;
    v = this.#v;
    o = this.#vo;
    if (u32(v, o + len - 4, le) !== len) {
      this.#badBlock(`block type 0x${type.toString(16)}: trailing length differs from ${len}`);
      return R_AGAIN;
    }
    if (!buffered || (this.#skipSection && type !== BlockType.SectionHeader)) {
      this.#consume(len);
      this.stats.blocksSkipped++;
      return R_AGAIN;
    }
    switch (type) {
      case BlockType.EnhancedPacket:
      case BlockType.Packet: {
        const r = this.#packetBlock(v, o, len, type, le);
        this.#consume(len);
        return r;
      }
      case BlockType.SimplePacket: {
        const r = this.#simplePacket(v, o, len, le);
        this.#consume(len);
        return r;
      }
      case BlockType.InterfaceDescription:
        this.#interfaceBlock(v, o, len, le);
        this.#consume(len);
        return R_AGAIN;
      default:
        this.#sectionHeader(v, o, le);
        this.#consume(len);
        return R_AGAIN;
    }
  }

  #sectionHeader(v: Uint8Array, o: number, le: boolean): void {
    const major = u16(v, o + 12, le);
    this.#section++;
    this.stats.sections++;
    this.#le = le;
    this.#ifLink.length = 0;
    this.#ifSnap.length = 0;
    this.#ifUnits.length = 0;
    this.#ifOffset.length = 0;
    this.#skipSection = false;
    if (major !== PCAPNG_VERSION_MAJOR) {
      const message = `pcapng section version ${major}.${u16(v, o + 14, le)} (only 1.x is read)`;
      if (this.#section === 0) throw new UnsupportedVersionError(message, this.#where(this.#abs + 12));
      this.#weird('pcapng_unsupported_version', `${message}; section skipped`, this.#abs);
      this.#skipSection = true;
    }
  }

  #interfaceBlock(v: Uint8Array, o: number, len: number, le: boolean): void {
    const linkType = u16(v, o + 8, le);
    const snapLen = u32(v, o + 12, le);
    let units = 1e6;
    let offset = 0;
    // Options (§3.5) between the fixed fields and the trailing length.
    const end = o + len - 4;
    let p = o + 16;
    while (p + 4 <= end) {
      const code = u16(v, p, le);
      const olen = u16(v, p + 2, le);
      const val = p + 4;
      if (code === IdbOption.EndOfOptions || val + olen > end) break;
      if (code === IdbOption.TsResol && olen >= 1) {
        units = unitsFromTsresol(v[val] as number);
      } else if (code === IdbOption.TsOffset && olen >= 8) {
        // Signed 64-bit seconds.
        const hi = u32(v, le ? val + 4 : val, le) | 0;
        const lo = u32(v, le ? val : val + 4, le);
        offset = hi * 4294967296 + lo;
      }
      p = val + ((olen + 3) & ~3);
    }
    this.#ifLink.push(linkType);
    this.#ifSnap.push(snapLen);
    this.#ifUnits.push(units);
    this.#ifOffset.push(offset);
    this.#interfaces.push({ section: this.#section, linkType, snapLen, ticksPerSecond: units, tsOffset: offset });
    this.stats.interfaces++;
  }

  /** EPB (type 6) or obsolete PB (type 2): same layout but for a 16-bit interface id. */
  #packetBlock(v: Uint8Array, o: number, len: number, type: number, le: boolean): number {
    const ifId = type === BlockType.EnhancedPacket ? u32(v, o + 8, le) : u16(v, o + 8, le);
    if (ifId >= this.#ifLink.length) {
      this.#weird('pcapng_bad_interface', `packet names interface ${ifId}, section has ${this.#ifLink.length}`, this.#abs);
      return R_AGAIN;
    }
    const capLen = u32(v, o + 20, le);
    if (capLen > len - 32 || capLen > this.#maxRecord) {
      this.#weird('pcapng_bad_caplen', `packet captured length ${capLen} exceeds its block (${len} bytes)`, this.#abs);
      return R_AGAIN;
    }
    const ts = ticksToSeconds(u32(v, o + 12, le), u32(v, o + 16, le), this.#ifUnits[ifId] as number) + (this.#ifOffset[ifId] as number);
    if (v === this.#own) this.stats.assembled++;
    const pkt = this.#pkt;
    pkt.buf = v;
    pkt.off = o + 28;
    pkt.capLen = capLen;
    pkt.wireLen = u32(v, o + 24, le);
    pkt.ts = ts;
    pkt.linkType = this.#ifLink[ifId] as number;
    pkt.interfaceId = ifId;
    pkt.offsetInFile = this.#abs;
    this.#prevTs = ts;
    return R_PACKET;
  }

  /** SPB (type 3): interface 0, no timestamp, length limited by snaplen and block. */
  #simplePacket(v: Uint8Array, o: number, len: number, le: boolean): number {
    if (this.#ifLink.length === 0) {
      this.#weird('pcapng_bad_interface', 'simple packet block before any interface description', this.#abs);
      return R_AGAIN;
    }
    const wireLen = u32(v, o + 8, le);
    const snap = this.#ifSnap[0] as number;
    let capLen = Math.min(wireLen, len - 16);
    if (snap > 0 && snap < capLen) capLen = snap;
    if (capLen > this.#maxRecord) capLen = this.#maxRecord;
    if (v === this.#own) this.stats.assembled++;
    const pkt = this.#pkt;
    pkt.buf = v;
    pkt.off = o + 12;
    pkt.capLen = capLen;
    pkt.wireLen = wireLen;
    pkt.ts = Number.isNaN(this.#prevTs) ? 0 : this.#prevTs;
    pkt.linkType = this.#ifLink[0] as number;
    pkt.interfaceId = 0;
    pkt.offsetInFile = this.#abs;
    return R_PACKET;
  }

  /** Stream past the body of a block we do not read, then check its trailing length. */
  #skipBlock(): number {
    if (this.#skipLeft > 0) {
      this.#skipLeft -= this.#skipBytes(this.#skipLeft);
      if (this.#skipLeft > 0) return R_MORE;
    }
    if (!this.#ensure(4)) return R_MORE;
    if (u32(this.#v, this.#vo, this.#le) !== this.#skipLen) {
      // The leading length was wrong: what we skipped is lost, look again from here.
      this.#weird(
        'pcap_bad_length',
        `block type 0x${this.#skipType.toString(16)}: trailing length differs from ${this.#skipLen}; scanning for the next block`,
        this.#skipStart,
      );
      this.#resyncStart = this.#abs;
      this.#resumeState = ST_PCAPNG;
      this.#state = ST_RESYNC;
      return R_AGAIN;
    }
    this.#consume(4);
    this.stats.blocksSkipped++;
    this.#state = ST_PCAPNG;
    return R_AGAIN;
  }

  #badBlock(detail: string): void {
    this.#weird('pcap_bad_length', `${detail}; scanning for the next block`, this.#abs);
    this.#startResync(ST_PCAPNG);
  }

  // -------------------------------------------------------------------------
  // Resynchronisation
  // -------------------------------------------------------------------------

  /** Enter the scan at the byte after the damaged header (which #ensure has made available). */
  #startResync(resume: number): void {
    this.#resyncStart = this.#abs;
    this.#resumeState = resume;
    this.#state = ST_RESYNC;
    this.#consume(1);
  }

  /**
   * Scan for a plausible record or block. Each candidate position is judged
   * on the bytes of the file alone (waiting for more when the judgement
   * needs bytes not yet appended; at end of input a candidate that runs past
   * the end is accepted and reported as truncated), so the result does not
   * depend on how the input was chunked.
   */
  #resync(): number {
    const classic = this.#resumeState === ST_PCAP;
    const minCand = classic ? this.#recHdr : 12;
    for (;;) {
      if (!this.#ensure(minCand)) {
        if (!this.#final) return R_MORE;
        // Fewer bytes left than any record: they are lost.
        const rest = this.#oEnd - this.#oPos + (this.#chunk.length - this.#cPos);
        this.#skipBytes(rest);
        this.#resynced(false);
        return R_MORE;
      }
      const v = this.#v;
      const start = this.#vo;
      const viewEnd = this.#viewEnd();
      const last = viewEnd - minCand;
      let q = start;
      let need = -1;
      for (; q <= last; q++) {
        need = classic ? this.#classicCandidate(v, q, viewEnd) : this.#blockCandidate(v, q, viewEnd);
        if (need >= 0) break;
      }
      if (q > last) {
        this.#consume(last - start + 1);
        continue;
      }
      this.#consume(q - start);
      if (need === 0) {
        this.#resynced(true);
        return R_AGAIN;
      }
      // Judging this candidate needs `need` bytes from it.
      if (this.#ensure(need)) continue;
      if (!this.#final) return R_MORE;
      // It runs past the end of input: take it, the truncation is reported next.
      this.#resynced(true);
      return R_AGAIN;
    }
  }

  #resynced(found: boolean): void {
    if (found) this.stats.resyncs++;
    this.stats.bytesSkipped += this.#abs - this.#resyncStart;
    this.#state = this.#resumeState;
  }

  /** -1: not a record header; 0: plausible; n > 0: need n bytes from q to judge. */
  #classicCandidate(v: Uint8Array, q: number, viewEnd: number): number {
    const le = this.#le;
    if (!this.#plausibleRecord(v, q, le, this.#prevTs)) return -1;
    const H = this.#recHdr;
    const next = q + H + u32(v, q + 8, le);
    if (next + H > viewEnd) return next + H - q;
    return this.#plausibleRecord(v, next, le, u32(v, q, le)) ? 0 : -1;
  }

  #plausibleRecord(v: Uint8Array, q: number, le: boolean, near: number): boolean {
    const frac = u32(v, q + 4, le);
    if (frac >= this.#fracDiv) return false;
    const capLen = u32(v, q + 8, le);
    const snap = this.#snapLen >= 16 && this.#snapLen < this.#maxRecord ? this.#snapLen : this.#maxRecord;
    if (capLen > snap) return false;
    const wireLen = u32(v, q + 12, le);
    if (capLen > wireLen || wireLen > MAX_WIRE) return false;
    if (Number.isNaN(near)) return true;
    const dt = u32(v, q, le) - Math.floor(near);
    return dt <= RESYNC_MAX_DT && dt >= -RESYNC_MAX_DT;
  }

  /** -1: not a block; 0: plausible; n > 0: need n bytes from q to judge. */
  #blockCandidate(v: Uint8Array, q: number, viewEnd: number): number {
    let le = this.#le;
    const type0 = be32(v, q);
    if (type0 === BlockType.SectionHeader) {
      if (le32(v, q + 8) === BYTE_ORDER_MAGIC) le = true;
      else if (be32(v, q + 8) === BYTE_ORDER_MAGIC) le = false;
      else return -1;
    } else if (!isKnownBlockType(u32(v, q, le))) {
      return -1;
    }
    const type = type0 === BlockType.SectionHeader ? type0 : u32(v, q, le);
    const len = u32(v, q + 4, le);
    if (len < minBlockLength(type) || (len & 3) !== 0 || len > this.#maxBlock) return -1;
    if (q + len > viewEnd) return len;
    if (u32(v, q + len - 4, le) !== len) return -1;
    if (type === BlockType.EnhancedPacket) {
      if (u32(v, q + 8, le) >= this.#ifLink.length || u32(v, q + 20, le) > len - 32) return -1;
    } else if (type === BlockType.Packet) {
      if (u16(v, q + 8, le) >= this.#ifLink.length || u32(v, q + 20, le) > len - 32) return -1;
    }
    return 0;
  }

  // -------------------------------------------------------------------------
  // End of input
  // -------------------------------------------------------------------------

  /** At end of input with a step that cannot finish: report and drop what is left. */
  #tail(): void {
    const rest = this.#oEnd - this.#oPos + (this.#chunk.length - this.#cPos);
    const at = this.#state === ST_SKIP ? this.#skipStart : this.#abs;
    if (this.#state === ST_MAGIC) {
      if (rest > 0 || this.#abs > 0) {
        this.#weird('pcap_truncated_header', `input ends inside the file header (${rest} bytes)`, 0);
      }
    } else if (this.#state === ST_SKIP || rest > 0) {
      const size = this.#abs - at + rest;
      this.#weird('pcap_truncated_record', `input ends inside a record (${size} of its bytes present)`, at);
    }
    this.stats.bytesSkipped += rest;
    this.#skipBytes(rest);
    this.#oPos = this.#oEnd = 0;
    this.#chunk = EMPTY;
    this.#cPos = 0;
    this.#state = ST_DONE;
  }

  // -------------------------------------------------------------------------
  // Weirds
  // -------------------------------------------------------------------------

  #where(offset: number): { file?: string; offset: number } {
    return this.#file === undefined ? { offset } : { file: this.#file, offset };
  }

  #weird(kind: string, message: string, offset: number): void {
    this.stats.weirds++;
    const h = this.#onWeird;
    if (h === undefined) return;
    h(this.#file === undefined ? { kind, message, offset } : { kind, message, file: this.#file, offset });
  }
}

/**
 * Read a whole capture given as chunks (a Uint8Array counts as one chunk),
 * calling `onPacket` for every packet, and return the reader's stats. The
 * packet object is reused between calls. A convenience over
 * {@link PcapReader} that drains correctly around `end()`.
 */
export function forEachPacket(
  chunks: Iterable<Uint8Array> | Uint8Array,
  onPacket: (p: PcapPacket) => void,
  options: PcapReaderOptions = {},
): PcapReaderStats {
  const r = new PcapReader(options);
  if (chunks instanceof Uint8Array) {
    r.append(chunks);
    for (let p; (p = r.nextPacket()); ) onPacket(p);
  } else {
    for (const c of chunks) {
      r.append(c);
      for (let p; (p = r.nextPacket()); ) onPacket(p);
    }
  }
  r.end();
  for (let p; (p = r.nextPacket()); ) onPacket(p);
  return r.stats;
}
