/**
 * The engine: correlates records by internal source IP and runs the
 * detectors. A synchronous push API for embedders:
 *
 * ```ts
 * const engine = new Engine({ onFinding: (f) => console.log(f) });
 * engine.pushFlow(flow);   // FlowRecord, any source
 * engine.pushDns(dns);     // DnsRecord
 * engine.flush();          // end of input: emit what is pending
 * engine.stats();
 * ```
 *
 * Time is stream time: the newest record timestamp seen (the clock). Records
 * may arrive out of order by up to `reorderWindow` seconds (Zeek writes
 * conn.log rows when connections end, so a row's start time can trail the
 * clock by its duration): rules see each host's events in time order once
 * the watermark (clock − reorderWindow) has passed them. An event older than
 * its host's watermark is late: counted in `stats().lateEvents`, not used.
 *
 * Every table is bounded and every eviction counted: hosts by `maxHosts`
 * (LRU) and `hostTtl` (idle time on the stream clock, via lru-cache's
 * `perf` option, no timers); per host, events, DNS answers, queries and
 * waiting names by their own maxima, and each of those also over all hosts
 * (`maxEvents`, `maxAnswers`, `maxQueries`, `maxNames`), so the per-host
 * maxima never multiply by the host count. An evicted host first emits what
 * its rules hold.
 *
 * Two engines in one process share nothing.
 *
 * @module
 */

import { LRUCache } from 'lru-cache';
import { HostState } from './correlate/host.js';
import { AnswerSlab } from './correlate/dns.js';
import { Interner } from './correlate/intern.js';
import type { HostLimits } from './correlate/host.js';
import { Prevalence } from './correlate/prevalence.js';
import type { PrevalenceOptions } from './correlate/prevalence.js';
import { EventFlag, EventRing, ProtoNum } from './correlate/ring.js';
import { Band, bandOf, isWebBand } from './detect/bands.js';
import { BeaconRule } from './detect/beacon/rule.js';
import { resolveBeaconOptions } from './detect/beacon/options.js';
import type { BeaconOptions } from './detect/beacon/options.js';
import { DEFAULT_MULTIBAND } from './detect/multiband/features.js';
import type { MultibandOptions } from './detect/multiband/features.js';
import { ScoreRule } from './detect/multiband/score.js';
import { SequenceRule } from './detect/multiband/sequence.js';
import { TimesliceRule } from './detect/multiband/timeslice.js';
import type { HostRule, RuleContext } from './detect/rule.js';
import { InvalidOptionError } from './errors.js';
import type { DnsRecord, Finding, FlowRecord, NameRecord, RecordSink } from './model.js';
import { CidrSet, DEFAULT_LOCAL_NETS, DEFAULT_NON_PUBLIC, namesAddress, parseIPv4 } from './net/addr.js';

/** Something that decides whether a finding is allowlisted (see `Allowlist`). */
export interface FindingFilter {
  /** True when the finding must be suppressed. */
  allows(f: Finding): boolean;
}

/** Every rule c2watch knows, in output order. */
export const RULE_NAMES = ['multiband.sequence', 'multiband.timeslice', 'multiband.score', 'beacon.runs', 'beacon.score'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface EngineOptions {
  /** Internal networks (CIDRs): hosts are originators inside these. Default RFC 1918, 100.64/10, fc00::/7. */
  localNets?: Iterable<string>;
  /** Destinations that are never "public". Default: the seed rules' list (DESIGN §1) plus IPv6, multicast, broadcast. */
  nonPublic?: Iterable<string>;
  /** Rules to run: names, or prefixes such as `multiband` / `multiband.*`, or `all`. Default {@link DEFAULT_RULES} (all but `beacon.runs`). */
  rules?: Iterable<string>;
  /** Applied to every finding before it is emitted. */
  allowlist?: FindingFilter;
  /** Receives each finding as it is emitted. Without it, findings queue for {@link Engine.drain}. */
  onFinding?: (f: Finding) => void;
  /** Hosts (internal source IPs) held at once; the least recently active is evicted. Default 50 000. */
  maxHosts?: number;
  /**
   * A host idle this many stream-time seconds is dropped (after emitting).
   * Default 3600, or the beacon window (86 400) when a beacon rule runs, so an
   * hourly beacon's host is not dropped between two check-ins.
   */
  hostTtl?: number;
  /**
   * Band events waiting per host for the watermark (rounded up to a power of
   * two); the rules keep their own bounded summaries after seeing them. A host
   * with more events inside one reorder window gets them evaluated early
   * (`forcedEvaluations`). Default 256, at most 65 536.
   */
  maxEventsPerHost?: number;
  /**
   * Band events waiting over all hosts together. Past it, each new event
   * first has its host's oldest waiting event evaluated (`budgetEvaluations`),
   * so the total stays within this plus one per host; the per-host bound
   * alone would let waiting events grow to `maxHosts` × `maxEventsPerHost`.
   * ≈ 150–200 bytes each. Default 262 144.
   */
  maxEvents?: number;
  /** DNS answer addresses remembered per host, for linking web flows to names. Default 4096. */
  maxAnswersPerHost?: number;
  /**
   * DNS answer addresses remembered over all hosts: ≈ 110 B each (52 B in the
   * engine-wide answer slab, the rest the host's Map entry). Default 1 000 000.
   */
  maxAnswers?: number;
  /** Recent DNS queries kept per host, for query-shape evidence. Default 256. */
  maxQueriesPerHost?: number;
  /** Recent DNS queries kept over all hosts (ring slots, ≈ 100 B each); past it, rings stop growing and overwrite. Default 1 048 576. */
  maxQueries?: number;
  /**
   * Server names (Zeek ssl.log SNI, http.log Host) waiting per host for the
   * flow with the same uid; the oldest goes first (counted). Default 1024.
   */
  maxNamesPerHost?: number;
  /** Server names waiting for their flow over all hosts (≈ 150 B each). Default 262 144. */
  maxNames?: number;
  /** How far (seconds) a record may trail the newest timestamp and still count. Default 600. */
  reorderWindow?: number;
  /** Findings queued for drain() at most; beyond, they are dropped and counted. Default 100 000. */
  maxQueuedFindings?: number;
  /** Multiband rule tunables. */
  multiband?: Partial<MultibandOptions>;
  /** Beacon rule tunables (`beacon.runs`, `beacon.score`). */
  beacon?: Partial<BeaconOptions>;
  /** Cross-host prevalence bounds. */
  prevalence?: PrevalenceOptions;
  /**
   * Strings the engine keeps (query names, answer addresses,
   * server names, destinations) are interned, so each distinct one is held
   * once however many hosts and records repeat it. The interner holds two
   * generations of this many strings. 0 turns it off. Default 16 384.
   */
  internSize?: number;
}

/** Counters; all cumulative except where noted. */
export interface EngineStats {
  flows: number;
  dns: number;
  /** Name records (ssl.log / http.log) pushed. */
  names: number;
  /** Names joined onto their flow by uid. */
  namesJoined: number;
  /** Names that never met their flow (no uid, bound, or age). */
  namesDropped: number;
  /** Records whose originator is not internal (not host activity). */
  externalOrigin: number;
  /** Flows the rules have no use for: not TCP/UDP, or to an internal address on a band other than DNS and web. */
  ignoredFlows: number;
  /** Records with a timestamp that is not a finite number. */
  badRecords: number;
  /** Events that arrived after their host's watermark. */
  lateEvents: number;
  /** Times a full event ring made the rules look at an event before the watermark did. */
  forcedEvaluations: number;
  /** Events evaluated before the watermark because the engine-wide bound (`maxEvents`) was reached. */
  budgetEvaluations: number;
  /** Events waiting for the watermark now, over all hosts (not cumulative). */
  eventsWaiting: number;
  hosts: { active: number; created: number; evicted: number; expired: number };
  /** DNS answers pushed out of (or never let into) per-host caches by a bound. */
  answersEvicted: number;
  /** DNS answers held now, over all hosts. */
  /** Query ring slots held over all hosts now (not cumulative). */
  querySlots: number;
  /** Server names waiting for their flow over all hosts now (not cumulative). */
  namesWaiting: number;
  answersHeld: number;
  /** DNS answers dropped once no later flow could use them (TTL + grace passed). */
  answersExpired: number;
  prevalence: { destinations: number; evicted: number };
  findings: Record<string, number>;
  /** Findings suppressed by the allowlist. */
  suppressed: number;
  /** Findings dropped because nobody drained the queue. */
  droppedFindings: number;
  /** Per-rule counters of the rules' own bounded state (e.g. beacon pairs evicted). */
  rules: Record<string, Record<string, number>>;
  /** Newest record time, seconds since the epoch (NaN before any record). */
  clock: number;
  /** The string interner: strings it holds now, and lookups that found an earlier copy or kept a new one. */
  interned: { strings: number; hits: number; misses: number };
}

// Zeek conn_state values where the responder never answered or refused.
const FAILED_STATES = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR']);

/**
 * The rules that run when none are named: all but `beacon.runs`. That seed
 * (≥ 10 connections to one public address in 24 h) is reproduced faithfully
 * and fires on any busy pair, browsers included; name it (or `all`) to run it.
 */
export const DEFAULT_RULES: readonly RuleName[] = RULE_NAMES.filter((r) => r !== 'beacon.runs');

/** Resolve a `rules` option to rule names; throws InvalidOptionError on an unknown entry. */
export function selectRules(spec: Iterable<string> | undefined): RuleName[] {
  if (spec === undefined) return [...DEFAULT_RULES];
  const out = new Set<RuleName>();
  for (const raw of spec) {
    const s = raw.trim();
    if (s === '') continue;
    if (s === 'all' || s === '*') {
      for (const r of RULE_NAMES) out.add(r);
      continue;
    }
    const prefix = s.endsWith('.*') ? s.slice(0, -2) : s;
    const hit = RULE_NAMES.filter((r) => r === s || r.startsWith(prefix + '.'));
    if (hit.length === 0) throw new InvalidOptionError(`unknown rule "${s}" (rules: ${RULE_NAMES.join(', ')})`);
    for (const r of hit) out.add(r);
  }
  return RULE_NAMES.filter((r) => out.has(r));
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new InvalidOptionError(`${name} must be a positive number, got ${v}`);
  return v;
}

/** The correlator and detectors. Implements {@link RecordSink}, so decoders can push into it directly. */
export class Engine implements RecordSink {
  readonly #local: CidrSet;
  readonly #nonPublic: CidrSet;
  readonly #rules: HostRule[];
  readonly #ruleNames: RuleName[];
  /** Indexes of the rules that also step `Extra` events. */
  readonly #allFlowRules: number[];
  readonly #hosts: LRUCache<string, HostState>;
  readonly #prevalence: Prevalence;
  readonly #intern: Interner;
  readonly #ctx: RuleContext;
  readonly #allow: FindingFilter | undefined;
  readonly #onFinding: ((f: Finding) => void) | undefined;
  readonly #queue: Finding[] = [];
  readonly #maxQueued: number;
  readonly #reorder: number;
  readonly #limits: HostLimits;
  /** After this long past a host's last event, every rule window is closed. */
  readonly #settle: number;
  readonly #sweepEvery: number;
  readonly #maxEvents: number;
  readonly #linkGrace: number;
  #clock = -Infinity;
  #firstTs = Infinity;
  #lastSweep = -Infinity;
  #s: EngineStats;

  constructor(options: EngineOptions = {}) {
    this.#local = new CidrSet(options.localNets ?? DEFAULT_LOCAL_NETS);
    this.#nonPublic = new CidrSet(options.nonPublic ?? DEFAULT_NON_PUBLIC);
    const mb: MultibandOptions = { ...DEFAULT_MULTIBAND, ...options.multiband };
    for (const k of ['maxspan', 'sliceSeconds', 'maxFindingSpan'] as const) positive(`multiband.${k}`, mb[k], 1);
    const names = selectRules(options.rules);
    this.#ruleNames = names;
    const beaconOn = names.includes('beacon.runs') || names.includes('beacon.score');
    const bo = resolveBeaconOptions(options.beacon);
    this.#rules = [];
    for (const n of names) {
      switch (n) {
        case 'multiband.sequence':
          this.#rules.push(new SequenceRule(mb) as HostRule);
          break;
        case 'multiband.timeslice':
          this.#rules.push(new TimesliceRule(mb) as HostRule);
          break;
        case 'multiband.score':
          this.#rules.push(new ScoreRule(mb) as HostRule);
          break;
        case 'beacon.runs':
        case 'beacon.score':
          // One rule object keeps the per-pair state of both beacon rules.
          if (!this.#rules.some((r) => r instanceof BeaconRule)) {
            this.#rules.push(new BeaconRule(bo, { runs: names.includes('beacon.runs'), score: names.includes('beacon.score') }) as HostRule);
          }
          break;
      }
    }
    this.#allFlowRules = [];
    for (let i = 0; i < this.#rules.length; i++) if (this.#rules[i]!.allFlows === true) this.#allFlowRules.push(i);
    this.#allow = options.allowlist;
    this.#onFinding = options.onFinding;
    this.#maxQueued = positive('maxQueuedFindings', options.maxQueuedFindings, 100_000);
    this.#reorder = options.reorderWindow ?? 600;
    if (!(this.#reorder >= 0)) throw new InvalidOptionError(`reorderWindow must be >= 0, got ${options.reorderWindow}`);
    if (options.maxEventsPerHost !== undefined && options.maxEventsPerHost > EventRing.MAX) {
      throw new InvalidOptionError(`maxEventsPerHost must be at most ${EventRing.MAX}, got ${options.maxEventsPerHost}`);
    }
    this.#limits = {
      maxEventsPerHost: positive('maxEventsPerHost', options.maxEventsPerHost, 256),
      maxAnswersPerHost: positive('maxAnswersPerHost', options.maxAnswersPerHost, 4096),
      answerBudget: new AnswerSlab(positive('maxAnswers', options.maxAnswers, 1_000_000)),
      maxQueriesPerHost: positive('maxQueriesPerHost', options.maxQueriesPerHost, 256),
      maxNamesPerHost: positive('maxNamesPerHost', options.maxNamesPerHost, 1024),
      queryBudget: { used: 0, max: positive('maxQueries', options.maxQueries, 1_048_576) },
      nameBudget: { used: 0, max: positive('maxNames', options.maxNames, 262_144) },
    };
    // Beacon windows stay open up to maxWindow past a host's last event (quiet pairs close earlier).
    this.#settle = Math.max(mb.maxspan, mb.sliceSeconds, beaconOn ? bo.maxWindow : 0) + 1;
    this.#sweepEvery = 60;
    this.#maxEvents = positive('maxEvents', options.maxEvents, 262_144);
    this.#linkGrace = mb.linkGrace;
    this.#prevalence = new Prevalence(options.prevalence);
    const internSize = options.internSize ?? 16_384;
    if (!(internSize >= 0)) throw new InvalidOptionError(`internSize must be >= 0, got ${options.internSize}`);
    this.#intern = new Interner(internSize);
    this.#s = {
      flows: 0,
      dns: 0,
      names: 0,
      namesJoined: 0,
      namesDropped: 0,
      externalOrigin: 0,
      ignoredFlows: 0,
      badRecords: 0,
      lateEvents: 0,
      forcedEvaluations: 0,
      budgetEvaluations: 0,
      eventsWaiting: 0,
      hosts: { active: 0, created: 0, evicted: 0, expired: 0 },
      answersEvicted: 0,
      answersHeld: 0,
      querySlots: 0,
      namesWaiting: 0,
      answersExpired: 0,
      prevalence: { destinations: 0, evicted: 0 },
      findings: Object.fromEntries(names.map((n) => [n, 0])),
      suppressed: 0,
      droppedFindings: 0,
      rules: {},
      clock: NaN,
      interned: { strings: 0, hits: 0, misses: 0 },
    };
    const hostTtl = positive('hostTtl', options.hostTtl, beaconOn ? Math.max(3600, bo.window) : 3600);
    this.#hosts = new LRUCache<string, HostState>({
      max: Math.floor(positive('maxHosts', options.maxHosts, 50_000)),
      ttl: hostTtl * 1000,
      updateAgeOnGet: true,
      // Stream time, not wall time; ttlResolution 0 so lru-cache arms no timer.
      perf: { now: () => (this.#clock === -Infinity ? 0 : this.#clock * 1000) },
      ttlResolution: 0,
      dispose: (host, _ip, reason) => {
        if (reason === 'evict' || reason === 'expire') {
          if (reason === 'evict') this.#s.hosts.evicted++;
          else this.#s.hosts.expired++;
          this.#closeHost(host);
        }
      },
    });
    const nonPublic = this.#nonPublic;
    const local = this.#local;
    this.#ctx = {
      isPublic: (ip) => !nonPublic.has(ip),
      isLocal: (ip) => local.has(ip),
      prevalence: this.#prevalence,
      hostCount: () => this.#hosts.size,
      observedSpan: () => (this.#firstTs === Infinity ? 0 : this.#clock - this.#firstTs),
      emit: (f) => this.#emit(f),
    };
  }

  /** The rules this engine runs. */
  get rules(): readonly string[] {
    return this.#ruleNames.slice();
  }

  /** Cross-host figures (mergeable across engines). */
  get prevalence(): Prevalence {
    return this.#prevalence;
  }

  /** True if the address is inside `localNets`. */
  isLocal(ip: string): boolean {
    return this.#local.has(ip);
  }

  /** Push one flow. */
  pushFlow(r: FlowRecord): void {
    this.#s.flows++;
    const ts = r.ts;
    if (!this.#admit(ts, r.origH)) return;
    // ICMP and other protocols carry no band (Zeek puts ICMP type/code in the port fields).
    const tcpUdp = r.proto === 'tcp' || r.proto === 'udp';
    const band = tcpUdp ? bandOf(r.respP, r.service) : Band.Other;
    const pub = !this.#nonPublic.has(r.respH);
    let extra = 0;
    if (!tcpUdp || (!pub && band !== Band.DNS && !isWebBand(band))) {
      // Beacon rules also want ICMP & co. to public addresses, and internal flows that may
      // carry a server name (a proxy at 10.x:3128 is internal): the name joins by uid later.
      if (this.#allFlowRules.length === 0 || !(pub || (tcpUdp && (r.uid !== '' || r.serverName !== '')))) {
        this.#s.ignoredFlows++;
        this.#maybeSweep();
        return;
      }
      extra = EventFlag.Extra;
    }
    // An IP-literal Host / SNI for the flow's own destination names nothing: the flow went direct to an address.
    const intern = this.#intern;
    const serverName = r.serverName !== '' && !namesAddress(r.serverName, r.respH) ? intern.intern(r.serverName) : '';
    const host = this.#host(r.origH);
    if (ts > host.lastTs) host.lastTs = ts;
    if (ts < host.doneTs) {
      this.#s.lateEvents++;
      this.#maybeSweep();
      return;
    }
    const ev = host.events;
    if (ev.full) this.#makeRoom(host);
    else if (this.#s.eventsWaiting >= this.#maxEvents && ev.size > host.pending) {
      this.#s.budgetEvaluations++;
      this.#evaluateOldest(host);
    }
    this.#s.eventsWaiting++;
    const flags =
      (pub ? EventFlag.Public : 0) |
      (FAILED_STATES.has(r.connState) ? EventFlag.Failed : 0) |
      (serverName !== '' ? EventFlag.Named : 0) |
      extra;
    const s = ev.insert(ts, band, r.respP, flags, intern.intern(r.respH), serverName);
    const proto = r.proto === 'tcp' ? ProtoNum.tcp : r.proto === 'udp' ? ProtoNum.udp : r.proto === 'icmp' ? ProtoNum.icmp : typeof r.proto === 'number' ? r.proto & 255 : 0;
    ev.setFlow(s, proto, r.origBytes, r.origIpBytes, r.respBytes);
    ev.uid[s] = r.uid;
    // A name that came before its flow (a pcap gives the name record just before the flow) joins now,
    // so it does not wait in the name map for the watermark; names that trail their flow join at evaluation.
    if (r.uid !== '' && host.hasNames) this.#join(host, s);
    if (pub && isWebBand(band)) this.#prevalence.add(r.respH, r.origH);
    // Events wait in the ring; the sweep hands them to the rules in batches once the watermark passes.
    this.#maybeSweep();
  }

  /** Push one DNS transaction. */
  pushDns(r: DnsRecord): void {
    this.#s.dns++;
    const ts = r.ts;
    if (!this.#admit(ts, r.origH)) return;
    const host = this.#host(r.origH);
    if (ts > host.lastTs) host.lastTs = ts;
    host.dnsRecords++;
    const intern = this.#intern;
    const query = intern.intern(r.query);
    host.queries.push(ts, query, r.qtype, r.rcode);
    const answers = r.answers;
    for (let i = 0; i < answers.length; i++) {
      const a = answers[i]!;
      if (parseIPv4(a) >= 0 || (a.indexOf(':') >= 0 && a.indexOf(' ') < 0)) {
        const before = host.answers.evicted;
        host.answers.add(intern.intern(a), query, ts, r.ttls[i] ?? -1);
        this.#s.answersEvicted += host.answers.evicted - before;
      }
    }
    this.#maybeSweep();
  }

  /**
   * Push one server name (TLS SNI or HTTP Host of a connection, e.g. from
   * Zeek's ssl.log / http.log). It is joined onto the flow with the same
   * `uid` when that flow reaches the watermark; names without a uid, or
   * whose flow never comes, are counted in `namesDropped`.
   */
  pushName(r: NameRecord): void {
    this.#s.names++;
    const ts = r.ts;
    if (!this.#admit(ts, r.origH)) return;
    if (r.uid === '' || r.serverName === '' || this.#allFlowRules.length === 0) {
      this.#s.namesDropped++;
      this.#maybeSweep();
      return;
    }
    const host = this.#host(r.origH);
    if (ts > host.lastTs) host.lastTs = ts;
    const names = host.names;
    const before = names.dropped;
    names.add(r.uid, ts, this.#intern.intern(r.serverName), r.protocol, r.proxied, r.method === 'CONNECT');
    this.#s.namesDropped += names.dropped - before;
    this.#maybeSweep();
  }

  /** {@link RecordSink} alias of {@link pushName}. */
  name(r: NameRecord): void {
    this.pushName(r);
  }

  /** {@link RecordSink} alias of {@link pushFlow}, so a decoder can push straight in. */
  flow(r: FlowRecord): void {
    this.pushFlow(r);
  }

  /** {@link RecordSink} alias of {@link pushDns}. */
  dns(r: DnsRecord): void {
    this.pushDns(r);
  }

  /** Findings emitted since the last drain (when no `onFinding` callback was given). */
  drain(): Finding[] {
    return this.#queue.splice(0, this.#queue.length);
  }

  /**
   * End of input: hand every waiting event to the rules, close every window
   * and emit what is pending. The engine can take more records afterwards
   * (a new stream); host state starts afresh.
   */
  flush(): void {
    for (const host of this.#hosts.values()) {
      this.#evaluate(host, Infinity);
      this.#closeHost(host);
    }
    this.#hosts.clear();
    for (let r = 0; r < this.#rules.length; r++) this.#rules[r]!.finish?.(this.#ctx);
  }

  /** A snapshot of the counters. */
  stats(): EngineStats {
    const s = this.#s;
    return {
      ...s,
      hosts: { ...s.hosts, active: this.#hosts.size },
      answersHeld: this.#limits.answerBudget.used,
      querySlots: this.#limits.queryBudget.used,
      namesWaiting: this.#limits.nameBudget.used,
      prevalence: { destinations: this.#prevalence.size, evicted: this.#prevalence.evicted },
      findings: { ...s.findings },
      rules: Object.fromEntries(this.#rules.filter((r) => r.stats !== undefined).map((r) => [r.name, r.stats!()])),
      clock: this.#clock === -Infinity ? NaN : this.#clock,
      interned: { strings: this.#intern.size, hits: this.#intern.hits, misses: this.#intern.misses },
    };
  }

  /**
   * Every record first: a timestamp that is a number moves the stream clock;
   * an originator outside the local nets is no host of ours. False when the
   * record goes no further (counted).
   */
  #admit(ts: number, origH: string): boolean {
    if (!Number.isFinite(ts)) {
      this.#s.badRecords++;
      return false;
    }
    this.#advanceClock(ts);
    if (!this.#local.has(origH)) {
      this.#s.externalOrigin++;
      return false;
    }
    return true;
  }

  #advanceClock(ts: number): void {
    if (ts < this.#firstTs) this.#firstTs = ts;
    if (ts > this.#clock) {
      this.#clock = ts;
      if (this.#lastSweep === -Infinity) this.#lastSweep = ts;
    }
  }

  #host(ip: string): HostState {
    let h = this.#hosts.get(ip);
    if (h === undefined) {
      h = new HostState(ip, this.#limits, this.#rules.map((r) => r.init()));
      this.#hosts.set(ip, h);
      this.#s.hosts.created++;
    }
    return h;
  }

  /**
   * The ring is full of events still inside the reorder window: make the
   * rules see the oldest now (which also drops it) rather than lose it.
   */
  /** Join the waiting server name of event slot `s`'s uid onto it, if any. */
  #join(host: HostState, s: number): void {
    const ev = host.events;
    const e = host.names.take(ev.uid[s]!);
    if (e === undefined) return;
    const name = e.proxied && e.http !== '' ? e.http : e.tls !== '' ? e.tls : e.http;
    // An IP literal for the flow's own destination names nothing (direct to an address).
    if (namesAddress(name, ev.dst[s]!)) return;
    this.#s.namesJoined++;
    ev.name[s] = name;
    ev.addFlags(s, EventFlag.Named | (e.proxied ? EventFlag.Proxied : 0) | (e.connect ? EventFlag.Connect : 0));
  }

  #makeRoom(host: HostState): void {
    this.#s.forcedEvaluations++;
    this.#evaluateOldest(host);
  }

  #evaluateOldest(host: HostState): void {
    const t = host.events.oldestTs();
    // Everything up to and including the oldest timestamp.
    this.#evaluate(host, t + Math.max(1e-6, Math.abs(t) * 1e-15));
  }

  /** Hand events with ts < upTo to the rules, then tell them time reached upTo. */
  #evaluate(host: HostState, upTo: number): void {
    const ev = host.events;
    const rules = this.#rules;
    const st = host.ruleState;
    const ctx = this.#ctx;
    const grace = this.#linkGrace;
    const all = this.#allFlowRules;
    while (host.pending < ev.size && ev.ts[ev.slot(host.pending)]! < upTo) {
      const s = ev.slot(host.pending);
      // Join the server name from ssl/http logs by uid: those rows trail the conn row's start time.
      if (host.hasNames && ev.uid[s] !== '') this.#join(host, s);
      if (ev.flagsAt(s) & EventFlag.Extra) {
        // Only the rules that want every flow (beacons) see this one.
        for (let k = 0; k < all.length; k++) rules[all[k]!]!.step(st[all[k]!], host, host.pending, ctx);
        host.pending++;
        continue;
      }
      // Link web flows to the host's own DNS answers once, now that DNS up to the watermark is in.
      if (host.dnsRecords > 0 && isWebBand(ev.bandAt(s))) {
        const hit = host.answers.lookup(ev.dst[s]!, ev.ts[s]!, 2, grace);
        if (hit !== undefined) {
          ev.addFlags(s, EventFlag.Linked);
          if (ev.name[s] === '') ev.name[s] = hit;
        }
      }
      for (let r = 0; r < rules.length; r++) rules[r]!.step(st[r], host, host.pending, ctx);
      host.pending++;
    }
    // The rules keep what they need in their own accumulators: seen events can go.
    this.#s.eventsWaiting -= host.pending;
    while (host.pending > 0) {
      ev.shift();
      host.pending--;
    }
    if (upTo > host.doneTs) host.doneTs = upTo;
    // Names whose flow should have come by now never will (filtered, late, or never logged).
    if (host.hasNames) this.#s.namesDropped += host.names.prune(upTo === Infinity ? Infinity : upTo - this.#reorder);
    // Answers that no flow from the watermark on can use: keeps the cache at about one TTL of DNS.
    if (upTo !== Infinity) this.#s.answersExpired += host.pruneAnswers(upTo, this.#linkGrace);
    if (upTo !== Infinity) for (let r = 0; r < rules.length; r++) rules[r]!.advance(st[r], host, upTo, ctx);
  }

  #closeHost(host: HostState): void {
    this.#evaluate(host, Infinity);
    const rules = this.#rules;
    for (let r = 0; r < rules.length; r++) rules[r]!.close(host.ruleState[r], host, this.#ctx);
    host.release();
  }

  /**
   * Every minute of stream time: hand each host's events older than the
   * watermark to the rules (batched, so per-call costs are paid per host per
   * minute rather than per record), close windows that ended, drop idle hosts.
   */
  #maybeSweep(): void {
    if (this.#clock - this.#lastSweep < this.#sweepEvery) return;
    this.#lastSweep = this.#clock;
    const watermark = this.#clock - this.#reorder;
    for (const host of this.#hosts.values()) {
      // Settled: nothing waiting and every window closed long ago.
      if (host.events.size === 0 && host.doneTs > host.lastTs + this.#settle) continue;
      this.#evaluate(host, watermark);
    }
    this.#hosts.purgeStale();
  }

  #emit(f: Finding): void {
    if (this.#allow !== undefined && this.#allow.allows(f)) {
      this.#s.suppressed++;
      return;
    }
    this.#s.findings[f.rule] = (this.#s.findings[f.rule] ?? 0) + 1;
    if (this.#onFinding !== undefined) {
      this.#onFinding(f);
      return;
    }
    if (this.#queue.length >= this.#maxQueued) {
      this.#s.droppedFindings++;
      return;
    }
    this.#queue.push(f);
  }
}
