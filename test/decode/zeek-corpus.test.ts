// ZeekDecoder over every real log in the shared corpus (RITA test data,
// Stratosphere, zed-sample-data). Skips cleanly when the corpus is absent.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ZeekDecoder, type ZeekDecoderStats } from '../../lib/decode/zeek/decoder.js';
import { newDns, newFlow, type DnsRecord, type FlowRecord } from '../../lib/model.js';
import type { Weird } from '../../lib/weird.js';
import { CORPUS } from '../helpers/paths.js';

const DIR = join(CORPUS, 'zeek-logs');
const FLOW_KEYS = Object.keys(newFlow());
const DNS_KEYS = Object.keys(newDns());

interface Out {
  flows: FlowRecord[];
  dns: DnsRecord[];
  weirds: Weird[];
  stats: ZeekDecoderStats;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

function load(path: string): Uint8Array {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function decode(bytes: Uint8Array, file: string): Out {
  const out: Out = { flows: [], dns: [], weirds: [], stats: { lines: 0, flows: 0, dns: 0, names: 0, skipped: 0, weirds: 0 } };
  const d = new ZeekDecoder({
    sink: { flow: (r) => out.flows.push(r), dns: (r) => out.dns.push(r) },
    onWeird: (w) => out.weirds.push(w),
    file,
  });
  for (let o = 0; o < bytes.length; o += 65536) d.push(bytes.subarray(o, o + 65536));
  d.end();
  out.stats = { ...d.stats };
  return out;
}

/**
 * Independent count for Zeek TSV files: data lines per `#path`. Returns
 * null for files that are not TSV with a header block.
 */
function tsvOracle(text: string): { conn: number; dns: number; other: number } | null {
  if (!text.startsWith('#separator')) return null;
  const n = { conn: 0, dns: 0, other: 0 };
  let path = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('#path\t')) path = line.slice(6);
    else if (line !== '' && !line.startsWith('#')) {
      if (path === 'conn') n.conn++;
      else if (path === 'dns') n.dns++;
      else n.other++;
    }
  }
  return n;
}

function lineCount(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b === 10) n++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? n + 1 : n;
}

/** Files whose contents we know, by path under zeek-logs/. */
const KNOWN: Record<string, (t: import('ava').ExecutionContext, out: Out) => void> = {
  'rita/proxy_rolling/conn.16:00:00-17:00:00.log.gz': (t, o) => t.is(o.flows.length, 7260),
  'rita/proxy_rolling/conn.15:00:00-16:00:00.log.gz': (t, o) => t.is(o.flows.length, 290),
  'rita/proxy_rolling/dns.16:00:00-17:00:00.log.gz': (t, o) => t.is(o.dns.length, 3189),
  'rita/proxy_rolling/dns.15:00:00-16:00:00.log.gz': (t, o) => t.is(o.dns.length, 20),
  'stratosphere/008-zeek-mixed/data/conn.log.labeled': (t, o) => t.is(o.flows.length, 5663),
  // JSON without _path: kind sniffed from the keys.
  'stratosphere/test9-mixed-zeek-dir/conn.log': (t, o) => t.is(o.flows.length, 576),
  'stratosphere/test9-mixed-zeek-dir/dns.log': (t, o) => t.is(o.dns.length, 239),
  'rita/json_with_all_fields/conn.log': (t, o) => t.is(o.flows.length, 29),
  'rita/json_with_all_fields/dns.log': (t, o) => t.is(o.dns.length, 34),
  'zed-sample-data/zeek-json/dns.json.gz': (t, o) => t.is(o.dns.length, 53615),
  'zed-sample-data/zeek-default/dns.log.gz': (t, o) => t.is(o.dns.length, 53615),
  // Lorem ipsum named conn.log.
  'rita/text_file/conn.log': (t, o) => {
    t.is(o.flows.length + o.dns.length, 0);
    t.true(o.weirds.length > 0);
    t.true(o.weirds.every((w) => w.kind === 'zeek_no_header'));
  },
  // Cut off in the middle of its last row.
  'rita/truncated/conn.log': (t, o) => {
    t.is(o.flows.length, 58);
    t.deepEqual(
      o.weirds.map((w) => [w.kind, w.line]),
      [['zeek_bad_field_count', 67]],
    );
  },
  // The same rows with the header block cut off.
  'rita/truncated/conn_top.log': (t, o) => {
    t.is(o.flows.length, 0);
    t.is(o.weirds.length, 59);
    t.true(o.weirds.every((w) => w.kind === 'zeek_no_header'));
  },
  // JSON cut mid-line; one row has a port above 65535.
  'rita/truncated/conn_json.log': (t, o) => {
    t.true(o.weirds.some((w) => w.kind === 'zeek_bad_json'));
    t.true(o.weirds.length > 0);
  },
};

if (!existsSync(DIR)) {
  test('zeek corpus', (t) => {
    t.log('corpus absent');
    t.pass();
  });
} else {
  const files = walk(DIR).filter((p) => !['README.md', 'labels.config'].includes(basename(p)));

  for (const path of files) {
    const rel = relative(DIR, path);
    test(`corpus ${rel}`, (t) => {
      const bytes = load(path);
      let out: Out | undefined;
      t.notThrows(() => {
        out = decode(bytes, rel);
      });
      if (out === undefined) return;
      t.is(out.stats.lines, lineCount(bytes), 'every line is counted');
      t.is(out.stats.flows, out.flows.length);
      t.is(out.stats.dns, out.dns.length);
      t.is(out.stats.weirds, out.weirds.length);

      // One shape per kind, sane values.
      for (const r of out.flows) {
        if (
          !isDeepStrictEqual(Object.keys(r), FLOW_KEYS) ||
          !Number.isFinite(r.ts) ||
          !(r.origP >= 0 && r.origP <= 65535 && r.respP >= 0 && r.respP <= 65535) ||
          r.origH === '' ||
          r.respH === ''
        ) {
          t.fail(`bad flow ${JSON.stringify(r)}`);
          return;
        }
      }
      for (const r of out.dns) {
        if (!isDeepStrictEqual(Object.keys(r), DNS_KEYS) || !Number.isFinite(r.ts) || r.answers.length !== r.ttls.length) {
          t.fail(`bad dns ${JSON.stringify(r)}`);
          return;
        }
      }
      for (const w of out.weirds) {
        if (w.file !== rel || !(w.line! >= 1)) t.fail(`bad weird ${JSON.stringify(w)}`);
      }

      const known = KNOWN[rel];
      if (known !== undefined) {
        known(t, out);
        return;
      }
      const oracle = tsvOracle(new TextDecoder().decode(bytes));
      if (oracle !== null) {
        t.deepEqual(out.weirds, []);
        t.is(out.flows.length, oracle.conn);
        t.is(out.dns.length, oracle.dns);
      }
    });
  }

  test('corpus: zed dns.log (TSV) and dns.json (JSON, ISO ts) give identical records', (t) => {
    const tsv = decode(load(join(DIR, 'zed-sample-data/zeek-default/dns.log.gz')), 'tsv').dns;
    const json = decode(load(join(DIR, 'zed-sample-data/zeek-json/dns.json.gz')), 'json').dns;
    t.is(tsv.length, json.length);
    t.true(tsv.length > 0);
    for (let i = 0; i < tsv.length; i++) {
      if (!isDeepStrictEqual(tsv[i], json[i])) {
        t.deepEqual(json[i], tsv[i], `record ${i}`);
        return;
      }
    }
  });

  test('corpus: RITA conn.log TSV and its JSON twin give identical records', (t) => {
    const tsv = decode(load(join(DIR, 'rita/open_conns/open/conn.log')), 'tsv').flows;
    const json = decode(load(join(DIR, 'rita/json_with_all_fields/conn.log')), 'json').flows;
    t.true(tsv.length > 0);
    t.deepEqual(json, tsv);
  });
}
