/**
 * The `c2watch` command line. Thin: parses options, builds an Analysis,
 * hands findings to a sink. Exit codes: 0 clean run (findings or not),
 * 2 bad usage or unreadable input (one-line error), 1 internal error.
 *
 * @module
 */

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { analyze, FORMATS } from '../analyze.js';
import type { AnalyzeOptions, AnalyzeStats, Format } from '../analyze.js';
import { Allowlist } from '../detect/allowlist.js';
import { RULE_NAMES } from '../engine.js';
import { C2WatchError, InvalidOptionError } from '../errors.js';
import { createSink } from '../sinks/index.js';
import { runBench } from './bench.js';
import { runCollect } from './collect.js';
import { runFlows } from './flows.js';
import { ProgressBar } from './progress.js';

const VERSION = '0.1.0';

const HELP = `c2watch ${VERSION}: find command-and-control traffic in network evidence

Usage:
  c2watch analyze [options] <file|dir|->...     find C2 in the inputs
  c2watch flows [options] <file|dir|->...       write the flows c2watch sees, as Zeek conn.log/dns.log rows
  c2watch collect --listen ADDR:PORT [options]  receive NetFlow/IPFIX over UDP and report findings live
  c2watch bench [options] <file|dir>...         measure a run: packets/s, MB/s, flows/s, peak RSS, stages; --vs peers
  c2watch <command> --help | c2watch --help | --version

Inputs: pcap and pcapng captures (plain or .gz), captures of NetFlow v5/v9/IPFIX exports,
nfdump CSV (nfdump -o csv) and nfcapd files (read through nfdump), Zeek conn.log, dns.log,
ssl.log and http.log files (TSV or JSON lines, plain or .gz), a Zeek log directory (conn*, dns*,
ssl*, http* and their rotated .gz files), or - for stdin. The format of each input is sniffed
from its content. Several inputs are merged by time.

Options:
  --format <f>          input format: ${FORMATS.join(' | ')} (default auto: sniffed from content and file name)
  --local-nets <list>   comma-separated CIDRs of internal networks; hosts are originators inside them
                        (default 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7)
  --allow <file>        allowlist file (repeatable): one entry a line, an IP/CIDR, example.com (apex only),
                        *.example.com (subdomains only) or .example.com (apex and subdomains); # comments
  --rules <list>        comma-separated rules or prefixes, or all (default all but beacon.runs): ${RULE_NAMES.join(", ")}
  --output <fmt>        ndjson (default) | csv | table
  --stats               print counters to stderr at the end: records, weirds by kind, evictions, findings by rule
  --max-hosts <n>       internal hosts tracked at once, LRU (default 50000)
  --reorder-window <s>  seconds a record may trail the newest timestamp and still count (default 600)
  --maxspan <s>         longest DNS-to-web gap for multiband rules (default 600)
  --score-threshold <x> multiband.score fires at or above this, 0-1 (default 0.5)
  --beacon-mode <m>     beacon.score scoring: default (c2watch: sub-second intervals, periodicity test,
                        period and jitter) | rita (RITA v5's score exactly, 24 h batch at end of input)
  --beacon-window <s>   beacon.score window, seconds; one finding per pair per window (default 86400)
  --beacon-threshold <x> beacon.score fires at or above this, 0-1 (default 0.6; rita mode 0.5)
  --beacon-keep-failed  score failed connections too (S0, REJ, no reply); default: left out
  --max-pairs <n>       beacon destinations tracked per host (default 512)
  --no-progress         never draw the progress bar (drawn on a TTY stderr for inputs over 32 MB)
  -h, --help            this help
  -v, --version         print the version

Environment: C2WATCH_HEAP_GROWTH=<percent> lets V8's heap grow that much past the live set
between full collections (default 100: peak RSS about twice the state; v8 = V8's own, up to 4x).

Exit status: 0 when the run completed (with or without findings), 2 on a bad option or
unreadable input, 1 on an internal error.
`;

class UsageError extends Error {}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} needs a number, got "${v}"`);
  return n;
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } } = process): Promise<number> {
  // Subcommands with options of their own.
  if (argv[0] === 'flows') return runFlows(argv.slice(1), io);
  if (argv[0] === 'collect') return runCollect(argv.slice(1), io);
  if (argv[0] === 'bench') return runBench(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        'local-nets': { type: 'string' },
        allow: { type: 'string', multiple: true },
        rules: { type: 'string' },
        output: { type: 'string' },
        stats: { type: 'boolean' },
        'max-hosts': { type: 'string' },
        'reorder-window': { type: 'string' },
        maxspan: { type: 'string' },
        'score-threshold': { type: 'string' },
        'beacon-mode': { type: 'string' },
        'beacon-window': { type: 'string' },
        'beacon-threshold': { type: 'string' },
        'beacon-keep-failed': { type: 'boolean' },
        'max-pairs': { type: 'string' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    io.stderr.write(`c2watch: ${(e as Error).message} (see c2watch --help)\n`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  if (o.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (o.version) {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command, ...inputs] = positionals;
  if (command === undefined) {
    io.stderr.write('c2watch: missing command (see c2watch --help)\n');
    return 2;
  }
  if (command !== 'analyze') {
    io.stderr.write(`c2watch: unknown command "${command}" (see c2watch --help)\n`);
    return 2;
  }
  if (inputs.length === 0) {
    io.stderr.write('c2watch: analyze needs at least one input: a file, a directory or - (see c2watch --help)\n');
    return 2;
  }

  let bar: ProgressBar | undefined;
  try {
    const output = o.output ?? 'ndjson';
    if (!['ndjson', 'csv', 'table'].includes(output)) throw new UsageError(`--output must be ndjson, csv or table, got "${output}"`);
    const format = (o.format ?? 'auto') as Format;
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
    let allowlist: Allowlist | undefined;
    for (const file of o.allow ?? []) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read allowlist ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const one = Allowlist.parse(text, file);
      allowlist = allowlist === undefined ? one : Allowlist.merge(allowlist, one);
    }
    const threshold = num('score-threshold', o['score-threshold']);
    if (threshold !== undefined && (threshold < 0 || threshold > 1)) throw new UsageError('--score-threshold must be between 0 and 1');
    const maxspan = num('maxspan', o.maxspan);
    const options: AnalyzeOptions = { format };
    const localNets = list(o['local-nets']);
    if (localNets !== undefined) options.localNets = localNets;
    if (allowlist !== undefined) options.allowlist = allowlist;
    const rules = list(o.rules);
    if (rules !== undefined) options.rules = rules;
    const maxHosts = num('max-hosts', o['max-hosts']);
    if (maxHosts !== undefined) options.maxHosts = maxHosts;
    const reorder = num('reorder-window', o['reorder-window']);
    if (reorder !== undefined) options.reorderWindow = reorder;
    const beaconMode = o['beacon-mode'];
    if (beaconMode !== undefined && beaconMode !== 'default' && beaconMode !== 'rita') throw new UsageError(`--beacon-mode must be default or rita, got "${beaconMode}"`);
    const beaconWindow = num('beacon-window', o['beacon-window']);
    const beaconThreshold = num('beacon-threshold', o['beacon-threshold']);
    const maxPairs = num('max-pairs', o['max-pairs']);
    if (beaconMode !== undefined || beaconWindow !== undefined || beaconThreshold !== undefined || maxPairs !== undefined || o['beacon-keep-failed']) {
      options.beacon = {};
      if (beaconMode !== undefined) options.beacon.mode = beaconMode;
      if (beaconWindow !== undefined) options.beacon.window = beaconWindow;
      if (beaconThreshold !== undefined) options.beacon.scoreThreshold = beaconThreshold;
      if (maxPairs !== undefined) options.beacon.maxPairsPerHost = maxPairs;
      if (o['beacon-keep-failed']) options.beacon.dropFailed = false;
    }
    if (threshold !== undefined || maxspan !== undefined) {
      options.multiband = {};
      if (threshold !== undefined) options.multiband.scoreThreshold = threshold;
      if (maxspan !== undefined) options.multiband.maxspan = maxspan;
    }
    if (!o['no-progress'] && io.stderr.isTTY) {
      bar = new ProgressBar(io.stderr, 32 << 20);
      const b = bar;
      options.onProgress = (read, total) => b.update(read, total);
    }

    const run = analyze(inputs, options);
    const sink = createSink(output as 'ndjson' | 'csv' | 'table', io.stdout, { color: output === 'table' && Boolean((io.stdout as { isTTY?: boolean }).isTTY) });
    for await (const f of run) sink.write(f);
    bar?.done();
    await sink.end();
    if (o.stats) io.stderr.write(formatStats(run.stats()));
    return 0;
  } catch (e) {
    bar?.done();
    if (e instanceof UsageError || e instanceof C2WatchError || e instanceof InvalidOptionError) {
      io.stderr.write(`c2watch: ${(e as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`c2watch: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** Counters for `--stats`, one `name value` pair a line, grouped. */
export function formatStats(s: AnalyzeStats): string {
  const e = s.engine;
  const lines = [
    'c2watch stats',
    `  inputs        files ${s.inputs.files}  bytes ${s.inputs.bytesRead}  lines ${s.inputs.lines}  skipped ${s.inputs.skipped}`,
    `  records       flows ${e.flows}  dns ${e.dns}  names ${e.names}  external-origin ${e.externalOrigin}  ignored ${e.ignoredFlows}  bad ${e.badRecords}  late ${e.lateEvents}`,
    `  names         joined ${e.namesJoined}  dropped ${e.namesDropped}`,
    `  hosts         active ${e.hosts.active}  created ${e.hosts.created}  evicted ${e.hosts.evicted}  expired ${e.hosts.expired}  forced-evaluations ${e.forcedEvaluations}  budget-evaluations ${e.budgetEvaluations}`,
    `  state         answers-held ${e.answersHeld}  answers-expired ${e.answersExpired}  answers-evicted ${e.answersEvicted}  destinations ${e.prevalence.destinations}  destinations-evicted ${e.prevalence.evicted}  interned-strings ${e.interned.strings}  interned-hits ${e.interned.hits}`,
    ...Object.entries(e.rules).map(([rule, c]) => `  ${`rule ${rule}`.padEnd(14)}${Object.entries(c).map(([k, v]) => `${k} ${v}`).join('  ')}`),
    `  findings      ${Object.entries(e.findings).map(([k, v]) => `${k} ${v}`).join('  ')}  suppressed ${e.suppressed}  dropped ${e.droppedFindings}`,
    `  weirds        total ${s.weirds.total}${Object.entries(s.weirds.byKind).map(([k, v]) => `  ${k} ${v}`).join('')}`,
  ];
  for (const w of s.weirds.samples.slice(0, 10)) {
    lines.push(`    ${w.kind} ${w.file ?? ''}${w.line !== undefined ? `:${w.line}` : ''}${w.offset !== undefined ? ` @${w.offset}` : ''} ${w.message}`);
  }
  return lines.join('\n') + '\n';
}
