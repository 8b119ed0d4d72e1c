// Paths shared by tests: the repo's samples and the shared corpus (absent on a user's clone).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLES = join(ROOT, 'samples');
/** ../shared/corpus beside the clone, or $C2WATCH_CORPUS. */
export const CORPUS = process.env['C2WATCH_CORPUS'] ?? resolve(ROOT, '../shared/corpus');
export const HAVE_CORPUS = existsSync(CORPUS);
