/**
 * Everything c2watch remembers about one internal source IP.
 *
 * All of it is bounded: the event ring by `maxEventsPerHost`, the answer
 * cache by `maxAnswersPerHost`, the query ring by `maxQueriesPerHost`, the
 * waiting names by `maxNamesPerHost`, and each rule's own state by that rule;
 * answers, query slots and names also draw on engine-wide budgets (given
 * back by {@link HostState.release}), so the per-host bounds do not
 * multiply by the host count. Nothing here refers to another host,
 * so hosts can be partitioned across workers by source IP.
 *
 * @module
 */

import { AnswerCache, QueryRing } from './dns.js';
import type { AnswerBudget, AnswerSlab } from './dns.js';
import { EventRing } from './ring.js';

export interface HostLimits {
  maxEventsPerHost: number;
  maxAnswersPerHost: number;
  maxQueriesPerHost: number;
  /** Server names (ssl/http logs) waiting for their flow, per host. */
  maxNamesPerHost: number;
  /** Shared by all hosts of one engine: DNS answers, stored and bounded in total. */
  answerBudget: AnswerSlab;
  /** Shared by all hosts: query ring slots in total. */
  queryBudget: AnswerBudget;
  /** Shared by all hosts: server names waiting for their flow in total. */
  nameBudget: AnswerBudget;
}

export class HostState {
  readonly ip: string;
  readonly events: EventRing;
  readonly #limits: HostLimits;
  #answers: AnswerCache | undefined;
  #queries: QueryRing | undefined;
  #names: NameMap | undefined;
  /** Per-rule state, indexed like the engine's rule list. */
  readonly ruleState: unknown[];
  /** Events with ts < doneTs have been handed to the rules; later ones wait for the watermark. */
  doneTs = -Infinity;
  /** Ring index (0 = oldest) of the first event not yet handed to the rules. */
  pending = 0;
  /** DNS transactions seen for this host (dns.log / pcap), so "no answers" can be told from "no DNS data". */
  dnsRecords = 0;
  /** Latest record time seen for this host. */
  lastTs = -Infinity;

  constructor(ip: string, limits: HostLimits, ruleState: unknown[]) {
    this.ip = ip;
    this.events = new EventRing(limits.maxEventsPerHost);
    this.#limits = limits;
    this.ruleState = ruleState;
  }

  /** DNS answers of this host (created on first use: most hosts in a flow-only feed never need one). */
  get answers(): AnswerCache {
    return (this.#answers ??= new AnswerCache(this.#limits.maxAnswersPerHost, this.#limits.answerBudget));
  }

  /** Drop DNS answers no flow from `now` on can use (see {@link AnswerCache.prune}); 0 when the host has none. */
  pruneAnswers(now: number, grace: number): number {
    return this.#answers === undefined ? 0 : this.#answers.prune(now, grace);
  }

  /** The host is going away: give its answers, query slots and waiting names back to the shared budgets. */
  release(): void {
    this.#answers?.release();
    this.#queries?.release();
    this.#names?.release();
  }

  /** Recent DNS queries of this host (created on first use). */
  get queries(): QueryRing {
    return (this.#queries ??= new QueryRing(this.#limits.maxQueriesPerHost, 4, this.#limits.queryBudget));
  }

  /** Server names waiting for their flow (created on first use). */
  get names(): NameMap {
    return (this.#names ??= new NameMap(this.#limits.maxNamesPerHost, this.#limits.nameBudget));
  }

  /** True once a name was ever recorded for this host (so flows need a uid lookup). */
  get hasNames(): boolean {
    return this.#names !== undefined && this.#names.size > 0;
  }
}

/** The names seen on one connection (uid). */
export interface NameEntry {
  /** Stream time of the latest name record for the uid. */
  ts: number;
  /** TLS SNI, '' when none. */
  tls: string;
  /** HTTP Host of the latest request on the connection (as logged), '' when none. */
  http: string;
  httpTs: number;
  /** An HTTP request on the connection went through a proxy (CONNECT or absolute URI). */
  proxied: boolean;
  /** One of them was a CONNECT. */
  connect: boolean;
}

/**
 * uid → server names from Zeek's ssl.log and http.log, waiting for the
 * conn.log row with the same uid. Zeek writes the three logs apart (conn
 * rows when connections end), so the engine joins when the flow reaches the
 * watermark, not when it arrives. Bounded by `max` (oldest entry dropped,
 * counted) and pruned by time: a name older than the watermark whose flow
 * never came (filtered, or external) is dropped and counted.
 *
 * For HTTP the latest request's Host wins (RITA counts one request per
 * connection, the last one).
 */
export class NameMap {
  readonly #map = new Map<string, NameEntry>();
  readonly #max: number;
  readonly #budget: AnswerBudget;
  /** Entries dropped by the bounds or by age without meeting their flow. */
  dropped = 0;

  /** `budget` counts entries over every host's map; past it, this host's oldest goes (or, with none, the new one). */
  constructor(max: number, budget: AnswerBudget = { used: 0, max: Infinity }) {
    this.#max = Math.max(1, Math.floor(max));
    this.#budget = budget;
  }

  /** Give the entries back to the shared budget (the host is going away). */
  release(): void {
    this.#budget.used -= this.#map.size;
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }

  /** Record a name for `uid`. */
  add(uid: string, ts: number, name: string, protocol: 'tls' | 'http', proxied: boolean, connect = false): void {
    let e = this.#map.get(uid);
    if (e === undefined) {
      if (this.#map.size >= this.#max || this.#budget.used >= this.#budget.max) {
        if (this.#map.size === 0) {
          this.dropped++; // the shared budget is spent by other hosts
          return;
        }
        this.#map.delete(this.#map.keys().next().value as string);
        this.#budget.used--;
        this.dropped++;
      }
      e = { ts, tls: '', http: '', httpTs: -Infinity, proxied: false, connect: false };
      this.#map.set(uid, e);
      this.#budget.used++;
    }
    if (ts > e.ts) e.ts = ts;
    if (protocol === 'tls') {
      if (e.tls === '') e.tls = name;
    } else if (ts >= e.httpTs) {
      e.http = name;
      e.httpTs = ts;
    }
    if (proxied) e.proxied = true;
    if (connect) e.connect = true;
  }

  /** The entry for `uid`, removed (one flow per uid). */
  take(uid: string): NameEntry | undefined {
    const e = this.#map.get(uid);
    if (e !== undefined) {
      this.#map.delete(uid);
      this.#budget.used--;
    }
    return e;
  }

  /** Drop entries older than `before` (from the oldest inserted; stops at the first newer one). Returns how many. */
  prune(before: number): number {
    let n = 0;
    for (const [uid, e] of this.#map) {
      if (e.ts >= before) break;
      this.#map.delete(uid);
      n++;
    }
    this.#budget.used -= n;
    this.dropped += n;
    return n;
  }
}
