/**
 * Beacon findings: one shape for `beacon.runs` and `beacon.score`, in both
 * modes. MITRE ATT&CK T1071 (Application Layer Protocol), with the
 * sub-technique the destination's port or name says: .001 web, .002 file
 * transfer, .003 mail, .004 DNS.
 *
 * @module
 */

import type { Severity } from '../../model.js';

const WEB = new Set([80, 443, 8080, 8443, 8000, 8008, 8888, 3128]);
const FILE = new Set([20, 21, 989, 990]);
const MAIL = new Set([25, 465, 587, 110, 995, 143, 993]);

/** ATT&CK technique of a beacon to `port` (`named`: an SNI or Host was seen, i.e. TLS or HTTP). */
export function beaconTechnique(port: number, named: boolean): string {
  if (port === 53) return 'T1071.004';
  if (named || WEB.has(port)) return 'T1071.001';
  if (FILE.has(port)) return 'T1071.002';
  if (MAIL.has(port)) return 'T1071.003';
  return 'T1071';
}

/** Severity from RITA's impact category (rita mode): none and low are `low`. */
export function ritaSeverity(impact: 'high' | 'medium' | 'low' | 'none'): Severity {
  return impact === 'high' ? 'high' : impact === 'medium' ? 'medium' : 'low';
}

/** Seconds as a short human duration: `45 s`, `12.5 min`, `3.2 h`, `2.1 d`. */
export function human(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 120) return `${+seconds.toFixed(a < 10 ? 2 : 1)} s`;
  if (a < 7200) return `${+(seconds / 60).toFixed(1)} min`;
  if (a < 172_800) return `${+(seconds / 3600).toFixed(1)} h`;
  return `${+(seconds / 86_400).toFixed(1)} d`;
}

/** A p-value for evidence: 3 significant digits, floored at 1e-300. */
export function pValue(p: number): number {
  if (p <= 1e-300) return 1e-300;
  return Number(p.toPrecision(3));
}
