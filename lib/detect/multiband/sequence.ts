/**
 * `multiband.sequence`: the Elastic EQL seed, keyed by source IP instead of
 * host + process (DESIGN §3.1):
 *
 * ```
 * sequence by source.ip with maxspan=10m
 *   [network where destination.port == 53 and public(destination.ip)]
 *   [network where destination.port in (80, 443, 8080, 8443) and public(destination.ip)]
 * ```
 *
 * EQL semantics: time order; the DNS event comes first; a newer DNS event
 * replaces a pending one; a web event completes the pending sequence and
 * consumes it. Completed sequences whose web events are within `maxspan`
 * of each other are reported together as one finding (an episode, at most
 * `maxFindingSpan` long), so a host is not reported once per connection.
 *
 * @module
 */

import type { HostState } from '../../correlate/host.js';
import { EventFlag } from '../../correlate/ring.js';
import { Band, isWebBand } from '../bands.js';
import type { HostRule, RuleContext } from '../rule.js';
import { round } from '../rule.js';
import type { MultibandOptions } from './features.js';
import { FeatureAccumulator } from './features.js';
import { multibandFinding } from './finding.js';

interface Episode {
  firstDns: number;
  firstWeb: number;
  lastWeb: number;
  sequences: number;
  minGap: number;
  maxGap: number;
  firstResolver: string;
  firstWebDst: string;
  firstWebPort: number;
}

interface SeqState {
  pendTs: number;
  pendDst: string;
  ep: Episode | undefined;
  /** Evidence since the pending DNS event (or the episode's start). */
  acc: FeatureAccumulator;
}

export class SequenceRule implements HostRule<SeqState> {
  readonly name = 'multiband.sequence';
  readonly #o: MultibandOptions;

  constructor(options: MultibandOptions) {
    this.#o = options;
  }

  init(): SeqState {
    return { pendTs: -Infinity, pendDst: '', ep: undefined, acc: new FeatureAccumulator() };
  }

  step(st: SeqState, host: HostState, i: number, ctx: RuleContext): void {
    const ev = host.events;
    const s = ev.slot(i);
    const ts = ev.ts[s]!;
    const o = this.#o;
    // Events arrive in time order, so once one is past lastWeb + maxspan no web
    // event can extend the episode any more: it is complete.
    if (st.ep !== undefined && ts - st.ep.lastWeb > o.maxspan) this.#finish(st, host, ctx);
    if (st.ep === undefined && st.pendTs !== -Infinity && ts - st.pendTs > o.maxspan) {
      st.pendTs = -Infinity; // the partial sequence expired
      st.acc.reset();
    }
    const pub = (ev.flagsAt(s) & EventFlag.Public) !== 0;
    const band = ev.bandAt(s);
    if (pub && band === Band.DNS) {
      // A newer DNS event replaces the pending one (EQL); outside an episode the evidence restarts with it.
      if (st.ep === undefined) st.acc.reset();
      st.pendTs = ts;
      st.pendDst = ev.dst[s]!;
      st.acc.add(host, s);
      return;
    }
    if (st.ep === undefined && st.pendTs === -Infinity) return;
    if (st.ep !== undefined && ts - st.ep.firstDns > o.maxFindingSpan) {
      this.#finish(st, host, ctx); // long runs are cut into findings of at most maxFindingSpan
      if (st.pendTs === -Infinity) return;
    }
    st.acc.add(host, s);
    if (!pub || !isWebBand(band) || st.pendTs === -Infinity) return;
    const gap = ts - st.pendTs;
    let ep = st.ep;
    if (ep === undefined) {
      st.ep = ep = {
        firstDns: st.pendTs,
        firstWeb: ts,
        lastWeb: ts,
        sequences: 0,
        minGap: gap,
        maxGap: gap,
        firstResolver: st.pendDst,
        firstWebDst: ev.dst[s]!,
        firstWebPort: ev.portAt(s),
      };
    }
    ep.sequences++;
    ep.lastWeb = ts;
    if (gap < ep.minGap) ep.minGap = gap;
    if (gap > ep.maxGap) ep.maxGap = gap;
    st.pendTs = -Infinity; // the web event consumes the sequence
  }

  advance(st: SeqState, host: HostState, now: number, ctx: RuleContext): void {
    if (st.ep !== undefined && now - st.ep.lastWeb > this.#o.maxspan) this.#finish(st, host, ctx);
    if (st.ep === undefined && st.pendTs !== -Infinity && now - st.pendTs > this.#o.maxspan) {
      st.pendTs = -Infinity;
      st.acc.reset();
    }
  }

  close(st: SeqState, host: HostState, ctx: RuleContext): void {
    if (st.ep !== undefined) this.#finish(st, host, ctx);
    st.pendTs = -Infinity;
    st.acc.reset();
  }

  #finish(st: SeqState, host: HostState, ctx: RuleContext): void {
    const ep = st.ep!;
    st.ep = undefined;
    const f = st.acc.finish(host, ctx);
    st.acc.reset();
    const headline =
      `DNS to ${ep.firstResolver}:53 then web to ${ep.firstWebDst}:${ep.firstWebPort} after ${round(ep.minGap, 1)} s` +
      (ep.sequences > 1 ? ` (${ep.sequences} such sequences)` : '');
    ctx.emit(
      multibandFinding(this.name, host, ep.firstDns, ep.lastWeb, f, {
        sequences: ep.sequences,
        minGapSeconds: round(ep.minGap),
        maxGapSeconds: round(ep.maxGap),
        maxspanSeconds: this.#o.maxspan,
      }, headline),
    );
  }
}
