// RITA v5 beacon scoring, sub-score by sub-score with hand-computed values,
// then the whole pipeline against RITA's published scores on its own test
// data (proxy_rolling, in the shared corpus).
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../lib/analyze.js';
import {
  beaconScore,
  bimodalFitScore,
  bowleySkewness,
  cvScore,
  dataSizeScore,
  durationScore,
  histogram,
  histogramBins,
  histogramScore,
  impactOf,
  madScore,
  quartiles,
  ritaBeacon,
  threatScore,
  timestampScore,
} from '../../../lib/detect/beacon/rita.js';
import type { Finding } from '../../../lib/model.js';
import { CORPUS } from '../../helpers/paths.js';

const f64 = (xs: number[]) => Float64Array.from(xs);

test('quartiles as montanaflynn/stats: the median is left out of both halves for odd lengths', (t) => {
  t.deepEqual(quartiles([10, 20, 30, 50, 90]), { q1: 15, q2: 30, q3: 70 });
  t.deepEqual(quartiles([1, 2, 3, 4, 5, 6]), { q1: 2, q2: 3.5, q3: 5 });
});

test('Bowley skew: (Q1 + Q3 − 2·Q2)/(Q3 − Q1), zero when the spread is under 10 or Q2 sits on a quartile', (t) => {
  // [10,20,30,50,90]: Q1 15, Q2 30, Q3 70 → 25/55
  const s = bowleySkewness([10, 20, 30, 50, 90])!;
  t.is(s.skew, 25 / 55);
  t.is(s.score, 1 - 25 / 55);
  t.is(bowleySkewness([1, 2, 3, 4, 20])!.skew, 7.5 / 10.5, 'Q1 1.5, Q2 3, Q3 12: spread 10.5 counts');
  t.is(bowleySkewness([1, 2, 3, 4, 5, 9, 9])!.skew, 0, 'Q3 − Q1 = 9 − 2 = 7 < 10');
  t.is(bowleySkewness([10, 10, 10, 30, 90])!.skew, 0, 'Q2 equals Q1');
  t.is(bowleySkewness([1, 2]), undefined, 'fewer than 3 values is an error');
});

test('MADM: (median − MAD)/median, default below a median of 1', (t) => {
  // median 30; |x − 30| = 20,10,0,20,60 → MAD 20 → 10/30
  const m = madScore([10, 20, 30, 50, 90], 1);
  t.is(m.mad, 20);
  t.is(m.score, 10 / 30);
  t.is(madScore([0, 0, 0], 1).score, 1, 'intervals: default 1');
  t.is(madScore([0, 0, 0], 0).score, 0, 'sizes: default 0');
  t.is(madScore([1, 1, 50, 100, 100], 1).score, 0.02, 'median 50, MAD 49 → 1/50');
});

test('timestamp score: intervals from the first non-zero one; gates at 4 timestamps and 3 non-zero intervals', (t) => {
  // intervals 10,20,30,50,90 → skew score 30/55, MAD score 1/3 → round3(0.4394) = 0.439
  const s = timestampScore(f64([0, 10, 30, 60, 110, 200]))!;
  t.is(s.score, 0.439);
  t.is(s.skew, 25 / 55);
  t.is(s.median, 30);
  t.is(timestampScore(f64([0, 60, 120, 180, 240]))!.score, 1, 'a perfect beacon');
  // duplicate seconds: intervals 0,0,60,60,60 → statistics over 60,60,60 only
  const d = timestampScore(f64([0, 0, 0, 60, 120, 180]))!;
  t.is(d.score, 1);
  t.is(d.intervals.length, 5);
  t.is(d.mode, 60);
  t.is(d.modeCount, 3);
  t.is(timestampScore(f64([0, 60, 120])), undefined, 'fewer than 4 timestamps');
  t.is(timestampScore(f64([0, 0, 0, 60, 120])), undefined, 'only 2 non-zero intervals');
});

test('data size score: the same statistics over originator IP bytes, MAD default 0', (t) => {
  t.is(dataSizeScore(f64([100, 100, 100, 100, 100, 5000]))!.score, 1, 'one outlier moves neither quartiles nor MAD');
  t.is(dataSizeScore(f64([0, 0, 0]))!.score, 0.5, 'all-zero sizes: skew score 1, MAD score 0');
  // 10,20,30,50,90 → same numbers as the interval example
  t.is(dataSizeScore(f64([10, 20, 30, 50, 90]))!.score, 0.439);
  t.is(dataSizeScore(f64([1, 2])), undefined);
});

test('histogram: 24 equal bins of the dataset window, the last edge inclusive, earlier timestamps in bin 0', (t) => {
  const edges = histogramBins(0, 2400, 24)!;
  t.is(edges.length, 25);
  t.is(edges[1], 100);
  t.is(edges[24], 2400);
  const h = histogram(edges, f64([-50, 0, 99, 100, 2399, 2400]), 0.05);
  t.is(h.counts[0], 3, '-50 (before the window: RITA reads from the start of the hour) and 0 and 99');
  t.is(h.counts[1], 1);
  t.is(h.counts[23], 2, '2399 and 2400 (the last edge)');
  t.is(h.totalBars, 3);
  t.is(h.longestRun, 3, 'bins 23, 0, 1 wrap around');
});

test('histogram score: CV of the bin counts, or the bimodal fit when ≥ 11 bars', (t) => {
  // one connection per bin: CV 0 → 1; bimodal (24 + 0)/(24 − 1) capped at 1
  const flat = histogramScore(0, 2400, f64(Array.from({ length: 24 }, (_, i) => i * 100)))!;
  t.is(flat.cvScore, 1);
  t.is(flat.bimodalFit, 1);
  t.is(flat.score, 1);
  // bins 0–5 hold 2, bins 12–17 hold 1, the rest 0: mean 0.75, σ = √(16.5/24) → CV 1.1055 > 1 → 0;
  // bar heights group into {2: 6 bars, 1: 6 bars} → (6 + 6)/(12 − 1) → 1
  const ts: number[] = [];
  for (let b = 0; b < 6; b++) ts.push(b * 100, b * 100 + 50);
  for (let b = 12; b < 18; b++) ts.push(b * 100);
  const two = histogramScore(0, 2400, f64(ts))!;
  t.is(two.cvScore, 0);
  t.true(Math.abs(two.cv - Math.sqrt(16.5 / 24) / 0.75) < 1e-12);
  t.is(two.bimodalFit, 1);
  t.is(two.totalBars, 12);
  t.is(two.longestRun, 6);
  // 10 bars (< 11): no bimodal analysis
  t.is(bimodalFitScore(new Map([[1, 10]]), 10, 1, 11), 0);
  // CV 0.5 → 0.5
  t.is(cvScore([1, 3, 1, 3])!.score, 0.5);
});

test('duration score: coverage and consistency, ceil to 3 decimals, 0 below 6 bars', (t) => {
  // the two-level example: first 0, last 1700 of 2400 → ceil3(0.70833) = 0.709; run 6/12 = 0.5
  t.deepEqual(durationScore(0, 2400, 0, 1700, 12, 6), { score: 0.709, coverage: 0.709, consistency: 0.5 });
  t.deepEqual(durationScore(0, 2400, 0, 2300, 24, 24), { score: 1, coverage: 0.959, consistency: 1 });
  t.deepEqual(durationScore(0, 2400, 0, 2300, 5, 5), { score: 0, coverage: 0, consistency: 0 }, 'fewer than 6 bars');
  t.is(durationScore(0, 2400, 100, 100, 6, 6), undefined, 'first = last is an error in RITA');
});

test('beacon score: the four sub-scores weighted 0.25 and rounded to 3 decimals; RITA threat buckets', (t) => {
  t.is(beaconScore(1, 0.831, 0.861, 0), 0.673);
  t.is(beaconScore(0.363, 0.884, 0.75, 0.5), 0.624);
  // 50 → 0.2 … 75 → 0.4 … 90 → 0.6 … 100 → 0.8, in float32
  t.is(threatScore(0.49), 0);
  t.true(Math.abs(threatScore(0.673) - 0.3384) < 1e-4, String(threatScore(0.673)));
  t.true(Math.abs(threatScore(0.624) - 0.2992) < 1e-4);
  t.true(Math.abs(threatScore(0.8) - 0.4667) < 1e-4);
  t.true(Math.abs(threatScore(1) - 0.8) < 1e-6);
  t.is(impactOf(threatScore(0.673)), 'low');
  t.is(impactOf(threatScore(0.95)), 'high');
});

test('ritaBeacon: RITA\'s gate (4 distinct seconds, under 86 400 connections) and a whole pair', (t) => {
  t.is(ritaBeacon(f64([0, 0, 0, 10, 20]), f64([1, 1, 1, 1, 1]), 0, 100), 'unique');
  const ts = f64(Array.from({ length: 24 }, (_, i) => i * 100));
  const r = ritaBeacon(ts, f64(Array(24).fill(500)), 0, 2400);
  if (typeof r === 'string') return t.fail(r);
  t.is(r.score, beaconScore(1, 1, 1, 1));
  t.is(r.dur.coverage, 0.959);
  t.is(r.unique, 24);
});

// ---- cross-check against RITA's published numbers ----------------------------

const PROXY = join(CORPUS, 'zeek-logs/rita/proxy_rolling');

async function ritaFindings(): Promise<Finding[]> {
  const out: Finding[] = [];
  for await (const f of analyze(PROXY, { rules: ['beacon.score'], beacon: { mode: 'rita', scoreThreshold: 0 } })) out.push(f);
  return out;
}

if (!existsSync(PROXY)) {
  test('RITA cross-check (corpus absent)', (t) => t.pass());
} else {
  // activecm/rita integration/proxy_rolling_test.go, TestRollingThreats (after the 16:00 import):
  //   10.0.0.238 -> 75.75.75.75                      beacon 0.673, count 1160, final 0.3383
  //   10.0.0.111 -> safebrowsing.googleapis.com:443  beacon 0.624, count 46 (all through the proxy), final 0.4492
  test('rita mode reproduces RITA v5 on proxy_rolling: 0.673 and 0.624', async (t) => {
    const fs = await ritaFindings();
    const dns = fs.find((f) => f.source.ip === '10.0.0.238' && f.destination.ip[0] === '75.75.75.75' && f.destination.domain.length === 0)!;
    t.truthy(dns);
    t.is(dns.score, 0.673);
    t.is(dns.evidence['connections'], 1160);
    // sub-scores (not published; computed by hand from RITA's code): whole-second intervals are all 0 or 1 s
    t.deepEqual([dns.evidence['score_ts'], dns.evidence['score_ds'], dns.evidence['score_hist'], dns.evidence['score_dur']], [1, 0.831, 0, 0.861]);
    t.true(Math.abs((dns.evidence['threatScore'] as number) - 0.3383) <= 0.001, 'RITA final score 0.3383 (no modifier applies)');
    const sb = fs.find((f) => f.source.ip === '10.0.0.111' && f.destination.domain[0] === 'safebrowsing.googleapis.com:443')!;
    t.truthy(sb);
    t.is(sb.score, 0.624);
    t.is(sb.evidence['connections'], 46);
    t.is(sb.evidence['proxied'], true);
    t.deepEqual(sb.destination.ip, ['10.0.0.238'], 'every connection went to the proxy');
    t.deepEqual([sb.evidence['score_ts'], sb.evidence['score_ds'], sb.evidence['score_hist'], sb.evidence['score_dur']], [0.363, 0.884, 0.5, 0.75]);
    // RITA's final 0.4492 = bucket 0.2992 + 0.15 (a first-seen / prevalence modifier, outside the beacon score)
    t.true(Math.abs((sb.evidence['threatScore'] as number) + 0.15 - 0.4492) <= 0.001);
    // RITA never reports the proxy itself as a destination of 10.0.0.111 (proxy_rolling_test.go TestProxy)
    t.false(fs.some((f) => f.source.ip === '10.0.0.111' && f.destination.domain.length === 0 && f.destination.ip.includes('10.0.0.238')));
  });
}
