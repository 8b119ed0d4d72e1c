/**
 * `npm run bench:report`: regenerate bench/RESULTS.md — the micro-benchmarks
 * (`npm run bench:micro`), `c2watch bench` against every installed peer on
 * one generated pcap (warm and cold page cache) and on the Zeek logs of the
 * same traffic, and, when asked, the scaling runs and the 1M-sources run.
 *
 *   npm run bench:report                                   # micro + peers at 500 MB (a few minutes)
 *   npm run bench:report -- --scale 1,2,4,8 --sources 1000000   # + the big runs
 *   npm run bench:report -- --only scale --scale 1,2,4     # one section; the others are kept as they were
 *
 * Options (or environment): --size (C2W_BENCH_SIZE, default 500MB) the peers'
 * pcap; --repeat (C2W_BENCH_REPEAT, default 3) runs per contender;
 * --scale (C2W_BENCH_SCALE) GB list; --sources (C2W_BENCH_SOURCES) distinct
 * sources; --concurrency (C2W_BENCH_CONCURRENCY, default 500000) the
 * concurrent sessions of the second peers run; --only
 * micro,peers,concurrent,zeek,scale,sources; --dir (default the OS temp
 * dir) where generated inputs go (never the repository; deleted afterwards).
 *
 * A section not run this time is carried over from the previous RESULTS.md
 * unchanged, with the date it was measured. Nothing here asserts on time.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { closeSync, openSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchReport, PeerResult, Summary } from '../lib/cli/bench.js';
import { bench, c2watchCli, generate, mib, ROOT, rssAt, run, shown, si } from './e2e/common.js';

const { values: v } = parseArgs({
  options: {
    size: { type: 'string', default: process.env['C2W_BENCH_SIZE'] ?? '500MB' },
    repeat: { type: 'string', default: process.env['C2W_BENCH_REPEAT'] ?? '3' },
    scale: { type: 'string', default: process.env['C2W_BENCH_SCALE'] ?? '' },
    'scale-rates': { type: 'string', default: process.env['C2W_BENCH_SCALE_RATES'] ?? '20000,2000' },
    sources: { type: 'string', default: process.env['C2W_BENCH_SOURCES'] ?? '' },
    concurrency: { type: 'string', default: process.env['C2W_BENCH_CONCURRENCY'] ?? '500000' },
    only: { type: 'string', default: '' },
    dir: { type: 'string', default: tmpdir() },
    out: { type: 'string', default: join(ROOT, 'bench/RESULTS.md') },
  },
});

const only = new Set(v.only!.split(',').filter((s) => s !== ''));
const want = (s: string): boolean => (only.size === 0 ? s === 'micro' || s === 'peers' || s === 'concurrent' || s === 'zeek' || (s === 'scale' && v.scale !== '') || (s === 'sources' && v.sources !== '') : only.has(s));
const repeat = v.repeat!;
const work = mkdtempSync(join(v.dir!, 'c2watch-report-'));
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const log = (s: string): void => void process.stderr.write(`[bench:report] ${s}\n`);

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

// ---- previous file: sections to carry over --------------------------------------------------------

const previous = existsSync(v.out!) ? readFileSync(v.out!, 'utf8') : '';
function carried(name: string): string | undefined {
  const m = new RegExp(`<!-- begin:${name} -->\\n([\\s\\S]*?)<!-- end:${name} -->`).exec(previous);
  return m?.[1];
}
const sections = new Map<string, string>();
const section = (name: string, body: string): void => void sections.set(name, body);

// ---- build ----------------------------------------------------------------------------------------

log('building dist/ (npm run build) so c2watch runs as users run it');
const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
const cli = c2watchCli();
const buildNote = build.status === 0 && cli.built ? 'c2watch ran from the built CLI (`node dist/cli/bin.js`).' : 'the build failed: c2watch ran through tsx (slower start-up, counted in whole-process times).';

const cpu = cpus();
const peerVersions = ['tcpdump --version', 'nfpcapd -V', 'softflowd -h', 'tshark --version']
  .map((c) => {
    const [bin, ...args] = c.split(' ');
    const r = spawnSync(bin!, args, { encoding: 'utf8' });
    if (r.error !== undefined) return `${bin} not installed`;
    const m = /(\d+\.\d+(?:\.\d+)?)/.exec(`${r.stdout}\n${r.stderr}`);
    return `${bin} ${m?.[1] ?? '?'}`;
  })
  .join(', ');
const commit = `${sh('git', ['rev-parse', '--short', 'HEAD'])}${sh('git', ['status', '--porcelain', '--', 'lib']) !== '' ? ' + uncommitted changes in lib/' : ''}`;
const machine = [
  `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'} (\`/proc/cpuinfo\` model name), ${cpu.length} cores as seen by the OS`,
  `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Linux ${release()}; node ${process.version}`,
  `- peers: ${peerVersions}`,
  `- c2watch: commit ${commit}; ${buildNote}`,
  '- the machine is shared with other jobs: the load average is given with every measurement; on 2 cores a load above 1 means the runs competed for CPU.',
].join('\n');

// ---- micro ----------------------------------------------------------------------------------------

if (want('micro')) {
  log('micro-benchmarks (npm run bench:micro): several minutes');
  const l0 = load();
  const t0 = now();
  const out = await run([process.execPath, '--import', 'tsx', join(ROOT, 'bench/run.ts')]).catch((e: Error) => `FAILED: ${e.message}`);
  section(
    'micro',
    `Measured ${t0}, load average ${l0} at the start, ${load()} at the end. Command: \`npm run bench:micro\` (each \`bench/**/*.bench.ts\` in its own process; rates from the median run, min–max beside it).\n\n\`\`\`\n${out.trim()}\n\`\`\`\n`,
  );
}

// ---- peers ----------------------------------------------------------------------------------------

function ratioText(p: PeerResult): string {
  if (p.ratio === undefined) return '-';
  const r = p.ratio;
  const paired = p.ratioMin !== undefined && p.runs.length > 1 ? ` (${p.ratioMin.toFixed(2)}–${p.ratioMax!.toFixed(2)})` : '';
  return `${r.toFixed(2)}${paired}: c2watch ${r >= 1 ? `${r.toFixed(2)}× as fast` : `${(1 / r).toFixed(2)}× slower`}`;
}

function row(name: string, s: Summary, packets: number, extra: string): string {
  const spread = s.runs > 1 ? `${s.minSeconds.toFixed(2)}–${s.maxSeconds.toFixed(2)}` : '-';
  return `| ${name} | ${s.seconds.toFixed(2)} s | ${spread} | ${packets > 0 ? si(s.packetsPerSecond) : '-'} | ${s.megabytesPerSecond.toFixed(1)} | ${mib(s.maxRssBytes)} | ${s.cpuSeconds === undefined ? '-' : `${s.cpuSeconds.toFixed(2)} s`} | ${extra} |`;
}

function peerTable(r: BenchReport): string {
  const first = r.c2watch.runs[0]!;
  const L = [
    '| tool | median time | min–max | packets/s | MB/s | peak RSS | CPU (median) | peer time ÷ c2watch time (paired runs) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('c2watch', r.c2watch.summary, first.packets, '1'),
  ];
  for (const p of r.peers) {
    if (p.summary === undefined) L.push(`| ${p.name} | ${p.skipped ?? p.runs.map((x) => x.error).join('; ')} | | | | | | |`);
    else L.push(row(`${p.name} ${p.version ?? ''}`, p.summary, first.packets, ratioText(p)));
  }
  return L.join('\n');
}

function c2watchDetail(r: BenchReport): string {
  const runs = r.c2watch.runs;
  const med = (f: (x: (typeof runs)[number]) => number): number => {
    const s = runs.map(f).sort((a, b) => a - b);
    return s[s.length >> 1]!;
  };
  const first = runs[0]!;
  const res = runs.map((x) => x.cacheResident).filter((x): x is number => x !== undefined);
  return [
    `- input: ${first.packets} packets, ${(first.bytes / 1e6).toFixed(1)} MB, ${first.flows} flows, ${first.dns} DNS transactions, ${first.names} server names; ${first.hosts.created} internal hosts; findings ${first.findings.total} (${Object.entries(first.findings.byRule).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})`,
    `- c2watch inside its process (median of ${runs.length}): analysis ${med((x) => x.wallSeconds).toFixed(2)} s = read+decode+flows ${med((x) => x.stages.readSeconds).toFixed(2)} s + correlate+detect ${med((x) => x.stages.engineSeconds).toFixed(2)} s (+ ${med((x) => x.stages.otherSeconds).toFixed(2)} s other); GC pauses ${med((x) => x.stages.gcSeconds).toFixed(2)} s within those; the rest of the whole-process time is node start-up and module loading; peak heap ${mib(Math.max(...runs.map((x) => x.peakHeapUsedBytes)))}`,
    `- page cache: ${r.cache.mode} (${r.cache.method})${res.length > 0 ? `; input resident before the runs: ${Math.round(100 * Math.min(...res))}–${Math.round(100 * Math.max(...res))} % (fincore)` : ''}`,
    `- load average when the report was written: ${r.machine.loadAverage.join(' ')}`,
  ].join('\n');
}

const peerWhat = (r: BenchReport): string =>
  r.peers
    .filter((p) => p.command !== undefined)
    .map((p) => `- **${p.name}** \`${p.command!.join(' ').replaceAll(work, '$DIR')}\`: ${p.what}.`)
    .join('\n');

let pcap: string | undefined;
if (want('peers') || want('zeek')) {
  pcap = join(work, `c2watch-peers-${v.size}.pcap`);
  log(`generating ${v.size} pcap in ${work}`);
  await generate(pcap, v.size!);
}

if (want('peers')) {
  const t0 = now();
  const warmArgs = ['--vs', 'all', '--repeat', repeat, pcap!.replace(work, '$DIR')];
  log(`c2watch bench ${warmArgs.join(' ')} (warm cache)`);
  const warm = await bench(['--vs', 'all', '--repeat', repeat, pcap!]);
  const coldArgs = ['--vs', 'all', '--repeat', '2', '--cache', 'cold', pcap!];
  log(`c2watch bench ${coldArgs.join(' ')} (cold cache)`);
  const cold = await bench(coldArgs);
  const first = warm.c2watch.runs[0]!;
  const ws = warm.c2watch.summary;
  const inShort = `c2watch ${si(ws.packetsPerSecond)} packets/s, ${ws.megabytesPerSecond.toFixed(1)} MB/s, ${si(first.flows / ws.seconds)} flows/s, peak RSS ${mib(ws.maxRssBytes)} on a ${v.size} pcap (warm cache, median of ${ws.runs}, whole process); peer time ÷ c2watch time: ${warm.peers
    .map((p) => `${p.name} ${p.ratio === undefined ? (p.skipped ?? 'failed') : p.ratio.toFixed(2)}`)
    .join(', ')}; cold cache: c2watch ${si(cold.c2watch.summary.packetsPerSecond)} packets/s${cold.peers
    .filter((p) => p.ratio !== undefined)
    .map((p) => `, ${p.name} ${p.ratio!.toFixed(2)}`)
    .join('')}.`;
  section(
    'peers',
    [
      `**In short:** ${inShort}`,
      '',
      `Measured ${t0}. Input: a ${v.size} pcap from \`node --import tsx bench/gen/gen.ts --out $DIR/c2watch-peers-${v.size}.pcap --size ${v.size} --seed 1 --beacons 5 --multiband 3\` (5000 concurrent sessions, 2000 hosts, 10 % IPv6, 10 % VLAN-tagged, DNS, TLS with SNI, HTTP). Packets are the capture records c2watch's pcap reader counted (${first.packets}); every tool's packets/s divides that count by its own time. Times are whole-process wall times, start to exit, each run a fresh process, contenders alternating (round r starts with contender r); CPU and peak RSS from GNU time.`,
      '',
      `### Warm page cache (\`${shown(warmArgs)}\`)`,
      '',
      peerTable(warm),
      '',
      c2watchDetail(warm),
      '',
      `### Cold page cache (\`${shown(['--vs', 'all', '--repeat', '2', '--cache', 'cold', '$DIR/c2watch-peers-' + v.size + '.pcap'])}\`)`,
      '',
      'Before every run of every tool the input\'s pages are dropped from the page cache (`dd iflag=nocache count=0` on the file, falling back to `/proc/sys/vm/drop_caches`), and `fincore` confirms it; the file is then read from the virtual disk.',
      '',
      peerTable(cold),
      '',
      c2watchDetail(cold),
      '',
      '### What each tool does with the file',
      '',
      '- **c2watch** reads the capture, decodes every packet (Ethernet, VLAN, IPv4/IPv6, TCP/UDP, tunnels), keeps a flow table with Zeek\'s connection semantics, parses DNS, TLS SNI and HTTP Host, and runs the correlator and every default rule; findings counted, not printed.',
      peerWhat(warm),
      '',
      'So tcpdump is a floor (the cost of reading the file), nfpcapd and softflowd are the nearest comparable work (packets to flows, in C), and tshark is the heavyweight dissector.',
    ].join('\n') + '\n',
  );
}

if (want('concurrent')) {
  // The same comparison with a flow table under pressure: many sessions open at once.
  const conc = v.concurrency!;
  const file = join(work, `c2watch-concurrent-${conc}-${v.size}.pcap`);
  log(`generating ${v.size} pcap with ${conc} concurrent sessions`);
  await generate(file, v.size!, ['--concurrency', conc]);
  const t0 = now();
  const vs = 'tcpdump,nfpcapd,softflowd';
  const args = ['--vs', vs, '--repeat', repeat, file];
  log(`c2watch bench ${args.join(' ')}`);
  const r = await bench(args);
  rmSync(file, { force: true });
  const first = r.c2watch.runs[0]!;
  const s = r.c2watch.summary;
  section(
    'concurrent',
    [
      `**In short:** with ${conc} concurrent sessions: c2watch ${si(s.packetsPerSecond)} packets/s, ${si(first.flows / s.seconds)} flows/s, peak RSS ${mib(s.maxRssBytes)}; peer time ÷ c2watch time: ${r.peers.map((p) => `${p.name} ${p.ratio === undefined ? (p.skipped ?? 'failed') : p.ratio.toFixed(2)}`).join(', ')}.`,
      '',
      `Measured ${t0}. Input: a ${v.size} pcap from \`node --import tsx bench/gen/gen.ts --out $DIR/c2watch-concurrent-${conc}-${v.size}.pcap --size ${v.size} --seed 1 --beacons 5 --multiband 3 --concurrency ${conc}\`: the mix of the section above with ${conc} sessions open at once, at ${4 * Number(conc)} packets/s of capture time (the generator's default for that many sessions, so a session's packets stay 0.25 s apart; ${v.size} is then ${(first.packets / (4 * Number(conc))).toFixed(1)} s of traffic, too short for the planted C2 to show). Command: \`${shown(['--vs', vs, '--repeat', repeat, '$DIR/c2watch-concurrent-' + conc + '-' + v.size + '.pcap'])}\`, warm cache. tshark is left out: at this many conversations it runs for many minutes.`,
      '',
      peerTable(r),
      '',
      c2watchDetail(r),
    ].join('\n') + '\n',
  );
}

if (want('zeek')) {
  // The same traffic as Zeek logs: c2watch flows writes conn.log and dns.log from the pcap.
  const zdir = join(work, 'zeek');
  spawnSync('mkdir', ['-p', zdir]);
  for (const [log_, file] of [['conn', 'conn.log'], ['dns', 'dns.log']] as const) {
    const fd = openSync(join(zdir, file), 'w');
    const r = spawnSync(cli.argv[0]!, [...cli.argv.slice(1), 'flows', '--log', log_, pcap!], { cwd: ROOT, stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    if (r.status !== 0) throw new Error(`c2watch flows --log ${log_} failed`);
  }
  const t0 = now();
  const args = ['--repeat', repeat, zdir];
  log(`c2watch bench ${args.join(' ')}`);
  const z = await bench(args);
  const first = z.c2watch.runs[0]!;
  const s = z.c2watch.summary;
  const bytes = z.totalBytes;
  section(
    'zeek',
    [
      `**In short:** Zeek logs at ${si(first.lines / s.seconds)} lines/s (${s.megabytesPerSecond.toFixed(1)} MB/s), peak RSS ${mib(s.maxRssBytes)}.`,
      '',
      `Measured ${t0}. Input: the Zeek conn.log and dns.log of the same traffic (written by \`c2watch flows --log conn|dns\` from the ${v.size} pcap): ${(bytes / 1e6).toFixed(1)} MB, ${first.lines} lines. Command: \`${shown(['--repeat', repeat, '$DIR/zeek'])}\`. No peer runs on Zeek logs.`,
      '',
      '| median time | min–max | lines/s | records/s | MB/s | peak RSS | peak heap |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| ${s.seconds.toFixed(2)} s | ${s.minSeconds.toFixed(2)}–${s.maxSeconds.toFixed(2)} | ${si(first.lines / s.seconds)} | ${si((first.flows + first.dns) / s.seconds)} | ${s.megabytesPerSecond.toFixed(1)} | ${mib(s.maxRssBytes)} | ${mib(Math.max(...z.c2watch.runs.map((x) => x.peakHeapUsedBytes)))} |`,
      '',
      c2watchDetail(z),
    ].join('\n') + '\n',
  );
}
if (pcap !== undefined) rmSync(pcap, { force: true });

// ---- scale ----------------------------------------------------------------------------------------

interface ScaleRow {
  gb: number;
  rate: number;
  command: string;
  report: BenchReport;
  live: BenchReport;
}
if (want('scale')) {
  const sizes = v.scale === '' ? '1,2,4' : v.scale!;
  const rates = v['scale-rates']!.split(',').filter((x) => x !== '');
  const t0 = now();
  const rows: ScaleRow[] = [];
  for (const rate of rates) {
    const json = join(work, `scale-${rate}.json`);
    log(`scaling runs: ${sizes} GB at ${rate} packets/s of capture time (each generated, analysed, deleted)`);
    await run([process.execPath, '--import', 'tsx', join(ROOT, 'bench/e2e/scale.ts'), '--sizes', sizes, '--rate', rate, '--dir', work, '--json', json]);
    rows.push(...(JSON.parse(readFileSync(json, 'utf8')) as ScaleRow[]));
  }
  const short = rates
    .map((rate) => {
      const rs = rows.filter((r) => r.rate === Number(rate)).map((r) => r.report.c2watch.runs[0]!);
      const pps = rs.map((x) => x.packets / x.wallSeconds);
      const rss = rs.map((x) => x.maxRssBytes);
      const live = rows.filter((r) => r.rate === Number(rate)).map((r) => rssAt(r.live.c2watch.runs[0]!.liveHeap ?? [], 1));
      return `at ${rate} packets/s of capture time, ${si(Math.min(...pps))}–${si(Math.max(...pps))} packets/s, peak RSS ${rss.map((x) => mib(x)).join(' → ')}, live heap at end of input ${live.map((x) => mib(x)).join(' → ')}`;
    })
    .join('; ');
  const L = [
    `**In short:** ${sizes} GB pcaps: ${short}.`,
    '',
    `Measured ${t0}. Command: \`node --import tsx bench/e2e/scale.ts --sizes ${sizes} --rate R\` for R in ${rates.join(', ')} — for each size, \`bench/gen/gen.ts --size N GB --rate R --seed 1 --beacons 5 --multiband 3\` then \`${shown(['$DIR/c2watch-scale-NGB-Rpps.pcap'])}\` (one run in-process, warm cache, default options), then the same with \`--live-heap\` under \`node --expose-gc\` (a full GC every 2 s and at end of input, before the final flush; the heap right after it is the live set). R is the generator's packets per second of capture time: it decides how much stream time the bytes span (at 20 000, 1 GB is 133 s of traffic; at 2 000, 1330 s), and so how far the engine's windows (600 s reorder window, 24 h beacon windows) get. RSS is sampled during the run; peak RSS is the kernel's maxrss; the state columns are the engine's counters at end of input, before the final flush.`,
    '',
    'Every table is bounded by default, per host and over all hosts: hosts (maxHosts 50 000), events waiting for the watermark (256 per host, maxEvents 262 144 in all), beacon pairs (512 per host, maxPairs 100 000 in all; destinations reached once wait in a fixed 8 MiB sightings table; ring slots maxRingSlots 4 194 304 in all), DNS answers (maxAnswers 1 000 000), query slots (maxQueries 1 048 576), waiting server names (maxNames 262 144), prevalence destinations (200 000), the flow table (maxFlows 1 000 000); with all of them full, the engine\'s live heap plus its typed-array buffers is the ceiling measured by bench/correlate/ceiling.bench.ts (micro-benchmarks section). Where the state columns still rise from one size to the next, the state is still filling toward those bounds: on this traffic, beacon pairs reach maxPairs near 4 GB, and DNS answers held follow the stream time the file spans (TTL plus grace). Once they are full the live heap stays flat. Peak RSS is about twice the live heap plus the flow table, buffers and code: the CLI lets V8\'s old generation grow to twice the live heap between full collections (`C2WATCH_HEAP_GROWTH`, default 100; 50 holds it tighter at a cost in GC time).',
    '',
    '| pcap | capture time | packets | time | packets/s | MB/s | flows/s | peak RSS | RSS at 25 / 50 / 75 / 100 % of the run | live heap at 25 / 50 / 75 / 100 % | hosts | DNS answers held | beacon pairs held | findings | load average |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const x = r.report.c2watch.runs[0]!;
    L.push(
      `| ${r.gb} GB | ${(x.packets / r.rate).toFixed(0)} s at ${r.rate}/s | ${si(x.packets)} | ${x.wallSeconds.toFixed(1)} s | ${si(x.packets / x.wallSeconds)} | ${(x.bytes / 1e6 / x.wallSeconds).toFixed(1)} | ${si(x.flows / x.wallSeconds)} | ${mib(x.maxRssBytes)} | ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(x.samples, f))).join(' / ')} | ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(r.live.c2watch.runs[0]!.liveHeap ?? [], f))).join(' / ')} | ${x.hosts.created} | ${x.stateAtEnd.answersHeld} | ${x.stateAtEnd.rules['beacon']?.['pairs'] ?? '-'} | ${x.findings.total} (${Object.entries(x.findings.byRule).map(([k, n]) => `${k.replace('multiband.', 'mb.')} ${n}`).join(', ')}) | ${r.report.machine.loadAverage.join(' ')} |`,
    );
  }
  section('scale', L.join('\n') + '\n');
}

// ---- sources --------------------------------------------------------------------------------------

interface SourcesOut {
  sources: number;
  runs: { maxHosts: string; command: string; report: BenchReport }[];
}
if (want('sources')) {
  const n = v.sources === '' ? '1000000' : v.sources!;
  const t0 = now();
  const json = join(work, 'sources.json');
  log(`${n} distinct sources (Zeek logs, default options and --max-hosts 10000)`);
  await run([process.execPath, '--import', 'tsx', join(ROOT, 'bench/e2e/sources.ts'), '--sources', n, '--dir', work, '--json', json]);
  const o = JSON.parse(readFileSync(json, 'utf8')) as SourcesOut;
  const L = [
    `**In short:** ${o.sources} distinct sources: ${o.runs
      .map((r) => {
        const x = r.report.c2watch.runs[0]!;
        return `${r.maxHosts === 'default' ? 'default options (maxHosts 50 000)' : `--max-hosts ${r.maxHosts}`}: peak RSS ${mib(x.maxRssBytes)}, peak heap ${mib(x.peakHeapUsedBytes)}, at most ${x.hosts.peakActive} hosts held, ${x.hosts.evicted} evicted`;
      })
      .join('; ')}.`,
    '',
    `Measured ${t0}. Command: \`node --import tsx bench/e2e/sources.ts --sources ${n}\` — a Zeek directory (conn.log + dns.log, ${2 * o.sources} conn rows, ${o.sources} DNS rows, two hours of stream time) with ${o.sources} distinct internal sources, each seen once (a DNS lookup, then HTTPS to the answer; one in 50 asks 8.8.8.8 a TXT question and goes direct to an address), then \`${shown(['$DIR/c2watch-sources-' + n])}\` with default options (maxHosts 50 000) and with \`--max-hosts 10000\`. Every source is a new host: past maxHosts each one evicts the least recently active (after it emits what it holds).`,
    '',
    '| max hosts | time | records/s | peak RSS | RSS at 25 / 50 / 75 / 100 % of the run | peak heap | hosts created | peak active | evicted | findings | load average |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of o.runs) {
    const x = r.report.c2watch.runs[0]!;
    L.push(
      `| ${r.maxHosts === 'default' ? '50 000 (default)' : r.maxHosts} | ${x.wallSeconds.toFixed(1)} s | ${si((x.flows + x.dns) / x.wallSeconds)} | ${mib(x.maxRssBytes)} | ${[0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(x.samples, f))).join(' / ')} | ${mib(x.peakHeapUsedBytes)} | ${x.hosts.created} | ${x.hosts.peakActive} | ${x.hosts.evicted} | ${x.findings.total} | ${r.report.machine.loadAverage.join(' ')} |`,
    );
  }
  section('sources', L.join('\n') + '\n');
}

rmSync(work, { recursive: true, force: true });

// ---- write ----------------------------------------------------------------------------------------

const TITLES: [string, string][] = [
  ['peers', 'c2watch against the peers, same file, same invocation'],
  ['concurrent', 'Many concurrent flows: the flow table under pressure'],
  ['zeek', 'Zeek logs'],
  ['scale', 'Scaling: 1, 2, 4 (and 8) GB pcaps'],
  ['sources', '1M distinct sources: the host bound'],
  ['micro', 'Micro-benchmarks'],
];
const parts = [
  '# c2watch benchmark results',
  '',
  'Generated by `npm run bench:report` (bench/report.ts); the big runs by `npm run bench:report -- --scale 1,2,4,8 --sources 1000000`. Every figure below comes from a command shown beside it, on the machine described here; the README quotes only figures from this file. Sections not rerun by the last invocation are kept as they were, with the date they were measured.',
  '',
  '## Machine',
  '',
  machine,
  `- this file written ${now()}, load average ${load()}`,
  '',
];
// The headline: each section's "In short" line, new or carried over.
const bodies = TITLES.map(([name, title]) => [name, title, sections.get(name) ?? carried(name)] as const);
const shorts = bodies.flatMap(([, title, body]) => {
  const m = body === undefined ? null : /^\*\*In short:\*\* (.*)$/m.exec(body);
  return m === null ? [] : [`- **${title}.** ${m[1]}`];
});
if (shorts.length > 0) parts.push('## Headline figures', '', ...shorts, '');
for (const [name, title] of TITLES) {
  const body = sections.get(name) ?? carried(name);
  if (body === undefined) continue;
  parts.push(`## ${title}`, '', `<!-- begin:${name} -->`, body.trimEnd(), `<!-- end:${name} -->`, '');
}
writeFileSync(v.out!, parts.join('\n'));
log(`wrote ${v.out}`);
