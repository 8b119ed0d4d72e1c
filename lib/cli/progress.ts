/**
 * A progress bar on stderr for large inputs on a terminal. Redraws at most
 * five times a second (wall time is right here: this is for a human
 * watching, not for the analysis).
 *
 * @module
 */

export class ProgressBar {
  readonly #out: NodeJS.WritableStream;
  readonly #minTotal: number;
  readonly #t0 = performance.now();
  #lastDraw = 0;
  #drawn = false;

  /** @param minTotal draw only when the input is at least this many bytes (or of unknown size and past it). */
  constructor(out: NodeJS.WritableStream, minTotal: number) {
    this.#out = out;
    this.#minTotal = minTotal;
  }

  update(read: number, total: number): void {
    if (total > 0 ? total < this.#minTotal : read < this.#minTotal) return;
    const now = performance.now();
    if (now - this.#lastDraw < 200) return;
    this.#lastDraw = now;
    const secs = (now - this.#t0) / 1000;
    const mbs = read / 1048576 / Math.max(secs, 1e-3);
    let line: string;
    if (total > 0) {
      const frac = Math.min(1, read / total);
      const width = 30;
      const fill = Math.round(frac * width);
      const eta = frac > 0 ? secs / frac - secs : 0;
      line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(1)}%  ${(read / 1048576).toFixed(0)}/${(total / 1048576).toFixed(0)} MB  ${mbs.toFixed(0)} MB/s  eta ${eta.toFixed(0)} s`;
    } else {
      line = `${(read / 1048576).toFixed(0)} MB read  ${mbs.toFixed(0)} MB/s`;
    }
    this.#out.write(`\r${line}\x1b[K`);
    this.#drawn = true;
  }

  /** Clear the bar line. */
  done(): void {
    if (this.#drawn) this.#out.write('\r\x1b[K');
    this.#drawn = false;
  }
}
