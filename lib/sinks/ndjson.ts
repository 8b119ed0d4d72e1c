/**
 * NDJSON sink: one finding per line, exactly the {@link Finding} object
 * (DESIGN §5). This is the format other tools consume, so it is the model as
 * is: no renaming, no rounding (the engine already rounds scores).
 *
 * @module
 */

import type { Finding } from '../model.js';
import type { FindingSink, SinkOutput } from './index.js';

/**
 * Serialise one finding as a JSON text, without the trailing newline.
 *
 * Keys come out in the model's order whatever order the rule built the object
 * in, so lines from different rules diff and grep alike; properties that are
 * not part of the model are left out. Values are not altered (JSON itself
 * turns a non-finite number into `null`).
 */
export function toNdjsonLine(f: Finding): string {
  return JSON.stringify({
    rule: f.rule,
    technique: f.technique,
    techniqueAliases: f.techniqueAliases,
    source: { ip: f.source.ip },
    destination: { ip: f.destination.ip, port: f.destination.port, domain: f.destination.domain },
    first_seen: f.first_seen,
    last_seen: f.last_seen,
    score: f.score,
    severity: f.severity,
    evidence: f.evidence,
    reasons: f.reasons,
  });
}

/** Writes each finding at once as one NDJSON line; buffers nothing. */
export class NdjsonSink implements FindingSink {
  readonly #out: SinkOutput;
  #ended = false;

  constructor(out: SinkOutput) {
    this.#out = out;
  }

  /** Write one line. */
  write(f: Finding): void {
    if (this.#ended) throw new Error('NdjsonSink: write() after end()');
    this.#out.write(toNdjsonLine(f) + '\n');
  }

  /** Nothing is buffered, so this only marks the sink closed. */
  end(): Promise<void> {
    this.#ended = true;
    return Promise.resolve();
  }
}
