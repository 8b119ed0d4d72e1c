/**
 * Zeek JSON lines (`LogAscii::use_json = T`, or the json-streaming-logs
 * package) mapped to records.
 *
 * Zeek JSON leaves unset fields out, names id fields flat (`"id.orig_h"`),
 * writes `ts` as epoch seconds or ISO 8601 (`LogAscii::json_timestamps`),
 * sets and vectors as arrays, and bytes it cannot print as `\xHH` inside the
 * string. Converters sometimes nest `id: {orig_h, …}`; both are read.
 *
 * @module
 */

import type { DnsRecord, FlowRecord, NameRecord, Proto } from '../../model.js';
import { alignTtls, isProxiedRequest, makeDns, makeFlow, makeName } from './records.js';
import { parseBool, parseDecimal, parseIsoTime, parseProto, unescapeZeek } from './values.js';

/** What went wrong with a line, filled by the mappers; reused across lines. */
export interface JsonIssue {
  /** First field that could not be read, '' if none. */
  field: string;
}

type Obj = Record<string, unknown>;

/** A connection id field: flat `id.orig_h`, else nested `id.orig_h` under `id`. */
function idField(o: Obj, flat: string, nested: string): unknown {
  const v = o[flat];
  if (v !== undefined) return v;
  const id = o['id'];
  return typeof id === 'object' && id !== null ? (id as Obj)[nested] : undefined;
}

function note(issue: JsonIssue, field: string): void {
  if (issue.field === '') issue.field = field;
}

/** Epoch seconds from a number, a numeric string or ISO 8601; NaN if none. */
export function jsonTime(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v !== 'string') return NaN;
  const n = parseDecimal(v, 0, v.length);
  return n === n ? n : parseIsoTime(v);
}

/** A real (seconds, TTL): -1 when absent, -1 and an issue when unreadable. */
function real(o: Obj, key: string, issue: JsonIssue): number {
  const v = o[key];
  if (v === undefined || v === null) return -1;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? parseDecimal(v, 0, v.length) : NaN;
  if (Number.isFinite(n)) return n;
  note(issue, key);
  return -1;
}

/** A count (or port when `max` is 65535): -1 when absent or unreadable. */
function count(v: unknown, key: string, max: number, issue: JsonIssue): number {
  if (v === undefined || v === null) return -1;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? parseDecimal(v, 0, v.length) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= max) return n;
  note(issue, key);
  return -1;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v.includes('\\') ? unescapeZeek(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(text).join(',');
  return '';
}

function proto(v: unknown): Proto | undefined {
  if (typeof v === 'string') return parseProto(v, 0, v.length);
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 255 ? v : 0;
  return undefined;
}

const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * A conn.log JSON object as a FlowRecord, or null when a required field
 * (ts, id.orig_h, id.orig_p, id.resp_h, id.resp_p, proto) is missing or bad;
 * `issue.field` names the first field that was.
 */
export function flowFromJson(o: Obj, issue: JsonIssue): FlowRecord | null {
  const ts = jsonTime(o['ts']);
  if (ts !== ts) return note(issue, 'ts'), null;
  const origH = text(idField(o, 'id.orig_h', 'orig_h'));
  if (origH === '') return note(issue, 'id.orig_h'), null;
  const respH = text(idField(o, 'id.resp_h', 'resp_h'));
  if (respH === '') return note(issue, 'id.resp_h'), null;
  const origP = count(idField(o, 'id.orig_p', 'orig_p'), 'id.orig_p', 65535, issue);
  if (origP < 0) return note(issue, 'id.orig_p'), null;
  const respP = count(idField(o, 'id.resp_p', 'resp_p'), 'id.resp_p', 65535, issue);
  if (respP < 0) return note(issue, 'id.resp_p'), null;
  const pr = proto(o['proto']);
  if (pr === undefined) return note(issue, 'proto'), null;
  return makeFlow(
    ts,
    real(o, 'duration', issue),
    origH,
    origP,
    respH,
    respP,
    pr,
    count(o['orig_bytes'], 'orig_bytes', MAX_COUNT, issue),
    count(o['resp_bytes'], 'resp_bytes', MAX_COUNT, issue),
    count(o['orig_pkts'], 'orig_pkts', MAX_COUNT, issue),
    count(o['resp_pkts'], 'resp_pkts', MAX_COUNT, issue),
    count(o['orig_ip_bytes'], 'orig_ip_bytes', MAX_COUNT, issue),
    count(o['resp_ip_bytes'], 'resp_ip_bytes', MAX_COUNT, issue),
    text(o['conn_state']),
    text(o['history']),
    text(o['service']),
    text(o['uid']),
  );
}

/**
 * A dns.log JSON object as a DnsRecord, or null when ts, id.orig_h or
 * id.resp_h is missing or bad. Zeek leaves `query` out when unset: ''.
 */
export function dnsFromJson(o: Obj, issue: JsonIssue): DnsRecord | null {
  const ts = jsonTime(o['ts']);
  if (ts !== ts) return note(issue, 'ts'), null;
  const origH = text(idField(o, 'id.orig_h', 'orig_h'));
  if (origH === '') return note(issue, 'id.orig_h'), null;
  const respH = text(idField(o, 'id.resp_h', 'resp_h'));
  if (respH === '') return note(issue, 'id.resp_h'), null;
  const origP = count(idField(o, 'id.orig_p', 'orig_p'), 'id.orig_p', 65535, issue);
  const respP = count(idField(o, 'id.resp_p', 'resp_p'), 'id.resp_p', 65535, issue);
  const a = o['answers'];
  const answers: string[] = [];
  if (Array.isArray(a)) for (let i = 0; i < a.length; i++) answers.push(text(a[i]));
  else if (typeof a === 'string' && a !== '') answers.push(...a.split(',').map(text));
  const t = o['TTLs'];
  const ttls: number[] = [];
  if (Array.isArray(t)) {
    for (let i = 0; i < t.length; i++) {
      const v: unknown = t[i];
      const n = typeof v === 'number' ? v : typeof v === 'string' ? parseDecimal(v, 0, v.length) : NaN;
      ttls.push(Number.isFinite(n) ? n : -1);
    }
  }
  return makeDns(
    ts,
    origH,
    origP < 0 ? 0 : origP,
    respH,
    respP < 0 ? 53 : respP,
    proto(o['proto']) ?? 'udp',
    count(o['trans_id'], 'trans_id', 65535, issue),
    text(o['query']),
    count(o['qtype'], 'qtype', 65535, issue),
    count(o['rcode'], 'rcode', 65535, issue),
    answers,
    alignTtls(answers, ttls),
    parseBool(o['rejected']),
    text(o['uid']),
  );
}

/**
 * An ssl.log (`server_name`) or http.log (`host`) JSON object as a
 * NameRecord, or null when ts, uid, id.orig_h or the name is missing.
 */
export function nameFromJson(o: Obj, protocol: 'tls' | 'http', issue: JsonIssue): NameRecord | null {
  const ts = jsonTime(o['ts']);
  if (ts !== ts) return note(issue, 'ts'), null;
  const origH = text(idField(o, 'id.orig_h', 'orig_h'));
  if (origH === '') return note(issue, 'id.orig_h'), null;
  const name = text(protocol === 'tls' ? o['server_name'] : o['host']);
  const uid = text(o['uid']);
  if (name === '' || uid === '') return null;
  const origP = count(idField(o, 'id.orig_p', 'orig_p'), 'id.orig_p', 65535, issue);
  const respP = count(idField(o, 'id.resp_p', 'resp_p'), 'id.resp_p', 65535, issue);
  const method = protocol === 'http' ? text(o['method']) : '';
  const proxied = protocol === 'http' && isProxiedRequest(method, text(o['uri']));
  return makeName(ts, uid, origH, origP < 0 ? 0 : origP, text(idField(o, 'id.resp_h', 'resp_h')), respP < 0 ? 0 : respP, name, protocol, method, proxied);
}
