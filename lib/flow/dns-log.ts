/**
 * DNS transactions per flow, after Zeek's `scripts/base/protocols/dns/main.zeek`:
 * a query and the response with the same transaction id become one
 * {@link DnsRecord}; a response seen first waits for its query; whatever
 * is still unmatched when the flow ends is emitted then (a query without
 * answer has `rcode` -1, a response without query has `qtype` -1).
 *
 * Matching follows `set_session`: one fast-path pending query plus queues
 * per transaction id, for queries and for replies, each bounded as Zeek
 * bounds them (`max_pending_msgs`, `max_pending_query_ids` = 50: past
 * that, the unmatched are emitted and forgotten).
 *
 * @module
 */

import type { DnsMessage } from '../decode/app/dns.js';
import { newDns } from '../model.js';
import type { DnsRecord, Proto, RecordSink } from '../model.js';

/** What the transaction tracker needs to know about a flow. */
export interface DnsFlowIdentity {
  origAddr(i: number): string;
  respAddr(i: number): string;
  origPort(i: number): number;
  respPort(i: number): number;
  proto(i: number): Proto;
  uid(i: number): string;
}

/** Zeek's `max_pending_msgs` and `max_pending_query_ids`. */
export const MAX_PENDING = 50;

interface Pending {
  rec: DnsRecord;
  sawQuery: boolean;
  sawReply: boolean;
}

interface FlowDns {
  pendingQuery: Pending | null;
  pendingQueries: Map<number, Pending[]> | null;
  pendingReplies: Map<number, Pending[]> | null;
}

/**
 * Query/response matching for the DNS flows of one flow table. A flow's
 * state sits at its flow index: most DNS flows carry one query and its
 * reply, so the slot holds that query's {@link Pending} alone, and only a
 * flow with more outstanding gets a {@link FlowDns} with queues. An array
 * slot per flow rather than a Map entry: with hundreds of thousands of
 * flows open, the Map's lookups and its entries were a visible share of
 * the run.
 */
export class DnsTransactions {
  readonly #slots: (Pending | FlowDns | undefined)[] = [];
  readonly #id: DnsFlowIdentity;
  readonly #sink: RecordSink;
  #emitted = 0;
  #flows = 0;

  constructor(id: DnsFlowIdentity, sink: RecordSink) {
    this.#id = id;
    this.#sink = sink;
  }

  /** DnsRecords emitted so far. */
  get emitted(): number {
    return this.#emitted;
  }

  /** Flows with DNS state held. */
  get flows(): number {
    return this.#flows;
  }

  #new(i: number, transId: number, ts: number): Pending {
    const r = newDns();
    const id = this.#id;
    r.ts = ts;
    r.origH = id.origAddr(i);
    r.origP = id.origPort(i);
    r.respH = id.respAddr(i);
    r.respP = id.respPort(i);
    r.proto = id.proto(i);
    r.transId = transId;
    r.uid = id.uid(i);
    r.source = 'pcap';
    return { rec: r, sawQuery: false, sawReply: false };
  }

  #log(p: Pending): void {
    this.#emitted++;
    this.#sink.dns(p.rec);
  }

  #logAll(m: Map<number, Pending[]>): void {
    for (const q of m.values()) for (const p of q) this.#log(p);
    m.clear();
  }

  /** enqueue_new_msg */
  #enqueue(m: Map<number, Pending[]>, id: number, p: Pending): void {
    let q = m.get(id);
    if (q === undefined) {
      if (m.size > MAX_PENDING) this.#logAll(m);
      q = [];
      m.set(id, q);
    } else if (q.length > MAX_PENDING) {
      for (const x of q) this.#log(x);
      q = [];
      m.set(id, q);
    }
    q.push(p);
  }

  /** pop_msg */
  #pop(m: Map<number, Pending[]>, id: number): Pending | undefined {
    const q = m.get(id);
    if (q === undefined || q.length === 0) return undefined;
    const p = q.shift();
    if (q.length === 0) m.delete(id);
    return p;
  }

  /**
   * One decoded message on flow i at time ts (`dns_message`, the question
   * and answer events, then `dns_end`). `multicast`: the responder is a
   * multicast group (mDNS); Zeek then does not pair messages by
   * transaction id (they are usually all 0), each is a record of its own.
   */
  message(i: number, msg: DnsMessage, ts: number, multicast = false): void {
    if (multicast) {
      const cur = this.#new(i, msg.id, ts);
      this.#fill(cur, msg);
      this.#log(cur);
      return;
    }
    const slots = this.#slots;
    // Packed and as long as the highest flow index seen: a write far past the end would make a sparse (dictionary) array.
    while (slots.length <= i) slots.push(undefined);
    const slot = slots[i];
    const isQuery = !msg.qr;
    const id = msg.id;
    let cur: Pending | undefined;
    if (slot === undefined) {
      // The common case: the flow's first message (or the first since its last was matched).
      cur = this.#new(i, id, ts);
      if (isQuery) slots[i] = cur;
      else slots[i] = { pendingQuery: null, pendingQueries: null, pendingReplies: new Map([[id, [cur]]]) };
      this.#flows++;
    } else if (isPending(slot) && !isQuery && slot.rec.transId === id) {
      // The reply to the one pending query.
      cur = slot;
      slots[i] = undefined;
      this.#flows--;
    } else {
      const st: FlowDns = isPending(slot) ? (slots[i] = { pendingQuery: slot, pendingQueries: null, pendingReplies: null }) : slot;
      cur = this.#step(st, i, isQuery, id, ts);
    }
    this.#fill(cur, msg);
    if (cur.sawQuery && cur.sawReply) this.#log(cur);
  }

  /** set_session with queues: a flow with more than one message outstanding. */
  #step(st: FlowDns, i: number, isQuery: boolean, id: number, ts: number): Pending {
    let cur: Pending | undefined;
    if (isQuery) {
      if (st.pendingReplies !== null) cur = this.#pop(st.pendingReplies, id);
      if (cur === undefined) {
        cur = this.#new(i, id, ts);
        if (st.pendingQuery === null) st.pendingQuery = cur;
        else this.#enqueue((st.pendingQueries ??= new Map()), id, cur);
      }
    } else {
      if (st.pendingQuery !== null && st.pendingQuery.rec.transId === id) {
        cur = st.pendingQuery;
        st.pendingQuery = null;
        const pq = st.pendingQueries;
        if (pq !== null) {
          // Refill the fast path, preferring the same id (queue order per id is kept).
          let next = this.#pop(pq, id);
          if (next === undefined) {
            for (const [tid, q] of pq) {
              if (q.length > 0) {
                next = this.#pop(pq, tid);
                break;
              }
            }
          }
          if (next !== undefined) st.pendingQuery = next;
        }
      } else if (st.pendingQueries !== null) {
        cur = this.#pop(st.pendingQueries, id);
      }
      if (cur === undefined) {
        cur = this.#new(i, id, ts);
        this.#enqueue((st.pendingReplies ??= new Map()), id, cur);
      }
    }
    return cur;
  }

  /** The per-message part of set_session, the question and answer events, and dns_end's flags. */
  #fill(cur: Pending, msg: DnsMessage): void {
    const isQuery = !msg.qr;
    const rec = cur.rec;
    if (!isQuery) {
      rec.rcode = msg.rcode;
      if (msg.rcode !== 0 && msg.qdcount === 0) rec.rejected = true;
    }
    if (msg.questions > 0) {
      if (isQuery) {
        // dns_request: the last question wins.
        rec.query = msg.query;
        rec.qtype = msg.qtype;
      } else if (msg.ancount === 0 && msg.nscount === 0 && msg.arcount === 0) {
        rec.rejected = true; // dns_rejected
      }
    }
    if (!isQuery) {
      // DNS::do_reply for answer-section records.
      for (const a of msg.answers) {
        if (a.text === '') continue;
        if (rec.query === '') rec.query = a.owner;
        rec.answers.push(a.text);
        rec.ttls.push(a.ttl);
      }
      cur.sawReply = true;
    } else {
      cur.sawQuery = true;
    }
  }

  /** Flow i ended (Zeek's `finalize_dns`): emit what is unmatched and forget the flow. */
  removed(i: number): void {
    if (i >= this.#slots.length) return;
    const st = this.#slots[i];
    if (st === undefined) return;
    this.#slots[i] = undefined;
    this.#flows--;
    if (isPending(st)) {
      this.#log(st);
      return;
    }
    if (st.pendingQuery !== null) this.#log(st.pendingQuery);
    if (st.pendingQueries !== null) this.#logAll(st.pendingQueries);
    if (st.pendingReplies !== null) this.#logAll(st.pendingReplies);
  }
}

function isPending(x: Pending | FlowDns): x is Pending {
  return (x as Pending).rec !== undefined;
}
