/**
 * Which Zeek log a line belongs to, and the columns we read from each.
 *
 * conn.log and dns.log become flows and DNS transactions; ssl.log
 * (`server_name`) and http.log (`host`) become server names, joined onto
 * flows by uid. Every other log (x509, notice, weird, …) is counted and skipped.
 *
 * @module
 */

/** The logs the decoder reads; everything else is `other`. */
export type ZeekLogKind = 'conn' | 'dns' | 'ssl' | 'http' | 'other';

/** Log kind from a `#path` / `_path` value. */
export function kindOfPath(path: string): ZeekLogKind {
  // RITA's `open_conn` (long connections still open at rotation) is left out
  // on purpose: the same connection shows up again in conn.log when it closes.
  // Likewise open_ssl / open_http: their rows reappear in ssl.log / http.log.
  if (path === 'conn') return 'conn';
  if (path === 'dns') return 'dns';
  if (path === 'ssl') return 'ssl';
  if (path === 'http') return 'http';
  return 'other';
}

/** Log kind from a TSV `#fields` list, for logs without `#path`. */
export function sniffFields(names: readonly string[]): ZeekLogKind {
  if (names.includes('conn_state') || names.includes('orig_bytes') || names.includes('history')) return 'conn';
  if (names.includes('query') || names.includes('qtype')) return 'dns';
  if (names.includes('server_name') && names.includes('id.orig_h')) return 'ssl';
  if (names.includes('method') && names.includes('host') && names.includes('id.orig_h')) return 'http';
  return 'other';
}

/** Log kind from the keys of a JSON line without `_path`. */
export function sniffObject(o: Record<string, unknown>): ZeekLogKind {
  if (o['conn_state'] !== undefined || o['orig_bytes'] !== undefined || o['history'] !== undefined) return 'conn';
  if (o['query'] !== undefined || o['qtype'] !== undefined) return 'dns';
  if (o['server_name'] !== undefined && o['version'] !== undefined) return 'ssl';
  if (o['method'] !== undefined && o['host'] !== undefined) return 'http';
  return 'other';
}
