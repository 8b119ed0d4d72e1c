// Accuracy against Zeek itself: run c2watch's pcap pipeline over the traces of
// ../shared/corpus/zeek-oracle and compare with the conn.log / dns.log Zeek
// wrote for them (see that folder's README.md). Shared by
// test/oracle/zeek-oracle.test.ts (asserts the rate) and bench/oracle.ts
// (prints the tables). Not a test file itself.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PcapFlows } from '../../lib/flow/pcap-flows.js';
import type { PcapFlowsOptions } from '../../lib/flow/pcap-flows.js';
import { ZEEK_LIKELY_SERVER_PORTS } from '../../lib/flow/zeek.js';
import type { DnsRecord, FlowRecord } from '../../lib/model.js';

/** Fields compared on conn.log rows. */
export const CONN_FIELDS = [
  'proto',
  'conn_state',
  'history',
  'orig_pkts',
  'resp_pkts',
  'orig_ip_bytes',
  'resp_ip_bytes',
  'orig_bytes',
  'resp_bytes',
  'duration',
] as const;
export type ConnField = (typeof CONN_FIELDS)[number];

/** Fields compared on dns.log rows. */
export const DNS_FIELDS = ['query', 'qtype', 'rcode', 'answers'] as const;
export type DnsField = (typeof DNS_FIELDS)[number];

/**
 * Features (INDEX.tsv) we do not reproduce, and why. A trace with one of
 * them is reported but left out of the overall rate.
 */
export const UNSUPPORTED_FEATURES: Readonly<Record<string, string>> = {
  'ipv4-fragments': 'IP fragments are counted, not reassembled (Zeek reassembles them)',
  'ipv6-fragments': 'IP fragments are counted, not reassembled (Zeek reassembles them)',
};

/** Likely server ports each `base/protocols/*` (or framework) script adds, for `zeek -b` runs. */
const SCRIPT_PORTS: Readonly<Record<string, readonly string[]>> = {
  'dce-rpc': ['135/tcp'],
  dhcp: ['67/udp'],
  dnp3: ['20000/tcp', '20000/udp'],
  dns: ['53/udp', '53/tcp', '137/udp', '5353/udp', '5355/udp'],
  ftp: ['21/tcp', '2811/tcp'],
  http: ['80/tcp', '81/tcp', '631/tcp', '1080/tcp', '3128/tcp', '8000/tcp', '8080/tcp', '8888/tcp'],
  imap: ['143/tcp'],
  irc: ['6666/tcp', '6667/tcp', '6668/tcp', '6669/tcp'],
  krb: ['88/udp', '88/tcp'],
  ldap: ['389/tcp', '3268/tcp', '389/udp'],
  modbus: ['502/tcp'],
  mqtt: ['1883/tcp'],
  mysql: ['1434/tcp', '3306/tcp'],
  ntp: ['123/udp'],
  pop3: ['110/tcp'],
  postgresql: ['5432/tcp'],
  radius: ['1812/udp'],
  rdp: ['3389/tcp', '3389/udp'],
  redis: ['6379/tcp'],
  sip: ['5060/udp'],
  smb: ['139/tcp', '445/tcp'],
  smtp: ['25/tcp', '587/tcp'],
  snmp: ['161/udp', '162/udp'],
  socks: ['1080/tcp'],
  ssh: ['22/tcp'],
  ssl: ['443/tcp', '563/tcp', '585/tcp', '614/tcp', '636/tcp', '989/tcp', '990/tcp', '992/tcp', '993/tcp', '995/tcp', '5223/tcp', '443/udp'],
  syslog: ['514/udp'],
  xmpp: ['5222/tcp', '5269/tcp'],
  tunnels: ['5072/udp', '3544/udp', '2152/udp', '2123/udp', '4789/udp', '6081/udp'],
};

/** One pair of the corpus. */
export interface OracleTrace {
  name: string;
  dir: string;
  pcap: string;
  bare: boolean;
  ignoreChecksums: boolean;
  features: string[];
  /** Why this trace is left out of the overall rate ('' when it is not). */
  unsupported: string;
  hasConn: boolean;
  hasDns: boolean;
}

/** A Zeek log as rows of field → text (escapes `\xHH` decoded). */
export type ZeekRow = Record<string, string>;

/** Parse a Zeek TSV log (with `#fields`, or the bare field-name header of `zeek-cut -m`). */
export function parseZeekLog(text: string): ZeekRow[] {
  const rows: ZeekRow[] = [];
  let fields: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('###')) continue;
    if (line.startsWith('#fields\t')) {
      fields = line.split('\t').slice(1);
      continue;
    }
    if (line.startsWith('#')) continue;
    const parts = line.split('\t');
    if (fields === undefined) {
      if (parts[0] === 'ts') {
        fields = parts;
        continue;
      }
      continue;
    }
    const row: ZeekRow = {};
    fields.forEach((f, k) => {
      row[f] = parts[k] ?? '';
    });
    rows.push(row);
  }
  return rows;
}

/** Decode Zeek's `\xHH` escapes. */
export function unescapeZeek(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Our own `\xHH` text back to bytes-as-chars, to compare with Zeek's. */
function unescapeOurs(s: string): string {
  return unescapeZeek(s);
}

/** The corpus traces (empty if the corpus is absent). */
export function listTraces(root: string): OracleTrace[] {
  const indexPath = join(root, 'INDEX.tsv');
  if (!existsSync(indexPath)) return [];
  const lines = readFileSync(indexPath, 'utf8').split('\n').filter((l) => l !== '');
  const header = (lines.shift() ?? '').split('\t');
  const col = (name: string): number => header.indexOf(name);
  const out: OracleTrace[] = [];
  for (const line of lines) {
    const c = line.split('\t');
    const name = c[col('test')] ?? '';
    const dir = join(root, name);
    if (!existsSync(dir)) continue;
    const traceBase = (c[col('trace')] ?? '').split('/').pop() ?? '';
    let pcap = join(dir, traceBase);
    if (!existsSync(pcap)) {
      const cand = readdirSync(dir).find((f) => /\.(pcap|pcapng|trace|cap)(\.gz)?$/.test(f));
      if (cand === undefined) continue;
      pcap = join(dir, cand);
    }
    const features = (c[col('features')] ?? '').split(',').filter((f) => f !== '');
    const reasons = features.filter((f) => UNSUPPORTED_FEATURES[f] !== undefined).map((f) => `${f}: ${UNSUPPORTED_FEATURES[f]}`);
    out.push({
      name,
      dir,
      pcap,
      bare: c[col('bare')] === 'Y',
      ignoreChecksums: c[col('ignore_cksum')] === 'Y',
      features,
      unsupported: reasons.join('; '),
      hasConn: existsSync(join(dir, 'conn.log')),
      hasDns: existsSync(join(dir, 'dns.log')),
    });
  }
  return out;
}

/** Scripts the Zeek run loaded (`@load` lines and command-line scripts). */
function loadedScripts(t: OracleTrace): string[] {
  const out: string[] = [];
  for (const f of readdirSync(t.dir)) {
    if (!f.startsWith('script.') && f !== 'CMD') continue;
    const text = readFileSync(join(t.dir, f), 'utf8');
    for (const m of text.matchAll(/^\s*@load\s+(\S+)/gm)) out.push(m[1] as string);
    if (f === 'CMD') {
      const cmd = text.split('\n').find((l) => l.startsWith('zeek ')) ?? '';
      for (const tok of cmd.split(/\s+/)) if (tok.startsWith('base/') || tok.startsWith('policy/')) out.push(tok);
    }
  }
  return out;
}

/** FlowTable options that match how Zeek was configured for this trace. */
export function optionsFor(t: OracleTrace): PcapFlowsOptions {
  const checksums = !t.ignoreChecksums;
  if (!t.bare) return { checksums };
  const likely = new Set<string>();
  let dns = false;
  let ntp = false;
  for (const s of loadedScripts(t)) {
    const m = /^(?:base\/)?(?:protocols|frameworks)\/([a-z0-9-]+)/.exec(s);
    if (!m) continue;
    const name = m[1] as string;
    for (const p of SCRIPT_PORTS[name] ?? []) likely.add(p);
    if (name === 'dns') dns = true;
    if (name === 'ntp') ntp = true;
  }
  return { checksums, likelyServerPorts: likely, dnsPorts: dns ? [53, 5353, 5355] : [], ntpPorts: ntp ? [123] : [] };
}

/** Run c2watch's pcap pipeline over a trace. */
export function runTrace(t: OracleTrace): { flows: FlowRecord[]; dns: DnsRecord[] } {
  const flows: FlowRecord[] = [];
  const dns: DnsRecord[] = [];
  const pf = new PcapFlows({ flow: (r) => flows.push(r), dns: (r) => dns.push(r) }, { ...optionsFor(t), file: t.pcap });
  pf.push(readFileSync(t.pcap));
  pf.end();
  return { flows, dns };
}

function protoName(p: FlowRecord['proto']): string {
  return typeof p === 'number' ? 'unknown_transport' : p;
}

/** Our value of a conn.log field, as Zeek would print it ('' = compare skipped). */
function ourConn(f: FlowRecord, field: ConnField): string {
  switch (field) {
    case 'proto':
      return protoName(f.proto);
    case 'conn_state':
      return f.connState;
    case 'history':
      return f.history === '' ? '-' : f.history;
    case 'orig_pkts':
      return String(f.origPkts);
    case 'resp_pkts':
      return String(f.respPkts);
    case 'orig_ip_bytes':
      return String(f.origIpBytes);
    case 'resp_ip_bytes':
      return String(f.respIpBytes);
    case 'orig_bytes':
      return f.duration > 0 ? String(f.origBytes) : '-';
    case 'resp_bytes':
      return f.duration > 0 ? String(f.respBytes) : '-';
    case 'duration':
      return f.duration > 0 ? f.duration.toFixed(6) : '-';
  }
}

function connFieldEqual(z: ZeekRow, f: FlowRecord, field: ConnField): boolean {
  const zv = z[field] ?? '-';
  const ov = ourConn(f, field);
  if (field === 'duration') {
    if (zv === '-' || ov === '-') return zv === ov;
    return Math.abs(Number(zv) - f.duration) <= 0.001;
  }
  if ((field === 'orig_bytes' || field === 'resp_bytes') && zv !== '-' && ov !== '-') {
    // Zeek prints uint64; ours may be a double near 2^64 when Zeek wrapped.
    return zv === ov || (Number(zv) > 2 ** 53 && Number(ov) > 2 ** 53);
  }
  return zv === ov;
}

function connKey(oh: string, op: number | string, rh: string, rp: number | string, proto: string): string {
  return `${oh}|${op}|${rh}|${rp}|${proto}`;
}

/** Result for one conn.log row. */
export interface ConnRowResult {
  key: string;
  matched: boolean;
  equal: boolean;
  /** Fields that differ: name → [zeek, ours]. */
  diffs: Partial<Record<ConnField, [string, string]>>;
}

/** Result for one dns.log row. */
export interface DnsRowResult {
  key: string;
  matched: boolean;
  equal: boolean;
  diffs: Partial<Record<DnsField, [string, string]>>;
}

/** Comparison of one trace. */
export interface TraceResult {
  trace: OracleTrace;
  conn: ConnRowResult[];
  dns: DnsRowResult[];
  /** Our flows with no Zeek row (keys). */
  extraFlows: string[];
  extraDns: number;
  /** Per-field mismatch counts over conn rows. */
  fieldMisses: Partial<Record<ConnField | DnsField, number>>;
  error: string;
}

/** Greedy pairing: exact matches first, then the rest in order. */
function pair<Z, O>(zs: Z[], os: O[], score: (z: Z, o: O) => number, full: number): Array<[Z, O | undefined]> {
  const used = new Set<number>();
  const out: Array<[Z, O | undefined]> = [];
  const pending: Z[] = [];
  for (const z of zs) {
    const k = os.findIndex((o, j) => !used.has(j) && score(z, o) === full);
    if (k >= 0) {
      used.add(k);
      out.push([z, os[k]]);
    } else pending.push(z);
  }
  for (const z of pending) {
    let best = -1;
    let bestScore = -1;
    os.forEach((o, j) => {
      if (used.has(j)) return;
      const s = score(z, o);
      if (s > bestScore) {
        best = j;
        bestScore = s;
      }
    });
    if (best >= 0) {
      used.add(best);
      out.push([z, os[best]]);
    } else out.push([z, undefined]);
  }
  return out;
}

function ourDns(d: DnsRecord, field: DnsField): string {
  switch (field) {
    case 'query':
      return d.query === '' ? '-' : unescapeOurs(d.query);
    case 'qtype':
      return d.qtype < 0 ? '-' : String(d.qtype);
    case 'rcode':
      return d.rcode < 0 ? '-' : String(d.rcode);
    case 'answers':
      return d.answers.length === 0 ? '-' : d.answers.map(unescapeOurs).join(',');
  }
}

function zeekDns(z: ZeekRow, field: DnsField): string {
  const v = z[field] ?? '-';
  if (field === 'answers' && v !== '-') return v.split(',').map(unescapeZeek).join(',');
  return v === '-' ? v : unescapeZeek(v);
}

/** Compare c2watch with Zeek on one trace. */
export function compareTrace(t: OracleTrace): TraceResult {
  const res: TraceResult = { trace: t, conn: [], dns: [], extraFlows: [], extraDns: 0, fieldMisses: {}, error: '' };
  let flows: FlowRecord[];
  let dns: DnsRecord[];
  try {
    ({ flows, dns } = runTrace(t));
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
    flows = [];
    dns = [];
  }
  if (t.hasConn) {
    const zrows = parseZeekLog(readFileSync(join(t.dir, 'conn.log'), 'utf8'));
    const byKey = new Map<string, FlowRecord[]>();
    for (const f of flows) {
      const k = connKey(f.origH, f.origP, f.respH, f.respP, protoName(f.proto));
      let l = byKey.get(k);
      if (l === undefined) byKey.set(k, (l = []));
      l.push(f);
    }
    const zByKey = new Map<string, ZeekRow[]>();
    for (const z of zrows) {
      const k = connKey(z['id.orig_h'] ?? '', z['id.orig_p'] ?? '', z['id.resp_h'] ?? '', z['id.resp_p'] ?? '', z['proto'] ?? '');
      let l = zByKey.get(k);
      if (l === undefined) zByKey.set(k, (l = []));
      l.push(z);
    }
    for (const [k, zs] of zByKey) {
      const os = byKey.get(k) ?? [];
      byKey.delete(k);
      const score = (z: ZeekRow, f: FlowRecord): number => CONN_FIELDS.filter((fd) => connFieldEqual(z, f, fd)).length;
      for (const [z, f] of pair(zs, os, score, CONN_FIELDS.length)) {
        const r: ConnRowResult = { key: k, matched: f !== undefined, equal: false, diffs: {} };
        if (f !== undefined) {
          for (const fd of CONN_FIELDS) {
            if (!connFieldEqual(z, f, fd)) {
              r.diffs[fd] = [z[fd] ?? '-', ourConn(f, fd)];
              res.fieldMisses[fd] = (res.fieldMisses[fd] ?? 0) + 1;
            }
          }
          r.equal = Object.keys(r.diffs).length === 0;
        }
        res.conn.push(r);
      }
      // Extra flows with the same key.
      if (os.length > zs.length) for (let n = zs.length; n < os.length; n++) res.extraFlows.push(k);
    }
    for (const [k, os] of byKey) for (let n = 0; n < os.length; n++) res.extraFlows.push(k);
  }
  if (t.hasDns) {
    const zrows = parseZeekLog(readFileSync(join(t.dir, 'dns.log'), 'utf8'));
    const key = (oh: string, op: string | number, rh: string, rp: string | number): string => `${oh}|${op}|${rh}|${rp}`;
    const byKey = new Map<string, DnsRecord[]>();
    for (const d of dns) {
      const k = key(d.origH, d.origP, d.respH, d.respP);
      let l = byKey.get(k);
      if (l === undefined) byKey.set(k, (l = []));
      l.push(d);
    }
    const zByKey = new Map<string, ZeekRow[]>();
    for (const z of zrows) {
      const k = key(z['id.orig_h'] ?? '', z['id.orig_p'] ?? '', z['id.resp_h'] ?? '', z['id.resp_p'] ?? '');
      let l = zByKey.get(k);
      if (l === undefined) zByKey.set(k, (l = []));
      l.push(z);
    }
    for (const [k, zs] of zByKey) {
      const os = byKey.get(k) ?? [];
      byKey.delete(k);
      const score = (z: ZeekRow, d: DnsRecord): number =>
        DNS_FIELDS.filter((fd) => zeekDns(z, fd) === ourDns(d, fd)).length + (String(d.transId) === z['trans_id'] ? 1 : 0);
      for (const [z, d] of pair(zs, os, score, DNS_FIELDS.length + 1)) {
        const r: DnsRowResult = { key: k, matched: d !== undefined, equal: false, diffs: {} };
        if (d !== undefined) {
          for (const fd of DNS_FIELDS) {
            const zv = zeekDns(z, fd);
            const ov = ourDns(d, fd);
            if (zv !== ov) {
              r.diffs[fd] = [zv, ov];
              res.fieldMisses[fd] = (res.fieldMisses[fd] ?? 0) + 1;
            }
          }
          r.equal = Object.keys(r.diffs).length === 0;
        }
        res.dns.push(r);
      }
      if (os.length > zs.length) res.extraDns += os.length - zs.length;
    }
    for (const os of byKey.values()) res.extraDns += os.length;
  }
  return res;
}

/** Totals over a set of results. */
export interface OracleTotals {
  traces: number;
  connRows: number;
  connEqual: number;
  connMatched: number;
  dnsRows: number;
  dnsEqual: number;
  extraFlows: number;
  extraDns: number;
}

export function totals(results: readonly TraceResult[]): OracleTotals {
  const t: OracleTotals = { traces: results.length, connRows: 0, connEqual: 0, connMatched: 0, dnsRows: 0, dnsEqual: 0, extraFlows: 0, extraDns: 0 };
  for (const r of results) {
    t.connRows += r.conn.length;
    t.connEqual += r.conn.filter((c) => c.equal).length;
    t.connMatched += r.conn.filter((c) => c.matched).length;
    t.dnsRows += r.dns.length;
    t.dnsEqual += r.dns.filter((c) => c.equal).length;
    t.extraFlows += r.extraFlows.length;
    t.extraDns += r.extraDns;
  }
  return t;
}

export { ZEEK_LIKELY_SERVER_PORTS };
