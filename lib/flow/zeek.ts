/**
 * Zeek's connection vocabulary and defaults, as numbers the flow table can
 * use on the hot path: endpoint states, history masks, timeouts, likely
 * server ports and ICMP counterpart types.
 *
 * Everything here restates a constant from the Zeek source tree (paths are
 * relative to zeek/zeek): `src/analyzer/protocol/tcp/TCP_Endpoint.h`,
 * `scripts/base/init-bare.zeek`, `scripts/base/protocols/conn/main.zeek`,
 * `scripts/base/protocols/conn/inactivity.zeek`,
 * `src/packet_analysis/protocol/icmp/ICMP.cc`.
 *
 * @module
 */

import { icmpCounterpart } from '../decode/packet/icmp.js';

/** TCP endpoint states (`TCP_Endpoint.h`, `enum EndpointState`). */
export const TcpState = {
  /** No SYN (or other packet) seen from this side. */
  Inactive: 0,
  /** SYN seen, no ACK. */
  SynSent: 1,
  /** SYN-ACK seen, no initial SYN. */
  SynAckSent: 2,
  /** Data seen, but no SYN. */
  Partial: 3,
  /** SYN-ACK seen (implicit for a SYN sent by the responder). */
  Established: 4,
  /** FIN seen. */
  Closed: 5,
  /** RST seen. */
  Reset: 6,
} as const;

/** UDP/ICMP endpoint states: a side is active once it sent one packet. */
export const UDP_INACTIVE = 0;
export const UDP_ACTIVE = 1;

/**
 * History masks (`TCP_Endpoint.h`, `HistoryMasks`). The responder's bits
 * are these shifted left by 16, as in `TCP_Endpoint::CheckHistory`.
 */
export const Hist = {
  Syn: 0x1,
  Fin: 0x2,
  Rst: 0x4,
  FinRst: 0x8,
  Data: 0x10,
  Ack: 0x20,
  MultiFlag: 0x40,
  /** UDP uses its own two bits (`UDP.cc`: HIST_ORIG_DATA_PKT, HIST_RESP_DATA_PKT). */
  UdpOrigData: 0x1,
  UdpRespData: 0x2,
} as const;

/** TCP header flag bits. */
export const TcpFlag = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 } as const;

/**
 * Zeek's default timers, in seconds (`init-bare.zeek`):
 * `tcp_inactivity_timeout`, `udp_inactivity_timeout`,
 * `icmp_inactivity_timeout`, `unknown_ip_inactivity_timeout`,
 * `tcp_attempt_delay`, `tcp_close_delay`, `tcp_SYN_timeout`,
 * `tcp_session_timer`, `tcp_connection_linger`, `dns_session_timeout`.
 */
export const ZEEK_TIMEOUTS = {
  tcpInactivity: 300,
  udpInactivity: 60,
  icmpInactivity: 60,
  unknownInactivity: 60,
  tcpAttemptDelay: 5,
  tcpCloseDelay: 5,
  tcpSynTimeout: 5,
  tcpSessionTimer: 6,
  tcpConnectionLinger: 5,
  dnsSessionTimeout: 10,
  /** `inactivity.zeek`: `port_inactivity_timeouts` for 21, 22, 23, 513/tcp. */
  interactive: 3600,
} as const;

/** `inactivity.zeek`: interactive TCP services that get an hour of inactivity. */
export const INTERACTIVE_TCP_PORTS: readonly number[] = [21, 22, 23, 513];

/**
 * `likely_server_ports` as a default (non `-b`) Zeek fills it: every
 * `redef likely_server_ports += { ... }` under `scripts/base/protocols/`
 * and `scripts/base/frameworks/tunnels/`. Entries are `port/proto`.
 * Used only to orient connections whose first packet is not a plain SYN
 * (TCP) and UDP connections (`TCP.cc`/`UDP.cc` `WantConnection`).
 */
export const ZEEK_LIKELY_SERVER_PORTS: readonly string[] = [
  // dce-rpc, dhcp, dnp3
  '135/tcp', '67/udp', '20000/tcp', '20000/udp',
  // dns
  '53/udp', '53/tcp', '137/udp', '5353/udp', '5355/udp',
  // ftp, http
  '21/tcp', '2811/tcp', '80/tcp', '81/tcp', '631/tcp', '1080/tcp', '3128/tcp', '8000/tcp', '8080/tcp', '8888/tcp',
  // imap, irc, krb, ldap
  '143/tcp', '6666/tcp', '6667/tcp', '6668/tcp', '6669/tcp', '88/udp', '88/tcp', '389/tcp', '3268/tcp', '389/udp',
  // modbus, mqtt, mysql, ntp, pop3, postgresql, radius, rdp
  '502/tcp', '1883/tcp', '1434/tcp', '3306/tcp', '123/udp', '110/tcp', '5432/tcp', '1812/udp', '3389/tcp', '3389/udp',
  // redis, sip, smb, smtp, snmp, socks, ssh, syslog, xmpp
  '6379/tcp', '5060/udp', '139/tcp', '445/tcp', '25/tcp', '587/tcp', '161/udp', '162/udp', '22/tcp', '514/udp',
  '5222/tcp', '5269/tcp',
  // ssl / dtls
  '443/tcp', '563/tcp', '585/tcp', '614/tcp', '636/tcp', '989/tcp', '990/tcp', '992/tcp', '993/tcp', '995/tcp',
  '5223/tcp', '443/udp',
  // tunnels framework: ayiya, teredo, gtpv1, vxlan, geneve
  '5072/udp', '3544/udp', '2152/udp', '2123/udp', '4789/udp', '6081/udp',
];

/** Ports Zeek's DNS analyzer is registered for (`base/protocols/dns/main.zeek`), minus NetBIOS 137. */
export const DNS_PORTS: readonly number[] = [53, 5353, 5355];

/**
 * ICMPv4 counterpart type (`ICMP.cc`, `ICMP4_counterpart`): the key of an
 * ICMP "connection" is (src, type) → (dst, counterpart). Returns -1 for
 * one-way messages, whose counterpart "port" is the code. One table for the
 * packet layer and the flow table: lib/decode/packet/icmp.ts.
 */
export function icmp4Counterpart(type: number): number {
  return icmpCounterpart(false, type);
}

/** ICMPv6 counterpart type (`ICMP.cc`, `ICMP6_counterpart`); -1 for one-way. */
export function icmp6Counterpart(type: number): number {
  return icmpCounterpart(true, type);
}
