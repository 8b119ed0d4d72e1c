import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseString } from 'fast-csv';
import { cli } from '../helpers/cli.js';
import { ROOT, SAMPLES } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';


const TSV = join(SAMPLES, 'zeek-tsv');

test('--help documents every option and the exit codes', async (t) => {
  const { code, out } = await cli('--help');
  t.is(code, 0);
  for (const o of ['--format', '--local-nets', '--allow', '--rules', '--output', '--stats', '--max-hosts', '--reorder-window', '--maxspan', '--score-threshold', '--no-progress', 'Exit status']) {
    t.true(out.includes(o), o);
  }
});

test('analyze prints NDJSON findings and exits 0', async (t) => {
  const { code, out, err } = await cli('analyze', TSV);
  t.is(code, 0, err);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { rule: string; source: { ip: string } });
  t.is(lines.length, 12, '11 multiband findings and the monitoring agent\'s beacon.score (beacon.runs is off by default)');
  t.true(lines.some((f) => f.rule === 'multiband.score' && f.source.ip === '10.1.0.12'));
});

test('a clean run with no findings exits 0 too', async (t) => {
  const { code, out } = await cli('analyze', '--rules', 'multiband.score', join(SAMPLES, 'zeek-public-resolver'));
  t.is(code, 0);
  t.is(out, '');
});

test('--output csv writes flat columns through fast-csv', async (t) => {
  const { code, out } = await cli('analyze', '--output', 'csv', TSV);
  t.is(code, 0);
  const rows: Record<string, string>[] = [];
  await new Promise<void>((res, rej) => {
    parseString(out, { headers: true })
      .on('data', (r: Record<string, string>) => rows.push(r))
      .on('end', () => res())
      .on('error', rej);
  });
  t.is(rows.length, 12);
  t.truthy(rows[0]!['source_ip']);
  t.truthy(rows[0]!['evidence']!.startsWith('{'));
});

test('--output table is readable', async (t) => {
  const { code, out } = await cli('analyze', '--output', 'table', TSV);
  t.is(code, 0);
  t.regex(out.split('\n')[0]!, /^SEVERITY\s+SCORE\s+RULE\s+SOURCE/);
});

test('--rules selects rules; an unknown rule is a one-line error, exit 2', async (t) => {
  const ok = await cli('analyze', '--rules', 'multiband.sequence', TSV);
  t.is(ok.code, 0);
  t.true(ok.out.trim().split('\n').every((l) => l.includes('"multiband.sequence"')));
  const bad = await cli('analyze', '--rules', 'nope', TSV);
  t.is(bad.code, 2);
  t.is(bad.err.trim().split('\n').length, 1);
  t.regex(bad.err, /unknown rule "nope"/);
});

test('--allow FILE suppresses findings; --stats reports them', async (t) => {
  const dir = tempDir(t, 'c2w-allow-');
  const file = join(dir, 'allow.txt');
  writeFileSync(file, '# lab hosts\n10.1.0.12\n.beacon-example.info  # a whole domain\n');
  const { code, out, err } = await cli('analyze', '--allow', file, '--stats', TSV);
  t.is(code, 0);
  t.false(out.includes('"10.1.0.12"'), 'a network entry suppresses by source');
  t.false(out.includes('"10.1.0.14"'), 'every destination domain of these findings is under beacon-example.info');
  t.true(out.includes('"10.1.0.11"'));
  t.regex(err, /suppressed 6/);
  t.regex(err, /weirds\s+total 0/);
});

test('--local-nets changes who is a host', async (t) => {
  const { code, out } = await cli('analyze', '--local-nets', '192.168.0.0/16', TSV);
  t.is(code, 0);
  t.is(out, '');
});

test('bad options and unreadable inputs: one line on stderr, exit 2', async (t) => {
  for (const args of [
    ['analyze', '--bogus', TSV],
    ['analyze', '--output', 'xml', TSV],
    ['analyze', '--format', 'pcapng', TSV],
    ['analyze', '/nonexistent/path'],
    ['analyze', '--allow', '/nonexistent/allow.txt', TSV],
    ['analyze', '--max-hosts', 'many', TSV],
    ['analyze', '--local-nets', '10.0.0.0/33', TSV],
    ['analyze'],
    ['frobnicate'],
    [],
  ]) {
    const { code, err } = await cli(...args);
    t.is(code, 2, args.join(' '));
    t.is(err.trim().split('\n').length, 1, `${args.join(' ')}: ${err}`);
    t.true(err.startsWith('c2watch: '), err);
  }
});

test('a bad allowlist line names file and line', async (t) => {
  const dir = tempDir(t, 'c2w-allow-');
  const file = join(dir, 'allow.txt');
  writeFileSync(file, '10.0.0.0/8\nnot a domain!\n');
  const { code, err } = await cli('analyze', '--allow', file, TSV);
  t.is(code, 2);
  t.true(err.includes(`${file}:2`), err);
});

test('the executable reads stdin and sets its exit code', async (t) => {
  const run = promisify(execFile);
  const bin = [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'lib/cli/bin.ts')];
  const ok = await run('node', [...bin, '--version']);
  t.regex(ok.stdout, /^\d+\.\d+\.\d+/);
  const err = await run('node', [...bin, 'analyze', '/nonexistent']).catch((e: { code: number; stderr: string }) => e);
  t.is((err as { code: number }).code, 2);
  const child = execFile('node', [...bin, 'analyze', '-'], (e, stdout) => {
    t.is(e, null);
    // conn.log alone: no DNS records, so web linkage is unknown, yet the same hosts fire.
    t.is(stdout.trim().split('\n').length, 12);
    t.true(stdout.includes('no DNS records for this host'));
  });
  const { readFileSync } = await import('node:fs');
  child.stdin!.end(readFileSync(join(TSV, 'conn.log')));
  await new Promise((r) => child.on('close', r));
});

test('the executable checks C2WATCH_HEAP_GROWTH: a bad value is reported and V8 keeps its own growth', async (t) => {
  const run = promisify(execFile);
  const bin = [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'lib/cli/bin.ts')];
  const bad = await run('node', [...bin, '--version'], { env: { ...process.env, C2WATCH_HEAP_GROWTH: 'lots' } });
  t.regex(bad.stderr, /C2WATCH_HEAP_GROWTH must be a percent \(1-1000\) or v8, got "lots"/);
  t.regex(bad.stdout, /^\d+\.\d+\.\d+/);
  for (const v of ['v8', '50']) {
    const ok = await run('node', [...bin, '--version'], { env: { ...process.env, C2WATCH_HEAP_GROWTH: v } });
    t.is(ok.stderr, '', v);
  }
});
