/**
 * Where findings go: the common sink contract and a factory over the three
 * output formats (DESIGN §5).
 *
 * A sink writes to anything with `write(chunk: string)` — `process.stdout`,
 * a file stream, a test collector — so it needs no fs and no streams of its
 * own. Sinks never end or close the output: whoever opened it owns it.
 *
 * @module
 */

import { InvalidOptionError } from '../errors.js';
import type { Finding } from '../model.js';
import { CsvSink } from './csv.js';
import { NdjsonSink } from './ndjson.js';
import { TableSink, type TableSinkOptions } from './table.js';

/** What a sink writes text to. The return value (a stream's back-pressure flag) is ignored. */
export interface SinkOutput {
  write(chunk: string): unknown;
}

/** Receives findings as they are emitted and writes them out in one format. */
export interface FindingSink {
  /** Take one finding. Synchronous; a sink may buffer. Throws if called after {@link FindingSink.end}. */
  write(f: Finding): void;
  /**
   * Write out whatever is buffered; resolves once everything has been handed
   * to the output. Does not end the output itself. Calling it again returns
   * the same promise.
   */
  end(): Promise<void>;
}

/** The output formats {@link createSink} knows, for CLI validation and help text. */
export const SINK_KINDS = ['ndjson', 'csv', 'table'] as const;

/** One of {@link SINK_KINDS}. */
export type SinkKind = (typeof SINK_KINDS)[number];

/** Options for {@link createSink}; only the table sink has any today. */
export type SinkOptions = TableSinkOptions;

/**
 * Make the sink for an output format.
 * @param kind `ndjson`, `csv` or `table`; checked at run time too, since it usually comes from a CLI flag.
 * @param out where the text goes.
 * @param options passed to the table sink, ignored by the others.
 * @throws InvalidOptionError on an unknown kind, or on bad table options.
 */
export function createSink(kind: SinkKind, out: SinkOutput, options: SinkOptions = {}): FindingSink {
  switch (kind) {
    case 'ndjson':
      return new NdjsonSink(out);
    case 'csv':
      return new CsvSink(out);
    case 'table':
      return new TableSink(out, options);
    default:
      throw new InvalidOptionError(`unknown output format: ${String(kind as unknown)} (expected ${SINK_KINDS.join(', ')})`);
  }
}

export { CsvSink, CSV_COLUMNS, toCsvRow, type CsvRow } from './csv.js';
export { NdjsonSink, toNdjsonLine } from './ndjson.js';
export { TableSink, formatDestination, type TableSinkOptions } from './table.js';
