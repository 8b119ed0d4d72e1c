/** Tests for lib/detect/allowlist.ts: entry semantics, file parsing, and the suppression rule. */

import test from 'ava';
import { Allowlist } from '../../lib/detect/allowlist.js';
import { AllowlistError } from '../../lib/errors.js';
import type { Finding } from '../../lib/model.js';

function finding(src: string, ips: string[], domains: string[] = []): Finding {
  return {
    rule: 'beacon.score',
    technique: 'T1071',
    techniqueAliases: [],
    source: { ip: src },
    destination: { ip: ips, port: ips.map(() => 443), domain: domains },
    first_seen: '2024-05-01T12:00:00.000Z',
    last_seen: '2024-05-01T13:00:00.000Z',
    score: 0.8,
    severity: 'high',
    evidence: {},
    reasons: [],
  };
}

test('apex entry: the name only', (t) => {
  const a = new Allowlist({ domains: ['example.com'] });
  t.true(a.matchesDomain('example.com'));
  t.false(a.matchesDomain('www.example.com'));
  t.false(a.matchesDomain('a.b.example.com'));
  t.false(a.matchesDomain('notexample.com'));
  t.false(a.matchesDomain('com'));
});

test('*. entry: subdomains at any depth, not the apex', (t) => {
  const a = new Allowlist({ domains: ['*.example.com'] });
  t.false(a.matchesDomain('example.com'));
  t.true(a.matchesDomain('www.example.com'));
  t.true(a.matchesDomain('a.b.c.example.com'));
  t.false(a.matchesDomain('badexample.com'));
  t.false(a.matchesDomain('example.com.evil.net'));
});

test('. entry: apex and all subdomains', (t) => {
  const a = new Allowlist({ domains: ['.example.com'] });
  t.true(a.matchesDomain('example.com'));
  t.true(a.matchesDomain('www.example.com'));
  t.true(a.matchesDomain('a.b.example.com'));
  t.false(a.matchesDomain('xexample.com'));
  t.false(a.matchesDomain('example.org'));
});

test('case and trailing dot are ignored, in entries and in names', (t) => {
  const a = new Allowlist({ domains: ['Example.COM.', '*.CDN.example.net'] });
  t.true(a.matchesDomain('EXAMPLE.com'));
  t.true(a.matchesDomain('example.com.'));
  t.true(a.matchesDomain('Edge1.cdn.EXAMPLE.NET.'));
  t.false(a.matchesDomain('cdn.example.net.'));
  t.false(a.matchesDomain(''));
  t.false(a.matchesDomain('.'));
});

test('IPv4 CIDRs and bare addresses', (t) => {
  const a = new Allowlist({ cidrs: ['192.0.2.0/24', '198.51.100.7', '10.0.0.0/8'] });
  t.true(a.matchesIp('192.0.2.0'));
  t.true(a.matchesIp('192.0.2.255'));
  t.false(a.matchesIp('192.0.3.0'));
  t.false(a.matchesIp('192.0.1.255'));
  t.true(a.matchesIp('198.51.100.7'));
  t.false(a.matchesIp('198.51.100.8'));
  t.true(a.matchesIp('10.255.255.255'));
  t.false(a.matchesIp('11.0.0.0'));
  t.false(a.matchesIp('not-an-ip'));
  t.false(a.matchesIp(''));
});

test('IPv6 CIDRs and bare addresses', (t) => {
  const a = new Allowlist({ cidrs: ['2001:db8:abcd::/48', '2001:DB8::1', 'fe80::/10'] });
  t.true(a.matchesIp('2001:db8:abcd::1'));
  t.true(a.matchesIp('2001:db8:abcd:ffff:ffff:ffff:ffff:ffff'));
  t.false(a.matchesIp('2001:db8:abce::'));
  t.true(a.matchesIp('2001:db8::1'));
  t.true(a.matchesIp('2001:0db8:0000:0000:0000:0000:0000:0001'));
  t.false(a.matchesIp('2001:db8::2'));
  t.true(a.matchesIp('febf:ffff::1'));
  t.false(a.matchesIp('fec0::1'));
  // Families do not mix.
  t.false(a.matchesIp('192.0.2.1'));
});

test('parse: comments, blank lines, CRLF, BOM, both kinds of entry', (t) => {
  const text = [
    '\ufeff# corporate allowlist',
    '',
    '10.0.0.0/8        # internal',
    '   2001:db8::/32',
    '\t',
    '.example.com\t# ours',
    '*.cdn.example.net',
    'updates.vendor.example   #',
    '  # indented comment',
    '198.51.100.7',
  ].join('\r\n');
  const a = Allowlist.parse(text, 'allow.txt');
  t.is(a.size, 6);
  t.deepEqual(a.entries(), {
    cidrs: ['10.0.0.0/8', '2001:db8::/32', '198.51.100.7/32'],
    domains: ['.example.com', '*.cdn.example.net', 'updates.vendor.example'],
  });
  t.true(a.matchesIp('10.1.2.3'));
  t.true(a.matchesIp('2001:db8::99'));
  t.true(a.matchesDomain('example.com'));
  t.true(a.matchesDomain('x.cdn.example.net'));
  t.false(a.matchesDomain('cdn.example.net'));
  t.true(a.matchesDomain('updates.vendor.example'));
  t.false(a.matchesDomain('vendor.example'));
});

test('parse: empty text gives an empty list', (t) => {
  t.is(Allowlist.parse('').size, 0);
  t.is(Allowlist.parse('# only a comment\n\n').size, 0);
});

test('parse: a bad line throws C2W_ERR_ALLOWLIST with file and line', (t) => {
  const cases: Array<[string, number]> = [
    ['10.0.0.0/8\nexample.com\n10.0.0.0/33\n', 3],
    ['# c\n\n256.1.1.1', 3],
    ['1.2.3', 1],
    ['ok.example\nexa mple.com', 2],
    ['ok.example\nexample.com#not-a-comment', 2],
    ['a.*.example.com', 1],
    ['*', 1],
    ['bücher.example', 1],
    ['10.0.0.0/', 1],
    ['2001:db8::/129', 1],
    ['1.2.3.4::', 1],
    ['x'.repeat(64) + '.example', 1],
    ['example..com', 1],
    ['.', 1],
    ['*.', 1],
  ];
  for (const [text, line] of cases) {
    const e = t.throws(() => Allowlist.parse(text, 'allow.txt'), { instanceOf: AllowlistError }, text);
    t.is(e?.code, 'C2W_ERR_ALLOWLIST', text);
    t.is(e?.file, 'allow.txt', text);
    t.is(e?.line, line, text);
    t.true(e?.message.includes(`(allow.txt:${line})`), e?.message);
  }
});

test('parse without a file name still gives the line', (t) => {
  const e = t.throws<AllowlistError>(() => Allowlist.parse('ok.example\n\n%%%'), { code: 'C2W_ERR_ALLOWLIST' });
  t.is(e?.line, 3);
  t.is(e?.file, undefined);
});

test('constructor: a bad entry throws C2W_ERR_ALLOWLIST, kinds are not mixed up', (t) => {
  t.throws(() => new Allowlist({ cidrs: ['example.com'] }), { code: 'C2W_ERR_ALLOWLIST' });
  t.throws(() => new Allowlist({ domains: ['10.0.0.1'] }), { code: 'C2W_ERR_ALLOWLIST' });
  t.throws(() => new Allowlist({ domains: ['exa mple.com'] }), { code: 'C2W_ERR_ALLOWLIST' });
});

test('duplicates count once; merge and add combine lists', (t) => {
  const a = new Allowlist({ cidrs: ['10.0.0.0/8', '10.1.2.3/8'], domains: ['Example.com', 'example.com.'] });
  t.is(a.size, 2);
  const b = Allowlist.parse('192.0.2.0/24\n*.example.org');
  const m = Allowlist.merge(a, b);
  t.is(m.size, 4);
  t.is(a.size, 2, 'merge does not change its inputs');
  t.true(m.matchesIp('192.0.2.9') && m.matchesIp('10.9.9.9'));
  t.true(m.matchesDomain('example.com') && m.matchesDomain('a.example.org'));
  t.is(a.add(b).add(b), a);
  t.is(a.size, 4);
  t.true(a.matchesDomain('x.example.org'));
});

test('allows: source in a network entry', (t) => {
  const a = new Allowlist({ cidrs: ['10.0.0.0/24'] });
  t.true(a.allows(finding('10.0.0.5', ['203.0.113.7'], ['c2.example'])));
  t.false(a.allows(finding('10.0.1.5', ['203.0.113.7'], ['c2.example'])));
});

test('allows: every destination ip in a network entry', (t) => {
  const a = new Allowlist({ cidrs: ['203.0.113.0/24', '2001:db8::/32'] });
  t.true(a.allows(finding('10.0.0.5', ['203.0.113.7'])));
  t.true(a.allows(finding('10.0.0.5', ['203.0.113.7', '2001:db8::5'])));
  // Mixed: one allowed, one not — reported.
  t.false(a.allows(finding('10.0.0.5', ['203.0.113.7', '198.51.100.1'])));
  // No destination ip at all is not "every destination allowed".
  t.false(a.allows(finding('10.0.0.5', [])));
});

test('allows: every destination domain matches a domain entry', (t) => {
  const a = new Allowlist({ domains: ['.example.com', 'cdn.example.net'] });
  t.true(a.allows(finding('10.0.0.5', ['198.51.100.1'], ['www.example.com'])));
  t.true(a.allows(finding('10.0.0.5', [], ['example.com', 'cdn.example.net'])));
  // Mixed: one allowed, one not — reported.
  t.false(a.allows(finding('10.0.0.5', [], ['www.example.com', 'c2.evil.example'])));
  t.false(a.allows(finding('10.0.0.5', ['198.51.100.1'], ['x.cdn.example.net'])));
  t.false(a.allows(finding('10.0.0.5', ['198.51.100.1'], [])));
});

test('allows: ips and domains are separate branches (either suffices)', (t) => {
  const a = new Allowlist({ cidrs: ['203.0.113.0/24'], domains: ['ok.example'] });
  // ips all allowed, domains not: suppressed by the ip branch.
  t.true(a.allows(finding('10.0.0.5', ['203.0.113.7'], ['c2.evil.example'])));
  // domains all allowed, ips not: suppressed by the domain branch.
  t.true(a.allows(finding('10.0.0.5', ['198.51.100.1'], ['ok.example'])));
  // neither complete: reported.
  t.false(a.allows(finding('10.0.0.5', ['203.0.113.7', '198.51.100.1'], ['ok.example', 'c2.evil.example'])));
});

test('an empty allowlist allows nothing', (t) => {
  const a = new Allowlist();
  t.is(a.size, 0);
  t.false(a.allows(finding('10.0.0.5', [], [])));
  t.false(a.allows(finding('', [], [])));
});
