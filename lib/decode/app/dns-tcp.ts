/**
 * DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is
 * preceded by a 2-byte length; several messages may share a segment and
 * one message may span segments. Sans-IO: `push(buf, off, len)` hands each
 * complete message to a callback, as a view into the caller's buffer when
 * it lies in one segment, else out of a small internal buffer.
 *
 * Bounded: one buffer, allocated on the first split message (512 bytes),
 * grown to the largest split message seen (at most 65 535 + 2) and reused. Like Zeek's `Contents_DNS`, it assumes the
 * bytes arrive in order; the caller resets it on a gap.
 *
 * @module
 */

/** Receives one complete DNS message. */
export type DnsMessageHandler = (buf: Uint8Array, off: number, len: number) => void;

/** Reassembles length-prefixed DNS messages from one direction of a TCP stream. */
export class DnsTcpFramer {
  #buf: Uint8Array | undefined;
  /** Bytes held in #buf (length prefix included). */
  #have = 0;
  /** Length of the message being assembled, -1 while its prefix is incomplete. */
  #need = -1;
  #messages = 0;

  /** Messages delivered so far. */
  get messages(): number {
    return this.#messages;
  }

  /** Bytes waiting for the rest of their message. */
  get pending(): number {
    return this.#have;
  }

  /** Forget a partial message (after a gap in the stream). */
  reset(): void {
    this.#have = 0;
    this.#need = -1;
  }

  /** Feed the next in-order payload bytes of this direction. */
  push(buf: Uint8Array, off: number, len: number, onMessage: DnsMessageHandler): void {
    let p = off;
    const end = off + len;
    while (p < end) {
      if (this.#have === 0) {
        // Fast path: whole messages inside this segment need no copy.
        if (end - p >= 2) {
          const mlen = ((buf[p] as number) << 8) | (buf[p + 1] as number);
          if (end - p - 2 >= mlen) {
            this.#messages++;
            onMessage(buf, p + 2, mlen);
            p += 2 + mlen;
            continue;
          }
        }
      }
      let b = (this.#buf ??= new Uint8Array(512));
      if (this.#need < 0) {
        b[this.#have++] = buf[p++] as number;
        if (this.#have < 2) continue;
        this.#need = ((b[0] as number) << 8) | (b[1] as number);
        if (b.length < this.#need + 2) {
          // Grow to this message's size only (at most 64 KiB + 2).
          const nb = new Uint8Array(this.#need + 2);
          nb[0] = b[0] as number;
          nb[1] = b[1] as number;
          this.#buf = b = nb;
        }
      }
      const want = this.#need + 2 - this.#have;
      const take = Math.min(want, end - p);
      b.set(buf.subarray(p, p + take), this.#have);
      this.#have += take;
      p += take;
      if (this.#have === this.#need + 2) {
        const mlen = this.#need;
        this.#have = 0;
        this.#need = -1;
        this.#messages++;
        onMessage(b, 2, mlen);
      }
    }
  }
}
