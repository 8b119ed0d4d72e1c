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
 * - alternation: DNS↔web band switches in time order, min(1, n/6), counting
 *   only web flows that did not go to an address from the host's own DNS
 *   answers (a fetch of what was just resolved is one activity, not two bands).
 * - directToIp: share of web flows whose destination was not in this host's
 *   own recent DNS answers; 0.5 when the host has no DNS records at all
 *   (conn.log without dns.log), so missing data neither damns nor clears.
 * - dnsShape: the queries toward the most-queried registered domain look like
 *   a tunnel: many unique subdomains, long and high-entropy labels, TXT/NULL/
 *   CNAME query types, NXDOMAIN answers.
 * - regularity: the most regular of the DNS and web bands, 1 − MAD/median of
 *   its intervals (needs ≥ 3 intervals).
 * - rarity: web destinations that few internal hosts talk to (prevalence).
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

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** 1 − MAD/median of the intervals between times (≥ 3 intervals), else 0. */
export function regularity(times: number[]): number {
  if (times.length < 4) return 0;
  const iv: number[] = [];
  for (let i = 1; i < times.length; i++) iv.push(times[i]! - times[i - 1]!);
  const med = median(iv);
  if (med <= 0) return 0;
  const mad = median(iv.map((x) => Math.abs(x - med)));
  return Math.max(0, 1 - mad / med);
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Compute the evidence over events with `from <= ts <= to`. */
export function computeFeatures(host: HostState, from: number, to: number, ctx: RuleContext, opts: MultibandOptions): MultibandFeatures {
  const ev = host.events;
  const resolvers = new Set<string>();
  const webDst = new Set<string>();
  const ports = new Set<number>();
  const dnsTimes: number[] = [];
  const webTimes: number[] = [];
  let dnsFlows = 0;
  let publicDnsFlows = 0;
  let webFlows = 0;
  let otherFlows = 0;
  let alternations = 0;
  let lastKind = 0; // 1 dns, 2 web
  let webLinked = 0;
  let webUnlinked = 0;
  const linkKnown = host.dnsRecords > 0;
  const linkedNames = new Set<string>();

  const startIdx = ev.lowerBound(from);
  for (let k = startIdx; k < ev.size; k++) {
    const s = ev.slot(k);
    const ts = ev.ts[s]!;
    if (ts > to) break;
    const band = ev.band[s]!;
    const flags = ev.flags[s]!;
    const dst = ev.dst[s]!;
    if (ports.size < 32) ports.add(ev.port[s]!);
    if (band === Band.DNS) {
      dnsFlows++;
      if (flags & EventFlag.Public) publicDnsFlows++;
      if (resolvers.size < MAX_LISTED) resolvers.add(dst);
      dnsTimes.push(ts);
      if (lastKind === 2) alternations++;
      lastKind = 1;
    } else if (isWebBand(band)) {
      webFlows++;
      if (webDst.size < MAX_LISTED) webDst.add(dst);
      webTimes.push(ts);
      const name = ev.name[s]!;
      const hit = linkKnown ? host.answers.lookup(dst, ts, 2, opts.linkGrace) : undefined;
      if (hit !== undefined) {
        webLinked++;
        if (linkedNames.size < MAX_LISTED) linkedNames.add(hit.name);
      } else {
        webUnlinked++;
        // A web flow to an address the DNS just answered is name resolution, not a
        // second band: only web flows that did not come from the host's own answers
        // alternate with DNS (all of them when linkage is unknown).
        if (lastKind === 1) alternations++;
        lastKind = 2;
      }
      if (name !== '' && linkedNames.size < MAX_LISTED) linkedNames.add(name);
    } else {
      otherFlows++;
    }
  }

  // A public resolver's address contacted on other ports (seed test 3: 1.1.1.1:8888).
  let resolverOtherPorts = 0;
  if (resolvers.size > 0) {
    for (let k = startIdx; k < ev.size; k++) {
      const s = ev.slot(k);
      if (ev.ts[s]! > to) break;
      if (ev.band[s] !== Band.DNS && resolvers.has(ev.dst[s]!)) resolverOtherPorts++;
    }
  }

  // Query shape toward the most-queried registered domain.
  const q = host.queries;
  const byDomain = new Map<string, number>();
  const lo = from - 5;
  for (let k = 0; k < q.size; k++) {
    const s = q.slot(k);
    const ts = q.ts[s]!;
    if (ts < lo || ts > to || q.query[s] === '') continue;
    const reg = registeredDomain(q.query[s]!);
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
      const s = q.slot(k);
      const ts = q.ts[s]!;
      if (ts < lo || ts > to || q.query[s] === '') continue;
      if (registeredDomain(q.query[s]!) !== topDomain) continue;
      const sub = subdomainOf(q.query[s]!, topDomain);
      if (!subs.has(sub)) {
        subs.add(sub);
        subLen += sub.length;
        if (queriedNames.length < MAX_LISTED) queriedNames.push(q.query[s]!.toLowerCase());
      }
      const qt = q.qtype[s]!;
      if (qt === 16 || qt === 10 || qt === 5) rareQ++;
      if (q.rcode[s]! >= 0) {
        answered++;
        if (q.rcode[s] === 3) nx++;
      }
    }
  }
  const uniqueSubdomains = subs.size;
  const meanSubdomainLength = uniqueSubdomains ? subLen / uniqueSubdomains : 0;
  const subdomainEntropy = entropy([...subs].join(''));
  const rareQtypeShare = topDomainQueries ? rareQ / topDomainQueries : 0;
  const nxdomainShare = answered ? nx / answered : 0;
  const dnsShape =
    topDomainQueries === 0
      ? 0
      : 0.35 * clamp01(uniqueSubdomains / 8) +
        0.25 * clamp01((meanSubdomainLength - 12) / 20) +
        0.1 * clamp01((subdomainEntropy - 2.5) / 1.5) +
        0.15 * rareQtypeShare +
        0.15 * nxdomainShare;

  const regularityDns = regularity(dnsTimes);
  const regularityWeb = regularity(webTimes);

  let maxPrevalence = 0;
  let raritySum = 0;
  for (const d of webDst) {
    const n = ctx.prevalence.count(d);
    if (n > maxPrevalence) maxPrevalence = n;
    raritySum += n <= 1 ? 1 : clamp01(1 - (n - 1) / 4);
  }

  const components = {
    publicDns: dnsFlows ? publicDnsFlows / dnsFlows : 0,
    alternation: clamp01(alternations / 6),
    directToIp: webFlows === 0 ? 0 : linkKnown ? webUnlinked / webFlows : 0.5,
    dnsShape,
    regularity: Math.max(regularityDns, regularityWeb),
    rarity: webDst.size ? raritySum / webDst.size : 0,
  };
  const score =
    SCORE_WEIGHTS.publicDns * components.publicDns +
    SCORE_WEIGHTS.alternation * components.alternation +
    SCORE_WEIGHTS.directToIp * components.directToIp +
    SCORE_WEIGHTS.dnsShape * components.dnsShape +
    SCORE_WEIGHTS.regularity * components.regularity +
    SCORE_WEIGHTS.rarity * components.rarity;

  for (const n of linkedNames) if (queriedNames.length < MAX_LISTED && !queriedNames.includes(n)) queriedNames.push(n);

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
    resolvers: [...resolvers],
    webDestinations: [...webDst],
    ports: [...ports].sort((a, b) => a - b),
    alternations,
    webLinked,
    webUnlinked,
    linkKnown,
    topDomain,
    topDomainQueries,
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
