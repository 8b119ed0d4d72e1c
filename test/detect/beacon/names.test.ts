// Server names from Zeek ssl.log and http.log: decoded, found in directories, joined onto flows by uid.
import test from 'ava';
import { ZeekDecoder } from '../../../lib/decode/zeek/decoder.js';
import type { NameRecord } from '../../../lib/model.js';
import { logKindOfName } from '../../../lib/sources/files.js';
import { Engine } from '../../../lib/engine.js';
import { T0, conn, nameRec } from './helpers.js';

const enc = new TextEncoder();

function decode(text: string, withNames = true): { names: NameRecord[]; skipped: number; weirds: number } {
  const names: NameRecord[] = [];
  const d = new ZeekDecoder({
    sink: withNames ? { flow: () => {}, dns: () => {}, name: (r) => names.push(r) } : { flow: () => {}, dns: () => {} },
    onWeird: () => {},
  });
  d.push(enc.encode(text));
  d.end();
  return { names, skipped: d.stats.skipped, weirds: d.stats.weirds };
}

const SSL = [
  '#separator \\x09',
  '#path\tssl',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\tserver_name\tresumed\testablished',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tbool',
  '1714420897.881465\tCTkV3V37\t10.0.0.111\t53411\t10.0.0.238\t3128\tTLSv13\tTLS_AES_128_GCM_SHA256\tx25519\twww.whitehouse.gov\tF\tT',
  '1714420898.000001\tCnoSNI00\t10.0.0.111\t53412\t198.51.100.1\t443\tTLSv12\t-\t-\t-\tF\tT',
  '',
].join('\n');

const HTTP = [
  '#separator \\x09',
  '#path\thttp',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\tuser_agent',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring',
  '1714420900.5\tCconnect\t10.0.0.111\t50000\t10.0.0.238\t3128\t1\tCONNECT\tsafebrowsing.googleapis.com:443\tsafebrowsing.googleapis.com:443\tMozilla',
  '1714420901.5\tCproxyget\t10.0.0.111\t50001\t10.0.0.238\t3128\t1\tGET\tocsp.pki.goog\thttp://ocsp.pki.goog/gts1c3\tMozilla',
  '1714420902.5\tCdirect0\t10.0.0.111\t50002\t192.0.2.80\t80\t1\tGET\twww.example.com\t/index.html\tMozilla',
  '1714420903.5\tCnohost0\t10.0.0.111\t50003\t192.0.2.80\t80\t1\tGET\t-\t/\tcurl',
  '',
].join('\n');

test('ssl.log server_name and http.log host become NameRecords; CONNECT and absolute URIs are proxied', (t) => {
  const ssl = decode(SSL);
  t.is(ssl.names.length, 1);
  t.like(ssl.names[0]!, { kind: 'name', uid: 'CTkV3V37', origH: '10.0.0.111', respH: '10.0.0.238', respP: 3128, serverName: 'www.whitehouse.gov', protocol: 'tls', method: '', proxied: false, source: 'zeek' });
  t.is(ssl.skipped, 1, 'no SNI: skipped');
  const http = decode(HTTP);
  t.deepEqual(
    http.names.map((n) => [n.uid, n.serverName, n.method, n.proxied]),
    [
      ['Cconnect', 'safebrowsing.googleapis.com:443', 'CONNECT', true],
      ['Cproxyget', 'ocsp.pki.goog', 'GET', true],
      ['Cdirect0', 'www.example.com', 'GET', false],
    ],
  );
  t.is(http.weirds, 0);
});

test('a sink without name() sees ssl/http logs skipped as before', (t) => {
  const out = decode(SSL + HTTP, false);
  t.is(out.names.length, 0);
  t.is(out.skipped, 6);
});

test('JSON lines: _path ssl/http, or sniffed from the keys', (t) => {
  const lines =
    JSON.stringify({ _path: 'ssl', ts: 1.5, uid: 'Ca', 'id.orig_h': '10.0.0.1', 'id.orig_p': 1, 'id.resp_h': '192.0.2.1', 'id.resp_p': 443, server_name: 'a.example' }) +
    '\n' +
    JSON.stringify({ ts: '2024-04-29T16:00:00.5Z', uid: 'Cb', 'id.orig_h': '10.0.0.1', 'id.resp_h': '10.0.0.9', 'id.resp_p': 3128, method: 'CONNECT', host: 'b.example:443', uri: 'b.example:443' }) +
    '\n';
  const out = decode(lines);
  t.deepEqual(out.names.map((n) => [n.serverName, n.protocol, n.proxied]), [['a.example', 'tls', false], ['b.example:443', 'http', true]]);
});

test('directories take ssl and http logs, current and rotated', (t) => {
  t.is(logKindOfName('ssl.log'), 'ssl');
  t.is(logKindOfName('http.16:00:00-17:00:00.log.gz'), 'http');
  t.is(logKindOfName('open_http.log.gz'), '');
  t.is(logKindOfName('x509.log'), '');
});

test('the engine joins a name onto the flow with its uid when the flow reaches the watermark', (t) => {
  const e = new Engine({ rules: ['beacon.score'] });
  const f = conn(T0, '10.1.0.5', '10.9.0.1', 3128);
  e.pushFlow(f);
  e.pushName(nameRec(T0 + 0.2, f, 'c2.example:443', 'http', 'CONNECT', true));
  e.pushName(nameRec(T0 + 0.3, { ...f, uid: '' }, 'nouid.example', 'tls'));
  e.pushName(nameRec(T0 + 0.4, { ...f, origH: '203.0.113.1' }, 'outside.example', 'tls'));
  e.flush();
  const s = e.stats();
  t.is(s.names, 3);
  t.is(s.namesJoined, 1);
  t.is(s.namesDropped, 1, 'no uid');
  t.is(s.externalOrigin, 1);
});

test('names without a beacon rule are dropped at once (nothing to join for)', (t) => {
  const e = new Engine({ rules: ['multiband'] });
  const f = conn(T0, '10.1.0.5', '192.0.2.9', 443);
  e.pushFlow(f);
  e.pushName(nameRec(T0 + 0.2, f, 'x.example', 'tls'));
  e.flush();
  t.is(e.stats().namesDropped, 1);
});
