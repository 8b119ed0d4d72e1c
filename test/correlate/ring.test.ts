import test from 'ava';
import { EventRing } from '../../lib/correlate/ring.js';

const tsOf = (r: EventRing) => Array.from({ length: r.size }, (_, i) => r.ts[r.slot(i)]!);

test('inserts keep time order whatever the arrival order', (t) => {
  const r = new EventRing(64);
  const order = [5, 1, 9, 3, 3, 7, 2, 8, 6, 4, 0];
  for (const x of order) r.insert(x, 1, 53, 0, `d${x}`, '');
  t.deepEqual(tsOf(r), [...order].sort((a, b) => a - b));
  t.is(r.dst[r.slot(0)], 'd0');
  t.is(r.oldestTs(), 0);
  t.is(r.newestTs(), 9);
});

test('grows by doubling up to max, then reports full', (t) => {
  const r = new EventRing(16, 4);
  t.is(r.capacity, 4);
  for (let i = 0; i < 16; i++) r.insert(i, 0, 0, 0, '', '');
  t.is(r.capacity, 16);
  t.true(r.full);
  t.throws(() => r.insert(99, 0, 0, 0, '', ''), { instanceOf: RangeError });
});

test('shift and insert wrap around the ring', (t) => {
  const r = new EventRing(8, 8);
  for (let i = 0; i < 8; i++) r.insert(i, 0, 0, 0, '', '');
  for (let round = 0; round < 20; round++) {
    r.shift();
    r.insert(8 + round - 0.5 * (round % 2), 0, 0, 0, '', '');
    const ts = tsOf(r);
    t.deepEqual(ts, [...ts].sort((a, b) => a - b));
    t.is(r.size, 8);
  }
});

test('lowerBound finds the first event at or after t', (t) => {
  const r = new EventRing(32);
  for (const x of [1, 2, 2, 4, 8]) r.insert(x, 0, 0, 0, '', '');
  t.is(r.lowerBound(0), 0);
  t.is(r.lowerBound(2), 1);
  t.is(r.lowerBound(3), 3);
  t.is(r.lowerBound(9), 5);
});

test('capacity is rounded up to a power of two', (t) => {
  t.is(new EventRing(100).max, 128);
  t.is(new EventRing(1).max, 4);
});
