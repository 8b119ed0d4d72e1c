/**
 * ICMP request/reply pairing, as Zeek keys ICMP "connections": the
 * originator port is the message type and the responder port is the type of
 * the matching reply (echo 8 ↔ 0, …), or the message code for one-way
 * messages. `PacketInfo` carries type and code; this maps them.
 *
 * Source: `ICMP4_counterpart` / `ICMP6_counterpart` in Zeek's
 * src/packet_analysis/protocol/icmp/ICMP.cc; RFC 792, RFC 4443, RFC 4861.
 *
 * @module
 */

/**
 * The counterpart type of an ICMP (`v6` false) or ICMPv6 message type, or
 * -1 when the message is one-way (Zeek then uses the code as the responder
 * port).
 */
export function icmpCounterpart(v6: boolean, type: number): number {
  if (!v6) {
    switch (type) {
      case 8: return 0; // echo → echo reply
      case 0: return 8;
      case 13: return 14; // timestamp
      case 14: return 13;
      case 15: return 16; // information request
      case 16: return 15;
      case 10: return 9; // router solicitation → advertisement
      case 9: return 10;
      case 17: return 18; // address mask
      case 18: return 17;
      default: return -1;
    }
  }
  switch (type) {
    case 128: return 129; // echo request → reply
    case 129: return 128;
    case 133: return 134; // router solicitation → advertisement
    case 134: return 133;
    case 135: return 136; // neighbor solicitation → advertisement
    case 136: return 135;
    case 130: return 131; // MLD query → report
    case 131: return 130;
    case 139: return 140; // node information query → response
    case 140: return 139;
    case 144: return 145; // home agent address discovery
    case 145: return 144;
    default: return -1;
  }
}

/**
 * Zeek's conn.log ports for an ICMP packet: `[origP, respP]` written into
 * `out` (no allocation). `origP` is the type; `respP` the counterpart type,
 * or the code for one-way messages.
 */
export function icmpConnPorts(v6: boolean, type: number, code: number, out: Int32Array | number[]): void {
  out[0] = type;
  const c = icmpCounterpart(v6, type);
  out[1] = c < 0 ? code : c;
}
