/**
 * Packet-capture versions of the Zeek samples: for every conn.log row the
 * packets that make a connection Zeek (and c2watch's flow table) would log
 * with the same 5-tuple, start time, conn_state and payload bytes; DNS rows
 * carry real DNS messages built from the dns.log row with the same uid,
 * `ssl` rows start with a TLS ClientHello (SNI = the name the client
 * resolved to that address), `http` rows with an HTTP request (Host = that
 * name, else the address).
 *
 *   node --import tsx samples/make-pcap-samples.ts
 *
 * Reads (next to this file, the cwd does not matter):
 *   zeek-tsv/conn.log, zeek-tsv/dns.log
 *   zeek-public-resolver/conn.log, zeek-public-resolver/dns.log
 * Writes:
 *   pcap/samples.pcap            classic pcap (little-endian, µs, Ethernet) of zeek-tsv
 *   pcap/samples.pcapng          the same packets as pcapng (SHB, IDB, EPBs)
 *   pcap/public-resolver.pcap    classic pcap of zeek-public-resolver
 *   netflow-seeds/export-v9.pcap, netflow-seeds/export-ipfix.pcap
 *                                softflowd's NetFlow v9 / IPFIX exports of pcap/samples.pcap,
 *                                as captures of the export datagrams (needs softflowd;
 *                                `--pcap-only` skips this step)
 *
 * Deterministic: every random choice (ISNs, IP ids, TLS randoms, cookies)
 * comes from a mulberry32 stream seeded from the row's uid; times come from
 * the logs (integer microseconds); no clock reads. (softflowd's IPFIX
 * output carries its process id, the one byte that changes between runs.)
 *
 * What the packets look like:
 * - Ethernet II; internal hosts (10/8) have MAC 02:00:<IPv4>, everything
 *   else is behind the gateway 02:00:00:00:00:fe. IPv4 with DF, header
 *   checksums computed; TCP and UDP checksums computed over the bytes
 *   stored (payload that is not stored counts as zeros).
 * - TCP: SYN and SYN-ACK with MSS, SACK-permitted, timestamps and window
 *   scale (40-byte header), every other segment with NOP NOP timestamps
 *   (32-byte header): 52 bytes of IP + TCP per packet and 8 more on the
 *   SYNs, as make-samples.ts counts `ip_bytes`. Segments carry at most
 *   1448 bytes (the MSS less the timestamp option) — except bulk transfers
 *   of more than 16 segments, which are written as coalesced segments of
 *   k × 1448 bytes (≤ 63 712, like a capture taken with GRO/TSO) so the
 *   110-minute SMB session does not take 20 000 packets. Payload bytes
 *   are exact (Zeek and the flow table take them from sequence numbers);
 *   packet counts are exact for every connection of up to 16 data segments
 *   a side, lower for bulk ones.
 * - Only the application bytes that matter are stored: DNS messages,
 *   the ClientHello, the HTTP request head and NTP messages. Every other
 *   data segment is cut after its TCP header (caplen < len, as a
 *   snaplen-limited capture), which keeps the file small; tshark marks
 *   them "[Packet size limited during capture]".
 * - SF: handshake, the client's first segment (ClientHello / request /
 *   opaque), a pure ACK from the server, server data, the rest of the
 *   client's data, delayed ACKs (one per two segments), then the close the
 *   history says (ShADadFf: client FIN first; ShADadfF: server FIN first,
 *   after an idle keep-alive). The first packet is at `ts`, the last FIN
 *   at `ts + duration` (Zeek's duration stops once both sides have closed;
 *   ShADadFf's final ACK follows it). The ClientHello is padded (RFC 7685)
 *   to fill the first segment, the HTTP request sized to `orig_bytes`, so
 *   segment counts stay ceil(bytes / 1448). S0: the SYN and its retransmissions (same sequence
 *   number). REJ: SYN and RST-ACK. UDP: the datagrams, the last reply at
 *   `ts + duration`.
 * - DNS: the query with the dns.log transaction id, RD, qname, qtype
 *   (EDNS0 OPT when the conn.log size says the client sent one); the
 *   response with AA/TC/RD/RA/Z/rcode, the answers in order with their
 *   TTLs (A, AAAA, CNAME, TXT, SRV, PTR, NS; owner names compressed), and
 *   for NXDOMAIN / NODATA an SOA of the apex in the authority section.
 *   The sizes equal the conn.log byte counts except SRV (make-samples.ts
 *   leaves out SRV's 6 bytes of priority, weight and port).
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fnv1a, mulberry32 } from '../bench/gen/prng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'pcap');
const NETFLOW_OUT = join(HERE, 'netflow-seeds');

// ------------------------------------------------------------------ PRNG ----


class Rng {
  readonly #r: () => number;
  constructor(label: string) {
    this.#r = mulberry32(fnv1a(`c2watch-pcap-samples/${label}`));
  }
  u32(): number {
    return Math.floor(this.#r() * 4294967296) >>> 0;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#r() * (hi - lo + 1));
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.#r() * 256);
    return b;
  }
  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.#r() * alphabet.length)];
    return s;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.#r() * xs.length)]!;
  }
}

// ------------------------------------------------------------ Zeek TSV ----

type Row = Record<string, string>;

/** Rows of a Zeek TSV log as field → raw text ('-' unset, '(empty)' empty). */
function readTsv(path: string): Row[] {
  let fields: string[] = [];
  const rows: Row[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (line.startsWith('#fields\t')) fields = line.split('\t').slice(1);
      continue;
    }
    const cells = line.split('\t');
    const row: Row = {};
    fields.forEach((f, i) => (row[f] = cells[i] ?? '-'));
    rows.push(row);
  }
  return rows;
}

/** `1793610003.101646` → integer µs. */
function usOf(text: string): number {
  const [s = '0', f = ''] = text.split('.');
  return Number(s) * 1_000_000 + Number(f.padEnd(6, '0').slice(0, 6));
}

const num = (text: string | undefined): number => (text === undefined || text === '-' ? 0 : Number(text));
const list = (text: string | undefined): string[] => (text === undefined || text === '-' || text === '(empty)' ? [] : text.split(','));

/** Zeek TSV unescaping (`\xHH`). */
const unescape = (s: string): string => s.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

interface Conn {
  ts: number; // µs
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  proto: string;
  service: string;
  duration: number; // µs
  origBytes: number;
  respBytes: number;
  connState: string;
  history: string;
  origPkts: number;
  respPkts: number;
}

interface Dns {
  ts: number; // µs
  uid: string;
  origH: string;
  transId: number;
  rtt: number; // µs
  query: string;
  qtype: number;
  rcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: number;
  answers: string[];
  ttls: number[]; // s
}

function conns(path: string): Conn[] {
  return readTsv(path).map((r) => ({
    ts: usOf(r['ts']!),
    uid: r['uid']!,
    origH: r['id.orig_h']!,
    origP: num(r['id.orig_p']),
    respH: r['id.resp_h']!,
    respP: num(r['id.resp_p']),
    proto: r['proto']!,
    service: r['service'] === '-' ? '' : r['service']!,
    duration: r['duration'] === '-' ? 0 : usOf(r['duration']!),
    origBytes: num(r['orig_bytes']),
    respBytes: num(r['resp_bytes']),
    connState: r['conn_state']!,
    history: r['history'] === '-' ? '' : r['history']!,
    origPkts: num(r['orig_pkts']),
    respPkts: num(r['resp_pkts']),
  }));
}

function dnss(path: string): Dns[] {
  return readTsv(path).map((r) => ({
    ts: usOf(r['ts']!),
    uid: r['uid']!,
    origH: r['id.orig_h']!,
    transId: num(r['trans_id']),
    rtt: r['rtt'] === '-' ? 0 : usOf(r['rtt']!),
    query: unescape(r['query']!),
    qtype: num(r['qtype']),
    rcode: num(r['rcode']),
    aa: r['AA'] === 'T',
    tc: r['TC'] === 'T',
    rd: r['RD'] === 'T',
    ra: r['RA'] === 'T',
    z: num(r['Z']),
    answers: list(r['answers']).map(unescape),
    ttls: list(r['TTLs']).map((t) => Math.round(usOf(t) / 1_000_000)),
  }));
}

// ------------------------------------------------------------- packets ----

interface Pkt {
  ts: number; // µs
  seq: number; // creation order, breaks ties
  frame: Uint8Array; // stored bytes
  len: number; // bytes on the wire
}

const isInternal = (ip: string): boolean => ip.startsWith('10.');
const ip4 = (s: string): number[] => {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`not an IPv4 address: ${s}`);
  return p;
};
const GATEWAY_MAC = [0x02, 0, 0, 0, 0, 0xfe];
const macOf = (ip: string): number[] => (isInternal(ip) ? [0x02, 0x00, ...ip4(ip)] : GATEWAY_MAC);

function sum16(b: Uint8Array, off: number, len: number, acc = 0): number {
  let s = acc;
  for (let i = 0; i < len; i += 2) s += (b[off + i]! << 8) | (i + 1 < len ? b[off + i + 1]! : 0);
  return s;
}
const fold = (s: number): number => {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
};

interface L4 {
  proto: 6 | 17;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  ipId: number;
  ttl: number;
  /** TCP only. */
  flags?: number;
  seqNo?: number;
  ackNo?: number;
  window?: number;
  /** TCP options (length a multiple of 4). */
  options?: Uint8Array;
  /** Payload bytes stored. */
  payload: Uint8Array;
  /** Payload length on the wire (≥ payload.length; the rest is not stored). */
  payloadLen: number;
}

const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

/** Ethernet + IPv4 + TCP/UDP: the stored bytes and the wire length. */
function frame(p: L4): { frame: Uint8Array; len: number } {
  const opt = p.options ?? new Uint8Array(0);
  const l4h = p.proto === 6 ? 20 + opt.length : 8;
  const ipTotal = 20 + l4h + p.payloadLen;
  if (ipTotal > 65535) throw new Error(`IP packet of ${ipTotal} bytes`);
  const stored = 14 + 20 + l4h + p.payload.length;
  const b = new Uint8Array(stored);
  const dv = new DataView(b.buffer);
  b.set(macOf(p.dst), 0);
  b.set(macOf(p.src), 6);
  dv.setUint16(12, 0x0800);
  b[14] = 0x45;
  dv.setUint16(16, ipTotal);
  dv.setUint16(18, p.ipId & 0xffff);
  dv.setUint16(20, 0x4000);
  b[22] = p.ttl;
  b[23] = p.proto;
  b.set(ip4(p.src), 26);
  b.set(ip4(p.dst), 30);
  dv.setUint16(24, fold(sum16(b, 14, 20)));
  const t = 34;
  dv.setUint16(t, p.sport);
  dv.setUint16(t + 2, p.dport);
  if (p.proto === 6) {
    dv.setUint32(t + 4, (p.seqNo ?? 0) >>> 0);
    dv.setUint32(t + 8, (p.ackNo ?? 0) >>> 0);
    b[t + 12] = (l4h / 4) << 4;
    b[t + 13] = p.flags ?? 0;
    dv.setUint16(t + 14, p.window ?? 502);
    b.set(opt, t + 20);
  } else {
    dv.setUint16(t + 4, 8 + p.payloadLen);
  }
  b.set(p.payload, t + l4h);
  // Transport checksum over the pseudo-header and the stored bytes (payload not stored counts as zeros).
  const l4len = l4h + p.payloadLen;
  let s = sum16(b, 26, 8);
  s += p.proto + l4len;
  s = sum16(b, t, l4h + p.payload.length, s);
  let ck = fold(s);
  if (p.proto === 17 && ck === 0) ck = 0xffff;
  dv.setUint16(t + (p.proto === 6 ? 16 : 6), ck);
  return { frame: b, len: 14 + ipTotal };
}

// ---------------------------------------------------------------- DNS ----

const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41 } as const;

/** DNS message writer with name compression for owner names. */
class DnsWriter {
  readonly buf: number[] = [];
  /** Known suffixes (lower case, dotted) → offset. */
  readonly #names = new Map<string, number>();

  u8(x: number): void {
    this.buf.push(x & 255);
  }
  u16(x: number): void {
    this.buf.push((x >>> 8) & 255, x & 255);
  }
  u32(x: number): void {
    this.u16(x >>> 16);
    this.u16(x & 0xffff);
  }
  /** A name: compressed against earlier names when `compress`, and remembered for later ones. */
  name(name: string, compress: boolean): void {
    const labels = name === '' || name === '.' ? [] : name.replace(/\.$/, '').split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.#names.get(suffix);
      if (compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.buf.length < 0x3fff && !this.#names.has(suffix)) this.#names.set(suffix, this.buf.length);
      const l = labels[i]!;
      if (l.length > 63) throw new Error(`label too long in ${name}`);
      this.u8(l.length);
      for (let k = 0; k < l.length; k++) this.u8(l.charCodeAt(k));
    }
    this.u8(0);
  }
  /** One resource record; `rdata` writes the data, whose length is patched in. */
  rr(owner: string, type: number, cls: number, ttl: number, rdata: () => void): void {
    this.name(owner, true);
    this.u16(type);
    this.u16(cls);
    this.u32(ttl);
    const lenAt = this.buf.length;
    this.u16(0);
    rdata();
    const n = this.buf.length - lenAt - 2;
    this.buf[lenAt] = n >>> 8;
    this.buf[lenAt + 1] = n & 255;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.buf);
  }
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

function ip6Bytes(s: string): number[] {
  const [head = '', tail = ''] = s.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = s.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const words = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w, 16));
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) throw new Error(`not an IPv6 address: ${s}`);
  return words.flatMap((w) => [w >>> 8, w & 255]);
}

/** The query and response messages of one dns.log row. */
function dnsMessages(d: Dns, edns: boolean): { query: Uint8Array; response: Uint8Array } {
  const question = (w: DnsWriter): void => {
    w.name(d.query, false);
    w.u16(d.qtype);
    w.u16(1);
  };
  const opt = (w: DnsWriter): void => {
    // EDNS0 OPT: root owner, UDP payload 1232, no options (11 bytes).
    w.u8(0);
    w.u16(QTYPE.OPT);
    w.u16(1232);
    w.u32(0);
    w.u16(0);
  };
  const q = new DnsWriter();
  q.u16(d.transId);
  q.u16(d.rd ? 0x0100 : 0);
  q.u16(1);
  q.u16(0);
  q.u16(0);
  q.u16(edns ? 1 : 0);
  question(q);
  if (edns) opt(q);

  const r = new DnsWriter();
  r.u16(d.transId);
  r.u16(0x8000 | (d.aa ? 0x0400 : 0) | (d.tc ? 0x0200 : 0) | (d.rd ? 0x0100 : 0) | (d.ra ? 0x0080 : 0) | ((d.z & 7) << 4) | (d.rcode & 15));
  r.u16(1);
  const negative = d.rcode === 3 || (d.rcode === 0 && d.answers.length === 0);
  r.u16(d.answers.length);
  r.u16(negative ? 1 : 0);
  r.u16(edns ? 1 : 0);
  question(r);
  // Owner of each answer: the query, then the target of the last CNAME.
  let owner = d.query;
  d.answers.forEach((a, i) => {
    const ttl = d.ttls[i] ?? 300;
    if (IPV4.test(a)) r.rr(owner, QTYPE.A, 1, ttl, () => ip4(a).forEach((x) => r.u8(x)));
    else if (a.includes(':') && !a.includes(' ')) r.rr(owner, QTYPE.AAAA, 1, ttl, () => ip6Bytes(a).forEach((x) => r.u8(x)));
    else if (a.startsWith('TXT ')) {
      // Zeek's `TXT <len> <text>` (one character-string per answer here).
      const m = /^TXT (\d+) (.*)$/s.exec(a);
      if (!m || Number(m[1]) !== m[2]!.length) throw new Error(`unsupported TXT answer ${a}`);
      const text = m[2]!;
      r.rr(owner, QTYPE.TXT, 1, ttl, () => {
        r.u8(text.length);
        for (let k = 0; k < text.length; k++) r.u8(text.charCodeAt(k));
      });
    } else if (d.qtype === QTYPE.SRV) {
      r.rr(owner, QTYPE.SRV, 1, ttl, () => {
        r.u16(0); // priority
        r.u16(100); // weight
        r.u16(d.query.startsWith('_ldap.') ? 389 : d.query.startsWith('_kerberos.') ? 88 : 0);
        r.name(a, false);
      });
    } else if (d.qtype === QTYPE.PTR || d.qtype === QTYPE.NS) {
      r.rr(owner, d.qtype, 1, ttl, () => r.name(a, false));
    } else {
      // A name in an A/AAAA/CNAME answer list is a CNAME; what follows belongs to its target.
      r.rr(owner, QTYPE.CNAME, 1, ttl, () => r.name(a, false));
      owner = a;
    }
  });
  if (negative) {
    const apex = d.query.split('.').slice(-2).join('.');
    r.rr(apex, QTYPE.SOA, 1, 300, () => {
      r.name(`ns1.${apex}`, false);
      r.name(`hostmaster.${apex}`, false);
      r.u32(2026110201); // serial
      r.u32(7200); // refresh
      r.u32(3600); // retry
      r.u32(1209600); // expire
      r.u32(300); // minimum
    });
  }
  if (edns) opt(r);
  return { query: q.bytes(), response: r.bytes() };
}

/** Size of a query without EDNS: header, question. */
const plainQuerySize = (query: string): number => 12 + (query === '' ? 1 : query.split('.').reduce((n, l) => n + l.length + 1, 0) + 1) + 4;

// ---------------------------------------------------------------- TLS ----

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);

function u16b(x: number): number[] {
  return [(x >>> 8) & 255, x & 255];
}

/**
 * A TLS 1.3 ClientHello (Chrome-like extension set) in one TLS record,
 * with server_name when `sni` is not '', padded (RFC 7685) to `target`
 * bytes of record when there is room.
 */
function clientHello(rng: Rng, sni: string, target: number): Uint8Array {
  const ext = (type: number, body: number[]): number[] => [...u16b(type), ...u16b(body.length), ...body];
  const vec16 = (xs: number[]): number[] => [...u16b(xs.length), ...xs];
  const vec8 = (xs: number[]): number[] => [xs.length, ...xs];
  const exts: number[] = [];
  if (sni !== '') {
    const n = [...enc(sni)];
    exts.push(...ext(0x0000, vec16([0, ...u16b(n.length), ...n])));
  }
  exts.push(...ext(0x0017, [])); // extended_master_secret
  exts.push(...ext(0xff01, [0])); // renegotiation_info
  exts.push(...ext(0x000a, vec16([0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]))); // supported_groups: x25519, P-256, P-384
  exts.push(...ext(0x000b, vec8([0]))); // ec_point_formats
  exts.push(...ext(0x0023, [])); // session_ticket
  exts.push(...ext(0x0010, vec16([...vec8([...enc('h2')]), ...vec8([...enc('http/1.1')])]))); // ALPN
  exts.push(...ext(0x0005, [1, 0, 0, 0, 0])); // status_request
  exts.push(...ext(0x000d, vec16([0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01]))); // signature_algorithms
  exts.push(...ext(0x0033, vec16([0x00, 0x1d, ...u16b(32), ...rng.bytes(32)]))); // key_share x25519
  exts.push(...ext(0x002d, vec8([1]))); // psk_key_exchange_modes
  exts.push(...ext(0x002b, vec8([0x03, 0x04, 0x03, 0x03]))); // supported_versions
  const suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const body = (extensions: number[]): number[] => [
    0x03, 0x03, // legacy_version TLS 1.2
    ...rng.bytes(32), // random
    ...vec8([...rng.bytes(32)]), // legacy_session_id
    ...vec16(suites.flatMap(u16b)),
    ...vec8([0]), // compression: null
    ...vec16(extensions),
  ];
  const recordOf = (b: number[]): Uint8Array => {
    const hs = [1, (b.length >>> 16) & 255, ...u16b(b.length & 0xffff), ...b];
    return Uint8Array.from([22, 0x03, 0x01, ...u16b(hs.length), ...hs]);
  };
  const base = recordOf(body(exts));
  if (base.length + 4 > target) return base;
  return recordOf(body([...exts, ...ext(0x0015, new Array<number>(target - base.length - 4).fill(0))]));
}

// --------------------------------------------------------------- HTTP ----

/** An HTTP/1.1 request head of exactly `size` bytes when it can be (a Cookie or query string takes up the slack). */
function httpRequest(rng: Rng, host: string, client: string, size: number): Uint8Array {
  const apt = client === '10.1.0.31';
  let path = apt
    ? host.startsWith('security.')
      ? rng.pick(['/debian-security/dists/bookworm-security/InRelease', '/debian-security/pool/updates/main/o/openssl/libssl3_3.0.15-1~deb12u1_amd64.deb'])
      : rng.pick(['/debian/dists/bookworm/InRelease', '/debian/dists/bookworm-updates/InRelease', '/debian/pool/main/c/curl/libcurl4_7.88.1-10+deb12u8_amd64.deb'])
    : rng.pick(['/', '/index.html', '/update/check', '/api/v1/status', '/files/update.bin', '/static/app.js']);
  let ua = apt ? 'Debian APT-HTTP/1.3 (2.6.1)' : 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
  let head = (p: string, extra: string): string =>
    `GET ${p} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${ua}\r\nAccept: */*\r\n${extra}Connection: keep-alive\r\n\r\n`;
  let plain = head(path, '');
  if (plain.length > size && !apt) {
    // A short request (a script's, not a browser's): curl's head.
    ua = 'curl/8.5.0';
    path = '/';
    head = (p: string, extra: string): string => `GET ${p} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${ua}\r\nAccept: */*\r\n${extra}\r\n`;
    plain = head(path, '');
  }
  const slack = size - plain.length;
  const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  if (slack <= 0) return enc(plain);
  const cookie = 'Cookie: sid=\r\n';
  if (slack >= cookie.length + 8) return enc(head(path, `Cookie: sid=${rng.chars(B62, slack - cookie.length)}\r\n`));
  if (slack >= 4) return enc(head(`${path}?v=${rng.chars(B62, slack - 3)}`, ''));
  return enc(head(path + '/'.repeat(slack), ''));
}

// ---------------------------------------------------------- connections ----

const MSS = 1448;
/** Data segments of one side beyond which segments are coalesced (GRO-style). */
const MAX_SEGMENTS = 16;
/** The largest coalesced segment: 44 × 1448, under the 65 535-byte IP limit. */
const MAX_COALESCED = 44 * MSS;

/** Segment sizes for `bytes` of data, after a first segment of `first` bytes (0: none). */
function segments(bytes: number, first: number): number[] {
  const out: number[] = [];
  let left = bytes;
  if (first > 0 && left > 0) {
    out.push(Math.min(first, left));
    left -= out[0]!;
  }
  const n = Math.ceil(left / MSS);
  const size = n <= MAX_SEGMENTS ? MSS : Math.min(MAX_COALESCED, MSS * Math.ceil(n / MAX_SEGMENTS));
  while (left > 0) {
    const s = Math.min(size, left);
    out.push(s);
    left -= s;
  }
  return out;
}

/** A timestamp option (kind 8) after two NOPs: 12 bytes. */
function tsOption(tsval: number, tsecr: number): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  b[0] = 1;
  b[1] = 1;
  b[2] = 8;
  b[3] = 10;
  dv.setUint32(4, tsval >>> 0);
  dv.setUint32(8, tsecr >>> 0);
  return b;
}

/** SYN / SYN-ACK options (Linux order): MSS 1460, SACK permitted, timestamps, NOP, window scale 7. 20 bytes. */
function synOptions(tsval: number, tsecr: number): Uint8Array {
  const b = new Uint8Array(20);
  const dv = new DataView(b.buffer);
  b.set([2, 4, 0x05, 0xb4, 4, 2, 8, 10], 0);
  dv.setUint32(8, tsval >>> 0);
  dv.setUint32(12, tsecr >>> 0);
  b.set([1, 3, 3, 7], 16);
  return b;
}

interface Ctx {
  /** Name each client resolved each address to: client → address → [answered at µs, name][] in time order. */
  names: Map<string, Map<string, [number, string][]>>;
  dnsByUid: Map<string, Dns>;
  notes: Map<string, number>;
}

const note = (ctx: Ctx, what: string): void => {
  ctx.notes.set(what, (ctx.notes.get(what) ?? 0) + 1);
};

/** The name `client` last resolved to `addr` before `at` (µs), '' if none. */
function nameFor(ctx: Ctx, client: string, addr: string, at: number): string {
  const l = ctx.names.get(client)?.get(addr);
  if (!l) return '';
  let name = '';
  for (const [t, n] of l) if (t <= at) name = n;
  return name;
}

/** Times for `n` packets spread evenly over (from, to], strictly increasing where the span allows. */
function spread(from: number, to: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) out.push(Math.max(from + i, Math.round(from + ((to - from) * i) / (n + 1))));
  return out;
}

function tcpPackets(c: Conn, ctx: Ctx, emit: (ts: number, p: L4) => void): void {
  const rng = new Rng(c.uid);
  const t0 = c.ts;
  const D = c.duration;
  const cli = { ip: c.origH, port: c.origP, isn: rng.u32(), id: rng.int(0, 65535), ttl: isInternal(c.origH) ? 64 : 52, tsv: rng.u32() >>> 1 };
  const srv = { ip: c.respH, port: c.respP, isn: rng.u32(), id: rng.int(0, 65535), ttl: isInternal(c.respH) ? 64 : 52, tsv: rng.u32() >>> 1 };
  let cseq = cli.isn; // next sequence number to send
  let sseq = srv.isn;
  const tsval = (side: typeof cli, t: number): number => (side.tsv + Math.floor((t - t0) / 1000)) >>> 0;
  const send = (fromClient: boolean, t: number, flags: number, payload: Uint8Array, payloadLen: number, syn = false): void => {
    const me = fromClient ? cli : srv;
    const peer = fromClient ? srv : cli;
    const seqNo = fromClient ? cseq : sseq;
    const ackNo = flags & F.ACK ? (fromClient ? sseq : cseq) : 0;
    const options = syn ? synOptions(tsval(me, t), flags & F.ACK ? tsval(peer, t) : 0) : tsOption(tsval(me, t), tsval(peer, t));
    emit(t, {
      proto: 6, src: me.ip, sport: me.port, dst: peer.ip, dport: peer.port, ipId: me.id++, ttl: me.ttl,
      flags, seqNo, ackNo, window: syn ? (fromClient ? 64240 : 65160) : fromClient ? 502 : 501, options, payload, payloadLen,
    });
    const adv = payloadLen + (flags & F.SYN ? 1 : 0) + (flags & F.FIN ? 1 : 0);
    if (fromClient) cseq = (cseq + adv) >>> 0;
    else sseq = (sseq + adv) >>> 0;
  };

  if (c.connState === 'S0') {
    // The SYN and its retransmissions (the same sequence number: one `S` in the history).
    const n = Math.max(1, c.origPkts);
    for (let i = 0; i < n; i++) {
      const t = n === 1 ? t0 : t0 + Math.round((D * i) / (n - 1));
      cseq = cli.isn;
      send(true, t, F.SYN, new Uint8Array(0), 0, true);
    }
    return;
  }
  if (c.connState === 'REJ') {
    send(true, t0, F.SYN, new Uint8Array(0), 0, true);
    emit(t0 + D, { proto: 6, src: srv.ip, sport: srv.port, dst: cli.ip, dport: cli.port, ipId: srv.id++, ttl: srv.ttl, flags: F.RST | F.ACK, seqNo: 0, ackNo: cseq, window: 0, payload: new Uint8Array(0), payloadLen: 0 });
    return;
  }
  if (c.connState !== 'SF') throw new Error(`${c.uid}: conn_state ${c.connState} not supported`);
  const serverCloses = c.history === 'ShADadfF';
  if (!serverCloses && c.history !== 'ShADadFf') note(ctx, `history ${c.history} written as ShADadFf`);

  // The client's first segment: what tells the service.
  let first: Uint8Array | undefined;
  const name = nameFor(ctx, c.origH, c.respH, t0);
  if (c.service === 'ssl') {
    // Padded (RFC 7685) to fill the first segment, so the segment count stays ceil(orig_bytes / 1448).
    first = clientHello(rng, name, Math.min(MSS, c.origBytes));
    if (name !== '') note(ctx, 'ClientHello with SNI');
    else note(ctx, 'ClientHello without SNI (no name resolved)');
  } else if (c.service === 'http') {
    first = httpRequest(rng, name !== '' ? name : c.respH, c.origH, Math.min(c.origBytes, MSS));
    note(ctx, name !== '' ? 'HTTP request, Host from DNS' : 'HTTP request, Host = address');
  }
  if (first !== undefined && first.length > c.origBytes) {
    note(ctx, `first client segment longer than orig_bytes (${c.service})`);
  }
  const origBytes = Math.max(c.origBytes, first?.length ?? 0);
  const cSegs = segments(origBytes, first?.length ?? Math.min(origBytes, MSS));
  const sSegs = segments(c.respBytes, 0);

  // Timing: handshake RTT r, close at the end; data in between (in the first 15 %
  // of an idle keep-alive connection that the server closes).
  const r = Math.max(4, Math.min(20_000, Math.floor(D / 10)));
  const q = Math.max(1, Math.floor(r / 10));
  const dataStart = t0 + r + q;
  const dataEnd = serverCloses ? Math.min(t0 + D - 4 * q, dataStart + Math.max(r * 4, Math.floor(D * 0.15))) : t0 + D - r - q;

  // The logical order of the data phase. Pure ACKs as make-samples.ts counts them:
  // the server ACKs client segments 1, 3, 5, … (ceil(od / 2) ACKs; the first one is
  // the `a` before any server data), the client ACKs every second server segment
  // and the last one (ceil(rd / 2)).
  type Ev = { from: 'c' | 's'; kind: 'data' | 'ack'; size: number; bytes?: Uint8Array };
  const evs: Ev[] = [];
  let cSent = 0;
  let sSent = 0;
  const cData = (size: number, bytes?: Uint8Array): void => {
    evs.push({ from: 'c', kind: 'data', size, ...(bytes ? { bytes } : {}) });
    if (++cSent % 2 === 1) evs.push({ from: 's', kind: 'ack', size: 0 });
  };
  const sData = (size: number): void => {
    evs.push({ from: 's', kind: 'data', size });
    if (++sSent % 2 === 0 || sSent === sSegs.length) evs.push({ from: 'c', kind: 'ack', size: 0 });
  };
  const [c1, ...cRest] = cSegs;
  if (c1 !== undefined) cData(c1, first);
  // The server's first flight (TLS: ServerHello…; HTTP: the response head), then the client's rest, then the server's rest.
  const flight = cRest.length > 0 ? Math.min(sSegs.length, 3) : sSegs.length;
  sSegs.slice(0, flight).forEach((x) => sData(x));
  cRest.forEach((x) => cData(x));
  sSegs.slice(flight).forEach((x) => sData(x));

  // Handshake.
  send(true, t0, F.SYN, new Uint8Array(0), 0, true);
  send(false, t0 + r, F.SYN | F.ACK, new Uint8Array(0), 0, true);
  send(true, t0 + r + q, F.ACK, new Uint8Array(0), 0);
  const times = spread(dataStart, dataEnd, evs.length);
  evs.forEach((e, i) => {
    const t = times[i]!;
    if (e.kind === 'ack') send(e.from === 'c', t, F.ACK, new Uint8Array(0), 0);
    else send(e.from === 'c', t, F.PSH | F.ACK, e.bytes ?? new Uint8Array(0), e.size);
  });
  if (serverCloses) {
    send(false, t0 + D - 2 * q, F.FIN | F.ACK, new Uint8Array(0), 0);
    send(true, t0 + D - q, F.ACK, new Uint8Array(0), 0);
    send(true, t0 + D, F.FIN | F.ACK, new Uint8Array(0), 0);
  } else {
    // Zeek's duration stops when both sides have closed: the last FIN is at ts + duration, the final ACK after it.
    send(true, t0 + D - r, F.FIN | F.ACK, new Uint8Array(0), 0);
    send(false, t0 + D, F.FIN | F.ACK, new Uint8Array(0), 0);
    send(true, t0 + D + q, F.ACK, new Uint8Array(0), 0);
  }
}

function udpPackets(c: Conn, ctx: Ctx, emit: (ts: number, p: L4) => void): void {
  const rng = new Rng(c.uid);
  const cli = { ip: c.origH, port: c.origP, id: rng.int(0, 65535), ttl: isInternal(c.origH) ? 64 : 52 };
  const srv = { ip: c.respH, port: c.respP, id: rng.int(0, 65535), ttl: isInternal(c.respH) ? 64 : 52 };
  const dg = (fromClient: boolean, t: number, payload: Uint8Array, payloadLen = payload.length): void => {
    const me = fromClient ? cli : srv;
    const peer = fromClient ? srv : cli;
    emit(t, { proto: 17, src: me.ip, sport: me.port, dst: peer.ip, dport: peer.port, ipId: me.id++, ttl: me.ttl, payload, payloadLen });
  };
  const d = ctx.dnsByUid.get(c.uid);
  if (c.service === 'dns' && d !== undefined) {
    const edns = c.origBytes === plainQuerySize(d.query) + 11;
    const m = dnsMessages(d, edns);
    if (m.query.length !== c.origBytes || m.response.length !== c.respBytes) {
      note(ctx, `DNS size differs from conn.log (qtype ${d.qtype}${d.qtype === QTYPE.SRV ? ': SRV priority, weight, port' : ''})`);
    }
    dg(true, c.ts, m.query);
    if (c.respPkts > 0) dg(false, c.ts + c.duration, m.response);
    note(ctx, 'DNS transaction');
    return;
  }
  if (c.service === 'ntp') {
    const ntp = (mode: number): Uint8Array => {
      const b = new Uint8Array(48);
      b[0] = (4 << 3) | mode; // LI 0, version 4
      if (mode === 4) {
        b[1] = 2; // stratum
        b.set(rng.bytes(40), 8);
      } else b.set(rng.bytes(8), 40); // transmit timestamp
      b[2] = 6; // poll
      b[3] = 0xe9; // precision
      return b;
    };
    dg(true, c.ts, ntp(3));
    if (c.respPkts > 0) dg(false, c.ts + c.duration, ntp(4));
    return;
  }
  // Opaque datagrams: the bytes split evenly, replies after requests.
  const n = c.origPkts + c.respPkts;
  const times = n <= 1 ? [c.ts] : Array.from({ length: n }, (_, i) => c.ts + Math.round((c.duration * i) / (n - 1)));
  for (let i = 0; i < c.origPkts; i++) dg(true, times[i]!, new Uint8Array(0), Math.floor(c.origBytes / c.origPkts) + (i < c.origBytes % c.origPkts ? 1 : 0));
  for (let i = 0; i < c.respPkts; i++) dg(false, times[c.origPkts + i]!, new Uint8Array(0), Math.floor(c.respBytes / c.respPkts) + (i < c.respBytes % c.respPkts ? 1 : 0));
  note(ctx, `opaque UDP (${c.service || 'no service'})`);
}

/** All packets of one Zeek log folder, in time order. */
function capture(dir: string): { pkts: Pkt[]; conns: number; notes: Map<string, number> } {
  const cs = conns(join(dir, 'conn.log'));
  const ds = dnss(join(dir, 'dns.log'));
  const ctx: Ctx = { names: new Map(), dnsByUid: new Map(ds.map((d) => [d.uid, d])), notes: new Map() };
  for (const d of [...ds].sort((a, b) => a.ts + a.rtt - (b.ts + b.rtt))) {
    if (d.rcode !== 0) continue;
    let m = ctx.names.get(d.origH);
    if (!m) ctx.names.set(d.origH, (m = new Map()));
    for (const a of d.answers) {
      if (!IPV4.test(a) && !(a.includes(':') && !a.includes(' '))) continue;
      let l = m.get(a);
      if (!l) m.set(a, (l = []));
      l.push([d.ts + d.rtt, d.query]);
    }
  }
  const pkts: Pkt[] = [];
  const emit = (ts: number, p: L4): void => {
    const f = frame(p);
    pkts.push({ ts, seq: pkts.length, frame: f.frame, len: f.len });
  };
  for (const c of cs) {
    if (c.proto === 'tcp') tcpPackets(c, ctx, emit);
    else if (c.proto === 'udp') udpPackets(c, ctx, emit);
    else throw new Error(`${c.uid}: proto ${c.proto} not supported`);
  }
  pkts.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  return { pkts, conns: cs.length, notes: ctx.notes };
}

// ------------------------------------------------------------- writers ----

const SNAPLEN = 262144;

/** Classic pcap: little-endian, µs, LINKTYPE_ETHERNET. */
function pcapBytes(pkts: readonly Pkt[]): Uint8Array {
  const size = 24 + pkts.reduce((a, p) => a + 16 + p.frame.length, 0);
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, SNAPLEN, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  for (const p of pkts) {
    dv.setUint32(o, Math.floor(p.ts / 1e6), true);
    dv.setUint32(o + 4, p.ts % 1e6, true);
    dv.setUint32(o + 8, p.frame.length, true);
    dv.setUint32(o + 12, p.len, true);
    b.set(p.frame, o + 16);
    o += 16 + p.frame.length;
  }
  return b;
}

/** pcapng option list: code, length, value padded to 4; ends with opt_endofopt. */
function options(opts: [number, Uint8Array][]): number[] {
  const out: number[] = [];
  for (const [code, v] of opts) {
    out.push(code & 255, code >>> 8, v.length & 255, v.length >>> 8, ...v);
    while (out.length % 4 !== 0) out.push(0);
  }
  if (opts.length > 0) out.push(0, 0, 0, 0);
  return out;
}

function block(type: number, body: number[] | Uint8Array): Uint8Array {
  const padded = Math.ceil(body.length / 4) * 4;
  const total = 12 + padded;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  b.set(body, 8);
  dv.setUint32(total - 4, total, true);
  return b;
}

/** pcapng, little-endian: one section (SHB), one Ethernet interface (IDB, µs), one EPB per packet. */
function pcapngBytes(pkts: readonly Pkt[], what: string): Uint8Array {
  const shbBody = [
    0x4d, 0x3c, 0x2b, 0x1a, // byte-order magic
    1, 0, 0, 0, // version 1.0
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // section length: unspecified
    ...options([[4, enc('c2watch samples/make-pcap-samples.ts')], [1, enc(what)]]), // shb_userappl, opt_comment
  ];
  const idbBody = [
    1, 0, // LINKTYPE_ETHERNET
    0, 0, // reserved
    SNAPLEN & 255, (SNAPLEN >>> 8) & 255, (SNAPLEN >>> 16) & 255, SNAPLEN >>> 24,
    ...options([[2, enc('eth0')], [9, Uint8Array.of(6)]]), // if_name, if_tsresol = 10^-6
  ];
  const parts: Uint8Array[] = [block(0x0a0d0d0a, shbBody), block(0x00000001, idbBody)];
  for (const p of pkts) {
    const body = new Uint8Array(20 + p.frame.length);
    const dv = new DataView(body.buffer);
    const ts = BigInt(p.ts);
    dv.setUint32(0, 0, true); // interface 0
    dv.setUint32(4, Number(ts >> 32n), true);
    dv.setUint32(8, Number(ts & 0xffffffffn), true);
    dv.setUint32(12, p.frame.length, true);
    dv.setUint32(16, p.len, true);
    body.set(p.frame, 20);
    parts.push(block(0x00000006, body));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ------------------------------------------------------------- NetFlow ----

/**
 * softflowd's timeouts (seconds). softflowd 1.1.0 runs its expiry check on
 * its own clock, and reading this two-hour file takes milliseconds, so
 * every flow is exported when the file ends (all export headers carry
 * 10:59:55) and a 5-tuple used twice (the agent's port 59283, the NTP
 * flows 123 → 123) is one flow. What the timeouts still set is the order of
 * that final export (by last packet + timeout): closed TCP 10 s, UDP 30 s,
 * so the records come about in the order the connections ended, as Zeek
 * writes conn.log; idle TCP 300 s like Zeek's inactivity timeout. The
 * SYN-only attempt to 1.1.1.1:8888 is exported last whatever the timeouts.
 */
const SOFTFLOWD_TIMEOUTS = ['tcp=300', 'tcp.fin=10', 'tcp.rst=10', 'udp=30', 'icmp=30', 'general=300', 'expint=10'];

/** The softflowd command line for one export (`PORT`: the collector's). */
function softflowdArgs(pcap: string, version: 9 | 10, port: number | string): string[] {
  return ['-r', pcap, '-n', `127.0.0.1:${port}`, '-v', String(version), '-a', '-d', ...SOFTFLOWD_TIMEOUTS.flatMap((t) => ['-t', t])];
}

/** Runs softflowd on `pcap` and returns the export datagrams it sent, in arrival order (as make-netflow-samples.ts does). */
async function exportWith(pcap: string, version: 9 | 10): Promise<Uint8Array[]> {
  const sock = createSocket('udp4');
  const got: Uint8Array[] = [];
  sock.on('message', (m) => got.push(new Uint8Array(m)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  const code = await new Promise<number>((resolve, reject) => {
    // Run next to the capture with a relative path: softflowd exports its "interface" name, the path.
    const p = spawn('softflowd', softflowdArgs(basename(pcap), version, port), { cwd: dirname(pcap), stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.once('error', (e) => reject(new Error(`softflowd: ${e.message} (apt-get install softflowd, or run with --pcap-only)`)));
    p.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c ?? -1);
    });
  });
  if (code !== 0) throw new Error(`softflowd exited ${code}`);
  let last = -1;
  for (let i = 0; i < 100 && got.length !== last; i++) {
    last = got.length;
    await new Promise((r) => setTimeout(r, 100));
  }
  sock.close();
  return got;
}

/**
 * The export datagrams as a capture on the collector: from the exporter
 * 10.1.0.1:40000 to 10.1.0.254:2055, packet time = the header's export
 * time (+1 µs per datagram, keeping arrival order).
 */
function exportCapture(datagrams: Uint8Array[]): Uint8Array {
  const pkts: Pkt[] = datagrams.map((d, i) => {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const secs = dv.getUint16(0) === 10 ? dv.getUint32(4) : dv.getUint32(8);
    const f = frame({ proto: 17, src: '10.1.0.1', sport: 40000, dst: '10.1.0.254', dport: 2055, ipId: i, ttl: 64, payload: d, payloadLen: d.length });
    return { ts: secs * 1_000_000 + i, seq: i, frame: f.frame, len: f.len };
  });
  return pcapBytes(pkts);
}

// ---------------------------------------------------------------- main ----

mkdirSync(OUT, { recursive: true });
const jobs: [string, string, boolean][] = [
  ['zeek-tsv', 'samples', true],
  ['zeek-public-resolver', 'public-resolver', false],
];
for (const [dir, name, ng] of jobs) {
  const { pkts, conns: n, notes } = capture(join(HERE, dir));
  const files: [string, Uint8Array][] = [[`${name}.pcap`, pcapBytes(pkts)]];
  if (ng) files.push([`${name}.pcapng`, pcapngBytes(pkts, `packets synthesised from samples/${dir} (conn.log + dns.log)`)]);
  for (const [f, bytes] of files) {
    writeFileSync(join(OUT, f), bytes);
    console.log(`pcap/${f}: ${pkts.length} packets, ${bytes.length} bytes, from ${n} conn.log rows of ${dir}`);
  }
  for (const [k, v] of [...notes].sort()) console.log(`  ${String(v).padStart(5)}  ${k}`);
}

if (!process.argv.includes('--pcap-only')) {
  mkdirSync(NETFLOW_OUT, { recursive: true });
  for (const [version, name] of [
    [9, 'v9'],
    [10, 'ipfix'],
  ] as const) {
    const dgs = await exportWith(join(OUT, 'samples.pcap'), version);
    const bytes = exportCapture(dgs);
    writeFileSync(join(NETFLOW_OUT, `export-${name}.pcap`), bytes);
    console.log(`netflow-seeds/export-${name}.pcap: ${dgs.length} datagrams, ${bytes.length} bytes (in pcap/: softflowd ${softflowdArgs('samples.pcap', version, 'PORT').join(' ')})`);
  }
}
