/**
 * Tiny micro-benchmark harness: warm up, time repeated runs, print units/s.
 *
 * No assertions on timing anywhere: numbers are for people, not for CI.
 * Each case is timed over `runs` runs after `warmup` untimed ones; the
 * median run gives the rate (robust to a GC pause in one run), and the
 * spread (min–max) is printed beside it.
 *
 * @module
 */

/** One measured case. */
export interface BenchResult {
  readonly name: string;
  /** Units (rows, packets, …) per second, from the median run. */
  readonly rate: number;
  readonly minRate: number;
  readonly maxRate: number;
  readonly runs: number;
}

export interface MeasureOptions {
  /** Units processed by one call of the function (e.g. rows). */
  units: number;
  /** Name of the units, for printing; default `ops`. */
  unit?: string;
  /** Untimed runs first, so the JIT has settled; default 2. */
  warmup?: number;
  /** Timed runs; default 5. */
  runs?: number;
}

/** Time `fn` (sync or async) and return its rate. */
export async function measure(name: string, fn: () => unknown, options: MeasureOptions): Promise<BenchResult> {
  const warmup = options.warmup ?? 2;
  const runs = options.runs ?? 5;
  for (let i = 0; i < warmup; i++) await fn();
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push((options.units * 1e9) / ns);
  }
  rates.sort((a, b) => a - b);
  return {
    name,
    rate: rates[rates.length >> 1] as number,
    minRate: rates[0] as number,
    maxRate: rates[rates.length - 1] as number,
    runs,
  };
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/** Print one line per result, with the ratio to `baseline` (a result's name). */
export function report(title: string, results: readonly BenchResult[], baseline: string, unit = 'ops'): void {
  const base = results.find((r) => r.name === baseline);
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`\n${title}`);
  for (const r of results) {
    const ratio = base === undefined ? '' : `  ×${(r.rate / base.rate).toFixed(2)} vs ${baseline}`;
    console.log(
      `  ${r.name.padEnd(width)}  ${fmt(r.rate).padStart(7)} ${unit}/s  (${fmt(r.minRate)}–${fmt(r.maxRate)}, ${r.runs} runs)${ratio}`,
    );
  }
}
