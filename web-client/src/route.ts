// Client-side routes (SPEC.md §8): parses location.hash into a route.
import { isRoomCode } from './state/roomcode';

export type Route =
  /** deck: a stored card set's hash from an unlisted link (#/?deck=HASH). */
  | { page: 'home'; deck?: string }
  /** A card set on paper (#/print/HASH). */
  | { page: 'print'; hash: string }
  /** A printed card's link (#/card/ID): put it on the table of the session this device facilitates. */
  | { page: 'card'; card: string }
  /** The card set editor (#/editor, or #/editor?from=HASH to start from a copy). */
  | { page: 'editor'; from?: string }
  | { page: 'room'; room: string }
  | { page: 'screen'; room: string }
  | { page: 'replay'; room: string; key: string }
  | { page: 'summary'; room: string; key: string }
  | { page: 'claim'; room: string; code: string }
  | { page: 'ping' }
  | { page: 'unknown' };

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = h.split('?', 2);
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  if (parts.length === 0) {
    const deck = params.get('deck') ?? '';
    return isDeckHash(deck) ? { page: 'home', deck } : { page: 'home' };
  }
  const code = (parts[1] ?? '').toUpperCase();
  switch (parts[0]) {
    case 'room':
      return isRoomCode(code) ? { page: 'room', room: code } : { page: 'home' };
    case 'screen':
      return isRoomCode(code) ? { page: 'screen', room: code } : { page: 'home' };
    case 'replay':
    case 'summary': {
      const key = new URLSearchParams(query).get('key') ?? '';
      return isRoomCode(code) ? { page: parts[0], room: code, key } : { page: 'home' };
    }
    case 'claim': {
      const c = new URLSearchParams(query).get('code') ?? '';
      return isRoomCode(code) ? { page: 'claim', room: code, code: c } : { page: 'home' };
    }
    case 'ping':
      return { page: 'ping' };
    case 'print':
      return isDeckHash(parts[1] ?? '') ? { page: 'print', hash: parts[1] } : { page: 'home' };
    case 'card': {
      let card = '';
      try {
        card = decodeURIComponent(parts[1] ?? '');
      } catch {
        // A malformed escape is no card id.
      }
      return /^[a-z0-9-]{1,64}$/.test(card) ? { page: 'card', card } : { page: 'home' };
    }
    case 'editor': {
      const from = params.get('from') ?? '';
      return isDeckHash(from) ? { page: 'editor', from } : { page: 'editor' };
    }
    default:
      return { page: 'unknown' };
  }
}

/** A deck's hash (SPEC.md §7): 16 lower-case hex characters. */
export function isDeckHash(s: string): boolean {
  return /^[0-9a-f]{16}$/.test(s);
}

export function go(hash: string): void {
  location.hash = hash;
}
