/**
 * Sources → decoders → one time-ordered record stream.
 *
 * Inputs (paths, directories, `-`, buffers, async iterables) become streams:
 * a Zeek log directory gives one stream per log kind (rotated files in name
 * order); any other file is a stream of its own. Each stream's format is
 * decided from its first bytes (and, for Zeek logs, the file name): Zeek
 * TSV/JSON, pcap/pcapng packets, pcap/pcapng of NetFlow/IPFIX exports,
 * nfdump CSV, or an nfcapd file (read through `nfdump`).
 *
 * Streams are merged by time: chunks are pulled from whichever stream is
 * furthest behind, and records are released in time order up to the slowest
 * stream's frontier, because the engine needs a host's DNS answers before it
 * judges the web flows that followed. Within a stream, order is the
 * source's (conn.log and flow tables emit at connection end; the engine's
 * reorder window absorbs that).
 *
 * @module
 */

import { isNetflowCapture, NetflowCaptureDecoder } from './decode/netflow/capture.js';
import { sniffCapture } from './decode/pcap/reader.js';
import { ZeekDecoder } from './decode/zeek/decoder.js';
import { InvalidOptionError, UnknownFormatError } from './errors.js';
import { NetflowFlows } from './flow/netflow.js';
import { PcapFlows } from './flow/pcap-flows.js';
import type { FlowTableOptions } from './flow/table.js';
import type { DnsRecord, FlowRecord, NameRecord, NetRecord, RecordSink } from './model.js';
import { expandInputs, gunzipIfNeeded, readFile } from './sources/files.js';
import type { InputFile } from './sources/files.js';
import { looksLikeNfcapd, looksLikeNfdumpCsv, nfdumpFlows } from './sources/nfdump.js';
import type { WeirdCounter } from './weird.js';

/** What can be read: a path (file, directory, `-` for stdin), bytes, or a byte stream. */
export type Source = string | Uint8Array | AsyncIterable<Uint8Array>;

/**
 * Input formats. `auto` sniffs each input: pcap/pcapng (packets, or NetFlow
 * exports when most UDP datagrams are exports), nfdump CSV, nfcapd, Zeek.
 */
export const FORMATS = ['auto', 'zeek', 'pcap', 'netflow', 'nfdump'] as const;
export type Format = (typeof FORMATS)[number];

/** Everything a source can yield. */
export type AnyRecord = NetRecord | NameRecord;

export interface ReadOptions {
  /** Input format. Default `auto`. */
  format?: Format;
  /** Internal networks, for orienting unpaired NetFlow records. Default RFC 1918, 100.64/10, fc00::/7. */
  localNets?: Iterable<string>;
  /** Flow table bounds for packet captures (`maxFlows`, timeouts…). */
  flowTable?: Partial<FlowTableOptions>;
  /** Bytes read so far (compressed bytes for .gz) and the total when known (-1 when not, e.g. stdin). */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

/** Input counters. */
export interface InputStats {
  files: number;
  bytesRead: number;
  /** Zeek log lines. */
  lines: number;
  /** Captured packets read (pcap inputs, including NetFlow export captures). */
  packets: number;
  flows: number;
  dns: number;
  names: number;
  /** Zeek lines of other log kinds, ignored. */
  skipped: number;
  /** Which format each input was read as. */
  formats: Record<string, number>;
}

interface Decoder {
  push(chunk: Uint8Array): void;
  /** End of the file; false when there is more to emit (call again after passing on what came). */
  end(): boolean | void;
}

/** Flows a pcap's flow table emits per step at end of file (its records go on before the next step). */
const FLUSH_STEP = 4096;

interface Stream {
  readonly files: { file: InputFile; chunks: () => AsyncIterable<Uint8Array> }[];
  fileIdx: number;
  it: AsyncIterator<Uint8Array> | undefined;
  /** Record-level sources (nfdump) bypass chunk decoding. */
  records: AsyncIterator<FlowRecord> | undefined;
  decoder: Decoder | undefined;
  readonly buf: AnyRecord[];
  readonly sink: RecordSink;
  frontier: number;
  done: boolean;
}

const RAW = new Set(['<buffer>', '<stream>']);

/** Reads sources into time-ordered batches of records. Single use. */
export class RecordReader {
  readonly #sources: readonly Source[];
  readonly #o: ReadOptions;
  readonly #weirds: WeirdCounter;
  readonly #in: InputStats = { files: 0, bytesRead: 0, lines: 0, packets: 0, flows: 0, dns: 0, names: 0, skipped: 0, formats: {} };
  #bytesTotal = 0;
  #started = false;

  constructor(sources: readonly Source[], options: ReadOptions, weirds: WeirdCounter) {
    const format = options.format ?? 'auto';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new InvalidOptionError(`unknown format "${format}" (formats: ${FORMATS.join(', ')})`);
    }
    this.#sources = sources;
    this.#o = options;
    this.#weirds = weirds;
  }

  /** Counters so far. */
  stats(): InputStats {
    return { ...this.#in, formats: { ...this.#in.formats } };
  }

  /** Time-ordered batches (each batch sorted; batches ascending up to the reorder of each source). */
  async *batches(): AsyncGenerator<AnyRecord[]> {
    if (this.#started) throw new InvalidOptionError('a source can be read once');
    this.#started = true;
    const streams = await this.#open();
    const live = streams.filter((s) => !s.done);
    while (live.length > 0) {
      let pick = live[0]!;
      for (const s of live) if (s.frontier < pick.frontier) pick = s;
      await this.#pull(pick);
      if (pick.done) live.splice(live.indexOf(pick), 1);
      let safe = Infinity;
      for (const s of live) if (s.frontier < safe) safe = s.frontier;
      const batch = release(streams, safe);
      if (batch !== undefined) yield batch;
    }
    const rest = release(streams, Infinity);
    if (rest !== undefined) yield rest;
  }

  async #open(): Promise<Stream[]> {
    const paths: string[] = [];
    const streams: Stream[] = [];
    for (const src of this.#sources) {
      if (typeof src === 'string') paths.push(src);
      else if (src instanceof Uint8Array) streams.push(this.#stream([{ path: '<buffer>', size: src.byteLength, kind: '' }], () => one(src)));
      else streams.push(this.#stream([{ path: '<stream>', size: -1, kind: '' }], () => src));
    }
    if (paths.length > 0) {
      const files = await expandInputs(paths);
      // Each Zeek log kind forms one stream (rotated files in name order); other files stand alone.
      const byKind = new Map<string, InputFile[]>();
      for (const f of files) {
        const key = f.kind === '' ? `#${byKind.size}` : f.kind;
        let list = byKind.get(key);
        if (!list) byKind.set(key, (list = []));
        list.push(f);
      }
      for (const list of byKind.values()) streams.push(this.#stream(list, undefined));
    }
    for (const s of streams) for (const f of s.files) this.#bytesTotal += f.file.size >= 0 ? f.file.size : 0;
    return streams;
  }

  #stream(files: InputFile[], chunks: (() => AsyncIterable<Uint8Array>) | undefined): Stream {
    const s: Stream = {
      files: files.map((file) => ({
        file,
        chunks: chunks ?? (() => readFile(file, (n) => this.#progress(n), (w) => this.#weirds.add(w))),
      })),
      fileIdx: -1,
      it: undefined,
      records: undefined,
      decoder: undefined,
      buf: [],
      sink: undefined as unknown as RecordSink,
      frontier: -Infinity,
      done: false,
    };
    const inp = this.#in;
    const add = (r: AnyRecord): void => {
      s.buf.push(r);
      if (r.ts > s.frontier) s.frontier = r.ts;
    };
    (s as { sink: RecordSink }).sink = {
      flow: (r: FlowRecord) => {
        inp.flows++;
        add(r);
      },
      dns: (r: DnsRecord) => {
        inp.dns++;
        add(r);
      },
      name: (r: NameRecord) => {
        inp.names++;
        add(r);
      },
    };
    return s;
  }

  #progress(n: number): void {
    this.#in.bytesRead += n;
    this.#o.onProgress?.(this.#in.bytesRead, this.#bytesTotal);
  }

  /** Decode one more chunk (or up to 1024 records) of the stream, opening its next file when needed. */
  async #pull(s: Stream): Promise<void> {
    for (;;) {
      if (s.records !== undefined) {
        for (let n = 0; n < 1024; n++) {
          const r = await s.records.next();
          if (r.done) {
            s.records = undefined;
            break;
          }
          s.sink.flow(r.value);
        }
        if (s.records !== undefined) return;
        this.#endFile(s);
        continue;
      }
      if (s.it === undefined) {
        s.fileIdx++;
        const entry = s.files[s.fileIdx];
        if (entry === undefined) {
          s.done = true;
          return;
        }
        this.#in.files++;
        const src = entry.chunks();
        const chunks = RAW.has(entry.file.path) ? gunzipIfNeeded(src, (n) => this.#progress(n), entry.file.path, (w) => this.#weirds.add(w)) : src;
        s.it = chunks[Symbol.asyncIterator]();
        s.decoder = undefined;
      }
      const r = await s.it.next();
      if (r.done) {
        // A flow table ends in steps: let the caller take each step's records first.
        if (s.decoder?.end() === false) return;
        this.#endFile(s);
        continue;
      }
      const chunk = r.value;
      if (chunk.byteLength === 0) continue;
      if (s.decoder === undefined) {
        const d = this.#decoderFor(s, chunk);
        if (d === undefined) continue; // switched to a record-level source
        s.decoder = d;
      }
      s.decoder.push(chunk);
      return;
    }
  }

  /** After the file's decoder has ended (a record-level source has none): on to the next file. */
  #endFile(s: Stream): void {
    s.it = undefined;
    s.decoder = undefined;
  }

  #count(format: string): void {
    this.#in.formats[format] = (this.#in.formats[format] ?? 0) + 1;
  }

  /**
   * Choose a decoder from the format option, the first bytes and the file
   * name; or, for nfdump inputs, switch the stream to records and return undefined.
   */
  #decoderFor(s: Stream, first: Uint8Array): Decoder | undefined {
    const file = s.files[s.fileIdx]!.file;
    const forced = this.#o.format ?? 'auto';
    const onWeird = (w: Parameters<WeirdCounter['add']>[0]): void => this.#weirds.add(w);
    const capture = sniffCapture(first);
    const nfcapd = looksLikeNfcapd(first);
    const nfcsv = !nfcapd && looksLikeNfdumpCsv(first);
    let format: Exclude<Format, 'auto'>;
    if (forced === 'zeek' || forced === 'pcap' || forced === 'nfdump') format = forced;
    else if (forced === 'netflow') format = capture !== undefined ? 'netflow' : 'nfdump';
    else if (capture !== undefined) format = isNetflowCapture(first) ? 'netflow' : 'pcap';
    else if (nfcapd || nfcsv) format = 'nfdump';
    else if (file.kind !== '' || looksLikeZeek(first)) format = 'zeek';
    else {
      throw new UnknownFormatError(
        `cannot tell the format of ${file.path} (first bytes ${hex(first)}); c2watch reads Zeek logs, pcap/pcapng, NetFlow/IPFIX captures and nfdump CSV`,
        { file: file.path, offset: 0 },
      );
    }
    this.#count(format);
    const inp = this.#in;
    switch (format) {
      case 'zeek': {
        const d = new ZeekDecoder({ sink: s.sink, onWeird, file: file.path, ...(file.kind !== '' ? { path: file.kind } : {}) });
        return {
          push: (c) => d.push(c),
          end: () => {
            d.end();
            inp.lines += d.stats.lines;
            inp.skipped += d.stats.skipped;
          },
        };
      }
      case 'pcap': {
        const d = new PcapFlows(s.sink, { ...this.#o.flowTable, file: file.path, onWeird });
        return {
          push: (c) => d.push(c),
          end: () => {
            if (!d.end(FLUSH_STEP)) return false;
            inp.packets += d.stats.reader.packets;
            return true;
          },
        };
      }
      case 'netflow': {
        const flows = new NetflowFlows({ onFlow: (f) => s.sink.flow(f), ...(this.#o.localNets !== undefined ? { localNets: this.#o.localNets } : {}) });
        const d = new NetflowCaptureDecoder({ onRecord: (r) => flows.push(r), onWeird, file: file.path });
        return {
          push: (c) => d.push(c),
          end: () => {
            d.end();
            flows.flush();
            inp.packets += d.stats().pcap.packets;
          },
        };
      }
      case 'nfdump': {
        const opts = { onWeird, file: file.path, ...(this.#o.localNets !== undefined ? { localNets: this.#o.localNets } : {}) };
        if (nfcapd && RAW.has(file.path)) {
          throw new UnknownFormatError(`an nfcapd file is read through nfdump, which needs a path, not ${file.path}`, { file: file.path, offset: 0 });
        }
        // nfcapd: nfdump reads the file itself; CSV: the bytes we hold, then the rest.
        const it = s.it!;
        const src = nfcapd ? file.path : prepend(first, it);
        if (nfcapd) void it.return?.();
        s.it = undefined;
        s.records = nfdumpFlows(src, opts)[Symbol.asyncIterator]();
        return undefined;
      }
    }
  }
}

/** Every buffered record with ts <= safe, in time order (undefined when none). */
function release(streams: Stream[], safe: number): AnyRecord[] | undefined {
  let batch: AnyRecord[] | undefined;
  for (const s of streams) {
    const buf = s.buf;
    if (buf.length === 0) continue;
    if (safe === Infinity || s.frontier <= safe) {
      batch = batch === undefined ? buf.splice(0) : batch.concat(buf.splice(0));
      continue;
    }
    let keep = 0;
    for (let i = 0; i < buf.length; i++) {
      const r = buf[i]!;
      if (r.ts <= safe) (batch ??= []).push(r);
      else buf[keep++] = r;
    }
    buf.length = keep;
  }
  if (batch !== undefined && streams.length > 1) batch.sort((a, b) => a.ts - b.ts);
  return batch;
}

async function* one(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

function looksLikeZeek(b: Uint8Array): boolean {
  let i = 0;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return b[i] === 0x23 /* # */ || b[i] === 0x7b /* { */;
}

function hex(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
