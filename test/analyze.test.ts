import test from 'ava';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyze } from '../lib/analyze.js';
import type { Finding } from '../lib/model.js';
import { toNdjsonLine } from '../lib/sinks/ndjson.js';
import { SAMPLES } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

interface Truth {
  host: string;
  expect: string[];
  folder: string;
}
const truth = JSON.parse(readFileSync(join(SAMPLES, 'truth.json'), 'utf8')) as Truth[];

async function collect(src: Parameters<typeof analyze>[0], opts: Parameters<typeof analyze>[1] = {}): Promise<Finding[]> {
  const out: Finding[] = [];
  for await (const f of analyze(src, opts)) out.push(f);
  return out;
}

function rulesByHost(fs: Finding[]): Map<string, string[]> {
  const m = new Map<string, Set<string>>();
  for (const f of fs) {
    let s = m.get(f.source.ip);
    if (!s) m.set(f.source.ip, (s = new Set()));
    s.add(f.rule);
  }
  return new Map([...m].map(([k, v]) => [k, [...v].sort()]));
}

for (const dir of ['zeek-tsv', 'zeek-json']) {
  test(`samples/${dir}: every seed scenario fires its rules, benign hosts nothing`, async (t) => {
    const got = rulesByHost(await collect(join(SAMPLES, dir)));
    for (const h of truth.filter((x) => x.folder.includes(dir))) {
      t.deepEqual(got.get(h.host) ?? [], [...h.expect].sort(), `${h.host}`);
    }
    for (const host of got.keys()) t.truthy(truth.find((x) => x.host === host && x.expect.length > 0), `unexpected findings for ${host}`);
  });
}

test('samples/zeek-public-resolver: the seed rules fire on a browser using 1.1.1.1, the score does not', async (t) => {
  const got = rulesByHost(await collect(join(SAMPLES, 'zeek-public-resolver')));
  t.deepEqual(got.get('10.1.0.35'), ['multiband.sequence', 'multiband.timeslice']);
  // beacon.runs (off by default) is a seed too: 25 DNS flows to 1.1.1.1 in a day, reported with a low beacon score
  const all = rulesByHost(await collect(join(SAMPLES, 'zeek-public-resolver'), { rules: ['all'] }));
  t.deepEqual(all.get('10.1.0.35'), ['beacon.runs', 'multiband.sequence', 'multiband.timeslice']);
});

test('TSV and JSON samples give the same findings', async (t) => {
  const a = (await collect(join(SAMPLES, 'zeek-tsv'))).map(toNdjsonLine);
  const b = (await collect(join(SAMPLES, 'zeek-json'))).map(toNdjsonLine);
  t.deepEqual(a, b);
});

test('golden: samples/zeek-tsv findings are unchanged (UPDATE_GOLDEN=1 rewrites)', async (t) => {
  const got = (await collect(join(SAMPLES, 'zeek-tsv'))).map((f) => toNdjsonLine(f) + '\n').join('');
  const file = join(SAMPLES, 'expected', 'zeek-tsv.ndjson');
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(join(SAMPLES, 'expected'), { recursive: true });
    writeFileSync(file, got);
  }
  t.is(got, readFileSync(file, 'utf8'));
});

test('buffers, async iterables and gzip give the same findings as files', async (t) => {
  const conn = readFileSync(join(SAMPLES, 'zeek-tsv/conn.log'));
  const dns = readFileSync(join(SAMPLES, 'zeek-tsv/dns.log'));
  const ref = (await collect(join(SAMPLES, 'zeek-tsv'))).map(toNdjsonLine);
  async function* chunks(b: Uint8Array, n: number) {
    for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
  }
  const fromBuffers = (await collect([new Uint8Array(conn), gzipSync(dns)])).map(toNdjsonLine);
  t.deepEqual(fromBuffers, ref);
  const fromStreams = (await collect([chunks(gzipSync(conn), 777), chunks(dns, 1000)])).map(toNdjsonLine);
  t.deepEqual(fromStreams, ref);
});

test('a directory of rotated, gzipped logs reads in time order', async (t) => {
  const dir = tempDir(t, 'c2w-rot-');
  for (const kind of ['conn', 'dns']) {
    const text = readFileSync(join(SAMPLES, `zeek-tsv/${kind}.log`), 'utf8');
    const lines = text.split('\n');
    const header = lines.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
    const rows = lines.filter((l) => l !== '' && !l.startsWith('#'));
    const half = Math.floor(rows.length / 2);
    // rotated halves, plus the live file name for nothing (empty log with a header)
    writeFileSync(join(dir, `${kind}.09:00:00-10:00:00.log.gz`), gzipSync([...header, ...rows.slice(0, half), ''].join('\n')));
    writeFileSync(join(dir, `${kind}.10:00:00-11:00:00.log.gz`), gzipSync([...header, ...rows.slice(half), ''].join('\n')));
  }
  writeFileSync(join(dir, 'http.log'), '#path\thttp\n');
  const got = rulesByHost(await collect(dir));
  const ref = rulesByHost(await collect(join(SAMPLES, 'zeek-tsv')));
  t.deepEqual(got, ref);
});

test('stats count records, weirds and findings', async (t) => {
  const run = analyze(join(SAMPLES, 'zeek-tsv'));
  let n = 0;
  for await (const _ of run) n++;
  const s = run.stats();
  t.is(s.inputs.files, 2);
  t.true(s.engine.flows > 500);
  t.true(s.engine.dns > 100);
  t.is(s.weirds.total, 0);
  t.is(Object.values(s.engine.findings).reduce((a, b) => a + b, 0), n);
});

test('damaged lines are weirds with file and line, and the stream goes on', async (t) => {
  const text = readFileSync(join(SAMPLES, 'zeek-tsv/conn.log'), 'utf8').split('\n');
  text.splice(20, 0, 'this line is not a conn.log row');
  text.splice(40, 0, '1793610000.0\tCbroken');
  const dir = tempDir(t, 'c2w-bad-');
  writeFileSync(join(dir, 'conn.log'), text.join('\n'));
  writeFileSync(join(dir, 'dns.log'), readFileSync(join(SAMPLES, 'zeek-tsv/dns.log')));
  const run = analyze(dir);
  const fs: Finding[] = [];
  for await (const f of run) fs.push(f);
  const s = run.stats();
  t.is(s.weirds.total, 2);
  t.is(s.weirds.samples[0]!.file, join(dir, 'conn.log'));
  t.is(s.weirds.samples[0]!.line, 21);
  t.deepEqual(rulesByHost(fs), rulesByHost(await collect(join(SAMPLES, 'zeek-tsv'))));
});

test('a truncated gzip file is a weird, not a crash, and what came before it counts', async (t) => {
  const dir = tempDir(t, 'c2w-gz-');
  const gz = gzipSync(readFileSync(join(SAMPLES, 'zeek-tsv/conn.log')));
  writeFileSync(join(dir, 'conn.log.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  const run = analyze(dir);
  for await (const _ of run);
  const s = run.stats();
  t.true(s.engine.flows > 100);
  t.true((s.weirds.byKind['gzip_damaged'] ?? 0) === 1, JSON.stringify(s.weirds.byKind));
});

test('unusable input throws with a stable code', async (t) => {
  const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
  await t.throwsAsync(collect(gif), { code: 'C2W_ERR_UNKNOWN_FORMAT' } as never);
  const badPcap = new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 9, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
  await t.throwsAsync(collect(badPcap, { format: 'pcap' }), { code: 'C2W_ERR_UNSUPPORTED_VERSION' } as never);
  await t.throwsAsync(collect('/nonexistent/c2watch'), { code: 'C2W_ERR_SOURCE' } as never);
  t.throws(() => analyze('x', { format: 'pcapx' as never }), { code: 'C2W_ERR_INVALID_OPTION' } as never);
});
