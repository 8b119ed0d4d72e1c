// Every input format through the one pipeline: pcap (generated with planted C2, and a real C&C
// capture), NetFlow export captures, nfcapd files; readFlows; and `c2watch flows`.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateTraffic } from '../bench/gen/traffic.js';
import { analyze, readFlows } from '../lib/analyze.js';
import { main } from '../lib/cli/main.js';
import { RecordReader } from '../lib/pipeline.js';
import { WeirdCounter } from '../lib/weird.js';
import type { Finding } from '../lib/model.js';
import { CORPUS, HAVE_CORPUS, SAMPLES } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

function generated(): { pcap: Uint8Array; truth: ReturnType<typeof generateTraffic> } {
  const parts: Uint8Array[] = [];
  const truth = generateTraffic(
    { seed: 7, bytes: 12e6, rate: 40, concurrency: 60, hosts: 120, beacons: { count: 2, period: 60, jitter: 0.15 }, multiband: { count: 2, every: 30 } },
    (c) => parts.push(c),
  );
  return { pcap: Buffer.concat(parts), truth };
}
const gen = generated();

async function findings(src: Parameters<typeof analyze>[0], opts: Parameters<typeof analyze>[1] = {}): Promise<{ fs: Finding[]; run: ReturnType<typeof analyze> }> {
  const run = analyze(src, opts);
  const fs: Finding[] = [];
  for await (const f of run) fs.push(f);
  return { fs, run };
}

test('a generated pcap: planted beacons and multiband hosts are found, with the planted period', async (t) => {
  const { fs, run } = await findings(gen.pcap);
  t.is(run.stats().inputs.formats['pcap'], 1);
  t.is(run.stats().weirds.total, 0);
  for (const b of gen.truth.beacons) {
    const f = fs.find((x) => x.rule === 'beacon.score' && x.source.ip === b.host);
    t.truthy(f, `beacon ${b.host}`);
    t.true(Math.abs((f!.evidence['periodSeconds'] as number) / b.period - 1) < 0.1, `period ${f!.evidence['periodSeconds']}`);
    t.deepEqual(f!.destination.domain, [b.name], 'named by the HTTP Host header');
  }
  for (const m of gen.truth.multiband) {
    const rules = new Set(fs.filter((x) => x.source.ip === m.host).map((x) => x.rule));
    for (const r of ['multiband.sequence', 'multiband.timeslice', 'multiband.score']) t.true(rules.has(r), `${m.host} ${r}`);
  }
  const planted = new Set([...gen.truth.beacons.map((b) => b.host), ...gen.truth.multiband.map((m) => m.host)]);
  const others = fs.filter((f) => !planted.has(f.source.ip) && f.severity !== 'low');
  t.deepEqual(others.map((f) => `${f.rule} ${f.source.ip} ${f.score}`), [], 'no medium/high finding for the background hosts');
});

test('gzip, chunked streams and readFlows give the same flows', async (t) => {
  const count = async (src: Parameters<typeof readFlows>[0]) => {
    let flows = 0;
    let dns = 0;
    for await (const r of readFlows(src)) {
      if (r.kind === 'flow') flows++;
      else if (r.kind === 'dns') dns++;
    }
    return [flows, dns];
  };
  async function* chunks(b: Uint8Array, n: number) {
    for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
  }
  const ref = await count(gen.pcap);
  t.true(ref[0]! > 1000 && ref[1]! > 100, JSON.stringify(ref));
  t.deepEqual(await count(gzipSync(gen.pcap)), ref);
  t.deepEqual(await count(chunks(gen.pcap, 65_521)), ref);
});

test('files are read in 1 MiB chunks through one reused buffer: records cut at every chunk edge come out whole', async (t) => {
  // 12 MB of pcap (12 chunk edges inside records), the same gzipped (fresh buffers for zlib), and a
  // conn.log of its flows (lines cut at the edges): every record equals the one read from memory.
  const dir = tempDir(t, 'c2w-chunks-');
  const all = async (src: Parameters<typeof readFlows>[0]) => {
    const out: string[] = [];
    for await (const r of readFlows(src)) out.push(JSON.stringify(r));
    return out;
  };
  const pcapFile = join(dir, 'g.pcap');
  writeFileSync(pcapFile, gen.pcap);
  const gzFile = join(dir, 'g.pcap.gz');
  writeFileSync(gzFile, gzipSync(gen.pcap));
  const ref = await all(gen.pcap);
  t.true(gen.pcap.length > 10 * 2 ** 20);
  t.deepEqual(await all(pcapFile), ref);
  t.deepEqual(await all(gzFile), ref);
  let conn = '';
  await main(['flows', pcapFile], { stdout: { write: (s: string) => ((conn += s), true) } as never, stderr: { write: () => true } as never });
  // Its rows six times over: ~3 MB, so lines are cut at two chunk edges.
  const lines = conn.split('\n');
  const rows = lines.filter((l) => l !== '' && !l.startsWith('#')).join('\n') + '\n';
  conn = lines.filter((l) => l.startsWith('#') && !l.startsWith('#close')).join('\n') + '\n' + rows.repeat(6);
  const connFile = join(dir, 'conn.log');
  writeFileSync(connFile, conn);
  t.true(conn.length > 2 * 2 ** 20, `${conn.length} bytes of conn.log`);
  const fromMemory = await all(Buffer.from(conn));
  t.true(fromMemory.length > 1000);
  t.deepEqual((await all(connFile)).map((r) => r.replace(/"source":"[^"]*"/, '')), fromMemory.map((r) => r.replace(/"source":"[^"]*"/, '')));
});

test('c2watch flows writes conn.log and dns.log rows, TSV with a Zeek header or NDJSON', async (t) => {
  const dir = tempDir(t, 'c2w-flows-');
  const file = join(dir, 'g.pcap');
  writeFileSync(file, gen.pcap);
  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(['flows', ...args], { stdout: { write: (s: string) => ((out += s), true) } as never, stderr: { write: (s: string) => ((err += s), true) } as never });
    return { code, out, err };
  };
  const tsv = await run(file);
  t.is(tsv.code, 0, tsv.err);
  const lines = tsv.out.split('\n');
  t.is(lines[0], '#separator \\x09');
  t.true(lines.some((l) => l.startsWith('#fields\tts\tuid\tid.orig_h')));
  t.true(lines.at(-2)!.startsWith('#close'));
  const rows = lines.filter((l) => l !== '' && !l.startsWith('#'));
  t.true(rows.every((r) => r.split('\t').length === 21));
  t.true(rows.some((r) => r.includes('\tSF\t') && r.includes('\tShADdFf\t')), 'Zeek-style history of a clean TCP session');
  const nd = await run('--output', 'ndjson', '--log', 'dns', file);
  t.is(nd.code, 0);
  const first = JSON.parse(nd.out.split('\n')[0]!) as Record<string, unknown>;
  t.truthy(first['query']);
  t.is(typeof first['id.orig_h'], 'string');
  t.is((await run('--log', 'http', file)).code, 2);
});

test('NetFlow v9 and IPFIX export captures are recognised and analysed', async (t) => {
  const v9 = join(SAMPLES, 'netflow/export-v9.pcap');
  if (!existsSync(v9)) {
    t.log('samples/netflow absent');
    t.pass();
    return;
  }
  for (const f of ['export-v9.pcap', 'export-ipfix.pcap']) {
    const { fs, run } = await findings(join(SAMPLES, 'netflow', f));
    t.is(run.stats().inputs.formats['netflow'], 1, f);
    t.true(fs.some((x) => x.rule === 'beacon.score' && x.source.ip === '10.1.0.50'), f);
  }
});

test('the Stratosphere C&C capture: a beacon every ~2.2 s to testing.com is found', async (t) => {
  const file = join(CORPUS, 'pcap/stratosphere/test-cc-capture-1.pcap');
  if (!HAVE_CORPUS || !existsSync(file)) {
    t.log('corpus absent');
    t.pass();
    return;
  }
  const { fs } = await findings(file, { localNets: ['147.32.0.0/16'] });
  const b = fs.find((f) => f.rule === 'beacon.score');
  t.truthy(b);
  t.is(b!.source.ip, '147.32.80.37');
  t.deepEqual(b!.destination.domain, ['testing.com']);
  t.true(Math.abs((b!.evidence['periodSeconds'] as number) - 2.2) < 0.1);
  t.is(b!.severity, 'high');
});

test('an nfcapd file is read through nfdump', async (t) => {
  const file = join(CORPUS, 'netflow/test1-malicious.nfdump');
  let haveNfdump = true;
  try {
    execFileSync('nfdump', ['-V'], { stdio: 'ignore' });
  } catch {
    haveNfdump = false;
  }
  if (!HAVE_CORPUS || !existsSync(file) || !haveNfdump) {
    t.log('corpus or nfdump absent');
    t.pass();
    return;
  }
  const flows: number[] = [0];
  const reading = readFlows(file);
  for await (const r of reading) if (r.kind === 'flow') flows[0]!++;
  t.is(reading.stats().inputs.formats['nfdump'], 1);
  t.is(flows[0], 2398, 'the 4593 unidirectional records pair into 2398 flows');
  // nfdump CSV from the same file, through the CSV path.
  const csv = execFileSync('nfdump', ['-r', file, '-o', 'csv'], { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 << 20 });
  let n = 0;
  for await (const r of readFlows(new Uint8Array(csv))) if (r.kind === 'flow') n++;
  t.is(n, 2398);
  t.is(readFileSync(file).subarray(0, 2).length, 2);
});

test('a pcap with many flows open at its end: the flow table is flushed in steps, so no batch holds them all', async (t) => {
  const parts: Uint8Array[] = [];
  generateTraffic({ seed: 5, bytes: 3e6, concurrency: 20_000, hosts: 300 }, (c) => parts.push(c));
  const reader = new RecordReader([Buffer.concat(parts)], {}, new WeirdCounter());
  let largest = 0;
  let flows = 0;
  for await (const batch of reader.batches()) {
    largest = Math.max(largest, batch.length);
    for (const r of batch) if (r.kind === 'flow') flows++;
  }
  t.true(flows > 15_000, `flows ${flows}`);
  // A step is 4096 flows plus their DNS and name records; before, the last batch held every open flow.
  t.true(largest < 13_000, `largest batch ${largest}`);
});
