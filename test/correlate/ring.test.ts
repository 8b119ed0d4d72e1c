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

test('every column keeps its own values through out-of-order inserts, shifts and growth (one buffer, strided views, no overlap)', (t) => {
  // Model: a sorted list of full events; the ring's columns share one ArrayBuffer, so a wrong
  // offset would make one column overwrite another.
  type E = [ts: number, band: number, port: number, flags: number, proto: number, ob: number, oib: number, rb: number, dst: string, name: string, uid: string];
  const r = new EventRing(64, 4);
  let model: E[] = [];
  let seed = 11;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let step = 0; step < 3000; step++) {
    if (r.full || (model.length > 0 && rnd(4) === 0)) {
      r.shift();
      model.shift();
    } else {
      const e: E = [rnd(1000) + step, rnd(256), rnd(65536), rnd(128), rnd(256), rnd(1e9), rnd(1e9), rnd(1e9), `d${step}`, `n${step}`, `u${step}`];
      const s = r.insert(e[0], e[1], e[2], e[3], e[8], e[9]);
      // Half the events get flags added afterwards, as the engine does when it joins a name.
      if (rnd(2) === 0) {
        r.addFlags(s, 0x40);
        e[3] |= 0x40;
      }
      r.setFlow(s, e[4], e[5], e[6], e[7]);
      r.uid[s] = e[10];
      let i = model.length;
      while (i > 0 && model[i - 1]![0] > e[0]) i--;
      model = [...model.slice(0, i), e, ...model.slice(i)];
    }
    const got = Array.from({ length: r.size }, (_, i): E => {
      const s = r.slot(i);
      return [r.ts[s]!, r.bandAt(s), r.portAt(s), r.flagsAt(s), r.protoAt(s), r.origBytesAt(s), r.origIpBytesAt(s), r.respBytesAt(s), r.dst[s]!, r.name[s]!, r.uid[s]!];
    });
    if (JSON.stringify(got) !== JSON.stringify(model)) {
      t.deepEqual(got, model, `step ${step}`);
      return;
    }
  }
  t.is(r.capacity, 64, 'grew to max');
});

test('a slot keeps its event while later inserts overtake it; at most 65 536 events', (t) => {
  const r = new EventRing(256, 4);
  const slots: number[] = [];
  // Newest first: every insert overtakes all the events before it.
  for (let i = 0; i < 200; i++) slots.push(r.insert(1000 - i, 0, i, 0, `d${i}`, ''));
  for (let i = 0; i < 200; i++) {
    t.is(r.ts[slots[i]!], 1000 - i);
    t.is(r.portAt(slots[i]!), i);
    t.is(r.dst[slots[i]!], `d${i}`);
  }
  t.deepEqual(tsOf(r), Array.from({ length: 200 }, (_, i) => 801 + i));
  t.is(new EventRing(65536).max, 65536);
  t.throws(() => new EventRing(65537), { instanceOf: RangeError });
});
