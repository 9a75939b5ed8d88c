// Room code helpers: normalising typed codes and generating random ones (SPEC.md §2).
import { describe, expect, it } from 'vitest';
import { ROOM_ALPHABET, isRoomCode, normaliseRoomCode, randomRoomCode } from '../src/state/roomcode';

describe('normaliseRoomCode', () => {
  it('upper cases and drops spaces and dashes', () => {
    expect(normaliseRoomCode(' ab3-x9 k ')).toEqual({ ok: true, code: 'AB3X9K' });
    expect(normaliseRoomCode('ab3 x9k')).toEqual({ ok: true, code: 'AB3X9K' });
  });
  it('reports a confusable character instead of guessing', () => {
    for (const ch of ['0', 'o', 'O', '1', 'i', 'I', 'l', 'L']) {
      const r = normaliseRoomCode(`AB${ch}X9K`);
      expect(r.ok).toBe(false);
      if (!r.ok) { expect(r.problem).toBe('confusable'); expect(r.bad).toBe(ch.toUpperCase()); }
    }
  });
  it('reports other characters as invalid', () => {
    const r = normaliseRoomCode('AB#X9K');
    expect(r).toMatchObject({ ok: false, problem: 'invalid', bad: '#' });
  });
  it('reports empty, short and long input', () => {
    expect(normaliseRoomCode('   ')).toMatchObject({ ok: false, problem: 'empty' });
    expect(normaliseRoomCode('ABC')).toMatchObject({ ok: false, problem: 'short' });
    expect(normaliseRoomCode('ABCDEFG')).toMatchObject({ ok: false, problem: 'long' });
  });
});

describe('randomRoomCode', () => {
  it('makes valid six-character codes', () => {
    for (let i = 0; i < 200; i++) expect(isRoomCode(randomRoomCode())).toBe(true);
  });
  it('throws away bytes that would bias the choice', () => {
    // 248 = 8 * 31 is the first byte above the unbiased range; it must be skipped.
    let call = 0;
    const rand = (b: Uint8Array<ArrayBuffer>) => {
      b.fill(call++ === 0 ? 248 : 0);
      return b;
    };
    expect(randomRoomCode(rand)).toBe(ROOM_ALPHABET[0].repeat(6));
    expect(call).toBe(2);
  });
  it('uses every character of the alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) for (const ch of randomRoomCode()) seen.add(ch);
    expect(seen.size).toBe(ROOM_ALPHABET.length);
  });
});
