/**
 * `c2watch flows`: the records c2watch makes of its inputs, as Zeek
 * conn.log (or dns.log) rows, TSV with Zeek's header or NDJSON — so users
 * can inspect what the detectors saw and diff it against Zeek.
 *
 * @module
 */

import { parseArgs } from 'node:util';
import { FORMATS, readFlows } from '../analyze.js';
import type { Format, ReadOptions } from '../analyze.js';
import { C2WatchError } from '../errors.js';
import { CidrSet, DEFAULT_LOCAL_NETS } from '../net/addr.js';
import { ZeekLogWriter } from '../sinks/zeek-log.js';

export const FLOWS_HELP = `Usage:
  c2watch flows [options] <file|dir|->...

Writes the flows (or DNS transactions) c2watch reads from pcap/pcapng, NetFlow/IPFIX captures,
nfdump CSV or Zeek logs, in time order, as Zeek conn.log / dns.log rows.

Options:
  --log conn|dns        which log to write (default conn)
  --output tsv|ndjson   Zeek TSV with its header (default) or NDJSON with Zeek's field names
  --format <f>          input format: ${FORMATS.join(' | ')} (default auto)
  --local-nets <list>   internal networks, for local_orig/local_resp and NetFlow orientation
  --stats               counters to stderr at the end
  -h, --help            this help
`;

/** Run `c2watch flows` with the arguments after `flows`; resolves to the exit code. */
export async function runFlows(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        log: { type: 'string' },
        output: { type: 'string' },
        format: { type: 'string' },
        'local-nets': { type: 'string' },
        stats: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr.write(`c2watch flows: ${(e as Error).message} (see c2watch flows --help)\n`);
    return 2;
  }
  const { values: o, positionals: inputs } = parsed;
  if (o.help) {
    io.stdout.write(FLOWS_HELP);
    return 0;
  }
  const log = o.log ?? 'conn';
  const output = o.output ?? 'tsv';
  const format = (o.format ?? 'auto') as Format;
  const fail = (msg: string): number => {
    io.stderr.write(`c2watch flows: ${msg}\n`);
    return 2;
  };
  if (log !== 'conn' && log !== 'dns') return fail(`--log must be conn or dns, got "${log}"`);
  if (output !== 'tsv' && output !== 'ndjson') return fail(`--output must be tsv or ndjson, got "${output}"`);
  if (!(FORMATS as readonly string[]).includes(format)) return fail(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  if (inputs.length === 0) return fail('needs at least one input: a file, a directory or -');
  try {
    const localNets = o['local-nets']?.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const local = new CidrSet(localNets ?? DEFAULT_LOCAL_NETS);
    const opts: ReadOptions = { format };
    if (localNets !== undefined) opts.localNets = localNets;
    const reading = readFlows(inputs, opts);
    const w = new ZeekLogWriter(io.stdout, log, output, (ip) => local.has(ip));
    for await (const r of reading) {
      if (r.kind === 'flow') w.flow(r);
      else if (r.kind === 'dns') w.dns(r);
    }
    w.end();
    if (o.stats) {
      const s = reading.stats();
      io.stderr.write(
        `c2watch flows: ${w.rows} ${log} rows; inputs ${JSON.stringify(s.inputs)}; weirds ${s.weirds.total} ${JSON.stringify(s.weirds.byKind)}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof C2WatchError) return fail((e as Error).message);
    io.stderr.write(`c2watch flows: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
