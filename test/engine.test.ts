import test from 'ava';
import { Engine, selectRules } from '../lib/engine.js';
import type { Finding, NameRecord } from '../lib/model.js';
import { T0, dns, flow } from './helpers/records.js';

const H = '10.1.0.11';

const nameOf = (ts: number, h: string, uid: string): NameRecord => ({
  kind: 'name', ts, uid, origH: h, origP: 50000, respH: '203.0.113.10', respP: 443, serverName: 'a.example.com', protocol: 'tls', method: '', proxied: false, source: 'zeek',
});

function run(push: (e: Engine) => void, options: ConstructorParameters<typeof Engine>[0] = {}): { findings: Finding[]; engine: Engine } {
  const findings: Finding[] = [];
  const engine = new Engine({ ...options, onFinding: (f) => findings.push(f) });
  push(engine);
  engine.flush();
  return { findings, engine };
}

const rulesOf = (fs: Finding[]) => [...new Set(fs.map((f) => f.rule))].sort();

test('DNS to a public resolver then HTTP fires sequence and timeslice', (t) => {
  const { findings } = run((e) => {
    e.pushFlow(flow(T0 + 60, H, '9.9.9.9', 53));
    e.pushDns(dns(T0 + 60, H, '9.9.9.9', 'cdn.update-check.example.net', ['203.0.113.10']));
    e.pushFlow(flow(T0 + 63, H, '203.0.113.10', 80, { service: 'http' }));
  });
  t.deepEqual(rulesOf(findings), ['multiband.sequence', 'multiband.timeslice']);
  const seq = findings.find((f) => f.rule === 'multiband.sequence')!;
  t.is(seq.source.ip, H);
  t.deepEqual(seq.destination.ip, ['9.9.9.9', '203.0.113.10']);
  t.is(seq.evidence['sequences'], 1);
  t.is(seq.evidence['minGapSeconds'], 3);
  t.is(seq.evidence['webLinkedToDns'], 1);
  t.is(seq.technique, 'T1071');
  t.deepEqual(seq.techniqueAliases, ['T1026']);
  t.is(seq.first_seen, new Date((T0 + 60) * 1000).toISOString());
  t.true(seq.reasons[0]!.startsWith('DNS to 9.9.9.9:53 then web to 203.0.113.10:80'));
});

test('a DNS to web gap of 9 minutes fires, 11 minutes does not', (t) => {
  const gap = (m: number) =>
    run((e) => {
      e.pushFlow(flow(T0 + 480, H, '9.9.9.9', 53));
      e.pushFlow(flow(T0 + 480 + m * 60, H, '203.0.113.50', 80));
    }, { rules: ['multiband.sequence'] }).findings;
  t.is(gap(9).length, 1);
  t.is(gap(11).length, 0);
});

test('web before DNS is not a sequence (EQL order)', (t) => {
  const { findings } = run((e) => {
    e.pushFlow(flow(T0 + 10, H, '203.0.113.10', 443));
    e.pushFlow(flow(T0 + 20, H, '8.8.8.8', 53));
  }, { rules: ['multiband.sequence'] });
  t.is(findings.length, 0);
});

test('the site resolver is not a public resolver: no seed-rule finding', (t) => {
  const { findings } = run((e) => {
    for (let i = 0; i < 5; i++) {
      e.pushFlow(flow(T0 + i * 60, H, '10.1.0.2', 53));
      e.pushDns(dns(T0 + i * 60, H, '10.1.0.2', 'deb.debian.org', ['151.101.2.132']));
      e.pushFlow(flow(T0 + i * 60 + 1, H, '151.101.2.132', 443));
    }
  });
  t.deepEqual(findings, []);
});

test('out-of-order input within the reorder window is put back in order', (t) => {
  const { findings, engine } = run((e) => {
    // conn.log order: the web flow closes first, the DNS row comes later with an earlier ts.
    e.pushFlow(flow(T0 + 100, H, '203.0.113.10', 80));
    e.pushFlow(flow(T0 + 400, '10.1.0.99', '10.1.0.5', 445));
    e.pushFlow(flow(T0 + 95, H, '9.9.9.9', 53));
  }, { rules: ['multiband.sequence'] });
  t.is(findings.length, 1);
  t.is(engine.stats().lateEvents, 0);
});

test('records later than the reorder window are counted as late, not used', (t) => {
  const { findings, engine } = run((e) => {
    e.pushFlow(flow(T0 + 100, H, '203.0.113.10', 80));
    e.pushFlow(flow(T0 + 2000, '10.1.0.99', '203.0.113.99', 443)); // clock moves 1900 s on
    e.pushFlow(flow(T0 + 2000, H, '203.0.113.11', 443)); // host's watermark passes T0+100
    e.pushFlow(flow(T0 + 95, H, '9.9.9.9', 53)); // 1905 s behind: late
  }, { rules: ['multiband.sequence'], reorderWindow: 600 });
  t.is(findings.length, 0);
  t.is(engine.stats().lateEvents, 1);
});

test('timeslice needs DNS and web in the same aligned slice', (t) => {
  const same = run((e) => {
    e.pushFlow(flow(T0 + 10, H, '8.8.8.8', 53));
    e.pushFlow(flow(T0 + 590, H, '203.0.113.7', 443));
  }, { rules: ['multiband.timeslice'] }).findings;
  t.is(same.length, 1);
  t.deepEqual(same[0]!.evidence['bands'], ['DNS', 'HTTPS']);
  t.is(same[0]!.evidence['connections'], 2);
  const split = run((e) => {
    e.pushFlow(flow(T0 + 590, H, '8.8.8.8', 53));
    e.pushFlow(flow(T0 + 610, H, '203.0.113.7', 443));
  }, { rules: ['multiband.timeslice'] }).findings;
  t.is(split.length, 0);
});

test('timeslice: each slice reports only its own bands, ports and destinations', (t) => {
  const fs = run((e) => {
    e.pushFlow(flow(T0 + 10, H, '8.8.8.8', 53));
    e.pushFlow(flow(T0 + 20, H, '203.0.113.7', 443));
    e.pushFlow(flow(T0 + 610, H, '1.1.1.1', 53));
    e.pushFlow(flow(T0 + 620, H, '203.0.113.8', 80));
  }, { rules: ['multiband.timeslice'] }).findings;
  t.is(fs.length, 2);
  t.deepEqual(fs.map((f) => f.evidence['bands']), [['DNS', 'HTTPS'], ['DNS', 'HTTP']]);
  t.deepEqual(fs.map((f) => [f.evidence['distinctPorts'], f.evidence['distinctDestinations'], f.evidence['connections']]), [[2, 2, 2], [2, 2, 2]]);
});

test('score fires on interleaved DNS and web to an address no answer named', (t) => {
  const { findings } = run((e) => {
    for (let i = 0; i < 6; i++) {
      const ts = T0 + 100 + i * 10;
      e.pushFlow(flow(ts, H, '8.8.8.8', 53));
      e.pushDns(dns(ts, H, '8.8.8.8', `x${i}q8ka0${i}zz9m.beacon-example.info`, [], { rcode: 3 }));
      e.pushFlow(flow(ts + 5, H, '203.0.113.40', 80));
    }
  }, { rules: ['multiband.score'] });
  t.is(findings.length, 1);
  const f = findings[0]!;
  t.true(f.score >= 0.75, `score ${f.score}`);
  t.is(f.severity, 'high');
  t.is(f.evidence['alternations'], 11);
  t.is(f.evidence['webDirectToIp'], 6);
  t.is(f.evidence['topDomain'], 'beacon-example.info');
  t.is(f.evidence['uniqueSubdomains'], 6);
});

test('score stays quiet for an agent posting every 60 s to a name it resolved', (t) => {
  const { findings } = run((e) => {
    for (let i = 0; i < 120; i++) {
      const ts = T0 + i * 60;
      if (i % 5 === 0) {
        e.pushFlow(flow(ts - 1, H, '10.1.0.2', 53));
        e.pushDns(dns(ts - 1, H, '10.1.0.2', 'metrics.agent-example.com', ['192.0.2.50']));
      }
      e.pushFlow(flow(ts, H, '192.0.2.50', 443, { service: 'ssl' }));
    }
  }, { rules: ['multiband'] }); // it is a beacon, though: the beacon rules report it
  t.deepEqual(findings, []);
});

test('without DNS records, web linkage is unknown and says so', (t) => {
  const { findings } = run((e) => {
    e.pushFlow(flow(T0 + 1, H, '9.9.9.9', 53));
    e.pushFlow(flow(T0 + 2, H, '203.0.113.10', 80));
  }, { rules: ['multiband.sequence'] });
  t.is(findings[0]!.evidence['webLinkedToDns'], -1);
  t.true(findings[0]!.reasons.some((r) => r.includes('linkage unknown')));
});

test('external originators are not hosts', (t) => {
  const { findings, engine } = run((e) => {
    e.pushFlow(flow(T0, '203.0.113.5', '9.9.9.9', 53));
    e.pushFlow(flow(T0 + 1, '203.0.113.5', '203.0.113.10', 80));
  });
  t.is(findings.length, 0);
  t.is(engine.stats().externalOrigin, 2);
  t.is(engine.stats().hosts.created, 0);
});

test('an evicted host emits what it holds first, and the eviction is counted', (t) => {
  const findings: Finding[] = [];
  const e = new Engine({ maxHosts: 1, rules: ['multiband.sequence'], onFinding: (f) => findings.push(f) });
  e.pushFlow(flow(T0, H, '9.9.9.9', 53));
  e.pushFlow(flow(T0 + 1, H, '203.0.113.10', 80));
  e.pushFlow(flow(T0 + 2, '10.1.0.12', '203.0.113.10', 80)); // evicts H
  t.is(findings.length, 1);
  t.is(findings[0]!.source.ip, H);
  t.is(e.stats().hosts.evicted, 1);
});

test('hosts idle longer than hostTtl expire on stream time', (t) => {
  const e = new Engine({ hostTtl: 600 });
  e.pushFlow(flow(T0, H, '203.0.113.10', 443));
  for (let i = 1; i <= 30; i++) e.pushFlow(flow(T0 + i * 60, '10.1.0.12', '203.0.113.10', 443));
  const s = e.stats();
  t.is(s.hosts.expired, 1);
  t.is(s.hosts.active, 1);
});

test('the allowlist suppresses findings at emission and counts them', (t) => {
  const { findings, engine } = run((e) => {
    e.pushFlow(flow(T0, H, '9.9.9.9', 53));
    e.pushFlow(flow(T0 + 1, H, '203.0.113.10', 80));
  }, { allowlist: { allows: (f) => f.source.ip === H } });
  t.is(findings.length, 0);
  t.is(engine.stats().suppressed, 2);
});

test('drain() returns queued findings when there is no callback', (t) => {
  const e = new Engine({ rules: ['multiband.sequence'] });
  e.pushFlow(flow(T0, H, '9.9.9.9', 53));
  e.pushFlow(flow(T0 + 1, H, '203.0.113.10', 80));
  t.is(e.drain().length, 0);
  e.flush();
  t.is(e.drain().length, 1);
  t.is(e.drain().length, 0);
});

test('two engines share nothing', (t) => {
  const a = new Engine({ rules: ['multiband.sequence'] });
  const b = new Engine({ rules: ['multiband.sequence'] });
  a.pushFlow(flow(T0, H, '9.9.9.9', 53));
  b.pushFlow(flow(T0 + 1, H, '203.0.113.10', 80));
  a.flush();
  b.flush();
  t.is(a.drain().length + b.drain().length, 0);
  t.is(a.stats().flows, 1);
  t.is(b.stats().flows, 1);
});

test('rule selection: names, prefixes, all, and a clear error', (t) => {
  t.deepEqual(selectRules(['multiband']), ['multiband.sequence', 'multiband.timeslice', 'multiband.score']);
  t.deepEqual(selectRules(['multiband.score', 'multiband.sequence']), ['multiband.sequence', 'multiband.score']);
  t.deepEqual(selectRules(['all']).length, 5);
  t.deepEqual(selectRules(undefined), ['multiband.sequence', 'multiband.timeslice', 'multiband.score', 'beacon.score'], 'beacon.runs only when named');
  t.deepEqual(selectRules(['beacon']), ['beacon.runs', 'beacon.score']);
  const err = t.throws(() => selectRules(['beacon.nope']));
  t.is((err as { code?: string }).code, 'C2W_ERR_INVALID_OPTION');
  t.throws(() => new Engine({ maxHosts: 0 }), { code: 'C2W_ERR_INVALID_OPTION' } as never);
  t.throws(() => new Engine({ maxEventsPerHost: 65537 }), { code: 'C2W_ERR_INVALID_OPTION', message: /at most 65536/ } as never);
});

test('a busy host overflows its ring by evaluating early, never by losing events', (t) => {
  const { findings, engine } = run((e) => {
    for (let i = 0; i < 100; i++) e.pushFlow(flow(T0 + i, H, '203.0.113.' + (i % 200), 443));
    e.pushFlow(flow(T0 + 100, H, '9.9.9.9', 53));
    e.pushFlow(flow(T0 + 101, H, '203.0.113.10', 80));
  }, { maxEventsPerHost: 16, rules: ['multiband.sequence'] });
  t.is(findings.length, 1);
  t.true(engine.stats().forcedEvaluations > 0);
});

test('events waiting over all hosts stay within maxEvents (plus one per host); the findings are the same', (t) => {
  const push = (e: Engine): number => {
    let peak = 0;
    for (let i = 0; i < 3000; i++) {
      const h = `10.2.${(i % 50) >> 8}.${(i % 50) & 255}`;
      e.pushFlow(flow(T0 + i * 0.1, h, `203.0.113.${i % 200}`, 443));
      peak = Math.max(peak, e.stats().eventsWaiting);
    }
    e.pushFlow(flow(T0 + 400, H, '9.9.9.9', 53));
    e.pushDns(dns(T0 + 400, H, '9.9.9.9', 'x.example.org', ['203.0.113.10']));
    e.pushFlow(flow(T0 + 401, H, '203.0.113.10', 80, { service: 'http' }));
    return peak;
  };
  let peak = 0;
  const bounded = run((e) => (peak = push(e)), { maxEvents: 100 });
  let peakFree = 0;
  const free = run((e) => (peakFree = push(e)));
  t.true(peak <= 100 + 51, `peak ${peak}`);
  t.true(peakFree > 1000, 'without the bound they would wait');
  t.true(bounded.engine.stats().budgetEvaluations > 0);
  t.is(bounded.engine.stats().eventsWaiting, 0, 'all evaluated at flush');
  t.is(bounded.engine.stats().lateEvents, 0, 'in-order input loses nothing');
  t.deepEqual(bounded.findings, free.findings);
  t.true(bounded.findings.length > 0);
});

test('query slots and waiting names are bounded over all hosts; the budgets come back when hosts go', (t) => {
  const e = new Engine({ maxQueries: 64, maxNames: 10 });
  let peakQ = 0;
  let peakN = 0;
  for (let i = 0; i < 2000; i++) {
    const h = `10.3.${(i % 40) >> 8}.${(i % 40) & 255}`;
    e.pushDns(dns(T0 + i * 0.01, h, '10.0.0.2', `n${i}.example.org`, ['203.0.113.9']));
    e.pushName({ ...nameOf(T0 + i * 0.01, h, `U${i}`) });
    const s = e.stats();
    peakQ = Math.max(peakQ, s.querySlots);
    peakN = Math.max(peakN, s.namesWaiting);
  }
  t.true(peakQ <= 64 + 40 * 4, `query slots ${peakQ}`); // a new host's ring starts at 4 slots
  t.true(peakN <= 10, `names ${peakN}`);
  t.true(e.stats().namesDropped > 0);
  e.flush();
  t.is(e.stats().querySlots, 0);
  t.is(e.stats().namesWaiting, 0);
});

test('a name that comes just before its flow (as a pcap gives it) joins at once, not at the watermark', (t) => {
  const e = new Engine({ rules: ['beacon.score'] });
  e.pushName(nameOf(T0, H, 'Cabc'));
  t.is(e.stats().namesWaiting, 1);
  e.pushFlow(flow(T0, H, '203.0.113.10', 443, { uid: 'Cabc', service: 'ssl' }));
  t.is(e.stats().namesWaiting, 0);
  t.is(e.stats().namesJoined, 1);
  e.flush();
});

test('1M distinct sources at maxHosts 10k: heap stays flat, evictions counted', (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  const e = new Engine({ maxHosts: 10_000 });
  const rec = flow(T0, H, '203.0.113.10', 443);
  const heapAt: number[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    rec.ts = T0 + i / 1000;
    rec.origH = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    e.pushFlow(rec);
    if (i === 199_999 || i === 999_999) {
      gc?.();
      heapAt.push(process.memoryUsage().heapUsed);
    }
  }
  const s = e.stats();
  t.is(s.hosts.active, 10_000);
  t.is(s.hosts.created, 1_000_000);
  t.is(s.hosts.evicted + s.hosts.expired, 990_000);
  t.log(`heap at 200k: ${(heapAt[0]! / 1e6).toFixed(1)} MB, at 1M: ${(heapAt[1]! / 1e6).toFixed(1)} MB`);
  if (gc) t.true(heapAt[1]! < heapAt[0]! * 1.25 + 8e6, 'heap grew with input');
});

test('strings the engine keeps are interned: a repeated name or address is a hit, internSize 0 turns it off', (t) => {
  const copy = (s: string): string => (' ' + s).slice(1); // equal, but another string object, as decoders make them
  const run = (internSize?: number) => {
    const e = new Engine(internSize === undefined ? {} : { internSize });
    for (let i = 0; i < 50; i++) {
      e.pushDns(dns(T0 + i, `10.0.0.${i % 5}`, copy('10.0.0.2'), copy('www.example.com'), [copy('93.184.216.34')]));
      e.pushFlow(flow(T0 + i + 0.5, `10.0.0.${i % 5}`, copy('93.184.216.34'), 443, { serverName: copy('www.example.com') }));
    }
    return e.stats().interned;
  };
  const on = run();
  // Four strings kept per iteration: the query, the answer address, the server name, the flow's destination.
  t.true(on.hits >= 50 * 4 - 10, `hits ${on.hits}`);
  t.true(on.misses <= 5, `misses ${on.misses}`);
  t.true(on.strings > 0);
  t.deepEqual(run(0), { strings: 0, hits: 0, misses: 0 });
  t.throws(() => new Engine({ internSize: -1 }), { message: /internSize/ });
});
