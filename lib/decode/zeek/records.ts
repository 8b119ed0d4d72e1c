/**
 * Record constructors for Zeek rows, TSV and JSON alike.
 *
 * One literal per kind, fields in `newFlow()` / `newDns()` order, so every
 * record of a kind shares one hidden class whichever path built it.
 *
 * @module
 */

import type { DnsRecord, FlowRecord, NameRecord, Proto } from '../../model.js';

/** A conn.log row as a FlowRecord; unknown numbers are -1, unknown strings ''. */
export function makeFlow(
  ts: number,
  duration: number,
  origH: string,
  origP: number,
  respH: string,
  respP: number,
  proto: Proto,
  origBytes: number,
  respBytes: number,
  origPkts: number,
  respPkts: number,
  origIpBytes: number,
  respIpBytes: number,
  connState: string,
  history: string,
  service: string,
  uid: string,
): FlowRecord {
  return {
    kind: 'flow',
    ts,
    duration,
    origH,
    origP,
    respH,
    respP,
    proto,
    origBytes,
    respBytes,
    origPkts,
    respPkts,
    origIpBytes,
    respIpBytes,
    connState,
    history,
    service,
    serverName: '',
    uid,
    source: 'zeek',
    orientation: 'observed',
  };
}

/** A dns.log row as a DnsRecord; `ttls` must already be parallel to `answers`. */
export function makeDns(
  ts: number,
  origH: string,
  origP: number,
  respH: string,
  respP: number,
  proto: Proto,
  transId: number,
  query: string,
  qtype: number,
  rcode: number,
  answers: string[],
  ttls: number[],
  rejected: boolean,
  uid: string,
): DnsRecord {
  return {
    kind: 'dns',
    ts,
    origH,
    origP,
    respH,
    respP,
    proto,
    transId,
    query,
    qtype,
    rcode,
    answers,
    ttls,
    rejected,
    uid,
    source: 'zeek',
  };
}

/** Make `ttls` the same length as `answers`: pad with -1, drop extras. */
export function alignTtls(answers: readonly string[], ttls: number[]): number[] {
  if (ttls.length === answers.length) return ttls;
  if (ttls.length > answers.length) return ttls.slice(0, answers.length);
  for (let i = ttls.length; i < answers.length; i++) ttls.push(-1);
  return ttls;
}

/**
 * An ssl.log / http.log row as a NameRecord. `proxied` is set for HTTP
 * CONNECT and for absolute-form request URIs (`GET http://…`), which only
 * proxies receive.
 */
export function makeName(
  ts: number,
  uid: string,
  origH: string,
  origP: number,
  respH: string,
  respP: number,
  serverName: string,
  protocol: 'tls' | 'http',
  method: string,
  proxied: boolean,
): NameRecord {
  return { kind: 'name', ts, uid, origH, origP, respH, respP, serverName, protocol, method, proxied, source: 'zeek' };
}

/** True when an HTTP request went through a proxy: CONNECT, or an absolute-form URI. */
export function isProxiedRequest(method: string, uri: string): boolean {
  if (method === 'CONNECT') return true;
  const c = uri.charCodeAt(0);
  return (c === 104 || c === 72) && /^https?:\/\//i.test(uri);
}
