/**
 * Sans-IO decoder for Zeek logs: TSV with its `#` header block, and JSON
 * lines, in any mix, in chunks of any size.
 *
 * Bytes in, records out through a {@link RecordSink}: one FlowRecord per
 * conn.log row, one DnsRecord per dns.log row, one NameRecord per ssl.log
 * row with a `server_name` and http.log row with a `host` (when the sink has
 * a `name` method; otherwise those logs are skipped like every other log). No fs, streams, zlib or timers, so it runs anywhere.
 *
 * Format: https://docs.zeek.org/en/master/log-formats.html (TSV header
 * directives, `\xHH` escaping, `(empty)` / `-`), and the LogAscii options
 * in base/frameworks/logging/writers/ascii.zeek (`use_json`,
 * `json_timestamps`).
 *
 * How the hot path stays fast:
 * - lines are found in bytes; all complete lines of a chunk are decoded by
 *   one `TextDecoder.decode` (no `stream: true`, whose ICU path is ~7× slower);
 *   a line cut by a chunk edge is kept as bytes and decoded whole, so a split
 *   UTF-8 character is never seen;
 * - the column map is built once per `#fields`; a row is split with
 *   `indexOf(separator)` into start/end offsets in an `Int32Array`, and
 *   numbers are read from those offsets without substrings;
 * - unescaping runs only when the line holds a backslash.
 *
 * @module
 */

import type { RecordSink } from '../../model.js';
import type { Weird } from '../../weird.js';
import { dnsFromJson, flowFromJson, nameFromJson, type JsonIssue } from './json.js';
import { kindOfPath, sniffFields, sniffObject, type ZeekLogKind } from './kinds.js';
import { alignTtls, isProxiedRequest, makeDns, makeFlow, makeName } from './records.js';
import { detach, parseCount, parseDecimal, parseIsoTime, parseProto, unescapeZeek } from './values.js';

export type { ZeekLogKind } from './kinds.js';

/** Options of {@link ZeekDecoder}. */
export interface ZeekDecoderOptions {
  /** Receives every record, synchronously, from inside `push()` / `end()`. */
  sink: RecordSink;
  /** Receives every malformed thing, with `file` and 1-based `line`. */
  onWeird: (w: Weird) => void;
  /** Label used in weirds, e.g. the path. */
  file?: string;
  /** Log kind from the file name, used when the log has no `#path` / `_path`. */
  path?: ZeekLogKind;
}

/** Counters of a {@link ZeekDecoder}; they add up over `end()`. */
export interface ZeekDecoderStats {
  /** Lines seen, headers and blank lines included. */
  lines: number;
  /** FlowRecords emitted. */
  flows: number;
  /** DnsRecords emitted. */
  dns: number;
  /** NameRecords emitted (ssl.log / http.log rows with a name). */
  names: number;
  /** Data lines of other logs (http, ssl, …), blank lines, unknown `#` lines. */
  skipped: number;
  /** Weirds reported. */
  weirds: number;
}

/** Longest line read, in UTF-16 code units; longer ones are a weird and dropped. */
const MAX_LINE = 1 << 20;
/** Bytes held for a line cut by chunk edges: 3 bytes per code unit at most (BMP, or replacement). */
const MAX_PENDING = 3 * MAX_LINE;

// Field slots: where each column we read lands in the start/end tables.
const F_TS = 0;
const F_UID = 1;
const F_ORIG_H = 2;
const F_ORIG_P = 3;
const F_RESP_H = 4;
const F_RESP_P = 5;
const F_PROTO = 6;
const F_SERVICE = 7;
const F_DURATION = 8;
const F_ORIG_BYTES = 9;
const F_RESP_BYTES = 10;
const F_CONN_STATE = 11;
const F_HISTORY = 12;
const F_ORIG_PKTS = 13;
const F_ORIG_IP_BYTES = 14;
const F_RESP_PKTS = 15;
const F_RESP_IP_BYTES = 16;
const F_TRANS_ID = 17;
const F_QUERY = 18;
const F_QTYPE = 19;
const F_RCODE = 20;
const F_ANSWERS = 21;
const F_TTLS = 22;
const F_REJECTED = 23;
const F_SERVER_NAME = 24;
const F_HOST = 25;
const F_METHOD = 26;
const F_URI = 27;
const N_SLOTS = 28;

const SLOT_NAMES: readonly string[] = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration',
  'orig_bytes', 'resp_bytes', 'conn_state', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts',
  'resp_ip_bytes', 'trans_id', 'query', 'qtype', 'rcode', 'answers', 'TTLs', 'rejected',
  'server_name', 'host', 'method', 'uri',
];

const CONN_SLOTS: readonly number[] = [
  F_TS, F_UID, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_PROTO, F_SERVICE, F_DURATION, F_ORIG_BYTES,
  F_RESP_BYTES, F_CONN_STATE, F_HISTORY, F_ORIG_PKTS, F_ORIG_IP_BYTES, F_RESP_PKTS, F_RESP_IP_BYTES,
];
const CONN_REQUIRED: readonly number[] = [F_TS, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_PROTO];
const DNS_SLOTS: readonly number[] = [
  F_TS, F_UID, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_PROTO, F_TRANS_ID, F_QUERY, F_QTYPE, F_RCODE,
  F_ANSWERS, F_TTLS, F_REJECTED,
];
const DNS_REQUIRED: readonly number[] = [F_TS, F_ORIG_H, F_RESP_H, F_QUERY];
const SSL_SLOTS: readonly number[] = [F_TS, F_UID, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_SERVER_NAME];
const SSL_REQUIRED: readonly number[] = [F_TS, F_UID, F_ORIG_H, F_SERVER_NAME];
const HTTP_SLOTS: readonly number[] = [F_TS, F_UID, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_HOST, F_METHOD, F_URI];
const HTTP_REQUIRED: readonly number[] = [F_TS, F_UID, F_ORIG_H, F_HOST];

// What data lines of the current TSV log become.
const M_NONE = 0; // no #fields yet: a weird per line
const M_CONN = 1;
const M_DNS = 2;
const M_SKIP = 3; // another log, or one we cannot read: counted as skipped
const M_SSL = 4;
const M_HTTP = 5;

const DEFAULT_SEP = '\t';
const DEFAULT_SET_SEP = ',';
const DEFAULT_EMPTY = '(empty)';
const DEFAULT_UNSET = '-';

// Non-streaming decode: callers only ever hand it whole lines.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Decodes Zeek conn.log and dns.log, TSV or JSON, pushed as bytes.
 *
 * ```ts
 * const d = new ZeekDecoder({ sink, onWeird, file: 'conn.log' });
 * for await (const chunk of stream) d.push(chunk);
 * d.end();
 * ```
 *
 * Never throws for bad input: every bad line is a weird and decoding goes
 * on. Exceptions thrown by the sink propagate out of `push()`.
 */
export class ZeekDecoder {
  readonly stats: ZeekDecoderStats = { lines: 0, flows: 0, dns: 0, names: 0, skipped: 0, weirds: 0 };

  readonly #sink: RecordSink;
  readonly #onWeird: (w: Weird) => void;
  readonly #file: string | undefined;
  readonly #hint: ZeekLogKind | undefined;

  // Bytes of a line not yet ended by '\n', copied out of the caller's chunks.
  #pending: Uint8Array[] = [];
  #pendingLen = 0;
  /** Dropping the rest of an over-long line, up to its '\n'. */
  #discarding = false;
  #lineNo = 0;

  // Header state of the current TSV log.
  #sep = DEFAULT_SEP;
  #setSep = DEFAULT_SET_SEP;
  #empty = DEFAULT_EMPTY;
  #unset = DEFAULT_UNSET;
  #path: string | undefined = undefined;
  #fields: string[] | null = null;
  #types = -1;
  #mode = M_NONE;
  /** Slot of each column, -1 for columns we do not read. */
  #colSlot = new Int8Array(0);
  #lastNeeded = -1;
  /** Offsets of the current row's fields, by slot; -1 for absent columns. */
  readonly #starts = new Int32Array(N_SLOTS);
  readonly #ends = new Int32Array(N_SLOTS);

  // Position caches in the current text: next separator / backslash at or after
  // where we read, so a line never makes indexOf rescan the rest of the chunk.
  #sepPos = -1;
  #bsPos = -1;
  /** Next set separator (answers, TTLs): none in [#setSepFrom, #setSepPos). */
  #setSepPos = -1;
  #setSepFrom = 0;
  /** First bad optional field of the current row, -1 if none. */
  #badSlot = -1;
  readonly #issue: JsonIssue = { field: '' };

  constructor(options: ZeekDecoderOptions) {
    this.#sink = options.sink;
    this.#onWeird = options.onWeird;
    this.#file = options.file;
    this.#hint = options.path;
  }

  /** Feed the next bytes. Lines and UTF-8 characters may be split anywhere. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let start = 0;
    if (this.#discarding || this.#pendingLen > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.#hold(chunk, 0, n);
        return;
      }
      if (this.#discarding) {
        this.#discarding = false;
      } else {
        this.#hold(chunk, 0, nl);
        if (!this.#discarding) this.#text(this.#takePending());
        this.#discarding = false;
      }
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      this.#text(UTF8.decode(chunk.subarray(start, last + 1)));
      start = last + 1;
    }
    if (start < n) this.#hold(chunk, start, n);
  }

  /** End of input: a last line without '\n' is still read. Then ready for a new stream. */
  end(): void {
    if (this.#pendingLen > 0 && !this.#discarding) this.#text(this.#takePending());
    this.#pending = [];
    this.#pendingLen = 0;
    this.#discarding = false;
    this.#lineNo = 0;
    this.#resetLog();
  }

  /** Keep `chunk[s, e)` for a line that continues in a later chunk. */
  #hold(chunk: Uint8Array, s: number, e: number): void {
    if (this.#discarding || s === e) return;
    if (this.#pendingLen + (e - s) > MAX_PENDING) {
      // More bytes than MAX_LINE code units can take: same verdict as #line would give.
      this.#pending = [];
      this.#pendingLen = 0;
      this.#discarding = true;
      this.#lineNo++;
      this.stats.lines++;
      this.#weird('zeek_line_too_long', `line longer than ${MAX_LINE} characters, dropped`);
      return;
    }
    // A copy: the caller may reuse its buffer, and Buffer#slice would be a view.
    const copy = new Uint8Array(e - s);
    copy.set(chunk.subarray(s, e));
    this.#pending.push(copy);
    this.#pendingLen += e - s;
  }

  #takePending(): string {
    const parts = this.#pending;
    let bytes: Uint8Array;
    if (parts.length === 1) {
      bytes = parts[0] as Uint8Array;
    } else {
      bytes = new Uint8Array(this.#pendingLen);
      let o = 0;
      for (const p of parts) {
        bytes.set(p, o);
        o += p.length;
      }
    }
    this.#pending = [];
    this.#pendingLen = 0;
    return UTF8.decode(bytes);
  }

  /** Every line of `text` (whole lines; the last may lack its '\n'). */
  #text(text: string): void {
    this.#sepPos = -1;
    this.#bsPos = -1;
    this.#setSepPos = -1;
    const len = text.length;
    let p = 0;
    while (p < len) {
      let nl = text.indexOf('\n', p);
      if (nl < 0) nl = len;
      this.#line(text, p, nl);
      p = nl + 1;
    }
  }

  #line(text: string, ls: number, le: number): void {
    this.#lineNo++;
    this.stats.lines++;
    if (le > ls && text.charCodeAt(le - 1) === 13) le--; // CRLF
    if (this.#lineNo === 1 && text.charCodeAt(ls) === 0xfeff) ls++; // BOM
    if (le - ls > MAX_LINE) {
      this.#weird('zeek_line_too_long', `line longer than ${MAX_LINE} characters, dropped`);
      return;
    }
    if (ls === le) {
      this.stats.skipped++;
      return;
    }
    const c = text.charCodeAt(ls);
    if (c === 35 /* # */) {
      this.#header(text.slice(ls, le));
      this.#sepPos = -1;
      this.#setSepPos = -1;
      return;
    }
    if (c === 123 /* { */) {
      this.#json(text.slice(ls, le));
      return;
    }
    switch (this.#mode) {
      case M_CONN:
        this.#conn(text, ls, le);
        return;
      case M_DNS:
        this.#dns(text, ls, le);
        return;
      case M_SSL:
      case M_HTTP:
        this.#name(text, ls, le);
        return;
      case M_SKIP:
        this.stats.skipped++;
        return;
      default:
        this.#noHeader(text, ls, le);
    }
  }

  // ---- TSV header ------------------------------------------------------

  #header(line: string): void {
    let i = 1;
    for (; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) break;
    }
    const name = line.slice(1, i);
    let rest = line.slice(i);
    if (name === 'separator') {
      // "#separator \x09": a space, since the separator is not known yet.
      const v = unescapeZeek(rest.replace(/^[ \t]/, ''));
      this.#resetLog();
      if (v === '' || v.includes('\n')) {
        this.#weird('zeek_bad_header', `unusable #separator ${JSON.stringify(rest)}, using tab`);
      } else {
        this.#sep = v;
      }
      return;
    }
    if (rest.startsWith(this.#sep)) rest = rest.slice(this.#sep.length);
    else if (rest.startsWith(' ') || rest.startsWith('\t')) rest = rest.slice(1);
    switch (name) {
      case 'set_separator':
        this.#setSep = unescapeZeek(rest);
        if (this.#setSep === '') {
          this.#weird('zeek_bad_header', 'empty #set_separator, using ","');
          this.#setSep = DEFAULT_SET_SEP;
        }
        return;
      case 'empty_field':
        this.#empty = unescapeZeek(rest);
        return;
      case 'unset_field':
        this.#unset = unescapeZeek(rest);
        return;
      case 'path':
        this.#path = rest;
        if (this.#fields !== null) this.#layout();
        return;
      case 'open':
        return;
      case 'close':
        this.#resetLog();
        return;
      case 'fields':
        this.#fields = rest.split(this.#sep);
        this.#layout();
        return;
      case 'types': {
        this.#types = rest.split(this.#sep).length;
        this.#checkTypes();
        return;
      }
      default:
        this.stats.skipped++;
    }
  }

  /** Back to no log: after `#close`, at a new `#separator`, at `end()`. */
  #resetLog(): void {
    this.#sep = DEFAULT_SEP;
    this.#setSep = DEFAULT_SET_SEP;
    this.#empty = DEFAULT_EMPTY;
    this.#unset = DEFAULT_UNSET;
    this.#path = undefined;
    this.#fields = null;
    this.#types = -1;
    this.#mode = M_NONE;
    this.#sepPos = -1;
    this.#setSepPos = -1;
  }

  #checkTypes(): void {
    const f = this.#fields;
    if (f !== null && this.#types >= 0 && this.#types !== f.length) {
      this.#weird('zeek_bad_header', `#types has ${this.#types} entries, #fields ${f.length}`);
    }
  }

  /** Column map for the current `#fields`, once per header. */
  #layout(): void {
    const fields = this.#fields as string[];
    this.#checkTypes();
    let kind: ZeekLogKind;
    if (this.#path !== undefined) kind = kindOfPath(this.#path);
    else if (this.#hint !== undefined) kind = this.#hint;
    else {
      kind = sniffFields(fields);
      if (kind === 'other') this.#weird('zeek_unknown_log', 'log without #path whose #fields are neither conn nor dns');
    }
    // Names only for a sink that takes them; otherwise ssl/http logs are skipped like any other.
    if (kind === 'other' || ((kind === 'ssl' || kind === 'http') && this.#sink.name === undefined)) {
      this.#mode = M_SKIP;
      return;
    }
    const slots = kind === 'conn' ? CONN_SLOTS : kind === 'dns' ? DNS_SLOTS : kind === 'ssl' ? SSL_SLOTS : HTTP_SLOTS;
    const required = kind === 'conn' ? CONN_REQUIRED : kind === 'dns' ? DNS_REQUIRED : kind === 'ssl' ? SSL_REQUIRED : HTTP_REQUIRED;
    const colSlot = new Int8Array(fields.length).fill(-1);
    this.#starts.fill(-1);
    this.#ends.fill(-1);
    let last = -1;
    for (const slot of slots) {
      const col = fields.indexOf(SLOT_NAMES[slot] as string);
      if (col < 0) continue;
      colSlot[col] = slot;
      if (col > last) last = col;
    }
    const missing = required.filter((s) => fields.indexOf(SLOT_NAMES[s] as string) < 0);
    if (missing.length > 0) {
      this.#weird(
        'zeek_missing_field',
        `${kind} log without ${missing.map((s) => SLOT_NAMES[s]).join(', ')}; its rows are skipped`,
      );
      this.#mode = M_SKIP;
      return;
    }
    this.#colSlot = colSlot;
    this.#lastNeeded = last;
    this.#mode = kind === 'conn' ? M_CONN : kind === 'dns' ? M_DNS : kind === 'ssl' ? M_SSL : M_HTTP;
  }

  /**
   * A data line and no `#fields`. LogAscii's `tsv = T` mode writes a bare
   * column-name line instead of the header block: take that as `#fields`.
   */
  #noHeader(text: string, ls: number, le: number): void {
    if (text.startsWith('ts\t', ls) || text.startsWith('_node_name\t', ls)) {
      const names = text.slice(ls, le).split('\t');
      if (names.includes('id.orig_h')) {
        this.#sep = '\t';
            this.#fields = names;
        this.#layout();
        return;
      }
    }
    this.#weird('zeek_no_header', 'data line before any #fields header');
  }

  // ---- TSV rows ----------------------------------------------------------

  /** Split a row into the start/end tables; returns its field count. */
  #split(text: string, ls: number, le: number): number {
    const sep = this.#sep;
    const sepLen = sep.length;
    const colSlot = this.#colSlot;
    const last = this.#lastNeeded;
    const starts = this.#starts;
    const ends = this.#ends;
    const tlen = text.length;
    let q = this.#sepPos;
    let p = ls;
    let i = 0;
    for (;;) {
      if (q < p) {
        q = text.indexOf(sep, p);
        if (q < 0) q = tlen;
      }
      if (i <= last) {
        const slot = colSlot[i] as number;
        if (slot >= 0) {
          starts[slot] = p;
          ends[slot] = q < le ? q : le;
        }
      }
      i++;
      if (q >= le) break;
      p = q + sepLen;
    }
    this.#sepPos = q;
    return i;
  }

  /** Whether `text[ls, le)` holds a backslash (so its fields need unescaping). */
  #escaped(text: string, ls: number, le: number): boolean {
    let b = this.#bsPos;
    if (b < ls) {
      b = text.indexOf('\\', ls);
      if (b < 0) b = text.length;
      this.#bsPos = b;
    }
    return b < le;
  }

  #isNull(text: string, s: number, e: number): boolean {
    const n = e - s;
    return (n === this.#unset.length && text.startsWith(this.#unset, s)) || (n === this.#empty.length && text.startsWith(this.#empty, s));
  }

  /** A string field; '' when absent, unset or empty. */
  #str(text: string, slot: number, esc: boolean): string {
    const s = this.#starts[slot] as number;
    if (s < 0) return '';
    const e = this.#ends[slot] as number;
    if (s === e || this.#isNull(text, s, e)) return '';
    const raw = text.slice(s, e);
    return esc && raw.includes('\\') ? unescapeZeek(raw) : detach(raw);
  }

  /** A count field; -1 when absent, unset, or bad (then noted as the row's bad field). */
  #count(text: string, slot: number, max: number): number {
    const s = this.#starts[slot] as number;
    if (s < 0) return -1;
    const e = this.#ends[slot] as number;
    const v = parseCount(text, s, e);
    if (v >= 0 && v <= max) return v;
    if (!this.#isNull(text, s, e) && this.#badSlot < 0) this.#badSlot = slot;
    return -1;
  }

  /** A real field (interval); -1 when absent or unset, like #count when bad. */
  #real(text: string, slot: number): number {
    const s = this.#starts[slot] as number;
    if (s < 0) return -1;
    const e = this.#ends[slot] as number;
    const v = parseDecimal(text, s, e);
    if (v === v) return v;
    if (!this.#isNull(text, s, e) && this.#badSlot < 0) this.#badSlot = slot;
    return -1;
  }

  /** `ts`: epoch seconds; ISO 8601 accepted too. NaN when unreadable. */
  #time(text: string): number {
    const s = this.#starts[F_TS] as number;
    const e = this.#ends[F_TS] as number;
    const v = parseDecimal(text, s, e);
    return v === v ? v : parseIsoTime(text.slice(s, e));
  }

  #badRow(text: string, slot: number): void {
    const s = this.#starts[slot] as number;
    const v = s < 0 ? '' : text.slice(s, Math.min(this.#ends[slot] as number, s + 40));
    this.#weird('zeek_bad_value', `bad ${SLOT_NAMES[slot]} ${JSON.stringify(v)}, row dropped`);
  }

  #badOptional(text: string): void {
    const slot = this.#badSlot;
    const s = this.#starts[slot] as number;
    const v = text.slice(s, Math.min(this.#ends[slot] as number, s + 40));
    this.#weird('zeek_bad_value', `bad ${SLOT_NAMES[slot]} ${JSON.stringify(v)}, read as unknown`);
  }

  #fieldCount(text: string, ls: number, le: number): boolean {
    const n = this.#split(text, ls, le);
    const want = (this.#fields as string[]).length;
    if (n === want) return true;
    this.#weird('zeek_bad_field_count', `${n} fields, #fields has ${want}`);
    return false;
  }

  #conn(text: string, ls: number, le: number): void {
    if (!this.#fieldCount(text, ls, le)) return;
    const esc = this.#escaped(text, ls, le);
    this.#badSlot = -1;
    const ts = this.#time(text);
    if (ts !== ts) return this.#badRow(text, F_TS);
    const origP = this.#count(text, F_ORIG_P, 65535);
    if (origP < 0) return this.#badRow(text, F_ORIG_P);
    const respP = this.#count(text, F_RESP_P, 65535);
    if (respP < 0) return this.#badRow(text, F_RESP_P);
    const origH = this.#str(text, F_ORIG_H, esc);
    if (origH === '') return this.#badRow(text, F_ORIG_H);
    const respH = this.#str(text, F_RESP_H, esc);
    if (respH === '') return this.#badRow(text, F_RESP_H);
    const ps = this.#starts[F_PROTO] as number;
    const pe = this.#ends[F_PROTO] as number;
    const proto = parseProto(text, ps, pe);
    const rec = makeFlow(
      ts,
      this.#real(text, F_DURATION),
      origH,
      origP,
      respH,
      respP,
      proto,
      this.#count(text, F_ORIG_BYTES, Number.MAX_SAFE_INTEGER),
      this.#count(text, F_RESP_BYTES, Number.MAX_SAFE_INTEGER),
      this.#count(text, F_ORIG_PKTS, Number.MAX_SAFE_INTEGER),
      this.#count(text, F_RESP_PKTS, Number.MAX_SAFE_INTEGER),
      this.#count(text, F_ORIG_IP_BYTES, Number.MAX_SAFE_INTEGER),
      this.#count(text, F_RESP_IP_BYTES, Number.MAX_SAFE_INTEGER),
      this.#str(text, F_CONN_STATE, esc),
      this.#str(text, F_HISTORY, esc),
      this.#str(text, F_SERVICE, esc),
      this.#str(text, F_UID, esc),
    );
    this.stats.flows++;
    this.#sink.flow(rec);
    if (this.#badSlot >= 0) this.#badOptional(text);
  }

  #dns(text: string, ls: number, le: number): void {
    if (!this.#fieldCount(text, ls, le)) return;
    const esc = this.#escaped(text, ls, le);
    this.#badSlot = -1;
    const ts = this.#time(text);
    if (ts !== ts) return this.#badRow(text, F_TS);
    const origH = this.#str(text, F_ORIG_H, esc);
    if (origH === '') return this.#badRow(text, F_ORIG_H);
    const respH = this.#str(text, F_RESP_H, esc);
    if (respH === '') return this.#badRow(text, F_RESP_H);
    const origP = this.#count(text, F_ORIG_P, 65535);
    const respP = this.#count(text, F_RESP_P, 65535);
    const ps = this.#starts[F_PROTO] as number;
    const proto = ps < 0 || this.#isNull(text, ps, this.#ends[F_PROTO] as number) ? 'udp' : parseProto(text, ps, this.#ends[F_PROTO] as number);
    const answers = this.#answers(text, esc);
    const ttls = this.#ttls(text);
    const rs = this.#starts[F_REJECTED] as number;
    const rec = makeDns(
      ts,
      origH,
      origP < 0 ? 0 : origP,
      respH,
      respP < 0 ? 53 : respP,
      proto,
      this.#count(text, F_TRANS_ID, 65535),
      this.#str(text, F_QUERY, esc),
      this.#count(text, F_QTYPE, 65535),
      this.#count(text, F_RCODE, 65535),
      answers,
      alignTtls(answers, ttls),
      rs >= 0 && this.#ends[F_REJECTED] === rs + 1 && text.charCodeAt(rs) === 84 /* T */,
      this.#str(text, F_UID, esc),
    );
    this.stats.dns++;
    this.#sink.dns(rec);
    if (this.#badSlot >= 0) this.#badOptional(text);
  }

  /** An ssl.log or http.log row: a NameRecord when it has a name (else skipped). */
  #name(text: string, ls: number, le: number): void {
    if (!this.#fieldCount(text, ls, le)) return;
    const esc = this.#escaped(text, ls, le);
    this.#badSlot = -1;
    const ts = this.#time(text);
    if (ts !== ts) return this.#badRow(text, F_TS);
    const tls = this.#mode === M_SSL;
    const name = this.#str(text, tls ? F_SERVER_NAME : F_HOST, esc);
    const uid = this.#str(text, F_UID, esc);
    const origH = this.#str(text, F_ORIG_H, esc);
    if (name === '' || uid === '' || origH === '') {
      this.stats.skipped++;
      return;
    }
    const origP = this.#count(text, F_ORIG_P, 65535);
    const respP = this.#count(text, F_RESP_P, 65535);
    const method = tls ? '' : this.#str(text, F_METHOD, esc);
    const proxied = !tls && isProxiedRequest(method, this.#str(text, F_URI, esc));
    const rec = makeName(ts, uid, origH, origP < 0 ? 0 : origP, this.#str(text, F_RESP_H, esc), respP < 0 ? 0 : respP, name, tls ? 'tls' : 'http', method, proxied);
    this.stats.names++;
    this.#sink.name!(rec);
    if (this.#badSlot >= 0) this.#badOptional(text);
  }

  /** `answers`, a Zeek vector: elements split on the set separator, then unescaped. */
  #answers(text: string, esc: boolean): string[] {
    const s = this.#starts[F_ANSWERS] as number;
    const out: string[] = [];
    if (s < 0) return out;
    const e = this.#ends[F_ANSWERS] as number;
    if (s === e || this.#isNull(text, s, e)) return out;
    const sep = this.#setSep;
    let p = s;
    for (;;) {
      let q = this.#nextSetSep(text, p);
      if (q > e) q = e;
      const raw = text.slice(p, q);
      out.push(esc && raw.includes('\\') ? unescapeZeek(raw) : detach(raw));
      if (q >= e) break;
      p = q + sep.length;
    }
    return out;
  }

  /**
   * The next set separator at or after `p` (text.length when none). Cached
   * like the field separator: a plain indexOf from a field with one element
   * scanned on to the next comma anywhere in the chunk, often its end, for
   * every DNS row (17 % + 15 % of a Zeek run's time went there).
   */
  #nextSetSep(text: string, p: number): number {
    let q = this.#setSepPos;
    // Valid only between where that scan started and what it found (columns may come in any order).
    if (q < p || p < this.#setSepFrom) {
      q = text.indexOf(this.#setSep, p);
      if (q < 0) q = text.length;
      this.#setSepPos = q;
      this.#setSepFrom = p;
    }
    return q;
  }

  /** `TTLs`, parallel to answers; -1 for an element that is not a number. */
  #ttls(text: string): number[] {
    const s = this.#starts[F_TTLS] as number;
    const out: number[] = [];
    if (s < 0) return out;
    const e = this.#ends[F_TTLS] as number;
    if (s === e || this.#isNull(text, s, e)) return out;
    const sep = this.#setSep;
    let p = s;
    for (;;) {
      let q = this.#nextSetSep(text, p);
      if (q > e) q = e;
      const v = parseDecimal(text, p, q);
      out.push(v === v ? v : -1);
      if (q >= e) break;
      p = q + sep.length;
    }
    return out;
  }

  // ---- JSON lines ----------------------------------------------------------

  #json(line: string): void {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (err) {
      this.#weird('zeek_bad_json', `not JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      this.#weird('zeek_bad_json', 'JSON line is not an object');
      return;
    }
    const obj = o as Record<string, unknown>;
    const p = obj['_path'];
    const kind: ZeekLogKind =
      typeof p === 'string' ? kindOfPath(p) : this.#hint !== undefined ? this.#hint : sniffObject(obj);
    if (kind === 'other' || ((kind === 'ssl' || kind === 'http') && this.#sink.name === undefined)) {
      this.stats.skipped++;
      return;
    }
    const issue = this.#issue;
    issue.field = '';
    if (kind === 'ssl' || kind === 'http') {
      const r = nameFromJson(obj, kind === 'ssl' ? 'tls' : 'http', issue);
      if (r !== null) {
        this.stats.names++;
        this.#sink.name!(r);
      } else if (issue.field === '') this.stats.skipped++;
    } else if (kind === 'conn') {
      const r = flowFromJson(obj, issue);
      if (r !== null) {
        this.stats.flows++;
        this.#sink.flow(r);
      }
    } else {
      const r = dnsFromJson(obj, issue);
      if (r !== null) {
        this.stats.dns++;
        this.#sink.dns(r);
      }
    }
    if (issue.field !== '') {
      const v = JSON.stringify(obj[issue.field] ?? null).slice(0, 40);
      this.#weird('zeek_bad_value', `bad ${issue.field} ${v} in JSON ${kind} line`);
    }
  }

  #weird(kind: string, message: string): void {
    this.stats.weirds++;
    const line = this.#lineNo;
    this.#onWeird(this.#file === undefined ? { kind, message, line } : { kind, message, file: this.#file, line });
  }
}
