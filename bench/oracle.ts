/**
 * `npm run oracle [-- [--diff] [name-filter]]`: c2watch's pcap pipeline
 * against Zeek's own conn.log / dns.log on the corpus in
 * ../shared/corpus/zeek-oracle (or $C2WATCH_CORPUS/zeek-oracle). Prints one
 * line per trace (conn rows equal on every compared field / rows, dns rows
 * equal / rows, the fields that differ most) and the overall rates over
 * the supported traces; `--diff` also prints each differing row.
 *
 * Compared, conn.log: proto, conn_state, history, orig/resp pkts, orig/resp
 * ip_bytes, orig/resp bytes, duration (±1 ms). dns.log: query, qtype,
 * rcode, answers. Rows are matched by 5-tuple + proto, exact matches first.
 *
 * @module
 */

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTrace, listTraces, totals } from '../test/oracle/zeek-oracle.js';
import type { TraceResult } from '../test/oracle/zeek-oracle.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CORPUS = process.env['C2WATCH_CORPUS'] ?? resolve(ROOT, '../shared/corpus');
const ORACLE = join(CORPUS, 'zeek-oracle');

const args = process.argv.slice(2);
const showDiff = args.includes('--diff');
const filter = args.find((a) => !a.startsWith('--'));

if (!existsSync(ORACLE)) {
  console.log(`zeek-oracle corpus not found at ${ORACLE}; nothing to compare.`);
  process.exit(0);
}

const traces = listTraces(ORACLE).filter((t) => filter === undefined || t.name.includes(filter));
const results: TraceResult[] = [];
const pct = (a: number, b: number): string => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
const width = Math.max(10, ...traces.map((t) => t.name.length));

console.log(`${'trace'.padEnd(width)}  conn eq/rows       dns eq/rows      extra  notes`);
for (const t of traces) {
  const r = compareTrace(t);
  results.push(r);
  const ce = r.conn.filter((c) => c.equal).length;
  const de = r.dns.filter((c) => c.equal).length;
  const misses = Object.entries(r.fieldMisses)
    .sort((a, b) => (b[1] as number) - (a[1] as number))
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  const unmatched = r.conn.filter((c) => !c.matched).length;
  const notes = [
    r.error !== '' ? `ERROR ${r.error}` : '',
    t.unsupported !== '' ? `[unsupported: ${t.unsupported}]` : '',
    unmatched > 0 ? `unmatched:${unmatched}` : '',
    misses,
  ]
    .filter((s) => s !== '')
    .join(' ');
  console.log(
    `${t.name.padEnd(width)}  ${`${ce}/${r.conn.length}`.padStart(7)} ${pct(ce, r.conn.length)}  ${`${de}/${r.dns.length}`.padStart(6)} ${pct(de, r.dns.length)}  ${`${r.extraFlows.length}/${r.extraDns}`.padStart(5)}  ${notes}`,
  );
  if (showDiff) {
    for (const c of r.conn) {
      if (c.equal) continue;
      const d = c.matched ? Object.entries(c.diffs).map(([k, [z, o]]) => `${k} zeek=${z} ours=${o}`).join(', ') : 'no flow';
      console.log(`    conn ${c.key}: ${d}`);
    }
    for (const c of r.dns) {
      if (c.equal) continue;
      const d = c.matched ? Object.entries(c.diffs).map(([k, [z, o]]) => `${k} zeek=${z} ours=${o}`).join(', ') : 'no record';
      console.log(`    dns  ${c.key}: ${d}`);
    }
    for (const k of r.extraFlows) console.log(`    extra flow ${k}`);
  }
}

const supported = results.filter((r) => r.trace.unsupported === '');
const all = totals(results);
const sup = totals(supported);
console.log('');
console.log(`supported traces: ${supported.length}/${results.length}`);
console.log(
  `conn.log rows equal on every field: ${sup.connEqual}/${sup.connRows} = ${pct(sup.connEqual, sup.connRows).trim()} (all traces: ${all.connEqual}/${all.connRows} = ${pct(all.connEqual, all.connRows).trim()})`,
);
console.log(
  `dns.log rows equal: ${sup.dnsEqual}/${sup.dnsRows} = ${pct(sup.dnsEqual, sup.dnsRows).trim()} (all traces: ${all.dnsEqual}/${all.dnsRows} = ${pct(all.dnsEqual, all.dnsRows).trim()})`,
);
console.log(`flows without a Zeek row: ${all.extraFlows}; DNS records without a Zeek row: ${all.extraDns}`);
const unsupported = results.filter((r) => r.trace.unsupported !== '');
if (unsupported.length > 0) {
  console.log('unsupported (left out of the rate):');
  for (const r of unsupported) console.log(`  ${r.trace.name}: ${r.trace.unsupported}`);
}
