import test from 'ava';
import { Interner } from '../../lib/correlate/intern.js';

// JS cannot compare strings by identity, so these tests watch the hit and miss
// counters: a hit is a lookup answered with the copy kept earlier.
const fresh = (s: string): string => (' ' + s).slice(1);

test('an equal string is a hit; the value is unchanged', (t) => {
  const i = new Interner(8);
  t.is(i.intern(fresh('www.example.com')), 'www.example.com');
  t.is(i.intern(fresh('www.example.com')), 'www.example.com');
  t.is(i.hits, 1);
  t.is(i.misses, 1);
  t.is(i.intern(''), '');
  t.is(i.hits + i.misses, 2, 'the empty string is not looked up');
});

test('two generations bound what it holds; a string used within them survives the turnover', (t) => {
  const size = 16;
  const i = new Interner(size);
  i.intern('kept.example');
  for (let n = 0; n < 10_000; n++) {
    i.intern(`name${n}.example`);
    if (n % 10 === 0) {
      const before = i.hits;
      i.intern(fresh('kept.example'));
      t.is(i.hits, before + 1, 'refreshed within each generation');
    }
    t.true(i.size <= 2 * size);
  }
  const before = i.misses;
  i.intern(fresh('name0.example'));
  t.is(i.misses, before + 1, 'forgotten after two generations');
});

test('size 0 turns it off', (t) => {
  const i = new Interner(0);
  i.intern('x.example.org');
  i.intern(fresh('x.example.org'));
  t.is(i.size, 0);
  t.is(i.hits + i.misses, 0);
});

test('random use matches a two-generation model, hit for hit', (t) => {
  const size = 32;
  const i = new Interner(size);
  let young = new Set<string>();
  let old = new Set<string>();
  let hits = 0;
  let seed = 3;
  for (let n = 0; n < 50_000; n++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const s = `h${(seed >>> 8) % 100}.example.net`;
    t.is(i.intern(fresh(s)), s);
    if (young.has(s)) hits++;
    else {
      if (old.has(s)) hits++;
      if (young.size >= size) {
        old = young;
        young = new Set();
      }
      young.add(s);
    }
    if (i.hits !== hits) {
      t.fail(`step ${n}: ${i.hits} hits, model ${hits}`);
      return;
    }
  }
  t.is(i.hits + i.misses, 50_000);
  t.true(hits > 10_000 && i.misses > 1000, 'both paths taken');
});
