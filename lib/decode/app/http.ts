/**
 * HTTP/1.x request Host header extraction, sans-IO:
 * `parseHttpRequestHost(buf, off, len, out)` looks at the first bytes a
 * client sent, decides whether they start an HTTP request (a known method
 * token and a space, RFC 9110 §9 plus WebDAV's), and finds the `Host`
 * header field (RFC 9112 §3.2) in the header block. Bounds-checked, never
 * throws.
 *
 * If the header block is not complete in `len` bytes the result is
 * `NeedMore`; the caller may join the next segment and try again, up to
 * its own bound ({@link MAX_HTTP_HEADER}).
 *
 * @module
 */

/** Outcome of {@link parseHttpRequestHost}. */
export const HttpStatus = {
  /** A request with a Host header: in `out.host`. */
  Host: 0,
  /** A request whose header block ended without a Host header. */
  NoHost: 1,
  /** A request so far, but the header block is not complete. */
  NeedMore: 2,
  /** Not an HTTP request. */
  NotHttp: 3,
} as const;
export type HttpStatus = (typeof HttpStatus)[keyof typeof HttpStatus];

/** Where {@link parseHttpRequestHost} writes its result. */
export interface HttpResult {
  /** The Host field value, trimmed (printable ASCII kept, the rest as `\xHH`); '' when none. */
  host: string;
  /** The request method, e.g. `GET`; '' when not HTTP. */
  method: string;
  /**
   * The request is meant for a proxy: `CONNECT` (RFC 9110 §9.3.6) or a
   * request target in absolute form, `GET http://host/… ` (RFC 9112 §3.2.2).
   */
  proxied: boolean;
}

/** A fresh {@link HttpResult}. */
export function newHttpResult(): HttpResult {
  return { host: '', method: '', proxied: false };
}

/** Header bytes a caller should buffer at most while waiting for the Host line. */
export const MAX_HTTP_HEADER = 8192;

/** Request methods recognised (RFC 9110 §9.1, RFC 5789 PATCH, RFC 4918 WebDAV, and the common extras). */
export const HTTP_METHODS: readonly string[] = [
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'SUBSCRIBE', 'POLL',
];

const METHOD_CODES: readonly Uint8Array[] = HTTP_METHODS.map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));
const CONNECT = HTTP_METHODS.indexOf('CONNECT');
const HEX = '0123456789abcdef';

/** Which method the bytes start with (followed by a space): its index, -1 for none, -2 if too short to tell. */
function matchMethod(buf: Uint8Array, off: number, len: number): number {
  let undecided = false;
  for (let m = 0; m < METHOD_CODES.length; m++) {
    const code = METHOD_CODES[m] as Uint8Array;
    let i = 0;
    while (i < code.length && i < len && buf[off + i] === code[i]) i++;
    if (i < code.length) {
      if (i === len) undecided = true;
      continue;
    }
    if (len === code.length) undecided = true;
    else if (buf[off + code.length] === 0x20) return m;
  }
  return undecided ? -2 : -1;
}

/** Lower-case ASCII letter compare for `host:` at `p`. */
function isHostField(buf: Uint8Array, p: number, end: number): boolean {
  if (end - p < 5) return false;
  return (
    ((buf[p] as number) | 0x20) === 0x68 &&
    ((buf[p + 1] as number) | 0x20) === 0x6f &&
    ((buf[p + 2] as number) | 0x20) === 0x73 &&
    ((buf[p + 3] as number) | 0x20) === 0x74 &&
    buf[p + 4] === 0x3a
  );
}

/** Parse the start of a client's byte stream as an HTTP request and find its Host header. */
export function parseHttpRequestHost(buf: Uint8Array, off: number, len: number, out: HttpResult): HttpStatus {
  out.host = '';
  out.method = '';
  out.proxied = false;
  if (off < 0 || len < 0 || off + len > buf.length) return HttpStatus.NotHttp;
  const m = matchMethod(buf, off, len);
  if (m === -1) return HttpStatus.NotHttp;
  if (m === -2) return HttpStatus.NeedMore;
  out.method = HTTP_METHODS[m] as string;
  const end = off + len;
  const target = off + (METHOD_CODES[m] as Uint8Array).length + 1;
  out.proxied =
    m === CONNECT ||
    (target + 7 <= end &&
      ((buf[target] as number) | 0x20) === 0x68 &&
      ((buf[target + 1] as number) | 0x20) === 0x74 &&
      ((buf[target + 2] as number) | 0x20) === 0x74 &&
      ((buf[target + 3] as number) | 0x20) === 0x70 &&
      (buf[target + 4] === 0x3a || (((buf[target + 4] as number) | 0x20) === 0x73 && buf[target + 5] === 0x3a)));
  // Skip the request line.
  let p = off;
  while (p < end && buf[p] !== 0x0a) p++;
  if (p >= end) return HttpStatus.NeedMore;
  p++;
  for (;;) {
    // One header line [p, eol).
    let eol = p;
    while (eol < end && buf[eol] !== 0x0a) eol++;
    if (eol >= end) return HttpStatus.NeedMore;
    let lineEnd = eol;
    if (lineEnd > p && buf[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === p) return HttpStatus.NoHost; // empty line: end of the header block
    if (isHostField(buf, p, lineEnd)) {
      let a = p + 5;
      let b = lineEnd;
      while (a < b && (buf[a] === 0x20 || buf[a] === 0x09)) a++;
      while (b > a && (buf[b - 1] === 0x20 || buf[b - 1] === 0x09)) b--;
      let s = '';
      for (let i = a; i < b; i++) {
        const c = buf[i] as number;
        s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '\\x' + HEX[c >> 4] + HEX[c & 15];
      }
      out.host = s;
      return HttpStatus.Host;
    }
    p = eol + 1;
  }
}

/**
 * The host part of a Host header value, lower case: `Example.COM:8080` →
 * `example.com`, `[2001:db8::1]:80` → `2001:db8::1`.
 */
export function hostOnly(value: string): string {
  let v = value.trim().toLowerCase();
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    return close > 0 ? v.slice(1, close) : v;
  }
  const colon = v.indexOf(':');
  if (colon >= 0 && v.indexOf(':', colon + 1) < 0) v = v.slice(0, colon);
  if (v.endsWith('.')) v = v.slice(0, -1);
  return v;
}
