// Application bits through the flow table: DNS transactions over UDP and
// TCP, TLS SNI and HTTP Host in the first client payload on any port.
import test from 'ava';
import { encodeDns, tcpFramed } from '../decode/app/dns-build.js';
import { clientHello } from '../decode/app/tls-build.js';
import { Tcp, Trace } from './packets.js';

const C = '10.0.0.1';
const R = '192.0.2.53';

const q = (id: number, name: string, type = 1): Uint8Array => encodeDns({ id, questions: [{ name, type }] });
const a = (id: number, name: string, addrs: string[], rcode = 0): Uint8Array =>
  encodeDns({ id, qr: true, rcode, questions: [{ name, type: 1 }], answers: addrs.map((d) => ({ name, type: 1, ttl: 120, data: d })) });

test('UDP DNS: query and response become one record; the flow has service dns', (t) => {
  const tr = new Trace();
  tr.udp(C, 40000, R, 53, q(7, 'Beacon.Example.com'));
  tr.udp(R, 53, C, 40000, a(7, 'beacon.example.com', ['198.51.100.1', '198.51.100.2']));
  t.is(tr.dns.length, 1); // emitted as soon as both were seen
  const d = tr.dns[0];
  t.is(d?.query, 'beacon.example.com');
  t.is(d?.qtype, 1);
  t.is(d?.rcode, 0);
  t.deepEqual(d?.answers, ['198.51.100.1', '198.51.100.2']);
  t.deepEqual(d?.ttls, [120, 120]);
  t.is(d?.transId, 7);
  t.is(d?.origH, C);
  t.is(d?.respP, 53);
  t.is(d?.proto, 'udp');
  t.is(d?.source, 'pcap');
  const f = tr.only();
  t.is(f.service, 'dns');
  t.is(d?.uid, f.uid);
});

test('UDP DNS: an unanswered query is emitted when the flow ends, rcode -1; a lone response has qtype -1', (t) => {
  const tr = new Trace();
  tr.udp(C, 40001, R, 53, q(1, 'nx.example', 16));
  tr.udp(C, 40002, R, 53, q(2, 'x.example'));
  tr.udp(R, 53, C, 40002, a(3, 'other.example', ['192.0.2.1']));
  t.is(tr.dns.length, 0);
  tr.end();
  t.is(tr.dns.length, 3);
  const unanswered = tr.dns.find((d) => d.transId === 1);
  t.is(unanswered?.rcode, -1);
  t.is(unanswered?.qtype, 16);
  const lone = tr.dns.find((d) => d.transId === 3);
  t.is(lone?.qtype, -1);
  t.is(lone?.query, 'other.example'); // from the first answer's owner, as Zeek does
  t.deepEqual(lone?.answers, ['192.0.2.1']);
});

test('UDP DNS: the flow ends 10 s after the last packet (DNS analyzer expiry), not 60 s', (t) => {
  const tr = new Trace();
  tr.udp(C, 40000, R, 53, q(1, 'a.example'));
  tr.udp(R, 53, C, 40000, a(1, 'a.example', ['192.0.2.1']));
  tr.table.expire(tr.t + 12);
  t.is(tr.flows.length, 1);
});

test('a response sent first by the originator flips the flow (Zeek DNS analyzer)', (t) => {
  const tr = new Trace();
  // Both ports 53: no port flip; the DNS analyzer sees a response from the originator.
  tr.udp(R, 53, C, 53, a(9, 'flip.example', ['192.0.2.9']));
  tr.end();
  t.is(tr.flows[0]?.origH, C);
  t.is(tr.flows[0]?.history, 'D^'); // the letter was written before the flip, as in Zeek's NTP baseline
  t.is(tr.dns[0]?.origH, C);
});

test('DNS over TCP: two messages in one segment, one split over segments', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40100, R, 53).handshake();
  c.c('PA', tcpFramed(q(1, 'one.example'), q(2, 'two.example')));
  const resp = tcpFramed(a(1, 'one.example', ['192.0.2.1']), a(2, 'two.example', ['192.0.2.2']));
  c.s('PA', resp.subarray(0, 20));
  c.s('PA', resp.subarray(20));
  tr.end();
  t.deepEqual(
    tr.dns.map((d) => [d.query, d.answers.join(','), d.proto]),
    [
      ['one.example', '192.0.2.1', 'tcp'],
      ['two.example', '192.0.2.2', 'tcp'],
    ],
  );
  t.is(tr.flows[0]?.service, 'dns');
});

test('TLS: SNI from a ClientHello split over two segments, on a port that is not 443', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40200, '203.0.113.9', 8443).handshake();
  const h = clientHello('Updates.Example.NET', { padding: 1600 });
  c.c('A', h.subarray(0, 1400));
  c.s('A');
  c.c('PA', h.subarray(1400));
  const f = tr.only();
  t.is(f.service, 'ssl');
  t.is(f.serverName, 'updates.example.net');
  t.is(tr.table.stats.tlsSni, 1);
});

test('TLS: a retransmitted first segment does not break the join', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40201, '203.0.113.9', 443).handshake();
  const h = clientHello('retx.example', { padding: 1600 });
  const seq = c.cseq;
  c.c('A', h.subarray(0, 1000));
  c.c('A', h.subarray(0, 1000), { seq });
  c.c('PA', h.subarray(1000));
  t.is(tr.only().serverName, 'retx.example');
});

test('TLS: flows that end with half a ClientHello leave nothing behind (their slots are reused by later flows)', (t) => {
  // More flows than MAX_BUFFERING_FLOWS end mid-ClientHello; state kept past their end would fill
  // the buffering budget (and meet the flows that reuse their slots), and the last flow would go unnamed.
  const tr = new Trace();
  const h = clientHello('half.example', { padding: 1600 });
  for (let k = 0; k < 4500; k++) {
    const c = new Tcp(tr, C, 20000 + (k % 40000), `203.0.${k >> 8}.${k & 255}`, 443).handshake();
    c.c('A', h.subarray(0, 1000));
    c.c('R', undefined, { dt: 1 });
  }
  const last = new Tcp(tr, C, 19999, '198.51.100.1', 443).handshake();
  const hl = clientHello('whole.example', { padding: 1600 });
  last.c('A', hl.subarray(0, 1000));
  last.c('PA', hl.subarray(1000));
  tr.end();
  t.is(tr.flows.length, 4501);
  t.is(tr.flows.find((f) => f.respH === '198.51.100.1')?.serverName, 'whole.example');
});

test('HTTP: Host on an unusual port; the first client payload decides', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40300, '203.0.113.80', 8888).handshake();
  c.c('PA', 'GET /a HTTP/1.1\r\nHost: CDN.Example.com:8888\r\nUser-Agent: x\r\n\r\n');
  const f = tr.only();
  t.is(f.service, 'http');
  t.is(f.serverName, 'cdn.example.com');

  const tr2 = new Trace();
  const c2 = new Tcp(tr2, C, 40301, '203.0.113.80', 80).handshake();
  c2.c('PA', 'SSH-2.0-OpenSSH_9.6\r\n');
  c2.c('PA', 'GET / HTTP/1.1\r\nHost: late.example\r\n\r\n');
  const g = tr2.only();
  t.is(g.service, '');
  t.is(g.serverName, '');
});

test('a sink with name() also gets a NameRecord per named flow (protocol, method, proxy hint)', (t) => {
  const tr = new Trace();
  const c = new Tcp(tr, C, 40400, '10.9.9.9', 3128).handshake();
  c.c('PA', 'CONNECT C2.example.net:443 HTTP/1.1\r\nHost: c2.example.net:443\r\n\r\n');
  const f = tr.only();
  t.is(tr.names.length, 1);
  const n = tr.names[0];
  t.is(n?.serverName, 'c2.example.net');
  t.is(n?.protocol, 'http');
  t.is(n?.method, 'CONNECT');
  t.true(n?.proxied);
  t.is(n?.uid, f.uid);
  t.is(n?.source, 'pcap');
});

test('app: false parses nothing', (t) => {
  const tr = new Trace({ app: false });
  tr.udp(C, 40000, R, 53, q(7, 'a.example'));
  tr.udp(R, 53, C, 40000, a(7, 'a.example', ['192.0.2.1']));
  const f = tr.only();
  t.is(f.service, '');
  t.is(tr.dns.length, 0);
});
