/**
 * Sans-IO decoder for NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX
 * (RFC 7011): one export datagram in, raw flow records out through a
 * callback. No sockets, timers or fs: the live collector
 * (lib/sources/collector.ts) and the capture reader (./capture.ts) feed it.
 *
 * State, all bounded, every eviction counted:
 * - per exporter (the label given to `decode`, e.g. `192.0.2.1:2055`):
 *   templates keyed by source id / observation domain + template id
 *   (RFC 3954 §5.1, RFC 7011 §8), sampling rates learnt from options data,
 *   the system init time, and data sets waiting for their template;
 * - a global template count (`maxTemplates`, least recently refreshed
 *   evicted) and exporter count (`maxExporters`, oldest evicted).
 *
 * Data sets that arrive before their template (exporters send templates
 * every few minutes, so a collector that starts mid-stream sees data
 * first) are copied into a per-exporter buffer bounded by sets, bytes and
 * age, and decoded when the template arrives; what cannot wait is counted
 * as dropped and reported as a weird, never silently lost.
 *
 * Malformed input (short datagram, unknown version, bad length, zero-length
 * set, zero-field or truncated template, truncated record) is a weird with
 * the exporter as `file` and the byte offset in the datagram. Every loop
 * advances by at least 4 bytes (sets, template records) or by a record
 * length that is never 0, so no datagram can make it spin.
 *
 * Hot path: templates are compiled into flat plans (./template.ts); a data
 * record is `fill(-1)` of a small Float64Array, a loop of DataView reads
 * into it, and one `NetflowRecord` allocation.
 *
 * @module
 */

import { InvalidOptionError } from '../../errors.js';
import { formatIPv6 } from '../../net/addr.js';
import type { Weird } from '../../weird.js';
import {
  Kind,
  N_VALUES,
  V_BIDIR,
  V_DIRECTION,
  V_DPORT,
  V_DST4,
  V_DST6,
  V_DUR_MS,
  V_END_DELTA,
  V_END_MS,
  V_END_REASON,
  V_FIRST_UP,
  V_FLAGS,
  V_ICMP_C,
  V_ICMP_T,
  V_ICMP_TC,
  V_INIT_OCT,
  V_INIT_PKT,
  V_LAST_UP,
  V_OCT,
  V_OCT_T,
  V_PKT,
  V_PKT_INTERVAL,
  V_PKT_SPACE,
  V_PKT_T,
  V_POPULATION,
  V_POST_OCT,
  V_POST_PKT,
  V_PROB,
  V_PROTO,
  V_RESP_OCT,
  V_RESP_PKT,
  V_REV_FLAGS,
  V_REV_OCT,
  V_REV_PKT,
  V_SAMPLE_SIZE,
  V_SAMPLER_ID,
  V_SAMPLING,
  V_SPORT,
  V_SRC4,
  V_SRC6,
  V_START_DELTA,
  V_START_MS,
  V_SYSINIT,
  VARLEN,
} from './elements.js';
import { NetflowRecord } from './record.js';
import { compileTemplate } from './template.js';
import type { FieldSpec, Template } from './template.js';

/** Options of {@link NetflowDecoder}. */
export interface NetflowDecoderOptions {
  /** Receives every flow record, synchronously, from inside `decode()`. */
  onRecord: (r: NetflowRecord) => void;
  /** Receives every malformed thing, with the exporter as `file` and the byte `offset` in the datagram. */
  onWeird?: (w: Weird) => void;
  /** Templates held over all exporters; the least recently refreshed is evicted. Each costs ~200 B plus 12 B per field. Default 65 536. */
  maxTemplates?: number;
  /** Exporters tracked; the oldest is evicted with its templates and buffered sets. Default 4096. */
  maxExporters?: number;
  /** Data sets buffered per exporter while their template is unknown. Default 256. */
  maxPendingSets?: number;
  /** Bytes buffered per exporter (sets are copied). Default 1 MiB. */
  maxPendingBytes?: number;
  /** A buffered set older than this (seconds, by receive time) is dropped. Default 600: templates are resent every few minutes. */
  pendingMaxAge?: number;
  /** Sampling rate assumed when the export says none. Default 1. */
  defaultSamplingRate?: number;
  /** Multiply packets and bytes by the sampling rate. Default true (the rate is reported either way). */
  applySampling?: boolean;
}

/** Counters of a {@link NetflowDecoder}. */
export interface NetflowDecoderStats {
  datagrams: number;
  /** Datagrams by version. */
  v5: number;
  v9: number;
  ipfix: number;
  /** Flow records emitted (late ones from the buffer included). */
  records: number;
  /** Options data records read (sampling, system init time). */
  optionsRecords: number;
  /** Templates held now. */
  templates: number;
  templatesAdded: number;
  /** Same template id sent again with the same fields. */
  templatesRefreshed: number;
  /** Same template id sent again with different fields (the old one is replaced). */
  templatesChanged: number;
  templatesWithdrawn: number;
  templatesEvicted: number;
  /** Enterprise-specific fields skipped, counted once per template field (RFC 5103 reverse counters are read, not counted). */
  enterpriseFieldsSkipped: number;
  /** Data sets waiting for their template now, and their bytes. */
  pendingSets: number;
  pendingBytes: number;
  /** Records decoded from buffered sets once their template came. */
  pendingRecordsDecoded: number;
  /** Buffered sets given up (buffer full, too old, exporter evicted, flush) and their bytes. */
  pendingSetsDropped: number;
  pendingBytesDropped: number;
  exporters: number;
  exportersEvicted: number;
  /** Sampling rates learnt from options data. */
  samplingUpdates: number;
  weirds: number;
}

interface Pending {
  readonly key: number;
  readonly bytes: Uint8Array;
  readonly version: number;
  readonly exportMs: number;
  readonly uptime: number;
  readonly received: number;
  readonly domain: number;
}

class ExporterState {
  readonly label: string;
  readonly templates = new Map<number, Template>();
  /** domain -> sampler id -> rate. */
  readonly samplers = new Map<number, Map<number, number>>();
  /** domain -> rate from options data without a sampler id. */
  readonly domainRate = new Map<number, number>();
  /** domain -> systemInitTimeMilliseconds. */
  readonly sysInit = new Map<number, number>();
  pending: Pending[] = [];
  pendingBytes = 0;
  constructor(label: string) {
    this.label = label;
  }
}

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
const NTP_EPOCH = 2208988800;
const TWO32 = 4294967296;

/** Most sampler ids remembered per exporter. */
const MAX_SAMPLERS = 4096;

/*
 * NetFlow v5 header (24 bytes) and record (48 bytes), Cisco's NetFlow
 * Export Datagram Format, version 5:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        version (5)            |        count (1-30)           |
 *  +-------------------------------+-------------------------------+
 *  |                     sysUptime (ms)                            |
 *  |                     unix_secs                                 |
 *  |                     unix_nsecs                                |
 *  |                     flow_sequence                             |
 *  +---------------+---------------+-------------------------------+
 *  | engine_type   | engine_id     | sampling: mode(2) interval(14)|
 *  +---------------+---------------+-------------------------------+
 *
 *  record: srcaddr(4) dstaddr(4) nexthop(4) input(2) output(2)
 *          dPkts(4)@16 dOctets(4)@20 First(4)@24 Last(4)@28
 *          srcport(2)@32 dstport(2)@34 pad(1) tcp_flags(1)@37 prot(1)@38
 *          tos(1) src_as(2) dst_as(2) src_mask(1) dst_mask(1) pad(2)
 *
 * NetFlow v9 header (20 bytes, RFC 3954 §5.1) and IPFIX message header
 * (16 bytes, RFC 7011 §3.1):
 *
 *  v9:    | version (9) | count | sysUptime | unix_secs | sequence | source id |
 *  IPFIX: | version (10) | length | export time | sequence | observation domain id |
 *
 * Then sets (RFC 7011 §3.3.2; "FlowSets" in RFC 3954 §5.2):
 *
 *  +-------------------------------+-------------------------------+
 *  |          set id               |          length (≥ 4)         |
 *  +-------------------------------+-------------------------------+
 *  set id  v9: 0 template, 1 options template, ≥ 256 data
 *       IPFIX: 2 template, 3 options template, ≥ 256 data (RFC 7011 §3.3.2)
 *
 *  template record:   template id (≥ 256) | field count | field specifiers
 *  field specifier:   |E| element id (15) | field length | [enterprise number (4) if E]
 *  IPFIX options:     template id | field count | scope field count (≥ 1) | specifiers (RFC 7011 §3.4.2.2)
 *  v9 options:        template id | scope length (bytes) | option length (bytes) | specifiers (RFC 3954 §6.1)
 *  IPFIX withdrawal:  template id | 0 (RFC 7011 §8.1; id 2 / 3 = all templates / all options templates)
 */

/**
 * Decodes NetFlow v5 / v9 and IPFIX export datagrams.
 *
 * ```ts
 * const d = new NetflowDecoder({ onRecord: (r) => pairer.push(r), onWeird });
 * socket.on('message', (msg, rinfo) => d.decode(msg, `${rinfo.address}:${rinfo.port}`, Date.now() / 1000));
 * ```
 *
 * Never throws for bad input. Exceptions thrown by `onRecord` propagate.
 */
export class NetflowDecoder {
  readonly #onRecord: (r: NetflowRecord) => void;
  readonly #onWeird: ((w: Weird) => void) | undefined;
  readonly #maxTemplates: number;
  readonly #maxExporters: number;
  readonly #maxPendingSets: number;
  readonly #maxPendingBytes: number;
  readonly #pendingMaxAge: number;
  readonly #defaultRate: number;
  readonly #applySampling: boolean;
  readonly #exporters = new Map<string, ExporterState>();
  /** Every template, least recently refreshed first. */
  readonly #order = new Map<Template, ExporterState>();
  readonly #v = new Float64Array(N_VALUES);
  readonly #v6 = new Uint16Array(8);
  readonly #s: NetflowDecoderStats = {
    datagrams: 0,
    v5: 0,
    v9: 0,
    ipfix: 0,
    records: 0,
    optionsRecords: 0,
    templates: 0,
    templatesAdded: 0,
    templatesRefreshed: 0,
    templatesChanged: 0,
    templatesWithdrawn: 0,
    templatesEvicted: 0,
    enterpriseFieldsSkipped: 0,
    pendingSets: 0,
    pendingBytes: 0,
    pendingRecordsDecoded: 0,
    pendingSetsDropped: 0,
    pendingBytesDropped: 0,
    exporters: 0,
    exportersEvicted: 0,
    samplingUpdates: 0,
    weirds: 0,
  };

  // The datagram being decoded (or the buffered set being replayed).
  #d: Uint8Array = new Uint8Array(0);
  #dv: DataView = new DataView(new ArrayBuffer(0));
  #ex: ExporterState = new ExporterState('');
  #version = 0;
  #domain = 0;
  #exportMs = 0;
  #uptime = 0;
  #received = 0;
  /** Offset of #d in the original datagram, for weird offsets of replayed sets. */
  #base = 0;
  #replaying = false;

  constructor(options: NetflowDecoderOptions) {
    this.#onRecord = options.onRecord;
    this.#onWeird = options.onWeird;
    this.#maxTemplates = posInt('maxTemplates', options.maxTemplates, 65_536);
    this.#maxExporters = posInt('maxExporters', options.maxExporters, 4096);
    this.#maxPendingSets = posInt('maxPendingSets', options.maxPendingSets, 256, true);
    this.#maxPendingBytes = posInt('maxPendingBytes', options.maxPendingBytes, 1 << 20, true);
    const age = options.pendingMaxAge ?? 600;
    if (!(age >= 0)) throw new InvalidOptionError(`pendingMaxAge must be >= 0, got ${age}`);
    this.#pendingMaxAge = age;
    const rate = options.defaultSamplingRate ?? 1;
    if (!(rate >= 1)) throw new InvalidOptionError(`defaultSamplingRate must be >= 1, got ${rate}`);
    this.#defaultRate = rate;
    this.#applySampling = options.applySampling ?? true;
  }

  /** A snapshot of the counters. */
  stats(): NetflowDecoderStats {
    return { ...this.#s, templates: this.#order.size, exporters: this.#exporters.size };
  }

  /**
   * Decode one export datagram.
   * @param datagram the UDP payload; read during the call only (buffered sets are copied).
   * @param exporter who sent it: `address:port` for UDP, or any stable label; templates are scoped by it.
   * @param receivedTs arrival time, seconds since the epoch; used to age out buffered sets and
   *   reported on records. Default: the export time in the header.
   * @returns the number of flow records emitted (buffered ones decoded now included).
   */
  decode(datagram: Uint8Array, exporter: string, receivedTs?: number): number {
    const before = this.#s.records;
    this.#s.datagrams++;
    this.#d = datagram;
    this.#dv = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    this.#base = 0;
    const n = datagram.length;
    if (n < 4) {
      this.#weirdAt(exporter, 'netflow_short_datagram', `datagram of ${n} bytes`, 0);
      return 0;
    }
    const version = this.#dv.getUint16(0);
    switch (version) {
      case 5:
        this.#s.v5++;
        this.#decodeV5(exporter, receivedTs);
        break;
      case 9:
        this.#s.v9++;
        this.#decodeV9(exporter, receivedTs);
        break;
      case 10:
        this.#s.ipfix++;
        this.#decodeIpfix(exporter, receivedTs);
        break;
      default:
        this.#weirdAt(exporter, 'netflow_unknown_version', `version ${version}`, 0);
    }
    return this.#s.records - before;
  }

  /**
   * Age out buffered sets older than `pendingMaxAge` at time `now`
   * (seconds since the epoch). `decode()` does this for the exporter it
   * decodes; call this from a timer to cover exporters that went quiet.
   */
  expire(now: number): void {
    for (const ex of this.#exporters.values()) this.#expirePending(ex, now);
  }

  /** End of input: every buffered set still waiting is dropped (counted, a weird each). Templates stay. */
  flush(): void {
    for (const ex of this.#exporters.values()) {
      while (ex.pending.length > 0) this.#dropPending(ex, 'end of input');
    }
  }

  // ---- NetFlow v5 ----------------------------------------------------------

  #decodeV5(exporter: string, receivedTs: number | undefined): void {
    const d = this.#d;
    const dv = this.#dv;
    const n = d.length;
    if (n < 24) {
      this.#weirdAt(exporter, 'netflow_short_datagram', `v5 datagram of ${n} bytes, header needs 24`, 0);
      return;
    }
    let count = dv.getUint16(2);
    if (24 + count * 48 > n) {
      const fit = Math.floor((n - 24) / 48);
      this.#weirdAt(exporter, 'netflow_bad_length', `v5 header counts ${count} records, ${n} bytes hold ${fit}`, 24 + fit * 48);
      count = fit;
    }
    const uptime = dv.getUint32(4);
    const secs = dv.getUint32(8);
    const nsecs = dv.getUint32(12);
    const engine = dv.getUint16(20);
    const interval = dv.getUint16(22) & 0x3fff;
    const rate = interval > 1 ? interval : this.#defaultRate;
    const scale = this.#applySampling ? rate : 1;
    const exportMs = secs * 1000 + nsecs / 1e6;
    const exportTime = exportMs / 1000;
    const received = receivedTs ?? exportTime;
    const onRecord = this.#onRecord;
    for (let i = 0, o = 24; i < count; i++, o += 48) {
      const r = new NetflowRecord();
      r.exporter = exporter;
      r.version = 5;
      r.domain = engine;
      r.ipVersion = 4;
      r.src4 = dv.getUint32(o);
      r.dst4 = dv.getUint32(o + 4);
      const dport = dv.getUint16(o + 34);
      r.srcPort = dv.getUint16(o + 32);
      r.dstPort = dport;
      const proto = d[o + 38]!;
      r.proto = proto;
      r.tcpFlags = d[o + 37]!;
      r.packets = dv.getUint32(o + 16) * scale;
      r.octets = dv.getUint32(o + 20) * scale;
      r.samplingRate = rate;
      // First/Last are sysUptime ms; the signed 32-bit difference survives uptime wrap.
      r.start = (exportMs - ((uptime - dv.getUint32(o + 24)) | 0)) / 1000;
      r.end = (exportMs - ((uptime - dv.getUint32(o + 28)) | 0)) / 1000;
      r.exportTime = exportTime;
      r.received = received;
      if (proto === 1) {
        // Cisco puts ICMP type·256 + code in the destination port.
        r.icmpType = dport >>> 8;
        r.icmpCode = dport & 255;
      }
      this.#s.records++;
      onRecord(r);
    }
  }

  // ---- NetFlow v9 and IPFIX: message header, then sets ---------------------

  #decodeV9(exporter: string, receivedTs: number | undefined): void {
    const dv = this.#dv;
    const n = this.#d.length;
    if (n < 20) {
      this.#weirdAt(exporter, 'netflow_short_datagram', `v9 datagram of ${n} bytes, header needs 20`, 0);
      return;
    }
    const secs = dv.getUint32(8);
    this.#begin(exporter, 9, dv.getUint32(16), secs * 1000, dv.getUint32(4), receivedTs ?? secs);
    this.#sets(20, n, 0, 1);
  }

  #decodeIpfix(exporter: string, receivedTs: number | undefined): void {
    const dv = this.#dv;
    const n = this.#d.length;
    if (n < 16) {
      this.#weirdAt(exporter, 'netflow_short_datagram', `IPFIX datagram of ${n} bytes, header needs 16`, 0);
      return;
    }
    let len = dv.getUint16(2);
    if (len !== n) {
      this.#weirdAt(exporter, 'netflow_bad_length', `IPFIX header says ${len} bytes, datagram has ${n}`, 2);
      if (len < 16) return;
      if (len > n) len = n;
    }
    const secs = dv.getUint32(4);
    this.#begin(exporter, 10, dv.getUint32(12), secs * 1000, 0, receivedTs ?? secs);
    this.#sets(16, len, 2, 3);
  }

  #begin(exporter: string, version: number, domain: number, exportMs: number, uptime: number, received: number): void {
    this.#ex = this.#exporter(exporter);
    this.#version = version;
    this.#domain = domain;
    this.#exportMs = exportMs;
    this.#uptime = uptime;
    this.#received = received;
    if (this.#ex.pending.length > 0) this.#expirePending(this.#ex, received);
  }

  #sets(p: number, end: number, tplId: number, optId: number): void {
    const dv = this.#dv;
    while (p + 4 <= end) {
      const setId = dv.getUint16(p);
      const setLen = dv.getUint16(p + 2);
      if (setLen < 4) {
        // Nothing says where the next set starts: the rest of the datagram is lost.
        if (setLen === 0 && setId === 0 && this.#version === 9 && this.#allZero(p, end)) return; // trailing padding
        this.#weird(setLen === 0 ? 'netflow_zero_length_set' : 'netflow_bad_set_length', `set ${setId} of length ${setLen}`, p);
        return;
      }
      if (p + setLen > end) {
        this.#weird('netflow_bad_set_length', `set ${setId} of ${setLen} bytes overruns the message (${end - p} left)`, p);
        return;
      }
      const body = p + 4;
      const setEnd = p + setLen;
      if (setId >= 256) this.#dataSet(setId, p, setEnd);
      else if (setId === tplId) this.#templateSet(body, setEnd, false);
      else if (setId === optId) this.#templateSet(body, setEnd, true);
      else this.#weird('netflow_reserved_set_id', `set id ${setId} is reserved`, p);
      p = setEnd;
    }
    // v9 may pad the last FlowSet's end; a few stray bytes are not worth a weird.
    if (end - p >= 4) this.#weird('netflow_trailing_bytes', `${end - p} bytes after the last set`, p);
  }

  #allZero(p: number, end: number): boolean {
    const d = this.#d;
    for (let i = p; i < end; i++) if (d[i] !== 0) return false;
    return true;
  }

  // ---- templates -------------------------------------------------------------

  #templateSet(p: number, end: number, options: boolean): void {
    const dv = this.#dv;
    const ipfix = this.#version === 10;
    const minHeader = options && !ipfix ? 6 : 4;
    const fields: FieldSpec[] = [];
    while (p + minHeader <= end) {
      const at = p;
      const id = dv.getUint16(p);
      let count: number;
      let scope = 0;
      if (options && !ipfix) {
        // RFC 3954 §6.1: lengths in bytes of the scope and option specifiers.
        const scopeLen = dv.getUint16(p + 2);
        const optLen = dv.getUint16(p + 4);
        p += 6;
        if (scopeLen === 0 && optLen === 0 && id === 0) return; // padding to a 4-byte boundary
        if (scopeLen % 4 !== 0 || optLen % 4 !== 0) {
          this.#weird('netflow_bad_template', `options template ${id}: scope length ${scopeLen} / option length ${optLen} not multiples of 4`, at);
          return;
        }
        scope = scopeLen / 4;
        count = scope + optLen / 4;
      } else {
        count = dv.getUint16(p + 2);
        p += 4;
        if (count === 0) {
          if (ipfix) {
            this.#withdraw(id, options, at);
            continue;
          }
          if (id === 0) return; // zero padding
          this.#weird('netflow_bad_template', `template ${id} has no fields`, at);
          return;
        }
        if (options && ipfix) {
          if (p + 2 > end) {
            this.#weird('netflow_bad_template', `options template ${id} truncated before its scope count`, at);
            return;
          }
          scope = dv.getUint16(p);
          p += 2;
          // RFC 7011 §3.4.2.2: the scope field count MUST NOT be zero.
          if (scope === 0 || scope > count) {
            this.#weird('netflow_bad_template', `options template ${id}: scope count ${scope} of ${count} fields`, at);
            return;
          }
        }
      }
      if (count === 0) {
        this.#weird('netflow_bad_template', `template ${id} has no fields`, at);
        return;
      }
      if (id < 256) {
        this.#weird('netflow_bad_template', `template id ${id} below 256`, at);
        return;
      }
      fields.length = 0;
      for (let i = 0; i < count; i++) {
        if (p + 4 > end) {
          this.#weird('netflow_bad_template', `template ${id} truncated at field ${i} of ${count}`, at);
          return;
        }
        let fid = dv.getUint16(p);
        const flen = dv.getUint16(p + 2);
        p += 4;
        let ent = 0;
        if (ipfix && fid & 0x8000) {
          if (p + 4 > end) {
            this.#weird('netflow_bad_template', `template ${id} truncated in the enterprise number of field ${i}`, at);
            return;
          }
          fid &= 0x7fff;
          ent = dv.getUint32(p);
          p += 4;
        }
        if (flen === VARLEN && !ipfix) {
          this.#weird('netflow_bad_template', `template ${id}: variable-length field ${fid} in NetFlow v9`, at);
          return;
        }
        fields.push({ id: fid, length: flen, enterprise: ent });
      }
      const t = compileTemplate(this.#ex, this.#domain, id, options, fields, scope, options && !ipfix);
      if (t.recordLength === 0) {
        this.#weird('netflow_bad_template', `template ${id} describes empty records`, at);
        continue;
      }
      this.#install(t);
    }
  }

  #install(t: Template): void {
    const ex = this.#ex;
    const old = ex.templates.get(t.key);
    if (old !== undefined) {
      this.#order.delete(old);
      if (old.sig === t.sig) this.#s.templatesRefreshed++;
      else this.#s.templatesChanged++;
    } else {
      this.#s.templatesAdded++;
      this.#s.enterpriseFieldsSkipped += t.enterpriseSkipped;
      while (this.#order.size >= this.#maxTemplates) {
        const [victim, owner] = this.#order.entries().next().value as [Template, ExporterState];
        this.#order.delete(victim);
        owner.templates.delete(victim.key);
        this.#s.templatesEvicted++;
      }
    }
    ex.templates.set(t.key, t);
    this.#order.set(t, ex);
    if (ex.pending.length > 0) this.#replay(ex, t.key);
  }

  /** RFC 7011 §8.1: field count 0 withdraws one template; template id 2 (3) withdraws all templates (options templates). */
  #withdraw(id: number, options: boolean, at: number): void {
    const ex = this.#ex;
    const all = id === (options ? 3 : 2);
    if (!all && id < 256) {
      this.#weird('netflow_bad_template', `withdrawal of template id ${id}`, at);
      return;
    }
    for (const t of all ? [...ex.templates.values()] : [ex.templates.get(this.#domain * 65536 + id)]) {
      if (t === undefined || t.domain !== this.#domain || (all && t.options !== options)) continue;
      ex.templates.delete(t.key);
      this.#order.delete(t);
      this.#s.templatesWithdrawn++;
    }
  }

  // ---- data sets -------------------------------------------------------------

  /** `p` is the set header; records start at p + 4. */
  #dataSet(setId: number, p: number, end: number): void {
    const ex = this.#ex;
    const t = ex.templates.get(this.#domain * 65536 + setId);
    if (t === undefined) {
      this.#hold(ex, setId, p, end);
      return;
    }
    if (t.fixed) this.#fixedRecords(t, p + 4, end);
    else this.#varRecords(t, p + 4, end);
  }

  #fixedRecords(t: Template, p: number, end: number): void {
    const dv = this.#dv;
    const v = this.#v;
    const plan = t.plan;
    const n = plan.length;
    const len = t.recordLength;
    // Every record of a template writes the same slots: clear the table once per set.
    v.fill(-1);
    // Fewer than `len` bytes left is padding (RFC 7011 §3.3.1).
    for (; p + len <= end; p += len) {
      for (let i = 0; i < n; i += 4) {
        const o = p + plan[i + 2]!;
        switch (plan[i + 1]!) {
          case 4:
            v[plan[i]!] = dv.getUint32(o);
            break;
          case 2:
            v[plan[i]!] = dv.getUint16(o);
            break;
          case 1:
            v[plan[i]!] = dv.getUint8(o);
            break;
          case 8:
            v[plan[i]!] = dv.getUint32(o) * TWO32 + dv.getUint32(o + 4);
            break;
          default:
            v[plan[i]!] = readOther(plan[i + 1]!, dv, o, plan[i + 3]!);
        }
      }
      if (t.options) this.#optionsRecord();
      else this.#emit(t);
    }
  }

  #varRecords(t: Template, p: number, end: number): void {
    const dv = this.#dv;
    const d = this.#d;
    const v = this.#v;
    const plan = t.plan;
    const n = plan.length;
    const min = t.recordLength;
    v.fill(-1);
    while (p + min <= end) {
      const start = p;
      for (let i = 0; i < n; i += 4) {
        let len = plan[i + 3]!;
        if (len === VARLEN) {
          // RFC 7011 §7: one length byte, or 255 then a 2-byte length.
          len = d[p++]!;
          if (len === 255) {
            if (p + 2 > end) {
              this.#weird('netflow_truncated_record', `template ${t.id}: variable-length prefix cut by the set end`, start);
              return;
            }
            len = dv.getUint16(p);
            p += 2;
          }
        }
        if (p + len > end) {
          this.#weird('netflow_truncated_record', `template ${t.id}: record overruns its set by ${p + len - end} bytes`, start);
          return;
        }
        const slot = plan[i]!;
        if (slot >= 0) v[slot] = readOther(plan[i + 1]!, dv, p, len);
        p += len;
      }
      if (t.options) this.#optionsRecord();
      else this.#emit(t);
    }
  }

  /** Options data: remember sampling rates and the system init time. */
  #optionsRecord(): void {
    const v = this.#v;
    const ex = this.#ex;
    const domain = this.#domain;
    this.#s.optionsRecords++;
    if (v[V_SYSINIT]! >= 0) ex.sysInit.set(domain, v[V_SYSINIT]!);
    const rate = rateOf(v);
    if (rate <= 0) return;
    this.#s.samplingUpdates++;
    const sampler = v[V_SAMPLER_ID]!;
    if (sampler >= 0) {
      let m = ex.samplers.get(domain);
      if (m === undefined) ex.samplers.set(domain, (m = new Map()));
      if (m.size < MAX_SAMPLERS || m.has(sampler)) m.set(sampler, rate);
    } else {
      ex.domainRate.set(domain, rate);
    }
  }

  #emit(t: Template): void {
    const v = this.#v;
    const ex = this.#ex;
    const r = new NetflowRecord();
    r.exporter = ex.label;
    r.version = this.#version;
    r.domain = this.#domain;
    r.templateId = t.id;
    if (v[V_SRC4]! >= 0 || v[V_DST4]! >= 0) {
      r.ipVersion = 4;
      r.src4 = v[V_SRC4]! >= 0 ? v[V_SRC4]! : 0;
      r.dst4 = v[V_DST4]! >= 0 ? v[V_DST4]! : 0;
    } else if (v[V_SRC6]! >= 0 || v[V_DST6]! >= 0) {
      r.ipVersion = 6;
      r.src6 = v[V_SRC6]! >= 0 ? this.#ipv6(v[V_SRC6]!) : '::';
      r.dst6 = v[V_DST6]! >= 0 ? this.#ipv6(v[V_DST6]!) : '::';
    }
    if (v[V_SPORT]! >= 0) r.srcPort = v[V_SPORT]!;
    if (v[V_DPORT]! >= 0) r.dstPort = v[V_DPORT]!;
    const proto = v[V_PROTO]! >= 0 ? v[V_PROTO]! : 0;
    r.proto = proto;
    if (v[V_FLAGS]! >= 0) r.tcpFlags = v[V_FLAGS]! & 0xff;

    // Sampling: the record's own fields, then its sampler's rate, then the domain's, then the default.
    let rate = rateOf(v);
    if (rate <= 0) {
      const sampler = v[V_SAMPLER_ID]!;
      if (sampler >= 0 && ex.samplers.size > 0) rate = ex.samplers.get(this.#domain)?.get(sampler) ?? -1;
      if (rate <= 0 && ex.domainRate.size > 0) rate = ex.domainRate.get(this.#domain) ?? -1;
      if (rate <= 0) rate = this.#defaultRate;
    }
    r.samplingRate = rate;
    const scale = this.#applySampling ? rate : 1;
    const oct = first4(v[V_OCT]!, v[V_OCT_T]!, v[V_INIT_OCT]!, v[V_POST_OCT]!);
    const pkt = first4(v[V_PKT]!, v[V_PKT_T]!, v[V_INIT_PKT]!, v[V_POST_PKT]!);
    r.octets = oct >= 0 ? oct * scale : 0;
    r.packets = pkt >= 0 ? pkt * scale : 0;
    const rOct = v[V_REV_OCT]! >= 0 ? v[V_REV_OCT]! : v[V_RESP_OCT]!;
    const rPkt = v[V_REV_PKT]! >= 0 ? v[V_REV_PKT]! : v[V_RESP_PKT]!;
    if (rOct >= 0 || rPkt >= 0) {
      r.revOctets = rOct >= 0 ? rOct * scale : 0;
      r.revPackets = rPkt >= 0 ? rPkt * scale : 0;
      r.revTcpFlags = v[V_REV_FLAGS]! >= 0 ? v[V_REV_FLAGS]! & 0xff : 0;
    }

    // Times (ms since the epoch until the end).
    let s = v[V_START_MS]!;
    let e = v[V_END_MS]!;
    if (s < 0 && v[V_FIRST_UP]! >= 0) s = this.#fromUptime(v[V_FIRST_UP]!);
    if (e < 0 && v[V_LAST_UP]! >= 0) e = this.#fromUptime(v[V_LAST_UP]!);
    if (s < 0 && v[V_START_DELTA]! >= 0) s = this.#exportMs - v[V_START_DELTA]! / 1000;
    if (e < 0 && v[V_END_DELTA]! >= 0) e = this.#exportMs - v[V_END_DELTA]! / 1000;
    const dur = v[V_DUR_MS]!;
    if (dur >= 0) {
      if (s >= 0 && e < 0) e = s + dur;
      else if (e >= 0 && s < 0) s = e - dur;
    }
    r.start = s >= 0 ? s / 1000 : -1;
    r.end = e >= 0 ? e / 1000 : -1;
    r.exportTime = this.#exportMs / 1000;
    r.received = this.#received;

    if (proto === 1 || proto === 58) {
      if (v[V_ICMP_TC]! > 0) {
        r.icmpType = v[V_ICMP_TC]! >>> 8;
        r.icmpCode = v[V_ICMP_TC]! & 255;
      } else if (v[V_ICMP_T]! >= 0) {
        r.icmpType = v[V_ICMP_T]!;
        r.icmpCode = v[V_ICMP_C]! >= 0 ? v[V_ICMP_C]! : 0;
      } else {
        // Many exporters put type·256 + code in the destination port, as v5 does.
        r.icmpType = r.dstPort >>> 8;
        r.icmpCode = r.dstPort & 255;
      }
    }
    if (v[V_BIDIR]! >= 0) r.biflowDirection = v[V_BIDIR]!;
    if (v[V_END_REASON]! >= 0) r.flowEndReason = v[V_END_REASON]!;
    if (v[V_DIRECTION]! >= 0) r.direction = v[V_DIRECTION]!;
    this.#s.records++;
    if (this.#replaying) this.#s.pendingRecordsDecoded++;
    this.#onRecord(r);
  }

  /** Exporter uptime (ms) to epoch ms: v9 from the header's sysUptime, IPFIX from systemInitTimeMilliseconds. */
  #fromUptime(up: number): number {
    if (this.#version === 9) return this.#exportMs - ((this.#uptime - up) | 0);
    const init = this.#v[V_SYSINIT]! >= 0 ? this.#v[V_SYSINIT]! : (this.#ex.sysInit.get(this.#domain) ?? -1);
    return init >= 0 ? init + up : -1;
  }

  #ipv6(o: number): string {
    const g = this.#v6;
    const dv = this.#dv;
    for (let i = 0; i < 8; i++) g[i] = dv.getUint16(o + 2 * i);
    return formatIPv6(g);
  }

  // ---- data sets waiting for their template -----------------------------------

  #hold(ex: ExporterState, setId: number, p: number, end: number): void {
    const size = end - p;
    // A replayed set is only replayed once its template is installed, so it cannot come back here; if it ever did, it is dropped, counted.
    if (this.#replaying || this.#maxPendingSets === 0 || size > this.#maxPendingBytes) {
      this.#s.pendingSetsDropped++;
      this.#s.pendingBytesDropped += size;
      this.#weird('netflow_no_template', `data set ${setId} (${size} bytes) without its template, not buffered`, p);
      return;
    }
    while (ex.pending.length >= this.#maxPendingSets || ex.pendingBytes + size > this.#maxPendingBytes) {
      this.#dropPending(ex, 'buffer full');
    }
    const bytes = this.#d.slice(p, end);
    ex.pending.push({
      key: this.#domain * 65536 + setId,
      bytes,
      version: this.#version,
      exportMs: this.#exportMs,
      uptime: this.#uptime,
      received: this.#received,
      domain: this.#domain,
    });
    ex.pendingBytes += size;
    this.#s.pendingSets++;
    this.#s.pendingBytes += size;
  }

  #dropPending(ex: ExporterState, why: string): void {
    const e = ex.pending.shift();
    if (e === undefined) return;
    this.#unaccount(ex, e);
    this.#s.pendingSetsDropped++;
    this.#s.pendingBytesDropped += e.bytes.length;
    const setId = e.key % 65536;
    this.#emitWeird({
      kind: 'netflow_no_template',
      message: `data set ${setId} of domain ${e.domain} (${e.bytes.length} bytes) dropped before its template came: ${why}`,
      file: ex.label,
    });
  }

  #unaccount(ex: ExporterState, e: Pending): void {
    ex.pendingBytes -= e.bytes.length;
    this.#s.pendingSets--;
    this.#s.pendingBytes -= e.bytes.length;
  }

  #expirePending(ex: ExporterState, now: number): void {
    const limit = now - this.#pendingMaxAge;
    while (ex.pending.length > 0 && ex.pending[0]!.received < limit) this.#dropPending(ex, `older than ${this.#pendingMaxAge} s`);
  }

  /** Decode the buffered sets a new template describes, in arrival order. */
  #replay(ex: ExporterState, key: number): void {
    if (this.#replaying) return;
    const due = ex.pending.filter((e) => e.key === key);
    if (due.length === 0) return;
    ex.pending = ex.pending.filter((e) => e.key !== key);
    // Save the datagram being decoded; the buffered sets carry their own header context.
    const d = this.#d;
    const dv = this.#dv;
    const version = this.#version;
    const domain = this.#domain;
    const exportMs = this.#exportMs;
    const uptime = this.#uptime;
    const received = this.#received;
    const base = this.#base;
    this.#replaying = true;
    try {
      for (const e of due) {
        this.#unaccount(ex, e);
        this.#d = e.bytes;
        this.#dv = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
        this.#version = e.version;
        this.#domain = e.domain;
        this.#exportMs = e.exportMs;
        this.#uptime = e.uptime;
        this.#received = e.received;
        this.#base = -1;
        this.#dataSet(key % 65536, 0, e.bytes.length);
      }
    } finally {
      this.#replaying = false;
      this.#d = d;
      this.#dv = dv;
      this.#version = version;
      this.#domain = domain;
      this.#exportMs = exportMs;
      this.#uptime = uptime;
      this.#received = received;
      this.#base = base;
    }
  }

  // ---- exporters and weirds ----------------------------------------------------

  #exporter(label: string): ExporterState {
    let ex = this.#exporters.get(label);
    if (ex !== undefined) return ex;
    while (this.#exporters.size >= this.#maxExporters) {
      const [oldLabel, old] = this.#exporters.entries().next().value as [string, ExporterState];
      while (old.pending.length > 0) this.#dropPending(old, 'exporter evicted');
      for (const t of old.templates.values()) this.#order.delete(t);
      this.#exporters.delete(oldLabel);
      this.#s.exportersEvicted++;
    }
    ex = new ExporterState(label);
    this.#exporters.set(label, ex);
    return ex;
  }

  #weird(kind: string, message: string, offset: number): void {
    // Offsets inside a replayed set are relative to that set.
    const where = this.#base < 0 ? ` (in a buffered set, offset ${offset})` : '';
    this.#emitWeird({ kind, message: message + where, file: this.#ex.label, ...(this.#base >= 0 ? { offset: this.#base + offset } : {}) });
  }

  #weirdAt(exporter: string, kind: string, message: string, offset: number): void {
    this.#emitWeird({ kind, message, file: exporter, offset });
  }

  #emitWeird(w: Weird): void {
    this.#s.weirds++;
    this.#onWeird?.(w);
  }
}

/** Read a value of any kind (the fixed-length fast cases are inlined in the loop). */
function readOther(kind: number, dv: DataView, o: number, len: number): number {
  switch (kind) {
    case 4:
      return dv.getUint32(o);
    case 2:
      return dv.getUint16(o);
    case 1:
      return dv.getUint8(o);
    case 8:
      return dv.getUint32(o) * TWO32 + dv.getUint32(o + 4);
    case Kind.Offset:
      return o;
    case Kind.Seconds:
      return uint(dv, o, len) * 1000;
    case Kind.Ntp:
      return ntpMs(dv, o);
    case Kind.Micros:
      return uint(dv, o, len) / 1000;
    case Kind.Float:
      return len === 8 ? dv.getFloat64(o) : dv.getFloat32(o);
    default:
      return uint(dv, o, len);
  }
}

/** Unsigned big-endian integer of 1–8 bytes (reduced-size encoding, RFC 7011 §6.2). Above 2^53 loses precision. */
function uint(dv: DataView, o: number, len: number): number {
  let x = 0;
  // Longer than 8 bytes is not an unsigned we know: read the last 8.
  const from = len > 8 ? len - 8 : 0;
  for (let i = from; i < len; i++) x = x * 256 + dv.getUint8(o + i);
  return x;
}

/** NTP 64-bit timestamp (RFC 7011 §6.1.9–10) to ms since the Unix epoch. */
function ntpMs(dv: DataView, o: number): number {
  const secs = dv.getUint32(o);
  const frac = dv.getUint32(o + 4);
  return (secs - NTP_EPOCH) * 1000 + (frac / TWO32) * 1000;
}

/** Sampling rate from the fields of one record, or -1. */
function rateOf(v: Float64Array): number {
  const interval = v[V_SAMPLING]!;
  if (interval > 0) return interval;
  const pi = v[V_PKT_INTERVAL]!;
  // RFC 5477: select `interval` packets, skip `space`: 1 in (interval + space) / interval.
  if (pi > 0) return (pi + Math.max(0, v[V_PKT_SPACE]!)) / pi;
  const pop = v[V_POPULATION]!;
  const size = v[V_SAMPLE_SIZE]!;
  if (pop > 0 && size > 0) return pop / size;
  const p = v[V_PROB]!;
  if (p > 0 && p <= 1) return 1 / p;
  return -1;
}

function first4(a: number, b: number, c: number, d: number): number {
  return a >= 0 ? a : b >= 0 ? b : c >= 0 ? c : d;
}

function posInt(name: string, v: number | undefined, dflt: number, zeroOk = false): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < (zeroOk ? 0 : 1)) throw new InvalidOptionError(`${name} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got ${v}`);
  return v;
}
