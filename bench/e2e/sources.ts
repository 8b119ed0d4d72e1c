/**
 * The host bound under load: a Zeek log directory (conn.log + dns.log) with
 * N distinct internal sources (default 1M), analysed with default options by
 * `c2watch bench`, reporting the RSS ceiling, the heap, host evictions and
 * RSS over the run — and the same at other `--max-hosts` values, to show what
 * the ceiling follows.
 *
 * Traffic: source i (10.x.y.z, i = 0..N-1, in order over two hours of stream
 * time) looks up a name at the site resolver 10.0.0.53 (a conn row and a
 * dns.log row with the answer) and opens HTTPS to the answer half a second
 * later; one source in 50 asks 8.8.8.8 a TXT question and goes straight to
 * an address no answer named (so the multiband rules hold state and fire).
 * Every source appears once: every host is a miss, and past `maxHosts` each
 * new one evicts the least recently active.
 *
 *   node --import tsx bench/e2e/sources.ts [--sources 1000000] [--max-hosts default,10000] [--dir /tmp] [--keep] [--json out.json]
 *
 * @module
 */

import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchReport } from '../../lib/cli/bench.js';
import { bench, mib, rssAt, shown, si } from './common.js';

const { values: v } = parseArgs({
  options: {
    sources: { type: 'string', default: '1000000' },
    'max-hosts': { type: 'string', default: 'default,10000' },
    dir: { type: 'string', default: tmpdir() },
    keep: { type: 'boolean' },
    json: { type: 'string' },
  },
});

const N = Number(v.sources);
const T0 = 1793610000;
const SPAN = 7200;

const CONN_HEAD = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#open\t2026-11-02-09-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
].join('\n');
const DNS_HEAD = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tdns',
  '#open\t2026-11-02-09-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool',
].join('\n');

/** Write the logs; returns the directory. */
function generate(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const conn = openSync(join(dir, 'conn.log'), 'w');
  const dns = openSync(join(dir, 'dns.log'), 'w');
  let c = CONN_HEAD + '\n';
  let d = DNS_HEAD + '\n';
  for (let i = 0; i < N; i++) {
    const n = i + 256; // skip 10.0.0.x (the resolver's /24)
    const src = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const ts = T0 + (i * SPAN) / N;
    const odd = i % 50 === 7;
    const resolver = odd ? '8.8.8.8' : '10.0.0.53';
    const server = `${odd ? 198 : 93}.${51 + (i % 7)}.${(i >> 8) & 255}.${i & 255}`;
    const query = odd ? `${(i * 2654435761 >>> 0).toString(16)}.t.exfil-example.org` : `www.site${i % 5000}.example.com`;
    const uidD = `CD${i.toString(36)}`;
    const uidW = `CW${i.toString(36)}`;
    const ts1 = ts.toFixed(6);
    const ts2 = (ts + 0.5).toFixed(6);
    c += `${ts1}\t${uidD}\t${src}\t${40000 + (i % 20000)}\t${resolver}\t53\tudp\tdns\t0.012000\t40\t90\tSF\tT\t${odd ? 'F' : 'T'}\t0\tDd\t1\t68\t1\t118\t(empty)\n`;
    c += `${ts2}\t${uidW}\t${src}\t${50000 + (i % 10000)}\t${server}\t443\ttcp\tssl\t1.200000\t900\t12000\tSF\tT\tF\t0\tShADadFf\t8\t1320\t12\t12620\t(empty)\n`;
    d += `${ts1}\t${uidD}\t${src}\t${40000 + (i % 20000)}\t${resolver}\t53\tudp\t${i & 65535}\t0.012000\t${query}\t1\tC_INTERNET\t${odd ? 16 : 1}\t${odd ? 'TXT' : 'A'}\t0\tNOERROR\tF\tF\tT\tT\t0\t${odd ? 'ok' : server}\t300.000000\tF\n`;
    if (c.length > 1 << 22) {
      writeSync(conn, c);
      c = '';
    }
    if (d.length > 1 << 22) {
      writeSync(dns, d);
      d = '';
    }
  }
  writeSync(conn, c);
  writeSync(dns, d);
  closeSync(conn);
  closeSync(dns);
}

const dir = join(v.dir!, `c2watch-sources-${N}`);
const t0 = performance.now();
generate(dir);
console.error(`${dir}: ${N} sources, ${2 * N} conn rows, ${N} dns rows, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const out: { maxHosts: string; command: string; report: BenchReport }[] = [];
try {
  for (const mh of v['max-hosts']!.split(',')) {
    const args = mh === 'default' ? [dir] : ['--max-hosts', mh, dir];
    const r = await bench(args);
    out.push({ maxHosts: mh, command: shown(args), report: r });
    const run = r.c2watch.runs[0]!;
    console.log(
      `max-hosts ${mh === 'default' ? '50000 (default)' : mh}: ${run.wallSeconds.toFixed(1)} s, ${si((run.flows + run.dns) / run.wallSeconds)} records/s, ` +
        `peak RSS ${mib(run.maxRssBytes)}, peak heap ${mib(run.peakHeapUsedBytes)}, RSS at 25/50/75/100 % of the run ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(run.samples, f))).join(' / ')}, ` +
        `hosts created ${run.hosts.created}, peak active ${run.hosts.peakActive}, evicted ${run.hosts.evicted}, expired ${run.hosts.expired}, findings ${run.findings.total}`,
    );
  }
} finally {
  if (!v.keep) rmSync(dir, { recursive: true, force: true });
}
if (v.json !== undefined) writeFileSync(v.json, JSON.stringify({ sources: N, runs: out }, null, 2) + '\n');
