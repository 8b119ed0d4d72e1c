/** Tests for lib/net/addr.ts: address parsing and formatting, CIDR set membership. */

import test from 'ava';
import {
  CidrSet,
  DEFAULT_LOCAL_NETS,
  DEFAULT_NON_PUBLIC,
  formatIPv4,
  formatIPv6,
  Ip4TextCache,
  isIP,
  namesAddress,
  parseIPv4,
  parseIPv6,
} from '../../lib/net/addr.js';
import { mulberry32 } from '../../bench/gen/prng.js';
import { isIPv6 } from 'node:net';

const groups = (...g: number[]): Uint16Array => Uint16Array.from(g);

test('parseIPv4: valid addresses', (t) => {
  t.is(parseIPv4('0.0.0.0'), 0);
  t.is(parseIPv4('255.255.255.255'), 0xffffffff);
  t.is(parseIPv4('1.2.3.4'), 0x01020304);
  t.is(parseIPv4('10.0.0.1'), 0x0a000001);
  t.is(parseIPv4('192.168.100.200'), 0xc0a864c8);
});

test('parseIPv4: not addresses', (t) => {
  for (const s of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.256',
    '1.2.3.999',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.-4',
    '1.2.3.+4',
    'a.b.c.d',
    '0x1.2.3.4',
    '1.2.3.4/32',
    '::1',
    '1234.1.1.1',
    '16909060',
  ]) {
    t.is(parseIPv4(s), -1, JSON.stringify(s));
  }
});

test('parseIPv4: leading zeros are rejected (octal in inet_aton, so ambiguous)', (t) => {
  t.is(parseIPv4('01.2.3.4'), -1);
  t.is(parseIPv4('1.2.3.04'), -1);
  t.is(parseIPv4('010.0.0.1'), -1);
  t.is(parseIPv4('1.00.3.4'), -1);
  t.is(parseIPv4('000.0.0.0'), -1);
  // A lone zero is not a leading zero.
  t.is(parseIPv4('0.10.0.100'), 0x000a0064);
});

test('formatIPv4 round-trips', (t) => {
  for (const s of ['0.0.0.0', '255.255.255.255', '1.2.3.4', '203.0.113.77']) t.is(formatIPv4(parseIPv4(s)), s);
  t.is(formatIPv4(0x80000000), '128.0.0.0');
});

test('parseIPv6: full, compressed, and edge forms', (t) => {
  t.deepEqual(parseIPv6('2001:db8:0:0:0:0:0:1'), groups(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
  t.deepEqual(parseIPv6('2001:DB8::1'), groups(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
  t.deepEqual(parseIPv6('::'), groups(0, 0, 0, 0, 0, 0, 0, 0));
  t.deepEqual(parseIPv6('::1'), groups(0, 0, 0, 0, 0, 0, 0, 1));
  t.deepEqual(parseIPv6('fe80::'), groups(0xfe80, 0, 0, 0, 0, 0, 0, 0));
  t.deepEqual(parseIPv6('1:2:3:4:5:6:7::'), groups(1, 2, 3, 4, 5, 6, 7, 0));
  t.deepEqual(parseIPv6('::2:3:4:5:6:7:8'), groups(0, 2, 3, 4, 5, 6, 7, 8));
  t.deepEqual(parseIPv6('0001:0002:0003:0004:0005:0006:0007:ffff'), groups(1, 2, 3, 4, 5, 6, 7, 0xffff));
});

test('parseIPv6: embedded IPv4', (t) => {
  t.deepEqual(parseIPv6('::ffff:192.0.2.1'), groups(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201));
  t.deepEqual(parseIPv6('64:ff9b::198.51.100.7'), groups(0x64, 0xff9b, 0, 0, 0, 0, 0xc633, 0x6407));
  t.deepEqual(parseIPv6('1:2:3:4:5:6:1.2.3.4'), groups(1, 2, 3, 4, 5, 6, 0x0102, 0x0304));
  t.is(parseIPv6('::ffff:256.0.0.1'), undefined);
  t.is(parseIPv6('::ffff:1.2.3'), undefined);
  t.is(parseIPv6('::1.2.3.4:5'), undefined, 'IPv4 only as the last 32 bits');
  t.is(parseIPv6('1.2.3.4::'), undefined, 'not before ::');
  t.is(parseIPv6('1.2.3.4::1'), undefined, 'not before ::');
  t.is(parseIPv6('1:2:3:4:5:6:7:1.2.3.4'), undefined, 'too many groups');
});

test('parseIPv6: zone is ignored', (t) => {
  t.deepEqual(parseIPv6('fe80::1%eth0'), groups(0xfe80, 0, 0, 0, 0, 0, 0, 1));
  t.deepEqual(parseIPv6('fe80::1%25'), groups(0xfe80, 0, 0, 0, 0, 0, 0, 1));
  t.is(parseIPv6('1.2.3.4%eth0'), undefined);
});

test('parseIPv6: not addresses', (t) => {
  for (const s of [
    '',
    ':',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    '12345::',
    'g::1',
    '1.2.3.4',
    'example.com',
    '[::1]',
    ' ::1',
  ]) {
    t.is(parseIPv6(s), undefined, JSON.stringify(s));
  }
});

test('formatIPv6: RFC 5952 text', (t) => {
  const f = (s: string): string => formatIPv6(parseIPv6(s)!);
  t.is(f('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  t.is(f('::'), '::');
  t.is(f('::1'), '::1');
  t.is(f('1::'), '1::');
  t.is(f('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1', 'one zero group is not compressed');
  t.is(f('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1', 'the longest run');
  t.is(f('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1', 'the first of equal runs');
  t.is(f('1:2:3:4:5:6:7:8'), '1:2:3:4:5:6:7:8');
});

test('isIP', (t) => {
  t.true(isIP('192.0.2.1'));
  t.true(isIP('2001:db8::1'));
  t.false(isIP('192.0.2'));
  t.false(isIP('example.com'));
});

test('CidrSet: IPv4 membership at block boundaries', (t) => {
  const s = new CidrSet(['10.0.0.0/8', '192.168.1.128/25', '172.16.0.0/12']);
  t.true(s.has('10.0.0.0'));
  t.true(s.has('10.255.255.255'));
  t.false(s.has('9.255.255.255'));
  t.false(s.has('11.0.0.0'));
  t.true(s.has('192.168.1.128'));
  t.true(s.has('192.168.1.255'));
  t.false(s.has('192.168.1.127'));
  t.false(s.has('192.168.2.0'));
  t.true(s.has('172.31.255.255'));
  t.false(s.has('172.32.0.0'));
  t.true(s.hasV4(parseIPv4('172.16.0.0')));
  t.false(s.has('not an address'));
  t.false(s.has('2001:db8::1'));
});

test('CidrSet: IPv6 membership at block boundaries, including prefixes not on a group boundary', (t) => {
  const s = new CidrSet(['2001:db8::/32', 'fe80::/10', '2001:db8:8000::/33']);
  t.true(s.has('2001:db8::'));
  t.true(s.has('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'));
  t.false(s.has('2001:db9::'));
  t.false(s.has('2001:db7:ffff:ffff:ffff:ffff:ffff:ffff'));
  t.true(s.has('fe80::1'));
  t.true(s.has('febf:ffff::'));
  t.false(s.has('fec0::'));
  t.false(s.has('fe7f:ffff::'));
  t.true(s.has('fe80::1%eth0'));
  t.false(s.has('10.0.0.1'));
  const t33 = new CidrSet(['2001:db8:8000::/33']);
  t.true(t33.has('2001:db8:8000::'));
  t.true(t33.has('2001:db8:ffff::1'));
  t.false(t33.has('2001:db8:7fff:ffff:ffff:ffff:ffff:ffff'));
});

test('CidrSet: /0 matches its whole family only', (t) => {
  const v4 = new CidrSet(['0.0.0.0/0']);
  t.true(v4.has('0.0.0.0'));
  t.true(v4.has('255.255.255.255'));
  t.false(v4.has('::1'));
  const v6 = new CidrSet(['::/0']);
  t.true(v6.has('::'));
  t.true(v6.has('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));
  t.false(v6.has('1.2.3.4'));
});

test('CidrSet: bare addresses are /32 and /128', (t) => {
  const s = new CidrSet(['198.51.100.7', '2001:db8::7']);
  t.deepEqual(s.list(), ['198.51.100.7/32', '2001:db8::7/128']);
  t.true(s.has('198.51.100.7'));
  t.false(s.has('198.51.100.6'));
  t.false(s.has('198.51.100.8'));
  t.true(s.has('2001:db8:0:0:0:0:0:7'));
  t.false(s.has('2001:db8::6'));
  t.false(s.has('2001:db8::8'));
});

test('CidrSet.parse: canonical text masks host bits', (t) => {
  t.is(CidrSet.parse('10.1.2.3/8').text, '10.0.0.0/8');
  t.is(CidrSet.parse(' 192.168.1.200/25 ').text, '192.168.1.128/25');
  t.is(CidrSet.parse('0.0.0.0/0').text, '0.0.0.0/0');
  t.is(CidrSet.parse('255.255.255.255/32').text, '255.255.255.255/32');
  t.is(CidrSet.parse('2001:DB8:0:0:1::5/32').text, '2001:db8::/32');
  t.is(CidrSet.parse('fe80::1%eth0/10').text, 'fe80::/10');
  t.is(CidrSet.parse('2001:db8:ffff::/33').text, '2001:db8:8000::/33');
  t.is(CidrSet.parse('::/0').text, '::/0');
  const p = CidrSet.parse('2001:db8::/32');
  t.is(p.family, 6);
  t.is(p.prefix, 32);
});

test('CidrSet: bad input throws C2W_ERR_INVALID_OPTION', (t) => {
  for (const s of [
    '',
    'example.com',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '10.0.0.0/a',
    '10.0.0.0/1234',
    '10.0.0/8',
    '256.0.0.0/8',
    '010.0.0.0/8',
    '2001:db8::/129',
    '2001:db8::/',
    '1::2::3/64',
    '/8',
  ]) {
    t.throws(() => CidrSet.parse(s), { code: 'C2W_ERR_INVALID_OPTION' }, JSON.stringify(s));
    t.throws(() => new CidrSet([s]), { code: 'C2W_ERR_INVALID_OPTION' }, JSON.stringify(s));
  }
});

test('CidrSet: size and list follow add', (t) => {
  const s = new CidrSet();
  t.is(s.size, 0);
  t.false(s.has('1.2.3.4'));
  t.is(s.add('1.2.3.0/24').add('::1'), s);
  t.is(s.size, 2);
  t.deepEqual(s.list(), ['1.2.3.0/24', '::1/128']);
});

test('default lists parse and hold what they say', (t) => {
  const local = new CidrSet(DEFAULT_LOCAL_NETS);
  t.true(local.has('10.1.1.1') && local.has('100.64.0.1') && local.has('fd00::1'));
  t.false(local.has('8.8.8.8'));
  const nonPublic = new CidrSet(DEFAULT_NON_PUBLIC);
  for (const a of ['127.0.0.1', '169.254.1.1', '224.0.0.251', '255.255.255.255', '::1', 'fe80::1', 'ff02::1']) {
    t.true(nonPublic.has(a), a);
  }
  // Documentation ranges stay "public" so test captures can use them.
  for (const a of ['192.0.2.1', '198.51.100.1', '203.0.113.1', '2001:db8::1', '8.8.8.8']) t.false(nonPublic.has(a), a);
});

test('namesAddress: an IP-literal Host / SNI / CONNECT target for the same address', (t) => {
  t.true(namesAddress('203.0.113.5', '203.0.113.5'));
  t.true(namesAddress('203.0.113.5:8080', '203.0.113.5'));
  t.true(namesAddress('[2001:db8::1]:443', '2001:db8:0:0:0:0:0:1'));
  t.true(namesAddress('2001:DB8::1', '2001:db8::1'));
  t.false(namesAddress('203.0.113.5', '203.0.113.6'), 'another address (a proxy target) names something');
  t.false(namesAddress('example.com', '203.0.113.5'));
  t.false(namesAddress('203.0.113.5.example.com', '203.0.113.5'));
  t.false(namesAddress('', '203.0.113.5'));
  t.false(namesAddress('[2001:db8::1', '2001:db8::1'));
});

test('Ip4TextCache: the dotted text of any address, the same string for a recent one', (t) => {
  const c = new Ip4TextCache(16);
  const rnd = mulberry32(42);
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor(rnd() * 4294967296) >>> 0;
    t.is(c.text(n), formatIPv4(n));
  }
  const a = c.text(0x0a000001);
  t.is(a, '10.0.0.1');
  t.is(c.text(0x0a000001), a);
  t.is(c.text(0), '0.0.0.0');
  t.is(c.text(0xffffffff), '255.255.255.255');
});

/** The first parser (split and regex), kept as the oracle for the allocation-free one. */
function referenceParseIPv6(s: string): number[] | undefined {
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s.indexOf(':') < 0) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const parse = (parts: string[], into: number[], v4Tail: boolean): boolean => {
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (v4Tail && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 < 0) return false;
        into.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
        into.push(parseInt(p, 16));
      }
    }
    return true;
  };
  const hg: number[] = [];
  const tg: number[] = [];
  if (!parse(head === '' ? [] : head.split(':'), hg, dbl < 0) || !parse(tail === '' ? [] : tail.split(':'), tg, true)) return undefined;
  if (dbl >= 0) return hg.length + tg.length > 7 ? undefined : [...hg, ...new Array<number>(8 - hg.length - tg.length).fill(0), ...tg];
  return hg.length === 8 ? hg : undefined;
}

test('parseIPv6 (property): agrees with the split-and-regex reference and with net.isIPv6 on 200 000 random strings and every text form of random addresses', (t) => {
  const rnd = mulberry32(7);
  const pick = (s: string): string => s[Math.floor(rnd() * s.length)]!;
  let valid = 0;
  let bad = 0;
  for (let k = 0; k < 200_000 && bad < 5; k++) {
    // Strings near the grammar: hex digits, colons, dots, the odd other character.
    const len = Math.floor(rnd() * 40);
    let s = '';
    for (let i = 0; i < len; i++) s += pick(rnd() < 0.02 ? 'g% -' : '0123456789abcdefABCDEF::::.');
    const got = parseIPv6(s);
    const want = referenceParseIPv6(s);
    const same = got === undefined ? want === undefined : want !== undefined && want.every((v, i) => got[i] === v);
    const node = s.includes('%') || isIPv6(s) === (got !== undefined); // zones: Node wants a non-empty one
    if (!same || !node) {
      bad++;
      t.fail(`"${s}": got ${got === undefined ? 'undefined' : [...got].join(',')}, reference ${String(want)}, net.isIPv6 ${isIPv6(s)}`);
    }
    if (got !== undefined) valid++;
  }
  t.true(valid > 1000, `only ${valid} valid strings drawn`);
  // Every text form of random addresses parses back to the groups.
  for (let k = 0; k < 20_000 && bad < 5; k++) {
    const g = new Uint16Array(8);
    for (let i = 0; i < 8; i++) g[i] = rnd() < 0.4 ? 0 : Math.floor(rnd() * 65536);
    const forms = [formatIPv6(g), formatIPv6(g).toUpperCase(), [...g].map((x) => x.toString(16).padStart(4, '0')).join(':'), `${formatIPv6(g)}%eth0`];
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) forms.push(`::ffff:${g[6]! >>> 8}.${g[6]! & 255}.${g[7]! >>> 8}.${g[7]! & 255}`);
    for (const f of forms) {
      const got = parseIPv6(f);
      if (got === undefined || !got.every((v, i) => v === g[i])) {
        bad++;
        t.fail(`${f} → ${got === undefined ? 'undefined' : [...got].join(',')}, want ${[...g].join(',')}`);
      }
    }
  }
  t.is(bad, 0);
});

test('CidrSet (property): IPv6 membership by linear scan (≤ 32 blocks) and by prefix maps (more) agree with a brute-force check', (t) => {
  const rnd = mulberry32(11);
  const inBlock = (a: Uint16Array, net: Uint16Array, prefix: number): boolean => {
    for (let bit = 0; bit < prefix; bit++) {
      const i = bit >> 4;
      const m = 0x8000 >> (bit & 15);
      if ((a[i]! & m) !== (net[i]! & m)) return false;
    }
    return true;
  };
  for (const count of [5, 32, 33, 60]) {
    const blocks: { net: Uint16Array; prefix: number }[] = [];
    const set = new CidrSet();
    for (let k = 0; k < count; k++) {
      const net = new Uint16Array(8);
      for (let i = 0; i < 8; i++) net[i] = rnd() < 0.5 ? 0x2001 : Math.floor(rnd() * 65536);
      const prefix = [7, 10, 16, 31, 32, 48, 64, 96, 127, 128][Math.floor(rnd() * 10)]!;
      blocks.push({ net, prefix });
      set.add(`${formatIPv6(net)}/${prefix}`);
    }
    let hits = 0;
    for (let k = 0; k < 5000; k++) {
      // Half the addresses inside a random block (its bits, then random host bits), half anywhere.
      const a = new Uint16Array(8);
      const b = blocks[Math.floor(rnd() * blocks.length)]!;
      for (let i = 0; i < 8; i++) a[i] = Math.floor(rnd() * 65536);
      if (rnd() < 0.5) for (let bit = 0; bit < b.prefix; bit++) {
        const i = bit >> 4;
        const m = 0x8000 >> (bit & 15);
        a[i] = (a[i]! & ~m) | (b.net[i]! & m);
      }
      const want = blocks.some((x) => inBlock(a, x.net, x.prefix));
      if (want) hits++;
      if (set.has(formatIPv6(a)) !== want) {
        t.fail(`${count} blocks: ${formatIPv6(a)} → ${!want}, want ${want}`);
        return;
      }
    }
    t.true(hits > 1000 && hits < 5000, `${count} blocks: ${hits} hits`);
  }
});
