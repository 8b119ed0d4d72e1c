// Builders for FlowRecord / DnsRecord in tests: every field set, one shape.
import { newDns, newFlow } from '../../lib/model.js';
import type { DnsRecord, FlowRecord } from '../../lib/model.js';

export const T0 = 1793610000; // 2026-11-02T09:00:00Z, aligned to 10 minutes

export function flow(ts: number, origH: string, respH: string, respP: number, extra: Partial<FlowRecord> = {}): FlowRecord {
  const f = newFlow();
  f.ts = ts;
  f.origH = origH;
  f.origP = 50000 + (Math.floor(ts) % 10000);
  f.respH = respH;
  f.respP = respP;
  f.proto = respP === 53 || respP === 123 ? 'udp' : 'tcp';
  f.duration = 0.5;
  f.connState = 'SF';
  f.source = 'push';
  Object.assign(f, extra);
  return f;
}

export function dns(ts: number, origH: string, resolver: string, query: string, answers: string[] = [], extra: Partial<DnsRecord> = {}): DnsRecord {
  const d = newDns();
  d.ts = ts;
  d.origH = origH;
  d.origP = 40000 + (Math.floor(ts) % 10000);
  d.respH = resolver;
  d.query = query;
  d.qtype = 1;
  d.rcode = answers.length ? 0 : 3;
  d.answers = answers;
  d.ttls = answers.map(() => 300);
  Object.assign(d, extra);
  return d;
}
