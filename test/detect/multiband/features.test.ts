import test from 'ava';
import { HostState } from '../../../lib/correlate/host.js';
import { AnswerSlab } from '../../../lib/correlate/dns.js';
import { Prevalence } from '../../../lib/correlate/prevalence.js';
import { EventFlag } from '../../../lib/correlate/ring.js';
import { Band } from '../../../lib/detect/bands.js';
import { DEFAULT_MULTIBAND, FeatureAccumulator, SCORE_WEIGHTS, regularity } from '../../../lib/detect/multiband/features.js';
import type { RuleContext } from '../../../lib/detect/rule.js';
import { round } from '../../../lib/detect/rule.js';

const limits = { maxEventsPerHost: 64, maxAnswersPerHost: 64, maxQueriesPerHost: 64, maxNamesPerHost: 64, answerBudget: new AnswerSlab(1000), queryBudget: { used: 0, max: Infinity }, nameBudget: { used: 0, max: Infinity } };
const ctx = (hosts: number, prevalence = new Prevalence()): RuleContext => ({
  isPublic: () => true,
  isLocal: () => false,
  observedSpan: () => 86400,
  prevalence,
  hostCount: () => hosts,
  emit: () => {},
});

/** Insert, link like the engine does (answers looked up when the rules see the event), add, drop. */
function feed(host: HostState, acc: FeatureAccumulator, events: [number, number, number, string][]): void {
  for (const [ts, band, port, dst] of events) {
    const hit = host.dnsRecords > 0 && band !== Band.DNS ? host.answers.lookup(dst, ts, 2, DEFAULT_MULTIBAND.linkGrace) : undefined;
    host.events.insert(ts, band, port, EventFlag.Public | (hit ? EventFlag.Linked : 0), dst, hit ?? '');
    acc.add(host, host.events.slot(host.events.size - 1));
    host.events.shift();
  }
}

test('weights sum to 1', (t) => {
  t.is(Math.round(Object.values(SCORE_WEIGHTS).reduce((a, b) => a + b, 0) * 1e9) / 1e9, 1);
});

test('regularity is 1 - MAD/median of intervals, 0 with fewer than 3 intervals', (t) => {
  t.is(regularity([0, 10, 20]), 0);
  t.is(regularity([0, 10, 20, 30, 40]), 1);
  // intervals 10, 10, 20, 10: median 10, deviations 0,0,10,0 → MAD 0 → 1
  t.is(regularity([0, 10, 20, 40, 50]), 1);
  // intervals 5, 15, 5, 15: median 10, MAD 5 → 0.5
  t.is(regularity([0, 5, 20, 25, 40]), 0.5);
});

test('hand-computed score: alternating DNS and unlinked web, one tunnel-like domain', (t) => {
  const host = new HostState('10.0.0.1', limits, []);
  const acc = new FeatureAccumulator();
  // 4 DNS to 8.8.8.8 and 4 HTTPS to 198.51.100.20, alternating every 10 s.
  const evs: [number, number, number, string][] = [];
  for (let i = 0; i < 4; i++) {
    evs.push([100 + 20 * i, Band.DNS, 53, '8.8.8.8'], [110 + 20 * i, Band.HTTPS, 443, '198.51.100.20']);
    host.dnsRecords++;
    host.queries.push(100 + 20 * i, `${'ab12'.repeat(6)}${i}.t.example.org`, 16, 0);
  }
  feed(host, acc, evs);
  const f = acc.finish(host, ctx(20));
  t.is(f.alternations, 7);
  // alternation: min(1, 7/6) × 7 / (2·min(4, 4)) = 0.875
  t.is(f.components.alternation, 0.875);
  t.is(f.components.publicDns, 1);
  t.is(f.components.directToIp, 1);
  t.is(f.components.regularity, 1);
  t.is(f.components.rarity, 1, 'no other host talks to 198.51.100.20, and 20 hosts are known');
  // dnsShape: 4 unique subdomains of length 27 ('ab12'×6 + digit + '.t'), entropy of the concatenation, all TXT, no NXDOMAIN, share 1
  t.is(f.uniqueSubdomains, 4);
  t.is(f.meanSubdomainLength, 27);
  t.is(f.rareQtypeShare, 1);
  const expectShape = 0.35 * 0.5 + 0.25 * Math.min(1, (27 - 12) / 20) + 0.1 * Math.min(1, Math.max(0, (f.subdomainEntropy - 2.5) / 1.5)) + 0.15;
  t.true(Math.abs(f.components.dnsShape - expectShape) < 0.002, `${f.components.dnsShape} vs ${expectShape}`);
  const expectScore = 0.25 + 0.15 * 0.875 + 0.2 + 0.2 * f.components.dnsShape + 0.1 + 0.1;
  t.true(Math.abs(f.score - expectScore) < 0.002);
});

test('web flows to the host\'s own answers are linked and do not alternate', (t) => {
  const host = new HostState('10.0.0.1', limits, []);
  const acc = new FeatureAccumulator();
  host.dnsRecords = 2;
  host.answers.add('203.0.113.5', 'www.example.com', 100, 300);
  host.answers.add('203.0.113.6', 'cdn.example.com', 120, 300);
  feed(host, acc, [
    [100, Band.DNS, 53, '10.0.0.2'],
    [101, Band.HTTPS, 443, '203.0.113.5'],
    [120, Band.DNS, 53, '10.0.0.2'],
    [121, Band.HTTPS, 443, '203.0.113.6'],
  ]);
  const f = acc.finish(host, ctx(20));
  t.is(f.webLinked, 2);
  t.is(f.alternations, 0);
  t.deepEqual(f.queriedNames, ['www.example.com', 'cdn.example.com']);
});

test('rarity is neutral until 10 hosts are known, and falls with prevalence', (t) => {
  const prevalence = new Prevalence();
  for (let i = 0; i < 5; i++) prevalence.add('203.0.113.9', `10.0.0.${i}`);
  const host = new HostState('10.0.0.1', limits, []);
  const acc = new FeatureAccumulator();
  feed(host, acc, [[1, Band.HTTPS, 443, '203.0.113.9']]);
  t.is(acc.finish(host, ctx(3, prevalence)).components.rarity, 0.5);
  t.is(acc.finish(host, ctx(50, prevalence)).components.rarity, 0, '5 hosts: common');
});

test('kept times and listed values: per window, through growth, wrap-around and resets (model)', (t) => {
  // Regularity is computed from the kept times, so it is the observable: after each window the
  // accumulator's regularityDns/Web must equal regularity() of the model's last 64 times per band.
  let seed = 5;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const host = new HostState('10.0.0.1', limits, []);
  const acc = new FeatureAccumulator();
  let ts = 1000;
  for (const size of [0, 1, 3, 4, 5, 9, 40, 64, 65, 130, 2, 300, 7]) {
    acc.reset();
    const dns: number[] = [];
    const web: number[] = [];
    const resolvers: string[] = [];
    const webDst: string[] = [];
    const ports: number[] = [];
    const evs: [number, number, number, string][] = [];
    for (let i = 0; i < size; i++) {
      ts += 1 + Math.floor(rnd() * 30) + (rnd() < 0.3 ? 0.5 : 0);
      const isDns = rnd() < 0.5;
      (isDns ? dns : web).push(ts);
      // Destinations and ports from small pools: lists fill to their caps (8 addresses, 32 ports) and repeat.
      const dst = isDns ? `9.9.9.${Math.floor(rnd() * 12)}` : `198.51.100.${Math.floor(rnd() * 12)}`;
      const port = isDns ? 53 : 1000 + Math.floor(rnd() * 40);
      const list = isDns ? resolvers : webDst;
      if (list.length < 8 && !list.includes(dst)) list.push(dst);
      if (ports.length < 32 && !ports.includes(port)) ports.push(port);
      evs.push([ts, isDns ? Band.DNS : Band.HTTPS, port, dst]);
    }
    feed(host, acc, evs);
    const f = acc.finish(host, ctx(20));
    t.is(f.regularityDns, round(regularity(dns.slice(-64))), `window of ${size}: DNS`);
    t.is(f.regularityWeb, round(regularity(web.slice(-64))), `window of ${size}: web`);
    t.deepEqual(f.resolvers, resolvers, `window of ${size}: resolvers`);
    t.deepEqual(f.webDestinations, webDst, `window of ${size}: web destinations`);
    t.deepEqual(f.ports, ports.sort((a, b) => a - b), `window of ${size}: ports`);
  }
});
