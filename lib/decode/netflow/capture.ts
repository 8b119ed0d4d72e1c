/**
 * Captured NetFlow / IPFIX exports: a pcap or pcapng of export datagrams
 * (what `tcpdump -w` on a collector's port records) decoded to flow
 * records. Sans-IO: bytes in with `push(chunk)`, records out through the
 * same callback as {@link NetflowDecoder}.
 *
 * The capture is read by the shared {@link PcapReader} and
 * {@link PacketDecoder}; every UDP payload on any port whose header looks
 * like NetFlow v5, v9 or IPFIX ({@link sniffNetflow}) is decoded with the
 * exporter labelled `source-address:source-port` (`[v6]:port` for IPv6),
 * as the live collector labels it, and the capture time as receive time.
 * IP fragments cannot be decoded (no reassembly here): they are counted and
 * reported as a weird.
 *
 * @module
 */

import { InvalidOptionError } from '../../errors.js';
import { formatIPv4, formatIPv6 } from '../../net/addr.js';
import type { Weird, WeirdHandler } from '../../weird.js';
import { PacketDecoder } from '../packet/decoder.js';
import type { PacketDecoderStats } from '../packet/decoder.js';
import { DecodeStatus, Frag, newPacketInfo } from '../packet/types.js';
import { PcapReader } from '../pcap/reader.js';
import type { PcapReaderStats } from '../pcap/reader.js';
import { NetflowDecoder } from './decoder.js';
import type { NetflowDecoderOptions, NetflowDecoderStats } from './decoder.js';

/** Options of {@link NetflowCaptureDecoder}: the decoder's, plus a label for weirds. */
export interface NetflowCaptureDecoderOptions extends Partial<Omit<NetflowDecoderOptions, 'onWeird'>> {
  onWeird?: WeirdHandler;
  /** Label used in capture-level weirds, e.g. the path. */
  file?: string;
  /** Only these UDP destination ports; default any port, recognised by the NetFlow header. */
  ports?: readonly number[];
  /**
   * Decode into this existing decoder (its templates carry over from
   * captures read before, e.g. a capture of templates then one of data);
   * then `onRecord` and the decoder bounds are its own, and `end()` leaves
   * its buffered sets alone. Without it, `onRecord` is required.
   */
  decoder?: NetflowDecoder;
}

/** Counters of a {@link NetflowCaptureDecoder}. */
export interface NetflowCaptureStats {
  /** UDP datagrams seen, and those recognised as NetFlow / IPFIX exports. */
  udp: number;
  exports: number;
  /** UDP datagrams that were IP fragments (not reassembled, not decoded). */
  fragments: number;
  /** UDP payloads cut by the capture's snaplen (decoded as far as they go). */
  truncated: number;
  pcap: PcapReaderStats;
  packet: PacketDecoderStats;
  decoder: NetflowDecoderStats;
}

/**
 * The NetFlow version (5, 9 or 10) a UDP payload's header announces, or 0
 * when it does not look like an export: v5 with 1–30 records filling the
 * payload, v9 and IPFIX with a first set of a valid id and length (and for
 * IPFIX a message length equal to `wireLen`, the payload length the IP
 * header claims).
 */
export function sniffNetflow(b: Uint8Array, off: number, len: number, wireLen = len): number {
  if (len < 16) return 0;
  const version = (b[off]! << 8) | b[off + 1]!;
  const u16 = (o: number): number => (b[off + o]! << 8) | b[off + o + 1]!;
  if (version === 5) {
    const count = u16(2);
    return count >= 1 && count <= 30 && wireLen >= 24 + count * 48 && wireLen - (24 + count * 48) < 48 ? 5 : 0;
  }
  if (version === 9) {
    if (len < 24) return 0;
    const id = u16(20);
    const setLen = u16(22);
    return (id <= 1 || id >= 256) && setLen >= 4 && setLen <= wireLen - 20 ? 9 : 0;
  }
  if (version === 10) {
    if (len < 20 || u16(2) !== wireLen) return 0;
    const id = u16(16);
    const setLen = u16(18);
    return (id === 2 || id === 3 || id >= 256) && setLen >= 4 && setLen <= wireLen - 16 ? 10 : 0;
  }
  return 0;
}

/**
 * True when a capture's first packets (up to 64 in `prefix`) are mostly
 * NetFlow/IPFIX export datagrams: a format sniffer for `analyze`, which
 * should then read the file with {@link NetflowCaptureDecoder} rather than
 * as ordinary traffic. False for anything that is not pcap/pcapng.
 */
export function isNetflowCapture(prefix: Uint8Array): boolean {
  let packets = 0;
  let exports = 0;
  try {
    const r = new PcapReader();
    const dec = new PacketDecoder({ udpTunnels: false });
    const info = newPacketInfo();
    r.append(prefix);
    for (let p; packets < 64 && (p = r.nextPacket()); ) {
      packets++;
      if (dec.decodeRecord(p, info) !== DecodeStatus.Ok || info.proto !== 17 || info.frag === Frag.Later) continue;
      if (sniffNetflow(p.buf, info.payloadOff, info.payloadCaptured, info.payloadLen) !== 0) exports++;
    }
  } catch {
    return false;
  }
  return exports > 0 && exports * 2 >= packets;
}

/**
 * Decodes a capture of NetFlow / IPFIX export datagrams.
 *
 * ```ts
 * const d = new NetflowCaptureDecoder({ onRecord: (r) => flows.push(r), onWeird, file });
 * for await (const chunk of stream) d.push(chunk);
 * d.end();
 * ```
 *
 * Throws only what {@link PcapReader} throws for an unusable file (bad
 * magic, unsupported version); everything else is a weird.
 */
export class NetflowCaptureDecoder {
  readonly #reader: PcapReader;
  readonly #packet: PacketDecoder;
  readonly #decoder: NetflowDecoder;
  readonly #info = newPacketInfo();
  readonly #ports: Set<number> | undefined;
  readonly #onWeird: WeirdHandler | undefined;
  readonly #file: string | undefined;
  readonly #s = { udp: 0, exports: 0, fragments: 0, truncated: 0 };
  readonly #owned: boolean;
  #ended = false;

  /** @throws InvalidOptionError without `onRecord` or `decoder`. */
  constructor(options: NetflowCaptureDecoderOptions) {
    const { onWeird, file, ports, decoder, onRecord, ...rest } = options;
    this.#onWeird = onWeird;
    this.#file = file;
    this.#ports = ports === undefined ? undefined : new Set(ports);
    this.#reader = new PcapReader({ onWeird, file });
    // Exports are plain UDP: never mistake one sent to a tunnel's port for a tunnel.
    this.#packet = new PacketDecoder({ onWeird, file, udpTunnels: false });
    this.#owned = decoder === undefined;
    if (decoder !== undefined) this.#decoder = decoder;
    else if (onRecord === undefined) throw new InvalidOptionError('NetflowCaptureDecoder needs onRecord or decoder');
    else this.#decoder = new NetflowDecoder({ ...rest, onRecord, ...(onWeird !== undefined ? { onWeird } : {}) });
  }

  /** The NetFlow decoder underneath (templates, buffered sets). */
  get decoder(): NetflowDecoder {
    return this.#decoder;
  }

  stats(): NetflowCaptureStats {
    return { ...this.#s, pcap: { ...this.#reader.stats }, packet: { ...this.#packet.stats }, decoder: this.#decoder.stats() };
  }

  /** Feed the next bytes of the capture; records cut by chunk edges are fine. */
  push(chunk: Uint8Array): void {
    this.#reader.append(chunk);
    this.#drain();
  }

  /**
   * End of input: packets only the end could settle, then (for a decoder of
   * its own) buffered sets still without a template are dropped, counted
   * and reported.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#reader.end();
    this.#drain();
    if (this.#owned) this.#decoder.flush();
  }

  #drain(): void {
    const info = this.#info;
    const dec = this.#packet;
    for (let p; (p = this.#reader.nextPacket()); ) {
      if (dec.decodeRecord(p, info) !== DecodeStatus.Ok || info.proto !== 17) continue;
      this.#s.udp++;
      if (info.frag !== Frag.None) {
        this.#s.fragments++;
        if (info.frag === Frag.First) this.#weird('netflow_capture_fragment', 'fragmented export datagram: not reassembled, not decoded', p.offsetInFile);
        continue;
      }
      if (this.#ports !== undefined && !this.#ports.has(info.dport)) continue;
      const off = info.payloadOff;
      const cap = info.payloadCaptured;
      if (sniffNetflow(p.buf, off, cap, info.payloadLen) === 0) continue;
      this.#s.exports++;
      if (cap < info.payloadLen) this.#s.truncated++;
      this.#decoder.decode(p.buf.subarray(off, off + cap), this.#exporter(), info.ts);
    }
  }

  #exporter(): string {
    const i = this.#info;
    if (i.ipVersion === 4) return `${formatIPv4(i.src4)}:${i.sport}`;
    const g = new Uint16Array(8);
    for (let k = 0; k < 4; k++) {
      g[2 * k] = i.src6[k]! >>> 16;
      g[2 * k + 1] = i.src6[k]! & 0xffff;
    }
    return `[${formatIPv6(g)}]:${i.sport}`;
  }

  #weird(kind: string, message: string, offset: number): void {
    const w: Weird = this.#file === undefined ? { kind, message, offset } : { kind, message, file: this.#file, offset };
    this.#onWeird?.(w);
  }
}
