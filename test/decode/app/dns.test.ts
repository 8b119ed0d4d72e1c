// DNS message decoder: round trips of crafted messages, Zeek's answer text,
// compression (including loops), and damage: random bytes and every
// truncated prefix must decode to a status, never throw.
import test from 'ava';
import { decodeDnsMessage, DnsStatus, MAX_POINTER_DEPTH, newDnsMessage } from '../../../lib/decode/app/dns.js';
import { DnsTcpFramer } from '../../../lib/decode/app/dns-tcp.js';
import { encodeDns, prng, tcpFramed } from './dns-build.js';

const query = encodeDns({ id: 0xbeef, questions: [{ name: 'WWW.Example.COM', type: 1 }] });
const response = encodeDns({
  id: 0xbeef,
  qr: true,
  ra: true,
  questions: [{ name: 'www.example.com', type: 1 }],
  answers: [
    { name: 'www.example.com', type: 5, ttl: 3600, data: 'edge.example.net' },
    { name: 'edge.example.net', type: 1, ttl: 60, data: '192.0.2.7' },
    { name: 'edge.example.net', type: 28, ttl: 60, data: '2001:db8::7' },
    { name: 'edge.example.net', type: 16, ttl: 30, data: 'v=spf1 -all|second string' },
  ],
  additional: [{ name: '', type: 41, data: new Uint8Array(0) }],
});

test('a query: header, question name lower-cased, type', (t) => {
  const m = newDnsMessage();
  t.is(decodeDnsMessage(query, 0, query.length, m), DnsStatus.Ok);
  t.is(m.id, 0xbeef);
  t.false(m.qr);
  t.true(m.rd);
  t.is(m.query, 'www.example.com');
  t.is(m.qtype, 1);
  t.is(m.qclass, 1);
  t.is(m.answers.length, 0);
});

test('a compressed response: answers rendered as Zeek renders them', (t) => {
  const m = newDnsMessage();
  t.is(decodeDnsMessage(response, 0, response.length, m), DnsStatus.Ok);
  t.true(m.qr);
  t.is(m.rcode, 0);
  t.deepEqual(
    m.answers.map((a) => [a.owner, a.type, a.ttl, a.text]),
    [
      ['www.example.com', 5, 3600, 'edge.example.net'],
      ['edge.example.net', 1, 60, '192.0.2.7'],
      ['edge.example.net', 28, 60, '2001:db8::7'],
      ['edge.example.net', 16, 30, 'TXT 11 v=spf1 -all TXT 13 second string'],
    ],
  );
});

test('decoding at a non-zero offset inside a larger buffer', (t) => {
  const big = new Uint8Array(response.length + 37).fill(0xee);
  big.set(response, 29);
  const m = newDnsMessage();
  t.is(decodeDnsMessage(big, 29, response.length, m), DnsStatus.Ok);
  t.is(m.answers[1]?.text, '192.0.2.7');
});

test('round trip: random well-formed messages decode to what was encoded', (t) => {
  const rnd = prng(7);
  const label = (): string => {
    const n = 1 + Math.floor(rnd() * 12);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(97 + Math.floor(rnd() * 26));
    return s;
  };
  const m = newDnsMessage();
  for (let k = 0; k < 500; k++) {
    const name = Array.from({ length: 1 + Math.floor(rnd() * 4) }, label).join('.');
    const n = Math.floor(rnd() * 6);
    const answers = Array.from({ length: n }, (_, i) => {
      const a = `${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${i}`;
      return rnd() < 0.5 ? { name, type: 1, ttl: Math.floor(rnd() * 1e6), data: a } : { name, type: 5, ttl: 7, data: `${label()}.${name}` };
    });
    const id = Math.floor(rnd() * 65536);
    const bytes = encodeDns({ id, qr: true, rcode: Math.floor(rnd() * 6), questions: [{ name, type: 28 }], answers, compress: rnd() < 0.5 });
    t.is(decodeDnsMessage(bytes, 0, bytes.length, m), DnsStatus.Ok);
    t.is(m.id, id);
    t.is(m.query, name);
    t.is(m.qtype, 28);
    t.deepEqual(
      m.answers.map((a) => [a.owner, a.ttl, a.text]),
      answers.map((a) => [a.name, a.ttl, a.data]),
    );
  }
});

test('recent names are memoised: repeats, near-misses and slot collisions still decode to their own text', (t) => {
  // 20 000 names over a tiny alphabet and few lengths, each decoded several times in a shuffled
  // order: many share a length and a cache slot, and differ in one byte; upper case bypasses the memo.
  const rnd = prng(11);
  const names: string[] = [];
  for (let k = 0; k < 20_000; k++) {
    const len = 3 + Math.floor(rnd() * 4);
    let s = '';
    for (let i = 0; i < len; i++) s += 'ab'[Math.floor(rnd() * 2)];
    names.push(rnd() < 0.1 ? `${s}.X${k % 7}` : `${s}.c${k % 13}`);
  }
  const m = newDnsMessage();
  let hits = 0;
  const seen = new Map<string, string>();
  for (let k = 0; k < 60_000; k++) {
    const name = names[Math.floor(rnd() * (k < 30_000 ? 300 : names.length))]!;
    const bytes = encodeDns({ id: k & 0xffff, questions: [{ name, type: 1 }] });
    t.is(decodeDnsMessage(bytes, 0, bytes.length, m), DnsStatus.Ok);
    if (m.query !== name.toLowerCase()) return t.fail(`${m.query} != ${name.toLowerCase()}`);
    if (seen.get(name) === m.query) hits++;
    seen.set(name, m.query);
  }
  t.true(hits > 30_000);
});

test('random bytes never throw', (t) => {
  const rnd = prng(42);
  const m = newDnsMessage();
  const buf = new Uint8Array(600);
  let statuses = 0;
  for (let k = 0; k < 20000; k++) {
    const len = Math.floor(rnd() * buf.length);
    for (let i = 0; i < len; i++) buf[i] = rnd() < 0.3 ? 0xc0 | Math.floor(rnd() * 4) : Math.floor(rnd() * 256);
    const st = decodeDnsMessage(buf, 0, len, m);
    statuses |= 1 << st;
  }
  t.true(statuses !== 0);
});

test('every truncated prefix of a response decodes to a status, with what came before it', (t) => {
  const m = newDnsMessage();
  for (let len = 0; len <= response.length; len++) {
    const st = decodeDnsMessage(response, 0, len, m);
    if (len < 12) t.is(st, DnsStatus.TooShort);
    // Up to the end of the A record, something is visibly missing.
    else if (len < 75) t.not(st, DnsStatus.Ok, `prefix ${len}`);
    t.true(m.answers.length <= 4);
    // Answers decoded from a prefix are the ones of the whole message, in order.
    if (m.answers.length >= 2) t.is(m.answers[1]?.text, '192.0.2.7');
  }
});

test('compression: pointers must point back (no loops possible); deep chains are cut; both with a weird', (t) => {
  const m = newDnsMessage();
  // Question name at 12 is a pointer to 12 itself.
  const self = Uint8Array.of(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1);
  t.is(decodeDnsMessage(self, 0, self.length, m), DnsStatus.Partial);
  t.is(m.weird, 'DNS_label_forward_compress_offset');
  t.is(m.query, '');
  t.is(m.qtype, 1);
  // A pointer back to the start of its own name cannot loop: the pointed-to
  // labels must end before the pointer (Zeek's rule), so this reads "a.a".
  const back = Uint8Array.of(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0xc0, 12, 0, 1, 0, 1);
  t.is(decodeDnsMessage(back, 0, back.length, m), DnsStatus.Ok);
  t.is(m.query, 'a.a');
  // Two pointers at each other: the second points forward and is refused.
  const mutual = Uint8Array.of(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1);
  t.notThrows(() => decodeDnsMessage(mutual, 0, mutual.length, m));
  t.is(m.weird, 'DNS_label_forward_compress_offset');
  // A long backward chain: 24 questions, each 'b' + a pointer to the
  // previous question's name; following is cut after MAX_POINTER_DEPTH.
  const bytes: number[] = [0, 1, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1];
  let prev = 12;
  for (let k = 1; k < 24; k++) {
    const at = bytes.length;
    bytes.push(1, 0x62, 0xc0, prev, 0, 1, 0, 1);
    prev = at;
  }
  const deep = Uint8Array.from(bytes);
  t.is(decodeDnsMessage(deep, 0, deep.length, m), DnsStatus.Partial);
  t.is(m.weird, 'DNS_compression_chain_too_deep');
  t.is(m.questions, 24);
  t.is(m.query, new Array<string>(MAX_POINTER_DEPTH + 1).fill('b').join('.'));
});

test('names: labels over 63 bytes and names over 255 stop with a weird, not an exception', (t) => {
  const m = newDnsMessage();
  const long = Uint8Array.of(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, ...new Array<number>(64).fill(0x61), 0, 0, 1, 0, 1);
  t.notThrows(() => decodeDnsMessage(long, 0, long.length, m));
  t.is(m.weird, 'DNS_label_too_long');
  const labels: number[] = [];
  for (let k = 0; k < 10; k++) labels.push(63, ...new Array<number>(63).fill(0x62));
  const huge = Uint8Array.of(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1);
  t.notThrows(() => decodeDnsMessage(huge, 0, huge.length, m));
  t.is(m.weird, 'DNS_label_len_gt_name_len');
});

test('non-printable bytes in names and TXT are written \\xHH', (t) => {
  const bytes = encodeDns({
    qr: true,
    questions: [{ name: 'a', type: 16 }],
    answers: [{ name: 'a', type: 16, data: Uint8Array.of(3, 0x41, 0x00, 0x7f) }],
  });
  const m = newDnsMessage();
  decodeDnsMessage(bytes, 0, bytes.length, m);
  t.is(m.answers[0]?.text, 'TXT 3 A\\x00\\x7f');
});

test('other types: MX, SOA, SRV by their name; RRSIG, DNSKEY, DS, SSHFP, NSEC summarised; unknown types', (t) => {
  const name = (n: string): number[] => [...n.split('.').flatMap((l) => [l.length, ...Array.from(l, (c) => c.charCodeAt(0))]), 0];
  const bytes = encodeDns({
    qr: true,
    compress: false,
    questions: [{ name: 'x.org', type: 255 }],
    answers: [
      { name: 'x.org', type: 15, data: Uint8Array.from([0, 10, ...name('mail.x.org')]) },
      { name: 'x.org', type: 6, data: Uint8Array.from([...name('ns1.x.org'), ...name('root.x.org'), ...new Array<number>(20).fill(1)]) },
      { name: '_s._tcp.x.org', type: 33, data: Uint8Array.from([0, 1, 0, 2, 0, 80, ...name('srv.x.org')]) },
      { name: 'x.org', type: 46, data: Uint8Array.from([0, 1, 8, 2, 0, 0, 0, 60, 1, 2, 3, 4, 5, 6, 7, 8, 0, 9, ...name('x.org'), 0xaa, 0xbb]) },
      { name: 'x.org', type: 48, data: Uint8Array.of(1, 1, 3, 13, 0xaa) },
      { name: 'x.org', type: 43, data: Uint8Array.of(0, 1, 8, 2, 0xaa) },
      { name: 'x.org', type: 44, data: Uint8Array.of(1, 1, 0xde, 0xad) },
      { name: 'x.org', type: 47, data: Uint8Array.from([...name('y.x.org'), 0, 1, 0x40]) },
      { name: 'x.org', type: 64, data: Uint8Array.of(0, 1, 0) },
      { name: 'x.org', type: 13, data: Uint8Array.of(1, 0x41, 1, 0x42) },
    ],
  });
  const m = newDnsMessage();
  t.is(decodeDnsMessage(bytes, 0, bytes.length, m), DnsStatus.Ok);
  t.deepEqual(
    m.answers.map((a) => a.text),
    ['mail.x.org', 'ns1.x.org', 'srv.x.org', 'RRSIG 1 x.org', 'DNSKEY 13', 'DS 8 2', 'SSHFP: dead', 'NSEC x.org y.x.org', '<unknown type=64>', ''],
  );
});

test('more than 25 questions is not DNS; an A record of the wrong length stops parsing', (t) => {
  const m = newDnsMessage();
  const many = Uint8Array.of(0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0);
  t.is(decodeDnsMessage(many, 0, many.length, m), DnsStatus.NotDns);
  const badA = encodeDns({ qr: true, questions: [{ name: 'a', type: 1 }], answers: [{ name: 'a', type: 1, data: Uint8Array.of(1, 2, 3) }, { name: 'a', type: 1, data: '1.2.3.4' }] });
  t.is(decodeDnsMessage(badA, 0, badA.length, m), DnsStatus.Partial);
  t.is(m.answers.length, 0);
  t.is(m.weird, 'DNS_RR_bad_length');
});

test('TCP framing: two messages in one segment, one split over three, a zero-length one', (t) => {
  const seen: number[] = [];
  const f = new DnsTcpFramer();
  const m = newDnsMessage();
  const on = (b: Uint8Array, o: number, l: number): void => {
    if (l === 0) {
      seen.push(-1);
      return;
    }
    decodeDnsMessage(b, o, l, m);
    seen.push(m.id);
  };
  const a = encodeDns({ id: 1, questions: [{ name: 'a.b', type: 1 }] });
  const b = encodeDns({ id: 2, questions: [{ name: 'c.d', type: 1 }] });
  const c = encodeDns({ id: 3, questions: [{ name: 'e.f', type: 1 }] });
  const two = tcpFramed(a, b);
  f.push(two, 0, two.length, on);
  const split = tcpFramed(c, new Uint8Array(0));
  f.push(split, 0, 1, on);
  f.push(split, 1, 10, on);
  f.push(split, 11, split.length - 11, on);
  t.deepEqual(seen, [1, 2, 3, -1]);
  t.is(f.messages, 4);
  t.is(f.pending, 0);
  f.push(split, 0, 5, on);
  t.is(f.pending, 5);
  f.reset();
  t.is(f.pending, 0);
});

test('TCP framing: a 3 kB message split in three grows the buffer and arrives whole', (t) => {
  const big = encodeDns({
    id: 9,
    qr: true,
    questions: [{ name: 'big.example', type: 16 }],
    answers: Array.from({ length: 12 }, (_, k) => ({ name: 'big.example', type: 16, data: `${'x'.repeat(200)}${k}|${'y'.repeat(40)}` })),
  });
  t.true(big.length > 2500);
  const framed = tcpFramed(big);
  const f = new DnsTcpFramer();
  const m = newDnsMessage();
  let got = 0;
  const on = (b: Uint8Array, o: number, l: number): void => {
    t.is(decodeDnsMessage(b, o, l, m), DnsStatus.Ok);
    got = m.answers.length;
  };
  f.push(framed, 0, 700, on);
  f.push(framed, 700, 1500, on);
  t.is(got, 0);
  f.push(framed, 2200, framed.length - 2200, on);
  t.is(got, 12);
});
