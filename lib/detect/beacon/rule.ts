/**
 * `beacon.runs` and `beacon.score` (DESIGN §4): periodic connections from
 * one internal host to one destination, MITRE T1071.
 *
 * Grouping, per internal source:
 * - by address: (destination address, port, protocol); in rita mode by
 *   destination address only, as RITA does;
 * - by server name when one is known: TLS SNI / HTTP Host (pcap, or Zeek
 *   ssl.log / http.log joined by uid, CONNECT targets included) or, in
 *   default mode, the name from this host's own DNS answers. Behind a proxy
 *   every flow goes to the proxy; the name is what separates the beacon from
 *   the browsing. A named flow counts for its name, not its address.
 *
 * `beacon.runs` is the Elastic seed: ≥ `runThreshold` (10) connections to one
 * public address on the seed ports within `runSpan` (24 h). A run opens at
 * the connection that completes the count and reports once, when its span
 * ends or at end of input, with every connection it saw and the address's
 * beacon score as evidence (a browser's run arrives with a low score and
 * says why).
 *
 * `beacon.score`, default mode: per pair a window (24 h, doubled up to
 * `maxWindow` for slow beacons). The window is scored when it ends, when the
 * pair goes quiet (no connection for max(1 h, 4 × the mean interval), once it
 * has `minConnections`), when the pair is evicted, or at end of input; a
 * finding is emitted at most once per pair per window, never per
 * connection. Score = (0.45·periodicity + 0.35·regularity + 0.2·size) ×
 * (0.4 + 0.6·persistence) − prevalence penalty, where
 * - periodicity = min(1, −log10(p) / 6), p the periodicity test's p-value
 *   (see periodicity.ts); the rule also requires p ≤ `alpha`;
 * - regularity = 1 − min(1, jitter), jitter = 2·MAD/median of the intervals;
 * - size = consistency of the check-ins' originator bytes;
 * - persistence = max(min(1, span / min(2 h, observed)), min(1, (check-ins − 10) / 90)),
 *   where observed is how much stream time the engine has seen: implants
 *   persist, a page polling for a minute of a long capture does not (a short
 *   periodic series scores at most 0.4); a beacon that spans all of a short
 *   capture persists as far as we can tell, and many check-ins (e.g. every
 *   2 s for minutes) count as persistence too;
 * - prevalence penalty = 0.15 × min(1, (hosts − 2) / (commonHosts − 2)) when
 *   more than 2 internal hosts talk to the destination (once the engine
 *   knows 10 hosts).
 *
 * `beacon.score`, rita mode: RITA v5's score exactly (rita.ts), as one RITA
 * import would compute it: whole-second timestamps, windows of
 * max(first, last − 24 h) to the last connection over all hosts, address
 * pairs dropped when their connections also form a qualifying name pair,
 * everything scored at end of input (pairs of evicted hosts wait, bounded by
 * `maxDeferredPairs`).
 *
 * @module
 */

import type { HostState } from '../../correlate/host.js';
import { EventFlag, ProtoNum } from '../../correlate/ring.js';
import { severityOf } from '../../model.js';
import type { EvidenceValue, Finding } from '../../model.js';
import { parseIPv4 } from '../../net/addr.js';
import type { HostRule, RuleContext } from '../rule.js';
import { isoTime, round } from '../rule.js';
import { beaconTechnique, human, pValue, ritaSeverity } from './finding.js';
import type { BeaconOptions } from './options.js';
import { RITA_DEFAULTS } from './options.js';
import { Pair, PairKind, PairStore, Run, Sightings, clockVictim, stringHash } from './pairs.js';
import type { BeaconHostState } from './pairs.js';
import { mergeBursts, periodicity, sizeConsistency } from './periodicity.js';
import type { Periodicity } from './periodicity.js';
import { impactOf, ritaBeacon } from './rita.js';
import type { RitaBeacon, RitaSkip } from './rita.js';

/** Hosts the engine must know before prevalence changes a score. */
const MIN_POPULATION = 10;
/** Eviction looks at this many least recently used pairs and drops the least active. */
const EVICT_SAMPLE = 8;

/** Score weights of default mode (they sum to 1), and the span of full persistence. */
export const BEACON_WEIGHTS = { periodicity: 0.45, regularity: 0.35, size: 0.2 } as const;
export const PERSISTENCE_SPAN = 7200;

/** A default-mode scoring of one pair's window. */
export interface BeaconScore {
  score: number;
  components: { periodicity: number; regularity: number; size: number; persistence: number; prevalencePenalty: number };
  periodicity: Periodicity;
  checkIns: number;
  merged: number;
  sizeMedian: number;
  prevalenceHosts: number;
  /** p ≤ alpha and score ≥ threshold. */
  fires: boolean;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** A server name as a grouping key: lower case, no trailing dot, no `:port` (CONNECT targets carry one). */
export function normalizeServerName(name: string): string {
  let n = name.trim().toLowerCase();
  if (n.startsWith('[')) {
    const end = n.indexOf(']');
    return end > 0 ? n.slice(1, end) : n;
  }
  const colon = n.lastIndexOf(':');
  if (colon > 0 && n.indexOf(':') === colon && /^\d+$/.test(n.slice(colon + 1))) n = n.slice(0, colon);
  if (n.endsWith('.')) n = n.slice(0, -1);
  return n;
}

function protoCode(proto: number): number {
  return proto === ProtoNum.tcp ? 1 : proto === ProtoNum.udp ? 2 : proto === ProtoNum.icmp ? 3 : 0;
}

function protoName(proto: number): string {
  return proto === ProtoNum.tcp ? 'tcp' : proto === ProtoNum.udp ? 'udp' : proto === ProtoNum.icmp ? 'icmp' : String(proto);
}

interface Deferred {
  host: string;
  pair: Pair;
}

export class BeaconRule implements HostRule<BeaconHostState> {
  readonly name = 'beacon';
  readonly allFlows = true;
  readonly #o: BeaconOptions;
  readonly #runsOn: boolean;
  readonly #scoreOn: boolean;
  readonly #rita: boolean;
  readonly #runPort = new Uint8Array(65536);
  readonly #s = {
    pairs: 0,
    pairsCreated: 0,
    pairsEvicted: 0,
    windowsScored: 0,
    windowsExtended: 0,
    failedDropped: 0,
    runs: 0,
    runsEvicted: 0,
    deferred: 0,
    scoredEarly: 0,
    ritaSkipped: 0,
    /** Connections that were a destination's first sighting (no pair made for them yet). */
    firstSightings: 0,
  };
  readonly #store: PairStore;
  readonly #sightings: Sightings | undefined;
  readonly #first = new Float64Array(4);
  // rita mode, engine-wide: the dataset's first and last kept second, pairs waiting for the end.
  #ritaMin = Infinity;
  #ritaMax = -Infinity;
  #deferred: Deferred[] = [];

  constructor(options: BeaconOptions, enabled: { runs: boolean; score: boolean }) {
    this.#o = options;
    this.#runsOn = enabled.runs;
    this.#scoreOn = enabled.score;
    this.#rita = options.mode === 'rita';
    for (const p of options.runPorts) if (p >= 0 && p < 65536) this.#runPort[p] = 1;
    this.#store = new PairStore(options.maxRingSlots, options.maxConnsPerPair, 4096, 64, options.maxPairs);
    if (enabled.score && !this.#rita && options.sightingSlots > 0) this.#sightings = new Sightings(options.sightingSlots);
  }

  init(): BeaconHostState {
    return { pairs: new Map(), runs: undefined, deadline: Infinity, hostHash: -1 };
  }

  stats(): Record<string, number> {
    const si = this.#sightings;
    return {
      ...this.#s,
      deferred: this.#deferred.length,
      ringGrowthRefused: this.#store.refused,
      ringSlots: this.#store.used,
      ringStoreBytes: this.#store.bytes,
      pairRowBytes: this.#store.rowBytes,
      sightingsHeld: si?.stored ?? 0,
      sightingsPromoted: si?.promoted ?? 0,
      sightingsOverwritten: si?.overwritten ?? 0,
    };
  }

  step(st: BeaconHostState, host: HostState, i: number, ctx: RuleContext): void {
    const ev = host.events;
    const s = ev.slot(i);
    const ts = ev.ts[s]!;
    if (ts >= st.deadline) this.#due(st, host, ts, ctx);
    const flags = ev.flagsAt(s);
    const pub = (flags & EventFlag.Public) !== 0;
    const proto = ev.protoAt(s);
    const port = proto === ProtoNum.tcp || proto === ProtoNum.udp ? ev.portAt(s) : 0;
    if (this.#runsOn && pub && port !== 0 && this.#runPort[port] === 1) this.#runStep(st, host, ts, ev.dst[s]!, port, ctx);
    if (!this.#scoreOn) return;
    if (this.#rita) this.#ritaStep(st, host, s, ts, flags, port, proto, ctx);
    else this.#defaultStep(st, host, s, ts, flags, port, proto, ctx);
  }

  advance(st: BeaconHostState, host: HostState, now: number, ctx: RuleContext): void {
    if (now >= st.deadline) this.#due(st, host, now, ctx);
  }

  close(st: BeaconHostState, host: HostState, ctx: RuleContext): void {
    if (st.runs !== undefined) {
      for (const r of st.runs.values()) this.#closeRun(st, host, r, ctx);
      this.#s.runs -= st.runs.size;
      st.runs.clear();
    }
    if (this.#rita) this.#ritaClose(st, host, ctx);
    else for (const p of st.pairs.values()) this.#closeWindow(st, host, p, ctx);
    this.#s.pairs -= st.pairs.size;
    if (!this.#rita) for (const p of st.pairs.values()) p.release(); // rita mode released or deferred them above
    st.pairs.clear();
    st.deadline = Infinity;
  }

  finish(ctx: RuleContext): void {
    if (!this.#rita) return;
    const list = this.#deferred;
    this.#deferred = [];
    for (const d of list) {
      this.#ritaScore(d.host, d.pair, ctx);
      d.pair.release();
    }
  }

  // ---- shared ----------------------------------------------------------

  /** Close what is due at `now`, then recompute the host's deadline. */
  #due(st: BeaconHostState, host: HostState, now: number, ctx: RuleContext): void {
    let next = Infinity;
    if (!this.#rita) {
      for (const p of st.pairs.values()) {
        if (p.due <= now) this.#closeWindow(st, host, p, ctx, now);
        if (p.due < next) next = p.due;
      }
    }
    if (st.runs !== undefined) {
      for (const r of st.runs.values()) {
        if (r.due <= now) this.#closeRun(st, host, r, ctx);
        if (r.due < next) next = r.due;
      }
    }
    st.deadline = next;
  }

  /** The pair for `key` (its CLOCK bit set), or a new one (evicting when the table is full). */
  #pair(st: BeaconHostState, host: HostState, key: number | string, kind: PairKind, name: string, dst: string, port: number, proto: number, ctx: RuleContext): Pair {
    const p = st.pairs.get(key);
    if (p !== undefined) {
      p.ref = true;
      return p;
    }
    return this.#newPair(st, host, key, kind, name, dst, port, proto, ctx);
  }

  /** A new pair for `key`, which has none (evicting when the table is full). */
  #newPair(st: BeaconHostState, host: HostState, key: number | string, kind: PairKind, name: string, dst: string, port: number, proto: number, ctx: RuleContext): Pair {
    const pairs = st.pairs;
    // Per host, and over all hosts (a host over the global budget gives up one of its own pairs).
    if (pairs.size >= this.#o.maxPairsPerHost || (this.#s.pairs >= this.#o.maxPairs && pairs.size > 0)) this.#evict(st, host, ctx);
    const p = new Pair(key, kind, name, dst, port, proto, this.#store);
    pairs.set(key, p);
    this.#s.pairs++;
    this.#s.pairsCreated++;
    // With sightings, the host was counted for this destination at its first sighting.
    if (this.#sightings === undefined) ctx.prevalence.add(kind === PairKind.Name ? name : dst, host.ip);
    return p;
  }

  /** Drop the least active of the least recently used pairs, after it emits what it holds. */
  #evict(st: BeaconHostState, host: HostState, ctx: RuleContext): void {
    const key = clockVictim(st.pairs, EVICT_SAMPLE);
    const victim = key === undefined ? undefined : st.pairs.get(key);
    if (victim === undefined) return;
    if (this.#rita) {
      if (this.#ritaShadowed(st, victim) || !this.#ritaDefer(host.ip, victim, ctx)) victim.release();
    } else {
      this.#closeWindow(st, host, victim, ctx);
      victim.release();
    }
    st.pairs.delete(victim.key);
    this.#s.pairs--;
    this.#s.pairsEvicted++;
  }

  // ---- default mode ----------------------------------------------------

  #defaultStep(st: BeaconHostState, host: HostState, s: number, ts: number, flags: number, port: number, proto: number, ctx: RuleContext): void {
    const ev = host.events;
    const o = this.#o;
    const pub = (flags & EventFlag.Public) !== 0;
    const proxied = (flags & EventFlag.Proxied) !== 0;
    const rawName = ev.name[s]!;
    const dst = ev.dst[s]!;
    let key: number | string;
    let kind: PairKind;
    let name = '';
    if (rawName !== '' && (pub || proxied || o.internal)) {
      name = normalizeServerName(rawName);
      // The name itself: address keys are numbers or contain '|', which no name does.
      key = name;
      kind = PairKind.Name;
    } else if (pub || o.internal) {
      const v4 = parseIPv4(dst);
      key = v4 >= 0 ? v4 * 262_144 + port * 4 + protoCode(proto) : `${dst}|${port}|${proto}`;
      kind = PairKind.Address;
    } else return;
    const failed = o.dropFailed && (flags & EventFlag.Failed) !== 0;
    const ob = ev.origBytesAt(s);
    const size = ob >= 0 ? ob : ev.origIpBytesAt(s);
    let p = st.pairs.get(key);
    if (p !== undefined) p.ref = true;
    else {
      if (failed) {
        // A failed connection to a destination without a pair makes none.
        this.#s.failedDropped++;
        return;
      }
      const si = this.#sightings;
      let replay = false;
      if (si !== undefined) {
        if (st.hostHash < 0) st.hostHash = stringHash(host.ip);
        if (!si.take(st.hostHash, key, ts, size, ob, ev.respBytesAt(s), this.#first)) {
          // First sighting: remembered in the fixed table; the host counts for the destination's prevalence now.
          this.#s.firstSightings++;
          ctx.prevalence.add(kind === PairKind.Name ? name : dst, host.ip);
          return;
        }
        replay = true;
      }
      p = this.#newPair(st, host, key, kind, name, dst, port, proto, ctx);
      if (replay) {
        const f = this.#first;
        p.open(Math.min(f[0]!, ts), o.window);
        p.push(f[0]!, f[1]!, f[2]!, f[3]!);
      }
    }
    if (failed) {
      if (!Number.isNaN(p.start)) p.failed++;
      this.#s.failedDropped++;
      return;
    }
    if (Number.isNaN(p.start)) {
      p.open(ts, o.window);
      if (p.emitted > 0) ctx.prevalence.add(p.kind === PairKind.Name ? p.name : dst, host.ip);
    }
    p.push(ts, size, ob, ev.respBytesAt(s));
    p.note(dst, port);
    if (proxied) p.proxied = true;
    if (flags & EventFlag.Named) p.named = true;
    this.#setDue(st, p);
  }

  #setDue(st: BeaconHostState, p: Pair): void {
    let due = p.start + p.win;
    if (p.count >= this.#o.minConnections) {
      const quiet = Math.max(3600, (4 * (p.last - p.first)) / (p.count - 1));
      if (p.last + quiet < due) due = p.last + quiet;
    }
    p.due = due;
    if (due < st.deadline) st.deadline = due;
  }

  /** Score and close the pair's window (or extend it for a slow beacon). `now` undefined: end of input or eviction. */
  #closeWindow(st: BeaconHostState, host: HostState, p: Pair, ctx: RuleContext, now?: number): void {
    if (Number.isNaN(p.start)) {
      p.due = Infinity;
      return;
    }
    const o = this.#o;
    if (now !== undefined && now >= p.start + p.win && p.win < o.maxWindow) {
      // A slow beacon: too few check-ins for this window, and its pace says a longer one would hold enough.
      const mean = p.count >= 2 ? (p.last - p.first) / (p.count - 1) : p.win;
      if (p.count < o.minConnections && mean * o.minConnections > p.win * 0.5) {
        p.win = Math.min(o.maxWindow, p.win * 2);
        this.#s.windowsExtended++;
        this.#setDue(st, p);
        return;
      }
    }
    if (p.count >= o.minConnections) {
      this.#s.windowsScored++;
      const r = this.scoreWindow(p, host, ctx);
      if (r !== undefined && r.fires) ctx.emit(this.#defaultFinding(host, p, r));
    }
    p.reset();
  }

  /** Default-mode score of the pair's current window (exposed for tests and the runs evidence). */
  scoreWindow(p: Pair, host: HostState, ctx: RuleContext): BeaconScore | undefined {
    const o = this.#o;
    const n = p.size;
    if (n < 4) return undefined;
    const ts = new Float64Array(n);
    const sz = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = p.tsAt(i);
      sz[i] = p.sizeAt(i);
    }
    const ci = mergeBursts(ts, sz, n, o.burstGap);
    if (ci.n < Math.min(o.minConnections, n)) return undefined;
    const per = periodicity(ci.ts, ci.n, o.tolerance, o.burstGap);
    if (per === undefined) return undefined;
    const size = sizeConsistency(ci.size, ci.n);
    const span = p.last - p.first;
    const population = ctx.hostCount();
    const prevalenceHosts = ctx.prevalence.count(p.kind === PairKind.Name ? p.name : p.dst);
    const penalty =
      population >= MIN_POPULATION && prevalenceHosts > 2 ? 0.15 * clamp01((prevalenceHosts - 2) / Math.max(1, o.commonHosts - 2)) : 0;
    const components = {
      periodicity: clamp01(-Math.log10(Math.max(per.pValue, 1e-300)) / 6),
      regularity: 1 - Math.min(1, per.jitter),
      size: size.score,
      persistence: Math.max(Math.min(1, span / Math.max(1, Math.min(PERSISTENCE_SPAN, ctx.observedSpan()))), clamp01((ci.n - 10) / 90)),
      prevalencePenalty: penalty,
    };
    const score = round(
      clamp01(
        (BEACON_WEIGHTS.periodicity * components.periodicity +
          BEACON_WEIGHTS.regularity * components.regularity +
          BEACON_WEIGHTS.size * components.size) *
          (0.4 + 0.6 * components.persistence) -
          penalty,
      ),
    );
    void host;
    return {
      score,
      components,
      periodicity: per,
      checkIns: ci.n,
      merged: ci.merged,
      sizeMedian: size.median,
      prevalenceHosts,
      fires: per.pValue <= o.alpha && score >= o.scoreThreshold,
    };
  }

  #target(p: Pair): string {
    if (p.kind === PairKind.Name) return p.proxied ? `${p.name} (via proxy ${p.dst}:${p.port})` : p.name;
    return p.proto === ProtoNum.tcp || p.proto === ProtoNum.udp ? `${p.dst}:${p.port}/${protoName(p.proto)}` : `${p.dst} (${protoName(p.proto)})`;
  }

  #defaultFinding(host: HostState, p: Pair, r: BeaconScore): Finding {
    const per = r.periodicity;
    p.emitted++;
    const hours = p.hoursActive();
    const o = this.#o;
    const evidence: Record<string, EvidenceValue> = {
      mode: 'default',
      key: p.kind === PairKind.Name ? 'name' : 'address',
      proto: protoName(p.proto),
      windowStart: isoTime(p.start),
      windowSeconds: p.win,
      connections: p.count,
      checkIns: r.checkIns,
      burstMerged: r.merged,
      failedDropped: p.failed,
      periodSeconds: round(per.period, 3),
      jitter: round(per.jitter, 3),
      jitterSeconds: round(2 * per.mad, 3),
      intervalQ1: round(per.q1, 3),
      intervalMedian: round(per.median, 3),
      intervalQ3: round(per.q3, 3),
      onPeriodShare: round(per.onPeriodShare, 3),
      pValue: pValue(per.pValue),
      alpha: o.alpha,
      score_periodicity: round(r.components.periodicity),
      score_regularity: round(r.components.regularity),
      score_size: round(r.components.size),
      score_persistence: round(r.components.persistence),
      prevalencePenalty: round(r.components.prevalencePenalty),
      prevalenceHosts: r.prevalenceHosts,
      bytesOutMedian: round(r.sizeMedian, 1),
      bytesOutMean: p.knownOut ? round(p.bytesOut / p.knownOut, 1) : -1,
      bytesInMean: p.knownIn ? round(p.bytesIn / p.knownIn, 1) : -1,
      bytesOutTotal: p.bytesOut,
      bytesInTotal: p.bytesIn,
      hoursActive: hours.active,
      longestRunHours: hours.longestRun,
      proxied: p.proxied,
      findingNumber: p.emitted,
      ringOverflow: p.overflow,
    };
    const reasons = [
      `beacon every ${human(per.period)} ±${Math.round(per.jitter * 100)} % to ${this.#target(p)} (${r.checkIns} check-ins over ${human(p.last - p.first)})`,
      `periodic: ${per.onPeriod}/${per.intervals} intervals within ±${Math.round(o.tolerance * 100)} % of the median ${human(per.median)} (p = ${pValue(per.pValue)} against random timing)`,
    ];
    if (r.components.size >= 0.8 && r.sizeMedian >= 0) reasons.push(`consistent request size (median ${Math.round(r.sizeMedian)} B per check-in)`);
    if (p.failed > 0) reasons.push(`${p.failed} failed connection(s) left out`);
    if (r.merged > 0) reasons.push(`${r.merged} connection(s) within ${o.burstGap} s of a check-in merged into it`);
    if (p.proxied) reasons.push('through a proxy: grouped by the CONNECT / Host name');
    if (r.components.prevalencePenalty > 0) reasons.push(`${r.prevalenceHosts} internal hosts talk to this destination: score lowered by ${round(r.components.prevalencePenalty, 2)}`);
    if (p.emitted > 1) reasons.push(`still beaconing: finding ${p.emitted} for this pair`);
    return {
      rule: 'beacon.score',
      technique: beaconTechnique(p.port, p.named || p.kind === PairKind.Name),
      techniqueAliases: [],
      source: { ip: host.ip },
      destination: { ip: p.dsts, port: p.ports, domain: p.kind === PairKind.Name ? [p.name] : [] },
      first_seen: isoTime(p.first),
      last_seen: isoTime(p.last),
      score: r.score,
      severity: severityOf(r.score),
      evidence,
      reasons,
    };
  }

  // ---- beacon.runs -----------------------------------------------------

  #runStep(st: BeaconHostState, host: HostState, ts: number, dst: string, port: number, ctx: RuleContext): void {
    const o = this.#o;
    const runs = (st.runs ??= new Map());
    let r = runs.get(dst);
    if (r !== undefined) r.ref = true;
    else {
      if (runs.size >= o.maxPairsPerHost) {
        const oldest = runs.get(clockVictim(runs, EVICT_SAMPLE)!)!;
        this.#closeRun(st, host, oldest, ctx);
        runs.delete(oldest.dst);
        this.#s.runs--;
        this.#s.runsEvicted++;
      }
      r = new Run(dst, o.runThreshold);
      runs.set(dst, r);
      this.#s.runs++;
    }
    if (!Number.isNaN(r.first) && ts >= r.first + o.runSpan) this.#closeRun(st, host, r, ctx);
    const back = r.add(ts);
    if (Number.isNaN(r.first)) {
      if (!Number.isNaN(back) && ts - back <= o.runSpan) {
        r.first = back;
        r.inRun = o.runThreshold;
        r.last = ts;
        r.ports.length = 0;
        r.due = r.first + o.runSpan;
        if (r.due < st.deadline) st.deadline = r.due;
      }
    } else {
      r.inRun++;
      r.last = ts;
    }
    r.noteport(port);
  }

  #closeRun(st: BeaconHostState, host: HostState, r: Run, ctx: RuleContext): void {
    if (Number.isNaN(r.first)) {
      r.due = Infinity;
      return;
    }
    // The address's beacon score, from the busiest pair that reaches it (default mode).
    let best: Pair | undefined;
    for (const p of st.pairs.values()) if (p.reaches(r.dst) && (best === undefined || p.count > best.count)) best = p;
    const sc = best !== undefined && !this.#rita ? this.scoreWindow(best, host, ctx) : undefined;
    const score = sc?.score ?? 0;
    const o = this.#o;
    const evidence: Record<string, EvidenceValue> = {
      connections: r.inRun,
      threshold: o.runThreshold,
      spanSeconds: round(r.last - r.first, 3),
      runSpanSeconds: o.runSpan,
      ports: r.ports.slice().sort((a, b) => a - b),
      beaconScore: sc?.score ?? -1,
    };
    const reasons = [`${r.inRun} connections to ${r.dst} on port${r.ports.length > 1 ? 's' : ''} ${r.ports.join(', ')} within ${human(r.last - r.first)} (seed threshold ${o.runThreshold} in ${human(o.runSpan)})`];
    if (sc !== undefined) {
      evidence['periodSeconds'] = round(sc.periodicity.period, 3);
      evidence['jitter'] = round(sc.periodicity.jitter, 3);
      evidence['pValue'] = pValue(sc.periodicity.pValue);
      evidence['checkIns'] = sc.checkIns;
      reasons.push(
        sc.periodicity.pValue <= o.alpha
          ? `periodic: every ${human(sc.periodicity.period)} ±${Math.round(sc.periodicity.jitter * 100)} % (p = ${pValue(sc.periodicity.pValue)}), beacon score ${sc.score}`
          : `not periodic: ${sc.periodicity.onPeriod}/${sc.periodicity.intervals} intervals near the median (p = ${pValue(sc.periodicity.pValue)}), beacon score ${sc.score}`,
      );
    } else reasons.push(this.#rita ? 'beacon score: see beacon.score (rita mode scores at end of input)' : 'too few check-ins for a beacon score');
    ctx.emit({
      rule: 'beacon.runs',
      technique: beaconTechnique(r.ports[0] ?? 0, false),
      techniqueAliases: [],
      source: { ip: host.ip },
      destination: { ip: [r.dst], port: r.ports.slice().sort((a, b) => a - b), domain: best !== undefined && best.kind === PairKind.Name ? [best.name] : [] },
      first_seen: isoTime(r.first),
      last_seen: isoTime(r.last),
      score,
      severity: severityOf(score),
      evidence,
      reasons,
    });
    r.first = NaN;
    r.last = NaN;
    r.inRun = 0;
    r.due = Infinity;
    void st;
  }

  // ---- rita mode -------------------------------------------------------

  #ritaStep(st: BeaconHostState, host: HostState, s: number, ts: number, flags: number, port: number, proto: number, ctx: RuleContext): void {
    const ev = host.events;
    const dst = ev.dst[s]!;
    // RITA keeps internal → external connections (its never-included list ≈ our non-public list).
    const external = (flags & EventFlag.Public) !== 0 && !ctx.isLocal(dst);
    const rawName = flags & EventFlag.Named ? ev.name[s]! : '';
    // Names: SNI / Host to an external server, or an HTTP CONNECT target through any proxy (RITA drops the rest as internal → internal).
    const nameKey = rawName !== '' && (external || (flags & EventFlag.Connect) !== 0) ? `n:${rawName}` : '';
    if (!external && nameKey === '') return;
    const t = Math.trunc(ts);
    if (t < this.#ritaMin) this.#ritaMin = t;
    if (t > this.#ritaMax) this.#ritaMax = t;
    const cutoff = this.#ritaCutoff();
    const ob = ev.origBytesAt(s);
    const oib = ev.origIpBytesAt(s);
    const rb = ev.respBytesAt(s);
    if (external) {
      const p = this.#pair(st, host, dst, PairKind.Address, '', dst, port, proto, ctx);
      this.#ritaPush(p, t, ob, oib, rb, cutoff);
      p.note(dst, port);
      if (nameKey !== '') {
        p.links ??= [];
        if (p.links.length < 64 && !p.links.includes(nameKey)) p.links.push(nameKey);
      }
    }
    if (nameKey !== '') {
      const p = this.#pair(st, host, nameKey, PairKind.Name, rawName, dst, port, proto, ctx);
      this.#ritaPush(p, t, ob, oib, rb, cutoff);
      p.note(dst, port);
      if (flags & EventFlag.Proxied) p.proxied = true;
      p.named = true;
    }
  }

  /** RITA reads connections from the start of the hour of (last − 24 h). */
  #ritaCutoff(): number {
    return Math.floor((this.#ritaMax - 86_400) / 3600) * 3600;
  }

  #ritaPush(p: Pair, t: number, ob: number, oib: number, rb: number, cutoff: number): void {
    if (Number.isNaN(p.start)) p.open(t, 0);
    while (p.size > 0 && p.tsAt(0) < cutoff) p.shift();
    // RITA scores the originator's IP bytes.
    p.push(t, oib >= 0 ? oib : Math.max(0, ob), ob, rb);
  }

  /** Distinct seconds of a pair at or after `cutoff` (ring timestamps are whole seconds, ascending per host). */
  #unique(p: Pair, cutoff: number): number {
    let n = 0;
    let prev = NaN;
    for (let i = 0; i < p.size; i++) {
      const t = p.tsAt(i);
      if (t < cutoff || t === prev) continue;
      n++;
      prev = t;
    }
    return n;
  }

  #ritaClose(st: BeaconHostState, host: HostState, ctx: RuleContext): void {
    const cutoff = this.#ritaCutoff();
    // Name pairs that RITA would analyse (≥ 4 distinct seconds, not a strobe) take their connections
    // away from address pairs: RITA drops an address pair any of whose connections is in one.
    const qualifying = new Set<string>();
    for (const p of st.pairs.values()) {
      if (p.kind === PairKind.Name && !p.overflow && this.#unique(p, cutoff) >= RITA_DEFAULTS.uniqueConnectionThreshold) qualifying.add(p.key as string);
    }
    for (const p of st.pairs.values()) {
      if (p.kind === PairKind.Address && p.links !== undefined && p.links.some((k) => qualifying.has(k))) p.release();
      else if (!this.#ritaDefer(host.ip, p, ctx)) p.release();
    }
  }

  /** An address pair some of whose connections form a name pair RITA analyses (checked against the host's current pairs). */
  #ritaShadowed(st: BeaconHostState, p: Pair): boolean {
    if (p.kind !== PairKind.Address || p.links === undefined) return false;
    const cutoff = this.#ritaCutoff();
    for (const k of p.links) {
      const n = st.pairs.get(k);
      if (n !== undefined && !n.overflow && this.#unique(n, cutoff) >= RITA_DEFAULTS.uniqueConnectionThreshold) return true;
    }
    return false;
  }

  /** Keep the pair for scoring at end of input (true), or score it now / drop it (false: the caller may release it). */
  #ritaDefer(hostIp: string, p: Pair, ctx: RuleContext): boolean {
    if (p.size < RITA_DEFAULTS.uniqueConnectionThreshold) return false;
    if (this.#deferred.length < this.#o.maxDeferredPairs) {
      this.#deferred.push({ host: hostIp, pair: p });
      return true;
    }
    this.#s.scoredEarly++;
    this.#ritaScore(hostIp, p, ctx);
    return false;
  }

  /** RITA's score for a pair with the dataset bounds known now. */
  ritaScorePair(p: Pair): RitaBeacon | RitaSkip {
    const max = this.#ritaMax;
    const min = Math.max(this.#ritaMin, max - 86_400);
    const cutoff = Math.floor(min / 3600) * 3600;
    if (p.overflow) return 'strobe';
    const ts: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < p.size; i++) {
      const t = p.tsAt(i);
      if (t < cutoff) continue;
      ts.push(t);
      bytes.push(p.sizeAt(i));
    }
    const tsa = Float64Array.from(ts).sort();
    return ritaBeacon(tsa, Float64Array.from(bytes), min, max);
  }

  #ritaScore(hostIp: string, p: Pair, ctx: RuleContext): void {
    const r = this.ritaScorePair(p);
    if (typeof r === 'string') {
      this.#s.ritaSkipped++;
      return;
    }
    this.#s.windowsScored++;
    if (r.score < this.#o.scoreThreshold) return;
    const max = this.#ritaMax;
    const min = Math.max(this.#ritaMin, max - 86_400);
    const impact = impactOf(r.threat);
    const evidence: Record<string, EvidenceValue> = {
      mode: 'rita',
      key: p.kind === PairKind.Name ? 'name' : 'address',
      connections: r.count,
      uniqueSeconds: r.unique,
      datasetStart: isoTime(min),
      datasetEnd: isoTime(max),
      score_ts: r.ts.score,
      score_ds: r.ds.score,
      score_hist: r.hist.score,
      score_dur: r.dur.score,
      ts_skew: round(r.ts.skew, 4),
      ts_skewScore: round(r.ts.skewScore, 4),
      ts_mad: r.ts.mad,
      ts_madScore: round(r.ts.madScore, 4),
      ts_medianInterval: r.ts.median,
      ts_modeInterval: r.ts.mode,
      ts_modeCount: r.ts.modeCount,
      ds_skew: round(r.ds.skew, 4),
      ds_mad: r.ds.mad,
      ds_median: r.ds.median,
      ds_madScore: round(r.ds.madScore, 4),
      ds_mode: r.ds.mode,
      hist_counts: Array.from(r.hist.counts),
      hist_cv: round(r.hist.cv, 4),
      hist_cvScore: r.hist.cvScore,
      hist_bimodalFit: r.hist.bimodalFit,
      hist_bars: r.hist.totalBars,
      hist_longestRun: r.hist.longestRun,
      dur_coverage: r.dur.coverage,
      dur_consistency: r.dur.consistency,
      threatScore: round(r.threat, 4),
      impact,
      proxied: p.proxied,
    };
    const first = Math.max(p.first, Math.floor(min / 3600) * 3600);
    ctx.emit({
      rule: 'beacon.score',
      technique: beaconTechnique(p.port, p.kind === PairKind.Name),
      techniqueAliases: [],
      source: { ip: hostIp },
      destination: { ip: p.dsts, port: p.ports, domain: p.kind === PairKind.Name ? [p.name] : [] },
      first_seen: isoTime(first),
      last_seen: isoTime(p.last),
      score: r.score,
      severity: ritaSeverity(impact),
      evidence,
      reasons: [
        `RITA beacon score ${r.score} to ${p.kind === PairKind.Name ? p.name : p.dst} (timestamps ${r.ts.score}, data size ${r.ds.score}, histogram ${r.hist.score}, duration ${r.dur.score})`,
        `${r.count} connections, ${r.unique} distinct seconds; RITA threat bucket ${impact} (${round(r.threat, 3)})`,
      ],
    });
  }
}
