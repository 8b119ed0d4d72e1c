/**
 * Pipeline glue, sans-IO: pcap/pcapng bytes in, FlowRecords and DnsRecords
 * out. Owns a {@link PcapReader} (framing), a {@link PacketDecoder}
 * (link → IP → transport, tunnels opened) and a {@link FlowTable}
 * (connections, application bits).
 *
 * ```ts
 * const pf = new PcapFlows(sink, { file: 'x.pcap', onWeird });
 * for await (const chunk of stream) pf.push(chunk);
 * pf.end();            // flushes every live flow
 * pf.stats;            // reader, decoder and flow counters
 * ```
 *
 * A packet that came out of UDP tunnels (VXLAN, Geneve, GTP-U, Teredo,
 * AYIYA, GRE-in-UDP) is accounted once per level, as Zeek does: each
 * tunnel's own UDP datagram, outermost first, then the inner packet. The
 * outer packets of IP-in-IP and GRE tunnels are not connections (Zeek does
 * not log them either).
 *
 * Unusable input (not a capture at all) throws the reader's typed error;
 * everything else is a weird.
 *
 * @module
 */

import { PacketDecoder } from '../decode/packet/decoder.js';
import type { PacketDecoderStats } from '../decode/packet/decoder.js';
import { DecodeStatus, newPacketInfo } from '../decode/packet/types.js';
import type { PacketInfo } from '../decode/packet/types.js';
import { PcapReader } from '../decode/pcap/reader.js';
import type { PcapReaderStats } from '../decode/pcap/reader.js';
import type { RecordSink } from '../model.js';
import type { WeirdHandler } from '../weird.js';
import { FlowTable } from './table.js';
import type { FlowTableOptions, FlowTableStats } from './table.js';

/** Options of {@link PcapFlows}: the flow table's, plus input labelling and decoder knobs. */
export interface PcapFlowsOptions extends FlowTableOptions {
  /** Label used in weirds and errors, e.g. the path. */
  file?: string;
  /** Receives every weird of the reader, decoder and flow table. */
  onWeird?: WeirdHandler;
  /** Tunnel layers opened at most (decoder `maxTunnelDepth`). Default 2, like Zeek's `Tunnel::max_depth`. */
  maxTunnelDepth?: number;
  /** Open UDP tunnels (VXLAN, Geneve, …). Default true. */
  udpTunnels?: boolean;
  /** Largest captured length of one packet (reader `maxRecordSize`). Default 262 144. */
  maxRecordSize?: number;
}

/** Counters of a {@link PcapFlows}. */
export interface PcapFlowsStats {
  readonly reader: Readonly<PcapReaderStats>;
  readonly decoder: Readonly<PacketDecoderStats>;
  readonly flows: Readonly<FlowTableStats>;
}

/** pcap bytes → flows and DNS transactions, synchronously. */
export class PcapFlows {
  readonly #reader: PcapReader;
  readonly #decoder: PacketDecoder;
  readonly #table: FlowTable;
  readonly #info: PacketInfo = newPacketInfo();
  #ended = false;

  constructor(sink: RecordSink, options: PcapFlowsOptions = {}) {
    const { file, onWeird, maxTunnelDepth, udpTunnels, maxRecordSize, ...tableOptions } = options;
    this.#reader = new PcapReader({ file, onWeird, maxRecordSize });
    this.#decoder = new PacketDecoder({ file, onWeird, maxTunnelDepth, udpTunnels });
    this.#table = new FlowTable(sink, onWeird === undefined ? tableOptions : { ...tableOptions, onWeird });
  }

  /** Counters of the three stages. */
  get stats(): PcapFlowsStats {
    return { reader: this.#reader.stats, decoder: this.#decoder.stats, flows: this.#table.stats };
  }

  /** The flow table (for its stats, or to expire flows while input pauses). */
  get table(): FlowTable {
    return this.#table;
  }

  /** Feed the next chunk of the capture (any size). */
  push(chunk: Uint8Array): void {
    if (this.#ended) return;
    this.#reader.append(chunk);
    this.#drain();
  }

  /**
   * End of input: read what is left and emit every live flow, or at most
   * `max` flows per call (see {@link FlowTable.flush}); true once all are
   * out. Calling it again after that does nothing.
   */
  end(max = Infinity): boolean {
    if (!this.#ended) {
      this.#ended = true;
      this.#reader.end();
      this.#drain();
    }
    return this.#table.flush(max);
  }

  #drain(): void {
    const reader = this.#reader;
    const dec = this.#decoder;
    const table = this.#table;
    const info = this.#info;
    for (let p; (p = reader.nextPacket()); ) {
      if (dec.decodeRecord(p, info) !== DecodeStatus.Ok) continue;
      // Each UDP tunnel's own datagram is a connection too (VXLAN in Geneve:
      // both); a bad checksum on one (with `checksums` on) means Zeek never
      // opens what is inside.
      let open = true;
      for (let level = 0; level < info.tunnelDepth && open; level++) {
        const layer = dec.tunnelLayer(level);
        if (layer.proto === 17) open = table.packet(layer, p.buf);
      }
      if (open) table.packet(info, p.buf);
    }
  }
}
