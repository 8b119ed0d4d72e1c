/**
 * Tunables of the beacon rules (DESIGN §4), with their defaults and checks.
 *
 * @module
 */

import { InvalidOptionError } from '../../errors.js';

/** How `beacon.score` scores a pair. */
export type BeaconMode = 'default' | 'rita';

/** The seed rule's application ports (Elastic T1071 rule). */
export const RUN_PORTS: readonly number[] = [80, 443, 53, 21, 25, 110, 143, 8080, 8443, 1883, 5222];

export interface BeaconOptions {
  /**
   * `default`: c2watch's score (sub-second intervals, failed connections
   * dropped, bursts merged, a periodicity test with a p-value, period and
   * jitter, prevalence). `rita`: RITA v5's beacon score, reproduced exactly
   * (timestamps truncated to seconds, 24 h batch window, scored at end of input).
   */
  mode: BeaconMode;
  /** Window of `beacon.score` in default mode, seconds: one finding per pair per window at most. Default 86 400. */
  window: number;
  /**
   * A window that closes with too few check-ins for a slow beacon (the mean
   * interval × `minConnections` exceeds the window) is doubled instead, up to
   * this. Default 604 800 (7 days), so a 6-hourly beacon still gets 28 check-ins.
   */
  maxWindow: number;
  /** `beacon.score` fires at or above this score. Default 0.6 (default mode), 0.5 (rita mode: RITA's lowest bucket). */
  scoreThreshold: number;
  /**
   * Significance level of the periodicity test (default mode): fire only when
   * p ≤ alpha. Default 1e-4: one random (Poisson) pair in about 25 000 passes
   * the test alone, before the score threshold.
   */
  alpha: number;
  /** Fewest check-ins (after burst merging) a pair needs to be scored in default mode; slower pairs get longer windows. Default 10. */
  minConnections: number;
  /** Connections of a pair closer than this (seconds) to the previous check-in are part of it (a burst). Default 2. */
  burstGap: number;
  /** An interval within ±tolerance × period counts as on-period in the periodicity test. Default 0.3. */
  tolerance: number;
  /** Drop failed connections (S0, REJ, no reply; NetFlow without ACK) before scoring (default mode). Default true. */
  dropFailed: boolean;
  /** Also group flows to internal (non-public) destinations by address. Default false (named proxied flows always count). */
  internal: boolean;
  /**
   * Pairs tracked per host (by address and by name). When full, the least
   * active of the 8 least recently used pairs goes (after emitting what it
   * holds), counted in `stats().rules.beacon.pairsEvicted`. Default 512.
   */
  maxPairsPerHost: number;
  /**
   * Pairs tracked over all hosts together (≈ 0.6 KiB each with an 8-slot
   * ring; ring growth is bounded by `maxRingSlots`). Past it, a host that
   * needs a new pair first evicts one of its own (a busy host pays for its
   * own), so per-host bounds cannot multiply into a ceiling that grows with
   * the number of hosts. Default 100 000.
   */
  maxPairs: number;
  /**
   * Connections kept per pair for interval statistics (a ring, grown by
   * doubling from 4). Counts, byte sums and hourly counters stay exact past
   * it. Default 1024 in default mode; rita mode keeps up to 86 400 (RITA's own cap).
   */
  maxConnsPerPair: number;
  /**
   * Ring slots (connections, 16 bytes each) over all pairs together: a ring
   * grows past its first 4 only while the total stays within this; a ring
   * refused growth overwrites its oldest connection (`ringOverflow` in the
   * evidence, `ringGrowthRefused` in the stats). Default 4 194 304 (64 MiB);
   * rita mode 33 554 432 (512 MiB), as its pairs keep up to 86 400 connections.
   * The store holding the rings (and 64 bytes of numbers per pair) is at most
   * twice what its live pairs use: it compacts in place.
   */
  maxRingSlots: number;
  /**
   * Default mode: destinations reached once wait in a fixed table of this many
   * slots (32 bytes each, allocated up front) and become pairs on their second
   * connection, so one-off destinations cost no pair. 0: every destination
   * becomes a pair at once. Default 262 144 (8 MiB). Rita mode never uses it
   * (RITA's scores need every connection).
   */
  sightingSlots: number;
  /** Hosts talking to the same destination from which the score is lowered (prevalence), once the engine knows 10 hosts. Default 8. */
  commonHosts: number;
  /** `beacon.runs`: connections to one public address on the seed ports within `runSpan` that fire it. Default 10. */
  runThreshold: number;
  /** `beacon.runs` span, seconds. Default 86 400. */
  runSpan: number;
  /** `beacon.runs` ports. Default the seed's: 80, 443, 53, 21, 25, 110, 143, 8080, 8443, 1883, 5222. */
  runPorts: readonly number[];
  /** rita mode: pairs of evicted hosts kept for scoring at end of input. Default 100 000. */
  maxDeferredPairs: number;
}

export const DEFAULT_BEACON: Readonly<BeaconOptions> = {
  mode: 'default',
  window: 86_400,
  maxWindow: 7 * 86_400,
  scoreThreshold: 0.6,
  alpha: 0.0001,
  minConnections: 10,
  burstGap: 2,
  tolerance: 0.3,
  dropFailed: true,
  internal: false,
  maxPairsPerHost: 512,
  maxPairs: 100_000,
  maxConnsPerPair: 1024,
  maxRingSlots: 4_194_304,
  sightingSlots: 262_144,
  commonHosts: 8,
  runThreshold: 10,
  runSpan: 86_400,
  runPorts: RUN_PORTS,
  maxDeferredPairs: 100_000,
};

/** RITA v5's defaults (config.go `defaultConfig`). */
export const RITA_DEFAULTS = {
  uniqueConnectionThreshold: 4,
  tsWeight: 0.25,
  dsWeight: 0.25,
  durWeight: 0.25,
  histWeight: 0.25,
  durMinHours: 6,
  durIdealNumberOfConsistentHours: 12,
  histModeSensitivity: 0.05,
  histBimodalOutlierRemoval: 1,
  histBimodalMinHours: 11,
  /** Beacon score thresholds (×100) of the threat buckets: base, low, medium, high. */
  scoreThresholds: { base: 50, low: 75, med: 90, high: 100 },
  /** RITA keeps at most this many timestamps per pair (groupArray(86400)); this many connections is a strobe. */
  strobe: 86_400,
} as const;

function check(name: string, v: number, ok: boolean): void {
  if (!Number.isFinite(v) || !ok) throw new InvalidOptionError(`beacon.${name} is out of range: ${v}`);
}

/** Defaults filled in and every value checked; throws InvalidOptionError. */
export function resolveBeaconOptions(o: Partial<BeaconOptions> | undefined): BeaconOptions {
  const mode = o?.mode ?? 'default';
  if (mode !== 'default' && mode !== 'rita') throw new InvalidOptionError(`beacon.mode must be "default" or "rita", got "${String(mode)}"`);
  const r: BeaconOptions = {
    ...DEFAULT_BEACON,
    ...o,
    mode,
    scoreThreshold: o?.scoreThreshold ?? (mode === 'rita' ? 0.5 : DEFAULT_BEACON.scoreThreshold),
    maxConnsPerPair: o?.maxConnsPerPair ?? (mode === 'rita' ? RITA_DEFAULTS.strobe : DEFAULT_BEACON.maxConnsPerPair),
    // RITA's score needs every connection of a pair up to its strobe: a larger default budget (512 MiB).
    maxRingSlots: o?.maxRingSlots ?? (mode === 'rita' ? 33_554_432 : DEFAULT_BEACON.maxRingSlots),
  };
  check('window', r.window, r.window >= 60);
  check('maxWindow', r.maxWindow, r.maxWindow >= r.window);
  check('scoreThreshold', r.scoreThreshold, r.scoreThreshold >= 0 && r.scoreThreshold <= 1);
  check('alpha', r.alpha, r.alpha > 0 && r.alpha <= 1);
  check('minConnections', r.minConnections, r.minConnections >= 4);
  check('burstGap', r.burstGap, r.burstGap >= 0);
  check('tolerance', r.tolerance, r.tolerance > 0 && r.tolerance < 1);
  check('maxPairsPerHost', r.maxPairsPerHost, r.maxPairsPerHost >= 1);
  check('maxPairs', r.maxPairs, r.maxPairs >= 1);
  check('maxConnsPerPair', r.maxConnsPerPair, r.maxConnsPerPair >= 8);
  check('maxRingSlots', r.maxRingSlots, r.maxRingSlots >= 8);
  check('sightingSlots', r.sightingSlots, r.sightingSlots >= 0 && r.sightingSlots <= 1 << 26);
  check('commonHosts', r.commonHosts, r.commonHosts >= 3);
  check('runThreshold', r.runThreshold, r.runThreshold >= 2 && r.runThreshold <= 1024);
  check('runSpan', r.runSpan, r.runSpan > 0);
  check('maxDeferredPairs', r.maxDeferredPairs, r.maxDeferredPairs >= 0);
  r.maxPairsPerHost = Math.floor(r.maxPairsPerHost);
  r.maxPairs = Math.floor(r.maxPairs);
  r.maxConnsPerPair = Math.floor(r.maxConnsPerPair);
  r.runThreshold = Math.floor(r.runThreshold);
  return r;
}
