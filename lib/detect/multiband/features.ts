/**
 * The network evidence behind every multiband finding (DESIGN §3), computed
 * over one host's events in a time span. The same numbers explain the seed
 * rules' findings and make the `multiband.score` rule.
 *
 * Score = 0.25·publicDns + 0.15·alternation + 0.20·directToIp
 *       + 0.20·dnsShape  + 0.10·regularity  + 0.10·rarity
 *
 * - publicDns: share of the host's DNS flows that went to public resolvers
 *   rather than the site's own.
 * - alternation: DNS↔web band switches in time order, counting only web flows
 *   that did not go to an address from the host's own DNS answers (a fetch of
 *   what was just resolved is one activity, not two bands):
 *   min(1, n/6) × n / (2·min(DNS flows, such web flows)).
 * - directToIp: share of web flows whose destination was not in this host's
 *   own recent DNS answers; 0.5 when the host has no DNS records at all
 *   (conn.log without dns.log), so missing data neither damns nor clears.
 * - dnsShape: the queries toward the most-queried registered domain look like
 *   a tunnel: many unique subdomains, long and high-entropy labels, TXT/NULL/
 *   CNAME query types, NXDOMAIN answers; scaled by (0.5 + 0.5 × that domain's
 *   share of the window's queries), since a tunnel concentrates them.
 * - regularity: the most regular of the DNS and web bands, 1 − MAD/median of
 *   its intervals (needs ≥ 3 intervals).
 * - rarity: web destinations that few internal hosts talk to (prevalence);
 *   0.5 while the engine knows fewer than 10 hosts.
 *
 * @module
 */

import type { HostState } from '../../correlate/host.js';
import { EventFlag } from '../../correlate/ring.js';
import type { EvidenceValue } from '../../model.js';
import { Band, isWebBand } from '../bands.js';
import { entropy, registeredDomain, subdomainOf } from '../domain.js';
import type { RuleContext } from '../rule.js';
import { round } from '../rule.js';

/** Tunables of the multiband rules (all stream-time seconds). */
export interface MultibandOptions {
  /** Longest DNS → web gap that still pairs (EQL `maxspan`). Default 600. */
  maxspan: number;
  /** Slice length of `multiband.timeslice`, aligned to the epoch. Default 600. */
  sliceSeconds: number;
  /** `multiband.score` fires at or above this. Default 0.5. */
  scoreThreshold: number;
  /** A finding (sequence episode or score episode) covers at most this long; a longer run starts a new one. Default 3600. */
  maxFindingSpan: number;
  /** A cached DNS answer still links a web flow this long after its TTL ran out (clients keep answers past TTL). Default 300. */
  linkGrace: number;
}

export const DEFAULT_MULTIBAND: MultibandOptions = {
  maxspan: 600,
  sliceSeconds: 600,
  scoreThreshold: 0.5,
  maxFindingSpan: 3600,
  linkGrace: 300,
};

/** Weights of the score components; they sum to 1. */
export const SCORE_WEIGHTS = {
  publicDns: 0.25,
  alternation: 0.15,
  directToIp: 0.2,
  dnsShape: 0.2,
  regularity: 0.1,
  rarity: 0.1,
} as const;

const MAX_LISTED = 8;
/** Hosts the engine must know before rarity (prevalence) is taken as evidence. */
export const MIN_POPULATION = 10;

/** The evidence and its score. */
export interface MultibandFeatures {
  score: number;
  components: { publicDns: number; alternation: number; directToIp: number; dnsShape: number; regularity: number; rarity: number };
  dnsFlows: number;
  publicDnsFlows: number;
  webFlows: number;
  otherFlows: number;
  resolvers: string[];
  webDestinations: string[];
  ports: number[];
  alternations: number;
  webLinked: number;
  webUnlinked: number;
  /** False when the host had no DNS records, so linkage is unknown. */
  linkKnown: boolean;
  topDomain: string;
  topDomainQueries: number;
  /** Share of the window's queries that went to the top domain. */
  topDomainShare: number;
  uniqueSubdomains: number;
  meanSubdomainLength: number;
  subdomainEntropy: number;
  rareQtypeShare: number;
  nxdomainShare: number;
  queriedNames: string[];
  regularityDns: number;
  regularityWeb: number;
  maxPrevalence: number;
  /** Non-DNS connections to an address this host used as a resolver (e.g. 1.1.1.1:8888). */
  resolverOtherPorts: number;
}

/** Median of `xs`, which it sorts in place (a typed array sorts numerically, without a comparator call per step). */
function medianInPlace(xs: Float64Array): number {
  if (xs.length === 0) return 0;
  xs.sort();
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
}

/** 1 − MAD/median of the intervals between times (≥ 3 intervals), else 0. */
export function regularity(times: ArrayLike<number>): number {
  if (times.length < 4) return 0;
  const iv = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) iv[i - 1] = times[i]! - times[i - 1]!;
  const med = medianInPlace(iv);
  if (med <= 0) return 0;
  for (let i = 0; i < iv.length; i++) iv[i] = Math.abs(iv[i]! - med);
  const mad = medianInPlace(iv);
  return Math.max(0, 1 - mad / med);
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Timestamps kept per band for the regularity component (the most recent ones). */
const TIMES_KEPT = 64;

/**
 * Accumulates the evidence of one window (an episode or a slice) as the
 * rules step through a host's events, so nothing has to stay in the event
 * ring once the rules have seen it. Bounded: listed addresses, ports and
 * timestamps are capped; counts are exact. Reset and reused, not reallocated.
 */
export class FeatureAccumulator {
  first = Infinity;
  last = -Infinity;
  dnsFlows = 0;
  publicDnsFlows = 0;
  webFlows = 0;
  otherFlows = 0;
  alternations = 0;
  webLinked = 0;
  webUnlinked = 0;
  #lastKind = 0; // 1 dns, 2 web (unlinked)
  // Short lists, each the shared empty one until a first value, then rebuilt at its exact size on
  // every new value (values are few and capped): a pushed-to array keeps room for 17, and a host
  // has fifteen of these lists.
  resolvers: readonly string[] = NONE;
  webDst: readonly string[] = NONE;
  ports: readonly number[] = NONE;
  names: readonly string[] = NONE;
  #otherDst: readonly string[] = NONE;
  /**
   * The latest DNS times at [0, capD) and web times at [capD, capD + capW),
   * each side a ring once full. A side has 4 slots until it needs a fifth,
   * then TIMES_KEPT: one step, not doubling (middle-sized buffers freed by
   * the thousand fragment the allocator). Every host has three
   * accumulators, and two 64-slot typed arrays each from the first event on
   * (view, buffer and 512 bytes apiece) were ~4 KB a host even for a host
   * with a handful of events; one array sized per side is 64 bytes for such
   * a host, and never more than the two were. A typed array, not a plain
   * one: a busy host's times stay off the V8 heap, whose growth room
   * doubles what lives on it in RSS.
   */
  #times: Float64Array | undefined;
  #capD = 0;
  #capW = 0;
  #dnsN = 0;
  #webN = 0;

  /** Nothing added since the last reset. */
  get empty(): boolean {
    return this.first === Infinity;
  }

  reset(): void {
    this.first = Infinity;
    this.last = -Infinity;
    this.dnsFlows = this.publicDnsFlows = this.webFlows = this.otherFlows = 0;
    this.alternations = this.webLinked = this.webUnlinked = 0;
    this.#lastKind = 0;
    this.resolvers = NONE;
    this.webDst = NONE;
    this.ports = NONE;
    this.names = NONE;
    this.#otherDst = NONE;
    this.#dnsN = this.#webN = 0;
  }

  /**
   * Add the event in ring slot `s` of the host. The engine has already set
   * its Linked flag and, for linked flows, the name the answer was for.
   */
  add(host: HostState, s: number): void {
    const ev = host.events;
    const ts = ev.ts[s]!;
    const band = ev.bandAt(s);
    const dst = ev.dst[s]!;
    const port = ev.portAt(s);
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
    this.ports = withValue(this.ports, port, 32);
    if (band === Band.DNS) {
      this.dnsFlows++;
      if (ev.flagsAt(s) & EventFlag.Public) this.publicDnsFlows++;
      this.resolvers = withValue(this.resolvers, dst, MAX_LISTED);
      const n = this.#dnsN++;
      if (n === this.#capD && n < TIMES_KEPT) this.#growTimes(true);
      this.#times![n % this.#capD] = ts;
      if (this.#lastKind === 2) this.alternations++;
      this.#lastKind = 1;
    } else if (isWebBand(band)) {
      this.webFlows++;
      this.webDst = withValue(this.webDst, dst, MAX_LISTED);
      const n = this.#webN++;
      if (n === this.#capW && n < TIMES_KEPT) this.#growTimes(false);
      this.#times![this.#capD + (n % this.#capW)] = ts;
      if (ev.flagsAt(s) & EventFlag.Linked) {
        this.webLinked++;
      } else {
        this.webUnlinked++;
        // A web flow to an address the DNS just answered is name resolution, not a
        // second band: only web flows that did not come from the host's own answers
        // alternate with DNS (all of them when linkage is unknown).
        if (this.#lastKind === 1) this.alternations++;
        this.#lastKind = 2;
      }
      const name = ev.name[s]!;
      if (name !== '') this.names = withValue(this.names, name.toLowerCase(), MAX_LISTED);
    } else {
      this.otherFlows++;
      this.#otherDst = withValue(this.#otherDst, dst, 16);
    }
  }

  /** The evidence and score of everything added. */
  finish(host: HostState, ctx: RuleContext): MultibandFeatures {
    const t = this.#times;
    return computeFeatures(this, host, ctx, times(t, 0, this.#capD, this.#dnsN), times(t, this.#capD, this.#capW, this.#webN), this.#otherDst);
  }

  /** Grow one side's ring (first use: 4 slots each side; then that side to TIMES_KEPT). Only before that side wraps. */
  #growTimes(dnsSide: boolean): void {
    const old = this.#times;
    const od = this.#capD;
    const ow = this.#capW;
    let cd = od;
    let cw = ow;
    if (old === undefined) cd = cw = 4;
    else if (dnsSide) cd = TIMES_KEPT;
    else cw = TIMES_KEPT;
    const t = new Float64Array(cd + cw);
    if (old !== undefined) {
      for (let i = 0; i < od; i++) t[i] = old[i]!;
      for (let i = 0; i < ow; i++) t[cd + i] = old[od + i]!;
    }
    this.#times = t;
    this.#capD = cd;
    this.#capW = cw;
  }
}

/** The shared empty list (frozen: nothing may push to it). */
const NONE: readonly never[] = Object.freeze([]);

/** `list` with `x` appended at exact size, or `list` itself when `x` is in it or it holds `cap` values. */
function withValue<T>(list: readonly T[], x: T, cap: number): readonly T[] {
  return list.length < cap && !list.includes(x) ? [...list, x] : list;
}

/** The kept timestamps in time order. */
function times(ring: Float64Array | undefined, off: number, cap: number, n: number): Float64Array {
  if (ring === undefined || n === 0) return NO_TIMES;
  const k = Math.min(n, cap);
  const out = new Float64Array(k);
  for (let i = n - k, j = 0; i < n; i++, j++) out[j] = ring[off + (i % cap)]!;
  return out.sort();
}

const NO_TIMES = new Float64Array(0);

function computeFeatures(
  acc: FeatureAccumulator,
  host: HostState,
  ctx: RuleContext,
  dnsTimes: Float64Array,
  webTimes: Float64Array,
  otherDst: readonly string[],
): MultibandFeatures {
  const { dnsFlows, publicDnsFlows, webFlows, otherFlows, alternations, webLinked, webUnlinked } = acc;
  const linkKnown = host.dnsRecords > 0;
  const from = acc.first;
  const to = acc.last;
  // A public resolver's address contacted on other ports (seed test 3: 1.1.1.1:8888).
  let resolverOtherPorts = 0;
  for (const d of otherDst) if (acc.resolvers.includes(d)) resolverOtherPorts++;

  // Query shape toward the most-queried registered domain.
  const q = host.queries;
  const byDomain = new Map<string, number>();
  const lo = from - 5;
  // Each window query's registered domain, computed once for both passes ('' outside the window).
  const regs: string[] = new Array<string>(q.size);
  for (let k = 0; k < q.size; k++) {
    const s = q.slot(k);
    const ts = q.ts[s]!;
    if (ts < lo || ts > to || q.query[s] === '') {
      regs[k] = '';
      continue;
    }
    const reg = registeredDomain(q.query[s]!);
    regs[k] = reg;
    byDomain.set(reg, (byDomain.get(reg) ?? 0) + 1);
  }
  let topDomain = '';
  let topDomainQueries = 0;
  for (const [d, n] of byDomain) {
    if (n > topDomainQueries) {
      topDomain = d;
      topDomainQueries = n;
    }
  }
  const subs = new Set<string>();
  let subLen = 0;
  let rareQ = 0;
  let nx = 0;
  let answered = 0;
  const queriedNames: string[] = [];
  if (topDomain !== '') {
    for (let k = 0; k < q.size; k++) {
      if (regs[k] !== topDomain) continue;
      const s = q.slot(k);
      const sub = subdomainOf(q.query[s]!, topDomain);
      if (!subs.has(sub)) {
        subs.add(sub);
        subLen += sub.length;
        if (queriedNames.length < MAX_LISTED) queriedNames.push(q.query[s]!.toLowerCase());
      }
      const qt = q.qtypeAt(s);
      if (qt === 16 || qt === 10 || qt === 5) rareQ++;
      if (q.rcodeAt(s) >= 0) {
        answered++;
        if (q.rcodeAt(s) === 3) nx++;
      }
    }
  }
  const uniqueSubdomains = subs.size;
  const meanSubdomainLength = uniqueSubdomains ? subLen / uniqueSubdomains : 0;
  const subdomainEntropy = entropy([...subs].join(''));
  const rareQtypeShare = topDomainQueries ? rareQ / topDomainQueries : 0;
  const nxdomainShare = answered ? nx / answered : 0;
  // A tunnel concentrates the host's queries on its domain; a busy resolver
  // client (a proxy, a browser) spreads them, and CDN names that merely look
  // random are a small share of them.
  let windowQueries = 0;
  for (const n of byDomain.values()) windowQueries += n;
  const concentration = windowQueries ? topDomainQueries / windowQueries : 0;
  const dnsShape =
    topDomainQueries === 0
      ? 0
      : (0.35 * clamp01(uniqueSubdomains / 8) +
          0.25 * clamp01((meanSubdomainLength - 12) / 20) +
          0.1 * clamp01((subdomainEntropy - 2.5) / 1.5) +
          0.15 * rareQtypeShare +
          0.15 * nxdomainShare) *
        (0.5 + 0.5 * concentration);

  const regularityDns = regularity(dnsTimes);
  const regularityWeb = regularity(webTimes);

  let maxPrevalence = 0;
  let raritySum = 0;
  for (const d of acc.webDst) {
    const n = ctx.prevalence.count(d);
    if (n > maxPrevalence) maxPrevalence = n;
    raritySum += n <= 1 ? 1 : clamp01(1 - (n - 1) / 4);
  }

  const components = {
    publicDns: dnsFlows ? publicDnsFlows / dnsFlows : 0,
    // Interleaving, relative to the most switches the two bands allowed: a busy
    // host racks up switches by volume alone, a two-band channel alternates nearly always.
    alternation: clamp01(alternations / 6) * clamp01(alternations / Math.max(1, 2 * Math.min(dnsFlows, webUnlinked))),
    directToIp: webFlows === 0 ? 0 : linkKnown ? webUnlinked / webFlows : 0.5,
    dnsShape,
    regularity: Math.max(regularityDns, regularityWeb),
    // Prevalence says nothing until the engine has seen enough hosts: neutral below MIN_POPULATION.
    rarity: acc.webDst.length === 0 ? 0 : ctx.hostCount() < MIN_POPULATION ? 0.5 : raritySum / acc.webDst.length,
  };
  const score =
    SCORE_WEIGHTS.publicDns * components.publicDns +
    SCORE_WEIGHTS.alternation * components.alternation +
    SCORE_WEIGHTS.directToIp * components.directToIp +
    SCORE_WEIGHTS.dnsShape * components.dnsShape +
    SCORE_WEIGHTS.regularity * components.regularity +
    SCORE_WEIGHTS.rarity * components.rarity;

  for (const n of acc.names) if (queriedNames.length < MAX_LISTED && !queriedNames.includes(n)) queriedNames.push(n);

  return {
    score: round(clamp01(score)),
    components: {
      publicDns: round(components.publicDns),
      alternation: round(components.alternation),
      directToIp: round(components.directToIp),
      dnsShape: round(components.dnsShape),
      regularity: round(components.regularity),
      rarity: round(components.rarity),
    },
    dnsFlows,
    publicDnsFlows,
    webFlows,
    otherFlows,
    resolvers: acc.resolvers.slice(),
    webDestinations: acc.webDst.slice(),
    ports: acc.ports.slice().sort((a, b) => a - b),
    alternations,
    webLinked,
    webUnlinked,
    linkKnown,
    topDomain,
    topDomainQueries,
    topDomainShare: round(concentration),
    uniqueSubdomains,
    meanSubdomainLength: round(meanSubdomainLength, 1),
    subdomainEntropy: round(subdomainEntropy, 2),
    rareQtypeShare: round(rareQtypeShare),
    nxdomainShare: round(nxdomainShare),
    queriedNames,
    regularityDns: round(regularityDns),
    regularityWeb: round(regularityWeb),
    maxPrevalence,
    resolverOtherPorts,
  };
}

/** Flatten features into finding evidence (every sub-score and count). */
export function featureEvidence(f: MultibandFeatures): Record<string, EvidenceValue> {
  return {
    score_publicDns: f.components.publicDns,
    score_alternation: f.components.alternation,
    score_directToIp: f.components.directToIp,
    score_dnsShape: f.components.dnsShape,
    score_regularity: f.components.regularity,
    score_rarity: f.components.rarity,
    dnsFlows: f.dnsFlows,
    publicDnsFlows: f.publicDnsFlows,
    webFlows: f.webFlows,
    otherFlows: f.otherFlows,
    resolvers: f.resolvers,
    webDestinations: f.webDestinations,
    alternations: f.alternations,
    webLinkedToDns: f.linkKnown ? f.webLinked : -1,
    webDirectToIp: f.linkKnown ? f.webUnlinked : -1,
    topDomain: f.topDomain,
    topDomainQueries: f.topDomainQueries,
    topDomainShare: f.topDomainShare,
    uniqueSubdomains: f.uniqueSubdomains,
    meanSubdomainLength: f.meanSubdomainLength,
    subdomainEntropy: f.subdomainEntropy,
    rareQtypeShare: f.rareQtypeShare,
    nxdomainShare: f.nxdomainShare,
    regularityDns: f.regularityDns,
    regularityWeb: f.regularityWeb,
    maxPrevalence: f.maxPrevalence,
    resolverOtherPorts: f.resolverOtherPorts,
  };
}

/** Short reasons from the features, strongest evidence first. */
export function featureReasons(f: MultibandFeatures): string[] {
  const r: string[] = [];
  if (f.publicDnsFlows > 0) r.push(`DNS to public resolver${f.resolvers.length > 1 ? 's' : ''} ${f.resolvers.join(', ')} (${f.publicDnsFlows}/${f.dnsFlows} DNS flows)`);
  if (f.alternations >= 2) r.push(`${f.alternations} DNS/web alternations`);
  if (f.linkKnown && f.webUnlinked > 0) r.push(`${f.webUnlinked}/${f.webFlows} web flows to addresses not in this host's DNS answers`);
  if (!f.linkKnown && f.webFlows > 0) r.push('no DNS records for this host: web linkage unknown');
  if (f.components.dnsShape >= 0.3) r.push(`tunnel-like queries under ${f.topDomain}: ${f.uniqueSubdomains} unique subdomains, mean length ${f.meanSubdomainLength}`);
  if (f.components.regularity >= 0.8) r.push('regular intervals');
  if (f.resolverOtherPorts > 0) r.push(`${f.resolverOtherPorts} non-DNS connection(s) to a resolver address`);
  if (f.webFlows > 0 && f.components.rarity >= 0.99) r.push('web destinations seen from no other internal host');
  return r;
}
