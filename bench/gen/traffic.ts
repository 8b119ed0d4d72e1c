/**
 * Deterministic traffic generator: realistic pcaps of any size, fast, with
 * planted command-and-control and a truth file.
 *
 * The mix: many internal hosts (10.0.0.0/8) talking to public servers;
 * TCP sessions with handshake, a TLS ClientHello carrying SNI or an HTTP
 * request with Host, server data, and FIN teardown (some reset, some left
 * half-open); DNS over UDP with real query and response messages; a share of
 * 802.1Q-tagged frames and of IPv6. `concurrency` sessions are open at any
 * time (a pool: when one ends, another starts), which is what stresses a
 * flow table. Planted: beacon hosts (HTTP GET to one server every `period`
 * ± `jitter`) and multiband hosts (TXT queries to 8.8.8.8 alternating with
 * HTTPS to an address no answer named), listed in the truth file.
 *
 * Packets are written into one reused 8 MiB buffer and handed to `write` in
 * chunks, so output runs at hundreds of MB/s. TCP/UDP checksums are left 0
 * (Zeek needs `-C`; tshark and c2watch do not check them); IPv4 header
 * checksums are computed.
 *
 * @module
 */

import { mulberry32 as prng } from './prng.js';

export interface TrafficOptions {
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Stop after about this many bytes of pcap. Default 100 MB. */
  bytes?: number;
  /** Or after this many packets (whichever comes first). Default unlimited. */
  packets?: number;
  /** Sessions open at once. Default 5000. */
  concurrency?: number;
  /** Internal hosts. Default 2000. */
  hosts?: number;
  /** Mean server payload per data packet, bytes (≤ 1400). Default 600. */
  payload?: number;
  /** Share of frames carrying an 802.1Q tag. Default 0.1. */
  vlanShare?: number;
  /** Share of sessions over IPv6. Default 0.1. */
  ipv6Share?: number;
  /** Share of new activities that are DNS lookups. Default 0.3. */
  dnsShare?: number;
  /**
   * Packets per second of capture time (sets timestamps). Default 20 000, or
   * 4 × `concurrency` when that is more. Sessions take turns, so a session's
   * packets are `concurrency / rate` seconds apart: 0.25 s at the default.
   * At a fixed 20 000 with 500 000 sessions they would be 25 s apart, past
   * Zeek's 5 s attempt timer and 10 s DNS expiry, and most sessions would
   * split into one-packet flows; a link carrying 500k concurrent flows
   * carries far more than 20 000 packets/s anyway.
   */
  rate?: number;
  /** Start time, seconds since the epoch. Default 2026-11-02T09:00:00Z. */
  start?: number;
  /** Planted beacons: hosts beaconing to one server. */
  beacons?: { count: number; period: number; jitter: number };
  /** Planted multiband hosts (DNS TXT to a public resolver alternating with direct-to-IP HTTPS). */
  multiband?: { count: number; every: number };
}

export interface Truth {
  seed: number;
  start: number;
  end: number;
  packets: number;
  bytes: number;
  sessions: number;
  dnsLookups: number;
  beacons: { host: string; server: string; port: number; name: string; period: number; jitter: number; count: number }[];
  multiband: { host: string; resolver: string; server: string; domain: string; rounds: number }[];
}


const BUF_SIZE = 8 << 20;
const NAMES = ['www', 'api', 'cdn', 'static', 'img', 'mail', 'login', 'update', 'assets', 'media'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'news-site.com', 'shop-online.com', 'video-cdn.net', 'social-app.com', 'search-engine.org', 'cloud-storage.net', 'office-suite.com'];

/** A session in the pool: a small state machine emitting one packet per step. */
interface Session {
  kind: number; // 0 tcp, 1 dns
  v6: boolean;
  vlan: number;
  cli: number; // host index
  srv: number; // server address (v4 number) or index for v6
  sport: number;
  dport: number;
  step: number;
  steps: number; // total packets
  cseq: number;
  sseq: number;
  name: string;
  tls: boolean;
  reset: boolean;
  qid: number;
  qtype: number;
  answer: number;
  resolver: number;
  mb: number; // multiband host index or -1
  beacon: number; // beacon index or -1
  /** TCP sessions: look the name up first (2 DNS packets before the SYN), as clients do. */
  resolveFirst: boolean;
}

/** Generate packets; `write` receives pcap bytes (the header first). Returns the truth. */
export function generateTraffic(o: TrafficOptions, write: (chunk: Uint8Array) => void): Truth {
  const seed = o.seed ?? 1;
  const rnd = prng(seed);
  const maxBytes = o.bytes ?? 100e6;
  const maxPackets = o.packets ?? Infinity;
  const concurrency = Math.max(1, o.concurrency ?? 5000);
  const nHosts = Math.max(1, o.hosts ?? 2000);
  const payload = Math.min(1400, Math.max(0, o.payload ?? 600));
  const vlanShare = o.vlanShare ?? 0.1;
  const v6Share = o.ipv6Share ?? 0.1;
  const dnsShare = o.dnsShare ?? 0.3;
  const rate = o.rate ?? Math.max(20_000, 4 * concurrency);
  const start = o.start ?? 1793610000;

  const buf = new Uint8Array(BUF_SIZE);
  const dv = new DataView(buf.buffer);
  let pos = 0;
  let totalBytes = 0;
  let packets = 0;
  let sessionsStarted = 0;
  let dnsLookups = 0;
  let ts = start;
  const tick = 1 / rate;

  const flush = (): void => {
    if (pos > 0) write(buf.slice(0, pos));
    totalBytes += pos;
    pos = 0;
  };

  // pcap global header: µs, little-endian, Ethernet.
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 1, true);
  pos = 24;

  // Client i is 10.0.1.0 + i: one address per client (clear of the resolver 10.0.0.2 and, below
  // 16.6M clients, of the planted hosts in 10.254/16 and 10.255/16).
  const hostV4 = (i: number): number => (0x0a000100 + i) >>> 0;
  const serverV4 = (i: number): number => {
    // spread over a few public /16s and the documentation ranges
    const bases = [0xc6336400 /* 198.51.100.0 */, 0xcb007100 /* 203.0.113.0 */, 0x5db8d800 /* 93.184.216.0 */, 0x97650000 /* 151.101.0.0 */];
    return (bases[i & 3]! + ((i >> 2) & 0xffff)) >>> 0;
  };
  const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  const RESOLVER_INTERNAL = 0x0a000002; // 10.0.0.2
  const GOOGLE_DNS = 0x08080808;

  const truth: Truth = { seed, start, end: start, packets: 0, bytes: 0, sessions: 0, dnsLookups: 0, beacons: [], multiband: [] };

  // Planted hosts use the top of the host space (10.255.x.x) so they are easy to spot.
  const beaconCfg = o.beacons ?? { count: 0, period: 60, jitter: 0.1 };
  const beaconNext: number[] = [];
  for (let b = 0; b < beaconCfg.count; b++) {
    const host = (0x0aff0000 | (b + 10)) >>> 0;
    const server = (0xcb007100 | (200 + (b % 50))) >>> 0;
    truth.beacons.push({ host: dotted(host), server: dotted(server), port: 80, name: `c2-${b}.beacon-example.info`, period: beaconCfg.period, jitter: beaconCfg.jitter, count: 0 });
    beaconNext.push(start + rnd() * beaconCfg.period);
  }
  const mbCfg = o.multiband ?? { count: 0, every: 30 };
  const mbNext: number[] = [];
  for (let m = 0; m < mbCfg.count; m++) {
    const host = (0x0afe0000 | (m + 10)) >>> 0;
    truth.multiband.push({ host: dotted(host), resolver: '8.8.8.8', server: dotted((0xc6336400 | (200 + (m % 50))) >>> 0), domain: `t.exfil-${m}.example.org`, rounds: 0 });
    mbNext.push(start + rnd() * mbCfg.every);
  }

  // ---- packet writer -------------------------------------------------------
  let v6src = 0;
  let v6dst = 0;
  const writeFrame = (s: Session, fromClient: boolean, l4: number, flags: number, seq: number, ack: number, pay: Uint8Array | null, payLen: number): void => {
    const isV6 = s.v6;
    const ipHdr = isV6 ? 40 : 20;
    const l4Hdr = l4 === 6 ? 20 : 8;
    const eth = s.vlan >= 0 ? 18 : 14;
    const frameLen = eth + ipHdr + l4Hdr + payLen;
    if (pos + 16 + frameLen > BUF_SIZE) flush();
    const secs = Math.floor(ts);
    dv.setUint32(pos, secs, true);
    dv.setUint32(pos + 4, Math.floor((ts - secs) * 1e6), true);
    dv.setUint32(pos + 8, frameLen, true);
    dv.setUint32(pos + 12, frameLen, true);
    let p = pos + 16;
    // Ethernet: dst, src MACs derived from the host index; type.
    dv.setUint32(p, 0x02000000 | (fromClient ? 1 : s.cli & 0xffffff));
    dv.setUint16(p + 4, fromClient ? 1 : 2);
    dv.setUint32(p + 6, 0x02000000 | (fromClient ? s.cli & 0xffffff : 1));
    dv.setUint16(p + 10, fromClient ? 2 : 1);
    p += 12;
    if (s.vlan >= 0) {
      dv.setUint16(p, 0x8100);
      dv.setUint16(p + 2, s.vlan);
      p += 4;
    }
    dv.setUint16(p, isV6 ? 0x86dd : 0x0800);
    p += 2;
    const ipStart = p;
    const ipLen = ipHdr + l4Hdr + payLen;
    if (isV6) {
      dv.setUint32(p, 0x60000000);
      dv.setUint16(p + 4, l4Hdr + payLen);
      buf[p + 6] = l4;
      buf[p + 7] = 64;
      // clients fd00::<n> (ULA, internal), servers 2001:db8:ffff::<n>
      const cliWords = [0xfd000000, 0, 0, v6src];
      const srvWords = [0x20010db8, 0xffff, 0, v6dst];
      const a = fromClient ? cliWords : srvWords;
      const b = fromClient ? srvWords : cliWords;
      for (let w = 0; w < 4; w++) {
        dv.setUint32(p + 8 + 4 * w, a[w]!);
        dv.setUint32(p + 24 + 4 * w, b[w]!);
      }
      p += 40;
    } else {
      buf[p] = 0x45;
      buf[p + 1] = 0;
      dv.setUint16(p + 2, ipLen);
      dv.setUint16(p + 4, packets & 0xffff);
      dv.setUint16(p + 6, 0x4000);
      buf[p + 8] = 64;
      buf[p + 9] = l4;
      dv.setUint16(p + 10, 0);
      const src = fromClient ? hostOf(s) : s.srv;
      const dst = fromClient ? s.srv : hostOf(s);
      dv.setUint32(p + 12, src);
      dv.setUint32(p + 16, dst);
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += dv.getUint16(ipStart + i);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      dv.setUint16(p + 10, ~sum & 0xffff);
      p += 20;
    }
    const sp = fromClient ? s.sport : s.dport;
    const dp = fromClient ? s.dport : s.sport;
    dv.setUint16(p, sp);
    dv.setUint16(p + 2, dp);
    if (l4 === 6) {
      dv.setUint32(p + 4, seq >>> 0);
      dv.setUint32(p + 8, ack >>> 0);
      buf[p + 12] = 0x50;
      buf[p + 13] = flags;
      dv.setUint16(p + 14, 64240);
      dv.setUint32(p + 16, 0);
      p += 20;
    } else {
      dv.setUint16(p + 4, 8 + payLen);
      dv.setUint16(p + 6, 0);
      p += 8;
    }
    if (pay !== null) buf.set(pay.subarray(0, payLen), p);
    else buf.fill(0x41 + (packets % 26), p, p + payLen);
    pos = p + payLen;
    packets++;
  };
  const hostOf = (s: Session): number => (s.beacon >= 0 ? (0x0aff0000 | (s.beacon + 10)) >>> 0 : s.mb >= 0 ? (0x0afe0000 | (s.mb + 10)) >>> 0 : hostV4(s.cli));

  // ---- payload builders ------------------------------------------------------
  const scratch = new Uint8Array(2048);
  const sdv = new DataView(scratch.buffer);
  const putName = (p: number, name: string): number => {
    for (const label of name.split('.')) {
      scratch[p++] = label.length;
      for (let i = 0; i < label.length; i++) scratch[p++] = label.charCodeAt(i);
    }
    scratch[p++] = 0;
    return p;
  };
  const dnsMessage = (s: Session, response: boolean): number => {
    sdv.setUint16(0, s.qid);
    sdv.setUint16(2, response ? (s.answer < 0 ? 0x8183 : 0x8180) : 0x0100);
    sdv.setUint16(4, 1);
    sdv.setUint16(6, response && s.answer >= 0 ? 1 : 0);
    sdv.setUint32(8, 0);
    let p = putName(12, s.name);
    sdv.setUint16(p, s.qtype);
    sdv.setUint16(p + 2, 1);
    p += 4;
    if (response && s.answer >= 0) {
      sdv.setUint16(p, 0xc00c);
      sdv.setUint16(p + 2, s.qtype);
      sdv.setUint16(p + 4, 1);
      sdv.setUint32(p + 6, 300);
      if (s.qtype === 16) {
        const txt = 'ok' + (s.answer % 1000);
        sdv.setUint16(p + 10, txt.length + 1);
        scratch[p + 12] = txt.length;
        for (let i = 0; i < txt.length; i++) scratch[p + 13 + i] = txt.charCodeAt(i);
        p += 13 + txt.length;
      } else {
        sdv.setUint16(p + 10, 4);
        sdv.setUint32(p + 12, s.answer);
        p += 16;
      }
    }
    return p;
  };
  const clientHello = (name: string): number => {
    // TLS record + ClientHello with one cipher suite and the server_name extension (RFC 8446 §4.1.2, RFC 6066 §3).
    // No name (a direct-to-IP client): no extensions at all.
    const sni = name.length;
    const extLen = sni === 0 ? 0 : 4 + 2 + 1 + 2 + sni;
    const helloLen = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + extLen;
    let p = 0;
    scratch[p++] = 22;
    sdv.setUint16(p, 0x0301);
    sdv.setUint16(p + 2, helloLen + 4);
    p += 4;
    scratch[p++] = 1;
    scratch[p++] = 0;
    sdv.setUint16(p, helloLen);
    p += 2;
    sdv.setUint16(p, 0x0303);
    p += 2;
    for (let i = 0; i < 32; i++) scratch[p++] = (i * 7 + packets) & 255;
    scratch[p++] = 0; // session id
    sdv.setUint16(p, 2);
    sdv.setUint16(p + 2, 0x1301);
    p += 4;
    scratch[p++] = 1;
    scratch[p++] = 0; // compression
    sdv.setUint16(p, extLen);
    p += 2;
    if (sni === 0) return p;
    sdv.setUint16(p, 0); // server_name
    sdv.setUint16(p + 2, 2 + 1 + 2 + sni);
    sdv.setUint16(p + 4, 1 + 2 + sni);
    scratch[p + 6] = 0;
    sdv.setUint16(p + 7, sni);
    p += 9;
    for (let i = 0; i < sni; i++) scratch[p++] = name.charCodeAt(i);
    return p;
  };
  const httpRequest = (name: string, path: string): number => {
    const req = `GET ${path} HTTP/1.1\r\nHost: ${name}\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n`;
    for (let i = 0; i < req.length; i++) scratch[i] = req.charCodeAt(i);
    return req.length;
  };

  // ---- session pool ----------------------------------------------------------
  const newSession = (): Session => {
    sessionsStarted++;
    const isDns = rnd() < dnsShare;
    const v6 = !isDns && rnd() < v6Share;
    const cli = Math.floor(rnd() * nHosts);
    const name = `${NAMES[Math.floor(rnd() * NAMES.length)]}.${DOMAINS[Math.floor(rnd() * DOMAINS.length)]}`;
    // A name always resolves to the same server, so connections go where the DNS said.
    let h = 0;
    for (let c = 0; c < name.length; c++) h = (Math.imul(h, 31) + name.charCodeAt(c)) >>> 0;
    const srvIdx = h % 4000;
    const s: Session = {
      kind: isDns ? 1 : 0,
      v6,
      vlan: rnd() < vlanShare ? 100 + (cli % 8) : -1,
      cli,
      srv: isDns ? RESOLVER_INTERNAL : serverV4(srvIdx),
      sport: 49152 + Math.floor(rnd() * 16000),
      dport: isDns ? 53 : rnd() < 0.7 ? 443 : 80,
      step: 0,
      steps: isDns ? 2 : 7 + Math.floor(rnd() * 10) * 2,
      cseq: Math.floor(rnd() * 4294967295),
      sseq: Math.floor(rnd() * 4294967295),
      name,
      tls: false,
      reset: rnd() < 0.05,
      qid: Math.floor(rnd() * 65535),
      qtype: 1,
      answer: isDns ? serverV4(srvIdx) : 0,
      resolver: RESOLVER_INTERNAL,
      mb: -1,
      beacon: -1,
      resolveFirst: !isDns && !v6 && rnd() < 0.8,
    };
    s.tls = s.dport === 443;
    if (isDns) dnsLookups++;
    return s;
  };
  const pool: Session[] = [];
  for (let i = 0; i < concurrency; i++) pool.push(newSession());

  const stepSession = (s: Session): boolean => {
    // returns true when the session is finished
    if (s.v6) {
      v6src = (s.cli + 1) >>> 0;
      v6dst = ((s.srv & 0xffff) + 1) >>> 0;
    }
    if (s.kind === 1) {
      const len = dnsMessage(s, s.step === 1);
      writeFrame(s, s.step === 0, 17, 0, 0, 0, scratch, len);
      return ++s.step >= 2;
    }
    if (s.resolveFirst) {
      // The client's lookup of the name it is about to connect to (same 5-tuple shape as a DNS session).
      const fromClient = s.step === 0;
      const save = [s.srv, s.sport, s.dport, s.qtype, s.answer] as const;
      s.srv = RESOLVER_INTERNAL;
      s.sport = 49152 + ((s.sport * 7) & 16383);
      s.dport = 53;
      s.qtype = 1;
      s.answer = save[0];
      const len = dnsMessage(s, !fromClient);
      writeFrame(s, fromClient, 17, 0, 0, 0, scratch, len);
      [s.srv, s.sport, s.dport, s.qtype, s.answer] = save;
      if (++s.step === 2) {
        s.resolveFirst = false;
        s.step = 0;
        dnsLookups++;
      }
      return false;
    }
    const st = s.step;
    const last = s.steps - 1;
    if (st === 0) writeFrame(s, true, 6, 0x02, s.cseq, 0, null, 0);
    else if (st === 1) writeFrame(s, false, 6, 0x12, s.sseq, s.cseq + 1, null, 0);
    else if (st === 2) writeFrame(s, true, 6, 0x10, s.cseq + 1, s.sseq + 1, null, 0);
    else if (st === 3) {
      const len = s.tls ? clientHello(s.name) : httpRequest(s.name, s.beacon >= 0 ? '/submit.php?id=' + (packets % 100000) : '/index.html');
      writeFrame(s, true, 6, 0x18, s.cseq + 1, s.sseq + 1, scratch, len);
      s.cseq += len;
    } else if (st < last - 2) {
      const len = Math.max(1, Math.min(1400, Math.round(payload * (0.5 + rnd()))));
      writeFrame(s, false, 6, 0x18, s.sseq + 1, s.cseq + 1, null, len);
      s.sseq += len;
    } else if (st === last - 2) {
      if (s.reset) {
        writeFrame(s, true, 6, 0x04, s.cseq + 1, 0, null, 0);
        return true;
      }
      writeFrame(s, true, 6, 0x11, s.cseq + 1, s.sseq + 1, null, 0);
    } else if (st === last - 1) writeFrame(s, false, 6, 0x11, s.sseq + 1, s.cseq + 2, null, 0);
    else {
      writeFrame(s, true, 6, 0x10, s.cseq + 2, s.sseq + 2, null, 0);
      return true;
    }
    s.step++;
    return false;
  };

  // Planted sessions run to completion at once (they are short), interleaved with the pool.
  const runPlanted = (s: Session): void => {
    while (!stepSession(s)) ts += tick / 4;
  };

  let i = 0;
  while (totalBytes + pos < maxBytes && packets < maxPackets) {
    ts += tick;
    const k = i++ % concurrency;
    if (stepSession(pool[k]!)) pool[k] = newSession();
    // planted activity due?
    for (let b = 0; b < beaconNext.length; b++) {
      if (ts < beaconNext[b]!) continue;
      const tb = truth.beacons[b]!;
      const s = newSession();
      sessionsStarted--;
      s.kind = 0;
      s.v6 = false;
      s.vlan = -1;
      s.beacon = b;
      s.resolveFirst = false;
      s.srv = (0xcb007100 | (200 + (b % 50))) >>> 0;
      s.dport = 80;
      s.tls = false;
      s.reset = false;
      s.name = tb.name;
      s.steps = 9;
      runPlanted(s);
      tb.count++;
      beaconNext[b] = ts + tb.period * (1 + tb.jitter * (2 * rnd() - 1));
    }
    for (let m = 0; m < mbNext.length; m++) {
      if (ts < mbNext[m]!) continue;
      const tm = truth.multiband[m]!;
      const q = newSession();
      sessionsStarted--;
      dnsLookups--;
      q.kind = 1;
      q.vlan = -1;
      q.v6 = false;
      q.mb = m;
      q.resolveFirst = false;
      q.srv = GOOGLE_DNS;
      q.qtype = 16;
      q.name = `${Math.floor(rnd() * 2 ** 32).toString(16)}${Math.floor(rnd() * 2 ** 32).toString(16)}.${tm.domain}`;
      q.answer = 1;
      runPlanted(q);
      ts += 1 + rnd();
      const w = newSession();
      sessionsStarted--;
      w.kind = 0;
      w.vlan = -1;
      w.v6 = false;
      w.mb = m;
      w.resolveFirst = false;
      w.srv = (0xc6336400 | (200 + (m % 50))) >>> 0;
      w.dport = 443;
      w.tls = true;
      w.reset = false;
      w.name = '';
      w.steps = 9;
      runPlanted(w);
      tm.rounds++;
      mbNext[m] = ts + mbCfg.every * (0.8 + 0.4 * rnd());
    }
  }
  flush();
  truth.end = ts;
  truth.packets = packets;
  truth.bytes = totalBytes;
  truth.sessions = sessionsStarted;
  truth.dnsLookups = dnsLookups;
  return truth;
}
