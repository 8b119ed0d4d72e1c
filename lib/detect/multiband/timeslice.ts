/**
 * `multiband.timeslice`: the Sumo Logic seed (DESIGN §3.2). Per source IP
 * and aligned time slice (default 10 minutes), the set of bands of its flows
 * to public destinations, distinct destination ports, connection count and
 * distinct destination IPs; fires when the set holds DNS and HTTP or HTTPS.
 * One finding per firing slice, as the seed does.
 *
 * @module
 */

import type { HostState } from '../../correlate/host.js';
import { EventFlag } from '../../correlate/ring.js';
import { Band, bandName } from '../bands.js';
import type { HostRule, RuleContext } from '../rule.js';
import type { MultibandOptions } from './features.js';
import { FeatureAccumulator } from './features.js';
import { multibandFinding } from './finding.js';

/** Distinct ports / destinations counted per slice before the count saturates. */
const SET_CAP = 256;
// Shared empty placeholders (never written) until a host needs its own sets.
const EMPTY_BANDS: Set<string> = new Set();
const EMPTY_PORTS: Set<number> = new Set();
const EMPTY_DSTS: Set<string> = new Set();

interface SliceState {
  slice: number;
  bands: Set<string>;
  bandMask: number;
  ports: Set<number>;
  dsts: Set<string>;
  connections: number;
  first: number;
  last: number;
  /** Evidence of every DNS/web event of the slice, public or not. */
  acc: FeatureAccumulator;
}

export class TimesliceRule implements HostRule<SliceState> {
  readonly name = 'multiband.timeslice';
  readonly #o: MultibandOptions;

  constructor(options: MultibandOptions) {
    this.#o = options;
  }

  init(): SliceState {
    return { slice: NaN, bands: EMPTY_BANDS, bandMask: 0, ports: EMPTY_PORTS, dsts: EMPTY_DSTS, connections: 0, first: 0, last: 0, acc: new FeatureAccumulator() };
  }

  step(st: SliceState, host: HostState, i: number, ctx: RuleContext): void {
    const ev = host.events;
    const s = ev.slot(i);
    const ts = ev.ts[s]!;
    const slice = Math.floor(ts / this.#o.sliceSeconds);
    if (slice !== st.slice) {
      this.#closeSlice(st, host, ctx);
      st.slice = slice;
    }
    st.acc.add(host, s);
    if ((ev.flagsAt(s) & EventFlag.Public) === 0) return;
    if (st.connections === 0) st.first = ts;
    const band = ev.bandAt(s);
    const port = ev.portAt(s);
    if (st.bands === EMPTY_BANDS) {
      // Sets only for hosts that reach a public destination.
      st.bands = new Set();
      st.ports = new Set();
      st.dsts = new Set();
    }
    st.bandMask |= 1 << band;
    st.bands.add(bandName(band, port));
    if (st.ports.size < SET_CAP) st.ports.add(port);
    if (st.dsts.size < SET_CAP) st.dsts.add(ev.dst[s]!);
    st.connections++;
    st.last = ts;
  }

  advance(st: SliceState, host: HostState, now: number, ctx: RuleContext): void {
    if (!Number.isNaN(st.slice) && now >= (st.slice + 1) * this.#o.sliceSeconds) this.#closeSlice(st, host, ctx);
  }

  close(st: SliceState, host: HostState, ctx: RuleContext): void {
    this.#closeSlice(st, host, ctx);
  }

  #closeSlice(st: SliceState, host: HostState, ctx: RuleContext): void {
    if (st.connections > 0) {
      const m = st.bandMask;
      if (m & (1 << Band.DNS) && m & ((1 << Band.HTTP) | (1 << Band.HTTPS))) {
        const start = st.slice * this.#o.sliceSeconds;
        const f = st.acc.finish(host, ctx);
        const bands = [...st.bands].sort();
        ctx.emit(
          multibandFinding(this.name, host, st.first, st.last, f, {
            sliceStart: new Date(start * 1000).toISOString(),
            sliceSeconds: this.#o.sliceSeconds,
            bands,
            distinctPorts: st.ports.size,
            distinctDestinations: st.dsts.size,
            connections: st.connections,
          }, `${bands.join(' + ')} to public destinations in one ${this.#o.sliceSeconds / 60}-minute slice (${st.connections} connections, ${st.dsts.size} destinations)`),
        );
      }
    }
    // Back to the shared empties: a host keeps no sets between its slices (the next slice with a
    // public destination makes new ones).
    st.bands = EMPTY_BANDS;
    st.ports = EMPTY_PORTS;
    st.dsts = EMPTY_DSTS;
    st.bandMask = 0;
    st.connections = 0;
    st.slice = NaN;
    st.acc.reset();
  }
}
