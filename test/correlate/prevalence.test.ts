import test from 'ava';
import { Prevalence } from '../../lib/correlate/prevalence.js';

test('counts distinct hosts per destination and saturates', (t) => {
  const p = new Prevalence({ maxHostsPerDestination: 3 });
  p.add('203.0.113.1', '10.0.0.1');
  p.add('203.0.113.1', '10.0.0.1');
  p.add('203.0.113.1', '10.0.0.2');
  t.is(p.count('203.0.113.1'), 2);
  for (let i = 3; i < 10; i++) p.add('203.0.113.1', `10.0.0.${i}`);
  t.is(p.count('203.0.113.1'), 3);
  t.is(p.count('198.51.100.1'), 0);
});

test('destinations are bounded by an LRU, evictions counted', (t) => {
  const p = new Prevalence({ maxDestinations: 2 });
  p.add('a', 'h');
  p.add('b', 'h');
  p.add('c', 'h');
  t.is(p.size, 2);
  t.is(p.evicted, 1);
});

test('two partitions merge into the figures one engine would have', (t) => {
  const left = new Prevalence();
  const right = new Prevalence();
  left.add('203.0.113.1', '10.0.0.1');
  right.add('203.0.113.1', '10.0.0.2');
  right.add('203.0.113.1', '10.0.0.1');
  right.add('203.0.113.9', '10.0.0.3');
  left.merge(right);
  t.is(left.count('203.0.113.1'), 2);
  t.is(left.count('203.0.113.9'), 1);
});
