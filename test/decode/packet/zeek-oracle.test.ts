// Zeek as the oracle for what the packet layers must find: for every trace
// in zeek-oracle/ with a conn.log, each connection Zeek logged (its 5-tuple
// and IP protocol) is the 5-tuple of some packet we decode — the reported
// (innermost) packet or one of the tunnel levels around it, since Zeek logs
// UDP tunnels as connections too. ICMP ports are mapped as Zeek maps them.
// Skips cleanly when the corpus is absent.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PacketDecoder } from '../../../lib/decode/packet/decoder.js';
import { icmpCounterpart } from '../../../lib/decode/packet/icmp.js';
import { DecodeStatus, Frag, newPacketInfo, type PacketInfo } from '../../../lib/decode/packet/types.js';
import { forEachPacket } from '../../../lib/decode/pcap/reader.js';
import { CORPUS, HAVE_CORPUS } from '../../helpers/paths.js';
import { v4, v6 } from '../../helpers/ip-text.js';

const DIR = join(CORPUS, 'zeek-oracle');


/** Both directions of a packet's connection key, in conn.log terms. */
function keys(x: PacketInfo, into: Set<string>): void {
  const s = x.ipVersion === 4 ? v4(x.src4) : v6(x.src6);
  const d = x.ipVersion === 4 ? v4(x.dst4) : v6(x.dst6);
  let sp = x.sport;
  let dp = x.dport;
  if (x.proto === 1 || x.proto === 58) {
    const c = icmpCounterpart(x.proto === 58, sp);
    if (c >= 0) dp = c;
  }
  if (x.frag === Frag.Later) sp = dp = 0;
  into.add(`${s} ${sp} ${d} ${dp} ${x.proto}`);
  into.add(`${d} ${dp} ${s} ${sp} ${x.proto}`);
}

interface Row {
  key: string;
  line: string;
}

/** conn.log rows as keys; handles the usual header and zeek-cut -m's bare field line. */
function connRows(text: string): Row[] {
  const lines = text.split('\n');
  let fields: string[] = [];
  const rows: Row[] = [];
  for (const l of lines) {
    if (l.startsWith('#fields\t')) fields = l.split('\t').slice(1);
    else if (l.startsWith('ts\tuid\t')) fields = l.split('\t');
    else if (l !== '' && !l.startsWith('#') && l.includes('\t') && fields.length > 0) {
      const c = l.split('\t');
      const f = (n: string): string => c[fields.indexOf(n)] ?? '';
      const proto = f('proto');
      const ipProto = fields.includes('ip_proto') ? f('ip_proto') : proto === 'tcp' ? '6' : proto === 'udp' ? '17' : '';
      let [op, rp] = [f('id.orig_p'), f('id.resp_p')];
      if (proto === 'unknown_transport') op = rp = '0';
      rows.push({ key: `${f('id.orig_h')} ${op} ${f('id.resp_h')} ${rp} ${ipProto}`, line: l });
    }
  }
  return rows;
}

const traces = HAVE_CORPUS && existsSync(DIR) ? readdirSync(DIR).sort().filter((d) => existsSync(join(DIR, d, 'conn.log'))) : [];

if (traces.length === 0) {
  test('zeek oracle (skipped)', (t) => {
    t.log(`no zeek-oracle traces under ${CORPUS}`);
    t.pass();
  });
} else {
  test('zeek oracle: every connection Zeek logged is a decoded 5-tuple', (t) => {
    let rows = 0;
    const misses: string[] = [];
    for (const name of traces) {
      const dir = join(DIR, name);
      const trace = readdirSync(dir).find((n) => /\.pcap(ng)?$/.test(n));
      if (trace === undefined) continue;
      const seen = new Set<string>();
      const dec = new PacketDecoder();
      const info = newPacketInfo();
      forEachPacket(readFileSync(join(dir, trace)), (p) => {
        if (dec.decodeRecord(p, info) !== DecodeStatus.Ok) return;
        keys(info, seen);
        for (let l = 0; l < info.tunnelDepth; l++) keys(dec.tunnelLayer(l), seen);
      });
      for (const r of connRows(readFileSync(join(dir, 'conn.log'), 'utf8'))) {
        rows++;
        if (!seen.has(r.key)) misses.push(`${name}: ${r.key}`);
      }
    }
    t.deepEqual(misses, []);
    t.log(`${traces.length} traces, ${rows} conn.log rows, all found`);
    t.true(rows > 300);
  });
}
