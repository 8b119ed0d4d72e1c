// The default mode's statistics: bursts, the binomial tail, the periodicity test.
import test from 'ava';
import { binomialUpperTail, mergeBursts, nullShare, periodicity, sizeConsistency } from '../../../lib/detect/beacon/periodicity.js';
import { beaconTimes, poissonTimes } from './helpers.js';

test('null share: exponential intervals within ±30 % of their median', (t) => {
  // 2^-0.7 − 2^-1.3
  t.true(Math.abs(nullShare(0.3) - 0.2095) < 1e-4);
  // by simulation
  const iv = poissonTimes(0, 10, 2e6, 9);
  const d = iv.slice(1).map((x, i) => x - iv[i]!).sort((a, b) => a - b);
  const med = d[d.length >> 1]!;
  const share = d.filter((x) => Math.abs(x - med) <= 0.3 * med).length / d.length;
  t.true(Math.abs(share - nullShare(0.3)) < 0.01, String(share));
});

test('binomial upper tail: exact small cases and no underflow', (t) => {
  t.is(binomialUpperTail(0, 10, 0.3), 1);
  t.true(Math.abs(binomialUpperTail(10, 10, 0.5) - 1 / 1024) < 1e-15);
  // P(X ≥ 2), n 3, p 0.5 = 4/8
  t.true(Math.abs(binomialUpperTail(2, 3, 0.5) - 0.5) < 1e-12);
  const tiny = binomialUpperTail(400, 400, 0.2095);
  t.true(tiny > 0 || tiny === 0);
  t.true(binomialUpperTail(200, 400, 0.2095) < 1e-20);
});

test('bursts within the gap are one check-in, their bytes summed', (t) => {
  const ci = mergeBursts([0, 0.4, 1.9, 60, 60.5, 120], [100, 50, 10, 100, -1, 100], 6, 2);
  t.deepEqual(Array.from(ci.ts), [0, 60, 120]);
  t.deepEqual(Array.from(ci.size), [160, 100, 100]);
  t.is(ci.merged, 3);
});

test('a 60 s ±10 % beacon: period, jitter ≈ 0.1, tiny p', (t) => {
  const ts = beaconTimes(0, 60, 0.1, 86400, 3);
  const p = periodicity(ts, ts.length, 0.3, 2)!;
  t.true(Math.abs(p.period - 60) / 60 < 0.01, String(p.period));
  t.true(Math.abs(p.jitter - 0.1) < 0.02, String(p.jitter));
  t.is(p.onPeriodShare, 1);
  t.true(p.pValue < 1e-100);
});

test('30 % jitter is still periodic; Poisson timing is not (false positives at alpha 0.001 over 200 runs: at most one)', (t) => {
  for (const j of [0.2, 0.3]) {
    const ts = beaconTimes(0, 300, j, 86400, 4);
    const p = periodicity(ts, ts.length, 0.3, 2)!;
    t.true(p.pValue < 1e-20, `jitter ${j}: p ${p.pValue}`);
    t.true(Math.abs(p.jitter - j) < 0.06, `jitter ${j}: estimated ${p.jitter}`);
    t.true(Math.abs(p.period - 300) / 300 < 0.05);
  }
  let hits = 0;
  for (let seed = 100; seed < 300; seed++) {
    const ts = poissonTimes(0, 120, 86400, seed);
    if (periodicity(ts, ts.length, 0.3, 2)!.pValue <= 0.001) hits++;
  }
  t.true(hits <= 1, `${hits} false positives`);
});

test('a busy Poisson source merged at 2 s is not a 2-second beacon (the test runs on interval − gap)', (t) => {
  const ts = poissonTimes(0, 0.5, 20000, 7);
  const ci = mergeBursts(ts, new Float64Array(ts.length), ts.length, 2);
  const p = periodicity(ci.ts, ci.n, 0.3, 2)!;
  t.true(p.pValue > 0.01, String(p.pValue));
  // without the shift the piled-up intervals just above 2 s would pass
  t.true(periodicity(ci.ts, ci.n, 0.3, 0)!.pValue < 1e-6);
});

test('size consistency: identical sizes 1, scattered sizes low, unknown 0.5', (t) => {
  t.is(sizeConsistency([500, 500, 500, 500], 4).score, 1);
  t.true(sizeConsistency([10, 5000, 80, 120000, 3, 900], 6).score < 0.5);
  t.is(sizeConsistency([-1, -1, -1, -1], 4).score, 0.5);
});
