// Synthetic traffic for the beacon tests: deterministic (mulberry32), µs times.
import { Engine } from '../../../lib/engine.js';
import type { EngineOptions } from '../../../lib/engine.js';
import type { Finding, FlowRecord, NameRecord } from '../../../lib/model.js';
import { newName } from '../../../lib/model.js';
import { T0, flow } from '../../helpers/records.js';
import { mulberry32 as rng } from '../../../bench/gen/prng.js';

export { rng };

export { T0, flow };


/** Check-in times: every `period` s × (1 ± jitter·U), from `start` for `span` seconds. */
export function beaconTimes(start: number, period: number, jitter: number, span: number, seed = 1): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let t = start; t < start + span; t += period * (1 + jitter * (2 * r() - 1))) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

/** Poisson arrivals with the given mean gap. */
export function poissonTimes(start: number, mean: number, span: number, seed = 2): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let t = start + -mean * Math.log(1 - r()); t < start + span; t += -mean * Math.log(1 - r())) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

let uidN = 0;
/** A successful TCP flow with sizes and a uid. */
export function conn(ts: number, src: string, dst: string, port: number, extra: Partial<FlowRecord> = {}): FlowRecord {
  return flow(ts, src, dst, port, {
    origBytes: 320,
    respBytes: 1200,
    origIpBytes: 320 + 52 * 6,
    respIpBytes: 1200 + 52 * 5,
    origPkts: 6,
    respPkts: 5,
    service: port === 443 ? 'ssl' : port === 80 ? 'http' : '',
    uid: `C${(uidN++).toString(36).padStart(8, '0')}`,
    ...extra,
  });
}

export function nameRec(ts: number, f: FlowRecord, serverName: string, protocol: 'tls' | 'http', method = '', proxied = false): NameRecord {
  return { ...newName(), ts, uid: f.uid, origH: f.origH, origP: f.origP, respH: f.respH, respP: f.respP, serverName, protocol, method, proxied, source: 'push' };
}

/** Push flows (and names) sorted by time into a fresh engine; flush; return the findings and the engine. */
export function runEngine(records: (FlowRecord | NameRecord)[], options: EngineOptions = {}): { findings: Finding[]; engine: Engine } {
  const findings: Finding[] = [];
  const engine = new Engine({ ...options, onFinding: (f) => findings.push(f) });
  const sorted = records.slice().sort((a, b) => a.ts - b.ts);
  for (const r of sorted) {
    if (r.kind === 'flow') engine.pushFlow(r);
    else engine.pushName(r);
  }
  engine.flush();
  return { findings, engine };
}

export const score = (fs: Finding[], rule = 'beacon.score') => fs.filter((f) => f.rule === rule);
