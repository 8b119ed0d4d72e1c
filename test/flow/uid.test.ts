import test from 'ava';
import { fmix32 } from '../../lib/flow/hash.js';
import { UidGenerator } from '../../lib/flow/uid.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The reference: the same 96-bit number, rendered in base62 by BigInt. */
function reference(seed: number, serial: number): string {
  const s = fmix32((seed >>> 0) ^ 0x5bd1e995);
  const lo = serial >>> 0;
  const hi = Math.floor(serial / 4294967296) >>> 0;
  const a = fmix32(lo ^ s);
  const b = fmix32((a + hi + 0x9e3779b9) ^ s);
  const c = fmix32((b + lo + 0x7f4a7c15) ^ 0x2545f491);
  let n = (BigInt(c) << 64n) | (BigInt(b) << 32n) | BigInt(a);
  let out = '';
  do {
    out = ALPHABET[Number(n % 62n)]! + out;
    n /= 62n;
  } while (n > 0n);
  return 'C' + out;
}

test('uids are the base62 rendering of their 96-bit number, every length path', (t) => {
  const lengths = new Map<number, number>();
  for (const seed of [0, 1, 0xdeadbeef]) {
    const g = new UidGenerator(seed);
    for (let i = 0; i < 60_000; i++) {
      const u = g.uid(i);
      if (u !== reference(seed, i)) return t.fail(`seed ${seed} serial ${i}: ${u} != ${reference(seed, i)}`);
      lengths.set(u.length, (lengths.get(u.length) ?? 0) + 1);
    }
  }
  // 17 and 16 digits have their own fast paths; shorter ones take the general one.
  t.true((lengths.get(18) ?? 0) > 0);
  t.true((lengths.get(17) ?? 0) > 0);
  t.true([...lengths.keys()].some((k) => k < 17), `lengths ${[...lengths.keys()]}`);
  for (const serial of [2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, 2 ** 50 + 17, 2 ** 53 - 1]) {
    t.is(new UidGenerator(9).uid(serial), reference(9, serial));
  }
});

test('uids do not change between versions (values written by the first implementation)', (t) => {
  const known: [number, number, string][] = [
    [0, 0, 'CgLpbUm0GRDmYvpb'],
    [0, 1, 'CHCeKIj6TUHFxmcM2'],
    [0, 2, 'C80ogYUZx82LmsTlj'],
    [0, 1000, 'C15V7WryjRVOiZir0K'],
    [7, 0, 'CFliYek2Exp60VvZC'],
    [7, 123456, 'CVufHjX0RAoxHHG1Z'],
    [1, 4294967299, 'C3YcqHyxNHyH5AZj7'],
    [3, 1125899906842641, 'C11Gu5hVxwUJxG7rMr'],
    [4294967295, 9007199254740991, 'C1HhzMrbsh4NtTJPNv'],
  ];
  for (const [seed, serial, uid] of known) t.is(new UidGenerator(seed).uid(serial), uid, `seed ${seed} serial ${serial}`);
});
