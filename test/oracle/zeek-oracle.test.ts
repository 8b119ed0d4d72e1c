// Accuracy against Zeek: conn.log and dns.log rows of the zeek-oracle corpus
// (../shared/corpus/zeek-oracle) reproduced field by field. Asserts the
// overall rates over the traces whose features we support; skips when the
// corpus is absent. `npm run oracle` prints the per-trace table.
import { join } from 'node:path';
import test from 'ava';
import { CORPUS } from '../helpers/paths.js';
import { compareTrace, listTraces, totals } from './zeek-oracle.js';

const traces = listTraces(join(CORPUS, 'zeek-oracle'));

if (traces.length === 0) {
  test('zeek-oracle corpus', (t) => {
    t.log('corpus absent: skipped');
    t.pass();
  });
} else {
  const results = traces.map((tr) => compareTrace(tr));
  const supported = results.filter((r) => r.trace.unsupported === '');
  const sum = totals(supported);

  test('no trace makes the pipeline throw', (t) => {
    t.deepEqual(
      results.filter((r) => r.error !== '').map((r) => `${r.trace.name}: ${r.error}`),
      [],
    );
  });

  test('conn.log: at least 95 % of rows equal on every compared field (supported traces)', (t) => {
    const rate = sum.connEqual / sum.connRows;
    t.log(`conn.log ${sum.connEqual}/${sum.connRows} = ${(100 * rate).toFixed(1)} % over ${supported.length} traces`);
    for (const r of supported) {
      const bad = r.conn.filter((c) => !c.equal);
      if (bad.length > 0) t.log(`  ${r.trace.name}: ${bad.length}/${r.conn.length} differ (${Object.keys(r.fieldMisses).join(', ') || 'no flow'})`);
    }
    t.true(sum.connRows > 300);
    t.true(rate >= 0.95, `rate ${rate}`);
  });

  test('dns.log: at least 85 % of rows equal on query, qtype, rcode, answers (supported traces)', (t) => {
    const rate = sum.dnsEqual / sum.dnsRows;
    t.log(`dns.log ${sum.dnsEqual}/${sum.dnsRows} = ${(100 * rate).toFixed(1)} %`);
    t.true(sum.dnsRows > 20);
    t.true(rate >= 0.85, `rate ${rate}`);
  });

  test('unsupported traces are the fragment-reassembly ones', (t) => {
    const unsupported = results.filter((r) => r.trace.unsupported !== '').map((r) => r.trace.name);
    t.log(`unsupported: ${unsupported.join(', ')}`);
    t.true(unsupported.length <= 5);
  });
}
