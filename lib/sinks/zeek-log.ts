/**
 * Zeek-style logs out: conn.log and dns.log rows in Zeek's TSV format (with
 * its header block) or as NDJSON with Zeek's field names, so users can see
 * the flows and DNS transactions the detectors saw and compare them with
 * what Zeek writes. Used by `c2watch flows`.
 *
 * @module
 */

import type { DnsRecord, FlowRecord } from '../model.js';
import type { SinkOutput } from './index.js';

/** conn.log columns as Zeek writes them (base/protocols/conn/main.zeek). */
export const CONN_FIELDS = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes',
  'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes',
  'resp_pkts', 'resp_ip_bytes', 'tunnel_parents',
] as const;
const CONN_TYPES = [
  'time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string', 'bool',
  'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]',
];

/** dns.log columns we can fill (a subset of Zeek's, same names and order). */
export const DNS_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'trans_id', 'query', 'qtype', 'rcode', 'answers', 'TTLs', 'rejected'] as const;
const DNS_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'count', 'string', 'count', 'count', 'vector[string]', 'vector[interval]', 'bool'];

export type ZeekLogName = 'conn' | 'dns';
export type ZeekLogFormat = 'tsv' | 'ndjson';

/** Zeek's TSV escaping: tab, backslash, control and non-ASCII bytes as \xHH; a lone `-` or empty value escaped. */
function esc(s: string, inSet = false): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x5c || (inSet && c === 0x2c)) {
      if (c > 0xff) {
        for (const b of new TextEncoder().encode(s[i]!)) out += `\\x${b.toString(16).padStart(2, '0')}`;
      } else out += `\\x${c.toString(16).padStart(2, '0')}`;
    } else out += s[i];
  }
  return out === '-' ? '\\x2d' : out;
}

const num = (n: number): string => (n < 0 || !Number.isFinite(n) ? '-' : String(n));
const time = (t: number): string => (Number.isFinite(t) && t >= 0 ? t.toFixed(6) : '-');
const proto = (p: FlowRecord['proto']): string => (typeof p === 'number' ? (p === 0 ? 'unknown_transport' : String(p)) : p);

/** Writes conn.log or dns.log rows, TSV with a Zeek header (closed by `end()`) or NDJSON. */
export class ZeekLogWriter {
  readonly #out: SinkOutput;
  readonly #kind: ZeekLogName;
  readonly #format: ZeekLogFormat;
  readonly #isLocal: (ip: string) => boolean;
  #rows = 0;
  #headerDone = false;

  constructor(out: SinkOutput, kind: ZeekLogName, format: ZeekLogFormat, isLocal: (ip: string) => boolean = () => false) {
    this.#out = out;
    this.#kind = kind;
    this.#format = format;
    this.#isLocal = isLocal;
  }

  get rows(): number {
    return this.#rows;
  }

  #header(): void {
    this.#headerDone = true;
    if (this.#format !== 'tsv') return;
    const fields = this.#kind === 'conn' ? CONN_FIELDS : DNS_FIELDS;
    const types = this.#kind === 'conn' ? CONN_TYPES : DNS_TYPES;
    this.#out.write(
      `#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t${this.#kind}\n#open\t${stamp(new Date())}\n` +
        `#fields\t${fields.join('\t')}\n#types\t${types.join('\t')}\n`,
    );
  }

  /** Write one flow (conn.log). */
  flow(f: FlowRecord): void {
    if (this.#kind !== 'conn') return;
    if (!this.#headerDone) this.#header();
    this.#rows++;
    if (this.#format === 'ndjson') {
      this.#out.write(
        JSON.stringify({
          ts: f.ts, uid: f.uid, 'id.orig_h': f.origH, 'id.orig_p': f.origP, 'id.resp_h': f.respH, 'id.resp_p': f.respP,
          proto: proto(f.proto), service: f.service || undefined, duration: f.duration >= 0 ? f.duration : undefined,
          orig_bytes: f.origBytes >= 0 ? f.origBytes : undefined, resp_bytes: f.respBytes >= 0 ? f.respBytes : undefined,
          conn_state: f.connState || undefined, local_orig: this.#isLocal(f.origH), local_resp: this.#isLocal(f.respH),
          history: f.history || undefined, orig_pkts: f.origPkts >= 0 ? f.origPkts : undefined,
          orig_ip_bytes: f.origIpBytes >= 0 ? f.origIpBytes : undefined, resp_pkts: f.respPkts >= 0 ? f.respPkts : undefined,
          resp_ip_bytes: f.respIpBytes >= 0 ? f.respIpBytes : undefined, server_name: f.serverName || undefined, source: f.source,
        }) + '\n',
      );
      return;
    }
    const row = [
      time(f.ts), f.uid || '-', f.origH, String(f.origP), f.respH, String(f.respP), proto(f.proto), f.service ? esc(f.service) : '-',
      f.duration >= 0 ? f.duration.toFixed(6) : '-', num(f.origBytes), num(f.respBytes), f.connState || '-',
      this.#isLocal(f.origH) ? 'T' : 'F', this.#isLocal(f.respH) ? 'T' : 'F', '-', f.history ? esc(f.history) : '-',
      num(f.origPkts), num(f.origIpBytes), num(f.respPkts), num(f.respIpBytes), '(empty)',
    ];
    this.#out.write(row.join('\t') + '\n');
  }

  /** Write one DNS transaction (dns.log). */
  dns(d: DnsRecord): void {
    if (this.#kind !== 'dns') return;
    if (!this.#headerDone) this.#header();
    this.#rows++;
    if (this.#format === 'ndjson') {
      this.#out.write(
        JSON.stringify({
          ts: d.ts, uid: d.uid, 'id.orig_h': d.origH, 'id.orig_p': d.origP, 'id.resp_h': d.respH, 'id.resp_p': d.respP,
          proto: proto(d.proto), trans_id: d.transId >= 0 ? d.transId : undefined, query: d.query || undefined,
          qtype: d.qtype >= 0 ? d.qtype : undefined, rcode: d.rcode >= 0 ? d.rcode : undefined,
          answers: d.answers.length ? d.answers : undefined, TTLs: d.ttls.length ? d.ttls : undefined, rejected: d.rejected, source: d.source,
        }) + '\n',
      );
      return;
    }
    const set = (xs: readonly string[]): string => (xs.length === 0 ? '-' : xs.map((x) => esc(x, true)).join(','));
    const row = [
      time(d.ts), d.uid || '-', d.origH, String(d.origP), d.respH, String(d.respP), proto(d.proto), num(d.transId),
      d.query ? esc(d.query) : '-', num(d.qtype), num(d.rcode), set(d.answers),
      d.ttls.length === 0 ? '-' : d.ttls.map((t) => (t < 0 ? '-' : t.toFixed(6))).join(','), d.rejected ? 'T' : 'F',
    ];
    this.#out.write(row.join('\t') + '\n');
  }

  /** Close the log (TSV: the `#close` line; a header is written even with no rows). */
  end(): void {
    if (!this.#headerDone) this.#header();
    if (this.#format === 'tsv') this.#out.write(`#close\t${stamp(new Date())}\n`);
  }
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}-${p(d.getUTCMinutes())}-${p(d.getUTCSeconds())}`;
}
