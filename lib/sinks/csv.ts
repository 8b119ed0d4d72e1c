/**
 * CSV sink: the flat columns of a finding (DESIGN §5), written through
 * fast-csv so quoting and escaping follow RFC 4180 without our help.
 *
 * Lists go in one cell each: addresses, ports and domains joined with `;`,
 * reasons with ` | ` (reasons may contain `;` and `,`), evidence as compact
 * JSON. Technique aliases are not a column; NDJSON carries them.
 *
 * @module
 */

import { format, type CsvFormatterStream } from 'fast-csv';
import type { Finding } from '../model.js';
import type { FindingSink, SinkOutput } from './index.js';

/** The header row, in output order. */
export const CSV_COLUMNS = [
  'rule',
  'technique',
  'source_ip',
  'destination_ip',
  'destination_port',
  'destination_domain',
  'first_seen',
  'last_seen',
  'score',
  'severity',
  'reasons',
  'evidence',
] as const;

/** One CSV row: every column as text. */
export type CsvRow = Record<(typeof CSV_COLUMNS)[number], string>;

/** Flatten a finding into its CSV cells. Values are not altered, only joined. */
export function toCsvRow(f: Finding): CsvRow {
  return {
    rule: f.rule,
    technique: f.technique,
    source_ip: f.source.ip,
    destination_ip: f.destination.ip.join(';'),
    destination_port: f.destination.port.join(';'),
    destination_domain: f.destination.domain.join(';'),
    first_seen: f.first_seen,
    last_seen: f.last_seen,
    score: String(f.score),
    severity: f.severity,
    reasons: f.reasons.join(' | '),
    evidence: JSON.stringify(f.evidence),
  };
}

/**
 * Writes findings as CSV with a header row. The header is written even when
 * there are no findings, so an empty result is still a well-formed file
 * with known columns. Rows end with `\n`, the last one included.
 */
export class CsvSink implements FindingSink {
  readonly #csv: CsvFormatterStream<CsvRow, CsvRow>;
  readonly #done: Promise<void>;
  #ended = false;

  constructor(out: SinkOutput) {
    this.#csv = format<CsvRow, CsvRow>({
      headers: [...CSV_COLUMNS],
      alwaysWriteHeaders: true,
      includeEndRowDelimiter: true,
    });
    // fast-csv pushes one Buffer per row; a string decoder keeps multi-byte
    // characters whole whatever the chunking.
    this.#csv.setEncoding('utf8');
    this.#csv.on('data', (chunk: string) => {
      out.write(chunk);
    });
    // Listening from the start also keeps a formatter error from being an
    // unhandled 'error' event; it surfaces from end() instead.
    this.#done = new Promise<void>((resolve, reject) => {
      this.#csv.once('end', resolve);
      this.#csv.once('error', reject);
    });
    // Callers only see the rejection if they call end(); don't let an early
    // failure count as unhandled before then.
    this.#done.catch(() => {});
  }

  /** Queue one row. fast-csv formats it on its own schedule; {@link CsvSink.end} waits for all of it. */
  write(f: Finding): void {
    if (this.#ended) throw new Error('CsvSink: write() after end()');
    this.#csv.write(toCsvRow(f));
  }

  /** Resolves after fast-csv has flushed every row (and the header) to the output. */
  end(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      this.#csv.end();
    }
    return this.#done;
  }
}
