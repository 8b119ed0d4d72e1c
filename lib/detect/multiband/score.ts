/**
 * `multiband.score`: ours, for precision on the network side where no
 * process name can exclude browsers (DESIGN §3.3).
 *
 * Episodes: a host's DNS and web flows (to any destination: DNS tunnelled
 * through the site's own resolver counts) where each event is within
 * `maxspan` of the previous one, at most `maxFindingSpan` long. When an
 * episode ends and holds both bands, its evidence is scored (see
 * {@link computeFeatures}); at or above `scoreThreshold` it is a finding.
 *
 * @module
 */

import type { HostState } from '../../correlate/host.js';
import { Band, isWebBand } from '../bands.js';
import type { HostRule, RuleContext } from '../rule.js';
import type { MultibandOptions } from './features.js';
import { FeatureAccumulator } from './features.js';
import { multibandFinding } from './finding.js';

interface ScoreState {
  first: number;
  last: number;
  dns: number;
  web: number;
  acc: FeatureAccumulator;
}

export class ScoreRule implements HostRule<ScoreState> {
  readonly name = 'multiband.score';
  readonly #o: MultibandOptions;

  constructor(options: MultibandOptions) {
    this.#o = options;
  }

  init(): ScoreState {
    return { first: NaN, last: NaN, dns: 0, web: 0, acc: new FeatureAccumulator() };
  }

  step(st: ScoreState, host: HostState, i: number, ctx: RuleContext): void {
    const ev = host.events;
    const s = ev.slot(i);
    const band = ev.bandAt(s);
    const web = isWebBand(band);
    const ts = ev.ts[s]!;
    const open = st.dns + st.web > 0;
    if (open && (ts - st.last > this.#o.maxspan || ((band === Band.DNS || web) && ts - st.first > this.#o.maxFindingSpan))) {
      this.#closeEpisode(st, host, ctx);
    }
    if (band !== Band.DNS && !web) {
      // Other bands only add evidence (e.g. a resolver's address on port 8888) to an open episode.
      if (st.dns + st.web > 0) st.acc.add(host, s);
      return;
    }
    if (st.dns + st.web === 0) st.first = ts;
    st.last = ts;
    if (web) st.web++;
    else st.dns++;
    st.acc.add(host, s);
  }

  advance(st: ScoreState, host: HostState, now: number, ctx: RuleContext): void {
    if (st.dns + st.web > 0 && now - st.last > this.#o.maxspan) this.#closeEpisode(st, host, ctx);
  }

  close(st: ScoreState, host: HostState, ctx: RuleContext): void {
    this.#closeEpisode(st, host, ctx);
  }

  #closeEpisode(st: ScoreState, host: HostState, ctx: RuleContext): void {
    if (st.dns > 0 && st.web > 0) {
      const f = st.acc.finish(host, ctx);
      if (f.score >= this.#o.scoreThreshold) {
        ctx.emit(
          multibandFinding(this.name, host, st.first, st.last, f, {
            episodeSeconds: Math.round((st.last - st.first) * 1000) / 1000,
            threshold: this.#o.scoreThreshold,
          }, `multiband score ${f.score} over ${f.dnsFlows} DNS and ${f.webFlows} web flows`),
        );
      }
    }
    st.dns = 0;
    st.web = 0;
    st.first = NaN;
    st.last = NaN;
    st.acc.reset();
  }
}
