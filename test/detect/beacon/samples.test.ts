// samples/beacon-zeek: every beacon found with its period (±5 %) and jitter, nothing for the
// irregular browser, the monitoring agent silenced by the allowlist through the CLI.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../lib/analyze.js';
import { main } from '../../../lib/cli/main.js';
import type { Finding } from '../../../lib/model.js';
import { SAMPLES } from '../../helpers/paths.js';
import { Out } from '../../helpers/cli.js';

const DIR = join(SAMPLES, 'beacon-zeek');
interface Truth {
  host: string;
  scenario: string;
  expect: string[];
  beacon: { destination: string; port: number; period: number; jitter: number; checkIns: number } | null;
}
const truth = JSON.parse(readFileSync(join(DIR, 'truth.json'), 'utf8')) as Truth[];

async function collect(options: Parameters<typeof analyze>[1] = {}): Promise<Finding[]> {
  const out: Finding[] = [];
  for await (const f of analyze(DIR, options)) out.push(f);
  return out;
}

// Every rule, beacon.runs included (it is off by default), so the truth's seed expectations are checked too.
const found = collect({ rules: ['all'] });

test('every host fires exactly the rules its truth lists', async (t) => {
  const fs = await found;
  for (const h of truth) {
    const rules = [...new Set(fs.filter((f) => f.source.ip === h.host).map((f) => f.rule))].sort();
    t.deepEqual(rules, [...h.expect].sort(), `${h.host} ${h.scenario}`);
  }
  t.true(fs.every((f) => truth.some((h) => h.host === f.source.ip)));
});

test('each beacon: one beacon.score finding, to its destination, period within 5 %, jitter within 0.05', async (t) => {
  const fs = await found;
  for (const h of truth.filter((x) => x.beacon !== null)) {
    const b = h.beacon!;
    const mine = fs.filter((f) => f.source.ip === h.host && f.rule === 'beacon.score');
    t.is(mine.length, 1, h.scenario);
    const f = mine[0]!;
    t.true(f.destination.domain.includes(b.destination) || f.destination.ip.includes(b.destination), `${h.scenario}: ${JSON.stringify(f.destination)}`);
    const period = f.evidence['periodSeconds'] as number;
    t.true(Math.abs(period - b.period) / b.period <= 0.05, `${h.scenario}: period ${period} vs ${b.period}`);
    const jitter = f.evidence['jitter'] as number;
    t.true(Math.abs(jitter - b.jitter) <= 0.05, `${h.scenario}: jitter ${jitter} vs ${b.jitter}`);
    t.is(f.evidence['connections'], b.checkIns, h.scenario);
    t.is(f.severity, 'high', h.scenario);
  }
});

test('techniques follow the channel: DNS .004, web .001, IRC plain T1071', async (t) => {
  const fs = (await found).filter((f) => f.rule === 'beacon.score');
  const tech = (host: string) => fs.find((f) => f.source.ip === host)!.technique;
  t.is(tech('10.2.0.14'), 'T1071.004');
  t.is(tech('10.2.0.11'), 'T1071.001');
  t.is(tech('10.2.0.16'), 'T1071.001');
  t.is(tech('10.2.0.12'), 'T1071');
});

test('rita mode finds the beacons too, but also five browsing sites behind the proxy (no significance test)', async (t) => {
  const fs = (await collect({ rules: ['beacon.score'], beacon: { mode: 'rita' } })).filter((f) => f.rule === 'beacon.score');
  for (const h of truth.filter((x) => x.beacon !== null)) t.true(fs.some((f) => f.source.ip === h.host), h.scenario);
  const browsing = fs.filter((f) => f.source.ip === '10.2.0.16' && !f.destination.domain[0]!.startsWith('c2.'));
  t.is(browsing.length, 5, browsing.map((f) => `${f.destination.domain[0]} ${f.score}`).join(', '));
  const def = (await found).filter((f) => f.rule === 'beacon.score' && f.source.ip === '10.2.0.16');
  t.deepEqual(def.map((f) => f.destination.domain[0]), ['c2.proxy-example.net']);
});

test('CLI: --allow with the sample allowlist silences the monitoring agent and nothing else', async (t) => {
  const run = async (...args: string[]) => {
    const stdout = new Out();
    const stderr = new Out();
    const code = await main(['analyze', '--rules', 'beacon', ...args, DIR], { stdout: stdout as never, stderr: stderr as never });
    return { code, findings: stdout.text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Finding), err: stderr.text };
  };
  const all = await run();
  t.is(all.code, 0);
  t.true(all.findings.some((f) => f.source.ip === '10.2.0.21'));
  const allowed = await run('--allow', join(DIR, 'allowlist.txt'), '--stats');
  t.is(allowed.code, 0);
  t.false(allowed.findings.some((f) => f.source.ip === '10.2.0.21'));
  t.is(allowed.findings.length, all.findings.length - 2);
  t.regex(allowed.err, /suppressed 2/);
  t.regex(allowed.err, /beacon/);
});
