/** Tests for lib/sinks/table.ts: sorting, alignment, truncation, the row bound, colour and escaping. */

import test from 'ava';
import type { Finding } from '../../lib/model.js';
import { createSink } from '../../lib/sinks/index.js';
import { TableSink, formatDestination, type TableSinkOptions } from '../../lib/sinks/table.js';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'beacon.score',
    technique: 'T1071',
    techniqueAliases: [],
    source: { ip: '10.0.0.5' },
    destination: { ip: ['203.0.113.7'], port: [443], domain: [] },
    first_seen: '2024-05-01T12:00:00.000Z',
    last_seen: '2024-05-01T13:00:00.000Z',
    score: 0.5,
    severity: 'medium',
    evidence: {},
    reasons: ['regular 60 s interval'],
    ...over,
  };
}

async function render(findings: Finding[], options: TableSinkOptions = {}): Promise<string> {
  const chunks: string[] = [];
  const sink = new TableSink({ write: (c: string) => void chunks.push(c) }, options);
  for (const f of findings) sink.write(f);
  await sink.end();
  return chunks.join('');
}

const lines = (s: string): string[] => s.replace(/\n$/, '').split('\n');
const HEAD = ['SEVERITY', 'SCORE', 'RULE', 'SOURCE', 'DESTINATION', 'FIRST SEEN', 'REASONS'];

test('no findings: one line', async (t) => {
  t.is(await render([]), 'no findings\n');
});

test('columns are aligned under the headers', async (t) => {
  const out = lines(
    await render([
      finding(),
      finding({ rule: 'multiband.sequence', source: { ip: '2001:db8::1234' }, severity: 'high', score: 0.9 }),
      finding({ severity: 'low', score: 0.1, destination: { ip: ['8.8.8.8', '9.9.9.9'], port: [53], domain: [] } }),
    ]),
  );
  t.is(out.length, 4);
  const header = out[0]!;
  const starts = HEAD.map((h) => header.indexOf(h));
  t.deepEqual(
    starts,
    [...starts].sort((a, b) => a - b),
  );
  for (const row of out.slice(1)) {
    for (let i = 1; i < starts.length; i++) {
      // Every cell starts in its header's column, after a two-space gap.
      t.not(row[starts[i]!], ' ', `column ${HEAD[i]} in ${JSON.stringify(row)}`);
      t.is(row.slice(starts[i]! - 2, starts[i]!), '  ');
    }
  }
  t.is(out.some((l) => l !== l.trimEnd()), false);
});

test('sorted by score desc, then first_seen', async (t) => {
  const out = lines(
    await render([
      finding({ score: 0.5, first_seen: '2024-05-01T12:00:02Z', rule: 'c' }),
      finding({ score: 0.9, first_seen: '2024-05-01T12:00:09Z', rule: 'a', severity: 'high' }),
      finding({ score: 0.5, first_seen: '2024-05-01T12:00:01Z', rule: 'b' }),
    ]),
  );
  t.deepEqual(
    out.slice(1).map((l) => l.split(/\s+/)[2]),
    ['a', 'b', 'c'],
  );
  t.true(out[1]!.startsWith('high      0.900  a'));
  t.true(out[2]!.includes('2024-05-01 12:00:01Z'));
});

test('long reasons are cut with … to the line width', async (t) => {
  const reason = 'x'.repeat(500);
  for (const width of [160, 100, 92]) {
    const out = lines(await render([finding({ reasons: [reason] })], { width }));
    t.is([...out[1]!].length, width, `width ${width}`);
    t.true(out[1]!.endsWith('x…'));
  }
});

test('too narrow: columns stop at their minimum and the line runs long', async (t) => {
  const out = lines(
    await render([
      finding({
        rule: 'multiband.sequence',
        destination: { ip: ['203.0.113.77'], port: [8443], domain: ['c2.example'] },
        reasons: ['x'.repeat(100)],
      }),
    ], { width: 60 }),
  );
  // SEVERITY 8 + SCORE 5 + RULE 10 + SOURCE 8 (its natural width) + DESTINATION 11
  // + FIRST SEEN 20 + REASONS 16 + 6 gaps of 2
  t.is(out[1]!.length, 90);
  t.true(out[1]!.includes('multiband…'));
  t.true(out[1]!.includes('  203.0.113.…  '));
});

test('long destinations are compacted and cut with …', async (t) => {
  const ip = ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:1', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:2', '203.0.113.9'];
  const d = { ip, port: [53, 80, 443, 8080], domain: ['a-very-long-domain-name-for-testing.example', 'b.example'] };
  t.is(
    formatDestination(d),
    '{2001:db8:aaaa:bbbb:cccc:dddd:eeee:1,2001:db8:aaaa:bbbb:cccc:dddd:eeee:2,+1}:53/80/443/+1 a-very-long-domain-name-for-testing.example +1',
  );
  const out = lines(await render([finding({ destination: d })]));
  const start = out[0]!.indexOf('DESTINATION');
  const cell = out[1]!.slice(start, out[0]!.indexOf('FIRST SEEN')).trimEnd();
  t.is(cell.length, 48);
  t.true(cell.endsWith('…'));
});

test('formatDestination forms', (t) => {
  t.is(formatDestination({ ip: ['203.0.113.7'], port: [443], domain: [] }), '203.0.113.7:443');
  t.is(formatDestination({ ip: ['2001:db8::1'], port: [53], domain: [] }), '[2001:db8::1]:53');
  t.is(formatDestination({ ip: ['2001:db8::1'], port: [], domain: [] }), '2001:db8::1');
  t.is(formatDestination({ ip: ['9.9.9.9', '8.8.8.8'], port: [], domain: [] }), '9.9.9.9,8.8.8.8');
  t.is(formatDestination({ ip: [], port: [443], domain: ['c2.example', 'd.example'] }), 'c2.example:443 +1');
  t.is(formatDestination({ ip: [], port: [], domain: ['c2.example'] }), 'c2.example');
  t.is(formatDestination({ ip: ['1.2.3.4'], port: [80], domain: ['c2.example'] }), '1.2.3.4:80 c2.example');
  t.is(formatDestination({ ip: [], port: [8888], domain: [] }), '*:8888');
  t.is(formatDestination({ ip: [], port: [], domain: [] }), '-');
});

test('maxRows keeps the top rows and says how many more', async (t) => {
  const findings = Array.from({ length: 10 }, (_, i) =>
    finding({ score: i / 10, rule: `r${i}`, severity: i >= 8 ? 'high' : 'low' }),
  );
  // Feed in an order where the best ones are not first.
  const shuffled = [3, 9, 0, 7, 5, 1, 8, 2, 6, 4].map((i) => findings[i]!);
  const out = lines(await render(shuffled, { maxRows: 3 }));
  t.is(out.length, 5);
  t.deepEqual(
    out.slice(1, 4).map((l) => l.split(/\s+/)[2]),
    ['r9', 'r8', 'r7'],
  );
  t.is(out[4], '… 7 more findings not shown (lowest ranked; maxRows 3)');
});

test('maxRows 0: only the count', async (t) => {
  t.is(await render([finding(), finding()], { maxRows: 0 }), '2 findings not shown (maxRows 0)\n');
});

test('exactly maxRows: no overflow line', async (t) => {
  const out = lines(await render([finding(), finding()], { maxRows: 2 }));
  t.is(out.length, 3);
});

test('colour wraps only the severity and keeps alignment', async (t) => {
  const plain = await render([finding({ severity: 'high', score: 0.8 })]);
  const coloured = await render([finding({ severity: 'high', score: 0.8 })], { color: true });
  t.true(coloured.includes('\x1b[1;31mhigh    \x1b[0m'));
  // eslint-style strip of SGR sequences gives back the plain table.
  t.is(coloured.replace(/\x1b\[[0-9;]*m/g, ''), plain);
  t.false(plain.includes('\x1b'));
});

test('control characters from the traffic are escaped', async (t) => {
  const out = await render([
    finding({ destination: { ip: [], port: [], domain: ['evil\x1b[2J.example'] }, reasons: ['a\nb', 'rtl\u202eevil'] }),
  ]);
  t.false(out.includes('\x1b'));
  t.false(out.includes('\u202e'));
  t.true(out.includes('evil\\x1b[2J.example'));
  t.true(out.includes('a\\x0ab; rtl\\u202eevil'));
  t.is(lines(out).length, 2);
});

test('bad options throw C2W_ERR_INVALID_OPTION', (t) => {
  const out = { write: () => undefined };
  t.throws(() => new TableSink(out, { maxRows: -1 }), { code: 'C2W_ERR_INVALID_OPTION' });
  t.throws(() => new TableSink(out, { maxRows: 1.5 }), { code: 'C2W_ERR_INVALID_OPTION' });
  t.throws(() => new TableSink(out, { width: 10 }), { code: 'C2W_ERR_INVALID_OPTION' });
});

test('createSink passes table options', async (t) => {
  const chunks: string[] = [];
  const sink = createSink('table', { write: (c: string) => void chunks.push(c) }, { maxRows: 1 });
  t.true(sink instanceof TableSink);
  sink.write(finding());
  sink.write(finding());
  await sink.end();
  t.true(chunks.join('').includes('… 1 more finding not shown'));
});
