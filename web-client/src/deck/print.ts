// The printed card set: which card goes where on which A4 sheet, fronts then backs mirrored for duplex, and the link each card's QR holds.

/** Cards per sheet: 3 columns of 3 rows of 63 × 88 mm (playing-card size) on A4 portrait. */
export const COLS = 3;
export const ROWS = 3;
export const PER_SHEET = COLS * ROWS;

/** One printed side: the card index (into the deck's cards) at each of the 9 places, or null for an empty place. */
export interface Sheet {
  side: 'front' | 'back';
  places: (number | null)[];
}

/**
 * Sheets for n cards: for every 9 cards a sheet of fronts, then a sheet of
 * their backs. A back sheet is the front sheet mirrored left to right
 * (printed two-sided, flipped on the long edge, each back lands behind its
 * front), so an empty place of a last, partial sheet mirrors too.
 */
export function sheets(n: number): Sheet[] {
  const out: Sheet[] = [];
  for (let first = 0; first < n; first += PER_SHEET) {
    const front: (number | null)[] = [];
    for (let i = 0; i < PER_SHEET; i++) front.push(first + i < n ? first + i : null);
    const back: (number | null)[] = [];
    for (let r = 0; r < ROWS; r++)
      for (let c = 0; c < COLS; c++) back.push(front[r * COLS + (COLS - 1 - c)]);
    out.push({ side: 'front', places: front }, { side: 'back', places: back });
  }
  return out;
}

/** The short code printed on a card: its number in the deck, from 1. Typed into the console, it draws that card. */
export function cardCode(index: number): string {
  return String(index + 1);
}

/** The card with this printed code, or -1. */
export function cardIndexOfCode(code: string, n: number): number {
  const s = code.trim();
  if (!/^[0-9]{1,4}$/.test(s)) return -1;
  const i = Number(s) - 1;
  return i >= 0 && i < n ? i : -1;
}

/**
 * The link a printed card's QR holds: the server's address (as phones reach
 * it, see joinBase) and the card's id, nothing else. Opened on the device
 * where the facilitator runs a session, it puts that card on the table
 * (the `card` route, `draw {card}`).
 */
export function cardLink(base: string, cardId: string): string {
  return `${base}#/card/${encodeURIComponent(cardId)}`;
}
