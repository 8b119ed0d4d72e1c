/**
 * Everything c2watch remembers about one internal source IP.
 *
 * All of it is bounded: the event ring by `maxEventsPerHost`, the answer
 * cache by `maxAnswersPerHost`, the query ring by `maxQueriesPerHost`, and
 * each rule's own state by that rule. Nothing here refers to another host,
 * so hosts can be partitioned across workers by source IP.
 *
 * @module
 */

import { AnswerCache, QueryRing } from './dns.js';
import type { AnswerBudget } from './dns.js';
import { EventRing } from './ring.js';

export interface HostLimits {
  maxEventsPerHost: number;
  maxAnswersPerHost: number;
  maxQueriesPerHost: number;
  /** Shared by all hosts of one engine: DNS answers held in total. */
  answerBudget: AnswerBudget;
}

export class HostState {
  readonly ip: string;
  readonly events: EventRing;
  readonly #limits: HostLimits;
  #answers: AnswerCache | undefined;
  #queries: QueryRing | undefined;
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

  /** The host is going away: give its answers back to the shared budget. */
  release(): void {
    this.#answers?.release();
  }

  /** Recent DNS queries of this host (created on first use). */
  get queries(): QueryRing {
    return (this.#queries ??= new QueryRing(this.#limits.maxQueriesPerHost));
  }
}
