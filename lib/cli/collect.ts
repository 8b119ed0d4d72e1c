/**
 * `c2watch collect`: a live NetFlow v5/v9/IPFIX collector that prints
 * findings as they are emitted. Thin: options → collector → engine → sink.
 * Stops on SIGINT/SIGTERM (or the `signal` given in `io`): the collector
 * decodes what it holds, the pairing window and the engine are flushed,
 * the sink ends, and `--stats` prints the counters.
 *
 * @module
 */

import { parseArgs } from 'node:util';
import { Engine, RULE_NAMES } from '../engine.js';
import type { EngineOptions } from '../engine.js';
import { C2WatchError } from '../errors.js';
import { createSink } from '../sinks/index.js';
import type { SinkKind } from '../sinks/index.js';
import { createCollector } from '../sources/collector.js';
import type { CollectorOptions, CollectorStats } from '../sources/collector.js';
import { WeirdCounter } from '../weird.js';

export const COLLECT_HELP = `Usage:
  c2watch collect [options]

Listen for NetFlow v5, v9 and IPFIX export datagrams on UDP and print findings as they
are emitted. Stop with Ctrl-C (SIGINT) or SIGTERM: what is pending is flushed first.

Options:
  --listen <addr:port>  where to listen (default 127.0.0.1:2055; [::]:4739 for IPv6)
  --local-nets <list>   comma-separated CIDRs of internal networks
                        (default 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7)
  --rules <list>        comma-separated rules or prefixes (default all): ${RULE_NAMES.join(', ')}
  --output <fmt>        ndjson (default) | csv | table
  --recv-buffer <bytes> socket receive buffer to ask for (default 33554432; the OS may grant less)
  --pair-window <s>     seconds a flow record waits for its reverse direction (default 60)
  --stats               print counters to stderr at the end: templates, buffered records, drops, pairs
  --stats-every <s>     also print them every <s> seconds while running (with --stats)
  -h, --help            this help
`;

/** Where `runCollect` writes, and how it is stopped. */
export interface CollectIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Stops the collector as SIGINT would. Default: this process's SIGINT and SIGTERM. */
  signal?: AbortSignal;
  /** Called once the socket is bound (tests learn the port from it). */
  onListening?: (address: string, port: number) => void;
}

class UsageError extends Error {}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} needs a non-negative number, got "${v}"`);
  return n;
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Run `c2watch collect` with `argv` (the arguments after `collect`).
 * Resolves to the exit code once stopped: 0, or 2 on a bad option or a
 * socket that cannot be bound.
 */
export async function runCollect(argv: string[], io: CollectIo): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        listen: { type: 'string' },
        'local-nets': { type: 'string' },
        rules: { type: 'string' },
        output: { type: 'string' },
        'recv-buffer': { type: 'string' },
        'pair-window': { type: 'string' },
        stats: { type: 'boolean' },
        'stats-every': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    io.stderr.write(`c2watch collect: ${(e as Error).message} (see c2watch collect --help)\n`);
    return 2;
  }
  if (o.help) {
    io.stdout.write(COLLECT_HELP);
    return 0;
  }

  let stopListening: (() => void) | undefined;
  try {
    const output = o.output ?? 'ndjson';
    if (!['ndjson', 'csv', 'table'].includes(output)) throw new UsageError(`--output must be ndjson, csv or table, got "${output}"`);
    const recv = num('recv-buffer', o['recv-buffer']);
    const pairWindow = num('pair-window', o['pair-window']);
    const statsEvery = num('stats-every', o['stats-every']);
    const localNets = list(o['local-nets']);
    const rules = list(o.rules);

    const sink = createSink(output as SinkKind, io.stdout, { color: output === 'table' && Boolean((io.stdout as { isTTY?: boolean }).isTTY) });
    const engineOptions: EngineOptions = { onFinding: (f) => sink.write(f) };
    if (localNets !== undefined) engineOptions.localNets = localNets;
    if (rules !== undefined) engineOptions.rules = rules;
    const engine = new Engine(engineOptions);
    const weirds = new WeirdCounter();

    const options: CollectorOptions = {
      listen: o.listen ?? '127.0.0.1:2055',
      onFlow: (f) => engine.pushFlow(f),
      onWeird: (w) => weirds.add(w),
      flows: {},
    };
    if (recv !== undefined) options.recvBufferSize = Math.max(1, Math.floor(recv));
    if (localNets !== undefined) options.flows!.localNets = localNets;
    if (pairWindow !== undefined) options.flows!.pairWindow = pairWindow;
    const collector = await createCollector(options);
    const { address, port } = collector.address;
    const first = collector.stats();
    io.stderr.write(
      `c2watch collect: listening on ${address}:${port}, receive buffer ${first.recvBufferGranted} bytes granted (${first.recvBufferRequested} asked)\n`,
    );
    io.onListening?.(address, port);

    let ticker: NodeJS.Timeout | undefined;
    if (o.stats && statsEvery !== undefined && statsEvery > 0) {
      ticker = setInterval(() => io.stderr.write(formatCollectStats(collector.stats(), weirds)), statsEvery * 1000);
      ticker.unref();
    }

    await new Promise<void>((resolve) => {
      if (io.signal !== undefined) {
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener('abort', () => resolve(), { once: true });
      } else {
        const onSignal = (): void => resolve();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        stopListening = () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        };
      }
    });
    stopListening?.();
    if (ticker !== undefined) clearInterval(ticker);
    await collector.close();
    engine.flush();
    await sink.end();
    if (o.stats) io.stderr.write(formatCollectStats(collector.stats(), weirds));
    return 0;
  } catch (e) {
    stopListening?.();
    if (e instanceof UsageError || e instanceof C2WatchError) {
      io.stderr.write(`c2watch collect: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Counters for `--stats`, grouped, one `name value` pair each. */
export function formatCollectStats(s: CollectorStats, weirds?: WeirdCounter): string {
  const d = s.decoder;
  const f = s.flows;
  const lines = [
    'c2watch collect stats',
    `  socket        datagrams ${s.datagrams}  bytes ${s.bytes}  os-drops ${s.osDrops}  recv-buffer ${s.recvBufferGranted}`,
    `  queue         queued ${s.queued}  high-water ${s.queueHighWater}  dropped ${s.queueDropped}`,
    `  decoder       v5 ${d.v5}  v9 ${d.v9}  ipfix ${d.ipfix}  records ${d.records}  options-records ${d.optionsRecords}  exporters ${d.exporters}`,
    `  templates     held ${d.templates}  added ${d.templatesAdded}  refreshed ${d.templatesRefreshed}  changed ${d.templatesChanged}  withdrawn ${d.templatesWithdrawn}  evicted ${d.templatesEvicted}`,
    `  buffered      sets ${d.pendingSets}  bytes ${d.pendingBytes}  decoded-late ${d.pendingRecordsDecoded}  dropped-sets ${d.pendingSetsDropped}  dropped-bytes ${d.pendingBytesDropped}`,
    `  pairing       flows ${f.flows}  pairs ${f.pairs}  unpaired ${f.unpaired}  biflows ${f.biflows}  waiting ${f.pending}  forced ${f.forcedUnpaired}`,
  ];
  if (weirds !== undefined) lines.push(`  weirds        total ${weirds.total}${Object.entries(weirds.byKind()).map(([k, v]) => `  ${k} ${v}`).join('')}`);
  return lines.join('\n') + '\n';
}
