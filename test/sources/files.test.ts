import test from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHUNK_SIZE, readFile } from '../../lib/sources/files.js';
import { tempDir } from '../helpers/tmp.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('a file comes in chunks of at most CHUNK_SIZE, and a chunk stays intact until the next is asked for', async (t) => {
  const dir = tempDir(t, 'c2w-files-');
  const data = randomBytes(Math.floor(3.5 * CHUNK_SIZE) + 17);
  const path = join(dir, 'x.bin');
  writeFileSync(path, data);
  const it = readFile({ path, size: data.length, kind: '' })[Symbol.asyncIterator]();
  let off = 0;
  let chunks = 0;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const c = r.value;
    t.true(c.byteLength > 0 && c.byteLength <= CHUNK_SIZE);
    // The next chunk is being read meanwhile: it must go to another buffer.
    await settle();
    t.true(Buffer.from(c.buffer, c.byteOffset, c.byteLength).equals(data.subarray(off, off + c.byteLength)), `chunk ${chunks} changed while held`);
    off += c.byteLength;
    chunks++;
  }
  t.is(off, data.length);
  t.is(chunks, 4);
});

test('an empty file yields nothing; stopping early closes the file; gzip is read through', async (t) => {
  const dir = tempDir(t, 'c2w-files-');
  writeFileSync(join(dir, 'empty'), '');
  const got: Uint8Array[] = [];
  for await (const c of readFile({ path: join(dir, 'empty'), size: 0, kind: '' })) got.push(c);
  t.is(got.length, 0);

  const data = randomBytes(3 * CHUNK_SIZE);
  writeFileSync(join(dir, 'big'), data);
  let n = 0;
  for await (const c of readFile({ path: join(dir, 'big'), size: data.length, kind: '' })) {
    t.is(c.byteLength, CHUNK_SIZE);
    if (++n === 1) break; // a read of the second chunk is in flight here
  }
  t.is(n, 1);

  const text = Buffer.from('x'.repeat(5 * CHUNK_SIZE + 3));
  writeFileSync(join(dir, 'z.gz'), gzipSync(text));
  const parts: Buffer[] = [];
  for await (const c of readFile({ path: join(dir, 'z.gz'), size: -1, kind: '' })) parts.push(Buffer.from(c));
  t.true(Buffer.concat(parts).equals(text));
});
