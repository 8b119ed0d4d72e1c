// `c2watch bench`: functional only — the report's fields are there, --json parses, the exit codes
// hold, peers run or are reported as skipped. Never a timing assertion: numbers are for people.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTraffic } from '../../bench/gen/traffic.js';
import type { BenchReport } from '../../lib/cli/bench.js';
import { cli } from '../helpers/cli.js';
import { SAMPLES } from '../helpers/paths.js';


// A tiny generated capture with planted C2 (about 1 MB).
const dir = mkdtempSync(join(tmpdir(), 'c2w-bench-test-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const PCAP = join(dir, 'tiny.pcap');
const chunks: Uint8Array[] = [];
const truth = generateTraffic({ seed: 3, bytes: 1e6, rate: 100, concurrency: 200, hosts: 50, beacons: { count: 1, period: 2, jitter: 0.1 }, multiband: { count: 1, every: 2 } }, (c) => void chunks.push(c));
writeFileSync(PCAP, Buffer.concat(chunks));

const have = (cmd: string, arg: string): boolean => spawnSync(cmd, [arg], { stdio: 'ignore', timeout: 10_000 }).error === undefined;

test('bench prints throughput, memory, stages, inputs, hosts and findings for a pcap', async (t) => {
  const { code, out, err } = await cli('bench', PCAP);
  t.is(code, 0, err);
  for (const field of ['machine', 'cache', 'timing', 'packets/s', 'MB/s', 'flows/s', 'peak RSS', 'peak heap', 'read+decode+flows', 'correlate+detect', 'gc', 'findings', 'hosts', 'load average']) {
    t.true(out.includes(field), field);
  }
  t.true(out.includes(`packets ${truth.packets}`), 'every packet of the capture counted');
});

test('bench --json gives one object with the run, the machine and the summary', async (t) => {
  const { code, out, err } = await cli('bench', '--json', PCAP);
  t.is(code, 0, err);
  const r = JSON.parse(out) as BenchReport;
  t.is(r.tool, 'c2watch bench');
  t.is(r.format, 'pcap');
  t.is(r.mode, 'in-process');
  t.is(r.c2watch.runs.length, 1);
  const run = r.c2watch.runs[0]!;
  t.is(run.packets, truth.packets);
  t.is(run.bytes, truth.bytes);
  t.true(run.flows > 0 && run.dns > 0);
  t.true(run.maxRssBytes > 0 && run.peakHeapUsedBytes > 0);
  t.true(run.wallSeconds > 0);
  for (const k of ['readSeconds', 'engineSeconds', 'otherSeconds', 'gcSeconds'] as const) t.true(run.stages[k] >= 0, k);
  t.true(run.samples.length >= 1);
  t.is(run.liveHeap, undefined, 'no forced GC unless asked');
  t.true(run.stateAtEnd.hostsActive > 0 && run.stateAtEnd.answersHeld >= 0 && typeof run.stateAtEnd.rules === 'object');
  t.true(run.findings.total >= 1, 'the planted multiband host is found');
  t.is(run.findings.total, Object.values(run.findings.byRule).reduce((a, b) => a + b, 0));
  t.true(r.c2watch.summary.packetsPerSecond > 0 && r.c2watch.summary.megabytesPerSecond > 0);
  t.true(r.machine.cores >= 1 && r.machine.memoryBytes > 0 && r.machine.loadAverage.length === 3);
  t.is(r.cache.mode, 'warm');
  t.deepEqual(r.peers, []);
});

test('bench --live-heap records the heap after forced full GCs, up to the end of input', async (t) => {
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    const { code, err } = await cli('bench', '--live-heap', PCAP);
    t.is(code, 2, 'without --expose-gc it is a usage error');
    t.regex(err, /--expose-gc/);
    return;
  }
  const { code, out, err } = await cli('bench', '--json', '--live-heap', PCAP);
  t.is(code, 0, err);
  const run = (JSON.parse(out) as BenchReport).c2watch.runs[0]!;
  t.true((run.liveHeap?.length ?? 0) >= 1);
  t.true(run.liveHeap!.every(([s, bytes, heap]) => s >= 0 && bytes >= 0 && heap > 0));
});

test('bench reads Zeek logs too (lines, no packets)', async (t) => {
  const { code, out, err } = await cli('bench', '--json', join(SAMPLES, 'zeek-tsv'));
  t.is(code, 0, err);
  const r = JSON.parse(out) as BenchReport;
  t.is(r.format, 'zeek');
  const run = r.c2watch.runs[0]!;
  t.is(run.packets, 0);
  t.true(run.lines > 0 && run.flows > 0);
  t.true(run.findings.total > 0);
});

test('bench --repeat runs fresh processes and reports median and spread; --vs runs or skips each peer', async (t) => {
  const { code, out, err } = await cli('bench', '--json', '--repeat', '2', '--cache', 'asis', '--vs', 'tcpdump,softflowd', PCAP);
  t.is(code, 0, err);
  const r = JSON.parse(out) as BenchReport;
  t.is(r.mode, 'child processes');
  t.is(r.c2watch.runs.length, 2);
  t.is(r.c2watch.summary.runs, 2);
  t.true(r.c2watch.summary.minSeconds <= r.c2watch.summary.seconds && r.c2watch.summary.seconds <= r.c2watch.summary.maxSeconds);
  for (const run of r.c2watch.runs) {
    t.is(run.packets, truth.packets);
    t.true((run.processSeconds ?? 0) > 0);
  }
  t.deepEqual(r.peers.map((p) => p.name), ['tcpdump', 'softflowd']);
  for (const p of r.peers) {
    if (!p.available) {
      t.log(`${p.name} not installed: skipped`);
      t.truthy(p.skipped);
      t.is(p.runs.length, 0);
      continue;
    }
    t.is(p.runs.length, 2, p.name);
    t.true(p.command!.length > 1);
    t.true(p.runs.every((x) => x.error === undefined), JSON.stringify(p.runs));
    t.true(p.summary!.seconds > 0 && p.ratio! > 0, p.name);
  }
});

test('bench text report with a peer shows its ratio', async (t) => {
  if (!have('tcpdump', '--version')) {
    t.log('tcpdump not installed: skipped');
    t.pass();
    return;
  }
  const { code, out, err } = await cli('bench', '--vs', 'tcpdump', PCAP);
  t.is(code, 0, err);
  t.regex(out, /tcpdump .*-r .*tiny\.pcap -w \/dev\/null/);
  t.regex(out, /ratio +tcpdump time \/ c2watch time = [\d.]+/);
});

test('bench --cache cold drops the input from the page cache or says it could not', async (t) => {
  const { code, out, err } = await cli('bench', '--json', '--cache', 'cold', PCAP);
  t.is(code, 0, err);
  const r = JSON.parse(out) as BenchReport;
  t.is(r.cache.mode, 'cold');
  t.true(r.cache.method.length > 0);
});

test('bench: peers are skipped (not run) on inputs that are not one plain capture', async (t) => {
  const { code, out, err } = await cli('bench', '--json', '--vs', 'tcpdump', join(SAMPLES, 'zeek-tsv'));
  t.is(code, 0, err);
  const r = JSON.parse(out) as BenchReport;
  t.is(r.peers.length, 1);
  t.truthy(r.peers[0]!.skipped);
  t.is(r.peers[0]!.runs.length, 0);
});

test('bench exit codes: 2 for bad options and unreadable inputs, 0 for --help', async (t) => {
  t.is((await cli('bench', '--help')).code, 0);
  t.true((await cli('bench', '--help')).out.includes('--vs'));
  for (const args of [
    [],
    ['--no-such-option', PCAP],
    ['--repeat', '0', PCAP],
    ['--repeat', 'x', PCAP],
    ['--vs', 'wireshark9', PCAP],
    ['--cache', 'lukewarm', PCAP],
    ['--rules', 'no.such.rule', PCAP],
    ['--format', 'csv', PCAP],
    [join(dir, 'missing.pcap')],
    ['--repeat', '2', '-'],
  ]) {
    const { code, err } = await cli('bench', ...args);
    t.is(code, 2, args.join(' '));
    t.regex(err, /^c2watch bench: /, args.join(' '));
  }
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, Buffer.from('\x00\x01\x02\x03 not a capture or a log'));
  const { code, err } = await cli('bench', junk);
  t.is(code, 2, 'an input of unknown format is an unreadable input');
  t.regex(err, /cannot tell the format/);
});

test('c2watch --help lists bench', async (t) => {
  const { out } = await cli('--help');
  t.true(out.includes('c2watch bench'));
});
