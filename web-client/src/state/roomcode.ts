// Room codes (SPEC.md §2): the alphabet, normalising what a person types, and a random code.

/** The 31 characters a room code may use: no 0/O, no 1/I/L. */
export const ROOM_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ROOM_CODE_LENGTH = 6;

export type CodeCheck =
  | { ok: true; code: string }
  | { ok: false; code: string; problem: 'empty' | 'short' | 'long' | 'confusable' | 'invalid'; bad?: string };

/**
 * Turns typed input into a wire code: trims, drops spaces and dashes, upper
 * cases. It never guesses: a typed O, 0, 1, I or L is reported as
 * `confusable` so the page can tell the person that codes never contain
 * them, instead of silently joining a different room.
 */
export function normaliseRoomCode(typed: string): CodeCheck {
  const code = typed.replace(/[\s-]+/g, '').toUpperCase();
  if (code.length === 0) return { ok: false, code, problem: 'empty' };
  for (const ch of code) {
    if (!ROOM_ALPHABET.includes(ch)) {
      const problem = '01OIL'.includes(ch) ? 'confusable' : 'invalid';
      return { ok: false, code, problem, bad: ch };
    }
  }
  if (code.length < ROOM_CODE_LENGTH) return { ok: false, code, problem: 'short' };
  if (code.length > ROOM_CODE_LENGTH) return { ok: false, code, problem: 'long' };
  return { ok: true, code };
}

/** True when `code` is exactly a wire room code. */
export function isRoomCode(code: string): boolean {
  if (code.length !== ROOM_CODE_LENGTH) return false;
  for (const ch of code) if (!ROOM_ALPHABET.includes(ch)) return false;
  return true;
}

/**
 * A fresh random code from crypto.getRandomValues. Bytes at or above the
 * largest multiple of 31 are thrown away, so every character is equally
 * likely (no modulo bias).
 */
export function randomRoomCode(rand: (buf: Uint8Array<ArrayBuffer>) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const limit = 256 - (256 % ROOM_ALPHABET.length);
  let code = '';
  while (code.length < ROOM_CODE_LENGTH) {
    const buf = rand(new Uint8Array(16));
    for (const byte of buf) {
      if (byte < limit && code.length < ROOM_CODE_LENGTH) code += ROOM_ALPHABET[byte % ROOM_ALPHABET.length];
    }
  }
  return code;
}
