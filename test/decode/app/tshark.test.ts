// Differential tests against tshark on the corpus captures: DNS query names
// (`dns.qry.name`), TLS SNI (`tls.handshake.extensions_server_name`) and
// HTTP Host (`http.host`) that tshark finds must be found by c2watch too.
// One tshark run per capture, all fields at once. Skips when tshark or the
// corpus is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { hostOnly } from '../../../lib/decode/app/http.js';
import { PcapFlows } from '../../../lib/flow/pcap-flows.js';
import { CORPUS, HAVE_CORPUS } from '../../helpers/paths.js';

const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;

function captures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return captures(p);
    return /\.(pcap|pcapng)(\.gz)?$/.test(f) ? [p] : [];
  });
}

interface Seen {
  dns: Set<string>;
  sni: Set<string>;
  host: Set<string>;
}

const FIELDS = ['dns.flags.response', 'dns.qry.name', 'udp.port', 'tcp.port', 'tls.handshake.type', 'tcp.seq', 'tls.handshake.extensions_server_name', 'http.request', 'http.host'];
const DNS_PORTS = new Set(['53', '5353', '5355']);
const printable = (s: string): boolean => /^[\x21-\x7e]+$/.test(s);

/** What tshark sees: DNS query names on DNS ports, SNIs of ClientHellos that open the client stream, first-request Hosts. */
function theirs(file: string): Seen {
  const args = ['-n', '-r', file, '-Y', 'dns || mdns || tls.handshake.type == 1 || http.request', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=;'];
  for (const f of FIELDS) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 && r.stdout === '') throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  const seen: Seen = { dns: new Set(), sni: new Set(), host: new Set() };
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const c = line.split('\t');
    const col = (name: string): string[] => (c[FIELDS.indexOf(name)] ?? '').split(';').filter((s) => s !== '');
    const ports = [...col('udp.port'), ...col('tcp.port')];
    if (col('dns.flags.response')[0] === 'False' || col('dns.flags.response')[0] === '0') {
      if (ports.some((p) => DNS_PORTS.has(p))) for (const n of col('dns.qry.name')) if (printable(n)) seen.dns.add(n.toLowerCase());
    }
    // The ClientHello (and the request) must start the client's stream: relative sequence 1.
    const first = col('tcp.seq')[0] === '1';
    if (first && col('tls.handshake.type').includes('1')) for (const n of col('tls.handshake.extensions_server_name')) seen.sni.add(n.toLowerCase());
    if (first && col('http.request').length > 0) for (const h of col('http.host')) seen.host.add(hostOnly(h));
  }
  return seen;
}

function ours(file: string): Seen {
  const seen: Seen = { dns: new Set(), sni: new Set(), host: new Set() };
  let b = readFileSync(file);
  if (file.endsWith('.gz')) b = gunzipSync(b);
  const pf = new PcapFlows({
    flow: (r) => {
      if (r.service === 'ssl') seen.sni.add(r.serverName);
      if (r.service === 'http') seen.host.add(r.serverName);
    },
    dns: (r) => seen.dns.add(r.query),
  });
  pf.push(b);
  pf.end();
  return seen;
}

if (!HAVE_TSHARK || !HAVE_CORPUS) {
  test('tshark differential', (t) => {
    t.log(HAVE_TSHARK ? 'corpus absent: skipped' : 'tshark not installed: skipped');
    t.pass();
  });
} else {
  const traces = join(CORPUS, 'pcap', 'zeek-traces');
  const oracle = join(CORPUS, 'zeek-oracle');
  const files = [
    ...captures(traces).filter((f) => /dns|tls|http/i.test(f)),
    ...captures(oracle).filter((f) => /dns|http|ssl|tls|starttls|ssh/i.test(f)),
  ];
  const results = files.map((f) => ({ name: f.split('/').slice(-2).join('/'), want: theirs(f), got: ours(f) }));

  const compare = (kind: keyof Seen): { expected: number; found: number; missing: string[] } => {
    let expected = 0;
    let found = 0;
    const missing: string[] = [];
    for (const r of results) {
      for (const n of r.want[kind]) {
        expected++;
        if (r.got[kind].has(n)) found++;
        else missing.push(`${r.name}: ${n}`);
      }
    }
    return { expected, found, missing };
  };

  test('DNS: query names tshark sees on DNS ports are c2watch DnsRecord queries', (t) => {
    const { expected, found, missing } = compare('dns');
    t.log(`${found}/${expected} query names over ${files.length} captures`);
    if (missing.length > 0) t.log(`missing (Zeek keeps only the last question of a message): ${missing.slice(0, 8).join('; ')}`);
    t.true(expected > 50);
    t.true(found / expected >= 0.95, `${found}/${expected}`);
  });

  test('TLS: SNIs of ClientHellos that open the client stream are c2watch serverNames (service ssl)', (t) => {
    const { expected, found, missing } = compare('sni');
    t.log(`${found}/${expected} SNIs`);
    if (missing.length > 0) t.log(`missing: ${missing.slice(0, 8).join('; ')}`);
    t.true(expected > 10);
    t.true(found / expected >= 0.95, `${found}/${expected}`);
  });

  test('HTTP: Hosts of requests that open the client stream are c2watch serverNames (service http)', (t) => {
    const { expected, found, missing } = compare('host');
    t.log(`${found}/${expected} hosts`);
    if (missing.length > 0) t.log(`missing: ${missing.slice(0, 8).join('; ')}`);
    t.true(expected > 3);
    t.true(found / expected >= 0.95, `${found}/${expected}`);
  });
}
