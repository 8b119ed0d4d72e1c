/**
 * `analyze(source, options)`: sources → decode → engine → findings, as an
 * async iterable; `readFlows(source, options)`: the same without the engine,
 * for users who want to see what the detectors saw. Both await once per
 * chunk and run synchronously inside it. Inputs are merged by time (see
 * {@link RecordReader}).
 *
 * @module
 */

import { Engine } from './engine.js';
import type { EngineOptions, EngineStats } from './engine.js';
import { InvalidOptionError } from './errors.js';
import type { Finding } from './model.js';
import { RecordReader } from './pipeline.js';
import type { AnyRecord, InputStats, ReadOptions, Source } from './pipeline.js';
import { WeirdCounter } from './weird.js';
import type { Weird, WeirdHandler } from './weird.js';

export { FORMATS } from './pipeline.js';
export type { AnyRecord, Format, InputStats, ReadOptions, Source } from './pipeline.js';

export interface AnalyzeOptions extends Omit<EngineOptions, 'onFinding'>, Omit<ReadOptions, 'localNets'> {
  /** Every weird (survivable damage) as it happens. */
  onWeird?: WeirdHandler;
}

export interface AnalyzeStats {
  engine: EngineStats;
  weirds: { total: number; byKind: Record<string, number>; samples: readonly Weird[] };
  inputs: InputStats;
}

/**
 * One analysis run: iterate it for findings; `stats()` at any time (final
 * once iteration has ended).
 */
export class Analysis implements AsyncIterable<Finding> {
  readonly #engine: Engine;
  readonly #weirds: WeirdCounter;
  readonly #reader: RecordReader;
  #started = false;

  constructor(sources: readonly Source[], options: AnalyzeOptions = {}) {
    this.#weirds = new WeirdCounter({ onWeird: options.onWeird });
    const { format, onWeird: _w, onProgress, flowTable, ...engineOptions } = options;
    const read: ReadOptions = {};
    if (format !== undefined) read.format = format;
    if (onProgress !== undefined) read.onProgress = onProgress;
    if (flowTable !== undefined) read.flowTable = flowTable;
    if (options.localNets !== undefined) read.localNets = options.localNets;
    this.#reader = new RecordReader(sources, read, this.#weirds);
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
      inputs: this.#reader.stats(),
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Finding> {
    if (this.#started) throw new InvalidOptionError('an Analysis can be iterated once');
    this.#started = true;
    const engine = this.#engine;
    for await (const batch of this.#reader.batches()) {
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        if (r.kind === 'flow') engine.pushFlow(r);
        else if (r.kind === 'dns') engine.pushDns(r);
        else engine.pushName(r);
      }
      const found = engine.drain();
      for (let i = 0; i < found.length; i++) yield found[i]!;
    }
    engine.flush();
    const found = engine.drain();
    for (let i = 0; i < found.length; i++) yield found[i]!;
  }
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

/** A run of {@link readFlows}: iterate for records, `stats()` for counters. */
export class FlowReading implements AsyncIterable<AnyRecord> {
  readonly #weirds: WeirdCounter;
  readonly #reader: RecordReader;

  constructor(sources: readonly Source[], options: ReadOptions & { onWeird?: WeirdHandler } = {}) {
    this.#weirds = new WeirdCounter({ onWeird: options.onWeird });
    const { onWeird: _w, ...read } = options;
    this.#reader = new RecordReader(sources, read, this.#weirds);
  }

  stats(): { weirds: AnalyzeStats['weirds']; inputs: InputStats } {
    return {
      weirds: { total: this.#weirds.total, byKind: this.#weirds.byKind(), samples: this.#weirds.samples() },
      inputs: this.#reader.stats(),
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AnyRecord> {
    for await (const batch of this.#reader.batches()) yield* batch;
  }
}

/**
 * The records c2watch makes of its inputs — FlowRecords (conn.log
 * vocabulary), DnsRecords, NameRecords — in time order, without detection.
 *
 * ```ts
 * for await (const r of readFlows('trace.pcap')) if (r.kind === 'flow') console.log(r.origH, r.respH, r.connState);
 * ```
 */
export function readFlows(source: Source | readonly Source[], options: ReadOptions & { onWeird?: WeirdHandler } = {}): FlowReading {
  const list = Array.isArray(source) ? (source as readonly Source[]) : [source as Source];
  return new FlowReading(list, options);
}
