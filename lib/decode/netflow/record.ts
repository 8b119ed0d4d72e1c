/**
 * The raw NetFlow / IPFIX record the decoder emits: one exported flow,
 * unidirectional (or an RFC 5103 biflow), before pairing into a FlowRecord
 * (lib/flow/netflow.ts).
 *
 * One class, every field initialised in the constructor in one order, so
 * all records share one hidden class. IPv4 addresses stay uint32 (the hot
 * path never builds dotted strings); IPv6 addresses are text. `-1` marks a
 * number the export did not carry.
 *
 * @module
 */

import { formatIPv4 } from '../../net/addr.js';

/** One exported flow record. */
export class NetflowRecord {
  /** Exporter label as given to `decode()` (address:port, or a label). */
  exporter = '';
  /** 5, 9 or 10 (IPFIX); 0 for records read from nfdump CSV. */
  version = 0;
  /** v9 source id / IPFIX observation domain id; v5: engine type·256 + engine id. */
  domain = 0;
  /** Template that described the record (0 for v5). */
  templateId = 0;
  /** 4 or 6; 0 when the record had no addresses. */
  ipVersion = 0;
  /** IPv4 addresses as unsigned 32-bit numbers (when ipVersion 4). */
  src4 = 0;
  dst4 = 0;
  /** IPv6 addresses as RFC 5952 text (when ipVersion 6), else ''. */
  src6 = '';
  dst6 = '';
  srcPort = 0;
  dstPort = 0;
  /** IP protocol number. */
  proto = 0;
  /** TCP flags OR-ed over the flow (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, …). */
  tcpFlags = 0;
  /** Packets and IP-level bytes, already multiplied by `samplingRate`. */
  packets = 0;
  octets = 0;
  /** RFC 5103 biflow reverse counters (scaled), -1 when not a biflow. */
  revPackets = -1;
  revOctets = -1;
  revTcpFlags = -1;
  /** 1 in N packets sampled: the factor applied to packets and octets (1 = unsampled or unknown). */
  samplingRate = 1;
  /** Flow start and end, seconds since the epoch (float, ms precision or better); -1 when unknown. */
  start = -1;
  end = -1;
  /** Export time from the message header, seconds since the epoch. */
  exportTime = 0;
  /** When the datagram was received (the `receivedTs` given to decode(), else the export time). */
  received = 0;
  /** ICMP type and code, -1 when not given. */
  icmpType = -1;
  icmpCode = -1;
  /** biflowDirection (RFC 5103 §6.3): 0 arbitrary, 1 initiator, 2 reverse initiator, 3 perimeter; -1 absent. */
  biflowDirection = -1;
  /** flowEndReason (IPFIX 136), -1 absent. */
  flowEndReason = -1;
  /** flowDirection (61): 0 ingress, 1 egress; -1 absent. */
  direction = -1;
}

/** Source address of a record as text. */
export function srcAddr(r: NetflowRecord): string {
  return r.ipVersion === 6 ? r.src6 : r.ipVersion === 4 ? formatIPv4(r.src4) : '';
}

/** Destination address of a record as text. */
export function dstAddr(r: NetflowRecord): string {
  return r.ipVersion === 6 ? r.dst6 : r.ipVersion === 4 ? formatIPv4(r.dst4) : '';
}
