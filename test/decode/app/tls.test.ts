// TLS ClientHello SNI: crafted hellos, every split point, damage.
import test from 'ava';
import { newSniResult, parseClientHelloSni, SniStatus } from '../../../lib/decode/app/tls.js';
import { clientHello } from './tls-build.js';

test('SNI of a crafted ClientHello, also at an offset in a larger buffer', (t) => {
  const r = newSniResult();
  const h = clientHello('Beacon.Example.org');
  t.is(parseClientHelloSni(h, 0, h.length, r), SniStatus.Found);
  t.is(r.name, 'Beacon.Example.org');
  const big = new Uint8Array(h.length + 100);
  big.set(h, 60);
  t.is(parseClientHelloSni(big, 60, h.length, r), SniStatus.Found);
  t.is(r.name, 'Beacon.Example.org');
});

test('no SNI, no extensions', (t) => {
  const r = newSniResult();
  const a = clientHello(undefined);
  t.is(parseClientHelloSni(a, 0, a.length, r), SniStatus.NoSni);
  const b = clientHello(undefined, { noExtensions: true });
  t.is(parseClientHelloSni(b, 0, b.length, r), SniStatus.NoSni);
  t.is(r.name, '');
});

test('every prefix of a large hello asks for more, with the length of its record', (t) => {
  const r = newSniResult();
  const h = clientHello('split.example', { padding: 1800 });
  for (let n = 0; n < h.length; n++) {
    const st = parseClientHelloSni(h, 0, n, r);
    t.is(st, SniStatus.NeedMore, `prefix ${n}`);
    t.true(r.need === 5 || r.need === h.length);
  }
  t.is(parseClientHelloSni(h, 0, h.length, r), SniStatus.Found);
});

test('not TLS: HTTP, an alert record, SSLv2-looking bytes, a server hello', (t) => {
  const r = newSniResult();
  for (const s of ['GET / HTTP/1.1\r\n', '\x15\x03\x03\x00\x02\x02\x28', '\x80\x2e\x01\x00\x02', '\x16\x03\x03\x00\x30\x02\x00\x00\x2c']) {
    const b = Uint8Array.from(s, (c) => c.charCodeAt(0));
    t.is(parseClientHelloSni(b, 0, b.length, r), SniStatus.NotTls, JSON.stringify(s));
  }
});

test('damaged fields: lengths past their bounds are Malformed, random bytes never throw', (t) => {
  const r = newSniResult();
  const h = clientHello('x.example');
  const bad = h.slice();
  bad[5 + 4 + 34] = 200; // session id length past the record
  t.is(parseClientHelloSni(bad, 0, bad.length, r), SniStatus.Malformed);
  let a = 12345;
  for (let k = 0; k < 5000; k++) {
    const b = h.slice();
    for (let j = 0; j < 4; j++) {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      b[5 + (a % (b.length - 5))] = a >>> 24;
    }
    t.notThrows(() => parseClientHelloSni(b, 0, b.length, r));
  }
});
