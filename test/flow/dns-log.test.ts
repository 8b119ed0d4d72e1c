// DNS transaction matching (lib/flow/dns-log.ts) against a model of Zeek's set_session
// (scripts/base/protocols/dns/main.zeek): one pending query, then queues per transaction id
// for queries and for replies, each bounded by max_pending_msgs / max_pending_query_ids.
import test from 'ava';
import { newDnsMessage } from '../../lib/decode/app/dns.js';
import { DnsTransactions, MAX_PENDING } from '../../lib/flow/dns-log.js';
import type { DnsRecord } from '../../lib/model.js';

interface M {
  q: string;
  a: string[];
  query: boolean;
  reply: boolean;
}
interface S {
  first: M | null;
  queries: Map<number, M[]> | null;
  replies: Map<number, M[]> | null;
}
/** The model: records as "query|answers", in the order they are logged. */
class Model {
  readonly out: string[] = [];
  readonly #flows = new Map<number, S>();
  #log(m: M): void {
    this.out.push(`${m.q}|${m.a.join(',')}`);
  }
  #push(map: Map<number, M[]>, id: number, m: M): void {
    const q = map.get(id);
    if (q === undefined && map.size > MAX_PENDING) {
      for (const l of map.values()) for (const x of l) this.#log(x);
      map.clear();
    }
    if (q !== undefined && q.length > MAX_PENDING) {
      for (const x of q) this.#log(x);
      map.set(id, [m]);
    } else if (q === undefined) map.set(id, [m]);
    else q.push(m);
  }
  #take(map: Map<number, M[]> | null, id: number): M | undefined {
    const q = map?.get(id);
    if (q === undefined || q.length === 0) return undefined;
    const m = q.shift()!;
    if (q.length === 0) map!.delete(id);
    return m;
  }
  message(flow: number, reply: boolean, id: number, name: string): void {
    let s = this.#flows.get(flow);
    if (s === undefined) this.#flows.set(flow, (s = { first: null, queries: null, replies: null }));
    let m: M | undefined;
    if (!reply) {
      m = this.#take(s.replies, id);
      if (m === undefined) {
        m = { q: '', a: [], query: false, reply: false };
        if (s.first === null) s.first = m;
        else this.#push((s.queries ??= new Map()), id, m);
      }
      m.q = name;
      m.query = true;
    } else {
      if (s.first !== null && s.first.query && this.#ids.get(s.first) === id) {
        m = s.first;
        s.first = null;
        if (s.queries !== null) {
          let next = this.#take(s.queries, id);
          if (next === undefined) for (const [k] of s.queries) if ((next = this.#take(s.queries, k)) !== undefined) break;
          if (next !== undefined) s.first = next;
        }
      } else m = this.#take(s.queries, id);
      if (m === undefined) {
        m = { q: '', a: [], query: false, reply: false };
        this.#push((s.replies ??= new Map()), id, m);
      }
      if (m.q === '') m.q = name;
      m.a.push(`ans-${name}`);
      m.reply = true;
    }
    if (!this.#ids.has(m)) this.#ids.set(m, id);
    if (m.query && m.reply) this.#log(m);
  }
  readonly #ids = new Map<M, number>();
  removed(flow: number): void {
    const s = this.#flows.get(flow);
    if (s === undefined) return;
    this.#flows.delete(flow);
    if (s.first !== null) this.#log(s.first);
    for (const map of [s.queries, s.replies]) if (map !== null) for (const l of map.values()) for (const x of l) this.#log(x);
  }
}

function subject(): { tx: DnsTransactions; out: string[] } {
  const out: string[] = [];
  const id = { origAddr: () => '10.0.0.1', respAddr: () => '10.0.0.53', origPort: () => 5353, respPort: () => 53, proto: () => 'udp' as const, uid: () => 'C' };
  const tx = new DnsTransactions(id, { flow: () => undefined, dns: (r: DnsRecord) => void out.push(`${r.query}|${r.answers.join(',')}`) });
  return { tx, out };
}

function msg(reply: boolean, id: number, name: string): ReturnType<typeof newDnsMessage> {
  const m = newDnsMessage();
  m.id = id;
  m.qr = reply;
  m.qdcount = 1;
  m.questions = 1;
  m.query = reply ? '' : name;
  m.qtype = 1;
  if (reply) {
    m.ancount = 1;
    m.answers = [{ owner: name, type: 1, ttl: 60, text: `ans-${name}` }];
  }
  return m;
}

test('random interleavings of queries, replies and flow ends match the set_session model', (t) => {
  let seed = 99;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let round = 0; round < 300; round++) {
    const { tx, out } = subject();
    const model = new Model();
    // Few ids and flows make collisions, out-of-order replies and queues common; some rounds use many ids.
    const ids = round % 10 === 0 ? 120 : 1 + rnd(4);
    const flows = 1 + rnd(3);
    const steps = 20 + rnd(400);
    for (let k = 0; k < steps; k++) {
      const f = rnd(flows) * 7; // sparse flow indexes
      if (rnd(25) === 0) {
        tx.removed(f);
        model.removed(f);
        continue;
      }
      const reply = rnd(2) === 0;
      const id = rnd(ids);
      const name = `n${round}-${k}`;
      tx.message(f, msg(reply, id, name), k);
      model.message(f, reply, id, name);
    }
    for (let f = 0; f < flows; f++) {
      tx.removed(f * 7);
      model.removed(f * 7);
    }
    if (JSON.stringify(out) !== JSON.stringify(model.out)) {
      t.deepEqual(out, model.out, `round ${round}`);
      return;
    }
    t.is(tx.flows, 0, 'no state left once every flow ended');
  }
  t.pass();
});

test('a query then its reply is one record; a reply alone waits for its flow to end', (t) => {
  const { tx, out } = subject();
  tx.message(3, msg(false, 7, 'a.example'), 0);
  t.is(tx.flows, 1);
  tx.message(3, msg(true, 7, 'a.example'), 0.1);
  t.deepEqual(out, ['a.example|ans-a.example']);
  t.is(tx.flows, 0);
  tx.message(1000, msg(true, 9, 'b.example'), 1);
  t.is(out.length, 1);
  tx.removed(1000);
  t.deepEqual(out, ['a.example|ans-a.example', 'b.example|ans-b.example']);
  tx.removed(5); // never seen
  t.is(tx.flows, 0);
});
