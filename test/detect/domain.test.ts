import test from 'ava';
import { entropy, normalizeName, registeredDomain, subdomainOf } from '../../lib/detect/domain.js';

test('registered domain, with two-label public suffixes', (t) => {
  t.is(registeredDomain('a.b.example.com'), 'example.com');
  t.is(registeredDomain('www.bbc.co.uk'), 'bbc.co.uk');
  t.is(registeredDomain('X.T.Exfil-Example.ORG.'), 'exfil-example.org');
  t.is(registeredDomain('localhost'), 'localhost');
  t.is(registeredDomain('co.uk'), 'co.uk');
  t.is(registeredDomain('1.0.0.10.in-addr.arpa'), '10.in-addr.arpa');
});

test('subdomain part and normalisation', (t) => {
  t.is(subdomainOf('abc.def.example.com', 'example.com'), 'abc.def');
  t.is(subdomainOf('example.com', 'example.com'), '');
  t.is(normalizeName('WWW.Example.COM.'), 'www.example.com');
});

test('Shannon entropy in bits per character', (t) => {
  t.is(entropy(''), 0);
  t.is(entropy('aaaa'), 0);
  t.is(entropy('abab'), 1);
  t.is(entropy('0123456789abcdef'), 4);
});
