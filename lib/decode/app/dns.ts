/**
 * DNS message decoder (RFC 1035 §4), sans-IO: `decodeDnsMessage(buf, off,
 * len, out)` fills a caller-owned {@link DnsMessage} and never throws.
 *
 * It reads what Zeek's DNS analyzer turns into dns.log
 * (`src/analyzer/protocol/dns/DNS.cc`, `scripts/base/protocols/dns/main.zeek`):
 * the header, the question(s) and the answer section; authority and
 * additional records are skipped, as with Zeek's defaults
 * `dns_skip_all_auth = T` and `dns_skip_all_addl = T`. Answers are rendered
 * as Zeek renders them: addresses, target names, `TXT <len> <text>` per
 * character-string joined by spaces, `RRSIG <type> <signer>`,
 * `DNSKEY <alg>`, `DS <alg> <digest type>`, `SSHFP: <hex>`, `LOC:  …`,
 * `NSEC <owner> <next>`, `NSEC3`, and `<unknown type=N>` for the rest.
 *
 * ```
 *  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * |QR|  Opcode   |AA|TC|RD|RA|   Z    |   RCODE   |
 * |                    QDCOUNT                    |
 * |                    ANCOUNT                    |
 * |                    NSCOUNT                    |
 * |                    ARCOUNT                    |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * ```
 *
 * Names: compression pointers must point backwards (RFC 1035 §4.1.4 says
 * "a prior occurrence"; Zeek weirds `DNS_label_forward_compress_offset`
 * otherwise), which alone rules out loops; a chain is also cut after
 * {@link MAX_POINTER_DEPTH} pointers (`dns_max_compression_chain_depth`).
 * Like Zeek, a broken name ends where it broke and parsing goes on; names
 * are lower-cased. Bytes outside printable ASCII are written `\xHH`, as
 * Zeek's log writer escapes them.
 *
 * @module
 */

import { formatIPv4, formatIPv6 } from '../../net/addr.js';

/** At most this many compression pointers are followed in one name. */
export const MAX_POINTER_DEPTH = 20;
/** Name text limit, as Zeek's 512-byte name buffer. */
const MAX_NAME = 512;
/** Zeek's `dns_max_queries`: more questions than this is not DNS. */
export const MAX_QUESTIONS = 25;
/** Answers kept per message (a bound on work; real responses have far fewer). */
export const MAX_ANSWERS = 256;

/** Outcome of {@link decodeDnsMessage}. */
export const DnsStatus = {
  /** Header, questions and answers decoded. */
  Ok: 0,
  /** Shorter than the 12-byte header: nothing decoded. */
  TooShort: 1,
  /** Header decoded, a later part is damaged or truncated: what came before it is in `out`. */
  Partial: 2,
  /** More than {@link MAX_QUESTIONS} questions: header only (Zeek: `DNS_Conn_count_too_large`). */
  NotDns: 3,
} as const;
export type DnsStatus = (typeof DnsStatus)[keyof typeof DnsStatus];

/** One answer-section record as Zeek logs it. */
export interface DnsAnswer {
  /** Owner name (lower case). */
  owner: string;
  /** RR type. */
  type: number;
  /** TTL, seconds. */
  ttl: number;
  /** The text dns.log shows in `answers`; '' for types Zeek logs nothing for (OPT, WKS, HINFO, CAA, TSIG…). */
  text: string;
}

/** A decoded message. Allocate with {@link newDnsMessage}; reused across calls (`answers` is truncated, not replaced). */
export interface DnsMessage {
  id: number;
  /** True for a response. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: number;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
  /** Name of the last question decoded (Zeek keeps the last), '' when none. */
  query: string;
  /** Its type and class, -1 when no question was decoded. */
  qtype: number;
  qclass: number;
  /** Number of questions fully decoded. */
  questions: number;
  /** Answer-section records, in order. */
  answers: DnsAnswer[];
  /** Kind of the first damage found ('' when none), e.g. `DNS_truncated_ans_too_short`. */
  weird: string;
}

/** A fresh, empty {@link DnsMessage}. */
export function newDnsMessage(): DnsMessage {
  return {
    id: 0,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: 0,
    rcode: 0,
    qdcount: 0,
    ancount: 0,
    nscount: 0,
    arcount: 0,
    query: '',
    qtype: -1,
    qclass: -1,
    questions: 0,
    answers: [],
    weird: '',
  };
}

const HEX = '0123456789abcdef';

/** Append one byte as name/text characters: printable ASCII as is, the rest `\xHH`. */
function byteText(b: number, lower: boolean): string {
  if (b >= 0x20 && b < 0x7f) {
    if (lower && b >= 0x41 && b <= 0x5a) b += 0x20;
    return String.fromCharCode(b);
  }
  return '\\x' + HEX[b >> 4] + HEX[b & 15];
}

const NAME_CACHE_MASK = 4095;

/**
 * Decoder state for one message: a cursor and a name scratch buffer, so
 * decoding a name allocates only its final string, and a memo of the last
 * 4096 plain names (by hash, checked byte for byte), so a name seen again
 * allocates nothing. One per module: decoding is synchronous, and the memo
 * only ever returns a string equal to what would have been made.
 */
class Cursor {
  buf: Uint8Array = new Uint8Array(0);
  /** Absolute offset of the message start. */
  start = 0;
  /** Absolute end of the message (exclusive). */
  end = 0;
  pos = 0;
  weird = '';
  /** Set by an RDATA parser that produced text but must end the message (Zeek returns false after raising the event). */
  stop = false;
  readonly name = new Uint8Array(MAX_NAME + 2);
  nameLen = 0;
  /** Recent plain names by hash ({@link nameText}): a memo, never more than NAME_CACHE_MASK + 1 strings of ≤ 255 characters. */
  readonly names: (string | undefined)[] = new Array<string | undefined>(NAME_CACHE_MASK + 1).fill(undefined);

  note(kind: string): void {
    if (this.weird === '') this.weird = kind;
  }

  /**
   * Read a (possibly compressed) name at `pos` into the scratch buffer,
   * following `DNS_Interpreter::ExtractName`/`ExtractLabel`; advances `pos`
   * past the name's bytes in the message. `limit` is where the labels at
   * this level must end (the pointer that led here, for pointed-to names).
   */
  readName(limit: number, depth: number): void {
    const buf = this.buf;
    for (;;) {
      if (this.pos >= limit) return;
      const labelAt = this.pos;
      const labelLen = buf[this.pos++] as number;
      if (this.pos >= limit) return;
      if (labelLen === 0) return;
      if ((labelLen & 0xc0) === 0xc0) {
        const offset = ((labelLen & 0x3f) << 8) | (buf[this.pos++] as number);
        if (offset >= labelAt - this.start) {
          this.note('DNS_label_forward_compress_offset');
          return;
        }
        if (depth >= MAX_POINTER_DEPTH) {
          this.note('DNS_compression_chain_too_deep');
          return;
        }
        const resume = this.pos;
        this.pos = this.start + offset;
        this.readName(labelAt, depth + 1);
        this.pos = resume;
        return;
      }
      if (labelLen > limit - this.pos) {
        this.note('DNS_label_len_gt_pkt');
        this.pos = limit;
        return;
      }
      if (labelLen > 63) {
        this.note('DNS_label_too_long');
        return;
      }
      if (labelLen >= MAX_NAME - this.nameLen) {
        this.note('DNS_label_len_gt_name_len');
        return;
      }
      // A byte loop, not name.set(buf.subarray(...)): labels are short and a subarray is an allocation.
      const name = this.name;
      let w = this.nameLen;
      for (let k = this.pos, e = this.pos + labelLen; k < e; k++) name[w++] = buf[k] as number;
      this.nameLen = w;
      this.name[this.nameLen++] = 0x2e;
      this.pos += labelLen;
    }
  }

  /** Read a name and return it as text (lower case, trailing dot removed). */
  nameText(): string {
    this.nameLen = 0;
    this.readName(this.end, 0);
    let n = this.nameLen;
    const name = this.name;
    if (n >= 2 && name[n - 1] === 0x2e) n--;
    // Common case: printable ASCII with no upper case, so each byte is its own character; one flat
    // string from one call (adding characters one by one built a chain of concatenations).
    let plain = true;
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < n; i++) {
      const b = name[i] as number;
      if (b < 0x20 || b >= 0x7f || (b >= 0x41 && b <= 0x5a)) {
        plain = false;
        break;
      }
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (plain) {
      // Most names repeat (every host asks for the same few): a direct-mapped cache of recent
      // ones hands back the same string, checked byte for byte, without making a new one.
      const slot = (h ^ (h >>> 15)) & NAME_CACHE_MASK;
      const hit = this.names[slot];
      if (hit !== undefined && hit.length === n) {
        let i = 0;
        while (i < n && hit.charCodeAt(i) === name[i]) i++;
        if (i === n) return hit;
      }
      const text = String.fromCharCode.apply(null, name.subarray(0, n) as unknown as number[]);
      this.names[slot] = text;
      return text;
    }
    let s = '';
    for (let i = 0; i < n; i++) {
      const b = name[i] as number;
      s += b >= 0x61 && b <= 0x7a ? String.fromCharCode(b) : byteText(b, true);
    }
    return s;
  }

  left(): number {
    return this.end - this.pos;
  }

  /** Zeek's ExtractShort: 0 and no advance when fewer than 2 bytes are left. */
  u16(): number {
    if (this.end - this.pos < 2) return 0;
    const v = ((this.buf[this.pos] as number) << 8) | (this.buf[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }

  /** Zeek's ExtractLong: 0 and no advance when fewer than 4 bytes are left. */
  u32(): number {
    if (this.end - this.pos < 4) return 0;
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>> 0;
  }
}

const cur = new Cursor();
const groups = new Uint16Array(8);

/** Render one answer's RDATA the way dns.log shows it; '' when Zeek logs nothing; null when parsing must stop. */
function rdataText(c: Cursor, type: number, rdlength: number, owner: string): string | null {
  const rdStart = c.pos;
  const skip = (): void => {
    c.pos = Math.min(c.end, rdStart + rdlength);
  };
  switch (type) {
    case 1: {
      // A
      if (rdlength !== 4) {
        c.note('DNS_RR_bad_length');
        return null;
      }
      return formatIPv4(c.u32());
    }
    case 28:
    case 38: {
      // AAAA, A6: Zeek reads four longs whatever rdlength says.
      for (let i = 0; i < 4; i++) {
        const w = c.u32();
        groups[i * 2] = w >>> 16;
        groups[i * 2 + 1] = w & 0xffff;
      }
      return formatIPv6(groups);
    }
    case 2:
    case 5:
    case 12: {
      // NS, CNAME, PTR
      const name = c.nameText();
      if (c.pos - rdStart !== rdlength) c.note('DNS_RR_length_mismatch');
      return name;
    }
    case 6: {
      // SOA: logged as its MNAME.
      const mname = c.nameText();
      c.nameText();
      if (c.left() < 20) return null;
      c.pos += 20;
      return mname;
    }
    case 15: {
      // MX: the exchange name.
      c.u16();
      const name = c.nameText();
      if (c.pos - rdStart !== rdlength) c.note('DNS_RR_length_mismatch');
      return name;
    }
    case 33: {
      // SRV: the target name.
      c.u16();
      c.u16();
      c.u16();
      const name = c.nameText();
      if (c.pos - rdStart !== rdlength) c.note('DNS_RR_length_mismatch');
      return name;
    }
    case 16:
    case 99: {
      // TXT, SPF: `TXT <len> <string>` per character-string, space-joined.
      const tag = type === 16 ? 'TXT ' : 'SPF ';
      let rdlen = rdlength;
      let text = '';
      let first = true;
      while (rdlen > 0 && c.pos < c.end) {
        const n = c.buf[c.pos++] as number;
        rdlen--;
        if (n > rdlen) {
          c.note('DNS_TXT_char_str_past_rdlen');
          break;
        }
        const take = Math.min(n, c.end - c.pos);
        let s = '';
        for (let i = 0; i < take; i++) s += byteText(c.buf[c.pos + i] as number, false);
        c.pos += n;
        rdlen -= n;
        text += (first ? '' : ' ') + tag + n + ' ' + s;
        first = false;
      }
      if (rdlen !== 0) {
        // Zeek raises the event with the strings so far, then stops parsing.
        if (text === '') return null;
        c.stop = true;
      }
      return text;
    }
    case 46: {
      // RRSIG
      if (c.left() < 18) return null;
      const covered = c.u16();
      c.pos += 16;
      const nameAt = c.pos;
      const signer = c.nameText();
      const sigLen = rdlength - (c.pos - nameAt + 18);
      c.pos = Math.min(c.end, c.pos + Math.max(0, sigLen));
      return 'RRSIG ' + covered + ' ' + (signer === '' ? '<Root>' : signer);
    }
    case 48: {
      // DNSKEY
      if (c.left() < 4) return null;
      c.u16();
      const alg = c.u16() & 0xff;
      c.pos = Math.min(c.end, c.pos + Math.max(0, rdlength - 4));
      return 'DNSKEY ' + alg;
    }
    case 43: {
      // DS
      if (c.left() < 4) return null;
      c.u16();
      const ad = c.u16();
      c.pos = Math.min(c.end, c.pos + Math.max(0, rdlength - 4));
      return 'DS ' + (ad >> 8) + ' ' + (ad & 0xff);
    }
    case 47: {
      // NSEC
      const next = c.nameText();
      skip();
      return 'NSEC ' + owner + ' ' + next;
    }
    case 50:
      skip();
      return 'NSEC3';
    case 51:
      skip();
      return 'NSEC3PARAM';
    case 65534:
      skip();
      return 'BIND9 signing signal';
    case 44: {
      // SSHFP
      if (c.left() < 2) return null;
      c.u16();
      const n = Math.min(Math.max(0, rdlength - 2), c.left());
      let hex = '';
      for (let i = 0; i < n; i++) {
        const b = c.buf[c.pos + i] as number;
        hex += HEX[b >> 4]! + HEX[b & 15]!;
      }
      c.pos += n;
      return 'SSHFP: ' + hex;
    }
    case 29: {
      // LOC
      if (c.left() < 15) return null;
      const vs = c.u16();
      const hv = c.u16();
      c.u32();
      c.u32();
      c.u32();
      return 'LOC:  ' + (vs & 0xff) + ' ' + (hv >> 8) + ' ' + (hv & 0xff);
    }
    case 11: // WKS
    case 13: // HINFO
    case 32: // NBS
    case 41: // OPT
    case 250: // TSIG
    case 257: // CAA
      skip();
      return '';
    default:
      skip();
      return '<unknown type=' + type + '>';
  }
}

/**
 * Decode one DNS message at `buf[off .. off+len)` into `out`. Never throws:
 * damage is reported through the status and `out.weird`.
 */
export function decodeDnsMessage(buf: Uint8Array, off: number, len: number, out: DnsMessage): DnsStatus {
  out.answers.length = 0;
  out.query = '';
  out.qtype = -1;
  out.qclass = -1;
  out.questions = 0;
  out.weird = '';
  if (len < 12 || off < 0 || off + len > buf.length) {
    out.weird = 'DNS_truncated_len_lt_hdr_len';
    return DnsStatus.TooShort;
  }
  const c = cur;
  c.buf = buf;
  c.start = off;
  c.end = off + len;
  c.pos = off;
  c.weird = '';
  c.stop = false;
  out.id = c.u16();
  const flags = c.u16();
  out.qr = (flags & 0x8000) !== 0;
  out.opcode = (flags >> 11) & 0xf;
  out.aa = (flags & 0x0400) !== 0;
  out.tc = (flags & 0x0200) !== 0;
  out.rd = (flags & 0x0100) !== 0;
  out.ra = (flags & 0x0080) !== 0;
  out.z = (flags >> 4) & 7;
  out.rcode = flags & 0xf;
  out.qdcount = c.u16();
  out.ancount = c.u16();
  out.nscount = c.u16();
  out.arcount = c.u16();

  if (out.qdcount > MAX_QUESTIONS) {
    out.weird = 'DNS_Conn_count_too_large';
    c.buf = EMPTY;
    return DnsStatus.NotDns;
  }

  let status: DnsStatus = DnsStatus.Ok;
  for (let q = 0; q < out.qdcount; q++) {
    const name = c.nameText();
    if (c.left() < 4) {
      c.note('DNS_truncated_quest_too_short');
      status = DnsStatus.Partial;
      break;
    }
    out.query = name;
    out.qtype = c.u16();
    out.qclass = c.u16();
    out.questions++;
  }

  if (status === DnsStatus.Ok) {
    for (let a = 0; a < out.ancount; a++) {
      const owner = c.nameText();
      if (c.left() < 4) {
        c.note('DNS_truncated_ans_too_short');
        status = DnsStatus.Partial;
        break;
      }
      const type = c.u16();
      c.u16(); // class
      const ttl = c.u32();
      const rdlength = c.u16();
      if (rdlength > c.left()) {
        c.note('DNS_truncated_RR_rdlength_lt_len');
        status = DnsStatus.Partial;
        break;
      }
      const text = rdataText(c, type, rdlength, owner);
      if (text === null) {
        status = DnsStatus.Partial;
        break;
      }
      if (out.answers.length < MAX_ANSWERS) out.answers.push({ owner, type, ttl, text });
      if (c.stop) {
        status = DnsStatus.Partial;
        break;
      }
    }
  }
  out.weird = c.weird;
  if (status === DnsStatus.Ok && c.weird !== '' && c.weird !== 'DNS_RR_length_mismatch') status = DnsStatus.Partial;
  c.buf = EMPTY;
  return status;
}

const EMPTY = new Uint8Array(0);
