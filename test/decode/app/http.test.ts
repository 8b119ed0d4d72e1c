// HTTP request Host: methods, header forms, incomplete heads.
import test from 'ava';
import { hostOnly, HttpStatus, newHttpResult, parseHttpRequestHost } from '../../../lib/decode/app/http.js';

const b = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

test('Host of a request, any method, any case, with or without CR', (t) => {
  const r = newHttpResult();
  const req = b('POST /beacon HTTP/1.1\r\nUser-Agent: x\r\nhOsT:   C2.Example.net:8080 \r\n\r\nbody');
  t.is(parseHttpRequestHost(req, 0, req.length, r), HttpStatus.Host);
  t.is(r.host, 'C2.Example.net:8080');
  t.is(r.method, 'POST');
  t.is(hostOnly(r.host), 'c2.example.net');
  const lf = b('GET / HTTP/1.0\nHost: a.b\n\n');
  t.is(parseHttpRequestHost(lf, 0, lf.length, r), HttpStatus.Host);
  t.is(r.host, 'a.b');
  t.is(hostOnly('[2001:db8::1]:80'), '2001:db8::1');
});

test('no Host, incomplete heads, not HTTP', (t) => {
  const r = newHttpResult();
  const none = b('GET / HTTP/1.0\r\nAccept: */*\r\n\r\n');
  t.is(parseHttpRequestHost(none, 0, none.length, r), HttpStatus.NoHost);
  const part = b('GET /x HTTP/1.1\r\nAccept: */*\r\nHo');
  t.is(parseHttpRequestHost(part, 0, part.length, r), HttpStatus.NeedMore);
  t.is(parseHttpRequestHost(b('GE'), 0, 2, r), HttpStatus.NeedMore);
  t.is(parseHttpRequestHost(b('GET'), 0, 3, r), HttpStatus.NeedMore);
  for (const s of ['\x16\x03\x01', 'SSH-2.0-OpenSSH', 'GETX / HTTP/1.1', 'get / HTTP/1.1', '']) {
    const st = parseHttpRequestHost(b(s), 0, s.length, r);
    t.true(st === HttpStatus.NotHttp || (s === '' && st === HttpStatus.NeedMore), JSON.stringify(s));
  }
});

test('every prefix of a request is NeedMore until the Host line is complete', (t) => {
  const r = newHttpResult();
  const req = b('GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n');
  const hostEnd = req.indexOf(0x0a, 30) + 1;
  for (let n = 0; n < req.length; n++) {
    const st = parseHttpRequestHost(req, 0, n, r);
    if (n < hostEnd) t.is(st, HttpStatus.NeedMore, `prefix ${n}`);
    else t.is(st, HttpStatus.Host);
  }
});

test('proxy requests: CONNECT and absolute-form targets', (t) => {
  const r = newHttpResult();
  const c = b('CONNECT c2.example.net:443 HTTP/1.1\r\nHost: c2.example.net:443\r\n\r\n');
  t.is(parseHttpRequestHost(c, 0, c.length, r), HttpStatus.Host);
  t.true(r.proxied);
  t.is(r.method, 'CONNECT');
  const abs = b('GET http://x.example/a HTTP/1.1\r\nHost: x.example\r\n\r\n');
  parseHttpRequestHost(abs, 0, abs.length, r);
  t.true(r.proxied);
  const origin = b('GET /http://not-a-proxy HTTP/1.1\r\nHost: y.example\r\n\r\n');
  parseHttpRequestHost(origin, 0, origin.length, r);
  t.false(r.proxied);
});
