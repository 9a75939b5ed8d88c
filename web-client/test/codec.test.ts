// Wire codec: server frames with several maps, and absent fields staying absent.
import { describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { decodeFrame, encodeMessage } from '../src/net/codec';

describe('codec', () => {
  it('decodes several maps back to back in one frame', () => {
    const a = encode({ t: 'ev', seq: 4, at: 1, e: 'voted', player: 2 });
    const b = encode({ t: 'ok', id: 7 });
    const frame = new Uint8Array(a.length + b.length);
    frame.set(a, 0); frame.set(b, a.length);
    expect(decodeFrame(frame)).toEqual([
      { t: 'ev', seq: 4, at: 1, e: 'voted', player: 2 },
      { t: 'ok', id: 7 },
    ]);
  });
  it('rejects a frame that holds something other than a message map', () => {
    expect(() => decodeFrame(encode([1, 2]))).toThrow();
    expect(() => decodeFrame(encode({ x: 1 }))).toThrow();
  });
  it('leaves undefined fields off the wire', () => {
    const bytes = encodeMessage({ t: 'vote', value: 3, for: undefined });
    expect(decodeFrame(bytes)).toEqual([{ t: 'vote', value: 3 }]);
  });
  it('keeps a nil vote (a pass) on the wire', () => {
    const bytes = encodeMessage({ t: 'vote', value: null });
    expect(decodeFrame(bytes)).toEqual([{ t: 'vote', value: null }]);
  });
});
