/**
 * Running the CLI in-process for tests: `main()` with captured stdout and
 * stderr.
 *
 * @module
 */

import { main } from '../../lib/cli/main.js';

/** A writable that keeps what it was given (not a TTY). */
export class Out {
  text = '';
  isTTY = false;
  write(s: string | Uint8Array): boolean {
    this.text += typeof s === 'string' ? s : Buffer.from(s).toString();
    return true;
  }
}

/** `c2watch ...args` in this process: exit code, stdout and stderr. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Out();
  const stderr = new Out();
  const code = await main(args, { stdout: stdout as never, stderr: stderr as never });
  return { code, out: stdout.text, err: stderr.text };
}
