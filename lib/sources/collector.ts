/**
 * Live NetFlow v5 / v9 / IPFIX collector over UDP (node:dgram).
 *
 * ```
 *   socket ──message──▶ bounded queue ──setImmediate, batches──▶ NetflowDecoder ──▶ NetflowFlows ──▶ onFlow
 *   (kernel buffer,       (maxQueue datagrams;                      (templates,          (pairing window,
 *    recvBufferSize)       full: dropped, counted)                   sampling)            1 s tick)
 * ```
 *
 * Two places can lose datagrams under load, and both are counted in
 * `stats()`, never hidden: the kernel socket buffer (`osDrops`, read from
 * the socket's `drops` column in /proc/net/udp on Linux; -1 elsewhere) and
 * our queue between the socket and the decoder (`queueDropped`). The
 * socket asks for a large receive buffer (`recvBufferSize`, default
 * 32 MiB) and reports what the OS granted (Linux caps it at
 * net.core.rmem_max and reports twice the value it keeps).
 *
 * The queue exists so that decoding, pairing and whatever `onFlow` does run
 * in batches on their own turn of the event loop while the socket keeps
 * reading; `maxQueue` bounds the memory it may hold.
 *
 * Everything runs on the caller's thread. Throughput is bounded by CPU:
 * node:dgram itself costs a few µs per datagram (one recvmsg, one Buffer
 * and one `rinfo` per message; Node 20 has neither recvmmsg nor
 * `reusePort`), decoding ~70 ns and pairing ~100–200 ns per record.
 * bench/sources/collector.bench.ts measures all three against a bare dgram
 * socket. No worker thread: `onFlow` runs here, and handing every
 * FlowRecord back from a worker (structured clone) would cost more than
 * pairing it.
 *
 * @module
 */

import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { NetflowDecoder } from '../decode/netflow/decoder.js';
import type { NetflowDecoderOptions, NetflowDecoderStats } from '../decode/netflow/decoder.js';
import type { NetflowRecord } from '../decode/netflow/record.js';
import { InvalidOptionError, SourceError } from '../errors.js';
import { NetflowFlows } from '../flow/netflow.js';
import type { NetflowFlowsOptions, NetflowFlowsStats } from '../flow/netflow.js';
import type { FlowRecord } from '../model.js';
import type { WeirdHandler } from '../weird.js';

/** Options of {@link createCollector}. */
export interface CollectorOptions {
  /** `address:port` to bind: `127.0.0.1:2055`, `[::]:4739`, `0.0.0.0:9995`; a bare port binds 0.0.0.0. */
  listen: string;
  /** Each FlowRecord after pairing (lib/flow/netflow.ts). */
  onFlow?: (f: FlowRecord) => void;
  /** Each raw record as decoded, before pairing. */
  onRecord?: (r: NetflowRecord) => void;
  onWeird?: WeirdHandler;
  /** Socket receive buffer to ask for, bytes. Default 32 MiB. */
  recvBufferSize?: number;
  /** Datagrams held between the socket and the decoder; beyond, they are dropped and counted. Default 16 384 (~24 MB at 1.5 kB). */
  maxQueue?: number;
  /** Datagrams decoded per event-loop turn. Default 512. */
  batch?: number;
  /** Decoder bounds (templates, buffered sets, sampling). */
  decoder?: Omit<NetflowDecoderOptions, 'onRecord' | 'onWeird'>;
  /** Pairing options (local nets, window, bounds). */
  flows?: Omit<NetflowFlowsOptions, 'onFlow'>;
  /** How often (ms) the pairing window and the buffered-set age-out are advanced when traffic stops. Default 1000. */
  tickMs?: number;
}

/** Counters of a {@link Collector}. */
export interface CollectorStats {
  /** Datagrams and bytes read from the socket. */
  datagrams: number;
  bytes: number;
  /** Datagrams waiting for the decoder now, and the most ever waiting. */
  queued: number;
  queueHighWater: number;
  /** Datagrams dropped because the queue was full. */
  queueDropped: number;
  /** Datagrams the kernel dropped on this socket (Linux /proc/net/udp `drops`), -1 when unknown. */
  osDrops: number;
  /** Receive buffer asked for and granted (bytes, as the OS reports it). */
  recvBufferRequested: number;
  recvBufferGranted: number;
  decoder: NetflowDecoderStats;
  flows: NetflowFlowsStats;
}

/** A running collector. */
export interface Collector {
  /** Where the socket is bound (the port is the real one when 0 was asked). */
  readonly address: { address: string; port: number; family: string };
  stats(): CollectorStats;
  /** Stop reading, decode what is queued, emit every waiting record, close the socket. */
  close(): Promise<void>;
}

/** Parse `host:port`, `[v6]:port` or `port`. */
export function parseListen(listen: string): { host: string; port: number; family: 'udp4' | 'udp6' } {
  const s = listen.trim();
  let host: string;
  let port: string;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (m !== null) {
    host = m[1]!;
    port = m[2]!;
  } else if (/^\d+$/.test(s)) {
    host = '0.0.0.0';
    port = s;
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0 || s.indexOf(':') !== i) throw new InvalidOptionError(`listen must be address:port (IPv6 as [addr]:port), got "${listen}"`);
    host = s.slice(0, i);
    port = s.slice(i + 1);
  }
  const p = Number(port);
  if (!/^\d+$/.test(port) || p > 65535) throw new InvalidOptionError(`bad port in listen "${listen}"`);
  return { host, port: p, family: host.includes(':') ? 'udp6' : 'udp4' };
}

/**
 * Bind a UDP socket and collect NetFlow/IPFIX from it.
 *
 * ```ts
 * const c = await createCollector({ listen: '127.0.0.1:2055', onFlow: (f) => engine.pushFlow(f) });
 * // …
 * await c.close();
 * ```
 *
 * @throws SourceError when the socket cannot be bound; InvalidOptionError on a bad option.
 */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const { host, port, family } = parseListen(options.listen);
  const maxQueue = posInt('maxQueue', options.maxQueue, 16_384);
  const batch = posInt('batch', options.batch, 512);
  const want = posInt('recvBufferSize', options.recvBufferSize, 32 << 20);
  const tickMs = posInt('tickMs', options.tickMs, 1000);

  const onFlow = options.onFlow;
  const onRecord = options.onRecord;
  const flows = new NetflowFlows({ ...options.flows, onFlow: onFlow ?? (() => undefined) });
  const decoder = new NetflowDecoder({
    ...options.decoder,
    ...(options.onWeird !== undefined ? { onWeird: options.onWeird } : {}),
    onRecord:
      onRecord === undefined
        ? (r) => flows.push(r)
        : onFlow === undefined
          ? onRecord
          : (r) => {
              onRecord(r);
              flows.push(r);
            },
  });

  // Ring of datagrams between the socket and the decoder.
  const qMsg: (Buffer | undefined)[] = new Array<Buffer | undefined>(maxQueue).fill(undefined);
  const qFrom: string[] = new Array<string>(maxQueue).fill('');
  const qTs = new Float64Array(maxQueue);
  let qHead = 0;
  let qLen = 0;
  const s = { datagrams: 0, bytes: 0, queueHighWater: 0, queueDropped: 0 };
  let scheduled = false;
  let closed = false;

  const drain = (limit: number): void => {
    scheduled = false;
    let n = 0;
    while (qLen > 0 && n < limit) {
      const msg = qMsg[qHead]!;
      const from = qFrom[qHead]!;
      const ts = qTs[qHead]!;
      qMsg[qHead] = undefined;
      qHead = qHead + 1 === maxQueue ? 0 : qHead + 1;
      qLen--;
      n++;
      decoder.decode(msg, from, ts);
    }
    if (qLen > 0 && !scheduled && !closed) {
      scheduled = true;
      setImmediate(drain, batch);
    }
  };

  // The exporter label of the last sender, rebuilt only when the sender changes (exporters are few and send in runs).
  let lastAddr = '';
  let lastPort = -1;
  let lastFrom = '';
  const socket: Socket = createSocket({ type: family, reuseAddr: false });
  socket.on('message', (msg, rinfo) => {
    s.datagrams++;
    s.bytes += msg.length;
    if (qLen === maxQueue) {
      s.queueDropped++;
      return;
    }
    const at = qHead + qLen < maxQueue ? qHead + qLen : qHead + qLen - maxQueue;
    qMsg[at] = msg;
    if (rinfo.port !== lastPort || rinfo.address !== lastAddr) {
      lastAddr = rinfo.address;
      lastPort = rinfo.port;
      lastFrom = rinfo.family === 'IPv6' ? `[${lastAddr}]:${lastPort}` : `${lastAddr}:${lastPort}`;
    }
    qFrom[at] = lastFrom;
    qTs[at] = Date.now() / 1000;
    qLen++;
    if (qLen > s.queueHighWater) s.queueHighWater = qLen;
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain, batch);
    }
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      socket.close();
      reject(new SourceError(`cannot listen on ${options.listen}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { file: options.listen }, { cause: e }));
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  // Errors after binding (rare for UDP) become weirds: a collector must not die of one bad send.
  socket.on('error', (e) => options.onWeird?.({ kind: 'collector_socket_error', message: e.message, file: options.listen }));

  let granted = -1;
  try {
    socket.setRecvBufferSize(want);
  } catch {
    // The OS refused the size outright; what it has is reported below.
  }
  try {
    granted = socket.getRecvBufferSize();
  } catch {
    granted = -1;
  }
  const addr = socket.address();
  const procFile = family === 'udp6' ? '/proc/net/udp6' : '/proc/net/udp';

  const tick = setInterval(() => {
    const now = Date.now() / 1000;
    decoder.expire(now);
    flows.advance(now);
  }, tickMs);
  tick.unref();

  let closing: Promise<void> | undefined;
  return {
    address: { address: addr.address, port: addr.port, family: addr.family },
    stats(): CollectorStats {
      return {
        ...s,
        queued: qLen,
        osDrops: closed ? -1 : osDrops(procFile, addr.port),
        recvBufferRequested: want,
        recvBufferGranted: granted,
        decoder: decoder.stats(),
        flows: flows.stats(),
      };
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(tick);
        socket.close(() => {
          closed = true;
          drain(Infinity);
          decoder.flush();
          flows.flush();
          resolve();
        });
      });
      return closing;
    },
  };
}

/**
 * The kernel's drop counter for the UDP socket bound to `port` (the last
 * column of /proc/net/udp, per socket since Linux 2.6.27), or -1.
 */
function osDrops(procFile: string, port: number): number {
  let text: string;
  try {
    text = readFileSync(procFile, 'latin1');
  } catch {
    return -1;
  }
  const hexPort = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  let drops = -1;
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 13 || !cols[1]!.endsWith(hexPort)) continue;
    const d = Number(cols[cols.length - 1]);
    if (Number.isFinite(d)) drops = (drops < 0 ? 0 : drops) + d;
  }
  return drops;
}

function posInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new InvalidOptionError(`${name} must be a positive integer, got ${v}`);
  return v;
}
