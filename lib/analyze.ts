/**
 * `analyze(source, options)`: sources → decode → engine → findings, as an
 * async iterable. Awaits once per chunk and runs synchronously inside it.
 *
 * A source is a path (file or Zeek log directory, `-` for stdin), a
 * `Uint8Array`, or any `AsyncIterable<Uint8Array>` (Node streams are), or an
 * array of those. Several inputs are merged by time: conn and dns logs are
 * separate streams, and the engine needs a host's DNS answers before it
 * judges the web flows that followed, so chunks are pulled from whichever
 * stream is furthest behind and records are released in time order up to the
 * slowest stream's frontier. Within a stream, order is the file's (conn.log
 * is ordered by connection end; the engine's reorder window absorbs that).
 *
 * @module
 */

import { ZeekDecoder } from './decode/zeek/decoder.js';
import { Engine } from './engine.js';
import type { EngineOptions, EngineStats } from './engine.js';
import { InvalidOptionError, UnknownFormatError } from './errors.js';
import type { DnsRecord, Finding, FlowRecord, NameRecord, NetRecord, RecordSink } from './model.js';
import { expandInputs, gunzipIfNeeded, readFile } from './sources/files.js';
import type { InputFile } from './sources/files.js';
import { WeirdCounter } from './weird.js';
import type { Weird, WeirdHandler } from './weird.js';

/** What `analyze` reads. */
export type Source = string | Uint8Array | AsyncIterable<Uint8Array>;

/** Input formats. `auto` sniffs the content (and, for Zeek logs, the file name). */
export const FORMATS = ['auto', 'zeek'] as const;
export type Format = (typeof FORMATS)[number];

export interface AnalyzeOptions extends Omit<EngineOptions, 'onFinding'> {
  /** Input format. Default `auto`. */
  format?: Format;
  /** Every weird (survivable damage) as it happens. */
  onWeird?: WeirdHandler;
  /** Bytes read so far (compressed bytes for .gz) and the total when known (-1 when not, e.g. stdin). */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

export interface AnalyzeStats {
  engine: EngineStats;
  weirds: { total: number; byKind: Record<string, number>; samples: readonly Weird[] };
  inputs: { files: number; bytesRead: number; lines: number; flows: number; dns: number; names: number; skipped: number };
}

/** What the decoders hand over: flows, DNS transactions, server names. */
type AnyRecord = NetRecord | NameRecord;

interface Stream {
  readonly label: string;
  readonly files: { file: InputFile; chunks: () => AsyncIterable<Uint8Array> }[];
  fileIdx: number;
  it: AsyncIterator<Uint8Array> | undefined;
  decoder: Decoder | undefined;
  readonly buf: AnyRecord[];
  frontier: number;
  done: boolean;
}

interface Decoder {
  push(chunk: Uint8Array): void;
  end(): void;
  readonly stats: { lines: number; flows: number; dns: number; names: number; skipped: number };
}

/**
 * One analysis run: iterate it for findings; `stats()` at any time (final
 * once iteration has ended).
 */
export class Analysis implements AsyncIterable<Finding> {
  readonly #sources: readonly Source[];
  readonly #options: AnalyzeOptions;
  readonly #engine: Engine;
  readonly #weirds: WeirdCounter;
  readonly #inputs = { files: 0, bytesRead: 0, lines: 0, flows: 0, dns: 0, names: 0, skipped: 0 };
  #bytesTotal = 0;
  #started = false;

  constructor(sources: readonly Source[], options: AnalyzeOptions = {}) {
    const format = options.format ?? 'auto';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new InvalidOptionError(`unknown format "${format}" (formats: ${FORMATS.join(', ')})`);
    }
    this.#sources = sources;
    this.#options = options;
    this.#weirds = new WeirdCounter({ onWeird: options.onWeird });
    const { format: _f, onWeird: _w, onProgress: _p, ...engineOptions } = options;
    this.#engine = new Engine(engineOptions);
  }

  /** The engine behind this run (for its rules and prevalence). */
  get engine(): Engine {
    return this.#engine;
  }

  stats(): AnalyzeStats {
    return {
      engine: this.#engine.stats(),
      weirds: { total: this.#weirds.total, byKind: this.#weirds.byKind(), samples: this.#weirds.samples() },
      inputs: { ...this.#inputs },
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Finding> {
    if (this.#started) throw new InvalidOptionError('an Analysis can be iterated once');
    this.#started = true;
    const streams = await this.#openStreams();
    const engine = this.#engine;
    const live = streams.filter((s) => !s.done);
    while (live.length > 0) {
      // Pull from the stream that is furthest behind in time.
      let pick = live[0]!;
      for (const s of live) if (s.frontier < pick.frontier) pick = s;
      await this.#pull(pick);
      if (pick.done) live.splice(live.indexOf(pick), 1);
      let safe = Infinity;
      for (const s of live) if (s.frontier < safe) safe = s.frontier;
      release(streams, safe, engine);
      const found = engine.drain();
      for (let i = 0; i < found.length; i++) yield found[i]!;
    }
    release(streams, Infinity, engine);
    engine.flush();
    const found = engine.drain();
    for (let i = 0; i < found.length; i++) yield found[i]!;
  }

  async #openStreams(): Promise<Stream[]> {
    const paths: string[] = [];
    const streams: Stream[] = [];
    for (const src of this.#sources) {
      if (typeof src === 'string') paths.push(src);
      else if (src instanceof Uint8Array) streams.push(this.#stream('<buffer>', [{ path: '<buffer>', size: src.byteLength, kind: '' }], () => one(src)));
      else streams.push(this.#stream('<stream>', [{ path: '<stream>', size: -1, kind: '' }], () => src));
    }
    if (paths.length > 0) {
      const files = await expandInputs(paths);
      // Each log kind (conn, dns, ssl, http) forms one stream (rotated files in name order); other files stand alone.
      const byKind = new Map<string, InputFile[]>();
      for (const f of files) {
        const key = f.kind === '' ? `#${byKind.size}` : f.kind;
        let list = byKind.get(key);
        if (!list) byKind.set(key, (list = []));
        list.push(f);
      }
      for (const [key, list] of byKind) streams.push(this.#stream(key, list, undefined));
    }
    for (const s of streams) for (const f of s.files) this.#bytesTotal += f.file.size >= 0 ? f.file.size : 0;
    return streams;
  }

  #stream(label: string, files: InputFile[], chunks: (() => AsyncIterable<Uint8Array>) | undefined): Stream {
    return {
      label,
      files: files.map((file) => ({
        file,
        chunks: chunks ?? (() => readFile(file, (n) => this.#progress(n), (w) => this.#weirds.add(w))),
      })),
      fileIdx: -1,
      it: undefined,
      decoder: undefined,
      buf: [],
      frontier: -Infinity,
      done: false,
    };
  }

  #progress(n: number): void {
    this.#inputs.bytesRead += n;
    this.#options.onProgress?.(this.#inputs.bytesRead, this.#bytesTotal);
  }

  /** Decode one more chunk of the stream (opening its next file when needed). */
  async #pull(s: Stream): Promise<void> {
    for (;;) {
      if (s.it === undefined) {
        s.fileIdx++;
        const entry = s.files[s.fileIdx];
        if (entry === undefined) {
          s.done = true;
          return;
        }
        this.#inputs.files++;
        const src = entry.chunks();
        const isRaw = entry.file.path === '<buffer>' || entry.file.path === '<stream>';
        const chunks = isRaw ? gunzipIfNeeded(src, (n) => this.#progress(n), entry.file.path, (w) => this.#weirds.add(w)) : src;
        s.it = chunks[Symbol.asyncIterator]();
        s.decoder = undefined;
      }
      const r = await s.it.next();
      if (r.done) {
        this.#endFile(s);
        continue;
      }
      const chunk = r.value;
      if (chunk.byteLength === 0) continue;
      if (s.decoder === undefined) s.decoder = this.#decoderFor(s, chunk);
      s.decoder.push(chunk);
      return;
    }
  }

  #endFile(s: Stream): void {
    const d = s.decoder;
    if (d !== undefined) {
      d.end();
      this.#inputs.lines += d.stats.lines;
      this.#inputs.flows += d.stats.flows;
      this.#inputs.dns += d.stats.dns;
      this.#inputs.names += d.stats.names;
      this.#inputs.skipped += d.stats.skipped;
    }
    s.it = undefined;
    s.decoder = undefined;
  }

  /** Choose a decoder from the format option, the first bytes and the file name. */
  #decoderFor(s: Stream, first: Uint8Array): Decoder {
    const file = s.files[s.fileIdx]!.file;
    const format = this.#options.format ?? 'auto';
    if (format === 'auto' && file.kind === '' && !looksLikeZeek(first)) {
      throw new UnknownFormatError(`cannot tell the format of ${file.path} (${describeMagic(first)}); c2watch reads Zeek conn/dns logs (TSV or JSON)`, {
        file: file.path,
        offset: 0,
      });
    }
    const sink: RecordSink = {
      flow: (r: FlowRecord) => {
        s.buf.push(r);
        if (r.ts > s.frontier) s.frontier = r.ts;
      },
      dns: (r: DnsRecord) => {
        s.buf.push(r);
        if (r.ts > s.frontier) s.frontier = r.ts;
      },
      name: (r: NameRecord) => {
        s.buf.push(r);
        if (r.ts > s.frontier) s.frontier = r.ts;
      },
    };
    return new ZeekDecoder({
      sink,
      onWeird: (w) => this.#weirds.add(w),
      file: file.path,
      ...(file.kind !== '' ? { path: file.kind } : {}),
    });
  }
}

/** Hand the engine every buffered record with ts <= safe, in time order. */
function release(streams: Stream[], safe: number, engine: Engine): void {
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
  if (batch === undefined) return;
  if (streams.length > 1) batch.sort((a, b) => a.ts - b.ts);
  for (let i = 0; i < batch.length; i++) {
    const r = batch[i]!;
    if (r.kind === 'flow') engine.pushFlow(r);
    else if (r.kind === 'dns') engine.pushDns(r);
    else engine.pushName(r);
  }
}

async function* one(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

function looksLikeZeek(b: Uint8Array): boolean {
  let i = 0;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return b[i] === 0x23 /* # */ || b[i] === 0x7b /* { */;
}

function describeMagic(b: Uint8Array): string {
  const hex = Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  const m = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
  const pcap = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a].includes(m >>> 0);
  return pcap ? `pcap/pcapng magic ${hex}: packet captures are not read yet` : `first bytes ${hex}`;
}

/**
 * Analyze one source or several, merged by time.
 *
 * ```ts
 * for await (const f of analyze('zeek-logs/', { localNets: ['10.0.0.0/8'] })) console.log(f.rule, f.source.ip);
 * ```
 */
export function analyze(source: Source | readonly Source[], options: AnalyzeOptions = {}): Analysis {
  const list = Array.isArray(source) ? (source as readonly Source[]) : [source as Source];
  return new Analysis(list, options);
}
