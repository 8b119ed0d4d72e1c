/**
 * Files, directories, gzip and stdin: the only Node I/O on the input side.
 *
 * A path may be a file or a Zeek log directory; `-` is stdin. Gzip is
 * recognised by its magic bytes (1f 8b), not the file name, so a rotated
 * `.log.gz` and a gzipped stream on stdin both work.
 *
 * @module
 */

import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { SourceError } from '../errors.js';
import type { WeirdHandler } from '../weird.js';

/** Read size: large enough that per-chunk overhead vanishes, small enough to stay cache-friendly. */
export const CHUNK_SIZE = 1 << 20;

/** One input file as the pipeline sees it. */
export interface InputFile {
  /** Path, or `<stdin>`. */
  readonly path: string;
  /** Bytes on disk (compressed size for .gz); -1 for stdin. */
  readonly size: number;
  /** Log kind guessed from the file name, '' when the name says nothing. */
  readonly kind: LogKind;
}

/** The Zeek logs c2watch reads, by file name; '' when the name says nothing. */
export type LogKind = 'conn' | 'dns' | 'ssl' | 'http' | '';

// conn.log, conn.16:00:00-17:00:00.log.gz, conn.2024-01-01-00-00-00.log.gz,
// conn.json.gz, conn.log.labeled, conn_json.log, likewise dns, ssl and http
// … but not open_conn.log (RITA's still-open connections, which reappear in
// conn.log when they close).
const LOG_NAME = /^(conn|dns|ssl|http)(?:[._-][^/]*)?\.(?:log|json|ndjson)(?:\.gz)?(?:\.labeled)?$|^(conn|dns|ssl|http)\.log\.labeled$/;

/** Log kind from a file name, '' when it is not a conn, dns, ssl or http log name. */
export function logKindOfName(name: string): LogKind {
  const m = LOG_NAME.exec(name);
  if (m === null) return '';
  return (m[1] ?? m[2]) as LogKind;
}

/**
 * Expand command-line style inputs into files: a directory yields its conn,
 * dns, ssl and http logs (current and rotated, gzipped or not), sorted by name so
 * rotated files come in time order; a file is taken as it is, whatever its
 * name. Throws SourceError for a path that cannot be read.
 */
export async function expandInputs(inputs: readonly string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const p of inputs) {
    if (p === '-') {
      out.push({ path: '<stdin>', size: -1, kind: '' });
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw new SourceError(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: p }, { cause: e });
    }
    if (st.isDirectory()) {
      const names = (await readdir(p)).sort(byRotation);
      let found = 0;
      for (const name of names) {
        const kind = logKindOfName(name);
        if (kind === '') continue;
        const full = join(p, name);
        const s = await stat(full);
        if (!s.isFile()) continue;
        out.push({ path: full, size: s.size, kind });
        found++;
      }
      if (found === 0) throw new SourceError(`no conn, dns, ssl or http logs in directory ${p}`, { file: p });
    } else {
      const base = p.slice(p.lastIndexOf('/') + 1);
      out.push({ path: p, size: st.size, kind: logKindOfName(base) });
    }
  }
  return out;
}

// The live `conn.log` sorts after its rotated siblings (`conn.<time>.log.gz`).
function byRotation(a: string, b: string): number {
  const ka = /^(conn|dns|ssl|http)\.log$/.test(a) ? a.replace('.log', '.~') : a;
  const kb = /^(conn|dns|ssl|http)\.log$/.test(b) ? b.replace('.log', '.~') : b;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Progress callback: bytes read so far from disk or stdin. */
export type ReadProgress = (bytes: number) => void;

/**
 * Chunks of a file (or stdin), gunzipped when the content is gzip. A chunk
 * of a plain file is valid until the next one is asked for: the decoders
 * copy what they keep (see `PcapReader.append`), so one read buffer serves
 * the whole file.
 */
export async function* readFile(file: InputFile, onBytes?: ReadProgress, onWeird?: WeirdHandler): AsyncGenerator<Uint8Array> {
  const raw = file.path === '<stdin>' ? (process.stdin as AsyncIterable<Uint8Array>) : readPath(file.path);
  try {
    yield* gunzipIfNeeded(raw, onBytes, file.path, onWeird);
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError(`cannot read ${file.path}: ${(e as Error).message}`, { file: file.path }, { cause: e });
  }
}

/**
 * A file's bytes in chunks of up to {@link CHUNK_SIZE}, read into two
 * buffers used in turn: while the caller works on one chunk, the next is
 * already being read into the other (the read runs on libuv's thread pool,
 * so on a second core), and the caller never waits for a read it could
 * have overlapped. Waiting for each read had been ~4 % of a run on a
 * cached pcap, more on a cold one.
 *
 * Buffers are reused, not made per chunk: a fresh 1 MiB buffer per chunk
 * (as a read stream makes) costs a malloc and a free per MiB of input, and
 * glibc's sliding mmap threshold then serves them from the heap, where
 * they fragment it: on a 4 GB pcap that was ~37 MiB of peak RSS. A gzip
 * file's chunks go to zlib, which may still hold one after it is passed
 * on, so those get a buffer each. A chunk is valid until the caller asks
 * for the one after it (the read into its buffer starts only then).
 */
async function* readPath(path: string): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  // The read in flight when the caller stops early (an error, a break) is awaited before closing.
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    let cur = Buffer.allocUnsafeSlow(CHUNK_SIZE);
    let got: { bytesRead: number } = await fh.read(cur, 0, CHUNK_SIZE, null);
    if (got.bytesRead === 0) return;
    const reuse = !(got.bytesRead >= 2 && cur[0] === 0x1f && cur[1] === 0x8b);
    let next = Buffer.allocUnsafeSlow(CHUNK_SIZE);
    for (;;) {
      // Reads go in file order: this one starts after the previous has completed.
      pending = fh.read(next, 0, CHUNK_SIZE, null);
      yield cur.subarray(0, got.bytesRead);
      got = await pending;
      pending = undefined;
      if (got.bytesRead === 0) return;
      const done = cur;
      cur = next;
      next = reuse ? done : Buffer.allocUnsafeSlow(CHUNK_SIZE);
    }
  } finally {
    if (pending !== undefined) await pending.catch(() => undefined);
    await fh.close();
  }
}

/**
 * Pass chunks through, gunzipping when the first bytes are the gzip magic.
 * A truncated or corrupt gzip stream ends that input after everything
 * before the damage has been yielded: a `gzip_damaged` weird when a handler
 * is given, else a SourceError.
 */
export async function* gunzipIfNeeded(
  src: AsyncIterable<Uint8Array>,
  onBytes?: ReadProgress,
  label = '<input>',
  onWeird?: WeirdHandler,
): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  onBytes?.(head.byteLength);
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => it,
  };
  if (head.byteLength >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: CHUNK_SIZE });
    const feed = (async () => {
      try {
        if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
        for await (const c of rest) {
          onBytes?.(c.byteLength);
          if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
        }
        gunzip.end();
      } catch (e) {
        gunzip.destroy(e as Error);
      }
    })();
    let out = 0;
    try {
      for await (const c of gunzip as AsyncIterable<Uint8Array>) {
        out += c.byteLength;
        yield c;
      }
    } catch (e) {
      const msg = `gzip stream damaged after ${out} decompressed bytes: ${(e as Error).message}`;
      if (onWeird === undefined) throw new SourceError(msg, { file: label, offset: out }, { cause: e });
      onWeird({ kind: 'gzip_damaged', message: msg, file: label, offset: out });
    }
    await feed;
    return;
  }
  yield head;
  for await (const c of rest) {
    onBytes?.(c.byteLength);
    yield c;
  }
}
