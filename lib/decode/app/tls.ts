/**
 * TLS ClientHello server_name (SNI) extraction, sans-IO:
 * `parseClientHelloSni(buf, off, len, out)` looks at the first bytes a
 * client sent and says whether they are a ClientHello, and if so which
 * host name it asks for. Every read is bounds-checked; it never throws.
 *
 * ```
 * TLSPlaintext (RFC 8446 §5.1)        Handshake (§4)        ClientHello (§4.1.2)
 * +------+---------+--------+         +------+---------+    legacy_version   2
 * | 0x16 | 03 0x   | length |  ---->  | 0x01 | len(24) |    random          32
 * +------+---------+--------+         +------+---------+    session_id      1 + n
 *   1       2          2                 1       3          cipher_suites   2 + n
 *                                                           compression     1 + n
 *                                                           extensions      2 + n
 * server_name extension (RFC 6066 §3): type 0, then a list (2-byte length)
 * of {name_type (0 = host_name), 2-byte length, name}.
 * ```
 *
 * A ClientHello larger than one TCP segment is common (post-quantum key
 * shares make it 1.5–2 kB). The parser reports `NeedMore` with the number
 * of bytes the first record needs, so the caller can join the next
 * segment(s) and call again. Only the first record is read: a ClientHello
 * fragmented over several TLS records is parsed as far as its first
 * record goes.
 *
 * @module
 */

/** Outcome of {@link parseClientHelloSni}. */
export const SniStatus = {
  /** A ClientHello with a host_name: in `out.name`. */
  Found: 0,
  /** A ClientHello without a server_name (or without a host_name entry). */
  NoSni: 1,
  /** Looks like a ClientHello so far; `out.need` bytes (from `off`) are needed. */
  NeedMore: 2,
  /** Not a TLS handshake record carrying a ClientHello. */
  NotTls: 3,
  /** A ClientHello whose fields run past their bounds. */
  Malformed: 4,
} as const;
export type SniStatus = (typeof SniStatus)[keyof typeof SniStatus];

/** Where {@link parseClientHelloSni} writes its result. */
export interface SniResult {
  /** The host_name, as sent (bytes outside printable ASCII as `\xHH`); '' when none. */
  name: string;
  /** For `NeedMore`: total bytes needed from `off` to read the first record. */
  need: number;
}

/** A fresh {@link SniResult}. */
export function newSniResult(): SniResult {
  return { name: '', need: 0 };
}

/** Largest TLS record body accepted (RFC 8446 §5.1: 2^14, plus 2048 for TLS 1.2 expansion). */
export const MAX_TLS_RECORD = 16384 + 2048;

const HEX = '0123456789abcdef';

/** Parse the start of a client's byte stream as a TLS ClientHello and find its SNI. */
export function parseClientHelloSni(buf: Uint8Array, off: number, len: number, out: SniResult): SniStatus {
  out.name = '';
  out.need = 0;
  if (off < 0 || len < 0 || off + len > buf.length) return SniStatus.Malformed;
  if (len < 1) {
    out.need = 5;
    return SniStatus.NeedMore;
  }
  if (buf[off] !== 0x16) return SniStatus.NotTls;
  if (len >= 2 && buf[off + 1] !== 3) return SniStatus.NotTls;
  if (len >= 3 && (buf[off + 2] as number) > 4) return SniStatus.NotTls;
  if (len < 5) {
    out.need = 5;
    return SniStatus.NeedMore;
  }
  const recLen = ((buf[off + 3] as number) << 8) | (buf[off + 4] as number);
  if (recLen < 4 || recLen > MAX_TLS_RECORD) return SniStatus.NotTls;
  // Handshake header: type 1 (client_hello) is checked as soon as it is here.
  if (len >= 6 && buf[off + 5] !== 1) return SniStatus.NotTls;
  if (len < 5 + recLen) {
    out.need = 5 + recLen;
    return SniStatus.NeedMore;
  }
  const end = off + 5 + recLen;
  let p = off + 6;
  const hsLen = ((buf[p] as number) << 16) | ((buf[p + 1] as number) << 8) | (buf[p + 2] as number);
  p += 3;
  // The handshake may continue in a later record; read what this one holds.
  const hsEnd = Math.min(end, p + hsLen);
  // legacy_version + random
  p += 2 + 32;
  if (p + 1 > hsEnd) return SniStatus.Malformed;
  p += 1 + (buf[p] as number); // session id
  if (p + 2 > hsEnd) return SniStatus.Malformed;
  p += 2 + (((buf[p] as number) << 8) | (buf[p + 1] as number)); // cipher suites
  if (p + 1 > hsEnd) return SniStatus.Malformed;
  p += 1 + (buf[p] as number); // compression methods
  if (p === hsEnd) return SniStatus.NoSni; // no extensions at all (TLS 1.0-style hello)
  if (p + 2 > hsEnd) return SniStatus.Malformed;
  const extEnd = Math.min(hsEnd, p + 2 + (((buf[p] as number) << 8) | (buf[p + 1] as number)));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = ((buf[p] as number) << 8) | (buf[p + 1] as number);
    const elen = ((buf[p + 2] as number) << 8) | (buf[p + 3] as number);
    p += 4;
    if (p + elen > extEnd) return SniStatus.Malformed;
    if (type === 0) {
      // ServerNameList
      if (elen < 2) return SniStatus.Malformed;
      const listEnd = Math.min(p + elen, p + 2 + (((buf[p] as number) << 8) | (buf[p + 1] as number)));
      let q = p + 2;
      while (q + 3 <= listEnd) {
        const nameType = buf[q] as number;
        const nlen = ((buf[q + 1] as number) << 8) | (buf[q + 2] as number);
        q += 3;
        if (q + nlen > listEnd) return SniStatus.Malformed;
        if (nameType === 0) {
          let s = '';
          for (let i = 0; i < nlen; i++) {
            const b = buf[q + i] as number;
            s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '\\x' + HEX[b >> 4] + HEX[b & 15];
          }
          out.name = s;
          return nlen > 0 ? SniStatus.Found : SniStatus.NoSni;
        }
        q += nlen;
      }
      return SniStatus.NoSni;
    }
    p += elen;
  }
  return SniStatus.NoSni;
}
