/**
 * Which Zeek log a line belongs to, and the columns we read from each.
 *
 * Only conn.log and dns.log carry what c2watch needs; every other log
 * (http, ssl, x509, notice, weird, …) is counted and skipped.
 *
 * @module
 */

/** The logs the decoder reads; everything else is `other`. */
export type ZeekLogKind = 'conn' | 'dns' | 'other';

/** Log kind from a `#path` / `_path` value. */
export function kindOfPath(path: string): ZeekLogKind {
  // RITA's `open_conn` (long connections still open at rotation) is left out
  // on purpose: the same connection shows up again in conn.log when it closes.
  if (path === 'conn') return 'conn';
  if (path === 'dns') return 'dns';
  return 'other';
}

/** Log kind from a TSV `#fields` list, for logs without `#path`. */
export function sniffFields(names: readonly string[]): ZeekLogKind {
  if (names.includes('conn_state') || names.includes('orig_bytes') || names.includes('history')) return 'conn';
  if (names.includes('query') || names.includes('qtype')) return 'dns';
  return 'other';
}

/** Log kind from the keys of a JSON line without `_path`. */
export function sniffObject(o: Record<string, unknown>): ZeekLogKind {
  if (o['conn_state'] !== undefined || o['orig_bytes'] !== undefined || o['history'] !== undefined) return 'conn';
  if (o['query'] !== undefined || o['qtype'] !== undefined) return 'dns';
  return 'other';
}
