/**
 * `c2watch bench`: an end-to-end run over real inputs that reports what it
 * cost — packets/s, MB/s, flows/s, findings, peak RSS and heap, and the time
 * split between reading (I/O, pcap framing, packet decoding, the flow table,
 * DNS/TLS/HTTP parsing, the merge by time) and the engine (correlation and
 * every rule) — and, with `--vs`, the same numbers for other tools run on the
 * same file in the same invocation, alternating with c2watch, with ratios.
 *
 * Measuring: one run is the whole pipeline of `c2watch analyze` (the
 * RecordReader batches pushed into an Engine and drained, exactly as
 * {@link Analysis} does, with a clock read around each batch), findings
 * counted rather than printed. Peak RSS is the kernel's (getrusage maxrss);
 * the heap is sampled as the run goes. With one run and no peers the run is
 * measured in this process; with `--repeat` or `--vs` every run, c2watch's
 * included, is a fresh process (so each run's peak RSS is its own and each
 * starts cold, as a user's does), wrapped in GNU time where installed, and
 * the ratios compare whole-process wall times. Timing is never asserted on.
 *
 * @module
 */

import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { FORMATS } from '../analyze.js';
import type { Format } from '../analyze.js';
import { sniffCapture } from '../decode/pcap/format.js';
import { Engine } from '../engine.js';
import type { EngineOptions } from '../engine.js';
import { C2WatchError, InvalidOptionError } from '../errors.js';
import { RecordReader } from '../pipeline.js';
import type { ReadOptions } from '../pipeline.js';
import { expandInputs } from '../sources/files.js';
import type { InputFile } from '../sources/files.js';
import { WeirdCounter } from '../weird.js';

const VERSION = '0.1.0';

export const BENCH_HELP = `Usage:
  c2watch bench [options] <file.pcap|dir|conn.log|exports.pcap>...

Runs the whole analysis over the inputs (findings counted, not printed) and reports throughput
(packets/s, MB/s, flows/s), findings, peak RSS and heap, and the time split between reading
(I/O, capture framing, packet decoding, flow table, DNS/TLS/HTTP parsing) and the engine
(correlation and rules). With --vs, other tools run on the same capture in the same invocation,
alternating with c2watch, and the ratios are printed.

Options:
  --repeat <n>          runs of each contender (default 1); median and min-max are reported.
                        With n > 1 or --vs every run is a fresh process, c2watch's too
  --vs <list>           peers run on the same plain pcap/pcapng file: tcpdump, nfpcapd, softflowd,
                        tshark, or all; those not installed are reported as skipped
  --cache <mode>        warm (default: inputs read once before timing), cold (each input's pages
                        dropped from the page cache before every run), asis (left alone)
  --json                one JSON object on stdout instead of the text report
  --peer-timeout <s>    a peer run still going after this is killed and reported (default 1800)
  --format <f>          input format: ${FORMATS.join(' | ')} (default auto)
  --local-nets <list>   internal networks, as for analyze
  --rules <list>        rules to run, as for analyze (default all but beacon.runs)
  --max-hosts <n>       internal hosts tracked at once (default 50000)
  --reorder-window <s>  as for analyze (default 600)
  --max-pairs <n>       beacon destinations per host (default 512)
  --live-heap           every 2 s force a full GC and record the live heap (run node with --expose-gc;
                        the GC pauses are taken out of the times, but the runs are slower)
  --heap-snapshot <f>   write a V8 heap snapshot to <f> at end of input, before the final flush
                        (what the engine still holds; open it in Chrome DevTools → Memory)
  -h, --help            this help

Units: MB = 10^6 bytes of input read (compressed bytes for .gz); MiB = 2^20 bytes of memory;
packets = capture records read from pcap/pcapng; flows = flow records (conn.log rows) made.
Exit status: 0 when the runs completed (a peer that fails is reported, not fatal), 2 on a bad
option or unreadable input, 1 on an internal error.
`;

/** Analysis options the bench passes through (strings, as given on the command line). */
const PASS = ['format', 'local-nets', 'rules', 'max-hosts', 'reorder-window', 'max-pairs', 'live-heap', 'heap-snapshot'] as const;
type PassName = (typeof PASS)[number];

/** The peers `--vs` knows. */
export const PEER_NAMES = ['tcpdump', 'nfpcapd', 'softflowd', 'tshark'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** One measured c2watch run. */
export interface RunResult {
  /** Analysis wall time measured inside the process, seconds (process start-up excluded). */
  wallSeconds: number;
  /** Whole-process wall time measured by the parent (child runs only), seconds. */
  processSeconds?: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Peak resident set of the process (getrusage maxrss), bytes. */
  maxRssBytes: number;
  /** Highest V8 used-heap size sampled, bytes. */
  peakHeapUsedBytes: number;
  stages: {
    /** Waiting for the next batch: opening inputs, I/O, framing, decoding, flow table, app parsing, merge. */
    readSeconds: number;
    /** Pushing records into the engine, draining findings, flush. */
    engineSeconds: number;
    /** The rest: setting up the reader and engine, sampling. */
    otherSeconds: number;
    /** Garbage-collection pauses, overlapping the stages above. */
    gcSeconds: number;
  };
  bytes: number;
  packets: number;
  lines: number;
  flows: number;
  dns: number;
  names: number;
  formats: Record<string, number>;
  findings: { total: number; byRule: Record<string, number> };
  hosts: { created: number; evicted: number; expired: number; peakActive: number };
  /**
   * The engine's bounded state at end of input, before the final flush: what
   * the memory holds (hosts, DNS answers, prevalence destinations, each rule's own counters).
   */
  stateAtEnd: { hostsActive: number; eventsWaiting: number; querySlots: number; namesWaiting: number; answersHeld: number; answersEvicted: number; destinations: number; destinationsEvicted: number; rules: Record<string, Record<string, number>> };
  weirds: number;
  /** Resident share of the input files in the page cache just before the run (0–1; absent when unknown). */
  cacheResident?: number;
  /** (seconds, bytes read, RSS, heap used), at most 400 points spread over the run. */
  samples: [number, number, number, number][];
  /**
   * With `--live-heap` (node --expose-gc): (seconds, bytes read, heap used right after a full GC),
   * every 2 s and at end of input (before the final flush) — the live set, without the garbage V8
   * has not collected yet. Costs time.
   */
  liveHeap?: [number, number, number][];
}

/** One measured peer run. */
export interface PeerRun {
  wallSeconds: number;
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  maxRssBytes?: number;
  exitCode: number | null;
  error?: string;
  cacheResident?: number;
}

export interface Summary {
  runs: number;
  /** Median wall seconds (whole process for child runs and peers). */
  seconds: number;
  minSeconds: number;
  maxSeconds: number;
  packetsPerSecond: number;
  megabytesPerSecond: number;
  /** Highest peak RSS over the runs, bytes (absent when unknown). */
  maxRssBytes?: number;
  /** Median CPU (user + system) seconds. */
  cpuSeconds?: number;
}

export interface PeerResult {
  name: PeerName;
  available: boolean;
  version?: string;
  command?: string[];
  what: string;
  skipped?: string;
  runs: PeerRun[];
  summary?: Summary;
  /** c2watch's packets/s over the peer's (above 1: c2watch faster), from the medians. */
  ratio?: number;
  /** The same ratio per round (paired runs), lowest and highest. */
  ratioMin?: number;
  ratioMax?: number;
}

export interface BenchReport {
  tool: 'c2watch bench';
  version: string;
  inputs: { path: string; bytes: number }[];
  totalBytes: number;
  format: string;
  machine: { node: string; cpu: string; cores: number; memoryBytes: number; kernel: string; loadAverage: number[] };
  cache: { mode: 'warm' | 'cold' | 'asis'; method: string };
  repeat: number;
  mode: 'in-process' | 'child processes';
  timer: string;
  c2watch: { runs: RunResult[]; summary: Summary; internalSeconds: number };
  peers: PeerResult[];
  notes: string[];
}

class UsageError extends Error {}

// ---- measuring one run in this process ------------------------------------------------------------

interface MeasureOptions {
  format?: Format;
  /** Force a full GC every 2 s and record the heap after it (needs node --expose-gc). */
  liveHeap?: boolean;
  /** Write a heap snapshot here at end of input, before the flush. */
  heapSnapshot?: string;
  engine: Omit<EngineOptions, 'onFinding'>;
  localNets?: string[];
}

/** Run the whole analysis once over `inputs` in this process and measure it. */
export async function measureRun(inputs: readonly string[], o: MeasureOptions): Promise<RunResult> {
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0;
  const read: ReadOptions = { onProgress: (n) => void (bytes = n) };
  if (o.format !== undefined) read.format = o.format;
  if (o.localNets !== undefined) read.localNets = o.localNets;
  const weirds = new WeirdCounter();
  const reader = new RecordReader(inputs, read, weirds);
  const engine = new Engine(o.engine);
  const byRule: Record<string, number> = {};
  let findings = 0;
  const count = (found: { rule: string }[]): void => {
    for (let i = 0; i < found.length; i++) {
      const r = found[i]!.rule;
      byRule[r] = (byRule[r] ?? 0) + 1;
      findings++;
    }
  };
  let readMs = 0;
  let engineMs = 0;
  let peakHeap = 0;
  let peakActive = 0;
  const samples: [number, number, number, number][] = [];
  let every = 250;
  let lastSample = -Infinity;
  const sample = (now: number): void => {
    const heap = getHeapStatistics().used_heap_size;
    if (heap > peakHeap) peakHeap = heap;
    const active = engine.stats().hosts.active;
    if (active > peakActive) peakActive = active;
    if (now - lastSample >= every) {
      lastSample = now;
      samples.push([round3((now - t0) / 1000), bytes, process.memoryUsage.rss(), heap]);
      if (samples.length >= 400) {
        // Keep every other point and sample half as often: bounded, still spread over the whole run.
        for (let i = 0; i < 200; i++) samples[i] = samples[2 * i]!;
        samples.length = 200;
        every *= 2;
      }
    }
  };
  let lastPeek = -Infinity;
  const gc = o.liveHeap === true ? (globalThis as { gc?: () => void }).gc : undefined;
  if (o.liveHeap === true && gc === undefined) throw new InvalidOptionError('--live-heap needs node --expose-gc');
  const live: [number, number, number][] = [];
  let lastLive = performance.now();
  let liveMs = 0;
  const it = reader.batches()[Symbol.asyncIterator]();
  for (;;) {
    const a = performance.now();
    const next = await it.next();
    const b = performance.now();
    readMs += b - a;
    if (next.done === true) break;
    const batch = next.value;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (r.kind === 'flow') engine.pushFlow(r);
      else if (r.kind === 'dns') engine.pushDns(r);
      else engine.pushName(r);
    }
    count(engine.drain());
    const c = performance.now();
    engineMs += c - b;
    if (c - lastPeek >= 50) {
      lastPeek = c;
      sample(c);
    }
    if (gc !== undefined && c - lastLive >= 2000) {
      gc();
      const d = performance.now();
      live.push([round3((d - t0) / 1000), bytes, getHeapStatistics().used_heap_size]);
      liveMs += d - c;
      lastLive = d;
    }
  }
  if (gc !== undefined) {
    // The live set at end of input, before the flush lets every host go.
    const c = performance.now();
    gc();
    const d = performance.now();
    live.push([round3((d - t0) / 1000), bytes, getHeapStatistics().used_heap_size]);
    liveMs += d - c;
  }
  if (o.heapSnapshot !== undefined) {
    const c = performance.now();
    writeHeapSnapshot(o.heapSnapshot);
    liveMs += performance.now() - c;
  }
  const f0 = performance.now();
  const end = engine.stats();
  if (end.hosts.active > peakActive) peakActive = end.hosts.active;
  engine.flush();
  count(engine.drain());
  const t1 = performance.now();
  engineMs += t1 - f0;
  lastSample = -Infinity;
  sample(t1);
  const cpu = process.cpuUsage(cpu0);
  // GC entries are delivered asynchronously: let pending ones arrive.
  await new Promise((r) => setImmediate(r));
  for (const e of obs.takeRecords()) gcMs += e.duration;
  obs.disconnect();
  const s = engine.stats();
  const inp = reader.stats();
  const wall = (t1 - t0) / 1000;
  const result: RunResult = {
    wallSeconds: wall,
    cpuUserSeconds: cpu.user / 1e6,
    cpuSystemSeconds: cpu.system / 1e6,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    peakHeapUsedBytes: peakHeap,
    stages: {
      readSeconds: readMs / 1000,
      engineSeconds: engineMs / 1000,
      otherSeconds: Math.max(0, wall - readMs / 1000 - engineMs / 1000),
      gcSeconds: gcMs / 1000,
    },
    bytes: inp.bytesRead,
    packets: inp.packets,
    lines: inp.lines,
    flows: inp.flows,
    dns: inp.dns,
    names: inp.names,
    formats: inp.formats,
    findings: { total: findings, byRule },
    hosts: { created: s.hosts.created, evicted: s.hosts.evicted, expired: s.hosts.expired, peakActive },
    stateAtEnd: {
      hostsActive: end.hosts.active,
      eventsWaiting: end.eventsWaiting,
      querySlots: end.querySlots,
      namesWaiting: end.namesWaiting,
      answersHeld: end.answersHeld,
      answersEvicted: end.answersEvicted,
      destinations: end.prevalence.destinations,
      destinationsEvicted: end.prevalence.evicted,
      rules: end.rules,
    },
    weirds: weirds.total,
    samples,
  };
  if (gc !== undefined || o.heapSnapshot !== undefined) {
    if (gc !== undefined) result.liveHeap = live;
    // The forced GCs and the snapshot are not the pipeline's time. They ran between the timed
    // stages (never inside read or engine time), so they come out of the wall time and "other".
    result.wallSeconds -= liveMs / 1000;
    result.stages.otherSeconds = Math.max(0, result.stages.otherSeconds - liveMs / 1000);
  }
  return result;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

// ---- processes ------------------------------------------------------------------------------------

/** An executable on PATH (or in an sbin directory, where Debian puts softflowd), or undefined. */
function which(bin: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const d of [...dirs, '/usr/sbin', '/sbin', '/usr/local/sbin']) {
    const p = join(d, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface ProcResult {
  wallSeconds: number;
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  maxRssBytes?: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Run a command to its end, wall-timed here, CPU and peak RSS from GNU time when installed. */
function runProcess(cmd: string, args: string[], timeoutSeconds: number, keepStdout: boolean, scratch: string): Promise<ProcResult> {
  const timeFile = join(scratch, `time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [file, argv] = GNU_TIME !== undefined ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(file, argv, { stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout?.setEncoding('utf8').on('data', (d: string) => void (out += d));
    p.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.length > 65536) err = err.slice(-32768);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    p.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.once('close', (code, signal) => {
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const r: ProcResult = { wallSeconds: wall, exitCode: code, signal, stdout: out, stderr: err, timedOut };
      if (GNU_TIME !== undefined && existsSync(timeFile)) {
        const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
        rmSync(timeFile, { force: true });
        // GNU time writes "Command exited with non-zero status N" first when the command fails.
        const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(lines[lines.length - 1] ?? '');
        if (m !== null) {
          r.cpuUserSeconds = Number(m[2]);
          r.cpuSystemSeconds = Number(m[3]);
          r.maxRssBytes = Number(m[4]) * 1024;
          // GNU time exits with the command's status; a command killed by a signal shows as 128+n.
          if (code !== null && code > 128 && lines.some((l) => l.startsWith('Command terminated by signal'))) r.exitCode = null;
        }
      }
      resolve(r);
    });
  });
}

// ---- page cache -----------------------------------------------------------------------------------

/** Share (0–1) of the files' bytes resident in the page cache, from fincore; undefined when unknown. */
function residentShare(files: readonly InputFile[]): number | undefined {
  if (which('fincore') === undefined) return undefined;
  let res = 0;
  let size = 0;
  for (const f of files) {
    if (f.size <= 0) continue;
    const r = spawnSync('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES', f.path], { encoding: 'utf8' });
    const n = Number(r.stdout.trim());
    if (r.status !== 0 || !Number.isFinite(n)) return undefined;
    res += n;
    size += f.size;
  }
  return size === 0 ? undefined : Math.min(1, res / size);
}

/** Drop the files' pages from the page cache: per file through dd's nocache flag, else drop_caches (root). */
function dropCache(files: readonly InputFile[]): string {
  let method = 'dd iflag=nocache (per file)';
  for (const f of files) {
    spawnSync('sync', [f.path], { stdio: 'ignore' });
    const r = spawnSync('dd', [`if=${f.path}`, 'iflag=nocache', 'count=0', 'status=none'], { stdio: 'ignore' });
    if (r.status !== 0) method = '';
  }
  const left = residentShare(files);
  if (method === '' || (left !== undefined && left > 0.05)) {
    try {
      spawnSync('sync', { stdio: 'ignore' });
      writeFileSync('/proc/sys/vm/drop_caches', '1');
      method = 'echo 1 > /proc/sys/vm/drop_caches';
    } catch {
      method = method === '' ? 'none worked (no dd nocache, no permission for drop_caches)' : `${method}, partly`;
    }
  }
  return method;
}

/** Read the files once, untimed, so the runs find them in the page cache. */
function warmCache(files: readonly InputFile[]): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const f of files) {
    const fd = openSync(f.path, 'r');
    try {
      while (readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
}

// ---- peers ----------------------------------------------------------------------------------------

interface PeerDef {
  bin: string;
  what: string;
  version: string[];
  args(file: string, dir: string, port: number): string[];
}

const PEERS: Record<PeerName, PeerDef> = {
  tcpdump: {
    bin: 'tcpdump',
    what: 'reads every packet and writes it to /dev/null: the framing floor (no decoding beyond the link layer, no flows)',
    version: ['--version'],
    args: (f) => ['-n', '-r', f, '-w', '/dev/null'],
  },
  nfpcapd: {
    bin: 'nfpcapd',
    what: 'decodes packets into NetFlow records (flow table; no DNS/TLS/HTTP parsing, no detection) and writes nfcapd files; multi-threaded',
    version: ['-V'],
    args: (f, dir) => ['-r', f, '-w', dir],
  },
  softflowd: {
    bin: 'softflowd',
    what: 'decodes packets into flows (flow table; no application parsing, no detection) and exports NetFlow v9 to a local UDP socket',
    version: ['-h'],
    args: (f, dir, port) => ['-r', f, '-n', `127.0.0.1:${port}`, '-v', '9', '-d', '-p', join(dir, 'softflowd.pid')],
  },
  tshark: {
    bin: 'tshark',
    what: 'dissects every packet with all of Wireshark\'s dissectors and prints the TCP conversations (more parsing than c2watch, no detection)',
    version: ['--version'],
    args: (f) => ['-n', '-r', f, '-q', '-z', 'conv,tcp'],
  },
};

function peerVersion(def: PeerDef): string | undefined {
  const r = spawnSync(def.bin, def.version, { encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const m = /(\d+\.\d+(?:\.\d+)?)/.exec(text);
  return m?.[1];
}

// ---- statistics -----------------------------------------------------------------------------------

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function summarize(walls: number[], packets: number, bytes: number, rss: (number | undefined)[], cpu: (number | undefined)[]): Summary {
  const sec = median(walls);
  const s: Summary = {
    runs: walls.length,
    seconds: sec,
    minSeconds: Math.min(...walls),
    maxSeconds: Math.max(...walls),
    packetsPerSecond: packets / sec,
    megabytesPerSecond: bytes / 1e6 / sec,
  };
  const known = rss.filter((x): x is number => x !== undefined);
  if (known.length > 0) s.maxRssBytes = Math.max(...known);
  const cpus = cpu.filter((x): x is number => x !== undefined);
  if (cpus.length > 0) s.cpuSeconds = median(cpus);
  return s;
}

// ---- the command ----------------------------------------------------------------------------------

function num(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new UsageError(`--${name} needs a number >= ${min}, got "${v}"`);
  return n;
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The CLI entry of this module (bin.js, or bin.ts under tsx), to run c2watch children with. */
function selfBin(): string {
  const here = fileURLToPath(import.meta.url);
  return join(here, '..', here.endsWith('.ts') ? 'bin.ts' : 'bin.js');
}

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

/** Run `c2watch bench` with the arguments after `bench`; resolves to the exit code. */
export async function runBench(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        repeat: { type: 'string' },
        vs: { type: 'string' },
        cache: { type: 'string' },
        json: { type: 'boolean' },
        'peer-timeout': { type: 'string' },
        format: { type: 'string' },
        'local-nets': { type: 'string' },
        rules: { type: 'string' },
        'max-hosts': { type: 'string' },
        'reorder-window': { type: 'string' },
        'max-pairs': { type: 'string' },
        'live-heap': { type: 'boolean' },
        'heap-snapshot': { type: 'string' },
        // Internal: one measured run, as JSON, for the parent of --repeat / --vs.
        'single-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr.write(`c2watch bench: ${(e as Error).message} (see c2watch bench --help)\n`);
    return 2;
  }
  const { values: o, positionals: inputs } = parsed;
  if (o.help) {
    io.stdout.write(BENCH_HELP);
    return 0;
  }
  const fail = (msg: string): number => {
    io.stderr.write(`c2watch bench: ${msg}\n`);
    return 2;
  };
  const scratch = mkdtempSync(join(tmpdir(), 'c2watch-bench-'));
  try {
    // Options.
    const repeat = num('repeat', o.repeat, 1) ?? 1;
    if (!Number.isInteger(repeat)) throw new UsageError('--repeat needs a whole number');
    const peerTimeout = num('peer-timeout', o['peer-timeout'], 1) ?? 1800;
    const cache = o.cache ?? 'warm';
    if (cache !== 'warm' && cache !== 'cold' && cache !== 'asis') throw new UsageError(`--cache must be warm, cold or asis, got "${cache}"`);
    const format = (o.format ?? 'auto') as Format;
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
    let peers: PeerName[] = [];
    const vs = list(o.vs);
    if (vs !== undefined) {
      for (const p of vs) {
        if (p === 'all') peers.push(...PEER_NAMES);
        else if ((PEER_NAMES as readonly string[]).includes(p)) peers.push(p as PeerName);
        else throw new UsageError(`unknown peer "${p}" (peers: ${PEER_NAMES.join(', ')}, all)`);
      }
      peers = PEER_NAMES.filter((p) => peers.includes(p));
    }
    const engine: Omit<EngineOptions, 'onFinding'> = {};
    const localNets = list(o['local-nets']);
    if (localNets !== undefined) engine.localNets = localNets;
    const rules = list(o.rules);
    if (rules !== undefined) engine.rules = rules;
    const maxHosts = num('max-hosts', o['max-hosts'], 1);
    if (maxHosts !== undefined) engine.maxHosts = maxHosts;
    const reorder = num('reorder-window', o['reorder-window'], 0);
    if (reorder !== undefined) engine.reorderWindow = reorder;
    const maxPairs = num('max-pairs', o['max-pairs'], 1);
    if (maxPairs !== undefined) engine.beacon = { maxPairsPerHost: maxPairs };
    new Engine(engine); // validates the engine options (unknown rule, bad bound) before any run
    const measureOpts: MeasureOptions = { engine };
    if (format !== 'auto') measureOpts.format = format;
    if (localNets !== undefined) measureOpts.localNets = localNets;
    if (o['live-heap']) measureOpts.liveHeap = true;
    if (o['heap-snapshot'] !== undefined) measureOpts.heapSnapshot = o['heap-snapshot'];

    if (inputs.length === 0) throw new UsageError('needs at least one input: a pcap/pcapng file, a Zeek log or log directory, a NetFlow export capture');
    const childMode = repeat > 1 || peers.length > 0;
    if (childMode && inputs.includes('-')) throw new UsageError('stdin (-) can be read only once: not with --repeat or --vs');

    // The child of a --repeat / --vs run: one run, JSON, nothing else.
    if (o['single-run']) {
      const r = await measureRun(inputs, measureOpts);
      io.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }

    const files = await expandInputs(inputs);
    const totalBytes = files.reduce((a, f) => a + Math.max(0, f.size), 0);
    const notes: string[] = [];

    // Page cache.
    const onDisk = files.filter((f) => f.size > 0);
    let cacheMethod = 'left as found';
    if (cache === 'warm') {
      warmCache(onDisk);
      cacheMethod = 'inputs read once before the timed runs';
    }
    const beforeRun = (): number | undefined => {
      if (cache === 'cold') cacheMethod = dropCache(onDisk);
      return residentShare(onDisk);
    };

    // Peers apply to one plain capture file.
    let capture = false;
    if (files.length === 1 && files[0]!.size > 0) {
      const head = Buffer.alloc(16);
      const fd = openSync(files[0]!.path, 'r');
      try {
        readSync(fd, head, 0, 16, 0);
      } finally {
        closeSync(fd);
      }
      capture = sniffCapture(head) !== undefined;
    }
    const peerResults: PeerResult[] = peers.map((name) => {
      const def = PEERS[name];
      const r: PeerResult = { name, available: which(def.bin) !== undefined, what: def.what, runs: [] };
      if (!r.available) r.skipped = `${def.bin} is not installed`;
      else if (!capture) r.skipped = 'peers run on one plain (not gzipped) pcap/pcapng file only';
      else {
        const v = peerVersion(def);
        if (v !== undefined) r.version = v;
      }
      return r;
    });
    const active = peerResults.filter((p) => p.skipped === undefined);

    // Runs.
    const runs: RunResult[] = [];
    const processWalls: number[] = [];
    const passArgs: string[] = [];
    for (const n of PASS) {
      const v = o[n as PassName];
      if (typeof v === 'string') passArgs.push(`--${n}`, v);
      else if (v === true) passArgs.push(`--${n}`);
    }
    const c2watchRun = async (): Promise<void> => {
      const resident = beforeRun();
      if (!childMode) {
        const r = await measureRun(inputs, measureOpts);
        if (resident !== undefined) r.cacheResident = resident;
        runs.push(r);
        return;
      }
      const gcFlag = o['live-heap'] && !process.execArgv.includes('--expose-gc') ? ['--expose-gc'] : [];
      const args = [...process.execArgv, ...gcFlag, selfBin(), 'bench', '--single-run', ...passArgs, ...inputs];
      const p = await runProcess(process.execPath, args, 24 * 3600, true, scratch);
      if (p.exitCode !== 0) {
        const msg = p.stderr.trim().split('\n').slice(-5).join('\n');
        if (p.exitCode === 2) throw new UsageError(msg.replace(/^c2watch bench: /, ''));
        throw new Error(`c2watch run failed (exit ${p.exitCode ?? p.signal}): ${msg}`);
      }
      const r = JSON.parse(p.stdout) as RunResult;
      r.processSeconds = p.wallSeconds;
      if (p.maxRssBytes !== undefined) r.maxRssBytes = p.maxRssBytes;
      if (resident !== undefined) r.cacheResident = resident;
      runs.push(r);
      processWalls.push(p.wallSeconds);
    };
    const peerRun = async (peer: PeerResult): Promise<void> => {
      const def = PEERS[peer.name];
      const file = files[0]!.path;
      const dir = mkdtempSync(join(scratch, `${peer.name}-`));
      const sink = peer.name === 'softflowd' ? createSocket('udp4') : undefined;
      let port = 9;
      if (sink !== undefined) {
        sink.on('message', () => undefined);
        await new Promise<void>((res) => sink.bind(0, '127.0.0.1', () => res()));
        port = sink.address().port;
      }
      try {
        const args = def.args(file, dir, port);
        peer.command = [def.bin, ...args.map((a) => a.replace(dir, '$TMP').replace(`:${port}`, ':$PORT'))];
        const resident = beforeRun();
        const p = await runProcess(which(def.bin)!, args, peerTimeout, false, scratch);
        const r: PeerRun = { wallSeconds: p.wallSeconds, exitCode: p.exitCode };
        if (p.cpuUserSeconds !== undefined) r.cpuUserSeconds = p.cpuUserSeconds;
        if (p.cpuSystemSeconds !== undefined) r.cpuSystemSeconds = p.cpuSystemSeconds;
        if (p.maxRssBytes !== undefined) r.maxRssBytes = p.maxRssBytes;
        if (resident !== undefined) r.cacheResident = resident;
        if (p.timedOut) r.error = `killed after ${peerTimeout} s (--peer-timeout)`;
        else if (p.exitCode !== 0) r.error = `exit ${p.exitCode ?? p.signal}: ${p.stderr.trim().split('\n').slice(-2).join(' / ')}`;
        peer.runs.push(r);
      } finally {
        if (sink !== undefined) await new Promise<void>((res) => sink.close(() => res()));
        rmSync(dir, { recursive: true, force: true });
      }
    };
    // Alternate: round r starts with contender r mod n, so no one always runs first (or last).
    const contenders: (() => Promise<void>)[] = [c2watchRun, ...active.map((p) => () => peerRun(p))];
    const roundOf: number[][] = [];
    for (let round = 0; round < repeat; round++) {
      const order: number[] = [];
      for (let k = 0; k < contenders.length; k++) order.push((round + k) % contenders.length);
      roundOf.push(order);
      for (const k of order) await contenders[k]!();
    }

    // Summaries.
    const first = runs[0]!;
    const packets = first.packets;
    const bytes = first.bytes;
    const walls = childMode ? processWalls : runs.map((r) => r.wallSeconds);
    const summary = summarize(walls, packets, bytes, runs.map((r) => r.maxRssBytes), runs.map((r) => r.cpuUserSeconds + r.cpuSystemSeconds));
    for (const p of active) {
      const ok = p.runs.filter((r) => r.error === undefined);
      if (ok.length === 0) continue;
      p.summary = summarize(
        ok.map((r) => r.wallSeconds),
        packets,
        bytes,
        ok.map((r) => r.maxRssBytes),
        ok.map((r) => (r.cpuUserSeconds === undefined ? undefined : r.cpuUserSeconds + (r.cpuSystemSeconds ?? 0))),
      );
      p.ratio = p.summary.seconds / summary.seconds;
      if (ok.length === p.runs.length) {
        const paired = p.runs.map((r, i) => r.wallSeconds / walls[i]!);
        p.ratioMin = Math.min(...paired);
        p.ratioMax = Math.max(...paired);
      }
    }
    const formats = Object.keys(first.formats);
    if (packets === 0 && active.length > 0) notes.push('no packets were read: the peers are not comparable on this input');
    if (formats.includes('netflow') && active.length > 0) {
      notes.push('the input is a capture of NetFlow/IPFIX exports: c2watch decodes the exports, the peers see their datagrams as packets');
    }
    if (GNU_TIME === undefined && childMode) notes.push('GNU time (/usr/bin/time) is not installed: peer CPU and peak RSS are unknown');
    if (cache === 'warm' && runs.some((r) => r.cacheResident !== undefined && r.cacheResident < 0.95)) {
      notes.push('warm cache asked but part of the input was not resident before some runs (memory pressure?)');
    }
    if (cache === 'cold' && runs.some((r) => r.cacheResident !== undefined && r.cacheResident > 0.05)) {
      notes.push('cold cache asked but part of the input was still resident before some runs');
    }

    const cpu = cpus();
    const report: BenchReport = {
      tool: 'c2watch bench',
      version: VERSION,
      inputs: files.map((f) => ({ path: f.path, bytes: f.size })),
      totalBytes,
      format: formats.join('+') || 'none',
      machine: {
        node: process.version,
        cpu: cpu[0]?.model.trim() ?? 'unknown',
        cores: cpu.length,
        memoryBytes: totalmem(),
        kernel: release(),
        loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      },
      cache: { mode: cache, method: cacheMethod },
      repeat,
      mode: childMode ? 'child processes' : 'in-process',
      timer: childMode
        ? `whole-process wall time from spawn to exit (node start-up included for c2watch)${GNU_TIME !== undefined ? '; CPU and peak RSS from GNU time' : ''}`
        : 'analysis wall time in this process (start-up excluded); peak RSS from getrusage',
      c2watch: { runs, summary, internalSeconds: median(runs.map((r) => r.wallSeconds)) },
      peers: peerResults,
      notes,
    };
    io.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof C2WatchError || e instanceof InvalidOptionError) return fail((e as Error).message);
    io.stderr.write(`c2watch bench: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---- text report ----------------------------------------------------------------------------------

function si(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(n >= 100 ? 0 : 1);
}

function mib(b: number | undefined): string {
  return b === undefined ? '-' : `${(b / 2 ** 20).toFixed(0)} MiB`;
}

function secs(s: number): string {
  return s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-';
}

function spread(s: Summary): string {
  return s.runs > 1 ? ` (${secs(s.minSeconds)}–${secs(s.maxSeconds)}, ${s.runs} runs)` : '';
}

/** The text report of {@link runBench}. */
export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const first = r.c2watch.runs[0]!;
  const s = r.c2watch.summary;
  const cacheRes = r.c2watch.runs.map((x) => x.cacheResident).filter((x): x is number => x !== undefined);
  const resident = cacheRes.length > 0 ? `, ${Math.round(100 * Math.min(...cacheRes))}–${Math.round(100 * Math.max(...cacheRes))}% of the input resident before the runs` : '';
  const L: string[] = [];
  L.push(`c2watch bench ${r.version}: ${r.inputs.length === 1 ? r.inputs[0]!.path : `${r.inputs.length} files`} (${r.format}, ${(r.totalBytes / 1e6).toFixed(1)} MB)`);
  L.push(`machine   ${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, node ${m.node}, Linux ${m.kernel}, load average ${m.loadAverage.join(' ')}`);
  L.push(`cache     ${r.cache.mode}: ${r.cache.method}${resident}`);
  L.push(`timing    ${r.mode}; ${r.timer}`);
  L.push('');
  const rate = first.packets > 0 ? `${si(s.packetsPerSecond)} packets/s  ` : first.lines > 0 ? `${si(first.lines / s.seconds)} lines/s  ` : '';
  L.push(`c2watch   ${secs(s.seconds)}${spread(s)}  ${rate}${s.megabytesPerSecond.toFixed(1)} MB/s  ${si(first.flows / s.seconds)} flows/s  peak RSS ${mib(s.maxRssBytes)}  peak heap ${mib(Math.max(...r.c2watch.runs.map((x) => x.peakHeapUsedBytes)))}`);
  const st = first.stages;
  const w = first.wallSeconds;
  L.push(
    `  stages  read+decode+flows ${secs(st.readSeconds)} (${pct(st.readSeconds, w)})  correlate+detect ${secs(st.engineSeconds)} (${pct(st.engineSeconds, w)})  other ${secs(st.otherSeconds)}  gc ${secs(st.gcSeconds)} (within the stages)${r.c2watch.runs.length > 1 ? '  [first run]' : ''}`,
  );
  if (r.mode === 'child processes') L.push(`  inside  analysis ${secs(r.c2watch.internalSeconds)} (median), the rest is process start-up; cpu ${s.cpuSeconds === undefined ? '-' : secs(s.cpuSeconds)}`);
  L.push(`  input   packets ${first.packets}  lines ${first.lines}  bytes ${first.bytes}  flows ${first.flows}  dns ${first.dns}  names ${first.names}  weirds ${first.weirds}`);
  L.push(`  hosts   created ${first.hosts.created}  peak active ${first.hosts.peakActive}  evicted ${first.hosts.evicted}  expired ${first.hosts.expired}`);
  const se = first.stateAtEnd;
  const beacon = se.rules['beacon'];
  L.push(
    `  state   at end of input: events waiting ${se.eventsWaiting}  query slots ${se.querySlots}  names waiting ${se.namesWaiting}  DNS answers held ${se.answersHeld} (evicted ${se.answersEvicted})  destinations ${se.destinations} (evicted ${se.destinationsEvicted})${beacon !== undefined ? `  beacon pairs ${beacon['pairs'] ?? '-'} (evicted ${beacon['pairsEvicted'] ?? '-'}, store ${beacon['ringStoreBytes'] !== undefined ? `${((beacon['ringStoreBytes'] + (beacon['pairRowBytes'] ?? 0)) / 1048576).toFixed(1)} MiB` : '-'})` : ''}`,
  );
  if (first.liveHeap !== undefined && first.liveHeap.length > 0) {
    const lh = first.liveHeap;
    const end = lh[lh.length - 1]![0];
    const at = (f: number): string => {
      let b = lh[0]!;
      for (const x of lh) if (Math.abs(x[0] - f * end) < Math.abs(b[0] - f * end)) b = x;
      return mib(b[2]);
    };
    L.push(`  live    heap after a full GC at 25/50/75/100 % of the run: ${[0.25, 0.5, 0.75, 1].map(at).join(' / ')} (${lh.length} samples)`);
  }
  L.push(`  findings ${first.findings.total}${Object.entries(first.findings.byRule).map(([k, v]) => `  ${k} ${v}`).join('')}`);
  for (const p of r.peers) {
    L.push('');
    if (p.skipped !== undefined) {
      L.push(`${p.name.padEnd(9)} skipped: ${p.skipped}`);
      continue;
    }
    L.push(`${p.name.padEnd(9)} ${p.version ?? ''}: ${p.command?.join(' ') ?? ''}`);
    L.push(`  does    ${p.what}`);
    for (const run of p.runs) if (run.error !== undefined) L.push(`  failed  ${run.error}`);
    const ps = p.summary;
    if (ps === undefined) continue;
    L.push(`  ${secs(ps.seconds)}${spread(ps)}  ${first.packets > 0 ? `${si(ps.packetsPerSecond)} packets/s  ` : ''}${ps.megabytesPerSecond.toFixed(1)} MB/s  peak RSS ${mib(ps.maxRssBytes)}  cpu ${ps.cpuSeconds === undefined ? '-' : secs(ps.cpuSeconds)}`);
    if (p.ratio !== undefined) {
      const rr = p.ratio;
      const verdict = rr >= 1 ? `c2watch ${rr.toFixed(2)}× as fast` : `c2watch ${(1 / rr).toFixed(2)}× slower`;
      const range = p.ratioMin !== undefined && p.runs.length > 1 ? ` (paired runs ${p.ratioMin.toFixed(2)}–${p.ratioMax!.toFixed(2)})` : '';
      L.push(`  ratio   ${p.name} time / c2watch time = ${rr.toFixed(2)}${range}: ${verdict}`);
    }
  }
  for (const n of r.notes) L.push(`note: ${n}`);
  return L.join('\n') + '\n';
}
