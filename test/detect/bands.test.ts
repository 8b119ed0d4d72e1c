import test from 'ava';
import { Band, bandName, bandOf, isWebBand } from '../../lib/detect/bands.js';

test('ports map to the seed bands', (t) => {
  t.is(bandOf(53, ''), Band.DNS);
  for (const p of [80, 8080]) t.is(bandOf(p, ''), Band.HTTP);
  for (const p of [443, 8443]) t.is(bandOf(p, ''), Band.HTTPS);
  for (const p of [25, 587, 465]) t.is(bandOf(p, ''), Band.SMTP);
  t.is(bandOf(6667, ''), Band.IRC);
  t.is(bandOf(8888, ''), Band.Other);
  t.is(bandName(Band.Other, 8888), 'Other:8888');
  t.is(bandName(Band.HTTPS, 443), 'HTTPS');
});

test('a service seen in the payload wins over the port', (t) => {
  t.is(bandOf(8888, 'http'), Band.HTTP);
  t.is(bandOf(4443, 'ssl'), Band.HTTPS);
  t.is(bandOf(5353, 'dns'), Band.DNS);
  t.is(bandOf(443, 'ssl,http'), Band.HTTPS, "first of Zeek's list");
  t.is(bandOf(80, 'gssapi,smb'), Band.HTTP, 'a service that is no band falls back to the port');
  t.true(isWebBand(Band.HTTP) && isWebBand(Band.HTTPS) && !isWebBand(Band.DNS));
});
