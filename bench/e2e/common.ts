/**
 * Shared by the end-to-end scripts: how to run `c2watch bench` (the built
 * CLI in dist/ when it is there and current, else the sources through tsx),
 * how to run the traffic generator, and small formatting helpers.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from '../../lib/cli/bench.js';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/**
 * The command that runs the c2watch CLI: `node dist/cli/bin.js` when dist/ is
 * built and not older than lib/cli/bench.ts, else `node --import tsx lib/cli/bin.ts`
 * (whose start-up is slower: whole-process timings then include tsx).
 */
export function c2watchCli(): { argv: string[]; built: boolean } {
  const dist = join(ROOT, 'dist/cli/bin.js');
  const distBench = join(ROOT, 'dist/cli/bench.js');
  const src = join(ROOT, 'lib/cli/bench.ts');
  if (existsSync(dist) && existsSync(distBench) && statSync(distBench).mtimeMs >= statSync(src).mtimeMs) return { argv: [process.execPath, dist], built: true };
  return { argv: [process.execPath, '--import', 'tsx', join(ROOT, 'lib/cli/bin.ts')], built: false };
}

/** Run a command, inheriting stderr; resolves to its stdout. Rejects on a non-zero exit. */
export function run(argv: string[], opts: { quiet?: boolean } = {}): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', opts.quiet === true ? 'pipe' : 'inherit'] });
    let out = '';
    let err = '';
    p.stdout?.setEncoding('utf8').on('data', (d: string) => void (out += d));
    p.stderr?.setEncoding('utf8').on('data', (d: string) => void (err += d));
    p.once('error', rej);
    p.once('close', (code) => (code === 0 ? res(out) : rej(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/** `c2watch bench --json ARGS`, parsed. */
export async function bench(args: string[], nodeFlags: string[] = []): Promise<BenchReport> {
  const cli = c2watchCli();
  return JSON.parse(await run([cli.argv[0]!, ...nodeFlags, ...cli.argv.slice(1), 'bench', '--json', ...args])) as BenchReport;
}

/** The command line shown for a `c2watch bench` run (as a user types it). */
export function shown(args: string[]): string {
  return `node dist/cli/bin.js bench ${args.join(' ')}`;
}

/** Generate a pcap with bench/gen/gen.ts; resolves to the generator's summary line. */
export async function generate(out: string, size: string, extra: string[] = []): Promise<string> {
  return run([process.execPath, '--import', 'tsx', join(ROOT, 'bench/gen/gen.ts'), '--out', out, '--size', size, '--seed', '1', '--beacons', '5', '--multiband', '3', ...extra], { quiet: true }).then(
    () => `${out}: ${size}`,
  );
}

export const mib = (b: number | undefined): string => (b === undefined ? '-' : `${(b / 2 ** 20).toFixed(0)} MiB`);
export const si = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));

/** RSS (bytes) at a fraction of the run, from a run's samples: [seconds, bytes read, rss, heap]. */
export function rssAt(samples: readonly (readonly number[])[], frac: number, col = 2): number | undefined {
  if (samples.length === 0) return undefined;
  const end = samples[samples.length - 1]![0]!;
  let best = samples[0]!;
  for (const s of samples) if (Math.abs(s[0]! - frac * end) < Math.abs(best[0]! - frac * end)) best = s;
  return best[col];
}
