// nfdump CSV (every header layout) and nfcapd files through nfdump.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dstAddr, srcAddr } from '../../lib/decode/netflow/record.js';
import type { NetflowRecord } from '../../lib/decode/netflow/record.js';
import { SourceError } from '../../lib/errors.js';
import { looksLikeNfcapd, looksLikeNfdumpCsv, nfdumpFlows, readNfdump } from '../../lib/sources/nfdump.js';
import type { Weird } from '../../lib/weird.js';
import { CORPUS } from '../helpers/paths.js';

const NFCAPD = join(CORPUS, 'netflow/test1-malicious.nfdump');
const enc = new TextEncoder();

async function* bytes(s: string): AsyncGenerator<Uint8Array> {
  // Two chunks cut mid-line, as a stream would.
  const b = enc.encode(s);
  yield b.subarray(0, 50);
  yield b.subarray(50);
}

async function all(s: string): Promise<{ recs: NetflowRecord[]; weirds: Weird[] }> {
  const recs: NetflowRecord[] = [];
  const weirds: Weird[] = [];
  for await (const r of readNfdump(bytes(s), { onWeird: (w) => weirds.push(w), file: 't.csv' })) recs.push(r);
  return { recs, weirds };
}

const V17 = `ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr
2018-01-12 15:37:30,2018-01-12 15:37:31.250,1.250,10.0.0.5,192.0.2.7,52324,443,TCP,...AP.SF,0,0,6,900,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,192.0.2.1,0/0,3,1970-01-01 00:00:00.000
2018-01-12 15:37:30.100,2018-01-12 15:37:31,0.900,192.0.2.7,10.0.0.5,443,52324,TCP,...AP.SF,0,0,5,4000,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,192.0.2.1,0/0,3,1970-01-01 00:00:00.000
2018-01-12 15:37:32,2018-01-12 15:37:32,0.000,10.0.0.5,192.0.2.9,0,8.0,ICMP,........,0,0,1,84,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,192.0.2.1,0/0,3,1970-01-01 00:00:00.000
Summary
flows,bytes,packets,avg_bps,avg_pps,avg_bpp
3,4984,12,0,0,0
`;

test('nfdump 1.6/1.7 -o csv: columns by name, UTC times with ms, flag letters, ICMP type.code, Summary ignored', async (t) => {
  const { recs, weirds } = await all(V17);
  t.deepEqual(weirds, []);
  t.is(recs.length, 3);
  const [a, b, c] = recs as [NetflowRecord, NetflowRecord, NetflowRecord];
  t.deepEqual([srcAddr(a), a.srcPort, dstAddr(a), a.dstPort, a.proto, a.tcpFlags, a.packets, a.octets], ['10.0.0.5', 52324, '192.0.2.7', 443, 6, 0x1b, 6, 900]);
  t.is(a.start, Date.UTC(2018, 0, 12, 15, 37, 30) / 1000);
  t.is(a.end, Date.UTC(2018, 0, 12, 15, 37, 31) / 1000 + 0.25);
  t.is(b.start, Date.UTC(2018, 0, 12, 15, 37, 30) / 1000 + 0.1);
  t.is(a.exporter, '192.0.2.1#3');
  t.deepEqual([c.proto, c.icmpType, c.icmpCode], [1, 8, 0]);
});

test('newer -o csv header names and csv-fast (epoch ms, protocol numbers)', async (t) => {
  const newer = `firstSeen,lastSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,flags,outPackets,outBytes,routerIP
2024-05-01 10:00:00.500,2024-05-01 10:00:02.000,1.500,UDP,fd00::5,40000,2001:db8::53,53,1,70,........,1,120,10.9.9.9
`;
  const fast = `cnt,af,firstSeen,lastSeen,proto,srcAddr,srcPort,dstAddr,dstPort,srcAS,dstAS,input,output,flags,srcTos,packets,bytes
1,2,1714557600500,1714557602000,6,10.0.0.5,50000,198.51.100.3,8443,0,0,0,0,......S.,0,1,60
`;
  const n = await all(newer);
  t.deepEqual(n.weirds, []);
  const r = n.recs[0]!;
  t.deepEqual([r.ipVersion, srcAddr(r), dstAddr(r), r.proto, r.packets, r.octets, r.revPackets, r.revOctets, r.exporter], [6, 'fd00::5', '2001:db8::53', 17, 1, 70, 1, 120, '10.9.9.9']);
  t.is(r.start, Date.UTC(2024, 4, 1, 10, 0, 0) / 1000 + 0.5);
  const f = await all(fast);
  const q = f.recs[0]!;
  t.deepEqual([srcAddr(q), q.dstPort, q.proto, q.tcpFlags, q.start, q.end, q.exporter], ['10.0.0.5', 8443, 6, 2, 1714557600.5, 1714557602, 't.csv']);
});

test('bad rows are weirds with line numbers; a file that is not nfdump CSV is one weird', async (t) => {
  const { recs, weirds } = await all('ts,te,sa,da,sp,dp,pr,ipkt,ibyt\n2024-01-01 00:00:00,2024-01-01 00:00:01,10.0.0.1,10.0.0.2,1,2,TCP,1,40\nnot a time,x,10.0.0.1,zzz,1,2,TCP,1,1\n');
  t.is(recs.length, 1);
  t.deepEqual(weirds.map((w) => [w.kind, w.line]), [['nfdump_bad_row', 3]]);
  const other = await all('hello,world\n1,2\n');
  t.is(other.recs.length, 0);
  t.is(other.weirds[0]?.kind, 'nfdump_no_header');
});

test('sniffers', (t) => {
  t.true(looksLikeNfdumpCsv(enc.encode(V17)));
  t.false(looksLikeNfdumpCsv(enc.encode('#separator \\x09\n')));
  t.true(looksLikeNfcapd(new Uint8Array([0x0c, 0xa5, 1, 0, 0, 0])));
  t.false(looksLikeNfcapd(enc.encode('ts,te')));
});

test('nfcapd file without nfdump installed: a clear SourceError', async (t) => {
  if (!existsSync(NFCAPD)) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  const err = await t.throwsAsync(async () => {
    for await (const _ of readNfdump(NFCAPD, { nfdumpPath: '/nonexistent/nfdump' })) void _;
  });
  t.true(err instanceof SourceError);
  t.regex(err!.message, /needs nfdump, which is not installed/);
});

test('test1-malicious.nfdump through nfdump: every flow, paired into FlowRecords', async (t) => {
  if (!existsSync(NFCAPD)) {
    t.log('corpus absent: skipped');
    t.pass();
    return;
  }
  if (spawnSync('nfdump', ['-V'], { stdio: 'ignore', timeout: 10_000 }).status !== 0) {
    t.log('nfdump not installed (apt-get install nfdump): skipped');
    t.pass();
    return;
  }
  let n = 0;
  for await (const _ of readNfdump(NFCAPD)) n++;
  // nfdump's own summary line for this file says 4593 flows.
  t.is(n, 4593);
  const states: Record<string, number> = {};
  let flows = 0;
  for await (const f of nfdumpFlows(NFCAPD, { localNets: ['147.32.0.0/16'] })) {
    flows++;
    states[f.connState] = (states[f.connState] ?? 0) + 1;
    t.is(f.source, 'netflow');
  }
  t.log(`${n} records -> ${flows} flows; connState ${JSON.stringify(states)}`);
  // The capture is mostly a port scan answered by resets.
  t.true((states['REJ'] ?? 0) > 2000);
});
