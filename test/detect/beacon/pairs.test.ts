import test from 'ava';
import { Pair, PairKind, PairStore } from '../../../lib/detect/beacon/pairs.js';
import { mulberry32 } from '../../../bench/gen/prng.js';

interface Model {
  pair: Pair;
  ring: [number, number][];
  cap: number;
  start: number;
  first: number;
  last: number;
  out: number;
  due: number;
  /** Row fields: connections in the window, known byte counts, first destination and port, name. */
  count: number;
  knownOut: number;
  dst: string;
  port: number;
  name: string;
}

/** What a pair must report: its header numbers and the ring, oldest first. */
function check(t: import('ava').ExecutionContext, m: Model, where: string): boolean {
  const p = m.pair;
  const ring: [number, number][] = [];
  for (let i = 0; i < p.size; i++) ring.push([p.tsAt(i), p.sizeAt(i)]);
  const ok =
    Object.is(p.start, m.start) &&
    Object.is(p.first, m.first) &&
    Object.is(p.last, m.last) &&
    p.bytesOut === m.out &&
    p.due === m.due &&
    p.capacity === m.cap &&
    p.count === m.count &&
    p.knownOut === m.knownOut &&
    p.knownIn === 0 &&
    p.dst === m.dst &&
    p.port === m.port &&
    p.name === m.name &&
    JSON.stringify(ring) === JSON.stringify(m.ring);
  if (!ok) t.fail(`${where}: pair ${String(p.key)} start ${p.start}/${m.start} first ${p.first}/${m.first} last ${p.last}/${m.last} out ${p.bytesOut}/${m.out} cap ${p.capacity}/${m.cap} ring ${JSON.stringify(ring)} vs ${JSON.stringify(m.ring)}`);
  return ok;
}

test('PairStore: random pairs, pushes, resets and releases through compactions, growth and shrinking keep every pair exact', (t) => {
  for (const seed of [1, 2, 3]) {
    const rnd = mulberry32(seed);
    const maxConns = 64;
    const store = new PairStore(Infinity, maxConns, 64); // tiny: compacts and grows all the time
    const live: Model[] = [];
    let key = 0;
    let ok = true;
    for (let step = 0; step < 40_000 && ok; step++) {
      const r = rnd();
      if (r < 0.08 || live.length === 0) {
        // Rows are reused from released pairs: each new pair's strings and port must be its own.
        const k = key++;
        const name = k % 3 === 0 ? `n${k}.example` : '';
        const pair = new Pair(k, name === '' ? PairKind.Address : PairKind.Name, name, `192.0.2.${k % 250}`, k % 65536, 6, store);
        const ts = step + 0.5;
        pair.open(ts, 86_400);
        pair.due = ts + 86_400;
        live.push({ pair, ring: [], cap: 4, start: ts, first: ts, last: ts, out: 0, due: ts + 86_400, count: 0, knownOut: 0, dst: `192.0.2.${k % 250}`, port: k % 65536, name });
      } else if (r < 0.14) {
        // Release one (eviction or host gone); toward the end, many, so the store shrinks.
        const i = Math.floor(rnd() * live.length);
        live[i]!.pair.release();
        live.splice(i, 1);
      } else if (r < 0.15) {
        const m = live[Math.floor(rnd() * live.length)]!;
        m.pair.reset();
        m.ring = [];
        m.start = m.first = m.last = Number.NaN;
        m.out = 0;
        m.due = Infinity;
        m.count = 0;
        m.knownOut = 0;
        m.pair.open(step, 3600);
        m.start = m.first = m.last = step;
      } else {
        const m = live[Math.floor(rnd() * live.length)]!;
        const ts = step + rnd();
        const size = Math.floor(rnd() * 1000);
        m.pair.push(ts, size, size, -1);
        if (m.ring.length === m.cap) {
          if (m.cap < maxConns) m.cap *= 2;
          else m.ring.shift();
        }
        m.ring.push([ts, size]);
        if (ts < m.first) m.first = ts;
        if (ts > m.last) m.last = ts;
        m.out += size;
        m.count++;
        m.knownOut++;
      }
      if (step % 997 === 0) for (const m of live) if (!(ok = check(t, m, `seed ${seed} step ${step}`))) break;
      if (step === 30_000) while (live.length > 3) live.pop()!.pair.release();
    }
    for (const m of live) ok &&= check(t, m, `seed ${seed} end`);
    t.true(ok);
    t.true(store.compactions > 10, `compactions ${store.compactions}`);
    const slots = live.reduce((a, m) => a + m.cap, 0);
    t.is(store.used, slots, 'ring slots held = sum of live capacities');
    t.is(store.liveDoubles, live.reduce((a, m) => a + 8 + 2 * m.cap, 0));
    // After most pairs left, the array is at most twice the live blocks (or the 4096-double floor).
    const before = store.bytes;
    for (let i = 0; i < 2000; i++) live.push({ pair: new Pair(key++, PairKind.Address, '', '192.0.2.1', 443, 6, store), ring: [], cap: 4, start: NaN, first: NaN, last: NaN, out: 0, due: Infinity, count: 0, knownOut: 0, dst: '192.0.2.1', port: 443, name: '' });
    for (const m of live.splice(3)) m.pair.release();
    for (let i = 0; i < 4000; i++) new Pair(key++, PairKind.Address, '', '192.0.2.1', 443, 6, store).release();
    t.true(store.bytes <= Math.max(4096 * 8, 2 * 8 * store.liveDoubles) || store.bytes < before, `store ${store.bytes} B for ${store.liveDoubles} live doubles`);
    for (const m of live) t.true(check(t, m, `seed ${seed} after churn`));
    // Rows: never more than the most pairs live at once (2003 here), in doubling steps.
    t.true(store.rowCapacity <= 4096, `row capacity ${store.rowCapacity}`);
  }
});

test('Pair: the ring budget refuses growth over maxRingSlots, and the ring then overwrites its oldest (counted)', (t) => {
  const store = new PairStore(12, 1024);
  const a = new Pair(1, PairKind.Address, '', '192.0.2.1', 443, 6, store);
  const b = new Pair(2, PairKind.Address, '', '192.0.2.2', 443, 6, store);
  a.open(0, 86_400);
  b.open(0, 86_400);
  for (let i = 0; i < 8; i++) a.push(i, 1, 1, 1); // 4 → 8 slots: 12 in all
  t.is(a.capacity, 8);
  for (let i = 0; i < 6; i++) b.push(i, 1, 1, 1); // 4 → 8 would make 16 > 12
  t.is(b.capacity, 4);
  t.is(store.used, 12);
  t.true(store.refused > 0);
  t.true(b.overflow);
  t.is(b.count, 6);
  t.deepEqual([b.tsAt(0), b.tsAt(3)], [2, 5]);
  a.release();
  t.is(store.used, 4);
  b.push(6, 1, 1, 1);
  t.is(b.capacity, 8, 'the released slots are there for the next growth');
});

test('Pair: hour bitmap over windows longer than 30 hours', (t) => {
  const store = new PairStore();
  const p = new Pair('example.com', PairKind.Name, 'example.com', '192.0.2.1', 443, 6, store);
  p.open(0, 7 * 86_400);
  for (const h of [0, 1, 2, 29, 30, 31, 95, 96]) p.push(h * 3600 + 10, 1, 1, 1);
  t.deepEqual(p.hoursActive(), { active: 8, longestRun: 3 });
  p.reset();
  t.true(Number.isNaN(p.start));
  t.deepEqual(p.hoursActive(), { active: 0, longestRun: 0 });
});

test('PairStore rows: doubled up to maxPairs, reused after release, past it only while more pairs are alive', (t) => {
  const store = new PairStore(Infinity, 1024, 4096, 16, 100);
  const pairs = Array.from({ length: 100 }, (_, i) => new Pair(i, PairKind.Address, '', `192.0.2.${i}`, 443, 6, store));
  t.is(store.rowCapacity, 100, '16 → 32 → 64 → 100, not 128');
  for (const p of pairs.splice(0, 50)) p.release();
  for (let i = 0; i < 50; i++) pairs.push(new Pair(1000 + i, PairKind.Address, '', '198.51.100.1', 80, 6, store));
  t.is(store.rowCapacity, 100, 'released rows are reused');
  t.deepEqual([pairs[0]!.dst, pairs[0]!.port, pairs.at(-1)!.dst, pairs.at(-1)!.port], ['192.0.2.50', 443, '198.51.100.1', 80]);
  pairs.push(new Pair(2000, PairKind.Name, 'x.example', '203.0.113.1', 443, 6, store));
  t.is(store.rowCapacity, 200, 'one more live pair than the hint: doubling again');
  t.is(pairs.at(-1)!.name, 'x.example');
  t.is(store.rowBytes, 200 * 13 * 4);
});
