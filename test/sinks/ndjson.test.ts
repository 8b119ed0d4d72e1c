/** Tests for lib/sinks/ndjson.ts: one finding per line, model key order, values untouched. */

import test from 'ava';
import type { Finding } from '../../lib/model.js';
import { NdjsonSink, toNdjsonLine } from '../../lib/sinks/ndjson.js';
import { createSink } from '../../lib/sinks/index.js';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'multiband.sequence',
    technique: 'T1071.004',
    techniqueAliases: ['T1026'],
    source: { ip: '10.0.0.5' },
    destination: { ip: ['9.9.9.9'], port: [53, 80], domain: ['evil.example'] },
    first_seen: '2024-05-01T12:00:00.000Z',
    last_seen: '2024-05-01T12:00:05.000Z',
    score: 0.812,
    severity: 'high',
    evidence: { dnsCount: 1, webCount: 1, gapSeconds: 4.5, publicResolver: true, ports: [53, 80] },
    reasons: ['DNS to a public resolver, then HTTP'],
    ...over,
  };
}

function collector(): { chunks: string[]; write(c: string): void } {
  const chunks: string[] = [];
  return { chunks, write: (c: string) => void chunks.push(c) };
}

const MODEL_KEYS = [
  'rule',
  'technique',
  'techniqueAliases',
  'source',
  'destination',
  'first_seen',
  'last_seen',
  'score',
  'severity',
  'evidence',
  'reasons',
];

test('one JSON object per line, round-trips to the same finding', async (t) => {
  const out = collector();
  const sink = new NdjsonSink(out);
  const a = finding();
  const b = finding({ rule: 'beacon.score', score: 0.5, severity: 'medium', reasons: [] });
  sink.write(a);
  sink.write(b);
  await sink.end();
  const text = out.chunks.join('');
  t.true(text.endsWith('\n'));
  const lines = text.split('\n');
  t.is(lines.pop(), '');
  t.is(lines.length, 2);
  t.deepEqual(JSON.parse(lines[0]!), a);
  t.deepEqual(JSON.parse(lines[1]!), b);
});

test('keys come out in the model order whatever order the object was built in', (t) => {
  const f = finding();
  // Same finding, keys inserted backwards.
  const shuffled = Object.fromEntries(Object.entries(f).reverse()) as unknown as Finding;
  shuffled.destination = { domain: f.destination.domain, port: f.destination.port, ip: f.destination.ip };
  const line = toNdjsonLine(shuffled);
  t.deepEqual(Object.keys(JSON.parse(line) as object), MODEL_KEYS);
  t.deepEqual(Object.keys((JSON.parse(line) as Finding).destination), ['ip', 'port', 'domain']);
  t.is(line, toNdjsonLine(f));
});

test('toNdjsonLine has no newline and does not alter numbers', (t) => {
  const line = toNdjsonLine(finding({ score: 0.123456789, evidence: { x: 1e-7, y: 12345678.9 } }));
  t.false(line.includes('\n'));
  const back = JSON.parse(line) as Finding;
  t.is(back.score, 0.123456789);
  t.deepEqual(back.evidence, { x: 1e-7, y: 12345678.9 });
});

test('properties outside the model are left out', (t) => {
  const f = { ...finding(), internal: 42 } as Finding;
  t.false('internal' in (JSON.parse(toNdjsonLine(f)) as object));
});

test('strings with newlines and control characters stay on one line', (t) => {
  const line = toNdjsonLine(finding({ reasons: ['a\nb', 'esc \x1b[31m'], destination: { ip: [], port: [], domain: ['x\ny.example'] } }));
  t.false(line.includes('\n'));
  t.false(line.includes('\x1b'));
  t.deepEqual((JSON.parse(line) as Finding).reasons, ['a\nb', 'esc \x1b[31m']);
});

test('no findings: no output', async (t) => {
  const out = collector();
  const sink = new NdjsonSink(out);
  await sink.end();
  t.deepEqual(out.chunks, []);
});

test('write after end throws', async (t) => {
  const sink = new NdjsonSink(collector());
  await sink.end();
  t.throws(() => sink.write(finding()));
});

test('createSink makes an NdjsonSink; an unknown kind throws C2W_ERR_INVALID_OPTION', (t) => {
  t.true(createSink('ndjson', collector()) instanceof NdjsonSink);
  t.throws(() => createSink('xml' as 'ndjson', collector()), { code: 'C2W_ERR_INVALID_OPTION' });
});
