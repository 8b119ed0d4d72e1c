/**
 * nfdump inputs: CSV as `nfdump -r FILE -o csv` prints it (parsed with
 * fast-csv), and nfcapd binary files, read by spawning
 * `nfdump -r FILE -o csv` when nfdump is installed.
 *
 * The header line names the columns, so every layout we know is read by
 * name, not position:
 * - nfdump 1.6 / 1.7 `-o csv`: `ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,…,ra,eng,exid,tr`,
 *   times as `YYYY-MM-DD hh:mm:ss[.mmm]`, protocol names, flags as `...A.R..`,
 *   then a `Summary` block (ignored);
 * - newer `-o csv` / `-o csv:%fmt` headers: `firstSeen,lastSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets|inPackets,bytes|inBytes,flags,outPackets,outBytes,routerIP,…`;
 * - `-o csv-fast`: `cnt,af,firstSeen,lastSeen,proto,srcAddr,srcPort,dstAddr,dstPort,…,flags,srcTos,packets,bytes`,
 *   times as epoch milliseconds, protocol numbers.
 * Missing columns are unknown, not errors; rows that cannot be read are
 * weirds with their line number.
 *
 * nfdump prints wall-clock times in the local time zone of the machine that
 * ran it; we spawn it with TZ=UTC and read text times as UTC, so CSV made
 * elsewhere should be made with `TZ=UTC nfdump …`.
 *
 * Records come out as {@link NetflowRecord}s (version 0, exporter from the
 * `ra`/`routerIP` column), so they go through the same pairing as decoded
 * exports (lib/flow/netflow.ts): {@link nfdumpFlows} does both.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse } from 'fast-csv';
import { NetflowRecord } from '../decode/netflow/record.js';
import { SourceError } from '../errors.js';
import { NetflowFlows } from '../flow/netflow.js';
import type { NetflowFlowsOptions } from '../flow/netflow.js';
import type { FlowRecord } from '../model.js';
import { formatIPv6, parseIPv4, parseIPv6 } from '../net/addr.js';
import type { WeirdHandler } from '../weird.js';

/** Options of {@link readNfdump} and {@link nfdumpFlows}. */
export interface NfdumpOptions {
  onWeird?: WeirdHandler;
  /** Label in weirds and the exporter of rows without a router address; default the path or `<nfdump>`. */
  file?: string;
  /** The nfdump executable for nfcapd files. Default `nfdump` (found on PATH). */
  nfdumpPath?: string;
}

/** True if the bytes start like an nfcapd file (magic 0xA50C, little-endian, layout 1 or 2). */
export function looksLikeNfcapd(first: Uint8Array): boolean {
  return first.length >= 4 && first[0] === 0x0c && first[1] === 0xa5 && (first[2] === 1 || first[2] === 2) && first[3] === 0;
}

/** True if the first line is an nfdump CSV header (start time, source and destination address columns). */
export function looksLikeNfdumpCsv(first: Uint8Array): boolean {
  let end = first.indexOf(10);
  if (end < 0) end = Math.min(first.length, 4096);
  const cols = new Set(new TextDecoder().decode(first.subarray(0, end)).trim().split(','));
  return (cols.has('ts') || cols.has('firstSeen')) && (cols.has('sa') || cols.has('srcAddr')) && (cols.has('da') || cols.has('dstAddr'));
}

// Column names of each quantity, oldest layout first.
const COLS = {
  start: ['ts', 'firstSeen', 'tfs'],
  end: ['te', 'lastSeen'],
  duration: ['td', 'duration'],
  src: ['sa', 'srcAddr'],
  dst: ['da', 'dstAddr'],
  sport: ['sp', 'srcPort'],
  dport: ['dp', 'dstPort'],
  proto: ['pr', 'proto'],
  flags: ['flg', 'flags'],
  packets: ['ipkt', 'inPackets', 'packets', 'pkt'],
  bytes: ['ibyt', 'inBytes', 'bytes', 'byt'],
  outPackets: ['opkt', 'outPackets'],
  outBytes: ['obyt', 'outBytes'],
  router: ['ra', 'routerIP'],
  exporterId: ['exid', 'exporterID'],
  received: ['tr', 'received'],
  icmpType: ['icmpType', 'icmpTYpe'],
  icmpCode: ['icmpCode'],
  biflowDirection: ['biDirection', 'bfd'],
} as const;
type Col = keyof typeof COLS;

const PROTOS: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ICMP6: 58, IPV6ICMP: 58, GRE: 47, ESP: 50, AH: 51, SCTP: 132, IGMP: 2, IPIP: 4, IPV6: 41, OSPF: 89, PIM: 103 };
const FLAG_BITS: Record<string, number> = { C: 128, E: 64, U: 32, A: 16, P: 8, R: 4, S: 2, F: 1 };

/**
 * Parse nfdump CSV rows into raw records.
 * @param source a path to a CSV or nfcapd file (sniffed by content), or CSV bytes as an async iterable.
 * @throws SourceError when the file cannot be read, or an nfcapd file needs nfdump and it is not installed or fails.
 */
export async function* readNfdump(source: string | AsyncIterable<Uint8Array>, options: NfdumpOptions = {}): AsyncGenerator<NetflowRecord> {
  const label = options.file ?? (typeof source === 'string' ? source : '<nfdump>');
  let input: Readable;
  let child: ReturnType<typeof spawn> | undefined;
  let childDone: Promise<void> | undefined;
  if (typeof source === 'string') {
    const head = await readHead(source);
    if (looksLikeNfcapd(head)) {
      const bin = options.nfdumpPath ?? 'nfdump';
      const c = spawn(bin, ['-r', source, '-o', 'csv'], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let stderr = '';
      c.stderr!.setEncoding('utf8');
      c.stderr!.on('data', (s: string) => {
        if (stderr.length < 4096) stderr += s;
      });
      childDone = new Promise<void>((resolve, reject) => {
        c.once('error', (e: NodeJS.ErrnoException) => {
          reject(
            e.code === 'ENOENT'
              ? new SourceError(`${source} is an nfcapd file; reading it needs nfdump, which is not installed (apt-get install nfdump)`, { file: source }, { cause: e })
              : new SourceError(`cannot run ${bin}: ${e.message}`, { file: source }, { cause: e }),
          );
        });
        c.once('close', (code, signal) => {
          if (code === 0 || signal === 'SIGTERM') resolve();
          else reject(new SourceError(`nfdump -r ${source} failed (exit ${code ?? signal}): ${stderr.trim()}`, { file: source }));
        });
      });
      // Surface a spawn failure even if no row ever comes.
      childDone.catch(() => undefined);
      input = c.stdout!;
    } else {
      input = createReadStream(source);
    }
  } else {
    input = Readable.from(source, { objectMode: false });
  }

  const rows = input.pipe(parse({ ignoreEmpty: true, trim: true }));
  input.on('error', (e) => rows.destroy(e));
  let map: Map<Col, number> | undefined;
  let line = 0;
  let summary = false;
  try {
    for await (const row of rows as AsyncIterable<string[]>) {
      line++;
      if (summary) continue;
      if (map === undefined) {
        map = columnMap(row);
        if (map === undefined) {
          options.onWeird?.({ kind: 'nfdump_no_header', message: `not an nfdump CSV header: ${row.slice(0, 6).join(',')}`, file: label, line });
          return;
        }
        continue;
      }
      const first = row[0] ?? '';
      if (first === 'Summary') {
        // The statistics block that ends `-o csv` output; keep draining so nfdump can exit.
        summary = true;
        continue;
      }
      if (first === 'No matching flows' || first.startsWith('Time window:') || first.startsWith('Total flows')) continue;
      if (row.length === map.get('__width' as Col) && looksLikeHeader(row)) continue; // a repeated header (concatenated outputs)
      const r = toRecord(row, map, label);
      if (typeof r === 'string') {
        options.onWeird?.({ kind: 'nfdump_bad_row', message: r, file: label, line });
        continue;
      }
      yield r;
    }
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError(`cannot read ${label}: ${(e as Error).message}`, { file: label, line }, { cause: e });
  } finally {
    if (child !== undefined && child.exitCode === null) child.kill('SIGTERM');
  }
  if (childDone !== undefined) await childDone;
}

/**
 * FlowRecords from nfdump CSV or an nfcapd file: {@link readNfdump} then
 * pairing (lib/flow/netflow.ts). Yields in batches as records pair or
 * expire; the rest at the end.
 */
export async function* nfdumpFlows(
  source: string | AsyncIterable<Uint8Array>,
  options: NfdumpOptions & Omit<NetflowFlowsOptions, 'onFlow'> = {},
): AsyncGenerator<FlowRecord> {
  const out: FlowRecord[] = [];
  const { onWeird, file, nfdumpPath, ...flowOptions } = options;
  const flows = new NetflowFlows({ ...flowOptions, onFlow: (f) => out.push(f) });
  const readOpts: NfdumpOptions = {};
  if (onWeird !== undefined) readOpts.onWeird = onWeird;
  if (file !== undefined) readOpts.file = file;
  if (nfdumpPath !== undefined) readOpts.nfdumpPath = nfdumpPath;
  for await (const r of readNfdump(source, readOpts)) {
    flows.push(r);
    if (out.length >= 1024) yield* out.splice(0);
  }
  flows.flush();
  yield* out.splice(0);
}

async function readHead(path: string): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new SourceError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path }, { cause: e });
  }
  try {
    const b = new Uint8Array(4096);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function looksLikeHeader(row: string[]): boolean {
  return row.includes('sa') || row.includes('srcAddr');
}

function columnMap(header: string[]): Map<Col, number> | undefined {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(h)) index.set(h, i);
  });
  const map = new Map<Col, number>();
  for (const [col, names] of Object.entries(COLS) as [Col, readonly string[]][]) {
    for (const n of names) {
      const i = index.get(n);
      if (i !== undefined) {
        map.set(col, i);
        break;
      }
    }
  }
  if (!map.has('src') || !map.has('dst') || !(map.has('start') || map.has('end'))) return undefined;
  map.set('__width' as Col, header.length);
  return map;
}

/** A row as a record, or the reason it cannot be one. */
function toRecord(row: string[], map: Map<Col, number>, label: string): NetflowRecord | string {
  const get = (c: Col): string | undefined => {
    const i = map.get(c);
    return i === undefined ? undefined : row[i];
  };
  const r = new NetflowRecord();
  const src = get('src') ?? '';
  const dst = get('dst') ?? '';
  const s4 = parseIPv4(src);
  const d4 = parseIPv4(dst);
  if (s4 >= 0 && d4 >= 0) {
    r.ipVersion = 4;
    r.src4 = s4;
    r.dst4 = d4;
  } else {
    const s6 = parseIPv6(src);
    const d6 = parseIPv6(dst);
    if (s6 === undefined || d6 === undefined) return `bad address "${src}" / "${dst}"`;
    r.ipVersion = 6;
    r.src6 = formatIPv6(s6);
    r.dst6 = formatIPv6(d6);
  }
  const start = time(get('start'));
  let end = time(get('end'));
  const dur = Number(get('duration'));
  if (end < 0 && start >= 0 && Number.isFinite(dur)) end = start + dur;
  if (start < 0 && end < 0) return `no time in "${get('start') ?? ''}" / "${get('end') ?? ''}"`;
  r.start = start >= 0 ? start : end;
  r.end = end >= 0 ? end : start;
  const proto = protoNumber(get('proto'));
  if (proto < 0) return `bad protocol "${get('proto') ?? ''}"`;
  r.proto = proto;
  r.srcPort = intOr(get('sport'), 0);
  const dp = get('dport') ?? '0';
  if ((proto === 1 || proto === 58) && dp.includes('.')) {
    // nfdump prints ICMP type.code in the destination port.
    const [ty, co] = dp.split('.');
    r.icmpType = intOr(ty, 0);
    r.icmpCode = intOr(co, 0);
    r.dstPort = r.icmpType * 256 + r.icmpCode;
  } else {
    r.dstPort = intOr(dp, 0);
    if (proto === 1 || proto === 58) {
      const it = get('icmpType');
      r.icmpType = it !== undefined ? intOr(it, 0) : r.dstPort >>> 8;
      r.icmpCode = get('icmpCode') !== undefined ? intOr(get('icmpCode'), 0) : r.dstPort & 255;
    }
  }
  r.tcpFlags = flags(get('flags'));
  r.packets = intOr(get('packets'), 0);
  r.octets = intOr(get('bytes'), 0);
  const op = intOr(get('outPackets'), 0);
  const ob = intOr(get('outBytes'), 0);
  if (op > 0 || ob > 0) {
    // Bidirectional records (nfcapd -B aggregation, NSEL): the reverse direction.
    r.revPackets = op;
    r.revOctets = ob;
    r.revTcpFlags = 0;
  }
  const bd = get('biflowDirection');
  if (bd !== undefined && /^\d+$/.test(bd)) r.biflowDirection = Number(bd);
  const router = get('router');
  const exid = get('exporterId');
  r.exporter = router !== undefined && router !== '' && router !== '0.0.0.0' ? (exid !== undefined && exid !== '' ? `${router}#${exid}` : router) : label;
  const rcv = time(get('received'));
  r.received = rcv > 0 ? rcv : r.end;
  r.exportTime = r.received;
  return r;
}

/** `YYYY-MM-DD hh:mm:ss[.fff]` (UTC), epoch ms (13+ digits) or epoch seconds; -1 when absent or unreadable. */
function time(s: string | undefined): number {
  if (s === undefined || s === '') return -1;
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?/.exec(s);
  if (m !== null) {
    const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000 + (m[7] !== undefined ? Number(m[7]) : 0);
    return t > 0 ? t : -1;
  }
  if (/^\d{12,}$/.test(s)) return Number(s) / 1000;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : -1;
}

function protoNumber(s: string | undefined): number {
  if (s === undefined || s === '') return 0;
  if (/^\d+$/.test(s)) return Number(s);
  const p = PROTOS[s.toUpperCase().replace(/[^A-Z0-9]/g, '')];
  return p ?? -1;
}

/** `...A.R..` / `.AP.SF` letters, `0x12` hex, or a decimal. */
function flags(s: string | undefined): number {
  if (s === undefined || s === '') return 0;
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16) & 0xff;
  if (/^\d+$/.test(s)) return Number(s) & 0xff;
  let f = 0;
  for (const ch of s) f |= FLAG_BITS[ch] ?? 0;
  return f;
}

function intOr(s: string | undefined, dflt: number): number {
  if (s === undefined || s === '') return dflt;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : dflt;
}
