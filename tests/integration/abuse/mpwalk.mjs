// mpwalk.mjs - splits a server frame into the byte ranges of its MessagePack objects, without trusting a decoder.

/**
 * Returns the end offset of the one object that starts at pos in buf.
 * Throws on truncation or the reserved byte 0xc1. Iterative (a count of
 * objects still to skip), so deep nesting cannot overflow the stack.
 */
export function skipObject(buf, pos) {
  let todo = 1;
  const need = (n) => {
    if (pos + n > buf.length) throw new Error(`truncated MessagePack at ${pos} (+${n} of ${buf.length})`);
  };
  while (todo > 0) {
    todo--;
    need(1);
    const b = buf[pos++];
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue;
    if (b >= 0x80 && b <= 0x8f) { todo += 2 * (b & 0x0f); continue; }
    if (b >= 0x90 && b <= 0x9f) { todo += b & 0x0f; continue; }
    if (b >= 0xa0 && b <= 0xbf) { need(b & 0x1f); pos += b & 0x1f; continue; }
    const len = (n) => {
      need(n);
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + buf[pos + i];
      pos += n;
      return v;
    };
    switch (b) {
      case 0xc4: case 0xd9: { const n = len(1); need(n); pos += n; break; }
      case 0xc5: case 0xda: { const n = len(2); need(n); pos += n; break; }
      case 0xc6: case 0xdb: { const n = len(4); need(n); pos += n; break; }
      case 0xc7: { const n = len(1); need(n + 1); pos += n + 1; break; }
      case 0xc8: { const n = len(2); need(n + 1); pos += n + 1; break; }
      case 0xc9: { const n = len(4); need(n + 1); pos += n + 1; break; }
      case 0xca: need(4); pos += 4; break;
      case 0xcb: need(8); pos += 8; break;
      case 0xcc: case 0xd0: need(1); pos += 1; break;
      case 0xcd: case 0xd1: need(2); pos += 2; break;
      case 0xce: case 0xd2: need(4); pos += 4; break;
      case 0xcf: case 0xd3: need(8); pos += 8; break;
      case 0xd4: need(2); pos += 2; break;
      case 0xd5: need(3); pos += 3; break;
      case 0xd6: need(5); pos += 5; break;
      case 0xd7: need(9); pos += 9; break;
      case 0xd8: need(17); pos += 17; break;
      case 0xdc: todo += len(2); break;
      case 0xdd: todo += len(4); break;
      case 0xde: todo += 2 * len(2); break;
      case 0xdf: todo += 2 * len(4); break;
      default: throw new Error(`reserved byte 0x${b.toString(16)} at ${pos - 1}`);
    }
  }
  return pos;
}

/** The [start, end) ranges of the objects packed back to back in buf; throws unless they cover it exactly. */
export function splitObjects(buf) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    const end = skipObject(buf, pos);
    out.push([pos, end]);
    pos = end;
  }
  return out;
}
