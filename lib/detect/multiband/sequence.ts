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
import { computeFeatures } from './features.js';
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
}

export class SequenceRule implements HostRule<SeqState> {
  readonly name = 'multiband.sequence';
  readonly #o: MultibandOptions;

  constructor(options: MultibandOptions) {
    this.#o = options;
  }

  init(): SeqState {
    return { pendTs: -Infinity, pendDst: '', ep: undefined };
  }

  step(st: SeqState, host: HostState, i: number, ctx: RuleContext): void {
    const ev = host.events;
    const s = ev.slot(i);
    if ((ev.flags[s]! & EventFlag.Public) === 0) return;
    const band = ev.band[s]!;
    const ts = ev.ts[s]!;
    if (band === Band.DNS) {
      st.pendTs = ts;
      st.pendDst = ev.dst[s]!;
      return;
    }
    if (!isWebBand(band) || st.pendTs === -Infinity) return;
    const gap = ts - st.pendTs;
    if (gap > this.#o.maxspan) {
      st.pendTs = -Infinity; // expired partial sequence
      return;
    }
    let ep = st.ep;
    if (ep !== undefined && (ts - ep.lastWeb > this.#o.maxspan || ts - ep.firstDns > this.#o.maxFindingSpan)) {
      this.#emit(ep, host, ctx);
      ep = undefined;
    }
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
        firstWebPort: ev.port[s]!,
      };
    }
    ep.sequences++;
    ep.lastWeb = ts;
    if (gap < ep.minGap) ep.minGap = gap;
    if (gap > ep.maxGap) ep.maxGap = gap;
    st.pendTs = -Infinity;
  }

  advance(st: SeqState, host: HostState, now: number, ctx: RuleContext): void {
    if (st.ep !== undefined && now - st.ep.lastWeb > this.#o.maxspan) {
      this.#emit(st.ep, host, ctx);
      st.ep = undefined;
    }
  }

  close(st: SeqState, host: HostState, ctx: RuleContext): void {
    if (st.ep !== undefined) this.#emit(st.ep, host, ctx);
    st.ep = undefined;
    st.pendTs = -Infinity;
  }

  #emit(ep: Episode, host: HostState, ctx: RuleContext): void {
    const f = computeFeatures(host, ep.firstDns, ep.lastWeb, ctx, this.#o);
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
