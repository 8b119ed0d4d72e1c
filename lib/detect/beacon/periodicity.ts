/**
 * c2watch's own beacon statistics (default mode): check-ins, period,
 * jitter, and a periodicity test with a p-value.
 *
 * Why an interval test and not a periodogram: implants sleep `period ×
 * (1 ± jitter)` *after* each check-in (Cobalt Strike, Sliver, Mythic), so
 * check-in times are a random walk: with 20–30 % jitter the phase is lost
 * after two or three beats and a spectral line (or the autocorrelation of
 * binned counts) flattens out. The intervals themselves stay concentrated
 * around the period however long the series, so the test is on them:
 *
 * - H0, no schedule: connections are a Poisson process, intervals i.i.d.
 *   exponential. The share of exponential intervals within ±τ of their median
 *   is p0 = 2^−(1−τ) − 2^−(1+τ) (0.2095 for τ = 0.3), whatever the rate.
 * - Statistic: k, the intervals within ±τ·median of the sample median.
 *   p-value = P(Binomial(n − d, p0) ≥ k − d), exact (log-space sum), where
 *   d = 1 (odd n) or 2 (even n) leaves out the middle interval(s): they sit
 *   on the sample median by construction. Without that the test is
 *   anti-conservative for small n (simulated false-positive rate 1–3.6e-3 at
 *   a nominal 1e-3 for n = 5…100; with it, at most 4.2e-4). A beacon with
 *   ±30 % jitter puts nearly all intervals inside (p ≈ 0.21^(n−d)); missed
 *   beats and stray connections only move some intervals outside.
 *
 * Bursts (several connections within `burstGap` of the first, e.g. retries
 * or a fetch of several objects) are one check-in, so a retrying client
 * does not look like a 1-second beacon. Merging changes the null: after a
 * check-in at t the next one is the first connection after t + gap, so under
 * H0 the intervals are gap + exponential (memoryless). The test therefore
 * runs on interval − gap; without that, a busy Poisson source merged at 2 s
 * would show intervals piled just above 2 s and pass for a beacon.
 *
 * @module
 */

import { bowleySkewness, medianSorted, quartiles } from './rita.js';

/** Check-ins of one pair: bursts merged. */
export interface CheckIns {
  /** Time of each check-in (its first connection), ascending. */
  ts: Float64Array;
  /** Originator bytes of each check-in (sum over the burst), -1 when unknown. */
  size: Float64Array;
  n: number;
  /** Connections folded into an earlier check-in. */
  merged: number;
}

/** Merge connections closer than `gap` to the start of the current check-in. Inputs ascending. */
export function mergeBursts(ts: ArrayLike<number>, size: ArrayLike<number>, n: number, gap: number): CheckIns {
  const outTs = new Float64Array(n);
  const outSize = new Float64Array(n);
  let k = 0;
  let merged = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    const b = size[i]!;
    if (k > 0 && t - outTs[k - 1]! < gap) {
      merged++;
      if (b >= 0) outSize[k - 1] = outSize[k - 1]! < 0 ? b : outSize[k - 1]! + b;
      continue;
    }
    outTs[k] = t;
    outSize[k] = b;
    k++;
  }
  return { ts: outTs.subarray(0, k), size: outSize.subarray(0, k), n: k, merged };
}

/** Share of exponential intervals within ±tol of their median: the null of the test. */
export function nullShare(tol: number): number {
  return 2 ** -(1 - tol) - 2 ** -(1 + tol);
}

const logFact: number[] = [0];
function lnFactorial(n: number): number {
  for (let i = logFact.length; i <= n; i++) logFact.push(logFact[i - 1]! + Math.log(i));
  return logFact[n]!;
}

/** P(X ≥ k) for X ~ Binomial(n, p), exact, summed in log space (no underflow to a wrong 0 before 1e-300). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const lnN = lnFactorial(n);
  let max = -Infinity;
  const terms: number[] = [];
  for (let i = k; i <= n; i++) {
    const t = lnN - lnFactorial(i) - lnFactorial(n - i) + i * lp + (n - i) * lq;
    terms.push(t);
    if (t > max) max = t;
  }
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return Math.min(1, Math.exp(max + Math.log(sum)));
}

export interface Periodicity {
  /** Intervals between check-ins. */
  intervals: number;
  /** Period estimate, seconds: the mean of the on-period intervals. */
  period: number;
  /** Interval quartiles, seconds. */
  q1: number;
  median: number;
  q3: number;
  /** Median absolute deviation of the intervals, seconds. */
  mad: number;
  /**
   * Jitter as a fraction of the period: 2·MAD/median, which equals `a` for
   * intervals spread uniformly over period × (1 ± a).
   */
  jitter: number;
  /** Intervals within ±tolerance × median of the median. */
  onPeriod: number;
  onPeriodShare: number;
  /** P(so many on-period intervals | Poisson connections). */
  pValue: number;
  /** The test's null share (see {@link nullShare}). */
  nullShare: number;
}

/**
 * Interval statistics and the periodicity test over check-in times
 * (ascending); undefined with fewer than 3 intervals. `gap`: the burst gap
 * the check-ins were merged with (the test runs on interval − gap).
 */
export function periodicity(ts: ArrayLike<number>, n: number, tolerance: number, gap = 0): Periodicity | undefined {
  if (n < 4) return undefined;
  const iv = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) iv[i] = ts[i + 1]! - ts[i]!;
  iv.sort();
  const m = iv.length;
  const median = medianSorted(iv);
  if (!(median > 0)) return undefined;
  const { q1, q3 } = quartiles(iv);
  const dev = new Float64Array(m);
  for (let i = 0; i < m; i++) dev[i] = Math.abs(iv[i]! - median);
  dev.sort();
  const mad = medianSorted(dev);
  // The test, on intervals less the merge gap (exponential under H0), sorted like iv.
  const g = Math.min(gap, iv[0]!);
  const testMedian = median - g;
  const tol = tolerance * testMedian;
  let on = 0;
  let onSum = 0;
  for (let i = 0; i < m; i++) {
    if (Math.abs(iv[i]! - g - testMedian) <= tol) {
      on++;
      onSum += iv[i]!;
    }
  }
  const p0 = nullShare(tolerance);
  return {
    intervals: m,
    period: on > 0 ? onSum / on : median,
    q1,
    median,
    q3,
    mad,
    jitter: (2 * mad) / median,
    onPeriod: on,
    onPeriodShare: on / m,
    pValue: binomialUpperTail(on - (m % 2 === 1 ? 1 : 2), m - (m % 2 === 1 ? 1 : 2), p0),
    nullShare: p0,
  };
}

/**
 * Consistency of check-in sizes: (Bowley skew score + max(0, 1 − MAD/median)) / 2,
 * RITA's data-size idea on payload bytes; 0.5 (unknown) with fewer than 3 known sizes.
 */
export function sizeConsistency(size: ArrayLike<number>, n: number): { score: number; median: number; mad: number; known: number } {
  const known: number[] = [];
  for (let i = 0; i < n; i++) if (size[i]! >= 0) known.push(size[i]!);
  if (known.length < 3) return { score: 0.5, median: known.length ? known[0]! : -1, mad: 0, known: known.length };
  const s = Float64Array.from(known).sort();
  const median = medianSorted(s);
  const dev = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) dev[i] = Math.abs(s[i]! - median);
  dev.sort();
  const mad = medianSorted(dev);
  const madPart = median >= 1 ? Math.max(0, 1 - mad / median) : mad === 0 ? 1 : 0;
  const skew = bowleySkewness(s)?.score ?? 1;
  return { score: (skew + madPart) / 2, median, mad, known: s.length };
}
