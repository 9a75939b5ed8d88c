// The session this device facilitates, remembered so that a printed card's link (#/card/ID) knows which room to put the card in.

const KEY = 'verrijk.facilitating';

export function rememberFacilitating(room: string): void {
  try {
    localStorage.setItem(KEY, room);
  } catch {
    // Without storage a printed card's link asks for the session instead.
  }
}

export function facilitatingRoom(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}
