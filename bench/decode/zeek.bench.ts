/**
 * ZeekDecoder throughput against what one would write instead: fast-csv
 * (TSV mode) and a naive split('\n') / split('\t'), all normalising to the
 * same FlowRecord; and, for JSON logs, JSON.parse per line.
 *
 * Input: a seeded, realistic conn.log of 300k rows (Zeek 6 columns, IPv4
 * and some IPv6, tcp/udp/icmp, unset fields), in memory, so only decoding
 * is measured. The decoder gets 64 KiB byte chunks, like a file stream.
 *
 * Run: node --import tsx bench/decode/zeek.bench.ts [rows]
 *
 * @module
 */

import { parseString } from 'fast-csv';
import { ZeekDecoder } from '../../lib/decode/zeek/decoder.js';
import type { DnsRecord, FlowRecord, Proto } from '../../lib/model.js';
import { measure, report, type BenchResult } from '../harness.js';
import { mulberry32 } from '../gen/prng.js';
const prng = mulberry32;

const ROWS = Number(process.argv[2] ?? 300_000);
const CHUNK = 64 * 1024;

const FIELDS = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes',
  'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes',
  'resp_pkts', 'resp_ip_bytes', 'tunnel_parents',
];
const TYPES = [
  'time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string', 'bool',
  'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]',
];


interface Row {
  ts: string;
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  proto: string;
  service: string;
  duration: string;
  origBytes: string;
  respBytes: string;
  connState: string;
  history: string;
  origPkts: number;
  origIpBytes: number;
  respPkts: number;
  respIpBytes: number;
}

function generate(n: number): Row[] {
  const r = prng(0xc2);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const b62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const hosts = Array.from({ length: 200 }, () => `10.${int(0, 3)}.${int(0, 255)}.${int(1, 254)}`);
  const servers = Array.from({ length: 5000 }, () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`);
  const v6 = Array.from({ length: 50 }, () => `2001:db8:${int(0, 0xffff).toString(16)}::${int(1, 0xffff).toString(16)}`);
  const ports: readonly [number, string, string][] = [
    [443, 'tcp', 'ssl'], [443, 'tcp', 'ssl'], [443, 'tcp', 'ssl'], [80, 'tcp', 'http'], [53, 'udp', 'dns'],
    [53, 'udp', 'dns'], [123, 'udp', '-'], [22, 'tcp', 'ssh'], [8080, 'tcp', 'http'], [0, 'icmp', '-'],
  ];
  const states: readonly [string, string][] = [
    ['SF', 'ShADadFf'], ['SF', 'ShADadfF'], ['S0', 'S'], ['REJ', 'Sr'], ['RSTO', 'ShADadR'], ['OTH', 'D'], ['SF', 'Dd'],
  ];
  let ts = 1_714_420_000;
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    ts += r() * 0.02;
    const [respP, proto, service] = pick(ports);
    const ipv6 = r() < 0.05;
    const [connState, history] = proto === 'udp' ? ['SF', 'Dd'] : proto === 'icmp' ? ['OTH', '-'] : pick(states);
    const unset = connState === 'S0' || connState === 'REJ' ? r() < 0.5 : r() < 0.03;
    const origPkts = int(1, 40);
    const respPkts = connState === 'S0' ? 0 : int(1, 60);
    let uid = 'C';
    for (let k = 0; k < 17; k++) uid += b62[int(0, 61)];
    rows.push({
      ts: ts.toFixed(6),
      uid,
      origH: ipv6 ? pick(v6) : pick(hosts),
      origP: proto === 'icmp' ? 8 : int(1024, 65535),
      respH: ipv6 ? pick(v6) : pick(servers),
      respP,
      proto,
      service,
      duration: unset ? '-' : (r() * 30).toFixed(6),
      origBytes: unset ? '-' : String(int(0, 5000)),
      respBytes: unset ? '-' : String(int(0, 500_000)),
      connState,
      history,
      origPkts,
      origIpBytes: origPkts * int(40, 1500),
      respPkts,
      respIpBytes: respPkts * int(40, 1500),
    });
  }
  return rows;
}

function toTsv(rows: readonly Row[]): string {
  const head = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    '#open\t2024-04-29-16-00-01',
    `#fields\t${FIELDS.join('\t')}`,
    `#types\t${TYPES.join('\t')}`,
  ];
  const lines = rows.map((x) =>
    [
      x.ts, x.uid, x.origH, x.origP, x.respH, x.respP, x.proto, x.service, x.duration, x.origBytes, x.respBytes,
      x.connState, 'T', 'F', 0, x.history, x.origPkts, x.origIpBytes, x.respPkts, x.respIpBytes, '(empty)',
    ].join('\t'),
  );
  return `${head.join('\n')}\n${lines.join('\n')}\n#close\t2024-04-29-17-00-00\n`;
}

function toJson(rows: readonly Row[]): string {
  const num = (s: string): number | undefined => (s === '-' ? undefined : Number(s));
  return rows
    .map((x) =>
      JSON.stringify({
        ts: Number(x.ts), uid: x.uid, 'id.orig_h': x.origH, 'id.orig_p': x.origP, 'id.resp_h': x.respH,
        'id.resp_p': x.respP, proto: x.proto, service: x.service === '-' ? undefined : x.service,
        duration: num(x.duration), orig_bytes: num(x.origBytes), resp_bytes: num(x.respBytes),
        conn_state: x.connState, local_orig: true, local_resp: false, missed_bytes: 0,
        history: x.history === '-' ? undefined : x.history, orig_pkts: x.origPkts, orig_ip_bytes: x.origIpBytes,
        resp_pkts: x.respPkts, resp_ip_bytes: x.respIpBytes,
      }),
    )
    .join('\n') + '\n';
}

function chunks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += CHUNK) out.push(bytes.subarray(o, o + CHUNK));
  return out;
}

/** Counts what it gets; keeps the last record so nothing is optimised away. */
class CountingSink {
  flows = 0;
  dnsCount = 0;
  last: FlowRecord | null = null;
  flow(r: FlowRecord): void {
    this.flows++;
    this.last = r;
  }
  dns(_r: DnsRecord): void {
    this.dnsCount++;
  }
}

function decoderRun(parts: readonly Uint8Array[], expect: number): () => void {
  return () => {
    const sink = new CountingSink();
    const d = new ZeekDecoder({ sink, onWeird: () => {}, path: 'conn' });
    for (const p of parts) d.push(p);
    d.end();
    if (sink.flows !== expect) throw new Error(`decoder: ${sink.flows} rows, expected ${expect}`);
  };
}

// The baselines normalise to the same FlowRecord, with the column indexes of FIELDS.
const num = (s: string | undefined): number => (s === undefined || s === '-' ? -1 : Number(s));
const str = (s: string | undefined): string => (s === undefined || s === '-' || s === '(empty)' ? '' : s);
const protoOf = (s: string | undefined): Proto => (s === 'tcp' || s === 'udp' || s === 'icmp' ? s : Number(s) || 0);

function flowOf(f: readonly (string | undefined)[]): FlowRecord {
  return {
    kind: 'flow', ts: Number(f[0]), duration: num(f[8]), origH: str(f[2]), origP: Number(f[3]), respH: str(f[4]),
    respP: Number(f[5]), proto: protoOf(f[6]), origBytes: num(f[9]), respBytes: num(f[10]), origPkts: num(f[16]),
    respPkts: num(f[18]), origIpBytes: num(f[17]), respIpBytes: num(f[19]), connState: str(f[11]),
    history: str(f[15]), service: str(f[7]), serverName: '', uid: str(f[1]), source: 'zeek', orientation: 'observed',
  };
}

function naiveRun(text: string, expect: number): () => void {
  return () => {
    const sink = new CountingSink();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      sink.flow(flowOf(line.split('\t')));
    }
    if (sink.flows !== expect) throw new Error(`naive: ${sink.flows} rows`);
  };
}

function fastCsvRun(text: string, expect: number): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      const sink = new CountingSink();
      parseString<string[], string[]>(text, { delimiter: '\t', quote: null, comment: '#', headers: false })
        .on('data', (row: string[]) => sink.flow(flowOf(row)))
        .on('error', reject)
        .on('end', () => (sink.flows === expect ? resolve() : reject(new Error(`fast-csv: ${sink.flows} rows`))));
    });
}

function jsonParseRun(text: string, expect: number): () => void {
  return () => {
    const sink = new CountingSink();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const o = JSON.parse(line) as Record<string, unknown>;
      const n = (v: unknown): number => (typeof v === 'number' ? v : -1);
      const s = (v: unknown): string => (typeof v === 'string' ? v : '');
      sink.flow({
        kind: 'flow', ts: n(o['ts']), duration: n(o['duration']), origH: s(o['id.orig_h']), origP: n(o['id.orig_p']),
        respH: s(o['id.resp_h']), respP: n(o['id.resp_p']), proto: protoOf(s(o['proto'])), origBytes: n(o['orig_bytes']),
        respBytes: n(o['resp_bytes']), origPkts: n(o['orig_pkts']), respPkts: n(o['resp_pkts']),
        origIpBytes: n(o['orig_ip_bytes']), respIpBytes: n(o['resp_ip_bytes']), connState: s(o['conn_state']),
        history: s(o['history']), service: s(o['service']), serverName: '', uid: s(o['uid']), source: 'zeek',
        orientation: 'observed',
      });
    }
    if (sink.flows !== expect) throw new Error(`JSON.parse: ${sink.flows} rows`);
  };
}

async function main(): Promise<void> {
  const rows = generate(ROWS);
  const tsv = toTsv(rows);
  const json = toJson(rows);
  const enc = new TextEncoder();
  const tsvParts = chunks(enc.encode(tsv));
  const jsonParts = chunks(enc.encode(json));
  const mb = (s: string): string => (s.length / 1e6).toFixed(1);
  console.log(`node ${process.version}, ${ROWS} conn rows: TSV ${mb(tsv)} MB, JSON ${mb(json)} MB, ${CHUNK / 1024} KiB chunks`);

  const tsvResults: BenchResult[] = [
    await measure('ZeekDecoder (bytes)', decoderRun(tsvParts, ROWS), { units: ROWS }),
    await measure('naive split (string)', naiveRun(tsv, ROWS), { units: ROWS }),
    await measure('fast-csv parseString', fastCsvRun(tsv, ROWS), { units: ROWS, warmup: 1, runs: 3 }),
  ];
  report('conn.log TSV → FlowRecord', tsvResults, 'fast-csv parseString', 'rows');

  const jsonResults: BenchResult[] = [
    await measure('ZeekDecoder (bytes)', decoderRun(jsonParts, ROWS), { units: ROWS }),
    await measure('JSON.parse per line', jsonParseRun(json, ROWS), { units: ROWS }),
  ];
  report('conn.log JSON → FlowRecord', jsonResults, 'JSON.parse per line', 'rows');
}

await main();
