import test from 'ava';
import { AnswerCache, AnswerSlab, QueryRing } from '../../lib/correlate/dns.js';

test('an answer links an address from just before it is given until TTL plus grace', (t) => {
  const c = new AnswerCache(16);
  c.add('203.0.113.10', 'a.example.com', 1000, 300);
  t.is(c.lookup('203.0.113.10', 999, 2, 60), 'a.example.com', 'within slack before the answer');
  t.is(c.lookup('203.0.113.10', 990, 2, 60), undefined, 'long before the answer');
  t.truthy(c.lookup('203.0.113.10', 1359, 2, 60));
  t.is(c.lookup('203.0.113.10', 1361, 2, 60), undefined, 'expired');
  c.add('203.0.113.10', 'a.example.com', 1300, 300); // refreshed
  t.truthy(c.lookup('203.0.113.10', 1600, 2, 60));
  t.is(c.lookup('198.51.100.1', 1000, 2, 60), undefined);
});

test('per-host bound evicts the least recently answered address', (t) => {
  const c = new AnswerCache(2);
  c.add('1.1.1.1', 'a', 0, 300);
  c.add('2.2.2.2', 'b', 1, 300);
  c.add('1.1.1.1', 'a', 2, 300); // refresh: 2.2.2.2 is now the oldest
  c.add('3.3.3.3', 'c', 3, 300);
  t.is(c.size, 2);
  t.is(c.evicted, 1);
  t.is(c.lookup('2.2.2.2', 3, 2, 0), undefined);
  t.truthy(c.lookup('1.1.1.1', 3, 2, 0));
});

test('a shared budget bounds all hosts together; a releasing host gives its share back', (t) => {
  const budget = new AnswerSlab(3);
  const a = new AnswerCache(10, budget);
  const b = new AnswerCache(10, budget);
  a.add('1.0.0.1', 'x', 0, 60);
  a.add('1.0.0.2', 'x', 0, 60);
  a.add('1.0.0.3', 'x', 0, 60);
  t.is(budget.used, 3);
  b.add('2.0.0.1', 'y', 0, 60); // b holds nothing to evict: not kept
  t.is(b.size, 0);
  t.is(b.evicted, 1);
  a.add('1.0.0.4', 'x', 0, 60); // a pays for itself
  t.is(a.size, 3);
  t.is(budget.used, 3);
  a.release();
  t.is(budget.used, 0);
  b.add('2.0.0.1', 'y', 0, 60);
  t.is(b.size, 1);
});

test('query ring keeps the most recent queries in arrival order', (t) => {
  const q = new QueryRing(4);
  for (let i = 0; i < 7; i++) q.push(i, `q${i}.example`, 1, 0);
  t.is(q.size, 4);
  t.deepEqual(Array.from({ length: 4 }, (_, i) => q.query[q.slot(i)]), ['q3.example', 'q4.example', 'q5.example', 'q6.example']);
});

test('query ring: every column keeps its own values through growth, the budget and overwrites (model)', (t) => {
  // Growth by doubling from 2 slots toward 64, under a shared budget of 40 that refuses the step
  // from 32 to 64, so the ring then overwrites its oldest;
  // qtype and rcode share one strided view, so a wrong offset would mix them up.
  const budget = { used: 0, max: 40 };
  const q = new QueryRing(64, 2, budget);
  type Q = [ts: number, query: string, qtype: number, rcode: number];
  let model: Q[] = [];
  for (let i = 0; i < 500; i++) {
    const e: Q = [i * 1.5, `q${i}.example`, (i * 7919) % 65536, (i % 7) - 1];
    q.push(...e);
    model.push(e);
    if (model.length > 32) model = model.slice(model.length - 32);
    const got = Array.from({ length: q.size }, (_, k): Q => {
      const s = q.slot(k);
      return [q.ts[s]!, q.query[s]!, q.qtypeAt(s), q.rcodeAt(s)];
    });
    if (JSON.stringify(got) !== JSON.stringify(model)) return t.deepEqual(got, model, `after ${i + 1} pushes`);
  }
  t.is(budget.used, 32);
  q.release();
  t.is(budget.used, 0);
});

test('an address answered for a second name later: earlier flows keep the first name', (t) => {
  const c = new AnswerCache(16);
  c.add('192.0.2.9', 'a.example', 0, 300);
  c.add('192.0.2.9', 'b.example', 3600, 300);
  t.is(c.lookup('192.0.2.9', 1200, 2, 300), 'a.example', 'before the second answer');
  t.is(c.lookup('192.0.2.9', 3601, 2, 300), 'b.example');
  t.is(c.lookup('192.0.2.9', -100, 2, 300), undefined, 'before any answer');
});

test('prune drops answers no later flow can use, oldest first, and gives back the budget', (t) => {
  const budget = new AnswerSlab(100);
  const c = new AnswerCache(16, budget);
  c.add('192.0.2.1', 'a.example', 0, 60);
  c.add('192.0.2.2', 'b.example', 10, 3600);
  c.add('192.0.2.3', 'c.example', 500, 60);
  t.is(c.prune(350, 300), 0, 'a.example usable until 0 + 60 + 300');
  t.is(c.prune(850, 300), 1, 'a.example expired; b.example has a long TTL; c.example usable until 860');
  t.is(c.size, 2);
  t.is(budget.used, 2);
  t.is(c.lookup('192.0.2.1', 850, 2, 300), undefined);
  t.truthy(c.lookup('192.0.2.2', 850, 2, 300));
  t.truthy(c.lookup('192.0.2.3', 850, 2, 300));
});

test('answers from many hosts share one slab: slots are reused, never more than the bound', (t) => {
  // Model: a Map per host of address -> [name, first, last, ttl, since, prevName], LRU by refresh,
  // checked against the slab-backed caches after every random operation.
  const slab = new AnswerSlab(40, 4);
  const hosts = Array.from({ length: 5 }, () => new AnswerCache(12, slab));
  type E = { name: string; first: number; last: number; ttl: number; since: number; prevName: string };
  const model = hosts.map(() => new Map<string, E>());
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let step = 0; step < 20_000; step++) {
    const h = rnd(5);
    const c = hosts[h]!;
    const m = model[h]!;
    const op = rnd(100);
    const ts = step;
    if (op < 80) {
      const addr = `192.0.2.${rnd(30)}`;
      const name = `n${rnd(4)}.example`;
      const ttl = rnd(500);
      const old = m.get(addr);
      if (old) {
        m.delete(addr);
        if (name !== old.name) Object.assign(old, { prevName: old.name, name, since: ts });
        old.last = ts;
        old.ttl = ttl;
        m.set(addr, old);
      } else {
        const used = model.reduce((a, x) => a + x.size, 0);
        if (m.size >= 12 || used >= 40) {
          if (m.size === 0) {
            c.add(addr, name, ts, ttl);
            continue;
          }
          m.delete(m.keys().next().value!);
        }
        m.set(addr, { name, first: ts, last: ts, ttl, since: ts, prevName: '' });
      }
      c.add(addr, name, ts, ttl);
    } else if (op < 90) {
      const grace = rnd(100);
      let dropped = 0;
      for (const [a, e] of m) {
        if (e.last + grace >= ts) break;
        if (e.last + e.ttl + grace < ts) {
          m.delete(a);
          dropped++;
        }
      }
      t.is(c.prune(ts, grace, Infinity), dropped);
    } else if (op < 92) {
      c.release();
      m.clear();
    }
    t.is(c.size, m.size);
    t.is(slab.used, model.reduce((a, x) => a + x.size, 0));
    t.true(slab.capacity <= 40);
    if (step % 97 === 0) {
      for (let i = 0; i < 5; i++)
        for (let a = 0; a < 30; a++) {
          const addr = `192.0.2.${a}`;
          const e = model[i]!.get(addr);
          const at = ts - rnd(300);
          let want: string | undefined;
          if (e && e.first <= at + 2 && e.last + e.ttl + 5 >= at) want = e.since > at + 2 ? e.prevName || undefined : e.name;
          if (hosts[i]!.lookup(addr, at, 2, 5) !== want) {
            t.fail(`host ${i} ${addr} at ${at}: ${hosts[i]!.lookup(addr, at, 2, 5)} != ${want}`);
            return;
          }
        }
    }
  }
  t.true(slab.capacity > 4, 'the slab grew from its initial size');
});
