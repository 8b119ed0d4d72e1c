// A TLS ClientHello builder for tests (RFC 8446 §4.1.2, RFC 6066 §3).
// Not a test file itself.

/** Bytes of a ClientHello record; `sni` undefined for none; `padding` extra extension bytes. */
export function clientHello(sni: string | undefined, opts: { padding?: number; noExtensions?: boolean; sessionId?: number } = {}): Uint8Array {
  const ext: number[] = [];
  if (sni !== undefined) {
    const name = Array.from(sni, (c) => c.charCodeAt(0));
    const list = [0, name.length >> 8, name.length & 255, ...name];
    const data = [list.length >> 8, list.length & 255, ...list];
    ext.push(0, 0, data.length >> 8, data.length & 255, ...data);
  }
  // supported_versions and a padding extension (type 21) to make it long.
  ext.push(0, 43, 0, 3, 2, 3, 4);
  const pad = opts.padding ?? 0;
  if (pad > 0) ext.push(0, 21, pad >> 8, pad & 255, ...new Array<number>(pad).fill(0));
  const sid = opts.sessionId ?? 32;
  const body = [
    3, 3,
    ...new Array<number>(32).fill(7),
    sid, ...new Array<number>(sid).fill(9),
    0, 4, 0x13, 0x01, 0x13, 0x02,
    1, 0,
  ];
  if (!opts.noExtensions) body.push(ext.length >> 8, ext.length & 255, ...ext);
  const hs = [1, (body.length >> 16) & 255, (body.length >> 8) & 255, body.length & 255, ...body];
  return Uint8Array.from([0x16, 3, 1, hs.length >> 8, hs.length & 255, ...hs]);
}
