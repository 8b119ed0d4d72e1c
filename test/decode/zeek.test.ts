// ZeekDecoder: TSV header directives, escapes, JSON lines, weirds, chunking.
import test from 'ava';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { ZeekDecoder, type ZeekDecoderOptions, type ZeekDecoderStats } from '../../lib/decode/zeek/decoder.js';
import { newDns, newFlow, type DnsRecord, type FlowRecord } from '../../lib/model.js';
import type { Weird } from '../../lib/weird.js';
import { mulberry32 as prng } from '../../bench/gen/prng.js';

type Opts = Partial<Pick<ZeekDecoderOptions, 'file' | 'path'>>;

interface Out {
  records: (FlowRecord | DnsRecord)[];
  flows: FlowRecord[];
  dns: DnsRecord[];
  weirds: Weird[];
  stats: ZeekDecoderStats;
}

const enc = new TextEncoder();

/** Decode `input` as one chunk, or cut at the given byte offsets. */
function decode(input: string | Uint8Array, opts: Opts = {}, cuts: readonly number[] = []): Out {
  const bytes = typeof input === 'string' ? enc.encode(input) : input;
  const out: Out = { records: [], flows: [], dns: [], weirds: [], stats: { lines: 0, flows: 0, dns: 0, names: 0, skipped: 0, weirds: 0 } };
  const d = new ZeekDecoder({
    sink: {
      flow: (r) => (out.records.push(r), out.flows.push(r)),
      dns: (r) => (out.records.push(r), out.dns.push(r)),
    },
    onWeird: (w) => out.weirds.push(w),
    ...opts,
  });
  let prev = 0;
  for (const c of cuts) {
    d.push(bytes.subarray(prev, c));
    prev = c;
  }
  d.push(bytes.subarray(prev));
  d.end();
  out.stats = { ...d.stats };
  return out;
}

const CONN_FIELDS = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes',
  'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes',
  'resp_pkts', 'resp_ip_bytes', 'tunnel_parents',
];
const CONN_TYPES = [
  'time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string', 'bool',
  'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]',
];
const DNS_FIELDS = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'trans_id', 'rtt', 'query', 'qclass',
  'qclass_name', 'qtype', 'qtype_name', 'rcode', 'rcode_name', 'AA', 'TC', 'RD', 'RA', 'Z', 'answers', 'TTLs', 'rejected',
];
const DNS_TYPES = [
  'time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'count', 'interval', 'string', 'count', 'string', 'count',
  'string', 'count', 'string', 'bool', 'bool', 'bool', 'bool', 'count', 'vector[string]', 'vector[interval]', 'bool',
];

/** A Zeek TSV header block, as Zeek writes it (tab separator unless `sep`). */
function header(path: string | null, fields: readonly string[], types: readonly string[] | null, sep = '\t'): string {
  const hex = `\\x${sep.charCodeAt(0).toString(16).padStart(2, '0')}`;
  const lines = [
    `#separator ${hex}`,
    `#set_separator${sep},`,
    `#empty_field${sep}(empty)`,
    `#unset_field${sep}-`,
    ...(path === null ? [] : [`#path${sep}${path}`]),
    `#open${sep}2019-02-28-12-07-01`,
    `#fields${sep}${fields.join(sep)}`,
    ...(types === null ? [] : [`#types${sep}${types.join(sep)}`]),
  ];
  return lines.join('\n') + '\n';
}

const row = (...v: (string | number)[]): string => v.join('\t') + '\n';
const CLOSE = '#close\t2019-02-28-13-00-00\n';

const CONN_ROW = row(
  '1517336042.279652', 'CVvreZ2AGtqjnP3nnl', '192.168.88.2', 55638, '165.227.88.15', 53, 'udp', 'dns', '0.069982', 61, 81,
  'SF', 'T', 'F', 0, 'Dd', 1, 89, 1, 109, '(empty)',
);
const CONN_REC: FlowRecord = {
  kind: 'flow', ts: 1517336042.279652, duration: 0.069982, origH: '192.168.88.2', origP: 55638, respH: '165.227.88.15',
  respP: 53, proto: 'udp', origBytes: 61, respBytes: 81, origPkts: 1, respPkts: 1, origIpBytes: 89, respIpBytes: 109,
  connState: 'SF', history: 'Dd', service: 'dns', serverName: '', uid: 'CVvreZ2AGtqjnP3nnl', source: 'zeek',
  orientation: 'observed',
};
// Unset duration and byte counts, as Zeek writes for a connection attempt.
const CONN_ROW_UNSET = row(
  '1517336051.090978', 'CKIyhj3TkQsp9GsLyc', '10.55.182.100', 14291, '10.233.233.5', 80, 'tcp', '-', '-', '-', '-', 'S0',
  'T', 'T', 0, 'S', 1, 52, 0, 0, '(empty)',
);
const DNS_ROW = row(
  '1517336042.279652', 'CVvreZ2AGtqjnP3nnl', '192.168.88.2', 55638, '165.227.88.15', 53, 'udp', 42937, '0.069982',
  '6dde0175375169c68f.dnsc.r-1x.com', 1, 'C_INTERNET', 16, 'TXT', 0, 'NOERROR', 'F', 'F', 'T', 'T', 0,
  'TXT 18 302f017537c68f5169,1.2.3.4', '60.000000,30.5', 'T',
);
const DNS_REC: DnsRecord = {
  kind: 'dns', ts: 1517336042.279652, origH: '192.168.88.2', origP: 55638, respH: '165.227.88.15', respP: 53,
  proto: 'udp', transId: 42937, query: '6dde0175375169c68f.dnsc.r-1x.com', qtype: 16, rcode: 0,
  answers: ['TXT 18 302f017537c68f5169', '1.2.3.4'], ttls: [60, 30.5], rejected: true, uid: 'CVvreZ2AGtqjnP3nnl',
  source: 'zeek',
};

// ---- TSV ---------------------------------------------------------------

test('conn TSV row maps to a FlowRecord with newFlow() field order', (t) => {
  const out = decode(header('conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW + CLOSE);
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.flows, [CONN_REC]);
  t.deepEqual(Object.keys(out.flows[0]!), Object.keys(newFlow()));
  t.deepEqual(out.stats, { lines: 10, flows: 1, dns: 0, names: 0, skipped: 0, weirds: 0 });
});

test('unset (-) and empty ((empty)) fields become sentinels', (t) => {
  const out = decode(header('conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW_UNSET);
  t.deepEqual(out.weirds, []);
  const f = out.flows[0]!;
  t.is(f.duration, -1);
  t.is(f.origBytes, -1);
  t.is(f.respBytes, -1);
  t.is(f.service, '');
  t.is(f.origPkts, 1);
  t.is(f.respIpBytes, 0);
  t.is(f.connState, 'S0');
});

test('#unset_field and #empty_field values come from the header', (t) => {
  const h = header('conn', CONN_FIELDS, CONN_TYPES)
    .replace('#unset_field\t-', '#unset_field\tNIL')
    .replace('#empty_field\t(empty)', '#empty_field\tNONE');
  const r = row(
    '10.5', 'C1', '10.0.0.1', 1234, '10.0.0.2', 80, 'tcp', 'NONE', 'NIL', 'NIL', 5, 'SF', 'T', 'F', 0, '-', 1, 2, 3, 4,
    'NONE',
  );
  const out = decode(h + r);
  t.deepEqual(out.weirds, []);
  const f = out.flows[0]!;
  t.is(f.service, '');
  t.is(f.duration, -1);
  t.is(f.origBytes, -1);
  t.is(f.respBytes, 5);
  t.is(f.history, '-', 'a plain "-" is data when the unset marker is NIL');
});

test('dns TSV row: answers split on the set separator, TTLs parallel, rejected', (t) => {
  const out = decode(header('dns', DNS_FIELDS, DNS_TYPES) + DNS_ROW + CLOSE);
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.dns, [DNS_REC]);
  t.deepEqual(Object.keys(out.dns[0]!), Object.keys(newDns()));
});

test('dns TSV: answers and TTLs of many rows, in either column order, split exactly (one-element sets between many-element ones)', (t) => {
  const r = prng(7);
  for (const order of ['answers-first', 'ttls-first'] as const) {
    const fields = [...DNS_FIELDS];
    const types = [...DNS_TYPES];
    if (order === 'ttls-first') {
      [fields[21], fields[22]] = [fields[22]!, fields[21]!];
      [types[21], types[22]] = [types[22]!, types[21]!];
    }
    const want: { answers: string[]; ttls: number[] }[] = [];
    let text = header('dns', fields, types);
    for (let i = 0; i < 300; i++) {
      const n = r() < 0.6 ? 1 : 1 + Math.floor(r() * 4);
      const answers = Array.from({ length: n }, (_, k) => `10.${i & 255}.${k}.${Math.floor(r() * 250)}`);
      const ttls = answers.map(() => Math.floor(r() * 3600));
      want.push({ answers, ttls });
      const v = DNS_ROW.replace(/\n$/, '').split('\t');
      v[21] = order === 'answers-first' ? answers.join(',') : ttls.map((x) => `${x}.000000`).join(',');
      v[22] = order === 'answers-first' ? ttls.map((x) => `${x}.000000`).join(',') : answers.join(',');
      text += v.join('\t') + '\n';
    }
    const out = decode(text + CLOSE);
    t.deepEqual(out.weirds, [], order);
    t.deepEqual(out.dns.map((d) => ({ answers: d.answers, ttls: d.ttls })), want, order);
  }
});

test('dns TSV: unset and empty answers give [], missing TTLs are -1', (t) => {
  const base = DNS_ROW.split('\t');
  const variant = (answers: string, ttls: string, rej: string): string => {
    const v = [...base];
    v[21] = answers;
    v[22] = ttls;
    v[23] = rej + '\n';
    return v.join('\t');
  };
  const out = decode(
    header('dns', DNS_FIELDS, DNS_TYPES) +
      variant('-', '-', 'F') +
      variant('(empty)', '(empty)', 'F') +
      variant('a.example,b.example,1.2.3.4', '300.000000', '-') +
      variant('x', '1,2,3', 'T'),
  );
  t.deepEqual(out.weirds, []);
  t.deepEqual(
    out.dns.map((d) => [d.answers, d.ttls, d.rejected]),
    [
      [[], [], false],
      [[], [], false],
      [['a.example', 'b.example', '1.2.3.4'], [300, -1, -1], false],
      [['x'], [1], true],
    ],
  );
});

test('dns TSV: unset query, qtype, rcode, trans_id', (t) => {
  const v = DNS_ROW.split('\t');
  v[7] = '-';
  v[9] = '-';
  v[12] = '-';
  v[14] = '-';
  const out = decode(header('dns', DNS_FIELDS, DNS_TYPES) + v.join('\t'));
  t.deepEqual(out.weirds, []);
  const d = out.dns[0]!;
  t.is(d.query, '');
  t.is(d.qtype, -1);
  t.is(d.rcode, -1);
  t.is(d.transId, -1);
});

test('non-tab #separator (\\x7c) and #set_separator (;)', (t) => {
  const h = header('dns', DNS_FIELDS, DNS_TYPES, '|').replace('#set_separator|,', '#set_separator|;');
  const r = DNS_ROW.trimEnd().split('\t');
  r[21] = 'a,b;c';
  r[22] = '1;2';
  const out = decode(h + r.join('|') + '\n');
  t.deepEqual(out.weirds, []);
  t.is(out.dns.length, 1);
  t.deepEqual(out.dns[0]!.answers, ['a,b', 'c']);
  t.deepEqual(out.dns[0]!.ttls, [1, 2]);
  t.is(out.dns[0]!.query, DNS_REC.query);
});

test('escapes: \\xHH bytes, UTF-8 runs, \\\\, escaped separators and markers', (t) => {
  const v = DNS_ROW.split('\t');
  v[9] = 'a\\x09b\\\\c.b\\xc3\\xbccher.example'; // tab, backslash, ü as escaped UTF-8
  v[21] = 'one\\x2ctwo,\\x2d,\\xff\\xfe'; // comma inside an element; a literal "-"; not UTF-8
  v[22] = '1,2,3';
  v[1] = '\\x2d'; // a uid that is literally "-", not unset
  const out = decode(header('dns', DNS_FIELDS, DNS_TYPES) + v.join('\t'));
  t.deepEqual(out.weirds, []);
  const d = out.dns[0]!;
  t.is(d.query, 'a\tb\\c.bücher.example');
  t.deepEqual(d.answers, ['one,two', '-', '\u00ff\u00fe']);
  t.is(d.uid, '-');
});

test('raw UTF-8 in values passes through (LogAscii::enable_utf_8)', (t) => {
  const v = DNS_ROW.split('\t');
  v[9] = 'bücher.例え.example';
  const out = decode(header('dns', DNS_FIELDS, DNS_TYPES) + v.join('\t'));
  t.is(out.dns[0]!.query, 'bücher.例え.example');
});

test('proto: tcp/udp/icmp names, numbers, else 0', (t) => {
  const protos = ['tcp', 'udp', 'icmp', '47', 'unknown_transport'];
  const rows = protos.map((p) => CONN_ROW.replace('\tudp\t', `\t${p}\t`)).join('');
  const out = decode(header('conn', CONN_FIELDS, CONN_TYPES) + rows);
  t.deepEqual(
    out.flows.map((f) => f.proto),
    ['tcp', 'udp', 'icmp', 47, 0],
  );
});

test('several logs in one stream: #close, then other #fields', (t) => {
  const nodeFields = ['_node_name', ...CONN_FIELDS, 'community_id'];
  const input =
    header('conn', CONN_FIELDS, CONN_TYPES) +
    CONN_ROW +
    CLOSE +
    header('dns', DNS_FIELDS, DNS_TYPES) +
    DNS_ROW +
    CLOSE +
    header('conn', nodeFields, ['string', ...CONN_TYPES, 'string']) +
    `worker-1\t${CONN_ROW.trimEnd()}\t1:abc=\n` +
    CLOSE;
  const out = decode(input);
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.records, [CONN_REC, DNS_REC, CONN_REC]);
});

test('a new #separator starts a new log even without #close', (t) => {
  const input = header('conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW + header('dns', DNS_FIELDS, DNS_TYPES) + DNS_ROW;
  const out = decode(input);
  t.deepEqual(out.records, [CONN_REC, DNS_REC]);
});

test('data after #close and before a new header is a zeek_no_header weird', (t) => {
  const h = header('conn', CONN_FIELDS, CONN_TYPES);
  const out = decode(h + CONN_ROW + CLOSE + CONN_ROW, { file: 'x/conn.log' });
  t.is(out.flows.length, 1);
  t.is(out.weirds.length, 1);
  const w = out.weirds[0]!;
  t.is(w.kind, 'zeek_no_header');
  t.is(w.file, 'x/conn.log');
  t.is(w.line, 11);
});

test('data before any header: zeek_no_header per line, with 1-based line numbers', (t) => {
  const out = decode(CONN_ROW + CONN_ROW + header('conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW, { path: 'conn' });
  t.deepEqual(
    out.weirds.map((w) => [w.kind, w.line]),
    [
      ['zeek_no_header', 1],
      ['zeek_no_header', 2],
    ],
  );
  t.is(out.flows.length, 1);
});

test('weirds carry no file key when no file label is given', (t) => {
  const out = decode(CONN_ROW);
  t.false('file' in out.weirds[0]!);
});

test('field count mismatch: zeek_bad_field_count at the right line, row dropped', (t) => {
  const h = header('conn', CONN_FIELDS, CONN_TYPES); // 8 lines
  const short = CONN_ROW.split('\t').slice(0, 9).join('\t') + '\n';
  const long = CONN_ROW.trimEnd() + '\textra\n';
  const out = decode(h + CONN_ROW + short + CONN_ROW + long, { file: 'conn.log' });
  t.is(out.flows.length, 2);
  t.deepEqual(
    out.weirds.map((w) => [w.kind, w.line, w.file]),
    [
      ['zeek_bad_field_count', 10, 'conn.log'],
      ['zeek_bad_field_count', 12, 'conn.log'],
    ],
  );
  t.regex(out.weirds[0]!.message, /9 fields.*21/);
});

test('unparsable ts or port: zeek_bad_value, row dropped', (t) => {
  const bad = (i: number, v: string): string => {
    const r = CONN_ROW.split('\t');
    r[i] = v;
    return r.join('\t');
  };
  const out = decode(
    header('conn', CONN_FIELDS, CONN_TYPES) +
      bad(0, 'yesterday') +
      bad(0, '-') +
      bad(3, '80x') +
      bad(5, '70000') +
      bad(2, '-') +
      CONN_ROW,
  );
  t.is(out.flows.length, 1);
  t.deepEqual(
    out.weirds.map((w) => [w.kind, w.line]),
    [9, 10, 11, 12, 13].map((l) => ['zeek_bad_value', l]),
  );
  t.regex(out.weirds[0]!.message, /ts "yesterday"/);
  t.regex(out.weirds[3]!.message, /id\.resp_p "70000"/);
});

test('unparsable optional number: record kept with -1, one zeek_bad_value', (t) => {
  const r = CONN_ROW.split('\t');
  r[9] = 'lots';
  r[10] = '1e3x';
  const out = decode(header('conn', CONN_FIELDS, CONN_TYPES) + r.join('\t'));
  t.is(out.flows.length, 1);
  t.is(out.flows[0]!.origBytes, -1);
  t.is(out.flows[0]!.respBytes, -1);
  t.is(out.weirds.length, 1);
  t.regex(out.weirds[0]!.message, /orig_bytes "lots"/);
});

test('ts: exponent, ISO 8601 and long fractions read like Number()', (t) => {
  const ts = ['1.5e9', '2018-03-24T17:15:20.600843Z', '1521911720.123456789', '-1.25', '17'];
  const rows = ts.map((v) => CONN_ROW.replace('1517336042.279652', v)).join('');
  const out = decode(header('conn', CONN_FIELDS, CONN_TYPES) + rows);
  t.deepEqual(out.weirds, []);
  t.deepEqual(
    out.flows.map((f) => f.ts),
    [1.5e9, 1521911720.600843, 1521911720.123456789, -1.25, 17],
  );
});

test('unknown extra columns are ignored; missing optional columns are sentinels', (t) => {
  const fields = ['_node_name', 'ts', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'community_id', 'label'];
  const out = decode(
    header('conn', fields, null) + row('w1', '100.25', '10.0.0.1', 1234, '2001:db8::1', 443, 'tcp', '1:x', 'Malicious'),
  );
  t.deepEqual(out.weirds, []);
  const want = { ...newFlow(), ts: 100.25, origH: '10.0.0.1', origP: 1234, respH: '2001:db8::1', respP: 443 };
  t.deepEqual(out.flows, [{ ...want, source: 'zeek' }]);
});

test('dns with only the required columns gets newDns() defaults', (t) => {
  const out = decode(header('dns', ['ts', 'id.orig_h', 'id.resp_h', 'query'], null) + row('5', '10.0.0.1', '8.8.8.8', 'x.example'));
  t.deepEqual(out.dns, [{ ...newDns(), ts: 5, origH: '10.0.0.1', respH: '8.8.8.8', query: 'x.example', source: 'zeek' }]);
});

test('missing required column: one zeek_missing_field weird, rows skipped', (t) => {
  const fields = CONN_FIELDS.filter((f) => f !== 'id.resp_p');
  const out = decode(header('conn', fields, null) + CONN_ROW + CONN_ROW);
  t.deepEqual(
    out.weirds.map((w) => [w.kind, w.line]),
    [['zeek_missing_field', 7]],
  );
  t.regex(out.weirds[0]!.message, /id\.resp_p/);
  t.is(out.flows.length, 0);
  t.is(out.stats.skipped, 2);
});

test('#types with a different count than #fields is a zeek_bad_header weird', (t) => {
  const out = decode(header('conn', CONN_FIELDS, CONN_TYPES.slice(1)) + CONN_ROW);
  t.deepEqual(
    out.weirds.map((w) => w.kind),
    ['zeek_bad_header'],
  );
  t.is(out.flows.length, 1);
});

test('log kind: #path wins over the hint; other logs are skipped, not weird', (t) => {
  const http = header('http', ['ts', 'uid', 'id.orig_h', 'host'], null) + row(1, 'C', '10.0.0.1', 'a') + row(2, 'C', '10.0.0.1', 'b');
  const out = decode(http + header('dns', DNS_FIELDS, DNS_TYPES) + DNS_ROW, { path: 'conn' });
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.records, [DNS_REC]);
  t.is(out.stats.skipped, 2);
});

test('log kind without #path: the hint, else sniffed from #fields', (t) => {
  const noPath = header(null, CONN_FIELDS, CONN_TYPES) + CONN_ROW;
  t.deepEqual(decode(noPath).flows, [CONN_REC]);
  t.deepEqual(decode(header(null, DNS_FIELDS, DNS_TYPES) + DNS_ROW).dns, [DNS_REC]);
  const hinted = decode(noPath, { path: 'other' });
  t.is(hinted.flows.length, 0);
  t.is(hinted.stats.skipped, 1);
});

test('a log without #path and unrecognisable #fields: one zeek_unknown_log', (t) => {
  const out = decode(header(null, ['ts', 'uid', 'host', 'uri'], null) + row(1, 'C', 'h', '/') + row(2, 'C', 'h', '/'));
  t.deepEqual(
    out.weirds.map((w) => w.kind),
    ['zeek_unknown_log'],
  );
  t.is(out.stats.skipped, 2);
});

test('open_conn logs are skipped (the same connections end up in conn.log)', (t) => {
  const out = decode(header('open_conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW);
  t.is(out.flows.length, 0);
  t.is(out.stats.skipped, 1);
});

test('LogAscii tsv=T mode: a bare column-name line serves as #fields', (t) => {
  const out = decode(CONN_FIELDS.join('\t') + '\n' + CONN_ROW, { path: 'conn' });
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.flows, [CONN_REC]);
});

test('CRLF line endings, a UTF-8 BOM, blank lines, unknown # lines', (t) => {
  const input = '\ufeff' + (header('conn', CONN_FIELDS, CONN_TYPES) + '#comment here\n\n' + CONN_ROW).replaceAll('\n', '\r\n');
  const out = decode(input);
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.flows, [CONN_REC]);
  t.is(out.stats.skipped, 2);
});

test('end(): a last line without newline is parsed; the decoder is reusable', (t) => {
  const flows: FlowRecord[] = [];
  const weirds: Weird[] = [];
  const d = new ZeekDecoder({ sink: { flow: (r) => flows.push(r), dns: () => {} }, onWeird: (w) => weirds.push(w) });
  d.push(enc.encode(header('conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW.trimEnd()));
  t.is(flows.length, 0);
  d.end();
  t.deepEqual(flows, [CONN_REC]);
  d.push(enc.encode(CONN_ROW)); // a new stream: no header yet
  d.end();
  t.deepEqual(
    weirds.map((w) => [w.kind, w.line]),
    [['zeek_no_header', 1]],
  );
  t.is(d.stats.lines, 10);
});

test('a held partial line is copied: the caller may reuse its Buffer', (t) => {
  const bytes = Buffer.from(header('conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW + CONN_ROW);
  const cut = bytes.length - 30; // inside the last row
  const flows: FlowRecord[] = [];
  const d = new ZeekDecoder({ sink: { flow: (r) => flows.push(r), dns: () => {} }, onWeird: () => {} });
  const buf = Buffer.alloc(bytes.length);
  bytes.copy(buf, 0, 0, cut);
  d.push(buf.subarray(0, cut));
  buf.fill(0x41); // reuse the read buffer
  bytes.copy(buf, 0, cut);
  d.push(buf.subarray(0, bytes.length - cut));
  d.end();
  t.deepEqual(flows, [CONN_REC, CONN_REC]);
});

test('an over-long line is one zeek_line_too_long weird, in one chunk or many', (t) => {
  const big = 'x'.repeat((1 << 20) + 10);
  const input = header('conn', CONN_FIELDS, CONN_TYPES) + big + '\n' + CONN_ROW;
  const bytes = enc.encode(input);
  const one = decode(bytes);
  const cuts: number[] = [];
  for (let o = 100; o < bytes.length; o += 65536) cuts.push(o);
  const many = decode(bytes, {}, cuts);
  for (const out of [one, many]) {
    t.deepEqual(
      out.weirds.map((w) => [w.kind, w.line]),
      [['zeek_line_too_long', 9]],
    );
    t.deepEqual(out.flows, [CONN_REC]);
    t.is(out.stats.lines, 10);
  }
  // A line that never ends is dropped at end() too, without holding it all.
  const endless = decode(enc.encode(big + big + big + big), {}, [1 << 20, 2 << 20, 3 << 20]);
  t.deepEqual(
    endless.weirds.map((w) => w.kind),
    ['zeek_line_too_long'],
  );
});

test('lorem ipsum: weirds, no records, no throw', (t) => {
  const text = 'Lorem ipsum dolor sit amet.\n\n{adipiscing} elit.\n# not a header\nSed do eiusmod';
  const out = decode(text, { path: 'conn' });
  t.is(out.records.length, 0);
  t.deepEqual(
    out.weirds.map((w) => w.kind),
    ['zeek_no_header', 'zeek_bad_json', 'zeek_no_header'],
  );
});

// ---- JSON --------------------------------------------------------------

const JSON_CONN = {
  ts: 1517336042.279652, uid: 'CVvreZ2AGtqjnP3nnl', 'id.orig_h': '192.168.88.2', 'id.orig_p': 55638,
  'id.resp_h': '165.227.88.15', 'id.resp_p': 53, proto: 'udp', service: 'dns', duration: 0.069982, orig_bytes: 61,
  resp_bytes: 81, conn_state: 'SF', local_orig: true, local_resp: false, missed_bytes: 0, history: 'Dd', orig_pkts: 1,
  orig_ip_bytes: 89, resp_pkts: 1, resp_ip_bytes: 109,
};
const JSON_DNS = {
  ts: 1517336042.279652, uid: 'CVvreZ2AGtqjnP3nnl', 'id.orig_h': '192.168.88.2', 'id.orig_p': 55638,
  'id.resp_h': '165.227.88.15', 'id.resp_p': 53, proto: 'udp', trans_id: 42937, rtt: 0.069982,
  query: '6dde0175375169c68f.dnsc.r-1x.com', qclass: 1, qclass_name: 'C_INTERNET', qtype: 16, qtype_name: 'TXT',
  rcode: 0, rcode_name: 'NOERROR', AA: false, TC: false, RD: true, RA: true, Z: 0,
  answers: ['TXT 18 302f017537c68f5169', '1.2.3.4'], TTLs: [60.0, 30.5], rejected: true,
};
const jl = (...objs: object[]): string => objs.map((o) => JSON.stringify(o) + '\n').join('');

test('JSON conn and dns lines with epoch ts map like their TSV rows', (t) => {
  const out = decode(jl(JSON_CONN, JSON_DNS));
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.records, [CONN_REC, DNS_REC]);
  t.deepEqual(Object.keys(out.flows[0]!), Object.keys(newFlow()));
  t.deepEqual(Object.keys(out.dns[0]!), Object.keys(newDns()));
});

test('JSON ISO 8601 ts keeps microseconds exactly', (t) => {
  const out = decode(jl({ ...JSON_CONN, _path: 'conn', _write_ts: '2018-03-24T17:15:20.866586Z', ts: '2018-03-24T17:15:20.600843Z' }));
  t.is(out.flows[0]!.ts, 1521911720.600843);
  const noZone = decode(jl({ ...JSON_CONN, ts: '2018-03-24T17:15:20' }));
  t.is(noZone.flows[0]!.ts, 1521911720, 'no zone is UTC');
  const offset = decode(jl({ ...JSON_CONN, ts: '2018-03-24T19:15:20.5+02:00' }));
  t.is(offset.flows[0]!.ts, 1521911720.5);
});

test('JSON nested id object', (t) => {
  const { 'id.orig_h': oh, 'id.orig_p': op, 'id.resp_h': rh, 'id.resp_p': rp, ...rest } = JSON_CONN;
  const out = decode(jl({ ...rest, id: { orig_h: oh, orig_p: op, resp_h: rh, resp_p: rp } }));
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.flows, [CONN_REC]);
});

test('JSON kind: _path, then the hint, then the keys present', (t) => {
  const { conn_state: _a, orig_bytes: _b, history: _c, ...bare } = JSON_CONN;
  t.is(decode(jl(bare)).stats.skipped, 1, 'no _path, no hint, no conn keys: skipped');
  t.is(decode(jl(bare), { path: 'conn' }).flows.length, 1);
  t.is(decode(jl({ ...bare, _path: 'conn' })).flows.length, 1);
  t.is(decode(jl({ ...JSON_CONN, _path: 'http' }), { path: 'conn' }).stats.skipped, 1);
  const { query: _q, qtype: _t, ...dnsBare } = JSON_DNS;
  t.is(decode(jl(dnsBare)).dns.length, 0);
  t.is(decode(jl({ ...JSON_DNS, answers: undefined })).dns.length, 1);
});

test('JSON: unset fields left out become sentinels; \\xHH in strings is unescaped', (t) => {
  const out = decode(
    jl(
      { ts: 1, 'id.orig_h': 'a', 'id.orig_p': 1, 'id.resp_h': 'b', 'id.resp_p': 2, proto: 'tcp', conn_state: 'S0' },
      { ts: 2, 'id.orig_h': 'a', 'id.resp_h': 'b', query: 'b\\xc3\\xbccher\\x2eexample', qtype: 1 },
    ),
  );
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.flows[0], { ...newFlow(), ts: 1, origH: 'a', origP: 1, respH: 'b', respP: 2, connState: 'S0', source: 'zeek' });
  t.deepEqual(out.dns[0], { ...newDns(), ts: 2, origH: 'a', respH: 'b', query: 'bücher.example', qtype: 1, source: 'zeek' });
});

test('JSON weirds: bad JSON, not an object, bad required and optional values', (t) => {
  const out = decode(
    '{"ts": 1, "uid": \n' +
      '{}\n' +
      jl(
        { ...JSON_CONN, ts: 'noon' },
        { ...JSON_CONN, 'id.orig_p': 93145 },
        { ...JSON_CONN, orig_bytes: 'many' },
        { ...JSON_DNS, 'id.resp_h': null },
      ) +
      '[1,2]\n'.replace('[', '{[') +
      '{"_path":"conn"}\n',
  );
  t.deepEqual(
    out.weirds.map((w) => [w.kind, w.line]),
    [
      ['zeek_bad_json', 1],
      ['zeek_bad_value', 3],
      ['zeek_bad_value', 4],
      ['zeek_bad_value', 5],
      ['zeek_bad_value', 6],
      ['zeek_bad_json', 7],
      ['zeek_bad_value', 8],
    ],
  );
  t.is(out.stats.skipped, 1, '{} has no kind');
  t.is(out.flows.length, 1, 'only the bad optional value keeps its record');
  t.is(out.flows[0]!.origBytes, -1);
});

test('TSV and JSON mixed in one stream', (t) => {
  const input = header('conn', CONN_FIELDS, CONN_TYPES) + CONN_ROW + jl(JSON_DNS) + CONN_ROW + CLOSE + jl(JSON_CONN);
  const out = decode(input);
  t.deepEqual(out.weirds, []);
  t.deepEqual(out.records, [CONN_REC, DNS_REC, CONN_REC, CONN_REC]);
});

// ---- chunking and truncation ----------------------------------------------

/** A sample touching most paths: two TSV logs, escapes, raw UTF-8 (2-4 bytes), CRLF, JSON, weirds, no final newline. */
const SAMPLE =
  header('conn', CONN_FIELDS, CONN_TYPES) +
  CONN_ROW +
  CONN_ROW_UNSET.replace('\n', '\r\n') +
  CONN_ROW.replace('CVvreZ2AGtqjnP3nnl', 'C😀ü€x') +
  CONN_ROW.split('\t').slice(0, 7).join('\t') + '\n' +
  CLOSE +
  jl({ ...JSON_DNS, query: 'bücher.例え.example' }, { ...JSON_CONN, _path: 'conn', ts: '2018-03-24T17:15:20.600843Z' }) +
  '{"broken": \n' +
  header('dns', DNS_FIELDS, DNS_TYPES) +
  DNS_ROW.replace('6dde0175375169c68f', 'a\\x09b\\xc3\\xbc') +
  DNS_ROW.trimEnd();
const SAMPLE_BYTES = enc.encode(SAMPLE);

test('the sample decodes to the expected counts', (t) => {
  const out = decode(SAMPLE_BYTES);
  t.is(out.flows.length, 4);
  t.is(out.dns.length, 3);
  t.deepEqual(
    out.weirds.map((w) => w.kind),
    ['zeek_bad_field_count', 'zeek_bad_json'],
  );
  t.is(out.flows[2]!.uid, 'C😀ü€x');
  t.is(out.dns[1]!.query, 'a\tbü.dnsc.r-1x.com');
});

test('a split at every byte position gives the same output', (t) => {
  const whole = decode(SAMPLE_BYTES);
  for (let i = 0; i <= SAMPLE_BYTES.length; i++) {
    const out = decode(SAMPLE_BYTES, {}, [i]);
    if (JSON.stringify(out) !== JSON.stringify(whole)) {
      t.deepEqual(out, whole, `split at byte ${i}`);
      return;
    }
  }
  t.pass();
});

test('random chunkings (seeded) give the same output', (t) => {
  const whole = JSON.stringify(decode(SAMPLE_BYTES));
  const rnd = prng(42);
  for (let trial = 0; trial < 300; trial++) {
    const cuts: number[] = [];
    const max = 1 + Math.floor(rnd() * (trial % 3 === 0 ? 8 : 200));
    for (let o = Math.floor(rnd() * max); o < SAMPLE_BYTES.length; o += 1 + Math.floor(rnd() * max)) cuts.push(o);
    const out = decode(SAMPLE_BYTES, {}, cuts);
    if (JSON.stringify(out) !== whole) {
      t.deepEqual(out, JSON.parse(whole) as Out, `trial ${trial}, cuts ${cuts.slice(0, 20).join(',')}…`);
      return;
    }
  }
  t.pass();
});

test('one byte at a time gives the same output', (t) => {
  const cuts = Array.from({ length: SAMPLE_BYTES.length }, (_, i) => i);
  t.deepEqual(decode(SAMPLE_BYTES, {}, cuts), decode(SAMPLE_BYTES));
});

test('every truncated prefix yields only records and weirds, never a throw', (t) => {
  const lines = SAMPLE.split('\n').length;
  for (let n = 0; n <= SAMPLE_BYTES.length; n++) {
    let out: Out | undefined;
    t.notThrows(() => {
      out = decode(SAMPLE_BYTES.subarray(0, n));
    }, `prefix ${n}`);
    if (out === undefined) return;
    for (const w of out.weirds) {
      if (!(w.line! >= 1 && w.line! <= lines && w.kind.startsWith('zeek_'))) t.fail(`prefix ${n}: ${JSON.stringify(w)}`);
    }
    for (const r of out.records) {
      if (!Number.isFinite(r.ts) || r.source !== 'zeek') t.fail(`prefix ${n}: ${JSON.stringify(r)}`);
    }
    t.is(out.stats.weirds, out.weirds.length);
    t.is(out.stats.flows + out.stats.dns, out.records.length);
  }
});

test('records do not keep the decoded chunk alive', (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const h = header('conn', CONN_FIELDS, CONN_TYPES);
  const kept: FlowRecord[] = [];
  const d = new ZeekDecoder({ sink: { flow: (r) => kept.push(r), dns: () => {} }, onWeird: () => {} });
  d.push(enc.encode(h));
  gc();
  const before = process.memoryUsage().heapUsed;
  const filler = `#filler\t${'z'.repeat(256 * 1024)}\n`;
  for (let i = 0; i < 100; i++) d.push(enc.encode(CONN_ROW + filler));
  d.end();
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  t.is(kept.length, 100);
  // Pinned chunks would be 100 × 256 KiB = 25 MiB.
  t.true(grown < 5 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MiB`);
});
