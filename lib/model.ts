/**
 * The one data model every source is normalised into (DESIGN §1, §5).
 *
 * Field names follow Zeek's conn.log / dns.log vocabulary in camelCase,
 * because that is what NDR people already read. Every record of a kind has
 * the same shape: all fields are always present, with sentinels for what a
 * source does not know (`-1` for numbers, `''` for strings), so V8 keeps one
 * hidden class per kind and consumers never test for `undefined`.
 *
 * @module
 */

/** Transport protocol: Zeek's names for the three it knows, else the IP protocol number. */
export type Proto = 'tcp' | 'udp' | 'icmp' | number;

/** Which kind of input a record came from. */
export type RecordSource = 'zeek' | 'pcap' | 'netflow' | 'push';

/**
 * How the originator/responder orientation of a flow was decided.
 * - `observed`: the source saw who initiated (pcap, Zeek).
 * - `paired`: NetFlow request and reply records were paired.
 * - `port`: unpaired NetFlow, oriented by local nets and well-known ports.
 */
export type Orientation = 'observed' | 'paired' | 'port';

/** Sentinel for a number the source does not know. */
export const UNKNOWN = -1;

/** One connection: a conn.log row, a pcap flow, a NetFlow record (or pair). */
export interface FlowRecord {
  readonly kind: 'flow';
  /** Start time, seconds since the epoch (float, µs precision). */
  ts: number;
  /** Seconds, or -1 when unknown. */
  duration: number;
  /** Originator address (dotted IPv4 or compressed lower-case IPv6). */
  origH: string;
  origP: number;
  /** Responder address. */
  respH: string;
  respP: number;
  proto: Proto;
  /** Payload bytes from the originator (Zeek `orig_bytes`), -1 when unknown. */
  origBytes: number;
  respBytes: number;
  origPkts: number;
  respPkts: number;
  /** IP-level bytes (Zeek `orig_ip_bytes`), -1 when unknown. */
  origIpBytes: number;
  respIpBytes: number;
  /** Zeek conn_state (S0, S1, SF, REJ, RSTO, …), '' when unknown. */
  connState: string;
  /** Zeek history string, '' when unknown. */
  history: string;
  /** Service seen in the payload (`dns`, `http`, `ssl`, …; Zeek may list several joined by commas), '' when unknown. */
  service: string;
  /** TLS SNI, HTTP Host or a name from a DNS answer, '' when unknown. */
  serverName: string;
  /** Connection id (Zeek uid), '' when none. */
  uid: string;
  source: RecordSource;
  orientation: Orientation;
}

/** One DNS transaction: a dns.log row, or a matched query/response from a pcap. */
export interface DnsRecord {
  readonly kind: 'dns';
  ts: number;
  /** The client. */
  origH: string;
  origP: number;
  /** The resolver. */
  respH: string;
  respP: number;
  proto: Proto;
  /** DNS transaction id, -1 when unknown. */
  transId: number;
  /** Query name, '' when none. */
  query: string;
  /** Query type number (1 A, 28 AAAA, 16 TXT, …), -1 when unknown. */
  qtype: number;
  /** Response code (0 NOERROR, 3 NXDOMAIN, …), -1 when no response was seen. */
  rcode: number;
  /** Answers as text (addresses, names, TXT strings), in order. */
  answers: string[];
  /** TTL of each answer in seconds, parallel to `answers` (-1 when unknown). */
  ttls: number[];
  /** The server rejected the query (Zeek `rejected`). */
  rejected: boolean;
  /** Connection id (Zeek uid), '' when none. */
  uid: string;
  source: RecordSource;
}

/**
 * A server name seen on one connection: a TLS SNI (Zeek ssl.log
 * `server_name`) or an HTTP Host (http.log `host`). The engine joins it onto
 * the flow with the same `uid` (Zeek writes the two logs separately), so
 * beacons can be grouped by name, which is what finds them behind a proxy.
 */
export interface NameRecord {
  readonly kind: 'name';
  ts: number;
  /** Connection id of the flow this name belongs to (Zeek uid). */
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  /** SNI or Host as logged (a CONNECT target may carry `:port`). */
  serverName: string;
  /** Where the name came from. */
  protocol: 'tls' | 'http';
  /** HTTP method (`GET`, `CONNECT`, …), '' for TLS. */
  method: string;
  /** The request went through a proxy: HTTP CONNECT, or an absolute-URI request. */
  proxied: boolean;
  source: RecordSource;
}

/** Any flow or DNS record a source yields. */
export type NetRecord = FlowRecord | DnsRecord;

/** Finding severity, from the score (see {@link severityOf}). */
export type Severity = 'low' | 'medium' | 'high';

/** A value in a finding's evidence: numbers, short strings, flags, and small lists of those. */
export type EvidenceValue = number | string | boolean | readonly number[] | readonly string[];

/**
 * A detection, the same shape from every rule (DESIGN §5).
 * Serialised to NDJSON as is; CSV carries the flat columns.
 */
export interface Finding {
  /** Rule name, e.g. `multiband.sequence`. */
  rule: string;
  /** MITRE ATT&CK technique, e.g. `T1071.004`. */
  technique: string;
  /** Older technique ids that map here (e.g. `T1026`). */
  techniqueAliases: string[];
  source: { ip: string };
  /** Destinations involved: always arrays, empty when none. */
  destination: { ip: string[]; port: number[]; domain: string[] };
  /** ISO 8601, UTC. */
  first_seen: string;
  last_seen: string;
  /** 0–1. */
  score: number;
  severity: Severity;
  /** The numbers that made the rule fire. */
  evidence: Record<string, EvidenceValue>;
  /** Short human-readable reasons. */
  reasons: string[];
}

/**
 * Severity from score, the same for every rule: below 0.5 `low`,
 * from 0.5 `medium`, from 0.75 `high`.
 */
export function severityOf(score: number): Severity {
  if (score >= 0.75) return 'high';
  if (score >= 0.5) return 'medium';
  return 'low';
}

/** A FlowRecord with every field at its sentinel; fill what you know. */
export function newFlow(): FlowRecord {
  return {
    kind: 'flow',
    ts: 0,
    duration: UNKNOWN,
    origH: '',
    origP: 0,
    respH: '',
    respP: 0,
    proto: 'tcp',
    origBytes: UNKNOWN,
    respBytes: UNKNOWN,
    origPkts: UNKNOWN,
    respPkts: UNKNOWN,
    origIpBytes: UNKNOWN,
    respIpBytes: UNKNOWN,
    connState: '',
    history: '',
    service: '',
    serverName: '',
    uid: '',
    source: 'push',
    orientation: 'observed',
  };
}

/** A DnsRecord with every field at its sentinel; fill what you know. */
export function newDns(): DnsRecord {
  return {
    kind: 'dns',
    ts: 0,
    origH: '',
    origP: 0,
    respH: '',
    respP: 53,
    proto: 'udp',
    transId: UNKNOWN,
    query: '',
    qtype: UNKNOWN,
    rcode: UNKNOWN,
    answers: [],
    ttls: [],
    rejected: false,
    uid: '',
    source: 'push',
  };
}

/** A NameRecord with every field at its sentinel; fill what you know. */
export function newName(): NameRecord {
  return {
    kind: 'name',
    ts: 0,
    uid: '',
    origH: '',
    origP: 0,
    respH: '',
    respP: 0,
    serverName: '',
    protocol: 'tls',
    method: '',
    proxied: false,
    source: 'push',
  };
}

/**
 * Where decoders send what they decode. Sans-IO decoders call these
 * synchronously; the engine, a collector array or a test can implement it.
 */
export interface RecordSink {
  flow(r: FlowRecord): void;
  dns(r: DnsRecord): void;
  /** Server names (ssl.log / http.log). Optional: a sink without it never receives them (the decoder skips those logs). */
  name?(r: NameRecord): void;
}
