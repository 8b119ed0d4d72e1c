/**
 * Deterministic generator of the beacon samples (DESIGN §4): one day of Zeek
 * conn.log, dns.log, ssl.log and http.log with beacons of the T1071 seed
 * scenarios next to benign hosts.
 *
 *   node --import tsx samples/make-beacon-samples.ts
 *
 * Writes, next to this file (the cwd does not matter):
 *   beacon-zeek/conn.log, dns.log, ssl.log, http.log   Zeek TSV as Zeek writes it
 *   beacon-zeek/truth.json                             per host: scenario, rules that fire,
 *                                                      period and jitter of the beacon
 *
 * Seeded PRNGs (mulberry32, one stream per host) and a fixed base time: two
 * runs give identical bytes. Times are integer microseconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fnv1a, mulberry32 } from '../bench/gen/prng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'beacon-zeek');

const US = 1_000_000;
/** 2026-11-03T00:00:00Z (`date -u -d @1793664000`): one UTC day from here. */
const BASE_S = 1_793_664_000;
const BASE = BASE_S * US;
const DAY = 86_400;
const us = (s: number): number => Math.round(s * US);
const at = (offsetS: number): number => BASE + us(offsetS);
const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const fmtSec = (t: number): string => `${Math.floor(t / US)}.${pad(t - Math.floor(t / US) * US, 6)}`;
function headerDate(t: number): string {
  const d = new Date(Math.floor(t / US) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}-${pad(d.getUTCHours(), 2)}-${pad(d.getUTCMinutes(), 2)}-${pad(d.getUTCSeconds(), 2)}`;
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

class Rng {
  private readonly r: () => number;
  constructor(label: string) {
    this.r = mulberry32(fnv1a(`c2watch-beacon-samples/${label}`));
  }
  next(): number {
    return this.r();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  uniform(lo: number, hi: number): number {
    return lo + this.r() * (hi - lo);
  }
  exp(mean: number): number {
    return -mean * Math.log(1 - this.r());
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.r() * alphabet.length)];
    return s;
  }
  uid(): string {
    return `C${this.chars(B62, 17)}`;
  }
  port(): number {
    return this.int(49152, 65535);
  }
}

// ---------------------------------------------------------------- records ----

interface Conn {
  ts: number;
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  proto: 'tcp' | 'udp';
  service: string | null;
  duration: number;
  origBytes: number;
  respBytes: number;
  connState: string;
  history: string;
  origPkts: number;
  origIpBytes: number;
  respPkts: number;
  respIpBytes: number;
}
interface Dns {
  ts: number;
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  query: string;
  qtype: number;
  rcode: number;
  answers: string[] | null;
  ttls: number[] | null;
  rtt: number;
}
interface Ssl {
  ts: number;
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  serverName: string;
}
interface Http {
  ts: number;
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  method: string;
  host: string;
  uri: string;
  userAgent: string;
  reqLen: number;
  respLen: number;
  status: number;
}

const conns: Conn[] = [];
const dnss: Dns[] = [];
const ssls: Ssl[] = [];
const https: Http[] = [];

const isLocal = (ip: string): boolean => ip.startsWith('10.');

function tcp(rng: Rng, ts: number, origH: string, respH: string, respP: number, service: string | null, dur: number, ob: number, rb: number): Conn {
  const od = ob > 0 ? Math.ceil(ob / 1448) : 0;
  const rd = rb > 0 ? Math.ceil(rb / 1448) : 0;
  const origPkts = 2 + od + Math.ceil(rd / 2) + 2;
  const respPkts = 1 + rd + Math.max(1, Math.ceil(od / 2)) + 1;
  const c: Conn = {
    ts, uid: rng.uid(), origH, origP: rng.port(), respH, respP, proto: 'tcp', service, duration: us(dur), origBytes: ob, respBytes: rb,
    connState: 'SF', history: 'ShADadFf', origPkts, origIpBytes: ob + 52 * origPkts + 8, respPkts, respIpBytes: rb + 52 * respPkts + 8,
  };
  conns.push(c);
  return c;
}

const wireName = (name: string): number => name.split('.').reduce((n, l) => n + l.length + 1, 0) + 1;

function dns(rng: Rng, ts: number, origH: string, resolver: string, query: string, answers: string[] | null, ttl: number, qtype = 1): Dns {
  const uid = rng.uid();
  const origP = rng.port();
  const rtt = us(isLocal(resolver) ? rng.uniform(0.0002, 0.0009) : rng.uniform(0.008, 0.03));
  const d: Dns = { ts, uid, origH, origP, respH: resolver, query, qtype, rcode: answers ? 0 : 3, answers, ttls: answers ? answers.map(() => ttl) : null, rtt };
  dnss.push(d);
  const q = 12 + wireName(query) + 4;
  const r = q + (answers ? answers.length * 16 : 12 + 2 * wireName(query) + 20);
  conns.push({
    ts, uid, origH, origP, respH: resolver, respP: 53, proto: 'udp', service: 'dns', duration: rtt, origBytes: q, respBytes: r,
    connState: 'SF', history: 'Dd', origPkts: 1, origIpBytes: q + 28, respPkts: 1, respIpBytes: r + 28,
  });
  return d;
}

const RESOLVER = '10.2.0.2';
const PROXY = '10.2.0.3';

/** Resolve via the site resolver when the cached answer (TTL) has run out. */
function resolver(rng: Rng, host: string, name: string, ip: string, ttl: number): (ts: number) => void {
  let until = -Infinity;
  return (ts) => {
    if (ts < until) return;
    dns(rng, ts - us(rng.uniform(0.001, 0.004)), host, RESOLVER, name, [ip], ttl);
    until = ts + us(ttl);
  };
}

/** Check-in offsets (s): every `period` × (1 ± jitter·U) from `start` to `end`. */
function schedule(rng: Rng, start: number, end: number, period: number, jitter: number): number[] {
  const out: number[] = [];
  for (let t = start; t < end; t += period * (1 + jitter * (2 * rng.next() - 1))) out.push(t);
  return out;
}

interface Truth {
  host: string;
  scenario: string;
  /** Every rule that fires for this host on this folder. */
  expect: string[];
  /** The beacon: destination, nominal period (s) and jitter (±fraction), when there is one. */
  beacon: { destination: string; port: number; period: number; jitter: number; checkIns: number } | null;
  note: string;
}
const truth: Truth[] = [];

const SCORE = 'beacon.score';
const RUNS = 'beacon.runs';

// 1. T1071.001: HTTP beacon with a Cobalt Strike "jquery" malleable profile, sleep 60 s, jitter 20 %.
{
  const h = '10.2.0.11';
  const rng = new Rng(h);
  const ip = '198.51.100.80';
  const name = 'code.jquery-cdn.example';
  const lookup = resolver(rng, h, name, ip, 300);
  const times = schedule(rng, 120 + rng.uniform(0, 30), DAY - 60, 60, 0.2);
  for (const off of times) {
    const ts = at(off);
    lookup(ts);
    const post = rng.next() < 0.04; // a task result now and then
    const ob = post ? rng.int(800, 2400) : rng.int(390, 430);
    const rb = post ? rng.int(60, 90) : rng.int(5540, 5560);
    const c = tcp(rng, ts, h, ip, 80, 'http', rng.uniform(0.08, 0.3), ob, rb);
    https.push({
      ts: ts + us(rng.uniform(0.02, 0.05)), uid: c.uid, origH: h, origP: c.origP, respH: ip, respP: 80,
      method: post ? 'POST' : 'GET', host: name, uri: post ? `/jquery-3.3.2.min.js?__cfduid=${rng.chars(ALNUM, 16)}` : '/jquery-3.3.1.min.js',
      userAgent: 'Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko', reqLen: post ? ob - 400 : 0, respLen: rb - 250, status: 200,
    });
  }
  truth.push({ host: h, scenario: 'http-beacon-cobalt-strike-jquery', expect: [RUNS, SCORE],
    beacon: { destination: name, port: 80, period: 60, jitter: 0.2, checkIns: times.length },
    note: 'GET /jquery-3.3.1.min.js (POST /jquery-3.3.2.min.js for 4 % of check-ins) to code.jquery-cdn.example (198.51.100.80:80) every 60 s ± 20 % for 24 h; the name via the site resolver every 5 min and in http.log' });
}

// 2. An IRC-like channel on 6667: the bot reconnects to its server every 2 minutes ± 5 %.
{
  const h = '10.2.0.12';
  const rng = new Rng(h);
  const ip = '203.0.113.67';
  const times = schedule(rng, 300 + rng.uniform(0, 60), DAY - 60, 120, 0.05);
  for (const off of times) tcp(rng, at(off), h, ip, 6667, 'irc', rng.uniform(1.5, 3.5), rng.int(96, 140), rng.int(240, 420));
  truth.push({ host: h, scenario: 'irc-like-channel-6667', expect: [SCORE],
    beacon: { destination: ip, port: 6667, period: 120, jitter: 0.05, checkIns: times.length },
    note: 'NICK/USER/JOIN, read the topic, QUIT: a short TCP session to 203.0.113.67:6667 every 120 s ± 5 %, by address (no DNS); 6667 is not a beacon.runs seed port' });
}

// 3. The textbook case: HTTPS every 60 s ± 10 % for 24 h, named by SNI, two server addresses.
{
  const h = '10.2.0.13';
  const rng = new Rng(h);
  const name = 'telemetry.c2-example.org';
  const ips = ['192.0.2.60', '192.0.2.61'];
  let ip = ips[0]!;
  let until = -Infinity;
  const times = schedule(rng, 60 + rng.uniform(0, 30), DAY - 60, 60, 0.1);
  for (const off of times) {
    const ts = at(off);
    if (ts >= until) {
      ip = rng.pick(ips);
      dns(rng, ts - us(rng.uniform(0.001, 0.004)), h, RESOLVER, name, [ip], 600);
      until = ts + us(600);
    }
    const c = tcp(rng, ts, h, ip, 443, 'ssl', rng.uniform(0.15, 0.5), rng.int(1180, 1260), rng.int(3900, 4300));
    ssls.push({ ts: ts + us(rng.uniform(0.01, 0.04)), uid: c.uid, origH: h, origP: c.origP, respH: ip, respP: 443, serverName: name });
  }
  truth.push({ host: h, scenario: 'https-beacon-60s-10pct', expect: [RUNS, SCORE],
    beacon: { destination: name, port: 443, period: 60, jitter: 0.1, checkIns: times.length },
    note: 'TLS to telemetry.c2-example.org every 60 s ± 10 % for 24 h; SNI in ssl.log; the answer alternates between 192.0.2.60 and .61 every 10 min, so only the name holds the whole beacon' });
}

// 4. T1071.004: DNS beacon to a public resolver, 120 s ± 20 %, random labels under one domain.
{
  const h = '10.2.0.14';
  const rng = new Rng(h);
  const times = schedule(rng, 200 + rng.uniform(0, 20), DAY - 60, 120, 0.2);
  for (const off of times) dns(rng, at(off), h, '8.8.8.8', `${rng.chars(ALNUM, rng.int(20, 30))}.ns.dnsbeacon-example.net`, null, 0, 16);
  truth.push({ host: h, scenario: 'dns-beacon-public-resolver', expect: [RUNS, SCORE],
    beacon: { destination: '8.8.8.8', port: 53, period: 120, jitter: 0.2, checkIns: times.length },
    note: 'TXT <random>.ns.dnsbeacon-example.net to 8.8.8.8 every 120 s ± 20 % (NXDOMAIN): a DNS channel, by resolver address' });
}

// 5. A slow beacon: HTTPS every hour ± 10 %.
{
  const h = '10.2.0.15';
  const rng = new Rng(h);
  const name = 'sync.slowbeacon-example.com';
  const ip = '203.0.113.90';
  const times = schedule(rng, 900 + rng.uniform(0, 300), DAY - 60, 3600, 0.1);
  for (const off of times) {
    const ts = at(off);
    dns(rng, ts - us(rng.uniform(0.001, 0.004)), h, RESOLVER, name, [ip], 300);
    const c = tcp(rng, ts, h, ip, 443, 'ssl', rng.uniform(0.3, 0.9), rng.int(2100, 2300), rng.int(650, 800));
    ssls.push({ ts: ts + us(rng.uniform(0.01, 0.04)), uid: c.uid, origH: h, origP: c.origP, respH: ip, respP: 443, serverName: name });
  }
  truth.push({ host: h, scenario: 'slow-beacon-hourly', expect: [RUNS, SCORE],
    beacon: { destination: name, port: 443, period: 3600, jitter: 0.1, checkIns: times.length },
    note: 'TLS to sync.slowbeacon-example.com (203.0.113.90) every 60 min ± 10 %: 24 check-ins in the day' });
}

// 6. A beacon behind the web proxy: CONNECT every 90 s ± 15 %, among the user's proxied browsing.
{
  const h = '10.2.0.16';
  const rng = new Rng(h);
  const times = schedule(rng, 400 + rng.uniform(0, 30), DAY - 60, 90, 0.15);
  const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Safari/537.36';
  const connect = (ts: number, target: string, dur: number, ob: number, rb: number): void => {
    const c = tcp(rng, ts, h, PROXY, 3128, 'http,ssl', dur, ob, rb);
    https.push({ ts: ts + us(rng.uniform(0.001, 0.004)), uid: c.uid, origH: h, origP: c.origP, respH: PROXY, respP: 3128, method: 'CONNECT',
      host: `${target}:443`, uri: `${target}:443`, userAgent: ua, reqLen: 0, respLen: 0, status: 200 });
  };
  for (const off of times) connect(at(off), 'c2.proxy-example.net', rng.uniform(0.2, 0.6), rng.int(1500, 1600), rng.int(2800, 3100));
  const sites = ['www.example.com', 'news.example.org', 'mail.postbox-example.com', 'docs.wiki-example.org', 'www.weather-example.com', 'static.cdn-example.net'];
  // Working hours: browsing through the same proxy, irregular.
  for (let t = 8 * 3600 + rng.exp(90); t < 18 * 3600; t += rng.exp(90)) connect(at(t), rng.pick(sites), rng.uniform(0.5, 60), rng.int(600, 4000), rng.int(3000, 400_000));
  truth.push({ host: h, scenario: 'beacon-through-proxy', expect: [SCORE],
    beacon: { destination: 'c2.proxy-example.net', port: 3128, period: 90, jitter: 0.15, checkIns: times.length },
    note: `every flow goes to the proxy ${PROXY}:3128; the CONNECT target in http.log separates the beacon (c2.proxy-example.net every 90 s ± 15 %) from browsing 08:00–18:00` });
}

// 7. Benign monitoring agent: a fixed 60 s heartbeat. It is a beacon; the allowlist silences it.
{
  const h = '10.2.0.21';
  const rng = new Rng(h);
  const name = 'heartbeat.monitor-example.com';
  const ip = '192.0.2.21';
  const lookup = resolver(rng, h, name, ip, 3600);
  const times = schedule(rng, 30 + rng.uniform(0, 5), DAY - 60, 60, 0);
  for (const off of times) {
    const ts = at(off) + us(rng.uniform(-0.05, 0.05));
    lookup(ts);
    const c = tcp(rng, ts, h, ip, 443, 'ssl', rng.uniform(0.1, 0.2), rng.int(880, 900), rng.int(300, 320));
    ssls.push({ ts: ts + us(rng.uniform(0.01, 0.03)), uid: c.uid, origH: h, origP: c.origP, respH: ip, respP: 443, serverName: name });
  }
  truth.push({ host: h, scenario: 'benign-monitoring-agent-heartbeat', expect: [RUNS, SCORE],
    beacon: { destination: name, port: 443, period: 60, jitter: 0, checkIns: times.length },
    note: 'a monitoring agent posting to heartbeat.monitor-example.com (192.0.2.21:443) every 60 s exactly: found, and silenced by an allowlist entry (see allowlist.txt)' });
}

// 8. Benign irregular browsing: lookups and HTTPS at random gaps, named by SNI.
{
  const h = '10.2.0.22';
  const rng = new Rng(h);
  // 20 ordinary sites, each on 3 addresses (CDNs): no single address collects 10 connections.
  const names = ['www.example.com', 'news.morningledger-example.com', 'static.morningledger-example.com', 'www.harborweather-example.com',
    'api.harborweather-example.com', 'www.tinkerforum-example.org', 'docs.openpaperwiki-example.org', 'mail.postbox-example.com',
    'fonts.letterpress-cdn-example.com', 'img.snapgallery-example.com', 'www.citytransit-example.org', 'login.accountsportal-example.com',
    'www.recipebox-example.com', 'www.stackhelp-example.com', 'maps.waypoint-example.com', 'shop.gadgetbarn-example.com',
    'video.streamhall-example.net', 'www.library-example.org', 'calendar.teamdesk-example.com', 'chat.teamdesk-example.com'];
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  const sites: [string, string[]][] = names.map((n, i) => [n, nets.map((net) => `${net}.${110 + i}`)]);
  let visits = 0;
  // Two sessions in the working day, lookups at exponential gaps (mean 5 min), 1–3 connections each.
  for (const [from, to] of [[8.5 * 3600, 12 * 3600], [13 * 3600, 17.5 * 3600]] as const) {
    for (let t = from + rng.exp(300); t < to; t += rng.exp(300)) {
      const [name, ips] = rng.pick(sites);
      const ip = rng.pick(ips);
      const ts = at(t);
      dns(rng, ts, h, RESOLVER, name, [ip], 60);
      let c = ts + us(rng.uniform(0.005, 0.1));
      const k = rng.int(1, 3);
      for (let i = 0; i < k; i++) {
        const conn = tcp(rng, c, h, ip, 443, 'ssl', rng.next() < 0.25 ? rng.uniform(30, 240) : rng.uniform(0.2, 20), rng.int(600, 8000), rng.int(3000, 600_000));
        ssls.push({ ts: c + us(rng.uniform(0.01, 0.05)), uid: conn.uid, origH: h, origP: conn.origP, respH: ip, respP: 443, serverName: name });
        c += us(rng.uniform(0.05, 2));
      }
      visits++;
    }
  }
  truth.push({ host: h, scenario: 'benign-irregular-browsing', expect: [], beacon: null,
    note: `${visits} site visits via the site resolver at exponential gaps (mean 5 min) in two sessions, 1–3 HTTPS connections each, 20 sites on 3 addresses each: irregular, and under 10 connections per address` });
}

// ------------------------------------------------------------- output ----

const CONN_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes',
  'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents'];
const CONN_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string', 'bool', 'bool', 'count',
  'string', 'count', 'count', 'count', 'count', 'set[string]'];
const DNS_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'trans_id', 'rtt', 'query', 'qclass', 'qclass_name',
  'qtype', 'qtype_name', 'rcode', 'rcode_name', 'AA', 'TC', 'RD', 'RA', 'Z', 'answers', 'TTLs', 'rejected'];
const DNS_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'count', 'interval', 'string', 'count', 'string', 'count', 'string',
  'count', 'string', 'bool', 'bool', 'bool', 'bool', 'count', 'vector[string]', 'vector[interval]', 'bool'];
const SSL_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'version', 'cipher', 'curve', 'server_name', 'resumed',
  'last_alert', 'next_protocol', 'established', 'ssl_history'];
const SSL_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'string', 'string', 'string', 'string', 'bool', 'string', 'string', 'bool', 'string'];
const HTTP_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'trans_depth', 'method', 'host', 'uri', 'referrer', 'version',
  'user_agent', 'origin', 'request_body_len', 'response_body_len', 'status_code', 'status_msg', 'info_code', 'info_msg', 'tags', 'username',
  'password', 'proxied', 'orig_fuids', 'orig_filenames', 'orig_mime_types', 'resp_fuids', 'resp_filenames', 'resp_mime_types'];
const HTTP_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'count', 'string', 'string', 'string', 'string', 'string', 'string', 'string',
  'count', 'count', 'count', 'string', 'count', 'string', 'set[enum]', 'string', 'string', 'set[string]', 'vector[string]', 'vector[string]',
  'vector[string]', 'vector[string]', 'vector[string]', 'vector[string]'];

const QT = new Map([[1, 'A'], [16, 'TXT'], [28, 'AAAA']]);
const b = (x: boolean): string => (x ? 'T' : 'F');

function connRow(c: Conn): string[] {
  return [fmtSec(c.ts), c.uid, c.origH, String(c.origP), c.respH, String(c.respP), c.proto, c.service ?? '-', fmtSec(c.duration), String(c.origBytes),
    String(c.respBytes), c.connState, b(isLocal(c.origH)), b(isLocal(c.respH)), '0', c.history, String(c.origPkts), String(c.origIpBytes),
    String(c.respPkts), String(c.respIpBytes), '(empty)'];
}
function dnsRow(d: Dns, rng: Rng): string[] {
  return [fmtSec(d.ts), d.uid, d.origH, String(d.origP), d.respH, '53', 'udp', String(rng.int(0, 65535)), fmtSec(d.rtt), d.query, '1', 'C_INTERNET',
    String(d.qtype), QT.get(d.qtype) ?? '-', String(d.rcode), d.rcode === 0 ? 'NOERROR' : 'NXDOMAIN', b(false), b(false), b(true), b(true), '0',
    d.answers ? d.answers.join(',') : '-', d.ttls ? d.ttls.map((t) => `${t}.000000`).join(',') : '-', b(false)];
}
function sslRow(s: Ssl): string[] {
  return [fmtSec(s.ts), s.uid, s.origH, String(s.origP), s.respH, String(s.respP), 'TLSv13', 'TLS_AES_128_GCM_SHA256', 'x25519', s.serverName, 'F', '-',
    'h2', 'T', 'CsiI'];
}
function httpRow(h: Http): string[] {
  return [fmtSec(h.ts), h.uid, h.origH, String(h.origP), h.respH, String(h.respP), '1', h.method, h.host, h.uri, '-', '1.1', h.userAgent, '-',
    String(h.reqLen), String(h.respLen), String(h.status), h.status === 200 ? (h.method === 'CONNECT' ? 'Connection established' : 'OK') : '-', '-', '-',
    '(empty)', '-', '-', '-', '-', '-', '-', '-', '-', '-'];
}

const endOf = (c: Conn): number => c.ts + c.duration;
const byUid = (a: { uid: string }, x: { uid: string }): number => (a.uid < x.uid ? -1 : a.uid > x.uid ? 1 : 0);
conns.sort((a, x) => endOf(a) - endOf(x) || a.ts - x.ts || byUid(a, x));
dnss.sort((a, x) => a.ts - x.ts || byUid(a, x));
ssls.sort((a, x) => a.ts - x.ts || byUid(a, x));
https.sort((a, x) => a.ts - x.ts || byUid(a, x));
const closeAt = Math.ceil(Math.max(...conns.map(endOf)) / US) * US + US;

function tsv(path: string, fields: string[], types: string[], rows: string[][]): string {
  return [
    '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', `#path\t${path}`, `#open\t${headerDate(BASE)}`,
    `#fields\t${fields.join('\t')}`, `#types\t${types.join('\t')}`, ...rows.map((r) => r.join('\t')), `#close\t${headerDate(closeAt)}`, '',
  ].join('\n');
}

// beacon.runs fires by definition at ≥ 10 connections to one public address on the seed ports within 24 h: check the truth says so.
const RUN_PORTS = new Set([80, 443, 53, 21, 25, 110, 143, 8080, 8443, 1883, 5222]);
const perDst = new Map<string, number>();
for (const c of conns) {
  if (!isLocal(c.origH) || isLocal(c.respH) || !RUN_PORTS.has(c.respP)) continue;
  perDst.set(`${c.origH} ${c.respH}`, (perDst.get(`${c.origH} ${c.respH}`) ?? 0) + 1);
}
for (const t of truth) {
  const runs = [...perDst].some(([k, n]) => k.startsWith(`${t.host} `) && n >= 10);
  if (runs !== t.expect.includes(RUNS)) {
    const top = [...perDst].filter(([k]) => k.startsWith(`${t.host} `)).sort((x, y) => y[1] - x[1])[0];
    throw new Error(`${t.host}: beacon.runs ${runs ? 'fires' : 'does not fire'} by definition (${top?.join(': ')}), truth says otherwise`);
  }
}

const dnsRng = new Rng('trans-ids');
const files: [string, string][] = [
  ['conn.log', tsv('conn', CONN_FIELDS, CONN_TYPES, conns.map(connRow))],
  ['dns.log', tsv('dns', DNS_FIELDS, DNS_TYPES, dnss.map((d) => dnsRow(d, dnsRng)))],
  ['ssl.log', tsv('ssl', SSL_FIELDS, SSL_TYPES, ssls.map(sslRow))],
  ['http.log', tsv('http', HTTP_FIELDS, HTTP_TYPES, https.map(httpRow))],
  ['truth.json', `${JSON.stringify(truth, null, 2)}\n`],
  ['allowlist.txt', '# The monitoring agent of 10.2.0.21 is expected to beacon.\n.monitor-example.com\n192.0.2.21\n'],
];
mkdirSync(OUT, { recursive: true });
for (const [name, text] of files) writeFileSync(join(OUT, name), text);
console.log(`wrote ${files.map(([f, t]) => `beacon-zeek/${f} (${t.length} B)`).join(', ')}`);
console.log(`conn ${conns.length}, dns ${dnss.length}, ssl ${ssls.length}, http ${https.length}`);
for (const t of truth) console.log(`${t.host.padEnd(10)} ${t.scenario.padEnd(36)} expect [${t.expect.join(', ')}]${t.beacon ? ` ${t.beacon.checkIns} check-ins every ${t.beacon.period} s ± ${t.beacon.jitter * 100} %` : ''}`);
