/**
 * Building multiband findings: one place for the shape, so every rule's
 * findings carry the same fields in the same order.
 *
 * @module
 */

import type { HostState } from '../../correlate/host.js';
import { severityOf } from '../../model.js';
import type { EvidenceValue, Finding } from '../../model.js';
import { isoTime } from '../rule.js';
import type { MultibandFeatures } from './features.js';
import { featureEvidence, featureReasons } from './features.js';

export const MULTIBAND_TECHNIQUE = 'T1071';
export const MULTIBAND_ALIASES = ['T1026'];

export function multibandFinding(
  rule: string,
  host: HostState,
  first: number,
  last: number,
  f: MultibandFeatures,
  ruleEvidence: Record<string, EvidenceValue>,
  headline: string,
): Finding {
  const ips = [...f.resolvers];
  for (const w of f.webDestinations) if (!ips.includes(w)) ips.push(w);
  return {
    rule,
    technique: MULTIBAND_TECHNIQUE,
    techniqueAliases: MULTIBAND_ALIASES.slice(),
    source: { ip: host.ip },
    destination: { ip: ips, port: f.ports, domain: f.queriedNames },
    first_seen: isoTime(first),
    last_seen: isoTime(last),
    score: f.score,
    severity: severityOf(f.score),
    evidence: { ...ruleEvidence, ...featureEvidence(f) },
    reasons: [headline, ...featureReasons(f)],
  };
}
