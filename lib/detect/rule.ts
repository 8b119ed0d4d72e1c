/**
 * The contract between the engine and its detectors. Detectors never parse:
 * they see one host's time-ordered events, DNS memory and the cross-host
 * figures, and emit findings.
 *
 * The engine hands each event to every enabled rule exactly once, in time
 * order per host, after the watermark (newest stream time minus the reorder
 * window) has passed it; then tells the rule how far time has advanced so it
 * can close windows; and at end of input, or when the host is evicted,
 * asks it to emit whatever it still holds.
 *
 * @module
 */

import type { Prevalence } from '../correlate/prevalence.js';
import type { HostState } from '../correlate/host.js';
import type { Finding } from '../model.js';

/** What a rule may use besides the host. */
export interface RuleContext {
  /** True if the address is a public destination (not in the non-public list). */
  isPublic(ip: string): boolean;
  /** True if the address is inside the engine's `localNets`. */
  isLocal(ip: string): boolean;
  /** Cross-host figures. */
  readonly prevalence: Prevalence;
  /** Internal hosts the engine holds now (the population prevalence is measured in). */
  hostCount(): number;
  /** Seconds of stream time seen so far (newest minus oldest record time): how long we have watched. */
  observedSpan(): number;
  /** Hand a finding to the engine (which applies allowlists, then outputs it). */
  emit(f: Finding): void;
}

/** A detector over one host's events. `S` is its per-host state. */
export interface HostRule<S = unknown> {
  /** Rule name in findings, e.g. `multiband.sequence`. */
  readonly name: string;
  /** Fresh per-host state. */
  init(): S;
  /** The event at ring index `i` (0 = oldest), in time order. */
  step(state: S, host: HostState, i: number, ctx: RuleContext): void;
  /** Stream time has reached `now` for this host: close windows that ended before it. */
  advance(state: S, host: HostState, now: number, ctx: RuleContext): void;
  /** No more events for this host (end of input or eviction): emit what is pending. */
  close(state: S, host: HostState, ctx: RuleContext): void;
  /**
   * Also step events flagged `EventFlag.Extra` (internal destinations on other
   * bands, protocols other than TCP/UDP). Rules without it never see them.
   */
  readonly allFlows?: boolean;
  /** End of input, after every host was closed: emit anything held across hosts. */
  finish?(ctx: RuleContext): void;
  /** Counters of the rule's own bounded state, reported in `EngineStats.rules`. */
  stats?(): Record<string, number>;
}

/** Seconds since the epoch to ISO 8601 with milliseconds. */
export function isoTime(ts: number): string {
  return Number.isFinite(ts) ? new Date(Math.round(ts * 1000)).toISOString() : '';
}

/** Round to `d` decimals for evidence (keeps NDJSON readable). */
export function round(x: number, d = 3): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}
