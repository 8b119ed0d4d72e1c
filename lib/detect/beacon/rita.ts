/**
 * RITA v5's beacon score, reproduced exactly (activecm/rita
 * `analysis/beacons.go`, `config/config.go` defaults; quartiles, median and
 * MAD as montanaflynn/stats computes them). Pure functions over sorted typed
 * arrays; a function returns `undefined` where RITA returns an error (RITA
 * then skips the pair, so do we).
 *
 * What RITA feeds them, and so what the rule feeds them in `rita` mode:
 * - timestamps truncated to whole seconds (`time.Unix(int64(ts), 0)`),
 *   sorted; the timestamp score uses the sorted intervals from the first
 *   non-zero one (duplicate seconds are dropped from the statistics, not
 *   from the histogram);
 * - data sizes: the originator's IP bytes of each connection (`orig_ip_bytes`);
 * - the dataset window: `max(min ts, max ts − 24 h)` to the max ts over all
 *   kept connections, cut in 24 equal bins (not hours: a 2-hour capture has
 *   5-minute bins); the duration score measures that window.
 *
 * Score = round3(0.25·ts + 0.25·ds + 0.25·dur + 0.25·hist), where
 * - ts, ds = round3((skewScore + madScore) / 2); Bowley skew
 *   (Q1 + Q3 − 2·Q2)/(Q3 − Q1), 0 when Q3 − Q1 < 10 or Q2 equals Q1 or Q3;
 *   skewScore = 1 − |skew|; madScore = (median − MAD)/median when
 *   median ≥ 1, else 1 for intervals and 0 for sizes; clamped at 0;
 * - hist = max(cvScore, bimodalFit): cvScore = round3(1 − σ/μ) of the 24 bin
 *   counts (0 when the CV is over 1); bimodal fit = (the two largest groups
 *   of bars of similar height, bar heights grouped in steps of
 *   ceil(5 % × tallest)) / (bars − 1), only with ≥ 11 non-empty bars;
 * - dur = max(coverage, consistency) when ≥ 6 bars are non-empty, else 0:
 *   coverage = ceil3((last − first)/(window)), consistency =
 *   ceil3(longest run of non-empty bins, wrapping around / 12).
 *
 * @module
 */

import { RITA_DEFAULTS } from './options.js';

export type RitaConfig = typeof RITA_DEFAULTS;

/** Go's `math.Round(x*1000)/1000` (half away from zero; scores are never negative). */
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const ceil3 = (x: number): number => Math.ceil(x * 1000) / 1000;

/** Median of sorted `a[lo, hi)` as montanaflynn/stats `Median` (mean of the middle two for even lengths). */
export function medianSorted(a: ArrayLike<number>, lo = 0, hi = a.length): number {
  const l = hi - lo;
  if (l <= 0) return NaN;
  const m = lo + (l >> 1);
  return l % 2 === 0 ? (a[m - 1]! + a[m]!) / 2 : a[m]!;
}

/** Quartiles as montanaflynn/stats `Quartile`: medians of the halves, the median itself left out of both for odd lengths. */
export function quartiles(sorted: ArrayLike<number>): { q1: number; q2: number; q3: number } {
  const n = sorted.length;
  const c1 = n % 2 === 0 ? n / 2 : (n - 1) / 2;
  const c2 = n % 2 === 0 ? n / 2 : c1 + 1;
  return { q1: medianSorted(sorted, 0, c1), q2: medianSorted(sorted, 0, n), q3: medianSorted(sorted, c2, n) };
}

/** `calculateBowleySkewness`: needs ≥ 3 values. */
export function bowleySkewness(sorted: ArrayLike<number>): { skew: number; score: number } | undefined {
  if (sorted.length < 3) return undefined;
  const { q1, q2, q3 } = quartiles(sorted);
  const num = q1 + q3 - 2 * q2;
  const den = q3 - q1;
  let skew = 0;
  if (den >= 10 && q2 !== q1 && q2 !== q3) skew = num / den;
  return { skew, score: 1 - Math.abs(skew) };
}

/** Median absolute deviation about the median (population), as montanaflynn/stats. */
export function medianAbsoluteDeviation(sorted: ArrayLike<number>): { median: number; mad: number } {
  const n = sorted.length;
  const median = medianSorted(sorted);
  const dev = new Float64Array(n);
  for (let i = 0; i < n; i++) dev[i] = Math.abs(sorted[i]! - median);
  dev.sort();
  return { median, mad: medianSorted(dev) };
}

/** `calculateMedianAbsoluteDeviation`: score (median − MAD)/median when median ≥ 1, else `defaultScore`; never below 0. */
export function madScore(sorted: ArrayLike<number>, defaultScore: number): { mad: number; median: number; score: number } {
  const { median, mad } = medianAbsoluteDeviation(sorted);
  let score = defaultScore;
  if (median >= 1) score = (median - mad) / median;
  if (score < 0 || Number.isNaN(score)) score = 0;
  return { mad, median, score };
}

export interface RitaStatistic {
  /** round3((skewScore + madScore) / 2). */
  score: number;
  skew: number;
  skewScore: number;
  mad: number;
  median: number;
  madScore: number;
}

/** `calculateStatisticalScore`. */
export function statisticalScore(sorted: ArrayLike<number>, defaultMadScore: number): RitaStatistic | undefined {
  if (sorted.length === 0) return undefined;
  const sk = bowleySkewness(sorted);
  if (sk === undefined) return undefined;
  const m = madScore(sorted, defaultMadScore);
  return { score: round3((sk.score + m.score) / 2), skew: sk.skew, skewScore: sk.score, mad: m.mad, median: m.median, madScore: m.score };
}

/** Most frequent value of a sorted list, truncated to integers as RITA's `calculateDistinctCounts` (first one on ties). */
export function modeOf(sorted: ArrayLike<number>): { mode: number; count: number } {
  let mode = Math.trunc(sorted[0] ?? 0);
  let best = 0;
  let cur = NaN;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = Math.trunc(sorted[i]!);
    if (v === cur) run++;
    else {
      cur = v;
      run = 1;
    }
    if (run > best) {
      best = run;
      mode = v;
    }
  }
  return { mode, count: best };
}

export interface RitaTimestampScore extends RitaStatistic {
  /** Intervals between the sorted timestamps, sorted, zeros included. */
  intervals: Float64Array;
  /** Most common interval (seconds) and how often it occurs. */
  mode: number;
  modeCount: number;
}

/**
 * `getTimestampScore`: ≥ 4 timestamps and ≥ 3 non-zero intervals, else
 * undefined. `ts` sorted, whole seconds.
 */
export function timestampScore(ts: ArrayLike<number>): RitaTimestampScore | undefined {
  const n = ts.length;
  if (n < 4) return undefined;
  const deltas = new Float64Array(n - 1);
  let nonZero = 0;
  for (let i = 0; i < n - 1; i++) {
    const d = ts[i + 1]! - ts[i]!;
    if (d > 0) nonZero++;
    deltas[i] = d;
  }
  if (nonZero < 3) return undefined;
  deltas.sort();
  let first = 0;
  while (first < deltas.length && !(deltas[first]! > 0)) first++;
  const st = statisticalScore(deltas.subarray(first), 1);
  if (st === undefined) return undefined;
  const m = modeOf(deltas);
  return { ...st, intervals: deltas, mode: m.mode, modeCount: m.count };
}

export interface RitaDataSizeScore extends RitaStatistic {
  mode: number;
  modeCount: number;
}

/** `getDataSizeScore`: ≥ 3 sizes, else undefined. `bytes` sorted. */
export function dataSizeScore(bytes: ArrayLike<number>): RitaDataSizeScore | undefined {
  if (bytes.length < 3) return undefined;
  const st = statisticalScore(bytes, 0);
  if (st === undefined) return undefined;
  const m = modeOf(bytes);
  return { ...st, mode: m.mode, modeCount: m.count };
}

/** `computeHistogramBins`: `n` equal bins from `start` to `end` (whole seconds), n + 1 edges. */
export function histogramBins(start: number, end: number, n: number): Float64Array | undefined {
  if (n <= 0 || end <= start) return undefined;
  const edges = new Float64Array(n + 1);
  const step = (end - start) / n;
  edges[0] = start;
  for (let i = 1; i < n; i++) edges[i] = start + i * step;
  edges[n] = end;
  return edges;
}

export interface RitaHistogram {
  /** Connections per bin. */
  counts: Int32Array;
  /** Bars per height group (`floor(height / binSize) × binSize`). */
  freqCount: Map<number, number>;
  /** Non-empty bins. */
  totalBars: number;
  /** Longest run of non-empty bins, wrapping from the last bin to the first. */
  longestRun: number;
}

/** `createHistogram` + `getFrequencyCounts`. `ts` sorted. */
export function histogram(edges: Float64Array, ts: ArrayLike<number>, modeSensitivity: number): RitaHistogram {
  const nb = edges.length - 1;
  const counts = new Int32Array(nb);
  let cur = 0;
  let next = edges[1]!;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t < next) {
      counts[cur]!++;
      continue;
    }
    for (let j = cur + 1; j < nb; j++) {
      cur = j;
      next = edges[j + 1]!;
      if (t < edges[j + 1]!) break;
    }
    counts[cur]!++;
  }
  let totalBars = 0;
  let largest = 0;
  for (let i = 0; i < nb; i++) {
    if (counts[i]! > 0) totalBars++;
    if (counts[i]! > largest) largest = counts[i]!;
  }
  const binSize = Math.ceil(largest * modeSensitivity);
  const freqCount = new Map<number, number>();
  let longestRun = 0;
  let run = 0;
  for (let i = 0; i < nb * 2; i++) {
    const f = counts[i % nb]!;
    if (f > 0) run++;
    else {
      if (run > longestRun) longestRun = run;
      run = 0;
    }
    if (i < nb && f > 0) {
      const bin = Math.floor(f / binSize) * binSize;
      freqCount.set(bin, (freqCount.get(bin) ?? 0) + 1);
    }
  }
  if (run > longestRun) longestRun = run;
  if (longestRun > nb) longestRun = nb;
  return { counts, freqCount, totalBars, longestRun };
}

/** `calculateCoefficientOfVariationScore`: round3(1 − σ/μ) of the bin counts, 0 when the CV exceeds 1. */
export function cvScore(counts: ArrayLike<number>): { cv: number; score: number } | undefined {
  const n = counts.length;
  if (n === 0) return undefined;
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i]!;
  if (total <= 0) return undefined;
  const mean = total / n;
  let sd = 0;
  for (let i = 0; i < n; i++) sd += (counts[i]! - mean) ** 2;
  sd = Math.sqrt(sd / n);
  const cv = sd / Math.abs(mean);
  const score = cv > 1 ? 0 : Math.min(1, round3(1 - cv));
  return { cv, score };
}

/** `calculateBimodalFitScore`. */
export function bimodalFitScore(freqCount: Map<number, number>, totalBars: number, outlierRemoval: number, minHours: number): number | undefined {
  if (freqCount.size === 0 || totalBars <= 0) return undefined;
  const min = minHours < 6 ? 11 : minHours;
  let fit = 0;
  if (totalBars >= min) {
    let largest = 0;
    let second = 0;
    for (const v of freqCount.values()) {
      if (v > largest) {
        second = largest;
        largest = v;
      } else if (v > second) second = v;
    }
    fit = (largest + second) / Math.max(totalBars - outlierRemoval, 1);
  }
  return Math.min(1, round3(fit));
}

export interface RitaHistogramScore extends RitaHistogram {
  score: number;
  cv: number;
  cvScore: number;
  bimodalFit: number;
}

/** `getHistogramScore` over `bins` equal bins of [datasetMin, datasetMax]. `ts` sorted whole seconds. */
export function histogramScore(datasetMin: number, datasetMax: number, ts: ArrayLike<number>, cfg: RitaConfig = RITA_DEFAULTS, bins = 24): RitaHistogramScore | undefined {
  if (ts.length === 0 || datasetMax <= datasetMin) return undefined;
  const edges = histogramBins(datasetMin, datasetMax, bins);
  if (edges === undefined) return undefined;
  const h = histogram(edges, ts, cfg.histModeSensitivity);
  const cv = cvScore(h.counts);
  if (cv === undefined) return undefined;
  const fit = bimodalFitScore(h.freqCount, h.totalBars, cfg.histBimodalOutlierRemoval, cfg.histBimodalMinHours);
  if (fit === undefined) return undefined;
  return { ...h, score: Math.max(cv.score, fit), cv: cv.cv, cvScore: cv.score, bimodalFit: fit };
}

export interface RitaDurationScore {
  score: number;
  coverage: number;
  consistency: number;
}

/** `getDurationScore`: undefined when the pair's first and last second are equal (RITA's error). */
export function durationScore(
  datasetMin: number,
  datasetMax: number,
  histMin: number,
  histMax: number,
  totalBars: number,
  longestRun: number,
  cfg: RitaConfig = RITA_DEFAULTS,
): RitaDurationScore | undefined {
  const minHours = cfg.durMinHours;
  const ideal = cfg.durIdealNumberOfConsistentHours;
  if (minHours < 1 || ideal < 1 || datasetMax <= datasetMin || histMax <= histMin) return undefined;
  let coverage = 0;
  let consistency = 0;
  let score = 0;
  if (totalBars >= minHours) {
    coverage = Math.min(1, ceil3((histMax - histMin) / (datasetMax - datasetMin)));
    consistency = Math.min(1, ceil3(longestRun / ideal));
    score = Math.max(coverage, consistency);
  }
  return { score, coverage, consistency };
}

/** `getBeaconScore`: round3 of the weighted sum. */
export function beaconScore(ts: number, ds: number, dur: number, hist: number, cfg: RitaConfig = RITA_DEFAULTS): number {
  return round3(ts * cfg.tsWeight + ds * cfg.dsWeight + dur * cfg.durWeight + hist * cfg.histWeight);
}

/**
 * `calculateBucketedScore(score × 100, thresholds)`: RITA's beacon threat
 * score (0 below 50, then 0.2–0.4 up to 75, 0.4–0.6 up to 90, 0.6–0.8 at 100),
 * with RITA's float32 arithmetic.
 */
export function threatScore(score: number, cfg: RitaConfig = RITA_DEFAULTS): number {
  const value = Math.fround(Math.fround(score) * 100);
  const { base, low, med, high } = cfg.scoreThresholds;
  const none = 20;
  const lo = 40;
  const mid = 60;
  const hi = 80;
  let s: number;
  if (value < base) return 0;
  if (value < low) s = Math.fround(none + ((value - base) / (low - base)) * (lo - none));
  else if (value < med) s = Math.fround(lo + ((value - low) / (med - low)) * (mid - lo));
  else s = Math.fround(mid + ((Math.min(value, high) - med) / (high - med)) * (hi - mid));
  return Math.fround(s / 100);
}

/** RITA's impact category of a (threat) score: `GetImpactCategoryFromScore`. */
export function impactOf(threat: number): 'high' | 'medium' | 'low' | 'none' {
  if (threat > 0.6) return 'high';
  if (threat > 0.4) return 'medium';
  if (threat > 0.2) return 'low';
  return 'none';
}

export interface RitaBeacon {
  score: number;
  ts: RitaTimestampScore;
  ds: RitaDataSizeScore;
  hist: RitaHistogramScore;
  dur: RitaDurationScore;
  /** RITA's bucketed beacon threat score. */
  threat: number;
  /** Connections (timestamps) and distinct seconds. */
  count: number;
  unique: number;
}

/** Why RITA would skip a pair (its analyzer logs the error and moves on). */
export type RitaSkip = 'unique' | 'strobe' | 'timestamps' | 'sizes' | 'histogram' | 'duration';

/**
 * `analyzeBeacon` with RITA's gate in front: ≥ 4 distinct seconds and fewer
 * than 86 400 connections. `ts` sorted whole seconds, `bytes` any order
 * (sorted in place).
 */
export function ritaBeacon(ts: Float64Array, bytes: Float64Array, datasetMin: number, datasetMax: number, cfg: RitaConfig = RITA_DEFAULTS): RitaBeacon | RitaSkip {
  let unique = 0;
  for (let i = 0; i < ts.length; i++) if (i === 0 || ts[i] !== ts[i - 1]) unique++;
  if (unique < cfg.uniqueConnectionThreshold) return 'unique';
  if (ts.length >= cfg.strobe) return 'strobe';
  const t = timestampScore(ts);
  if (t === undefined) return 'timestamps';
  bytes.sort();
  const d = dataSizeScore(bytes);
  if (d === undefined) return 'sizes';
  const h = histogramScore(datasetMin, datasetMax, ts, cfg, 24);
  if (h === undefined) return 'histogram';
  const u = durationScore(datasetMin, datasetMax, ts[0]!, ts[ts.length - 1]!, h.totalBars, h.longestRun, cfg);
  if (u === undefined) return 'duration';
  const score = beaconScore(t.score, d.score, u.score, h.score, cfg);
  return { score, ts: t, ds: d, hist: h, dur: u, threat: threatScore(score, cfg), count: ts.length, unique };
}
