/** Tests for lib/sinks/csv.ts: columns, joining, and quoting checked by parsing the output back. */

import test from 'ava';
import { parseString } from 'fast-csv';
import type { Finding } from '../../lib/model.js';
import { CSV_COLUMNS, CsvSink, toCsvRow } from '../../lib/sinks/csv.js';
import { createSink } from '../../lib/sinks/index.js';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'multiband.timeslice',
    technique: 'T1071.001',
    techniqueAliases: ['T1026'],
    source: { ip: '10.0.0.5' },
    destination: { ip: ['8.8.8.8', '203.0.113.7'], port: [53, 443], domain: ['a.example', 'b.example'] },
    first_seen: '2024-05-01T12:00:00.000Z',
    last_seen: '2024-05-01T12:10:00.000Z',
    score: 0.6,
    severity: 'medium',
    evidence: { bands: ['DNS', 'HTTPS'], connections: 12 },
    reasons: ['DNS and HTTPS in one 10-minute slice', '2 destinations'],
    ...over,
  };
}

function collector(): { chunks: string[]; write(c: string): void } {
  const chunks: string[] = [];
  return { chunks, write: (c: string) => void chunks.push(c) };
}

/** Parse CSV text with fast-csv: header row + data rows as arrays. */
function parseCsv(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false })
      .on('data', (r: string[]) => rows.push(r))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

async function run(findings: Finding[]): Promise<string> {
  const out = collector();
  const sink = new CsvSink(out);
  for (const f of findings) sink.write(f);
  await sink.end();
  return out.chunks.join('');
}

test('header row and flat columns', async (t) => {
  const text = await run([finding()]);
  const rows = await parseCsv(text);
  t.is(rows.length, 2);
  t.deepEqual(rows[0], [...CSV_COLUMNS]);
  t.deepEqual(rows[1], [
    'multiband.timeslice',
    'T1071.001',
    '10.0.0.5',
    '8.8.8.8;203.0.113.7',
    '53;443',
    'a.example;b.example',
    '2024-05-01T12:00:00.000Z',
    '2024-05-01T12:10:00.000Z',
    '0.6',
    'medium',
    'DNS and HTTPS in one 10-minute slice | 2 destinations',
    '{"bands":["DNS","HTTPS"],"connections":12}',
  ]);
  t.true(text.endsWith('\n'));
});

test('end() resolves only after every row reached the output', async (t) => {
  const n = 2000;
  const findings = Array.from({ length: n }, (_, i) => finding({ source: { ip: `10.0.${i >> 8}.${i & 255}` } }));
  const rows = await parseCsv(await run(findings));
  t.is(rows.length, n + 1);
  t.is(rows[n]![2], '10.0.7.207');
});

test('commas, quotes and newlines in reasons are quoted and come back intact', async (t) => {
  const reasons = ['has, a comma', 'has "quotes"', 'has\na newline', 'semi;colon'];
  const evidence = { note: 'say "hi", then leave' };
  const text = await run([finding({ reasons, evidence })]);
  t.true(text.includes('"has, a comma | has ""quotes"" | has\na newline | semi;colon"'));
  const rows = await parseCsv(text);
  t.is(rows[1]![10], reasons.join(' | '));
  t.deepEqual(JSON.parse(rows[1]![11]!), evidence);
});

test('empty lists give empty cells', async (t) => {
  const rows = await parseCsv(
    await run([finding({ destination: { ip: [], port: [], domain: [] }, reasons: [], evidence: {} })]),
  );
  t.is(rows[1]![3], '');
  t.is(rows[1]![4], '');
  t.is(rows[1]![5], '');
  t.is(rows[1]![10], '');
  t.is(rows[1]![11], '{}');
});

test('no findings: still the header', async (t) => {
  const rows = await parseCsv(await run([]));
  t.deepEqual(rows, [[...CSV_COLUMNS]]);
});

test('non-ASCII survives the Buffer round trip', async (t) => {
  const rows = await parseCsv(await run([finding({ reasons: ['naïve — 日本 🙂'] })]));
  t.is(rows[1]![10], 'naïve — 日本 🙂');
});

test('toCsvRow has exactly the columns', (t) => {
  t.deepEqual(Object.keys(toCsvRow(finding())), [...CSV_COLUMNS]);
});

test('end() twice returns the same promise; write after end throws', async (t) => {
  const sink = new CsvSink(collector());
  const p = sink.end();
  t.is(sink.end(), p);
  await p;
  t.throws(() => sink.write(finding()));
});

test('createSink makes a CsvSink', (t) => {
  t.true(createSink('csv', collector()) instanceof CsvSink);
});
