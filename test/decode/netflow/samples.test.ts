// samples/netflow: softflowd's v9 and IPFIX exports of the synthesised beacon traffic decode to the
// same flows, and the pipeline finds the beacon host and only it (see samples/README.md).
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetflowCaptureDecoder } from '../../../lib/decode/netflow/capture.js';
import { Engine } from '../../../lib/engine.js';
import { NetflowFlows } from '../../../lib/flow/netflow.js';
import type { Finding, FlowRecord } from '../../../lib/model.js';
import { SAMPLES } from '../../helpers/paths.js';

const DIR = join(SAMPLES, 'netflow');

function run(file: string): { flows: FlowRecord[]; findings: Finding[]; weirds: number } {
  const flows: FlowRecord[] = [];
  const findings: Finding[] = [];
  let weirds = 0;
  const engine = new Engine({ localNets: ['10.0.0.0/8'], rules: ['all'], onFinding: (f) => findings.push(f) });
  const pairer = new NetflowFlows({ localNets: ['10.0.0.0/8'], onFlow: (f) => (flows.push(f), engine.pushFlow(f)) });
  const dec = new NetflowCaptureDecoder({ onRecord: (r) => pairer.push(r), onWeird: () => weirds++ });
  dec.push(readFileSync(join(DIR, file)));
  dec.end();
  pairer.flush();
  engine.flush();
  return { flows, findings, weirds };
}

test('v9 and IPFIX exports of the same traffic give the same flows; the beacon host is found, the browsing host is not', (t) => {
  if (!existsSync(join(DIR, 'export-v9.pcap'))) {
    t.log('samples/netflow absent (node --import tsx samples/make-netflow-samples.ts): skipped');
    t.pass();
    return;
  }
  const v9 = run('export-v9.pcap');
  const ipfix = run('export-ipfix.pcap');
  t.is(v9.weirds, 0);
  t.is(ipfix.weirds, 0);
  // Times differ by < 1 s: a v9 header carries whole export seconds only, IPFIX carries ms times.
  const key = (f: FlowRecord) => `${f.origH}:${f.origP} ${f.respH}:${f.respP} ${f.proto} ${f.origPkts}/${f.respPkts} ${f.origIpBytes}/${f.respIpBytes} ${f.connState} ${f.orientation}`;
  t.deepEqual(ipfix.flows.map(key).sort(), v9.flows.map(key).sort());
  const byKey = new Map(ipfix.flows.map((f) => [key(f), f.ts]));
  t.true(v9.flows.every((f) => Math.abs(f.ts - byKey.get(key(f))!) < 1));
  // 120 beacon connections + 12 DNS lookups, and the browsing host's DNS + HTTPS, each one paired flow.
  t.true(v9.flows.every((f) => f.orientation === 'paired' && f.connState === 'SF'));
  t.is(v9.flows.filter((f) => f.origH === '10.1.0.50' && f.respP === 443).length, 120);
  const rules = new Set(v9.findings.filter((f) => f.source.ip === '10.1.0.50').map((f) => f.rule));
  for (const r of ['multiband.sequence', 'multiband.timeslice', 'beacon.runs', 'beacon.score']) t.true(rules.has(r), r);
  t.deepEqual(v9.findings.filter((f) => f.source.ip !== '10.1.0.50'), []);
  // The committed expectations are what the pipeline gives today.
  const expected = readFileSync(join(DIR, 'expected-v9.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Finding);
  t.deepEqual([...new Set(expected.map((f) => f.rule))].sort(), [...rules].sort());
  // Golden: every finding's rule, hosts and score (regenerate with samples/make-netflow-samples.ts).
  const brief = (fs: Finding[]) => fs.map((f) => `${f.rule} ${f.source.ip} ${f.destination.ip.join(',')} ${f.score}`).sort();
  t.deepEqual(brief(v9.findings), brief(expected));
});
